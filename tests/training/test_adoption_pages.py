"""The adoption page (training/adoption_views.py) and usage.adoption_summary, on a hand-worked example.

Weeks are named by their Monday: W2 is the last complete week before today, W1 the week before it,
W0 the week before that (no usage imported: unknown, not 0) and Wm one more week back (before
go-live). Go-live is W1's Monday.

    person  department            role   manager  licensed
    Ann     Sales                 Rep    -        yes
    Bob     Sales                 Rep    Ann      yes
    Cy      Sales -> Service      Agent  Ann      yes   (moved on W2's Wednesday: Service for all of W2)
    Dee     Service               Agent  Ann      yes   (never logs in)
    Eve     Service               Agent  Ann      no    (no licence: not counted)
    Fay     Service               Agent  Ann      yes, but left (inactive): not counted

Licences: Sales 3; Service 3, and 4 from W2's Wednesday (counts for all of W2).
Targets: whole project 60 % from go-live; Sales 90 % from go-live.

Usage (two imports: Wm; then W1 to W2):
    Wm  Ann 1 login
    W1  Ann 2 logins, 3 accounts created, completeness 0.9;  Bob 1 login;  Cy 1 login, 2 contacts updated, 0.6
    W2  Ann Mon 1 login, 3 accounts created, 0.9; Tue 0 logins, 2 contacts updated, 0.7 (week mean 0.8)
        Cy 1 login, 2 contacts updated, 50 (= 0.5);  Dee a row with 0 logins

By department:
    W2  Sales 1 active (Ann) / 3 = 33 % (target 90 %, gap -57);  Service 1 (Cy) / 4 = 25 % (target 60 %, gap -35)
        whole project 2 / 7 = 28.6 % (target 60 %, gap -31; the 80 % rule: -51)
    W1  Sales 3 / 3 = 100 % (Cy still in Sales);  Service 0 / 3 = 0 %;  whole project 3 / 6 = 50 %
    change of the whole project W1 -> W2: -21 points
    Wm  whole project 1 / 6 = 16.7 %;  W0 unknown
Records per active user in W2: (5 + 2) / 2 = 3.5; completeness: (0.8 x 5 + 0.5 x 2) / 7 = 71 %.
Laggards: never logged in since go-live: Dee; inactive last week: Bob (both under manager Ann).
Top adopters over the covered weeks Wm, W1, W2: Ann 8 records (4 logins), Cy 4 records (2 logins).
By role in W2: Rep 1 / 2 (Ann, Bob) = 50 %; Agent 1 / 2 (Cy, Dee) = 50 %.
Baseline: "Active-user rate" 20 % before -> 28.6 % after (+9); "Calls per day" 12 -> 15 entered (+3).
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from projectcrm.core.choices import ImportStatus
from training import adoption, usage
from training.models import (
    AdoptionBaseline,
    AdoptionTarget,
    Department,
    JobRole,
    LicenceCount,
    Trainee,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
W2 = adoption.last_complete_week(TODAY)
W1 = W2 - datetime.timedelta(days=7)
W0 = W2 - datetime.timedelta(days=14)
WM = W2 - datetime.timedelta(days=21)
LONG_AGO = datetime.date(2020, 1, 1)


def day(week, offset=0) -> str:
    return (week + datetime.timedelta(days=offset)).isoformat()


@pytest.fixture(autouse=True)
def fresh_cache():
    usage.clear_cache()
    yield
    usage.clear_cache()


def run_import(project, text: str):
    job = usage.run_import(usage.create_import(project, None, "usage.csv", text.encode()).pk)
    assert job.status == ImportStatus.DONE, job.error
    return job


@pytest.fixture
def example(project):
    project.target_go_live = W1
    project.save()
    sales = Department.objects.create(project=project, name="Sales")
    service = Department.objects.create(project=project, name="Service")
    rep = JobRole.objects.create(project=project, name="Rep")
    agent = JobRole.objects.create(project=project, name="Agent")

    def person(name, department, role, manager=None, **extra):
        return Trainee.objects.create(project=project, name=name, department=department, job_role=role,
                                      manager=manager, crm_username=name.lower(), **extra)

    ann = person("Ann", sales, rep)
    person("Bob", sales, rep, ann)
    cy = person("Cy", sales, agent, ann)
    person("Dee", service, agent, ann)
    person("Eve", service, agent, ann, licensed=False)
    person("Fay", service, agent, ann, active=False)
    # Cy moves to Service on W2's Wednesday (the history says when).
    cy.department = service
    cy.save()
    created, moved = Trainee.history.filter(id=cy.pk).order_by("history_id")
    Trainee.history.filter(history_id=created.history_id).update(
        history_date=timezone.make_aware(datetime.datetime(2020, 1, 1, 9)))
    Trainee.history.filter(history_id=moved.history_id).update(
        history_date=timezone.make_aware(datetime.datetime.combine(W2 + datetime.timedelta(days=2), datetime.time(12))))
    LicenceCount.objects.create(project=project, department=sales, start=LONG_AGO, count=3)
    LicenceCount.objects.create(project=project, department=service, start=LONG_AGO, count=3)
    LicenceCount.objects.create(project=project, department=service, start=W2 + datetime.timedelta(days=2), count=4)
    AdoptionTarget.objects.create(project=project, department=None, date=W1, rate=Decimal(60))
    AdoptionTarget.objects.create(project=project, department=sales, date=W1, rate=Decimal(90))
    AdoptionBaseline.objects.create(project=project, metric="Active-user rate", value=Decimal(20), unit="%",
                                    captured_on=LONG_AGO)
    AdoptionBaseline.objects.create(project=project, metric="Calls per day", value=Decimal(12), after_value=Decimal(15),
                                    captured_on=LONG_AGO)
    run_import(project, f"user,date,logins\nann,{day(WM)},1\n")
    run_import(project, (
        "user,date,logins,accounts_created,contacts_updated,completeness\n"
        f"ann,{day(W1)},2,3,0,0.9\n"
        f"bob,{day(W1, 1)},1,0,0,\n"
        f"cy,{day(W1, 2)},1,0,2,0.6\n"
        f"ann,{day(W2)},1,3,0,0.9\n"
        f"ann,{day(W2, 1)},0,0,2,0.7\n"
        f"cy,{day(W2, 3)},1,0,2,50\n"
        f"dee,{day(W2, 4)},0,0,0,\n"
    ))
    return project


def adoption_url(project, by=None):
    url = reverse("training:adoption", kwargs={"project": project.pk})
    return f"{url}?by={by}" if by else url


def test_the_headline_figures(example, client_for):
    response = client_for("viewer").get(adoption_url(example))
    assert response.status_code == 200
    context = response.context
    assert context["current_week"] == W2
    assert context["rate"] == pytest.approx(200 / 7)  # 2 of 7 licensed
    assert context["target"] == pytest.approx(60)
    assert context["gap"] == "−31"
    assert context["meets_rule"] is False and context["rule_gap"] == "−51"
    assert context["change"] == "−21" and context["arrow"] == "▼"
    text = response.content.decode()
    assert '<strong id="adoption-rate"><b class="badge red">29%</b></strong>' in text
    assert "2 of 7 licensed users logged in" in text
    assert context["never_count"] == 1 and context["inactive_count"] == 1


def test_groups_by_department_follow_moves_licences_and_targets(example, client_for):
    context = client_for("member").get(adoption_url(example)).context
    rows = {row["name"]: row for row in context["group_rows"]}
    assert list(rows) == ["Sales", "Service"]
    assert rows["Sales"]["rate"] == pytest.approx(100 / 3)
    assert (rows["Sales"]["target"], rows["Sales"]["gap"], rows["Sales"]["colour"]) == (pytest.approx(90), "−57", "red")
    assert (rows["Sales"]["active"], rows["Sales"]["licensed"]) == (1, 3)
    assert rows["Service"]["rate"] == pytest.approx(25)  # Cy moved in; a fourth licence from Wednesday
    assert (rows["Service"]["target"], rows["Service"]["gap"]) == (pytest.approx(60), "−35")
    assert (rows["Service"]["active"], rows["Service"]["licensed"]) == (1, 4)
    weeks = context["week_heads"]
    assert weeks[-4:] == [WM, W0, W1, W2]
    sales_w1, service_w1 = rows["Sales"]["cells"][-2], rows["Service"]["cells"][-2]
    assert (sales_w1["rate"], sales_w1["colour"]) == (pytest.approx(100), "green")  # Cy still in Sales in W1
    assert service_w1["rate"] == 0
    assert rows["Sales"]["cells"][-3]["covered"] is False  # W0: no data, not 0
    total = context["total_row"]
    assert [c["rate"] for c in total["cells"][-4:]] == [pytest.approx(100 / 6), None, pytest.approx(50),
                                                        pytest.approx(200 / 7)]


def test_activity_quality_laggards_adopters_and_baseline(example, client_for):
    context = client_for("steering").get(adoption_url(example)).context
    newest = context["activity"][0]
    assert newest["week"] == W2
    assert (newest["active"], newest["licensed"]) == (2, 7)
    assert newest["per_active"] == pytest.approx(3.5)
    assert newest["completeness"] == pytest.approx(500 / 7)  # 71 %
    assert [w["covered"] for w in context["activity"][:4]] == [True, True, False, True]
    assert [p["name"] for p in context["never"]] == ["Dee"]
    assert [p["name"] for p in context["inactive"]] == ["Bob"]
    assert context["inactive"][0]["last"] == W1
    assert context["managers"] == [{"name": "Ann", "never": 1, "inactive": 1, "total": 2}]
    assert [(a.name, a.records, a.logins) for a in context["adopters"]] == [("Ann", 8, 4), ("Cy", 4, 2)]
    baseline = {b["metric"]: b for b in context["baseline"]}
    rate = baseline["Active-user rate"]
    assert (rate["before"], rate["after"], rate["source"]) == (pytest.approx(20), pytest.approx(200 / 7), "computed")
    calls = baseline["Calls per day"]
    assert (calls["before"], calls["after"], calls["change"], calls["source"]) == (12, 15, 3, "entered")
    assert context["figures"]["trend"] and context["figures"]["laggards"]


def test_grouping_by_role_and_by_manager(example, client_for):
    client = client_for("trainer")
    rows = {r["name"]: r for r in client.get(adoption_url(example, "role")).context["group_rows"]}
    assert (rows["Rep"]["rate"], rows["Agent"]["rate"]) == (pytest.approx(50), pytest.approx(50))
    assert (rows["Rep"]["licensed"], rows["Agent"]["licensed"]) == (2, 2)  # the people in the role that week
    rows = {r["name"]: r for r in client.get(adoption_url(example, "manager")).context["group_rows"]}
    assert rows["Ann"]["rate"] == pytest.approx(100 / 3)  # Bob, Cy, Dee: Cy active
    assert rows["No manager"]["rate"] == pytest.approx(100)  # Ann herself
    assert client.get(adoption_url(example, "nonsense")).context["by"] == "department"


def test_the_summary_for_other_areas(example):
    summary = usage.adoption_summary(example)
    assert summary["week"] == W2 and summary["has_data"]
    assert summary["rate"] == pytest.approx(2 / 7)
    assert (summary["target"], summary["gap"]) == (pytest.approx(0.6), pytest.approx(2 / 7 - 0.6))
    assert (summary["active"], summary["licensed"]) == (2, 7)
    assert summary["meets_rule"] is False and summary["rule"] == 0.8
    assert summary["change"] == pytest.approx(2 / 7 - 0.5)
    assert summary["records_per_active_user"] == pytest.approx(3.5)
    assert summary["completeness"] == pytest.approx(5 / 7)
    assert (summary["never_logged_in"], summary["inactive"]) == (1, 1)
    assert summary["departments"] == [
        {"department": "Sales", "rate": pytest.approx(1 / 3), "target": pytest.approx(0.9),
         "gap": pytest.approx(1 / 3 - 0.9)},
        {"department": "Service", "rate": pytest.approx(0.25), "target": pytest.approx(0.6),
         "gap": pytest.approx(0.25 - 0.6)},
    ]


def test_new_data_is_seen_at_once(example, client_for):
    client = client_for("pm")
    assert client.get(adoption_url(example)).context["never_count"] == 1
    run_import(example, f"user,date,logins\ndee,{day(W2, 5)},3\n")  # Dee logs in at last
    context = client.get(adoption_url(example)).context
    assert context["never_count"] == 0 and context["rate"] == pytest.approx(300 / 7)
    LicenceCount.objects.filter(project=example, department__name="Sales").update(count=6)  # no history: a new row
    LicenceCount.objects.create(project=example, department=Department.objects.get(project=example, name="Sales"),
                                start=W2, count=5)
    assert client.get(adoption_url(example)).context["rate"] == pytest.approx(300 / 9)


def test_an_empty_project_says_what_to_do(project, client_for):
    response = client_for("viewer").get(adoption_url(project))
    assert response.status_code == 200
    assert "No usage data yet." in response.content.decode()
    summary = usage.adoption_summary(project)
    assert summary["has_data"] is False and summary["rate"] is None and summary["never_logged_in"] == 0


def test_departments_without_licence_counts_use_their_licensed_people(project, client_for):
    sales = Department.objects.create(project=project, name="Sales")
    rep = JobRole.objects.create(project=project, name="Rep")
    for name in ("Ann", "Bob"):
        Trainee.objects.create(project=project, name=name, department=sales, job_role=rep, crm_username=name.lower())
    run_import(project, f"user,date,logins\nann,{day(W2)},1\n")
    response = client_for("viewer").get(adoption_url(project))
    assert response.context["rate"] == pytest.approx(50)
    assert "No licence counts recorded for Sales" in response.content.decode()


def test_who_may_see_the_page(example, client_for, other_project):
    for role in ("pm", "steering", "evaluator", "trainer", "member", "viewer"):
        assert client_for(role).get(adoption_url(example)).status_code == 200
    assert client_for("outsider").get(adoption_url(example)).status_code == 404
    assert client_for("pm").get(adoption_url(other_project)).status_code == 404
    anonymous = client_for("anonymous").get(adoption_url(example))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


def test_the_page_in_chinese(example, client_for):
    client = client_for("viewer")
    response = client.get(adoption_url(example), headers={"Accept-Language": "zh-hans"})
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()
