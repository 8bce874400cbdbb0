"""The designated units of the demo city: each fails exactly one eligibility rule.

Their unit numbers and names are the same for every seed, so pages, tests and later
engines can find them. Every other unit of the demo city is eligible and open for online
declaration (DOMAIN.md, "Eligibility to open online declaration").

Arrears cannot be a registry fact: they appear when the contribution engine settles
bills that are not paid. The engine that builds the demo city's contribution history
must therefore leave the bills of `ARREARS_UNIT_NUMBERS` unpaid (from
`ARREARS_FIRST_MONTHS_AGO` months before the demo's current month on), and pay every
other unit's bills in full.
"""

from __future__ import annotations

from dataclasses import dataclass


class Failure:
    """Codes of the eligibility rules a designated unit fails (or '' for none)."""

    QUARTERLY_CYCLE = "quarterly_cycle"
    VIOLATION = "violation"
    MISSING_INSURANCE = "missing_insurance"
    SECONDARY = "secondary"
    MEDICAL_REGISTRATION_NO = "medical_registration_no"
    MEDICAL_DISTRICT = "medical_district"
    MEDICAL_UNIT_TYPE = "medical_unit_type"
    MEDICAL_ORG_CODE = "medical_org_code"
    ARREARS = "arrears"
    NONE = ""


@dataclass(frozen=True, slots=True)
class DesignatedUnit:
    number: str
    name: str
    failure: str
    label: str  # what the unit shows, in Chinese
    industry: str  # industry word of its name (names.INDUSTRIES)


GROUP_NUMBER = "10000010"

DESIGNATED_UNITS: tuple[DesignatedUnit, ...] = (
    DesignatedUnit("10000001", "北京季结演示商贸有限公司", Failure.QUARTERLY_CYCLE,
                   "结算周期为按季", "商贸"),
    DesignatedUnit("10000002", "北京违规演示建筑工程有限公司", Failure.VIOLATION,
                   "存在社会保险违规记录", "建筑工程"),
    DesignatedUnit("10000003", "北京缺险种演示餐饮管理有限公司", Failure.MISSING_INSURANCE,
                   "未参加失业保险", "餐饮管理"),
    DesignatedUnit("10000004", "北京演示集团有限公司第一分公司", Failure.SECONDARY,
                   "参保方式为二级公司", "商贸"),
    DesignatedUnit("10000005", "北京登记证号不符演示科技有限公司",
                   Failure.MEDICAL_REGISTRATION_NO, "医疗系统社会保险登记证号不一致", "科技"),
    DesignatedUnit("10000006", "北京地区不符演示物流有限公司", Failure.MEDICAL_DISTRICT,
                   "医疗系统缴费地区不一致", "物流"),
    DesignatedUnit("10000007", "北京类型不符演示文化传媒有限公司", Failure.MEDICAL_UNIT_TYPE,
                   "医疗系统单位类型不一致", "文化传媒"),
    DesignatedUnit("10000008", "北京代码不符演示管理咨询有限公司", Failure.MEDICAL_ORG_CODE,
                   "医疗系统组织机构代码不一致", "管理咨询"),
    DesignatedUnit("10000009", "北京欠费演示物业管理有限公司", Failure.ARREARS,
                   "有欠费（由缴费数据产生）", "物业管理"),
    DesignatedUnit(GROUP_NUMBER, "北京演示集团有限公司", Failure.NONE,
                   "符合条件，已开通网上申报（二级公司的上级单位）", "商贸"),
    DesignatedUnit("10000011", "北京待开通演示信息技术有限公司", Failure.NONE,
                   "符合条件，尚未申请开通网上申报", "信息技术"),
)

ARREARS_UNIT_NUMBERS: tuple[str, ...] = tuple(
    d.number for d in DESIGNATED_UNITS if d.failure == Failure.ARREARS
)
# The arrears unit's bills are left unpaid from this many months before the current month.
ARREARS_FIRST_MONTHS_AGO = 3

# An eligible unit that has not applied yet: it stays CLOSED so the application can be shown.
NOT_YET_OPEN_NUMBERS: tuple[str, ...] = ("10000011",)


def designated_by_failure(failure: str) -> DesignatedUnit:
    """The one designated unit that fails `failure` (a Failure code)."""
    for unit in DESIGNATED_UNITS:
        if unit.failure == failure and failure:
            return unit
    raise KeyError(failure)


def arrears_unit_numbers() -> tuple[str, ...]:
    """Unit numbers whose bills the contribution engine must leave unpaid."""
    return ARREARS_UNIT_NUMBERS
