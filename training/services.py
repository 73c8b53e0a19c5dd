"""State changes of the training area: enrolment and the waiting list, attendance and scores,
sign-off, the trainee's acknowledgement and new course versions.

Each change runs in one transaction and records who made it in the row's history
(`obj._history_user`). Refusals are exceptions with a message for the person who asked:
PermissionDenied when the person may not do it (not a member, a role that may not change the
training area, a trainee signing themself off), ValidationError when the input is wrong (score
below the pass mark, no room, a second sign-off of the same version).

Capacity: a session holds at most `capacity` people with status "enrolled"; everyone beyond goes
on the waiting list, in the order they joined it (`created`; a cancelled enrolment that joins
again is re-stamped, so it queues at the end). Cancelling an enrolled place, or raising the
capacity and calling `promote_waiting`, moves the first people on the waiting list up. The session
row is locked while places are counted, so two trainers enrolling at once cannot overfill it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projectcrm.core import policy
from projectcrm.core.models import Membership
from projectcrm.core.services import EditConflict, conflict_changes

from . import readiness
from .choices import Delivery, EnrolmentStatus, SessionStatus
from .models import Course, Enrolment, SignOff, Trainee, TrainingSession

ACKNOWLEDGE_SALT = "training.acknowledge"
NOTE_LENGTH = 100  # a version's note is the history's change reason (100 characters)


# ---------------------------------------------------------------------------------------------
# Who may change training records
# ---------------------------------------------------------------------------------------------


def training_role(user, project) -> str | None:
    """The user's role in the project, or None when they are not a member."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(user=user, project=project).values_list("role", flat=True).first()


def require_trainer(user, project) -> None:
    """PermissionDenied unless the user is a member whose role may change the training area."""
    role = training_role(user, project)
    if role is None:
        raise PermissionDenied(
            _("%(name)s is not a member of this project, so cannot change its training records.")
            % {"name": display_name(user)}
        )
    if not policy.allows(role, "training", "change"):
        raise PermissionDenied(
            _("The role of %(name)s in this project (%(role)s) may not change training records: ask a trainer or the project manager.")
            % {"name": display_name(user), "role": Membership(role=role).get_role_display()}
        )


def number(value) -> str:
    """A score or pass mark as people write it: 70, 72.5."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def display_name(user) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


# ---------------------------------------------------------------------------------------------
# Enrolment, waiting list, cancellation
# ---------------------------------------------------------------------------------------------


@dataclass
class EnrolResult:
    """What `enrol` did: who got a place, who went on the waiting list, who was left out and why."""

    enrolled: list = field(default_factory=list)  # Trainee
    waiting: list = field(default_factory=list)  # Trainee
    skipped: list = field(default_factory=list)  # (Trainee, reason)


def signed_off_on_current(course: Course, trainee_ids) -> set[int]:
    """Ids of the trainees who hold a sign-off of the course's current version."""
    return set(
        SignOff.objects.filter(course=course, course_version=course.content_version, trainee_id__in=list(trainee_ids))
        .values_list("trainee_id", flat=True)
    )


def group_candidates(session: TrainingSession, department=None, job_role=None):
    """Active trainees of a department and/or job role who are not yet in the session (enrolled or
    waiting) and not signed off on the course's current version; by name."""
    if department is None and job_role is None:
        raise ValidationError(_("Choose a department, a job role or both."))
    queryset = Trainee.objects.filter(project_id=session.project_id, active=True)
    if department is not None:
        queryset = queryset.filter(department=department)
    if job_role is not None:
        queryset = queryset.filter(job_role=job_role)
    course = session.course
    return (
        queryset.exclude(enrolments__session=session, enrolments__status__in=[EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITING])
        .exclude(sign_offs__course=course, sign_offs__course_version=course.content_version)
        .order_by("name", "pk")
    )


def _enrolled_count(session: TrainingSession) -> int:
    return Enrolment.objects.filter(session=session, status=EnrolmentStatus.ENROLLED).count()


