"""Total cost of ownership of a candidate: cost lines by year, totals, net present value, cost score.

Plain Python on Decimal amounts (money stays exact; pass Decimal, int, str or float — floats go
through their shortest repr, so 0.1 is 0.1). No currency: every amount of one evaluation is in the
same currency.

Conventions
-----------
* **Years.** A horizon of H years has years 0, 1, ..., H-1. Year 0 is the first year, paid at the
  start (purchase, implementation); a line dated outside the horizon raises ValueError.
* **Licences**, one of:
  - subscription (`subscription()`): users x price per user per year, in every year of the
    horizon (paid yearly in advance, so year 0 too); `users` is one number or one per year
    (ramp-up by waves);
  - perpetual (`perpetual()`): the licence fee in year 0, then maintenance = rate x fee in every
    year from `maintenance_from` (1 by default: the first year's maintenance is usually in the
    purchase; pass 0 when the vendor charges it at once).
* **Other categories** (implementation, customisation, integration, data migration, training,
  hardware, internal staff, support, other) are amounts per year: `CostLine`s, or `recurring()`
  for the same amount every year.
* **Rates** are fractions: 0.08 is 8%. Discount and maintenance rates must lie in [0, 1] (a value
  above 1 is almost certainly a percentage typed as a number and is refused).
* **Net present value** at discount rate r: `NPV = sum_t cost_t / (1 + r)^t`, year 0 undiscounted.
* **Cost per user per year** = nominal total / user-years (users x years, or the sum of the
  per-year users); None when there are no users.
* **Cost score** (`cost_scores()`), for cost as a weighted criterion: cheapest = 1, others =
  cheapest / cost (so half as cheap scores 0.5); a cost of 0 scores 1. Pass the NPVs (or the
  totals, but the same measure for every candidate).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from numbers import Integral

from django.utils.translation import gettext as _

LICENCE = "licence"
MAINTENANCE = "maintenance"
IMPLEMENTATION = "implementation"
CUSTOMISATION = "customisation"
INTEGRATION = "integration"
DATA_MIGRATION = "data_migration"
TRAINING = "training"
HARDWARE = "hardware"
INTERNAL_STAFF = "internal_staff"
SUPPORT = "support"
OTHER = "other"

CATEGORIES = (
    LICENCE,
    MAINTENANCE,
    IMPLEMENTATION,
    CUSTOMISATION,
    INTEGRATION,
    DATA_MIGRATION,
    TRAINING,
    HARDWARE,
    INTERNAL_STAFF,
    SUPPORT,
    OTHER,
)

Number = Decimal | int | float | str


def money(value: Number) -> Decimal:
    """A Decimal from a Decimal, int, str or float (floats through repr: 0.1 -> Decimal('0.1'))."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def _rate(value: Number, what: str) -> Decimal:
    rate = money(value)
    if not Decimal(0) <= rate <= Decimal(1):
        raise ValueError(
            _("The %(what)s must be a fraction between 0 and 1 (0.08 for 8%%), not %(value)s.")
            % {"what": what, "value": value}
        )
    return rate


def _horizon(horizon: int) -> int:
    if int(horizon) != horizon or horizon < 1:
        raise ValueError(_("The horizon must be a whole number of years, at least 1."))
    return int(horizon)


@dataclass(frozen=True)
class CostLine:
    category: str
    year: int  # 0 .. horizon-1
    amount: Decimal
    label: str = ""


def subscription(users: int | Sequence[int], price_per_user_year: Number, horizon: int) -> list[CostLine]:
    """Licence lines: users x price in every year of the horizon (users: one number or one per year)."""
    horizon = _horizon(horizon)
    per_year = _users_per_year(users, horizon)
    price = money(price_per_user_year)
    return [CostLine(LICENCE, year, price * count) for year, count in enumerate(per_year)]


