"""Exit criteria of a test cycle and the step text format, against hand-worked examples (no database)."""

from testing.choices import Result
from testing.exit_criteria import Counts, Thresholds, evaluate, pass_rate
from testing.steps import StepResult, format_step_results, parse_step_results, parse_steps


def by_code(verdict):
    return {c["code"]: c for c in verdict["criteria"]}


def test_all_criteria_met():
    # 20 cases, all executed: 19 passed (17 + 2 with remarks), 1 failed -> 19/20 = 95.0% >= 95.
    counts = Counts(cases=20, executed=20, passed=19, failed=1, open_by_severity={3: 2})
    verdict = evaluate(Thresholds(), counts)
    assert verdict["pass_rate"] == 95.0
    assert verdict["met"] is True
    assert verdict["failing"] == []
    assert [c["code"] for c in verdict["criteria"]] == ["executed", "pass_rate", "critical", "major"]
    assert by_code(verdict)["pass_rate"]["text"] == "Pass rate 95% (19 passed of 20 executed); at least 95% needed."


def test_each_failing_criterion_is_named():
    # 20 cases, 18 executed: 16 passed, 1 failed, 1 blocked -> 16/18 = 88.9% < 95;
    # one open critical and two open major defects against maxima 0 and 1.
    counts = Counts(cases=20, executed=18, passed=16, failed=1, blocked=1, open_by_severity={1: 1, 2: 2, 4: 5})
    verdict = evaluate(Thresholds(min_pass_rate=95, max_open_critical=0, max_open_major=1), counts)
    assert verdict["met"] is False
    assert verdict["pass_rate"] == 88.9
    codes = by_code(verdict)
    assert [c for c in codes if not codes[c]["met"]] == ["executed", "pass_rate", "critical", "major"]
    assert verdict["failing"] == [
        "18 of 20 cases executed; every case must be.",
        "Pass rate 88.9% (16 passed of 18 executed); at least 95% needed.",
        "1 open severity-1 (critical) defects; at most 0 allowed.",
        "2 open severity-2 (major) defects; at most 1 allowed.",
    ]


def test_unexecuted_cases_allowed_when_the_cycle_does_not_ask_for_all():
    counts = Counts(cases=10, executed=4, passed=4)
    verdict = evaluate(Thresholds(min_pass_rate=90, all_cases_executed=False), counts)
    assert "executed" not in by_code(verdict)
    assert verdict["pass_rate"] == 100.0
    assert verdict["met"] is True


def test_nothing_executed_cannot_pass():
    assert pass_rate(Counts(cases=3)) is None
    verdict = evaluate(Thresholds(all_cases_executed=False), Counts(cases=3))
    assert verdict["met"] is False
    assert "cannot be measured" in by_code(verdict)["pass_rate"]["text"]


def test_a_cycle_without_cases_fails():
    verdict = evaluate(Thresholds(), Counts())
    assert by_code(verdict)["executed"]["met"] is False
    assert by_code(verdict)["executed"]["text"] == "The cycle has no test cases yet."


def test_pass_rate_threshold_is_inclusive_and_rounded_to_one_place():
    # 2 of 3 = 66.666... -> 66.7
    assert pass_rate(Counts(cases=3, executed=3, passed=2)) == 66.7
    assert evaluate(Thresholds(min_pass_rate=66.7), Counts(cases=3, executed=3, passed=2))["met"] is True


def test_criteria_texts_follow_the_language():
    from django.utils import translation

    with translation.override("zh-hans"):
        verdict = evaluate(Thresholds(), Counts())
    assert all(isinstance(c["text"], str) for c in verdict["criteria"])


def test_parse_steps_numbers_by_position_and_splits_expected_results():
    text = "1. Open the quote form | The form shows an empty quote\n\n2) Add frame F-20 x 3|Total is 3 × unit price\nSave"
    steps = parse_steps(text)
    assert [(s.number, s.action, s.expected) for s in steps] == [
        (1, "Open the quote form", "The form shows an empty quote"),
        (2, "Add frame F-20 x 3", "Total is 3 × unit price"),
        (3, "Save", ""),
    ]


def test_parse_step_results_by_number_label_or_position():
    results, errors = parse_step_results("1 | passed\n3 | Failed | total shows 0.00\n\n5 | maybe")
    assert errors == ["Line 3: “maybe” is not a result (passed, failed, blocked, passed with remarks, not run)."]
    assert results == {1: StepResult(1, Result.PASSED, ""), 3: StepResult(3, Result.FAILED, "total shows 0.00")}
    # Lines without a number apply to the step at their position.
    results, errors = parse_step_results("passed\nBlocked | no test data")
    assert errors == []
    assert results == {1: StepResult(1, Result.PASSED, ""), 2: StepResult(2, Result.BLOCKED, "no test data")}
    assert format_step_results({1: StepResult(1, "passed", ""), 2: StepResult(2, "failed", "x")}) == "1 | passed\n2 | failed | x"


def test_parse_step_results_in_chinese_labels():
    from django.utils import translation

    with translation.override("zh-hans"):
        label = str(Result.PASSED.label)
    results, errors = parse_step_results(f"1 | {label}")
    assert errors == [] and results[1].result == Result.PASSED
