"""KPIs: status against target, trend, warnings (hand-worked), the scorecard, computed sources,
the history workbook, the scorecard API and the KPI pages."""

import datetime
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from projectcrm.governance import kpi_sources, kpis
from projectcrm.governance.choices import IssueStatus, KpiDirection, KpiSource, RiskStatus, ValueOrigin
from projectcrm.governance.models import Issue, Kpi, KpiValue, Risk

D = datetime.date
TODAY = D(2026, 3, 15)


# --- Status (see the rule in kpis.py) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        (95, "green"),  # beyond the target
        (90, "green"),  # exactly the target
        (85, "amber"),
        (81, "amber"),  # exactly the band's edge: 90 - 10% of 90
        (80.99, "red"),
        (35, "red"),
    ],
)
def test_status_higher_is_better_with_ten_percent(actual, expected):
    assert kpis.status(actual, 90, "higher", 10) == expected


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        (2, "green"),
        (3, "green"),
        (3.3, "amber"),  # 3 + 10% of 3, exactly: decimals, not floats
        (Decimal("3.3000"), "amber"),
        (3.31, "red"),
        (18, "red"),
    ],
)
def test_status_lower_is_better_is_mirrored(actual, expected):
    assert kpis.status(actual, 3, "lower", 10) == expected


def test_status_band_is_a_share_of_the_target_and_tolerance_zero_has_no_amber():
    # Sales cycle: target 45 days, 20% tolerance -> amber up to 54 days.
    assert kpis.status(54, 45, KpiDirection.LOWER, 20) == "amber"
    assert kpis.status(54.01, 45, KpiDirection.LOWER, 20) == "red"
    assert kpis.status(89.9, 90, "higher", 0) == "red"
    assert kpis.status(90, 90, "higher", 0) == "green"
    # A negative target: the band is a share of |T|.
    assert kpis.status(-11, -10, "higher", 10) == "amber"
    assert kpis.status(-11.01, -10, "higher", 10) == "red"
    # A target of zero leaves no band.
    assert kpis.status(0, 0, "lower", 10) == "green"
    assert kpis.status(0.5, 0, "lower", 10) == "red"


def test_status_none_without_target_or_actual():
    assert kpis.status(None, 90, "higher") == "none"
    assert kpis.status(50, None, "higher") == "none"
    assert kpis.status(None, None, "lower") == "none"


def test_progress_from_baseline_to_target_clamped():
    # Quote errors: 18 -> 3, now 11: 7 of 15 on the way.
    assert kpis.progress(11, 18, 3) == pytest.approx(7 / 15)
    assert kpis.progress(58, 35, 90) == pytest.approx(23 / 55)
    assert kpis.progress(2, 18, 3) == 1.0  # beyond the target
    assert kpis.progress(20, 18, 3) == 0.0  # worse than the baseline
    assert kpis.progress(5, 5, 5) is None  # no distance to travel
    assert kpis.progress(None, 18, 3) is None
    assert kpis.progress(11, None, 3) is None
    assert kpis.progress(11, 18, None) is None


def test_trend_compares_the_last_two_values():
    assert kpis.trend([], "higher") == ("none", None)
    assert kpis.trend([5], "higher") == ("none", None)
    assert kpis.trend([5, 5], "higher") == ("flat", None)
    assert kpis.trend([5, 5 + 1e-12], "lower") == ("flat", None)
    assert kpis.trend([5, 6], "higher") == ("up", True)
    assert kpis.trend([5, 6], "lower") == ("up", False)
    assert kpis.trend([18, 11], "lower") == ("down", True)
    assert kpis.trend([58, 52], "higher") == ("down", False)
    # Only the last two count.
    assert kpis.trend([1, 10, 9], "higher") == ("down", False)
    assert kpis.trend([Decimal("4.5"), Decimal("4.2")], "lower") == ("down", True)


