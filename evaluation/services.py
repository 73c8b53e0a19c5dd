"""State changes of an evaluation (rounds, scores, consensus, re-admission, decision) and reading
its rows into the plain structures of scoring.py.

Blind scoring: while a round is open, `visible_scores` gives a user their own scores only; the
pages, exports and the API read scores through it and nothing else. The results are computed
from consensus scores alone, and a consensus can only be recorded for a closed round, so nothing
scored in an open round reaches a total, a chart or an export.

Lead-only actions raise PermissionDenied with a message; bad input raises ValidationError with
a message naming the field. Each action runs in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from projectcrm.core.services import EditConflict, conflict_changes

from . import scoring
from .choices import COMPETING, EvaluationStatus, RoundStatus
from .models import (
    Assignment,
    Candidate,
    Category,
    Consensus,
    Criterion,
    Evaluation,
    Round,
    Score,
    TeamMember,
)


def require_lead(evaluation: Evaluation, user, action: str) -> None:
    if not evaluation.is_lead(user):
        raise PermissionDenied(
            _("Only the evaluation lead can %(action)s.") % {"action": action}
        )


# ---------------------------------------------------------------------------------------------
# Reading the tree, the team and the candidates
# ---------------------------------------------------------------------------------------------


def categories_of(evaluation) -> list[Category]:
    return list(Category.objects.filter(evaluation=evaluation).order_by("order", "name", "pk"))


def criteria_of(evaluation) -> list[Criterion]:
    return list(Criterion.objects.filter(evaluation=evaluation).order_by("order", "name", "pk"))


def competing(evaluation) -> list[Candidate]:
    return list(Candidate.objects.filter(evaluation=evaluation, status__in=COMPETING).order_by("name", "pk"))


def build_tree(categories, criteria) -> scoring.CriteriaTree:
    return scoring.CriteriaTree(
        [scoring.Category(c.pk, c.name, float(c.weight) / 100, c.parent_id) for c in categories],
        [
            scoring.Criterion(
                k.pk, k.name, float(k.weight) / 100, k.category_id, k.scale_min, k.scale_max, k.knockout
            )
            for k in criteria
        ],
    )


def ordered_tree(categories, criteria) -> list[tuple[int, object]]:
    """(depth, Category or Criterion) in reading order: each category followed by its contents."""
    children = defaultdict(list)
    for category in categories:
        children[category.parent_id].append(category)
    members = defaultdict(list)
    for criterion in criteria:
        members[criterion.category_id].append(criterion)
    rows = []

    def walk(parent, depth):
        for criterion in members[parent]:
            rows.append((depth, criterion))
        for category in children[parent]:
            rows.append((depth, category))
            walk(category.pk, depth + 1)

    walk(None, 0)
    return rows


def descendants(categories, category_id) -> set:
    """The category and every category inside it, as ids."""
    children = defaultdict(list)
    for category in categories:
        children[category.parent_id].append(category.pk)
    found, stack = set(), [category_id]
    while stack:
        key = stack.pop()
        if key not in found:
            found.add(key)
            stack.extend(children[key])
    return found


def team_member(evaluation, user) -> TeamMember | None:
    if user is None or not user.is_authenticated:
        return None
    return TeamMember.objects.filter(evaluation=evaluation, user=user).first()


def assigned_criteria(evaluation, user, categories=None, criteria=None) -> list[Criterion]:
    """The criteria `user` scores: all of them without assignments, else the assigned ones."""
    member = team_member(evaluation, user)
    if member is None:
        return []
    criteria = criteria if criteria is not None else criteria_of(evaluation)
    assignments = list(Assignment.objects.filter(member=member))
    if not assignments:
        return criteria
    categories = categories if categories is not None else categories_of(evaluation)
    category_ids, criterion_ids = set(), set()
    for assignment in assignments:
        if assignment.category_id:
            category_ids |= descendants(categories, assignment.category_id)
        else:
            criterion_ids.add(assignment.criterion_id)
    return [c for c in criteria if c.pk in criterion_ids or c.category_id in category_ids]


# ---------------------------------------------------------------------------------------------
# Rounds
# ---------------------------------------------------------------------------------------------


def open_round(evaluation, user, name: str = "") -> Round:
    require_lead(evaluation, user, _("open a scoring round"))
    with transaction.atomic():
        Evaluation.objects.select_for_update().filter(pk=evaluation.pk).first()
        if Round.objects.filter(evaluation=evaluation, status=RoundStatus.OPEN).exists():
            raise ValidationError(_("A round is already open; close it before opening another."))
        if not TeamMember.objects.filter(evaluation=evaluation).exists():
            raise ValidationError(_("Add the evaluation team before opening a round."))
        if not Candidate.objects.filter(evaluation=evaluation, status__in=COMPETING).exists():
            raise ValidationError(_("Add the candidates before opening a round."))
        number = (Round.objects.filter(evaluation=evaluation).aggregate(m=Max("number"))["m"] or 0) + 1
        round_ = Round(
            evaluation=evaluation, project_id=evaluation.project_id, number=number, name=name,
            status=RoundStatus.OPEN, opened_by=user, opened_at=timezone.now(),
        )
        round_._history_user = user
        round_.save()
        if evaluation.status == EvaluationStatus.SETUP:
            evaluation.status = EvaluationStatus.IN_PROGRESS
            evaluation.version += 1
            evaluation._history_user = user
            evaluation.save(update_fields=["status", "version", "updated"])
    return round_


def close_round(round_: Round, user) -> Round:
    require_lead(round_.evaluation, user, _("close a scoring round"))
    with transaction.atomic():
        round_ = Round.objects.select_for_update().get(pk=round_.pk)
        if not round_.is_open:
            raise ValidationError(_("This round is already closed."))
        round_.status = RoundStatus.CLOSED
        round_.closed_by = user
        round_.closed_at = timezone.now()
        round_.version += 1
        round_._history_user = user
        round_.save()
    return round_


def reopen_round(round_: Round, user, reason: str) -> Round:
    require_lead(round_.evaluation, user, _("reopen a scoring round"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the round is reopened; the reason is kept in its history.")})
    with transaction.atomic():
        round_ = Round.objects.select_for_update().get(pk=round_.pk)
        if round_.is_open:
            raise ValidationError(_("This round is already open."))
        if Round.objects.filter(evaluation_id=round_.evaluation_id, status=RoundStatus.OPEN).exists():
            raise ValidationError(_("Another round is open; close it first."))
        round_.status = RoundStatus.OPEN
        round_.reopen_count += 1
        round_.reopen_reason = reason
        round_.closed_at = None
        round_.closed_by = None
        round_.version += 1
        round_._history_user = user
        round_.save()
    return round_


def current_round(evaluation) -> Round | None:
    return Round.objects.filter(evaluation=evaluation, status=RoundStatus.OPEN).first()


# ---------------------------------------------------------------------------------------------
# Scores (blind while the round is open)
# ---------------------------------------------------------------------------------------------


def visible_scores(round_: Round, user):
    """The scores of a round `user` may read: their own while it is open, all once it is closed."""
    scores = Score.objects.filter(round=round_)
    if round_.is_open:
        return scores.filter(evaluator=user) if user is not None and user.is_authenticated else scores.none()
    return scores


def parse_value(criterion: Criterion, raw) -> tuple[Decimal | None, bool | None]:
    """A typed score as (value, passed): pass/fail for knock-outs, a number on the scale otherwise.

    Empty input clears the score. ValidationError names the criterion when the input is wrong.
    """
    text = "" if raw is None else str(raw).strip()
    if text == "":
        return None, None
    if criterion.knockout:
        lowered = text.lower()
        if lowered in {"pass", "true", "1", "yes", str(_("Pass")).lower()}:
            return None, True
        if lowered in {"fail", "false", "0", "no", str(_("Fail")).lower()}:
            return None, False
        raise ValidationError(
            {"value": _("“%(criterion)s” is a knock-out: score it pass or fail.") % {"criterion": criterion.name}}
        )
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValidationError(
            {"value": _("“%(value)s” is not a number (score of “%(criterion)s”).") % {"value": text, "criterion": criterion.name}}
        ) from None
    if not value.is_finite() or not criterion.scale_min <= value <= criterion.scale_max:
        raise ValidationError(
            {"value": _("The score of “%(criterion)s” must lie between %(low)d and %(high)d.")
             % {"criterion": criterion.name, "low": criterion.scale_min, "high": criterion.scale_max}}
        )
    if value.as_tuple().exponent < -2:
        raise ValidationError({"value": _("Give the score with at most two decimals.")})
    return value.quantize(Decimal("0.01")), None


def save_score(round_: Round, user, candidate: Candidate, criterion: Criterion, raw_value, comment: str = "",
               evidence: str = "", seen_version: int | None = None) -> Score:
    """Save one of the user's own scores in an open round (create or update), refusing stale edits.

    Each evaluator's scores are their own rows, so two evaluators saving at the same moment never
    touch the same row; the same evaluator saving from two tabs gets an EditConflict for the older.
    """
    evaluation = round_.evaluation
    if candidate.evaluation_id != evaluation.pk or criterion.evaluation_id != evaluation.pk:
        raise ValidationError(_("This candidate or criterion belongs to another evaluation."))
    if candidate.status not in COMPETING:
        raise ValidationError(_("“%(name)s” is no longer a candidate.") % {"name": candidate.name})
    if criterion.pk not in {c.pk for c in assigned_criteria(evaluation, user)}:
        raise PermissionDenied(_("You are not assigned to score “%(criterion)s”.") % {"criterion": criterion.name})
    value, passed = parse_value(criterion, raw_value)
    evidence = (evidence or "").strip()
    if evidence:
        from django.core.validators import URLValidator

        try:
            URLValidator()(evidence)
        except ValidationError:
            raise ValidationError({"evidence": _("The evidence link must be a web address (https://…).")}) from None
    for attempt in range(2):
        try:
            with transaction.atomic():
                locked = Round.objects.select_for_update().get(pk=round_.pk)
                if not locked.is_open:
                    raise ValidationError(_("The round is closed: its scores are read-only."))
                score = (
                    Score.objects.select_for_update()
                    .filter(round=round_, evaluator=user, candidate=candidate, criterion=criterion)
                    .first()
                )
                if score is None:
                    score = Score(
                        round=round_, evaluator=user, candidate=candidate, criterion=criterion,
                        evaluation_id=evaluation.pk, project_id=evaluation.project_id,
                    )
                elif seen_version is not None and score.version != seen_version:
                    changes, by = conflict_changes(Score, score.pk, seen_version, score)
                    raise EditConflict(score, changes, by)
                else:
                    score.version += 1
                score.value, score.passed = value, passed
                score.comment = (comment or "").strip()
                score.evidence = evidence
                score._history_user = user
                score.save()
                return score
        except IntegrityError:
            # Two saves of the same new cell raced (same evaluator, two tabs): the second one
            # finds the row the first created on its retry.
            if attempt:
                raise
    raise AssertionError("unreachable")


# ---------------------------------------------------------------------------------------------
# Panel statistics and consensus
# ---------------------------------------------------------------------------------------------


def score_number(score) -> float | None:
    """A score as a number for statistics: its value, or 1/0 for pass/fail."""
    if score.passed is not None:
        return 1.0 if score.passed else 0.0
    return None if score.value is None else float(score.value)


class Mark(NamedTuple):
    """One score as the panel statistics read it (plain values: a closed round may hold 45,000)."""

    evaluator_id: int
    value: Decimal | None
    passed: bool | None
    comment: str

    @property
    def shown(self) -> str:
        if self.passed is not None:
            return str(_("Pass") if self.passed else _("Fail"))
        return "" if self.value is None else f"{self.value.normalize():f}"


def panel_of(round_: Round) -> dict:
    """{(candidate id, criterion id): {evaluator id: Mark}} of a closed round (empty scores left out)."""
    if round_.is_open:
        raise PermissionDenied(_("Scores of an open round are not shown."))
    panel: dict = defaultdict(dict)
    rows = Score.objects.filter(round=round_).values_list(
        "candidate_id", "criterion_id", "evaluator_id", "value", "passed", "comment"
    )
    for candidate_id, criterion_id, evaluator_id, value, passed, comment in rows.iterator(chunk_size=5000):
        if value is None and passed is None:
            continue
        panel[(candidate_id, criterion_id)][evaluator_id] = Mark(evaluator_id, value, passed, comment)
    return panel


def proposal(evaluation, criterion: Criterion, scores) -> tuple[Decimal | None, bool | None]:
    """The default consensus proposed from the panel's scores: mean or median; majority for pass/fail."""
    if criterion.knockout:
        outcomes = [s.passed for s in scores if s.passed is not None]
        if not outcomes:
            return None, None
        passes = sum(1 for p in outcomes if p)
        # A tie does not pass: a must-have needs a majority saying it is met.
        return None, passes * 2 > len(outcomes)
    numbers = [float(s.value) for s in scores if s.value is not None]
    if not numbers:
        return None, None
    value = scoring.consensus_proposal(numbers, evaluation.consensus_method)
    return Decimal(str(round(value, 2))), None


