"""Data migration figures: each mock run against the plan's thresholds, the trend across runs, the
cutover runbook's schedule, and the go/no-go checklist. No request, no template.

Everything is read once per page by `load_plan(project)` (a fixed number of queries, however many
objects, runs and steps), then computed in Python:

* `run_table(run)`: per object of the plan (every MigrationObject, in migration order) the run's
  counts; rejected rate = rejected / extracted × 100 (no extracted records: not measured);
  reconciled % = the figure entered on the run object, else the rate of the latest reconciliation
  of that run and object that is done (matched and equal / source rows × 100); errors by category
  (migration_counts.parse_errors). An object passes when its rejected rate is at most its
  `max_rejected_rate` and its reconciled % at least its `min_reconciled_rate`; a figure missing
  proves nothing, so the object does not pass. Totals: the sums of the counts, and the overall
  rejected rate = sum rejected / sum extracted × 100.
* `trend(project)`: the runs done or in progress, in number order; per object and overall, per run:
  rejected rate, reconciled %, loaded. Overall reconciled % = the objects' reconciled % weighted by
  their extracted records (objects with both figures).
* `schedule(project, timings=None)`: each runbook step's earliest start and finish in minutes from
  the start of the cutover, by its "after" steps (longest path); the total = the latest finish;
  the critical path = the chain of steps without slack ending at that finish. With a run's timings
  the same on the actual durations (a step not timed counts at its planned duration and is listed
  as not timed). Steps of the fallback stage (run only on a no-go) are scheduled but left out of
  the window, the critical path and the timings a rehearsal must have. A dependency cycle is
  reported with the steps on it (no offsets then).
* `go_no_go(project)`: from the last mock run that is done: every object of the plan ran; each
  object's rejected rate within its limit; each object's reconciliation at or above its threshold;
  no open severity-1 or 2 defect raised on that run's objects (the "data" criteria); the runbook is
  complete (every step has an owner and a planned duration, no cycle); the last rehearsal that is
  done (a run marked "cutover rehearsal") timed every step; its elapsed time (critical path of the
  actual durations) is within the planned window (critical path of the planned durations) plus
  WINDOW_MARGIN % (the "cutover" criteria). Go when every criterion is met.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _

from .choices import DEFECT_DONE, CutoverStage, ReconciliationStatus, RunStatus
from .migration_counts import parse_errors

WINDOW_MARGIN = 10  # % over the planned cutover window a rehearsal may take
TREND_STATUSES = (RunStatus.DONE, RunStatus.IN_PROGRESS)
SEVERE = (1, 2)  # defect severities that block the go
NAMES_SHOWN = 5  # objects or steps named in an evidence sentence


def number(value) -> str:
    """A figure for a sentence: 0.5 -> "0.5", 100.0 -> "100", 98.456 -> "98.46"."""
    return f"{round(float(value), 2):g}"


def hhmm(minutes: int | None) -> str:
    """Minutes as hours:minutes ("00:00", "07:05", "26:40"), signed when negative ("−00:10")."""
    if minutes is None:
        return "—"
    sign = "−" if minutes < 0 else ""
    hours, rest = divmod(abs(int(minutes)), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def _names(items, name=lambda item: f"{item.ref} “{item.name}”") -> str:
    items = list(items)
    shown = ", ".join(name(item) for item in items[:NAMES_SHOWN])
    if len(items) > NAMES_SHOWN:
        shown += " " + _("and %(n)d more") % {"n": len(items) - NAMES_SHOWN}
    return shown


# --- Reading --------------------------------------------------------------------------------------


@dataclass
class Plan:
    """Everything the figures need, read in a fixed number of queries."""

    project: object
    objects: list  # MigrationObject in migration order; .mappings = number of field mappings
    runs: list  # MockRun in number order
    results: dict  # (run pk, object pk) -> RunObject (defects prefetched)
    reconciled: dict  # (run pk, object pk) -> rate % of the latest reconciliation done (None: no source rows)
    steps: list  # CutoverStep in runbook order (owner, depends_on loaded)
    timings: dict  # run pk -> {step pk: actual minutes}


def load_steps(project) -> list:
    """The runbook's steps in order, with their owner, object and "after" steps (two queries)."""
    from .models import CutoverStep

    return list(
        CutoverStep.objects.filter(project=project)
        .select_related("owner", "migration_object")
        .prefetch_related(Prefetch("depends_on", queryset=CutoverStep.objects.order_by("sequence", "number")))
        .order_by("sequence", "number")
    )


