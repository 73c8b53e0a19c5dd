"""Training readiness (training/readiness.py) against hand-worked numbers.

Courses: crm101 (pass mark 70), pipeline (no pass mark: attending is passing), cases (pass mark 80).
Requirements: rep and lead -> crm101, pipeline; agent -> cases. Go-live Monday 2025-03-03,
today Thursday 2025-02-20.

People and what they did (stage reached, cumulative):
    Sales   Ann  rep    crm101 85, signed off 02-05 -> SIGNED_OFF   pipeline attended, signed off 02-12 -> SIGNED_OFF
    Sales   Ben  rep    crm101 60 (< 70)    -> ATTENDED             pipeline enrolled, session 02-18 missed -> ENROLLED, overdue
    Sales   Cat  lead   crm101 75           -> PASSED               pipeline nothing   -> NOT_ENROLLED
    Sales   Dan  rep    inactive: required nothing (his sign-off is ignored)
    Service Eve  agent  cases enrolled, session 02-25 (to come) -> ENROLLED (also enrolled on crm101: not required, ignored)
    Service Fay  agent  cases 90, signed off 02-19 -> SIGNED_OFF

Counts (required, enrolled, attended, passed, signed off, overdue):
    Sales x crm101     3 3 3 2 1 0   (passed: Ann 85, Cat 75; Ben 60 fails)      33.3%
    Sales x pipeline   3 2 1 1 1 1   (Ann signed; Ben enrolled, missed; Cat none) 33.3%
    Service x cases    2 2 1 1 1 0                                                50%
    Sales              6 5 4 3 2 1   33.3%      Service   2 2 1 1 1 0   50%
    rep (Ann, Ben)     4 4 3 2 2 1   50%        lead (Cat) 2 1 1 1 0 0  0%      agent 2 2 1 1 1 0  50%
    overall            8 7 5 4 3 1   3 / 8 = 37.5%
People with required courses: Ann, Ben, Cat, Eve, Fay = 5; ready: Ann, Fay = 2 (40%).
"""

from datetime import date

import pytest

from training.readiness import (
    ATTENDED,
    ENROLLED,
    EXPIRED,
    NOT_ENROLLED,
    PASSED,
    SIGNED_OFF,
    SUPERSEDED,
    VALID,
    Counts,
    Person,
    Status,
    add_months,
    burn_up,
    expiry_date,
    heat_map,
    is_overdue,
    readiness,
    readiness_percent,
    sign_off_state,
    sign_off_valid,
    stage,
    stage_label,
)

GO_LIVE = date(2025, 3, 3)
TODAY = date(2025, 2, 20)

REQUIREMENTS = {"rep": ["crm101", "pipeline"], "lead": ["crm101", "pipeline"], "agent": ["cases"]}


def people():
    return [
        Person("ann", "Ann", "Sales", "rep"),
        Person("ben", "Ben", "Sales", "rep"),
        Person("cat", "Cat", "Sales", "lead"),
        Person("dan", "Dan", "Sales", "rep", active=False),
        Person("eve", "Eve", "Service", "agent"),
        Person("fay", "Fay", "Service", "agent"),
    ]


def statuses():
    return [
        Status("ann", "crm101", True, True, 85, 70, signed_off=True, signed_on=date(2025, 2, 5)),
        Status("ann", "pipeline", True, True, signed_off=True, signed_on=date(2025, 2, 12)),
        Status("ben", "crm101", True, True, 60, 70),
        Status("ben", "pipeline", True, session_date=date(2025, 2, 18)),
        Status("cat", "crm101", True, True, 75, 70),
        Status("dan", "crm101", True, True, 90, 70, signed_off=True, signed_on=date(2025, 2, 1)),
        Status("eve", "cases", True, session_date=date(2025, 2, 25)),
        Status("eve", "crm101", True),
        Status("fay", "cases", True, True, 90, 80, signed_off=True, signed_on=date(2025, 2, 19)),
    ]


def worked(today=TODAY, **kwargs):
    return readiness(people(), REQUIREMENTS, statuses(), GO_LIVE, today, **kwargs)


def test_cells_by_department_and_course():
    result = worked()
    assert result.courses == ("crm101", "pipeline", "cases")
    assert result.departments == ("Sales", "Service")
    cell = result.by_department_course
    assert cell["Sales", "crm101"] == Counts(3, 3, 3, 2, 1, 0)
    assert cell["Sales", "pipeline"] == Counts(3, 2, 1, 1, 1, 1)
    assert cell["Service", "cases"] == Counts(2, 2, 1, 1, 1, 0)
    assert cell["Sales", "cases"] == Counts()  # nobody in Sales must take it
    assert cell["Sales", "cases"].percent is None
    assert cell["Service", "crm101"].required == 0  # Eve's enrolment is not required: ignored
    assert cell["Sales", "crm101"].percent == pytest.approx(100 / 3)
    assert cell["Service", "cases"].percent == 50.0


