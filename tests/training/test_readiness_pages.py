"""Readiness, champions and feedback pages (training/readiness_views.py) and the gate figure (training/gates.py).

The hand-made project: departments Sales (the project's go-live, in 30 days) and Service (its own
go-live, in 60 days); roles Rep (requires C1, C2; C3 optional) and Agent (requires C1, C3); courses
C1 "CRM basics" (pass mark 70), C2 "Pipeline" (no pass mark), C3 "Cases" (version 2, a material
change, so sign-offs of version 1 no longer count).

    person  dept     role   C1                               C2                  C3
    Ann     Sales    Rep    attended 90, signed off          attended (passed)   -
    Bob     Sales    Rep    enrolled, session in 5 days      nothing             -
    Cy      Sales    Agent  signed off                       -                   signed off v2
    Dee     Service  Agent  attended, scored 50 (< 70)       -                   signed off v1 (superseded)
    Eve     Service  Rep    enrolled, missed the session     signed off          -
    Finn    Service  Agent  inactive (left): ignored

Required pairs 10, signed off 4 (Ann C1, Cy C1, Cy C3, Eve C2): 40%. Overdue 1 (Eve C1: missed session).
    Sales:   required 6, enrolled 5, attended 4, passed 4, signed 3, overdue 0 -> 50%
    Service: required 4, enrolled 3, attended 2, passed 1, signed 1, overdue 1 -> 25%
    Rep:     required 6, enrolled 5, attended 3, passed 3, signed 2, overdue 1 -> 33%
    Agent:   required 4, enrolled 3, attended 3, passed 2, signed 2, overdue 0 -> 50%
Heat map: Sales C1 2/3, C2 0/2, C3 1/1; Service C1 0/2, C2 1/1, C3 0/1.
Not ready (department, then name): Ann (C2 passed), Bob (C1 enrolled, C2 not enrolled),
Dee (C1 attended, C3 not enrolled), Eve (C1 enrolled, overdue). Ready: Cy (1 of 5 people).
"""

import datetime
import io
import json
import re
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from training import gates, services
from training import readiness as calc
from training import readiness_views as views
from training.models import (
    Champion,
    ChampionQuestion,
    Course,
    CurriculumItem,
    Department,
    Enrolment,
    JobRole,
    PulseResponse,
    PulseSurvey,
    SessionFeedback,
    SignOff,
    Trainee,
    TrainingSession,
)

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def fresh_cache():
    views.clear_cache()
    yield
    views.clear_cache()


def at(days: int, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(TODAY + datetime.timedelta(days=days), datetime.time(hour)))


def session(project, course, days, trainer, **extra):
    return TrainingSession.objects.create(project=project, course=course, starts=at(days), ends=at(days, 12),
                                          trainer=trainer, **extra)


def enrol(project, session_, trainee, **extra):
    return Enrolment.objects.create(project=project, session=session_, trainee=trainee, **extra)


def sign(project, trainee, course, signer, version=1, days_ago=5, score=None):
    return SignOff.objects.create(project=project, trainee=trainee, course=course, course_version=version, signed_by=signer,
                                  signed_on=TODAY - datetime.timedelta(days=days_ago), score=score)


