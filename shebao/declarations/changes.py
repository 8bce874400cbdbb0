"""Changes of unit information and of personal information (单位/个人信息变更).

[decision, DOMAIN.md] Name, phone, address and bank account take effect when the
declaration is submitted; registration number, unit type, district, ID number and hukou
type are reviewed by staff. A declaration holds one line per changed item with the old
and the new value; one that holds any reviewed item waits for review as a whole (the
form says so and suggests declaring the immediate items on their own).

Applying checks that each item still has its old value: a change declared against
information that has changed since (another declaration, the agency) is refused rather
than silently overwriting it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Model

from shebao.audit.services import SYSTEM, Actor, event_record
from shebao.registry.choices import District, Hukou, UnitType
from shebao.registry.models import Person, Unit
from shebao.registry.services import person_info_set, unit_info_set

from .batchfiles.cells import cell_text
from .batchfiles.columns import choice_parser, parse_id_number, parse_name, parse_phone
from .batchfiles.errors import CellError
from .errors import DeclarationError, new_draft_token
from .models import Declaration, DeclarationKind, DeclarationLine, Source, Status

AT_ONCE = "即时生效"
REVIEWED = "经办机构审核"


def _text(label: str, limit: int, *, required: bool = True) -> Callable[[str], str]:
    def parse(value: str) -> str:
        text = " ".join(cell_text(value).split())
        if not text and required:
            raise CellError("required", f"{label}不能为空")
        if len(text) > limit:
            raise CellError("text_length", f"{label}不能超过 {limit} 个字，实为 {len(text)} 个")
        return text
    return parse


_REGISTRATION = re.compile(r"^[0-9A-Z]{6,20}$")
_ACCOUNT = re.compile(r"^\d{8,32}$")


def _registration_no(value: str) -> str:
    text = cell_text(value).replace(" ", "").upper()
    if not text:
        raise CellError("required", "社会保险登记证号不能为空")
    if not _REGISTRATION.match(text):
        raise CellError("format", f"社会保险登记证号“{text}”格式错误："
                                  "应为 6 至 20 位数字或大写字母")
    return text


def _bank_account(value: str) -> str:
    text = re.sub(r"[\s-]", "", cell_text(value))
    if not text:
        raise CellError("required", "托收账号不能为空")
    if not _ACCOUNT.match(text):
        raise CellError("format", f"托收账号“{cell_text(value)}”格式错误：应为 8 至 32 位数字")
    return text


def _choice(label: str, choices: type) -> Callable[[str], str]:
    parse = choice_parser(label, choices)

    def wrapped(value: str) -> str:
        return str(parse(value, dt.date.today()))
    return wrapped


def _relabeled(parse: Callable[[str], object], value: str, label: str) -> str:
    """A person-name parser whose messages name this item instead of 姓名."""
    try:
        return str(parse(value))
    except CellError as exc:
        raise CellError(exc.code, exc.message.replace("姓名", label)) from None


@dataclass(frozen=True)
class Item:
    """One changeable item: model field, label, parser of what is typed, reviewed?"""

    field: str
    label: str
    parse: Callable[[str], str]
    reviewed: bool
    choices: type | None = None

    def shown(self, value: str) -> str:
        if self.choices is not None:
            return str(dict(self.choices.choices).get(value, value))  # type: ignore[attr-defined]
        return value


UNIT_ITEMS: tuple[Item, ...] = (
    Item("name", "单位名称", _text("单位名称", 100), False),
    Item("address", "单位地址", _text("单位地址", 200), False),
    Item("contact_name", "联系人", lambda v: _relabeled(parse_name, v, "联系人"), False),
    Item("contact_phone", "联系电话", lambda v: str(parse_phone(v)), False),
    Item("bank_name", "开户银行", _text("开户银行", 100), False),
    Item("bank_account", "托收账号", _bank_account, False),
    Item("registration_no", "社会保险登记证号", _registration_no, True),
    Item("unit_type", "单位类型", _choice("单位类型", UnitType), True, UnitType),
    Item("district", "缴费地区", _choice("缴费地区", District), True, District),
)

PERSON_ITEMS: tuple[Item, ...] = (
    Item("name", "姓名", lambda v: str(parse_name(v)), False),
    Item("phone", "联系电话", lambda v: str(parse_phone(v)), False),
    Item("address", "居住地址", _text("居住地址", 200, required=False), False),
    Item("id_number", "公民身份号码", lambda v: str(parse_id_number(v)), True),
    Item("hukou", "户口性质", _choice("户口性质", Hukou), True, Hukou),
)

ITEMS: dict[str, tuple[Item, ...]] = {DeclarationKind.UNIT_CHANGE: UNIT_ITEMS,
                                     DeclarationKind.PERSON_CHANGE: PERSON_ITEMS}


def change_hint(kind: str) -> str:
    """The form's note on which of its own items take effect at once and which wait."""
    items = ITEMS[kind]
    at_once = "、".join(i.label for i in items if not i.reviewed)
    reviewed = "、".join(i.label for i in items if i.reviewed)
    return (f"{at_once}提交后即时生效；{reviewed}须经社保经办机构审核。"
            "含需审核项目的申报，全部项目在审核通过后一并生效。")


