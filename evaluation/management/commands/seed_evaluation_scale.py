"""Build the synthetic evaluation of the evaluation benchmark.

    python manage.py seed_evaluation_scale [--candidates 25] [--criteria 150] [--evaluators 12]

The project "Evaluation scale test" (replacing one of that name, like seed_roadmap_scale) holds one
evaluation led by scale-pm:

* the criteria in up to 10 top categories (about 15 criteria each), every top category with one
  subcategory holding a third of its weighted criteria; local weights in percent with two decimals
  that add up to exactly 100 at every level (the rounding remainder goes to the last item);
* one knock-out criterion per 50 criteria (at least one), counted in --criteria;
* the candidates, short-listed, each with a subscription price and five cost lines;
* the evaluators: users scale-evaluator-01, -02, ... (evaluator members of the project, password
  DEMO_PASSWORD) on the evaluation team;
* one closed round in which every evaluator scored every candidate on every criterion, and a
  consensus for every candidate and criterion (the panel's mean; every candidate passes the
  knock-outs, though some evaluators failed some).

Members are also the seed_scale users (scale-pm is the project manager). The full size writes
25 x 150 x 12 = 45,000 scores.
"""

import datetime
import random
from decimal import Decimal
from itertools import batched

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone, translation

from evaluation import scoring
from evaluation.choices import (
    CandidateStatus,
    CostCategory,
    EvaluationStatus,
    LicenceModel,
    RoundStatus,
    Stage,
)
from evaluation.models import (
    Candidate,
    Category,
    Consensus,
    CostItem,
    Criterion,
    Evaluation,
    Round,
    Score,
    TeamMember,
)
from projectcrm.core.choices import ProjectStatus, Role
from projectcrm.core.management.commands.seed_scale import BATCH_SIZE, bulk, scale_members, wipe
from projectcrm.core.models import Membership, Project

PROJECT_NAME = "Evaluation scale test"
EVALUATION_NAME = "Scale: CRM software"
CANDIDATES, CRITERIA, EVALUATORS = 25, 150, 12
TOP_CATEGORIES = [
    "Sales", "Service", "Marketing", "Integration", "Data and reporting", "Platform and security", "Usability",
    "Mobile", "Vendor", "Implementation",
]
CRITERIA_PER_CATEGORY = 15
CRITERIA_PER_KNOCKOUT = 50
LICENSED_USERS = 250
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def evaluator_name(index: int) -> str:
    return f"scale-evaluator-{index:02d}"


def percents(count: int, rng: random.Random) -> list[Decimal]:
    """`count` random local weights in percent, two decimals, adding up to exactly 100."""
    raw = [rng.uniform(1.0, 3.0) for _ in range(count)]
    total = sum(raw)
    weights = [(HUNDRED * Decimal(value / total)).quantize(CENT) for value in raw[:-1]]
    return [*weights, HUNDRED - sum(weights, Decimal(0))]


