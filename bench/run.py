"""ProjectCRM benchmarks. Run from the repository root with the project's Python:

    .venv/bin/python bench/run.py                 # every benchmark
    .venv/bin/python bench/run.py list            # only benchmarks (or figures) whose name starts so
    .venv/bin/python bench/run.py list_governance_issues query_growth
    BENCH_SIZE=small .venv/bin/python bench/run.py   # quick run on the small scale project

Every figure is printed as one line `NAME: VALUE UNIT`. The scale projects are built with
`manage.py seed_scale` when missing (the large one takes a minute or two) and kept for later runs.

Benchmarks:
  list          median time (5 runs after a warm-up) and query count of every register's list
                page, logged in as scale-pm: list_<area>_<slug>_ms, list_<area>_<slug>_queries
  query_growth  list-page query count on the large project minus the small one, per register:
                query_growth_<area>_<slug> (must be 0: a list page must not query per row)
  roadmap       on the project "Roadmap scale test" (built once with `manage.py seed_roadmap_scale`):
                a release of 1,000 tasks and 2,000 dependencies. roadmap_critical_path_ms (median
                of services.plan_of: load and schedule the release), roadmap_gantt_ms/_queries and
                roadmap_plan_ms/_queries (its Gantt and plan pages as scale-pm; target for the
                Gantt: under 300 ms), roadmap_gantt_query_growth and roadmap_plan_query_growth
                (queries of the page minus those of a 100-task release: must be 0)
  evaluation    on the project "Evaluation scale test" (built once with `manage.py seed_evaluation_scale`):
                25 candidates x 150 criteria x 12 evaluators, one closed round (45,000 scores), a
                consensus for every item. evaluation_results_page_ms/_queries (the results page as
                scale-pm; target: under 500 ms), evaluation_round_page_ms/_queries (the closed round's
                panel page), evaluation_compute_ms/_queries (results.compute alone: the page's
                calculations without rendering), evaluation_monte_carlo_ms (sensitivity.monte_carlo
                on the ranked decision matrix, 10,000 draws; target: under 1,000 ms) and
                evaluation_sensitivity_ms (sensitivity.weight_sensitivity on the same matrix); the
                calculation figures are medians of 5 runs after a warm-up
  training      on the project "Training scale test" (built once with `manage.py seed_training_scale`):
                5,000 trainees x 30 courses (150,000 enrolments, about 112,000 sign-offs) and a usage
                CSV of 5,000 users x 200 days. training_usage_import_s (the 1,000,000-row file through
                the real import path, the background task's function: read, check, save; the
                project's usage rows are removed first, untimed; target: under 30 s),
                training_usage_reimport_s (the same file again: every row replaces one),
                training_readiness_page_ms/_queries (the readiness page as scale-pm, when the URL
                exists), training_adoption_page_ms/_queries (the adoption page; target for both
                pages: under 500 ms) and training_adoption_page_cold_ms (the adoption page's first
                request after the usage changed: the weekly aggregate over the million rows runs)
  steering      on the scale project of BENCH_SIZE (the `list` benchmark's; six KPIs with a year of
                values and a budget line per category are added once when it has none, so every
                chart has data): steering_dashboard_ms/_queries (the committee dashboard as scale-pm,
                when reports:dashboard exists; target: under 500 ms), steering_report_pdf_s (a draft
                report's PDF in Simplified Chinese, drawn live: snapshot, charts, weasyprint; median
                of 3 after a warm-up, whose charts are then cached; target: under 5 s),
                steering_report_pdf_new_charts_s (every chart drawn again by the browser the process
                keeps: a report of changed data in a running server),
                steering_report_pdf_cold_s (the first rendering: every chart drawn by chromium,
                templates and fonts loaded), with steering_report_pdf_pages and
                steering_report_pdf_charts, steering_report_page_ms/_queries (the report page), and
                steering_report_issue_s (issuing a report: snapshots, charts and PDFs in three
                languages, stored). The benchmark's reports are removed first (untimed), so the
                report is the project's first (nothing to compare with).
  design        bench/design_map_bench.py: a generated map of 300 steps and 400 flows in 6 lanes (project
                "Design scale test", built once): design_map_page_ms/_queries (the map's page with its
                diagram, as a PM), design_map_svg_kb (the SVG's size), design_map_render_ms (render_svg
                alone); bench/design_trace_bench.py: project "Design traceability scale test" (built once:
                500 use cases, 300 gaps, 200 rules, 1,000 test cases naming them, 2,000 executions, 300
                defects): design_traceability_page_ms/_queries and design_spec_page_ms/_queries
                (medians of 5 after a warm-up)
  reconcile     bench/reconcile_bench.py: our reconciliation engine (`manage.py reconcile`) against
                datacompy's pandas and polars backends on generated 1,000,000 and 5,000,000-row
                x 20-column extracts, each in its own subprocess: wall time, peak memory, CPU time,
                speed-up and memory ratio (about 2 minutes, plus the extracts written the first time: 2.3 GB of disk).

Adding a benchmark: write a function taking `Bench` and yielding (name, value, unit) tuples, and
decorate it with @benchmark("name").
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "projectcrm.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from projectcrm.core.management.commands.seed_scale import SIZES, project_name  # noqa: E402
from projectcrm.core.models import Project  # noqa: E402
from projectcrm.core.registry import all_registers  # noqa: E402

RUNS = 5
BENCHMARKS = {}

if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def benchmark(name):
    def register(fn):
        BENCHMARKS[name] = fn
        return fn

    return register


def figure_name(*parts) -> str:
    return "_".join(str(p).replace("-", "_") for p in parts)


class Bench:
    """Shared state: the scale projects (built on first use) and a client logged in as scale-pm."""

    def __init__(self, size: str, selectors: list[str] | None = None):
        self.size = size
        self.selectors = selectors or []
        self._projects = {}
        self._client = None

    def project(self, size: str) -> Project:
        if size not in self._projects:
            project = Project.objects.filter(name=project_name(size)).order_by("-pk").first()
            if project is None:
                print(f"# building {project_name(size)} with seed_scale ...", file=sys.stderr, flush=True)
                call_command("seed_scale", size=size, stdout=sys.stderr)
                project = Project.objects.get(name=project_name(size))
            self._projects[size] = project
        return self._projects[size]

    def wants(self, prefix: str) -> bool:
        """Whether figures named `prefix...` were asked for (skip the work when not)."""
        return not self.selectors or any(s.startswith(prefix) or prefix.startswith(s) for s in self.selectors)

    @property
    def client(self) -> Client:
        if self._client is None:
            self._client = Client()
            self._client.force_login(get_user_model().objects.get(username="scale-pm"))
        return self._client

    def get(self, url: str):
        response = self.client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return response

    def queries(self, url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            self.get(url)
        return len(captured.captured_queries)

    def median_ms(self, url: str) -> float:
        self.get(url)  # warm-up: templates, caches, connection
        timings = []
        for _run in range(RUNS):
            started = time.perf_counter()
            self.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        return statistics.median(timings)


def list_url(register, project) -> str:
    return reverse(register.url_name("list"), kwargs={"project": project.pk})


@benchmark("list")
def list_pages(bench: Bench):
    project = bench.project(bench.size)
    for register in all_registers():
        if not bench.wants(figure_name("list", register.area, register.slug)):
            continue
        url = list_url(register, project)
        ms = bench.median_ms(url)
        queries = bench.queries(url)
        yield figure_name("list", register.area, register.slug, "ms"), f"{ms:.1f}", "ms"
        yield figure_name("list", register.area, register.slug, "queries"), queries, "queries"


@benchmark("query_growth")
def query_growth(bench: Bench):
    larger = bench.size if bench.size != "small" else "medium"
    small, large = bench.project("small"), bench.project(larger)
    for register in all_registers():
        if not bench.wants(figure_name("query_growth", register.area, register.slug)):
            continue
        growth = bench.queries(list_url(register, large)) - bench.queries(list_url(register, small))
        yield figure_name("query_growth", register.area, register.slug), growth, "queries"


def roadmap_releases(bench: Bench) -> tuple:
    """The 1,000-task and the 100-task release of the roadmap scale project (built when missing)."""
    from roadmap.management.commands.seed_roadmap_scale import LARGE, PROJECT_NAME, SMALL
    from roadmap.models import Release

    project = Project.objects.filter(name=PROJECT_NAME).order_by("-pk").first()
    if project is None:
        print(f"# building {PROJECT_NAME} with seed_roadmap_scale ...", file=sys.stderr, flush=True)
        call_command("seed_roadmap_scale", stdout=sys.stderr)
        project = Project.objects.get(name=PROJECT_NAME)
    return (Release.objects.get(project=project, name=LARGE[0]), Release.objects.get(project=project, name=SMALL[0]))


@benchmark("roadmap")
def roadmap(bench: Bench):
    from roadmap import services

    large, small = roadmap_releases(bench)

    def url(name, release):
        return reverse(f"roadmap:{name}", kwargs={"project": release.project_id, "pk": release.pk})

    if bench.wants("roadmap_critical_path"):
        services.plan_of(large)  # warm-up
        timings = []
        for _run in range(RUNS):
            started = time.perf_counter()
            services.plan_of(large)
            timings.append((time.perf_counter() - started) * 1000)
        yield "roadmap_critical_path_ms", f"{statistics.median(timings):.1f}", "ms"
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            services.plan_of(large)
        yield "roadmap_critical_path_queries", len(captured), "queries"
    for page, name in (("gantt", "gantt-release"), ("plan", "plan")):
        if bench.wants(f"roadmap_{page}"):
            yield f"roadmap_{page}_ms", f"{bench.median_ms(url(name, large)):.1f}", "ms"
            queries = bench.queries(url(name, large))
            yield f"roadmap_{page}_queries", queries, "queries"
            yield f"roadmap_{page}_query_growth", queries - bench.queries(url(name, small)), "queries"


def median_call_ms(call) -> float:
    """Median time of `call()` over RUNS runs after a warm-up."""
    call()
    timings = []
    for _run in range(RUNS):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def evaluation_scale():
    """The evaluation of the evaluation scale project (built when missing)."""
    from evaluation.management.commands.seed_evaluation_scale import PROJECT_NAME
    from evaluation.models import Evaluation

    project = Project.objects.filter(name=PROJECT_NAME).order_by("-pk").first()
    if project is None:
        print(f"# building {PROJECT_NAME} with seed_evaluation_scale ...", file=sys.stderr, flush=True)
        call_command("seed_evaluation_scale", stdout=sys.stderr)
        project = Project.objects.get(name=PROJECT_NAME)
    return Evaluation.objects.get(project=project)


@benchmark("evaluation")
def evaluation_results(bench: Bench):
    from evaluation import results, sensitivity
    from evaluation.models import Round

    scale = evaluation_scale()
    pages = (
        ("results_page", reverse("evaluation:results", kwargs={"project": scale.project_id, "pk": scale.pk})),
        ("round_page", Round.objects.filter(evaluation=scale).order_by("number").first().get_absolute_url()),
    )
    for page, url in pages:
        if bench.wants(f"evaluation_{page}"):
            yield f"evaluation_{page}_ms", f"{bench.median_ms(url):.1f}", "ms"
            yield f"evaluation_{page}_queries", bench.queries(url), "queries"
    if bench.wants("evaluation_compute"):
        yield "evaluation_compute_ms", f"{median_call_ms(lambda: results.compute(scale)):.1f}", "ms"
        with CaptureQueriesContext(connection) as captured:
            results.compute(scale)
        yield "evaluation_compute_queries", len(captured), "queries"
    if bench.wants("evaluation_monte_carlo") or bench.wants("evaluation_sensitivity"):
        matrix = results.compute(scale, with_sensitivity=False).totals.ranked_matrix
        if bench.wants("evaluation_monte_carlo"):
            ms = median_call_ms(lambda: sensitivity.monte_carlo(
                matrix.weights, matrix.values, spread=float(scale.monte_carlo_spread) / 100,
                draws=results.MONTE_CARLO_DRAWS, seed=scale.pk, candidates=matrix.candidates,
            ))
            yield "evaluation_monte_carlo_ms", f"{ms:.1f}", "ms"
        if bench.wants("evaluation_sensitivity"):
            ms = median_call_ms(lambda: sensitivity.weight_sensitivity(
                matrix.weights, matrix.values, candidates=matrix.candidates, criteria=matrix.criteria
            ))
            yield "evaluation_sensitivity_ms", f"{ms:.1f}", "ms"


def training_scale() -> tuple:
    """The training scale project and its usage CSV (both built when missing)."""
    from training.management.commands.seed_training_scale import (
        PROJECT_NAME,
        default_usage_file,
        write_usage_csv,
    )

    project = Project.objects.filter(name=PROJECT_NAME).order_by("-pk").first()
    path = default_usage_file()
    if project is None:
        print(f"# building {PROJECT_NAME} with seed_training_scale ...", file=sys.stderr, flush=True)
        call_command("seed_training_scale", usage_file=path, stdout=sys.stderr)
        project = Project.objects.get(name=PROJECT_NAME)
    elif not os.path.exists(path):
        print(f"# writing the usage file {path} ...", file=sys.stderr, flush=True)
        write_usage_csv(path)
    return project, path


def timed_usage_import(project, path: str) -> tuple[float, object]:
    """Seconds to read, check and save the usage file through the import task's function."""
    from training import usage
    from training.tasks import import_usage

    with open(path, "rb") as handle:
        job = usage.create_import(project, None, os.path.basename(path), handle.read())
    started = time.perf_counter()
    import_usage.call(job.pk, "en")
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    if job.status != "done":
        raise RuntimeError(f"usage import ended {job.status}: {job.error[:500]}")
    return seconds, job


