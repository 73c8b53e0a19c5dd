"""Use-case workflow (design/services.py) and the use case's page extras (design/usecase_views.py).

draft --review--> reviewed --approve (business owner only)--> approved; reopen → draft clears the
sign-off while the history keeps it. Review and reopen need design change; sign-off needs view plus
being the business owner.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from projectcrm.design import services
from projectcrm.design.choices import MapKind, UseCaseStatus
from projectcrm.design.models import BusinessRule, Gap, UseCase
from testing.models import Execution, TestCase, TestCycle, TestPlan
from tests.design.conftest import small_map


@pytest.fixture
def use_case(project, users):
    """A draft use case whose business owner is the viewer (a viewer may sign off what they own)."""
    return UseCase.objects.create(
        project=project, title="Capture a lead", actor="Sales assistant", business_owner=users["viewer"],
        main_flow="Open the lead form\nEnter the contact\n\nSave", alternate_flows="Duplicate found: merge",
        exception_flows="No e-mail: ask by phone",
    )


def status_url(uc):
    return reverse("design:usecase-status", kwargs={"project": uc.project_id, "pk": uc.pk})


def detail_url(uc):
    return reverse("design:use-cases-detail", kwargs={"project": uc.project_id, "pk": uc.pk})


def post(client, uc, action):
    return client.post(status_url(uc), {"action": action}, follow=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- services ----------------------------------------------------------------------------------------


def test_review_approve_reopen_keep_history(use_case, users):
    pm, owner = users["pm"], users["viewer"]
    reviewed = services.review(use_case, pm)
    assert reviewed.status == UseCaseStatus.REVIEWED and reviewed.version == 2
    approved = services.approve(reviewed, owner)
    assert approved.status == UseCaseStatus.APPROVED and approved.version == 3
    assert approved.signed_off_by == owner and approved.signed_off_at is not None
    reopened = services.reopen(approved, pm)
    assert reopened.status == UseCaseStatus.DRAFT and reopened.version == 4
    assert reopened.signed_off_by is None and reopened.signed_off_at is None
    history = list(UseCase.history.filter(id=use_case.pk).order_by("history_id"))
    assert [h.status for h in history] == ["draft", "reviewed", "approved", "draft"]
    assert [h.history_user for h in history[1:]] == [pm, owner, pm]
    signed = history[2]
    assert signed.signed_off_by_id == owner.pk and signed.signed_off_at == approved.signed_off_at
    assert signed.history_change_reason == "signed off"


def test_approve_refusals_name_the_reason(use_case, users):
    with pytest.raises(ValidationError, match="has not been reviewed yet"):
        services.approve(use_case, users["viewer"])
    services.review(use_case, users["pm"])
    with pytest.raises(ValidationError, match="Only the business owner of UC-001 \\(Viewer\\)"):
        services.approve(use_case, users["pm"])
    UseCase.objects.filter(pk=use_case.pk).update(business_owner=None)
    with pytest.raises(ValidationError, match="has no business owner"):
        services.approve(use_case, users["pm"])
    use_case.refresh_from_db()
    assert use_case.status == UseCaseStatus.REVIEWED and use_case.signed_off_by is None


def test_owner_without_design_access_cannot_sign_off(project, users, other_project):
    from django.contrib.auth import get_user_model

    stranger = get_user_model().objects.get(username="other-pm")  # not a member of `project`
    uc = UseCase.objects.create(project=project, title="T", actor="A", business_owner=stranger,
                                status=UseCaseStatus.REVIEWED)
    with pytest.raises(PermissionDenied):
        services.approve(uc, stranger)


def test_review_and_reopen_need_change_role(use_case, users):
    with pytest.raises(PermissionDenied):
        services.review(use_case, users["viewer"])
    services.review(use_case, users["member"])
    with pytest.raises(PermissionDenied):
        services.reopen(use_case, users["steering"])
    with pytest.raises(ValidationError, match="already a draft"):
        services.reopen(services.reopen(use_case, users["pm"]), users["pm"])


def test_review_only_from_draft(use_case, users):
    services.review(use_case, users["pm"])
    with pytest.raises(ValidationError, match="only a draft use case"):
        services.review(use_case, users["pm"])


# --- the status view -----------------------------------------------------------------------------------


def test_status_view_walks_the_workflow(use_case, client_for):
    response = post(client_for("pm"), use_case, "review")
    assert response.redirect_chain[-1][0] == detail_url(use_case)
    assert "UC-001 is marked as reviewed." in messages_of(response)
    response = post(client_for("viewer"), use_case, "approve")
    assert "UC-001 is signed off." in messages_of(response)
    use_case.refresh_from_db()
    assert use_case.status == UseCaseStatus.APPROVED and use_case.signed_off_by.username == "viewer"
    response = post(client_for("member"), use_case, "reopen")
    assert "UC-001 is reopened as a draft." in messages_of(response)
    use_case.refresh_from_db()
    assert use_case.status == UseCaseStatus.DRAFT and use_case.signed_off_at is None


def test_status_view_refusals_are_messages(use_case, client_for, users):
    response = post(client_for("viewer"), use_case, "approve")  # the owner, but not reviewed yet
    assert any("not been reviewed yet" in m for m in messages_of(response))
    post(client_for("pm"), use_case, "review")
    response = post(client_for("pm"), use_case, "approve")  # reviewed, but pm is not the owner
    assert any("Only the business owner" in m for m in messages_of(response))
    response = post(client_for("pm"), use_case, "sign")
    assert any("is not an action" in m for m in messages_of(response))
    use_case.refresh_from_db()
    assert use_case.status == UseCaseStatus.REVIEWED


@pytest.mark.parametrize("action", ["review", "reopen"])
def test_viewer_may_not_review_or_reopen(use_case, client_for, action):
    assert client_for("viewer").post(status_url(use_case), {"action": action}).status_code == 403


def test_status_view_outsider_anonymous_and_get(use_case, client_for):
    assert client_for("outsider").post(status_url(use_case), {"action": "review"}).status_code == 404
    response = client_for("anonymous").post(status_url(use_case), {"action": "review"})
    assert response.status_code == 302 and "/login" in response["Location"]
    assert client_for("pm").get(status_url(use_case)).status_code == 405


def test_use_case_of_another_project_is_404(client_for, other_project):
    uc = UseCase.objects.create(project=other_project, title="Theirs", actor="A")
    url = reverse("design:usecase-status", kwargs={"project": other_project.pk, "pk": uc.pk})
    assert client_for("pm").post(url, {"action": "review"}).status_code == 404


def test_signed_off_use_case_is_locked_for_edits(use_case, users, client_for):
    services.review(use_case, users["pm"])
    services.approve(use_case, users["viewer"])
    url = reverse("design:use-cases-edit", kwargs={"project": use_case.project_id, "pk": use_case.pk})
    client_for("pm").post(url, {"title": "Changed", "actor": "X", "version": 3})
    use_case.refresh_from_db()
    assert use_case.title == "Capture a lead"


# --- the detail page ---------------------------------------------------------------------------------


def test_detail_page_shows_flows_links_sign_off_and_tests(project, users, use_case, make_map, client_for):
    to_be = make_map(small_map(), kind=MapKind.TO_BE, name="Lead to-be")
    step = to_be.steps.get(key="Task_capture")
    rule = BusinessRule.objects.create(project=project, name="Assign by region", rule_type="assignment")
    gap = Gap.objects.create(project=project, title="Leads typed twice", to_be_step=step)
    use_case.steps.add(step)
    use_case.business_rules.add(rule)
    use_case.gaps.add(gap)
    plan = TestPlan.objects.create(project=project, name="UAT")
    cycle = TestCycle.objects.create(project=project, plan=plan, name="C1")
    case = TestCase.objects.create(project=project, title="Capture works", steps="Do | ok", use_cases="UC-01")
    Execution.objects.create(project=project, cycle=cycle, case=case, result="failed")
    services.review(use_case, users["pm"])

    page = client_for("pm").get(detail_url(use_case)).content.decode()
    assert "<li>Open the lead form</li><li>Enter the contact</li><li>Save</li>" in page
    assert "Duplicate found: merge" in page and "No e-mail: ask by phone" in page
    assert reverse("design:rules-detail", kwargs={"project": project.pk, "pk": rule.pk}) in page
    assert reverse("design:gaps-detail", kwargs={"project": project.pk, "pk": gap.pk}) in page
    assert step.ref in page
    assert case.ref in page and "Failed" in page
    assert 'value="reopen"' in page and 'value="approve"' not in page  # pm: not the owner
    assert "Waiting for the sign-off of Viewer." in page

    page = client_for("viewer").get(detail_url(use_case)).content.decode()
    assert 'value="approve"' in page and 'value="reopen"' not in page and 'value="review"' not in page
