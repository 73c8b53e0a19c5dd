"""AHP weights (evaluation/ahp.py) against published worked examples and hand-worked ones.

Published examples are asserted to the precision they were published with (three decimals).
Items are numbered from 0 in the judgements: (0, 1): 3 means item 0 is 3 times as important as 1.
"""

from fractions import Fraction

import numpy as np
import pytest

from evaluation.ahp import (
    RANDOM_INDEX,
    SAATY_SCALE,
    Consistency,
    JudgementError,
    aggregate,
    complete,
    consistency,
    direct_weights_check,
    group_result,
    pairwise_matrix,
    priorities,
    scale_meanings,
)


def matrix(text):
    """'1 6 8; 1/6 1 4; 1/8 1/4 1' -> array, rows separated by ';'."""
    return np.array([[float(Fraction(x)) for x in row.split()] for row in text.split(";")])


def judgements_of(m):
    """The upper-triangle judgements of a full matrix, as pairwise_matrix takes them."""
    n = m.shape[0]
    return {(i, j): m[i, j] for i in range(n) for j in range(i + 1, n)}


# ---------------------------------------------------------------------------------------------
# Published worked examples
# ---------------------------------------------------------------------------------------------

# Saaty, T. L. (1990), "How to make a decision: The Analytic Hierarchy Process", European Journal
# of Operational Research 48, 9-26: the family choosing a house. Criteria: size of house,
# transportation, neighbourhood, age of house, yard space, modern facilities, general condition,
# financing. Published: priority vector .173 .054 .188 .018 .031 .036 .167 .333,
# lambda_max = 9.669, C.I. = 0.238, C.R. = 0.169.
HOUSE_CRITERIA = matrix(
    "1 5 3 7 6 6 1/3 1/4;"
    "1/5 1 1/3 5 3 3 1/5 1/7;"
    "1/3 3 1 6 3 4 6 1/5;"
    "1/7 1/5 1/6 1 1/3 1/4 1/7 1/8;"
    "1/6 1/3 1/3 3 1 1/2 1/5 1/6;"
    "1/6 1/3 1/4 4 2 1 1/5 1/6;"
    "3 5 1/6 7 5 5 1 1/2;"
    "4 7 5 8 6 6 2 1"
)

# Same source, the three houses A, B, C compared for "size of house". Published: priorities
# .754 .181 .065, lambda_max = 3.136, C.I. = 0.068, C.R. = 0.117.
HOUSE_SIZE = matrix("1 6 8; 1/6 1 4; 1/8 1/4 1")

# Saaty, T. L. (2008), "Decision making with the analytic hierarchy process", Int. J. Services
# Sciences 1(1), 83-98, Table 2 "Which drink is consumed more in the U.S.?". Drinks: coffee, wine,
# tea, beer, sodas, milk, water. Published derived scale .177 .019 .042 .116 .190 .129 .327 with a
# consistency ratio of .022.
DRINKS = matrix(
    "1 9 5 2 1 1 1/2;"
    "1/9 1 1/3 1/9 1/9 1/9 1/9;"
    "1/5 3 1 1/3 1/4 1/3 1/9;"
    "1/2 9 3 1 1/2 1 1/3;"
    "1 9 4 2 1 2 1/2;"
    "1 9 3 1 1/2 1 1/3;"
    "2 9 9 3 2 3 1"
)


def test_it_reproduces_saatys_house_criteria():
    """Saaty (1990) EJOR 48, 9-26, house example, level-1 matrix: weights, lambda_max, CI, CR."""
    m = pairwise_matrix(8, judgements_of(HOUSE_CRITERIA))
    np.testing.assert_array_equal(m, HOUSE_CRITERIA)  # reciprocals rebuilt exactly
    w = priorities(m)
    assert np.round(w, 3).tolist() == [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333]
    c = consistency(m)
    assert round(c.lambda_max, 3) == 9.669
    assert round(c.ci, 3) == 0.238
    assert round(c.cr, 3) == 0.169
    assert not c.acceptable  # Saaty's own example is above 0.10: the page warns


