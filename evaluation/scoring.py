"""Weighted scoring of an evaluation: criteria tree, totals, knock-outs, ranking, panel statistics.

Plain Python (values in, values out): no ORM, no request. The evaluation's models build `Category`
and `Criterion` values and a scores mapping from their rows and call these functions; TOPSIS
(`topsis.py`) and the sensitivity analysis (`sensitivity.py`) take the `DecisionMatrix` built here.

Conventions
-----------
* **Criteria tree.** Categories nest (`Category.parent`, None at the top level); criteria hang
  from a category (`Criterion.category`, None puts a criterion at the top level). Keys are any
  hashable values (primary keys, codes); categories and criteria are looked up separately, so a
  category and a criterion may share a key.
* **Weights** are local fractions of 1: at every level (the top level and each category) the
  weights of the child categories and weighted criteria add up to 1 (within `WEIGHT_TOLERANCE`).
  `CriteriaTree.problems()` lists the levels that do not, with a translated message each; a zero
  weight is allowed (the criterion is scored but counts for nothing), a negative one is not.
  The **global weight** of a criterion is the product of the local weights along its path
  (category weights from the top, then its own); global weights add up to 1.
* **Scores** are keyed `(candidate, criterion)`. A weighted criterion is scored on its anchored
  scale `[scale_min, scale_max]` (0-5 by default) and normalised to 0..1 by
  `(score - scale_min) / (scale_max - scale_min)`; a score outside the scale raises ValueError.
  A missing score (absent or None) counts as the bottom of the scale (0) and is listed in
  `CandidateTotal.missing`, so an incomplete matrix never flatters a candidate silently.
* **Totals** are points out of 100: `total = 100 * sum(global weight * normalised score)`.
  `criterion_points` holds each criterion's share of it, `contributions` each category's (the
  sum over its criteria at any depth; the top-level categories' contributions plus the points of
  top-level criteria make the total: the stacked bar), `category_scores` each category's own
  score out of 100 (its local-weighted average, whatever the category's weight: the radar chart).
* **Knock-outs.** A criterion with `knockout=True` is a must-have scored pass/fail (truthy = pass,
  falsy = fail, None or absent = not assessed yet). It carries no weight (its `weight` is ignored
  and it takes no part in the level sums). A candidate that fails any is excluded from the
  ranking with the names of the failed criteria (`failed`), unless its key is in `readmitted`
  (the lead's written justification lives in the models). `readmitted` is True only for a
  candidate that failed and was re-admitted. Not-assessed knock-outs are listed in `pending` and
  do not exclude.
* **Ranking.** Higher total first. Totals within `TIE_TOLERANCE` of the first of a group share its
  rank and the next rank skips ("1, 1, 3": standard competition ranking); ties keep the input
  order, so the order is stable.
* **Panel statistics** (blind scoring, after the round closes): the spread of the evaluators'
  scores per item (an item is whatever the caller keys by, usually `(candidate, criterion)`):
  count, mean, median, lowest, highest, range and *population* standard deviation.
  **Evaluator bias** = the evaluator's mean over the items they scored minus the mean of the panel
  means of those same items (each panel mean includes the evaluator). Use one scale throughout (or
  normalised scores) for the biases to be comparable.
* **Close call**: the top two totals are within a margin (points, inclusive).

Messages are translated with gettext at the time they are produced.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _

WEIGHT_TOLERANCE = 1e-6  # a level's weights may miss 1 by this much (AHP weights are floats)
TIE_TOLERANCE = 1e-9  # totals closer than this are a tie (float noise, not a real difference)

MEAN = "mean"
MEDIAN = "median"


# ---------------------------------------------------------------------------------------------
# The criteria tree
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    key: Hashable
    name: str
    weight: float  # local: fraction of its parent level
    parent: Hashable | None = None


@dataclass(frozen=True)
class Criterion:
    key: Hashable
    name: str
    weight: float = 0.0  # local: fraction of its category; ignored for knock-outs
    category: Hashable | None = None
    scale_min: float = 0.0
    scale_max: float = 5.0
    knockout: bool = False

    def normalise(self, score: float) -> float:
        """The score mapped to 0..1 on this criterion's scale; ValueError outside the scale."""
        low, high = float(self.scale_min), float(self.scale_max)
        value = float(score)
        if not low <= value <= high:
            raise ValueError(
                _("The score %(score)s of “%(criterion)s” is outside its scale %(low)s to %(high)s.")
                % {"score": score, "criterion": self.name, "low": self.scale_min, "high": self.scale_max}
            )
        return (value - low) / (high - low)


