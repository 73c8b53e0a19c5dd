"""One test walks every URL of the project for every role (Kiwi's PermissionsTestCase, made total).

The EXPECTATIONS table below says which (area, action) each URL needs; the policy table
(`projectcrm.core.policy`) says which role has it. A URL pattern without a line in the table fails
`test_every_url_has_an_expectation` and the walk of its group, so a new page cannot ship unchecked.
The walk runs one test per group of URLs (a register's pages and API, an area's other pages, the
site's pages) so the test data is built a dozen times, not once per URL.

Outcomes checked for every URL and every way in:
  anonymous                      -> 302 to the login page (pages), 401/403 (API)
  outsider (member of no project) -> 404 for project URLs
  pm asking for other_project     -> 404
  pm with other_project's row ids  -> 404 (rows never leak across projects)
  a role the policy refuses       -> 403
  a role the policy allows        -> 200/302 (pages), 200 or a validation answer (API writes)
"""

import datetime
import itertools
import json
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from projectcrm.core import policy, services
from projectcrm.core.models import ImportJob, Membership, ProjectScoped
from projectcrm.core.registry import get_register

ROLES = ["pm", "steering", "evaluator", "trainer", "member", "viewer"]
LOGIN_PATH = "/accounts/login/"

# URL prefixes and names that are not walked here: Django's own admin and language switch,
# static files, and the API schema and docs (tests/core/test_api.py has their own tests).
SKIPPED_PREFIXES = ("admin/", "i18n/", "static/", "media/", "__debug__/")
SKIPPED_NAMES = {"api-schema", "api-docs"}


# --- The expectation table -----------------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    """One request: its method, and the area/action a member needs for it (None: any login)."""

    area: str | None
    action: str = "view"
    method: str = "GET"


@dataclass(frozen=True)
class Expect:
    """What a URL needs.

    kind: "project" (a project page), "api" (a project API endpoint), "login" (any logged-in
    user, no project), "api-login" (API, any authenticated user), "public" (anyone).
    rows: the register key ("governance:issues") or "membership" whose rows fill pk, history_id
    and job; None when the URL has no such argument.
    """

    kind: str
    checks: tuple[Check, ...]
    rows: str | None = None


def page(*checks, rows=None):
    return Expect("project", tuple(Check(*c) for c in checks), rows)


def api(*checks, rows=None):
    return Expect("api", tuple(Check(*c) for c in checks), rows)


LOGIN_ONLY = Expect("login", (Check(None),))
PUBLIC_GET = Expect("public", (Check(None),))
PUBLIC_POST = Expect("public", (Check(None, "view", "POST"),))

# Every register of every area, one line each. A register missing here fails the walk.
REGISTER_PAGES = [
    ("testing", "plans"),
    ("testing", "cases"),
    ("testing", "cycles"),
    ("testing", "executions"),
    ("testing", "defects"),
    ("testing", "uat-sign-offs"),
    ("testing", "source-systems"),
    ("testing", "migration-objects"),
    ("testing", "field-mappings"),
    ("testing", "mock-runs"),
    ("testing", "run-objects"),
    ("testing", "cutover-steps"),
    ("testing", "rehearsal-timings"),
    ("governance", "meetings"),
    ("governance", "kpis"),
    ("governance", "kpi-values"),
    ("governance", "readiness-questions"),
    ("governance", "readiness-surveys"),
    ("governance", "budget"),
    ("reports", "golive-checks"),
    ("reports", "steering-reports"),
    ("training", "departments"),
    ("training", "job-roles"),
    ("training", "courses"),
    ("training", "curricula"),
    ("training", "trainees"),
    ("training", "sessions"),
    ("training", "enrolments"),
    ("training", "sign-offs"),
    ("training", "champions"),
    ("training", "champion-questions"),
    ("training", "feedback"),
    ("training", "pulse-surveys"),
    ("training", "pulse-responses"),
    ("training", "licences"),
    ("training", "adoption-targets"),
    ("training", "baselines"),
    ("evaluation", "evaluations"),
    ("evaluation", "candidates"),
    ("evaluation", "categories"),
    ("evaluation", "criteria"),
    ("evaluation", "team"),
    ("evaluation", "assignments"),
    ("evaluation", "costs"),
    ("evaluation", "references"),
    ("design", "processes"),
    ("design", "maps"),
    ("design", "lanes"),
    ("design", "steps"),
    ("design", "flows"),
    ("design", "gaps"),
    ("design", "rules"),
    ("design", "use-cases"),
    ("roadmap", "releases"),
    ("roadmap", "phases"),
    ("roadmap", "tasks"),
    ("roadmap", "dependencies"),
    ("roadmap", "baselines"),
    ("roadmap", "gates"),
    ("roadmap", "criteria"),
    ("roadmap", "changes"),
    ("governance", "stakeholders"),
    ("governance", "workstreams"),
    ("governance", "communications"),
    ("governance", "communications-sent"),
    ("governance", "issues"),
    ("governance", "escalation-rules"),
    ("governance", "risks"),
    ("governance", "decisions"),
    ("governance", "actions"),
]

