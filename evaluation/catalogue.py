"""Starter criteria catalogues: data files in three languages (evaluation/catalogues/*.json).

Plain Python (no models, no request): an evaluation is seeded from one of these catalogues, then the
project edits its own copy. `load()` gives a catalogue with every text already in one language;
`validate()` lists what is wrong with a raw catalogue (the tests run it on both shipped files).

File format
-----------
``{"key", "name", "description", "categories": [...]}``; a category is ``{"key", "name",
"description", "weight", "criteria": [...]}``; a criterion is ``{"key", "name", "description",
"weight", "knockout"}`` plus, for a weighted criterion, ``"scale"`` (six level texts, level 0 first,
level 5 last) or, for a knock-out, ``"pass"`` (what passing means; the scale is pass/fail).
Every text is an object ``{"en": ..., "zh-hans": ..., "zh-hant": ...}``.

* **Weights** are local whole percentages: the categories' weights add up to exactly 100, and within
  each category the weights of its weighted criteria add up to exactly 100. A knock-out carries
  weight 0 and takes no part in the sum. (``scoring.py`` wants fractions of 1: divide by 100.)
* **Keys** are lowercase words joined by hyphens; category keys are unique within the catalogue,
  and criterion keys are unique within the whole catalogue (not just their category).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import get_language
from django.utils.translation import gettext as _

FOLDER = Path(__file__).parent / "catalogues"
CATALOGUES = ("software", "partner")
LANGUAGES = ("en", "zh-hans", "zh-hant")
SCALE_LEVELS = 6  # an anchored 0-5 scale
TOTAL = 100  # weights are percentages

KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TRADITIONAL = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")


@dataclass(frozen=True)
class CatalogueCriterion:
    key: str
    name: str
    description: str
    weight: int  # percent of its category; 0 for a knock-out
    knockout: bool
    scale: tuple[str, ...] = ()  # six level texts (0..5) for a weighted criterion; empty for a knock-out
    pass_text: str = ""  # what passing means, for a knock-out; empty for a weighted criterion


@dataclass(frozen=True)
class CatalogueCategory:
    key: str
    name: str
    description: str
    weight: int  # percent of the catalogue
    criteria: tuple[CatalogueCriterion, ...]


@dataclass(frozen=True)
class Catalogue:
    key: str
    name: str
    description: str
    categories: tuple[CatalogueCategory, ...]

    @property
    def criteria(self) -> tuple[CatalogueCriterion, ...]:
        """Every criterion, category by category, in file order."""
        return tuple(criterion for category in self.categories for criterion in category.criteria)


def resolve_language(code: str | None) -> str:
    """One of en / zh-hans / zh-hant for any language code ("zh-TW" and "zh_HK" → zh-hant, "zh" → zh-hans)."""
    code = (code or "").lower().replace("_", "-")
    if code in LANGUAGES:
        return code
    if code == "zh" or code.startswith("zh-"):
        return "zh-hant" if code.startswith(_TRADITIONAL) else "zh-hans"
    return "en"


@cache
def raw(key: str) -> dict:
    """The parsed file of a catalogue, read once per process. Shared: copy it before changing it."""
    if key not in CATALOGUES:
        raise ValueError(_("There is no criteria catalogue “%(key)s”.") % {"key": key})
    with (FOLDER / f"{key}.json").open(encoding="utf-8") as handle:
        return json.load(handle)


def load(key: str, language: str | None = None) -> Catalogue:
    """The catalogue with its texts in one language (default: the active language)."""
    if key not in CATALOGUES:
        raise ValueError(_("There is no criteria catalogue “%(key)s”.") % {"key": key})
    return _load(key, resolve_language(language if language is not None else get_language()))


def choices() -> list[tuple[str, str]]:
    """(key, name in the active language) of every catalogue, for a form's choice field."""
    return [(key, load(key).name) for key in CATALOGUES]


@cache
def _load(key: str, language: str) -> Catalogue:
    data = raw(key)
    return Catalogue(
        key=data["key"],
        name=_text(data["name"], language),
        description=_text(data["description"], language),
        categories=tuple(
            CatalogueCategory(
                key=category["key"],
                name=_text(category["name"], language),
                description=_text(category["description"], language),
                weight=category["weight"],
                criteria=tuple(_criterion(criterion, language) for criterion in category["criteria"]),
            )
            for category in data["categories"]
        ),
    )


def _criterion(data: dict, language: str) -> CatalogueCriterion:
    knockout = bool(data.get("knockout"))
    return CatalogueCriterion(
        key=data["key"],
        name=_text(data["name"], language),
        description=_text(data["description"], language),
        weight=0 if knockout else data["weight"],
        knockout=knockout,
        scale=() if knockout else tuple(_text(level, language) for level in data.get("scale", ())),
        pass_text=_text(data.get("pass"), language) if knockout else "",
    )


def _text(value, language: str) -> str:
    if not value:
        return ""
    return value.get(language) or value.get("en") or ""


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


