"""Traceability of the design: process step → gap → use case → test case → execution → defect.

`load(project)` reads every row the chain needs in a fixed number of queries (processes, maps,
steps, gaps, rules, use cases, the three use-case links, test cases, executions, defects: twelve),
however many rows there are; `compute(inputs)` does the rest in Python. No request, no template.

The links (each edge points downstream):
- step → gap: the gap's as-is step and to-be step;
- step → use case: the use case's to-be steps (UseCase.steps); gap → use case: UseCase.gaps;
- step → business rule: the rule's source step; business rule → use case: UseCase.business_rules;
- use case → test case: the test case's `use_cases` text names it (testing.dashboard.parse_references):
  a code "UC-03", "uc-3" or "UC-003 Create quotation" is use case number 3 of the project (prefix
  case-insensitive, leading zeros ignored); a text without a code names the use case of that exact
  title (case and spacing ignored). Anything else is an unknown reference, listed for the user;
- test case → execution; test case → defect (Defect.case) and execution → defect (Defect.execution);
  use case → defect: the defect's `use_cases` text names it (read the same way).
A use case's steps are its own to-be steps and the steps of its gaps. A test case's latest result
is its latest execution as testing/dashboard.latest_runs defines it (by time executed, then number).
A defect is open until its status is one of testing.choices.DEFECT_DONE.

Coverage: use cases no test case names; gaps without a resolution type or whose decision is still
open; rules no use case uses; to-be work steps (task, system action, hand-off) no use case reaches.
`chain(trace, node)` walks the links both ways from any item: what leads to it and what follows.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from testing.choices import DEFECT_DONE, DefectStatus, Result
from testing.dashboard import Run, latest_runs, parse_references
from testing.models import Defect, Execution, TestCase

from .choices import WORK_KINDS, GapDecision, MapKind, Resolution, RuleStatus, StepKind, UseCaseStatus
from .models import BusinessRule, Gap, Process, ProcessMap, Step, UseCase

STEP, GAP, RULE, USE_CASE, CASE, EXECUTION, DEFECT = "step", "gap", "rule", "usecase", "case", "execution", "defect"
KINDS = (STEP, GAP, RULE, USE_CASE, CASE, EXECUTION, DEFECT)  # upstream first
PREFIXES = {
    Step.REF_PREFIX: STEP, Gap.REF_PREFIX: GAP, BusinessRule.REF_PREFIX: RULE, UseCase.REF_PREFIX: USE_CASE,
    TestCase.REF_PREFIX: CASE, Execution.REF_PREFIX: EXECUTION, Defect.REF_PREFIX: DEFECT,
}
URL_NAMES = {
    STEP: "design:steps-detail", GAP: "design:gaps-detail", RULE: "design:rules-detail",
    USE_CASE: "design:use-cases-detail", CASE: "testing:cases-detail", EXECUTION: "testing:executions-detail",
    DEFECT: "testing:defects-detail",
}
DONE = {str(s) for s in DEFECT_DONE}
WORK = {str(k) for k in WORK_KINDS}
PASSING = {str(Result.PASSED), str(Result.PASSED_WITH_REMARKS)}
NOT_RUN = str(Result.NOT_RUN)
REF = re.compile(r"^\s*([A-Za-z]{1,10})\s*[-_.]?\s*0*(\d{1,9})\s*$")
CODE = re.compile(r"^([A-Z]{1,10})[-_.]?0*(\d{1,9})$")

# Coverage lists
UC_NO_TESTS, GAPS_OPEN, RULES_NO_UC, STEPS_NO_UC = "uc-no-tests", "gaps-open", "rules-no-uc", "steps-no-uc"
COVERAGE_KEYS = (UC_NO_TESTS, GAPS_OPEN, RULES_NO_UC, STEPS_NO_UC)


def kind_label(kind: str) -> str:
    return {
        STEP: _("Process step"), GAP: _("Gap"), RULE: _("Business rule"), USE_CASE: _("Use case"),
        CASE: _("Test case"), EXECUTION: _("Execution"), DEFECT: _("Defect"),
    }[kind]


def kind_label_plural(kind: str) -> str:
    return {
        STEP: _("Process steps"), GAP: _("Gaps"), RULE: _("Business rules"), USE_CASE: _("Use cases"),
        CASE: _("Test cases"), EXECUTION: _("Executions"), DEFECT: _("Defects"),
    }[kind]


def coverage_label(key: str) -> str:
    return {
        UC_NO_TESTS: _("Use cases no test case names"),
        GAPS_OPEN: _("Gaps with no resolution or an open decision"),
        RULES_NO_UC: _("Business rules no use case uses"),
        STEPS_NO_UC: _("To-be steps no use case covers"),
    }[key]


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else (value or "")


# ---------------------------------------------------------------------------------------------
# Rows read from the database
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """One item of the chain, whatever its register: what the tables and links need."""

    kind: str
    pk: int
    number: int
    title: str
    status: str = ""  # the raw value the badge colour follows
    status_label: str = ""

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.pk)

    @property
    def ref(self) -> str:
        prefix = next(p for p, k in PREFIXES.items() if k == self.kind)
        return f"{prefix}-{self.number:03d}"

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)


@dataclass(frozen=True)
class MapRow:
    pk: int
    number: int
    name: str
    kind: str
    process_id: int

    @property
    def ref(self) -> str:
        return f"{ProcessMap.REF_PREFIX}-{self.number:03d}"


@dataclass(frozen=True)
class ProcessRow:
    pk: int
    number: int
    name: str

    @property
    def ref(self) -> str:
        return f"{Process.REF_PREFIX}-{self.number:03d}"


@dataclass
class Inputs:
    processes: dict[int, ProcessRow]
    maps: dict[int, MapRow]
    steps: dict[int, Node]
    step_map: dict[int, int]  # step pk -> map pk
    step_kind: dict[int, str]  # step pk -> StepKind value
    gaps: dict[int, Node]
    gap_steps: dict[int, tuple[int | None, int | None]]  # gap pk -> (as-is step, to-be step)
    gap_maps: dict[int, tuple[int | None, int | None]]  # gap pk -> (as-is map, to-be map)
    gap_open: dict[int, list[str]]  # gap pk -> why it is open ([] when resolved and decided)
    rules: dict[int, Node]
    rule_source: dict[int, int | None]
    use_cases: dict[int, Node]
    uc_steps: list[tuple[int, int]]
    uc_gaps: list[tuple[int, int]]
    uc_rules: list[tuple[int, int]]
    cases: dict[int, Node]
    case_text: dict[int, str]  # case pk -> its use_cases text
    runs: list[Run]
    executions: dict[int, Node]
    defects: dict[int, Node]
    defect_case: dict[int, int | None]
    defect_execution: dict[int, int | None]
    defect_text: dict[int, str]


def load(project) -> Inputs:
    """Every row of the chain for one project, in twelve queries."""
    processes = {pk: ProcessRow(pk, n, name) for pk, n, name in
                 Process.objects.filter(project=project).values_list("pk", "number", "name")}
    maps = {pk: MapRow(pk, n, name, kind, process_id) for pk, n, name, kind, process_id in
            ProcessMap.objects.filter(project=project).values_list("pk", "number", "name", "kind", "process_id")}
    steps, step_map, step_kind = {}, {}, {}
    for pk, n, name, kind, map_id in Step.objects.filter(project=project).values_list(
            "pk", "number", "name", "kind", "map_id"):
        map_kind = maps[map_id].kind if map_id in maps else ""
        steps[pk] = Node(STEP, pk, n, name or _label(StepKind, kind), map_kind, _label(MapKind, map_kind))
        step_map[pk], step_kind[pk] = map_id, kind
    gaps, gap_steps, gap_maps, gap_open = {}, {}, {}, {}
    for pk, n, title, resolution, decision, as_is, to_be, as_is_map, to_be_map in Gap.objects.filter(
            project=project).values_list("pk", "number", "title", "resolution", "decision", "as_is_step_id",
                                         "to_be_step_id", "as_is_map_id", "to_be_map_id"):
        reasons = []
        if not resolution:
            reasons.append(_("no resolution"))
        if decision == GapDecision.OPEN:
            reasons.append(_("decision open"))
        label = _label(Resolution, resolution) if resolution else _("No resolution")
        gaps[pk] = Node(GAP, pk, n, title, decision, f"{label} · {_label(GapDecision, decision)}")
        gap_steps[pk], gap_maps[pk], gap_open[pk] = (as_is, to_be), (as_is_map, to_be_map), reasons
    rules, rule_source = {}, {}
    for pk, n, name, status, source in BusinessRule.objects.filter(project=project).values_list(
            "pk", "number", "name", "status", "source_step_id"):
        rules[pk] = Node(RULE, pk, n, name, status, _label(RuleStatus, status))
        rule_source[pk] = source
    use_cases = {pk: Node(USE_CASE, pk, n, title, status, _label(UseCaseStatus, status)) for pk, n, title, status in
                 UseCase.objects.filter(project=project).values_list("pk", "number", "title", "status")}
    uc_steps = list(UseCase.steps.through.objects.filter(usecase__project=project).values_list("usecase_id", "step_id"))
    uc_gaps = list(UseCase.gaps.through.objects.filter(usecase__project=project).values_list("usecase_id", "gap_id"))
    uc_rules = list(UseCase.business_rules.through.objects.filter(usecase__project=project).values_list(
        "usecase_id", "businessrule_id"))
    cases, case_text = {}, {}
    for pk, n, title, text in TestCase.objects.filter(project=project).values_list("pk", "number", "title", "use_cases"):
        cases[pk], case_text[pk] = Node(CASE, pk, n, title), text
    runs, executions = [], {}
    for pk, n, cycle_id, case_id, result, executed_at in Execution.objects.filter(project=project).values_list(
            "pk", "number", "cycle_id", "case_id", "result", "executed_at"):
        runs.append(Run(pk, n, cycle_id, case_id, result, executed_at))
        title = cases[case_id].title if case_id in cases else ""
        executions[pk] = Node(EXECUTION, pk, n, title, result, _label(Result, result))
    defects, defect_case, defect_execution, defect_text = {}, {}, {}, {}
    for pk, n, title, status, case_id, execution_id, text in Defect.objects.filter(project=project).values_list(
            "pk", "number", "title", "status", "case_id", "execution_id", "use_cases"):
        defects[pk] = Node(DEFECT, pk, n, title, status, _label(DefectStatus, status))
        defect_case[pk], defect_execution[pk], defect_text[pk] = case_id, execution_id, text
    return Inputs(processes, maps, steps, step_map, step_kind, gaps, gap_steps, gap_maps, gap_open, rules,
                  rule_source, use_cases, uc_steps, uc_gaps, uc_rules, cases, case_text, runs, executions,
                  defects, defect_case, defect_execution, defect_text)


# ---------------------------------------------------------------------------------------------
# Resolving the use cases a test case or defect names
# ---------------------------------------------------------------------------------------------


def _normal(text: str) -> str:
    return " ".join((text or "").split()).casefold()


class Resolver:
    """Turns the references of a free-text field into use-case pks (and lists the unknown ones)."""

    def __init__(self, use_cases: dict[int, Node]):
        self.by_number = {n.number: n.pk for n in use_cases.values()}
        self.by_title: dict[str, int] = {}
        for node in sorted(use_cases.values(), key=lambda n: n.number):
            self.by_title.setdefault(_normal(node.title), node.pk)

    def resolve(self, text: str) -> tuple[list[int], list[str]]:
        """(use-case pks in order, labels of the references naming no use case)."""
        found, unknown = [], []
        for ref in parse_references(text):
            pk = self.one(ref.code, ref.label)
            if pk is None:
                unknown.append(ref.label)
            elif pk not in found:
                found.append(pk)
        return found, unknown

    def one(self, code: str, label: str) -> int | None:
        if code:
            match = CODE.match(code.upper())
            if match and match.group(1) == UseCase.REF_PREFIX:
                return self.by_number.get(int(match.group(2)))
            return None
        return self.by_title.get(_normal(label))


# ---------------------------------------------------------------------------------------------
# The computed trace
# ---------------------------------------------------------------------------------------------


@dataclass
class CaseTrace:
    case: Node
    latest: Node | None  # its latest execution
    executions: int
    defects: list[Node]  # open defects of the case

    @property
    def result(self) -> str:
        return self.latest.status if self.latest else NOT_RUN

    @property
    def result_label(self) -> str:
        return _label(Result, self.result)


@dataclass
class UseCaseTrace:
    use_case: Node
    steps: list[Node]  # its own to-be steps, then the steps of its gaps
    gaps: list[Node]
    rules: list[Node]
    cases: list[CaseTrace]
    open_defects: list[Node]
    closed_defects: list[Node]
    map_ids: set[int]

    @property
    def passed(self) -> int:
        return sum(1 for c in self.cases if c.result in PASSING)

    @property
    def colour(self) -> str:
        if not self.cases or any(c.result in (Result.FAILED,) for c in self.cases) or self.open_defects:
            return "red"
        return "green" if self.passed == len(self.cases) else "amber"


@dataclass
class StepTrace:
    """A step no use case covers, with its gaps."""

    step: Node
    gaps: list[Node]
    map_id: int


@dataclass(frozen=True)
class Unknown:
    source: Node  # the test case or defect
    label: str  # the reference as written


@dataclass
class Trace:
    inputs: Inputs
    rows: list[UseCaseTrace]  # by use-case number
    loose_steps: list[StepTrace]  # work steps (as-is and to-be) no use case covers, by map and position
    coverage: dict[str, list[Node]]
    gap_reasons: dict[int, list[str]]
    unknown: list[Unknown]
    forward: dict[tuple, set[tuple]]
    backward: dict[tuple, set[tuple]]

    def node(self, key: tuple[str, int]) -> Node | None:
        kind, pk = key
        return self.table(kind).get(pk)

    def table(self, kind: str) -> dict[int, Node]:
        i = self.inputs
        return {STEP: i.steps, GAP: i.gaps, RULE: i.rules, USE_CASE: i.use_cases, CASE: i.cases,
                EXECUTION: i.executions, DEFECT: i.defects}[kind]

    def row_for(self, use_case_pk: int) -> UseCaseTrace | None:
        return next((r for r in self.rows if r.use_case.pk == use_case_pk), None)


def _edges(inputs: Inputs, case_ucs: dict[int, list[int]], defect_ucs: dict[int, list[int]]) -> list[tuple]:
    edges = []
    for gap, (as_is, to_be) in inputs.gap_steps.items():
        edges += [((STEP, s), (GAP, gap)) for s in (as_is, to_be) if s in inputs.steps]
    edges += [((STEP, s), (USE_CASE, uc)) for uc, s in inputs.uc_steps]
    edges += [((GAP, g), (USE_CASE, uc)) for uc, g in inputs.uc_gaps]
    edges += [((RULE, r), (USE_CASE, uc)) for uc, r in inputs.uc_rules]
    edges += [((STEP, s), (RULE, r)) for r, s in inputs.rule_source.items() if s in inputs.steps]
    edges += [((USE_CASE, uc), (CASE, c)) for c, ucs in case_ucs.items() for uc in ucs]
    edges += [((CASE, run.case_id), (EXECUTION, run.pk)) for run in inputs.runs]
    edges += [((CASE, c), (DEFECT, d)) for d, c in defect_cases(inputs).items() if c in inputs.cases]
    edges += [((EXECUTION, e), (DEFECT, d)) for d, e in inputs.defect_execution.items() if e in inputs.executions]
    edges += [((USE_CASE, uc), (DEFECT, d)) for d, ucs in defect_ucs.items() for uc in ucs]
    return edges


def compute(inputs: Inputs) -> Trace:
    resolver = Resolver(inputs.use_cases)
    unknown: list[Unknown] = []
    case_ucs: dict[int, list[int]] = {}
    for pk in sorted(inputs.cases, key=lambda p: inputs.cases[p].number):
        case_ucs[pk], missing = resolver.resolve(inputs.case_text[pk])
        unknown += [Unknown(inputs.cases[pk], label) for label in missing]
    defect_ucs: dict[int, list[int]] = {}
    for pk in sorted(inputs.defects, key=lambda p: inputs.defects[p].number):
        defect_ucs[pk], missing = resolver.resolve(inputs.defect_text[pk])
        unknown += [Unknown(inputs.defects[pk], label) for label in missing]

    forward: dict[tuple, set[tuple]] = defaultdict(set)
    backward: dict[tuple, set[tuple]] = defaultdict(set)
    for source, target in _edges(inputs, case_ucs, defect_ucs):
        forward[source].add(target)
        backward[target].add(source)

    rows = _use_case_rows(inputs, forward, backward)
    covered_steps = {s.pk for r in rows for s in r.steps}
    loose = [
        StepTrace(node, _sorted(inputs.gaps[g[1]] for g in forward.get(node.key, ()) if g[0] == GAP), inputs.step_map[pk])
        for pk, node in inputs.steps.items() if pk not in covered_steps and inputs.step_kind[pk] in WORK
    ]
    order = {pk: (m.process_id, m.kind, m.number) for pk, m in inputs.maps.items()}
    loose.sort(key=lambda s: (order.get(s.map_id, ()), s.step.number))
    coverage = {
        UC_NO_TESTS: [r.use_case for r in rows if not r.cases],
        GAPS_OPEN: _sorted(inputs.gaps[pk] for pk, why in inputs.gap_open.items() if why),
        RULES_NO_UC: _sorted(n for n in inputs.rules.values() if not forward.get(n.key)
                             or not any(k[0] == USE_CASE for k in forward[n.key])),
        STEPS_NO_UC: [s.step for s in loose if inputs.maps.get(s.map_id) and inputs.maps[s.map_id].kind == MapKind.TO_BE],
    }
    return Trace(inputs, rows, loose, coverage, inputs.gap_open, unknown, dict(forward), dict(backward))


def _sorted(nodes) -> list[Node]:
    return sorted(nodes, key=lambda n: n.number)


def defect_cases(inputs: Inputs) -> dict[int, int | None]:
    """Each defect's test case: its own, or else the case of the execution it was raised on."""
    run_case = {run.pk: run.case_id for run in inputs.runs}
    return {pk: case or run_case.get(inputs.defect_execution.get(pk)) for pk, case in inputs.defect_case.items()}


