"""Adoption (training/adoption.py) against hand-worked numbers.

Go-live Monday 3 Mar 2025; as of Monday 31 Mar, so the last complete week is 24-30 Mar.
Weeks (Mondays): W1 24 Feb, W2 3 Mar, W3 10 Mar, W4 17 Mar (NO DATA: not covered), W5 24 Mar.

Assignments (department / role / manager):
    alice, bob, gus  Sales / rep / Mia            from 1 Jan
    carl             Sales / rep / Mia            1 Jan - Wed 12 Mar, then Service / agent / Noah from 13 Mar
    dana             Service / agent / Noah       from 1 Jan
    evan             Service / agent / Noah       from Wed 5 Mar
    finn             Service / agent / Noah       1 Jan - 20 Mar (left)
    hana             Service / agent / Noah       from 25 Mar (no usage at all)
A person counts for a week where their assignment stands on the Sunday:
    W1 (Sun 2 Mar)   Sales alice bob gus carl (4)   Service dana finn (2)
    W2 (Sun 9 Mar)   Sales alice bob gus carl (4)   Service dana evan finn (3)
    W3 (Sun 16 Mar)  Sales alice bob gus (3)        Service carl dana evan finn (4)   <- carl moved mid-week
    W4 (Sun 23 Mar)  Sales 3                        Service carl dana evan (3)        <- finn left
    W5 (Sun 30 Mar)  Sales 3                        Service carl dana evan hana (4)
Licences: Sales 4 from 1 Jan; Service 2 from 1 Jan, 4 from Wed 12 Mar (counts for all of W3).
    Overall licensed 6, 6, 8, 8, 8.
Targets: Sales 0.5 from 1 Mar, 0.75 from 20 Mar (W4 on); project-wide 0.6 from 3 Mar (Service and
overall from W2; W1 has none).

Usage rows (logins, created + updated = records, completeness):
    W1 alice 3, 4+6=10, 0.5 | carl 1, 0 | gus 1, 0 | dana 2, 3+2=5, 0.8 | finn 1, 1+1=2, 1.0
    W2 alice 5, 12+8=20, 0.9 | bob 1, 4+6=10, 0.6 | dana 4, 5+5=10, 0.7 | evan 1, 0
    W3 alice 2, 3+5=8, 1.0 | carl 3, 6+6=12, 0.5 | dana 1, 2+2=4, - | evan 0, 0 | finn 2, 3+3=6, 0.0
    W5 alice 4, 8+8=16, 0.75 | carl 2, 3+3=6, 1.0 | evan 3, 4+5=9, 0.5 | finn 5, 25+25=50, 0.9 (not assigned)
    31 Mar (week in progress): bob 10 logins -> ignored

Sales (licensed 4):
    W1 active alice carl gus 3/4 = 0.75, target 0.5, gap +0.25; logins 5; records 10 -> 10/3 per active;
       completeness 0.5 (carl and gus have no records)
    W2 active alice bob 2/4 = 0.5, gap 0, change -0.25; logins 6; records 30 -> 15; completeness
       (0.9 x 20 + 0.6 x 10) / 30 = 0.8
    W3 active alice 1/4 = 0.25, gap -0.25, change -0.25; records 8 -> 8; completeness 1.0
    W4 unknown (None), target 0.75
    W5 active alice 1/4 = 0.25, target 0.75, gap -0.5, change None (W4 unknown); records 16; completeness 0.75
Service (licensed 2, 2, 4, 4, 4):
    W1 dana finn 2/2 = 1.0, target None; logins 3; records 7 -> 3.5; completeness (0.8 x 5 + 1 x 2) / 7 = 6/7
    W2 dana evan 2/2 = 1.0, target 0.6, gap 0.4, change 0; records 10 -> 5; completeness 0.7 (evan: no records)
    W3 carl dana finn 3/4 = 0.75, gap 0.15, change -0.25; logins 6; records 22 -> 22/3;
       completeness (0.5 x 12 + 0 x 6) / 18 = 1/3 (dana gave none)
    W5 carl evan 2/4 = 0.5, gap -0.1; records 15 -> 7.5; completeness (1 x 6 + 0.5 x 9) / 15 = 0.7
Overall (licensed 6, 6, 8, 8, 8; assigned 6, 7, 7, 6, 7):
    W1 5/6; logins 8; records 17 -> 3.4; completeness (5 + 4 + 2) / 17 = 11/17
    W2 4/6, target 0.6, gap 1/15, change -1/6; logins 11; records 40 -> 10; completeness 31/40
    W3 4/8 = 0.5, gap -0.1, change -1/6; logins 8; records 30 -> 7.5; completeness 14/26
    W5 3/8 = 0.375, gap -0.225; logins 9; records 31 -> 31/3; completeness 22.5/31
    last two covered weeks W3 -> W5: change -0.125; against the 80% rule: -0.425
"""

