"""The methodology templates in roadmap/methodologies/ are well-formed data.

These tests read the JSON files directly (no database, no loader) so that a broken template fails
here with a message that names the file and the item, not later when a project is created from it.
"""

import json
from pathlib import Path

import pytest

METHODOLOGIES = Path(__file__).resolve().parents[2] / "roadmap" / "methodologies"
TEMPLATE_KEYS = ["book", "steps26", "blank"]
LANGUAGES = ("en", "zh-hans", "zh-hant")
ITEM_KINDS = {"deliverable", "task", "milestone"}
CRITERION_KINDS = {
    "manual",
    "deliverables_accepted",
    "no_open_critical_issues",
    "test_pass_rate",
    "mock_migration",
    "training_signoff",
}
PERCENT_KINDS = {"test_pass_rate", "training_signoff"}

# Characters that exist only in one script: a zh-hans text must not hold the traditional form and
# a zh-hant text must not hold the simplified one.
SIMPLIFIED_ONLY = "项数据软统线员务试练级开发这为与们认设实时产业测验约关问题键户网络页说读写"
TRADITIONAL_ONLY = "項數據軟統線員務試練級開發這為與們認設實時產業測驗約關問題鍵戶網絡頁說讀寫"
# Mainland terms that Taiwan usage replaces (資料, 軟體, 使用者, 網路, 伺服器, 介面, 整合, 客製...).
MAINLAND_TERMS_IN_HANT = ["數據", "軟件", "硬件", "用戶", "網絡", "服務器", "接口", "集成", "定制", "質量", "信息", "默認"]


def load(key):
    return json.loads((METHODOLOGIES / f"{key}.json").read_text(encoding="utf-8"))


@pytest.fixture(params=TEMPLATE_KEYS)
def template(request):
    return load(request.param)


def items_of(template):
    """(phase index, item) for every item, in file order."""
    return [(index, item) for index, phase in enumerate(template["phases"]) for item in phase["items"]]


def texts_of(template):
    """(where, text object) for every human text in the template."""
    yield "template name", template["name"]
    yield "template description", template["description"]
    for phase in template["phases"]:
        yield f"phase {phase['key']} name", phase["name"]
        yield f"phase {phase['key']} description", phase["description"]
        yield f"gate of {phase['key']} name", phase["gate"]["name"]
        for number, criterion in enumerate(phase["gate"]["criteria"], start=1):
            yield f"gate of {phase['key']} criterion {number}", criterion["text"]
        for item in phase["items"]:
            yield f"item {item['key']} name", item["name"]
            yield f"item {item['key']} description", item["description"]


def finish_times(template):
    """Earliest finish of every item (working days from day 0), finish-to-start with lag."""
    by_key = {item["key"]: item for _, item in items_of(template)}
    finish = {}

    def visit(key, path=()):
        if key in path:
            raise AssertionError(f"dependency cycle: {' -> '.join((*path, key))}")
        if key not in finish:
            item = by_key[key]
            start = max(
                (visit(dep["key"], (*path, key)) + dep["lag"] for dep in item["depends_on"]),
                default=0,
            )
            finish[key] = start + item["duration"]
        return finish[key]

    for key in by_key:
        visit(key)
    return finish


def gate_kinds(phase):
    return {criterion["kind"]: criterion["threshold"] for criterion in phase["gate"]["criteria"]}


# --- every template -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_file_is_utf8_json_with_two_space_indent(key):
    raw = (METHODOLOGIES / f"{key}.json").read_text(encoding="utf-8")
    assert raw == json.dumps(json.loads(raw), ensure_ascii=False, indent=2) + "\n"


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_key_matches_file_name_and_version_is_set(key):
    data = load(key)
    assert data["key"] == key
    assert isinstance(data["version"], int) and data["version"] >= 1
    assert data["phases"], "a template needs at least one phase"


def test_every_text_has_three_non_empty_languages(template):
    for where, text in texts_of(template):
        assert set(text) == set(LANGUAGES), f"{where}: languages {sorted(text)}"
        for language in LANGUAGES:
            assert isinstance(text[language], str) and text[language].strip(), f"{where}: empty {language}"


