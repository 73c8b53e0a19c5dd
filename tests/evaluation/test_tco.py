"""Total cost of ownership (evaluation/tco.py) against hand-worked numbers.

Horizon 3 years (years 0, 1, 2), 10 users, discount rate 10% (factors 1, 1.1, 1.21).

SaaS candidate: subscription 10 users x 1,000 a year in each year; implementation 20,000 and
training 5,000 in year 0; support 1,000 in year 1 and 2,100 in year 2.
    year 0: 10,000 + 20,000 + 5,000 = 35,000
    year 1: 10,000 + 1,000          = 11,000   -> / 1.1  = 10,000
    year 2: 10,000 + 2,100          = 12,100   -> / 1.21 = 10,000
    total 58,100; NPV 35,000 + 10,000 + 10,000 = 55,000; per user per year 58,100 / 30 = 1,936.67

On-premise candidate: perpetual licence 50,000 in year 0, maintenance 20% = 10,000 in years 1
and 2; implementation 30,000 and hardware 5,000 in year 0; support 1,000 and 2,100 as above.
    year 0: 85,000; year 1: 11,000; year 2: 12,100
    total 108,100; NPV 85,000 + 10,000 + 10,000 = 105,000
Cost scores on NPV: SaaS 1; on-premise 55,000 / 105,000 = 0.5238.
"""

from decimal import Decimal

import pytest

from evaluation.tco import (
    DATA_MIGRATION,
    HARDWARE,
    IMPLEMENTATION,
    LICENCE,
    MAINTENANCE,
    SUPPORT,
    TRAINING,
    CostLine,
    cost_scores,
    money,
    npv,
    perpetual,
    recurring,
    subscription,
    tco,
)

D = Decimal


def saas_lines():
    return [
        *subscription(10, 1000, 3),
        CostLine(IMPLEMENTATION, 0, D(20000)),
        CostLine(TRAINING, 0, D(5000)),
        CostLine(SUPPORT, 1, D(1000)),
        CostLine(SUPPORT, 2, D(2100)),
    ]


def on_premise_lines():
    return [
        *perpetual(50000, "0.20", 3),
        CostLine(IMPLEMENTATION, 0, D(30000)),
        CostLine(HARDWARE, 0, D(5000)),
        CostLine(SUPPORT, 1, D(1000)),
        CostLine(SUPPORT, 2, D(2100)),
    ]


def test_saas_hand_worked():
    result = tco(saas_lines(), horizon=3, discount_rate="0.10", users=10)
    assert result.by_year == [D(35000), D(11000), D(12100)]
    assert result.total == D(58100)
    assert result.npv == D(55000)
    assert result.user_years == 30
    assert result.cost_per_user_year.quantize(D("0.01")) == D("1936.67")
    assert result.table[LICENCE] == [D(10000)] * 3
    assert result.by_category == {
        LICENCE: D(30000),
        IMPLEMENTATION: D(20000),
        TRAINING: D(5000),
        SUPPORT: D(3100),
    }
    assert list(result.by_category) == [LICENCE, IMPLEMENTATION, TRAINING, SUPPORT]  # catalogue order


def test_on_premise_hand_worked():
    result = tco(on_premise_lines(), horizon=3, discount_rate=0.1, users=10)
    assert result.table[LICENCE] == [D(50000), D(0), D(0)]
    assert result.table[MAINTENANCE] == [D(0), D(10000), D(10000)]
    assert result.by_year == [D(85000), D(11000), D(12100)]
    assert result.total == D(108100)
    assert result.npv == D(105000)


def test_cost_scores_cheapest_is_one():
    saas = tco(saas_lines(), 3, "0.10").npv
    on_premise = tco(on_premise_lines(), 3, "0.10").npv
    scores = cost_scores({"saas": saas, "on-premise": on_premise})
    assert scores["saas"] == 1.0
    assert scores["on-premise"] == pytest.approx(55000 / 105000)


def test_cost_scores_edge_cases():
    assert cost_scores({}) == {}
    assert cost_scores({"a": 100, "b": 100}) == {"a": 1.0, "b": 1.0}
    assert cost_scores({"a": 100, "b": 400}) == {"a": 1.0, "b": 0.25}
    assert cost_scores({"free": 0, "paid": 100}) == {"free": 1.0, "paid": 0.0}
    assert cost_scores({"a": 0, "b": 0}) == {"a": 1.0, "b": 1.0}
    with pytest.raises(ValueError):
        cost_scores({"a": -1})


def test_npv_formula():
    # 100 now, 110 in a year, 121 in two at 10%: 100 + 100 + 100.
    assert npv([100, 110, 121], "0.1") == D(300)
    assert npv([100, 110, 121], 0) == D(331)  # no discounting: the plain sum
    assert npv([], "0.1") == D(0)
    # 8%: 1,000 a year for years 0..2 = 1000 + 925.93 + 857.34 = 2783.26
    assert npv([1000, 1000, 1000], "0.08").quantize(D("0.01")) == D("2783.26")


def test_rates_must_be_fractions():
    with pytest.raises(ValueError, match="0.08"):
        tco([], 3, discount_rate=8)  # 8 meant as 8%: refused
    with pytest.raises(ValueError):
        perpetual(1000, 20, 3)
    with pytest.raises(ValueError):
        npv([1], -0.1)


def test_subscription_with_ramp_up_and_cost_per_user():
    # 5 users in year 0, then 10: 5,000 + 10,000 + 10,000 = 25,000 over 25 user-years = 1,000.
    lines = subscription([5, 10, 10], 1000, 3)
    assert [line.amount for line in lines] == [D(5000), D(10000), D(10000)]
    result = tco(lines, 3, users=[5, 10, 10])
    assert result.user_years == 25 and result.cost_per_user_year == D(1000)
    with pytest.raises(ValueError):
        subscription([5, 10], 1000, 3)  # one number per year


def test_perpetual_maintenance_from_year_zero():
    lines = perpetual(50000, "0.2", 3, maintenance_from=0)
    assert tco(lines, 3).table[MAINTENANCE] == [D(10000)] * 3


def test_recurring_amounts():
    lines = recurring(DATA_MIGRATION, "2500.50", 4, start=1)
    assert [(line.year, line.amount) for line in lines] == [
        (1, D("2500.50")),
        (2, D("2500.50")),
        (3, D("2500.50")),
    ]


def test_horizon_of_one_year_and_no_users():
    result = tco([CostLine(LICENCE, 0, D(1200))], 1, "0.05")
    assert result.by_year == [D(1200)] and result.npv == D(1200)  # year 0 is never discounted
    assert result.cost_per_user_year is None
    assert tco([], 2, users=0).cost_per_user_year is None


def test_line_outside_the_horizon_raises():
    with pytest.raises(ValueError, match="year 3"):
        tco([CostLine(SUPPORT, 3, D(1))], 3)
    with pytest.raises(ValueError):
        tco([], 0)


def test_money_from_floats_keeps_their_short_form():
    assert money(0.1) == D("0.1")
    assert money(12) == D(12) and money("3.50") == D("3.50")
    assert tco([CostLine(SUPPORT, 0, 0.1), CostLine(SUPPORT, 0, 0.2)], 1).total == D("0.3")
