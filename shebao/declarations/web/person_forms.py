"""Single-person web forms: 增员, 减员, and changes of unit and personal information.

增员 and 减员 are the batch file's row typed into a form: `record_form` builds the form
from the kind's columns and the row goes through `records_validate`, the same parsers
and registry rules as a file, so each message is the one a file would get, shown at its
field. A form that passes becomes a draft; the confirm step (web/confirm.py) signs and
submits it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import TextChoices
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from shebao.accounts.forms import IdNumberField
from shebao.accounts.principal import principal_of
from shebao.certauth.access import unit_session_required
from shebao.certauth.selectors import UnitSession
from shebao.registry.models import Person

from ..batchfiles import KINDS, records_validate
from ..batchfiles.kinds import FileKind
from ..batchfiles.rules import MONTHS_AHEAD, RuleContext
from ..changes import ITEMS, ChangeInvalid, Item, change_create, change_hint, employed_person
from ..errors import DeclarationError
from ..models import DeclarationKind, Source
from ..services import declaration_create

MONTH_FIELDS = {"start", "end"}
WIDGETS: dict[str, dict[str, str]] = {
    "id_number": {"autocomplete": "off", "inputmode": "text", "maxlength": "18",
                  "class": "mono"},
    "wage": {"inputmode": "decimal", "placeholder": "例如 8500.00"},
    "phone": {"inputmode": "tel", "autocomplete": "tel"},
}


def record_form(spec: FileKind, data: Any = None, initial: dict[str, str] | None = None
                ) -> forms.Form:
    """A form with one field per column of the batch file kind, in the file's order.

    Fields only collect text: parsing and every rule are `records_validate`'s."""
    form = forms.Form(data, initial=initial)
    for column in spec.columns:
        attrs = dict(WIDGETS.get(column.field, {}))
        field: forms.Field
        if column.choices:
            field = forms.ChoiceField(choices=[("", "请选择"), *[(c, c) for c in column.choices]])
        elif column.field in MONTH_FIELDS:
            field = forms.CharField(widget=forms.DateInput(attrs={
                "type": "month", "placeholder": "YYYY-MM", **attrs}))
        else:
            field = forms.CharField(widget=forms.TextInput(attrs=attrs))
        field.label, field.required, field.help_text = column.header, False, column.note
        form.fields[column.field] = field
    return form


def _label_values(spec: FileKind, cleaned: dict[str, Any]) -> dict[str, object]:
    return {c.field: (cleaned.get(c.field) or "") for c in spec.columns}


def _record_view(request: HttpRequest, session: UnitSession, file_kind: str,
                 template_context: dict[str, Any]) -> HttpResponse:
    spec = KINDS[file_kind]
    today = timezone.localdate()
    ctx = RuleContext(as_of=today, cutoff_day=settings.DECLARATION_CUTOFF_DAY)
    context = {"unit": session.unit, "spec": spec, "effective": ctx.effective,
               "effective_reason": ctx.effective_reason(), "latest": ctx.latest,
               "months_ahead": MONTHS_AHEAD, "cutoff": settings.DECLARATION_CUTOFF_DAY,
               **template_context}
    if request.method == "GET":
        initial = {}
        ref = request.GET.get("person")
        if ref:
            person = employed_person(session.unit, ref)
            if person is None:
                raise Http404
            initial = {"id_number": person.id_number, "name": person.name}
        form = record_form(spec, initial=initial)
        return render(request, "declarations/record_form.html", {"form": form, **context})
    form = record_form(spec, request.POST)
    form.is_valid()  # text fields only: always valid; choices outside the list are errors
    values = _label_values(spec, form.cleaned_data)
    result = records_validate([values], kind=file_kind, unit=session.unit, as_of=today)
    by_header = {c.header: c.field for c in spec.columns}
    for error in result.errors:
        field = by_header.get(error.column)
        form.add_error(field if field in form.fields else None, error.message)
    if result.ok and not form.errors:
        try:
            draft = declaration_create(unit=session.unit, records=result.records,
                                       source=Source.WEB,
                                       actor=principal_of(request).actor(request))
        except DeclarationError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("declarations:draft", token=draft.draft_token)
    return render(request, "declarations/record_form.html",
                  {"form": form, "warnings": result.warnings, **context}, status=400)


