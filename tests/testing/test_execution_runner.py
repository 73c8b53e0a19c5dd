"""The test runner (execute a case from its cycle, record each step) and the evidence files of an execution."""

import datetime
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from testing import evidence, services
from testing.choices import Result
from testing.models import Execution, ExecutionEvidence, TestCase, TestCycle, TestPlan
from testing.steps import StepResult, format_step_results, parse_step_results, suggested_result

# A 1 x 1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fe"
    "a7d6a4c00000000049454e44ae426082"
)
STEPS = "Open the quote form | An empty quote\nAdd frame F-20 x 3 | Total is 360.00\nSave | Quote QT-1 saved"


def url(name, project, **kwargs):
    return reverse(f"testing:{name}", kwargs={"project": project.pk, **kwargs})


def make_world(project, user):
    plan = TestPlan.objects.create(project=project, name="Sales UAT")
    case = TestCase.objects.create(
        project=project, plan=plan, title="Create a quotation", steps=STEPS,
        preconditions="Logged in as a sales rep", test_data="Customer C-100, frame F-20",
    )
    cycle = TestCycle.objects.create(project=project, plan=plan, name="UAT round 1", build="2.4.1", environment="UAT-EU")
    cycle.cases.add(case)
    execution = Execution.objects.create(project=project, cycle=cycle, case=case, tester=user)
    return {"plan": plan, "case": case, "cycle": cycle, "execution": execution}


@pytest.fixture
def world(project, users):
    return make_world(project, users["pm"])


@pytest.fixture
def member(client_for):
    return client_for("member")


def run_post(version, **fields):
    data = {"version": str(version), "overall": "steps", "build": "2.4.1", "environment": "UAT-EU", "actual_result": ""}
    data.update(fields)
    return data


# --- The step results text and the suggested overall result ------------------------------------------


def test_suggested_result_rules():
    P, F, B, R, N = Result.PASSED, Result.FAILED, Result.BLOCKED, Result.PASSED_WITH_REMARKS, Result.NOT_RUN
    assert suggested_result([P, F, B]) == F  # any failed wins, even over blocked
    assert suggested_result([P, B, N]) == B  # else any blocked
    assert suggested_result([P, P, P]) == P
    assert suggested_result([P, R, P]) == R  # all passed, one with remarks
    assert suggested_result([P, N, P]) == N  # a step not run: not run
    assert suggested_result([]) == N  # no steps


def test_step_results_writer_keeps_each_step_on_one_line():
    text = format_step_results({
        2: StepResult(2, "failed", "Total shows\n 0.00 | not 360.00|"),
        1: StepResult(1, "passed", ""),
    })
    assert text == "1 | passed\n2 | failed | Total shows 0.00 | not 360.00|"
    results, errors = parse_step_results(text)
    assert errors == [] and results[2].actual == "Total shows 0.00 | not 360.00|"


# --- Execute from the cycle --------------------------------------------------------------------------


def test_execute_from_the_cycle_creates_an_execution_with_the_cycles_build(project, users, world, member):
    cycle, case = world["cycle"], world["case"]
    page = member.get(cycle.get_absolute_url())
    execute = url("cycle-execute", project, pk=cycle.pk, case=case.pk)
    assert execute in page.content.decode()
    response = member.post(execute)
    created = Execution.objects.filter(project=project).order_by("-number").first()
    assert created.pk != world["execution"].pk
    assert (created.cycle, created.case, created.tester) == (cycle, case, users["member"])
    assert (created.build, created.environment, created.result) == ("2.4.1", "UAT-EU", Result.NOT_RUN)
    assert created.executed_at is None
    assert response.status_code == 302 and response["Location"] == url("execution-run", project, pk=created.pk)
    # A second click while nothing is recorded opens the same execution.
    again = member.post(execute)
    assert again["Location"] == url("execution-run", project, pk=created.pk)
    assert Execution.objects.filter(project=project).count() == 2


