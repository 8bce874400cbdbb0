"""Code lists of the registry. Values are stable English codes; labels are Chinese."""

from __future__ import annotations

from django.db import models


class District(models.TextChoices):
    """缴费地区: the 16 districts and the economic-technological development area.

    Values are the national administrative division codes; the development area has
    none of its own, so it gets 110199 [decision].
    """

    DONGCHENG = "110101", "东城区"
    XICHENG = "110102", "西城区"
    CHAOYANG = "110105", "朝阳区"
    FENGTAI = "110106", "丰台区"
    SHIJINGSHAN = "110107", "石景山区"
    HAIDIAN = "110108", "海淀区"
    MENTOUGOU = "110109", "门头沟区"
    FANGSHAN = "110111", "房山区"
    TONGZHOU = "110112", "通州区"
    SHUNYI = "110113", "顺义区"
    CHANGPING = "110114", "昌平区"
    DAXING = "110115", "大兴区"
    HUAIROU = "110116", "怀柔区"
    PINGGU = "110117", "平谷区"
    MIYUN = "110118", "密云区"
    YANQING = "110119", "延庆区"
    BDA = "110199", "经济技术开发区"


class UnitType(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    GOVERNMENT = "government", "机关"
    INSTITUTION = "institution", "事业单位"
    SOCIAL_ORG = "social_org", "社会团体"
    PRIVATE_NONPROFIT = "private_nonprofit", "民办非企业单位"
    INDIVIDUAL_BUSINESS = "individual_business", "个体工商户"


class EnterpriseSize(models.TextChoices):
    LARGE = "large", "大型"
    MEDIUM = "medium", "中型"
    SMALL = "small", "小型"
    MICRO = "micro", "微型"


class SettlementCycle(models.TextChoices):
    MONTHLY = "monthly", "按月"
    QUARTERLY = "quarterly", "按季"
    YEARLY = "yearly", "按年"


class EnrolmentMode(models.TextChoices):
    INDEPENDENT = "independent", "独立参保"
    SECONDARY = "secondary", "二级公司"


class OnlineStatus(models.TextChoices):
    CLOSED = "closed", "未开通"
    OPEN = "open", "已开通"
    SUSPENDED = "suspended", "已暂停"


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Hukou(models.TextChoices):
    URBAN = "urban", "城镇"
    RURAL = "rural", "农村"


class StartReason(models.TextChoices):
    NEW = "new", "新参保"
    TRANSFER_IN = "transfer_in", "转入"
    RESUME = "resume", "续保"


class EndReason(models.TextChoices):
    TRANSFER_OUT = "transfer_out", "转出"
    CONTRACT_TERMINATED = "contract_terminated", "解除劳动合同"
    CONTRACT_ENDED = "contract_ended", "终止劳动合同"
    RETIRED = "retired", "退休"
    DECEASED = "deceased", "死亡"
    OTHER = "other", "其他"


class WageSource(models.TextChoices):
    DECLARED = "declared", "单位申报"
    NEW_HIRE = "new_hire", "新参保首月工资"
    LATE_DEFAULT = "late_default", "未申报按上年110%"
    IMPORTED = "imported", "历史数据导入"
