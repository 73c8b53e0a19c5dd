"""Methodology templates: data files in three languages (roadmap/methodologies/*.json) and plans
saved from projects; a template becomes a release with phases, tasks, links and gates."""

import json
from functools import cache
from pathlib import Path

from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import schedule
from .choices import CriterionKind, ItemKind
from .models import Dependency, Gate, GateCriterion, Phase, Release, Task

FOLDER = Path(__file__).parent / "methodologies"
BUILT_IN = ["book", "steps26", "blank"]
LANGS = ("en", "zh-hans", "zh-hant")


class TemplateProblem(ValueError):
    pass


@cache
def built_in(key: str) -> dict:
    with (FOLDER / f"{key}.json").open(encoding="utf-8") as handle:
        return json.load(handle)


def text(value, language: str | None = None) -> str:
    """A template text in the reader's language (plain strings are saved templates' own text)."""
    if isinstance(value, str):
        return value
    if not value:
        return ""
    language = (language or get_language() or "en").lower()
    if language not in LANGS:
        language = "zh-hant" if language.startswith(("zh-tw", "zh-hk", "zh-mo")) else (
            "zh-hans" if language.startswith("zh") else "en"
        )
    return value.get(language) or value.get("en") or ""


def choices(language: str | None = None) -> list[tuple[str, str]]:
    return [(key, text(built_in(key)["name"], language)) for key in BUILT_IN]


def saved_for(user):
    """Plans saved as templates from projects the user is a member of."""
    from .models import PlanTemplate

    return PlanTemplate.objects.filter(project__memberships__user=user).distinct().order_by("name")


def template_choices(user, language: str | None = None) -> list[tuple[str, str]]:
    """The built-in methodologies, then the user's saved plans ("saved:<id>")."""
    return choices(language) + [(f"saved:{t.pk}", t.name) for t in saved_for(user)]


def load(key: str, user) -> dict:
    """A template's data by its choice key; a saved plan only if the user may see it."""
    if key.startswith("saved:"):
        template = saved_for(user).filter(pk=int(key.split(":", 1)[1])).first() if key[6:].isdigit() else None
        if template is None:
            raise TemplateProblem(_("That saved template no longer exists."))
        return template.data
    if key not in BUILT_IN:
        raise TemplateProblem(_("Unknown template."))
    return built_in(key)


def _groups(data: dict) -> list[dict]:
    """The template's phases, then its items outside any phase (top-level "items") as a last group."""
    loose = data.get("items") or []
    return [*data.get("phases", []), *([{"loose": True, "items": loose}] if loose else [])]


def validate(data: dict):
    """Refuse a template whose links point nowhere or form a loop (clear message)."""
    keys, links = set(), []
    for phase in _groups(data):
        for item in phase.get("items", []):
            if item["key"] in keys:
                raise TemplateProblem(_("The template repeats the item key %(key)s.") % {"key": item["key"]})
            keys.add(item["key"])
            for dep in item.get("depends_on", []):
                links.append(schedule.Link(dep["key"], item["key"], dep.get("lag", 0)))
    for link in links:
        if link.predecessor not in keys:
            raise TemplateProblem(_("An item depends on %(key)s, which the template lacks.") % {"key": link.predecessor})
    cycle = schedule.find_cycle(keys, links)
    if cycle:
        raise TemplateProblem(_("The template's links form a loop: %(loop)s.") % {"loop": " → ".join(map(str, cycle))})


@transaction.atomic
def instantiate(project, data: dict, release_name: str, start, kind="wave", language=None) -> Release:
    """Create a release from a template, its dates scheduled from the start and the links."""
    validate(data)
    release = Release(project=project, name=release_name, kind=kind, start_date=start, methodology=data.get("key", ""))
    release.save()
    tasks: dict[str, Task] = {}
    activities, links = [], []
    for p_index, phase_data in enumerate(_groups(data), start=1):
        phase = None
        if not phase_data.get("loose"):
            phase = Phase(
                project=project, release=release, name=text(phase_data["name"], language)[:200],
                description=text(phase_data.get("description"), language), order=p_index,
            )
            phase.save()
        gate_data = phase_data.get("gate")
        if gate_data:
            gate = Gate(project=project, phase=phase, name=text(gate_data["name"], language)[:200])
            gate.save()
            for c_index, crit in enumerate(gate_data.get("criteria", []), start=1):
                kind_value = crit.get("kind", "manual")
                if kind_value not in CriterionKind.values:
                    kind_value = CriterionKind.MANUAL
                GateCriterion(
                    project=project, gate=gate, text=text(crit["text"], language)[:300], kind=kind_value,
                    threshold=crit.get("threshold"), order=c_index,
                ).save()
        for i_index, item in enumerate(phase_data.get("items", []), start=1):
            milestone = item.get("kind") == ItemKind.MILESTONE
            task = Task(
                project=project, release=release, phase=phase, name=text(item["name"], language)[:200],
                description=text(item.get("description"), language), kind=item.get("kind", ItemKind.TASK),
                duration=0 if milestone else max(1, int(item.get("duration", 1))), planned_start=start,
                order=p_index * 100 + i_index, template_key=item["key"],
            )
            tasks[item["key"]] = task
            activities.append(schedule.Activity(item["key"], task.duration, milestone=milestone))
            for dep in item.get("depends_on", []):
                links.append(schedule.Link(dep["key"], item["key"], int(dep.get("lag", 0))))
    result = schedule.schedule(activities, links, start)
    for key, task in tasks.items():
        task.planned_start = result.items[key].early_start
        task.save()
    for link in links:
        Dependency(
            project=project, predecessor=tasks[link.predecessor], successor=tasks[link.successor], lag=link.lag
        ).save()
    return release


def plan_as_template(release: Release, name: str) -> dict:
    """A release's plan in the template format (texts as written, in the author's language)."""
    phases = []
    keys = {}
    for task in Task.objects.filter(release=release).order_by("order", "number"):
        keys[task.pk] = task.template_key or f"t{task.number}"
    links = {}
    for dep in Dependency.objects.filter(successor__release=release):
        links.setdefault(dep.successor_id, []).append({"key": keys[dep.predecessor_id], "lag": dep.lag})
    for phase in Phase.objects.filter(release=release).order_by("order", "pk"):
        gate = getattr(phase, "gate", None)
        phases.append(
            {
                "key": f"p{phase.pk}",
                "name": phase.name,
                "description": phase.description,
                "gate": {
                    "name": gate.name,
                    "criteria": [
                        {"text": c.text, "kind": c.kind, "threshold": float(c.threshold) if c.threshold is not None else None}
                        for c in gate.criteria.all()
                    ],
                } if gate else None,
                "items": [
                    {"key": keys[t.pk], "name": t.name, "description": t.description, "kind": t.kind,
                     "duration": t.duration, "depends_on": links.get(t.pk, [])}
                    for t in phase.tasks.order_by("order", "number")
                ],
            }
        )
    loose = [
        {"key": keys[t.pk], "name": t.name, "description": t.description, "kind": t.kind,
         "duration": t.duration, "depends_on": links.get(t.pk, [])}
        for t in Task.objects.filter(release=release, phase=None).order_by("order", "number")
    ]
    return {"key": "saved", "version": 1, "name": name, "description": "", "phases": phases, "items": loose}