from datetime import date

import pytest

from training.adoption import (
    ACTIVE_RATE,
    COMPLETENESS,
    DEFAULT_TARGET,
    MANAGER,
    RECORDS_PER_ACTIVE,
    ROLE,
    Assignment,
    Licences,
    Target,
    WeekUsage,
    adoption,
    last_complete_week,
)

approx = pytest.approx

GO_LIVE = date(2025, 3, 3)
AS_OF = date(2025, 3, 31)
W1, W2, W3, W4, W5 = (date(2025, 2, 24), date(2025, 3, 3), date(2025, 3, 10), date(2025, 3, 17), date(2025, 3, 24))
JAN1 = date(2025, 1, 1)


def assignments():
    return [
        Assignment("alice", "Sales", "rep", "Mia", JAN1),
        Assignment("bob", "Sales", "rep", "Mia", JAN1),
        Assignment("gus", "Sales", "rep", "Mia", JAN1),
        Assignment("carl", "Service", "agent", "Noah", date(2025, 3, 13)),  # order of input does not matter
        Assignment("carl", "Sales", "rep", "Mia", JAN1, date(2025, 3, 12)),
        Assignment("dana", "Service", "agent", "Noah", JAN1),
        Assignment("evan", "Service", "agent", "Noah", date(2025, 3, 5)),
        Assignment("finn", "Service", "agent", "Noah", JAN1, date(2025, 3, 20)),
        Assignment("hana", "Service", "agent", "Noah", date(2025, 3, 25)),
    ]


LICENCES = [
    Licences("Sales", JAN1, 4),
    Licences("Service", JAN1, 2),
    Licences("Service", date(2025, 3, 12), 4),
]
TARGETS = [
    Target("Sales", date(2025, 3, 1), 0.5),
    Target("Sales", date(2025, 3, 20), 0.75),
    Target(None, date(2025, 3, 3), 0.6),
]


def U(person, week, logins, created=0, updated=0, completeness=None):
    return WeekUsage(person, week, logins, created, updated, completeness)


def usage():
    return [
        U("alice", W1, 3, {"accounts": 4}, {"contacts": 6}, 0.5),
        U("carl", W1, 1),
        U("gus", W1, 1),
        U("dana", W1, 2, {"cases": 3}, {"cases": 2}, 0.8),
        U("finn", W1, 1, 1, 1, 1.0),
        U("alice", W2, 5, {"accounts": 2, "opportunities": 10}, {"activities": 8}, 0.9),
        U("bob", W2, 1, 4, 6, 0.6),
        U("dana", W2, 4, 5, 5, 0.7),
        U("evan", W2, 1),
        U("alice", W3, 2, 3, 5, 1.0),
        U("carl", W3, 3, 6, 6, 0.5),
        U("dana", W3, 1, 2, 2, None),
        U("evan", W3, 0, 0, 0, None),
        U("finn", W3, 2, 3, 3, 0.0),
        U("alice", W5, 4, 8, 8, 0.75),
        U("carl", W5, 2, 3, 3, 1.0),
        U("evan", W5, 3, 4, 5, 0.5),
        U("finn", W5, 5, 25, 25, 0.9),
        U("bob", date(2025, 3, 31), 10, 1, 1, 0.5),  # the week in progress
    ]


NAMES = {"alice": "Alice", "bob": "Bob", "carl": "Carl", "dana": "Dana", "evan": "Evan", "finn": "Finn",
         "gus": "Gus", "hana": "Hana"}  # fmt: skip


def worked(**kwargs):
    options = {
        "go_live": GO_LIVE, "as_of": AS_OF, "licences": LICENCES, "targets": TARGETS,
        "covered_weeks": [W1, W2, W3, W5], "names": NAMES,
    }  # fmt: skip
    options.update(kwargs)
    rows = options.pop("rows", None)
    return adoption(usage() if rows is None else rows, assignments(), **options)


