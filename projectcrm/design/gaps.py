"""Gap analysis: what differs between an as-is map and a to-be map, and the figures before and after.

`compare(as_is, to_be)` works on plain `MapData` (design/mapdata.py), so it is tested against
hand-worked pairs of maps without a database and serves the gap-analysis page unchanged.

Matching steps. A to-be map usually starts as a copy of the as-is map and keeps its BPMN ids, so
steps are matched first by key; the steps still unmatched are then matched by name (case and
spacing ignored) when that name occurs once among the unmatched steps of each map. Every kind of
step is matched, but only work steps (task, system action, manual hand-off) count toward steps,
durations and effort.

Differences. An as-is step without a partner was removed; a to-be step without one was added. A
matched pair is automated when the to-be step is automated and the as-is step was not, or a task
or hand-off became a system action; it is changed when its name, kind, lane (by name), performer,
system, duration or automated flag differ. An automated pair is reported once, as automated, with
its other changes listed.

Figures. Hand-offs are flows between steps in differently named lanes (lanes are compared by name
so that the two maps' lanes correspond). A step is automated when flagged so or when it is a system
action; the other work steps are manual. The duration is the sum of the known durations of the
work steps; steps without a duration are counted and shown as such, never guessed. The monthly
effort is the sum of duration × monthly volume over the work steps that have both, in hours.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .choices import WORK_KINDS, GapKind, StepKind
from .mapdata import MapData, StepData

# Fields compared on a matched pair, in the order they are listed, with their labels.
COMPARED = {
    "name": gettext_lazy("name"),
    "kind": gettext_lazy("kind"),
    "lane": gettext_lazy("swimlane"),
    "performer": gettext_lazy("performer"),
    "system": gettext_lazy("system used"),
    "duration_minutes": gettext_lazy("duration (minutes)"),
    "automated": gettext_lazy("automated"),
}
TEXT_FIELDS = {"name", "performer", "system"}  # compared ignoring case and spacing, like lane names
MANUAL_KINDS = {StepKind.TASK, StepKind.HANDOFF}


def normalise(text: str) -> str:
    """Case and runs of whitespace ignored: "Capture  Lead " and "capture lead" are one name."""
    return " ".join((text or "").split()).casefold()


def is_work(step: StepData) -> bool:
    return step.kind in WORK_KINDS


def is_automated(step: StepData) -> bool:
    return is_work(step) and (step.automated or step.kind == StepKind.SYSTEM)


# --- Matching ------------------------------------------------------------------------------------


def match_steps(as_is: MapData, to_be: MapData) -> list[tuple[StepData, StepData]]:
    """Pairs (as-is step, to-be step): by key first, then by a name unique among the unmatched."""
    to_be_by_key = {s.key: s for s in to_be.steps}
    pairs = [(s, to_be_by_key[s.key]) for s in as_is.steps if s.key in to_be_by_key]
    matched_keys = {s.key for s, _t in pairs}
    left = [s for s in as_is.steps if s.key not in matched_keys]
    right = [s for s in to_be.steps if s.key not in matched_keys]
    left_names = Counter(normalise(s.name) for s in left)
    right_by_name = {}
    right_names = Counter()
    for s in right:
        right_names[normalise(s.name)] += 1
        right_by_name[normalise(s.name)] = s
    for s in left:
        name = normalise(s.name)
        if name and left_names[name] == 1 and right_names[name] == 1:
            pairs.append((s, right_by_name[name]))
    return pairs


# --- Differences ---------------------------------------------------------------------------------


@dataclass
class Change:
    """One field of a matched pair that differs: `before` and `after` as stored (None: not given)."""

    field: str
    before: object
    after: object

    @property
    def label(self) -> str:
        return str(COMPARED[self.field])

    def show(self, value) -> str:
        if value is None or value == "":
            return "—"
        if self.field == "kind":
            return str(StepKind(value).label) if value in StepKind.values else str(value)
        if self.field == "automated":
            return _("Yes") if value else _("No")
        return str(value)

    def __str__(self) -> str:
        return f"{self.label}: {self.show(self.before)} → {self.show(self.after)}"


@dataclass
class Difference:
    kind: str  # a GapKind value
    as_is_key: str | None = None
    as_is_name: str = ""
    to_be_key: str | None = None
    to_be_name: str = ""
    changes: list[Change] = field(default_factory=list)

    @property
    def token(self) -> str:
        """Identifies the difference in a form (BPMN ids hold no colon)."""
        return f"{self.kind}:{self.as_is_key or ''}:{self.to_be_key or ''}"

    @property
    def name(self) -> str:
        return self.to_be_name or self.as_is_name or self.to_be_key or self.as_is_key or ""

    @property
    def kind_label(self) -> str:
        return str(GapKind(self.kind).label)

    def title(self) -> str:
        """A gap's title: "Step automated: Assign to sales rep"."""
        return f"{self.kind_label}: {self.name}"[:200]

    def description(self) -> str:
        return "\n".join(str(change) for change in self.changes)


