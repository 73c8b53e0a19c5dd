"""Readiness assessment: the statement library, scoring against hand-worked examples, comparison,
summary shape and the demo rounds."""

import datetime
import json
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from projectcrm.governance import assessment
from projectcrm.governance.assessment import Answer
from projectcrm.governance.choices import DIMENSION_FAMILY, ReadinessDimension, SurveyStatus
from projectcrm.governance.models import (
    ReadinessAnswer,
    ReadinessQuestion,
    ReadinessResponse,
    ReadinessSurvey,
)

# --- The library -----------------------------------------------------------------------------------


def test_library_has_three_languages_and_every_dimension_twice():
    entries = assessment.library()
    keys = [e["key"] for e in entries]
    assert len(keys) == len(set(keys))
    for entry in entries:
        assert entry["dimension"] in ReadinessDimension.values, entry["key"]
        for lang in ("en", "zh-hans", "zh-hant"):
            assert entry[lang].strip(), (entry["key"], lang)
        # Chinese statements are Chinese, and the two scripts are not the same text throughout.
        assert any("\u4e00" <= ch <= "\u9fff" for ch in entry["zh-hans"])
        assert any("\u4e00" <= ch <= "\u9fff" for ch in entry["zh-hant"])
    assert sum(e["zh-hans"] != e["zh-hant"] for e in entries) > len(entries) * 0.8
    counts = Counter(e["dimension"] for e in entries)
    for dimension in ReadinessDimension.values:
        assert 2 <= counts[dimension] <= 3, dimension


def test_library_file_is_valid_json_with_entries():
    data = json.loads(assessment.LIBRARY_FILE.read_text(encoding="utf-8"))
    assert len(data["entries"]) == len(assessment.library())


def test_load_library_is_idempotent_and_keeps_all_languages(project):
    added = assessment.load_library(project)
    assert added == len(assessment.library())
    assert assessment.load_library(project, "zh-hans") == 0
    questions = list(ReadinessQuestion.objects.filter(project=project).order_by("order"))
    assert [q.library_key for q in questions] == [e["key"] for e in assessment.library()]
    first = assessment.library()[0]
    q = questions[0]
    assert (q.text, q.text_zh_hans, q.text_zh_hant) == (first["en"], first["zh-hans"], first["zh-hant"])
    assert q.text_in("zh-hant") == first["zh-hant"]
    assert q.text_in("zh-hans") == first["zh-hans"]
    assert q.text_in("en") == first["en"]


def test_load_library_adds_only_missing_and_leaves_own_statements(project):
    assessment.load_library(project)
    removed = ReadinessQuestion.objects.filter(project=project).order_by("order").first()
    key = removed.library_key
    removed.delete()
    switched_off = ReadinessQuestion.objects.filter(project=project).order_by("order").last()
    switched_off.active = False
    switched_off.save()
    ReadinessQuestion.objects.create(project=project, dimension="fit", text="Our own statement.")
    assert assessment.load_library(project) == 1
    assert ReadinessQuestion.objects.filter(project=project, library_key=key).count() == 1
    assert ReadinessQuestion.objects.filter(project=project).count() == len(assessment.library()) + 1


# --- Scoring (hand-worked) -------------------------------------------------------------------------

# Two people, three statements: two of communication (q1, q2), one of training (q3).
#   ann: q1=4, q2=2, q3=don't know
#   bob: q1=5, q2=3, q3=1
# communication: (4 + 2 + 5 + 3) / 4 = 3.5 ; training: 1 (ann's don't know is left out)
ANSWERS = [
    Answer("ann", "communication", "q1", 4),
    Answer("ann", "communication", "q2", 2),
    Answer("ann", "training", "q3", None),
    Answer("bob", "communication", "q1", 5),
    Answer("bob", "communication", "q2", 3),
    Answer("bob", "training", "q3", 1),
]


def test_dimension_means_ignore_dont_know():
    means = assessment.dimension_means(ANSWERS)
    assert list(means) == ReadinessDimension.values
    assert means["communication"] == 3.5
    assert means["training"] == 1
    assert means["data_culture"] is None