# The generic register views: suffix -> (action, method). Change views answer GET with their form
# page; POST-only views are tested with POST.
REGISTER_VIEWS = {
    "list": ("view", "GET"),
    "create": ("change", "GET"),
    "detail": ("view", "GET"),
    "edit": ("change", "GET"),
    "delete": ("change", "GET"),
    "history": ("view", "GET"),
    "deleted": ("view", "GET"),
    "restore": ("change", "POST"),
    "export": ("view", "GET"),
    "import": ("change", "GET"),
    "import-job": ("view", "GET"),
    "import-apply": ("change", "POST"),
}


def register_expectations(pairs) -> dict[str, Expect]:
    table = {}
    for namespace, slug in pairs:
        area = namespace  # an area's URL namespace is its policy area
        key = f"{area}:{slug}"
        for suffix, (action, method) in REGISTER_VIEWS.items():
            if suffix.startswith("import") and not get_register(key).importable:
                continue  # registers made only in the app have no import pages
            if suffix == "create" and not get_register(key).creatable:
                continue  # rows made by an action elsewhere have no "Add" page
            table[f"{namespace}:{slug}-{suffix}"] = page((area, action, method), rows=key)
        if get_register(key).creatable:
            table[f"api-{area}-{slug}-list"] = api((area, "view", "GET"), (area, "change", "POST"), rows=key)
        else:
            table[f"api-{area}-{slug}-list"] = api((area, "view", "GET"), rows=key)
        table[f"api-{area}-{slug}-detail"] = api((area, "view", "GET"), (area, "change", "PATCH"), rows=key)
    return table