def _row(ref, **values):
    base = {"ref": ref, "name": f"KPI {ref}", "owner": "Sales", "target": 10.0, "target_date": "2026-12-31",
            "baseline": 5.0}
    base.update(values)
    return base


def test_warnings_over_the_limit_and_missing_parts():
    eight = [_row(f"KPI-00{i}") for i in range(1, 9)]
    found = kpis.scorecard_warnings(eight, 7)
    assert found == [
        "The scorecard has 8 KPIs; keep it to 7 or fewer so the committee can follow them (take some off the "
        "scorecard)."
    ]
    assert kpis.scorecard_warnings(eight[:7], 7) == []
    lacking = [
        _row("KPI-001", owner="", target=None, baseline=None),
        _row("KPI-002", target_date=None),
        _row("KPI-003", owner="  "),
        _row("KPI-004"),
    ]
    assert kpis.scorecard_warnings(lacking, 7) == [
        "KPI-001 KPI KPI-001 is missing: owner, target, baseline.",
        "KPI-002 KPI KPI-002 is missing: target date.",
        "KPI-003 KPI KPI-003 is missing: owner.",
    ]


def test_sparkline_points():
    assert kpis.sparkline([]) == ""
    assert kpis.sparkline([3]) == ""
    # Two values, lowest at the bottom (y = 24 - 2), highest at the top (y = 2).
    assert kpis.sparkline([1, 3], width=20, height=24, pad=2) == "2.0,22.0 18.0,2.0"
    assert kpis.sparkline([4, 4], width=20, height=24, pad=2) == "2.0,12.0 18.0,12.0"


# --- The scorecard ------------------------------------------------------------------------------------


def make_kpi(project, name, **fields):
    defaults = {"owner": "Sales", "unit": "%", "direction": KpiDirection.HIGHER, "baseline": Decimal(35),
                "baseline_date": D(2025, 8, 31), "target": Decimal(90), "target_date": D(2026, 12, 31)}
    defaults.update(fields)
    return Kpi.objects.create(project=project, name=name, **defaults)


def add_values(kpi, *pairs, origin=ValueOrigin.ENTERED):
    for day, value in pairs:
        KpiValue.objects.create(project=kpi.project, kpi=kpi, measured_on=day, value=Decimal(str(value)), origin=origin)


ROW_KEYS = {"pk", "ref", "name", "owner", "unit", "direction", "baseline", "baseline_date", "target", "target_date",
            "actual", "actual_on", "status", "trend", "better", "source", "series"}


@pytest.fixture
def card_kpis(project):
    leads = make_kpi(project, "Leads answered within 24 hours", order=1)
    add_values(leads, (D(2026, 1, 31), 45), (D(2026, 2, 28), 52), (D(2026, 3, 31), 85))
    errors = make_kpi(project, "Quote errors", unit="errors per month", direction=KpiDirection.LOWER,
                      baseline=Decimal(18), target=Decimal(3), order=2)
    add_values(errors, (D(2026, 1, 31), 14), (D(2026, 2, 28), 3))
    hidden = make_kpi(project, "Not on the scorecard", on_scorecard=False, order=3)
    add_values(hidden, (D(2026, 1, 31), 1))
    empty = make_kpi(project, "No values yet", owner="", baseline=None, order=4)
    return leads, errors, hidden, empty