def flagged(evaluation, criterion: Criterion, scores) -> bool:
    """Scores that disagree enough to discuss: any split on a knock-out, or a range at the threshold."""
    numbers = [n for n in (score_number(s) for s in scores) if n is not None]
    if len(numbers) < 2:
        return False
    if criterion.knockout:
        return len(set(numbers)) > 1
    return max(numbers) - min(numbers) >= float(evaluation.disagreement_range) - scoring.TIE_TOLERANCE


def record_consensus(evaluation, round_: Round, candidate: Candidate, criterion: Criterion, raw_value,
                     rationale: str, user, seen_version: int | None = None) -> Consensus:
    require_lead(evaluation, user, _("record consensus scores"))
    if round_.evaluation_id != evaluation.pk or candidate.evaluation_id != evaluation.pk or criterion.evaluation_id != evaluation.pk:
        raise ValidationError(_("This candidate or criterion belongs to another evaluation."))
    value, passed = parse_value(criterion, raw_value)
    if value is None and passed is None:
        raise ValidationError({"value": _("Give the consensus score of “%(criterion)s”.") % {"criterion": criterion.name}})
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round_.pk)
        if locked.is_open:
            raise ValidationError(_("Close the round before recording consensus."))
        scores = list(Score.objects.filter(round=round_, candidate=candidate, criterion=criterion))
        suggested, _suggested_pass = proposal(evaluation, criterion, scores)
        row = Consensus.objects.select_for_update().filter(candidate=candidate, criterion=criterion).first()
        if row is None:
            row = Consensus(
                candidate=candidate, criterion=criterion, evaluation_id=evaluation.pk, project_id=evaluation.project_id
            )
        elif seen_version is not None and row.version != seen_version:
            changes, by = conflict_changes(Consensus, row.pk, seen_version, row)
            raise EditConflict(row, changes, by)
        else:
            row.version += 1
        row.round = round_
        row.value, row.passed = value, passed
        row.proposal = suggested
        row.rationale = (rationale or "").strip()
        row.recorded_by = user
        row._history_user = user
        row.save()
    return row


