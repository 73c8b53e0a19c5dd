"""Usage import (training/usage.py): CSV and XLSX, every bad cell named, all or nothing, encodings,
duplicates, replacement of the same person and day, and the weekly sums.

People of the project: Ann (CRM user name "ann.lee"), Bob (no CRM user name, e-mail Bob@Example.com),
张三 (CRM user name "张三"). Files name them by CRM user name or e-mail, in any case.
"""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from projectcrm.core.choices import ImportStatus
from training import usage
from training.models import Department, JobRole, Trainee, UsageImport, UsageRecord

pytestmark = pytest.mark.django_db

HEADER = "user,date,logins,accounts_created,contacts_updated,completeness\n"


@pytest.fixture(autouse=True)
def fresh_cache():
    usage.clear_cache()
    yield
    usage.clear_cache()


@pytest.fixture
def people(project):
    sales = Department.objects.create(project=project, name="Sales")
    rep = JobRole.objects.create(project=project, name="Rep")
    return {
        "ann": Trainee.objects.create(project=project, name="Ann", department=sales, job_role=rep, crm_username="ann.lee"),
        "bob": Trainee.objects.create(project=project, name="Bob", department=sales, job_role=rep, email="Bob@Example.com"),
        "zhang": Trainee.objects.create(project=project, name="张三", department=sales, job_role=rep, crm_username="张三"),
    }


def upload(client, project, content: bytes, name: str = "usage.csv"):
    url = reverse("training:usage-import", kwargs={"project": project.pk})
    handle = io.BytesIO(content)
    handle.name = name
    return client.post(url, {"file": handle})


def last_job(project) -> UsageImport:
    return UsageImport.objects.filter(project=project).order_by("-pk").first()


def rows_of(project) -> dict:
    return {
        (r.person, r.day.isoformat()): r
        for r in UsageRecord.objects.filter(project=project)
    }


def import_text(project, text: str, name: str = "usage.csv", encoding: str = "utf-8", today=None) -> UsageImport:
    job = usage.create_import(project, None, name, text.encode(encoding))
    return usage.run_import(job.pk, "en", today=today)


# --- Happy paths ---------------------------------------------------------------------------------


def test_it_imports_a_csv_through_the_page(project, people, client_for):
    client = client_for("trainer")
    content = (
        HEADER
        + "ann.lee,2025-03-03,2,1,4,0.9\n"
        + "BOB@example.com,2025-03-04,1,0,,85\n"  # e-mail in another case; empty cell = 0; 85 = 85 %
        + " Ann.Lee ,2025-03-05,0,0,0,\n"  # spaces and case do not matter; no completeness
        + "stranger,2025-03-05,3,0,0,1\n"  # matches no trainee: kept under its own name
    ).encode()
    response = upload(client, project, content)
    job = last_job(project)
    assert response.status_code == 302
    assert response["Location"] == reverse("training:usage-import-job", kwargs={"project": project.pk, "pk": job.pk})
    assert job.status == ImportStatus.DONE, job.error
    assert job.total_rows == 4
    assert (job.first_day, job.last_day) == (datetime.date(2025, 3, 3), datetime.date(2025, 3, 5))
    assert job.user.username == "trainer"
    stored = rows_of(project)
    assert set(stored) == {("ann.lee", "2025-03-03"), ("bob@example.com", "2025-03-04"), ("ann.lee", "2025-03-05"),
                           ("stranger", "2025-03-05")}
    ann = stored[("ann.lee", "2025-03-03")]
    assert (ann.logins, ann.accounts_created, ann.contacts_updated, ann.completeness) == (2, 1, 4, 0.9)
    assert ann.week == datetime.date(2025, 3, 3)  # a Monday
    assert ann.cases_updated == 0 and ann.opportunities_created == 0  # columns the file lacks
    assert ann.batch_id == job.pk
    bob = stored[("bob@example.com", "2025-03-04")]
    assert (bob.logins, bob.contacts_updated, bob.completeness) == (1, 0, 0.85)
    assert stored[("ann.lee", "2025-03-05")].completeness is None
    assert stored[("stranger", "2025-03-05")].completeness == 1.0  # 1 means 100 %
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "Imported 4 rows covering 2025-03-03 to 2025-03-05." in text
    assert "1 user name matches no trainee" in text and "stranger" in text