def test_weeks_run_to_the_last_complete_week_with_the_gap():
    result = worked()
    assert last_complete_week(AS_OF) == W5
    assert last_complete_week(date(2025, 3, 30)) == W5  # a Sunday completes its week
    assert last_complete_week(date(2025, 3, 29)) == date(2025, 3, 17)
    assert result.weeks == (W1, W2, W3, W4, W5)
    assert result.overall.covered == (True, True, True, False, True)
    assert (result.last_week, result.current_week, result.go_live_week) == (W5, W5, GO_LIVE)
    assert list(result.groups) == ["Sales", "Service"]


def test_sales_department():
    """Carl counts in Sales until W2 and in Service from W3 (his new assignment stands on Sunday 16 Mar)."""
    sales = worked().groups["Sales"]
    assert sales.assigned == (4, 4, 3, 3, 3)
    assert sales.licensed == (4, 4, 4, 4, 4)
    assert sales.active == (3, 2, 1, None, 1)
    assert sales.rate == (0.75, 0.5, 0.25, None, 0.25)
    assert sales.target == (0.5, 0.5, 0.5, 0.75, 0.75)
    assert sales.gap == (0.25, 0.0, -0.25, None, -0.5)
    assert sales.change == (None, -0.25, -0.25, None, None)
    assert sales.logins == (5, 6, 2, None, 4)
    assert sales.records == (10, 30, 8, None, 16)
    assert sales.records_per_active == approx((10 / 3, 15.0, 8.0, None, 16.0))
    assert sales.completeness == approx((0.5, 0.8, 1.0, None, 0.75))
    assert sales.current_rate == 0.25 and sales.current_change == 0.0


def test_service_department():
    """Licences go from 2 to 4 on Wednesday 12 Mar: W3's denominator is 4 for the whole week."""
    service = worked().groups["Service"]
    assert service.assigned == (2, 3, 4, 3, 4)
    assert service.licensed == (2, 2, 4, 4, 4)
    assert service.active == (2, 2, 3, None, 2)
    assert service.rate == (1.0, 1.0, 0.75, None, 0.5)
    assert service.target == (None, 0.6, 0.6, 0.6, 0.6)  # no own target: the project-wide one
    assert service.gap == approx((None, 0.4, 0.15, None, -0.1))
    assert service.change == (None, 0.0, -0.25, None, None)
    assert service.logins == (3, 5, 6, None, 5)
    assert service.records == (7, 10, 22, None, 15)
    assert service.records_per_active == approx((3.5, 5.0, 22 / 3, None, 7.5))
    assert service.completeness == approx((6 / 7, 0.7, 1 / 3, None, 0.7))
    assert service.current_change == -0.25


def test_overall():
    overall = worked().overall
    assert overall.group is None
    assert overall.assigned == (6, 7, 7, 6, 7)
    assert overall.licensed == (6, 6, 8, 8, 8)
    assert overall.active == (5, 4, 4, None, 3)
    assert overall.rate == approx((5 / 6, 4 / 6, 0.5, None, 0.375))
    assert overall.target == (None, 0.6, 0.6, 0.6, 0.6)
    assert overall.gap == approx((None, 1 / 15, -0.1, None, -0.225))
    assert overall.change == approx((None, -1 / 6, -1 / 6, None, None))
    assert overall.logins == (8, 11, 8, None, 9)
    assert overall.records == (17, 40, 30, None, 31)
    assert overall.records_per_active == approx((3.4, 10.0, 7.5, None, 31 / 3))
    assert overall.completeness == approx((11 / 17, 31 / 40, 14 / 26, None, 22.5 / 31))
    assert overall.current_index == 4 and overall.previous_index == 2
    assert overall.current_change == approx(-0.125)
    assert overall.default_gap == approx(0.375 - DEFAULT_TARGET)
    assert overall.meets_default is False


def test_a_week_as_a_row():
    week = worked().overall.week(3)
    assert week.week_start == W4 and week.covered is False
    assert (week.assigned, week.licensed, week.target) == (6, 8, 0.6)
    assert week.active is None and week.rate is None and week.records_per_active is None
    assert worked().overall.current.rate == 0.375
    assert worked().overall.previous.week_start == W3
    assert len(worked().overall.rows()) == 5


