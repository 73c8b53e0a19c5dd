"""The risk library: known causes of CRM project failure with countermeasures (data file)."""

import json
from functools import cache
from pathlib import Path

from django.utils.translation import get_language

LIBRARY_FILE = Path(__file__).parent / "data" / "risk_library.json"
LANGS = ("en", "zh-hans", "zh-hant")


@cache
def entries() -> list[dict]:
    with LIBRARY_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)["entries"]


def text(entry: dict, field: str, language: str | None = None) -> str:
    language = (language or get_language() or "en").lower()
    if language not in LANGS:
        language = "zh-hant" if language.startswith(("zh-tw", "zh-hk", "zh-mo")) else (
            "zh-hans" if language.startswith("zh") else "en"
        )
    values = entry[field]
    return values.get(language) or values["en"]


def localised(language: str | None = None) -> list[dict]:
    """Entries with their texts in one language."""
    fields = ("title", "description", "mitigation", "trigger", "contingency")
    return [
        {"key": e["key"], "category": e["category"], "probability": e["probability"], "impact": e["impact"],
         **{f: text(e, f, language) for f in fields}}
        for e in entries()
    ]
