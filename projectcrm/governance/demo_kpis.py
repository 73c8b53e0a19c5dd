"""KPI demo data for Lumen Frames: six KPIs for the steering committee with baselines, targets and
monthly values (called by `manage.py seed_demo` after the training demo).

* Four KPIs are measured by the business and entered each month: quote errors per month, sales cycle
  length, leads answered within 24 hours, complaints closed within five working days. Their baseline
  was taken at the end of the month seven months ago (before go-live); the last six month-ends carry
  values that move towards the targets (quotation templates and a shared lead mailbox helped before
  the CRM), with one month going the wrong way.
* Two KPIs are computed by the app: the adoption rate of the pilot team (month-ends the usage data
  covers, and today) and the training readiness (today only: it cannot be looked back).

Dates hang on today's month and the project's target go-live, so a run in a later month moves them
along; entered values of month-ends no longer in the story are removed. Idempotent otherwise.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from projectcrm.core.management.commands.seed_demo import upsert

from . import kpi_sources
from .choices import BudgetCategory, KpiDirection, KpiFrequency, KpiSource, ValueOrigin
from .models import BudgetLine, Kpi, KpiValue

MONTHS = 6  # monthly values, the last one at the end of last month

# name, unit, direction, source, owner, objective, formula, baseline, target, days after go-live,
# values of the last six month-ends (oldest first; None for computed KPIs), note on the values
KPIS = [
    (
        "Quote errors per month", "errors per month", KpiDirection.LOWER, KpiSource.ENTERED, "Sales operations",
        "Quotations built from a maintained product catalogue and price list, not from memory.",
        "Quotations re-issued because of a wrong profile, size, finish or price, counted per calendar month "
        "from the quotation log kept by sales operations.",
        18, 3, 90, [17, 19, 16, 14, 13, 11], "Count from the quotation log.",
    ),
    (
        "Sales cycle length", "days", KpiDirection.LOWER, KpiSource.ENTERED, "Sales",
        "Faster answers to importers and retail chains: from first enquiry to confirmed order.",
        "Median days from the first enquiry to the order confirmation, over the orders confirmed in the month "
        "(export sales, all markets).",
        64, 45, 180, [63, 62, 64, 60, 59, 57], "Median over the month's confirmed orders.",
    ),
    (
        "Leads answered within 24 hours", "%", KpiDirection.HIGHER, KpiSource.ENTERED, "Customer service",
        "Every enquiry logged against the customer and answered quickly.",
        "Share of the month's new enquiries (mail, web form, trade fair) with a first answer within 24 hours.",
        35, 90, 120, [38, 41, 45, 44, 52, 58], "From the shared enquiries mailbox.",
    ),
    (
        "Complaints closed within five working days", "%", KpiDirection.HIGHER, KpiSource.ENTERED,
        "Customer service",
        "One place to see what was promised to whom; no forgotten complaint.",
        "Share of the complaints closed in the month that were closed within five working days of receipt.",
        52, 85, 120, [55, 54, 58, 61, 60, 66], "From the complaint folders, counted by hand.",
    ),
    (
        "CRM adoption rate", "%", KpiDirection.HIGHER, KpiSource.ADOPTION_RATE, "Sales operations",
        "The CRM is the one customer database sales and customer service really use.",
        "Active users / licensed users in the last complete week (the CRM's usage export).",
        0, 80, 90, None, "",
    ),
    (
        "Training readiness", "%", KpiDirection.HIGHER, KpiSource.TRAINING_READINESS, "Human resources",
        "Everyone trained and signed off before they work in the CRM.",
        "Required courses signed off (still valid) / required courses of the active trainees.",
        0, 95, 0, None, "",
    ),
]


def month_end(day: datetime.date, back: int) -> datetime.date:
    """The last day of the month `back` months before `day`'s month (back=1: last month)."""
    first = day.replace(day=1)
    for _step in range(back - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return first - datetime.timedelta(days=1)


def seed(project, users):
    """The demo KPIs and their values (idempotent)."""
    today = timezone.localdate()
    go_live = project.target_go_live or today + datetime.timedelta(days=150)
    baseline_day = month_end(today, MONTHS + 1)
    value_days = [month_end(today, back) for back in range(MONTHS, 0, -1)]
    computed = []
    for order, (name, unit, direction, source, owner, objective, formula, baseline, target, after, values,
                note) in enumerate(KPIS, start=1):
        kpi, _created = upsert(
            Kpi,
            {"project": project, "name": name},
            {
                "unit": unit, "direction": direction, "source": source, "owner": owner, "objective": objective,
                "formula": formula, "frequency": KpiFrequency.MONTHLY, "baseline": Decimal(baseline),
                "baseline_date": baseline_day, "target": Decimal(target),
                "target_date": go_live + datetime.timedelta(days=after), "tolerance": Decimal(10),
                "on_scorecard": True, "order": order * 10,
            },
        )
        if values is None:
            computed.append(kpi)
            continue
        for day, value in zip(value_days, values, strict=True):
            upsert(
                KpiValue,
                {"project": project, "kpi": kpi, "measured_on": day},
                {"value": Decimal(value), "origin": ValueOrigin.ENTERED, "note": note},
            )
        KpiValue.objects.filter(kpi=kpi, origin=ValueOrigin.ENTERED).exclude(measured_on__in=value_days).delete()
    seed_computed(project, computed, value_days, today)
    seed_budget(project, today)


# The rollout budget in CNY: planned for the whole project, spent and committed so far (the pilot's
# partner work is ahead of plan after the configurator change; licences are paid yearly in advance).
BUDGET = [
    (BudgetCategory.LICENCES, "Cloud CRM subscriptions, 60 users, first year", 420_000, 420_000, 0),
    (BudgetCategory.PARTNER, "Implementation partner: pilot and wave 2", 960_000, 410_000, 380_000),
    (BudgetCategory.INTERNAL, "Key users and project team time", 380_000, 150_000, 0),
    (BudgetCategory.INFRASTRUCTURE, "ERP interface and e-mail integration", 260_000, 90_000, 120_000),
    (BudgetCategory.DATA, "Cleansing the customer spreadsheets and old orders", 150_000, 85_000, 30_000),
    (BudgetCategory.TRAINING, "Classroom sessions, e-learning, champions", 120_000, 38_000, 15_000),
    (BudgetCategory.CONTINGENCY, "Contingency (10%)", 230_000, 0, 0),
]


def seed_budget(project, today):
    for category, description, planned, actual, committed in BUDGET:
        upsert(
            BudgetLine,
            {"project": project, "category": category, "description": description},
            {"planned": Decimal(planned), "actual": Decimal(actual), "committed": Decimal(committed),
             "as_of": today - datetime.timedelta(days=today.weekday() + 3)},
        )


def seed_computed(project, kpis, days, today):
    """Month-end values of the sources that can look back (adoption), then today's value of each."""
    for kpi in kpis:
        if kpi.source not in kpi_sources.AS_OF_SOURCES:
            continue
        for day in days:
            value = kpi_sources.compute(project, kpi.source, day, {})
            if value is None:
                continue
            upsert(
                KpiValue,
                {"project": project, "kpi": kpi, "measured_on": day},
                {"value": Decimal(str(value)).quantize(kpi_sources.PLACES), "origin": ValueOrigin.COMPUTED,
                 "note": ""},
            )
    kpi_sources.record_computed(project, today, kpis)