def test_week_with_no_data_is_unknown_but_a_covered_week_without_rows_is_zero():
    """Declaring W4 covered (imported, nobody used the CRM): 0 active, rate 0.0 instead of None."""
    result = worked(covered_weeks=[W1, W2, W3, W4, W5])
    assert result.groups["Sales"].active[3] == 0
    assert result.groups["Sales"].rate[3] == 0.0
    assert result.groups["Sales"].change[4] == 0.25  # W5 0.25 - W4 0.0
    assert result.overall.records_per_active[3] is None  # nobody active
    assert result.overall.completeness[3] is None


def test_a_week_with_rows_is_covered_even_when_not_listed():
    result = worked(covered_weeks=[])
    assert result.overall.covered == (True, True, True, False, True)


def test_group_by_role():
    """By role, "licensed" is the people assigned: rep W1 alice bob gus carl 3/4; agent W5 carl dana
    evan hana 2/4. Roles have no targets of their own: the project-wide one. Overall is unchanged."""
    result = worked(by=ROLE)
    assert list(result.groups) == ["agent", "rep"]
    rep, agent = result.groups["rep"], result.groups["agent"]
    assert rep.licensed == rep.assigned == (4, 4, 3, 3, 3)
    assert rep.rate == approx((0.75, 0.5, 1 / 3, None, 1 / 3))
    assert rep.target == (None, 0.6, 0.6, 0.6, 0.6)
    assert agent.licensed == (2, 3, 4, 3, 4)
    assert agent.rate == approx((1.0, 2 / 3, 0.75, None, 0.5))
    assert result.overall.rate == approx((5 / 6, 4 / 6, 0.5, None, 0.375))


def test_group_by_manager():
    result = worked(by=MANAGER)
    assert list(result.groups) == ["Mia", "Noah"]
    assert result.groups["Mia"].active == (3, 2, 1, None, 1)
    assert result.groups["Mia"].rate == approx((0.75, 0.5, 1 / 3, None, 1 / 3))
    assert result.groups["Noah"].records == (7, 10, 22, None, 15)


def test_laggards():
    """On 31 Mar: alice bob gus carl dana evan hana are assigned (finn left 20 Mar).

    Last week with a login: alice W5, bob W2 (his 31 Mar row is after the last complete week),
    gus W1 (before go-live), carl W5, dana W3, evan W5, hana never.
    Never logged in since go-live: gus (Mia), hana (Noah). Inactive in W5: bob (Mia), dana (Noah).
    """
    result = worked()
    assert [(x.person, x.manager, x.last_login_week) for x in result.never_logged_in] == [
        ("gus", "Mia", W1),
        ("hana", "Noah", None),
    ]
    assert [(x.person, x.department, x.last_login_week) for x in result.inactive] == [
        ("bob", "Sales", W2),
        ("dana", "Service", W3),
    ]
    assert result.never_logged_in[0].name == "Gus"
    by_manager = result.laggards_by_manager
    assert [(m.manager, len(m.never_logged_in), len(m.inactive), m.total) for m in by_manager] == [
        ("Mia", 1, 1, 2),
        ("Noah", 1, 1, 2),
    ]


def test_laggards_by_manager_most_first_and_people_moved():
    """Carl idle in W5 (his W5 row dropped): Noah then has hana, dana and carl -> first."""
    rows = [r for r in usage() if not (r.person == "carl" and r.week_start == W5)]
    result = worked(rows=rows)
    assert [(m.manager, m.total) for m in result.laggards_by_manager] == [("Noah", 3), ("Mia", 2)]
    assert [x.person for x in result.laggards_by_manager[0].inactive] == ["carl", "dana"]
    assert result.laggards_by_manager[0].inactive[0].department == "Service"  # where he sits on 31 Mar


def test_no_laggards_before_any_week_since_go_live():
    result = worked(as_of=date(2025, 3, 8))  # last complete week W1: before go-live
    assert result.weeks == (W1,)
    assert result.never_logged_in == () and result.inactive == ()


def test_top_adopters():
    """Last two covered weeks W3 and W5: alice 8 + 16 = 24 (6 logins), carl 12 + 6 = 18, evan 0 + 9 = 9,
    dana 4; finn 6 + 50 = 56 has left (not assigned on 31 Mar) and is not listed."""
    result = worked(top=3, top_weeks=2)
    assert result.top_weeks == (W3, W5)
    assert [(a.person, a.records, a.logins) for a in result.top_adopters] == [
        ("alice", 24, 6),
        ("carl", 18, 5),
        ("evan", 9, 3),
    ]
    assert result.top_adopters[1].department == "Service"
    default = worked()  # four covered weeks W1 W2 W3 W5: alice 54, dana 19, carl 18, bob 10, evan 9
    assert default.top_weeks == (W1, W2, W3, W5)
    assert default.top_adopters[0].records == 54
    assert [a.person for a in default.top_adopters] == ["alice", "dana", "carl", "bob", "evan"]