def changes_between(before: StepData, after: StepData, lanes_before: dict, lanes_after: dict) -> list[Change]:
    changes = []
    for name in COMPARED:
        if name == "lane":
            old, new = lanes_before.get(before.lane, ""), lanes_after.get(after.lane, "")
            differs = normalise(old) != normalise(new)
        elif name in TEXT_FIELDS:
            old, new = getattr(before, name), getattr(after, name)
            differs = normalise(old) != normalise(new)
        else:
            old, new = getattr(before, name), getattr(after, name)
            differs = old != new
        if differs:
            changes.append(Change(name, old, new))
    return changes


def became_automated(before: StepData, after: StepData) -> bool:
    return (after.automated and not before.automated) or (
        after.kind == StepKind.SYSTEM and before.kind in MANUAL_KINDS
    )


def differences(as_is: MapData, to_be: MapData, pairs=None) -> list[Difference]:
    """Removed, automated and changed steps in the as-is map's order, then the added steps."""
    pairs = match_steps(as_is, to_be) if pairs is None else pairs
    lanes_before = {lane.key: lane.name for lane in as_is.lanes}
    lanes_after = {lane.key: lane.name for lane in to_be.lanes}
    partner = {a.key: b for a, b in pairs}
    matched_to_be = {b.key for _a, b in pairs}
    found = []
    for step in reading_order(as_is):
        other = partner.get(step.key)
        if other is None:
            found.append(Difference(GapKind.REMOVED, step.key, step.name))
            continue
        changes = changes_between(step, other, lanes_before, lanes_after)
        if became_automated(step, other):
            found.append(Difference(GapKind.AUTOMATED, step.key, step.name, other.key, other.name, changes))
        elif changes:
            found.append(Difference(GapKind.CHANGED, step.key, step.name, other.key, other.name, changes))
    for step in reading_order(to_be):
        if step.key not in matched_to_be:
            found.append(Difference(GapKind.ADDED, None, "", step.key, step.name))
    return found


def reading_order(data: MapData) -> list[StepData]:
    """Steps lane by lane, left to right, as the diagram reads."""
    position = {lane.key: i for i, lane in enumerate(data.lanes)}
    return sorted(data.steps, key=lambda s: (position.get(s.lane, len(position)), s.x, s.key))


# --- Figures -------------------------------------------------------------------------------------


@dataclass
class Figures:
    steps: int  # work steps
    manual: int
    automated: int
    handoffs: int  # flows between differently named lanes
    handoff_steps: int  # steps of kind "manual hand-off"
    duration: int  # minutes, the work steps with a known duration
    without_duration: int  # work steps whose duration is not given
    pain_points: int
    effort_minutes: int | None  # duration × volume over the work steps with both; None when no step has a volume
    without_volume: int  # timed work steps without a volume, left out of the effort (0 when no step has one)

    @property
    def effort_hours(self) -> Decimal | None:
        return None if self.effort_minutes is None else hours(self.effort_minutes)


def hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"))