def test_scorecard_shape_and_as_of(project, card_kpis):
    leads, errors, _hidden, empty = card_kpis
    card = kpis.scorecard(project, TODAY)
    json.dumps(card)  # frozen by the steering report
    assert set(card) == {"as_of", "limit", "warnings", "rows", "counts"}
    assert card["as_of"] == "2026-03-15" and card["limit"] == 7
    assert [r["ref"] for r in card["rows"]] == [leads.ref, errors.ref, empty.ref]  # the hidden KPI is left out
    for row in card["rows"]:
        assert ROW_KEYS <= set(row)
    first = card["rows"][0]
    # 85 on 31 March is after the day: the latest known is 52 (28 February), 52 < 81 -> red, rising.
    assert first["actual"] == 52.0 and first["actual_on"] == "2026-02-28"
    assert first["series"] == [["2026-01-31", 45.0], ["2026-02-28", 52.0]]
    assert (first["status"], first["trend"], first["better"]) == ("red", "up", True)
    assert first["baseline"] == 35.0 and first["target"] == 90.0 and first["target_date"] == "2026-12-31"
    assert first["direction"] == "higher" and first["source"] == "Entered or imported"
    assert first["progress"] == pytest.approx(17 / 55)
    second = card["rows"][1]
    assert (second["actual"], second["status"], second["trend"], second["better"]) == (3.0, "green", "down", True)
    third = card["rows"][2]
    assert (third["actual"], third["actual_on"], third["status"], third["trend"], third["better"]) == (
        None, None, "none", "none", None)
    assert third["series"] == []
    assert card["counts"] == {"green": 1, "amber": 0, "red": 1, "none": 1}
    assert card["warnings"] == [f"{empty.ref} No values yet is missing: owner, baseline."]
    # On 31 March the leads reach 85: amber.
    later = kpis.scorecard(project, D(2026, 3, 31))
    assert later["rows"][0]["status"] == "amber" and later["rows"][0]["actual"] == 85.0


def test_scorecard_limit_comes_from_the_setting(project, settings):
    settings.PROJECTCRM_SCORECARD_LIMIT = 2
    for i in range(3):
        make_kpi(project, f"KPI {i}")
    card = kpis.scorecard(project, TODAY)
    assert card["limit"] == 2
    assert card["warnings"][0].startswith("The scorecard has 3 KPIs; keep it to 2 or fewer")


def test_scorecard_of_an_empty_project(project):
    card = kpis.scorecard(project, TODAY)
    assert card["rows"] == [] and card["warnings"] == []
    assert card["counts"] == {"green": 0, "amber": 0, "red": 0, "none": 0}
    assert kpis.scorecard_figure(card, "en").layout.annotations[0].text == "No KPIs on the scorecard"


def test_scorecard_labels_follow_the_language(project, card_kpis):
    from django.utils import translation

    with translation.override("zh-hans"):
        card = kpis.scorecard(project, TODAY)
    assert card["rows"][0]["frequency_label"] == "每月"
    assert kpis.scorecard(project, TODAY)["rows"][0]["frequency_label"] == "Monthly"


def test_figures(project, card_kpis):
    card = kpis.scorecard(project, TODAY)
    fig = kpis.scorecard_figure(card, "zh-hant")
    names = [trace.name for trace in fig.data]
    assert len(fig.layout.annotations) == 3  # one title per KPI
    assert "Noto Sans CJK TC" in fig.layout.font.family
    single = kpis.kpi_figure(card["rows"][0], "en")
    assert [t.name for t in single.data] == ["Actual", "Target", "Target date", "Baseline"]
    # The target line spans from the baseline date to the target date.
    assert list(single.data[1].x) == ["2025-08-31", "2026-12-31"] and list(single.data[1].y) == [90.0, 90.0]
    assert names.count("實際") == 2  # two KPIs have values (names in the figure's language)
    empty = kpis.kpi_figure(card["rows"][2] | {"target": None, "baseline": None}, "en")
    assert empty.layout.annotations[0].text == "No values yet"


# --- Computed sources ----------------------------------------------------------------------------------


def test_open_issues_and_high_risks(project):
    Issue.objects.create(project=project, title="Open")
    Issue.objects.create(project=project, title="Working", status=IssueStatus.IN_PROGRESS)
    Issue.objects.create(project=project, title="Done", status=IssueStatus.CLOSED, resolution="Fixed")
    Risk.objects.create(project=project, title="High 4x4", probability=4, impact=4)  # 16
    Risk.objects.create(project=project, title="Edge 5x3", probability=5, impact=3)  # 15: high
    Risk.objects.create(project=project, title="Medium 3x4", probability=3, impact=4)  # 12
    Risk.objects.create(project=project, title="Closed 5x5", probability=5, impact=5, status=RiskStatus.CLOSED)
    assert kpi_sources.compute(project, KpiSource.OPEN_ISSUES, TODAY) == 2
    assert kpi_sources.compute(project, KpiSource.HIGH_RISKS, TODAY) == 2
    assert kpi_sources.compute(project, KpiSource.ENTERED, TODAY) is None


