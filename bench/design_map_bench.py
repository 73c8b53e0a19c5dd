"""Benchmark of a large process map: its page, its diagram and the drawing alone.

On the project "Design scale test" (built once here, with the seed_scale users as members; scale-pm
is the project manager) one map holds 300 steps and 400 flows in 6 swimlanes, written through
`mapdata.save_content` like any editor change. Figures:

  design_map_page_ms       the map's register page (facts and the diagram) as scale-pm, server time
                           through Django's test client, median of 5 after a warm-up
  design_map_page_queries  the queries of that page
  design_map_svg_kb        the size of the diagram (the design:map-svg download)
  design_map_render_ms     diagram.render_svg alone on the loaded map, median of 5 after a warm-up

`run(bench)` takes bench/run.py's Bench and yields (name, value, unit).
"""

from __future__ import annotations

import statistics
import sys
import time

from django.db import transaction
from django.urls import reverse

PROJECT_NAME = "Design scale test"
MAP_NAME = "Scale: 300 steps, 400 flows"
LANES, STEPS, FLOWS = 6, 300, 400
KINDS = ["task", "task", "system", "handoff", "decision", "task", "event", "parallel"]
PAINS = ["duplicate_entry", "no_visibility", "lost_history", "wrong_price"]


def scale_content():
    """6 lanes of 50 steps left to right, each lane a chain (294 flows) plus 106 flows across lanes."""
    from projectcrm.design import mapdata as md

    per_lane = STEPS // LANES
    lanes = [md.LaneData(f"Lane_{i + 1}", f"泳道 {i + 1} · Department {i + 1}") for i in range(LANES)]
    steps = []
    for n in range(STEPS):
        lane, position = divmod(n, per_lane)
        kind = "start" if position == 0 else "end" if position == per_lane - 1 else KINDS[n % len(KINDS)]
        steps.append(md.StepData(
            key=f"Step_{n + 1}", name=f"步骤 {n + 1}: check the quotation against the price list", kind=kind,
            lane=f"Lane_{lane + 1}", x=60 + position * 170, y=80, performer=f"Role {lane + 1}", system="CRM",
            duration_minutes=5 + n % 30, volume=100 + n, pain_points=PAINS[: n % 3], automated=n % 5 == 0,
        ))
    flows = []
    for n in range(STEPS):
        if n % per_lane != per_lane - 1:
            flows.append(md.FlowData(f"Flow_{len(flows) + 1}", f"Step_{n + 1}", f"Step_{n + 2}"))
    n = 0
    while len(flows) < FLOWS:
        source = n * 7 % STEPS
        target = (source + per_lane + 1) % STEPS  # the next lane, one step further right
        flows.append(md.FlowData(f"Flow_{len(flows) + 1}", f"Step_{source + 1}", f"Step_{target + 1}",
                                 "是" if n % 2 else "approved"))
        n += 1
    return md.MapData(lanes, steps, flows)


def scale_map():
    """The benchmark's map, built once (about 10 s) and kept for later runs."""
    from projectcrm.core.management.commands.seed_scale import scale_members
    from projectcrm.core.models import Project
    from projectcrm.design import mapdata as md
    from projectcrm.design.choices import MapKind
    from projectcrm.design.models import Process, ProcessMap

    project = Project.objects.filter(name=PROJECT_NAME).order_by("-pk").first()
    process_map = ProcessMap.objects.filter(project=project, name=MAP_NAME).first() if project else None
    if process_map is not None and process_map.steps.count() == STEPS:
        return project, process_map
    print(f"# building {PROJECT_NAME} ...", file=sys.stderr, flush=True)
    with transaction.atomic():
        if project is None:
            project = Project.objects.create(name=PROJECT_NAME, company="Synthetic Frames Ltd.",
                                             objectives="Synthetic data for the process-map benchmark.")
        members = scale_members(project)
        process = Process.objects.create(project=project, name="Quotation (scale)")
        process_map = ProcessMap.objects.create(project=project, process=process, name=MAP_NAME, kind=MapKind.AS_IS)
        md.save_content(process_map, scale_content(), user=members[0])
    return project, process_map


def median_ms(call) -> float:
    call()
    timings = []
    for _run in range(5):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def run(bench):
    from projectcrm.design import mapdata
    from projectcrm.design.diagram import render_svg

    if not bench.wants("design_map"):
        return
    project, process_map = scale_map()
    kwargs = {"project": project.pk, "pk": process_map.pk}
    page = reverse("design:maps-detail", kwargs=kwargs)
    if bench.wants("design_map_page"):
        yield "design_map_page_ms", f"{bench.median_ms(page):.1f}", "ms"
        yield "design_map_page_queries", bench.queries(page), "queries"
    if bench.wants("design_map_svg"):
        svg = bench.get(reverse("design:map-svg", kwargs=kwargs)).content
        yield "design_map_svg_kb", f"{len(svg) / 1024:.0f}", "KB"
    if bench.wants("design_map_render"):
        data = mapdata.load(process_map)
        yield "design_map_render_ms", f"{median_ms(lambda: render_svg(data)):.1f}", "ms"