def test_totals_by_department_role_course_and_overall():
    result = worked()
    assert result.by_department == {"Sales": Counts(6, 5, 4, 3, 2, 1), "Service": Counts(2, 2, 1, 1, 1, 0)}
    assert result.roles == ("agent", "lead", "rep")
    assert result.by_role == {
        "rep": Counts(4, 4, 3, 2, 2, 1),
        "lead": Counts(2, 1, 1, 1, 0, 0),
        "agent": Counts(2, 2, 1, 1, 1, 0),
    }
    assert result.by_role_course["rep", "pipeline"] == Counts(2, 2, 1, 1, 1, 1)
    assert result.by_role_course["lead", "crm101"] == Counts(1, 1, 1, 1, 0, 0)
    assert result.by_course == {
        "crm101": Counts(3, 3, 3, 2, 1, 0),
        "pipeline": Counts(3, 2, 1, 1, 1, 1),
        "cases": Counts(2, 2, 1, 1, 1, 0),
    }
    assert result.overall == Counts(8, 7, 5, 4, 3, 1)
    assert result.percent == 37.5
    assert result.by_role["lead"].percent == 0.0
    assert (result.people_required, result.people_ready) == (5, 2)
    assert result.people_ready_percent == 40.0


def test_inactive_person_is_not_required():
    """Dan is inactive: his signed-off crm101 adds nothing; made active, he adds 2 required pairs."""
    assert worked().overall.required == 8
    everyone = [Person(p.key, p.name, p.department, p.role) for p in people()]
    result = readiness(everyone, REQUIREMENTS, statuses(), GO_LIVE, TODAY)
    assert result.overall == Counts(10, 8, 6, 5, 4, 1)  # + crm101 signed off, + pipeline not started
    assert result.by_department["Sales"].required == 8


def test_people_not_ready_with_missing_courses():
    """Sorted by department then name: Ben, Cat (Sales), Eve (Service)."""
    not_ready = worked().not_ready
    assert [n.person.key for n in not_ready] == ["ben", "cat", "eve"]
    ben, cat, eve = not_ready
    assert [(m.course, m.stage, m.overdue) for m in ben.missing] == [
        ("crm101", ATTENDED, False),
        ("pipeline", ENROLLED, True),
    ]
    assert ben.overdue and ben.required == 2
    assert ben.missing[1].session_date == date(2025, 2, 18)
    assert [(m.course, m.stage) for m in cat.missing] == [("crm101", PASSED), ("pipeline", NOT_ENROLLED)]
    assert not cat.overdue
    assert [(m.course, m.stage, m.overdue, m.session_date) for m in eve.missing] == [
        ("cases", ENROLLED, False, date(2025, 2, 25))
    ]
    assert cat.missing[0].label == "Passed, not signed off"


def test_overdue_after_go_live():
    """On go-live day only missed sessions are overdue (Ben's pipeline, and Eve's cases session of
    02-25 has gone by); the day after, every pair not signed off is: 8 - 3 = 5."""
    assert worked(today=GO_LIVE).overall.overdue == 2
    after = worked(today=date(2025, 3, 4))
    assert after.overall.overdue == 5
    assert after.by_department_course["Sales", "crm101"].overdue == 2  # Ben and Cat
    assert all(m.overdue for n in after.not_ready for m in n.missing)


def test_overdue_rule():
    session_past = Status("p", "c", enrolled=True, session_date=date(2025, 2, 10))
    assert is_overdue(session_past, GO_LIVE, TODAY)
    assert not is_overdue(session_past, GO_LIVE, date(2025, 2, 10))  # the session day itself
    attended = Status("p", "c", True, True, 50, 70, session_date=date(2025, 2, 10))
    assert not is_overdue(attended, GO_LIVE, TODAY)  # attended (failed): not a missed session
    assert is_overdue(attended, GO_LIVE, date(2025, 3, 4))  # but go-live has passed
    assert not is_overdue(None, GO_LIVE, TODAY)
    assert is_overdue(None, GO_LIVE, date(2025, 3, 4))
    assert not is_overdue(Status("p", "c", signed_off=True), GO_LIVE, date(2025, 3, 4))


