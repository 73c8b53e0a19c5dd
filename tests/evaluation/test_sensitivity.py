"""Weight sensitivity (evaluation/sensitivity.py): critical criteria and Monte Carlo.

The worked example: criteria c1, c2, c3 with weights 0.5, 0.3, 0.2; normalised scores

         c1   c2   c3    total
    A   0.8  0.4  0.6    0.40 + 0.12 + 0.12 = 0.64
    B   0.6  0.8  0.2    0.30 + 0.24 + 0.04 = 0.58
    C   0.4  0.2  1.0    0.20 + 0.06 + 0.20 = 0.46

When the weight of k becomes t and the others keep their ratios, each total is the line
P(t) = t * a_k + (1 - t) * R, with R the weighted average over the other criteria.

c1 (others c2 : c3 = 0.6 : 0.4): R_A = 0.48, R_B = 0.56, R_C = 0.52
    A = 0.48 + 0.32t, B = 0.56 + 0.04t, C = 0.52 - 0.12t
    A = B at t = 0.08 / 0.28 = 2/7  -> change 2/7 - 1/2 = -3/14 = -0.2143 (-42.86%)
    A = C at t = 0.04 / 0.44 = 1/11 -> change -0.4091;  B = C at t = -0.25: infeasible
c2 (others c1 : c3 = 5/7 : 2/7), times 7: A = 5.2 - 2.4t, B = 3.4 + 2.2t, C = 4 - 2.6t
    A = B at t = 1.8 / 4.6 = 9/23 -> change 9/23 - 3/10 = 21/230 = +0.0913 (+30.43%)
    A = C at t = -6: infeasible;  B = C at t = 0.6 / 4.8 = 1/8 -> change -0.175 (-58.33%)
c3 (others c1 : c2 = 5/8 : 3/8): A = 0.65 - 0.05t, B = 0.675 - 0.475t, C = 0.325 + 0.675t
    A = B at t = 0.025 / 0.425 = 1/17 -> change 1/17 - 1/5 = -12/85 = -0.1412 (-70.59%)
    A = C at t = 0.325 / 0.725 = 13/29 -> change +36/145 = +0.2483
    B = C at t = 0.35 / 1.15 = 7/23 -> change +12/115 = +0.1043 (+52.17%)

Winner A changes first through c1 at -42.86%, c2 at +30.43%, c3 at -70.59%: c2 is the critical
criterion. Any pair: c1 -42.86% (A/B), c2 +30.43% (A/B), c3 +52.17% (B/C): c2 again.
"""

import numpy as np
import pytest

from evaluation.sensitivity import monte_carlo, rescaled, weight_sensitivity

approx = pytest.approx

WEIGHTS = [0.5, 0.3, 0.2]
SCORES = [[0.8, 0.4, 0.6], [0.6, 0.8, 0.2], [0.4, 0.2, 1.0]]


def worked():
    return weight_sensitivity(WEIGHTS, SCORES, candidates="ABC", criteria=["c1", "c2", "c3"])


def test_hand_worked_winner_changes():
    rows = {row.criterion: row for row in worked().criteria}
    c1, c2, c3 = rows["c1"].winner, rows["c2"].winner, rows["c3"].winner
    assert (c1.new_weight, c1.change, c1.percent) == approx((2 / 7, -3 / 14, -300 / 7))
    assert (c1.ahead, c1.behind) == ("A", "B")
    assert (c2.new_weight, c2.change, c2.percent) == approx((9 / 23, 21 / 230, 700 / 23))
    assert (c2.ahead, c2.behind) == ("A", "B")
    assert (c3.new_weight, c3.change, c3.percent) == approx((1 / 17, -12 / 85, -1200 / 17))
    assert (c3.ahead, c3.behind) == ("A", "B")  # B catches A (at -0.1412) before C does (+0.2483)


def test_hand_worked_any_pair_changes():
    rows = {row.criterion: row for row in worked().criteria}
    assert rows["c1"].any_pair == rows["c1"].winner
    assert rows["c2"].any_pair == rows["c2"].winner  # A/B at 0.0913 beats B/C at 0.175
    c3 = rows["c3"].any_pair
    assert (c3.ahead, c3.behind) == ("B", "C")
    assert (c3.new_weight, c3.change, c3.percent) == approx((7 / 23, 12 / 115, 6000 / 115))


def test_hand_worked_critical_criterion():
    result = worked()
    assert result.winners == ["A"]
    assert result.totals == approx({"A": 0.64, "B": 0.58, "C": 0.46})
    assert result.critical.criterion == "c2"
    assert result.critical_any.criterion == "c2"