def test_execute_refuses_a_case_not_in_the_cycle(project, world, member):
    other = TestCase.objects.create(project=project, title="Approve a discount", steps="Ask | Approved")
    before = Execution.objects.count()
    response = member.post(url("cycle-execute", project, pk=world["cycle"].pk, case=other.pk), follow=True)
    assert Execution.objects.count() == before
    assert f"{other.ref} is not one of the cases of {world['cycle'].ref}: add it to the cycle first." in response.content.decode()


def test_viewer_sees_no_execute_button_and_may_not_execute(project, world, client_for):
    viewer = client_for("viewer")
    execute = url("cycle-execute", project, pk=world["cycle"].pk, case=world["case"].pk)
    assert execute not in viewer.get(world["cycle"].get_absolute_url()).content.decode()
    assert viewer.post(execute).status_code == 403
    assert client_for("outsider").post(execute).status_code == 404


# --- The runner ------------------------------------------------------------------------------------


def test_runner_shows_the_case_and_saves_the_step_results_text(project, users, world, member):
    ex = world["execution"]
    page = member.get(url("execution-run", project, pk=ex.pk)).content.decode()
    assert "Logged in as a sales rep" in page and "Customer C-100, frame F-20" in page
    assert "Add frame F-20 x 3" in page and "Total is 360.00" in page
    assert 'name="result-2" value="blocked"' in page

    response = member.post(url("execution-run", project, pk=ex.pk), run_post(
        ex.version,
        **{"result-1": "passed", "actual-1": "", "result-2": "failed", "actual-2": "Total shows\r\n0.00",
           "result-3": "not_run", "actual-3": ""},
        actual_result="Stopped at the total", build="2.4.2",
    ))
    assert response.status_code == 302
    assert response["Location"] == ex.get_absolute_url() + "#steps"
    ex.refresh_from_db()
    assert ex.step_results == "1 | passed\n2 | failed | Total shows 0.00"
    assert ex.result == Result.FAILED
    assert ex.actual_result == "Stopped at the total"
    assert (ex.build, ex.environment) == ("2.4.2", "UAT-EU")
    assert ex.executed_at is not None and ex.version == 2
    assert ex.history.first().history_user == users["member"]

    # The execution's page offers "Raise defect" on the failed step.
    detail = member.get(ex.get_absolute_url()).content.decode()
    assert url("execution-raise-defect", project, pk=ex.pk) in detail
    assert 'name="step" value="2"' in detail and 'name="step" value="1"' not in detail


def test_runner_all_passed_may_be_turned_into_passed_with_remarks(project, world, member):
    ex = world["execution"]
    steps = {f"result-{n}": "passed" for n in (1, 2, 3)}
    member.post(url("execution-run", project, pk=ex.pk), run_post(ex.version, overall="passed_with_remarks",
                                                                   actual_result="Slow to save", **steps))
    ex.refresh_from_db()
    assert ex.step_results == "1 | passed\n2 | passed\n3 | passed"
    assert ex.result == Result.PASSED_WITH_REMARKS
    # The overall result follows the steps when not overridden: a remark on a step makes it "with remarks".
    steps["result-3"] = "passed_with_remarks"
    steps["actual-3"] = "Saved after 9 s"
    member.post(url("execution-run", project, pk=ex.pk), run_post(ex.version, **steps))
    ex.refresh_from_db()
    assert ex.result == Result.PASSED_WITH_REMARKS
    assert ex.step_results == "1 | passed\n2 | passed\n3 | passed_with_remarks | Saved after 9 s"


def test_runner_refuses_passed_with_remarks_over_a_blocked_step(project, world, member):
    ex = world["execution"]
    response = member.post(url("execution-run", project, pk=ex.pk), run_post(
        ex.version, overall="passed_with_remarks",
        **{"result-1": "passed", "result-2": "blocked", "actual-2": "No price list", "result-3": "passed"},
    ))
    assert response.status_code == 200
    assert "The execution can pass with remarks only when every step passed; the steps say “Blocked”." in response.content.decode()
    ex.refresh_from_db()
    assert ex.version == 1 and ex.step_results == ""


