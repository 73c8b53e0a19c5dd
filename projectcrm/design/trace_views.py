"""The traceability page and its XLSX download.

Figures come from design/traceability.py (twelve queries however many items, the rest in Python).
The page: the forward matrix, one row per use case (its steps, gaps, rules, test cases with their
latest results, open defects) and the work steps no use case covers; filters `?process=<pk>` or
`?map=<pk>` and `?status=<use-case status>`; `?item=UC-003` (or STP-, GAP-, BR-, TC-, EX-, DEF-)
shows the chain leading to and from one item; the coverage panel counts the gaps in the chain and
links to the lists; test cases and defects naming a use case that does not exist are listed.

Every view starts from `project_access(..., "design", "view")`: 404 outside the project, 403 for a
role the policy refuses.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from projectcrm.core import tabular
from projectcrm.core.access import project_access
from testing.dashboard_views import Links

from . import traceability as calc
from .choices import UseCaseStatus
from .pages import AREA
from .pages import page as _page
from .pages import to_int as _int


def read_filters(params, trace: calc.Trace) -> tuple[dict, list[str]]:
    """{"process", "map", "status"} chosen in the query string (unknown values dropped with a note)."""
    notes, chosen = [], {"process": None, "map": None, "status": ""}
    for name, table in (("process", trace.inputs.processes), ("map", trace.inputs.maps)):
        raw = (params.get(name) or "").strip()
        if raw:
            pk = _int(raw)
            if pk in table:
                chosen[name] = pk
            else:
                notes.append(_("“%(value)s” is not a process or map of this project: the filter is ignored.")
                             % {"value": raw})
    status = (params.get("status") or "").strip()
    if status:
        if status in UseCaseStatus.values:
            chosen["status"] = status
        else:
            notes.append(_("“%(value)s” is not a use-case status: the filter is ignored.") % {"value": status})
    return chosen, notes


class Linker:
    """Node → detail URL, one reverse() per register."""

    def __init__(self, project_pk: int):
        self.links = Links(project_pk)
        self.trace_base = reverse("design:traceability", kwargs={"project": project_pk}) + "?item="

    def __call__(self, node: calc.Node) -> str:
        return self.links(calc.URL_NAMES[node.kind], node.pk)


def item(node: calc.Node, link: Linker) -> dict:
    ref = node.ref
    return {"kind": node.kind, "ref": ref, "title": node.title, "url": link(node), "trace_url": link.trace_base + ref,
            "status": node.status, "status_label": node.status_label}


def matrix_rows(rows: list[calc.UseCaseTrace], link: Linker) -> list[dict]:
    out = []
    for r in rows:
        out.append({
            "use_case": item(r.use_case, link), "colour": r.colour, "passed": r.passed,
            "steps": [item(n, link) for n in r.steps], "gaps": [item(n, link) for n in r.gaps],
            "rules": [item(n, link) for n in r.rules],
            "cases": [{**item(c.case, link), "result": c.result, "result_label": c.result_label,
                       "executions": c.executions, "latest": item(c.latest, link) if c.latest else None}
                      for c in r.cases],
            "open_defects": [item(n, link) for n in r.open_defects],
            "closed_count": len(r.closed_defects),
        })
    return out


def step_rows(loose: list[calc.StepTrace], trace: calc.Trace, link: Linker) -> list[dict]:
    maps = trace.inputs.maps
    return [{"step": item(s.step, link), "map": maps.get(s.map_id), "gaps": [item(g, link) for g in s.gaps]}
            for s in loose]


def coverage_panel(trace: calc.Trace, link: Linker) -> list[dict]:
    panel = []
    for key in calc.COVERAGE_KEYS:
        nodes = trace.coverage[key]
        rows = [item(n, link) for n in nodes]
        if key == calc.GAPS_OPEN:
            for row, node in zip(rows, nodes, strict=True):
                row["why"] = ", ".join(trace.gap_reasons.get(node.pk, []))
        panel.append({"key": key, "label": calc.coverage_label(key), "count": len(nodes), "rows": rows})
    return panel


def chain_context(trace: calc.Trace, raw: str, link: Linker) -> tuple[dict | None, str]:
    """The chain of `?item=`, or a note when it names nothing."""
    node = calc.parse_item(trace, raw)
    if node is None:
        return None, _("Nothing in this project is called “%(value)s”: write a reference such as UC-003, "
                       "STP-012, GAP-004, BR-002, TC-001, EX-001 or DEF-001.") % {"value": raw}
    found = calc.chain(trace, node)

    def groups(by_kind):
        return [{"kind": k, "label": calc.kind_label_plural(k), "items": [item(n, link) for n in nodes]}
                for k, nodes in by_kind.items()]

    return {"item": {**item(node, link), "kind_label": node.kind_label},
            "upstream": groups(found.upstream), "downstream": groups(found.downstream)}, ""


@login_required
@require_GET
def traceability_page(request, project):
    """Forward matrix, backward chain of one item, coverage and unknown references."""
    access = project_access(request.user, project, AREA, "view")
    trace = calc.build(access.project)
    chosen, notes = read_filters(request.GET, trace)
    link = Linker(access.project.pk)
    rows, loose = calc.filtered(trace, chosen["process"], chosen["map"], chosen["status"])
    raw_item = (request.GET.get("item") or "").strip()
    found = None
    if raw_item:
        found, note = chain_context(trace, raw_item, link)
        if note:
            notes.append(note)
    query = urlencode({k: v for k, v in chosen.items() if v})
    inputs = trace.inputs
    return _page(
        request, "design/traceability.html", access, _("Traceability"),
        notes=notes, chosen=chosen, query=query, found=found, raw_item=raw_item,
        rows=matrix_rows(rows, link), steps=step_rows(loose, trace, link),
        total_use_cases=len(trace.rows), coverage=coverage_panel(trace, link),
        unknown=[{"source": item(u.source, link), "label": u.label} for u in trace.unknown],
        processes=sorted(inputs.processes.values(), key=lambda p: p.number),
        maps=sorted(inputs.maps.values(), key=lambda m: (m.process_id, m.number)),
        statuses=UseCaseStatus.choices,
    )


# ---------------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------------


def _refs(nodes) -> str:
    return "; ".join(f"{n.ref} {n.title}" for n in nodes)


def matrix_sheet(rows: list[calc.UseCaseTrace]) -> list[list]:
    """One line per test case of each use case (one line for a use case without test case)."""
    out = []
    for r in rows:
        head = [r.use_case.ref, r.use_case.title, r.use_case.status_label, _refs(r.steps), _refs(r.gaps),
                _refs(r.rules)]
        tail = [_refs(r.open_defects), len(r.closed_defects)]
        if not r.cases:
            out.append(head + ["", "", "", "", ""] + tail)
        for c in r.cases:
            out.append(head + [c.case.ref, c.case.title, c.result_label, c.latest.ref if c.latest else "",
                               c.executions] + tail)
    return out


@login_required
@require_GET
def traceability_xlsx(request, project):
    """The matrix (filters as on the page), the uncovered steps, coverage and unknown references."""
    access = project_access(request.user, project, AREA, "view")
    trace = calc.build(access.project)
    chosen, _notes = read_filters(request.GET, trace)
    rows, loose = calc.filtered(trace, chosen["process"], chosen["map"], chosen["status"])
    maps = trace.inputs.maps
    sheets = [
        (_("Use cases"),
         [_("Use case"), _("Title"), _("Status"), _("Process steps"), _("Gaps"), _("Business rules"), _("Test case"),
          _("Test case title"), _("Latest result"), _("Latest execution"), _("Executions"), _("Open defects"),
          _("Closed defects")],
         matrix_sheet(rows)),
        (_("Steps without use case"), [_("Step"), pgettext("design item", "Name"), _("Map"), _("Gaps")],
         [[s.step.ref, s.step.title, f"{maps[s.map_id].ref} {maps[s.map_id].name}" if s.map_id in maps else "",
           _refs(s.gaps)] for s in loose]),
        (_("Coverage"), [_("Check"), _("Reference"), _("Title"), _("Status")],
         [[calc.coverage_label(key), n.ref, n.title, n.status_label] for key in calc.COVERAGE_KEYS
          for n in trace.coverage[key]]),
        (_("Unknown references"), [_("Named in"), _("Title"), _("Reference as written")],
         [[u.source.ref, u.source.title, u.label] for u in trace.unknown]),
    ]
    data = tabular.write_xlsx_sheets(sheets)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="design-traceability-{timezone.localdate().isoformat()}.xlsx"'
    return response


urlpatterns = [
    path("traceability/", traceability_page, name="traceability"),
    path("traceability.xlsx", traceability_xlsx, name="traceability-xlsx"),
]