@dataclass(frozen=True)
class Problem:
    """A level whose weights are wrong: `level` is the category key, None for the top level."""

    level: Hashable | None
    message: str


class WeightError(ValueError):
    """The weights of the tree are not valid; `problems` lists them (see CriteriaTree.problems)."""

    def __init__(self, problems: list[Problem]):
        super().__init__(" ".join(p.message for p in problems))
        self.problems = problems


class CriteriaTree:
    """Categories and criteria with local weights; see the module docstring for the conventions.

    Structural errors raise ValueError at construction: duplicate keys, a parent or category that
    does not exist, a category that is its own ancestor, a scale whose top is not above its bottom.
    """

    def __init__(self, categories: Iterable[Category] = (), criteria: Iterable[Criterion] = ()):
        self.categories: dict[Hashable, Category] = {}
        self.criteria: dict[Hashable, Criterion] = {}
        for category in categories:
            if category.key in self.categories:
                raise ValueError(_("Two categories have the same key: %(key)s.") % {"key": category.key})
            self.categories[category.key] = category
        for criterion in criteria:
            if criterion.key in self.criteria:
                raise ValueError(_("Two criteria have the same key: %(key)s.") % {"key": criterion.key})
            if criterion.category is not None and criterion.category not in self.categories:
                raise ValueError(
                    _("Criterion “%(name)s” belongs to an unknown category.") % {"name": criterion.name}
                )
            if not float(criterion.scale_max) > float(criterion.scale_min):
                raise ValueError(
                    _("The scale of “%(name)s” must end above where it starts.") % {"name": criterion.name}
                )
            self.criteria[criterion.key] = criterion
        for category in self.categories.values():
            if category.parent is not None and category.parent not in self.categories:
                raise ValueError(
                    _("Category “%(name)s” belongs to an unknown category.") % {"name": category.name}
                )
        # Child lists per level (None = top level), in the order given.
        self.subcategories: dict[Hashable | None, list[Category]] = {None: []}
        self.members: dict[Hashable | None, list[Criterion]] = {None: []}
        for key in self.categories:
            self.subcategories[key] = []
            self.members[key] = []
        for category in self.categories.values():
            self.subcategories[category.parent].append(category)
        for criterion in self.criteria.values():
            if not criterion.knockout:
                self.members[criterion.category].append(criterion)
        self._paths: dict[Hashable, tuple] = {}
        for key in self.categories:
            self._paths[key] = self._category_path(key)

    def _category_path(self, key) -> tuple:
        path = []
        seen = set()
        while key is not None:
            if key in seen:
                raise ValueError(
                    _("Category “%(name)s” is inside itself.") % {"name": self.categories[key].name}
                )
            seen.add(key)
            path.append(key)
            key = self.categories[key].parent
        return tuple(reversed(path))

    # -- reading ---------------------------------------------------------------------------------

    @property
    def weighted(self) -> list[Criterion]:
        """The criteria that carry weight (every criterion but the knock-outs), in the order given."""
        return [c for c in self.criteria.values() if not c.knockout]

    @property
    def knockouts(self) -> list[Criterion]:
        return [c for c in self.criteria.values() if c.knockout]

    @property
    def top_categories(self) -> list[Category]:
        return list(self.subcategories[None])

    def path(self, criterion_key) -> tuple:
        """The keys of the categories above a criterion, from the top level down."""
        category = self.criteria[criterion_key].category
        return () if category is None else self._paths[category]

    def global_weights(self) -> dict[Hashable, float]:
        """Criterion key -> global weight (product of the local weights along its path)."""
        result = {}
        for criterion in self.weighted:
            weight = float(criterion.weight)
            for key in self.path(criterion.key):
                weight *= float(self.categories[key].weight)
            result[criterion.key] = weight
        return result

    # -- validation ------------------------------------------------------------------------------

    def problems(self) -> list[Problem]:
        """Every level whose weights are not valid, with a translated message; empty when all is well."""
        found = []
        for category in self.categories.values():
            if float(category.weight) < 0:
                found.append(
                    Problem(
                        category.parent,
                        _("Category “%(name)s” has a negative weight.") % {"name": category.name},
                    )
                )
        for criterion in self.weighted:
            if float(criterion.weight) < 0:
                found.append(
                    Problem(
                        criterion.category,
                        _("Criterion “%(name)s” has a negative weight.") % {"name": criterion.name},
                    )
                )
        for level in [None, *self.categories]:
            weights = [float(c.weight) for c in self.subcategories[level]]
            weights += [float(c.weight) for c in self.members[level]]
            if not weights:
                if level is None:
                    found.append(Problem(None, _("There are no weighted criteria yet.")))
                elif float(self.categories[level].weight) > 0:
                    found.append(
                        Problem(
                            level,
                            _("Category “%(name)s” has a weight but no weighted criteria.")
                            % {"name": self.categories[level].name},
                        )
                    )
                continue
            total = math.fsum(weights)
            if abs(total - 1.0) > WEIGHT_TOLERANCE:
                if level is None:
                    message = _("The weights at the top level add up to %(total).2f%%, not 100%%.")
                    found.append(Problem(None, message % {"total": total * 100}))
                else:
                    message = _("The weights in “%(name)s” add up to %(total).2f%%, not 100%%.")
                    found.append(
                        Problem(level, message % {"name": self.categories[level].name, "total": total * 100})
                    )
        return found

    def check(self) -> None:
        """Raise WeightError when problems() finds any."""
        found = self.problems()
        if found:
            raise WeightError(found)


