"""The register list page (sort, filter, search, paginate, quick views, htmx fragment) and the
file helpers behind imports and exports (core/tabular.py)."""

import datetime
import io
import zipfile

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from projectcrm.core import tabular
from projectcrm.governance.choices import EscalateTo, IssueStatus, Priority
from projectcrm.governance.models import Issue

LIST = "governance:issues-list"


def list_url(project):
    return reverse(LIST, kwargs={"project": project.pk})


def titles(response):
    assert response.status_code == 200
    return [row["obj"].title for row in response.context["rows"]]


@pytest.fixture
def issues(db, project, users):
    today = timezone.localdate()
    rows = [
        ("Bravo interface", "", Priority.LOW, IssueStatus.OPEN, None),
        ("Alpha data load", "客户主数据需要清洗", Priority.HIGH, IssueStatus.IN_PROGRESS, today - datetime.timedelta(days=5)),
        ("Charlie training", "Trainers booked", Priority.MEDIUM, IssueStatus.CLOSED, today - datetime.timedelta(days=40)),
        ("销售报表不一致", "Sales and finance disagree", Priority.CRITICAL, IssueStatus.OPEN, today - datetime.timedelta(days=1)),
    ]
    created = []
    for title, description, priority, status, due in rows:
        created.append(
            Issue.objects.create(
                project=project, title=title, description=description, priority=priority, status=status,
                due_date=due, owner=users["pm"], resolution="done" if status == IssueStatus.CLOSED else "",
            )
        )
    return created


def test_it_sorts_by_a_column_both_ways(pm_client, project, issues):
    ascending = titles(pm_client.get(list_url(project), {"sort": "title"}))
    assert ascending == sorted(i.title for i in issues)
    descending = titles(pm_client.get(list_url(project), {"sort": "-title"}))
    assert descending == list(reversed(ascending))
    # The reference sorts by the running number; the default is newest first.
    assert titles(pm_client.get(list_url(project), {"sort": "ref"})) == [i.title for i in issues]
    assert titles(pm_client.get(list_url(project))) == [i.title for i in reversed(issues)]
    # An unknown sort key falls back to the default order instead of failing.
    assert titles(pm_client.get(list_url(project), {"sort": "password"})) == [i.title for i in reversed(issues)]


def test_the_column_header_links_toggle_the_direction(pm_client, project, issues):
    html = pm_client.get(list_url(project), {"sort": "title"}).content.decode()
    assert "?sort=-title" in html
    assert "Title ▲" in html
    html = pm_client.get(list_url(project), {"sort": "-title"}).content.decode()
    assert "Title ▼" in html


def test_it_sorts_by_the_escalation_column(pm_client, project, issues):
    ordered = titles(pm_client.get(list_url(project), {"sort": "-escalation"}))
    # "steering" > "sponsor" > "" alphabetically; the empty ones come last.
    assert ordered[:2] == ["Alpha data load", "销售报表不一致"]


def test_it_filters_by_status_and_priority(pm_client, project, issues):
    assert sorted(titles(pm_client.get(list_url(project), {"status": "open"}))) == ["Bravo interface", "销售报表不一致"]
    assert titles(pm_client.get(list_url(project), {"status": "closed"})) == ["Charlie training"]
    assert titles(pm_client.get(list_url(project), {"status": "open", "priority": "critical"})) == ["销售报表不一致"]


def test_it_searches_title_and_description_including_chinese(pm_client, project, issues):
    def search(text):
        return sorted(titles(pm_client.get(list_url(project), {"q": text})))

    assert search("alpha") == ["Alpha data load"]
    assert search("TRAINERS") == ["Charlie training"]
    assert search("主数据") == ["Alpha data load"]
    assert search("报表") == ["销售报表不一致"]
    assert search("sales finance") == ["销售报表不一致"]  # every word must match somewhere
    assert search("sales alpha") == []
    response = pm_client.get(list_url(project), {"q": "nothing like this"})
    assert "No rows match." in response.content.decode()


def test_it_paginates_after_fifty_rows(pm_client, project):
    Issue.objects.bulk_create(
        [Issue(project=project, title=f"Issue {n:03d}", number=n) for n in range(1, 53)]
    )
    first = pm_client.get(list_url(project))
    assert len(first.context["rows"]) == 50
    assert first.context["page"].paginator.num_pages == 2
    html = first.content.decode()
    assert "52 rows" in html
    assert "Page 1 of 2" in html
    assert "page=2" in html
    second = pm_client.get(list_url(project), {"page": 2})
    assert titles(second) == ["Issue 002", "Issue 001"]
    # Filters survive paging.
    filtered = pm_client.get(list_url(project), {"q": "Issue", "sort": "title", "page": 2})
    assert titles(filtered) == ["Issue 051", "Issue 052"]
    assert "q=Issue" in filtered.content.decode()
    # A page number out of range shows the last page.
    assert titles(pm_client.get(list_url(project), {"page": 99})) == ["Issue 002", "Issue 001"]


