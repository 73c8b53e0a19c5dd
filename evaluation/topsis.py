"""TOPSIS (Hwang & Yoon 1981), the second ranking method shown beside the weighted totals.

Hwang, C.-L. and Yoon, K. (1981). Multiple Attribute Decision Making: Methods and Applications.
Lecture Notes in Economics and Mathematical Systems 186, Springer.

Conventions
-----------
* `matrix[i, j]` is candidate i's value on criterion j (any unit; the evaluation passes the
  normalised 0..1 scores of `scoring.decision_matrix`). `weights[j]` >= 0, rescaled to sum 1
  (TOPSIS's closeness does not depend on that scale). `benefit[j]` is True when more is better,
  False for a cost criterion (less is better); all True by default.
* **Vector normalisation**: `r_ij = x_ij / sqrt(sum_i x_ij^2)`; a column of zeros stays zeros
  (the criterion separates nobody). Weighted: `v_ij = w_j * r_ij`.
* **Ideal** `A+`: per criterion the best weighted value (max for benefit, min for cost);
  **anti-ideal** `A-`: the worst. Euclidean distances `d+_i`, `d-_i` to each.
* **Closeness** `C_i = d-_i / (d+_i + d-_i)`, 0..1, higher is better. When every candidate is
  identical on every criterion, `A+ = A-` and both distances are 0 for all: C = 0.5 for each
  (they tie). A single candidate is that case.
* **Ranking** by closeness with `scoring.rank` (ties within 1e-9 share a rank, input order kept).
* **Agreement** between two rankings (`agreement()`): Spearman's rank correlation computed as the
  Pearson correlation of fractional ranks (tied candidates get the mean of the positions they
  share, whatever rank convention the input uses), and whether the winners are the same (the
  sets of first-placed candidates are equal). The correlation is None when it is undefined
  (fewer than two candidates, or one ranking is a single tie).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _

from .scoring import rank


@dataclass
class TopsisResult:
    candidates: list
    closeness: dict  # candidate -> closeness coefficient, input order
    ranking: dict  # candidate -> rank, best first
    distance_best: dict  # candidate -> distance to the ideal
    distance_worst: dict  # candidate -> distance to the anti-ideal
    ideal: np.ndarray  # weighted normalised ideal per criterion
    anti_ideal: np.ndarray


def topsis(
    matrix,
    weights: Sequence[float],
    benefit: Sequence[bool] | None = None,
    candidates: Iterable[Hashable] | None = None,
) -> TopsisResult:
    """Closeness coefficients and ranking; candidates default to the row numbers 0, 1, ..."""
    x = np.asarray(matrix, dtype=float)
    w = np.asarray(weights, dtype=float)
    if x.ndim != 2 or w.ndim != 1 or x.shape[1] != w.shape[0]:
        raise ValueError(_("The matrix needs one column per weight."))
    m, n = x.shape
    keys = list(range(m)) if candidates is None else list(candidates)
    if len(keys) != m:
        raise ValueError(_("The matrix needs one row per candidate."))
    if (w < 0).any() or not w.sum() > 0:
        raise ValueError(_("Weights must be zero or more, and not all zero."))
    w = w / w.sum()
    good = np.ones(n, dtype=bool) if benefit is None else np.asarray(benefit, dtype=bool)
    if good.shape != (n,):
        raise ValueError(_("Say for each criterion whether more is better."))

    norms = np.sqrt((x**2).sum(axis=0))
    safe = np.where(norms > 0, norms, 1.0)
    v = x / safe * w
    highest = v.max(axis=0, initial=-np.inf)  # initial: no candidates is not an error
    lowest = v.min(axis=0, initial=np.inf)
    ideal = np.where(good, highest, lowest)
    anti = np.where(good, lowest, highest)
    d_best = np.sqrt(((v - ideal) ** 2).sum(axis=1))
    d_worst = np.sqrt(((v - anti) ** 2).sum(axis=1))
    span = d_best + d_worst
    closeness = np.divide(d_worst, span, out=np.full(m, 0.5), where=span > 0)

    values = {k: float(c) for k, c in zip(keys, closeness, strict=True)}
    return TopsisResult(
        candidates=keys,
        closeness=values,
        ranking=rank(values),
        distance_best={k: float(d) for k, d in zip(keys, d_best, strict=True)},
        distance_worst={k: float(d) for k, d in zip(keys, d_worst, strict=True)},
        ideal=ideal,
        anti_ideal=anti,
    )


@dataclass(frozen=True)
class Agreement:
    spearman: float | None  # -1..1; None when undefined
    same_winner: bool
    winners_a: frozenset
    winners_b: frozenset


def fractional_ranks(ranks: Mapping[Hashable, float]) -> dict:
    """Candidate -> mean position among equals (1-based): ranks 1, 1, 3 become 1.5, 1.5, 3."""
    ordered = sorted(ranks.items(), key=lambda item: item[1])
    result = {}
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1][1] == ordered[start][1]:
            end += 1
        position = (start + end) / 2 + 1
        for candidate, _rank in ordered[start : end + 1]:
            result[candidate] = position
        start = end + 1
    return result


def _winners(ranks: Mapping[Hashable, float]) -> frozenset:
    if not ranks:
        return frozenset()
    first = min(ranks.values())
    return frozenset(c for c, r in ranks.items() if r == first)


def agreement(rank_a: Mapping[Hashable, float], rank_b: Mapping[Hashable, float]) -> Agreement:
    """Spearman's rank correlation of two rankings of the same candidates, and whether they share the winner."""
    if set(rank_a) != set(rank_b):
        raise ValueError(_("Both rankings must rank the same candidates."))
    winners_a = _winners(rank_a)
    winners_b = _winners(rank_b)
    a = fractional_ranks(rank_a)
    b = fractional_ranks(rank_b)
    keys = list(a)
    coefficient = None
    if len(keys) >= 2:
        xa = [a[k] for k in keys]
        xb = [b[k] for k in keys]
        mean_a = math.fsum(xa) / len(keys)
        mean_b = math.fsum(xb) / len(keys)
        cov = math.fsum((p - mean_a) * (q - mean_b) for p, q in zip(xa, xb, strict=True))
        var_a = math.fsum((p - mean_a) ** 2 for p in xa)
        var_b = math.fsum((q - mean_b) ** 2 for q in xb)
        if var_a > 0 and var_b > 0:
            coefficient = max(-1.0, min(1.0, cov / math.sqrt(var_a * var_b)))
    return Agreement(
        spearman=coefficient,
        same_winner=bool(winners_a) and winners_a == winners_b,
        winners_a=winners_a,
        winners_b=winners_b,
    )