def accept_proposals(evaluation, round_: Round, user) -> int:
    """Record the proposal as consensus for every item of the round that is not flagged and has no
    consensus yet; returns how many were recorded. Flagged items wait for a discussion."""
    require_lead(evaluation, user, _("record consensus scores"))
    if round_.is_open:
        raise ValidationError(_("Close the round before recording consensus."))
    criteria = {c.pk: c for c in criteria_of(evaluation)}
    existing = set(Consensus.objects.filter(evaluation=evaluation).values_list("candidate_id", "criterion_id"))
    method = evaluation.get_consensus_method_display()
    rationale = _("Proposal accepted: %(method)s, no disagreement.") % {"method": method}
    rows = []
    for (candidate_id, criterion_id), by_evaluator in panel_of(round_).items():
        criterion = criteria.get(criterion_id)
        if criterion is None or (candidate_id, criterion_id) in existing:
            continue
        scores = list(by_evaluator.values())
        if flagged(evaluation, criterion, scores):
            continue
        value, passed = proposal(evaluation, criterion, scores)
        if value is None and passed is None:
            continue
        rows.append(
            Consensus(
                project_id=evaluation.project_id, evaluation_id=evaluation.pk, candidate_id=candidate_id,
                criterion_id=criterion_id, round=round_, value=value, passed=passed, proposal=value,
                rationale=rationale, recorded_by=user,
            )
        )
    with transaction.atomic():
        bulk_create_with_history(rows, Consensus, batch_size=500, default_user=user)
    return len(rows)