def _use_case_rows(inputs: Inputs, forward, backward) -> list[UseCaseTrace]:
    latest = latest_runs(inputs.runs)
    run_count: dict[int, int] = defaultdict(int)
    for run in inputs.runs:
        run_count[run.case_id] += 1
    open_by_case: dict[int, list[Node]] = defaultdict(list)
    for pk, case in defect_cases(inputs).items():
        if case is not None and inputs.defects[pk].status not in DONE:
            open_by_case[case].append(inputs.defects[pk])
    rows = []
    for uc in sorted(inputs.use_cases.values(), key=lambda n: n.number):
        before = backward.get(uc.key, set())
        after = forward.get(uc.key, set())
        gaps = _sorted(inputs.gaps[pk] for kind, pk in before if kind == GAP)
        own_steps = {pk for kind, pk in before if kind == STEP}
        gap_steps = {s for g in gaps for s in inputs.gap_steps[g.pk] if s in inputs.steps}
        steps = _sorted(inputs.steps[pk] for pk in own_steps) + _sorted(
            inputs.steps[pk] for pk in gap_steps - own_steps)
        case_pks = sorted((pk for kind, pk in after if kind == CASE), key=lambda p: inputs.cases[p].number)
        cases = [
            CaseTrace(inputs.cases[c], inputs.executions.get(latest[c].pk) if c in latest else None, run_count[c],
                      _sorted(open_by_case.get(c, [])))
            for c in case_pks
        ]
        defect_pks = {pk for kind, pk in after if kind == DEFECT}
        defect_pks |= {d for c in case_pks for kind, d in forward.get((CASE, c), ()) if kind == DEFECT}
        defects = _sorted(inputs.defects[d] for d in defect_pks)
        map_ids = {inputs.step_map[s.pk] for s in steps}
        map_ids |= {m for g in gaps for m in inputs.gap_maps[g.pk] if m is not None}
        rows.append(UseCaseTrace(
            use_case=uc, steps=steps, gaps=gaps, rules=_sorted(inputs.rules[pk] for kind, pk in before if kind == RULE),
            cases=cases, open_defects=[d for d in defects if d.status not in DONE],
            closed_defects=[d for d in defects if d.status in DONE], map_ids=map_ids,
        ))
    return rows


