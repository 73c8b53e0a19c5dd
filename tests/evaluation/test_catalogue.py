"""Starter criteria catalogues (evaluation/catalogue.py and evaluation/catalogues/*.json).

No database: the catalogues are data files, read and resolved to one language in plain Python.
"""

import copy

import pytest
from django.utils import translation

from evaluation import catalogue
from evaluation.catalogue import CATALOGUES, LANGUAGES, SCALE_LEVELS, load, resolve_language, validate

SOFTWARE_TOPICS = {
    "functional-scope",
    "deployment-model",
    "access",
    "licensing",
    "customisation",
    "integration",
    "reporting",
    "usability",
    "security-residency",
    "vendor-viability",
    "ecosystem",
    "support",
    "localisation",
}
PARTNER_TOPICS = {
    "experience",
    "references",
    "methodology",
    "team",
    "change-training",
    "geographic-fit",
    "commercial-terms",
    "cultural-fit",
}
# Characters that exist only in simplified script (their traditional forms differ), and the reverse.
SIMPLIFIED_ONLY = set("软数据设计说这们个级报户务应员进门时实现发关项开对业络询务")
TRADITIONAL_ONLY = set("軟數據設計說這們個級報戶務應員進門時實現發關項開對業絡詢")


def all_texts(raw: dict):
    """Every three-language text object in a raw catalogue."""
    if set(raw) == set(LANGUAGES):
        yield raw
        return
    for value in raw.values():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict):
                yield from all_texts(item)


def loaded_texts(cat: catalogue.Catalogue):
    yield cat.name
    yield cat.description
    for category in cat.categories:
        yield category.name
        yield category.description
        for criterion in category.criteria:
            yield criterion.name
            yield criterion.description
            yield criterion.pass_text
            yield from criterion.scale


# --- the shipped files ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", CATALOGUES)
def test_shipped_catalogues_are_valid(key):
    assert validate(catalogue.raw(key)) == []


@pytest.mark.parametrize("key, topics", [("software", SOFTWARE_TOPICS), ("partner", PARTNER_TOPICS)])
def test_every_required_topic_has_a_category(key, topics):
    assert {category.key for category in load(key, "en").categories} == topics


@pytest.mark.parametrize("key, low, high", [("software", 36, 46), ("partner", 20, 28)])
def test_number_of_criteria(key, low, high):
    cat = load(key, "en")
    assert low <= len(cat.criteria) <= high
    assert all(2 <= len(category.criteria) <= 4 for category in cat.categories)


def test_knock_outs():
    software = {
        c.key: category.key
        for category in load("software", "en").categories
        for c in category.criteria
        if c.knockout
    }
    assert software == {"data-residency": "security-residency", "chinese-language": "localisation"}
    partner = [c.key for c in load("partner", "en").criteria if c.knockout]
    assert partner == ["named-team"]


def test_realistic_weights():
    weights = {category.key: category.weight for category in load("software", "en").categories}
    ranked = sorted(weights, key=weights.get, reverse=True)
    assert set(ranked[:2]) == {"functional-scope", "integration"}
    assert ranked[-1] == "ecosystem"


@pytest.mark.parametrize("key", CATALOGUES)
def test_loaded_criteria_carry_a_scale_or_a_pass_text(key):
    for category in load(key, "en").categories:
        assert sum(c.weight for c in category.criteria) == 100
        for criterion in category.criteria:
            if criterion.knockout:
                assert criterion.weight == 0
                assert criterion.scale == ()
                assert criterion.pass_text
            else:
                assert criterion.weight > 0
                assert len(criterion.scale) == SCALE_LEVELS
                assert len(set(criterion.scale)) == SCALE_LEVELS  # every level says something different
                assert criterion.pass_text == ""


# --- languages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", CATALOGUES)
def test_load_in_each_language(key):
    raw = catalogue.raw(key)
    for language in LANGUAGES:
        cat = load(key, language)
        assert cat.name == raw["name"][language]
        assert cat.categories[0].criteria[0].name == raw["categories"][0]["criteria"][0]["name"][language]
    english = load(key, "en")
    assert all(text.isascii() for text in loaded_texts(english))


@pytest.mark.parametrize("key", CATALOGUES)
def test_traditional_and_simplified_are_really_different_scripts(key):
    hans, hant = load(key, "zh-hans"), load(key, "zh-hant")
    names = [(a.name, b.name) for a, b in zip(hans.criteria, hant.criteria, strict=True)]
    assert sum(a != b for a, b in names) >= len(names) // 2
    for text in loaded_texts(hant):
        assert not SIMPLIFIED_ONLY & set(text), text
    for text in loaded_texts(hans):
        assert not TRADITIONAL_ONLY & set(text), text