def test_stages_are_cumulative():
    assert stage(None) == NOT_ENROLLED
    assert stage(Status("p", "c")) == NOT_ENROLLED
    assert stage(Status("p", "c", enrolled=True)) == ENROLLED
    assert stage(Status("p", "c", attended=True)) == PASSED  # no pass mark: attending is passing
    assert stage(Status("p", "c", attended=True, pass_mark=70)) == ATTENDED  # no score yet
    assert stage(Status("p", "c", attended=True, score=70, pass_mark=70)) == PASSED  # at the mark
    assert stage(Status("p", "c", score=95, pass_mark=70)) == PASSED  # tested out without a session
    assert stage(Status("p", "c", signed_off=True)) == SIGNED_OFF
    assert stage_label(NOT_ENROLLED) == "Not enrolled"
    with pytest.raises(ValueError):
        stage_label("nope")


def test_readiness_percent_for_gates():
    assert readiness_percent(people(), REQUIREMENTS, statuses()) == 37.5
    assert readiness_percent(people(), {}, statuses()) is None  # nothing required
    by_pair = {(s.person, s.course): s for s in statuses()}
    assert readiness_percent(people(), REQUIREMENTS, by_pair) == 37.5


def test_course_order_and_unknown_course():
    result = worked(courses=["cases", "crm101", "pipeline", "extra"])
    assert result.courses == ("cases", "crm101", "pipeline", "extra")
    assert result.by_course["extra"] == Counts()
    assert [m.course for m in result.not_ready[0].missing] == ["crm101", "pipeline"]
    with pytest.raises(ValueError, match="not in the course list"):
        worked(courses=["crm101"])


def test_heat_map():
    hm = heat_map(worked())
    assert hm.rows == ("Sales", "Service")
    assert hm.columns == ("crm101", "pipeline", "cases")
    assert hm.percent[0][0] == pytest.approx(100 / 3)
    assert hm.percent[0][2] is None and hm.percent[1][0] is None
    assert hm.percent[1][2] == 50.0
    assert hm.required == ((3, 3, 0), (0, 0, 2))
    assert hm.signed_off == ((1, 1, 0), (0, 0, 1))


def test_input_errors():
    with pytest.raises(ValueError, match="same key"):
        readiness([*people(), Person("ann", "Ann again", "Sales", "rep")], REQUIREMENTS, [], GO_LIVE, TODAY)
    with pytest.raises(ValueError, match="Two statuses"):
        readiness(people(), REQUIREMENTS, [*statuses(), Status("ann", "crm101")], GO_LIVE, TODAY)


def test_empty():
    result = readiness([], REQUIREMENTS, [], GO_LIVE, TODAY)
    assert result.overall == Counts() and result.percent is None
    assert result.not_ready == () and result.people_ready_percent is None


# ---------------------------------------------------------------------------------------------
# Sign-off validity
# ---------------------------------------------------------------------------------------------


def test_material_change_supersedes_a_sign_off():
    """Signed on version 2, course now at version 4."""
    args = (date(2025, 1, 10), None, date(2025, 2, 20))
    assert sign_off_state(2, 4, {3}, *args) == SUPERSEDED  # material change after the signed version
    assert sign_off_state(2, 4, {4}, *args) == SUPERSEDED  # the current version itself was material
    assert sign_off_state(2, 4, {2}, *args) == VALID  # the signed version's own change is covered
    assert sign_off_state(2, 4, {1, 5}, *args) == VALID  # before, and not yet released
    assert sign_off_state(2, 4, set(), *args) == VALID  # versions 3 and 4 were minor
    assert sign_off_valid(4, 4, {4}, *args)


