"""Criteria weights from pairwise comparisons (AHP), and the check of directly entered weights.

Plain functions on numpy arrays: no models, no request, no template. The evaluation pages, the API
and the results build judgements from their rows and call these.

API
---
``SAATY_SCALE``
    The 17 allowed judgements, ascending: 1/9, 1/8, ..., 1/2, 1, 2, ..., 9.
``RANDOM_INDEX``
    ``{n: RI}`` for n = 1..15 (Saaty's random index); ``MAX_ITEMS`` = 15.
``CR_THRESHOLD``
    0.10: a consistency ratio above it gets a warning.
``JudgementError(ValueError)``
    Raised with a translated message that names the pair, the item or the evaluator at fault.
    Attributes: ``pair`` (two labels or None), ``item`` (label or None), ``evaluator`` (or None).
``scale_meanings() -> dict[int, str]``
    The verbal meaning of 1, 2, ..., 9 (translated), for forms.
``pairwise_matrix(n, judgements, labels=None) -> ndarray``
    ``judgements`` maps ``(i, j)`` (0-based item indexes) to a value on the scale: ``v`` means item
    i is v times as important as item j; 1/v says the reverse. ``(j, i)`` may be given instead of
    ``(i, j)`` but not both. ``None`` or NaN means "not compared". Returns the n x n reciprocal
    matrix with 1 on the diagonal and ``nan`` for every pair not compared. Values within 0.0005 of
    a scale value (0.333 for 1/3) are snapped to it; anything else is refused. ``labels`` (n
    names) are used in messages; without them items are called "item 1", "item 2", ...
``complete(matrix, labels=None) -> ndarray``
    Fills the ``nan`` entries by Harker's (1987) method (see the function). Refuses a comparison
    graph that is not connected, naming the item(s) left out. A complete matrix is returned as a
    copy, unchanged.
``priorities(matrix) -> ndarray``
    The principal right eigenvector, positive and summing to 1 (completes ``nan`` entries first).
``consistency(matrix) -> Consistency(lambda_max, ci, cr)``
    CI = (lambda_max - n) / (n - 1), CR = CI / RI(n); CI = CR = 0 for n <= 2.
    ``.acceptable`` is CR <= 0.10. Completes ``nan`` entries first.
``aggregate(matrices, labels=None) -> ndarray``
    The group matrix: the element-wise geometric mean of the evaluators' completed matrices
    (Aczel & Saaty 1983, the only aggregation that keeps the group matrix reciprocal).
``group_result(evaluations, n, labels=None) -> GroupResult``
    ``evaluations``: iterable of ``(evaluator name, judgements)``. Returns
    ``GroupResult(weights, consistency, per_evaluator, matrix)`` with ``per_evaluator`` a dict
    name -> ``EvaluatorResult(weights, consistency)`` (a named tuple, so it unpacks as a pair).
    A ``JudgementError`` from one evaluator's judgements is re-raised with their name in front.
``direct_weights_check(weights) -> list[str]``
    ``weights`` maps each item of one level (criteria of a category, or the categories) to its
    weight in percent. Returns the messages to show (empty when the level is fine): a weight
    that is negative or not a number, and a total more than 0.01 away from 100.

References
----------
* Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill, New York.
* Saaty, T. L. (2008). Decision making with the analytic hierarchy process. *Int. J. Services
  Sciences* 1(1), 83-98.
* Harker, P. T. (1987). Incomplete pairwise comparisons in the analytic hierarchy process.
  *Mathematical Modelling* 9(11), 837-848.
* Aczel, J. and Saaty, T. L. (1983). Procedures for synthesizing ratio judgements. *Journal of
  Mathematical Psychology* 27(1), 93-102.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

import numpy as np
from django.utils.translation import gettext as _

SAATY_SCALE: tuple[float, ...] = tuple([1 / v for v in range(9, 1, -1)] + [float(v) for v in range(1, 10)])

# Saaty's random index: the mean consistency index of large samples of random reciprocal matrices
# of order n, from Saaty, T. L. (1980), The Analytic Hierarchy Process, McGraw-Hill, New York
# (the table for n = 1..15 reproduced in most AHP texts). RI(1) = RI(2) = 0: every matrix of order
# 1 or 2 is consistent.
RANDOM_INDEX: dict[int, float] = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
    11: 1.51,
    12: 1.48,
    13: 1.56,
    14: 1.57,
    15: 1.59,
}
MAX_ITEMS = max(RANDOM_INDEX)
CR_THRESHOLD = 0.10
DIRECT_TOLERANCE = 0.01  # percentage points a level's total may be off 100
SNAP_TOLERANCE = 5e-4  # a judgement typed with three decimals (0.333) still means 1/3


class JudgementError(ValueError):
    """A judgement or a set of judgements that cannot give weights; the message names the culprit."""

    def __init__(self, message: str, *, pair=None, item=None, evaluator=None):
        super().__init__(message)
        self.pair = pair
        self.item = item
        self.evaluator = evaluator


@dataclass(frozen=True)
class Consistency:
    lambda_max: float
    ci: float
    cr: float

    @property
    def acceptable(self) -> bool:
        return self.cr <= CR_THRESHOLD + 1e-12


class EvaluatorResult(NamedTuple):
    weights: np.ndarray
    consistency: Consistency


@dataclass(frozen=True)
class GroupResult:
    weights: np.ndarray
    consistency: Consistency
    per_evaluator: dict[str, EvaluatorResult]
    matrix: np.ndarray


def scale_meanings() -> dict[int, str]:
    """The verbal scale (Saaty 2008, Table 1), translated; even numbers are the steps between."""
    return {
        1: _("Equal importance"),
        2: _("Weak or slight"),
        3: _("Moderate importance"),
        4: _("Moderate plus"),
        5: _("Strong importance"),
        6: _("Strong plus"),
        7: _("Very strong importance"),
        8: _("Very, very strong"),
        9: _("Extreme importance"),
    }


# ---------------------------------------------------------------------------------------------
# Building the matrix
# ---------------------------------------------------------------------------------------------


def _labels(n: int, labels: Sequence | None) -> list[str]:
    if labels is None:
        return [_("item %(number)d") % {"number": k + 1} for k in range(n)]
    if len(labels) != n:
        raise ValueError(f"{len(labels)} labels for {n} items")
    return [str(label) for label in labels]


def _show(value) -> str:
    """A judgement as the user typed it: 12, 0.3, 1/3 stays readable."""
    if isinstance(value, Fraction):
        return str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number:g}"


def _on_scale(value) -> float | None:
    """The exact scale value `value` stands for, or None when it is not on the scale."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number) or number <= 0:
        return None
    nearest = min(SAATY_SCALE, key=lambda s: abs(s - number))
    return nearest if abs(nearest - number) <= SNAP_TOLERANCE else None


