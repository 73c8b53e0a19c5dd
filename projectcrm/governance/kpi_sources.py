"""Computed KPI values: what each computed source (KpiSource other than ENTERED) measures in the
project's own data, and recording today's values as KPI values (origin "computed").

* adoption_rate       active users / licensed users of the last complete week (training.usage), in %
* training_readiness  required (person, course) pairs signed off (training.gates), in %
* open_issues         issues not resolved or closed
* high_risks          risks not closed scoring at least governance.scoring.HIGH
* milestones_on_time  finished milestones (roadmap, actual finish set) finished on or before their
                      planned finish, in % of the finished ones
* data_completeness   completeness of the key CRM fields in the last complete week (training.usage), in %

Each function returns a float, or None when there is nothing to measure yet (no usage data, no
training required, no finished milestone); None is never recorded. Adoption and completeness can
be computed for a past day (`AS_OF_SOURCES`: the usage data is dated); training readiness, the counts of issues and risks and the milestones describe the
project's data as it is now (a sign-off made later would count), so they are recorded for today.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from projectcrm.core.services import save_versioned

from .choices import ISSUE_DONE, RISK_DONE, KpiSource, ValueOrigin

PLACES = Decimal("0.01")


def _adoption(project, day, cache: dict) -> dict:
    if "adoption" not in cache:
        from training.usage import adoption_summary

        cache["adoption"] = adoption_summary(project, day)
    return cache["adoption"]


def adoption_rate(project, day: datetime.date, cache: dict | None = None) -> float | None:
    rate = _adoption(project, day, {} if cache is None else cache).get("rate")
    return None if rate is None else float(rate) * 100


def data_completeness(project, day: datetime.date, cache: dict | None = None) -> float | None:
    completeness = _adoption(project, day, {} if cache is None else cache).get("completeness")
    return None if completeness is None else float(completeness) * 100


def training_readiness(project, day: datetime.date, cache: dict | None = None) -> float | None:
    from training.gates import training_readiness_percent

    percent = training_readiness_percent(project, day)
    return None if percent is None else float(percent)


def open_issues(project, day: datetime.date, cache: dict | None = None) -> float:
    from .models import Issue

    return float(Issue.objects.filter(project=project).exclude(status__in=ISSUE_DONE).count())


def high_risks(project, day: datetime.date, cache: dict | None = None) -> float:
    from . import scoring
    from .models import Risk

    return float(
        Risk.objects.filter(project=project, score__gte=scoring.HIGH).exclude(status__in=RISK_DONE).count()
    )


def milestones_on_time(project, day: datetime.date, cache: dict | None = None) -> float | None:
    from roadmap.choices import ItemKind
    from roadmap.models import Task

    finished = list(
        Task.objects.filter(project=project, kind=ItemKind.MILESTONE, actual_finish__isnull=False)
        .values_list("actual_finish", "planned_finish")
    )
    if not finished:
        return None
    on_time = sum(1 for actual, planned in finished if actual <= planned)
    return on_time / len(finished) * 100


SOURCES = {
    KpiSource.ADOPTION_RATE: adoption_rate,
    KpiSource.TRAINING_READINESS: training_readiness,
    KpiSource.OPEN_ISSUES: open_issues,
    KpiSource.HIGH_RISKS: high_risks,
    KpiSource.MILESTONES_ON_TIME: milestones_on_time,
    KpiSource.DATA_COMPLETENESS: data_completeness,
}
AS_OF_SOURCES = {KpiSource.ADOPTION_RATE, KpiSource.DATA_COMPLETENESS}


def compute(project, source: str, day: datetime.date | None = None, cache: dict | None = None) -> float | None:
    """The value of a computed source on a day (default today); None for ENTERED or nothing to measure."""
    function = SOURCES.get(source)
    if function is None:
        return None
    return function(project, day or timezone.localdate(), cache)


def record_computed(project, today: datetime.date | None = None, kpis=None) -> list[tuple]:
    """Store each computed KPI's value of `today` as a KPI value (origin computed), replacing the
    value of that day if there is one. -> [(kpi, value or None)] (None: nothing to measure, not stored).

    `kpis` (default: every computed KPI of the project) limits the KPIs. All in one transaction.
    """
    from .models import Kpi, KpiValue

    today = today or timezone.localdate()
    if kpis is None:
        kpis = Kpi.objects.filter(project=project).exclude(source=KpiSource.ENTERED).order_by("order", "number")
    cache: dict = {}
    results = []
    with transaction.atomic():
        for kpi in kpis:
            if kpi.source == KpiSource.ENTERED:
                continue
            value = compute(project, kpi.source, today, cache)
            if value is not None:
                amount = Decimal(str(value)).quantize(PLACES)
                row = KpiValue.objects.filter(kpi=kpi, measured_on=today).first()
                if row is None:
                    row = KpiValue(project=project, kpi=kpi, measured_on=today)
                if row.pk is None or row.value != amount or row.origin != ValueOrigin.COMPUTED:
                    row.value = amount
                    row.origin = ValueOrigin.COMPUTED
                    row.note = ""
                    save_versioned(row, None)
            results.append((kpi, value))
    return results