# ---------------------------------------------------------------------------------------------
# Knock-outs and the decision
# ---------------------------------------------------------------------------------------------


def readmit(candidate: Candidate, user, reason: str) -> Candidate:
    evaluation = candidate.evaluation
    require_lead(evaluation, user, _("re-admit a candidate"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Write the justification for re-admitting “%(name)s”.") % {"name": candidate.name}})
    with transaction.atomic():
        candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
        candidate.readmitted = True
        candidate.readmission_reason = reason
        candidate.readmitted_by = user
        candidate.version += 1
        candidate._history_user = user
        candidate.save()
    return candidate


def withdraw_readmission(candidate: Candidate, user) -> Candidate:
    require_lead(candidate.evaluation, user, _("re-admit a candidate"))
    with transaction.atomic():
        candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
        candidate.readmitted = False
        candidate.readmitted_by = None
        candidate.version += 1
        candidate._history_user = user
        candidate.save()
    return candidate


def decide(evaluation, user, candidate: Candidate | None, rationale: str, seen_version: int | None = None) -> Evaluation:
    require_lead(evaluation, user, _("record the decision"))
    rationale = (rationale or "").strip()
    if candidate is None:
        raise ValidationError({"selected": _("Choose the selected candidate.")})
    if candidate.evaluation_id != evaluation.pk:
        raise ValidationError({"selected": _("The selected candidate must be a candidate of this evaluation.")})
    if not rationale:
        raise ValidationError({"rationale": _("Write the rationale of the decision.")})
    with transaction.atomic():
        current = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if seen_version is not None and current.version != seen_version:
            changes, by = conflict_changes(Evaluation, current.pk, seen_version, current)
            raise EditConflict(current, changes, by)
        current.selected = candidate
        current.decision_rationale = rationale
        current.decided_on = timezone.localdate()
        current.status = EvaluationStatus.DECIDED
        current.version += 1
        current._history_user = user
        current.save()
    return current