def shares(total: int, parts: int) -> list[int]:
    """`total` split into `parts` sizes differing by at most one, larger ones first."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def evaluators_of(project, count: int) -> list:
    """The evaluator users, created when missing (one password hash for all: hashing is slow)."""
    User = get_user_model()
    password = None
    users = []
    for index in range(1, count + 1):
        username = evaluator_name(index)
        user = User.objects.filter(username=username).first()
        if user is None:
            password = password or make_password(settings.DEMO_PASSWORD)
            user = User.objects.create(username=username, first_name=f"Evaluator {index:02d}", last_name="Scale",
                                       password=password)
        Membership.objects.update_or_create(project=project, user=user, defaults={"role": Role.EVALUATOR})
        users.append(user)
    return users


def criteria_tree(evaluation, user, count: int, rng: random.Random) -> list[Criterion]:
    """Top categories with one subcategory each, and `count` criteria (knock-outs among them)."""
    scoped = {"project_id": evaluation.project_id, "evaluation_id": evaluation.pk}
    tops_count = max(1, min(len(TOP_CATEGORIES), round(count / CRITERIA_PER_CATEGORY)))
    knockouts = max(1, min(tops_count, round(count / CRITERIA_PER_KNOCKOUT)))
    sizes = shares(count, tops_count)
    top_names = TOP_CATEGORIES[:tops_count]
    tops = bulk(Category, [
        Category(name=name, weight=weight, order=i, **scoped)
        for i, (name, weight) in enumerate(zip(top_names, percents(tops_count, rng), strict=True), start=1)
    ], user)
    plans = []  # per top category: (direct criteria's weights, subcategory's weight or None, its size, knock-out)
    for i, size in enumerate(sizes):
        has_knockout = i < knockouts
        weighted = size - has_knockout
        inside = weighted // 3 if weighted >= 3 else 0
        local = percents(weighted - inside + (1 if inside else 0), rng)
        plans.append((local[:-1], local[-1], inside, has_knockout) if inside else (local, None, 0, has_knockout))
    subs = bulk(Category, [
        Category(name=f"{top.name}: advanced", parent_id=top.pk, weight=sub_weight, order=1, **scoped)
        for top, (_local, sub_weight, inside, _ko) in zip(tops, plans, strict=True) if inside
    ], user)
    sub_of = {sub.parent_id: sub for sub in subs}
    criteria = []
    order = 0
    for top, (local, _sub_weight, inside, has_knockout) in zip(tops, plans, strict=True):
        for j, weight in enumerate(local, start=1):
            order += 1
            criteria.append(Criterion(category_id=top.pk, name=f"{top.name} requirement {j:02d}", weight=weight,
                                      order=order, **scoped))
        if inside:
            sub = sub_of[top.pk]
            for j, weight in enumerate(percents(inside, rng), start=1):
                order += 1
                criteria.append(Criterion(category_id=sub.pk, name=f"{sub.name} {j:02d}", weight=weight, order=order,
                                          **scoped))
        if has_knockout:
            order += 1
            criteria.append(Criterion(category_id=top.pk, name=f"{top.name}: must-have", knockout=True,
                                      anchors="Met in the standard product", order=order, **scoped))
    return bulk(Criterion, criteria, user)


def candidates_of(evaluation, user, count: int, rng: random.Random) -> list[Candidate]:
    scoped = {"project_id": evaluation.project_id, "evaluation_id": evaluation.pk}
    candidates = bulk(Candidate, [
        Candidate(name=f"Vendor {i:02d}", status=CandidateStatus.SHORT_LIST, licence_model=LicenceModel.SUBSCRIPTION,
                  price_per_user_year=Decimal(rng.randrange(300, 1500, 10)), **scoped)
        for i in range(1, count + 1)
    ], user)
    costs = []
    for candidate in candidates:
        for category, year, every_year, low, high in (
            (CostCategory.IMPLEMENTATION, 1, False, 150_000, 600_000),
            (CostCategory.INTEGRATION, 1, False, 40_000, 200_000),
            (CostCategory.DATA_MIGRATION, 1, False, 20_000, 90_000),
            (CostCategory.TRAINING, 1, False, 10_000, 50_000),
            (CostCategory.SUPPORT, 2, True, 20_000, 80_000),
        ):
            costs.append(CostItem(candidate_id=candidate.pk, category=category, year=year, every_year=every_year,
                                  amount=Decimal(rng.randrange(low, high, 1000)), **scoped))
    bulk(CostItem, costs, user)
    return candidates


def scores_and_consensus(evaluation, round_, lead, candidates, criteria, evaluators, rng: random.Random) -> int:
    """Every evaluator's score of every candidate on every criterion, and the consensus of each item."""
    scoped = {"project_id": evaluation.project_id, "evaluation_id": evaluation.pk}
    bias = {user.pk: rng.gauss(0, 0.3) for user in evaluators}
    difficulty = {criterion.pk: rng.uniform(-1.0, 1.0) for criterion in criteria}
    agreed = []

    def scores():
        for candidate in candidates:
            quality = rng.uniform(1.5, 4.0)
            for criterion in criteria:
                if criterion.knockout:
                    # Some evaluators fail a must-have (the panel flags it), the consensus passes it.
                    outcomes = [rng.random() > 0.08 for _user in evaluators]
                    for user, passed in zip(evaluators, outcomes, strict=True):
                        yield Score(round_id=round_.pk, evaluator_id=user.pk, candidate_id=candidate.pk,
                                    criterion_id=criterion.pk, passed=passed, **scoped)
                    agreed.append(Consensus(candidate_id=candidate.pk, criterion_id=criterion.pk, round_id=round_.pk,
                                            passed=True, rationale="Met in the standard product.",
                                            recorded_by_id=lead.pk, **scoped))
                    continue
                true = quality + difficulty[criterion.pk] + rng.gauss(0, 0.7)
                values = [min(5, max(0, round(true + bias[user.pk] + rng.gauss(0, 0.6)))) for user in evaluators]
                for user, value in zip(evaluators, values, strict=True):
                    yield Score(round_id=round_.pk, evaluator_id=user.pk, candidate_id=candidate.pk,
                                criterion_id=criterion.pk, value=Decimal(value), **scoped)
                mean = Decimal(str(round(scoring.consensus_proposal(values, evaluation.consensus_method), 2)))
                agreed.append(Consensus(candidate_id=candidate.pk, criterion_id=criterion.pk, round_id=round_.pk,
                                        value=mean, proposal=mean, rationale="Proposal accepted: mean of the panel.",
                                        recorded_by_id=lead.pk, **scoped))

    written = 0
    for batch in batched(scores(), BATCH_SIZE):
        # Plain bulk_create, which writes no history: Score is history-tracked, but "created"
        # history rows for the benchmark's 45,000 scores are not needed and would only slow the build.
        Score.objects.bulk_create(batch)
        written += len(batch)
    bulk(Consensus, agreed, lead)
    return written


