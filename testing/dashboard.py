"""The test dashboard's figures, computed from the registers (no request, no template).

`build(project, as_of, cycle)` reads the project's testing rows in six queries (cycles, the cycles'
cases, cases, executions, defects, the defects' status history) and computes everything else in
Python, so the number of queries stays the same however many rows there are. Everything is as of
the end of the day `as_of`: executions later than that day, defects created later and status
changes later are left out.

Definitions (the same as testing/exit_criteria.py and services.latest_results):
- a case's latest execution: its executions ordered by time executed (no time first), then by number;
  the last one counts. A cycle's case without an execution is "not run".
- executed: the latest result is not "not run"; passed: passed or passed with remarks.
- burn-up, per day from the cycle's start (or its first execution) to its end (or `as_of`, whichever
  is earlier; later while executions continue past the end): the cycle's cases executed at least
  once by the end of that day, and the cases whose latest execution by then passed, against the
  scope (the cycle's cases now: which cases a cycle held on a past day is not recorded).
- open defect: status not closed or rejected at the end of the day (read from the status history;
  a defect without history has its current status). Age in days = as_of - day created.
- defect flow per week (Monday to Sunday): arrivals by day created; a closure is the first time
  the status became closed or rejected (a reopened and closed again defect is not counted twice);
  the open count is the number open at the end of the week (of `as_of` for the current week).
- traceability: use cases and business rules are read from the free text of the cases (and of the
  defects, for use cases) by `parse_references`: the one function to replace when the Design area
  keeps use cases as records.

With a cycle chosen, every figure looks only at that cycle's cases, executions and defects.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from . import exit_criteria, services
from .choices import DEFECT_DONE, PASSING, Result, Severity
from .models import Defect, Execution, TestCase, TestCycle

DONE = {str(s) for s in DEFECT_DONE}
PASS = {str(s) for s in PASSING}
NOT_RUN = str(Result.NOT_RUN)
FAILED = str(Result.FAILED)
BLOCKED = str(Result.BLOCKED)
RESULT_ORDER = [str(r) for r in (Result.PASSED, Result.PASSED_WITH_REMARKS, Result.FAILED, Result.BLOCKED, Result.NOT_RUN)]

# Age buckets of open defects, in days (inclusive); None: no upper end.
AGE_BUCKETS: list[tuple[int, int | None]] = [(0, 2), (3, 7), (8, 14), (15, 30), (31, None)]


# ---------------------------------------------------------------------------------------------
# Use cases and business rules from free text
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """A use case or business rule named in free text: `key` matches the same one elsewhere,
    `code` is its identifier ("UC-03", "" when the text has none), `label` the whole text."""

    key: str
    code: str
    label: str


SEPARATORS = re.compile(r"[,，;；\n]+")
# Letters, then digits (with an optional separator), then optional parts: UC-03, BR12, UC-3.1, REQ_7a.
# (Each repetition takes one character after an optional separator: no backtracking blow-up.)
CODE = re.compile(r"^[A-Za-z]{1,10}[-_.]?\d+(?:[-_.]?[A-Za-z0-9])*$")
# The same code written straight before Chinese text: "UC-03创建报价".
CODE_BEFORE_CJK = re.compile(r"^([A-Za-z]{1,10}[-_.]?\d+(?:[-_.]\d+)*)(?=[^\x00-\x7f])")


def parse_references(text: str) -> list[Reference]:
    """The use cases (or business rules) written in a comma-separated field, in order, once each.

    "UC-03 Create quotation, UC-04" -> UC-03 (label "UC-03 Create quotation"), UC-04. The word
    before the first space is the identifier when it looks like a reference (letters then digits);
    otherwise the whole text is both the key (case and spacing ignored) and the label.
    """
    return list(_parse(text or ""))


@functools.lru_cache(maxsize=4096)
def _parse(text: str) -> tuple[Reference, ...]:
    out: list[Reference] = []
    seen: set[str] = set()
    for part in SEPARATORS.split(text):
        label = " ".join(part.split())
        if not label:
            continue
        first = label.split(" ", 1)[0].rstrip(":：")
        code = ""
        if CODE.match(first):
            code = first
        else:
            match = CODE_BEFORE_CJK.match(label)
            if match:
                code = match.group(1)
        code = code.upper()
        key = code or label.casefold()
        if key not in seen:
            seen.add(key)
            out.append(Reference(key=key, code=code, label=label))
    return tuple(out)


def natural_key(ref: Reference) -> tuple:
    """Coded references first, in natural order (UC-2 before UC-10); then the others by label."""
    if ref.code:
        parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", ref.code) if p)
        return (0, parts, ref.label.casefold())
    return (1, (), ref.label.casefold())


# ---------------------------------------------------------------------------------------------
# Plain rows
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    pk: int
    number: int
    title: str
    use_cases: str = ""
    business_rules: str = ""

    @property
    def ref(self) -> str:
        return f"{TestCase.REF_PREFIX}-{self.number:03d}"


@dataclass(frozen=True)
class Run:
    """An execution."""

    pk: int
    number: int
    cycle_id: int
    case_id: int
    result: str
    executed_at: datetime.datetime | None = None
    day: datetime.date | None = None  # local day of executed_at

    @property
    def ref(self) -> str:
        return f"{Execution.REF_PREFIX}-{self.number:03d}"

    @property
    def executed(self) -> bool:
        return self.result != NOT_RUN

    @property
    def passed(self) -> bool:
        return self.result in PASS

    @property
    def result_label(self) -> str:
        return result_label(self.result)

    @property
    def order(self) -> tuple:
        # As services.latest_results: by time executed, no time first, then by number.
        return (self.executed_at is not None, self.executed_at or datetime.datetime.min, self.number)


@dataclass(frozen=True)
class DefectRow:
    pk: int
    number: int
    title: str
    severity: int
    status: str  # current status
    created_day: datetime.date
    cycle_id: int | None = None
    case_id: int | None = None
    use_cases: str = ""

    @property
    def ref(self) -> str:
        return f"{Defect.REF_PREFIX}-{self.number:03d}"

    @property
    def severity_label(self) -> str:
        return severity_label(self.severity)


def result_label(value: str) -> str:
    return str(Result(value).label) if value in Result.values else value


def severity_label(value: int) -> str:
    return str(Severity(value).label) if value in Severity.values else str(value)


def local_day(moment: datetime.datetime | None) -> datetime.date | None:
    if moment is None:
        return None
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


# ---------------------------------------------------------------------------------------------
# Latest executions and cycle counts
# ---------------------------------------------------------------------------------------------


def latest_runs(runs, case_ids=None) -> dict[int, Run]:
    """{case pk: its latest execution} (services.latest_results over rows already read; cases
    without an execution are left out). `case_ids` limits the cases."""
    latest: dict[int, Run] = {}
    for run in runs:
        if case_ids is not None and run.case_id not in case_ids:
            continue
        current = latest.get(run.case_id)
        if current is None or run.order > current.order:
            latest[run.case_id] = run
    return latest


@dataclass
class CycleFigures:
    cycle: TestCycle
    case_ids: list[int]
    latest: dict[int, Run]  # case pk -> latest execution in the cycle
    by_result: dict[str, list[int]]  # result -> case pks (cases without an execution under "not run")
    ever_executed: list[int]  # case pks executed at least once
    open_defects: list[int]  # defect pks, open as of the day
    counts: exit_criteria.Counts
    verdict: dict
    burn_up: BurnUp

    @property
    def pass_rate(self) -> float | None:
        return exit_criteria.pass_rate(self.counts)

    @property
    def not_run(self) -> int:
        return self.counts.cases - self.counts.executed


def cycle_figures(cycle: TestCycle, case_ids, runs, open_defects: list[DefectRow], as_of: datetime.date) -> CycleFigures:
    """Counts, exit criteria and burn-up of one cycle from its cases, its executions and its open defects."""
    case_ids = sorted(case_ids)
    wanted = set(case_ids)
    runs = [r for r in runs if r.case_id in wanted]
    latest = latest_runs(runs, wanted)
    by_result: dict[str, list[int]] = {r: [] for r in RESULT_ORDER}
    for pk in case_ids:
        run = latest.get(pk)
        by_result.setdefault(run.result if run else NOT_RUN, []).append(pk)
    results = Counter({k: len(v) for k, v in by_result.items()})
    cases = len(case_ids)
    counts = exit_criteria.Counts(
        cases=cases,
        executed=cases - results[NOT_RUN],
        passed=sum(results[r] for r in PASS),
        failed=results[FAILED],
        blocked=results[BLOCKED],
        open_by_severity=dict(Counter(d.severity for d in open_defects)),
    )
    verdict = exit_criteria.evaluate(services.thresholds(cycle), counts)
    ever = sorted({r.case_id for r in runs if r.executed})
    return CycleFigures(
        cycle=cycle, case_ids=case_ids, latest=latest, by_result=by_result, ever_executed=ever,
        open_defects=[d.pk for d in open_defects], counts=counts, verdict=verdict,
        burn_up=burn_up(case_ids, runs, cycle.start, cycle.end, as_of),
    )


# ---------------------------------------------------------------------------------------------
# Burn-up
# ---------------------------------------------------------------------------------------------


@dataclass
class BurnUp:
    days: list[datetime.date]
    executed: list[int]  # cases executed at least once by the end of each day
    passed: list[int]  # cases whose latest execution by the end of each day passed
    scope: int  # cases in the cycle

    def __bool__(self):
        return bool(self.days)


def burn_up(case_ids, runs, start: datetime.date | None, end: datetime.date | None, as_of: datetime.date) -> BurnUp:
    """Daily executed and passed counts of a cycle's cases (see the module's text for the rules).

    Executions before the first day count on the first day; executions without a time come
    before the others (as in services.latest_results) and also count on the first day.
    """
    wanted = set(case_ids)
    runs = sorted((r for r in runs if r.case_id in wanted), key=lambda r: r.order)
    run_days = [r.day for r in runs if r.day is not None and r.day <= as_of]
    first = start or (min(run_days) if run_days else None)
    if first is None:
        return BurnUp([], [], [], len(wanted))
    last = min(as_of, max([end or as_of, *run_days]))
    if first > last:
        return BurnUp([], [], [], len(wanted))
    size = (last - first).days + 1
    executed_delta = [0] * (size + 1)
    passed_delta = [0] * (size + 1)

    def index(day):
        return 0 if day is None else min(max((day - first).days, 0), size)

    ever: set[int] = set()
    passing: dict[int, bool] = {}
    for run in runs:
        if run.day is not None and run.day > last:
            continue
        i = index(run.day)
        if run.executed and run.case_id not in ever:
            ever.add(run.case_id)
            executed_delta[i] += 1
        now_passing = run.passed
        if now_passing != passing.get(run.case_id, False):
            passed_delta[i] += 1 if now_passing else -1
        passing[run.case_id] = now_passing
    days, executed, passed = [], [], []
    done = ok = 0
    for i in range(size):
        done += executed_delta[i]
        ok += passed_delta[i]
        days.append(first + datetime.timedelta(days=i))
        executed.append(done)
        passed.append(ok)
    return BurnUp(days, executed, passed, len(wanted))


# ---------------------------------------------------------------------------------------------
# Defects: status on a day, ageing, weekly flow
# ---------------------------------------------------------------------------------------------


def status_on(history: list[tuple[datetime.date, str]], day: datetime.date, current: str) -> str:
    """A defect's status at the end of `day`, from its history rows [(day, status)] in order; before
    its first row, the status it was created with; without history, the current status."""
    status = None
    for when, value in history:
        if when > day:
            break
        status = value
    if status is None:
        status = history[0][1] if history else current
    return status


def is_open(status: str) -> bool:
    return status not in DONE


def bucket_of(age: int) -> int:
    for i, (low, high) in enumerate(AGE_BUCKETS):
        if age >= low and (high is None or age <= high):
            return i
    return 0  # a negative age (clock differences) counts as new


def bucket_label(i: int) -> str:
    low, high = AGE_BUCKETS[i]
    if high is None:
        return _(">%(days)s days") % {"days": low - 1}
    return _("%(low)s–%(high)s days") % {"low": low, "high": high}


@dataclass
class Ageing:
    """Open defects by severity (rows) and age bucket (columns): defect pks per cell."""

    cells: dict[tuple[int, int], list[int]]

    def count(self, severity: int, bucket: int) -> int:
        return len(self.cells.get((severity, bucket), []))

    def pks(self, severity: int | None, bucket: int | None) -> list[int]:
        out = []
        for (s, b), pks in self.cells.items():
            if (severity is None or s == severity) and (bucket is None or b == bucket):
                out.extend(pks)
        return sorted(out)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.cells.values())


def ageing(open_defects: list[DefectRow], as_of: datetime.date) -> Ageing:
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for d in open_defects:
        cells[(d.severity, bucket_of((as_of - d.created_day).days))].append(d.pk)
    return Ageing(dict(cells))


@dataclass
class Week:
    start: datetime.date  # Monday
    end: datetime.date  # Sunday, or the as-of day in the current week
    arrived: list[int] = field(default_factory=list)  # defect pks
    closed: list[int] = field(default_factory=list)
    open_count: int = 0


def defect_flow(defects: list[DefectRow], history: dict[int, list], as_of: datetime.date) -> list[Week]:
    """Arrivals, first closures and the open count per week, from the first arrival's week to as_of's."""
    if not defects:
        return []
    first = monday(min(d.created_day for d in defects))
    last = monday(as_of)
    weeks = [
        Week(start=first + datetime.timedelta(weeks=i), end=min(first + datetime.timedelta(weeks=i, days=6), as_of))
        for i in range((last - first).days // 7 + 1)
    ]
    delta = [0] * len(weeks)

    def index(day):
        return (monday(day) - first).days // 7

    for d in defects:
        rows = [(when, status) for when, status in history.get(d.pk, []) if when <= as_of]
        weeks[index(d.created_day)].arrived.append(d.pk)
        closure = next((when for when, status in rows if status in DONE), None)
        if closure is None and not rows and not is_open(d.status):
            closure = d.created_day  # no history: closed, but not known when; counted on arrival
        if closure is not None:
            weeks[index(max(closure, d.created_day))].closed.append(d.pk)
        state = is_open(status_on(rows, d.created_day, d.status))
        delta[index(d.created_day)] += 1 if state else 0
        for when, status in rows:
            if when <= d.created_day:
                continue
            now = is_open(status)
            if now != state:
                delta[index(when)] += 1 if now else -1
                state = now
    running = 0
    for week, change in zip(weeks, delta, strict=True):
        running += change
        week.open_count = running
        week.arrived.sort()
        week.closed.sort()
    return weeks


# ---------------------------------------------------------------------------------------------
# Traceability
# ---------------------------------------------------------------------------------------------

NO_CASES, NEVER_RUN, FAILING, BLOCKED_FLAG = "no_cases", "never_run", "failed", "blocked"


@dataclass
class TracedCase:
    case: CaseRow
    latest: Run | None  # latest execution of the case (in the chosen cycle, if one is chosen)
    open_defects: list[DefectRow]

    @property
    def result(self) -> str:
        return self.latest.result if self.latest else NOT_RUN

    @property
    def result_label(self) -> str:
        return result_label(self.result)


@dataclass
class TraceRow:
    ref: Reference
    cases: list[TracedCase]
    named_defects: list[DefectRow]  # open defects naming the reference, not already under one of its cases

    @property
    def passed(self) -> int:
        return sum(1 for c in self.cases if c.result in PASS)

    @property
    def flags(self) -> list[str]:
        if not self.cases:
            return [NO_CASES]
        results = {c.result for c in self.cases}
        flags = []
        if FAILED in results:
            flags.append(FAILING)
        if BLOCKED in results:
            flags.append(BLOCKED_FLAG)
        if NOT_RUN in results:
            flags.append(NEVER_RUN)
        return flags

    @property
    def flagged(self) -> bool:
        return bool({NO_CASES, NEVER_RUN, FAILING} & set(self.flags))


def flag_label(flag: str) -> str:
    return {
        NO_CASES: _("No test case"),
        NEVER_RUN: _("Never run"),
        FAILING: _("Latest result failed"),
        BLOCKED_FLAG: _("Blocked"),
    }[flag]


def traceability(cases: list[CaseRow], attribute: str, latest: dict[int, Run], open_by_case: dict[int, list[DefectRow]],
                 defects: list[DefectRow] = (), open_pks: set[int] = frozenset()) -> tuple[list[TraceRow], list[TracedCase]]:
    """Rows per use case (attribute "use_cases") or business rule ("business_rules"), in natural
    order, with each naming case, its latest execution and its open defects; `defects` (with their
    own use cases) add rows and the open ones naming a row. Also: the cases naming none."""
    labels: dict[str, Reference] = {}
    members: dict[str, list[TracedCase]] = defaultdict(list)
    unnamed: list[TracedCase] = []

    def note(ref: Reference):
        known = labels.get(ref.key)
        if known is None or len(ref.label) > len(known.label):
            labels[ref.key] = ref

    for case in sorted(cases, key=lambda c: c.number):
        traced = TracedCase(case, latest.get(case.pk), open_by_case.get(case.pk, []))
        refs = parse_references(getattr(case, attribute))
        if not refs:
            unnamed.append(traced)
        for ref in refs:
            note(ref)
            members[ref.key].append(traced)
    named: dict[str, list[DefectRow]] = defaultdict(list)
    for defect in sorted(defects, key=lambda d: d.number):
        for ref in parse_references(defect.use_cases):
            note(ref)
            if defect.pk in open_pks and defect.case_id not in {c.case.pk for c in members.get(ref.key, [])}:
                named[ref.key].append(defect)
    rows = [TraceRow(ref, members.get(ref.key, []), named.get(ref.key, [])) for ref in labels.values()]
    rows.sort(key=lambda r: natural_key(r.ref))
    return rows, unnamed


# ---------------------------------------------------------------------------------------------
# Reading the rows and computing the dashboard
# ---------------------------------------------------------------------------------------------


@dataclass
class Inputs:
    all_cycles: list[TestCycle]  # the project's cycles, in number order
    cycle: TestCycle | None  # the chosen cycle (None: all)
    cycles: list[TestCycle]  # the cycles looked at: all, or the chosen one
    cycle_cases: dict[int, set[int]]
    cases: dict[int, CaseRow]
    runs: list[Run]
    defects: dict[int, DefectRow]
    history: dict[int, list[tuple[datetime.date, str]]]


def end_of(day: datetime.date) -> datetime.datetime:
    """The first moment after `day` in the current time zone."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def load(project, as_of: datetime.date, cycle_pk: int | None = None) -> Inputs:
    """The rows the dashboard needs, in six queries (as of the end of `as_of`). `cycle_pk` chooses
    one of the project's cycles; a number that is not one of them is ignored (Inputs.cycle None)."""
    cutoff = end_of(as_of)
    all_cycles = list(TestCycle.objects.filter(project=project).order_by("number"))
    cycle = next((c for c in all_cycles if c.pk == cycle_pk), None) if cycle_pk is not None else None
    cycles = all_cycles if cycle is None else [cycle]
    links = TestCycle.cases.through.objects.filter(testcycle__project=project)
    if cycle is not None:
        links = links.filter(testcycle_id=cycle.pk)
    cycle_cases: dict[int, set[int]] = {c.pk: set() for c in cycles}
    for cycle_id, case_id in links.values_list("testcycle_id", "testcase_id"):
        cycle_cases.setdefault(cycle_id, set()).add(case_id)
    case_rows = TestCase.objects.filter(project=project)
    if cycle is not None:
        case_rows = case_rows.filter(cycles=cycle)
    cases = {
        pk: CaseRow(pk, number, title, use_cases, business_rules)
        for pk, number, title, use_cases, business_rules in case_rows.values_list(
            "pk", "number", "title", "use_cases", "business_rules")
    }
    executions = Execution.objects.filter(project=project).exclude(executed_at__gte=cutoff)
    if cycle is not None:
        executions = executions.filter(cycle=cycle)
    runs = [
        Run(pk, number, cycle_id, case_id, result, executed_at, local_day(executed_at))
        for pk, number, cycle_id, case_id, result, executed_at in executions.values_list(
            "pk", "number", "cycle_id", "case_id", "result", "executed_at")
    ]
    defect_rows = Defect.objects.filter(project=project, created__lt=cutoff)
    if cycle is not None:
        defect_rows = defect_rows.filter(cycle=cycle)
    defects = {
        pk: DefectRow(pk, number, title, severity, status, local_day(created), cycle_id, case_id, use_cases)
        for pk, number, title, severity, status, created, cycle_id, case_id, use_cases in defect_rows.values_list(
            "pk", "number", "title", "severity", "status", "created", "cycle_id", "case_id", "use_cases")
    }
    history: dict[int, list[tuple[datetime.date, str]]] = defaultdict(list)
    rows = (
        Defect.history.filter(project=project, history_date__lt=cutoff)
        .exclude(history_type="-")
        .order_by("history_date", "history_id")
        .values_list("id", "history_date", "status")
    )
    for pk, when, status in rows:
        if pk in defects:
            history[pk].append((local_day(when), status))
    return Inputs(all_cycles, cycle, cycles, cycle_cases, cases, runs, defects, dict(history))