@pytest.fixture
def plan(project, users):
    """The hand-made project of the module docstring; returns a namespace of its rows."""
    project.target_go_live = TODAY + datetime.timedelta(days=30)
    project.save()
    trainer = users["trainer"]
    sales = Department.objects.create(project=project, name="Sales")
    service = Department.objects.create(project=project, name="Service", go_live=TODAY + datetime.timedelta(days=60))
    rep = JobRole.objects.create(project=project, name="Rep")
    agent = JobRole.objects.create(project=project, name="Agent")
    c1 = Course.objects.create(project=project, title="CRM basics", pass_mark=Decimal(70))
    c2 = Course.objects.create(project=project, title="Pipeline")
    c3 = Course.objects.create(project=project, title="Cases", pass_mark=Decimal(60), content_version=2, material_versions=[2])
    for role, course, required in [(rep, c1, True), (rep, c2, True), (rep, c3, False), (agent, c1, True), (agent, c3, True)]:
        CurriculumItem.objects.create(project=project, job_role=role, course=course, required=required)
    people = {}
    for name, department, role, extra in [
        ("Ann", sales, rep, {}), ("Bob", sales, rep, {}), ("Cy", sales, agent, {}), ("Dee", service, agent, {}),
        ("Eve", service, rep, {}), ("Finn", service, agent, {"active": False}),
    ]:
        people[name] = Trainee.objects.create(project=project, name=name, department=department, job_role=role,
                                              employee_id=f"E-{name}", **extra)
    past_c1 = session(project, c1, -10, trainer, status="held")
    next_c1 = session(project, c1, 5, trainer)
    past_c2 = session(project, c2, -8, trainer, status="held")
    enrol(project, past_c1, people["Ann"], attended=True, score=Decimal(90))
    enrol(project, past_c1, people["Dee"], attended=True, score=Decimal(50))
    enrol(project, past_c1, people["Eve"], attended=False)
    enrol(project, past_c1, people["Finn"], attended=True, score=Decimal(95))
    enrol(project, next_c1, people["Bob"])
    enrol(project, past_c2, people["Ann"], attended=True)
    sign(project, people["Ann"], c1, trainer, score=Decimal(90))
    sign(project, people["Cy"], c1, trainer)
    sign(project, people["Cy"], c3, trainer, version=2)
    sign(project, people["Dee"], c3, trainer, version=1, days_ago=40)
    sign(project, people["Eve"], c2, trainer)

    class Plan:
        pass

    result = Plan()
    result.__dict__.update(project=project, sales=sales, service=service, rep=rep, agent=agent, c1=c1, c2=c2, c3=c3,
                           trainer=trainer, **{name.lower(): person for name, person in people.items()})
    return result


def url(project, name="readiness", **query):
    path = reverse(f"training:{name}", kwargs={"project": project.pk})
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return path


def counts(c: calc.Counts) -> tuple:
    return (c.required, c.enrolled, c.attended, c.passed, c.signed_off, c.overdue)


def heat_cells(html: str) -> list[list[str]]:
    """The heat map's cell texts, read from the plotly figure embedded in the page."""
    figure = re.search(r'Plotly\.newPlot\(\s*"[^"]+",\s*(\[.*?\]),\s*\{', html, re.S)
    assert figure, "no plotly figure on the page"
    traces = json.loads(figure.group(1))
    heat = next(t for t in traces if t["type"] == "heatmap")
    return heat["text"]


# --- The numbers ------------------------------------------------------------------------------------


def test_it_counts_readiness_by_department_role_and_course(plan):
    summary = views.compute_summary(plan.project)
    result = summary.result

    assert counts(result.overall) == (10, 8, 6, 5, 4, 1)
    assert result.percent == pytest.approx(40.0)
    assert (result.people_ready, result.people_required) == (1, 5)
    assert result.departments == ("Sales", "Service")
    assert counts(result.by_department["Sales"]) == (6, 5, 4, 4, 3, 0)
    assert counts(result.by_department["Service"]) == (4, 3, 2, 1, 1, 1)
    assert result.roles == ("Agent", "Rep")
    assert counts(result.by_role["Rep"]) == (6, 5, 3, 3, 2, 1)
    assert counts(result.by_role["Agent"]) == (4, 3, 3, 2, 2, 0)
    cell = result.by_department_course
    assert [(cell["Sales", c.pk].signed_off, cell["Sales", c.pk].required) for c in (plan.c1, plan.c2, plan.c3)] == [
        (2, 3), (0, 2), (1, 1)]
    assert [(cell["Service", c.pk].signed_off, cell["Service", c.pk].required) for c in (plan.c1, plan.c2, plan.c3)] == [
        (0, 2), (1, 1), (0, 1)]
    missing = {n.person.name: [(m.course, m.stage, m.overdue) for m in n.missing] for n in result.not_ready}
    assert [n.person.name for n in result.not_ready] == ["Ann", "Bob", "Dee", "Eve"]
    assert missing == {
        "Ann": [(plan.c2.pk, calc.PASSED, False)],
        "Bob": [(plan.c1.pk, calc.ENROLLED, False), (plan.c2.pk, calc.NOT_ENROLLED, False)],
        "Dee": [(plan.c1.pk, calc.ATTENDED, False), (plan.c3.pk, calc.NOT_ENROLLED, False)],
        "Eve": [(plan.c1.pk, calc.ENROLLED, True)],
    }