def test_top_adopters_ties_by_logins_then_name():
    rows = [U("b", W1, 2, 5), U("a", W1, 2, 5), U("c", W1, 9, 5), U("d", W1, 1, 9), U("e", W1, 9, 0)]
    people = [Assignment(p, "Sales", "rep", "Mia", JAN1) for p in "abcde"]
    result = adoption(rows, people, go_live=W1, as_of=AS_OF)
    assert [a.person for a in result.top_adopters] == ["d", "c", "a", "b"]  # e has no records


def test_baseline_beside_the_after_figures():
    """After = overall W5: rate 0.375, 31/3 records per active user, completeness 22.5/31."""
    result = worked(baseline={ACTIVE_RATE: 0.3, RECORDS_PER_ACTIVE: 5, COMPLETENESS: 0.6})
    assert [c.metric for c in result.baseline] == [ACTIVE_RATE, RECORDS_PER_ACTIVE, COMPLETENESS]
    rate, records, completeness = result.baseline
    assert (rate.baseline, rate.after, rate.change) == approx((0.3, 0.375, 0.075))
    assert records.after == approx(31 / 3) and records.change == approx(31 / 3 - 5)
    assert completeness.after == approx(22.5 / 31)
    assert rate.label == "Active-user rate"
    before = worked(as_of=date(2025, 3, 8), baseline={ACTIVE_RATE: 0.3})
    assert before.baseline[0].after is None and before.baseline[0].change is None


def test_plain_tuples_give_the_same_result():
    rows = [tuple(r) for r in usage()]
    assert worked(rows=rows) == worked()
    assert WeekUsage("x", W1, 1, {"accounts": 2, "cases": 1}, 4).records == 7


def test_nothing_imported():
    result = adoption([], assignments(), go_live=GO_LIVE, as_of=AS_OF)
    assert result.weeks == () and result.current_week is None
    assert result.overall.current is None and result.overall.current_rate is None
    assert result.never_logged_in == () and result.top_adopters == ()


def test_unlicensed_department_has_no_rate():
    result = worked(licences=[Licences("Sales", JAN1, 4)])
    assert result.groups["Service"].licensed == (0, 0, 0, 0, 0)
    assert result.groups["Service"].rate == (None, None, None, None, None)
    assert result.groups["Service"].active == (2, 2, 3, None, 2)
    assert result.overall.licensed == (4, 4, 4, 4, 4)


def test_overlapping_assignments_the_latest_start_wins():
    rows = [U("p", W2, 1)]
    people = [Assignment("p", "Sales", "rep", "Mia", JAN1), Assignment("p", "Service", "agent", "Noah", date(2025, 2, 1))]
    result = adoption(rows, people, go_live=GO_LIVE, as_of=AS_OF)
    assert list(result.groups) == ["Service"]
    assert result.groups["Service"].active[0] == 1


@pytest.mark.parametrize(
    "kwargs, rows, message",
    [
        ({"by": "team"}, None, "Unknown grouping"),
        ({}, [U("alice", date(2025, 3, 4), 1)], "Monday"),
        ({}, [U("alice", W1, -1)], "negative"),
        ({}, [U("alice", W1, 1, 2, -5)], "negative"),
        ({}, [U("alice", W1, 1, 1, 0, 1.5)], "between 0 and 1"),
        ({"targets": [Target(None, JAN1, 80)]}, None, "between 0 and 1"),
        ({"licences": [Licences("Sales", JAN1, 1), Licences("Sales", JAN1, 2)]}, None, "start on"),
        ({"licences": [Licences("Sales", JAN1, -1)]}, None, "negative"),
        ({"baseline": {"happiness": 1}}, None, "Unknown adoption metric"),
        ({}, [("alice", W1, 1)], "six fields"),
    ],
)
def test_input_errors(kwargs, rows, message):
    with pytest.raises(ValueError, match=message):
        worked(rows=rows, **kwargs)


def test_assignment_ending_before_it_starts():
    with pytest.raises(ValueError, match="ends before it starts"):
        adoption([], [Assignment("p", "Sales", "rep", "Mia", W2, W1)], go_live=GO_LIVE, as_of=AS_OF)