def test_milestones_on_time(project):
    from roadmap.models import Release, Task

    assert kpi_sources.compute(project, KpiSource.MILESTONES_ON_TIME, TODAY) is None  # none finished
    release = Release.objects.create(project=project, name="Pilot", start_date=D(2026, 1, 5))
    monday = D(2026, 1, 5)
    for name, planned, actual in [
        ("Kick-off", monday, monday),  # on the day: on time
        ("Design signed", D(2026, 1, 19), D(2026, 1, 16)),  # early
        ("Data loaded", D(2026, 2, 2), D(2026, 2, 9)),  # late
        ("Go-live", D(2026, 5, 4), None),  # not finished: not counted
    ]:
        Task.objects.create(project=project, release=release, name=name, kind="milestone", duration=0,
                            planned_start=planned, actual_finish=actual)
    Task.objects.create(project=project, release=release, name="A task, late", duration=3, planned_start=monday,
                        actual_start=monday, actual_finish=D(2026, 3, 2))
    assert kpi_sources.compute(project, KpiSource.MILESTONES_ON_TIME, TODAY) == pytest.approx(200 / 3)


def test_adoption_and_training_sources(project, monkeypatch):
    import training.gates
    import training.usage

    # Without usage data or training plan there is nothing to measure.
    assert kpi_sources.compute(project, KpiSource.ADOPTION_RATE, TODAY) is None
    assert kpi_sources.compute(project, KpiSource.DATA_COMPLETENESS, TODAY) is None
    assert kpi_sources.compute(project, KpiSource.TRAINING_READINESS, TODAY) is None
    asked = []

    def summary(project_, as_of=None):
        asked.append(as_of)
        return {"rate": 0.625, "completeness": 0.5}

    monkeypatch.setattr(training.usage, "adoption_summary", summary)
    monkeypatch.setattr(training.gates, "training_readiness_percent", lambda project_, today=None: 87.5)
    assert kpi_sources.compute(project, KpiSource.ADOPTION_RATE, TODAY) == 62.5
    assert kpi_sources.compute(project, KpiSource.DATA_COMPLETENESS, D(2026, 2, 1)) == 50.0
    assert kpi_sources.compute(project, KpiSource.TRAINING_READINESS, TODAY) == 87.5
    assert asked == [TODAY, D(2026, 2, 1)]


def test_record_computed_stores_and_replaces_the_days_value(project):
    issues = make_kpi(project, "Open issues", source=KpiSource.OPEN_ISSUES, direction=KpiDirection.LOWER, unit="")
    adoption = make_kpi(project, "Adoption", source=KpiSource.ADOPTION_RATE)
    entered = make_kpi(project, "Entered")
    first = Issue.objects.create(project=project, title="One")
    Issue.objects.create(project=project, title="Two")
    results = kpi_sources.record_computed(project, TODAY)
    assert [(k.pk, v) for k, v in results] == [(issues.pk, 2.0), (adoption.pk, None)]
    value = KpiValue.objects.get(kpi=issues)
    assert (value.measured_on, value.value, value.origin, value.version) == (TODAY, Decimal(2), ValueOrigin.COMPUTED, 1)
    assert not KpiValue.objects.filter(kpi__in=[adoption, entered]).exists()
    # Same day, same figure: untouched; a closed issue replaces the day's value, no second row.
    kpi_sources.record_computed(project, TODAY)
    assert KpiValue.objects.get(kpi=issues).version == 1
    first.status = IssueStatus.CLOSED
    first.resolution = "Done"
    first.save()
    kpi_sources.record_computed(project, TODAY)
    value = KpiValue.objects.get(kpi=issues)
    assert (value.value, value.version) == (Decimal(1), 2)
    kpi_sources.record_computed(project, TODAY + datetime.timedelta(days=1))
    assert KpiValue.objects.filter(kpi=issues).count() == 2


