"""Readiness questionnaire pages: adding the library, answering a survey, results and overview."""

import datetime

import pytest
from django.urls import reverse

from projectcrm.governance import assessment
from projectcrm.governance.choices import SurveyStatus
from projectcrm.governance.models import (
    ReadinessAnswer,
    ReadinessQuestion,
    ReadinessResponse,
    ReadinessSurvey,
)


def gurl(name, project, **kwargs):
    return reverse(f"governance:{name}", kwargs={"project": project.pk, **kwargs})


@pytest.fixture
def questions(project):
    assessment.load_library(project)
    return list(ReadinessQuestion.objects.filter(project=project).order_by("order"))


@pytest.fixture
def survey(project):
    return ReadinessSurvey.objects.create(
        project=project, title="Round one", status=SurveyStatus.OPEN, opens_on=datetime.date(2025, 1, 6)
    )


def all_answers(questions, score="4", **overrides):
    data = {f"score-{q.pk}": score for q in questions}
    data.update(overrides)
    return data


# --- Library ---------------------------------------------------------------------------------------


def test_library_post_adds_statements_once(pm_client, project):
    response = pm_client.post(gurl("readiness-library", project), follow=True)
    assert response.redirect_chain[-1][0] == gurl("readiness-questions-list", project)
    count = len(assessment.library())
    assert ReadinessQuestion.objects.filter(project=project).count() == count
    assert f"{count} statements added from the library." in response.content.decode()
    response = pm_client.post(gurl("readiness-library", project), follow=True)
    assert ReadinessQuestion.objects.filter(project=project).count() == count
    assert "already has every library statement" in response.content.decode()


def test_library_needs_change_and_post(client_for, project):
    assert client_for("viewer").post(gurl("readiness-library", project)).status_code == 403
    assert client_for("outsider").post(gurl("readiness-library", project)).status_code == 404
    assert client_for("pm").get(gurl("readiness-library", project)).status_code == 405
    assert not ReadinessQuestion.objects.filter(project=project).exists()


def test_questions_list_offers_the_library_button_to_changers_only(client_for, project):
    page = client_for("member").get(gurl("readiness-questions-list", project)).content.decode()
    assert gurl("readiness-library", project) in page and gurl("readiness-overview", project) in page
    page = client_for("viewer").get(gurl("readiness-questions-list", project)).content.decode()
    assert gurl("readiness-library", project) not in page


# --- Answering -------------------------------------------------------------------------------------


def test_answer_saves_every_answer_in_one_go(client_for, project, users, questions, survey):
    client = client_for("member")
    page = client.get(gurl("readiness-answer", project, pk=survey.pk))
    assert page.status_code == 200
    assert questions[0].text in page.content.decode()
    data = all_answers(questions, department="Export sales")
    data[f"score-{questions[1].pk}"] = "dk"
    data[f"comment-{questions[0].pk}"] = "  Targets come from last year.  "
    response = client.post(gurl("readiness-answer", project, pk=survey.pk), data)
    assert response.status_code == 302
    saved = ReadinessResponse.objects.get(survey=survey, respondent=users["member"])
    assert saved.department == "Export sales" and saved.submitted is not None
    assert saved.respondent_name == "Member"
    answers = {a.question_id: a for a in saved.answers.all()}
    assert len(answers) == len(questions)
    assert answers[questions[0].pk].score == 4 and answers[questions[0].pk].comment == "Targets come from last year."
    assert answers[questions[1].pk].score is None


