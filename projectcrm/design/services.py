"""State changes of the design area: a use case's review, sign-off and reopening.

    draft --review--> reviewed --approve (sign-off)--> approved
      ^                   |                                |
      +------reopen-------+------------reopen--------------+

- review and reopen need a role that may change the design area;
- approve is the business owner's own act: only the use case's `business_owner` may sign it off,
  and only while they may view the design area (a viewer who owns the use case signs off too);
- reopening clears the sign-off on the row; its history keeps who signed and when.

Each change runs in one transaction with the row locked (select_for_update), raises the version
by one and leaves one history row naming the user. Refusals raise ValidationError (a message for
the page) or PermissionDenied (a role that may not act), and change nothing.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projectcrm.core import policy
from projectcrm.core.access import membership_for

from .choices import UseCaseStatus
from .models import UseCase

AREA = "design"
REVIEW, APPROVE, REOPEN = "review", "approve", "reopen"
ACTIONS = (REVIEW, APPROVE, REOPEN)


def role_of(user, project) -> str | None:
    """The user's role in the project (None outside it), read the way every page reads it."""
    membership = membership_for(user, project.pk) if user is not None else None
    return membership.role if membership else None


def display_name(user) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


def _require(user, project, action: str) -> None:
    if not policy.allows(role_of(user, project), AREA, action):
        raise PermissionDenied(_("Your role in this project does not allow this."))


def may_sign_off(use_case: UseCase, user, role: str | None) -> bool:
    """Whether `user` (with `role` in the project) may sign off this use case now."""
    return (
        use_case.status == UseCaseStatus.REVIEWED
        and use_case.business_owner_id is not None
        and user is not None
        and use_case.business_owner_id == user.pk
        and policy.allows(role, AREA, "view")
    )


def _locked(use_case: UseCase) -> UseCase:
    return UseCase.objects.select_for_update().get(pk=use_case.pk)


def _save(row: UseCase, user, reason: str) -> UseCase:
    row.version += 1
    row._history_user = user
    row._change_reason = reason
    row.save()
    return row


def review(use_case: UseCase, user) -> UseCase:
    """draft → reviewed (a role that may change the design area)."""
    _require(user, use_case.project, "change")
    with transaction.atomic():
        row = _locked(use_case)
        if row.status != UseCaseStatus.DRAFT:
            raise ValidationError(
                _("%(ref)s is “%(status)s”: only a draft use case can be marked as reviewed.")
                % {"ref": row.ref, "status": row.get_status_display()}
            )
        row.status = UseCaseStatus.REVIEWED
        return _save(row, user, "reviewed")


def approve(use_case: UseCase, user) -> UseCase:
    """reviewed → approved: the business owner's sign-off, stamped with who and when."""
    with transaction.atomic():
        row = _locked(use_case)
        if row.business_owner_id is None:
            raise ValidationError(
                _("%(ref)s has no business owner: name one on the use case before it can be signed off.")
                % {"ref": row.ref}
            )
        if user is None or row.business_owner_id != user.pk:
            raise ValidationError(
                _("Only the business owner of %(ref)s (%(owner)s) may sign it off.")
                % {"ref": row.ref, "owner": display_name(row.business_owner)}
            )
        _require(user, row.project, "view")
        if row.status == UseCaseStatus.APPROVED:
            raise ValidationError(_("%(ref)s is already signed off.") % {"ref": row.ref})
        if row.status != UseCaseStatus.REVIEWED:
            raise ValidationError(
                _("%(ref)s has not been reviewed yet: it must be reviewed before it is signed off.")
                % {"ref": row.ref}
            )
        row.status = UseCaseStatus.APPROVED
        row.signed_off_by = user
        row.signed_off_at = timezone.now()
        return _save(row, user, "signed off")


def reopen(use_case: UseCase, user) -> UseCase:
    """reviewed or approved → draft; the sign-off is cleared (the history keeps it)."""
    _require(user, use_case.project, "change")
    with transaction.atomic():
        row = _locked(use_case)
        if row.status == UseCaseStatus.DRAFT:
            raise ValidationError(_("%(ref)s is already a draft.") % {"ref": row.ref})
        row.status = UseCaseStatus.DRAFT
        row.signed_off_by = None
        row.signed_off_at = None
        return _save(row, user, "reopened")


def apply(use_case: UseCase, user, action: str) -> UseCase:
    """Run one of ACTIONS by name (the status form posts `action`)."""
    handlers = {REVIEW: review, APPROVE: approve, REOPEN: reopen}
    if action not in handlers:
        raise ValidationError(_("“%(action)s” is not an action on a use case.") % {"action": action})
    return handlers[action](use_case, user)
