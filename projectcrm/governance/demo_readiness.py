"""Readiness demo data for Lumen Frames: the standard statements and two survey rounds.

The first round (about ten weeks ago, closed) is the baseline; the second (two weeks ago, still
open) shows communication and training much better after the kick-off and the key-user courses,
while the data-driven culture stays the weakest dimension (targets are still set by habit). The
scores are deterministic: a base per dimension and round, a per-person leaning and a small fixed
pattern per statement, so every run of `seed_demo` gives the same answers. The demo users "member"
and "viewer" have not answered the open round yet, so they can try the questionnaire.
"""

import datetime

from django.utils import timezone

from projectcrm.core.management.commands.seed_demo import upsert

from . import assessment
from .choices import SurveyStatus
from .models import ReadinessAnswer, ReadinessQuestion, ReadinessResponse, ReadinessSurvey

# Base score per dimension (1-5) in each round.
BASE = {
    "data_culture": (2.1, 2.2),
    "executive_support": (3.4, 3.6),
    "communication": (2.4, 3.7),
    "training": (2.2, 3.6),
    "feedback": (2.8, 3.2),
    "recognition": (2.5, 2.8),
    "executive_sponsorship": (3.8, 3.9),
    "process_focus": (3.0, 3.3),
    "technology_fit": (3.3, 3.5),
    "team_capability": (3.0, 3.3),
    "people_factor": (2.8, 3.2),
    "phased_implementation": (3.2, 3.4),
    "system_integration": (2.7, 2.9),
    "value_proposition": (3.1, 3.2),
    "tailored_activities": (2.9, 3.0),
    "trade_offs": (2.4, 2.6),
    "fit": (2.8, 3.0),
    "continuity": (3.0, 3.0),
}

# How each person leans compared with the group (the sponsor sees things brightest).
LEANING = {
    "pm": 0.2, "sponsor": 0.6, "steering": 0.3, "evaluator": -0.2, "evaluator2": -0.4,
    "evaluator3": 0.0, "trainer": 0.1, "member": -0.5,
}
DEPARTMENT = {
    "pm": "Project office", "sponsor": "Management", "steering": "Sales", "evaluator": "IT",
    "evaluator2": "Customer service", "evaluator3": "Sales operations", "trainer": "Human resources",
    "member": "Export sales",
}

# title, weeks before today it opened, days it ran (None: still open), respondents
ROUNDS = [
    ("Readiness survey 1: project start", 10, 14,
     ["pm", "sponsor", "steering", "evaluator", "evaluator2", "trainer", "member"]),
    ("Readiness survey 2: before go-live training ends", 2, None,
     ["pm", "sponsor", "steering", "evaluator", "evaluator2", "evaluator3", "trainer"]),
]

# (round index, user, library key) -> comment
COMMENTS = {
    (0, "member", "data-culture-targets"): "Targets are still last year's figures plus ten per cent.",
    (0, "evaluator2", "training-early"): "No training dates yet; customer service does not know when its turn comes.",
    (0, "trainer", "communication-regular"): "Many people outside sales have not heard of the project yet.",
    (0, "evaluator", "integration-no-rekeying"): "The ERP price interface is not specified yet.",
    (1, "evaluator2", "data-culture-evaluate"): "We changed the complaint process, but nobody measured whether it got faster.",
    (1, "trainer", "training-role"): "The key-user course used real quotes from the Europe team: very practical.",
    (1, "steering", "communication-why"): "The kick-off meeting and the monthly newsletter answered most questions.",
    (1, "pm", "recognition-appraisal"): "CRM use is not in the appraisal form yet; HR is looking at it.",
}


def demo_score(round_index: int, user_index: int, question_index: int, dimension: str, username: str) -> int | None:
    """The demo answer of one person to one statement: None ("don't know") now and then."""
    if (user_index * 5 + question_index * 2 + round_index) % 13 == 0:
        return None
    pattern = ((user_index * 7 + question_index * 3 + round_index) % 5 - 2) * 0.35
    value = BASE[dimension][round_index] + LEANING.get(username, 0) + pattern
    return max(1, min(5, int(value + 0.5)))


def seed(project, users):
    """Idempotent demo rows of this part (see projectcrm/core/management/commands/seed_demo.py)."""
    assessment.load_library(project)
    questions = list(
        ReadinessQuestion.objects.filter(project=project).exclude(library_key="").order_by("order", "pk")
    )
    today = timezone.localdate()
    for round_index, (title, weeks_ago, days_open, respondents) in enumerate(ROUNDS):
        opens_on = today - datetime.timedelta(weeks=weeks_ago)
        closes_on = opens_on + datetime.timedelta(days=days_open) if days_open else today + datetime.timedelta(days=14)
        status = SurveyStatus.CLOSED if days_open else SurveyStatus.OPEN
        survey, _created = upsert(
            ReadinessSurvey,
            {"project": project, "title": title},
            {"status": status, "opens_on": opens_on, "closes_on": closes_on,
             "note": "Everyone on the project team and the key users are asked to answer."},
        )
        for user_index, username in enumerate(respondents):
            user = users[username]
            submitted = timezone.make_aware(
                datetime.datetime.combine(opens_on + datetime.timedelta(days=1 + user_index % 5), datetime.time(10, 30))
            )
            response, _created = upsert(
                ReadinessResponse,
                {"project": project, "survey": survey, "respondent": user},
                {"respondent_name": user.get_full_name() or user.get_username(),
                 "department": DEPARTMENT.get(username, ""), "submitted": submitted},
                by=user,
            )
            for question_index, question in enumerate(questions):
                upsert(
                    ReadinessAnswer,
                    {"project": project, "response": response, "question": question},
                    {"score": demo_score(round_index, user_index, question_index, question.dimension, username),
                     "comment": COMMENTS.get((round_index, username, question.library_key), "")},
                    by=user,
                )