def figures(data: MapData) -> Figures:
    work = [s for s in data.steps if is_work(s)]
    automated = sum(1 for s in work if is_automated(s))
    lane_names = {lane.key: normalise(lane.name) for lane in data.lanes}
    step_lane = {s.key: lane_names.get(s.lane, "") for s in data.steps}
    handoffs = sum(1 for f in data.flows if step_lane.get(f.source) != step_lane.get(f.target))
    timed = [s for s in work if s.duration_minutes is not None]
    weighted = [s for s in timed if s.volume is not None]
    effort = sum(s.duration_minutes * s.volume for s in weighted) if any(s.volume is not None for s in work) else None
    return Figures(
        steps=len(work),
        manual=len(work) - automated,
        automated=automated,
        handoffs=handoffs,
        handoff_steps=sum(1 for s in data.steps if s.kind == StepKind.HANDOFF),
        duration=sum(s.duration_minutes for s in timed),
        without_duration=len(work) - len(timed),
        pain_points=sum(len(s.pain_points or []) for s in data.steps),
        effort_minutes=effort,
        without_volume=0 if effort is None else len(timed) - len(weighted),
    )


@dataclass
class FigureRow:
    """One line of the before/after table."""

    key: str
    label: str
    before: object
    after: object
    note_before: str = ""
    note_after: str = ""
    exact: tuple | None = None  # unrounded (before, after) when the shown figures are rounded

    @property
    def change(self):
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def percent(self) -> Decimal | None:
        """The change as a share of the before figure (None when there was nothing before)."""
        before, after = self.exact or (self.before, self.after)
        if before is None or after is None or not before:
            return None
        return (Decimal(after - before) * 100 / Decimal(before)).quantize(Decimal("0.1"))


def without_duration_note(n: int) -> str:
    if not n:
        return ""
    return ngettext("%(n)d without duration", "%(n)d without duration", n) % {"n": n}


def without_volume_note(n: int) -> str:
    if not n:
        return ""
    return ngettext("%(n)d timed step without volume", "%(n)d timed steps without volume", n) % {"n": n}


def figure_rows(before: Figures, after: Figures) -> list[FigureRow]:
    rows = [
        FigureRow("steps", _("Work steps"), before.steps, after.steps),
        FigureRow("manual", _("Manual steps"), before.manual, after.manual),
        FigureRow("automated", _("Automated steps"), before.automated, after.automated),
        FigureRow("handoffs", _("Hand-offs between lanes"), before.handoffs, after.handoffs),
        FigureRow("handoff_steps", _("Manual hand-off steps"), before.handoff_steps, after.handoff_steps),
        FigureRow("duration", _("Total duration (minutes)"), before.duration, after.duration,
                  without_duration_note(before.without_duration), without_duration_note(after.without_duration)),
        FigureRow("pain_points", _("Pain points"), before.pain_points, after.pain_points),
    ]
    if before.effort_minutes is not None or after.effort_minutes is not None:
        rows.append(FigureRow("effort", _("Monthly effort (hours, by volume)"), before.effort_hours, after.effort_hours,
                              without_volume_note(before.without_volume), without_volume_note(after.without_volume),
                              exact=(before.effort_minutes, after.effort_minutes)))
    return rows


# --- The comparison ------------------------------------------------------------------------------


@dataclass
class Comparison:
    before: Figures
    after: Figures
    differences: list[Difference]
    pairs: list[tuple[StepData, StepData]]

    @property
    def rows(self) -> list[FigureRow]:
        return figure_rows(self.before, self.after)

    def count(self, kind: str) -> int:
        return sum(1 for d in self.differences if d.kind == kind)


def compare(as_is: MapData, to_be: MapData) -> Comparison:
    pairs = match_steps(as_is, to_be)
    return Comparison(figures(as_is), figures(to_be), differences(as_is, to_be, pairs), pairs)


# --- Recorded gaps -------------------------------------------------------------------------------


def effort_by_resolution(gaps) -> list[tuple[str, Decimal, int]]:
    """(resolution value, total effort in person-days, gaps) per resolution, in the order first met.

    `gaps` are (resolution, effort_days) pairs; a gap without an estimate adds no effort but is
    counted; the empty resolution stands for gaps not yet resolved.
    """
    totals: dict[str, list] = {}
    for resolution, effort in gaps:
        entry = totals.setdefault(resolution or "", [Decimal(0), 0])
        entry[0] += Decimal(effort or 0)
        entry[1] += 1
    return [(resolution, total, count) for resolution, (total, count) in totals.items()]