EXPECTATIONS: dict[str, Expect] = {
    "home": LOGIN_ONLY,
    "project-create": LOGIN_ONLY,
    "api-token": LOGIN_ONLY,
    "login": PUBLIC_GET,
    "logout": PUBLIC_POST,
    "api-projects": Expect("api-login", (Check(None),)),
    "project-home": page(("project", "view")),
    "project-edit": page(("project", "change"), ("project", "change", "POST")),
    "members": page(("project", "view"), ("project", "change", "POST")),
    "member-update": page(("project", "change", "POST"), rows="membership"),
    "activity": page(("reports", "view")),
    "governance:raci": page(("governance", "view"), ("governance", "change", "POST")),
    "governance:meeting-decision": page(("governance", "change", "POST"), rows="governance:meetings"),
    "governance:meeting-action": page(("governance", "change", "POST"), rows="governance:meetings"),
    "governance:meeting-pdf": page(("governance", "view"), rows="governance:meetings"),
    "governance:meeting-ics": page(("governance", "view"), rows="governance:meetings"),
    "testing:execution-raise-defect": page(("testing", "change", "POST"), rows="testing:executions"),
    "testing:defect-status": page(("testing", "change", "POST"), rows="testing:defects"),
    "testing:defect-escalate": page(("testing", "change", "POST"), rows="testing:defects"),
    "testing:cycle-sign-off": page(("testing", "change", "POST"), rows="testing:cycles"),
    "testing:cycle-execute": page(("testing", "change", "POST"), rows="testing:cycles"),
    "testing:execution-run": page(("testing", "change"), ("testing", "change", "POST"), rows="testing:executions"),
    "testing:execution-evidence-upload": page(("testing", "change", "POST"), rows="testing:executions"),
    "testing:evidence-file": page(("testing", "view"), rows="testing-evidence"),
    "testing:evidence-delete": page(("testing", "change"), rows="testing-evidence"),
    "testing:dashboard": page(("testing", "view")),
    "design:gap-analysis": page(("design", "view")),
    "design:map-bpmn": page(("design", "view"), rows="design:maps"),
    "design:map-editor": page(("design", "view"), rows="design:maps"),
    "design:map-svg": page(("design", "view"), rows="design:maps"),
    "design:map-pdf": page(("design", "view"), rows="design:maps"),
    "design:map-copy": page(("design", "change", "POST"), rows="design:maps"),
    "design:map-edit": page(("design", "change", "POST"), rows="design:maps"),
    "design:usecase-status": page(("design", "change", "POST"), rows="design:use-cases"),
    "design:spec": page(("design", "view")),
    "design:spec-pdf": page(("design", "view")),
    "design:traceability": page(("design", "view")),
    "design:traceability-xlsx": page(("design", "view")),
    "design:bpmn-import": page(("design", "change"), ("design", "change", "POST")),
    "design:gap-record": page(("design", "change", "POST")),
    "design:gap-deliver": page(("design", "change"), ("design", "change", "POST"), rows="design:gaps"),
    "testing:traceability-xlsx": page(("testing", "view")),
    "testing:migration": page(("testing", "view")),
    "testing:cutover": page(("testing", "view")),
    "testing:reconciliation-new": page(("testing", "change"), ("testing", "change", "POST"), rows="testing:mock-runs"),
    "testing:reconciliation-setup": page(("testing", "change"), ("testing", "change", "POST"), rows="testing-reconciliation"),
    "testing:reconciliation": page(("testing", "view"), rows="testing-reconciliation"),
    "testing:reconciliation-xlsx": page(("testing", "view"), rows="testing-reconciliation"),
    "testing:reconciliation-delete": page(("testing", "change"), rows="testing-reconciliation"),
    "reports:golive": page(("reports", "view")),
    "reports:dashboard": page(("reports", "view")),
    "reports:report": page(("reports", "view"), rows="reports:steering-reports"),
    "reports:report-pdf": page(("reports", "view"), rows="reports:steering-reports"),
    "reports:report-issue": page(("reports", "change", "POST"), rows="reports:steering-reports"),
    "reports:archive": page(("reports", "view")),
    "reports:dashboard-pdf": page(("reports", "view")),
    "reports:golive-defaults": page(("reports", "change", "POST")),
    "governance:kpi-scorecard": page(("governance", "view")),
    "governance:kpi-refresh": page(("governance", "change", "POST")),
    "governance:kpi-history-xlsx": page(("governance", "view")),
    "governance:kpi-record": page(("governance", "change", "POST"), rows="governance:kpis"),
    "governance:readiness-overview": page(("governance", "view")),
    "governance:readiness-library": page(("governance", "change", "POST")),
    "governance:readiness-answer": page(("governance", "view"), ("governance", "view", "POST"), rows="governance:readiness-surveys"),
    "governance:readiness-results": page(("governance", "view"), rows="governance:readiness-surveys"),
    "governance:communications-calendar": page(("governance", "view")),
    "governance:communications-calendar-rotate": page(("governance", "view", "POST")),
    "governance:communications-log": page(("governance", "change", "POST"), rows="governance:communications"),
    "governance:risk-library": page(("governance", "change"), ("governance", "change", "POST")),
    "roadmap:release-from-template": page(("roadmap", "change"), ("roadmap", "change", "POST")),
    "roadmap:plan": page(("roadmap", "view"), rows="roadmap:releases"),
    "roadmap:reschedule": page(("roadmap", "change", "POST"), rows="roadmap:releases"),
    "roadmap:take-baseline": page(("roadmap", "change", "POST"), rows="roadmap:releases"),
    "roadmap:save-template": page(("roadmap", "change", "POST"), rows="roadmap:releases"),
    "roadmap:gantt-release": page(("roadmap", "view"), rows="roadmap:releases"),
    "roadmap:milestones-ics": page(("roadmap", "view"), rows="roadmap:releases"),
    "roadmap:gantt": page(("roadmap", "view")),
    # Voting needs only the right to see the roadmap; the view then accepts committee members only.
    "roadmap:gate-vote": page(("roadmap", "view", "POST"), rows="roadmap:gates"),
    "roadmap:gate-decide": page(("roadmap", "change", "POST"), rows="roadmap:gates"),
    "roadmap:gate-reopen": page(("roadmap", "change", "POST"), rows="roadmap:gates"),
    "roadmap:criterion-check": page(("roadmap", "change", "POST"), rows="gate-criterion"),
    "roadmap:change-action": page(("roadmap", "change", "POST"), rows="roadmap:changes"),
    "roadmap:release-export-mspdi": page(("roadmap", "view"), rows="roadmap:releases"),
    "roadmap:release-import-mspdi": page(("roadmap", "change"), ("roadmap", "change", "POST")),
    "roadmap:task-move": page(("roadmap", "change", "POST"), rows="roadmap:tasks"),
    # Evaluation: lead-only actions answer allowed roles with a message and a redirect, not 403.
    "evaluation:scoring": page(("evaluation", "view"), rows="evaluation:evaluations"),
    "evaluation:round-open": page(("evaluation", "change", "POST"), rows="evaluation:evaluations"),
    "evaluation:round": page(("evaluation", "view"), rows="evaluation-round"),
    "evaluation:round-close": page(("evaluation", "change", "POST"), rows="evaluation-round"),
    "evaluation:round-reopen": page(("evaluation", "change", "POST"), rows="evaluation-round"),
    "evaluation:scoresheet": page(("evaluation", "view"), rows="evaluation-round"),
    "evaluation:score-save": page(("evaluation", "change", "POST"), rows="evaluation-round"),
    "evaluation:evaluator-scores": page(("evaluation", "view"), rows="evaluation-round"),
    "evaluation:consensus-save": page(("evaluation", "change", "POST"), rows="evaluation-round"),
    "evaluation:consensus-accept": page(("evaluation", "change", "POST"), rows="evaluation-round"),
    "evaluation:readmit": page(("evaluation", "change", "POST"), rows="evaluation:candidates"),
    "evaluation:tco": page(("evaluation", "view"), rows="evaluation:evaluations"),
    "evaluation:results": page(("evaluation", "view"), rows="evaluation:evaluations"),
    "evaluation:decide": page(("evaluation", "change", "POST"), rows="evaluation:evaluations"),
    "evaluation:report": page(("evaluation", "view"), rows="evaluation:evaluations"),
    "evaluation:report-pdf": page(("evaluation", "view"), rows="evaluation:evaluations"),
    "evaluation:matrix-xlsx": page(("evaluation", "view"), rows="evaluation:evaluations"),
    "evaluation:criteria-tree": page(("evaluation", "view"), rows="evaluation:evaluations"),
    "evaluation:criteria-weights": page(("evaluation", "change", "POST"), rows="evaluation:evaluations"),
    "evaluation:criteria-catalogue": page(("evaluation", "change", "POST"), rows="evaluation:evaluations"),
    "evaluation:ahp": page(("evaluation", "view"), ("evaluation", "change", "POST"), rows="evaluation:evaluations"),
    "evaluation:ahp-apply": page(("evaluation", "change", "POST"), rows="evaluation:evaluations"),
    "training:job-role-library": page(("training", "change"), ("training", "change", "POST")),
    "training:readiness": page(("training", "view")),
    "training:readiness-not-ready-xlsx": page(("training", "view")),
    "training:champions-page": page(("training", "view")),
    "training:feedback-summary": page(("training", "view")),
    "training:adoption": page(("training", "view")),
    "training:usage-import": page(("training", "view"), ("training", "change", "POST")),
    "training:usage-import-job": page(("training", "view"), rows="training-usage-import"),
    "training:calendar": page(("training", "view")),
    "training:calendar-ics": page(("training", "view")),
    "training:session-roster": page(("training", "view"), rows="training:sessions"),
    "training:session-enrol": page(("training", "change", "POST"), rows="training:sessions"),
    "training:session-fill": page(("training", "change", "POST"), rows="training:sessions"),
    "training:enrolment-save": page(("training", "change", "POST"), rows="training:enrolments"),
    "training:enrolment-cancel": page(("training", "change", "POST"), rows="training:enrolments"),
    "training:enrolment-sign-off": page(("training", "change", "POST"), rows="training:enrolments"),
    "training:certificate": page(("training", "view"), rows="training:sign-offs"),
    "training:course-new-version": page(("training", "change", "POST"), rows="training:courses"),
    # The trainee's acknowledgement link works without a login: the signed token is the proof.
    "training:acknowledge": Expect("public", (Check(None), Check(None, "view", "POST")), rows="training-acknowledge"),
    "api-kpi-scorecard": api(("governance", "view", "GET")),
    "api-evaluation-results": api(("evaluation", "view", "GET"), rows="evaluation:evaluations"),
    "api-evaluation-consensus": api(("evaluation", "view", "GET"), rows="evaluation:evaluations"),
    "api-evaluation-scores": api(("evaluation", "view", "GET"), ("evaluation", "change", "POST"), rows="evaluation-round"),
    **register_expectations(REGISTER_PAGES),
}