def load_plan(project, run=None) -> Plan:
    """The project's migration plan; with `run`, only that run's results, reconciliations and timings."""
    from .models import Defect, MigrationObject, MockRun, Reconciliation, RehearsalTiming, RunObject

    objects = list(
        MigrationObject.objects.filter(project=project)
        .select_related("source_system", "owner")
        .prefetch_related(Prefetch("depends_on", queryset=MigrationObject.objects.order_by("sequence", "number")))
        .annotate(mappings=Count("field_mappings"))
        .order_by("sequence", "number")
    )
    if run is not None:
        runs = [run]
        scope = {"run": run}
    else:
        runs = list(MockRun.objects.filter(project=project).order_by("number"))
        scope = {"project": project}
    results = {
        (row.run_id, row.migration_object_id): row
        for row in RunObject.objects.filter(**scope).prefetch_related(
            Prefetch("defects", queryset=Defect.objects.order_by("number"))
        )
    }
    reconciled = {}
    # Oldest first, so the latest done reconciliation of a run and object is the one kept.
    for run_id, object_id, equal, source_rows in (
        Reconciliation.objects.filter(**scope, status=ReconciliationStatus.DONE, migration_object__isnull=False)
        .order_by("finished", "created", "pk")
        .values_list("run_id", "migration_object_id", "result__matched_equal", "result__source_rows")
    ):
        reconciled[(run_id, object_id)] = 100 * (equal or 0) / source_rows if source_rows else None
    steps = load_steps(project)
    timings = defaultdict(dict)
    for run_id, step_id, minutes in RehearsalTiming.objects.filter(**scope).values_list("run_id", "step_id", "actual_minutes"):
        timings[run_id][step_id] = minutes
    return Plan(project, objects, runs, results, reconciled, steps, dict(timings))


# --- One run --------------------------------------------------------------------------------------


@dataclass
class ObjectResult:
    """One object of the plan in one run."""

    object: object  # MigrationObject
    result: object | None  # RunObject, None when the object was not run
    rejected_rate: float | None
    reconciled: float | None
    reconciled_from: str  # "entered", "reconciliation" or "" (no figure)
    errors: list  # [(category, count)]
    error_problems: list
    defects: list  # Defect raised on this object in the run
    max_rejected: float
    min_reconciled: float
    rejected_ok: bool
    reconciled_ok: bool

    @property
    def ran(self) -> bool:
        return self.result is not None

    @property
    def passed(self) -> bool:
        return self.rejected_ok and self.reconciled_ok

    def count(self, name: str) -> int | None:
        return getattr(self.result, name) if self.result is not None else None

    @property
    def extracted(self):
        return self.count("extracted")

    @property
    def transformed(self):
        return self.count("transformed")

    @property
    def loaded(self):
        return self.count("loaded")

    @property
    def rejected(self):
        return self.count("rejected")


@dataclass
class RunTable:
    run: object
    rows: list  # ObjectResult per object of the plan, in migration order
    extracted: int = 0
    transformed: int = 0
    loaded: int = 0
    rejected: int = 0
    rejected_rate: float | None = None  # sum rejected / sum extracted × 100
    reconciled: float | None = None  # reconciled % weighted by extracted records
    errors: list = field(default_factory=list)  # [(category, count)] summed over the objects, largest first
    defects: list = field(default_factory=list)  # distinct defects raised in the run, by number

    @property
    def objects(self) -> int:
        return len(self.rows)

    @property
    def ran(self) -> int:
        return sum(1 for row in self.rows if row.ran)

    @property
    def passed(self) -> int:
        return sum(1 for row in self.rows if row.passed)