def readiness_after_signoff_ms(bench: Bench, project, url: str) -> float:
    """The readiness page's first request after a trainer signs off one more trainee (median of three
    sign-offs, each undone afterwards, untimed)."""
    from projectcrm.core.models import Membership
    from training import services
    from training.models import Course, CurriculumItem, SignOff, Trainee

    trainer = Membership.objects.get(project=project, user__username="scale-trainer").user
    signed = set(SignOff.objects.filter(project=project).values_list("trainee_id", "course_id"))
    required = {}
    for role, course in CurriculumItem.objects.filter(project=project, required=True).values_list("job_role_id", "course_id"):
        required.setdefault(role, []).append(course)
    pairs = []
    for trainee in Trainee.objects.filter(project=project, active=True).order_by("pk")[:500]:
        course = next((c for c in required.get(trainee.job_role_id, ()) if (trainee.pk, c) not in signed), None)
        if course is not None:
            pairs.append((trainee, Course.objects.get(pk=course)))
        if len(pairs) == 3:
            break
    timings = []
    for trainee, course in pairs:
        bench.get(url)  # the kept figures are current
        sign_off = services.sign_off(trainee, course, trainer, score=100, practical_done=True)
        started = time.perf_counter()
        bench.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        sign_off.delete()
    return statistics.median(timings)


