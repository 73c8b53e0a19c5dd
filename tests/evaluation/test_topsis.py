"""TOPSIS (evaluation/topsis.py) against published worked examples and a hand-worked 2 x 2."""

import math

import numpy as np
import pytest

from evaluation.topsis import agreement, fractional_ranks, topsis

approx = pytest.approx


def test_hwang_yoon_fighter_aircraft_example():
    """Hwang, C.-L. & Yoon, K. (1981), Multiple Attribute Decision Making: Methods and Applications,
    Springer (LNEMS 186), the fighter aircraft example (p. 133): four aircraft, six criteria
    (maximum speed, ferry range, maximum payload, acquisition cost [a cost], reliability,
    manoeuvrability), weights 0.2, 0.1, 0.1, 0.1, 0.2, 0.3.

    Printed: distances to the ideal 0.0545, 0.1197, 0.0580, 0.1009; to the anti-ideal 0.0983,
    0.0439, 0.0920, 0.0458; closeness 0.643, 0.268, 0.613, 0.312; ranking A1, A3, A4, A2.
    The book rounds its intermediate matrices to four decimals, so its last digit can differ from
    the exact computation (A3: 0.6135 exactly, printed 0.613); hence the tolerance of 1e-3.
    """
    matrix = [
        [2.0, 1500, 20000, 5.5, 5, 9],
        [2.5, 2700, 18000, 6.5, 3, 5],
        [1.8, 2000, 21000, 4.5, 7, 7],
        [2.2, 1800, 20000, 5.0, 5, 5],
    ]
    weights = [0.2, 0.1, 0.1, 0.1, 0.2, 0.3]
    benefit = [True, True, True, False, True, True]
    result = topsis(matrix, weights, benefit, candidates=["A1", "A2", "A3", "A4"])
    assert list(result.distance_best.values()) == approx([0.0545, 0.1197, 0.0580, 0.1009], abs=2e-4)
    assert list(result.distance_worst.values()) == approx([0.0983, 0.0439, 0.0920, 0.0458], abs=2e-4)
    assert list(result.closeness.values()) == approx([0.643, 0.268, 0.613, 0.312], abs=1e-3)
    assert result.ranking == {"A1": 1, "A3": 2, "A4": 3, "A2": 4}


def test_tzeng_huang_example():
    """Tzeng, G.-H. & Huang, J.-J. (2011), Multiple Attribute Decision Making: Methods and
    Applications, CRC Press, TOPSIS example: four alternatives, three benefit criteria, weights
    0.3, 0.4, 0.3; closeness 0.5037, 0.6581, 0.7482, 0.3340 (the same example is the TOPSIS test
    of the scikit-criteria library)."""
    result = topsis([[5, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]], [0.3, 0.4, 0.3])
    assert list(result.closeness.values()) == approx([0.5037, 0.6581, 0.7482, 0.3340], abs=1e-4)
    assert result.ranking == {2: 1, 1: 2, 0: 3, 3: 4}


def test_hand_worked_two_by_two():
    """A = (3, 4), B = (4, 3), weights 0.5 / 0.5, both criteria benefits.

    Column norms: sqrt(3^2 + 4^2) = 5 for both, so r = A (0.6, 0.8), B (0.8, 0.6);
    weighted v = A (0.3, 0.4), B (0.4, 0.3). Ideal (0.4, 0.4), anti-ideal (0.3, 0.3).
    A: d+ = 0.1, d- = 0.1 -> C = 0.5; B the same: a tie.
    Make criterion 2 a cost: ideal (0.4, 0.3), anti-ideal (0.3, 0.4).
    A: d+ = sqrt(0.1^2 + 0.1^2) = 0.1414, d- = 0 -> C = 0; B: d+ = 0, d- = 0.1414 -> C = 1.
    Weights 0.75 / 0.25 (benefits): v = A (0.45, 0.2), B (0.6, 0.15); ideal (0.6, 0.2),
    anti (0.45, 0.15). A: d+ = 0.15, d- = 0.05 -> C = 0.25; B: d+ = 0.05, d- = 0.15 -> C = 0.75.
    """
    tie = topsis([[3, 4], [4, 3]], [0.5, 0.5], candidates="AB")
    assert tie.closeness == approx({"A": 0.5, "B": 0.5})
    assert tie.distance_best == approx({"A": 0.1, "B": 0.1})
    assert tie.ranking == {"A": 1, "B": 1}

    cost = topsis([[3, 4], [4, 3]], [0.5, 0.5], benefit=[True, False], candidates="AB")
    assert cost.closeness == approx({"A": 0.0, "B": 1.0})
    assert cost.distance_best["A"] == approx(math.sqrt(0.02))
    assert cost.ranking == {"B": 1, "A": 2}

    skewed = topsis([[3, 4], [4, 3]], [3, 1], candidates="AB")  # 3 : 1 is rescaled to 0.75 / 0.25
    assert skewed.closeness == approx({"A": 0.25, "B": 0.75})
    assert skewed.ideal.tolist() == approx([0.6, 0.2])
    assert skewed.anti_ideal.tolist() == approx([0.45, 0.15])