def object_result(obj, result, reconciliation_rate) -> ObjectResult:
    max_rejected, min_reconciled = float(obj.max_rejected_rate), float(obj.min_reconciled_rate)
    rejected_rate = reconciled = None
    source, errors, problems, defects = "", [], [], []
    if result is not None:
        rejected_rate = result.rejected_rate
        if result.reconciled_rate is not None:
            reconciled, source = float(result.reconciled_rate), "entered"
        elif reconciliation_rate is not None:
            reconciled, source = reconciliation_rate, "reconciliation"
        errors, problems = parse_errors(result.errors)
        defects = list(result.defects.all())
    return ObjectResult(
        object=obj, result=result, rejected_rate=rejected_rate, reconciled=reconciled, reconciled_from=source,
        errors=errors, error_problems=problems, defects=defects, max_rejected=max_rejected, min_reconciled=min_reconciled,
        rejected_ok=rejected_rate is not None and rejected_rate <= max_rejected,
        reconciled_ok=reconciled is not None and reconciled >= min_reconciled,
    )


def weighted_reconciled(rows) -> float | None:
    """Reconciled % of the objects weighted by their extracted records (objects with both figures)."""
    pairs = [(row.reconciled, row.extracted) for row in rows if row.reconciled is not None and row.extracted]
    weight = sum(extracted for _rate, extracted in pairs)
    return sum(rate * extracted for rate, extracted in pairs) / weight if weight else None


def run_table(run, plan: Plan | None = None) -> RunTable:
    """Every object of the plan in `run` against its thresholds, with the run's totals."""
    plan = plan or load_plan(run.project, run=run)
    rows = [
        object_result(obj, plan.results.get((run.pk, obj.pk)), plan.reconciled.get((run.pk, obj.pk)))
        for obj in plan.objects
    ]
    table = RunTable(run=run, rows=rows)
    errors = defaultdict(int)
    defects = {}
    for row in rows:
        if not row.ran:
            continue
        for name in ("extracted", "transformed", "loaded", "rejected"):
            setattr(table, name, getattr(table, name) + row.count(name))
        for category, count in row.errors:
            errors[category] += count
        for defect in row.defects:
            defects[defect.pk] = defect
    table.rejected_rate = 100 * table.rejected / table.extracted if table.extracted else None
    table.reconciled = weighted_reconciled(rows)
    table.errors = sorted(errors.items(), key=lambda item: (-item[1], item[0].casefold()))
    table.defects = sorted(defects.values(), key=lambda d: d.number)
    return table


# --- Across runs ----------------------------------------------------------------------------------


@dataclass
class Series:
    """Per run (in the trend's run order): rejected rate, reconciled %, loaded; None where not run."""

    name: str
    object: object | None  # MigrationObject, None for the overall series
    rejected_rate: list
    reconciled: list
    loaded: list


@dataclass
class Trend:
    runs: list  # MockRun done or in progress, by number
    objects: list  # Series per object of the plan
    overall: Series
    tables: list  # RunTable per run

    def has_values(self, attribute: str) -> bool:
        return any(value is not None for series in [*self.objects, self.overall] for value in getattr(series, attribute))


def trend(project, plan: Plan | None = None) -> Trend:
    plan = plan or load_plan(project)
    runs = [run for run in plan.runs if run.status in TREND_STATUSES]
    tables = [run_table(run, plan) for run in runs]
    series = []
    for index, obj in enumerate(plan.objects):
        rows = [table.rows[index] for table in tables]
        series.append(Series(
            name=obj.name, object=obj,
            rejected_rate=[row.rejected_rate for row in rows],
            reconciled=[row.reconciled for row in rows],
            loaded=[row.loaded for row in rows],
        ))
    overall = Series(
        name=_("All objects"), object=None,
        rejected_rate=[table.rejected_rate for table in tables],
        reconciled=[table.reconciled for table in tables],
        loaded=[table.loaded if table.ran else None for table in tables],
    )
    return Trend(runs=runs, objects=series, overall=overall, tables=tables)


