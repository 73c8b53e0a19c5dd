"""Organisational readiness assessments: the statement library, scoring and charts.

People rate statements from 1 (strongly disagree) to 5 (strongly agree), or answer "don't know"
(score None). A dimension's score is the mean of every answered score of its statements (don't
know is left out, not counted as zero); a family's score is the mean of its dimensions' scores and
the overall score the mean of all dimensions' scores, so a dimension with many statements weighs
no more than one with two. Surveys (rounds) are compared dimension by dimension.

The scoring functions below are pure (plain data in, plain data out); `summary(project)` and
`survey_results(survey)` read the database once and hand back JSON-serialisable dicts, because
the steering report freezes them.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from statistics import mean

import plotly.graph_objects as go
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from projectcrm.core.charts import LAYOUT

from .choices import DIMENSION_FAMILY, ReadinessDimension, ReadinessFamily

LIBRARY_FILE = Path(__file__).parent / "data" / "readiness_questions.json"
LANGS = ("en", "zh-hans", "zh-hant")
DIMENSIONS = [d.value for d in ReadinessDimension]
FAMILIES = [f.value for f in ReadinessFamily]
# A change smaller than this (in points of the 1-5 scale) reads as "no change".
FLAT = 0.1
SCALE = (1, 2, 3, 4, 5)


# --- The library ---------------------------------------------------------------------------------


@cache
def library() -> list[dict]:
    """The library statements: {"key", "dimension", "en", "zh-hans", "zh-hant"}, in order."""
    with LIBRARY_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)["entries"]


def load_library(project, language: str | None = None) -> int:
    """Add the library statements the project does not have yet; -> how many were added.

    Idempotent by library key: a statement the project already holds (even switched off or
    reworded) is not added again. Each statement is stored in all three languages whatever
    `language` is (kept for callers that pass the reader's language); `order` follows the library
    in steps of ten so a project can slot its own statements in between.
    """
    from projectcrm.core.models import Project

    from .models import ReadinessQuestion

    added = 0
    with transaction.atomic():
        # Two clicks at once must not both add the statements: the project row is the lock.
        Project.objects.select_for_update().filter(pk=project.pk).first()
        existing = set(
            ReadinessQuestion.objects.filter(project=project).exclude(library_key="").values_list("library_key", flat=True)
        )
        for position, entry in enumerate(library(), start=1):
            if entry["key"] in existing:
                continue
            ReadinessQuestion(
                project=project,
                dimension=entry["dimension"],
                text=entry["en"],
                text_zh_hans=entry["zh-hans"],
                text_zh_hant=entry["zh-hant"],
                library_key=entry["key"],
                order=position * 10,
            ).save()
            added += 1
    return added


# --- Scoring (pure) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One answer as the scoring needs it; score None means "don't know"."""

    respondent: object
    dimension: str
    question: object
    score: int | None


def average(values: Iterable[float | None]) -> float | None:
    """Mean of the values that are not None; None when there are none."""
    present = [v for v in values if v is not None]
    return mean(present) if present else None


def rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


def dimension_means(answers: Iterable[Answer]) -> dict[str, float | None]:
    """Every dimension (in order) -> mean of its answered scores, None when nobody scored it."""
    scores = defaultdict(list)
    for a in answers:
        if a.score is not None:
            scores[a.dimension].append(a.score)
    return {code: average(scores.get(code, [])) for code in DIMENSIONS}


def family_means(dim_means: dict[str, float | None]) -> dict[str, float | None]:
    """Every family -> mean of its dimensions' means (dimensions without a score left out)."""
    members = defaultdict(list)
    for code, value in dim_means.items():
        members[DIMENSION_FAMILY[code]].append(value)
    return {family: average(members.get(family, [])) for family in FAMILIES}


def overall_mean(dim_means: dict[str, float | None]) -> float | None:
    """The overall score: mean of the dimensions' means."""
    return average(dim_means.values())


def dimension_counts(answers: Iterable[Answer]) -> dict[str, dict]:
    """Every dimension -> {"scored": answers with a score, "dont_know": don't-know answers,
    "respondents": people who scored at least one of its statements}."""
    scored = defaultdict(int)
    unknown = defaultdict(int)
    people = defaultdict(set)
    for a in answers:
        if a.score is None:
            unknown[a.dimension] += 1
        else:
            scored[a.dimension] += 1
            people[a.dimension].add(a.respondent)
    return {
        code: {"scored": scored[code], "dont_know": unknown[code], "respondents": len(people[code])}
        for code in DIMENSIONS
    }


def dimension_spread(answers: Iterable[Answer]) -> dict[str, dict]:
    """Every dimension -> {"min", "max"} of the respondents' own means of it (None: no scores).

    A wide spread means people see the organisation very differently: worth a conversation even
    when the mean looks fine.
    """
    per_person = defaultdict(lambda: defaultdict(list))
    for a in answers:
        if a.score is not None:
            per_person[a.dimension][a.respondent].append(a.score)
    result = {}
    for code in DIMENSIONS:
        means = [mean(scores) for scores in per_person[code].values()]
        result[code] = {"min": min(means) if means else None, "max": max(means) if means else None}
    return result


def question_distribution(answers: Iterable[Answer]) -> dict[object, dict]:
    """Question -> {"counts": [n of 1, ..., n of 5], "dont_know": n, "mean": mean or None}."""
    counts = defaultdict(lambda: [0, 0, 0, 0, 0])
    unknown = defaultdict(int)
    scores = defaultdict(list)
    questions = []
    for a in answers:
        if a.question not in counts:
            questions.append(a.question)
        row = counts[a.question]
        if a.score is None:
            unknown[a.question] += 1
        else:
            row[a.score - 1] += 1
            scores[a.question].append(a.score)
    return {
        q: {"counts": list(counts[q]), "dont_know": unknown[q], "mean": average(scores[q])}
        for q in questions
    }


def direction(change: float | None) -> str:
    """ "up", "down", "flat" (less than FLAT either way) or "none" (nothing to compare)."""
    if change is None:
        return "none"
    if abs(change) < FLAT:
        return "flat"
    return "up" if change > 0 else "down"


def compare(before: dict[str, float | None], after: dict[str, float | None]) -> dict[str, dict]:
    """Dimension -> {"before", "after", "change", "direction"} between two surveys' scores."""
    result = {}
    for code in DIMENSIONS:
        old, new = before.get(code), after.get(code)
        change = None if old is None or new is None else round(new - old, 2)
        result[code] = {"before": old, "after": new, "change": change, "direction": direction(change)}
    return result


def weakest(dim_means: dict[str, float | None], count: int = 3) -> list[str]:
    """The `count` lowest-scoring dimensions (ties in the dimensions' order)."""
    scored = [(value, DIMENSIONS.index(code), code) for code, value in dim_means.items() if value is not None]
    return [code for _value, _index, code in sorted(scored)[:count]]


# --- From the database ---------------------------------------------------------------------------


def answers_by_survey(project, survey_ids: Sequence[int] | None = None, until=None) -> dict[int, list[Answer]]:
    """Survey id -> its answers (one query). `until` (a datetime): only responses submitted by then."""
    from .models import ReadinessAnswer

    rows = ReadinessAnswer.objects.filter(project=project)
    if survey_ids is not None:
        rows = rows.filter(response__survey_id__in=list(survey_ids))
    if until is not None:
        rows = rows.filter(response__submitted__lte=until)
    result = defaultdict(list)
    for survey_id, response_id, dimension, question_id, score in rows.values_list(
        "response__survey_id", "response_id", "question__dimension", "question_id", "score"
    ):
        result[survey_id].append(Answer(response_id, dimension, question_id, score))
    return result


def dimension_rows() -> list[dict]:
    """The dimensions in order with their labels in the active language."""
    return [
        {
            "code": d.value,
            "label": str(d.label),
            "family": DIMENSION_FAMILY[d.value].value,
            "family_label": str(DIMENSION_FAMILY[d.value].label),
        }
        for d in ReadinessDimension
    ]


def summary(project, as_of=None) -> dict:
    """Every survey of the project (oldest first) with its scores; see the module docstring.
    `as_of` (a date): only the surveys opened by then (a steering report of an earlier date).

    Keys: dimensions, families, surveys [{pk, ref, title, opens_on, closes_on, status,
    status_label, responses, scores {code: mean}, families {code: mean}, overall}], latest (the
    newest survey with responses, or None), previous (the one before it with responses, or None),
    weakest (up to 3 {code, label, score} of the latest), changes (compare() of previous -> latest).
    """
    from .models import ReadinessSurvey

    rows = ReadinessSurvey.objects.filter(project=project)
    until = None
    if as_of is not None:  # the surveys opened by that day, the responses submitted by its end
        until = timezone.make_aware(datetime.datetime.combine(as_of, datetime.time.max))
        rows = rows.filter(opens_on__lte=as_of)
    counted = Count("responses", filter=Q(responses__submitted__lte=until)) if until else Count("responses")
    surveys = list(
        rows
        .annotate(response_count=counted)
        .order_by("opens_on", "number")
    )
    answers = answers_by_survey(project, [s.pk for s in surveys], until)
    entries = []
    for survey in surveys:
        means = dimension_means(answers.get(survey.pk, []))
        entries.append(
            {
                "pk": survey.pk,
                "ref": survey.ref,
                "title": survey.title,
                "opens_on": survey.opens_on.isoformat(),
                "closes_on": survey.closes_on.isoformat() if survey.closes_on else None,
                "status": survey.status,
                "status_label": str(survey.get_status_display()),
                "responses": survey.response_count,
                "scores": {code: rounded(value) for code, value in means.items()},
                "families": {code: rounded(value) for code, value in family_means(means).items()},
                "overall": rounded(overall_mean(means)),
            }
        )
    answered = [s for s in entries if s["responses"] and s["overall"] is not None]
    latest = answered[-1] if answered else None
    previous = answered[-2] if len(answered) > 1 else None
    labels = {row["code"]: row["label"] for row in dimension_rows()}
    return {
        "dimensions": dimension_rows(),
        "families": [{"code": f.value, "label": str(f.label)} for f in ReadinessFamily],
        "surveys": entries,
        "latest": latest,
        "previous": previous,
        "weakest": [
            {"code": code, "label": labels[code], "score": latest["scores"][code]}
            for code in (weakest(latest["scores"]) if latest else [])
        ],
        "changes": compare(previous["scores"], latest["scores"]) if latest and previous else {},
    }


def latest_change(summary_dict: dict) -> dict[str, dict]:
    """Change per dimension between the two latest surveys with answers ({} when fewer than two)."""
    latest, previous = summary_dict.get("latest"), summary_dict.get("previous")
    if not latest or not previous:
        return {}
    return compare(previous["scores"], latest["scores"])


def survey_results(survey, show_names: bool = False, language: str | None = None) -> dict:
    """One survey's results for its page: respondents, dimension rows (mean, spread, counts),
    family means, per-question distribution and comments. Comments carry the respondent's name
    only when `show_names`; otherwise they are anonymous."""
    from .models import ReadinessAnswer, ReadinessQuestion

    rows = list(
        ReadinessAnswer.objects.filter(response__survey=survey)
        .select_related("question", "response", "response__respondent")
        .order_by("question__order", "question_id", "response_id")
    )
    answers = [Answer(a.response_id, a.question.dimension, a.question_id, a.score) for a in rows]
    means = dimension_means(answers)
    counts = dimension_counts(answers)
    spread = dimension_spread(answers)
    fams = family_means(means)
    dims = []
    for row in dimension_rows():
        code = row["code"]
        dims.append(
            {**row, "score": rounded(means[code]), "min": rounded(spread[code]["min"]),
             "max": rounded(spread[code]["max"]), **counts[code]}
        )
    questions = {
        q.pk: q
        for q in ReadinessQuestion.objects.filter(pk__in={a.question_id for a in rows})
    }
    distribution = question_distribution(answers)
    order = {code: index for index, code in enumerate(DIMENSIONS)}
    question_rows = []
    for question_id, dist in distribution.items():
        q = questions[question_id]
        total = sum(dist["counts"])
        question_rows.append(
            {
                "pk": q.pk,
                "dimension": q.dimension,
                "dimension_label": str(q.get_dimension_display()),
                "text": q.text_in(language),
                "counts": dist["counts"],
                "shares": [round(100 * n / total) if total else 0 for n in dist["counts"]],
                "dont_know": dist["dont_know"],
                "mean": rounded(dist["mean"]),
                "_sort": (order.get(q.dimension, 99), q.order, q.pk),
            }
        )
    question_rows.sort(key=lambda r: r.pop("_sort"))
    comments = []
    for a in rows:
        if not a.comment.strip():
            continue
        who = ""
        if show_names:
            user = a.response.respondent
            who = a.response.respondent_name or (user.get_full_name() or user.get_username() if user else "")
        comments.append(
            {"question": a.question.text_in(language), "dimension_label": str(a.question.get_dimension_display()),
             "score": a.score, "comment": a.comment.strip(), "respondent": who,
             "_sort": (order.get(a.question.dimension, 99), a.question.order, a.question_id, a.response_id)}
        )
    comments.sort(key=lambda c: c.pop("_sort"))
    return {
        "respondents": survey.responses.count(),
        "answers": len(answers),
        "dimensions": dims,
        "families": [
            {"code": f.value, "label": str(f.label), "score": rounded(fams[f.value])} for f in ReadinessFamily
        ],
        "overall": rounded(overall_mean(means)),
        "scores": {code: rounded(value) for code, value in means.items()},
        "questions": question_rows,
        "comments": comments,
        "weakest": weakest(means),
    }


# --- Charts --------------------------------------------------------------------------------------

COLOURS = ["#94a3b8", "#2563eb", "#0d9488", "#d97706", "#7c3aed"]


def radar(labels: Sequence[str], series: Sequence[tuple[str, dict]], codes: Sequence[str] = DIMENSIONS) -> go.Figure:
    """One polygon per (name, scores by dimension code); the last series is drawn strongest."""
    theta = list(labels) + list(labels[:1])
    fig = go.Figure()
    count = len(series)
    for index, (name, scores) in enumerate(series):
        values = [scores.get(code) for code in codes]
        colour = COLOURS[1] if index == count - 1 else COLOURS[(index + 2) % len(COLOURS)] if count > 2 else COLOURS[0]
        fig.add_trace(
            go.Scatterpolar(
                name=name, r=values + values[:1], theta=theta, mode="lines+markers",
                fill="toself", line={"color": colour, "width": 3 if index == count - 1 else 2},
                marker={"size": 5}, opacity=0.9, connectgaps=True,
                hovertemplate="<b>%{fullData.name}</b><br>%{theta}: %{r:.2f}<extra></extra>",
            )
        )
    fig.update_layout(
        LAYOUT,
        height=560,
        margin={"l": 160, "r": 160, "t": 40, "b": 40},
        polar={
            "radialaxis": {
                "range": [1, 5], "tickvals": [1, 2, 3, 4, 5], "gridcolor": "#e2e8f0",
                "angle": 90 - 180 / max(len(labels), 1), "tickfont": {"size": 10, "color": "#64748b"},
            },
            "angularaxis": {"direction": "clockwise", "rotation": 90, "gridcolor": "#e2e8f0"},
            "bgcolor": "#ffffff",
        },
        legend={"orientation": "h", "y": -0.08, "yanchor": "top", "x": 0.5, "xanchor": "center"},
        showlegend=True,
    )
    return fig


def survey_name(entry: dict) -> str:
    return f"{entry['ref']} ({entry['opens_on']})"


def dimension_labels(language: str | None = None) -> list[str]:
    with translation.override(language or translation.get_language() or "en"):
        return [str(d.label) for d in ReadinessDimension]


def radar_figure(summary_dict: dict, language: str | None = None) -> go.Figure:
    """The latest survey's dimension scores against the previous survey's (one survey alone when
    there is no earlier one; an empty chart with a note when nobody has answered)."""
    series = [
        (survey_name(entry), entry["scores"])
        for entry in (summary_dict.get("previous"), summary_dict.get("latest"))
        if entry
    ]
    fig = radar(dimension_labels(language), series)
    if not series:
        with translation.override(language or translation.get_language() or "en"):
            note = _("No answers yet.")
        fig.add_annotation(text=note, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    return fig


def trend_figure(summary_dict: dict, language: str | None = None) -> go.Figure:
    """Overall and family scores of every survey with answers, over time (one line each)."""
    with translation.override(language or translation.get_language() or "en"):
        overall_label = _("Overall")
        family_labels = {f.value: str(f.label) for f in ReadinessFamily}
        axis = _("Score (1–5)")
    answered = [s for s in summary_dict["surveys"] if s["responses"] and s["overall"] is not None]
    x = [s["opens_on"] for s in answered]
    text = [s["ref"] for s in answered]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(name=overall_label, x=x, y=[s["overall"] for s in answered], text=text, mode="lines+markers",
                   line={"color": "#0f172a", "width": 3}, hovertemplate="%{text} %{x}: %{y:.2f}<extra>%{fullData.name}</extra>")
    )
    for index, family in enumerate(FAMILIES):
        fig.add_trace(
            go.Scatter(name=family_labels[family], x=x, y=[s["families"][family] for s in answered], text=text,
                       mode="lines+markers", line={"color": COLOURS[(index + 1) % len(COLOURS)], "width": 2, "dash": "dot"},
                       hovertemplate="%{text} %{x}: %{y:.2f}<extra>%{fullData.name}</extra>")
        )
    fig.update_layout(
        LAYOUT,
        height=360,
        margin={"l": 60, "r": 20, "t": 20, "b": 40},
        yaxis={"range": [1, 5], "title": axis, "gridcolor": "#e2e8f0", "dtick": 1},
        xaxis={"type": "date", "gridcolor": "#e2e8f0"},
        legend={"orientation": "h", "y": -0.15, "yanchor": "top", "x": 0.5, "xanchor": "center"},
    )
    return fig