# --- Walking the URL patterns --------------------------------------------------------------------
@dataclass(frozen=True)
class Pattern:
    name: str
    route: str
    kwargs: frozenset


def pattern_kwargs(pattern) -> set[str]:
    if isinstance(pattern, RoutePattern):
        return set(pattern.converters)
    return set(pattern.regex.groupindex)


def walk(resolver=None, prefix="", namespace="", kwargs=frozenset()):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        names = kwargs | pattern_kwargs(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, route, inner, frozenset(names))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else f"<unnamed {route}>"
            yield Pattern(name, route, frozenset(names))


def walked_patterns() -> list[Pattern]:
    return [
        p
        for p in walk()
        if not p.route.startswith(SKIPPED_PREFIXES) and p.name not in SKIPPED_NAMES and not p.name.startswith("admin:")
    ]


PATTERNS = walked_patterns()


def test_every_url_has_an_expectation():
    missing = sorted(p.name for p in PATTERNS if p.name not in EXPECTATIONS)
    assert not missing, f"URL patterns without a line in EXPECTATIONS: {missing}"


def test_every_expectation_has_a_url():
    names = {p.name for p in PATTERNS}
    stale = sorted(set(EXPECTATIONS) - names)
    assert not stale, f"EXPECTATIONS lines for URLs that no longer exist: {stale}"