@benchmark("training")
def training(bench: Bench):
    from training import usage
    from training.models import UsageImport, UsageRecord, UsageWeek

    project, path = training_scale()
    has_usage = UsageRecord.objects.filter(project=project).exists()
    if bench.wants("training_usage_import"):
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:  # start from no usage rows (untimed)
            for model in (UsageRecord, UsageWeek, UsageImport):
                cursor.execute(f"DELETE FROM {quote(model._meta.db_table)} WHERE project_id = %s", [project.pk])
            if connection.vendor == "postgresql":  # what autovacuum does after a big delete
                cursor.execute(f"VACUUM ANALYZE {quote(UsageRecord._meta.db_table)}")
        seconds, job = timed_usage_import(project, path)
        has_usage = True
        yield "training_usage_import_s", f"{seconds:.1f}", "s"
        yield "training_usage_import_rows", job.total_rows, "rows"
    if bench.wants("training_usage_reimport"):
        seconds, _job = timed_usage_import(project, path)
        has_usage = True
        yield "training_usage_reimport_s", f"{seconds:.1f}", "s"
    if not has_usage and (bench.wants("training_adoption") or bench.wants("training_readiness")):
        timed_usage_import(project, path)  # the pages need the usage rows
    kwargs = {"project": project.pk}
    try:
        readiness_url = reverse("training:readiness", kwargs=kwargs)
    except NoReverseMatch:
        readiness_url = None
        print("# training_readiness_page: skipped, the URL training:readiness does not exist yet", file=sys.stderr)
    if readiness_url and bench.wants("training_readiness_page"):
        yield "training_readiness_page_ms", f"{bench.median_ms(readiness_url):.1f}", "ms"
        yield "training_readiness_page_queries", bench.queries(readiness_url), "queries"
    if readiness_url and bench.wants("training_readiness_page_after_signoff"):
        yield "training_readiness_page_after_signoff_ms", f"{readiness_after_signoff_ms(bench, project, readiness_url):.1f}", "ms"
    if readiness_url and bench.wants("training_readiness_page_cold"):
        from training import readiness_views

        bench.get(readiness_url)
        readiness_views.clear_cache()
        started = time.perf_counter()
        bench.get(readiness_url)
        yield "training_readiness_page_cold_ms", f"{(time.perf_counter() - started) * 1000:.1f}", "ms"
    adoption_url = reverse("training:adoption", kwargs=kwargs)
    if bench.wants("training_adoption_page"):
        yield "training_adoption_page_ms", f"{bench.median_ms(adoption_url):.1f}", "ms"
        yield "training_adoption_page_queries", bench.queries(adoption_url), "queries"
    if bench.wants("training_adoption_page_cold"):
        bench.get(adoption_url)  # templates and plotly loaded
        usage.clear_cache()
        started = time.perf_counter()
        bench.get(adoption_url)
        yield "training_adoption_page_cold_ms", f"{(time.perf_counter() - started) * 1000:.1f}", "ms"