@dataclass
class Dashboard:
    as_of: datetime.date
    cycle: TestCycle | None
    inputs: Inputs
    cycles: list[CycleFigures]
    statuses: dict[int, str]  # defect pk -> status at the end of as_of
    open_defects: list[DefectRow]
    ageing: Ageing
    weeks: list[Week]
    latest: dict[int, Run]  # case pk -> latest execution
    use_cases: list[TraceRow]
    without_use_case: list[TracedCase]
    rules: list[TraceRow]

    @property
    def cycles_by_pk(self) -> dict[int, TestCycle]:
        return {c.pk: c for c in self.inputs.all_cycles}

    def cycle_figures(self, pk: int) -> CycleFigures | None:
        return next((f for f in self.cycles if f.cycle.pk == pk), None)


def compute(inputs: Inputs, as_of: datetime.date) -> Dashboard:
    defects = sorted(inputs.defects.values(), key=lambda d: d.number)
    statuses = {d.pk: status_on(inputs.history.get(d.pk, []), as_of, d.status) for d in defects}
    open_defects = [d for d in defects if is_open(statuses[d.pk])]
    open_by_cycle: dict[int, list[DefectRow]] = defaultdict(list)
    open_by_case: dict[int, list[DefectRow]] = defaultdict(list)
    for d in open_defects:
        if d.cycle_id:
            open_by_cycle[d.cycle_id].append(d)
        if d.case_id:
            open_by_case[d.case_id].append(d)
    runs_by_cycle: dict[int, list[Run]] = defaultdict(list)
    for run in inputs.runs:
        runs_by_cycle[run.cycle_id].append(run)
    figures = [
        cycle_figures(c, inputs.cycle_cases.get(c.pk, set()), runs_by_cycle.get(c.pk, []), open_by_cycle.get(c.pk, []), as_of)
        for c in inputs.cycles
    ]
    latest = latest_runs(inputs.runs, set(inputs.cases))
    cases = list(inputs.cases.values())
    open_pks = {d.pk for d in open_defects}
    use_cases, without = traceability(cases, "use_cases", latest, open_by_case, defects, open_pks)
    rules, _unnamed = traceability(cases, "business_rules", latest, open_by_case)
    return Dashboard(
        as_of=as_of, cycle=inputs.cycle, inputs=inputs, cycles=figures, statuses=statuses, open_defects=open_defects,
        ageing=ageing(open_defects, as_of), weeks=defect_flow(defects, inputs.history, as_of), latest=latest,
        use_cases=use_cases, without_use_case=without, rules=rules,
    )