def test_chinese_texts_use_the_right_script_and_taiwan_terms(template):
    for where, text in texts_of(template):
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in text["en"]), f"{where}: Chinese in en"
        wrong_in_hans = set(text["zh-hans"]) & set(TRADITIONAL_ONLY)
        wrong_in_hant = set(text["zh-hant"]) & set(SIMPLIFIED_ONLY)
        assert not wrong_in_hans, f"{where}: traditional characters in zh-hans: {wrong_in_hans}"
        assert not wrong_in_hant, f"{where}: simplified characters in zh-hant: {wrong_in_hant}"
        mainland = [term for term in MAINLAND_TERMS_IN_HANT if term in text["zh-hant"]]
        assert not mainland, f"{where}: mainland terms in zh-hant: {mainland}"


def test_phase_and_item_keys_are_unique(template):
    phase_keys = [phase["key"] for phase in template["phases"]]
    item_keys = [item["key"] for _, item in items_of(template)]
    assert len(phase_keys) == len(set(phase_keys))
    assert len(item_keys) == len(set(item_keys)), "item keys must be unique within a template"
    for key in phase_keys + item_keys:
        assert key and key == key.strip() and " " not in key


def test_dependencies_point_to_the_same_or_an_earlier_phase(template):
    phase_of = {item["key"]: index for index, item in items_of(template)}
    for index, item in items_of(template):
        targets = [dep["key"] for dep in item["depends_on"]]
        assert len(targets) == len(set(targets)), f"{item['key']}: duplicate dependency"
        for dep in item["depends_on"]:
            assert set(dep) == {"key", "lag"}
            assert dep["key"] in phase_of, f"{item['key']} depends on unknown {dep['key']}"
            assert dep["key"] != item["key"], f"{item['key']} depends on itself"
            assert phase_of[dep["key"]] <= index, f"{item['key']} depends on {dep['key']} in a later phase"
            assert isinstance(dep["lag"], int) and not isinstance(dep["lag"], bool)


def test_dependencies_have_no_cycles(template):
    finish_times(template)  # raises on a cycle


def test_durations_and_kinds(template):
    for _, item in items_of(template):
        assert item["kind"] in ITEM_KINDS, item["key"]
        duration = item["duration"]
        assert isinstance(duration, int) and not isinstance(duration, bool), item["key"]
        assert duration >= 0, item["key"]
        if item["kind"] == "milestone":
            assert duration == 0, f"milestone {item['key']} must take 0 days"
        else:
            assert duration > 0, f"{item['kind']} {item['key']} needs a duration"
        assert isinstance(item["gate_evidence"], bool), item["key"]


def test_every_phase_has_a_gate_with_valid_criteria(template):
    for phase in template["phases"]:
        criteria = phase["gate"]["criteria"]
        assert criteria, f"gate of {phase['key']} has no criteria"
        for criterion in criteria:
            assert criterion["kind"] in CRITERION_KINDS, criterion["kind"]
            threshold = criterion["threshold"]
            if criterion["kind"] in PERCENT_KINDS:
                assert isinstance(threshold, int | float) and 0 < threshold <= 100, phase["key"]
            else:
                assert threshold is None or isinstance(threshold, int | float), phase["key"]


# --- the book-style plan --------------------------------------------------------------------------


def test_book_follows_the_classic_lifecycle():
    book = load("book")
    assert [phase["key"] for phase in book["phases"]] == [
        "initiation",
        "design",
        "build",
        "integration",
        "data-migration",
        "testing",
        "training",
        "launch",
        "adoption",
    ]
    for phase in book["phases"]:
        work = [item for item in phase["items"] if item["kind"] != "milestone"]
        assert 3 <= len(work) <= 6, f"{phase['key']} has {len(work)} deliverables/tasks"
        assert phase["items"][-1]["kind"] == "milestone", f"{phase['key']} must close with a milestone"
        assert 3 <= len(phase["gate"]["criteria"]) <= 5, phase["key"]
        kinds = gate_kinds(phase)
        assert "deliverables_accepted" in kinds, phase["key"]
        assert "manual" in kinds or len(kinds) > 2, phase["key"]