def test_each_department_is_overdue_against_its_own_go_live(plan):
    """Sales runs on the project's go-live (now yesterday), Service on its own (in 60 days)."""
    plan.project.target_go_live = TODAY - datetime.timedelta(days=1)
    plan.project.save()

    result = views.compute_summary(plan.project).result

    assert result.by_department["Sales"].overdue == 3  # every Sales pair not signed off
    assert result.by_department["Service"].overdue == 1  # still only Eve's missed session
    assert result.overall.overdue == 4
    assert counts(result.by_role["Rep"]) == (6, 5, 3, 3, 2, 4)  # Ann C2, Bob C1, Bob C2 + Eve C1


def test_the_burn_up_ends_at_the_signed_off_count_and_runs_to_go_live(plan):
    burn = views.compute_summary(plan.project).burn_up
    assert burn.scope == 10
    assert burn.signed_off == 4
    points = [p for p in burn.points if p.signed_off is not None]
    assert points[-1].signed_off == 4
    assert burn.points[-1].week_start == calc.monday(TODAY + datetime.timedelta(days=30))


def test_the_readiness_inputs_take_a_fixed_number_of_queries(plan, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        views.readiness_inputs(plan.project)


# --- The page ----------------------------------------------------------------------------------------


def test_the_page_shows_the_overall_figure_tables_and_charts(plan, client_for):
    response = client_for("member").get(url(plan.project))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="readiness-percent">40%<' in html
    assert "4 of 10 required courses signed off" in html
    assert "1 / 5" in html  # people ready
    assert heat_cells(html) == [["2/3", "0/2", "1/1"], ["0/2", "1/1", "0/1"]]
    assert "plotly.min.js" in html
    table = response.context["department_rows"]
    assert [(r["name"], r["counts"].percent, r["go_live"]) for r in table] == [
        ("Sales", 50.0, TODAY + datetime.timedelta(days=30)), ("Service", 25.0, TODAY + datetime.timedelta(days=60))]
    assert [(r["name"], round(r["counts"].percent)) for r in response.context["role_rows"]] == [("Agent", 50), ("Rep", 33)]
    people = response.context["people"]
    assert [p["person"].name for p in people] == ["Ann", "Bob", "Dee", "Eve"]
    assert people[3]["overdue"] == 1
    assert [(g["label"], [m["course"].pk for m in g["courses"]]) for g in people[1]["groups"]] == [
        ("Not enrolled", [plan.c2.pk]), ("Enrolled, not attended", [plan.c1.pk])]
    assert people[3]["groups"][0]["courses"][0]["overdue"]
    assert reverse("training:trainees-detail", kwargs={"project": plan.project.pk, "pk": plan.ann.pk}) in html


def test_the_heat_map_changes_after_a_sign_off(plan, client_for):
    client = client_for("trainer")
    before = heat_cells(client.get(url(plan.project)).content.decode())

    services.sign_off(plan.bob, plan.c2, plan.trainer)

    html = client.get(url(plan.project)).content.decode()
    assert before[0][1] == "0/2"
    assert heat_cells(html)[0][1] == "1/2"
    assert 'id="readiness-percent">50%<' in html
    assert 'data-course="%d"><a' % plan.c2.pk in html and ">1/2</a>" in html


def test_the_summary_is_computed_again_only_when_data_change(plan, django_assert_max_num_queries):
    first = views.readiness_summary(plan.project)
    with django_assert_max_num_queries(1):
        assert views.readiness_summary(plan.project) is first
    enrolment = Enrolment.objects.get(trainee=plan.bob)
    enrolment.attended = True
    enrolment.save()
    again = views.readiness_summary(plan.project)
    assert again is not first
    assert again.result.by_department["Sales"].attended == 5


def test_the_people_not_ready_filter_by_department_role_course_and_overdue(plan, client_for):
    client = client_for("viewer")

    def names(**query):
        return [p["person"].name for p in client.get(url(plan.project, **query)).context["people"]]

    assert names(department=plan.sales.pk) == ["Ann", "Bob"]
    assert names(role=plan.agent.pk) == ["Dee"]
    assert names(course=plan.c1.pk) == ["Bob", "Dee", "Eve"]
    assert names(overdue=1) == ["Eve"]
    assert names(department=plan.service.pk, role=plan.rep.pk) == ["Eve"]
    assert names(department=999999) == ["Ann", "Bob", "Dee", "Eve"]  # an unknown id is ignored


def test_the_people_not_ready_list_is_paginated_and_swapped_by_htmx(plan, client_for, monkeypatch):
    monkeypatch.setattr(views, "PER_PAGE", 3)
    client = client_for("pm")
    first = client.get(url(plan.project))
    assert [p["person"].name for p in first.context["people"]] == ["Ann", "Bob", "Dee"]
    assert first.context["not_ready_count"] == 4
    second = client.get(url(plan.project, page=2))
    assert [p["person"].name for p in second.context["people"]] == ["Eve"]
    fragment = client.get(url(plan.project, department=plan.service.pk), headers={"HX-Request": "true", "HX-Target": "not-ready"})
    body = fragment.content.decode()
    assert body.lstrip().startswith('<div id="not-ready">') and "Dee" in body and "Ann" not in body


def test_the_xlsx_lists_the_people_not_ready_with_their_missing_courses(plan, client_for):
    response = client_for("steering").get(url(plan.project, "readiness-not-ready-xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == ("Name", "Employee ID", "Department", "Job role", "Signed off", "Required", "Overdue")
    assert [r[:7] for r in rows[1:]] == [
        ("Ann", "E-Ann", "Sales", "Rep", 1, 2, 0),
        ("Bob", "E-Bob", "Sales", "Rep", 0, 2, 0),
        ("Dee", "E-Dee", "Service", "Agent", 0, 2, 0),
        ("Eve", "E-Eve", "Service", "Rep", 1, 2, 1),
    ]
    assert rows[2][7].splitlines() == [
        f"{plan.c1.ref} CRM basics: Enrolled, not attended · session {TODAY + datetime.timedelta(days=5):%Y-%m-%d}",
        f"{plan.c2.ref} Pipeline: Not enrolled",
    ]
    assert rows[4][7].endswith("· overdue")
    filtered = client_for("pm").get(url(plan.project, "readiness-not-ready-xlsx", department=plan.service.pk))
    rows = list(openpyxl.load_workbook(io.BytesIO(filtered.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["Dee", "Eve"]


def test_an_empty_project_says_what_to_do(project, client_for):
    response = client_for("pm").get(url(project))
    assert response.status_code == 200
    assert response.context["overall"].percent is None
    assert not response.context["figures"]
    assert "Nothing is required yet" in response.content.decode()


def test_the_page_renders_in_chinese(plan, client_for):
    client = client_for("trainer")
    response = client.get(url(plan.project), headers={"Accept-Language": "zh-hans"})
    assert response.status_code == 200
    assert "Noto Sans CJK SC" in response.content.decode()


# --- Who may see the pages ---------------------------------------------------------------------------

PAGES = [("readiness", {}), ("readiness-not-ready-xlsx", {}), ("champions-page", {}), ("feedback-summary", {})]


@pytest.mark.parametrize("name", [p[0] for p in PAGES])
@pytest.mark.parametrize("role", ["pm", "steering", "evaluator", "trainer", "member", "viewer"])
def test_every_role_may_view_the_training_pages(plan, client_for, role, name):
    assert client_for(role).get(url(plan.project, name)).status_code == 200


@pytest.mark.parametrize("name", [p[0] for p in PAGES])
def test_outsiders_get_404_and_anonymous_users_the_login(plan, client_for, name):
    assert client_for("outsider").get(url(plan.project, name)).status_code == 404
    response = client_for("anonymous").get(url(plan.project, name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_other_projects_are_404(plan, client_for, other_project):
    assert client_for("pm").get(url(other_project)).status_code == 404


# --- Champions and feedback -----------------------------------------------------------------------------


def test_the_champions_page_shows_training_questions_and_recognition(plan, client_for):
    ann = Champion.objects.create(project=plan.project, trainee=plan.ann, recognition="Ran two floor walks.")
    Champion.objects.create(project=plan.project, trainee=plan.dee)
    ChampionQuestion.objects.create(project=plan.project, champion=ann, question="How do I merge accounts?",
                                    asked_on=TODAY - datetime.timedelta(days=3))
    ChampionQuestion.objects.create(project=plan.project, champion=ann, question="Where are my leads?", asked_on=TODAY)

    response = client_for("member").get(url(plan.project, "champions-page"))

    assert response.status_code == 200
    departments = response.context["departments"]
    assert [(d["department"].name, [c.trainee.name for c in d["champions"]]) for d in departments] == [
        ("Sales", ["Ann"]), ("Service", ["Dee"])]
    champion = departments[0]["champions"][0]
    assert champion.question_count == 2 and champion.latest_question == "Where are my leads?"
    assert champion.latest_asked == TODAY
    assert [(t["course"].pk, t["valid"]) for t in champion.training] == [(plan.c1.pk, True)]
    dee = departments[1]["champions"][0]
    assert [(t["course"].pk, t["valid"]) for t in dee.training] == [(plan.c3.pk, False)]  # superseded
    assert [c.trainee.name for c in response.context["recognised"]] == ["Ann"]
    top = response.context["top_trainees"]
    assert [(row["trainee__name"], float(row["average"])) for row in top] == [("Ann", 90.0), ("Dee", 50.0)]  # not Finn
    html = response.content.decode()
    assert "Ran two floor walks." in html and "Where are my leads?" in html


def test_the_feedback_page_averages_by_course_trainer_and_department(plan, client_for, users):
    c1_session = TrainingSession.objects.get(course=plan.c1, starts__lt=timezone.now())
    c2_session = TrainingSession.objects.get(course=plan.c2)
    colleague_session = session(plan.project, plan.c1, -2, plan.trainer, delivered_by=plan.cy, status="held")
    for s, rating, comment in [(c1_session, 5, "Clear"), (c1_session, 3, ""), (c2_session, 4, "Too fast"),
                               (colleague_session, 2, "")]:
        SessionFeedback.objects.create(project=plan.project, session=s, rating=rating, comments=comment)
    survey = PulseSurvey.objects.create(project=plan.project, title="Week 2", question="Is the CRM easy to use?")
    for department, rating in [(plan.sales, 4), (plan.sales, 5), (plan.service, 2)]:
        PulseResponse.objects.create(project=plan.project, survey=survey, department=department, rating=rating)

    response = client_for("evaluator").get(url(plan.project, "feedback-summary"))

    assert response.status_code == 200
    context = response.context
    assert [(r["ref"], round(r["average"], 2), r["count"], r["sessions"]) for r in context["by_course"]] == [
        (plan.c1.ref, 3.33, 3, 2), (plan.c2.ref, 4.0, 1, 1)]
    assert [(r["name"], r["average"], r["count"]) for r in context["by_trainer"]] == [
        ("Trainer", 4.0, 3), ("Cy", 2.0, 1)]
    assert context["overall"]["count"] == 4
    assert [f.comments for f in context["comments"]] == ["Too fast", "Clear"]
    [pulse] = context["surveys"]
    assert [(r["department__name"], r["average"], r["count"]) for r in pulse.by_department] == [("Sales", 4.5, 2), ("Service", 2.0, 1)]
    assert round(pulse.average, 2) == 3.67 and pulse.count == 3


# --- The gate figure -------------------------------------------------------------------------------------


def test_the_gate_reads_the_share_of_required_training_signed_off(plan):
    evidence = gates.training_readiness(plan.project)
    assert evidence.percent == pytest.approx(40.0)
    assert (evidence.signed_off, evidence.required) == (4, 10)
    assert evidence.link == url(plan.project)
    services.sign_off(plan.bob, plan.c2, plan.trainer)
    assert gates.training_readiness_percent(plan.project) == pytest.approx(50.0)


def test_the_gate_reads_a_current_page_summary_in_one_query(plan, django_assert_num_queries):
    views.readiness_summary(plan.project)
    with django_assert_num_queries(1):
        evidence = gates.training_readiness(plan.project)
    assert (evidence.percent, evidence.signed_off, evidence.required) == (40.0, 4, 10)


def test_the_gate_has_no_figure_while_nothing_is_required(project):
    assert gates.training_readiness_percent(project) is None


def test_kept_readiness_is_patched_for_changed_trainees_and_matches_a_fresh_read(plan, users, monkeypatch):
    """After a warm summary, changes to a few trainees' enrolments, sign-offs or rows are read for
    those trainees only; the figures always equal a computation from scratch."""
    project, trainer = plan.project, users["trainer"]
    views.readiness_summary(project)
    whole_reads = []
    real_inputs = views.readiness_inputs
    monkeypatch.setattr(views, "readiness_inputs", lambda *a, **k: whole_reads.append(1) or real_inputs(*a, **k))

    def same_as_fresh():
        kept = views.readiness_summary(project)
        fresh = views.compute_summary(project)
        assert kept.result == fresh.result
        assert kept.burn_up == fresh.burn_up
        return kept.result

    # A sign-off of Bob's C2, an attendance for Eve, Dee moved to Sales, Ann leaves.
    service_part = views.readiness_summary(project).parts["Service"]
    sign(project, plan.bob, plan.c2, trainer)
    assert same_as_fresh().by_department["Sales"].signed_off == 4
    assert views.readiness_summary(project).parts["Service"] is service_part  # only Sales computed again
    eve = Enrolment.objects.get(trainee=plan.eve, session__course=plan.c1)
    eve.attended, eve.score = True, Decimal(80)
    eve.save()
    same_as_fresh()
    dee = plan.dee
    dee.department = plan.sales
    dee.save()
    assert "Dee" in {n.person.name for n in same_as_fresh().not_ready if n.person.department == "Sales"}
    ann = plan.ann
    ann.active = False
    ann.save()
    assert "Ann" not in {n.person.name for n in same_as_fresh().not_ready}
    SignOff.objects.filter(trainee=plan.cy, course=plan.c1).delete()
    same_as_fresh()
    # Each same_as_fresh() read everything once for the fresh figures: the kept summary never did.
    assert len(whole_reads) == 5
    # A course change (not per trainee) makes the kept summary read everything again.
    plan.c2.title = "Pipeline and forecasts"
    plan.c2.save()
    views.readiness_summary(project)
    assert len(whole_reads) == 6