def test_url_names_are_unique():
    names = [p.name for p in PATTERNS]
    assert len(names) == len(set(names))


def test_every_register_is_listed():
    from projectcrm.core.registry import all_registers

    declared = {(r.area, r.slug) for r in all_registers()}
    assert declared == set(REGISTER_PAGES)


# --- Test data: one live row, one deleted row and one import job per register, per project ------
SERIAL = itertools.count(1)  # keeps text values apart (unique names)


def minimal_value(field, project, member, made):
    if field.choices:
        return field.choices[0][0]
    if field.many_to_one:
        related = field.related_model
        if related is get_user_model():
            return member
        if issubclass(related, ProjectScoped):
            return make_row(related, project, member, made)
        raise NotImplementedError(f"No test value for {field}")
    if isinstance(field, models.EmailField):
        return "someone@example.com"
    if isinstance(field, (models.CharField, models.TextField)):
        return f"Test {field.name} {next(SERIAL)}"[: field.max_length or 100]
    if isinstance(field, models.DateTimeField):
        return datetime.datetime.now(datetime.UTC)
    if isinstance(field, models.DateField):
        return datetime.date.today()
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, (models.IntegerField, models.DecimalField, models.FloatField)):
        return 1
    raise NotImplementedError(f"No test value for {field}")


