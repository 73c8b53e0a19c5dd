"""The results of an evaluation: a handful of queries, then the plain calculations.

Everything here is computed from recorded consensus scores and cost lines only (never from the
scores of an open round), so the results page, the report, the exports and the API can show it
to anyone who may view the evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.utils.translation import gettext as _

from . import scoring, sensitivity, services, tco, topsis
from .choices import CostMode, LicenceModel
from .models import Candidate, Consensus, CostItem, Evaluation

COST_KEY = "cost"  # key of the cost criterion when cost is weighted
MONTE_CARLO_DRAWS = 10_000


@dataclass
class CandidateCost:
    candidate: Candidate
    tco: tco.Tco

    @property
    def has_costs(self) -> bool:
        return self.tco.total > 0


@dataclass
class Results:
    evaluation: Evaluation
    candidates: list  # competing Candidates, input order
    categories: list
    criteria: list
    tree: scoring.CriteriaTree | None = None
    problems: list = field(default_factory=list)  # weight problems: no totals until fixed
    totals: scoring.Totals | None = None
    costs: dict = field(default_factory=dict)  # candidate id -> CandidateCost
    consensus_count: int = 0
    items: int = 0  # candidates x criteria to agree on
    close_call: bool = False
    topsis: topsis.TopsisResult | None = None
    agreement: topsis.Agreement | None = None
    sensitivity: sensitivity.Sensitivity | None = None
    monte_carlo: sensitivity.MonteCarloResult | None = None
    cost_weighted: bool = False
    error: str = ""

    @cached_property
    def by_id(self) -> dict:
        return {c.pk: c for c in self.candidates}

    @cached_property
    def criterion_by_id(self) -> dict:
        return {c.pk: c for c in self.criteria}

    def name_of_criterion(self, key) -> str:
        if key == COST_KEY:
            return str(_("Total cost of ownership"))
        criterion = self.criterion_by_id.get(key)
        return criterion.name if criterion else str(key)

    @property
    def ranking(self) -> list:
        return self.totals.ranking if self.totals else []

    @property
    def winner(self) -> Candidate | None:
        ranking = self.ranking
        return self.by_id[ranking[0].candidate] if ranking else None

    @property
    def complete(self) -> bool:
        return self.items > 0 and self.consensus_count >= self.items


def candidate_costs(evaluation: Evaluation, candidates, items=None) -> dict:
    """Candidate id -> CandidateCost over the evaluation's horizon (licences from the candidate's
    licence terms, every other cost from its cost lines)."""
    horizon = evaluation.horizon_years
    rate = evaluation.discount_rate / Decimal(100)
    if items is None:
        items = CostItem.objects.filter(evaluation=evaluation)
    lines: dict = {c.pk: [] for c in candidates}
    for item in items:
        if item.candidate_id not in lines or item.year > horizon:
            continue
        year = item.year - 1
        if item.every_year:
            lines[item.candidate_id] += tco.recurring(item.category, item.amount, horizon, start=year, label=item.note)
        else:
            lines[item.candidate_id].append(tco.CostLine(item.category, year, item.amount, item.note))
    result = {}
    for candidate in candidates:
        own = list(lines[candidate.pk])
        if candidate.licence_model == LicenceModel.SUBSCRIPTION and evaluation.users:
            own += tco.subscription(evaluation.users, candidate.price_per_user_year, horizon)
        elif candidate.licence_model == LicenceModel.PERPETUAL:
            own += tco.perpetual(candidate.perpetual_fee, candidate.maintenance_percent / Decimal(100), horizon)
        result[candidate.pk] = CandidateCost(candidate, tco.tco(own, horizon, rate, evaluation.users or None))
    return result


def compute(evaluation: Evaluation, *, with_sensitivity: bool = True) -> Results:
    categories = services.categories_of(evaluation)
    criteria = services.criteria_of(evaluation)
    candidates = services.competing(evaluation)
    result = Results(evaluation=evaluation, candidates=candidates, categories=categories, criteria=criteria)
    try:
        tree = services.build_tree(categories, criteria)
    except ValueError as exc:
        result.error = str(exc)
        return result
    result.problems = tree.problems()
    result.costs = candidate_costs(evaluation, candidates)
    scores: dict = {}
    candidate_ids = {c.pk for c in candidates}
    for row in Consensus.objects.filter(evaluation=evaluation).values_list("candidate_id", "criterion_id", "value", "passed"):
        candidate_id, criterion_id, value, passed = row
        if candidate_id not in candidate_ids:
            continue
        scores[(candidate_id, criterion_id)] = passed if passed is not None else (None if value is None else float(value))
    result.consensus_count = sum(1 for v in scores.values() if v is not None)
    result.items = len(candidates) * len(criteria)
    result.cost_weighted = evaluation.cost_mode == CostMode.CRITERION and evaluation.cost_weight > 0
    if result.cost_weighted and not result.problems:
        tree = _with_cost(tree, float(evaluation.cost_weight) / 100)
        costed = {key: cost.tco.npv for key, cost in result.costs.items() if cost.has_costs}
        for key, value in tco.cost_scores(costed).items():
            scores[(key, COST_KEY)] = value
    result.tree = tree
    if result.problems or not candidates:
        return result
    readmitted = {c.pk for c in candidates if c.readmitted}
    try:
        result.totals = scoring.weighted_totals([c.pk for c in candidates], tree, scores, readmitted=readmitted)
    except ValueError as exc:
        result.error = str(exc)
        return result
    ranked = result.totals.ranked_totals()
    result.close_call = scoring.close_call(ranked, float(evaluation.close_call_margin))
    matrix = result.totals.ranked_matrix
    if len(matrix.candidates) and len(matrix.criteria) and matrix.weights.sum() > 0:
        result.topsis = topsis.topsis(matrix.values, matrix.weights, candidates=matrix.candidates)
        result.agreement = topsis.agreement({r.candidate: r.rank for r in result.totals.ranking}, result.topsis.ranking)
        if with_sensitivity:
            result.sensitivity = sensitivity.weight_sensitivity(
                matrix.weights, matrix.values, candidates=matrix.candidates, criteria=matrix.criteria
            )
            result.monte_carlo = sensitivity.monte_carlo(
                matrix.weights, matrix.values, spread=float(evaluation.monte_carlo_spread) / 100,
                draws=MONTE_CARLO_DRAWS, seed=evaluation.pk, candidates=matrix.candidates,
            )
    return result


def _with_cost(tree: scoring.CriteriaTree, share: float) -> scoring.CriteriaTree:
    """The tree with cost as a top-level criterion taking `share`; the other top-level items share the rest."""
    categories = [
        scoring.Category(c.key, c.name, c.weight * (1 - share) if c.parent is None else c.weight, c.parent)
        for c in tree.categories.values()
    ]
    criteria = [
        scoring.Criterion(
            c.key, c.name, c.weight * (1 - share) if c.category is None and not c.knockout else c.weight,
            c.category, c.scale_min, c.scale_max, c.knockout,
        )
        for c in tree.criteria.values()
    ]
    criteria.append(scoring.Criterion(COST_KEY, str(_("Total cost of ownership")), share, None, 0, 1))
    return scoring.CriteriaTree(categories, criteria)