def validate(data: dict) -> list[str]:
    """Every problem in a raw catalogue, one translated message each; an empty list means it is sound."""
    problems: list[str] = []
    if not isinstance(data, dict):
        return [_("A catalogue must be an object with a key, texts and categories.")]
    where = str(data.get("key") or "?")
    _check_key(data.get("key"), where, problems)
    _check_texts(data, ("name", "description"), where, problems)
    categories = data.get("categories")
    if not isinstance(categories, list) or not categories:
        problems.append(_("%(where)s: the catalogue has no categories.") % {"where": where})
        return problems

    category_keys: set = set()
    criterion_keys: set = set()
    category_weights = []
    for index, category in enumerate(categories, start=1):
        if not isinstance(category, dict):
            problems.append(
                _("%(where)s: category %(number)s is not an object.") % {"where": where, "number": index}
            )
            continue
        c_where = f"{where} › {category.get('key') or index}"
        _check_key(category.get("key"), c_where, problems)
        if category.get("key") in category_keys:
            problems.append(_("%(where)s: the category key is used twice.") % {"where": c_where})
        category_keys.add(category.get("key"))
        _check_texts(category, ("name", "description"), c_where, problems)
        category_weights.append(_check_weight(category.get("weight"), c_where, problems))
        _check_criteria(category.get("criteria"), c_where, criterion_keys, problems)
    if not _adds_up(category_weights):
        problems.append(
            _("%(where)s: the category weights add up to %(total)s, not %(expected)s.")
            % {"where": where, "total": f"{sum(category_weights):g}", "expected": TOTAL}
        )
    return problems


def _check_criteria(criteria, where: str, seen: set, problems: list[str]):
    if not isinstance(criteria, list) or not criteria:
        problems.append(_("%(where)s: the category has no criteria.") % {"where": where})
        return
    weights = []
    for index, criterion in enumerate(criteria, start=1):
        if not isinstance(criterion, dict):
            problems.append(
                _("%(where)s: criterion %(number)s is not an object.") % {"where": where, "number": index}
            )
            continue
        c_where = f"{where} › {criterion.get('key') or index}"
        _check_key(criterion.get("key"), c_where, problems)
        if criterion.get("key") in seen:
            problems.append(
                _("%(where)s: the criterion key is used twice in the catalogue.") % {"where": c_where}
            )
        seen.add(criterion.get("key"))
        _check_texts(criterion, ("name", "description"), c_where, problems)
        knockout = criterion.get("knockout")
        if not isinstance(knockout, bool):
            problems.append(_("%(where)s: “knockout” must be true or false.") % {"where": c_where})
        if knockout is True:
            if criterion.get("weight") != 0:
                problems.append(_("%(where)s: a knock-out must have weight 0.") % {"where": c_where})
            if "scale" in criterion:
                problems.append(
                    _("%(where)s: a knock-out is pass/fail and has no scale.") % {"where": c_where}
                )
            _check_texts(criterion, ("pass",), c_where, problems)
            continue
        weights.append(_check_weight(criterion.get("weight"), c_where, problems))
        if "pass" in criterion:
            problems.append(_("%(where)s: only a knock-out has a pass text.") % {"where": c_where})
        scale = criterion.get("scale")
        if not isinstance(scale, list) or len(scale) != SCALE_LEVELS:
            problems.append(
                _("%(where)s: the scale needs exactly %(levels)s levels (0 to 5), not %(count)s.")
                % {
                    "where": c_where,
                    "levels": SCALE_LEVELS,
                    "count": len(scale) if isinstance(scale, list) else 0,
                }
            )
        else:
            for level, text in enumerate(scale):
                level_name = _("level %(level)s") % {"level": level}
                _check_text(text, f"{c_where} › {level_name}", problems)
    if not weights:
        problems.append(_("%(where)s: the category has no weighted criterion.") % {"where": where})
    elif not _adds_up(weights):
        problems.append(
            _("%(where)s: the weights of the weighted criteria add up to %(total)s, not %(expected)s.")
            % {"where": where, "total": f"{sum(weights):g}", "expected": TOTAL}
        )


def _check_key(key, where: str, problems: list[str]):
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        problems.append(
            _("%(where)s: the key must be lowercase letters and digits joined by hyphens.") % {"where": where}
        )


def _check_texts(data: dict, fields: tuple[str, ...], where: str, problems: list[str]):
    for field in fields:
        _check_text(data.get(field), f"{where} › {field}", problems)


def _check_text(value, where: str, problems: list[str]):
    if not isinstance(value, dict):
        problems.append(_("%(where)s: the text is missing.") % {"where": where})
        return
    for language in LANGUAGES:
        text = value.get(language)
        if not isinstance(text, str) or not text.strip():
            problems.append(
                _("%(where)s: the text in %(language)s is missing.") % {"where": where, "language": language}
            )


def _check_weight(weight, where: str, problems: list[str]) -> float:
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not weight > 0:
        problems.append(_("%(where)s: the weight must be a positive number.") % {"where": where})
        return 0
    return weight


def _adds_up(weights: list[float]) -> bool:
    return math.isclose(sum(weights), TOTAL, abs_tol=1e-9)