def build(project, as_of: datetime.date, cycle_pk: int | None = None) -> Dashboard:
    return compute(load(project, as_of, cycle_pk), as_of)


# ---------------------------------------------------------------------------------------------
# The rows behind a figure
# ---------------------------------------------------------------------------------------------

CYCLE_PARTS = ("scope", "ever", "executed", "passed", *RESULT_ORDER, "defects")
WEEK_PARTS = ("arrived", "closed", "open")


@dataclass
class Selection:
    """The register rows behind one figure: cases (with their latest execution) or defects."""

    title: str
    kind: str  # "cases" or "defects"
    cases: list[TracedCase] = field(default_factory=list)
    defects: list[DefectRow] = field(default_factory=list)

    def __len__(self):
        return len(self.cases) if self.kind == "cases" else len(self.defects)


def cycle_key(pk: int, part: str) -> str:
    return f"cycle.{pk}.{part}"


def age_key(severity: int | None, bucket: int | None) -> str:
    return f"age.{severity or 'all'}.{'all' if bucket is None else bucket}"


def week_key(start: datetime.date, part: str) -> str:
    return f"week.{start.isoformat()}.{part}"


def selection(board: Dashboard, key: str) -> Selection | None:
    """The rows behind the figure named by `key` (made by cycle_key, age_key, week_key); None for
    a key that names nothing on this dashboard."""
    parts = (key or "").split(".")
    try:
        if parts[0] == "cycle" and len(parts) == 3 and parts[2] in CYCLE_PARTS:
            return _cycle_selection(board, int(parts[1]), parts[2])
        if parts[0] == "age" and len(parts) == 3:
            severity = None if parts[1] == "all" else int(parts[1])
            bucket = None if parts[2] == "all" else int(parts[2])
            if (severity is not None and severity not in Severity.values) or (
                    bucket is not None and not 0 <= bucket < len(AGE_BUCKETS)):
                return None
            title = _("Open defects")
            if severity is not None:
                title += " · " + severity_label(severity)
            if bucket is not None:
                title += " · " + bucket_label(bucket)
            return _defects(title, board, board.ageing.pks(severity, bucket))
        if parts[0] == "week" and len(parts) == 3 and parts[2] in WEEK_PARTS:
            return _week_selection(board, datetime.date.fromisoformat(parts[1]), parts[2])
    except ValueError:
        return None
    return None