# ---------------------------------------------------------------------------------------------
# Totals and knock-outs
# ---------------------------------------------------------------------------------------------


@dataclass
class DecisionMatrix:
    """The weighted criteria as arrays: what TOPSIS, the sensitivity analysis and Monte Carlo take.

    `values[i, j]` is candidate i's normalised score (0..1) on criterion j (0 when missing);
    `weights[j]` is criterion j's global weight. A total is `100 * values @ weights`.
    """

    candidates: list
    criteria: list
    weights: np.ndarray
    values: np.ndarray
    missing: dict = field(default_factory=dict)  # candidate -> [criterion keys without a score]


def decision_matrix(candidates: Iterable[Hashable], tree: CriteriaTree, scores: Mapping) -> DecisionMatrix:
    """Normalised scores of the weighted criteria; the tree's weights must be valid (WeightError)."""
    tree.check()
    candidates = list(candidates)
    weights = tree.global_weights()
    criteria = tree.weighted
    values = np.zeros((len(candidates), len(criteria)))
    missing = {}
    for i, candidate in enumerate(candidates):
        absent = []
        for j, criterion in enumerate(criteria):
            score = scores.get((candidate, criterion.key))
            if score is None:
                absent.append(criterion.key)
            else:
                values[i, j] = criterion.normalise(score)
        missing[candidate] = absent
    return DecisionMatrix(
        candidates=candidates,
        criteria=[c.key for c in criteria],
        weights=np.array([weights[c.key] for c in criteria], dtype=float),
        values=values,
        missing=missing,
    )


@dataclass
class CandidateTotal:
    candidate: Hashable
    total: float = 0.0  # points out of 100
    criterion_points: dict = field(default_factory=dict)  # criterion key -> points
    contributions: dict = field(default_factory=dict)  # category key -> points (every category)
    category_scores: dict = field(default_factory=dict)  # category key -> 0..100
    failed: list = field(default_factory=list)  # names of the knock-out criteria failed
    pending: list = field(default_factory=list)  # names of the knock-out criteria not assessed
    missing: list = field(default_factory=list)  # keys of weighted criteria without a score
    readmitted: bool = False  # failed a knock-out and was re-admitted
    rank: int | None = None  # None when excluded

    @property
    def excluded(self) -> bool:
        return bool(self.failed) and not self.readmitted