def test_family_and_overall_means_are_means_of_dimension_means():
    means = {code: None for code in ReadinessDimension.values}
    means.update(communication=3.5, training=1.0, executive_sponsorship=4.0, fit=2.0, continuity=3.0)
    families = assessment.family_means(means)
    # culture: (3.5 + 1) / 2; success factors: 4; strategy tests: (2 + 3) / 2
    assert families == {"culture": 2.25, "success_factors": 4.0, "strategy_tests": 2.5}
    # overall: (3.5 + 1 + 4 + 2 + 3) / 5, not the mean of the families
    assert assessment.overall_mean(means) == pytest.approx(2.7)
    assert assessment.overall_mean({code: None for code in ReadinessDimension.values}) is None


def test_counts_spread_and_distribution():
    counts = assessment.dimension_counts(ANSWERS)
    assert counts["communication"] == {"scored": 4, "dont_know": 0, "respondents": 2}
    assert counts["training"] == {"scored": 1, "dont_know": 1, "respondents": 1}
    spread = assessment.dimension_spread(ANSWERS)
    # ann's own mean of communication 3, bob's 4
    assert spread["communication"] == {"min": 3, "max": 4}
    assert spread["training"] == {"min": 1, "max": 1}
    assert spread["fit"] == {"min": None, "max": None}
    dist = assessment.question_distribution(ANSWERS)
    assert dist["q1"] == {"counts": [0, 0, 0, 1, 1], "dont_know": 0, "mean": 4.5}
    assert dist["q3"] == {"counts": [1, 0, 0, 0, 0], "dont_know": 1, "mean": 1}


def test_compare_and_weakest():
    before = {code: None for code in ReadinessDimension.values}
    after = dict(before)
    before.update(communication=2.4, training=2.2, data_culture=2.1, fit=3.0)
    after.update(communication=3.7, training=2.15, data_culture=2.15, fit=2.5, continuity=3.0)
    changes = assessment.compare(before, after)
    assert changes["communication"] == {"before": 2.4, "after": 3.7, "change": 1.3, "direction": "up"}
    assert changes["fit"]["direction"] == "down" and changes["fit"]["change"] == -0.5
    assert changes["training"]["direction"] == "flat"  # -0.05: less than a tenth of a point
    assert changes["continuity"] == {"before": None, "after": 3.0, "change": None, "direction": "none"}
    # lowest first; ties in the dimensions' order (data culture comes before training)
    assert assessment.weakest(after) == ["data_culture", "training", "fit"]


# --- Summary ---------------------------------------------------------------------------------------


def make_round(project, title, opens_on, people, scores_by_key, status=SurveyStatus.CLOSED):
    survey = ReadinessSurvey.objects.create(project=project, title=title, opens_on=opens_on, status=status)
    questions = {q.library_key: q for q in ReadinessQuestion.objects.filter(project=project)}
    for user in people:
        response = ReadinessResponse.objects.create(project=project, survey=survey, respondent=user)
        for key, score in scores_by_key.items():
            ReadinessAnswer.objects.create(project=project, response=response, question=questions[key], score=score)
    return survey