def test_it_reproduces_saatys_house_size_comparison():
    """Saaty (1990) EJOR 48, 9-26, house example, houses A, B, C on size of house."""
    w = priorities(HOUSE_SIZE)
    assert np.round(w, 3).tolist() == [0.754, 0.181, 0.065]
    c = consistency(HOUSE_SIZE)
    assert (round(c.lambda_max, 3), round(c.ci, 3), round(c.cr, 3)) == (3.136, 0.068, 0.117)
    assert not c.acceptable


def test_it_reproduces_saatys_drinks_example():
    """Saaty (2008) Int. J. Services Sciences 1(1), 83-98, Table 2: drink consumption in the US."""
    labels = ["Coffee", "Wine", "Tea", "Beer", "Sodas", "Milk", "Water"]
    m = pairwise_matrix(7, judgements_of(DRINKS), labels)
    w = priorities(m)
    assert np.round(w, 3).tolist() == [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327]
    c = consistency(m)
    assert round(c.cr, 3) == 0.022
    assert c.acceptable


def test_random_index_is_saatys_table():
    """Saaty (1980), The Analytic Hierarchy Process, McGraw-Hill: RI for n = 1..15."""
    published = "0 0 0.58 0.90 1.12 1.24 1.32 1.41 1.45 1.49 1.51 1.48 1.56 1.57 1.59"
    assert [RANDOM_INDEX[n] for n in range(1, 16)] == [float(x) for x in published.split()]


def test_scale_has_one_to_nine_and_reciprocals():
    assert len(SAATY_SCALE) == 17
    assert SAATY_SCALE[0] == pytest.approx(1 / 9) and SAATY_SCALE[-1] == 9
    assert list(SAATY_SCALE) == sorted(SAATY_SCALE)
    assert sorted(scale_meanings()) == list(range(1, 10))


# ---------------------------------------------------------------------------------------------
# Hand-worked examples
# ---------------------------------------------------------------------------------------------


def test_consistent_matrix_gives_exact_weights_and_zero_cr():
    """A = 2B, B = 2C (so A = 4C): weights 4/7, 2/7, 1/7; lambda_max = 3; CR = 0."""
    m = pairwise_matrix(3, {(0, 1): 2, (1, 2): 2, (0, 2): 4}, ["A", "B", "C"])
    np.testing.assert_allclose(m, [[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]])
    np.testing.assert_allclose(priorities(m), [4 / 7, 2 / 7, 1 / 7], rtol=1e-12)
    c = consistency(m)
    assert c.lambda_max == pytest.approx(3.0, abs=1e-12)
    assert c.ci == 0.0 and c.cr == 0.0 and c.acceptable


def test_cyclic_judgements_are_flagged():
    """A = 2B, B = 2C but C = 2A: a circulant matrix, so the weights are equal (1/3 each) and
    lambda_max = 1 + 2 + 1/2 = 3.5; CI = 0.5 / 2 = 0.25; CR = 0.25 / 0.58 = 0.431 > 0.10."""
    m = pairwise_matrix(3, {(0, 1): 2, (1, 2): 2, (0, 2): 1 / 2})
    np.testing.assert_allclose(priorities(m), [1 / 3, 1 / 3, 1 / 3], rtol=1e-12)
    c = consistency(m)
    assert c.lambda_max == pytest.approx(3.5, abs=1e-12)
    assert c.ci == pytest.approx(0.25, abs=1e-12)
    assert c.cr == pytest.approx(0.25 / 0.58, abs=1e-12)
    assert not c.acceptable


def test_one_and_two_items_are_always_consistent():
    assert priorities(pairwise_matrix(1, {})).tolist() == [1.0]
    assert consistency(pairwise_matrix(1, {})) == Consistency(1.0, 0.0, 0.0)
    m = pairwise_matrix(2, {(0, 1): 3})
    np.testing.assert_allclose(priorities(m), [3 / 4, 1 / 4], rtol=1e-12)
    assert consistency(m) == Consistency(2.0, 0.0, 0.0)