def test_runner_needs_the_actual_result_of_a_failed_step(project, world, member):
    ex = world["execution"]
    response = member.post(url("execution-run", project, pk=ex.pk), run_post(
        ex.version, **{"result-1": "passed", "result-2": "failed", "actual-2": "  ", "result-3": "blocked", "actual-3": ""},
    ))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Step 2 is “Failed”: describe the actual result." in page
    assert "Step 3 is “Blocked”: describe the actual result." in page
    # What was entered stays on the page; nothing is saved.
    assert 'name="result-2" value="failed" checked' in page
    ex.refresh_from_db()
    assert (ex.version, ex.step_results, ex.result, ex.executed_at) == (1, "", Result.NOT_RUN, None)


def test_runner_refuses_a_stale_form(project, users, world, member):
    ex = world["execution"]
    opened_at = ex.version
    # Somebody else records a run after the runner was opened.
    services.record_run(ex, users["pm"], ex.version, {1: StepResult(1, "passed", "")}, Result.NOT_RUN, "", "2.4.1", "UAT-EU")
    response = member.post(url("execution-run", project, pk=ex.pk), run_post(
        opened_at, **{"result-1": "failed", "actual-1": "Form does not open"},
    ))
    assert response.status_code == 200
    assert f"{ex.ref} was saved by pm after you opened the runner: nothing was saved." in response.content.decode()
    ex.refresh_from_db()
    assert ex.version == 2 and ex.step_results == "1 | passed" and ex.tester == users["pm"]
    # The page now carries the current version: saving again is a deliberate choice.
    assert 'name="version" value="2"' in response.content.decode()


def test_runner_needs_the_change_right(project, world, client_for):
    run = url("execution-run", project, pk=world["execution"].pk)
    assert client_for("viewer").get(run).status_code == 403
    assert client_for("viewer").post(run, run_post(1)).status_code == 403
    assert client_for("outsider").get(run).status_code == 404


def test_runner_of_another_projects_execution_is_404(project, other_project, world, users, client_for):
    from django.contrib.auth import get_user_model

    foreign = make_world(other_project, get_user_model().objects.get(username="other-pm"))
    assert client_for("pm").get(url("execution-run", project, pk=foreign["execution"].pk)).status_code == 404
    assert client_for("pm").get(url("execution-run", other_project, pk=foreign["execution"].pk)).status_code == 404


# --- Evidence uploads --------------------------------------------------------------------------------


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return [os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files] if os.path.exists(root) else []


def test_upload_a_png_for_a_step(project, users, world, member, settings):
    ex = world["execution"]
    response = member.post(url("execution-evidence-upload", project, pk=ex.pk), {
        "files": [upload("截圖 step 2.png", PNG, "image/png")], "step": "2", "note": "Total after adding F-20",
    })
    assert response.status_code == 302 and response["Location"] == ex.get_absolute_url() + "#evidence"
    row = ExecutionEvidence.objects.get(execution=ex)
    assert (row.name, row.size, row.content_type, row.step_number) == ("截圖_step_2.png", len(PNG), "image/png", 2)
    assert (row.note, row.uploaded_by, row.project) == ("Total after adding F-20", users["member"], project)
    assert row.file.name.startswith(f"testing/{project.pk}/evidence/") and row.file.name.endswith("/截圖_step_2.png")
    assert len(stored_files(settings)) == 1
    page = member.get(ex.get_absolute_url()).content.decode()
    file_url = url("evidence-file", project, pk=row.pk)
    assert 'id="evidence"' in page and f'<img class="thumb" src="{file_url}"' in page
    assert "截圖_step_2.png" in page and "Total after adding F-20" in page and "Member" in page
    assert "/media/" not in page