def new_row(model, project, member, made):
    """An unsaved row with only the fields the model requires filled in.

    A one-to-one link, or a second link to a model this row already points at (a dependency's
    predecessor and successor), gets a row of its own instead of the shared one.
    """
    values = {}
    used = set()
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name == "project" or field.has_default() or field.null or field.blank:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue
        related = field.related_model if field.is_relation else None
        if related is not None and issubclass(related, ProjectScoped) and (field.one_to_one or related in used):
            values[field.name] = services.save_versioned(new_row(related, project, member, made), None)
        else:
            values[field.name] = minimal_value(field, project, member, made)
        used.add(related)
    for name in ALSO_FILL.get(model._meta.label, ()):
        values[name] = make_row(model._meta.get_field(name).related_model, project, member, made)
    return model(project=project, **values)


# Registers with one row per combination of links: their second (doomed) row needs its own links.
OWN_ROWS_WHEN_DOOMED = {
    "evaluation:team", "training:curricula", "training:enrolments", "training:sign-offs", "training:licences",
    "governance:kpi-values", "testing:run-objects", "testing:rehearsal-timings",
}

# Optional links a row still needs one of (a database check says so): the one the test fills in.
ALSO_FILL = {"evaluation.Assignment": ("category",)}


def make_row(model, project, member, made):
    """One saved row of `model` in `project` (reused for foreign keys)."""
    if model not in made:
        made[model] = services.save_versioned(new_row(model, project, member, made), None)
    return made[model]


def project_rows(project, member):
    """{register key: (row, deleted history record, import job)} plus "membership"."""
    made = {}
    rows = {}
    for namespace, slug in REGISTER_PAGES:
        key = f"{namespace}:{slug}"
        model = get_register(key).model
        live = make_row(model, project, member, made)
        if key in OWN_ROWS_WHEN_DOOMED:
            # One row per pair (team place, curriculum entry, enrolment, sign-off, licence date):
            # the doomed row gets related rows of its own.
            doomed = new_row(model, project, member, {})
        else:
            doomed = new_row(model, project, member, made)
        doomed = services.save_versioned(doomed, None)
        doomed_pk = doomed.pk
        services.delete_row(doomed)
        record = model.history.get(id=doomed_pk, history_type="-")
        job = ImportJob.objects.create(
            project=project, register=key, user=member, filename="rows.csv", content=b"title\n"
        )
        rows[key] = {"pk": live.pk, "history_id": record.history_id, "job": job.pk}
    from evaluation.models import Evaluation, Round, TeamMember
    from roadmap.models import GateCriterion

    rows["gate-criterion"] = {"pk": make_row(GateCriterion, project, member, made).pk}
    # A closed round of an evaluation the member leads and scores in: its pages show to every
    # role that may view the evaluation.
    evaluation = make_row(Evaluation, project, member, made)
    Evaluation.objects.filter(pk=evaluation.pk).update(lead=member)
    TeamMember.objects.get_or_create(evaluation=evaluation, user=member, defaults={"project": project})
    closed = Round.objects.create(project=project, evaluation=evaluation, number=99, status="closed")
    rows["evaluation-round"] = {"pk": closed.pk, "user": member.pk}
    from training.models import SignOff
    from training.services import acknowledge_token

    rows["training-acknowledge"] = {"token": acknowledge_token(make_row(SignOff, project, member, made))}
    from training.models import UsageImport

    job = UsageImport.objects.create(project=project, user=member, filename="usage.csv", content=b"", status="done")
    rows["training-usage-import"] = {"pk": job.pk}
    from django.core.files.base import ContentFile

    from testing.models import Execution, ExecutionEvidence, MockRun, Reconciliation
    from testing.reconcile import Result

    evidence = ExecutionEvidence(
        project=project, execution=make_row(Execution, project, member, made), name="notes.txt", uploaded_by=member
    )
    evidence.file.save("notes.txt", ContentFile(b"evidence"), save=False)
    rows["testing-evidence"] = {"pk": services.save_versioned(evidence, None).pk}
    reconciliation = Reconciliation(
        project=project, run=make_row(MockRun, project, member, made), source_name="source.csv",
        target_name="target.csv", keys="id", status="done", requested_by=member,
        result=Result(source="source.csv", target="target.csv", keys=["id"], source_rows=1, target_rows=1,
                      matched=1, matched_equal=1).to_dict(),
    )
    reconciliation.source_file.save("source.csv", ContentFile(b"id,name\n1,a\n"), save=False)
    reconciliation.target_file.save("target.csv", ContentFile(b"id,name\n1,a\n"), save=False)
    rows["testing-reconciliation"] = {"pk": services.save_versioned(reconciliation, None).pk}
    return rows