def _defects(title, board, pks) -> Selection:
    rows = sorted((board.inputs.defects[pk] for pk in pks), key=lambda d: d.number)
    return Selection(title=title, kind="defects", defects=rows)


def _cycle_selection(board: Dashboard, pk: int, part: str) -> Selection | None:
    figures = board.cycle_figures(pk)
    if figures is None:
        return None
    name = f"{figures.cycle.ref} {figures.cycle.name}"
    if part == "defects":
        return _defects(_("%(cycle)s: open defects") % {"cycle": name}, board, figures.open_defects)
    if part == "scope":
        pks, what = figures.case_ids, _("test cases")
    elif part == "ever":
        pks, what = figures.ever_executed, _("cases executed at least once")
    elif part == "executed":
        pks = [pk for pk in figures.case_ids if pk not in set(figures.by_result.get(NOT_RUN, []))]
        what = _("cases executed (latest result)")
    elif part == "passed":
        pks = sorted(pk for r in PASS for pk in figures.by_result.get(r, []))
        what = _("cases passed (latest result)")
    else:
        pks, what = figures.by_result.get(part, []), result_label(part)
    cases = [TracedCase(board.inputs.cases[c], figures.latest.get(c), []) for c in pks if c in board.inputs.cases]
    cases.sort(key=lambda t: t.case.number)
    return Selection(title=f"{name}: {what}", kind="cases", cases=cases)


def _week_selection(board: Dashboard, start: datetime.date, part: str) -> Selection | None:
    week = next((w for w in board.weeks if w.start == start), None)
    if week is None:
        return None
    when = _("week of %(day)s") % {"day": start.isoformat()}
    if part == "arrived":
        return _defects(_("Defects raised, %(week)s") % {"week": when}, board, week.arrived)
    if part == "closed":
        return _defects(_("Defects closed or rejected for the first time, %(week)s") % {"week": when}, board, week.closed)
    pks = [
        d.pk for d in board.inputs.defects.values()
        if d.created_day <= week.end and is_open(status_on(
            [(w, s) for w, s in board.inputs.history.get(d.pk, []) if w <= board.as_of], week.end, d.status))
    ]
    return _defects(_("Defects open at the end of the %(week)s") % {"week": when}, board, pks)