# --- The cutover schedule -------------------------------------------------------------------------


@dataclass
class StepTime:
    step: object  # CutoverStep
    planned: int
    actual: int | None  # from the run's timings, when given
    duration: int  # the minutes scheduled: the actual when timed, else the planned
    after: list  # CutoverStep this one waits for
    counted: bool  # in the window (not a fallback step)
    start: int | None = None
    finish: int | None = None
    slack: int | None = None
    critical: bool = False

    @property
    def variance(self) -> int | None:
        return None if self.actual is None else self.actual - self.planned

    @property
    def start_hhmm(self) -> str:
        return hhmm(self.start)

    @property
    def finish_hhmm(self) -> str:
        return hhmm(self.finish)


@dataclass
class Schedule:
    steps: list  # StepTime in runbook order
    total: int | None  # minutes from the start to the last finish (None: a cycle)
    critical_path: list  # CutoverStep, first to last
    cycle: list  # CutoverStep on a dependency cycle (runbook order)
    message: str  # what is wrong, for the page ("" when nothing)
    on_actuals: bool
    untimed: list  # counted steps without a timing (only on actuals)

    @property
    def ok(self) -> bool:
        return not self.cycle

    @property
    def complete(self) -> bool:
        return self.ok and not self.untimed

    @property
    def total_hhmm(self) -> str:
        return hhmm(self.total)

    @property
    def planned_total(self) -> int:
        """The planned minutes of the counted steps added up (the window if nothing ran in parallel)."""
        return sum(s.planned for s in self.steps if s.counted)

    @property
    def actual_total(self) -> int:
        return sum(s.actual for s in self.steps if s.counted and s.actual is not None)


def find_cycle(ids: list, deps: dict) -> tuple[list, list]:
    """(every id on a dependency cycle, in `ids` order; one cycle as a path that ends where it starts)."""
    index = {pk: i for i, pk in enumerate(ids)}

    def reaches(start, goal) -> list | None:
        """A path start -> ... -> goal over "waits for" edges (depth first), or None."""
        stack, seen = [(start, [start])], set()
        while stack:
            node, path = stack.pop()
            for nxt in sorted(deps.get(node, ()), key=index.get, reverse=True):
                if nxt == goal:
                    return [*path, nxt]
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
        return None

    on_cycle, example = [], []
    for pk in ids:
        path = reaches(pk, pk)
        if path:
            on_cycle.append(pk)
            if not example:
                example = path
    return on_cycle, example


def compute_schedule(ids: list, deps: dict, duration: dict, counted: set) -> dict:
    """Longest-path schedule of a dependency graph.

    ids: the steps in runbook order; deps: id -> ids it waits for; duration: id -> minutes;
    counted: the ids the window is measured over. -> {"start", "finish", "slack": {id: minutes},
    "total", "critical_path": [ids], "cycle": [ids], "cycle_path": [ids]}.
    """
    deps = {pk: [d for d in deps.get(pk, ()) if d in duration] for pk in ids}
    successors = defaultdict(list)
    for pk in ids:
        for dep in deps[pk]:
            successors[dep].append(pk)
    waiting = {pk: len(deps[pk]) for pk in ids}
    ready = [pk for pk in ids if not waiting[pk]]
    order = []
    while ready:
        pk = ready.pop(0)
        order.append(pk)
        for nxt in successors[pk]:
            waiting[nxt] -= 1
            if not waiting[nxt]:
                ready.append(nxt)
    if len(order) < len(ids):
        cycle, path = find_cycle(ids, deps)
        return {"start": {}, "finish": {}, "slack": {}, "total": None, "critical_path": [], "cycle": cycle,
                "cycle_path": path}
    start, finish = {}, {}
    for pk in order:
        start[pk] = max((finish[d] for d in deps[pk]), default=0)
        finish[pk] = start[pk] + duration[pk]
    total = max((finish[pk] for pk in ids if pk in counted), default=0)
    latest = {}
    for pk in reversed(order):
        if pk not in counted:
            continue
        after = [latest[s] - duration[s] for s in successors[pk] if s in counted]
        latest[pk] = min([total, *after])
    slack = {pk: latest[pk] - finish[pk] for pk in latest}
    path = []
    ends = [pk for pk in ids if pk in counted and finish[pk] == total and slack[pk] == 0]
    if ends and total > 0:
        current = ends[0]
        path.append(current)
        while start[current] > 0:
            before = [d for d in ids if d in deps[current] and d in counted and finish[d] == start[current] and slack[d] == 0]
            if not before:
                break
            current = before[0]
            path.append(current)
        path.reverse()
    return {"start": start, "finish": finish, "slack": slack, "total": total, "critical_path": path, "cycle": [],
            "cycle_path": []}