def test_at_the_reported_weight_the_pair_ties_and_beyond_it_reverses():
    scores = np.array(SCORES)
    for k, row in enumerate(worked().criteria):
        for found in (row.winner, row.any_pair):
            i, j = "ABC".index(found.ahead), "ABC".index(found.behind)
            at = scores @ rescaled(WEIGHTS, k, found.new_weight)
            assert at[i] == approx(at[j])
            beyond = scores @ rescaled(WEIGHTS, k, found.new_weight + np.sign(found.change) * 1e-6)
            assert beyond[j] > beyond[i]


def test_matches_the_triantaphyllou_sanchez_theorem():
    """Triantaphyllou & Sánchez (1997), Theorem for the WSM: the raw change of W_k that reverses A_i
    and A_j (other weights untouched) is δ = (P_j - P_i) / (a_jk - a_ik). Renormalised, our change Δ
    gives the same reversal point: δ = -Δ / (1 - w_k - Δ).
    E.g. c1, A/B: δ = (0.58 - 0.64) / (0.6 - 0.8) = 0.3; ours Δ = -3/14: (3/14) / (10/14) = 0.3."""
    scores = np.array(SCORES)
    totals = scores @ np.array(WEIGHTS)
    for k, row in enumerate(worked().criteria):
        for found in (row.winner, row.any_pair):
            i, j = "ABC".index(found.ahead), "ABC".index(found.behind)
            theorem = (totals[j] - totals[i]) / (scores[j, k] - scores[i, k])
            ours = -found.change / (1 - WEIGHTS[k] - found.change)
            assert ours == approx(theorem)
            assert theorem <= WEIGHTS[k]  # the paper's feasibility condition


def test_closed_form_agrees_with_a_brute_force_scan():
    """Random 5 x 4 problems: move each weight over a fine grid and find where the order changes."""
    rng = np.random.default_rng(7)
    grid = np.linspace(0, 1, 20001)
    for _ in range(20):
        scores = rng.random((5, 4))
        weights = rng.random(4)
        weights /= weights.sum()
        result = weight_sensitivity(weights, scores)
        base = np.argsort(-(scores @ weights), kind="stable")
        for k, row in enumerate(result.criteria):
            moved = np.outer(1 - grid, weights / (1 - weights[k]))  # others keep their ratios
            moved[:, k] = grid
            orders = np.argsort(-(moved @ scores.T), axis=1, kind="stable")
            changed = grid[(orders != base).any(axis=1)]
            if changed.size == 0:
                assert row.any_pair is None
            else:
                nearest = changed[np.argmin(np.abs(changed - weights[k]))]
                assert abs(row.any_pair.change) == approx(abs(nearest - weights[k]), abs=1e-4)


def test_infeasible_change_is_none():
    # A dominates B on every criterion: no weight makes B overtake A.
    result = weight_sensitivity([0.5, 0.5], [[0.9, 0.8], [0.1, 0.2]], candidates="AB")
    assert all(row.winner is None and row.any_pair is None for row in result.criteria)
    assert result.critical is None and result.critical_any is None


def test_two_by_two_textbook():
    # A = (1, 0), B = (0, 1), weights 0.6 / 0.4: A 0.6, B 0.4. They tie at 0.5 / 0.5:
    # c1 must drop by 0.1 (-16.67%), c2 rise by 0.1 (+25%): c1 is critical.
    result = weight_sensitivity([0.6, 0.4], [[1, 0], [0, 1]], candidates="AB", criteria=["c1", "c2"])
    c1, c2 = (row.winner for row in result.criteria)
    assert (c1.change, c1.percent) == approx((-0.1, -100 / 6))
    assert (c2.change, c2.percent) == approx((0.1, 25))
    assert result.critical.criterion == "c1"


def test_single_candidate_ties_and_all_equal_scores():
    one = weight_sensitivity([0.5, 0.5], [[0.3, 0.9]], candidates=["only"])
    assert one.winners == ["only"] and one.critical is None
    equal = weight_sensitivity([0.5, 0.5], [[0.5, 0.5], [0.5, 0.5]], candidates="AB")
    assert equal.winners == ["A", "B"] and all(row.any_pair is None for row in equal.criteria)


def test_zero_weight_has_no_relative_change_and_is_never_critical():
    # c2 has weight 0; giving it 0.5 lifts B (0, 1) to tie A (1, 0): absolute +0.5, relative None.
    result = weight_sensitivity([1.0, 0.0], [[1, 0], [0, 1]], candidates="AB", criteria=["c1", "c2"])
    c1, c2 = (row.winner for row in result.criteria)
    assert c2.change == approx(0.5) and c2.percent is None
    # c1 holds all the weight: lowering it to 0.5 hands 0.5 to c2 (equal share of the rest): -50%.
    assert c1.change == approx(-0.5) and c1.percent == approx(-50)
    assert result.critical.criterion == "c1"


