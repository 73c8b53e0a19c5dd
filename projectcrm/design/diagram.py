"""A process map drawn as a swimlane diagram in SVG: one string, built from `MapData` alone.

The same markup is shown on the map's page, in the editor (with `interactive=True`: every lane,
step and flow carries its key in `data-key` for the editor's JavaScript), served as a standalone
.svg file and embedded in the PDF (weasyprint draws inline SVG), so it uses presentation
attributes only (no CSS classes needed to look right) and fonts that exist for both Chromium
and weasyprint.

Geometry (models.py): lanes are stacked from y = 0 in their order; a lane's name sits in a band
LANE_HEADER wide on the left; a step's (x, y) is the centre of its shape, x measured from the end
of the header band, y from the top of its lane. Flows are drawn as orthogonal polylines between
the shapes' sides. Every piece of text is escaped. No request, no query: pure string building,
so a map of hundreds of steps draws in milliseconds.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.html import escape as html_escape
from django.utils.translation import gettext as _

from . import mapdata
from .choices import EVENT_KINDS, GATEWAY_KINDS, PainPoint, StepKind
from .mapdata import FlowData, MapData, StepData
from .models import LANE_HEADER


def escape(text) -> str:
    """Text for SVG: HTML-escaped, without the control characters XML cannot hold (a name typed
    or imported with one would otherwise make the whole drawing unreadable)."""
    return html_escape(mapdata.NOT_XML.sub("", str(text)))

FONT = "'Noto Sans CJK SC', 'Noto Sans', sans-serif"
MARGIN = 12
MIN_WIDTH = 640
TASK_FONT = 12
LABEL_FONT = 11
LINE = 1.25  # line height in em
INK = "#0f172a"
FLOW_INK = "#334155"
SELECTED = "#f59e0b"
LANE_FILLS = ("#f8fafc", "#eef2f7")
LANE_BORDER = "#94a3b8"
HEADER_FILL = "#dbe3ee"
LABEL_WIDTH = 120  # the width names below events and gateways wrap at

SHAPE_STYLE = {  # fill, stroke
    StepKind.TASK: ("#ffffff", "#1e3a8a"),
    StepKind.SYSTEM: ("#e0f2fe", "#0369a1"),
    StepKind.HANDOFF: ("#fffbeb", "#b45309"),
    StepKind.START: ("#f0fdf4", "#15803d"),
    StepKind.END: ("#fef2f2", "#b91c1c"),
    StepKind.EVENT: ("#fefce8", "#a16207"),
    StepKind.DECISION: ("#fef9c3", "#a16207"),
    StepKind.PARALLEL: ("#fef9c3", "#a16207"),
}


# ---------------------------------------------------------------------------------------------
# Text: width estimate and wrapping (CJK characters break anywhere, Latin words at spaces)
# ---------------------------------------------------------------------------------------------


def is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def text_width(text: str, size: float) -> float:
    """Estimated width in pixels: a CJK character is about 1 em, anything else about 0.55 em."""
    return sum(size if is_wide(c) else size * 0.55 for c in text)


TOKEN = re.compile(r"(\s*)(\S)")


def _tokens(text: str) -> list[tuple[bool, str]]:
    """(space before, token): each CJK character is a token, a run of other characters is a word."""
    tokens: list[tuple[bool, str]] = []
    glue = False  # whether the next non-wide character continues the last word
    for space, char in TOKEN.findall(text):
        if is_wide(char):
            tokens.append((bool(space), char))
            glue = False
        elif glue and not space:
            tokens[-1] = (tokens[-1][0], tokens[-1][1] + char)
        else:
            tokens.append((bool(space), char))
            glue = True
    return tokens


def _split_long(word: str, width: float, size: float) -> list[str]:
    pieces, piece = [], ""
    for char in word:
        if piece and text_width(piece + char, size) > width:
            pieces.append(piece)
            piece = ""
        piece += char
    return [*pieces, piece] if piece else pieces


def wrap(text: str, width: float, size: float, max_lines: int = 3) -> list[str]:
    """Lines of at most `width` pixels; past `max_lines` the last line ends with an ellipsis."""
    lines: list[str] = []
    line = ""
    for space, token in _tokens(text or ""):
        candidate = line + (" " if space and line else "") + token
        if text_width(candidate, size) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        pieces = _split_long(token, width, size) if text_width(token, size) > width else [token]
        lines.extend(pieces[:-1])
        line = pieces[-1]
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and text_width(last + "…", size) > width:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last.rstrip() + "…"]
    return lines


def _text_block(lines: list[str], cx: float, top: float, size: int, fill: str = INK, halo: bool = False) -> str:
    """Centred lines whose first line's box starts at `top` (with a white halo over lines beneath)."""
    if not lines:
        return ""
    step = size * LINE
    spans = "".join(
        f'<tspan x="{cx:g}" y="{top + size * 0.95 + i * step:.1f}">{escape(line)}</tspan>' for i, line in enumerate(lines)
    )
    text = f'<text font-size="{size}" text-anchor="middle" fill="{fill}">{spans}</text>'
    return _halo(text) + text if halo else text


