"""Public contribution pages: the calculator (社保缴费计算器), no login needed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shebao.policy.selectors import Figure, PolicyMissing, policy_at

from .calculator import CalculationError, UnitTerms, contribution_calc
from .forms import CalculatorForm


def calculator(request: HttpRequest) -> HttpResponse:
    form = CalculatorForm(request.GET or None)
    context: dict[str, object] = {"form": form}
    if form.is_valid():
        data = form.cleaned_data
        try:
            policy = policy_at(data["month"])
            calc = contribution_calc(
                policy, wage=data["wage"], rural=data["hukou"] == "rural",
                unit=UnitTerms(data["injury_class"], data["injury_float"], data["size"]),
            )
        except (PolicyMissing, CalculationError) as exc:
            form.add_error(None, str(exc))
        else:
            seen: dict[tuple[str, str, str, str, object], Figure] = {}
            for line in calc.lines:
                for fig in line.figures:
                    seen.setdefault((fig.key, fig.insurance, fig.party, fig.variant,
                                     fig.first_month), fig)
            context.update(calc=calc, policy=policy, figures=list(seen.values()))
    return render(request, "contributions/calculator.html", context)