# --- History workbook, pages and API --------------------------------------------------------------------


def test_history_xlsx(client_for, project, card_kpis):
    leads, errors, hidden, _empty = card_kpis
    KpiValue.objects.filter(kpi=errors, measured_on=D(2026, 2, 28)).update(note="=cmd|' /C calc'!A0")
    url = reverse("governance:kpi-history-xlsx", kwargs={"project": project.pk})
    response = client_for("viewer").get(url, {"as_of": "2026-03-15"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="kpi-history-2026-03-15.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Scorecard", "History"]
    score = [list(r) for r in book["Scorecard"].iter_rows(values_only=True)]
    assert score[0][:4] == ["Reference", "KPI", "Owner", "Unit"]
    assert [r[0] for r in score[1:]] == [leads.ref, errors.ref, _empty.ref]
    assert score[1][9:12] == [52, "2026-02-28", "Off target"]
    history = [list(r) for r in book["History"].iter_rows(values_only=True)]
    assert history[0] == ["Reference", "KPI", "Unit", "Measured on", "Value", "Origin", "Note"]
    assert len(history) == 1 + 6  # every value, the hidden KPI's and those after the day included
    assert history[1][:3] == [leads.ref, leads.name, "%"]
    assert history[1][3].date() == D(2026, 1, 31) and history[1][4] == 45 and history[1][5] == "Entered"
    note = next(r for r in history if r[0] == errors.ref and r[3].date() == D(2026, 2, 28))[6]
    assert note == "'=cmd|' /C calc'!A0"  # neutralised, not a formula
    assert hidden.ref in [r[0] for r in history]


def test_scorecard_page(client_for, project, card_kpis):
    url = reverse("governance:kpi-scorecard", kwargs={"project": project.pk})
    response = client_for("viewer").get(url, {"as_of": "2026-03-15"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Leads answered within 24 hours" in page and "Not on the scorecard" not in page
    assert "is missing: owner, baseline." in page
    assert "Refresh computed values" not in page  # nothing computed, and a viewer cannot
    assert response.context["scorecard"]["as_of"] == "2026-03-15"
    assert len(response.context["charts"]) == 3
    response = client_for("viewer").get(url, {"as_of": "31/02/2026"})
    assert response.status_code == 200
    assert "As of: enter a date as YYYY-MM-DD." in response.content.decode()


def test_scorecard_page_in_chinese(client_for, project, card_kpis):
    client = client_for("steering")
    url = reverse("governance:kpi-scorecard", kwargs={"project": project.pk})
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hant")
    assert response.status_code == 200


def test_refresh_requires_change_and_records(client_for, project):
    kpi = make_kpi(project, "Open issues", source=KpiSource.OPEN_ISSUES, direction=KpiDirection.LOWER)
    Issue.objects.create(project=project, title="One")
    url = reverse("governance:kpi-refresh", kwargs={"project": project.pk})
    assert client_for("viewer").post(url).status_code == 403
    assert client_for("evaluator").post(url).status_code == 403
    assert client_for("outsider").post(url).status_code == 404
    assert client_for("member").get(url).status_code == 405
    assert not KpiValue.objects.exists()
    response = client_for("member").post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("governance:kpi-scorecard", kwargs={"project": project.pk})
    value = KpiValue.objects.get(kpi=kpi)
    assert value.value == 1 and value.origin == ValueOrigin.COMPUTED
    assert "Computed values recorded for today: KPI-001." in response.content.decode()
    assert "Refresh computed values" in response.content.decode()


def test_kpi_detail_page_and_record_a_value(client_for, project, card_kpis):
    leads = card_kpis[0]
    detail = reverse("governance:kpis-detail", kwargs={"project": project.pk, "pk": leads.pk})
    response = client_for("member").get(detail)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Actual against target" in page and "Record value" in page and "plotly.min.js" in page
    assert "Record value" not in client_for("viewer").get(detail).content.decode()
    record = reverse("governance:kpi-record", kwargs={"project": project.pk, "pk": leads.pk})
    assert client_for("viewer").post(record, {"measured_on": "2026-04-30", "value": "60"}).status_code == 403
    response = client_for("member").post(record, {"measured_on": "2026-04-30", "value": "60", "note": "April"})
    assert response.status_code == 302 and response["Location"] == detail
    value = KpiValue.objects.get(kpi=leads, measured_on=D(2026, 4, 30))
    assert (value.value, value.origin, value.note, value.project_id) == (Decimal(60), ValueOrigin.ENTERED, "April", project.pk)
    # The same day again is refused; a bad number names its field.
    response = client_for("member").post(record, {"measured_on": "2026-04-30", "value": "61"}, follow=True)
    assert "already has a value on 2026-04-30" in response.content.decode()
    response = client_for("member").post(record, {"measured_on": "2026-05-31", "value": "lots"}, follow=True)
    assert "Value: Enter a number." in response.content.decode()
    assert KpiValue.objects.filter(kpi=leads).count() == 4


def test_computed_kpi_cannot_be_recorded_by_hand(client_for, project):
    kpi = make_kpi(project, "Open issues", source=KpiSource.OPEN_ISSUES)
    record = reverse("governance:kpi-record", kwargs={"project": project.pk, "pk": kpi.pk})
    response = client_for("pm").post(record, {"measured_on": "2026-04-30", "value": "3"}, follow=True)
    assert "is computed by the app" in response.content.decode()
    assert not KpiValue.objects.exists()


def test_record_other_projects_kpi_is_404(client_for, project, other_project):
    kpi = make_kpi(other_project, "Theirs")
    record = reverse("governance:kpi-record", kwargs={"project": project.pk, "pk": kpi.pk})
    assert client_for("pm").post(record, {"measured_on": "2026-04-30", "value": "3"}).status_code == 404


def api_client(user) -> Client:
    token, _created = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def test_scorecard_api(users, project, card_kpis):
    url = reverse("api-kpi-scorecard", kwargs={"project": project.pk})
    response = api_client(users["viewer"]).get(url, {"as_of": "2026-03-15"})
    assert response.status_code == 200
    data = response.json()
    assert data == json.loads(json.dumps(kpis.scorecard(project, TODAY)))
    assert data["rows"][0]["actual"] == 52.0
    assert api_client(users["evaluator"]).get(url).status_code == 200  # governance: everyone views
    assert api_client(users["outsider"]).get(url).status_code == 404
    assert Client().get(url).status_code in (401, 403)
    assert api_client(users["pm"]).get(url, {"as_of": "soon"}).status_code == 400


def test_demo_seed_is_idempotent(project, users):
    from projectcrm.governance import demo_kpis

    project.target_go_live = D(2026, 9, 1)
    project.save()
    demo_kpis.seed(project, users)
    counts = (Kpi.objects.count(), KpiValue.objects.count(), KpiValue.history.count())
    demo_kpis.seed(project, users)
    assert (Kpi.objects.count(), KpiValue.objects.count(), KpiValue.history.count()) == counts
    card = kpis.scorecard(project)
    assert len(card["rows"]) == 6 and card["warnings"] == []
    errors = next(r for r in card["rows"] if r["name"] == "Quote errors per month")
    assert errors["baseline"] == 18.0 and errors["target"] == 3.0 and errors["direction"] == "lower"
    assert len(errors["series"]) == 6 and errors["better"] is True
    assert errors["baseline_date"] < errors["series"][0][0]