BENCH_REPORT = "Benchmark steering report"


def steering_extras(project):
    """Six KPIs with monthly values for a year and one budget line per category, once (untimed)."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from projectcrm.governance.choices import BudgetCategory
    from projectcrm.governance.models import BudgetLine, Kpi, KpiValue

    today = timezone.localdate()
    if not Kpi.objects.filter(project=project).exists():
        print("# steering: adding six KPIs with values to the scale project ...", file=sys.stderr, flush=True)
        for n in range(6):
            kpi = Kpi.objects.create(project=project, name=f"Scale KPI {n + 1}", owner="Sales", unit="%",
                                     baseline=Decimal(40 + n), target=Decimal(80 - n), target_date=today)
            KpiValue.objects.bulk_create([
                KpiValue(project=project, kpi=kpi, measured_on=today - datetime.timedelta(days=30 * m),
                         value=Decimal(40 + n + 3 * (12 - m)))
                for m in range(12)
            ])
    if not BudgetLine.objects.filter(project=project).exists():
        BudgetLine.objects.bulk_create([
            BudgetLine(project=project, category=category, description=str(category.label),
                       planned=Decimal(100_000 + 10_000 * i), actual=Decimal(60_000 + 5_000 * i),
                       committed=Decimal(20_000))
            for i, category in enumerate(BudgetCategory)
        ])


@benchmark("steering")
def steering(bench: Bench):
    from django.utils import translation

    from projectcrm.reports import issuing
    from projectcrm.reports.models import SteeringReport
    from projectcrm.reports.report_charts import report_figures

    project = bench.project(bench.size)
    steering_extras(project)
    kwargs = {"project": project.pk}
    if bench.wants("steering_dashboard"):
        try:
            url = reverse("reports:dashboard", kwargs=kwargs)
        except NoReverseMatch:
            print("# steering_dashboard: skipped, the URL reports:dashboard does not exist yet", file=sys.stderr)
        else:
            yield "steering_dashboard_ms", f"{bench.median_ms(url):.1f}", "ms"
            yield "steering_dashboard_queries", bench.queries(url), "queries"
    SteeringReport.objects.filter(project=project, title__startswith=BENCH_REPORT).delete()
    pm = get_user_model().objects.get(username="scale-pm")
    report = SteeringReport.objects.create(project=project, title=BENCH_REPORT, summary="Benchmark.")
    if bench.wants("steering_report_pdf"):
        language = "zh-hans"
        issuing.clear_svg_cache()
        started = time.perf_counter()
        issuing.render_pdf_for(report, language)  # cold: templates, fonts, every chart drawn by chromium
        cold = time.perf_counter() - started
        timings = []
        for _run in range(3):
            started = time.perf_counter()
            pdf, pages = issuing.render_pdf_for(report, language)
            timings.append(time.perf_counter() - started)
        with translation.override(language):
            charts = len(report_figures(issuing.report_data(report, language), language))
        # New data in a running server: every chart drawn again, by the browser the process keeps.
        fresh = []
        for _run in range(3):
            issuing.clear_svg_cache()
            started = time.perf_counter()
            issuing.render_pdf_for(report, language)
            fresh.append(time.perf_counter() - started)
        yield "steering_report_pdf_cold_s", f"{cold:.2f}", "s"
        yield "steering_report_pdf_new_charts_s", f"{statistics.median(fresh):.2f}", "s"
        yield "steering_report_pdf_s", f"{statistics.median(timings):.2f}", "s"
        yield "steering_report_pdf_pages", pages, "pages"
        yield "steering_report_pdf_charts", charts, "charts"
    if bench.wants("steering_report_page"):
        url = reverse("reports:report", kwargs={**kwargs, "pk": report.pk})
        yield "steering_report_page_ms", f"{bench.median_ms(url):.1f}", "ms"
        yield "steering_report_page_queries", bench.queries(url), "queries"
    if bench.wants("steering_report_issue"):
        issuing.clear_svg_cache()  # every chart drawn again, in three languages
        started = time.perf_counter()
        issuing.issue(report, pm)
        yield "steering_report_issue_s", f"{time.perf_counter() - started:.2f}", "s"
    SteeringReport.objects.filter(project=project, title__startswith=BENCH_REPORT).delete()


@benchmark("design")
def design(bench: Bench):
    """A 300-step map (page, SVG) and the traceability and specification pages over 500 use cases."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import design_map_bench
    import design_trace_bench

    yield from design_map_bench.run(bench)
    yield from design_trace_bench.run(bench)


