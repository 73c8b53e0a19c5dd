"""Permission-checked lookups: one way to answer 404 (not your project) or 403 (not your role).

Every page, export, feed and API endpoint of a project goes through `project_access`.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from . import policy
from .models import Membership, Project


@dataclass(frozen=True)
class Access:
    project: Project
    role: str
    user: object

    def can(self, area: str, action: str = "view") -> bool:
        return policy.allows(self.role, area, action)

    def require(self, area: str, action: str = "view"):
        if not self.can(area, action):
            raise PermissionDenied(_("Your role in this project does not allow this."))


def membership_for(user, project_pk) -> Membership | None:
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.select_related("project")
        .filter(user=user, project_id=project_pk)
        .first()
    )


def project_access(user, project_pk, area: str | None = None, action: str = "view") -> Access:
    """The user's access to a project: 404 when not a member, 403 when the role forbids."""
    membership = membership_for(user, project_pk)
    if membership is None:
        raise Http404(_("No such project."))
    access = Access(project=membership.project, role=membership.role, user=user)
    if area is not None:
        access.require(area, action)
    return access