@dataclass
class Totals:
    results: dict  # candidate -> CandidateTotal, in the input order
    ranking: list  # the ranked CandidateTotals, best first (excluded ones left out)
    excluded: list  # the excluded CandidateTotals, in the input order
    matrix: DecisionMatrix

    def ranked_totals(self) -> dict:
        """Candidate -> total of the ranked candidates, best first (for close_call and charts)."""
        return {r.candidate: r.total for r in self.ranking}

    @property
    def ranked_matrix(self) -> DecisionMatrix:
        """The decision matrix restricted to the ranked candidates, in ranking order."""
        index = {c: i for i, c in enumerate(self.matrix.candidates)}
        rows = [index[r.candidate] for r in self.ranking]
        return DecisionMatrix(
            candidates=[r.candidate for r in self.ranking],
            criteria=list(self.matrix.criteria),
            weights=self.matrix.weights.copy(),
            values=self.matrix.values[rows, :],
            missing={r.candidate: self.matrix.missing[r.candidate] for r in self.ranking},
        )


def weighted_totals(
    candidates: Iterable[Hashable],
    criteria: CriteriaTree,
    scores: Mapping,
    readmitted: Collection[Hashable] = (),
) -> Totals:
    """Totals out of 100, contributions per category, knock-out outcomes and the ranking.

    `scores` maps `(candidate, criterion key)` to a score on the criterion's scale, or to a pass
    (truthy) / fail (falsy) for knock-out criteria. Raises WeightError when the weights are not
    valid and ValueError for a score outside its scale.
    """
    tree = criteria
    matrix = decision_matrix(candidates, tree, scores)
    weights = matrix.weights
    column = {key: j for j, key in enumerate(matrix.criteria)}
    results: dict = {}
    for i, candidate in enumerate(matrix.candidates):
        row = matrix.values[i]
        result = CandidateTotal(candidate=candidate, missing=list(matrix.missing[candidate]))
        for key, j in column.items():
            result.criterion_points[key] = 100.0 * weights[j] * row[j]
        result.total = math.fsum(result.criterion_points.values())
        for key in tree.categories:
            result.contributions[key] = 0.0
        for key, points in result.criterion_points.items():
            for category in tree.path(key):
                result.contributions[category] += points
        _category_scores(tree, row, column, result.category_scores)
        for criterion in tree.knockouts:
            outcome = scores.get((candidate, criterion.key))
            if outcome is None:
                result.pending.append(criterion.name)
            elif not outcome:
                result.failed.append(criterion.name)
        result.readmitted = bool(result.failed) and candidate in readmitted
        results[candidate] = result
    admitted = {c: r.total for c, r in results.items() if not r.excluded}
    ranks = rank(admitted)
    for candidate, position in ranks.items():
        results[candidate].rank = position
    return Totals(
        results=results,
        ranking=[results[c] for c in ranks],
        excluded=[r for r in results.values() if r.excluded],
        matrix=matrix,
    )


def _category_scores(tree: CriteriaTree, row, column, into: dict) -> None:
    """Each category's local-weighted average of its children, out of 100 (bottom-up)."""

    def score(key) -> float:
        value = math.fsum(float(c.weight) * score(c.key) for c in tree.subcategories[key])
        value += math.fsum(float(c.weight) * row[column[c.key]] for c in tree.members[key])
        into[key] = 100.0 * value
        return value

    for category in tree.top_categories:
        score(category.key)


def rank(totals: Mapping[Hashable, float], tolerance: float = TIE_TOLERANCE) -> dict:
    """Candidate -> rank (1 = best), in ranking order; ties share a rank ("1, 1, 3"), input order kept."""
    ordered = sorted(enumerate(totals.items()), key=lambda item: (-item[1][1], item[0]))
    ranks: dict = {}
    group_value = None
    group_rank = 0
    for position, (_index, (candidate, value)) in enumerate(ordered, start=1):
        if group_value is None or group_value - value > tolerance:
            group_value = value
            group_rank = position
        ranks[candidate] = group_rank
    return ranks


