"""Register exports: CSV and XLSX, with the list's filters, in the reader's language, safe to open."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from projectcrm.governance.choices import IssueStatus, Priority
from projectcrm.governance.models import Issue
from projectcrm.governance.registers import IssueRegister

pytestmark = pytest.mark.django_db


def export_url(project, fmt):
    return reverse("governance:issues-export", kwargs={"project": project.pk, "fmt": fmt})


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())  # BOM: Excel reads Chinese right
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def read_xlsx(response):
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    return openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]


def xlsx_rows(response) -> list[list]:
    return [list(row) for row in read_xlsx(response).iter_rows(values_only=True)]


@pytest.fixture
def issues(project, users):
    today = timezone.localdate()
    return {
        "open": Issue.objects.create(
            project=project, title="Open data issue", description="客户主数据重复", priority=Priority.HIGH,
            owner=users["pm"], due_date=today + datetime.timedelta(days=5),
        ),
        "progress": Issue.objects.create(
            project=project, title="Interface timeout", priority=Priority.MEDIUM, status=IssueStatus.IN_PROGRESS,
        ),
        "closed": Issue.objects.create(
            project=project, title="Old data issue", priority=Priority.LOW, status=IssueStatus.CLOSED,
            resolution="Fixed", raised_on=today - datetime.timedelta(days=10),
        ),
        "escalated": Issue.objects.create(
            project=project, title="Vendor silent", priority=Priority.CRITICAL,
            due_date=today - datetime.timedelta(days=2),
        ),
    }


def titles_of(rows, header=None):
    header = header or rows[0]
    column = header.index("Title")
    return sorted(row[column] for row in rows[1:])


def test_it_exports_csv_with_every_column(pm_client, project, issues, users):
    response = pm_client.get(export_url(project, "csv"))
    assert response["Content-Disposition"].startswith('attachment; filename="issues-')
    assert response["Content-Disposition"].endswith('.csv"')
    rows = read_csv(response)
    assert rows[0] == IssueRegister.export_headers()
    assert rows[0][:5] == ["ID", "Version", "Reference", "Title", "Description"]
    assert len(rows) == 1 + len(issues)
    by_id = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    first = by_id[str(issues["open"].pk)]
    assert first["Reference"] == issues["open"].ref
    assert first["Title"] == "Open data issue"
    assert first["Description"] == "客户主数据重复"
    assert first["Priority"] == "High"
    assert first["Owner"] == "pm"
    assert first["Due date"] == issues["open"].due_date.isoformat()


def test_it_exports_xlsx_with_numbers_and_text(pm_client, project, issues):
    response = pm_client.get(export_url(project, "xlsx"))
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = read_xlsx(response)
    assert sheet.title == "Issue log"
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == IssueRegister.export_headers()
    assert sheet["A1"].font.bold
    assert sorted(row[0] for row in rows[1:]) == sorted(i.pk for i in issues.values())
    assert all(isinstance(row[0], int) for row in rows[1:])
    assert titles_of(rows) == sorted(i.title for i in issues.values())


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_applies_filters_search_and_quick_views(pm_client, project, issues, fmt):
    def titles(query):
        response = pm_client.get(export_url(project, fmt) + query)
        rows = read_csv(response) if fmt == "csv" else xlsx_rows(response)
        return titles_of(rows)

    assert titles("?status=open") == ["Open data issue", "Vendor silent"]
    assert titles("?q=data") == ["Old data issue", "Open data issue"]
    assert titles("?q=data&status=closed") == ["Old data issue"]
    assert titles("?q=主数据") == ["Open data issue"]
    assert titles("?priority=medium") == ["Interface timeout"]
    assert titles("?view=escalated") == ["Vendor silent"]
    assert titles("?q=nothing-matches") == []


def test_the_export_follows_the_sort(pm_client, project, issues):
    rows = read_csv(pm_client.get(export_url(project, "csv") + "?sort=title"))
    assert [row[3] for row in rows[1:]] == sorted(i.title for i in issues.values())
    rows = read_csv(pm_client.get(export_url(project, "csv") + "?sort=-title"))
    assert [row[3] for row in rows[1:]] == sorted((i.title for i in issues.values()), reverse=True)


def zh_headers():
    with translation.override("zh-hans"):
        return IssueRegister.export_headers()


def assert_chinese_if_catalogued(headers):
    with translation.override("zh-hans"):
        translated = str(Issue._meta.get_field("title").verbose_name) != "title"
    if translated:
        assert any(ord(c) > 127 for c in "".join(headers[1:]))
        # The test client's request leaves its language active in this thread: ask for English.
        with translation.override("en"):
            assert headers != IssueRegister.export_headers()


def test_headers_follow_the_language_cookie(pm_client, project, issues):
    # LocaleMiddleware takes the language from the django_language cookie before Accept-Language.
    pm_client.cookies["django_language"] = "zh-hans"
    rows = read_csv(pm_client.get(export_url(project, "csv"), HTTP_ACCEPT_LANGUAGE="en"))
    assert rows[0] == zh_headers()
    assert rows[0][0] == "ID"
    assert_chinese_if_catalogued(rows[0])
    assert xlsx_rows(pm_client.get(export_url(project, "xlsx")))[0] == zh_headers()


def test_headers_follow_accept_language(pm_client, project, issues):
    rows = read_csv(pm_client.get(export_url(project, "csv"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9"))
    assert rows[0] == zh_headers()
    assert_chinese_if_catalogued(rows[0])
    english = read_csv(pm_client.get(export_url(project, "csv"), HTTP_ACCEPT_LANGUAGE="en-GB"))
    assert english[0] == IssueRegister.export_headers()


def test_the_set_language_view_switches_the_export(pm_client, project, issues):
    pm_client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    rows = read_csv(pm_client.get(export_url(project, "csv")))
    assert rows[0] == zh_headers()


DANGEROUS = ["=1+1", "+SUM(A1:A9)", "-2+3", "@cmd", "\tTabbed", "\rCarriage", "=HYPERLINK(\"http://x\",\"y\")"]


@pytest.fixture
def dangerous(project):
    return [
        Issue.objects.create(project=project, title=title, description=f"@desc {n}")
        for n, title in enumerate(DANGEROUS)
    ]


def test_csv_export_neutralises_formulas(pm_client, project, dangerous):
    rows = read_csv(pm_client.get(export_url(project, "csv")))
    header = rows[0]
    by_id = {int(row[0]): dict(zip(header, row, strict=True)) for row in rows[1:]}
    for issue in dangerous:
        assert by_id[issue.pk]["Title"] == "'" + issue.title
        assert by_id[issue.pk]["Description"] == "'" + issue.description
    # Ordinary text is left alone.
    assert all(row["Priority"] == "Medium" for row in by_id.values())


def test_xlsx_export_neutralises_formulas(pm_client, project, dangerous):
    sheet = read_xlsx(pm_client.get(export_url(project, "xlsx")))
    header = [cell.value for cell in sheet[1]]
    title_col = header.index("Title") + 1
    seen = {}
    for row in sheet.iter_rows(min_row=2):
        cell = row[title_col - 1]
        assert cell.data_type == "s"  # a string, never "f" (formula)
        assert isinstance(cell.value, str)
        seen[row[0].value] = cell.value
    for issue in dangerous:
        # XML turns a bare CR into LF when the file is read back; the apostrophe is what matters.
        assert seen[issue.pk] == "'" + issue.title.replace("\r", "\n")
        assert not seen[issue.pk].startswith("=")
    # Reading with data_only=False would return formulas as "=..." strings: none are there.
    workbook = openpyxl.load_workbook(io.BytesIO(pm_client.get(export_url(project, "xlsx")).content))
    for row in workbook.worksheets[0].iter_rows():
        for cell in row:
            assert cell.data_type != "f"


def test_a_viewer_may_export_and_an_outsider_may_not(client_for, project, issues):
    assert client_for("viewer").get(export_url(project, "csv")).status_code == 200
    assert client_for("outsider").get(export_url(project, "csv")).status_code == 404
    response = client_for("anonymous").get(export_url(project, "xlsx"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_an_export_holds_only_this_projects_rows(pm_client, project, other_project, issues):
    Issue.objects.create(project=other_project, title="Secret of another project")
    rows = read_csv(pm_client.get(export_url(project, "csv")))
    assert "Secret of another project" not in titles_of(rows)
    assert len(rows) == 1 + len(issues)


def test_blank_template_has_the_headings_only(client_for, project):
    import io

    import openpyxl

    response = client_for("member").get(f"/p/{project.pk}/governance/issues/export.xlsx?template=1")
    assert response.status_code == 200
    assert "issues-template.xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 1
    assert [c.value for c in sheet[1]][:4] == ["ID", "Version", "Reference", "Title"]
