"""Organisational readiness questionnaire pages: add the library statements, answer a survey, a
survey's results, and all surveys over time.

Who may answer: every project member whose role may VIEW governance (viewers included). Answering
the questionnaire records one's own opinion; it changes no governance data anybody else owns, so
it does not need the "change governance" permission. A member only ever edits their own response.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projectcrm.core.access import project_access
from projectcrm.core.charts import figure_html, localise
from projectcrm.core.services import save_versioned

from . import assessment
from .choices import DIMENSION_FAMILY, Agreement, ReadinessDimension, ReadinessFamily, SurveyStatus
from .models import ReadinessAnswer, ReadinessQuestion, ReadinessResponse, ReadinessSurvey, Stakeholder

AREA = "governance"
DONT_KNOW = "dk"
COMMENT_MAX = 2000


@login_required
@require_POST
def library(request, project):
    """Add the library statements the project does not have yet (in all three languages)."""
    access = project_access(request.user, project, AREA, "view")
    access.require(AREA, "change")
    added = assessment.load_library(access.project, get_language())
    if added:
        messages.success(request, _("%(n)d statements added from the library.") % {"n": added})
    else:
        messages.info(request, _("The project already has every library statement."))
    return redirect("governance:readiness-questions-list", project=access.project.pk)


def grouped(questions, number_from: int = 1):
    """Questions grouped by family and dimension, in the choices' order: [{"code", "label",
    "dimensions": [{"code", "label", "questions": [question, ...]}]}]; each question gets a running
    `number` as shown on the page."""
    by_dimension = {}
    for q in questions:
        by_dimension.setdefault(q.dimension, []).append(q)
    families = []
    number = number_from
    for family in ReadinessFamily:
        dims = []
        for dimension in ReadinessDimension:
            if DIMENSION_FAMILY[dimension.value] != family or dimension.value not in by_dimension:
                continue
            items = by_dimension[dimension.value]
            for q in items:
                q.number = number
                number += 1
            dims.append({"code": dimension.value, "label": dimension.label, "questions": items})
        if dims:
            families.append({"code": family.value, "label": family.label, "dimensions": dims})
    return families


def parse_answers(data, questions) -> tuple[dict, list[str]]:
    """Posted answers -> ({question pk: (score or None, comment)}, [error messages]).

    Every question needs an answer: 1 to 5, or "dk" (don't know). An error names the statement by
    its number on the page and its dimension.
    """
    values = {}
    errors = []
    for q in questions:
        raw = (data.get(f"score-{q.pk}") or "").strip()
        comment = (data.get(f"comment-{q.pk}") or "").strip()
        where = _("Statement %(n)d (%(dimension)s)") % {"n": q.number, "dimension": q.get_dimension_display()}
        score = None
        if raw == "":
            errors.append(_("%(where)s: choose an answer from 1 to 5, or “don't know”.") % {"where": where})
            q.error = True
        elif raw == DONT_KNOW:
            score = None
        elif raw.isdigit() and int(raw) in Agreement.values:
            score = int(raw)
        else:
            errors.append(
                _("%(where)s: “%(value)s” is not an answer; choose 1 to 5, or “don't know”.") % {"where": where, "value": raw}
            )
            q.error = True
        if len(comment) > COMMENT_MAX:
            errors.append(_("%(where)s: the comment is longer than %(max)d characters.") % {"where": where, "max": COMMENT_MAX})
            q.error = True
        values[q.pk] = (score, comment)
    return values, errors


def save_response(survey, user, department: str, values: dict, questions) -> ReadinessResponse:
    """Save the user's response and all its answers in one transaction (answering again updates
    the same response). Raises ValueError when the survey is no longer open."""
    with transaction.atomic():
        # The survey row is locked: it cannot close half-way, and one person's two submissions
        # cannot both create a response.
        survey = ReadinessSurvey.objects.select_for_update().get(pk=survey.pk)
        if survey.status != SurveyStatus.OPEN:
            raise ValueError(_("This survey is not open for answers."))
        response = ReadinessResponse.objects.filter(survey=survey, respondent=user).first()
        if response is None:
            response = ReadinessResponse(project=survey.project, survey=survey, respondent=user)
        response.respondent_name = user.get_full_name() or user.get_username()
        response.department = department
        response.submitted = timezone.now()
        save_versioned(response, None)
        existing = {a.question_id: a for a in response.answers.all()}
        for q in questions:
            score, comment = values[q.pk]
            answer = existing.get(q.pk)
            if answer is None:
                answer = ReadinessAnswer(project=survey.project, response=response, question=q, score=score, comment=comment)
                answer.save()
            elif answer.score != score or answer.comment != comment:
                answer.score, answer.comment = score, comment
                save_versioned(answer, None)
    return response


@login_required
def answer(request, project, pk):
    """The signed-in member answers every active statement of an open survey."""
    access = project_access(request.user, project, AREA, "view")
    project = access.project
    survey = get_object_or_404(ReadinessSurvey, pk=pk, project=project)
    questions = list(ReadinessQuestion.objects.filter(project=project, active=True).order_by("order", "pk"))
    groups = grouped(questions)
    response = ReadinessResponse.objects.filter(survey=survey, respondent=request.user).first()
    saved = {a.question_id: a for a in response.answers.all()} if response else {}
    is_open = survey.status == SurveyStatus.OPEN
    errors = []
    department = response.department if response else (
        Stakeholder.objects.filter(project=project, user=request.user).exclude(department="")
        .values_list("department", flat=True).first() or ""
    )
    if request.method == "POST":
        # Answering one's own questionnaire needs only view access (see the module docstring).
        if not is_open:
            messages.error(request, _("This survey is not open for answers, so nothing was saved."))
            return redirect("governance:readiness-answer", project=project.pk, pk=survey.pk)
        department = (request.POST.get("department") or "").strip()[:200]
        values, errors = parse_answers(request.POST, questions)
        if not errors:
            try:
                save_response(survey, request.user, department, values, questions)
            except ValueError as error:
                messages.error(request, str(error))
                return redirect("governance:readiness-answer", project=project.pk, pk=survey.pk)
            messages.success(request, _("Thank you: your answers to %(survey)s are saved.") % {"survey": survey})
            return redirect("governance:readiness-answer", project=project.pk, pk=survey.pk)
        # Show the page again with what was posted, so nothing typed is lost.
        for q in questions:
            raw = (request.POST.get(f"score-{q.pk}") or "").strip()
            q.value = raw
            q.comment = (request.POST.get(f"comment-{q.pk}") or "").strip()
    else:
        for q in questions:
            a = saved.get(q.pk)
            q.value = "" if a is None else (DONT_KNOW if a.score is None else str(a.score))
            q.comment = a.comment if a else ""
    # (value, full label for screen readers and the tooltip, short column heading)
    choices = [(str(value), label, str(value)) for value, label in Agreement.choices]
    choices.append((DONT_KNOW, _("Don't know"), _("Don't know")))
    language = get_language()
    for q in questions:
        q.statement = q.text_in(language)
        q.error = getattr(q, "error", False)
    context = {
        "project": project, "access": access, "area": AREA, "title": _("Answer %(survey)s") % {"survey": survey.ref},
        "survey": survey, "groups": groups, "choices": choices, "is_open": is_open, "errors": errors,
        "response": response, "department": department, "question_count": len(questions),
        "can_change": access.can(AREA, "change"), "dont_know": DONT_KNOW,
    }
    return render(request, "governance/readiness_answer.html", context, status=200)


def arrow(direction: str) -> str:
    return {"up": "▲", "down": "▼", "flat": "▬"}.get(direction, "")


def comparison_table(summary: dict) -> dict:
    """Dimensions × surveys with answers, each cell the score and its change since the survey
    before (for the tables of the results and overview pages)."""
    answered = [s for s in summary["surveys"] if s["responses"] and s["overall"] is not None]
    rows = []
    for dim in summary["dimensions"]:
        cells = []
        previous = None
        for s in answered:
            score = s["scores"][dim["code"]]
            change = None if previous is None or score is None else round(score - previous, 2)
            direction = assessment.direction(change)
            cells.append({"score": score, "change": change, "direction": direction, "arrow": arrow(direction)})
            previous = score
        rows.append({**dim, "cells": cells})
    overall = []
    previous = None
    for s in answered:
        change = None if previous is None or s["overall"] is None else round(s["overall"] - previous, 2)
        direction = assessment.direction(change)
        overall.append({"score": s["overall"], "change": change, "direction": direction, "arrow": arrow(direction)})
        previous = s["overall"]
    return {"surveys": answered, "rows": rows, "overall": overall}


@login_required
def results(request, project, pk):
    access = project_access(request.user, project, AREA, "view")
    project = access.project
    survey = get_object_or_404(ReadinessSurvey, pk=pk, project=project)
    language = get_language()
    show_names = access.can(AREA, "change")
    result = assessment.survey_results(survey, show_names=show_names, language=language)
    summary = assessment.summary(project)
    answered = [s for s in summary["surveys"] if s["responses"] and s["overall"] is not None]
    position = next((i for i, s in enumerate(answered) if s["pk"] == survey.pk), None)
    previous = answered[position - 1] if position else None
    changes = assessment.compare(previous["scores"], result["scores"]) if previous else {}
    for row in result["dimensions"]:
        change = changes.get(row["code"])
        row["change"] = change["change"] if change else None
        row["direction"] = change["direction"] if change else "none"
        row["arrow"] = arrow(row["direction"])
    labels = {row["code"]: row["label"] for row in result["dimensions"]}
    weakest = [{"code": code, "label": labels[code], "score": result["scores"][code]} for code in result["weakest"]]
    figures = {}
    if result["answers"]:
        this = {"ref": survey.ref, "opens_on": survey.opens_on.isoformat(), "scores": result["scores"]}
        series = [(assessment.survey_name(e), e["scores"]) for e in (previous, this) if e]
        figures["radar"] = figure_html(localise(assessment.radar(assessment.dimension_labels(language), series), language))
    context = {
        "project": project, "access": access, "area": AREA, "title": _("Results of %(survey)s") % {"survey": survey.ref},
        "survey": survey, "result": result, "previous": previous, "weakest": weakest, "figures": figures,
        "comparison": comparison_table(summary), "show_names": show_names, "uses_plotly": bool(figures),
        "choices": Agreement.choices, "is_open": survey.status == SurveyStatus.OPEN,
    }
    return render(request, "governance/readiness_results.html", context)


@login_required
def overview(request, project):
    access = project_access(request.user, project, AREA, "view")
    project = access.project
    language = get_language()
    summary = assessment.summary(project)
    figures = {}
    comparison = comparison_table(summary)
    if comparison["surveys"]:
        figures["radar"] = figure_html(localise(assessment.radar_figure(summary, language), language))
        figures["trend"] = figure_html(localise(assessment.trend_figure(summary, language), language))
    my_responses = set(
        ReadinessResponse.objects.filter(project=project, respondent=request.user).values_list("survey_id", flat=True)
    )
    surveys = [{**s, "answered_by_me": s["pk"] in my_responses} for s in reversed(summary["surveys"])]
    context = {
        "project": project, "access": access, "area": AREA, "title": _("Readiness over time"),
        "summary": summary, "surveys": surveys, "comparison": comparison, "figures": figures,
        "uses_plotly": bool(figures), "can_change": access.can(AREA, "change"),
        "question_count": ReadinessQuestion.objects.filter(project=project, active=True).count(),
    }
    return render(request, "governance/readiness_overview.html", context)


urlpatterns = [
    path("readiness/", overview, name="readiness-overview"),
    path("readiness/library/", library, name="readiness-library"),
    path("readiness-surveys/<int:pk>/answer/", answer, name="readiness-answer"),
    path("readiness-surveys/<int:pk>/results/", results, name="readiness-results"),
]