def _halo(text: str) -> str:
    """A white outline drawn under a label so lines beneath it do not cross the letters.

    A copy of the text stroked in white, not `paint-order`, which weasyprint does not know."""
    return text.replace("<text ", '<text stroke="#ffffff" stroke-width="3" stroke-linejoin="round" aria-hidden="true" ', 1)


# ---------------------------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------------------------


@dataclass
class Box:
    """A step's shape in diagram coordinates: centre and size."""

    cx: float
    cy: float
    w: int
    h: int

    @property
    def left(self):
        return self.cx - self.w / 2

    @property
    def right(self):
        return self.cx + self.w / 2

    @property
    def top(self):
        return self.cy - self.h / 2

    @property
    def bottom(self):
        return self.cy + self.h / 2


def step_boxes(data: MapData) -> dict[str, Box]:
    tops = data.lane_tops()
    boxes = {}
    for step in data.steps:
        if step.lane in tops:
            w, h = mapdata.step_size(step.kind)
            boxes[step.key] = Box(LANE_HEADER + step.x, tops[step.lane] + step.y, w, h)
    return boxes


def flow_points(source: Box, target: Box) -> list[tuple[float, float]]:
    """An orthogonal route from one shape's side to another's.

    Forward in the same row: right side to left side (with a vertical jog half-way when the rows
    differ a little); forward to another row: a task leaves by its right side and turns down or
    up just before the target, an event or gateway leaves by its top or bottom vertex, both enter
    the target's left side; backward or straight down: out of the top or bottom, across, into the target's top
    or bottom, looping below both shapes when they share a row.
    """
    if target.left >= source.right + 10:
        if abs(target.cy - source.cy) <= source.h / 2:
            start, end = (source.right, source.cy), (target.left, target.cy)
            if start[1] == end[1]:
                return [start, end]
            mid = (start[0] + end[0]) / 2
            return [start, (mid, start[1]), (mid, end[1]), end]
        if source.w == source.h:  # events and gateways: out of the top or bottom vertex, then across
            start_y = source.bottom if target.cy > source.cy else source.top
            return [(source.cx, start_y), (source.cx, target.cy), (target.left, target.cy)]
        # Tasks: out of the right side and down just before the target, so the line does not run
        # through the other steps standing in the source's column.
        bend = max(source.right + 10, target.left - 20)
        return [(source.right, source.cy), (bend, source.cy), (bend, target.cy), (target.left, target.cy)]
    if target.top >= source.bottom + 10:  # below
        mid = (source.bottom + target.top) / 2
        return _dedupe([(source.cx, source.bottom), (source.cx, mid), (target.cx, mid), (target.cx, target.top)])
    if target.bottom <= source.top - 10:  # above
        mid = (source.top + target.bottom) / 2
        return _dedupe([(source.cx, source.top), (source.cx, mid), (target.cx, mid), (target.cx, target.bottom)])
    loop = max(source.bottom, target.bottom) + 18
    return [(source.cx, source.bottom), (source.cx, loop), (target.cx, loop), (target.cx, target.bottom)]