def _is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def _check_size(n: int) -> None:
    if n > MAX_ITEMS:
        raise JudgementError(
            _(
                "Pairwise comparison works for at most %(max)d items; this level has %(n)d. "
                "Split it into categories or enter the weights directly."
            )
            % {"max": MAX_ITEMS, "n": n}
        )


def pairwise_matrix(n: int, judgements: Mapping[tuple[int, int], float | None], labels=None) -> np.ndarray:
    """The reciprocal matrix of some judgements; pairs not compared are nan (see the module doc)."""
    if n < 1:
        raise ValueError("a pairwise matrix needs at least one item")
    _check_size(n)
    names = _labels(n, labels)
    matrix = np.full((n, n), np.nan)
    np.fill_diagonal(matrix, 1.0)
    seen: set[tuple[int, int]] = set()
    for (i, j), value in judgements.items():
        if not (0 <= i < n and 0 <= j < n):
            raise ValueError(f"pair ({i}, {j}) is outside 0..{n - 1}")
        if i == j:
            raise ValueError(f"pair ({i}, {j}) compares an item with itself")
        if _is_missing(value):
            continue
        pair = (names[i], names[j])
        key = (min(i, j), max(i, j))
        if key in seen:
            raise JudgementError(
                _("%(a)s vs %(b)s is compared twice.") % {"a": names[key[0]], "b": names[key[1]]},
                pair=(names[key[0]], names[key[1]]),
            )
        seen.add(key)
        exact = _on_scale(value)
        if exact is None:
            raise JudgementError(
                _("%(a)s vs %(b)s: %(value)s is not on Saaty's 1–9 scale.")
                % {"a": pair[0], "b": pair[1], "value": _show(value)},
                pair=pair,
            )
        matrix[i, j] = exact
        matrix[j, i] = 1.0 / exact
    return matrix


