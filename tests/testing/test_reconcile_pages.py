"""Reconciliation pages and services (testing/reconcile_views.py, testing/reconciliation.py,
testing/tasks.py): upload, setup, the background run (immediate in tests), the result page, XLSX,
delete, bad input and permissions.

The hand-made example: a source CSV and a target XLSX.

    source.csv (id,name,amount,city,notes)     target.xlsx (ID,full_name,amount,city)
    1 Alice 10.00 Paris x                      1 Alice 10   Paris        equal (10.00 = 10 as numbers)
    2 Bob   20.00 Berlin y                     2 Bobby 20   Berlin       name differs
    3 Carol 30.00 Rome z                       3 Carol 30.5 Rome         amount differs by 0.5
    4 Dan   40.00 Oslo                         -                         only in the source
    5 Eve   50.00 Lima   (twice)               -                         duplicate key in the source (2 rows)
    9 Ivy   90.00 (empty)                      9 Ivy   90   Lisbon       city not compared: equal
    -                                          6 Fay   60   Quito        only in the target
    -                                          7 Gus   70   Kyiv (twice) duplicate key in the target (2 rows)

Setup: key id (-> ID, same name ignoring case), name -> full_name, amount -> amount, city not compared
(although the target has a city), notes has no target column.
Source rows 7 = matched 4 + only in source 1 + duplicate rows 2; target rows 7 = 4 + 1 + 2.
Matched 4 (keys 1, 2, 3, 9): equal 2 (1, 9), with a difference 2 (2: name, 3: amount).
Reconciled = 2 / 7 = 28.571...% -> the run's row for the object gets 28.57.
"""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse

from testing import reconciliation
from testing.choices import ReconciliationStatus
from testing.models import MigrationObject, MockRun, Reconciliation, RunObject

pytestmark = pytest.mark.django_db

SOURCE = (
    "id,name,amount,city,notes\n"
    "1,Alice,10.00,Paris,x\n"
    "2,Bob,20.00,Berlin,y\n"
    "3,Carol,30.00,Rome,z\n"
    "4,Dan,40.00,Oslo,\n"
    "5,Eve,50.00,Lima,\n"
    "5,Eve again,50.00,Lima,\n"
    "9,Ivy,90.00,,\n"
)
SOURCE_BYTES = SOURCE.encode()
TARGET_ROWS = [
    ["ID", "full_name", "amount", "city"],
    [1, "Alice", 10, "Paris"],
    [2, "Bobby", 20, "Berlin"],
    [3, "Carol", 30.5, "Rome"],
    [6, "Fay", 60, "Quito"],
    [7, "Gus", 70, "Kyiv"],
    [7, "Gus", 70, "Kyiv"],
    [9, "Ivy", 90, "Lisbon"],
]


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload_file(content: bytes, name: str):
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def turl(name, project, **kwargs):
    return reverse(f"testing:{name}", kwargs={"project": project.pk, **kwargs})


@pytest.fixture
def run(project):
    return MockRun.objects.create(project=project, name="Mock 1", run_date=datetime.date(2025, 3, 1))


@pytest.fixture
def accounts(project):
    return MigrationObject.objects.create(project=project, name="Accounts", target_object="Account",
                                          min_reconciled_rate=Decimal("99.50"))


@pytest.fixture
def run_object(project, run, accounts):
    return RunObject.objects.create(project=project, run=run, migration_object=accounts, extracted=7, transformed=7,
                                    loaded=7)


def post_upload(client, project, run, source=SOURCE_BYTES, source_name="source.csv",
                target=None, target_name="target.xlsx", **extra):
    target = xlsx_bytes(TARGET_ROWS) if target is None else target
    data = {"source": upload_file(source, source_name), "target": upload_file(target, target_name), "encoding": "",
            **extra}
    return client.post(turl("reconciliation-new", project, run=run.pk), data)


SETUP = {"keys": ["id"], "map-0": "ID", "map-1": "full_name", "map-2": "amount", "map-3": "", "map-4": "",
         "transforms": ["number", "date"], "tolerance": "0"}


def make_draft(project, run, source=SOURCE_BYTES, target=None, source_name="source.csv",
               target_name="target.xlsx", **fields) -> Reconciliation:
    target = xlsx_bytes(TARGET_ROWS) if target is None else target
    return Reconciliation.objects.create(
        project=project, run=run, source_file=ContentFile(source, name=source_name),
        target_file=ContentFile(target, name=target_name), source_name=source_name, target_name=target_name,
        **fields,
    )


