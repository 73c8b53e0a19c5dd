"""Training readiness for the roadmap's gates (criterion kind TRAINING_SIGNOFF) and the go-live readiness.

`training_readiness_percent(project)` is the share (0..100) of the required (person, course) pairs
of the active trainees with a sign-off still valid today for the course's current version: the
overall figure of the readiness page. None when nothing is required yet (no curricula or no
trainees), so a gate never passes on an empty training plan.

When the readiness page's summary is current it is read from there (one query); otherwise only
the sign-offs are read (no sessions or enrolments): five small queries plus one over the sign-offs,
whatever the number of trainees.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse

from . import readiness as calc
from .readiness_views import cached_summary, readiness_inputs


@dataclass(frozen=True)
class TrainingEvidence:
    percent: float | None  # 0..100; None when nothing is required
    signed_off: int  # required pairs with a valid sign-off
    required: int  # required (person, course) pairs of the active trainees
    link: str  # the readiness page


def training_readiness(project, today: datetime.date | None = None) -> TrainingEvidence:
    """The readiness figure with its counts and the link to the readiness page.

    Reads the readiness page's kept summary when it is current (one query), else the sign-offs.
    """
    link = reverse("training:readiness", kwargs={"project": project.pk})
    summary = cached_summary(project, today)
    if summary is not None:
        overall = summary.result.overall
        return TrainingEvidence(overall.percent, overall.signed_off, overall.required, link)
    inputs = readiness_inputs(project, today, progress=False)
    percent = calc.readiness_percent(inputs.people, inputs.requirements, inputs.statuses)
    required = signed = 0
    for person in inputs.people:
        for course in set(inputs.requirements.get(person.role, ())):
            required += 1
            signed += (person.key, course) in inputs.signed
    return TrainingEvidence(percent, signed, required, link)


def training_readiness_percent(project, today: datetime.date | None = None) -> float | None:
    """Percent of the required training signed off (what a TRAINING_SIGNOFF criterion compares with its threshold)."""
    return training_readiness(project, today).percent
