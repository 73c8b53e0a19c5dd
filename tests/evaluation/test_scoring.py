"""Weighted scoring (evaluation/scoring.py) against hand-worked numbers.

The worked tree (scale 0-5 everywhere; local weights, global weights in brackets):

    Functional  0.6                     Technical  0.4
      Sales     0.5  [0.6 x 0.5 = 0.3]    Integration 0.75
      Service   0.5  [0.3]                  ERP       1.0  [0.4 x 0.75 x 1 = 0.3]
                                          Security  0.25   [0.4 x 0.25 = 0.1]
    Knock-out: "EU data residency" (pass/fail, no weight)

Scores (Sales, Service, ERP, Security) -> normalised /5 -> points = 100 x global weight x normalised:
    A: 5 4 3 2 -> 1.0 0.8 0.6 0.4 -> 30 + 24 + 18 + 4  = 76   (passes the knock-out)
    B: 4 4 4 4 -> 0.8 each        -> 24 + 24 + 24 + 8  = 80   (fails the knock-out)
    C: 3 5 5 0 -> 0.6 1.0 1.0 0.0 -> 18 + 30 + 30 + 0  = 78   (passes)
    D: same as C                                       = 78   (knock-out not assessed yet)
"""

import math

import numpy as np
import pytest

from evaluation.scoring import (
    MEAN,
    MEDIAN,
    Category,
    CriteriaTree,
    Criterion,
    WeightError,
    close_call,
    consensus_proposal,
    decision_matrix,
    disagreements,
    evaluator_bias,
    panel_statistics,
    rank,
    spread,
    weighted_totals,
)

approx = pytest.approx


def worked_tree():
    return CriteriaTree(
        categories=[
            Category("F", "Functional", 0.6),
            Category("T", "Technical", 0.4),
            Category("I", "Integration", 0.75, parent="T"),
        ],
        criteria=[
            Criterion("sales", "Sales", 0.5, "F"),
            Criterion("service", "Service", 0.5, "F"),
            Criterion("erp", "ERP", 1.0, "I"),
            Criterion("security", "Security", 0.25, "T"),
            Criterion("eu", "EU data residency", category="T", knockout=True),
        ],
    )


def worked_scores():
    rows = {
        "A": (5, 4, 3, 2, True),
        "B": (4, 4, 4, 4, False),
        "C": (3, 5, 5, 0, True),
        "D": (3, 5, 5, 0, None),
    }
    scores = {}
    for candidate, values in rows.items():
        for key, value in zip(("sales", "service", "erp", "security", "eu"), values, strict=True):
            if value is not None:
                scores[(candidate, key)] = value
    return scores


# --- the tree ------------------------------------------------------------------------------------


def test_global_weights_are_products_along_the_path():
    weights = worked_tree().global_weights()
    assert weights == approx({"sales": 0.3, "service": 0.3, "erp": 0.3, "security": 0.1})
    assert math.fsum(weights.values()) == approx(1.0)


def test_knockouts_carry_no_weight_and_stay_out_of_the_level_sums():
    tree = worked_tree()
    assert [c.key for c in tree.knockouts] == ["eu"]
    assert "eu" not in tree.global_weights()
    assert tree.problems() == []  # Technical = 0.75 + 0.25 without the knock-out


def test_path_lists_categories_from_the_top():
    tree = worked_tree()
    assert tree.path("erp") == ("T", "I")
    assert tree.path("sales") == ("F",)


def test_problems_name_each_level_that_does_not_add_up():
    tree = CriteriaTree(
        [Category("F", "Functional", 0.5), Category("T", "Technical", 0.4)],
        [
            Criterion("a", "A", 0.3, "F"),
            Criterion("b", "B", 0.3, "F"),  # Functional: 60%
            Criterion("c", "C", 1.0, "T"),
        ],
    )
    problems = tree.problems()
    assert [p.level for p in problems] == [None, "F"]
    assert "90.00%" in problems[0].message  # top level: 50% + 40%
    assert "Functional" in problems[1].message and "60.00%" in problems[1].message
    with pytest.raises(WeightError) as caught:
        weighted_totals(["X"], tree, {})
    assert caught.value.problems == problems


