"""Printable blank forms (表样下载, beside the batch-file forms of declarations).

The information-change forms list the items of `declarations.changes` (one source: what
the web form accepts, and which items are reviewed), so paper and screen never differ.
The application for online declaration is the form DOMAIN.md names (《北京市社会保险网上
申报业务申请表》), brought to the agency in two copies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shebao.declarations.changes import PERSON_ITEMS, REVIEWED, UNIT_ITEMS, Item
from shebao.lib.pdf import Table, document_pdf

ISSUER = "北京市社会保险基金管理中心"


@dataclass(frozen=True)
class PaperForm:
    slug: str
    title: str
    purpose: str
    online: str  # URL name of the same business online, if any
    build: Callable[[], bytes]


def _change_form(title: str, who: list[tuple[str, str]], items: tuple[Item, ...]) -> bytes:
    # two blank lines a row: room to write by hand
    rows = [[item.label, "\n\n", "", REVIEWED if item.reviewed else "即时生效"] for item in items]
    return document_pdf(
        title, [*who, ("经办人（签字）", ""), ("填表日期", "    年    月    日")],
        subtitle=ISSUER,
        footer="只填写需要变更的项目。已开通网上申报的单位请在网上办理“信息变更”；标明“经办机构审核”"
               "的项目须经社保经办机构审核后生效，请携带相关证明材料。",
        table=Table("变更项目", ["变更项目", "变更前内容", "变更后内容", "生效方式"], rows,
                    widest=["　" * 14, "　" * 14]))


def _unit_change() -> bytes:
    return _change_form("单位信息变更登记表", [("单位编号", ""), ("单位名称（盖章）", "")],
                        UNIT_ITEMS)


def _person_change() -> bytes:
    return _change_form("个人信息变更登记表", [
        ("单位编号", ""), ("单位名称（盖章）", ""), ("参保人姓名", ""), ("公民身份号码", "")],
        PERSON_ITEMS)


def _application() -> bytes:
    fields = ["单位名称（盖章）", "单位编号", "统一社会信用代码", "社会保险登记证号", "缴费地区",
              "单位类型", "结算周期", "参保方式", "数字证书序列号", "证书是否一证多用",
              "经办人姓名", "经办人联系电话", "申请日期"]
    return document_pdf(
        "北京市社会保险网上申报业务申请表", [(f, "") for f in fields], subtitle=ISSUER,
        footer="本表一式两份。申请开通网上申报的单位须：结算周期为按月，四险与医疗系统的"
               "单位基本信息一致，无欠费，无社会保险违规行为，非二级公司参保。每月 5 日至 22 日"
               "携带本表、组织机构代码证书、社会保险登记证复印件和数字证书到所属社保经办机构办理；"
               "证书已用于其他业务系统的，另附《数字证书一证多用授权书》一份。")


PAPER_FORMS: tuple[PaperForm, ...] = (
    PaperForm("application", "北京市社会保险网上申报业务申请表",
              "申请开通网上申报时填写，一式两份，连同证件到所属社保经办机构办理。", "",
              _application),
    PaperForm("unit-change", "单位信息变更登记表",
              "单位名称、地址、联系人、托收账号、登记证号、单位类型、缴费地区等变更；"
              "已开通网上申报的单位可直接在网上办理。", "declarations:unit_change", _unit_change),
    PaperForm("person-change", "个人信息变更登记表",
              "在职人员姓名、联系电话、居住地址、公民身份号码、户口性质的变更；"
              "已开通网上申报的单位可直接在网上办理。", "declarations:person_change_lookup",
              _person_change),
)
BY_SLUG = {f.slug: f for f in PAPER_FORMS}