def perpetual(
    licence_fee: Number, maintenance_rate: Number, horizon: int, maintenance_from: int = 1
) -> list[CostLine]:
    """The licence fee in year 0, then maintenance (rate x fee) each year from `maintenance_from`."""
    horizon = _horizon(horizon)
    fee = money(licence_fee)
    rate = _rate(maintenance_rate, _("maintenance rate"))
    lines = [CostLine(LICENCE, 0, fee)]
    lines += [CostLine(MAINTENANCE, year, fee * rate) for year in range(max(0, maintenance_from), horizon)]
    return lines


def recurring(category: str, amount: Number, horizon: int, start: int = 0, label: str = "") -> list[CostLine]:
    """The same amount every year from `start` to the end of the horizon."""
    horizon = _horizon(horizon)
    value = money(amount)
    return [CostLine(category, year, value, label) for year in range(max(0, start), horizon)]


def _users_per_year(users: int | Sequence[int], horizon: int) -> list[int]:
    if isinstance(users, Integral):
        per_year = [int(users)] * horizon
    else:
        per_year = [int(u) for u in users]
        if len(per_year) != horizon:
            raise ValueError(
                _("Give the number of users for each of the %(horizon)d years.") % {"horizon": horizon}
            )
    if any(u < 0 for u in per_year):
        raise ValueError(_("The number of users cannot be negative."))
    return per_year


def npv(amounts_by_year: Sequence[Number], discount_rate: Number) -> Decimal:
    """Net present value: sum of amount_t / (1 + r)^t over t = 0, 1, ... (year 0 undiscounted)."""
    factor = Decimal(1) + _rate(discount_rate, _("discount rate"))
    return sum((money(amount) / factor**year for year, amount in enumerate(amounts_by_year)), Decimal(0))


@dataclass
class Tco:
    horizon: int
    discount_rate: Decimal
    table: dict = field(default_factory=dict)  # category -> [amount per year], categories with lines only
    by_year: list = field(default_factory=list)  # total per year
    by_category: dict = field(default_factory=dict)  # category -> total over the horizon
    total: Decimal = Decimal(0)
    npv: Decimal = Decimal(0)
    user_years: int = 0
    cost_per_user_year: Decimal | None = None


def tco(
    lines: Iterable[CostLine],
    horizon: int,
    discount_rate: Number = 0,
    users: int | Sequence[int] | None = None,
) -> Tco:
    """Totals per category and year, overall, NPV and cost per user per year of one candidate."""
    horizon = _horizon(horizon)
    rate = _rate(discount_rate, _("discount rate"))
    table: dict[str, list[Decimal]] = {}
    for line in lines:
        if not 0 <= line.year < horizon:
            raise ValueError(
                _(
                    "A cost in year %(year)s lies outside the horizon of %(horizon)d years (years 0 to %(last)d)."
                )
                % {"year": line.year, "horizon": horizon, "last": horizon - 1}
            )
        row = table.setdefault(line.category, [Decimal(0)] * horizon)
        row[line.year] += money(line.amount)
    ordered = {c: table[c] for c in CATEGORIES if c in table}
    ordered.update({c: row for c, row in table.items() if c not in ordered})
    by_year = [sum((row[year] for row in ordered.values()), Decimal(0)) for year in range(horizon)]
    total = sum(by_year, Decimal(0))
    user_years = sum(_users_per_year(users, horizon)) if users is not None else 0
    return Tco(
        horizon=horizon,
        discount_rate=rate,
        table=ordered,
        by_year=by_year,
        by_category={c: sum(row, Decimal(0)) for c, row in ordered.items()},
        total=total,
        npv=npv(by_year, rate),
        user_years=user_years,
        cost_per_user_year=total / user_years if user_years else None,
    )


def cost_scores(costs: Mapping[Hashable, Number]) -> dict:
    """Candidate -> cost score as a float in 0..1: cheapest = 1, others = cheapest / cost."""
    values = {key: money(cost) for key, cost in costs.items()}
    if any(v < 0 for v in values.values()):
        raise ValueError(_("A cost cannot be negative."))
    if not values:
        return {}
    cheapest = min(values.values())
    return {key: 1.0 if cost == 0 else float(cheapest / cost) for key, cost in values.items()}
