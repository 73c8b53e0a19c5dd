"""Test case steps and per-step results kept as text, one line each, so that cases travel in the
XLSX/CSV sheets teams already keep.

Steps (TestCase.steps), one step per line: ``action | expected result``. A leading number such as
``1.``, ``1)`` or ``1 -`` is dropped (steps are numbered by their position); a line without ``|``
is an action with no stated expected result; blank lines are skipped.

Step results (Execution.step_results), one line per step: ``<step number> | <result> | <actual
result>``, e.g. ``3 | failed | the total shows 0.00``. The result is a Result value or its label in
any of the three languages (``passed``, ``Failed``, ``通过``...). A line without a number applies to
the step at its position. Steps without a line have not been run.
"""

import re
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _

from .choices import Result

NUMBER = re.compile(r"^\s*(\d+)\s*[.)\-:]?\s*")


@dataclass(frozen=True)
class Step:
    number: int
    action: str
    expected: str


@dataclass(frozen=True)
class StepResult:
    number: int
    result: str
    actual: str


def parse_steps(text: str) -> list[Step]:
    steps = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        line = NUMBER.sub("", line, count=1)
        action, _sep, expected = line.partition("|")
        steps.append(Step(len(steps) + 1, action.strip(), expected.strip()))
    return steps


def result_value(word: str) -> str | None:
    """The Result value of a word typed in a sheet (value or label in any language), or None."""
    word = word.strip().casefold()
    for value, label in Result.choices:
        if word == value:
            return value
        for code in ("en", "zh-hans", "zh-hant"):
            with translation.override(code):
                if word == str(label).casefold():
                    return value
    return None


def parse_step_results(text: str) -> tuple[dict[int, StepResult], list[str]]:
    """The results by step number, and the lines that could not be read (as messages)."""
    results: dict[int, StepResult] = {}
    errors: list[str] = []
    position = 0
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        position += 1
        parts = [part.strip() for part in line.split("|", 2)]
        if parts[0].isdigit():
            number, parts = int(parts[0]), parts[1:]
        else:
            number = position
        result = result_value(parts[0]) if parts else None
        if result is None:
            errors.append(_("Line %(line)s: “%(text)s” is not a result (passed, failed, blocked, passed with remarks, not run).")
                          % {"line": position, "text": parts[0] if parts else line.strip()})
            continue
        results[number] = StepResult(number, result, parts[1] if len(parts) > 1 else "")
    return results, errors


def one_line(text: str) -> str:
    """A typed text as one line (line breaks and runs of spaces become single spaces)."""
    return " ".join((text or "").split())


def format_step_results(results: dict[int, StepResult]) -> str:
    """The step results as text, one line per step in step order (`parse_step_results` reads it back).

    ``3 | failed | the total shows 0.00``; a step without an actual result is ``1 | passed``. The
    actual result is kept on one line (a line break would start another step's line).
    """
    lines = []
    for r in sorted(results.values(), key=lambda r: r.number):
        actual = one_line(r.actual)
        lines.append(f"{r.number} | {r.result} | {actual}" if actual else f"{r.number} | {r.result}")
    return "\n".join(lines)


def suggested_result(step_results) -> str:
    """The overall result the steps suggest (one Result value per step, in any order).

    Any failed step: failed. Else any blocked step: blocked. Else, when every step passed (with or
    without remarks): passed with remarks if any step had remarks, otherwise passed. Else (some
    steps not run, or no steps): not run.
    """
    values = list(step_results)
    if Result.FAILED in values:
        return Result.FAILED
    if Result.BLOCKED in values:
        return Result.BLOCKED
    if values and all(v in (Result.PASSED, Result.PASSED_WITH_REMARKS) for v in values):
        return Result.PASSED_WITH_REMARKS if Result.PASSED_WITH_REMARKS in values else Result.PASSED
    return Result.NOT_RUN