def build(project) -> Trace:
    return compute(load(project))


# ---------------------------------------------------------------------------------------------
# Filters and the chain of one item
# ---------------------------------------------------------------------------------------------


def map_ids_of(trace: Trace, process_pk: int | None = None, map_pk: int | None = None) -> set[int] | None:
    """The maps a process/map filter keeps (None: no filter)."""
    if map_pk is not None:
        return {map_pk}
    if process_pk is not None:
        return {pk for pk, m in trace.inputs.maps.items() if m.process_id == process_pk}
    return None


def filtered(trace: Trace, process_pk: int | None = None, map_pk: int | None = None,
             status: str | None = None) -> tuple[list[UseCaseTrace], list[StepTrace]]:
    """The matrix rows a process or map filter and a use-case status filter keep. Steps without a
    use case have no status: they are left out when a status is chosen."""
    maps = map_ids_of(trace, process_pk, map_pk)
    rows = [r for r in trace.rows if (maps is None or r.map_ids & maps) and (not status or r.use_case.status == status)]
    loose = [] if status else [s for s in trace.loose_steps if maps is None or s.map_id in maps]
    return rows, loose


def parse_item(trace: Trace, text: str) -> Node | None:
    """The item a reference such as "UC-003", "uc-3", "STP-12", "TC-001" or "DEF-7" names, if any."""
    match = REF.match(text or "")
    if not match:
        return None
    kind = PREFIXES.get(match.group(1).upper())
    if kind is None:
        return None
    number = int(match.group(2))
    return next((n for n in trace.table(kind).values() if n.number == number), None)


