"""Design traceability and specification pages at scale (wired into bench/run.py by `run(bench)`).

The project "Design traceability scale test" is built once (bulk_create, no history) and kept:
one process with a to-be map of 4 lanes and 60 steps, 500 use cases (every second one approved,
each with two steps, a gap and a rule), 300 gaps, 200 business rules, 1,000 test cases naming the
use cases ("UC-003 ..." style, every 50th naming one that does not exist), 2,000 executions and 300
defects (a third closed). Figures, as scale-pm (median of 5 after a warm-up, through the test client):
  design_traceability_page_ms / _queries   the traceability page (all 500 use cases in the matrix)
  design_spec_page_ms / _queries           the functional specification (250 approved use cases,
                                           their rules and the to-be map drawn as SVG)

    .venv/bin/python bench/run.py design      # once the lead has wired it in
    .venv/bin/python bench/design_trace_bench.py
"""

from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path

PROJECT_NAME = "Design traceability scale test"
USE_CASES, GAPS, RULES, CASES, EXECUTIONS, DEFECTS = 500, 300, 200, 1000, 2000, 300
LANES, STEPS = 4, 60


def _numbered(model, rows):
    for number, row in enumerate(rows, start=1):
        row.number = number
    return model.objects.bulk_create(rows, batch_size=500)


def build_project():
    """The scale project (built when missing); returns it."""
    from django.db import transaction
    from django.utils import timezone

    from projectcrm.core.management.commands.seed_scale import scale_members
    from projectcrm.core.models import Project
    from projectcrm.design.choices import MapKind, Resolution, StepKind, UseCaseStatus
    from projectcrm.design.models import BusinessRule, Gap, Lane, Process, ProcessMap, Step, UseCase
    from testing.choices import DefectStatus, Result
    from testing.models import Defect, Execution, TestCase, TestCycle, TestPlan

    project = Project.objects.filter(name=PROJECT_NAME).order_by("-pk").first()
    if project is not None:
        return project
    print(f"# building {PROJECT_NAME} ...", file=sys.stderr, flush=True)
    with transaction.atomic():
        project = Project.objects.create(name=PROJECT_NAME, company="Synthetic Frames Ltd.")
        users = scale_members(project)
        process = Process.objects.create(project=project, name="Quotation", number=1)
        to_be = ProcessMap.objects.create(project=project, process=process, name="Quotation to-be", kind=MapKind.TO_BE,
                                          number=1)
        lanes = Lane.objects.bulk_create([
            Lane(project=project, map=to_be, name=f"Lane {i}", position=i, key=f"Lane_{i}") for i in range(LANES)])
        steps = _numbered(Step, [
            Step(project=project, map=to_be, lane=lanes[i % LANES], key=f"Task_{i}", name=f"Step {i}",
                 kind=StepKind.TASK, x=80 + 150 * (i // LANES), y=80) for i in range(STEPS)])
        rules = _numbered(BusinessRule, [
            BusinessRule(project=project, name=f"Rule {i}", trigger="Quote saved", condition=f"Amount > {i * 100}",
                         action="Notify sales leadership", owner=users[0], source_step=steps[i % STEPS])
            for i in range(RULES)])
        gaps = _numbered(Gap, [
            Gap(project=project, title=f"Gap {i}", to_be_step=steps[i % STEPS], to_be_map=to_be,
                resolution="" if i % 7 == 0 else Resolution.CONFIGURATION) for i in range(GAPS)])
        use_cases = _numbered(UseCase, [
            UseCase(project=project, title=f"Use case {i}", actor="Sales rep", goal="A correct quote",
                    main_flow="Open the account\nAdd products\nApply the price list\nSend the quote",
                    alternate_flows="Discount above limit: ask approval", postconditions="Quote sent",
                    status=UseCaseStatus.APPROVED if i % 2 == 0 else UseCaseStatus.DRAFT, business_owner=users[0],
                    signed_off_by=users[0] if i % 2 == 0 else None,
                    signed_off_at=timezone.now() if i % 2 == 0 else None)
            for i in range(USE_CASES)])
        links = UseCase.steps.through, UseCase.gaps.through, UseCase.business_rules.through
        links[0].objects.bulk_create([links[0](usecase_id=uc.pk, step_id=steps[(i + k) % STEPS].pk)
                                      for i, uc in enumerate(use_cases) for k in (0, 1)], batch_size=1000)
        links[1].objects.bulk_create([links[1](usecase_id=uc.pk, gap_id=gaps[i % GAPS].pk)
                                      for i, uc in enumerate(use_cases)], batch_size=1000)
        links[2].objects.bulk_create([links[2](usecase_id=uc.pk, businessrule_id=rules[i % RULES].pk)
                                      for i, uc in enumerate(use_cases) if i % 5 != 4], batch_size=1000)
        plan = TestPlan.objects.create(project=project, name="UAT", number=1)
        cycle = TestCycle.objects.create(project=project, plan=plan, name="UAT 1", number=1)
        cases = _numbered(TestCase, [
            TestCase(project=project, title=f"Case {i}", steps="Do it | done",
                     use_cases="UC-999 Missing" if i % 50 == 49 else f"UC-{i % USE_CASES + 1:03d} Use case {i % USE_CASES}")
            for i in range(CASES)])
        start = timezone.now() - datetime.timedelta(days=30)
        results = [Result.PASSED, Result.FAILED, Result.PASSED, Result.BLOCKED, Result.PASSED_WITH_REMARKS]
        runs = _numbered(Execution, [
            Execution(project=project, cycle=cycle, case=cases[i % CASES], result=results[i % len(results)],
                      executed_at=start + datetime.timedelta(minutes=i)) for i in range(EXECUTIONS)])
        _numbered(Defect, [
            Defect(project=project, title=f"Defect {i}", case=runs[i * 5].case, execution=runs[i * 5],
                   status=DefectStatus.CLOSED if i % 3 == 0 else DefectStatus.NEW,
                   use_cases=f"UC-{i % USE_CASES + 1}") for i in range(DEFECTS)])
    return project


def run(bench):
    """Yield (name, value, unit) for the traceability and specification pages."""
    from django.urls import reverse

    project = build_project()
    pages = (
        ("design_traceability_page", reverse("design:traceability", kwargs={"project": project.pk})),
        ("design_spec_page", reverse("design:spec", kwargs={"project": project.pk})),
    )
    for name, url in pages:
        if bench.wants(name):
            yield f"{name}_ms", f"{bench.median_ms(url):.1f}", "ms"
            yield f"{name}_queries", bench.queries(url), "queries"


if __name__ == "__main__":
    ROOT = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "projectcrm.settings")
    from run import Bench  # noqa: E402  (bench/run.py sets Django up)

    for figure, value, unit in run(Bench("small", sys.argv[1:])):
        print(f"{figure}: {value} {unit}")
