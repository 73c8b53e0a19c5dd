"""Phase gates: exit criteria read from evidence, committee votes, and the project's pass rule."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projectcrm.core.choices import Role
from projectcrm.core.models import Membership
from projectcrm.core.services import save_versioned
from projectcrm.governance.choices import ISSUE_DONE, Priority
from projectcrm.governance.models import ActionItem, Issue

from .choices import CriterionKind, GateRule, GateStatus, ItemKind, TaskStatus, Vote
from .models import Gate, GateVote, Task

# Evidence kinds whose areas are not built yet: they are checked by hand until they exist.
# Lazy: this table is built at import, and each reader sees the note in their own language.
NOT_YET_BUILT = {
    CriterionKind.TEST_PASS_RATE: gettext_lazy("The testing area is not built yet: check this by hand."),
    CriterionKind.MOCK_MIGRATION: gettext_lazy("The data migration area is not built yet: check this by hand."),
}


@dataclass
class CriterionResult:
    criterion: object
    met: bool
    automatic: bool
    evidence: str
    link: str = ""


@dataclass
class Tally:
    committee: list
    votes: dict  # user id -> GateVote
    yes: int = 0
    no: int = 0
    sponsor_yes: bool = False
    sponsor_no: bool = False
    conditions: list = field(default_factory=list)


def evaluate(criterion) -> CriterionResult:
    gate = criterion.gate
    phase = gate.phase
    project = gate.project
    kind = criterion.kind
    if kind == CriterionKind.DELIVERABLES_ACCEPTED:
        deliverables = Task.objects.filter(phase=phase, kind=ItemKind.DELIVERABLE)
        total = deliverables.count()
        accepted = deliverables.filter(status=TaskStatus.ACCEPTED).count()
        link = reverse("roadmap:tasks-list", kwargs={"project": project.pk}) + f"?phase={phase.pk}&kind=deliverable"
        return CriterionResult(
            criterion, total > 0 and accepted == total, True,
            _("%(accepted)d of %(total)d deliverables of the phase accepted.") % {"accepted": accepted, "total": total},
            link,
        )
    if kind == CriterionKind.NO_OPEN_CRITICAL_ISSUES:
        count = Issue.objects.filter(project=project, priority=Priority.CRITICAL).exclude(status__in=ISSUE_DONE).count()
        link = reverse("governance:issues-list", kwargs={"project": project.pk}) + "?priority=critical&view=open"
        return CriterionResult(
            criterion, count == 0, True, _("%(n)d open critical issues.") % {"n": count}, link
        )
    if kind == CriterionKind.TRAINING_SIGNOFF:
        from training.gates import training_readiness

        evidence = training_readiness(project)
        threshold = criterion.threshold if criterion.threshold is not None else 100
        if evidence.percent is None:
            return CriterionResult(
                criterion, False, True, _("No training is required yet: add curricula and trainees."), evidence.link
            )
        return CriterionResult(
            criterion, evidence.percent >= float(threshold), True,
            _("%(percent).1f%% of the required training signed off (%(signed)d of %(required)d); threshold %(threshold)s%%.")
            % {"percent": evidence.percent, "signed": evidence.signed_off, "required": evidence.required,
               "threshold": threshold},
            evidence.link,
        )
    note = str(NOT_YET_BUILT.get(kind, ""))
    evidence = criterion.note or note or (_("Checked by hand.") if criterion.met else _("Not checked yet."))
    return CriterionResult(criterion, criterion.met, False, evidence)


def committee(project) -> list:
    """The people who vote on gates: the project's steering committee members."""
    return [
        m.user for m in Membership.objects.filter(project=project, role=Role.STEERING).select_related("user").order_by("user__username")
    ]


def tally(gate) -> Tally:
    members = committee(gate.project)
    votes = {v.voter_id: v for v in gate.votes.select_related("voter")}
    result = Tally(committee=members, votes=votes)
    member_ids = {u.pk for u in members}
    for voter_id, vote in votes.items():
        if voter_id not in member_ids:
            continue  # left the committee since voting
        if vote.decision in (Vote.GO, Vote.GO_CONDITIONS):
            result.yes += 1
            if voter_id == gate.project.sponsor_id:
                result.sponsor_yes = True
        else:
            result.no += 1
            if voter_id == gate.project.sponsor_id:
                result.sponsor_no = True
        if vote.decision == Vote.GO_CONDITIONS:
            result.conditions += [line.strip() for line in vote.conditions.splitlines() if line.strip()]
    return result


