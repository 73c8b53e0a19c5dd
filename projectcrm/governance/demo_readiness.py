"""Stub: filled in by its owner."""


def seed(project, users):
    """Idempotent demo rows of this part (see projectcrm/core/management/commands/seed_demo.py)."""
