"""Settlement issues (核定问题): unit months that settlement could not bill in full.

A unit enrolled in work injury with no work-injury class for a month (a registry error)
is billed every other insurance and its month is flagged here; staff see the flags on
the back-office home page and `shebao settle` names the units. Every settlement run of
the month finds them again, so registering the class and re-settling clears the flag
and bills the work-injury part (as 补差 if the month is closed).
"""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from shebao.lib.periods import Month

from .models import SettlementIssue

# The units enrolled in work injury in month %(m)s with no class for it: flagged for
# staff by every run of the month (so a corrected registry clears the flag on re-run).
# Driven by the units (one probe of injury_unit_month each); only the rare unit without
# a class scans its enrolments (enrol_unit_person, from the index alone).
_INJURY_CLASS_MISSING = """
INSERT INTO contributions_settlementissue (unit_id, month, code, found_at)
SELECT u.id, %(m)s, %(code)s, %(now)s FROM registry_unit u
WHERE NOT EXISTS (SELECT 1 FROM registry_unitinjuryrate r
    WHERE r.unit_id = u.id AND r.first_month <= %(m)s
      AND (r.last_month IS NULL OR r.last_month >= %(m)s))
  AND EXISTS (SELECT 1 FROM registry_enrolment e
    WHERE e.unit_id = u.id AND e.insurance = 'work_injury' AND e.first_month <= %(m)s
      AND (e.last_month IS NULL OR e.last_month >= %(m)s))
"""


def injury_class_issues_refresh(m: int) -> int:
    """Flag again the units of month m enrolled in work injury with no class for it
    (billed every other insurance); returns how many."""
    SettlementIssue.objects.filter(month=m, code=SettlementIssue.Code.INJURY_CLASS_MISSING
                                   ).delete()
    with connection.cursor() as cur:
        cur.execute(_INJURY_CLASS_MISSING,
                    {"m": m, "code": SettlementIssue.Code.INJURY_CLASS_MISSING,
                     "now": timezone.now()})
        return max(cur.rowcount, 0)


def settlement_issues(month: Month | None = None) -> QuerySet[SettlementIssue]:
    """The open issues (of one month, or all), oldest month first, with their unit."""
    issues = SettlementIssue.objects.select_related("unit").order_by("month", "unit__number")
    return issues if month is None else issues.filter(month=int(month))