def enrol(session: TrainingSession, trainees, user) -> EnrolResult:
    """Enrol trainees (in the order given) while places last, the rest on the waiting list.

    Left out, with the reason: people already in the session, who have left, of another
    project, or already signed off on the course's current version.
    """
    require_trainer(user, session.project)
    trainees = list(trainees)
    result = EnrolResult()
    with transaction.atomic():
        locked = TrainingSession.objects.select_for_update().select_related("course").get(pk=session.pk)
        if locked.status == SessionStatus.CANCELLED:
            raise ValidationError(_("This session is cancelled: nobody can enrol in it."))
        existing = {e.trainee_id: e for e in Enrolment.objects.select_for_update().filter(session=locked)}
        signed = signed_off_on_current(locked.course, [t.pk for t in trainees])
        free = locked.capacity - _enrolled_count(locked)
        seen = set()
        for trainee in trainees:
            if trainee.pk in seen:
                continue
            seen.add(trainee.pk)
            current = existing.get(trainee.pk)
            reason = None
            if trainee.project_id != locked.project_id:
                reason = _("belongs to another project")
            elif not trainee.active:
                reason = _("has left (inactive)")
            elif current is not None and current.status == EnrolmentStatus.ENROLLED:
                reason = _("is already enrolled")
            elif current is not None and current.status == EnrolmentStatus.WAITING:
                reason = _("is already on the waiting list")
            elif trainee.pk in signed:
                reason = _("is already signed off on this version of the course")
            if reason:
                result.skipped.append((trainee, reason))
                continue
            status = EnrolmentStatus.ENROLLED if free > 0 else EnrolmentStatus.WAITING
            if status == EnrolmentStatus.ENROLLED:
                free -= 1
            if current is None:
                current = Enrolment(project_id=locked.project_id, session=locked, trainee=trainee)
            else:
                # A cancelled enrolment joins again: it queues from now on.
                current.created = timezone.now()
                current.version += 1
            current.status = status
            current._history_user = user
            current.save()
            (result.enrolled if status == EnrolmentStatus.ENROLLED else result.waiting).append(trainee)
    return result


def enrol_group(session: TrainingSession, user, *, department=None, job_role=None) -> EnrolResult:
    """Enrol everyone active of a department and/or job role who is not in the session already and
    not signed off on the course's current version."""
    return enrol(session, list(group_candidates(session, department, job_role)), user)


def promote_waiting(session: TrainingSession, user) -> list[Enrolment]:
    """Give free places to the first people on the waiting list; the promoted enrolments."""
    require_trainer(user, session.project)
    with transaction.atomic():
        locked = TrainingSession.objects.select_for_update().get(pk=session.pk)
        return _promote(locked, user)


def _promote(locked: TrainingSession, user) -> list[Enrolment]:
    if locked.status == SessionStatus.CANCELLED:
        return []
    free = locked.capacity - _enrolled_count(locked)
    if free <= 0:
        return []
    promoted = list(
        Enrolment.objects.select_for_update().select_related("trainee")
        .filter(session=locked, status=EnrolmentStatus.WAITING).order_by("created", "pk")[:free]
    )
    for enrolment in promoted:
        enrolment.status = EnrolmentStatus.ENROLLED
        enrolment.version += 1
        enrolment._history_user = user
        enrolment.save()
    return promoted


def cancel_enrolment(enrolment: Enrolment, user) -> list[Enrolment]:
    """Cancel a place (or a place on the waiting list); a freed place goes to the first waiting.

    Returns the enrolments promoted from the waiting list (none or one, more when the capacity
    was raised meanwhile).
    """
    require_trainer(user, enrolment.project)
    with transaction.atomic():
        locked_session = TrainingSession.objects.select_for_update().get(pk=enrolment.session_id)
        row = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if row.status == EnrolmentStatus.CANCELLED:
            raise ValidationError(_("This enrolment is already cancelled."))
        if row.attended:
            raise ValidationError(
                _("%(name)s attended the session: clear the attendance before cancelling the enrolment.")
                % {"name": row.trainee.name}
            )
        row.status = EnrolmentStatus.CANCELLED
        row.version += 1
        row._history_user = user
        row.save()
        enrolment.status, enrolment.version = row.status, row.version
        return _promote(locked_session, user)


# ---------------------------------------------------------------------------------------------
# Attendance and assessment score
# ---------------------------------------------------------------------------------------------


def parse_score(raw) -> Decimal | None:
    """A score from a form ("", "85", "85.5", "85,5") as a Decimal 0..100 with one decimal at most."""
    if raw is None:
        return None
    if isinstance(raw, (int, float, Decimal)):
        text = str(raw)
    else:
        text = str(raw).strip().replace(",", ".").rstrip("%").strip()
    if text == "":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError({"score": _("The score must be a number between 0 and 100.")})
    if not value.is_finite() or value < 0 or value > 100:
        raise ValidationError({"score": _("The score must be a number between 0 and 100.")})
    if value != value.quantize(Decimal("0.1")):
        raise ValidationError({"score": _("Enter the score with one decimal at most.")})
    return value.quantize(Decimal("0.1"))


