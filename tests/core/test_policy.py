"""The policy table itself: a few hand-checked cells and its shape."""

import pytest

from projectcrm.core import policy
from projectcrm.core.choices import Role


@pytest.mark.parametrize(
    ("role", "area", "action", "allowed"),
    [
        # Vendor prices and scores are commercially sensitive.
        (Role.VIEWER, "evaluation", "view", False),
        (Role.TRAINER, "evaluation", "view", False),
        (Role.EVALUATOR, "evaluation", "change", True),
        (Role.TRAINER, "training", "change", True),
        (Role.STEERING, "governance", "change", True),
        (Role.STEERING, "roadmap", "change", False),
        (Role.MEMBER, "project", "change", False),
        (Role.MEMBER, "project", "view", True),
        (Role.PROJECT_MANAGER, "project", "change", True),
        (Role.VIEWER, "governance", "view", True),
        (Role.VIEWER, "governance", "change", False),
    ],
)
def test_it_allows_hand_picked_cells(role, area, action, allowed):
    assert policy.allows(role, area, action) is allowed


def test_it_names_every_role_in_every_area():
    roles = {role.value for role in Role}
    for area, row in policy.POLICY.items():
        assert set(row) == roles, f"{area}: roles {sorted(roles - set(row))} missing"


def test_it_has_a_row_for_every_area_and_no_more():
    assert set(policy.POLICY) == set(policy.AREAS)


def test_every_cell_is_a_known_level():
    for row in policy.POLICY.values():
        assert set(row.values()) <= {policy.NONE, policy.VIEW, policy.CHANGE}


def test_project_managers_may_change_everything():
    for area in policy.AREAS:
        assert policy.allows(Role.PROJECT_MANAGER, area, "change"), area


def test_change_implies_view():
    for area, row in policy.POLICY.items():
        for role in row:
            if policy.allows(role, area, "change"):
                assert policy.allows(role, area, "view"), (area, role)


def test_no_membership_allows_nothing():
    for area in policy.AREAS:
        assert not policy.allows(None, area, "view")
        assert not policy.allows(None, area, "change")


def test_readme_prints_the_policy_table():
    """README.md documents the matrix; it must say what policy.py enforces."""
    from pathlib import Path

    from django.utils import translation

    from projectcrm.core.choices import Role
    from projectcrm.core.policy import AREAS, CHANGE, NONE, POLICY, VIEW

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    words = {"change": CHANGE, "view": VIEW, "–": NONE}
    with translation.override("en"):
        labels = {str(label): key for key, label in AREAS.items()}
    rows = {}
    for line in readme.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] in labels and len(cells) == 7:
            rows[labels[cells[0]]] = [words[c] for c in cells[1:]]
    assert set(rows) == set(POLICY)
    order = [Role.PROJECT_MANAGER, Role.STEERING, Role.EVALUATOR, Role.TRAINER, Role.MEMBER, Role.VIEWER]
    for area, levels in rows.items():
        assert levels == [POLICY[area][role] for role in order], area
