"""Gap analysis pages (design/gap_views.py): permissions, recording gaps once, deliverables and use
cases made from a gap, and the extras of the gap and process pages."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projectcrm.design import mapdata as md
from projectcrm.design.choices import GapKind, MapKind, MoSCoW
from projectcrm.design.models import Gap, ProcessMap, Step, UseCase
from projectcrm.design.registers import ProcessRegister
from roadmap.choices import ItemKind
from roadmap.models import Phase, Release, Task
from tests.design.test_gaps import as_is_quotation_intake, to_be_copy_edited

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(make_map):
    as_is_data = as_is_quotation_intake()
    as_is = make_map(as_is_data, MapKind.AS_IS, "Lead intake today")
    to_be = make_map(to_be_copy_edited(as_is_data), MapKind.TO_BE, "Lead intake in the CRM")
    to_be.based_on = as_is
    to_be.save()
    return as_is, to_be


def analysis(project, **params):
    url = reverse("design:gap-analysis", kwargs={"project": project.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def record_url(project):
    return reverse("design:gap-record", kwargs={"project": project.pk})


def deliver_url(project, gap):
    return reverse("design:gap-deliver", kwargs={"project": project.pk, "pk": gap.pk})


def step(process_map, key):
    return Step.objects.get(map=process_map, key=key)


ALL_TOKENS = ["changed:Task_capture:Task_capture", "removed:Task_print:", "automated:Task_assign:Task_assign",
              "added::Task_notify"]


# --- Permissions -------------------------------------------------------------------------------------


def test_viewer_sees_the_analysis_defaulted_from_the_process(client_for, project, process, pair):
    as_is, to_be = pair
    response = client_for("viewer").get(analysis(project, process=process.pk))
    assert response.status_code == 200
    assert response.context["as_is"] == as_is and response.context["to_be"] == to_be
    assert [r["diff"].token for r in response.context["rows"]] == ALL_TOKENS
    html = response.content.decode()
    assert "Print lead sheet" in html and "Notify sales rep" in html
    assert 'name="diff"' not in html  # no recording for a viewer
    if response.context["diagrams"] is not None:  # design/diagram.py present: both maps drawn
        assert html.count("<svg") >= 2


def test_permissions_of_record_and_deliver(client_for, project, pair):
    as_is, to_be = pair
    gap = Gap.objects.create(project=project, title="Manual assignment", kind=GapKind.OTHER)
    viewer = client_for("viewer")
    assert viewer.post(record_url(project), {"as_is": as_is.pk, "to_be": to_be.pk, "diff": ALL_TOKENS}).status_code == 403
    assert viewer.get(deliver_url(project, gap)).status_code == 403
    assert viewer.post(deliver_url(project, gap), {"make_use_case": "on"}).status_code == 403
    outsider = client_for("outsider")
    assert outsider.get(analysis(project, as_is=as_is.pk, to_be=to_be.pk)).status_code == 404
    assert outsider.post(record_url(project), {"as_is": as_is.pk, "to_be": to_be.pk}).status_code == 404
    assert outsider.get(deliver_url(project, gap)).status_code == 404
    assert client_for("pm").get(record_url(project)).status_code == 405
    assert not Gap.objects.exclude(pk=gap.pk).exists()


def test_unknown_map_is_named(pm_client, project, pair):
    response = pm_client.get(analysis(project, as_is=999999, to_be=pair[1].pk))
    assert response.status_code == 200
    assert "Choose the as-is map: there is no such map in this project." in response.content.decode()
    assert "comparison" not in response.context


# --- Recording ----------------------------------------------------------------------------------------


def test_record_creates_gaps_once(client_for, project, pair):
    as_is, to_be = pair
    member = client_for("member")
    response = member.post(record_url(project), {"as_is": as_is.pk, "to_be": to_be.pk, "diff": ALL_TOKENS}, follow=True)
    assert "4 gaps recorded: GAP-001, GAP-002, GAP-003, GAP-004." in response.content.decode()
    gaps = list(Gap.objects.filter(project=project).order_by("number"))
    assert [(g.kind, g.as_is_step_id, g.to_be_step_id) for g in gaps] == [
        (GapKind.CHANGED, step(as_is, "Task_capture").pk, step(to_be, "Task_capture").pk),
        (GapKind.REMOVED, step(as_is, "Task_print").pk, None),
        (GapKind.AUTOMATED, step(as_is, "Task_assign").pk, step(to_be, "Task_assign").pk),
        (GapKind.ADDED, None, step(to_be, "Task_notify").pk),
    ]
    assert all(g.as_is_map == as_is and g.to_be_map == to_be for g in gaps)
    assert gaps[0].title == "Step changed: Capture lead in CRM"
    assert gaps[0].description == "name: Capture lead → Capture lead in CRM\nduration (minutes): 15 → 5"
    assert gaps[0].history.count() == 1

    # The page now links every difference to its gap and offers no checkbox.
    page = member.get(analysis(project, as_is=as_is.pk, to_be=to_be.pk))
    assert [r["gap"] for r in page.context["rows"]] == gaps
    assert 'name="diff"' not in page.content.decode()

    again = member.post(record_url(project), {"as_is": as_is.pk, "to_be": to_be.pk, "diff": ALL_TOKENS}, follow=True)
    assert "No gap recorded" in again.content.decode()
    assert Gap.objects.filter(project=project).count() == 4


def test_record_without_maps_names_them_and_records_nothing(pm_client, project, pair):
    response = pm_client.post(record_url(project), {"diff": ALL_TOKENS}, follow=True)
    assert "Choose the as-is map" in response.content.decode()
    assert not Gap.objects.filter(project=project).exists()


def test_a_gap_of_another_to_be_variant_does_not_count_as_recorded(pm_client, project, pair, make_map):
    as_is, to_be = pair
    pm_client.post(record_url(project), {"as_is": as_is.pk, "to_be": to_be.pk, "diff": ALL_TOKENS})
    variant = make_map(md.load(to_be), kind=MapKind.TO_BE, name="Second to-be")
    page = pm_client.get(analysis(project, as_is=as_is.pk, to_be=variant.pk))
    assert [r["gap"] for r in page.context["rows"]] == [None] * 4


def test_record_only_ticked(pm_client, project, pair):
    as_is, to_be = pair
    pm_client.post(record_url(project), {"as_is": as_is.pk, "to_be": to_be.pk, "diff": [ALL_TOKENS[1], "added::Nope"]})
    assert list(Gap.objects.values_list("kind", flat=True)) == [GapKind.REMOVED]


def test_recorded_gaps_and_effort_totals(pm_client, project, pair):
    as_is, to_be = pair
    for title, resolution, effort in (("A", "configuration", "2"), ("B", "configuration", "3.5"), ("C", "", None)):
        Gap.objects.create(project=project, title=title, as_is_map=as_is, to_be_map=to_be, resolution=resolution,
                           effort_days=effort)
    response = pm_client.get(analysis(project, as_is=as_is.pk, to_be=to_be.pk))
    # configuration 2 + 3.5 = 5.5 in two gaps; one unresolved gap without estimate; total 5.5.
    totals = [(t["resolution"], str(t["effort"]), t["count"]) for t in response.context["totals"]]
    assert totals == [("configuration", "5.5", 2), ("", "0", 1)]
    assert str(response.context["total_effort"]) == "5.5"


# --- Deliverable and use case -----------------------------------------------------------------------------


@pytest.fixture
def recorded_gap(project, pair, users):
    as_is, to_be = pair
    return Gap.objects.create(
        project=project, title="Assignment automated", kind=GapKind.AUTOMATED, as_is_map=as_is, to_be_map=to_be,
        as_is_step=step(as_is, "Task_assign"), to_be_step=step(to_be, "Task_assign"), effort_days="2.5",
        owner=users["member"], priority="high",
    )


@pytest.fixture
def release(project):
    return Release.objects.create(project=project, name="Wave 1", start_date=datetime.date(2030, 1, 7))


def deliver_data(chosen_release, **changes):
    data = {
        "make_deliverable": "on", "release": chosen_release.pk if chosen_release else "", "phase": "",
        "deliverable_name": "Configure lead assignment", "planned_start": "2030-01-07", "duration": "3", "owner": "",
        "make_use_case": "on", "use_case_title": "Assign a lead", "actor": "Sales manager", "priority": MoSCoW.MUST,
        "business_owner": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_deliver_form_defaults(pm_client, project, recorded_gap, release):
    form = pm_client.get(deliver_url(project, recorded_gap)).context["form"]
    # Effort 2.5 person-days → 3 working days; the only release is chosen; the to-be step's lane names the actor.
    assert form.initial["duration"] == 3
    assert form.initial["release"] == release.pk
    assert form.initial["deliverable_name"] == "Assignment automated"
    assert form.initial["owner"] == recorded_gap.owner_id
    assert form.initial["actor"] == "CRM system"
    assert form.initial["priority"] == MoSCoW.MUST  # high priority gap


def test_deliver_creates_a_deliverable_and_a_use_case(client_for, project, recorded_gap, release, users):
    response = client_for("member").post(
        deliver_url(project, recorded_gap), deliver_data(release, owner=users["member"].pk), follow=True)
    task = Task.objects.get(project=project)
    use_case = UseCase.objects.get(project=project)
    assert (task.kind, task.release, task.name, task.duration) == (ItemKind.DELIVERABLE, release, "Configure lead assignment", 3)
    # 2030-01-07 is a Monday: 3 working days finish on Wednesday the 9th.
    assert (task.planned_start, task.planned_finish) == (datetime.date(2030, 1, 7), datetime.date(2030, 1, 9))
    assert task.history.count() == 1 and use_case.history.count() == 1
    assert list(recorded_gap.deliverables.all()) == [task]
    assert list(use_case.gaps.all()) == [recorded_gap]
    assert list(use_case.steps.all()) == [recorded_gap.to_be_step]
    assert (use_case.title, use_case.actor, use_case.priority) == ("Assign a lead", "Sales manager", MoSCoW.MUST)
    assert response.redirect_chain[-1][0] == reverse("design:gaps-detail", kwargs={"project": project.pk, "pk": recorded_gap.pk})
    html = response.content.decode()
    assert f"Created from GAP-001: {task.ref} Configure lead assignment, {use_case.ref} Assign a lead." in html
    # The gap's page lists both, linked.
    assert reverse("roadmap:tasks-detail", kwargs={"project": project.pk, "pk": task.pk}) in html
    assert reverse("design:use-cases-detail", kwargs={"project": project.pk, "pk": use_case.pk}) in html


def test_deliver_sent_twice_makes_nothing_the_second_time(client_for, project, recorded_gap, release, users):
    client = client_for("member")
    data = deliver_data(release, owner=users["member"].pk)
    client.post(deliver_url(project, recorded_gap), data)
    again = client.post(deliver_url(project, recorded_gap), data)
    html = again.content.decode()
    assert again.status_code == 200
    assert "GAP-001 already has the deliverable" in html and "GAP-001 already has the use case" in html
    assert Task.objects.filter(project=project).count() == 1 and UseCase.objects.filter(project=project).count() == 1


def test_deliver_use_case_only(pm_client, project, recorded_gap):
    pm_client.post(deliver_url(project, recorded_gap), deliver_data(None, make_deliverable=None))
    assert UseCase.objects.filter(gaps=recorded_gap).count() == 1
    assert not Task.objects.exists()


@pytest.mark.parametrize("changes, field, message", [
    ({"duration": "0"}, "duration", "Ensure this value is greater than or equal to 1."),
    ({"deliverable_name": "  "}, "deliverable_name", "Give the deliverable a name."),
    ({"release": ""}, "release", "Choose the release the deliverable belongs to."),
    ({"actor": ""}, "actor", "Name the actor of the use case."),
    ({"planned_start": "07/01/2030x"}, "planned_start", "Enter a valid date."),
    ({"make_deliverable": None, "make_use_case": None}, "__all__", "Tick what to create"),
])
def test_deliver_bad_input_saves_nothing(pm_client, project, recorded_gap, release, changes, field, message):
    response = pm_client.post(deliver_url(project, recorded_gap), deliver_data(release, **changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert "Nothing was created" in response.content.decode()
    assert not Task.objects.exists() and not UseCase.objects.exists()
    assert not recorded_gap.deliverables.exists()


def test_deliver_phase_of_another_release_is_refused(pm_client, project, recorded_gap, release):
    other = Release.objects.create(project=project, name="Wave 2")
    phase = Phase.objects.create(project=project, release=other, name="Build")
    response = pm_client.post(deliver_url(project, recorded_gap), deliver_data(release, phase=phase.pk))
    assert response.context["form"].errors["phase"] == ["This phase belongs to another release."]
    assert not Task.objects.exists() and not UseCase.objects.exists()


def test_deliver_without_release(pm_client, project, recorded_gap):
    page = pm_client.get(deliver_url(project, recorded_gap))
    html = page.content.decode()
    assert "The project has no release yet" in html
    assert reverse("roadmap:releases-list", kwargs={"project": project.pk}) in html
    assert page.context["form"].initial["make_deliverable"] is False
    response = pm_client.post(deliver_url(project, recorded_gap), deliver_data(None))
    assert "add one in the release register first" in " ".join(response.context["form"].errors["release"])
    assert not UseCase.objects.exists()


def test_gap_page_offers_the_action_to_change_roles_only(client_for, project, recorded_gap):
    url = reverse("design:gaps-detail", kwargs={"project": project.pk, "pk": recorded_gap.pk})
    assert deliver_url(project, recorded_gap) in client_for("member").get(url).content.decode()
    html = client_for("viewer").get(url).content.decode()
    assert deliver_url(project, recorded_gap) not in html
    assert "Capture lead" not in html and "Assign to sales rep" in html  # the steps, linked to their maps


# --- The process page ---------------------------------------------------------------------------------------


def test_process_page_links(pm_client, project, process, pair):
    url = reverse("design:processes-detail", kwargs={"project": project.pk, "pk": process.pk})
    html = pm_client.get(url).content.decode()
    assert f"{reverse('design:gap-analysis', kwargs={'project': project.pk})}?process={process.pk}" in html
    assert f"{reverse('design:maps-create', kwargs={'project': project.pk})}?process={process.pk}" in html
    assert pair[0].ref in html and pair[1].ref in html


def test_process_context_in_constant_queries(pm_client, project, process, pair, make_map, monkeypatch):
    from projectcrm.design.gap_views import process_detail_context

    monkeypatch.setattr(ProcessRegister, "detail_context",
                        classmethod(lambda cls, obj, access: process_detail_context(obj, access)), raising=False)
    as_is, to_be = pair
    Gap.objects.create(project=project, title="Lead sheet printing", as_is_map=as_is, to_be_map=to_be)
    url = reverse("design:processes-detail", kwargs={"project": project.pk, "pk": process.pk})
    with CaptureQueriesContext(connection) as first:
        response = pm_client.get(url)
    assert [(m.pk, m.step_count) for m in response.context["process_maps"]] == [(as_is.pk, 6), (to_be.pk, 6)]
    assert "GAP-001 Lead sheet printing" in response.content.decode()
    for n in range(3):
        make_map(as_is_quotation_intake(), MapKind.TO_BE, f"Variant {n}")
        Gap.objects.create(project=project, title=f"Variant gap {n}", to_be_map=ProcessMap.objects.latest("pk"))
    with CaptureQueriesContext(connection) as second:
        response = pm_client.get(url)
    assert len(response.context["process_maps"]) == 5 and len(response.context["process_gaps"]) == 4
    assert len(second) == len(first)