def passes(course: Course, score) -> bool | None:
    """True/False against the course's pass mark; None when there is no pass mark or no score."""
    if course.pass_mark is None or score is None:
        return None
    return Decimal(score) >= course.pass_mark


def record_result(enrolment: Enrolment, user, *, attended: bool | None, score=None,
                  seen_version: int | None = None) -> Enrolment:
    """Save a person's attendance and assessment score, refusing an edit made on an older version.

    `score`: as typed (see `parse_score`). A score needs attendance; only enrolled people (not
    the waiting list or cancelled places) have attendance.
    """
    require_trainer(user, enrolment.project)
    value = parse_score(score)
    if value is not None and attended is not True:
        raise ValidationError(
            {"score": _("%(name)s has a score but is not marked as attended: tick attendance or clear the score.")
             % {"name": enrolment.trainee.name}}
        )
    with transaction.atomic():
        row = Enrolment.objects.select_for_update().select_related("session", "trainee").get(pk=enrolment.pk)
        if seen_version is not None and row.version != seen_version:
            changes, by = conflict_changes(Enrolment, row.pk, seen_version, row)
            raise EditConflict(row, changes, by)
        if row.session.status == SessionStatus.CANCELLED:
            raise ValidationError(_("This session is cancelled: it has no attendance."))
        if row.status != EnrolmentStatus.ENROLLED:
            raise ValidationError(
                _("%(name)s is not enrolled (%(status)s): only enrolled people have attendance.")
                % {"name": row.trainee.name, "status": row.get_status_display().lower()}
            )
        if row.attended == attended and row.score == value:
            return row  # nothing changed: no new version, no history row
        row.attended = attended
        row.score = value
        row.version += 1
        row._history_user = user
        row.save()
        return row


# ---------------------------------------------------------------------------------------------
# Sign-off
# ---------------------------------------------------------------------------------------------


def sign_off(trainee: Trainee, course: Course, signer, *, score=None, practical_done: bool = False, note: str = "",
             session: TrainingSession | None = None) -> SignOff:
    """Sign off a trainee's competence in the course's current version.

    Refused (PermissionDenied) when the signer is not a member of the course's project, when their
    role may not change the training area, or when they are the trainee. Refused
    (ValidationError) when the course has a pass mark the score does not reach, a practical task
    not done, when the trainee left or belongs to another project, and when the trainee already
    holds a sign-off of this version. From a session: the trainee must be enrolled and have
    attended, and the session's score is used when no score is given.
    """
    project = course.project
    require_trainer(signer, project)
    if trainee.user_id is not None and signer is not None and trainee.user_id == signer.pk:
        raise PermissionDenied(_("A trainee cannot sign off themselves: another trainer must sign off %(name)s.")
                               % {"name": trainee.name})
    if trainee.project_id != course.project_id:
        raise ValidationError(_("%(name)s is not a trainee of this project.") % {"name": trainee.name})
    if not trainee.active:
        raise ValidationError(_("%(name)s has left (inactive) and cannot be signed off.") % {"name": trainee.name})
    if session is not None:
        if session.course_id != course.pk:
            raise ValidationError(_("This session is for another course."))
        enrolment = Enrolment.objects.filter(session=session, trainee=trainee).first()
        if enrolment is None or enrolment.status != EnrolmentStatus.ENROLLED:
            raise ValidationError(_("%(name)s is not enrolled in this session.") % {"name": trainee.name})
        if enrolment.attended is not True:
            raise ValidationError(_("Record the attendance of %(name)s before signing off.") % {"name": trainee.name})
        if score is None:
            score = enrolment.score
    value = parse_score(score)
    if course.pass_mark is not None:
        if value is None:
            raise ValidationError(
                _("Enter the assessment score of %(name)s first: the pass mark of the course is %(mark)s%%.")
                % {"name": trainee.name, "mark": number(course.pass_mark)}
            )
        if value < course.pass_mark:
            raise ValidationError(
                _("%(name)s scored %(score)s%%, below the pass mark of %(mark)s%%: not signed off.")
                % {"name": trainee.name, "score": number(value), "mark": number(course.pass_mark)}
            )
    if course.practical_task and not practical_done:
        raise ValidationError(
            _("Confirm that %(name)s has done the practical task (“%(task)s”) before signing off.")
            % {"name": trainee.name, "task": course.practical_task}
        )
    try:
        with transaction.atomic():
            current = Course.objects.select_for_update().get(pk=course.pk)
            if SignOff.objects.filter(trainee=trainee, course=current, course_version=current.content_version).exists():
                raise ValidationError(
                    _("%(name)s is already signed off on version %(version)s of this course.")
                    % {"name": trainee.name, "version": current.content_version}
                )
            row = SignOff(
                project_id=current.project_id, trainee=trainee, course=current, course_version=current.content_version,
                signed_by=signer, signed_on=timezone.localdate(), score=value, practical_done=bool(practical_done),
                note=(note or "").strip(),
            )
            row._history_user = signer
            row.save()
    except IntegrityError:
        # Two trainers signed off the same person at the same moment: the first one counts.
        raise ValidationError(
            _("%(name)s is already signed off on version %(version)s of this course.")
            % {"name": trainee.name, "version": course.content_version}
        )
    return row