# --- The whole path -------------------------------------------------------------------------------


def test_upload_setup_and_result_with_exact_counts(project, run, accounts, run_object, client_for):
    client = client_for("member")
    response = post_upload(client, project, run, migration_object=accounts.pk)
    rec = Reconciliation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == turl("reconciliation-setup", project, pk=rec.pk)
    assert rec.status == ReconciliationStatus.DRAFT
    assert (rec.source_name, rec.target_name, rec.migration_object, rec.requested_by.username) == (
        "source.csv", "target.xlsx", accounts, "member")

    page = client.get(response["Location"]).content.decode()
    # Pre-filled: id -> ID (same name ignoring case), amount and city by name; name and notes have no match.
    assert '<option value="ID" selected>' in page
    assert '<option value="amount" selected>' in page
    assert '<option value="city" selected>' in page
    assert 'value="number" checked' in page and 'value="date" checked' in page
    assert 'value="trim" checked' not in page

    response = client.post(response["Location"], SETUP)
    assert response.status_code == 302
    assert response["Location"] == turl("reconciliation", project, pk=rec.pk)
    rec.refresh_from_db()
    assert rec.status == ReconciliationStatus.DONE, rec.error
    assert rec.keys == "id"
    assert rec.mapping == "name = full_name\ncity ="
    assert rec.transforms == "number,date"
    assert rec.progress == 1.0 and rec.finished is not None
    data = rec.result
    assert (data["source_rows"], data["target_rows"]) == (7, 7)
    assert (data["matched"], data["matched_equal"], data["mismatched_rows"]) == (4, 2, 2)
    assert (data["source_only"], data["target_only"]) == (1, 1)
    assert (data["source_duplicate_keys"], data["source_duplicate_rows"]) == (1, 2)
    assert (data["target_duplicate_keys"], data["target_duplicate_rows"]) == (1, 2)
    assert set(data["columns"]) == {"full_name", "amount"}
    assert data["columns"]["full_name"]["mismatches"] == 1
    assert data["columns"]["amount"]["mismatches"] == 1
    assert data["columns"]["amount"]["max_difference"] == pytest.approx(0.5)
    assert data["unmapped_source_columns"] == ["city", "notes"]
    assert data["unmapped_target_columns"] == ["city"]
    assert (data["source"], data["target"]) == ("source.csv", "target.xlsx")
    assert rec.reconciled_rate == pytest.approx(200 / 7)

    run_object.refresh_from_db()
    assert run_object.reconciled_rate == Decimal("28.57")
    assert run_object.history.first().reconciled_rate == Decimal("28.57")  # saved normally: in its history

    page = client.get(response["Location"]).content.decode()
    assert "28.57%" in page
    assert "Not passed" in page  # 28.57 < 99.50
    assert 'id="count-source_only"' in page
    assert "Bob" in page and "Bobby" in page  # the name sample
    assert "Dan" in page and "Fay" in page  # only in the source / the target
    assert "Download as XLSX" in page
    assert "plotly.min.js" in page and "Plotly.newPlot" in page


def test_progress_updates_write_no_history_and_a_rerun_does_not_run_twice(project, run, monkeypatch):
    rec = make_draft(project, run, keys="id", mapping="name = full_name", status=ReconciliationStatus.QUEUED)
    seen = []
    real = reconciliation.engine.reconcile

    def spy(source, target, options, on_progress):
        def record(fraction, stage):
            on_progress(fraction, stage)
            seen.append(Reconciliation.objects.values_list("status", "progress", "stage").get(pk=rec.pk))
        return real(source, target, options, record)

    monkeypatch.setattr(reconciliation.engine, "reconcile", spy)
    before = rec.history.count()
    done = reconciliation.run(rec.pk)
    assert done.status == ReconciliationStatus.DONE
    assert seen[0] == ("running", 0.0, "Reading the extracts")
    assert seen[-1][1:] == (1.0, "Done")
    assert rec.history.count() == before + 1  # only the stored result, not each progress update
    assert done.result["matched"] == 4
    assert done.result["matched_equal"] == 1  # city compared here: 9 differs (empty / Lisbon)
    assert reconciliation.run(rec.pk).finished == done.finished  # not queued: nothing happens