@benchmark("reconcile")
def reconcile(bench: Bench):
    """Our reconciliation engine against datacompy (pandas, polars) on 1M and 5M-row extracts."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import reconcile_bench

    yield from reconcile_bench.run()


def wanted(name: str, selectors: list[str]) -> bool:
    return not selectors or any(name.startswith(s) for s in selectors)


def main(argv: list[str]) -> int:
    size = os.environ.get("BENCH_SIZE", "large")
    if size not in SIZES:
        print(f"BENCH_SIZE must be one of {', '.join(SIZES)}", file=sys.stderr)
        return 2
    selectors = argv
    # The benchmarks use the app's database (SQLite by default): bring its schema up to date first.
    call_command("migrate", verbosity=0)
    bench = Bench(size, selectors)
    ran = False
    for name, fn in BENCHMARKS.items():
        # A selector picks a benchmark by prefix ("list") or one of its figures ("list_governance_issues").
        if selectors and not any(name.startswith(s) or s.startswith(name) for s in selectors):
            continue
        ran = True
        for figure, value, unit in fn(bench):
            if wanted(figure, selectors) or any(name.startswith(s) for s in selectors):
                print(f"{figure}: {value} {unit}", flush=True)
    if not ran:
        print(f"No benchmark matches {' '.join(selectors)}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