def test_expiry():
    """31 Jan 2024 + 1 month = 29 Feb 2024 (leap year, clamped): valid that day, expired the next."""
    assert expiry_date(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert expiry_date(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert expiry_date(date(2024, 11, 15), 3) == date(2025, 2, 15)
    assert expiry_date(date(2024, 1, 31), None) is None
    assert add_months(date(2024, 12, 31), 2) == date(2025, 2, 28)
    assert sign_off_state(1, 1, (), date(2024, 1, 31), 1, date(2024, 2, 29)) == VALID
    assert sign_off_state(1, 1, (), date(2024, 1, 31), 1, date(2024, 3, 1)) == EXPIRED
    assert sign_off_state(1, 1, (), date(2020, 1, 1), None, date(2025, 1, 1)) == VALID  # never expires
    assert sign_off_state(1, 2, {2}, date(2024, 1, 31), 1, date(2024, 3, 1)) == SUPERSEDED  # wins


def test_sign_off_errors():
    with pytest.raises(ValueError, match="later than"):
        sign_off_state(3, 2, (), date(2025, 1, 1), None, TODAY)
    with pytest.raises(ValueError, match="needs the date"):
        sign_off_state(1, 1, (), None, 12, TODAY)
    with pytest.raises(ValueError, match="whole number of months"):
        sign_off_state(1, 1, (), date(2025, 1, 1), 0, TODAY)


def test_invalidated_sign_off_drops_readiness():
    """crm101 moves to version 2, a material change: Ann's sign-off of version 1 no longer counts.

    Sales x crm101 goes from 1 signed off of 3 to 0 (Ann is back at PASSED); overall 3/8 -> 2/8.
    """
    valid = sign_off_valid(1, 2, {2}, date(2025, 2, 5), None, TODAY)
    assert valid is False
    changed = [
        Status(s.person, s.course, s.enrolled, s.attended, s.score, s.pass_mark, valid, s.signed_on)
        if (s.person, s.course) == ("ann", "crm101")
        else s
        for s in statuses()
    ]
    result = readiness(people(), REQUIREMENTS, changed, GO_LIVE, TODAY)
    assert result.by_department_course["Sales", "crm101"] == Counts(3, 3, 3, 2, 0, 0)
    assert result.percent == 25.0
    assert result.not_ready[0].person.key == "ann"
    assert [(m.course, m.stage) for m in result.not_ready[0].missing] == [("crm101", PASSED)]


# ---------------------------------------------------------------------------------------------
# Burn-up
# ---------------------------------------------------------------------------------------------


def test_burn_up_by_week():
    """Start Wednesday 29 Jan -> first week Monday 27 Jan; go-live 3 Mar -> six weeks.

    Sign-offs of required pairs: Ann crm101 05 Feb (week of 03 Feb), Ann pipeline 12 Feb (10 Feb),
    Fay cases 19 Feb (17 Feb); Dan's is not required. Today 20 Feb: the weeks of 24 Feb and 3 Mar
    have no count yet. Scope 8 throughout.
        27 Jan 0 | 03 Feb 1 | 10 Feb 2 | 17 Feb 3 | 24 Feb None | 03 Mar None
    """
    result = burn_up(people(), REQUIREMENTS, statuses(), date(2025, 1, 29), GO_LIVE, TODAY)
    assert [p.week_start for p in result.points] == [
        date(2025, 1, 27), date(2025, 2, 3), date(2025, 2, 10), date(2025, 2, 17), date(2025, 2, 24), date(2025, 3, 3),
    ]  # fmt: skip
    assert [p.signed_off for p in result.points] == [0, 1, 2, 3, None, None]
    assert {p.scope for p in result.points} == {8}
    assert result.points[0].week_end == date(2025, 2, 2)
    assert (result.scope, result.signed_off, result.go_live_week) == (8, 3, GO_LIVE)


def test_burn_up_beyond_go_live_with_early_undated_and_future_sign_offs():
    """Today 12 Mar, after go-live: weeks run on to the week of 10 Mar (seven weeks).

    Added: Cat's crm101 signed 10 Jan (before the start: counts from the first week), Ben's crm101
    signed without a date (counts from the first week), Eve's cases dated 20 Mar (after today:
    counts from today's week).
        27 Jan 2 | 03 Feb 3 | 10 Feb 4 | 17 Feb 5 | 24 Feb 5 | 03 Mar 5 | 10 Mar 6
    """
    extra = {
        ("cat", "crm101"): Status("cat", "crm101", True, True, 75, 70, True, date(2025, 1, 10)),
        ("ben", "crm101"): Status("ben", "crm101", True, True, 60, 70, True, None),
        ("eve", "cases"): Status("eve", "cases", True, True, 85, 80, True, date(2025, 3, 20)),
    }
    facts = {(s.person, s.course): s for s in statuses()} | extra
    today = date(2025, 3, 12)
    result = burn_up(people(), REQUIREMENTS, facts, date(2025, 1, 29), GO_LIVE, today)
    assert [p.signed_off for p in result.points] == [2, 3, 4, 5, 5, 5, 6]
    assert result.points[-1].week_start == date(2025, 3, 10)
    assert result.undated == 1
    assert result.signed_off == readiness(people(), REQUIREMENTS, facts, GO_LIVE, today).overall.signed_off == 6


def test_burn_up_must_start_before_go_live():
    with pytest.raises(ValueError, match="start on or before go-live"):
        burn_up(people(), REQUIREMENTS, statuses(), date(2025, 4, 1), GO_LIVE, TODAY)