class ChangeInvalid(DeclarationError):
    """What was typed does not pass: Chinese messages by field name."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(errors.values()))
        self.errors = errors


def employed_person(unit: Unit, ref: str) -> Person | None:
    """A person the unit may declare changes for: one enrolled in it now."""
    return (Person.objects.filter(ref=ref, enrolments__unit=unit,
                                  enrolments__last_month__isnull=True).distinct().first())


def _changed(items: tuple[Item, ...], target: Model,
             values: dict[str, str]) -> tuple[list[dict[str, str]], dict[str, str]]:
    lines: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    for item in items:
        if item.field not in values:
            continue
        old = str(getattr(target, item.field) or "")
        if not old and not cell_text(values[item.field]):
            continue  # an item never filled in, left empty
        try:
            new = item.parse(values[item.field])
        except CellError as exc:
            errors[item.field] = exc.message
            continue
        if new != old:
            lines.append({"field": item.field, "label": item.label, "old": item.shown(old),
                          "new": item.shown(new), "old_value": old, "new_value": new,
                          "when": REVIEWED if item.reviewed else AT_ONCE})
    return lines, errors


def _pending(unit: Unit, kind: str, person: Person | None,
             fields: Iterable[str]) -> dict[str, str]:
    """Items already waiting in a change under review: declared again, they'd collide."""
    waiting = DeclarationLine.objects.filter(
        declaration__unit=unit, declaration__kind=kind,
        declaration__status=Status.REVIEWING, person=person)
    errors = {}
    for line in waiting.select_related("declaration"):
        field = line.data.get("field")
        if field in fields:
            errors[field] = (f"“{line.data.get('label')}”已有审核中的变更申报（回执号 "
                             f"{line.declaration.receipt_no}），请待办结后再申报")
    return errors


def _uniqueness(kind: str, lines: list[dict[str, str]], target: Model) -> dict[str, str]:
    """A new registration number or ID number must not belong to another unit/person."""
    model, field, message = (
        (Unit, "registration_no", "该社会保险登记证号已登记在其他单位名下，请核对")
        if kind == DeclarationKind.UNIT_CHANGE else
        (Person, "id_number", "该公民身份号码已登记为另一位参保人，不能变更为此号码，"
                              "请到经办机构核实"))
    for line in lines:
        if line["field"] == field and model.objects.filter(  # type: ignore[attr-defined]
                **{field: line["new_value"]}).exclude(pk=target.pk).exists():
            return {field: message}
    return {}