def test_upload_several_files_at_once_from_the_runner_with_htmx(project, world, member):
    ex = world["execution"]
    response = member.post(url("execution-evidence-upload", project, pk=ex.pk), {
        "files": [upload("shot.png", PNG), upload("server.log", b"ERROR total=0\n")], "back": "run",
    }, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith("<section") and 'id="evidence"' in page  # the panel only
    assert "Evidence added: shot.png, server.log" in page
    assert sorted(ExecutionEvidence.objects.values_list("name", flat=True)) == ["server.log", "shot.png"]


@pytest.mark.parametrize("name, content, message", [
    ("shot.png", b"<html><script>alert(1)</script></html>",
     "shot.png is not a PNG image: its content does not match its extension."),
    ("photo.jpg", PNG, "photo.jpg is not a JPG image: its content does not match its extension."),
    ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>",
     "logo.svg: files of this type cannot be attached; allowed: csv, gif, jpeg, jpg, log, mp4, pdf, png, txt, webm, webp, xlsx."),
    ("run.exe", b"MZ\x90\x00", "run.exe: files of this type cannot be attached"),
    ("empty.txt", b"", "empty.txt is empty."),
])
def test_bad_files_are_refused_with_their_name(project, world, member, settings, name, content, message):
    ex = world["execution"]
    response = member.post(url("execution-evidence-upload", project, pk=ex.pk), {"files": [upload(name, content)]}, follow=True)
    assert message in response.content.decode()
    assert not ExecutionEvidence.objects.exists()
    assert stored_files(settings) == []


