"""操作指南: one page per journey, its screenshots taken by the browser tests.

Each step may name a screenshot; the browser test of that journey takes it under that
name (`screenshot(page, name)`), and `make guide` (SHEBAO_GUIDE_SCREENSHOTS=1) copies the
named ones into static/reports/guide/, under version control. A test fails when a guide
names a screenshot that no browser test takes or that is missing from that directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

GUIDE_DIR = Path(__file__).resolve().parent.parent / "static" / "reports" / "guide"


@dataclass(frozen=True)
class Step:
    text: str
    shot: str = ""  # a screenshot name, without .png


@dataclass(frozen=True)
class Journey:
    slug: str
    title: str
    summary: str
    steps: tuple[Step, ...]
    start: str = ""  # the URL name where the journey starts


JOURNEYS: tuple[Journey, ...] = (
    Journey("login", "登录", "已开通网上申报的单位使用数字证书（USB Key）登录。", (
        Step("打开“单位登录”，选择单位数字证书文件和私钥文件，点击“登录”。浏览器用私钥对系统"
             "发来的一次性随机数签名，私钥不会离开本机。", "unit-login"),
        Step("登录后进入单位首页：单位基本信息、本次登录所用证书和各项网上业务入口。",
             "unit-home"),
        Step("证书已吊销、过期或私钥与证书不符时，登录页给出原因，请按提示到证书机构或经办机构办理。",
             "unit-login-revoked"),
    ), "certauth:login"),
    Journey("enrol", "增员", "新参保、转入、续保人员逐人填报；人多请用报盘文件。", (
        Step("在单位首页点击“增员”，填写公民身份号码、姓名、户口性质、起始年月、月工资和联系电话。"
             "填写有误时，错误显示在对应栏目下方，改正后重新提交。", "form-enrol-error"),
        Step("核对待提交的内容，使用数字证书签名后提交。", "form-enrol-confirm"),
        Step("提交后显示申报回执：回执号、验证码和办理状态。可下载 PDF 回执留存。",
             "form-enrol-receipt"),
    ), "declarations:enrol"),
    Journey("leave", "减员", "转出、解除或终止劳动合同、退休、死亡等人员逐人减员。", (
        Step("在单位首页点击“减员”，选择人员、减员原因和最后缴费月份，核对后签名提交。",
             "form-leave"),
    ), "declarations:leave"),
    Journey("wage", "缴费工资申报", "申报期内逐人填报职工上年月平均工资，作为本年度缴费基数。", (
        Step("在申报期内打开“缴费工资申报”，逐人填写月平均工资；页面同时显示按上下限核定后的各险种基数。",
             "wage-page"),
        Step("填写有误的行标出原因，改正后再提交。", "wage-errors"),
        Step("核对后使用数字证书签名提交。", "wage-confirm"),
        Step("提交后显示回执；已申报的人员在申报页标为已申报。", "wage-receipt"),
    ), "declarations:wage"),
    Journey("backpay", "补缴", "以往月份漏缴的补缴申报，经经办机构审核后生效。", (
        Step("打开“补缴”，填写人员、补缴月份、月工资、原因，并上传证明材料。", "backpay-form"),
        Step("点击“试算”查看应补缴金额和滞纳金。", "backpay-quote"),
        Step("核对后使用数字证书签名提交。", "backpay-confirm"),
        Step("提交后显示回执，状态为“审核中”；审核结果在“申报记录”中查看。", "backpay-receipt"),
    ), "declarations:backpay"),
    Journey("upload", "报盘上传", "企业版数据报盘文件：增员、减员、缴费工资、补缴批量申报。", (
        Step("在“表样下载”下载对应业务的空白表样，按《填表说明》填写。", "decl-forms"),
        Step("上传文件。文件整体校验：有错误时列出全部错误（行、列、内容和原因），可下载标注了错误的文件，"
             "改正后重新上传。", "decl-upload-errors"),
        Step("校验通过后核对内容，使用数字证书签名提交。", "decl-confirm"),
        Step("提交后显示回执。", "decl-receipt"),
    ), "declarations:upload"),
    Journey("change", "信息变更", "单位信息和在职人员个人信息的变更。", (
        Step("“单位信息变更”：名称、地址、联系人、托收账号等提交后即时生效；登记证号、单位类型、"
             "缴费地区须经办机构审核。核对变更前后的内容后签名提交。", "form-unit-change-confirm"),
        Step("“个人信息变更”：先按公民身份号码查找本单位在职人员，再填写变更内容。",
             "form-person-change"),
        Step("提交后显示回执；需审核的项目在审核通过后生效。", "form-person-change-receipt"),
    ), "declarations:unit_change"),
    Journey("records", "申报记录", "查看已提交申报的办理状态、明细和回执。", (
        Step("“申报记录”列出本单位的申报，可按业务类型、状态、身份证号码和日期筛选。", "decl-list"),
        Step("打开一条申报查看回执和明细；被退回的申报显示退回原因。", "decl-receipt-returned"),
    ), "declarations:list"),
    Journey("documents", "证明打印", "打印带校验码和二维码的《单位参保证明》。", (
        Step("在单位首页点击“证明打印”，点击“打印单位参保证明（PDF）”，保存或打印 PDF。"
             "每次打印生成新的查询流水号和校验码，打印记录列在页面下方。", "documents-page"),
    ), "reports:documents"),
    Journey("verify", "回执验证与证明核验", "任何人都可以核验回执和证明的真伪。", (
        Step("打开“回执验证”，输入回执上的 12 位验证码，查看回执的业务类型、单位、提交时间"
             "和办理状态。",
             "decl-verify"),
        Step("核验证明：扫描证明上的二维码（自动填入查询流水号），或在同一页面输入查询流水号和校验码，"
             "查看本系统打印时保存的证明内容，与纸质证明逐项核对。", "document-verify-found"),
    ), "declarations:verify"),
)

BY_SLUG: dict[str, Journey] = {j.slug: j for j in JOURNEYS}


def guide_shots() -> set[str]:
    """Every screenshot name the guide shows."""
    return {step.shot for journey in JOURNEYS for step in journey.steps if step.shot}