def test_judgement_given_the_other_way_round():
    """(1, 0): 3 says item 1 is 3 times as important as item 0."""
    m = pairwise_matrix(2, {(1, 0): 3})
    assert m[1, 0] == 3 and m[0, 1] == pytest.approx(1 / 3)


def test_missing_pairs_are_nan():
    m = pairwise_matrix(3, {(0, 1): 2, (1, 2): None})
    assert m[0, 1] == 2 and np.isnan(m[1, 2]) and np.isnan(m[0, 2]) and np.isnan(m[2, 1])
    assert np.diag(m).tolist() == [1, 1, 1]


def test_three_decimal_reciprocals_snap_to_the_scale():
    m = pairwise_matrix(2, {(0, 1): 0.333})
    assert m[0, 1] == 1 / 3 and m[1, 0] == 3


# ---------------------------------------------------------------------------------------------
# Completion (Harker 1987)
# ---------------------------------------------------------------------------------------------


def test_harker_completion_of_consistent_matrix_recovers_the_missing_ratio():
    """Harker (1987), Mathematical Modelling 9(11), 837-848: for consistent judgements the
    completed entry is the implied ratio. Weights 8:4:2:1 (A = 2B = 4C = 8D) with A vs D left out:
    the fill-in is exactly 8 and the weights 8/15, 4/15, 2/15, 1/15."""
    judgements = {(0, 1): 2, (0, 2): 4, (1, 2): 2, (1, 3): 4, (2, 3): 2}
    m = pairwise_matrix(4, judgements, list("ABCD"))
    assert np.isnan(m[0, 3])
    filled = complete(m, list("ABCD"))
    assert filled[0, 3] == pytest.approx(8, rel=1e-12)
    assert filled[3, 0] == pytest.approx(1 / 8, rel=1e-12)
    np.testing.assert_allclose(priorities(m), [8 / 15, 4 / 15, 2 / 15, 1 / 15], rtol=1e-12)
    assert consistency(m).cr == 0.0


def test_harker_completion_of_a_chain():
    """Hand-worked: A vs B = 2, B vs C = 3, A vs C missing. Harker's matrix
    [[2, 2, 0], [1/2, 1, 3], [0, 1/3, 2]] has w = (6, 3, 1) / 10 with eigenvalue 3, so a_AC = 6."""
    m = pairwise_matrix(3, {(0, 1): 2, (1, 2): 3})
    filled = complete(m)
    assert filled[0, 2] == pytest.approx(6, rel=1e-12)
    np.testing.assert_allclose(priorities(m), [0.6, 0.3, 0.1], rtol=1e-12)


def test_harker_weights_equal_the_completed_matrix_weights_when_inconsistent():
    """The completed matrix keeps Harker's eigenvector and eigenvalue (so priorities and
    consistency agree on the incomplete and the completed matrix), and leaves given judgements alone."""
    m = HOUSE_CRITERIA.copy()
    for i, j in [(0, 3), (2, 5), (6, 7), (1, 4)]:
        m[i, j] = m[j, i] = np.nan
    filled = complete(m)
    given = ~np.isnan(m)
    np.testing.assert_array_equal(filled[given], m[given])
    np.testing.assert_allclose(filled * filled.T, np.ones((8, 8)), rtol=1e-12)  # still reciprocal
    # Harker's matrix, built here independently: missing -> 0, diagonal 1 + missing in the row.
    harker = np.where(given, m, 0.0)
    harker[np.diag_indices(8)] = 1 + (~given).sum(axis=1)
    values, vectors = np.linalg.eig(harker)
    k = np.argmax(values.real)
    expected = np.abs(vectors[:, k].real) / np.abs(vectors[:, k].real).sum()
    np.testing.assert_allclose(priorities(m), expected, rtol=1e-9)
    np.testing.assert_allclose(priorities(filled), expected, rtol=1e-9)
    assert consistency(filled).lambda_max == pytest.approx(values[k].real, rel=1e-9)