def change_create(*, unit: Unit, values: dict[str, str], actor: Actor,
                  person: Person | None = None, source: str = Source.WEB) -> Declaration:
    """A draft change of the unit's information, or of `person`'s (one the unit employs).

    `values` maps item fields to what was typed; items not given are not changed."""
    kind = DeclarationKind.PERSON_CHANGE if person is not None else DeclarationKind.UNIT_CHANGE
    target: Model = person if person is not None else unit
    if person is not None and employed_person(unit, person.ref) is None:
        raise DeclarationError("该参保人不是本单位在职参保人员，不能由本单位申报信息变更")
    lines, errors = _changed(ITEMS[kind], target, values)
    errors.update(_uniqueness(kind, lines, target))
    errors.update(_pending(unit, kind, person, {ln["field"] for ln in lines}))
    if errors:
        raise ChangeInvalid(errors)
    if not lines:
        raise ChangeInvalid({"": "没有任何项目发生变化，无需申报"})
    with transaction.atomic():
        declaration = Declaration.objects.create(unit=unit, kind=kind, source=source,
                                                 draft_token=new_draft_token())
        DeclarationLine.objects.bulk_create([
            DeclarationLine(declaration=declaration, line_no=i, person=person,
                            id_number=person.id_number if person else "",
                            name=person.name if person else "", data=data)
            for i, data in enumerate(lines, start=1)])
        event_record(actor=actor, action="declaration_create", object_type="declaration",
                     object_ref=str(declaration.pk), after={"kind": kind, "lines": len(lines)})
    return declaration


def change_needs_review(declaration: Declaration) -> bool:
    return any(line.data.get("when") == REVIEWED for line in declaration.lines.all())


def change_apply(declaration: Declaration) -> None:
    """Write the new values, each checked against its declared old value."""
    lines = list(declaration.lines.select_related("person").order_by("line_no"))
    if declaration.kind == DeclarationKind.UNIT_CHANGE:
        target: Model = Unit.objects.select_for_update().get(pk=declaration.unit_id)
    else:
        person = lines[0].person
        if person is None:
            raise DeclarationError("变更申报缺少参保人")
        target = Person.objects.select_for_update().get(pk=person.pk)
    errors = _uniqueness(declaration.kind, [ln.data for ln in lines], target)
    if errors:
        raise DeclarationError("；".join(errors.values()))
    before, after = {}, {}
    for line in lines:
        field, old, new = line.data["field"], line.data["old_value"], line.data["new_value"]
        current = str(getattr(target, field) or "")
        if current != old:
            raise DeclarationError(f"“{line.data['label']}”在申报后已变为“{current}”，"
                                   "与申报时的原内容不符，请重新申报")
        before[field], after[field] = old, new
    if isinstance(target, Person):
        if "id_number" in after:
            DeclarationLine.objects.filter(declaration=declaration).update(
                id_number=after["id_number"])
        person_info_set(target, after)
    elif isinstance(target, Unit):
        unit_info_set(target, after)
    object_type = "unit" if isinstance(target, Unit) else "person"
    ref = target.number if isinstance(target, Unit) else target.ref  # type: ignore[attr-defined]
    event_record(actor=SYSTEM, action=f"{object_type}_change",
                 object_type=object_type, object_ref=ref, before=before,
                 after={**after, "receipt_no": declaration.receipt_no})


def change_sentences(kind: str, lines: list[DeclarationLine]) -> list[str]:
    at_once = [ln.data["label"] for ln in lines if ln.data.get("when") == AT_ONCE]
    reviewed = [ln.data["label"] for ln in lines if ln.data.get("when") == REVIEWED]
    name = lines[0].name if lines else ""
    whose = "本单位" if kind == DeclarationKind.UNIT_CHANGE else f"参保人{name}"
    items = "、".join(at_once + reviewed)
    if reviewed:
        return [f"变更{whose}的{items}。",
                f"其中{'、'.join(reviewed)}须经社保经办机构审核，本申报全部项目在审核通过后一并生效；"
                "如需其他项目立即生效，请放弃本草稿，将其单独申报。"]
    return [f"变更{whose}的{items}。", "提交后即时生效，无需审核。"]