def test_counts_are_stored_as_numbers(project, people):
    job = import_text(project, HEADER + "ann.lee,2025-03-03,12,3.0,7,50%\n")
    assert job.status == ImportStatus.DONE
    record = UsageRecord.objects.get(project=project)
    assert (record.logins, record.accounts_created, record.contacts_updated, record.completeness) == (12, 3, 7, 0.5)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT typeof(logins), typeof(accounts_created) FROM training_usagerecord")
            assert cursor.fetchone() == ("integer", "integer")


def test_it_imports_an_xlsx_with_date_cells_and_serial_numbers(project, people, client_for):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["User", "Date", "Logins", "Cases_Created", "Cases Updated", "Completeness"])
    sheet.append(["ann.lee", datetime.datetime(2025, 3, 3), 2, 1, 0, 0.75])
    sheet.append(["bob@example.com", 45720, 1, 0, 3.0, None])  # 45720 = 2025-03-04 as an Excel serial
    sheet.append([None, None, None, None, None, None])  # an empty row is skipped
    sheet.append(["张三", "2025-03-09", 4, 0, 0, 90])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload(client_for("pm"), project, buffer.getvalue(), "usage.xlsx")
    job = last_job(project)
    assert job.status == ImportStatus.DONE, job.error
    assert job.total_rows == 3
    assert (job.first_day, job.last_day) == (datetime.date(2025, 3, 3), datetime.date(2025, 3, 9))
    stored = rows_of(project)
    assert stored[("ann.lee", "2025-03-03")].cases_created == 1
    assert stored[("ann.lee", "2025-03-03")].completeness == 0.75
    assert stored[("bob@example.com", "2025-03-04")].cases_updated == 3
    assert stored[("张三", "2025-03-09")].completeness == 0.9
    assert stored[("张三", "2025-03-09")].week == datetime.date(2025, 3, 3)  # Sunday: the week of the Monday before


def test_a_later_import_replaces_the_same_person_and_day(project, people):
    first = import_text(project, HEADER + "ann.lee,2025-03-03,2,1,4,0.9\nann.lee,2025-03-04,1,1,1,0.5\n"
                                        "bob@example.com,2025-03-03,5,0,0,\n")
    second = import_text(project, "user,date,logins\nann.lee,2025-03-03,7\nann.lee,2025-03-05,1\n")
    assert first.status == second.status == ImportStatus.DONE
    stored = rows_of(project)
    assert len(stored) == 4
    replaced = stored[("ann.lee", "2025-03-03")]
    # The whole row is replaced: the columns the new file lacks are 0 (or no completeness).
    assert (replaced.logins, replaced.accounts_created, replaced.contacts_updated, replaced.completeness) == (7, 0, 0, None)
    assert replaced.batch_id == second.pk
    assert stored[("ann.lee", "2025-03-04")].logins == 1  # another day: kept
    assert stored[("ann.lee", "2025-03-04")].batch_id == first.pk
    assert stored[("bob@example.com", "2025-03-03")].logins == 5  # another person: kept
    assert stored[("ann.lee", "2025-03-05")].logins == 1
    assert usage.covered_period(project) == (datetime.date(2025, 3, 3), datetime.date(2025, 3, 5))


def test_chinese_headers_of_both_scripts_are_accepted(project, people):
    simplified = "用户,日期,登录次数,新建客户,更新服务工单,数据完整度\n张三,2025-03-03,3,1,2,80\n"
    job = import_text(project, simplified)
    assert job.status == ImportStatus.DONE, job.error
    record = UsageRecord.objects.get(project=project)
    assert (record.person, record.logins, record.accounts_created, record.cases_updated, record.completeness) == (
        "张三", 3, 1, 2, 0.8)
    traditional = "用戶,日期,登入次數,新建客戶,資料完整度\n張三,2025-03-04,1,0,0.5\n"
    assert import_text(project, traditional).status == ImportStatus.DONE