def test_the_page_polls_while_queued_and_notes_a_late_worker(project, run, client_for):
    rec = make_draft(project, run, keys="id", status=ReconciliationStatus.QUEUED)
    client = client_for("viewer")
    url = turl("reconciliation", project, pk=rec.pk)
    page = client.get(url).content.decode()
    assert f'hx-get="{url}"' in page and 'hx-trigger="every 1s"' in page
    assert "Waiting for the background worker" in page
    assert "has not started this reconciliation yet" not in page
    Reconciliation.objects.filter(pk=rec.pk).update(updated=rec.updated - datetime.timedelta(minutes=1))
    part = client.get(url, headers={"HX-Request": "true"})
    text = part.content.decode()
    assert text.lstrip().startswith('<div id="reconciliation-status"')
    assert "has not started this reconciliation yet" in text
    Reconciliation.objects.filter(pk=rec.pk).update(status=ReconciliationStatus.RUNNING, progress=0.55,
                                                   stage="Matching the keys")
    text = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Matching the keys" in text and 'aria-valuenow="55"' in text
    Reconciliation.objects.filter(pk=rec.pk).update(status=ReconciliationStatus.QUEUED)
    reconciliation.run(rec.pk)
    finished = client.get(url, headers={"HX-Request": "true"})
    assert finished.headers.get("HX-Refresh") == "true"


def test_failures_are_stored_with_the_message(project, run, monkeypatch):
    rec = make_draft(project, run, keys="customer_no", status=ReconciliationStatus.QUEUED)
    failed = reconciliation.run(rec.pk)
    assert failed.status == ReconciliationStatus.FAILED
    assert "source.csv has no key column “customer_no”" in failed.error

    other = make_draft(project, run, keys="id", status=ReconciliationStatus.QUEUED)

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(reconciliation.engine, "reconcile", broken)
    with pytest.raises(RuntimeError):
        reconciliation.run(other.pk)
    other.refresh_from_db()
    assert other.status == ReconciliationStatus.FAILED
    assert other.error == "source.csv and target.xlsx could not be reconciled (RuntimeError)."


def test_a_deleted_row_is_not_brought_back(project, run):
    rec = make_draft(project, run, keys="id", status=ReconciliationStatus.QUEUED)
    pk = rec.pk
    rec.delete()
    assert reconciliation.run(pk) is None
    assert not Reconciliation.objects.filter(pk=pk).exists()


def test_xlsx_download_opens(project, run, client_for):
    rec = make_draft(project, run, keys="id", mapping="name = full_name\ncity =", status=ReconciliationStatus.QUEUED)
    reconciliation.run(rec.pk)
    response = client_for("viewer").get(turl("reconciliation-xlsx", project, pk=rec.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Summary", "Columns", "Samples"]
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Source rows"] == 7 and summary["Matched keys"] == 4 and summary["Only in the target"] == 1


def test_no_xlsx_before_the_result(project, run, client_for):
    rec = make_draft(project, run)
    assert client_for("pm").get(turl("reconciliation-xlsx", project, pk=rec.pk)).status_code == 404


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "name", "message"), [
    (b"id,name\n1,a\n", "source.txt", "source.txt: only CSV, XLSX and Parquet extracts can be reconciled."),
    (b"", "source.csv", "source.csv is empty."),
    (b"\n\n", "source.csv", "source.csv is empty."),
    (b"not a workbook", "source.xlsx", "source.xlsx is not a valid XLSX file"),
    ("编号,名称\n1,张三\n".encode("gb18030"), "source.csv", "source.csv cannot be read as UTF-8."),
])
def test_bad_files_are_named_and_nothing_is_saved(project, run, client_for, source, name, message):
    extra = {"encoding": "utf-8"} if message.endswith("UTF-8.") else {}
    response = post_upload(client_for("pm"), project, run, source=source, source_name=name, **extra)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Nothing was saved" in response.content.decode()
    assert not Reconciliation.objects.exists()


def test_a_missing_file_and_the_size_cap(project, run, client_for, settings):
    client = client_for("pm")
    response = client.post(turl("reconciliation-new", project, run=run.pk),
                           {"target": upload_file(xlsx_bytes(TARGET_ROWS), "target.xlsx")})
    assert "Choose the source extract." in response.content.decode()
    settings.RECONCILE_MAX_BYTES = 50
    response = post_upload(client, project, run)
    assert "source.csv is 0.0 MB; the limit is 0.0 MB." in response.content.decode()
    assert not Reconciliation.objects.exists()