def sponsor_votes(gate) -> bool:
    """Whether the project's sponsor sits on the steering committee and so can vote."""
    sponsor = gate.project.sponsor_id
    return sponsor is not None and sponsor in {u.pk for u in committee(gate.project)}


def effective_rule(gate) -> str:
    """The gate's rule, or a plain majority when it needs a sponsor the committee lacks
    (otherwise the gate could never pass); the review page says so."""
    if gate.rule in (GateRule.SPONSOR, GateRule.SPONSOR_AND_MAJORITY) and not sponsor_votes(gate):
        return GateRule.MAJORITY
    return gate.rule


def rule_met(rule: str, t: Tally) -> bool:
    size = len(t.committee)
    majority = t.yes * 2 > size
    if rule == GateRule.SPONSOR:
        return t.sponsor_yes
    if rule == GateRule.MAJORITY:
        return majority
    if rule == GateRule.UNANIMOUS:
        return size > 0 and t.yes == size
    return t.sponsor_yes and majority  # sponsor plus majority


def rule_failed(rule: str, t: Tally) -> bool:
    """No remaining votes could still pass the gate."""
    size = len(t.committee)
    remaining = size - t.yes - t.no
    if rule == GateRule.UNANIMOUS:
        return t.no > 0
    could_be_majority = (t.yes + remaining) * 2 > size
    if rule == GateRule.MAJORITY:
        return not could_be_majority
    if rule == GateRule.SPONSOR:
        return t.sponsor_no
    return t.sponsor_no or not could_be_majority


def gate_review(gate) -> dict:
    results = [evaluate(c) for c in gate.criteria.all()]
    t = tally(gate)
    unmet = [r for r in results if not r.met]
    rule = effective_rule(gate)
    return {
        "results": results,
        "tally": t,
        "unmet": unmet,
        "rule_met": rule_met(rule, t),
        "rule_failed": rule_failed(rule, t),
        "can_pass": rule_met(rule, t) and not unmet,
        "no_sponsor": rule != gate.rule,
    }


@transaction.atomic
def cast_vote(gate, user, decision: str, comment: str, conditions: str) -> GateVote:
    if gate.status != GateStatus.OPEN:
        raise ValidationError(_("This gate is already decided."))
    if user.pk not in {u.pk for u in committee(gate.project)}:
        raise PermissionDenied(_("Only steering committee members vote on gates."))
    vote = GateVote.objects.select_for_update().filter(gate=gate, voter=user).first() or GateVote(
        project=gate.project, gate=gate, voter=user
    )
    vote.decision, vote.comment, vote.conditions = decision, comment, conditions
    vote.full_clean(exclude=["project", "gate", "voter"])
    save_versioned(vote, vote.version if vote.pk else None)
    return vote


@transaction.atomic
def decide(gate) -> str:
    """Close the gate by the rule: passed (with conditions, which become action items) or not passed."""
    gate = Gate.objects.select_for_update().get(pk=gate.pk)
    if gate.status != GateStatus.OPEN:
        raise ValidationError(_("This gate is already decided."))
    review = gate_review(gate)
    if review["can_pass"]:
        conditions = review["tally"].conditions
        gate.status = GateStatus.PASSED_CONDITIONS if conditions else GateStatus.PASSED
        for text in conditions:
            ActionItem(
                project=gate.project, title=text[:200], description=_("Condition of %(gate)s") % {"gate": gate.name},
                source_meeting=gate.name[:200],
            ).save()
    elif review["rule_failed"]:
        gate.status = GateStatus.FAILED
    else:
        unmet = ", ".join(r.criterion.text for r in review["unmet"])
        if unmet:
            raise ValidationError(_("The gate cannot pass while criteria are unmet: %(list)s.") % {"list": unmet})
        raise ValidationError(_("The votes do not meet the gate's rule yet."))
    gate.decided_on = timezone.localdate()
    save_versioned(gate, gate.version)
    return gate.status


@transaction.atomic
def reopen(gate):
    """Open a gate that did not pass, for another review; its votes are cleared (kept in history)."""
    gate = Gate.objects.select_for_update().get(pk=gate.pk)
    if gate.status != GateStatus.FAILED:
        raise ValidationError(_("Only a gate that did not pass can be reopened."))
    for vote in gate.votes.all():
        vote.delete()
    gate.status = GateStatus.OPEN
    gate.decided_on = None
    save_versioned(gate, gate.version)
    return gate