def test_summary_shape_and_comparison(project, users):
    assessment.load_library(project)
    today = datetime.date(2025, 3, 1)
    people = [users["pm"], users["member"]]
    first = make_round(project, "Start", today - datetime.timedelta(days=70), people,
                       {"communication-why": 2, "training-early": 2, "data-culture-targets": 1})
    second = make_round(project, "Later", today - datetime.timedelta(days=14), people,
                        {"communication-why": 4, "training-early": None, "data-culture-targets": 2}, SurveyStatus.OPEN)
    ReadinessSurvey.objects.create(project=project, title="Next", opens_on=today, status=SurveyStatus.DRAFT)
    result = assessment.summary(project)
    assert [d["code"] for d in result["dimensions"]] == ReadinessDimension.values
    assert result["dimensions"][0] == {
        "code": "data_culture", "label": "Data-driven culture", "family": "culture", "family_label": "Culture and people",
    }
    assert [s["title"] for s in result["surveys"]] == ["Start", "Later", "Next"]
    latest = result["latest"]
    assert latest["pk"] == second.pk and result["previous"]["pk"] == first.pk
    assert set(latest) >= {"pk", "ref", "title", "opens_on", "status", "responses", "scores", "overall"}
    assert latest["responses"] == 2
    assert latest["scores"]["communication"] == 4 and latest["scores"]["training"] is None
    assert latest["overall"] == 3.0  # (2 + 4) / 2: training has no score
    assert result["surveys"][2]["responses"] == 0 and result["surveys"][2]["overall"] is None
    assert [w["code"] for w in result["weakest"]] == ["data_culture", "communication"]
    assert result["weakest"][0] == {"code": "data_culture", "label": "Data-driven culture", "score": 2.0}
    change = assessment.latest_change(result)
    assert change["communication"]["change"] == 2 and change["communication"]["direction"] == "up"
    json.dumps(result)  # frozen by the steering report
    fig = assessment.radar_figure(result, "zh-hant")
    assert [t.name for t in fig.data] == [f"{first.ref} ({first.opens_on})", f"{second.ref} ({second.opens_on})"]
    with translation.override("zh-hant"):
        assert fig.data[0].theta[0] == str(ReadinessDimension.DATA_CULTURE.label)
    assert len(assessment.trend_figure(result, "en").data) == 4


def test_summary_without_answers(project):
    result = assessment.summary(project)
    assert result["surveys"] == [] and result["latest"] is None and result["weakest"] == []
    assert assessment.latest_change(result) == {}
    fig = assessment.radar_figure(result, "en")
    assert fig.layout.annotations[0].text == "No answers yet."


def test_survey_results_hide_names_unless_asked(project, users):
    assessment.load_library(project)
    survey = make_round(project, "Start", datetime.date(2025, 1, 1), [users["pm"]], {"communication-why": 3})
    ReadinessAnswer.objects.filter(response__survey=survey).update(comment="Too few updates")
    ReadinessResponse.objects.filter(survey=survey).update(respondent_name="Pm Person")
    anonymous = assessment.survey_results(survey)
    assert anonymous["comments"][0]["respondent"] == "" and anonymous["comments"][0]["comment"] == "Too few updates"
    named = assessment.survey_results(survey, show_names=True)
    assert named["comments"][0]["respondent"] == "Pm Person"
    assert named["respondents"] == 1 and named["overall"] == 3
    assert named["questions"][0]["counts"] == [0, 0, 1, 0, 0]


# --- Demo ------------------------------------------------------------------------------------------


def test_demo_rounds_show_progress_and_a_persistent_weakness(project):
    from projectcrm.governance import demo_readiness

    User = get_user_model()
    users = {name: User.objects.create_user(username=f"demo-{name}", first_name=name.title())
             for name in ["pm", "sponsor", "steering", "evaluator", "evaluator2", "evaluator3", "trainer", "member", "viewer"]}
    demo_readiness.seed(project, users)
    counts = (ReadinessSurvey.objects.count(), ReadinessResponse.objects.count(), ReadinessAnswer.objects.count())
    demo_readiness.seed(project, users)  # idempotent
    assert (ReadinessSurvey.objects.count(), ReadinessResponse.objects.count(), ReadinessAnswer.objects.count()) == counts
    result = assessment.summary(project)
    first, second = result["surveys"]
    assert first["status"] == "closed" and 6 <= first["responses"] <= 8 and 6 <= second["responses"] <= 8
    for code in ("communication", "training"):
        assert second["scores"][code] - first["scores"][code] >= 0.8, code
    for survey in (first, second):
        assert assessment.weakest(survey["scores"])[0] == "data_culture"
    assert result["weakest"][0]["code"] == "data_culture"
    assert all(DIMENSION_FAMILY[code] for code in second["scores"])