def test_book_gates_read_evidence_where_it_fits():
    phases = {phase["key"]: phase for phase in load("book")["phases"]}
    testing = gate_kinds(phases["testing"])
    assert testing["test_pass_rate"] == 95
    assert "no_open_critical_issues" in testing
    assert "mock_migration" in gate_kinds(phases["data-migration"])
    assert gate_kinds(phases["training"])["training_signoff"] == 90


def test_book_is_a_mid_size_rollout_of_six_to_nine_months():
    days = max(finish_times(load("book")).values())
    assert 6 * 21 <= days <= 9 * 21, f"book plan takes {days} working days"


# --- the 26-step sequence -------------------------------------------------------------------------

# One distinctive word (or two) per step, in the order the steps are listed in the issue.
STEP_WORDS = [
    ("team",),
    ("plan", "it plan"),
    ("evaluate", "compare"),
    ("servers", "network"),
    ("compatibility", "erp"),
    ("database", "software"),
    ("install servers",),
    ("install", "software"),
    ("demo",),
    ("requirements",),
    ("survey", "current"),
    ("training", "network"),
    ("as-is",),
    ("new processes", "software"),
    ("gap",),
    ("sign-off",),
    ("test", "production data"),
    ("manual", "training material"),
    ("configure", "test environment"),
    ("load data",),
    ("end-user training",),
    ("simulate", "test"),
    ("user acceptance testing",),
    ("evaluate user acceptance",),
    ("configure", "production"),
    ("cut over", "go live"),
]


def test_steps26_has_exactly_the_26_steps_in_order():
    steps = [item for _, item in items_of(load("steps26")) if item["kind"] != "milestone"]
    assert len(steps) == 26
    for number, (step, words) in enumerate(zip(steps, STEP_WORDS, strict=True), start=1):
        name = step["name"]["en"].lower()
        for word in words:
            assert word in name, f"step {number} {step['name']['en']!r} should mention {word!r}"


def test_steps26_runs_many_steps_in_parallel():
    steps26 = load("steps26")
    items = [item for _, item in items_of(steps26)]
    work = [item for item in items if item["kind"] != "milestone"]
    # Not one straight chain: several steps start without waiting for the step listed before them,
    # and some steps feed more than one later step.
    previous_not_awaited = sum(
        1
        for before, step in zip(work, work[1:], strict=False)
        if before["key"] not in {dep["key"] for dep in step["depends_on"]}
    )
    assert previous_not_awaited >= 8
    fan_out = {}
    for item in items:
        for dep in item["depends_on"]:
            fan_out[dep["key"]] = fan_out.get(dep["key"], 0) + 1
    assert sum(1 for count in fan_out.values() if count >= 2) >= 4
    # Parallel work makes the whole plan clearly shorter than doing the steps one after another.
    assert max(finish_times(steps26).values()) < 0.7 * sum(item["duration"] for item in work)
    assert "parallel" in steps26["description"]["en"]


def test_steps26_gates_read_evidence():
    phases = {phase["key"]: phase for phase in load("steps26")["phases"]}
    assert len(phases) >= 5
    for phase in phases.values():
        assert "deliverables_accepted" in gate_kinds(phase), phase["key"]
    kinds = {}
    for phase in phases.values():
        kinds.update(gate_kinds(phase))
    assert kinds["test_pass_rate"] == 95
    assert kinds["training_signoff"] == 90
    assert "mock_migration" in kinds and "no_open_critical_issues" in kinds


# --- blank ----------------------------------------------------------------------------------------


def test_blank_is_one_phase_with_a_kick_off_milestone():
    blank = load("blank")
    [phase] = blank["phases"]
    assert phase["key"] == "plan"
    assert phase["name"]["en"] == "Plan"
    [milestone] = phase["items"]
    assert milestone["kind"] == "milestone" and milestone["depends_on"] == []
    assert [criterion["kind"] for criterion in phase["gate"]["criteria"]] == ["manual"]