@pytest.fixture
def world(project, other_project, users):
    own = project_rows(project, users["pm"])
    other_pm = Membership.objects.get(project=other_project).user
    foreign = project_rows(other_project, other_pm)
    own["membership"] = {"pk": Membership.objects.get(project=project, user=users["viewer"]).pk}
    foreign["membership"] = {"pk": Membership.objects.get(project=other_project).pk}
    return {"project": project, "other": other_project, "own": own, "foreign": foreign}


def url_for(pattern, expect, project_pk, rows):
    kwargs = {}
    for name in pattern.kwargs:
        if name == "project":
            kwargs[name] = project_pk
        elif name == "fmt":
            kwargs[name] = "csv"
        elif name == "action":
            kwargs[name] = "assess"
        elif name in ("user", "token"):
            kwargs[name] = rows[expect.rows][name]
        elif name == "case":
            kwargs[name] = rows["testing:cases"]["pk"]
        elif name == "op":
            kwargs[name] = "add-lane"
        elif name == "run":
            kwargs[name] = rows["testing:mock-runs"]["pk"]
        elif name in ("pk", "history_id", "job"):
            assert expect.rows, f"{pattern.name}: say in EXPECTATIONS which rows fill <{name}>"
            kwargs[name] = rows[expect.rows][name]
        else:
            raise AssertionError(f"{pattern.name}: no test value for URL argument <{name}>")
    return reverse(pattern.name, kwargs=kwargs)


def send(client, method, url, is_api):
    if method == "GET":
        return client.get(url)
    if is_api:
        return client.generic(method, url, json.dumps({}), content_type="application/json")
    return client.generic(method, url, b"", content_type="application/x-www-form-urlencoded")


# --- The walk --------------------------------------------------------------------------------------
def group_of(pattern) -> str:
    """Patterns are walked in groups sharing one set of test data: a register's pages and API, an
    area's other pages, and the site's own pages."""
    expect = EXPECTATIONS.get(pattern.name)
    if expect is not None and expect.rows and expect.rows != "membership":
        return expect.rows
    return pattern.name.split(":")[0] if ":" in pattern.name else "site"


GROUPS = sorted({group_of(p) for p in PATTERNS})
OK_PAGE = {200, 302}
# An allowed API write with an empty body answers with the created row or its validation errors.
OK_API = {"GET": {200}, "POST": {201, 400}, "PATCH": {200, 400}}


def logged_in_clients(client_for):
    return {name: client_for(name) for name in [*ROLES, "outsider", "anonymous"]}