def test_complete_matrix_is_returned_unchanged():
    np.testing.assert_array_equal(complete(HOUSE_SIZE), HOUSE_SIZE)


def test_item_compared_with_nothing_is_refused_by_name():
    m = pairwise_matrix(4, {(0, 1): 2, (1, 2): 3}, ["Sales", "Service", "Marketing", "Mobile"])
    with pytest.raises(JudgementError) as caught:
        complete(m, ["Sales", "Service", "Marketing", "Mobile"])
    assert str(caught.value) == "Mobile is not compared with any other item."
    assert caught.value.item == "Mobile"


def test_two_separate_groups_are_refused_by_name():
    labels = ["Sales", "Service", "Marketing", "Mobile"]
    m = pairwise_matrix(4, {(0, 1): 2, (2, 3): 3}, labels)
    with pytest.raises(JudgementError, match="Marketing, Mobile are compared only with each other"):
        complete(m, labels)


def test_priorities_of_a_disconnected_matrix_is_refused():
    with pytest.raises(JudgementError, match="item 3 is not compared"):
        priorities(pairwise_matrix(3, {(0, 1): 2}))


# ---------------------------------------------------------------------------------------------
# Refused judgements
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"), [(12, "12"), (0, "0"), (-3, "-3"), (0.1, "0.1"), (2.5, "2.5"), (0.3, "0.3")]
)
def test_off_scale_judgement_is_refused_naming_the_pair(value, shown):
    with pytest.raises(JudgementError) as caught:
        pairwise_matrix(3, {(0, 1): 2, (0, 2): value}, ["Usability", "Reporting", "Integration"])
    assert str(caught.value) == f"Usability vs Integration: {shown} is not on Saaty's 1–9 scale."
    assert caught.value.pair == ("Usability", "Integration")


def test_reciprocals_down_to_one_ninth_are_accepted():
    for value in SAATY_SCALE:
        assert pairwise_matrix(2, {(0, 1): value})[0, 1] == value


def test_pair_given_both_ways_is_refused():
    with pytest.raises(JudgementError, match="A vs B is compared twice"):
        pairwise_matrix(2, {(0, 1): 3, (1, 0): 1 / 3}, ["A", "B"])


def test_more_than_fifteen_items_is_refused():
    with pytest.raises(JudgementError, match="at most 15 items"):
        pairwise_matrix(16, {})


def test_bad_indexes_are_programming_errors():
    with pytest.raises(ValueError):
        pairwise_matrix(2, {(0, 2): 3})
    with pytest.raises(ValueError):
        pairwise_matrix(2, {(1, 1): 3})


# ---------------------------------------------------------------------------------------------
# Groups (Aczel & Saaty 1983: geometric mean of judgements)
# ---------------------------------------------------------------------------------------------

ANN = {(0, 1): 2, (0, 2): 4, (1, 2): 2}  # consistent, weights 4:2:1
BOB = {(0, 1): 8, (0, 2): 4, (1, 2): 1 / 2}  # consistent, weights 8:1:2


def test_aggregate_is_the_elementwise_geometric_mean():
    """Hand-computed: A vs B sqrt(2 * 8) = 4, A vs C sqrt(4 * 4) = 4, B vs C sqrt(2 * 1/2) = 1."""
    group = aggregate([pairwise_matrix(3, ANN), pairwise_matrix(3, BOB)])
    np.testing.assert_allclose(group, [[1, 4, 4], [1 / 4, 1, 1], [1 / 4, 1, 1]], rtol=1e-12)


def test_aggregate_of_inconsistent_matrices():
    """Element-wise: the group entry is sqrt(a_ij * b_ij); it stays reciprocal."""
    other = HOUSE_SIZE.T  # the reverse opinion
    group = aggregate([HOUSE_SIZE, other])
    np.testing.assert_allclose(group, np.sqrt(HOUSE_SIZE * other), rtol=1e-12)
    np.testing.assert_allclose(group, np.ones((3, 3)), rtol=1e-12)  # opposite opinions cancel out