def test_the_escalated_quick_view(pm_client, project, issues):
    response = pm_client.get(list_url(project), {"view": "escalated"})
    rows = {row["obj"].title: row["obj"].escalation for row in response.context["rows"]}
    # Critical 1 day late -> sponsor; high 5 days late -> steering committee; the closed one and the
    # low one without due date do not escalate.
    assert rows == {"Alpha data load": EscalateTo.STEERING, "销售报表不一致": EscalateTo.SPONSOR}
    html = response.content.decode()
    assert "Executive sponsor" in html
    assert "Steering committee" in html
    assert titles(pm_client.get(list_url(project), {"view": "open"})) == ["销售报表不一致", "Alpha data load", "Bravo interface"]


def test_an_htmx_request_gets_the_table_only(pm_client, project, issues):
    response = pm_client.get(
        list_url(project), {"q": "alpha"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="register-table"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="register-table">')
    assert "<html" not in html
    assert "<nav class=\"sidebar\"" not in html
    assert "Alpha data load" in html
    assert "Bravo interface" not in html
    # Another target (or a plain request) gets the full page.
    full = pm_client.get(list_url(project), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="main").content.decode()
    assert "<html" in full


def test_the_list_shows_only_this_projects_rows(pm_client, project, other_project, issues):
    Issue.objects.create(project=other_project, title="Not ours")
    assert "Not ours" not in titles(pm_client.get(list_url(project)))
    assert pm_client.get(reverse(LIST, kwargs={"project": other_project.pk})).status_code == 404


def test_the_list_query_count_does_not_grow_with_rows(pm_client, project, users, django_assert_max_num_queries):
    def make(n, start):
        Issue.objects.bulk_create(
            [Issue(project=project, title=f"Row {k}", number=k, owner=users["member"]) for k in range(start, start + n)]
        )

    make(5, 1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        pm_client.get(list_url(project))
    make(40, 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        pm_client.get(list_url(project))


# --- core/tabular.py --------------------------------------------------------------------------


def test_decode_prefers_a_bom_and_reports_the_encoding():
    assert tabular.decode_csv_bytes("标题\n".encode("utf-8-sig"), "a.csv") == ("标题\n", "utf-8")
    assert tabular.decode_csv_bytes("标题\n".encode("utf-16"), "a.csv") == ("标题\n", "utf-16")
    assert tabular.decode_csv_bytes("標題,狀態\n客戶資料遷移\n".encode("big5"), "a.csv")[1] == "big5"
    assert tabular.decode_csv_bytes("标题,状态\n客户数据迁移\n".encode("gbk"), "a.csv")[1] == "gb18030"


@pytest.mark.django_db
def test_decode_names_the_file_when_nothing_fits():
    with pytest.raises(tabular.FileProblem, match="junk.csv"):
        tabular.decode_csv_bytes(b"\xff\xfe\xfd" * 10 + b"\x80\x80\xff", "junk.csv")


def test_read_csv_sniffs_semicolons_and_tabs():
    rows, _ = tabular.read_csv(b"Title;Priority\nA;High\n", "semi.csv")
    assert rows == [["Title", "Priority"], ["A", "High"]]
    rows, _ = tabular.read_csv(b"Title\tPriority\nA\tHigh\n", "tab.csv")
    assert rows == [["Title", "Priority"], ["A", "High"]]


@pytest.mark.django_db
def test_read_table_drops_trailing_empty_rows_and_refuses_empty_files():
    rows, used = tabular.read_table(b"Title\nA\n,\n\n", "x.csv")
    assert rows == [["Title"], ["A"]]
    assert used == "utf-8"
    with pytest.raises(tabular.FileProblem, match="empty.csv"):
        tabular.read_table(b"", "empty.csv")
    with pytest.raises(tabular.FileProblem, match="notes.docx"):
        tabular.read_table(b"hello", "notes.docx")


@pytest.mark.django_db
@override_settings(IMPORT_MAX_ROWS=3)
def test_read_table_refuses_too_many_rows():
    with pytest.raises(tabular.FileProblem, match="rows.csv"):
        tabular.read_table(b"Title\n1\n2\n3\n4\n", "rows.csv")


@pytest.mark.django_db
def test_the_bomb_check_looks_at_the_ratio_and_the_total():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (3 * 1024 * 1024))
    data = buffer.getvalue()
    with pytest.raises(tabular.FileProblem, match="times larger"):
        tabular.check_xlsx_bomb(data, "bomb.xlsx")
    with override_settings(XLSX_MAX_RATIO=10**9, XLSX_MAX_UNCOMPRESSED_BYTES=2 * 1024 * 1024):
        with pytest.raises(tabular.FileProblem, match="unpacks to 3 MB"):
            tabular.check_xlsx_bomb(data, "bomb.xlsx")
    with override_settings(XLSX_MAX_RATIO=10**9):
        tabular.check_xlsx_bomb(data, "fine.xlsx")
    with pytest.raises(tabular.FileProblem, match="not a valid XLSX"):
        tabular.check_xlsx_bomb(b"PK\x03\x04 broken", "broken.xlsx")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (3.5, 3.5),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert tabular.neutralise(value) == expected


def test_write_csv_starts_with_a_bom_and_neutralises():
    data = tabular.write_csv(["Title"], [["=cmd"], [None], [7]])
    assert data.startswith("\ufeff".encode())
    assert data.decode("utf-8-sig").splitlines() == ["Title", "'=cmd", '""', "7"]