def walk_pattern(pattern, expect, world, clients) -> list[str]:
    """Every check of one URL for every role and stranger; the failures as readable lines."""
    failures = []
    is_api = expect.kind in ("api", "api-login")
    project_pk = world["project"].pk

    def expect_status(who, check, url, allowed):
        response = send(clients[who], check.method, url, is_api)
        if response.status_code not in allowed:
            failures.append(f"{who} {check.method} {url}: {response.status_code}, expected {sorted(allowed)}")

    for check in expect.checks:
        url = url_for(pattern, expect, project_pk, world["own"])
        ok = OK_API[check.method] if is_api else OK_PAGE

        # Anonymous: the login page for pages, 401/403 for the API.
        response = send(clients["anonymous"], check.method, url, is_api)
        if expect.kind == "public":
            if response.status_code not in OK_PAGE:
                failures.append(f"anonymous {check.method} {url}: {response.status_code}")
        elif is_api:
            if response.status_code not in (401, 403):
                failures.append(f"anonymous {check.method} {url}: {response.status_code}, expected 401/403")
        elif response.status_code != 302 or not response["Location"].startswith(LOGIN_PATH):
            failures.append(
                f"anonymous {check.method} {url}: {response.status_code} "
                f"{response.get('Location', '')}, expected a redirect to {LOGIN_PATH}"
            )

        if expect.kind in ("login", "api-login", "public"):
            for who in [*ROLES, "outsider"]:
                expect_status(who, check, url, ok)
            continue

        # Project URLs: 404 for strangers, 403 or success by role.
        expect_status("outsider", check, url, {404})
        for role in ROLES:
            allowed = policy.allows(role, check.area, check.action)
            expect_status(role, check, url, ok if allowed else {403})

        # A member never reaches another project, by its id or by its rows' ids.
        foreign_url = url_for(pattern, expect, world["other"].pk, world["foreign"])
        expect_status("pm", check, foreign_url, {404})
        if pattern.kwargs & {"pk", "history_id", "job"}:
            mixed_url = url_for(pattern, expect, project_pk, world["foreign"])
            expect_status("pm", check, mixed_url, {404})
    return failures


@pytest.mark.parametrize("group", GROUPS)
def test_urls_answer_every_role_as_the_policy_says(group, world, client_for):
    clients = logged_in_clients(client_for)
    failures = []
    for pattern in [p for p in PATTERNS if group_of(p) == group]:
        expect = EXPECTATIONS.get(pattern.name)
        if expect is None:
            failures.append(f"{pattern.name} ({pattern.route}) has no line in EXPECTATIONS")
            continue
        failures.extend(f"{pattern.name}: {line}" for line in walk_pattern(pattern, expect, world, clients))
        if expect.kind == "public":
            clients = logged_in_clients(client_for)  # the logout URL ends the sessions
    assert not failures, "\n".join(failures)


# --- The calendar feed's signed token ------------------------------------------------------------
def test_calendar_feed_opens_with_a_signed_token_without_login(project, users):
    from projectcrm.governance.views import feed_token

    url = reverse("governance:communications-calendar", kwargs={"project": project.pk})
    response = Client().get(url, {"token": feed_token(users["viewer"], project)})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in response.content


def test_calendar_feed_refuses_a_bad_token(project, users):
    from projectcrm.governance.views import feed_token

    url = reverse("governance:communications-calendar", kwargs={"project": project.pk})
    token = feed_token(users["viewer"], project)
    assert Client().get(url, {"token": token[:-2] + "xx"}).status_code == 404
    assert Client().get(url, {"token": "not-a-token"}).status_code == 404


def test_calendar_token_is_bound_to_its_project(project, other_project, users):
    from projectcrm.governance.views import feed_token

    url = reverse("governance:communications-calendar", kwargs={"project": other_project.pk})
    response = Client().get(url, {"token": feed_token(users["viewer"], project)})
    assert response.status_code == 404


def test_calendar_token_stops_working_when_the_member_leaves(project, users):
    from projectcrm.governance.views import feed_token

    url = reverse("governance:communications-calendar", kwargs={"project": project.pk})
    token = feed_token(users["viewer"], project)
    Membership.objects.filter(project=project, user=users["viewer"]).delete()
    assert Client().get(url, {"token": token}).status_code == 404