@require_http_methods(["GET", "POST"])
@unit_session_required()
def enrol(request: HttpRequest, session: UnitSession) -> HttpResponse:
    """增员: one person, new enrolment, transfer in or resumption."""
    return _record_view(request, session, "add", {
        "title": "增员", "kind_code": "add",
        "lead": "为一名新参保、转入或续保人员办理参保登记。多人请使用报盘文件一次申报。"})


@require_http_methods(["GET", "POST"])
@unit_session_required()
def leave(request: HttpRequest, session: UnitSession) -> HttpResponse:
    """减员: one person of the unit, reason and last month."""
    return _record_view(request, session, "remove", {
        "title": "减员", "kind_code": "remove",
        "lead": "为本单位一名在职参保人员办理减员。终止年月是本单位为其缴费的最后一个月。"})


# --- changes of information -----------------------------------------------------------

def change_form(items: tuple[Item, ...], data: Any = None,
                initial: dict[str, str] | None = None) -> forms.Form:
    form = forms.Form(data, initial=initial)
    for item in items:
        field: forms.Field
        if item.choices is not None:
            choices: type[TextChoices] = item.choices
            field = forms.ChoiceField(choices=[(str(lbl), str(lbl)) for lbl in choices.labels])
        else:
            field = forms.CharField(widget=forms.TextInput(attrs=WIDGETS.get(item.field, {})))
        field.label, field.required = item.label, False
        field.help_text = "须经办机构审核" if item.reviewed else "提交后即时生效"
        form.fields[item.field] = field
    return form


def _change_view(request: HttpRequest, session: UnitSession, kind: str,
                 target: Any, person: Person | None, context: dict[str, Any]) -> HttpResponse:
    items = ITEMS[kind]
    current = {i.field: i.shown(str(getattr(target, i.field) or "")) for i in items}
    context = {"unit": session.unit, "items": items, "person": person,
               "hint": change_hint(kind), **context}
    if request.method == "GET":
        return render(request, "declarations/change_form.html",
                      {"form": change_form(items, initial=current), **context})
    form = change_form(items, request.POST)
    form.is_valid()
    for field in list(form.errors):
        if field in current:  # a choice outside the list: say so through the parser
            form.errors.pop(field)
    values = {i.field: str(request.POST.get(i.field, current[i.field])) for i in items}
    try:
        draft = change_create(unit=session.unit, person=person, values=values,
                              actor=principal_of(request).actor(request))
    except ChangeInvalid as exc:
        for field, message in exc.errors.items():
            form.add_error(field or None, message)
    except DeclarationError as exc:
        form.add_error(None, str(exc))
    else:
        return redirect("declarations:draft", token=draft.draft_token)
    return render(request, "declarations/change_form.html", {"form": form, **context},
                  status=400)


@require_http_methods(["GET", "POST"])
@unit_session_required()
def unit_change(request: HttpRequest, session: UnitSession) -> HttpResponse:
    """单位信息变更: the unit's current information, prefilled."""
    return _change_view(request, session, DeclarationKind.UNIT_CHANGE, session.unit, None,
                        {"title": "单位信息变更"})


class PersonLookupForm(forms.Form):
    id_number = IdNumberField(label="身份证号码", error_messages={"required": "请输入身份证号码"},
                              widget=forms.TextInput(attrs=WIDGETS["id_number"]))


@require_http_methods(["GET", "POST"])
@unit_session_required()
def person_change_lookup(request: HttpRequest, session: UnitSession) -> HttpResponse:
    """个人信息变更, step 1: which of the unit's people (by ID number)."""
    form = PersonLookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = Person.objects.filter(id_number=form.cleaned_data["id_number"]).first()
        if person is not None and employed_person(session.unit, person.ref) is not None:
            return redirect("declarations:person_change", ref=person.ref)
        form.add_error("id_number", "本单位没有该身份证号码的在职参保人员，请核对号码")
    return render(request, "declarations/person_lookup.html",
                  {"form": form, "unit": session.unit},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@unit_session_required()
def person_change(request: HttpRequest, session: UnitSession, ref: str) -> HttpResponse:
    """个人信息变更, step 2: the person's information, prefilled."""
    person = employed_person(session.unit, ref)
    if person is None:
        raise Http404
    return _change_view(request, session, DeclarationKind.PERSON_CHANGE, person, person,
                        {"title": "个人信息变更"})