# --- Encodings ------------------------------------------------------------------------------------


def test_utf8_with_bom_and_gbk_with_chinese_names(project, people):
    bom = "\ufeff" + HEADER + "张三,2025-03-03,2,0,0,\n"
    job = import_text(project, bom, encoding="utf-8")
    assert job.status == ImportStatus.DONE, job.error
    assert usage.report_of(job)["encoding"] == "utf-8"
    gbk = "用户,日期,登录次数\n张三,2025-03-04,5\n李四,2025-03-04,1\n"
    job = import_text(project, gbk, encoding="gbk")
    assert job.status == ImportStatus.DONE, job.error
    assert usage.report_of(job)["encoding"] == "gb18030"
    assert UsageRecord.objects.get(project=project, person="张三", day="2025-03-04").logins == 5
    report = usage.report_of(job)
    assert report["unmatched"] == ["李四"] and report["unmatched_count"] == 1


# --- Bad files: every problem named, nothing saved ---------------------------------------------------


def test_every_bad_cell_is_named_and_nothing_is_saved(project, people, client_for):
    content = (
        HEADER
        + "ann.lee,2025-03-03,2,1,4,0.9\n"  # row 2: fine
        + "ann.lee,2025-03-04,-1,x,2.5,\n"  # row 3: three bad counts
        + "bob@example.com,2025-02-30,1,0,0,\n"  # row 4: no such day
        + "bob@example.com,2025-03-05,1,0,0,150\n"  # row 5: completeness above 100
        + ",2025-03-05,1,0,0,\n"  # row 6: no user
        + "ann.lee,2099-01-01,1,0,0,\n"  # row 7: in the future
        + "ann.lee,2025-03-06,1,0,0,0.5,extra\n"  # row 8: a cell beyond the header
    ).encode()
    upload(client_for("trainer"), project, content)
    job = last_job(project)
    assert job.status == ImportStatus.INVALID
    assert not UsageRecord.objects.filter(project=project).exists()
    problems = [(p["row"], p["column"], p["message"]) for p in usage.report_of(job)["problems"]]
    assert problems == [
        (3, "logins", "“-1” is not a whole number from 0 to 2147483647."),
        (3, "accounts_created", "“x” is not a whole number from 0 to 2147483647."),
        (3, "contacts_updated", "“2.5” is not a whole number from 0 to 2147483647."),
        (4, "date", "“2025-02-30” is not a date: write YYYY-MM-DD or use an Excel date."),
        (5, "completeness",
         "“150” is not a completeness: give a fraction from 0 to 1 or a percentage from 0 to 100."),
        (6, "user", "The user is empty."),
        (7, "date", "2099-01-01 is in the future."),
        (8, "Row", "This row has 7 cells; the header has 6."),
    ]
    assert usage.report_of(job)["problem_count"] == 8
    page = client_for("viewer").get(reverse("training:usage-import-job", kwargs={"project": project.pk, "pk": job.pk}))
    text = page.content.decode()
    assert "The file has 8 problems; nothing was saved." in text
    assert "“-1” is not a whole number" in text


def test_a_bad_file_leaves_earlier_rows_alone(project, people):
    import_text(project, HEADER + "ann.lee,2025-03-03,2,1,4,0.9\n")
    job = import_text(project, HEADER + "ann.lee,2025-03-03,9,9,9,0.1\nann.lee,2025-03-04,oops,0,0,\n")
    assert job.status == ImportStatus.INVALID
    assert UsageRecord.objects.get(project=project).logins == 2