def _step_label(step) -> str:
    return f"{step.ref} “{step.name}”"


def schedule(project, timings=None, steps: list | None = None) -> Schedule:
    """The runbook's schedule on planned durations; with `timings` (a MockRun, or {step pk: actual
    minutes}) on the actual durations."""
    from .models import MockRun

    if steps is None:
        steps = load_steps(project)
    on_actuals = timings is not None
    if isinstance(timings, MockRun):
        timings = dict(timings.timings.values_list("step_id", "actual_minutes"))
    timings = timings or {}
    by_pk = {step.pk: step for step in steps}
    rows = []
    for step in steps:
        actual = timings.get(step.pk)
        rows.append(StepTime(
            step=step, planned=step.planned_minutes or 0, actual=actual,
            duration=actual if actual is not None else (step.planned_minutes or 0),
            after=list(step.depends_on.all()), counted=step.stage != CutoverStage.FALLBACK,
        ))
    ids = [row.step.pk for row in rows]
    figures = compute_schedule(
        ids, {row.step.pk: [d.pk for d in row.after] for row in rows}, {row.step.pk: row.duration for row in rows},
        {row.step.pk for row in rows if row.counted},
    )
    critical = set(figures["critical_path"])
    for row in rows:
        pk = row.step.pk
        row.start, row.finish, row.slack = figures["start"].get(pk), figures["finish"].get(pk), figures["slack"].get(pk)
        row.critical = pk in critical or (row.slack == 0 and row.counted and bool(figures["total"]))
    cycle = [by_pk[pk] for pk in figures["cycle"]]
    message = ""
    if cycle:
        message = _(
            "The runbook's steps wait for each other in a circle (%(path)s), so they cannot be scheduled. "
            "Steps on a circle: %(steps)s. Change the “after” steps of one of them."
        ) % {
            "path": " → ".join(by_pk[pk].ref for pk in figures["cycle_path"]),
            "steps": _names(cycle, _step_label),
        }
    untimed = [row.step for row in rows if on_actuals and row.counted and row.actual is None]
    return Schedule(
        steps=rows, total=figures["total"], critical_path=[by_pk[pk] for pk in figures["critical_path"]],
        cycle=cycle, message=message, on_actuals=on_actuals, untimed=untimed,
    )


# --- Go / no-go -----------------------------------------------------------------------------------

DATA = "data"
CUTOVER = "cutover"


@dataclass
class Criterion:
    code: str
    group: str  # DATA or CUTOVER
    met: bool
    text: str


@dataclass
class GoNoGo:
    run: object | None  # the last mock run done
    rehearsal: object | None  # the last rehearsal done
    criteria: list
    table: RunTable | None  # of the last run done
    planned: Schedule | None  # the runbook on planned durations (None without steps)
    rehearsed: Schedule | None  # the runbook on the rehearsal's actual durations
    window_limit: float | None = None

    def group_met(self, group: str) -> bool:
        rows = [c for c in self.criteria if c.group == group]
        return bool(rows) and all(c.met for c in rows)

    @property
    def data_met(self) -> bool:
        return self.group_met(DATA)

    @property
    def cutover_met(self) -> bool:
        return self.group_met(CUTOVER)

    @property
    def go(self) -> bool:
        return all(c.met for c in self.criteria)

    @property
    def verdict(self) -> str:
        return "go" if self.go else "no_go"

    @property
    def verdict_label(self) -> str:
        return _("Go") if self.go else _("No-go")

    def failing(self, group: str | None = None) -> list:
        return [c for c in self.criteria if not c.met and (group is None or c.group == group)]


