"""参保人 query passwords at the counter: find a person by ID number, see whether a
password is set, and print a 密码函 with a new one-time activation code (受理, 管理员)."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shebao.accounts.forms import IdNumberField
from shebao.accounts.models import StaffRole
from shebao.accounts.passwords import activation_code_display, password_rules_text
from shebao.accounts.persons import CODE_VALIDITY, person_letter_issue
from shebao.accounts.selectors import person_credential_status
from shebao.registry.models import Person

from .access import staff_actor, staff_required


class PersonSearchForm(forms.Form):
    id_number = IdNumberField(help_text="18 位或 15 位公民身份号码")

    def clean_id_number(self) -> Person:
        id_number = self.cleaned_data["id_number"]
        person = Person.objects.filter(id_number=id_number).first()
        if person is None:
            raise forms.ValidationError("未找到该公民身份号码的参保人。")
        return person


@staff_required(StaffRole.INTAKE)
def person_search(request: HttpRequest) -> HttpResponse:
    form = PersonSearchForm(request.GET if "id_number" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("backoffice:person_detail", ref=form.cleaned_data["id_number"].ref)
    return render(request, "backoffice/person_search.html", {"form": form})


@staff_required(StaffRole.INTAKE)
def person_detail(request: HttpRequest, ref: str) -> HttpResponse:
    person = get_object_or_404(Person, ref=ref)
    return render(request, "backoffice/person_detail.html", {
        "person": person, "status": person_credential_status(person),
        "validity_days": CODE_VALIDITY.days})


@never_cache
@require_POST
@staff_required(StaffRole.INTAKE)
def person_letter(request: HttpRequest, ref: str) -> HttpResponse:
    """Issue the code and show it once; the response is not cached anywhere."""
    person = get_object_or_404(Person, ref=ref)
    letter = person_letter_issue(person=person, actor=staff_actor(request))
    return render(request, "backoffice/person_letter.html", {
        "letter": letter, "code": activation_code_display(letter.code),
        "rules": password_rules_text(), "validity_days": CODE_VALIDITY.days,
        "issuer": request.user})