def test_duplicate_person_days_are_errors(project, people):
    job = import_text(project, HEADER + "ann.lee,2025-03-03,1,0,0,\nbob@example.com,2025-03-03,1,0,0,\n"
                                        "ANN.LEE,2025-03-03,2,0,0,\n")
    assert job.status == ImportStatus.INVALID
    assert [(p["row"], p["column"], p["message"]) for p in usage.report_of(job)["problems"]] == [
        (4, "user", "ann.lee on 2025-03-03 is already on row 2: one row per person and day."),
    ]
    assert not UsageRecord.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("user,date,logins,calls\nann.lee,2025-03-03,1,2\n",
         "usage.csv: the column(s) “calls” are not usage columns. Known columns: user, date, logins,"),
        ("user,logins\nann.lee,1\n", "usage.csv lacks the column(s) “date”."),
        ("user,date,logins,Logins\nann.lee,2025-03-03,1,2\n", "usage.csv: the column(s) “Logins” appear twice."),
        ("user,date,logins\n", "usage.csv has no data rows."),
        ("", "usage.csv is empty."),
    ],
)
def test_file_problems_are_named(project, people, text, message):
    job = import_text(project, text)
    assert job.status == ImportStatus.INVALID
    assert message in usage.report_of(job)["file_error"]


def test_a_file_that_is_too_big_is_refused_before_it_is_stored(project, people, client_for):
    with override_settings(USAGE_IMPORT_MAX_BYTES=100):
        response = upload(client_for("pm"), project, (HEADER + "ann.lee,2025-03-03,1,0,0,\n" * 5).encode())
    assert response.status_code == 200
    assert "the limit is 0.0 MB" in response.content.decode()
    assert not UsageImport.objects.exists()


def test_other_file_types_and_binary_files_are_refused(project, people):
    assert "only .csv and .xlsx" in usage.report_of(import_text(project, "x", name="usage.pdf"))["file_error"]
    job = usage.run_import(usage.create_import(project, None, "usage.csv", b"user,date\x00\n").pk)
    assert "binary data" in usage.report_of(job)["file_error"]


# --- Details of reading ------------------------------------------------------------------------------


def test_dates_and_completeness_rules():
    assert usage.to_date("2025-03-03") == datetime.date(2025, 3, 3)
    assert usage.to_date("2025/3/3") == datetime.date(2025, 3, 3)
    assert usage.to_date("2025-03-03 00:00:00") == datetime.date(2025, 3, 3)
    assert usage.to_date("45719") == datetime.date(2025, 3, 3)  # Excel serial as text
    assert usage.to_date(45719.0) == datetime.date(2025, 3, 3)
    assert usage.to_date("5") is None and usage.to_date("03/03/2025") is None and usage.to_date("2025-13-01") is None
    assert usage.to_completeness("0.5") == (True, 0.5)
    assert usage.to_completeness("1") == (True, 1.0)  # a fraction: 100 %
    assert usage.to_completeness("1%") == (True, 0.01)
    assert usage.to_completeness("50") == (True, 0.5)
    assert usage.to_completeness(" 12.5 % ") == (True, 0.125)
    assert usage.to_completeness("") == (True, None)
    assert usage.to_completeness("101")[0] is False and usage.to_completeness("-0.1")[0] is False
    assert usage.to_completeness("nan")[0] is False
    assert usage.to_count("") == 0 and usage.to_count("007") == 7 and usage.to_count("3.0") == 3
    assert usage.to_count("2147483648") is None and usage.to_count(True) is None


def test_blank_lines_semicolons_and_the_fast_and_slow_paths_agree(project, people):
    text = "user;date;logins;accounts_created\r\nann.lee;2025-03-03;3;1\r\n\r\nann.lee;2025-03-04;3.0;01\r\n"
    job = import_text(project, text)
    assert job.status == ImportStatus.DONE, job.error
    assert job.total_rows == 2
    first, second = UsageRecord.objects.filter(project=project).order_by("day")
    assert (first.logins, first.accounts_created) == (second.logins, second.accounts_created) == (3, 1)


def test_progress_is_reported_while_reading(project, people, monkeypatch):
    monkeypatch.setattr(usage, "BATCH_ROWS", 2)
    seen = []
    text = "user,date,logins\n" + "".join(f"ann.lee,2025-03-{d:02d},1\n" for d in range(1, 8))
    parsed = usage.read_file(text.encode(), "usage.csv", project, on_progress=seen.append, on_total=seen.append)
    assert not parsed.file_error and parsed.row_count == 7
    assert seen == [7, 2, 4, 6]  # the estimate first, then every 2 rows read


