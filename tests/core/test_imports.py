"""Register imports through the real pages: upload, job page (validation preview), apply.

Tasks run immediately under pytest, so the upload's redirect lands on a validated job.
"""

import csv
import datetime
import io
import random
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from projectcrm.core.choices import ImportStatus
from projectcrm.core.models import ImportJob
from projectcrm.governance.choices import IssueStatus, Priority
from projectcrm.governance.models import Issue
from projectcrm.governance.registers import IssueRegister

pytestmark = pytest.mark.django_db

HEADERS = ["Title", "Description", "Priority", "Status", "Owner", "Raised on", "Due date"]


def issue_rows(titles, owner="pm"):
    return [[t, f"about {i}", "High", "Open", owner, "2025-03-01", "2025-04-01"] for i, t in enumerate(titles)]


def csv_text(headers, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue()


def xlsx_bytes(headers, rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def url(project, view, **kwargs):
    return reverse(f"governance:issues-{view}", kwargs={"project": project.pk, **kwargs})


def upload(client, project, filename, data, encoding=""):
    """Upload a file; returns (response, job or None)."""
    before = set(ImportJob.objects.values_list("pk", flat=True))
    file = io.BytesIO(data)
    file.name = filename
    response = client.post(url(project, "import"), {"file": file, "encoding": encoding})
    new = ImportJob.objects.exclude(pk__in=before)
    job = new.get() if new.exists() else None
    if job is not None:
        assert response.status_code == 302
        assert response["Location"] == url(project, "import-job", job=job.pk)
    return response, job


def apply(client, project, job):
    response = client.post(url(project, "import-apply", job=job.pk))
    assert response.status_code == 302
    job.refresh_from_db()
    return job


def import_and_apply(client, project, filename, data, encoding=""):
    _response, job = upload(client, project, filename, data, encoding)
    assert job is not None
    job.refresh_from_db()
    assert job.status == ImportStatus.VALID, (job.file_error, job.row_errors)
    page = client.get(url(project, "import-job", job=job.pk))
    assert page.status_code == 200
    assert "Confirm import" in page.content.decode()
    job = apply(client, project, job)
    assert job.status == ImportStatus.DONE, (job.file_error, job.row_errors)
    return job


def history_count():
    return Issue.history.count()


# --- Encodings --------------------------------------------------------------------------------

SIMPLIFIED = ["客户数据迁移延迟", "销售团队不愿使用新系统", "报表口径尚未统一"]
TRADITIONAL = ["客戶資料遷移延遲", "業務團隊不願使用新系統", "報表口徑尚未統一"]


@pytest.mark.parametrize(
    ("label", "titles", "encode", "detected"),
    [
        ("utf-8", SIMPLIFIED, lambda text: text.encode("utf-8"), "utf-8"),
        ("utf-8 with BOM", TRADITIONAL, lambda text: text.encode("utf-8-sig"), "utf-8"),
        ("gbk", SIMPLIFIED, lambda text: text.encode("gbk"), "gb18030"),
        # 𠮷 (U+20BB7) exists only in GB18030 (a four-byte sequence), not in GBK.
        ("gb18030", [*SIMPLIFIED, "𠮷野家门店数据"], lambda text: text.encode("gb18030"), "gb18030"),
        ("big5", TRADITIONAL, lambda text: text.encode("big5"), "big5"),
        ("utf-16", [*SIMPLIFIED, *TRADITIONAL], lambda text: text.encode("utf-16"), "utf-16"),
    ],
)
def test_it_imports_csv_in_every_encoding_detected_automatically(
    pm_client, project, users, label, titles, encode, detected
):
    data = encode(csv_text(HEADERS, issue_rows(titles)))
    if label == "utf-16":
        assert data[:2] in (b"\xff\xfe", b"\xfe\xff")
    job = import_and_apply(pm_client, project, f"issues-{label}.csv", data)
    assert job.detected_encoding == detected
    assert job.created_count == len(titles)
    saved = list(Issue.objects.filter(project=project).order_by("number").values_list("title", flat=True))
    assert saved == titles
    issue = Issue.objects.get(project=project, title=titles[0])
    assert issue.priority == Priority.HIGH
    assert issue.owner == users["pm"]
    assert issue.due_date == datetime.date(2025, 4, 1)
    assert issue.ref == "ISS-001"


def test_it_imports_with_a_chosen_encoding(pm_client, project):
    data = csv_text(HEADERS, issue_rows(TRADITIONAL)).encode("big5")
    job = import_and_apply(pm_client, project, "big5.csv", data, encoding="big5")
    assert job.detected_encoding == "big5"
    assert set(Issue.objects.values_list("title", flat=True)) == set(TRADITIONAL)


def test_it_names_the_file_when_a_chosen_encoding_does_not_fit(pm_client, project):
    data = csv_text(HEADERS, issue_rows(SIMPLIFIED)).encode("gbk")
    _response, job = upload(pm_client, project, "wrong.csv", data, encoding="utf-8")
    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID
    assert "wrong.csv" in job.file_error
    assert Issue.objects.count() == 0


def test_it_refuses_random_bytes_naming_the_file(pm_client, project):
    noise = bytes(random.Random(7).randrange(256) for _ in range(4000))
    _response, job = upload(pm_client, project, "noise.csv", noise)
    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID
    assert "noise.csv" in job.file_error
    page = pm_client.get(url(project, "import-job", job=job.pk)).content.decode()
    assert "noise.csv" in page
    assert "Confirm import" not in page
    assert Issue.objects.count() == 0
    assert history_count() == 0


def png_bytes() -> bytes:
    import struct
    import zlib

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00\x00\xff\x00" * 2)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@pytest.mark.parametrize("filename", ["picture.png", "picture-renamed.csv"])
def test_it_refuses_a_png_naming_the_file(pm_client, project, filename):
    _response, job = upload(pm_client, project, filename, png_bytes())
    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID
    assert filename in job.file_error
    page = pm_client.get(url(project, "import-job", job=job.pk)).content.decode()
    assert filename in page
    assert Issue.objects.count() == 0


@override_settings(IMPORT_MAX_BYTES=200)
def test_it_refuses_a_file_over_the_cap(pm_client, project):
    data = csv_text(HEADERS, issue_rows([f"Issue {n}" for n in range(20)])).encode()
    assert len(data) > 200
    response, job = upload(pm_client, project, "big.csv", data)
    assert job is None
    assert response.status_code == 200
    page = response.content.decode()
    assert "big.csv" in page
    assert "the limit is" in page
    assert Issue.objects.count() == 0


def bomb_xlsx(unpacked_mb: int) -> bytes:
    """A zip shaped like an XLSX whose sheet unpacks to `unpacked_mb` MB from a few KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        block = b"<row><c><v>0</v></c></row>" * 40000  # about 1 MB
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for _ in range(unpacked_mb):
                part.write(block)
    return buffer.getvalue()


def test_it_refuses_an_xlsx_decompression_bomb(pm_client, project):
    data = bomb_xlsx(25)
    assert len(data) < 1024 * 1024
    _response, job = upload(pm_client, project, "bomb.xlsx", data)
    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID
    assert "bomb.xlsx" in job.file_error
    assert "refused" in job.file_error
    page = pm_client.get(url(project, "import-job", job=job.pk)).content.decode()
    assert "bomb.xlsx" in page
    assert Issue.objects.count() == 0


@override_settings(XLSX_MAX_UNCOMPRESSED_BYTES=1024 * 1024, XLSX_MAX_RATIO=100000)
def test_it_refuses_an_xlsx_that_unpacks_beyond_the_total_cap(pm_client, project):
    _response, job = upload(pm_client, project, "large.xlsx", bomb_xlsx(3))
    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID
    assert "large.xlsx" in job.file_error
    assert "MB" in job.file_error
    assert Issue.objects.count() == 0


def test_it_imports_an_xlsx_written_by_openpyxl(pm_client, project, users):
    rows = [
        ["数据迁移延迟", "first", "Critical", "In progress", "steering", datetime.date(2025, 2, 1), datetime.date(2025, 2, 20)],
        ["Training rooms not booked", "", "low", "open", "Pm", datetime.date(2025, 2, 2), None],
    ]
    job = import_and_apply(pm_client, project, "issues.xlsx", xlsx_bytes(HEADERS, rows))
    assert job.detected_encoding == "xlsx"
    assert job.created_count == 2
    first = Issue.objects.get(title="数据迁移延迟")
    assert first.priority == Priority.CRITICAL
    assert first.status == IssueStatus.IN_PROGRESS
    assert first.owner == users["steering"]
    assert first.raised_on == datetime.date(2025, 2, 1)
    assert first.due_date == datetime.date(2025, 2, 20)
    second = Issue.objects.get(title="Training rooms not booked")
    assert second.due_date is None
    assert second.owner == users["pm"]


# --- Headings and choice labels in other languages ------------------------------------------


def localised_labels(language):
    fields = ["title", "priority", "status", "owner", "raised_on", "due_date"]
    with translation.override(language):
        headings = [str(Issue._meta.get_field(name).verbose_name) for name in fields]
        priorities = {value: str(label) for value, label in Priority.choices}
        statuses = {value: str(label) for value, label in IssueStatus.choices}
    return headings, priorities, statuses


def catalog_translates(language) -> bool:
    with translation.override(language):
        return str(Issue._meta.get_field("title").verbose_name) != "title"


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
def test_it_accepts_headings_and_choice_labels_in_chinese(pm_client, project, users, language):
    if not catalog_translates(language):
        pytest.skip(f"no {language} catalog compiled (locale/ has no .mo for it)")
    headings, priorities, statuses = localised_labels(language)
    assert any(ord(c) > 127 for c in "".join(headings))
    rows = [
        ["系统集成延误", priorities[Priority.CRITICAL], statuses[IssueStatus.ON_HOLD], "pm", "2025-05-01", "2025-05-09"],
        ["用户抵触", priorities[Priority.LOW], statuses[IssueStatus.OPEN], "member", "2025-05-02", ""],
    ]
    job = import_and_apply(pm_client, project, f"{language}.csv", csv_text(headings, rows).encode("utf-8"))
    assert job.created_count == 2
    first = Issue.objects.get(title="系统集成延误")
    assert (first.priority, first.status, first.owner) == (Priority.CRITICAL, IssueStatus.ON_HOLD, users["pm"])
    second = Issue.objects.get(title="用户抵触")
    assert (second.priority, second.status, second.owner) == (Priority.LOW, IssueStatus.OPEN, users["member"])


def test_the_header_map_knows_every_language_label():
    mapping = IssueRegister.header_map()
    for language in ("en", "zh-hans", "zh-hant"):
        headings, _priorities, _statuses = localised_labels(language)
        for heading in headings:
            assert heading.casefold() in mapping
    assert mapping["id"] == "id"
    assert mapping["due_date"] == "due_date"
    assert mapping["due date"] == "due_date"


def test_it_accepts_choice_values_as_labels_or_codes_in_any_case(pm_client, project):
    mixed = []
    for language in ("en", "zh-hans", "zh-hant"):
        _headings, priorities, statuses = localised_labels(language)
        mixed.append((priorities[Priority.HIGH], statuses[IssueStatus.IN_PROGRESS]))
    mixed += [("CRITICAL", "on_hold"), ("medium", "Open"), ("  Low ", "RESOLVED")]
    rows = [
        [f"Row {n}", "", priority, status, "", "2025-01-01", "", "fixed" if status == "RESOLVED" else ""]
        for n, (priority, status) in enumerate(mixed)
    ]
    headers = ["Title", "Description", "Priority", "Status", "Owner", "Raised on", "Due date", "Resolution"]
    import_and_apply(pm_client, project, "labels.csv", csv_text(headers, rows).encode("utf-8"))
    saved = {i.title: (i.priority, i.status) for i in Issue.objects.all()}
    for n in range(3):
        assert saved[f"Row {n}"] == (Priority.HIGH, IssueStatus.IN_PROGRESS)
    assert saved["Row 3"] == (Priority.CRITICAL, IssueStatus.ON_HOLD)
    assert saved["Row 4"] == (Priority.MEDIUM, IssueStatus.OPEN)
    assert saved["Row 5"] == (Priority.LOW, IssueStatus.RESOLVED)


# --- Bad rows ---------------------------------------------------------------------------------


def test_it_names_every_bad_row_and_field_and_saves_nothing(pm_client, project):
    rows = [
        ["Valid first", "", "High", "Open", "pm", "2025-03-01", "2025-04-01"],  # row 2
        ["Bad priority", "", "Urgentissimo", "Open", "pm", "2025-03-01", ""],  # row 3
        ["", "", "", "", "", "", ""],  # row 4: empty, skipped
        ["Bad date and owner", "", "Low", "Open", "nobody", "2025-03-01", "2025-13-45"],  # row 5
        ["", "no title", "Low", "Open", "", "2025-03-01", ""],  # row 6
        ["Valid last", "", "Low", "Open", "", "2025-03-01", ""],  # row 7
    ]
    _response, job = upload(pm_client, project, "bad.csv", csv_text(HEADERS, rows).encode("utf-8"))
    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID
    problems = {(e["row"], e["field"].casefold()) for e in job.row_errors}
    assert problems == {(3, "priority"), (5, "owner"), (5, "due date"), (6, "title")}
    messages = {(e["row"], e["field"].casefold()): e["message"] for e in job.row_errors}
    assert "Urgentissimo" in messages[(3, "priority")]
    assert "nobody" in messages[(5, "owner")]
    page = pm_client.get(url(project, "import-job", job=job.pk)).content.decode()
    assert "4 problems" in page
    assert "Urgentissimo" in page
    assert "Confirm import" not in page
    # Applying anyway is refused: nothing was saved, not even the valid rows.
    job = apply(pm_client, project, job)
    assert job.status == ImportStatus.INVALID
    assert Issue.objects.count() == 0
    assert history_count() == 0


def test_it_reports_an_unknown_column(pm_client, project):
    headers = [*HEADERS, "Colour of the sky"]
    rows = [row + ["blue"] for row in issue_rows(["One"])]
    _response, job = upload(pm_client, project, "extra.csv", csv_text(headers, rows).encode("utf-8"))
    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID
    assert "Colour of the sky" in job.file_error
    assert "extra.csv" in job.file_error
    page = pm_client.get(url(project, "import-job", job=job.pk)).content.decode()
    assert "Colour of the sky" in page
    assert Issue.objects.count() == 0


def test_an_id_of_another_project_is_an_error(pm_client, project, other_project):
    foreign = Issue.objects.create(project=other_project, title="Theirs")
    headers = ["ID", *HEADERS]
    rows = [[foreign.pk, *issue_rows(["Hijack"])[0]]]
    _response, job = upload(pm_client, project, "foreign.csv", csv_text(headers, rows).encode("utf-8"))
    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID
    assert [(e["row"], e["field"]) for e in job.row_errors] == [(2, "ID")]
    foreign.refresh_from_db()
    assert foreign.title == "Theirs"


def test_a_file_with_only_some_columns_takes_the_defaults(pm_client, project):
    data = csv_text(["Title"], [["Only a title"], ["Another"]]).encode("utf-8")
    import_and_apply(pm_client, project, "titles.csv", data)
    issue = Issue.objects.get(title="Only a title")
    assert issue.priority == Priority.MEDIUM
    assert issue.status == IssueStatus.OPEN


# --- History, re-import, job page, who may apply --------------------------------------------


def test_each_imported_row_leaves_exactly_one_history_row(pm_client, project, users):
    titles = [f"Issue {n}" for n in range(7)]
    job = import_and_apply(pm_client, project, "seven.csv", csv_text(HEADERS, issue_rows(titles)).encode())
    assert job.created_count == 7
    issues = list(Issue.objects.filter(project=project))
    assert len(issues) == 7
    assert sorted(i.number for i in issues) == list(range(1, 8))
    for issue in issues:
        records = list(Issue.history.filter(id=issue.pk))
        assert len(records) == 1
        assert records[0].history_type == "+"
        assert records[0].history_user == users["pm"]
        assert "seven.csv" in records[0].history_change_reason
        assert issue.version == 1


def test_reimporting_an_export_updates_rows_instead_of_duplicating(pm_client, project, users):
    first = Issue.objects.create(project=project, title="Data late", priority=Priority.HIGH, owner=users["pm"])
    second = Issue.objects.create(project=project, title="=cmd|' /C calc'!A0", priority=Priority.LOW)
    history_before = history_count()
    export = pm_client.get(reverse("governance:issues-export", kwargs={"project": project.pk, "fmt": "csv"}))
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["ID", "Version", "Reference"]
    title_col = header.index("Title")
    for row in body:
        if row[0] == str(first.pk):
            row[title_col] = "Data late (updated)"
    data = csv_text(header, body).encode("utf-8-sig")
    job = import_and_apply(pm_client, project, "export.csv", data)
    assert (job.created_count, job.updated_count) == (0, 2)
    assert Issue.objects.filter(project=project).count() == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.title == "Data late (updated)"
    assert first.priority == Priority.HIGH
    assert first.owner == users["pm"]
    # The export neutralised the formula with an apostrophe; the import takes it off again.
    assert second.title == "=cmd|' /C calc'!A0"
    assert (first.version, second.version) == (2, 2)
    assert history_count() == history_before + 2
    for issue in (first, second):
        latest = Issue.history.filter(id=issue.pk).latest("history_id")
        assert latest.history_type == "~"
        assert latest.history_user == users["pm"]
        assert latest.version == 2


def test_reimporting_an_xlsx_export_updates_rows(pm_client, project):
    issue = Issue.objects.create(project=project, title="Interfaces", priority=Priority.MEDIUM)
    export = pm_client.get(reverse("governance:issues-export", kwargs={"project": project.pk, "fmt": "xlsx"}))
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = rows[0]
    rows[1][header.index("Priority")] = "Critical"
    job = import_and_apply(pm_client, project, "export.xlsx", xlsx_bytes(header, rows[1:]))
    assert job.updated_count == 1
    issue.refresh_from_db()
    assert issue.priority == Priority.CRITICAL
    assert issue.version == 2
    assert Issue.objects.count() == 1


def test_the_job_page_shows_progress(pm_client, project):
    titles = [f"Issue {n}" for n in range(3)]
    _response, job = upload(pm_client, project, "three.csv", csv_text(HEADERS, issue_rows(titles)).encode())
    job.refresh_from_db()
    assert (job.status, job.total_rows, job.processed_rows, job.progress_percent) == (ImportStatus.VALID, 3, 3, 100)
    assert [p["row"] for p in job.preview] == [2, 3, 4]
    assert job.headers == HEADERS
    page = pm_client.get(url(project, "import-job", job=job.pk)).content.decode()
    assert "All 3 rows are valid and ready to import." in page
    assert "Add new record" in page
    assert "read as utf-8" in page

    # While a job runs, the page shows how far it got and polls itself.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.VALIDATING, total_rows=200, processed_rows=50)
    page = pm_client.get(url(project, "import-job", job=job.pk)).content.decode()
    assert 'aria-valuenow="25"' in page
    assert "50 of 200 rows processed." in page
    assert 'hx-trigger="every 1s"' in page
    fragment = pm_client.get(url(project, "import-job", job=job.pk), HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith("<div id=\"import-status\"")
    assert "<html" not in fragment


def test_only_the_uploader_can_apply(client_for, project):
    pm, steering = client_for("pm"), client_for("steering")
    _response, job = upload(pm, project, "mine.csv", csv_text(HEADERS, issue_rows(["Mine"])).encode())
    page = steering.get(url(project, "import-job", job=job.pk)).content.decode()
    assert "Confirm import" not in page
    response = steering.post(url(project, "import-apply", job=job.pk), follow=True)
    assert "Only the person who uploaded the file can confirm its import." in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.VALID
    assert Issue.objects.count() == 0
    apply(pm, project, job)
    assert Issue.objects.get().title == "Mine"


def test_a_viewer_cannot_import(client_for, project):
    viewer = client_for("viewer")
    file = io.BytesIO(csv_text(HEADERS, issue_rows(["No"])).encode())
    file.name = "no.csv"
    assert viewer.post(url(project, "import"), {"file": file}).status_code == 403
    assert ImportJob.objects.count() == 0


def test_applying_twice_imports_once(pm_client, project):
    _response, job = upload(pm_client, project, "once.csv", csv_text(HEADERS, issue_rows(["Once"])).encode())
    apply(pm_client, project, job)
    response = pm_client.post(url(project, "import-apply", job=job.pk), follow=True)
    assert "This file is not ready to import." in response.content.decode()
    assert Issue.objects.count() == 1


def test_reimporting_an_old_export_refuses_rows_changed_since(pm_client, project, users):
    issue = Issue.objects.create(project=project, title="Data late", priority=Priority.HIGH)
    export = pm_client.get(reverse("governance:issues-export", kwargs={"project": project.pk, "fmt": "csv"}))
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    body[0][header.index("Title")] = "Data late (from my old file)"
    # Someone edits the issue after the export.
    issue.title = "Data late (edited in the app)"
    issue.version += 1
    issue.save()
    _response, job = upload(pm_client, project, "old.csv", csv_text(header, body).encode("utf-8-sig"))
    assert job.status == ImportStatus.INVALID
    assert any(e["field"] == "Version" and "Changed since your export" in e["message"] for e in job.row_errors)
    issue.refresh_from_db()
    assert issue.title == "Data late (edited in the app)"


def test_an_update_row_without_version_is_refused(pm_client, project):
    issue = Issue.objects.create(project=project, title="Data late")
    data = csv_text(["ID", "Title"], [[str(issue.pk), "Changed blind"]]).encode()
    _response, job = upload(pm_client, project, "noversion.csv", data)
    assert job.status == ImportStatus.INVALID
    assert [e["field"] for e in job.row_errors] == ["Version"]


def test_an_ambiguous_owner_name_is_refused_but_the_user_name_works(pm_client, project, users):
    users["member"].first_name, users["member"].last_name = "Wei", "Zhang"
    users["member"].save()
    users["trainer"].first_name, users["trainer"].last_name = "Wei", "Zhang"
    users["trainer"].save()
    _response, job = upload(pm_client, project, "same.csv", csv_text(["Title", "Owner"], [["A", "Wei Zhang"]]).encode())
    assert job.status == ImportStatus.INVALID
    assert "matches several" in job.row_errors[0]["message"]
    _response, job = upload(pm_client, project, "uname.csv", csv_text(["Title", "Owner"], [["A", "trainer"]]).encode())
    assert job.status == ImportStatus.VALID


def test_an_import_that_updates_risks_recomputes_the_score(pm_client, project):
    from projectcrm.governance.models import Risk

    risk = Risk.objects.create(project=project, title="Poor data", probability=1, impact=1)
    assert risk.score == 1
    export = pm_client.get(reverse("governance:risks-export", kwargs={"project": project.pk, "fmt": "csv"}))
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    body[0][header.index("Probability")] = "5 – very high"
    body[0][header.index("Impact")] = "5"
    response = pm_client.post(
        reverse("governance:risks-import", kwargs={"project": project.pk}),
        {"file": SimpleUploadedFile("risks.csv", csv_text(header, body).encode("utf-8-sig")), "encoding": ""},
    )
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportStatus.VALID, job.row_errors
    pm_client.post(reverse("governance:risks-import-apply", kwargs={"project": project.pk, "job": job.pk}))
    risk.refresh_from_db()
    assert (risk.probability, risk.impact, risk.score) == (5, 5, 25)
    assert response.status_code == 302