def _dedupe(points):
    """Drop a zero-length jog (both shapes centred on one vertical line)."""
    if len(points) == 4 and abs(points[1][0] - points[2][0]) < 1:
        return [points[0], points[3]]
    return points


# ---------------------------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------------------------


def step_title(step: StepData) -> str:
    """The hover text of a step (no database reference: the data carries none)."""
    lines = [step.name or _("(no name)"), _("Kind: %(kind)s") % {"kind": StepKind(step.kind).label}
             if step.kind in StepKind.values else step.kind]
    if step.performer:
        lines.append(_("Performer: %(value)s") % {"value": step.performer})
    if step.system:
        lines.append(_("System: %(value)s") % {"value": step.system})
    if step.duration_minutes is not None:
        lines.append(_("Duration: %(n)d min") % {"n": step.duration_minutes})
    if step.volume is not None:
        lines.append(_("Volume: %(n)d per month") % {"n": step.volume})
    if step.automated:
        lines.append(_("Automated in the to-be design"))
    return "\n".join(lines)


def _shape(step: StepData, box: Box) -> str:
    fill, stroke = SHAPE_STYLE.get(step.kind, SHAPE_STYLE[StepKind.TASK])
    cx, cy, w, h = box.cx, box.cy, box.w, box.h
    r = w / 2
    if step.kind == StepKind.START:
        return f'<circle cx="{cx:g}" cy="{cy:g}" r="{r:g}" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
    if step.kind == StepKind.END:
        return f'<circle cx="{cx:g}" cy="{cy:g}" r="{r - 1.5:g}" fill="{fill}" stroke="{stroke}" stroke-width="4"/>'
    if step.kind == StepKind.EVENT:
        return (f'<circle cx="{cx:g}" cy="{cy:g}" r="{r:g}" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
                f'<circle cx="{cx:g}" cy="{cy:g}" r="{r - 4:g}" fill="none" stroke="{stroke}" stroke-width="1.5"/>')
    if step.kind in GATEWAY_KINDS:
        diamond = (f'<path d="M{cx:g},{box.top:g} L{box.right:g},{cy:g} L{cx:g},{box.bottom:g} L{box.left:g},{cy:g} Z" '
                   f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>')
        a = w / 6
        if step.kind == StepKind.DECISION:  # an ×
            mark = f"M{cx - a:g},{cy - a:g} L{cx + a:g},{cy + a:g} M{cx + a:g},{cy - a:g} L{cx - a:g},{cy + a:g}"
        else:  # a +
            a *= 1.3
            mark = f"M{cx - a:g},{cy:g} L{cx + a:g},{cy:g} M{cx:g},{cy - a:g} L{cx:g},{cy + a:g}"
        return diamond + f'<path d="{mark}" stroke="{stroke}" stroke-width="3.5" stroke-linecap="round"/>'
    dash = ' stroke-dasharray="6 4"' if step.kind == StepKind.HANDOFF else ""
    rect = (f'<rect x="{box.left:g}" y="{box.top:g}" width="{w}" height="{h}" rx="9" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="1.5"{dash}/>')
    return rect + _kind_marker(step.kind, box, stroke)


def _kind_marker(kind: str, box: Box, stroke: str) -> str:
    """A small gear for system actions, two opposed arrows for manual hand-offs (drawn, no glyphs)."""
    x, y = box.left + 11, box.top + 11
    if kind == StepKind.SYSTEM:
        return (f'<g><title>{escape(StepKind.SYSTEM.label)}</title>'
                f'<circle cx="{x:g}" cy="{y:g}" r="4.2" fill="none" stroke="{stroke}" stroke-width="3" '
                f'stroke-dasharray="1.9 1.4"/><circle cx="{x:g}" cy="{y:g}" r="1.3" fill="{stroke}"/></g>')
    if kind == StepKind.HANDOFF:
        return (f'<g><title>{escape(StepKind.HANDOFF.label)}</title><path d="M{x - 6:g},{y - 2:g} h11 m-3,-3 l3,3 l-3,3 '
                f'M{x + 6:g},{y + 3:g} h-11 m3,-3 l-3,3 l3,3" fill="none" stroke="{stroke}" stroke-width="1.3" '
                f'stroke-linecap="round" stroke-linejoin="round"/></g>')
    return ""


def _badges(step: StepData, box: Box) -> str:
    """Automated (green A) and pain points (red count): on a task's top edge, above an event or gateway."""
    small = step.kind in EVENT_KINDS | GATEWAY_KINDS
    y = box.top - 1 if small else box.top
    parts = []
    if step.automated:
        x = box.cx + 13 if small else box.left + box.w * 0.72
        parts.append(_badge("badge-automated", _("Automated in the to-be design"), x, y, "#16a34a", "A"))
    if step.pain_points:
        labels = [str(PainPoint(p).label) if p in PainPoint.values else p for p in step.pain_points]
        x = box.cx - 13 if small else box.right - 2
        title = _("Pain points: %(list)s") % {"list": ", ".join(labels)}
        parts.append(_badge("badge-pain", title, x, y, "#dc2626", str(len(step.pain_points))))
    return "".join(parts)


def _badge(cls: str, title: str, x: float, y: float, colour: str, text: str) -> str:
    return (f'<g class="{cls}"><title>{escape(title)}</title>'
            f'<circle cx="{x:g}" cy="{y:g}" r="8" fill="{colour}" stroke="#fff" stroke-width="1.5"/>'
            f'<text x="{x:g}" y="{y + 3.5:g}" font-size="10" font-weight="bold" text-anchor="middle" fill="#fff">'
            f"{escape(text)}</text></g>")


def _name(step: StepData, box: Box) -> tuple[str, float]:
    """The step's name (inside a task, below an event or gateway) and the lowest y it reaches."""
    if step.kind in EVENT_KINDS | GATEWAY_KINDS:
        lines = wrap(step.name, LABEL_WIDTH, LABEL_FONT, 2)
        top = box.bottom + 3
        return _text_block(lines, box.cx, top, LABEL_FONT, "#1e293b", halo=True), top + len(lines) * LABEL_FONT * LINE
    lines = wrap(step.name, box.w - 14, TASK_FONT, 3)
    top = box.cy - len(lines) * TASK_FONT * LINE / 2
    return _text_block(lines, box.cx, top, TASK_FONT), box.bottom


def draw_step(step: StepData, box: Box, *, interactive: bool, selected: bool) -> tuple[str, float]:
    name, bottom = _name(step, box)
    outline = ""
    if selected:
        pad = 5
        outline = (f'<rect x="{box.left - pad:g}" y="{box.top - pad:g}" width="{box.w + 2 * pad}" height="{box.h + 2 * pad}" '
                   f'rx="10" fill="none" stroke="{SELECTED}" stroke-width="3" stroke-dasharray="5 3"/>')
    attrs = (f' class="step{" selected" if selected else ""}" data-key="{escape(step.key)}" data-kind="{escape(step.kind)}"'
             f' data-lane="{escape(step.lane)}" data-cx="{box.cx:g}" data-cy="{box.cy:g}" tabindex="0"'
             ) if interactive else ' class="step"'
    return (f"<g{attrs}><title>{escape(step_title(step))}</title>{outline}{_shape(step, box)}{name}{_badges(step, box)}</g>",
            bottom)


def draw_flow(flow: FlowData, source: Box, target: Box, *, interactive: bool, selected: bool,
              below: float = 0) -> tuple[str, float]:
    """A flow's polyline with its arrowhead and condition, and the lowest y it reaches.

    `below`: the height of the source's name under its shape (a label leaving downwards skips it)."""
    points = flow_points(source, target)
    colour = SELECTED if selected else FLOW_INK
    coords = " ".join(f"{x:g},{y:g}" for x, y in points)
    line = (f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="{2.5 if selected else 1.4}" '
            f'stroke-linejoin="round" marker-end="url(#pcm-arrow)"/>')
    hit = f'<polyline points="{coords}" fill="none" stroke="transparent" stroke-width="10"/>' if interactive else ""
    label = ""
    if flow.condition:
        (x0, y0), (x1, y1) = points[0], points[1]
        lines = wrap(flow.condition, 110, LABEL_FONT, 2)
        block = len(lines) * LABEL_FONT * LINE
        if abs(y1 - y0) > abs(x1 - x0) and len(points) == 3:
            # Down or up, then across: beside the turn, on the side away from the source (a
            # gateway's name stands under it, so a flow going down is labelled under its line).
            label = _flow_label(lines, x1 + 6, y1 + 4 if y1 > y0 else y1 - 3 - block, "start")
        elif abs(y1 - y0) > abs(x1 - x0):  # leaves vertically: write beside the line
            ty = y0 + (6 + below if y1 > y0 else -6 - len(lines) * LABEL_FONT * LINE)
            label = _flow_label(lines, x0 + 5, ty, "start")
        else:
            label = _flow_label(lines, x0 + 6, y0 - 4 - len(lines) * LABEL_FONT * LINE, "start")
    attrs = f' class="flow{" selected" if selected else ""}" data-key="{escape(flow.key)}"' if interactive else ' class="flow"'
    title = f"<title>{escape(flow.condition)}</title>" if flow.condition else ""
    return f"<g{attrs}>{title}{hit}{line}{label}</g>", max(y for _x, y in points)


def _flow_label(lines, x, top, anchor) -> str:
    spans = "".join(
        f'<tspan x="{x:g}" y="{top + LABEL_FONT * 0.95 + i * LABEL_FONT * LINE:.1f}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    text = f'<text font-size="{LABEL_FONT}" text-anchor="{anchor}" fill="#7c2d12">{spans}</text>'
    return _halo(text) + text


def lane_label(name: str, cx: float, cy: float, height: int) -> str:
    """A lane's name in its header band: Chinese upright in a column (two at most), read top to
    bottom; anything else turned a quarter left, wrapped over two lines."""
    size, pitch = 12, 14
    if name and all(is_wide(c) for c in name.replace(" ", "")):
        chars = name.replace(" ", "")
        per_column = max(1, int((height - 12) // pitch))
        columns = [chars[i:i + per_column] for i in range(0, len(chars), per_column)]
        if len(columns) > 2:
            columns = [columns[0], columns[1][:-1] + "…"]
        spans = []
        for c, column in enumerate(columns):  # the first column on the right, as vertical text runs
            x = cx + (len(columns) - 1) * 7.5 - c * 15
            first = cy - (len(column) - 1) * pitch / 2 + size * 0.36
            spans += [f'<tspan x="{x:g}" y="{first + k * pitch:.1f}">{escape(ch)}</tspan>' for k, ch in enumerate(column)]
        return (f'<text font-size="{size}" font-weight="bold" text-anchor="middle" fill="#1e293b">'
                f'{"".join(spans)}</text>')
    lines = wrap(name, max(height - 14, 30), size, 2)
    offsets = [4] if len(lines) == 1 else [-3, 12]
    spans = "".join(f'<tspan x="0" y="{offsets[i]}">{escape(line)}</tspan>' for i, line in enumerate(lines))
    return (f'<text transform="translate({cx:g},{cy:g}) rotate(-90)" font-size="{size}" font-weight="bold" '
            f'text-anchor="middle" fill="#1e293b">{spans}</text>')


def draw_lane(lane, top: int, width: float, index: int, *, interactive: bool, selected: bool) -> str:
    fill = LANE_FILLS[index % 2]
    attrs = (f' class="lane{" selected" if selected else ""}" data-key="{escape(lane.key)}"'
             f' data-top="{top}" data-height="{lane.height}"') if interactive else ' class="lane"'
    border = SELECTED if selected else LANE_BORDER
    return (
        f"<g{attrs}><title>{escape(lane.name)}</title>"
        f'<rect x="0" y="{top}" width="{width:g}" height="{lane.height}" fill="{fill}" stroke="{border}" stroke-width="1"/>'
        f'<rect x="0" y="{top}" width="{LANE_HEADER}" height="{lane.height}" fill="{HEADER_FILL}" stroke="{border}" stroke-width="1"/>'
        f"{lane_label(lane.name, LANE_HEADER / 2, top + lane.height / 2, lane.height)}</g>"
    )


DEFS = (
    '<defs><marker id="pcm-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" '
    'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>'
)
# weasyprint and older browsers do not know context-stroke: a fixed colour is the safe choice.
DEFS = DEFS.replace("context-stroke", FLOW_INK)


def render_svg(data: MapData, *, selected: str | None = None, interactive: bool = False) -> str:
    """The map as a standalone <svg> element (with the SVG namespace), sized to its content."""
    boxes = step_boxes(data)
    right = max((box.right for box in boxes.values()), default=0)
    for step in data.steps:  # names below events and gateways can be wider than the shape
        if step.kind in EVENT_KINDS | GATEWAY_KINDS and step.key in boxes:
            right = max(right, boxes[step.key].cx + LABEL_WIDTH / 2)
    width = max(MIN_WIDTH, right + 60)
    lanes_height = data.height()

    step_parts, bottom, below = [], lanes_height, {}
    for step in data.steps:
        box = boxes.get(step.key)
        if box is None:
            continue
        markup, low = draw_step(step, box, interactive=interactive, selected=step.key == selected)
        step_parts.append(markup)
        bottom = max(bottom, low)
        below[step.key] = max(0, low - box.bottom)

    flow_parts = []
    for flow in data.flows:
        source, target = boxes.get(flow.source), boxes.get(flow.target)
        if source and target:
            markup, low = draw_flow(flow, source, target, interactive=interactive, selected=flow.key == selected,
                                    below=below.get(flow.source, 0))
            flow_parts.append(markup)
            bottom = max(bottom, low + 4)

    tops = data.lane_tops()
    lane_parts = [
        draw_lane(lane, tops[lane.key], width, i, interactive=interactive, selected=lane.key == selected)
        for i, lane in enumerate(data.lanes)
    ]
    empty = ""
    if not data.lanes:
        bottom = 80
        empty = (f'<text x="{width / 2:g}" y="45" font-size="14" text-anchor="middle" fill="#64748b">'
                 f'{escape(_("No swimlane yet."))}</text>')
    height = bottom
    box = f"{-MARGIN} {-MARGIN} {width + 2 * MARGIN:g} {height + 2 * MARGIN:g}"
    label = escape(_("Swimlane diagram"))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="swimlanes" viewBox="{box}" width="{width + 2 * MARGIN:g}" '
        f'height="{height + 2 * MARGIN:g}" font-family="{FONT}" role="img" aria-label="{label}">'
        f"{DEFS}<g class='lanes'>{''.join(lane_parts)}</g>{empty}"
        f"<g class='flows'>{''.join(flow_parts)}</g><g class='steps'>{''.join(step_parts)}</g></svg>"
    )


def render_for_map(process_map) -> str:
    return render_svg(mapdata.load(process_map))
