"""The access policy: one table says which role may view or change which area.

Pages, exports, the calendar feed and the API all ask `allows()`; nothing else decides.
README.md prints this table (keep them in step: tests/core/test_policy.py compares them).
"""

from django.utils.translation import gettext_lazy as _

from .choices import Role

NONE, VIEW, CHANGE = 0, 1, 2

AREAS = {
    "project": _("Project and members"),
    "roadmap": _("Roadmap"),
    "evaluation": _("Evaluation"),
    "design": _("Design"),
    "testing": _("Testing and migration"),
    "training": _("Training and adoption"),
    "governance": _("Governance"),
    "reports": _("Reports"),
}

R = Role
POLICY: dict[str, dict[str, int]] = {
    #               PM       steering  evaluator  trainer  member   viewer
    "project":    {R.PROJECT_MANAGER: CHANGE, R.STEERING: VIEW, R.EVALUATOR: VIEW, R.TRAINER: VIEW, R.MEMBER: VIEW, R.VIEWER: VIEW},
    "roadmap":    {R.PROJECT_MANAGER: CHANGE, R.STEERING: VIEW, R.EVALUATOR: VIEW, R.TRAINER: VIEW, R.MEMBER: CHANGE, R.VIEWER: VIEW},
    # Vendor prices and scores are commercially sensitive: trainers and viewers do not see them.
    "evaluation": {R.PROJECT_MANAGER: CHANGE, R.STEERING: VIEW, R.EVALUATOR: CHANGE, R.TRAINER: NONE, R.MEMBER: VIEW, R.VIEWER: NONE},
    "design":     {R.PROJECT_MANAGER: CHANGE, R.STEERING: VIEW, R.EVALUATOR: VIEW, R.TRAINER: VIEW, R.MEMBER: CHANGE, R.VIEWER: VIEW},
    "testing":    {R.PROJECT_MANAGER: CHANGE, R.STEERING: VIEW, R.EVALUATOR: VIEW, R.TRAINER: VIEW, R.MEMBER: CHANGE, R.VIEWER: VIEW},
    "training":   {R.PROJECT_MANAGER: CHANGE, R.STEERING: VIEW, R.EVALUATOR: VIEW, R.TRAINER: CHANGE, R.MEMBER: VIEW, R.VIEWER: VIEW},
    "governance": {R.PROJECT_MANAGER: CHANGE, R.STEERING: CHANGE, R.EVALUATOR: VIEW, R.TRAINER: VIEW, R.MEMBER: CHANGE, R.VIEWER: VIEW},
    "reports":    {R.PROJECT_MANAGER: CHANGE, R.STEERING: CHANGE, R.EVALUATOR: VIEW, R.TRAINER: VIEW, R.MEMBER: VIEW, R.VIEWER: VIEW},
}


def level(role: str | None, area: str) -> int:
    if role is None:
        return NONE
    return POLICY[area].get(role, NONE)


def allows(role: str | None, area: str, action: str) -> bool:
    """May a member with `role` perform `action` ("view" or "change") in `area`?"""
    needed = CHANGE if action == "change" else VIEW
    return level(role, area) >= needed