def test_thirds_entered_as_33_33_33_34_are_fine_but_three_times_33_3_is_not():
    def tree(weights):
        return CriteriaTree([], [Criterion(i, f"C{i}", w) for i, w in enumerate(weights)])

    assert tree([0.3333, 0.3333, 0.3334]).problems() == []
    assert len(tree([0.333, 0.333, 0.333]).problems()) == 1


def test_weights_from_floats_within_tolerance_pass():
    third = 1 / 3
    assert CriteriaTree([], [Criterion(i, "x", third) for i in range(3)]).problems() == []


def test_negative_weight_and_empty_weighted_category_are_problems():
    tree = CriteriaTree(
        [Category("F", "Functional", 1.0), Category("E", "Empty", 0.0)],
        [Criterion("a", "A", 1.2, "F"), Criterion("b", "B", -0.2, "F")],
    )
    assert any("negative" in p.message for p in tree.problems())
    tree = CriteriaTree(
        [Category("F", "Functional", 0.5), Category("E", "Empty", 0.5)], [Criterion("a", "A", 1.0, "F")]
    )
    assert [p.level for p in tree.problems()] == ["E"]
    assert CriteriaTree().problems()[0].level is None  # nothing weighted at all


def test_structural_errors_raise():
    with pytest.raises(ValueError):
        CriteriaTree([Category("F", "F", 1), Category("F", "F again", 0)])
    with pytest.raises(ValueError):
        CriteriaTree([], [Criterion("a", "A", 1, category="nowhere")])
    with pytest.raises(ValueError):
        CriteriaTree([Category("X", "X", 1, parent="Y"), Category("Y", "Y", 1, parent="X")])
    with pytest.raises(ValueError):
        CriteriaTree([], [Criterion("a", "A", 1, scale_min=5, scale_max=5)])


# --- totals --------------------------------------------------------------------------------------


def test_hand_worked_totals_contributions_and_category_scores():
    totals = weighted_totals("ABCD", worked_tree(), worked_scores())
    a = totals.results["A"]
    assert a.total == approx(76)
    assert a.criterion_points == approx({"sales": 30, "service": 24, "erp": 18, "security": 4})
    # Contributions: Functional 30 + 24, Technical 18 + 4, of which Integration 18.
    assert a.contributions == approx({"F": 54, "T": 22, "I": 18})
    # Category scores out of 100: Functional 0.5 x 1.0 + 0.5 x 0.8 = 0.9; Integration 0.6;
    # Technical 0.75 x 0.6 + 0.25 x 0.4 = 0.55. Weighted back: 0.6 x 90 + 0.4 x 55 = 76.
    assert a.category_scores == approx({"F": 90, "T": 55, "I": 60})
    assert totals.results["B"].total == approx(80)
    assert totals.results["C"].total == approx(78)


def test_top_level_contributions_add_up_to_the_total():
    totals = weighted_totals("ABCD", worked_tree(), worked_scores())
    for result in totals.results.values():
        assert result.contributions["F"] + result.contributions["T"] == approx(result.total)


def test_knocked_out_candidate_is_excluded_with_the_reason():
    totals = weighted_totals("ABCD", worked_tree(), worked_scores())
    b = totals.results["B"]
    assert b.failed == ["EU data residency"]
    assert b.excluded and b.rank is None and not b.readmitted
    assert [r.candidate for r in totals.excluded] == ["B"]
    # C and D tie at 78 (same rank, input order kept); A is third: "1, 1, 3".
    assert [(r.candidate, r.rank) for r in totals.ranking] == [("C", 1), ("D", 1), ("A", 3)]


def test_knockout_not_assessed_is_pending_and_does_not_exclude():
    d = weighted_totals("ABCD", worked_tree(), worked_scores()).results["D"]
    assert d.pending == ["EU data residency"] and d.failed == [] and not d.excluded


def test_readmitted_candidate_is_ranked_and_keeps_its_reason():
    totals = weighted_totals("ABCD", worked_tree(), worked_scores(), readmitted={"B", "A"})
    b = totals.results["B"]
    assert b.readmitted and not b.excluded and b.failed == ["EU data residency"]
    assert not totals.results["A"].readmitted  # A never failed: nothing to re-admit
    assert [(r.candidate, r.rank) for r in totals.ranking] == [("B", 1), ("C", 2), ("D", 2), ("A", 4)]
    assert totals.excluded == []