@dataclass
class Chain:
    item: Node
    upstream: dict[str, list[Node]] = field(default_factory=dict)  # kind -> nodes leading to the item
    downstream: dict[str, list[Node]] = field(default_factory=dict)  # kind -> nodes following from it

    @property
    def empty(self) -> bool:
        return not self.upstream and not self.downstream


def _walk(start: tuple, edges: dict[tuple, set[tuple]]) -> set[tuple]:
    """Every item reachable from `start` along `edges` (depth first; cycles are visited once)."""
    seen: set[tuple] = set()
    frontier = list(edges.get(start, ()))
    while frontier:
        key = frontier.pop()
        if key in seen or key == start:
            continue
        seen.add(key)
        frontier.extend(edges.get(key, ()))
    return seen


def _grouped(trace: Trace, keys: set[tuple]) -> dict[str, list[Node]]:
    out = {}
    for kind in KINDS:
        nodes = [trace.node(k) for k in keys if k[0] == kind]
        if nodes:
            out[kind] = _sorted(nodes)
    return out


def chain(trace: Trace, item: Node) -> Chain:
    """Everything that leads to `item` (following the links backwards) and follows from it."""
    return Chain(item, _grouped(trace, _walk(item.key, trace.backward)), _grouped(trace, _walk(item.key, trace.forward)))