# ---------------------------------------------------------------------------------------------
# Eigenvectors, completion, consistency
# ---------------------------------------------------------------------------------------------


def _as_square(matrix) -> np.ndarray:
    a = np.array(matrix, dtype=float)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise ValueError(f"a pairwise matrix must be square and not empty, got shape {a.shape}")
    known = a[~np.isnan(a)]
    if np.any(known <= 0) or np.any(np.isinf(known)):
        raise ValueError("pairwise judgements must be positive and finite")
    return a


def _perron(a: np.ndarray) -> tuple[float, np.ndarray]:
    """Perron root and positive eigenvector (sum 1) of a non-negative irreducible matrix."""
    if a.shape[0] == 1:
        return float(a[0, 0]), np.ones(1)
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))  # the Perron root is real and has the largest real part
    vector = np.abs(vectors[:, k].real)
    return float(values[k].real), vector / vector.sum()


def _components(known: np.ndarray) -> list[list[int]]:
    """Connected components of the comparison graph (an edge where both a_ij and a_ji are known)."""
    n = known.shape[0]
    adjacent = known & known.T
    unseen = set(range(n))
    components = []
    while unseen:
        start = min(unseen)
        unseen.discard(start)
        component, stack = [start], [start]
        while stack:
            i = stack.pop()
            for j in np.flatnonzero(adjacent[i]):
                j = int(j)
                if j in unseen:
                    unseen.discard(j)
                    component.append(j)
                    stack.append(j)
        components.append(sorted(component))
    return components


def complete(matrix, labels=None) -> np.ndarray:
    """Fill the missing comparisons by Harker's method.

    Harker, P. T. (1987), "Incomplete pairwise comparisons in the analytic hierarchy process",
    Mathematical Modelling 9(11), 837-848: replace every missing a_ij by 0 and raise the diagonal
    term of row i to 1 + m_i, where m_i is the number of comparisons missing in row i. The
    principal eigenvector w of that matrix gives the priorities, and each missing a_ij is filled
    with w_i / w_j. The completed matrix has the same principal eigenvector and eigenvalue, so
    `priorities` and `consistency` agree whether they are given the incomplete or the completed
    matrix. For a consistent set of judgements the fill-ins are exactly the implied ratios.

    The matrix must be connected: every item compared, directly or through others, with every
    other one; otherwise a JudgementError names the item(s) left out.
    """
    a = _as_square(matrix)
    n = a.shape[0]
    np.fill_diagonal(a, 1.0)
    # A pair known one way only (a hand-built matrix): take the reciprocal.
    one_way = np.isnan(a) & ~np.isnan(a.T)
    a[one_way] = 1.0 / a.T[one_way]
    missing = np.isnan(a)
    if not missing.any():
        return a
    _check_size(n)
    names = _labels(n, labels)
    components = _components(~missing)
    if len(components) > 1:
        isolated = [c[0] for c in components if len(c) == 1]
        if isolated:
            item = names[isolated[0]]
            raise JudgementError(
                _("%(item)s is not compared with any other item.") % {"item": item}, item=item
            )
        cut_off = min(components[1:], key=len)
        items = [names[k] for k in cut_off]
        raise JudgementError(
            _("%(items)s are compared only with each other; compare one of them with another item.")
            % {"items": ", ".join(items)},
            item=items[0],
        )
    harker = np.where(missing, 0.0, a)
    harker[np.diag_indices(n)] = 1.0 + missing.sum(axis=1)
    _root, w = _perron(harker)
    filled = a.copy()
    filled[missing] = np.outer(w, 1.0 / w)[missing]
    return filled