def test_single_criterion_cannot_move():
    result = weight_sensitivity([1.0], [[0.9], [0.1]])
    assert result.criteria[0].winner is None and result.critical is None


def test_rescaled_keeps_the_ratios_and_the_sum():
    assert rescaled([0.5, 0.3, 0.2], 0, 0.2).tolist() == approx([0.2, 0.48, 0.32])
    assert rescaled([1.0, 0.0, 0.0], 0, 0.4).tolist() == approx([0.4, 0.3, 0.3])


def test_invalid_weights():
    with pytest.raises(ValueError):
        weight_sensitivity([0, 0], [[1, 2]])
    with pytest.raises(ValueError):
        weight_sensitivity([1, -1], [[1, 2]])
    with pytest.raises(ValueError):
        weight_sensitivity([1, 1], [[1, 2, 3]])


# --- Monte Carlo ---------------------------------------------------------------------------------


def test_monte_carlo_hand_worked_probability():
    """A = (1, 0), B = (0, 1), weights 0.55 / 0.45, factors f1, f2 uniform in [0.8, 1.2].

    B wins when 0.45 f2 > 0.55 f1, i.e. f2 > (11/9) f1, possible only for f1 < 1.2 x 9/11 = 0.9818.
    P(B) = (1 / 0.4^2) x integral over f1 from 0.8 to 0.9818 of (1.2 - 11 f1 / 9) df1
         = (1 / 0.16) x (9/11) x (1.2 - 11 x 0.8 / 9)^2 / 2 = (1 / 0.16) x (9/11) x 0.2222^2 / 2
         = 0.1263, so P(A) = 0.8737. 10,000 draws: standard error 0.0033.
    """
    result = monte_carlo([0.55, 0.45], [[1, 0], [0, 1]], spread=0.2, draws=10_000, seed=1, candidates="AB")
    assert result.probabilities["B"] == approx(0.1263, abs=0.01)
    assert result.probabilities["A"] == approx(0.8737, abs=0.01)
    assert sum(result.probabilities.values()) == approx(1.0)


def test_monte_carlo_robust_winner_and_no_spread():
    # 0.6 / 0.4: B needs f2 / f1 > 1.5, and the most ±20% can give is 1.2 / 0.8 = 1.5: A always wins.
    assert monte_carlo([0.6, 0.4], [[1, 0], [0, 1]], seed=3, candidates="AB").probabilities == {
        "A": 1.0,
        "B": 0.0,
    }
    no_spread = monte_carlo(WEIGHTS, SCORES, spread=0, draws=100, seed=1, candidates="ABC")
    assert no_spread.probabilities == {"A": 1.0, "B": 0.0, "C": 0.0}


def test_monte_carlo_is_deterministic_with_a_seed():
    first = monte_carlo(WEIGHTS, SCORES, spread=0.5, draws=2000, seed=42).probabilities
    again = monte_carlo(WEIGHTS, SCORES, spread=0.5, draws=2000, seed=42).probabilities
    assert first == again


def test_monte_carlo_ties_are_shared():
    equal = monte_carlo([0.5, 0.5], [[0.5, 0.5]] * 4, draws=100, seed=1, candidates="WXYZ")
    assert equal.probabilities == approx({"W": 0.25, "X": 0.25, "Y": 0.25, "Z": 0.25})
    assert monte_carlo([1, 1], [[0.2, 0.4]], draws=10, seed=1).probabilities == {0: 1.0}
    assert monte_carlo([1, 1], np.zeros((0, 2)), draws=10, seed=1).probabilities == {}


def test_monte_carlo_zero_weights_stay_zero():
    # c2 has weight 0 and only B is good at it: no draw can make B win.
    result = monte_carlo([1.0, 0.0], [[0.6, 0.0], [0.5, 1.0]], spread=1.0, seed=5, candidates="AB")
    assert result.probabilities == {"A": 1.0, "B": 0.0}


def test_monte_carlo_benchmark_size_shape():
    """25 candidates x 150 criteria x 10,000 draws (the issue's benchmark size; timing is in bench/)."""
    rng = np.random.default_rng(0)
    scores = rng.random((25, 150))
    weights = rng.random(150)
    result = monte_carlo(weights, scores, spread=0.2, draws=10_000, seed=0)
    assert len(result.probabilities) == 25 and result.draws == 10_000
    assert sum(result.probabilities.values()) == approx(1.0)
    assert all(0 <= p <= 1 for p in result.probabilities.values())


def test_monte_carlo_invalid_input():
    with pytest.raises(ValueError):
        monte_carlo([1, 1], [[1, 2]], spread=1.5)
    with pytest.raises(ValueError):
        monte_carlo([1, 1], [[1, 2]], draws=0)
    with pytest.raises(ValueError):
        monte_carlo([0, 0], [[1, 2]])