def sign_off_state(row: SignOff, today=None) -> str:
    """readiness.VALID, SUPERSEDED or EXPIRED for a sign-off (its course joined)."""
    course = row.course
    return readiness.sign_off_state(
        row.course_version, course.content_version, course.material_versions or [], row.signed_on,
        course.valid_months, today or timezone.localdate(),
    )


def is_valid(row: SignOff, today=None) -> bool:
    course = row.course
    return readiness.sign_off_valid(
        row.course_version, course.content_version, course.material_versions or [], row.signed_on,
        course.valid_months, today or timezone.localdate(),
    )


def trainer_qualification(trainee: Trainee | None, today=None) -> SignOff | None:
    """Train the trainer: the trainee's valid sign-off on a train-the-trainer course, if any."""
    if trainee is None:
        return None
    rows = (
        SignOff.objects.filter(trainee=trainee, course__delivery=Delivery.TRAIN_THE_TRAINER)
        .select_related("course").order_by("-signed_on", "-pk")
    )
    return next((row for row in rows if is_valid(row, today)), None)


# ---------------------------------------------------------------------------------------------
# The trainee's acknowledgement (no login: a signed link)
# ---------------------------------------------------------------------------------------------


def acknowledge_token(row: SignOff) -> str:
    """The signed token of a sign-off's acknowledgement link (bound to the sign-off and project)."""
    return signing.dumps({"s": row.pk, "p": row.project_id}, salt=ACKNOWLEDGE_SALT)


def sign_off_for_token(token: str, project_pk: int) -> SignOff | None:
    """The sign-off a token stands for, or None when it is forged or for another project."""
    try:
        data = signing.loads(token, salt=ACKNOWLEDGE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("p") != project_pk or not isinstance(data.get("s"), int):
        return None
    return (
        SignOff.objects.select_related("trainee", "course", "signed_by", "project")
        .filter(pk=data["s"], project_id=project_pk).first()
    )


def acknowledge(row: SignOff) -> bool:
    """Record the trainee's acknowledgement once; False when it was already recorded."""
    with transaction.atomic():
        locked = SignOff.objects.select_for_update().select_related("trainee").get(pk=row.pk)
        if locked.acknowledged_on is not None:
            row.acknowledged_on = locked.acknowledged_on
            return False
        locked.acknowledged_on = timezone.now()
        locked.version += 1
        locked._history_user = locked.trainee.user  # the trainee's account if they have one, else nobody
        locked.save()
        row.acknowledged_on, row.version = locked.acknowledged_on, locked.version
        return True


# ---------------------------------------------------------------------------------------------
# Course versions
# ---------------------------------------------------------------------------------------------


def new_course_version(course: Course, user, *, material: bool = False, note: str = "") -> Course:
    """Give the course its next version. A material change makes earlier sign-offs lapse
    (readiness.sign_off_valid); the note is the reason recorded in the course's history."""
    require_trainer(user, course.project)
    note = (note or "").strip()
    if material and not note:
        raise ValidationError({"note": _("Say what changed materially: people signed off before must be trained again.")})
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        locked.content_version += 1
        if material:
            locked.material_versions = [*(locked.material_versions or []), locked.content_version]
        locked.version += 1
        locked._history_user = user
        locked._change_reason = note[:NOTE_LENGTH] or None  # shown with the version on the course page
        locked.save()
    course.content_version, course.material_versions, course.version = (
        locked.content_version, locked.material_versions, locked.version
    )
    return course