def test_knockout_of_everyone_leaves_an_empty_ranking():
    scores = {key: value for key, value in worked_scores().items() if key[1] != "eu"}
    scores.update({(c, "eu"): False for c in "ABCD"})
    totals = weighted_totals("ABCD", worked_tree(), scores)
    assert totals.ranking == [] and len(totals.excluded) == 4
    assert totals.ranked_totals() == {}
    assert close_call(totals.ranked_totals(), 5) is False


def test_missing_scores_count_as_zero_and_are_listed():
    scores = worked_scores()
    del scores[("A", "erp")]
    a = weighted_totals("A", worked_tree(), scores).results["A"]
    assert a.missing == ["erp"]
    assert a.total == approx(76 - 18)


def test_score_outside_the_scale_raises():
    scores = worked_scores()
    scores[("A", "sales")] = 6
    with pytest.raises(ValueError, match="Sales"):
        weighted_totals("A", worked_tree(), scores)


def test_custom_scale_is_normalised():
    # Scale 1..10: a 7 is (7 - 1) / 9 = 2/3 of the way; one criterion of weight 1 -> 66.67 points.
    tree = CriteriaTree([], [Criterion("x", "X", 1.0, scale_min=1, scale_max=10)])
    assert weighted_totals("A", tree, {("A", "x"): 7}).results["A"].total == approx(200 / 3)


def test_zero_weight_criterion_is_scored_but_counts_for_nothing():
    tree = CriteriaTree([], [Criterion("x", "X", 1.0), Criterion("z", "Zero", 0.0)])
    result = weighted_totals("A", tree, {("A", "x"): 5, ("A", "z"): 5}).results["A"]
    assert result.total == approx(100) and result.criterion_points["z"] == 0


def test_category_with_zero_weight_still_has_its_own_score():
    tree = CriteriaTree(
        [Category("F", "F", 1.0), Category("Z", "Z", 0.0)],
        [Criterion("a", "A", 1.0, "F"), Criterion("b", "B", 1.0, "Z")],
    )
    result = weighted_totals("X", tree, {("X", "a"): 5, ("X", "b"): 2.5}).results["X"]
    assert result.total == approx(100)
    assert result.contributions["Z"] == 0 and result.category_scores["Z"] == approx(50)


def test_single_candidate_and_all_equal_scores():
    tree = worked_tree()
    one = weighted_totals(["only"], tree, {("only", k): 3 for k in ("sales", "service", "erp", "security")})
    assert [(r.candidate, r.rank) for r in one.ranking] == [("only", 1)]
    assert one.results["only"].total == approx(60)
    same = {(c, k): 2 for c in "XYZ" for k in ("sales", "service", "erp", "security")}
    totals = weighted_totals("XYZ", tree, same)
    assert [(r.candidate, r.rank) for r in totals.ranking] == [("X", 1), ("Y", 1), ("Z", 1)]


def test_decision_matrix_and_ranked_matrix():
    tree = worked_tree()
    matrix = decision_matrix("AB", tree, worked_scores())
    assert matrix.criteria == ["sales", "service", "erp", "security"]
    assert matrix.weights.tolist() == approx([0.3, 0.3, 0.3, 0.1])
    assert matrix.values == approx(np.array([[1.0, 0.8, 0.6, 0.4], [0.8, 0.8, 0.8, 0.8]]))
    assert (100 * matrix.values @ matrix.weights).tolist() == approx([76, 80])
    ranked = weighted_totals("ABCD", tree, worked_scores()).ranked_matrix
    assert ranked.candidates == ["C", "D", "A"]
    assert ranked.values[2].tolist() == approx([1.0, 0.8, 0.6, 0.4])


# --- ranking and close calls ---------------------------------------------------------------------