def test_rows_are_limited(project, people):
    with override_settings(USAGE_IMPORT_MAX_ROWS=2):
        job = import_text(project, "user,date,logins\n" + "".join(f"ann.lee,2025-03-0{d},1\n" for d in range(1, 4)))
    assert "more than 2 rows" in usage.report_of(job)["file_error"]


def test_a_job_runs_once(project, people):
    job = import_text(project, HEADER + "ann.lee,2025-03-03,2,1,4,0.9\n")
    again = usage.run_import(job.pk)
    assert again.status == ImportStatus.DONE
    assert UsageRecord.objects.count() == 1


def test_the_weekly_sums(project, people):
    import_text(project, "user,date,logins,accounts_created,cases_updated,completeness\n"
                         "ann.lee,2025-03-03,2,1,1,0.8\nann.lee,2025-03-09,1,2,0,\nann.lee,2025-03-10,1,0,0,0.4\n"
                         "bob@example.com,2025-03-05,0,0,3,0.6\n")
    rows = sorted(usage.weekly_usage(project))
    assert rows == [
        # (person, week, logins, records, completeness sum, days with a completeness)
        ("ann.lee", datetime.date(2025, 3, 3), 3, 4, pytest.approx(0.8), 1),  # Sunday the 9th is in this week
        ("ann.lee", datetime.date(2025, 3, 10), 1, 0, pytest.approx(0.4), 1),
        ("bob@example.com", datetime.date(2025, 3, 3), 0, 3, pytest.approx(0.6), 1),
    ]
    assert sorted(usage.weekly_usage(project, since=datetime.date(2025, 3, 10))) == [rows[1]]
    assert usage.week_usage(rows)[0] == ("ann.lee", datetime.date(2025, 3, 3), 3, 4, 0, pytest.approx(0.8))


# --- The import pages -------------------------------------------------------------------------------------


def test_the_import_page_lists_past_imports_and_offers_a_template(project, people, client_for):
    job = import_text(project, HEADER + "ann.lee,2025-03-03,2,1,4,0.9\n")
    page = client_for("viewer").get(reverse("training:usage-import", kwargs={"project": project.pk}))
    text = page.content.decode()
    assert page.status_code == 200
    assert job.filename in text and "2025-03-03 – 2025-03-03" in text
    assert 'name="file"' not in text  # a viewer may not import
    assert 'name="file"' in client_for("trainer").get(page.request["PATH_INFO"]).content.decode()
    template = client_for("viewer").get(reverse("training:usage-import", kwargs={"project": project.pk}) + "?template=1")
    assert template["Content-Type"].startswith("text/csv")
    assert template.content.decode("utf-8-sig").startswith("user,date,logins,accounts_created")


def test_the_job_page_polls_while_running(project, people, client_for):
    job = usage.create_import(project, None, "usage.csv", b"user,date,logins\n")
    url = reverse("training:usage-import-job", kwargs={"project": project.pk, "pk": job.pk})
    text = client_for("member").get(url).content.decode()
    assert 'hx-trigger="every 1s"' in text and "Waiting for the background worker" in text
    fragment = client_for("member").get(url, headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<div id="usage-import-status"')
    UsageImport.objects.filter(pk=job.pk).update(status=ImportStatus.VALIDATING, total_rows=200, processed_rows=50)
    text = client_for("member").get(url).content.decode()
    assert "Reading and checking: 50 of about 200 rows." in text and 'aria-valuenow="25"' in text


def test_import_rights(project, people, client_for, other_project):
    url = reverse("training:usage-import", kwargs={"project": project.pk})
    content = (HEADER + "ann.lee,2025-03-03,2,1,4,0.9\n").encode()
    for role in ("pm", "trainer"):
        assert upload(client_for(role), project, content).status_code == 302
    for role in ("member", "viewer", "steering", "evaluator"):
        assert upload(client_for(role), project, content).status_code == 403
        assert client_for(role).get(url).status_code == 200
    assert client_for("outsider").get(url).status_code == 404
    job = last_job(project)
    foreign = reverse("training:usage-import-job", kwargs={"project": other_project.pk, "pk": job.pk})
    assert client_for("pm").get(foreign).status_code == 404
    assert UsageImport.objects.filter(project=project).count() == 2