def data_criteria(plan: Plan, run, table: RunTable | None) -> list[Criterion]:
    if not plan.objects:
        text = _("The migration plan has no objects yet.")
        return [Criterion(code, DATA, False, text) for code in ("objects_run", "rejected", "reconciled", "defects")]
    if run is None:
        text = _("No mock run is done yet.")
        return [Criterion(code, DATA, False, text) for code in ("objects_run", "rejected", "reconciled", "defects")]
    rows, values = table.rows, {"run": run.ref, "total": len(table.rows)}
    criteria = []

    not_run = [row.object for row in rows if not row.ran]
    text = _("%(run)s ran %(ran)d of the %(total)d objects of the plan.") % {**values, "ran": table.ran}
    if not_run:
        text += " " + _("Not run: %(names)s.") % {"names": _names(not_run)}
    criteria.append(Criterion("objects_run", DATA, not not_run, text))

    over = [row for row in rows if row.rejected_rate is not None and not row.rejected_ok]
    unmeasured = [row.object for row in rows if row.rejected_rate is None]
    ok = sum(1 for row in rows if row.rejected_ok)
    text = _("%(ok)d of %(total)d objects within their limit of rejected records in %(run)s.") % {**values, "ok": ok}
    if table.rejected_rate is not None:
        text += " " + _("Overall %(rate)s%% rejected (%(rejected)d of %(extracted)d extracted).") % {
            "rate": number(table.rejected_rate), "rejected": table.rejected, "extracted": table.extracted}
    if over:
        text += " " + _("Over the limit: %(names)s.") % {"names": _names(over, lambda row: _(
            "%(ref)s “%(name)s” %(rate)s%% (at most %(limit)s%%)") % {
            "ref": row.object.ref, "name": row.object.name, "rate": number(row.rejected_rate),
            "limit": number(row.max_rejected)})}
    if unmeasured:
        text += " " + _("No records extracted, so not proven: %(names)s.") % {"names": _names(unmeasured)}
    criteria.append(Criterion("rejected", DATA, ok == len(rows), text))

    below = [row for row in rows if row.reconciled is not None and not row.reconciled_ok]
    missing = [row.object for row in rows if row.reconciled is None]
    ok = sum(1 for row in rows if row.reconciled_ok)
    text = _("%(ok)d of %(total)d objects reconciled at or above their threshold in %(run)s.") % {**values, "ok": ok}
    if below:
        text += " " + _("Below the threshold: %(names)s.") % {"names": _names(below, lambda row: _(
            "%(ref)s “%(name)s” %(rate)s%% (at least %(limit)s%%)") % {
            "ref": row.object.ref, "name": row.object.name, "rate": number(row.reconciled),
            "limit": number(row.min_reconciled)})}
    if missing:
        text += " " + _("Not reconciled, so not proven: %(names)s.") % {"names": _names(missing)}
    criteria.append(Criterion("reconciled", DATA, ok == len(rows), text))

    severe = [d for d in table.defects if d.severity in SEVERE and d.status not in DEFECT_DONE]
    if severe:
        text = _("%(n)d open severity-1 or 2 defects raised on the objects of %(run)s: %(refs)s.") % {
            **values, "n": len(severe), "refs": _names(severe, lambda d: f"{d.ref} “{d.title}”")}
    else:
        text = _("No open severity-1 or 2 defect raised on the objects of %(run)s (%(n)d defects raised in all).") % {
            **values, "n": len(table.defects)}
    criteria.append(Criterion("defects", DATA, not severe, text))
    return criteria