def test_a_bad_value_is_refused_naming_the_statement_and_nothing_is_saved(client_for, project, questions, survey):
    client = client_for("member")
    data = all_answers(questions)
    data[f"score-{questions[2].pk}"] = "7"
    response = client.post(gurl("readiness-answer", project, pk=survey.pk), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Statement 3 (Data-driven culture)" in text and "“7” is not an answer" in text
    assert "Nothing was saved" in text
    assert not ReadinessResponse.objects.exists() and not ReadinessAnswer.objects.exists()
    # A missing answer is refused too; what was posted stays on the page.
    data = all_answers(questions)
    del data[f"score-{questions[0].pk}"]
    response = client.post(gurl("readiness-answer", project, pk=survey.pk), data)
    assert "Statement 1 (Data-driven culture): choose an answer" in response.content.decode()
    assert not ReadinessAnswer.objects.exists()
    assert f'name="score-{questions[1].pk}" value="4" aria-label' in response.content.decode()


def test_answering_again_updates_instead_of_duplicating(client_for, project, users, questions, survey):
    client = client_for("viewer")  # viewers may answer: it is their own opinion, not governance data
    client.post(gurl("readiness-answer", project, pk=survey.pk), all_answers(questions, "2"))
    client.post(gurl("readiness-answer", project, pk=survey.pk), all_answers(questions, "5"))
    assert ReadinessResponse.objects.filter(survey=survey).count() == 1
    assert ReadinessAnswer.objects.count() == len(questions)
    assert set(ReadinessAnswer.objects.values_list("score", flat=True)) == {5}
    page = client.get(gurl("readiness-answer", project, pk=survey.pk)).content.decode()
    assert f'name="score-{questions[0].pk}" value="5" aria-label="1: 5 – strongly agree" checked' in page
    assert "Saving again replaces your earlier answers" in page


@pytest.mark.parametrize("status", [SurveyStatus.CLOSED, SurveyStatus.DRAFT])
def test_a_survey_that_is_not_open_cannot_be_answered(client_for, project, questions, survey, status):
    survey.status = status
    survey.save()
    client = client_for("member")
    page = client.get(gurl("readiness-answer", project, pk=survey.pk)).content.decode()
    assert "not open for answers yet" in page or "This survey is closed" in page
    assert "Save my answers" not in page
    response = client.post(gurl("readiness-answer", project, pk=survey.pk), all_answers(questions), follow=True)
    assert "not open for answers, so nothing was saved" in response.content.decode()
    assert not ReadinessAnswer.objects.exists()


def test_answer_page_renders_in_chinese(client_for, project, questions, survey):
    client = client_for("member")
    page = client.get(gurl("readiness-answer", project, pk=survey.pk), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert questions[0].text_zh_hans in page.content.decode()
    assert questions[0].text not in page.content.decode()
    client.cookies["django_language"] = "zh-hant"
    page = client.get(gurl("readiness-answer", project, pk=survey.pk))
    assert questions[0].text_zh_hant in page.content.decode()


def test_outsiders_get_404(client_for, project, other_project, survey):
    outsider = client_for("outsider")
    for name in ("readiness-answer", "readiness-results"):
        assert outsider.get(gurl(name, project, pk=survey.pk)).status_code == 404
    assert outsider.get(gurl("readiness-overview", project)).status_code == 404
    # A member asking for the survey under another project's address gets 404 too.
    assert client_for("pm").get(gurl("readiness-results", other_project, pk=survey.pk)).status_code == 404


# --- Results and overview --------------------------------------------------------------------------


def answer_as(client_for, project, survey, questions, username, score, comment=""):
    data = all_answers(questions, score)
    data[f"comment-{questions[0].pk}"] = comment
    client_for(username).post(gurl("readiness-answer", project, pk=survey.pk), data)


def test_results_page_for_a_viewer_hides_names(client_for, project, questions, survey):
    answer_as(client_for, project, survey, questions, "member", "2", "Targets are guesswork.")
    answer_as(client_for, project, survey, questions, "steering", "4")
    page = client_for("viewer").get(gurl("readiness-results", project, pk=survey.pk))
    assert page.status_code == 200
    result = page.context["result"]
    assert result["respondents"] == 2 and result["overall"] == 3.0
    text = page.content.decode()
    assert "Targets are guesswork." in text and "— Member" not in text
    assert "Comments are shown without names." in text
    assert result["comments"][0]["respondent"] == ""
    assert page.context["uses_plotly"] and "plotly" in text
    # The project manager (governance change) sees who wrote it.
    page = client_for("pm").get(gurl("readiness-results", project, pk=survey.pk)).content.decode()
    assert "— Member" in page


def test_results_and_overview_compare_rounds(client_for, project, questions, survey):
    answer_as(client_for, project, survey, questions, "member", "2")
    survey.status = SurveyStatus.CLOSED
    survey.save()
    later = ReadinessSurvey.objects.create(
        project=project, title="Round two", status=SurveyStatus.OPEN, opens_on=datetime.date(2025, 3, 3)
    )
    answer_as(client_for, project, later, questions, "member", "4")
    page = client_for("viewer").get(gurl("readiness-results", project, pk=later.pk))
    assert page.context["previous"]["pk"] == survey.pk
    row = next(d for d in page.context["result"]["dimensions"] if d["code"] == "communication")
    assert row["change"] == 2.0 and row["direction"] == "up"
    assert "▲ +2.00" in page.content.decode()
    overview = client_for("viewer").get(gurl("readiness-overview", project))
    assert overview.status_code == 200
    assert [s["pk"] for s in overview.context["comparison"]["surveys"]] == [survey.pk, later.pk]
    assert overview.context["summary"]["latest"]["overall"] == 4.0
    assert gurl("readiness-answer", project, pk=later.pk) in overview.content.decode()


def test_pages_render_in_traditional_chinese(client_for, project, questions, survey):
    answer_as(client_for, project, survey, questions, "member", "3", "說明")
    client = client_for("pm")
    client.cookies["django_language"] = "zh-hant"
    for url in (gurl("readiness-results", project, pk=survey.pk), gurl("readiness-overview", project),
                gurl("readiness-surveys-detail", project, pk=survey.pk)):
        assert client.get(url).status_code == 200, url
    page = client.get(gurl("readiness-results", project, pk=survey.pk)).content.decode()
    assert questions[0].text_zh_hant in page


def test_survey_detail_links_to_answer_and_results(client_for, project, questions, survey):
    answer_as(client_for, project, survey, questions, "member", "3")
    page = client_for("member").get(gurl("readiness-surveys-detail", project, pk=survey.pk)).content.decode()
    assert gurl("readiness-answer", project, pk=survey.pk) in page
    assert gurl("readiness-results", project, pk=survey.pk) in page
    assert "1 person has answered." in page and "Change my answers" in page