def build(candidates: int = CANDIDATES, criteria: int = CRITERIA, evaluators: int = EVALUATORS,
          seed: int = 1) -> Evaluation:
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    with translation.override("en"), transaction.atomic():
        for old in Project.objects.filter(name=PROJECT_NAME):
            wipe(old)
        project = Project.objects.create(
            name=PROJECT_NAME, company="Synthetic Frames Ltd.", status=ProjectStatus.ACTIVE,
            start_date=today - datetime.timedelta(days=90),
            objectives="Synthetic data for the evaluation benchmark.",
        )
        members = scale_members(project)
        lead = members[0]  # scale-pm
        panel = evaluators_of(project, evaluators)
        evaluation = Evaluation.objects.create(
            project=project, name=EVALUATION_NAME, lead=lead, status=EvaluationStatus.IN_PROGRESS, stage=Stage.DEMOS,
            description=f"{candidates} candidates x {criteria} criteria x {evaluators} evaluators.",
            horizon_years=5, users=LICENSED_USERS,
        )
        tree = criteria_tree(evaluation, lead, criteria, rng)
        competing = candidates_of(evaluation, lead, candidates, rng)
        scoped = {"project_id": project.pk, "evaluation_id": evaluation.pk}
        bulk(TeamMember, [TeamMember(user_id=user.pk, **scoped) for user in panel], lead)
        round_ = Round.objects.create(
            number=1, name="Scripted demos", status=RoundStatus.CLOSED, opened_by=lead,
            opened_at=now - datetime.timedelta(days=14), closed_by=lead, closed_at=now - datetime.timedelta(days=1),
            **scoped,
        )
        scores_and_consensus(evaluation, round_, lead, competing, tree, panel, rng)
    return evaluation


class Command(BaseCommand):
    help = (
        "Build the project 'Evaluation scale test' (replacing one of that name): one evaluation with the given "
        "numbers of candidates, criteria (in nested categories, a few knock-outs among them) and evaluators, one "
        "closed round in which everyone scored everything, and a consensus for every item, for bench/run.py."
    )

    def add_arguments(self, parser):
        parser.add_argument("--candidates", type=int, default=CANDIDATES, help=f"Candidates (default {CANDIDATES}).")
        parser.add_argument("--criteria", type=int, default=CRITERIA,
                            help=f"Criteria, knock-outs included (default {CRITERIA}; at least 2).")
        parser.add_argument("--evaluators", type=int, default=EVALUATORS, help=f"Evaluators (default {EVALUATORS}).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (the same seed gives the same data).")

    def handle(self, *args, candidates, criteria, evaluators, seed, **options):
        if candidates < 1 or evaluators < 1 or criteria < 2:
            raise CommandError("Give at least 1 candidate, 2 criteria and 1 evaluator.")
        started = timezone.now()
        evaluation = build(candidates, criteria, evaluators, seed)
        seconds = (timezone.now() - started).total_seconds()
        scores = candidates * criteria * evaluators
        self.stdout.write(self.style.SUCCESS(
            f"{PROJECT_NAME} (id {evaluation.project_id}): {candidates} candidates x {criteria} criteria x "
            f"{evaluators} evaluators, {scores} scores, built in {seconds:.1f} s."
        ))
