"""Sensitivity of the weighted-sum ranking to the weights: critical criteria and Monte Carlo.

Both take the weights and scores as arrays: `weights[j]` the global weight of criterion j (>= 0,
rescaled to sum 1), `scores[i, j]` candidate i's normalised score on criterion j (usually
`scoring.decision_matrix(...)`, restricted to the ranked candidates: `Totals.ranked_matrix`). A
candidate's total is `P_i = sum_j w_j * scores[i, j]`; the analysis is on the 0..1 scale (the
totals out of 100 are the same times 100, which changes nothing here).

Critical criterion (`weight_sensitivity`)
------------------------------------------
After Triantaphyllou, E. and Sánchez, A. (1997), "A sensitivity analysis approach for some
deterministic multi-criteria decision-making methods", Decision Sciences 28(1), 151-194: for each
criterion k, the smallest change of its weight that reverses the order of a pair of candidates,
in closed form per pair, and from these the smallest change that changes the winner and the
smallest that changes the rank order of any pair.

* **One weight moves, the others follow proportionally**: the weight of k becomes t (0 <= t <= 1)
  and every other weight is multiplied by (1 - t) / (1 - w_k), so the weights still sum to 1 and
  keep their ratios. (If k holds all the weight, the others share 1 - t equally.) Then every total
  is a straight line in t: `P_i(t) = t * a_ik + (1 - t) * R_i`, with `R_i = (P_i - w_k a_ik) /
  (1 - w_k)` the candidate's weighted average over the other criteria.
* **Pair (i ahead of j)**: the lines cross at `t* = (R_i - R_j) / ((R_i - R_j) - (a_ik - a_jk))`.
  The change is `t* - w_k` (absolute, in weight units: -0.05 is five points of 100% less) and
  `(t* - w_k) / w_k * 100` (relative, %; None when w_k is 0). At t* the pair ties; any further
  change in the same direction reverses it. No change (None) when the lines are parallel (they
  never cross) or t* lies outside [0, 1] (the weight would have to leave [0, 1]).
* **Relation to the paper.** Triantaphyllou & Sánchez change W_k to W_k - δ and leave the other
  weights alone (their Theorem for the WSM: `δ = (P_j - P_i) / (a_jk - a_ik)`, feasible when
  δ <= W_k); renormalising their weights gives ours, with `δ = -Δ / (1 - w_k - Δ)` for our change
  Δ = t* - w_k. The reversal point is the same; the reported amounts differ because ours keep the
  sum at 1.
* **Winner**: the smallest |change| over the pairs (first-placed candidate, any other); when
  several share first place, over the pairs (one of them, a candidate outside the tie).
  **Any pair**: the smallest |change| over all pairs whose totals differ. Pairs already tied are
  left out.
* **Critical criterion**: the one whose winner-changing change is smallest in relative terms
  (criteria with weight 0 have no relative change and are not candidates); `critical_any`
  likewise for any pair. Ties go to the first criterion.

Monte Carlo (`monte_carlo`)
---------------------------
Each draw multiplies every weight by its own factor, uniform in [1 - spread, 1 + spread],
renormalises, and ranks the candidates; all draws are one matrix product (draws x criteria times
criteria x candidates). A candidate's probability of ranking first is the share of draws it wins;
a draw won by k candidates together counts 1/k for each, so the probabilities sum to 1. Seeded
with `seed`, the result is deterministic. A weight of 0 stays 0.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _

from .scoring import TIE_TOLERANCE, rank

EPSILON = 1e-12


def _inputs(weights, scores) -> tuple[np.ndarray, np.ndarray]:
    w = np.asarray(weights, dtype=float)
    s = np.asarray(scores, dtype=float)
    if w.ndim != 1 or s.ndim != 2 or s.shape[1] != w.shape[0]:
        raise ValueError(_("The scores need one column per weight."))
    if w.size == 0 or (w < 0).any() or not w.sum() > 0:
        raise ValueError(_("Weights must be zero or more, and not all zero."))
    return w / w.sum(), s


def _keys(given: Iterable[Hashable] | None, count: int, message: str) -> list:
    keys = list(range(count)) if given is None else list(given)
    if len(keys) != count:
        raise ValueError(message)
    return keys


def rescaled(weights, index: int, new_weight: float) -> np.ndarray:
    """The weights with criterion `index` set to `new_weight` and the others rescaled to keep the sum 1."""
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    rest = 1.0 - w[index]
    if rest > EPSILON:
        result = w * (1.0 - new_weight) / rest
    else:
        result = np.full(w.shape, (1.0 - new_weight) / max(w.size - 1, 1))
    result[index] = new_weight
    return result


# ---------------------------------------------------------------------------------------------
# Critical criterion
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeightChange:
    criterion: Hashable
    weight: float  # the current weight (rescaled to sum 1)
    new_weight: float  # the weight at which the pair ties
    change: float  # new_weight - weight
    percent: float | None  # change / weight * 100; None when the weight is 0
    ahead: Hashable  # the candidate ahead now
    behind: Hashable  # the candidate that catches up


@dataclass(frozen=True)
class CriterionSensitivity:
    criterion: Hashable
    weight: float
    winner: WeightChange | None  # smallest change that changes the winner; None when none is feasible
    any_pair: WeightChange | None  # smallest change that reverses any pair


@dataclass
class Sensitivity:
    criteria: list  # CriterionSensitivity per criterion, input order
    totals: dict  # candidate -> current total (0..1)
    winners: list  # candidates ranked first now
    critical: CriterionSensitivity | None  # smallest relative change for the winner
    critical_any: CriterionSensitivity | None  # smallest relative change for any pair


def weight_sensitivity(
    weights,
    scores,
    candidates: Iterable[Hashable] | None = None,
    criteria: Iterable[Hashable] | None = None,
) -> Sensitivity:
    """Per criterion the smallest weight change that changes the winner and the rank order."""
    w, s = _inputs(weights, scores)
    m, n = s.shape
    people = _keys(candidates, m, _("The scores need one row per candidate."))
    names = _keys(criteria, n, _("The scores need one column per criterion."))
    totals = s @ w
    ranks = rank(dict(enumerate(totals.tolist())))
    top = np.array([ranks[i] == 1 for i in range(m)], dtype=bool)
    ahead = (totals[:, None] - totals[None, :]) > TIE_TOLERANCE  # ahead[i, j]: i before j

    # R[i, k]: candidate i's weighted average over the criteria other than k.
    rest = 1.0 - w
    shared = rest > EPSILON
    averages = np.full((m, n), np.nan)
    averages[:, shared] = (totals[:, None] - s[:, shared] * w[shared]) / rest[shared]
    if n > 1 and (~shared).any():
        averages[:, ~shared] = (s.sum(axis=1)[:, None] - s[:, ~shared]) / (n - 1)

    d_rest = averages[:, None, :] - averages[None, :, :]  # (m, m, n)
    d_own = s[:, None, :] - s[None, :, :]
    denominator = d_rest - d_own
    with np.errstate(divide="ignore", invalid="ignore"):
        crossing = d_rest / denominator
    feasible = (
        ahead[:, :, None]
        & (np.abs(denominator) > EPSILON)
        & np.isfinite(crossing)
        & (crossing >= -EPSILON)
        & (crossing <= 1.0 + EPSILON)
    )
    crossing = np.clip(np.nan_to_num(crossing), 0.0, 1.0)
    size = np.where(feasible, np.abs(crossing - w), np.inf)
    for_winner = np.where((top[:, None] & ~top[None, :])[:, :, None], size, np.inf)

    def change(k: int, table: np.ndarray) -> WeightChange | None:
        flat = int(np.argmin(table[:, :, k]))
        i, j = divmod(flat, m)
        if not np.isfinite(table[i, j, k]):
            return None
        new = float(crossing[i, j, k])
        delta = new - float(w[k])
        return WeightChange(
            criterion=names[k],
            weight=float(w[k]),
            new_weight=new,
            change=delta,
            percent=delta / float(w[k]) * 100.0 if w[k] > 0 else None,
            ahead=people[i],
            behind=people[j],
        )

    rows = [
        CriterionSensitivity(
            names[k], float(w[k]), change(k, for_winner) if m else None, change(k, size) if m else None
        )
        for k in range(n)
    ]

    def most_critical(attribute: str) -> CriterionSensitivity | None:
        best = None
        for row in rows:
            found = getattr(row, attribute)
            if found is None or found.percent is None:
                continue
            if best is None or abs(found.percent) < abs(getattr(best, attribute).percent) - EPSILON:
                best = row
        return best

    return Sensitivity(
        criteria=rows,
        totals={people[i]: float(totals[i]) for i in range(m)},
        winners=[people[i] for i in range(m) if top[i]],
        critical=most_critical("winner"),
        critical_any=most_critical("any_pair"),
    )


# ---------------------------------------------------------------------------------------------
# Monte Carlo
# ---------------------------------------------------------------------------------------------


@dataclass
class MonteCarloResult:
    probabilities: dict  # candidate -> probability of ranking first (sums to 1)
    draws: int
    spread: float
    seed: int | None


def monte_carlo(
    weights,
    scores,
    spread: float = 0.2,
    draws: int = 10_000,
    seed: int | None = None,
    candidates: Iterable[Hashable] | None = None,
) -> MonteCarloResult:
    """Each candidate's probability of ranking first when every weight varies by up to ±spread."""
    w, s = _inputs(weights, scores)
    m = s.shape[0]
    people = _keys(candidates, m, _("The scores need one row per candidate."))
    if not 0 <= spread <= 1:
        raise ValueError(_("The spread must lie between 0 and 1 (0.2 for ±20%)."))
    if int(draws) != draws or draws < 1:
        raise ValueError(_("The number of draws must be a whole number, at least 1."))
    draws = int(draws)
    if m == 0:
        return MonteCarloResult({}, draws, spread, seed)
    rng = np.random.default_rng(seed)
    drawn = rng.uniform(1.0 - spread, 1.0 + spread, size=(draws, w.size))
    drawn *= w
    sums = drawn.sum(axis=1, keepdims=True)
    sums[sums <= 0] = 1.0  # every factor drawn 0 (spread 1): all totals 0, a tie
    totals = (drawn @ s.T) / sums  # (draws, candidates): one matrix product
    best = totals.max(axis=1, keepdims=True)
    won = totals >= best - EPSILON * np.maximum(1.0, np.abs(best))
    shares = won / won.sum(axis=1, keepdims=True)
    probabilities = shares.sum(axis=0) / draws
    return MonteCarloResult(
        probabilities={people[i]: float(probabilities[i]) for i in range(m)},
        draws=draws,
        spread=float(spread),
        seed=seed,
    )