def _complete_if_needed(matrix) -> np.ndarray:
    a = _as_square(matrix)
    return complete(a) if np.isnan(a).any() else a


def priorities(matrix) -> np.ndarray:
    """Weights: the principal right eigenvector, positive, summing to 1."""
    _, w = _perron(_complete_if_needed(matrix))
    return w


def consistency(matrix) -> Consistency:
    """Saaty's consistency index and ratio of a (completed) pairwise matrix."""
    a = _complete_if_needed(matrix)
    n = a.shape[0]
    lambda_max, _w = _perron(a)
    if n <= 2:
        return Consistency(lambda_max=float(n), ci=0.0, cr=0.0)
    _check_size(n)
    # lambda_max >= n for every positive reciprocal matrix; clip the rounding noise of a consistent one.
    ci = max((lambda_max - n) / (n - 1), 0.0)
    if ci < 1e-12:
        ci = 0.0
    return Consistency(lambda_max=lambda_max, ci=ci, cr=ci / RANDOM_INDEX[n])


# ---------------------------------------------------------------------------------------------
# Groups
# ---------------------------------------------------------------------------------------------


def aggregate(matrices: Iterable, labels=None) -> np.ndarray:
    """The group matrix: element-wise geometric mean of the completed matrices (Aczel & Saaty 1983)."""
    completed = [complete(m, labels) for m in matrices]
    if not completed:
        raise JudgementError(_("There are no comparisons to combine."))
    shape = completed[0].shape
    if any(m.shape != shape for m in completed):
        raise ValueError("all matrices must compare the same items")
    return np.exp(np.mean(np.log(np.stack(completed)), axis=0))


def group_result(evaluations: Iterable[tuple[str, Mapping]], n: int, labels=None) -> GroupResult:
    """Each evaluator's weights and consistency, and the group's from the geometric-mean matrix."""
    per_evaluator: dict[str, EvaluatorResult] = {}
    completed = []
    for name, judgements in evaluations:
        if name in per_evaluator:
            raise ValueError(f"evaluator {name!r} is listed twice")
        try:
            m = complete(pairwise_matrix(n, judgements, labels), labels)
        except JudgementError as error:
            raise JudgementError(
                _("%(evaluator)s: %(message)s") % {"evaluator": name, "message": error},
                pair=error.pair,
                item=error.item,
                evaluator=name,
            ) from error
        per_evaluator[name] = EvaluatorResult(priorities(m), consistency(m))
        completed.append(m)
    if not completed:
        raise JudgementError(_("No evaluator has given comparisons yet."))
    group = aggregate(completed, labels)
    return GroupResult(
        weights=priorities(group), consistency=consistency(group), per_evaluator=per_evaluator, matrix=group
    )


# ---------------------------------------------------------------------------------------------
# Direct weights
# ---------------------------------------------------------------------------------------------


def _percent(number: float) -> str:
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def direct_weights_check(weights: Mapping[Hashable, float]) -> list[str]:
    """Messages for one level of directly entered weights (percent); empty when the level is fine."""
    messages = []
    total = 0.0
    numbers = True
    for key, value in weights.items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            messages.append(_("The weight of %(item)s is not a number.") % {"item": key})
            numbers = False
            continue
        if number < 0:
            messages.append(
                _("The weight of %(item)s is negative (%(weight)s%%).")
                % {"item": key, "weight": _percent(number)}
            )
        total += number
    if weights and numbers and abs(total - 100.0) > DIRECT_TOLERANCE:
        messages.append(_("The weights add up to %(total)s%%, not 100%%.") % {"total": _percent(total)})
    return messages