def test_too_large_a_file_is_refused(project, world, member, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024  # 1 MiB
    ex = world["execution"]
    big = PNG + b"\0" * (1024 * 1024)  # 1 MiB + 70 bytes -> "1.0 MB"
    response = member.post(url("execution-evidence-upload", project, pk=ex.pk), {"files": [upload("big.png", big)]}, follow=True)
    assert "big.png is 1.0 MB; the limit is 1.0 MB." in response.content.decode()
    assert not ExecutionEvidence.objects.exists()
    exact = PNG + b"\0" * (1024 * 1024 - len(PNG))  # exactly the cap: accepted
    member.post(url("execution-evidence-upload", project, pk=ex.pk), {"files": [upload("cap.png", exact)]})
    assert ExecutionEvidence.objects.get().name == "cap.png"


def test_one_bad_file_among_several_saves_nothing(project, world, member, settings):
    ex = world["execution"]
    response = member.post(url("execution-evidence-upload", project, pk=ex.pk), {"files": [
        upload("good.png", PNG), upload("notes.txt", b"all fine"), upload("fake.gif", b"GIF00a..."),
    ]}, follow=True)
    page = response.content.decode()
    assert "Nothing was uploaded: fake.gif is not a GIF image: its content does not match its extension." in page
    assert "No evidence files yet." in page
    assert not ExecutionEvidence.objects.exists()
    assert stored_files(settings) == []


def test_upload_for_a_step_the_case_does_not_have_is_refused(project, world, member):
    ex = world["execution"]
    response = member.post(url("execution-evidence-upload", project, pk=ex.pk),
                           {"files": [upload("shot.png", PNG)], "step": "7"}, follow=True)
    assert f"{world['case'].ref} has no step 7." in response.content.decode()
    assert not ExecutionEvidence.objects.exists()


def test_upload_without_a_file(project, world, member):
    response = member.post(url("execution-evidence-upload", project, pk=world["execution"].pk), {}, follow=True)
    assert "Choose one or more files to upload." in response.content.decode()


def test_file_names_are_sanitised():
    assert evidence.clean_name("../../etc/passwd.txt") == "passwd.txt"
    assert evidence.clean_name("C:\\Users\\me\\shot <1>.png") == "shot_1.png"
    assert evidence.clean_name("報價 單\x00.pdf") == "報價_單.pdf"
    assert evidence.clean_name("SHOT 1.PNG") == "SHOT_1.PNG"
    # A name that is only an extension has none (Python's reading): refused before it is stored.
    assert evidence.problem(".png", len(PNG), PNG[:16]).startswith(".png: files of this type cannot be attached")
    long = evidence.clean_name("a" * 300 + ".png")
    assert len(long) == evidence.NAME_MAX and long.endswith(".png")


# --- Serving and removing evidence ---------------------------------------------------------------------


def add_file(execution, user, name, content):
    row = ExecutionEvidence(project=execution.project, execution=execution, name=name, size=len(content),
                            content_type=evidence.content_type(name), uploaded_by=user)
    row.file.save(name, ContentFile(content), save=False)
    row.save()
    return row


def test_image_is_served_inline_and_other_files_as_sandboxed_attachments(project, users, world, client_for):
    ex = world["execution"]
    image = add_file(ex, users["member"], "shot.png", PNG)
    log = add_file(ex, users["member"], "server.log", b"<script>alert(1)</script>")
    viewer = client_for("viewer")

    response = viewer.get(url("evidence-file", project, pk=image.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in response

    response = viewer.get(url("evidence-file", project, pk=log.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="server.log"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"


def test_evidence_of_another_project_is_404(project, other_project, users, world, client_for):
    from django.contrib.auth import get_user_model

    other_pm = get_user_model().objects.get(username="other-pm")
    foreign = add_file(make_world(other_project, other_pm)["execution"], other_pm, "theirs.png", PNG)
    pm = client_for("pm")
    assert pm.get(url("evidence-file", project, pk=foreign.pk)).status_code == 404
    assert pm.get(url("evidence-file", other_project, pk=foreign.pk)).status_code == 404
    assert pm.get(url("evidence-delete", project, pk=foreign.pk)).status_code == 404
    assert pm.post(url("evidence-delete", project, pk=foreign.pk)).status_code == 404
    assert ExecutionEvidence.objects.filter(pk=foreign.pk).exists()


def test_viewer_may_view_but_not_upload_or_remove(project, users, world, client_for):
    ex = world["execution"]
    row = add_file(ex, users["member"], "shot.png", PNG)
    viewer = client_for("viewer")
    page = viewer.get(ex.get_absolute_url()).content.decode()
    assert "shot.png" in page
    assert url("execution-evidence-upload", project, pk=ex.pk) not in page
    assert url("evidence-delete", project, pk=row.pk) not in page
    assert url("execution-run", project, pk=ex.pk) not in page
    assert viewer.get(url("evidence-file", project, pk=row.pk)).status_code == 200
    assert viewer.post(url("execution-evidence-upload", project, pk=ex.pk), {"files": [upload("x.png", PNG)]}).status_code == 403
    assert viewer.get(url("evidence-delete", project, pk=row.pk)).status_code == 403
    assert viewer.post(url("evidence-delete", project, pk=row.pk)).status_code == 403
    assert ExecutionEvidence.objects.count() == 1


def test_outsider_gets_404_everywhere(project, users, world, client_for):
    ex = world["execution"]
    row = add_file(ex, users["member"], "shot.png", PNG)
    outsider = client_for("outsider")
    assert outsider.get(url("evidence-file", project, pk=row.pk)).status_code == 404
    assert outsider.post(url("execution-evidence-upload", project, pk=ex.pk), {"files": [upload("x.png", PNG)]}).status_code == 404
    assert outsider.get(url("evidence-delete", project, pk=row.pk)).status_code == 404
    anonymous = client_for("anonymous").get(url("evidence-file", project, pk=row.pk))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


def test_remove_keeps_history_and_the_file(project, users, world, member):
    ex = world["execution"]
    row = add_file(ex, users["member"], "shot.png", PNG)
    path = row.file.path
    confirm = member.get(url("evidence-delete", project, pk=row.pk) + "?back=run")
    assert confirm.status_code == 200 and "Remove shot.png?" in confirm.content.decode()
    response = member.post(url("evidence-delete", project, pk=row.pk), {"back": "run"})
    assert response["Location"] == url("execution-run", project, pk=ex.pk) + "#evidence"
    assert not ExecutionEvidence.objects.filter(pk=row.pk).exists()
    record = ExecutionEvidence.history.get(id=row.pk, history_type="-")
    assert record.history_user == users["member"] and record.name == "shot.png"
    assert os.path.exists(path)
    # Restorable from its history, file and all.
    from projectcrm.core.services import restore_row

    restored = restore_row(record)
    assert restored.file.read() == PNG


# --- Languages -----------------------------------------------------------------------------------------


def test_pages_render_in_traditional_chinese(project, users, world, client_for):
    ex = world["execution"]
    row = add_file(ex, users["member"], "shot.png", PNG)
    member = client_for("member")
    member.cookies["django_language"] = "zh-hant"
    for address in (url("execution-run", project, pk=ex.pk), ex.get_absolute_url(), world["cycle"].get_absolute_url(),
                    url("evidence-delete", project, pk=row.pk)):
        response = member.get(address)
        assert response.status_code == 200, address
        assert '<html lang="zh-hant">' in response.content.decode(), address
    response = member.post(url("execution-run", project, pk=ex.pk), run_post(ex.version, **{"result-1": "failed"}))
    assert response.status_code == 200
    ex.refresh_from_db()
    assert ex.version == 1


def test_executed_time_is_set_on_save(project, world, member):
    ex = world["execution"]
    before = datetime.datetime.now(datetime.UTC)
    member.post(url("execution-run", project, pk=ex.pk), run_post(ex.version, **{"result-1": "passed"}))
    ex.refresh_from_db()
    assert ex.executed_at >= before
    assert ex.result == Result.NOT_RUN  # steps 2 and 3 not run yet
    assert ex.step_results == "1 | passed"


# --- In a real browser ---------------------------------------------------------------------------------


def _browser_marks(test):
    from tests.browser_support import BROWSER_MARKS

    for mark in BROWSER_MARKS:
        test = mark(test)
    return test


@pytest.fixture
def browser_world(transactional_db, tmp_path):
    from django.contrib.auth import get_user_model

    from projectcrm.core.choices import Role
    from projectcrm.core.models import Membership, Project

    tester = get_user_model().objects.create_user(username="tester", password="demo-pass", first_name="Lin")
    project = Project.objects.create(name="Lumen Frames CRM rollout", company="Lumen Frames")
    Membership.objects.create(project=project, user=tester, role=Role.MEMBER)
    world = make_world(project, tester)
    Execution.objects.filter(pk=world["execution"].pk).delete()
    shot = tmp_path / "total.png"
    shot.write_bytes(PNG)
    return project, world, shot


@_browser_marks
def test_tester_runs_a_case_in_the_browser(browser, live_server, browser_world):
    """From the cycle: Execute, mark the steps (the suggestion follows), attach a screenshot without losing
    the entries, save, and raise a defect from the failed step."""
    project, world, shot = browser_world
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20000)
    base = live_server.url
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", "tester")
    page.fill("#id_password", "demo-pass")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")

    page.goto(base + world["cycle"].get_absolute_url())
    with page.expect_navigation():
        page.click("#progress button:has-text('Execute')")
    execution = Execution.objects.get(cycle=world["cycle"])
    assert page.url.endswith(url("execution-run", project, pk=execution.pk))
    assert page.locator("#suggested").inner_text() == "Not run"
    for n in (1, 2, 3):
        page.check(f"input[name=result-{n}][value=passed]")
    assert page.locator("#suggested").inner_text() == "Passed"
    page.check("input[name=result-2][value=failed]")
    assert page.locator("#suggested").inner_text() == "Failed"
    page.fill("#actual-2", "Total shows 0.00")

    page.set_input_files("#evidence-files", str(shot))
    page.select_option("#evidence-step", "2")
    page.click("#evidence button[type=submit]")
    page.wait_for_selector("#evidence img.thumb")
    assert page.locator("input[name=result-2][value=failed]").is_checked()  # unsaved entries kept
    assert page.locator("#actual-2").input_value() == "Total shows 0.00"

    with page.expect_navigation():
        page.click("#runner button[type=submit]")
    execution.refresh_from_db()
    assert execution.step_results == "1 | passed\n2 | failed | Total shows 0.00\n3 | passed"
    assert execution.result == Result.FAILED
    assert ExecutionEvidence.objects.get(execution=execution).step_number == 2
    with page.expect_navigation():
        page.click("#step-2 button:has-text('Raise defect')")
    assert execution.defects.get().step_number == 2
    context.close()