def test_default_language_is_the_active_one():
    with translation.override("zh-hant"):
        assert load("software").name == catalogue.raw("software")["name"]["zh-hant"]
    with translation.override("zh-hans"):
        assert dict(catalogue.choices())["partner"] == catalogue.raw("partner")["name"]["zh-hans"]
    assert [key for key, _ in catalogue.choices()] == list(CATALOGUES)
    assert dict(catalogue.choices())["software"] == catalogue.raw("software")["name"]["en"]


@pytest.mark.parametrize(
    "code, expected",
    [
        ("en", "en"),
        ("en-us", "en"),
        ("fr", "en"),
        ("", "en"),
        (None, "en"),
        ("zh-hans", "zh-hans"),
        ("zh-cn", "zh-hans"),
        ("zh-CN", "zh-hans"),
        ("zh_CN", "zh-hans"),
        ("zh-sg", "zh-hans"),
        ("zh", "zh-hans"),
        ("zh-hant", "zh-hant"),
        ("zh-Hant-TW", "zh-hant"),
        ("zh-tw", "zh-hant"),
        ("zh_TW", "zh-hant"),
        ("zh-hk", "zh-hant"),
        ("zh-mo", "zh-hant"),
        ("zhx", "en"),
    ],
)
def test_language_mapping(code, expected):
    assert resolve_language(code) == expected


def test_load_maps_the_language_code():
    assert load("software", "zh-TW").name == load("software", "zh-hant").name
    assert load("software", "de").name == load("software", "en").name


# --- errors and caching -------------------------------------------------------------------------


def test_unknown_catalogue_is_refused():
    with pytest.raises(ValueError, match="no criteria catalogue"):
        load("hardware")
    with pytest.raises(ValueError):
        catalogue.raw("../settings")


def test_raw_file_is_read_once():
    assert catalogue.raw("software") is catalogue.raw("software")
    assert load("partner", "en") is load("partner", "en")


# --- validate() finds each kind of problem ------------------------------------------------------


@pytest.fixture
def broken():
    return copy.deepcopy(catalogue.raw("software"))


def test_validate_missing_language(broken):
    del broken["categories"][0]["criteria"][0]["scale"][2]["zh-hant"]
    broken["name"]["en"] = "  "
    problems = validate(broken)
    assert len(problems) == 2
    assert "level 2" in problems[1] and "zh-hant" in problems[1]
    assert "name" in problems[0] and "en" in problems[0]


def test_validate_category_weights(broken):
    broken["categories"][0]["weight"] += 1
    assert validate(broken) == ["software: the category weights add up to 101, not 100."]


def test_validate_criterion_weights(broken):
    broken["categories"][1]["criteria"][0]["weight"] -= 5
    (problem,) = validate(broken)
    assert problem.startswith("software › deployment-model:") and "95" in problem


def test_validate_knock_out_with_weight(broken):
    residency = next(c for c in broken["categories"][8]["criteria"] if c["knockout"])
    residency["weight"] = 10
    residency["scale"] = []
    problems = validate(broken)
    assert any("knock-out must have weight 0" in p for p in problems)
    assert any("has no scale" in p for p in problems)


def test_validate_scale_levels(broken):
    broken["categories"][2]["criteria"][0]["scale"].pop()
    broken["categories"][2]["criteria"][1].pop("scale")
    problems = validate(broken)
    assert problems == [
        "software › access › browser: the scale needs exactly 6 levels (0 to 5), not 5.",
        "software › access › mobile: the scale needs exactly 6 levels (0 to 5), not 0.",
    ]


def test_validate_duplicate_and_malformed_keys(broken):
    broken["categories"][1]["key"] = "functional-scope"
    broken["categories"][2]["criteria"][0]["key"] = "sales"
    broken["categories"][3]["criteria"][0]["key"] = "Licence Model"
    problems = validate(broken)
    assert any("category key is used twice" in p for p in problems)
    assert any("criterion key is used twice" in p for p in problems)
    assert any("lowercase letters and digits" in p for p in problems)


def test_validate_rejects_shapes_it_cannot_read():
    assert validate([]) != []
    assert validate({"key": "x", "name": {}, "description": {}, "categories": []}) != []
    problems = validate({"key": "x", "name": {}, "description": {}, "categories": ["oops", {"key": "c"}]})
    assert any("category 1 is not an object" in p for p in problems)
    assert any("has no criteria" in p for p in problems)
