"""A test cycle's exit criteria, measured: plain data in, verdict out (no database, no request).

Counts are per case of the cycle, by the case's latest execution in the cycle:
- executed: cases whose latest execution has a result other than "not run";
- passed: executed cases whose result is passed or passed with remarks;
- pass rate = passed / executed × 100 (blocked and failed cases count against it); it cannot be
  measured while nothing is executed, and that criterion then fails;
- open defects: the cycle's defects not closed or rejected ("fixed" and "retest" are still open).

Criteria, in order: every case executed (only when the cycle asks for it; a cycle without cases
fails it), the pass rate at least the minimum, open severity-1 defects at most the maximum, open
severity-2 defects at most the maximum. The cycle meets its exit criteria when every criterion is met.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Thresholds:
    min_pass_rate: float = 95
    max_open_critical: int = 0
    max_open_major: int = 0
    all_cases_executed: bool = True


@dataclass(frozen=True)
class Counts:
    cases: int = 0
    executed: int = 0
    passed: int = 0
    failed: int = 0
    blocked: int = 0
    open_by_severity: dict = field(default_factory=dict)  # {1: n, 2: n, ...}


def pass_rate(counts: Counts) -> float | None:
    if not counts.executed:
        return None
    return round(100 * counts.passed / counts.executed, 1)


def number(value: float) -> str:
    return f"{value:g}"


def evaluate(thresholds: Thresholds, counts: Counts) -> dict:
    """{"met": bool, "pass_rate": float|None, "criteria": [{"code", "met", "text", "value", "threshold"}],
    "failing": [text of each failed criterion]}; texts in the active language."""
    criteria = []

    def add(code, met, text, value, threshold):
        criteria.append({"code": code, "met": met, "text": text, "value": value, "threshold": threshold})

    if thresholds.all_cases_executed:
        if not counts.cases:
            add("executed", False, _("The cycle has no test cases yet."), 0, 0)
        else:
            add("executed", counts.executed >= counts.cases,
                _("%(executed)s of %(cases)s cases executed; every case must be.") % {
                    "executed": counts.executed, "cases": counts.cases},
                counts.executed, counts.cases)
    rate = pass_rate(counts)
    if rate is None:
        add("pass_rate", False, _("No case executed yet, so the pass rate (at least %(min)s%%) cannot be measured.")
            % {"min": number(thresholds.min_pass_rate)}, None, thresholds.min_pass_rate)
    else:
        add("pass_rate", rate >= thresholds.min_pass_rate,
            _("Pass rate %(rate)s%% (%(passed)s passed of %(executed)s executed); at least %(min)s%% needed.") % {
                "rate": number(rate), "passed": counts.passed, "executed": counts.executed,
                "min": number(thresholds.min_pass_rate)},
            rate, thresholds.min_pass_rate)
    for code, severity, most, label in (
        ("critical", 1, thresholds.max_open_critical, _("severity-1 (critical)")),
        ("major", 2, thresholds.max_open_major, _("severity-2 (major)")),
    ):
        open_count = counts.open_by_severity.get(severity, 0)
        add(code, open_count <= most,
            _("%(count)s open %(severity)s defects; at most %(most)s allowed.") % {
                "count": open_count, "severity": label, "most": most},
            open_count, most)
    return {
        "met": all(c["met"] for c in criteria),
        "pass_rate": rate,
        "criteria": criteria,
        "failing": [c["text"] for c in criteria if not c["met"]],
    }
