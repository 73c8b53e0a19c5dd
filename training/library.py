"""Reference job roles of the people a CRM rollout trains (data file, three languages)."""

import json
from functools import cache
from pathlib import Path

from projectcrm.governance.library import text

LIBRARY_FILE = Path(__file__).parent / "data" / "job_roles.json"


@cache
def entries() -> list[dict]:
    with LIBRARY_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)["entries"]


def localised(language: str | None = None) -> list[dict]:
    """The roles with their name and description in one language."""
    return [{"key": e["key"], "name": text(e, "name", language), "description": text(e, "description", language)}
            for e in entries()]