def test_setup_errors_name_the_field_and_save_nothing(project, run, client_for):
    rec = make_draft(project, run)
    client = client_for("pm")
    url = turl("reconciliation-setup", project, pk=rec.pk)
    response = client.post(url, {**SETUP, "map-1": "customer_name"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "“customer_name” is not a column of target.xlsx." in text
    response = client.post(url, {**SETUP, "keys": []})
    assert "Choose at least one key column." in response.content.decode()
    response = client.post(url, {**SETUP, "map-0": ""})
    assert "Key column “id” needs its column in target.xlsx." in response.content.decode()
    response = client.post(url, {**SETUP, "map-3": "amount"})
    assert "“amount” is already compared with “amount”" in response.content.decode()
    response = client.post(url, {**SETUP, "tolerance": "-1"})
    assert "Enter the tolerance as a number of 0 or more" in response.content.decode()
    rec.refresh_from_db()
    assert (rec.status, rec.keys, rec.mapping, rec.result) == (ReconciliationStatus.DRAFT, "", "", None)


def test_a_running_reconciliation_cannot_be_set_up_again(project, run, client_for):
    rec = make_draft(project, run, keys="id", status=ReconciliationStatus.RUNNING)
    response = client_for("pm").post(turl("reconciliation-setup", project, pk=rec.pk), SETUP)
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.status == ReconciliationStatus.RUNNING


# --- Languages and other inputs ---------------------------------------------------------------------


def test_chinese_key_column_and_encodings(project, run, client_for):
    source = "编号,名称,金额\n甲001,张三,100\n甲002,李四,200\n甲003,王五,300\n".encode("gb18030")
    target = "\ufeff編號,名称,金额\n甲001,张三,100.00\n甲002,李四,250\n乙009,赵六,90\n".encode()
    client = client_for("pm")
    response = post_upload(client, project, run, source=source, source_name="旧系统.csv", target=target,
                           target_name="新系统.csv")
    rec = Reconciliation.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "GBK / GB18030" in page and "CSV (UTF-8)" in page
    assert '<option value="名称" selected>' in page
    response = client.post(response["Location"], {"keys": ["编号"], "map-0": "編號", "map-1": "名称", "map-2": "金额",
                                                  "transforms": ["number"], "tolerance": "0"})
    rec.refresh_from_db()
    assert rec.status == ReconciliationStatus.DONE, rec.error
    assert rec.mapping == "编号 = 編號"
    data = rec.result
    assert (data["matched"], data["matched_equal"], data["source_only"], data["target_only"]) == (2, 1, 1, 1)
    assert data["columns"]["金额"]["samples"] == [{"key": {"编号": "甲002"}, "source": "200", "target": "250"}]
    assert data["source"] == "旧系统.csv"
    text = client.get(response["Location"]).content.decode()
    assert "甲002" in text and "33.33%" in text  # 1 of 3 source rows equal


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
def test_the_result_renders_in_chinese(project, run, client_for, language):
    rec = make_draft(project, run, keys="id", mapping="name = full_name", status=ReconciliationStatus.QUEUED)
    reconciliation.run(rec.pk, language)
    client = client_for("viewer")
    response = client.get(turl("reconciliation", project, pk=rec.pk), headers={"Accept-Language": language})
    assert response.status_code == 200
    text = response.content.decode()
    assert f'<html lang="{language}">' in text
    assert "Noto Sans CJK" in text  # the charts use Chinese fonts
    xlsx = client.get(turl("reconciliation-xlsx", project, pk=rec.pk), headers={"Accept-Language": language})
    assert xlsx.status_code == 200


def test_parquet_headers_and_run(project, run, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "target.parquet"
    pq.write_table(pa.table({"ID": ["1", "2"], "full_name": ["Alice", "Bobby"]}), path)
    headers = reconciliation.read_headers(path)
    assert (headers.columns, headers.kind, headers.format_label) == (["ID", "full_name"], "parquet", "PARQUET")
    rec = make_draft(project, run, source=b"id,name\n1,Alice\n2,Bob\n", target=path.read_bytes(),
                     target_name="target.parquet", keys="id", mapping="name = full_name",
                     status=ReconciliationStatus.QUEUED)
    done = reconciliation.run(rec.pk)
    assert (done.result["matched"], done.result["matched_equal"], done.result["mismatched_rows"]) == (2, 1, 1)


def test_headers_are_read_as_the_engine_names_them(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id;名称;amount;amount;\n1;a;2;3;4\n", encoding="utf-8")
    assert reconciliation.read_headers(path).columns == ["id", "名称", "amount", "amount_1", "column4"]
    path = tmp_path / "b.xlsx"
    path.write_bytes(xlsx_bytes([[], ["ID", None, "name"], [1, 2, 3]]))
    assert reconciliation.read_headers(path, "b.xlsx").columns == ["ID", "column1", "name"]


# --- Delete -------------------------------------------------------------------------------------------


def test_delete_after_confirmation_keeps_history_and_files(project, run, client_for):
    rec = make_draft(project, run, keys="id", status=ReconciliationStatus.QUEUED)
    reconciliation.run(rec.pk)
    source_path = Path(rec.source_file.path)
    client = client_for("pm")
    url = turl("reconciliation-delete", project, pk=rec.pk)
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Delete the reconciliation" in confirm.content.decode()
    assert Reconciliation.objects.filter(pk=rec.pk).exists()
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("testing:mock-runs-detail", kwargs={"project": project.pk, "pk": run.pk})
    assert not Reconciliation.objects.filter(pk=rec.pk).exists()
    last = Reconciliation.history.filter(id=rec.pk).first()
    assert last.history_type == "-" and last.history_user.username == "pm"
    assert last.result["matched"] == 4
    assert source_path.exists()


# --- Permissions ----------------------------------------------------------------------------------


def test_viewer_sees_the_result_but_cannot_change(project, run, client_for):
    rec = make_draft(project, run, keys="id", status=ReconciliationStatus.QUEUED)
    reconciliation.run(rec.pk)
    viewer = client_for("viewer")
    page = viewer.get(turl("reconciliation", project, pk=rec.pk))
    assert page.status_code == 200
    assert "Change the setup" not in page.content.decode()
    assert viewer.get(turl("reconciliation-xlsx", project, pk=rec.pk)).status_code == 200
    assert viewer.get(turl("reconciliation-new", project, run=run.pk)).status_code == 403
    assert post_upload(viewer, project, run).status_code == 403
    assert viewer.get(turl("reconciliation-setup", project, pk=rec.pk)).status_code == 403
    assert viewer.post(turl("reconciliation-setup", project, pk=rec.pk), SETUP).status_code == 403
    assert viewer.get(turl("reconciliation-delete", project, pk=rec.pk)).status_code == 403
    assert viewer.post(turl("reconciliation-delete", project, pk=rec.pk)).status_code == 403
    assert Reconciliation.objects.filter(pk=rec.pk, status=ReconciliationStatus.DONE).exists()
    assert Reconciliation.objects.count() == 1


def test_outsiders_and_other_projects_get_404(project, run, other_project, client_for):
    rec = make_draft(project, run)
    outsider = client_for("outsider")
    for name, kwargs in [("reconciliation", {"pk": rec.pk}), ("reconciliation-setup", {"pk": rec.pk}),
                         ("reconciliation-xlsx", {"pk": rec.pk}), ("reconciliation-delete", {"pk": rec.pk}),
                         ("reconciliation-new", {"run": run.pk})]:
        assert outsider.get(turl(name, project, **kwargs)).status_code == 404, name
    other_run = MockRun.objects.create(project=other_project, run_date=datetime.date(2025, 3, 1))
    other = make_draft(other_project, other_run, keys="id", status=ReconciliationStatus.QUEUED)
    reconciliation.run(other.pk)
    pm = client_for("pm")
    for name in ("reconciliation", "reconciliation-setup", "reconciliation-xlsx", "reconciliation-delete"):
        assert pm.get(turl(name, project, pk=other.pk)).status_code == 404, name
    assert pm.get(turl("reconciliation-new", project, run=other_run.pk)).status_code == 404
    assert pm.get(turl("reconciliation", other_project, pk=other.pk)).status_code == 404


def test_the_run_page_part(project, run, accounts):
    done = make_draft(project, run, keys="id", migration_object=accounts, status=ReconciliationStatus.QUEUED)
    reconciliation.run(done.pk)
    draft = make_draft(project, run, source_name="later.csv")
    context = {"run": run, "reconciliations": [draft, Reconciliation.objects.get(pk=done.pk)], "project": project}
    html = render_to_string("testing/_run_reconciliations.html", {**context, "can_change": True})
    assert turl("reconciliation", project, pk=done.pk) in html
    assert "28.57%" in html  # 2 of 7 source rows equal (name not compared: 1 and 2 equal; 3 and 9 differ)
    assert "later.csv" in html and "Waiting for key columns" in html
    assert turl("reconciliation-new", project, run=run.pk) in html
    html = render_to_string("testing/_run_reconciliations.html", {**context, "can_change": False})
    assert turl("reconciliation-new", project, run=run.pk) not in html
    empty = render_to_string("testing/_run_reconciliations.html", {**context, "reconciliations": [], "can_change": True})
    assert "No reconciliation of this run yet." in empty