def test_single_candidate_and_identical_candidates_get_one_half():
    assert topsis([[1, 2, 3]], [1, 1, 1], candidates=["only"]).closeness == {"only": 0.5}
    same = topsis([[2, 2], [2, 2], [2, 2]], [0.5, 0.5])
    assert same.closeness == approx({0: 0.5, 1: 0.5, 2: 0.5})
    assert same.ranking == {0: 1, 1: 1, 2: 1}


def test_zero_column_and_zero_weight_change_nothing():
    base = topsis([[3, 4], [4, 3]], [0.75, 0.25]).closeness
    # The empty column separates nobody; the other weights keep their 3 : 1 ratio after rescaling.
    with_zero_column = topsis([[3, 4, 0], [4, 3, 0]], [0.75, 0.25, 0.5]).closeness
    assert with_zero_column == approx(base)
    with_zero_weight = topsis([[3, 4, 9], [4, 3, 1]], [0.75, 0.25, 0.0]).closeness
    assert with_zero_weight == approx(base)


def test_invalid_input():
    with pytest.raises(ValueError):
        topsis([[1, 2]], [1, 1, 1])
    with pytest.raises(ValueError):
        topsis([[1, 2]], [0, 0])
    with pytest.raises(ValueError):
        topsis([[1, 2]], [1, -1])
    with pytest.raises(ValueError):
        topsis([[1, 2]], [1, 1], candidates="AB")


# --- agreement -----------------------------------------------------------------------------------


def test_fractional_ranks_share_positions():
    assert fractional_ranks({"a": 1, "b": 1, "c": 3}) == {"a": 1.5, "b": 1.5, "c": 3}
    assert fractional_ranks({"a": 1, "b": 1, "c": 2}) == {"a": 1.5, "b": 1.5, "c": 3}  # dense ranks too


def test_agreement_identical_reversed_and_hand_worked():
    same = agreement({"a": 1, "b": 2, "c": 3}, {"a": 1, "b": 2, "c": 3})
    assert same.spearman == approx(1.0) and same.same_winner
    reversed_ = agreement({"a": 1, "b": 2, "c": 3}, {"a": 3, "b": 2, "c": 1})
    assert reversed_.spearman == approx(-1.0) and not reversed_.same_winner
    # Four candidates, the last two swapped: d = (0, 0, 1, -1), sum d^2 = 2,
    # rho = 1 - 6 x 2 / (4 x (16 - 1)) = 1 - 12 / 60 = 0.8.
    swapped = agreement({"a": 1, "b": 2, "c": 3, "d": 4}, {"a": 1, "b": 2, "c": 4, "d": 3})
    assert swapped.spearman == approx(0.8) and swapped.same_winner


def test_agreement_with_ties():
    # a: fractional (1.5, 1.5, 3), b: (1, 2, 3). Means 2 and 2.
    # cov = (-0.5)(-1) + (-0.5)(0) + (1)(1) = 1.5; var a = 0.25 + 0.25 + 1 = 1.5; var b = 2.
    # rho = 1.5 / sqrt(1.5 x 2) = 0.8660.
    result = agreement({"x": 1, "y": 1, "z": 3}, {"x": 1, "y": 2, "z": 3})
    assert result.spearman == approx(1.5 / math.sqrt(3))
    assert result.winners_a == {"x", "y"} and result.winners_b == {"x"}
    assert not result.same_winner


def test_agreement_undefined_cases():
    single = agreement({"a": 1}, {"a": 1})
    assert single.spearman is None and single.same_winner
    all_tied = agreement({"a": 1, "b": 1}, {"a": 1, "b": 2})
    assert all_tied.spearman is None
    empty = agreement({}, {})
    assert empty.spearman is None and not empty.same_winner
    with pytest.raises(ValueError):
        agreement({"a": 1}, {"b": 1})


def test_topsis_against_weighted_sum_on_the_same_scores():
    # Normalised 0..1 scores, as the evaluation passes them. Weighted sums with w = (0.5, 0.3, 0.2):
    # A 0.64, B 0.58, C 0.46 -> A, B, C; TOPSIS agrees here.
    scores = [[0.8, 0.4, 0.6], [0.6, 0.8, 0.2], [0.4, 0.2, 1.0]]
    result = topsis(scores, [0.5, 0.3, 0.2], candidates="ABC")
    check = agreement({"A": 1, "B": 2, "C": 3}, result.ranking)
    assert list(result.ranking) == ["A", "B", "C"]
    assert check.spearman == approx(1.0) and check.same_winner


def test_no_candidates():
    result = topsis(np.zeros((0, 2)), [1, 1])
    assert result.closeness == {} and result.ranking == {}