def cutover_criteria(plan: Plan, planned: Schedule | None, rehearsal, rehearsed: Schedule | None,
                     margin: float = WINDOW_MARGIN) -> tuple[list[Criterion], float | None]:
    """The runbook and rehearsal criteria, and the window limit in minutes (None when not known)."""
    criteria = []
    steps = plan.steps
    if not steps:
        text = _("The cutover runbook has no steps yet.")
        return [Criterion(code, CUTOVER, False, text) for code in ("runbook", "timed", "window")], None

    no_owner = [s for s in steps if s.owner_id is None]
    no_duration = [s for s in steps if not s.planned_minutes]
    if not no_owner and not no_duration and planned.ok:
        text = _("Every one of the %(n)d steps of the runbook has an owner and a planned duration; "
                 "no step waits for itself.") % {"n": len(steps)}
    else:
        parts = []
        if no_owner:
            parts.append(_("Without an owner: %(names)s.") % {"names": _names(no_owner, _step_label)})
        if no_duration:
            parts.append(_("Without a planned duration: %(names)s.") % {"names": _names(no_duration, _step_label)})
        if not planned.ok:
            parts.append(planned.message)
        text = " ".join(parts)
    criteria.append(Criterion("runbook", CUTOVER, not no_owner and not no_duration and planned.ok, text))

    counted = [row.step for row in planned.steps if row.counted]
    if rehearsal is None:
        text = _("No cutover rehearsal is done yet (a mock run marked as a cutover rehearsal).")
        criteria.append(Criterion("timed", CUTOVER, False, text))
        criteria.append(Criterion("window", CUTOVER, False, text))
        return criteria, None
    values = {"run": rehearsal.ref, "n": len(counted)}
    untimed = rehearsed.untimed
    text = _("%(run)s timed %(timed)d of the %(n)d steps of the runbook.") % {**values, "timed": len(counted) - len(untimed)}
    if untimed:
        text += " " + _("Not timed: %(names)s.") % {"names": _names(untimed, _step_label)}
    criteria.append(Criterion("timed", CUTOVER, bool(counted) and not untimed, text))

    if not planned.ok:
        criteria.append(Criterion("window", CUTOVER, False, _("The window cannot be worked out: %(why)s") % {
            "why": planned.message}))
        return criteria, None
    limit = planned.total * (1 + margin / 100)
    values.update(planned=planned.total, limit=number(limit), margin=number(margin), actual=rehearsed.total)
    if untimed:
        text = _("Not every step was timed in %(run)s, so its elapsed time is not proven against the planned window "
                 "of %(planned)d minutes (limit %(limit)s minutes with the %(margin)s%% margin).") % values
        met = False
    else:
        text = _("%(run)s took %(actual)d minutes along its critical path; the planned window is %(planned)d minutes, "
                 "%(limit)s minutes with the %(margin)s%% margin.") % values
        met = rehearsed.total <= limit
    criteria.append(Criterion("window", CUTOVER, met, text))
    return criteria, limit


def go_no_go(project, plan: Plan | None = None) -> GoNoGo:
    """The go/no-go checklist from the last mock run done and the last rehearsal done."""
    plan = plan or load_plan(project)
    done = [run for run in plan.runs if run.status == RunStatus.DONE]
    run = done[-1] if done else None
    rehearsals = [r for r in done if r.is_rehearsal]
    rehearsal = rehearsals[-1] if rehearsals else None
    table = run_table(run, plan) if run is not None else None
    planned = schedule(project, steps=plan.steps) if plan.steps else None
    rehearsed = (
        schedule(project, timings=plan.timings.get(rehearsal.pk, {}), steps=plan.steps)
        if rehearsal is not None and plan.steps else None
    )
    criteria = data_criteria(plan, run, table)
    more, limit = cutover_criteria(plan, planned, rehearsal, rehearsed)
    return GoNoGo(run=run, rehearsal=rehearsal, criteria=criteria + more, table=table, planned=planned,
                  rehearsed=rehearsed, window_limit=limit)