def test_rank_competition_style_with_stable_ties():
    assert rank({"a": 70, "b": 80, "c": 70, "d": 60}) == {"b": 1, "a": 2, "c": 2, "d": 4}
    assert list(rank({"a": 70, "b": 80, "c": 70, "d": 60})) == ["b", "a", "c", "d"]
    assert rank({}) == {}
    # Float noise is not a difference: 0.1 + 0.2 and 0.3 tie.
    assert rank({"x": 0.1 + 0.2, "y": 0.3}) == {"x": 1, "y": 1}


def test_close_call():
    assert close_call({"a": 80, "b": 78, "c": 50}, margin=2) is True  # 80 - 78 = 2, inclusive
    assert close_call({"a": 80, "b": 78, "c": 50}, margin=1.9) is False
    assert close_call([78, 80], margin=2) is True  # order does not matter
    assert close_call({"a": 70, "b": 70}, margin=0) is True  # a tie is always close
    assert close_call({"a": 70}, margin=100) is False


# --- panel ---------------------------------------------------------------------------------------

# Item X scored by e1..e4: 2, 4, 3, 5 -> mean 3.5, median 3.5, range 3,
#   population sd = sqrt((1.5^2 + 0.5^2 + 0.5^2 + 1.5^2) / 4) = sqrt(1.25) = 1.1180.
# Item Y scored by e1..e3: 1, 3, 2 (e4 did not) -> mean 2, median 2, range 2, sd = sqrt(2/3) = 0.8165.
PANEL = {
    "X": {"e1": 2, "e2": 4, "e3": 3, "e4": 5},
    "Y": {"e1": 1, "e2": 3, "e3": 2, "e4": None},
}


def test_panel_statistics():
    stats = panel_statistics(PANEL)
    x, y = stats["X"], stats["Y"]
    assert (x.count, x.mean, x.median, x.low, x.high, x.range) == (4, 3.5, 3.5, 2, 5, 3)
    assert x.stdev == approx(math.sqrt(1.25))
    assert (y.count, y.mean, y.median, y.range) == (3, 2, 2, 2)
    assert y.stdev == approx(math.sqrt(2 / 3))
    assert panel_statistics({"Z": {"e1": None}}) == {}


def test_spread_of_one_score_and_of_equal_scores():
    one = spread([4])
    assert (one.mean, one.median, one.range, one.stdev) == (4, 4, 0, 0)
    assert spread([3, 3, 3]).stdev == 0
    with pytest.raises(ValueError):
        spread([])


def test_disagreements_flag_wide_spreads_widest_first():
    stats = panel_statistics({**PANEL, "Z": {"e1": 3, "e2": 3}})
    assert disagreements(stats, min_range=2) == ["X", "Y"]
    assert disagreements(stats, min_range=3) == ["X"]
    assert disagreements(stats, min_stdev=1) == ["X"]
    assert disagreements(stats) == []


def test_evaluator_bias():
    # Panel means: X 3.5, Y 2.
    # e1: own mean (2 + 1) / 2 = 1.5, panel mean of X and Y (3.5 + 2) / 2 = 2.75 -> bias -1.25
    # e2: (4 + 3) / 2 = 3.5 vs 2.75 -> +0.75;  e3: (3 + 2) / 2 = 2.5 vs 2.75 -> -0.25
    # e4: scored X only: 5 vs 3.5 -> +1.5
    bias = evaluator_bias(PANEL)
    assert {e: b.bias for e, b in bias.items()} == approx({"e1": -1.25, "e2": 0.75, "e3": -0.25, "e4": 1.5})
    assert (bias["e1"].count, bias["e1"].mean, bias["e1"].panel_mean) == (2, 1.5, 2.75)
    assert bias["e4"].count == 1


def test_single_evaluator_has_no_bias():
    assert evaluator_bias({"X": {"solo": 4}, "Y": {"solo": 1}})["solo"].bias == 0


def test_consensus_proposal_mean_or_median():
    assert consensus_proposal([2, 4, 3, 5]) == 3.5
    assert consensus_proposal([1, 2, 5], MEAN) == approx(8 / 3)
    assert consensus_proposal([1, 2, 5], MEDIAN) == 2
    assert consensus_proposal([1, 2, None, 5], MEDIAN) == 2  # a score not given is skipped
    with pytest.raises(ValueError):
        consensus_proposal([1, 2], "mode")