def close_call(totals: Mapping[Hashable, float] | Iterable[float], margin: float) -> bool:
    """True when the two best totals are within `margin` points of each other (inclusive).

    Pass the totals of the ranked candidates only (excluded ones do not compete); with fewer than
    two candidates there is no call to make (False).
    """
    values = list(totals.values()) if isinstance(totals, Mapping) else list(totals)
    if len(values) < 2:
        return False
    first, second = sorted(values, reverse=True)[:2]
    return first - second <= margin + TIE_TOLERANCE


# ---------------------------------------------------------------------------------------------
# Panel statistics, bias and consensus proposals
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    count: int
    mean: float
    median: float
    low: float
    high: float
    stdev: float  # population standard deviation

    @property
    def range(self) -> float:
        return self.high - self.low


def spread(values: Iterable[float]) -> Spread:
    """Count, mean, median, lowest, highest and population standard deviation; ValueError when empty."""
    numbers = sorted(float(v) for v in values if v is not None)
    if not numbers:
        raise ValueError(_("There are no scores to summarise."))
    count = len(numbers)
    mean = math.fsum(numbers) / count
    middle = count // 2
    median = numbers[middle] if count % 2 else (numbers[middle - 1] + numbers[middle]) / 2
    stdev = math.sqrt(math.fsum((x - mean) ** 2 for x in numbers) / count)
    return Spread(count=count, mean=mean, median=median, low=numbers[0], high=numbers[-1], stdev=stdev)


def panel_statistics(panel: Mapping[Hashable, Mapping[Hashable, float]]) -> dict:
    """Item -> Spread of the evaluators' scores, for `panel[item][evaluator] = score`.

    None scores (not given) are skipped; an item nobody scored is left out.
    """
    result = {}
    for item, by_evaluator in panel.items():
        values = [v for v in by_evaluator.values() if v is not None]
        if values:
            result[item] = spread(values)
    return result


def disagreements(
    statistics: Mapping[Hashable, Spread], min_range: float | None = None, min_stdev: float | None = None
) -> list:
    """The items to discuss: range >= min_range or stdev >= min_stdev, widest spread first."""
    flagged = [
        item
        for item, s in statistics.items()
        if (min_range is not None and s.range >= min_range - TIE_TOLERANCE)
        or (min_stdev is not None and s.stdev >= min_stdev - TIE_TOLERANCE)
    ]
    return sorted(flagged, key=lambda item: (-statistics[item].stdev, -statistics[item].range))


@dataclass(frozen=True)
class Bias:
    evaluator: Hashable
    count: int  # items the evaluator scored
    mean: float  # the evaluator's mean over those items
    panel_mean: float  # mean of the panel means of the same items
    bias: float  # mean - panel_mean: positive = scores more generously than the panel


def evaluator_bias(panel: Mapping[Hashable, Mapping[Hashable, float]]) -> dict:
    """Evaluator -> Bias, for `panel[item][evaluator] = score` (None scores skipped)."""
    panel_means = {}
    own: dict = {}
    for item, by_evaluator in panel.items():
        scored = {e: float(v) for e, v in by_evaluator.items() if v is not None}
        if not scored:
            continue
        panel_means[item] = math.fsum(scored.values()) / len(scored)
        for evaluator, value in scored.items():
            own.setdefault(evaluator, []).append((value, panel_means[item]))
    result = {}
    for evaluator, pairs in own.items():
        count = len(pairs)
        mean = math.fsum(v for v, _m in pairs) / count
        panel_mean = math.fsum(m for _v, m in pairs) / count
        result[evaluator] = Bias(evaluator, count, mean, panel_mean, mean - panel_mean)
    return result


def consensus_proposal(values: Iterable[float], method: str = MEAN) -> float:
    """The default consensus score proposed from the panel's scores: their mean or median.

    Not rounded to the scale's steps: the lead edits the proposal and records a rationale.
    """
    summary = spread(values)
    if method == MEAN:
        return summary.mean
    if method == MEDIAN:
        return summary.median
    raise ValueError(_("Unknown consensus method: %(method)s.") % {"method": method})