def test_group_result_gives_group_and_each_evaluators_weights():
    """Group matrix is consistent with weights 4:1:1 -> 2/3, 1/6, 1/6 (the geometric mean of Ann's
    4/7, 2/7, 1/7 and Bob's 8/11, 1/11, 2/11, renormalised)."""
    result = group_result([("Ann", ANN), ("Bob", BOB)], 3, ["A", "B", "C"])
    np.testing.assert_allclose(result.weights, [2 / 3, 1 / 6, 1 / 6], rtol=1e-12)
    assert result.consistency.cr == 0.0
    weights, c = result.per_evaluator["Ann"]
    np.testing.assert_allclose(weights, [4 / 7, 2 / 7, 1 / 7], rtol=1e-12)
    assert c.cr == 0.0
    np.testing.assert_allclose(result.per_evaluator["Bob"].weights, [8 / 11, 1 / 11, 2 / 11], rtol=1e-12)
    np.testing.assert_allclose(result.matrix[0], [1, 4, 4], rtol=1e-12)


def test_group_result_shows_each_evaluators_consistency():
    cyclic = {(0, 1): 2, (1, 2): 2, (0, 2): 1 / 2}
    result = group_result([("Ann", ANN), ("Cy", cyclic)], 3)
    assert result.per_evaluator["Ann"].consistency.acceptable
    assert not result.per_evaluator["Cy"].consistency.acceptable
    assert result.per_evaluator["Cy"].consistency.cr == pytest.approx(0.25 / 0.58)


def test_group_result_completes_each_evaluators_missing_comparisons():
    partial = {(0, 1): 2, (1, 2): 2}  # A vs C completed to 4: the same as Ann
    result = group_result([("Ann", ANN), ("Pat", partial)], 3)
    np.testing.assert_allclose(result.weights, [4 / 7, 2 / 7, 1 / 7], rtol=1e-12)


def test_group_result_names_the_evaluator_at_fault():
    with pytest.raises(JudgementError) as caught:
        group_result([("Ann", ANN), ("Bob", {(0, 1): 11})], 3, ["A", "B", "C"])
    assert str(caught.value) == "Bob: A vs B: 11 is not on Saaty's 1–9 scale."
    assert caught.value.evaluator == "Bob"
    with pytest.raises(JudgementError, match="^Cy: C is not compared with any other item"):
        group_result([("Ann", ANN), ("Cy", {(0, 1): 3})], 3, ["A", "B", "C"])


def test_group_result_needs_someone():
    with pytest.raises(JudgementError, match="No evaluator"):
        group_result([], 3)


# ---------------------------------------------------------------------------------------------
# Direct weights
# ---------------------------------------------------------------------------------------------


def test_direct_weights_summing_to_100_pass():
    assert direct_weights_check({"Functional scope": 40, "Usability": 35, "Cost": 25}) == []
    assert direct_weights_check({"a": 33.33, "b": 33.33, "c": 33.34}) == []
    assert direct_weights_check({"a": 50.005, "b": 50}) == []  # within the 0.01 tolerance
    assert direct_weights_check({}) == []


def test_direct_weights_not_summing_to_100_name_the_total():
    assert direct_weights_check({"Functional scope": 40, "Usability": 30, "Cost": 25}) == [
        "The weights add up to 95%, not 100%."
    ]
    assert direct_weights_check({"a": 60.5, "b": 40}) == ["The weights add up to 100.5%, not 100%."]
    assert direct_weights_check({"a": 33.33, "b": 33.33, "c": 33.33}) == [
        "The weights add up to 99.99%, not 100%."
    ]


def test_direct_weights_refuse_negative_and_non_numbers():
    assert direct_weights_check({"a": 110, "Cost": -10}) == ["The weight of Cost is negative (-10%)."]
    assert direct_weights_check({"a": 100, "b": None}) == ["The weight of b is not a number."]
