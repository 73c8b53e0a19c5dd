"""Criteria tree, direct weights, pairwise comparisons (AHP) and starter catalogues: pages.

Pages (under /p/<project>/evaluation/, names in the "evaluation" namespace):

``criteria-tree``       evaluations/<pk>/criteria/            GET: the tree with local and global weights,
                                                               the weight problems, the direct-weights form
                                                               and the starter catalogues (view right)
``criteria-weights``    evaluations/<pk>/criteria/weights/    POST: every level's weights at once (change right)
``criteria-catalogue``  evaluations/<pk>/criteria/catalogue/  POST: add categories from a starter catalogue
``ahp``                 evaluations/<pk>/ahp/                 GET: per level the user's comparisons, their
                                                               priorities and CR, the group result; POST: save
                                                               the user's comparisons of one level (team or lead)
``ahp-apply``           evaluations/<pk>/ahp/apply/           POST, lead only: the group weights into the tree

A *level* is the top level (key "") or a category (key "g<category id>"); its *items* are its
subcategories and weighted criteria (keys "g<id>" and "c<id>"; knock-outs carry no weight).
Reading roles get 403 on every POST. A role that may change the evaluation but is not on its team
(comparisons) or not its lead (applying) gets the reason as a message and a redirect, like the
other lead-only actions of the evaluation pages.

The state changes below (`save_direct_weights`, `add_from_catalogue`, `save_judgements`,
`apply_group_weights`) each run in one transaction, lock the rows they change, bump their
version and record the user in history. Pairwise judgements are not secret: they are about
weights, not scores, so every reader of the evaluation sees the group and each evaluator's CR.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import numpy as np
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from simple_history.utils import bulk_create_with_history

from . import ahp, catalogue, services
from .choices import CriterionKind, Weighting
from .models import Category, Criterion, Evaluation, Judgement
from .views import error_text, evaluation_for, page

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
CATALOGUE_SCALE = (0, 5)


# ---------------------------------------------------------------------------------------------
# Reading the tree by levels
# ---------------------------------------------------------------------------------------------


def item_key(row) -> str:
    """The key of a category ("g<id>") or criterion ("c<id>") in judgements and form fields."""
    return f"g{row.pk}" if isinstance(row, Category) else f"c{row.pk}"


@dataclass
class Level:
    key: str  # "" for the top level, "g<category id>" for a category
    category: Category | None
    path: str  # "Functional fit › Sales" for headings
    items: list = field(default_factory=list)  # weighted criteria, then subcategories (reading order)

    @property
    def name(self) -> str:
        return self.category.name if self.category is not None else str(_("Top level"))

    @property
    def keys(self) -> list[str]:
        return [item_key(row) for row in self.items]

    @property
    def anchor(self) -> str:
        return f"level-{self.key or 'top'}"


def levels_of(categories, criteria) -> list[Level]:
    """Every level of the tree in reading order (the top level first), knock-outs left out."""
    subcategories, members = defaultdict(list), defaultdict(list)
    for category in categories:
        subcategories[category.parent_id].append(category)
    for criterion in criteria:
        if not criterion.knockout:
            members[criterion.category_id].append(criterion)
    paths: dict = {}
    levels = [Level("", None, str(_("Top level")), members[None] + subcategories[None])]
    for _depth, row in services.ordered_tree(categories, criteria):
        if isinstance(row, Category):
            paths[row.pk] = f"{paths[row.parent_id]} › {row.name}" if row.parent_id in paths else row.name
            levels.append(Level(f"g{row.pk}", row, paths[row.pk], members[row.pk] + subcategories[row.pk]))
    return levels


def level_total_message(level: Level, total) -> str:
    """The same words as scoring.CriteriaTree.problems(), so one translation serves both."""
    if level.category is None:
        return _("The weights at the top level add up to %(total).2f%%, not 100%%.") % {"total": total}
    return _("The weights in “%(name)s” add up to %(total).2f%%, not 100%%.") % {
        "name": level.category.name, "total": total,
    }


def tree_rows(evaluation, categories, criteria) -> list[dict]:
    """The tree in reading order with depth, local and global weight (percent) and links."""
    tree = services.build_tree(categories, criteria)
    global_weights = tree.global_weights()
    share: dict = {}
    rows = []
    project = evaluation.project_id
    for depth, row in services.ordered_tree(categories, criteria):
        if isinstance(row, Category):
            share[row.pk] = share.get(row.parent_id, 1.0) * float(row.weight) / 100
            rows.append({
                "depth": depth, "indent": f"{0.7 + 1.5 * depth:.1f}rem", "row": row, "category": True,
                "local": row.weight, "global": share[row.pk] * 100,
                "detail": reverse("evaluation:categories-detail", kwargs={"project": project, "pk": row.pk}),
                "edit": reverse("evaluation:categories-edit", kwargs={"project": project, "pk": row.pk}),
            })
        else:
            rows.append({
                "depth": depth, "indent": f"{0.7 + 1.5 * depth:.1f}rem", "row": row, "category": False,
                "local": None if row.knockout else row.weight,
                "global": None if row.knockout else global_weights.get(row.pk, 0.0) * 100,
                "demo": row.kind == CriterionKind.DEMO,
                "detail": reverse("evaluation:criteria-detail", kwargs={"project": project, "pk": row.pk}),
                "edit": reverse("evaluation:criteria-edit", kwargs={"project": project, "pk": row.pk}),
            })
    return rows


# ---------------------------------------------------------------------------------------------
# Direct weights
# ---------------------------------------------------------------------------------------------


@dataclass
class StaleRow:
    row: object | None  # the row as it is now; None when it was deleted
    by: str | None


class StaleWeights(Exception):
    """Rows of the form were changed or deleted by someone else since it was opened."""

    def __init__(self, rows: list[StaleRow]):
        super().__init__(_("Some weights were changed by someone else meanwhile."))
        self.rows = rows


def stale_message(stale: StaleRow) -> str:
    if stale.row is None:
        return _("A category or criterion of the form was deleted meanwhile; nothing was saved. "
                 "Check the weights and save again.")
    names = {"name": stale.row.name, "weight": f"{stale.row.weight:.2f}", "who": stale.by}
    if stale.by:
        return _("“%(name)s” was changed by %(who)s while you were editing (its weight is now %(weight)s%%); "
                 "nothing was saved. Check the weights and save again.") % names
    return _("“%(name)s” was changed by someone else while you were editing (its weight is now %(weight)s%%); "
             "nothing was saved. Check the weights and save again.") % names


def parse_weight(raw, name: str) -> tuple[Decimal | None, str | None]:
    """A typed weight in percent as (value, None), or (None, message naming the item)."""
    text = "" if raw is None else str(raw).strip().replace(",", ".").rstrip("%").strip()
    if text == "":
        return None, _("Give a weight for “%(name)s” (0 if it should not count).") % {"name": name}
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, _("The weight of “%(name)s” is not a number: “%(value)s”.") % {"name": name, "value": raw}
    if not value.is_finite():
        return None, _("The weight of “%(name)s” is not a number: “%(value)s”.") % {"name": name, "value": raw}
    if not Decimal(0) <= value <= HUNDRED:
        return None, _("The weight of “%(name)s” must lie between 0 and 100%%.") % {"name": name}
    if value != value.quantize(CENT):
        return None, _("Give the weight of “%(name)s” with at most two decimals.") % {"name": name}
    return value.quantize(CENT), None


def _locked_tree(evaluation):
    categories = list(
        Category.objects.select_for_update().filter(evaluation=evaluation).order_by("order", "name", "pk")
    )
    criteria = list(
        Criterion.objects.select_for_update().filter(evaluation=evaluation).order_by("order", "name", "pk")
    )
    return categories, criteria


def _last_editor(row) -> str | None:
    latest = type(row).history.filter(id=row.pk).order_by("history_id").last()
    user = latest.history_user if latest else None
    return (user.get_full_name() or user.get_username()) if user else None


def _save_weight(row, value: Decimal, user) -> None:
    row.weight = value
    row.version += 1
    row._history_user = user
    row.save()


def _set_weighting(evaluation, method: str, user) -> bool:
    """Record how the weights were made; True when it changed."""
    current = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if current.weighting == method:
        return False
    current.weighting = method
    current.version += 1
    current._history_user = user
    current.save()
    evaluation.weighting, evaluation.version = current.weighting, current.version
    return True


def save_direct_weights(evaluation, user, posted: dict[str, tuple[str, str]]) -> tuple[int, bool]:
    """Save typed weights: `posted` maps item keys to (typed percent, version the form was opened at).

    All or nothing: a row changed or deleted meanwhile raises StaleWeights; a bad number or a
    level (with the typed values, and the stored ones for rows not in the form) that does not add
    up to exactly 100 raises ValidationError with every message. Returns (rows changed, whether the
    evaluation switched from AHP to direct weights).
    """
    with transaction.atomic():
        categories, criteria = _locked_tree(evaluation)
        rows = {item_key(row): row for row in [*categories, *criteria]}
        stale = []
        for key, (_raw, seen) in posted.items():
            row = rows.get(key)
            if row is None:
                stale.append(StaleRow(None, None))
            elif str(seen).strip().isdigit() and int(seen) != row.version:
                stale.append(StaleRow(row, _last_editor(row)))
        if stale:
            raise StaleWeights(stale)
        errors, new = [], {}
        for level in levels_of(categories, criteria):
            total, complete = Decimal(0), True
            for row in level.items:
                key = item_key(row)
                value = row.weight
                if key in posted:
                    value, error = parse_weight(posted[key][0], row.name)
                    if error:
                        errors.append(error)
                        complete = False
                        continue
                    new[key] = value
                total += value
            if complete and level.items and total != HUNDRED:
                errors.append(level_total_message(level, total))
        if errors:
            raise ValidationError(errors)
        changed = 0
        for key, value in new.items():
            if rows[key].weight != value:
                _save_weight(rows[key], value, user)
                changed += 1
        switched = bool(changed) and _set_weighting(evaluation, Weighting.DIRECT, user)
    return changed, switched


def weight_levels(categories, criteria, typed: dict | None = None, stale: list[StaleRow] | None = None):
    """The direct-weights form: per level with items, its inputs (typed values win) and total."""
    typed = typed or {}
    notes = {item_key(s.row): s for s in stale or [] if s.row is not None}
    result = []
    for level in levels_of(categories, criteria):
        if not level.items:
            continue
        inputs, total, numeric = [], Decimal(0), True
        for row in level.items:
            key = item_key(row)
            value = typed.get(key, f"{row.weight:.2f}")
            parsed, error = parse_weight(value, row.name)
            if error:
                numeric = False
            else:
                total += parsed
            inputs.append({
                "key": key, "row": row, "category": isinstance(row, Category), "value": value,
                "version": row.version, "stale": notes.get(key), "invalid": bool(error),
            })
        result.append({
            "level": level, "inputs": inputs, "total": total if numeric else None,
            "ok": numeric and total == HUNDRED,
        })
    return result


# ---------------------------------------------------------------------------------------------
# Starter catalogues
# ---------------------------------------------------------------------------------------------


@dataclass
class CatalogueAdded:
    categories: list  # Category rows created
    criteria: int  # number of Criterion rows created
    skipped: list  # names of the catalogue's categories already in the evaluation


def catalogue_key_of(source_key: str, key: str) -> str:
    """What a row added from a catalogue stores in catalogue_key: "<catalogue>:<key>"."""
    return f"{source_key}:{key}"[:60]


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def current_language() -> str:
    language = (get_language() or settings.LANGUAGE_CODE).lower()
    codes = language_codes()
    if language in codes:
        return language
    return next((code for code in codes if language.startswith(code)), settings.LANGUAGE_CODE)


def add_from_catalogue(evaluation, user, source_key: str, language: str | None = None,
                       category_keys=None) -> CatalogueAdded:
    """Add a starter catalogue's categories (all, or those in `category_keys`) with their criteria.

    Categories go to the top level with the catalogue's weights; a category already added to this
    evaluation (same catalogue_key) is skipped. Knock-outs get weight 0 and their pass text as the
    only scale level; other criteria the catalogue's six levels (0-5). One transaction.
    """
    if source_key not in catalogue.CATALOGUES:
        raise ValidationError(_("Choose one of the starter catalogues."))
    if language not in language_codes():
        language = current_language()
    source = catalogue.load(source_key, language)
    wanted = None if category_keys is None else set(category_keys)
    chosen = [c for c in source.categories if wanted is None or c.key in wanted]
    if not chosen:
        raise ValidationError(_("Choose at least one category of the catalogue."))
    created, count, skipped = [], 0, []
    with transaction.atomic():
        # One add at a time per evaluation, so a double click cannot add a category twice.
        Evaluation.objects.select_for_update().filter(pk=evaluation.pk).first()
        existing = set(
            Category.objects.filter(evaluation=evaluation).exclude(catalogue_key="")
            .values_list("catalogue_key", flat=True)
        )
        top = [c.order for c in Category.objects.filter(evaluation=evaluation, parent=None)]
        top += [c.order for c in Criterion.objects.filter(evaluation=evaluation, category=None)]
        order = max(top, default=0)
        for entry in chosen:
            key = catalogue_key_of(source_key, entry.key)
            if key in existing:
                skipped.append(entry.name)
                continue
            order += 10
            category = Category(
                evaluation=evaluation, project_id=evaluation.project_id, name=entry.name[:200],
                description=entry.description or "", weight=Decimal(str(entry.weight)).quantize(CENT),
                order=order, catalogue_key=key,
            )
            category._history_user = user
            category.save()
            created.append(category)
            for position, item in enumerate(entry.criteria, start=1):
                if item.knockout:
                    weight, anchors = Decimal(0), item.pass_text or ""
                else:
                    weight, anchors = Decimal(str(item.weight)).quantize(CENT), "\n".join(item.scale)
                criterion = Criterion(
                    evaluation=evaluation, project_id=evaluation.project_id, category=category,
                    name=item.name[:200], kind=CriterionKind.CRITERION, description=item.description or "",
                    knockout=bool(item.knockout), weight=weight, scale_min=CATALOGUE_SCALE[0],
                    scale_max=CATALOGUE_SCALE[1], anchors=anchors, order=position * 10,
                    catalogue_key=catalogue_key_of(source_key, item.key),
                )
                criterion._history_user = user
                criterion.save()
                count += 1
    return CatalogueAdded(created, count, skipped)


def catalogue_choices(evaluation) -> list[dict]:
    """The catalogues for the form, in the reader's language, each category marked when already added."""
    added = set(
        Category.objects.filter(evaluation=evaluation).exclude(catalogue_key="").values_list("catalogue_key", flat=True)
    )
    result = []
    for key, _name in catalogue.choices():
        source = catalogue.load(key, current_language())
        categories = [
            {"key": c.key, "name": c.name, "description": c.description, "weight": c.weight,
             "criteria": len(c.criteria), "added": catalogue_key_of(key, c.key) in added}
            for c in source.categories
        ]
        result.append({"key": key, "name": source.name, "description": source.description,
                       "categories": categories, "all_added": all(c["added"] for c in categories)})
    return result


# ---------------------------------------------------------------------------------------------
# Pairwise comparisons (AHP)
# ---------------------------------------------------------------------------------------------


def can_judge(evaluation, user) -> bool:
    """Team members and the lead give pairwise comparisons."""
    return evaluation.is_lead(user) or services.team_member(evaluation, user) is not None


def judgement_text(value: float) -> str:
    """A stored judgement as the option value of the form: "3", "1", "1/3"."""
    if value >= 1:
        return str(round(value))
    return f"1/{round(1 / value)}"


def parse_judgement(raw, names: tuple[str, str]) -> float | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        return float(Fraction(text))
    except (ValueError, ZeroDivisionError):
        raise ValidationError(
            _("%(a)s vs %(b)s: %(value)s is not on Saaty's 1–9 scale.") % {"a": names[0], "b": names[1], "value": text}
        )


def _short(name: str, limit: int = 28) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def judgement_options(a: str, b: str) -> list[tuple[str, str]]:
    """(value, label) of the 17 judgements of a pair, a's strongest first, after "not compared"."""
    meanings = ahp.scale_meanings()
    a, b = _short(a), _short(b)
    options = [("", _("— not compared —"))]
    options += [
        (str(v), _("%(item)s: %(meaning)s (%(value)d)") % {"item": a, "meaning": meanings[v], "value": v})
        for v in range(9, 1, -1)
    ]
    options.append(("1", _("%(meaning)s (1)") % {"meaning": meanings[1]}))
    options += [
        (f"1/{v}", _("%(item)s: %(meaning)s (%(value)d)") % {"item": b, "meaning": meanings[v], "value": v})
        for v in range(2, 10)
    ]
    return options


def stored_judgements(evaluation, user=None) -> dict:
    """{level: {evaluator id: {(item a, item b): value}}} of the evaluation (one user's with `user`)."""
    rows = Judgement.objects.filter(evaluation=evaluation)
    if user is not None:
        rows = rows.filter(evaluator=user)
    found: dict = defaultdict(lambda: defaultdict(dict))
    for j in rows.only("evaluator_id", "level", "item_a", "item_b", "value"):
        found[j.level][j.evaluator_id][(j.item_a, j.item_b)] = j.value
    return found


def _indexed(level: Level, pairs: dict) -> dict:
    """Stored pairs of current items as pairwise_matrix takes them; pairs of removed items are dropped."""
    index = {key: i for i, key in enumerate(level.keys)}
    result = {}
    for (a, b), value in pairs.items():
        if a in index and b in index and a != b:
            i, j = index[a], index[b]
            if (j, i) in result:  # the same pair stored both ways: keep one
                continue
            result[(i, j)] = value
    return result


def _person_name(user) -> str:
    return user.get_full_name() or user.get_username()


@dataclass
class Person:
    """One evaluator's comparisons of one level and what they give."""

    user: object
    name: str
    given: int
    pairs: int
    judgements: dict
    weights: np.ndarray | None = None
    consistency: ahp.Consistency | None = None
    completed: bool = False  # missing comparisons were filled in (Harker)
    error: str = ""

    @property
    def warning(self) -> bool:
        return self.consistency is not None and not self.consistency.acceptable


def person_result(level: Level, user, name: str, pairs: dict) -> Person:
    n = len(level.items)
    labels = [row.name for row in level.items]
    judgements = _indexed(level, pairs)
    person = Person(user, name, len(judgements), n * (n - 1) // 2, judgements)
    try:
        matrix = ahp.pairwise_matrix(n, judgements, labels)
        filled = ahp.complete(matrix, labels)
    except ahp.JudgementError as error:
        person.error = str(error)
        return person
    person.weights = ahp.priorities(filled)
    person.consistency = ahp.consistency(filled)
    person.completed = bool(np.isnan(matrix).any())
    return person


@dataclass
class LevelResult:
    level: Level
    people: list[Person]  # everyone who compared this level (usable or not)
    group: ahp.GroupResult | None

    @property
    def usable(self) -> list[Person]:
        return [p for p in self.people if not p.error]


def level_result(level: Level, by_user: dict, users: dict) -> LevelResult:
    """Each evaluator's result and the group's (geometric mean of the usable sets) for one level."""
    people = []
    names: set = set()
    for user_id, pairs in sorted(by_user.items(), key=lambda item: _person_name(users[item[0]]).lower()):
        user = users[user_id]
        name = _person_name(user)
        if name in names:
            name = f"{name} ({user.get_username()})"
        names.add(name)
        people.append(person_result(level, user, name, pairs))
    usable = [(p.name, p.judgements) for p in people if not p.error]
    labels = [row.name for row in level.items]
    group = ahp.group_result(usable, len(level.items), labels) if usable else None
    return LevelResult(level, people, group)


def save_judgements(evaluation, user, level_key: str, posted: dict) -> tuple[int, str]:
    """Replace the user's comparisons of one level by `posted` ({(item a, item b): "3" | "1/3" | ""}).

    Returns (comparisons saved, a warning when they do not give weights yet: some item compared
    with nothing). Raises PermissionDenied for someone neither on the team nor the lead, and
    ValidationError for a level that is gone or too big, or a value off Saaty's scale.
    """
    if not can_judge(evaluation, user):
        raise PermissionDenied(_("Only the evaluation team and the lead give pairwise comparisons."))
    levels = levels_of(services.categories_of(evaluation), services.criteria_of(evaluation))
    level = next((lv for lv in levels if lv.key == level_key), None)
    if level is None or len(level.items) < 2:
        raise ValidationError(_("This level no longer has two items to compare; reload the page."))
    n = len(level.items)
    if n > ahp.MAX_ITEMS:
        raise ValidationError(
            _("“%(level)s” has %(n)d items: pairwise comparison works for at most %(max)d.")
            % {"level": level.name, "n": n, "max": ahp.MAX_ITEMS}
        )
    keys, labels = level.keys, [row.name for row in level.items]
    judgements = {}
    for i in range(n):
        for j in range(i + 1, n):
            value = parse_judgement(posted.get((keys[i], keys[j])), (labels[i], labels[j]))
            if value is not None:
                judgements[(i, j)] = value
    try:
        matrix = ahp.pairwise_matrix(n, judgements, labels)
    except ahp.JudgementError as error:
        raise ValidationError(str(error))
    rows = [
        Judgement(
            evaluation=evaluation, project_id=evaluation.project_id, evaluator=user, level=level_key,
            item_a=keys[i], item_b=keys[j], value=float(matrix[i, j]),
        )
        for (i, j) in judgements
    ]
    with transaction.atomic():
        for old in Judgement.objects.select_for_update().filter(evaluation=evaluation, evaluator=user, level=level_key):
            old._history_user = user
            old.delete()
        bulk_create_with_history(rows, Judgement, default_user=user)
    warning = ""
    if judgements and np.isnan(matrix).any():
        try:
            ahp.complete(matrix, labels)
        except ahp.JudgementError as error:
            warning = str(error)
    return len(rows), warning


def percentages(weights) -> list[Decimal]:
    """Fractions as percentages with two decimals adding up to exactly 100.00 (largest remainder)."""
    values = np.asarray(weights, dtype=float)
    values = values / values.sum()
    units = values * 10000  # hundredths of a percent
    floors = [math.floor(u) for u in units]
    short = 10000 - sum(floors)
    order = sorted(range(len(floors)), key=lambda k: (units[k] - floors[k], -k), reverse=True)
    for k in order[:short]:
        floors[k] += 1
    return [Decimal(f).scaleb(-2) for f in floors]


@dataclass
class Applied:
    levels: list[Level]  # the levels whose weights came from the group result
    changed: int  # rows whose weight changed
    not_compared: list[str] = field(default_factory=list)  # levels nobody compared (kept their weights)
    too_big: list[str] = field(default_factory=list)  # levels with more than MAX_ITEMS items (kept)


def apply_group_weights(evaluation, user) -> Applied:
    """Write the group's weights of every compared level into the tree (lead only), in one transaction.

    Percentages are rounded to two decimals and adjusted so each level adds up to exactly 100.00;
    a level with one item gets 100. Levels nobody compared, or too big to compare, keep their
    weights (listed in `not_compared` and `too_big`). Sets the evaluation's weighting to AHP.
    """
    services.require_lead(evaluation, user, _("apply the group's weights"))
    with transaction.atomic():
        categories, criteria = _locked_tree(evaluation)
        judged = stored_judgements(evaluation)
        users = {u.pk: u for u in get_user_model().objects.filter(pk__in={uid for lv in judged.values() for uid in lv})}
        targets, outcome = {}, Applied([], 0)
        for level in levels_of(categories, criteria):
            n = len(level.items)
            if n == 0:
                continue
            if n == 1:
                targets[level.items[0]] = HUNDRED
                continue
            if n > ahp.MAX_ITEMS:
                outcome.too_big.append(level.path)
                continue
            result = level_result(level, judged.get(level.key, {}), users)
            if result.group is None:
                outcome.not_compared.append(level.path)
                continue
            for row, value in zip(level.items, percentages(result.group.weights), strict=True):
                targets[row] = value
            outcome.levels.append(level)
        if not outcome.levels:
            raise ValidationError(_("Nobody has given pairwise comparisons yet: there are no weights to apply."))
        for row, value in targets.items():
            if row.weight != value:
                _save_weight(row, value, user)
                outcome.changed += 1
        _set_weighting(evaluation, Weighting.AHP, user)
    return outcome


def ahp_levels(evaluation, user) -> list[dict]:
    """Everything the AHP page shows, per level with at least two items."""
    categories, criteria = services.categories_of(evaluation), services.criteria_of(evaluation)
    judged = stored_judgements(evaluation)
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in={uid for lv in judged.values() for uid in lv})}
    mine_id = getattr(user, "pk", None)
    result = []
    for level in levels_of(categories, criteria):
        n = len(level.items)
        if n < 2:
            continue
        entry = {"level": level, "too_big": n > ahp.MAX_ITEMS, "count": n}
        if entry["too_big"]:
            result.append(entry)
            continue
        outcome = level_result(level, judged.get(level.key, {}), users)
        mine = next((p for p in outcome.people if p.user.pk == mine_id), None)
        group = outcome.group
        entry.update(
            result=outcome, mine=mine, group=group,
            items=[
                {"row": row, "key": item_key(row), "weight": row.weight,
                 "mine": mine.weights[k] * 100 if mine and mine.weights is not None else None,
                 "group": group.weights[k] * 100 if group is not None else None}
                for k, row in enumerate(level.items)
            ],
        )
        own = judged.get(level.key, {}).get(mine_id, {})
        pairs = []
        for i in range(n):
            for j in range(i + 1, n):
                a, b = level.items[i], level.items[j]
                ka, kb = item_key(a), item_key(b)
                if (ka, kb) in own:
                    value = judgement_text(own[(ka, kb)])
                elif (kb, ka) in own:
                    value = judgement_text(1 / own[(kb, ka)])
                else:
                    value = ""
                pairs.append({"a": a, "b": b, "field": f"j-{ka}-{kb}", "value": value,
                              "options": judgement_options(a.name, b.name)})
        entry["pairs"] = pairs
        result.append(entry)
    return result


# ---------------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------------


def criteria_page(request, access, evaluation, typed=None, stale=None):
    categories, criteria = services.categories_of(evaluation), services.criteria_of(evaluation)
    tree = services.build_tree(categories, criteria)
    can_change = access.can("evaluation", "change")
    context = {
        "rows": tree_rows(evaluation, categories, criteria),
        "problems": [p.message for p in tree.problems()],
        "can_change": can_change,
        "weight_levels": weight_levels(categories, criteria, typed, stale) if can_change else [],
        "typed": typed is not None,
        "is_ahp": evaluation.weighting == Weighting.AHP,
        "knockouts": len(tree.knockouts),
        "weighted": len(tree.weighted),
        "category_count": len(categories),
    }
    if can_change:
        context["catalogues"] = catalogue_choices(evaluation)
        context["text_languages"] = settings.LANGUAGES
        context["language"] = current_language()
    return page(request, "evaluation/criteria.html", access, evaluation, _("Criteria and weights"), **context)


@login_required
def criteria_tree(request, project, pk):
    access, evaluation = evaluation_for(request, project, pk)
    return criteria_page(request, access, evaluation)


@login_required
@require_POST
def criteria_weights(request, project, pk):
    access, evaluation = evaluation_for(request, project, pk, "change")
    posted = {
        name[2:]: (raw, request.POST.get(f"v-{name[2:]}", ""))
        for name, raw in request.POST.items()
        if name.startswith("w-")
    }
    typed = {key: raw for key, (raw, _seen) in posted.items()}
    try:
        changed, switched = save_direct_weights(evaluation, request.user, posted)
    except StaleWeights as exc:
        for stale in exc.rows:
            messages.error(request, stale_message(stale))
        return criteria_page(request, access, evaluation, typed=typed, stale=exc.rows)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        messages.info(request, _("Nothing was saved. The form below keeps what you typed: correct it and save again."))
        return criteria_page(request, access, evaluation, typed=typed)
    if changed:
        messages.success(request, _("Weights saved (%(n)d changed).") % {"n": changed})
    else:
        messages.info(request, _("No weight changed."))
    if switched:
        messages.info(request, _("The evaluation now uses directly entered weights."))
    return redirect("evaluation:criteria-tree", project=access.project.pk, pk=evaluation.pk)


@login_required
@require_POST
def criteria_catalogue(request, project, pk):
    access, evaluation = evaluation_for(request, project, pk, "change")
    source = request.POST.get("catalogue", "")
    try:
        added = add_from_catalogue(
            evaluation, request.user, source, request.POST.get("language"), request.POST.getlist("category")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("evaluation:criteria-tree", project=access.project.pk, pk=evaluation.pk)
    if added.categories:
        messages.success(
            request,
            _("Added %(categories)d categories and %(criteria)d criteria from the starter catalogue.")
            % {"categories": len(added.categories), "criteria": added.criteria},
        )
    if added.skipped:
        messages.info(
            request,
            _("Already in this evaluation, so not added again: %(names)s.") % {"names": ", ".join(added.skipped)},
        )
    return redirect("evaluation:criteria-tree", project=access.project.pk, pk=evaluation.pk)


@login_required
def ahp_page(request, project, pk):
    access, evaluation = evaluation_for(request, project, pk)
    if request.method == "POST":
        access.require("evaluation", "change")
        level_key = request.POST.get("level", "")
        posted = {}
        for name, raw in request.POST.items():
            parts = name.split("-")
            if len(parts) == 3 and parts[0] == "j":
                posted[(parts[1], parts[2])] = raw
        url = reverse("evaluation:ahp", kwargs={"project": access.project.pk, "pk": evaluation.pk})
        try:
            saved, warning = save_judgements(evaluation, request.user, level_key, posted)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
            return redirect(url)
        anchor = f"level-{level_key or 'top'}"
        if saved:
            messages.success(request, _("Your comparisons are saved (%(n)d).") % {"n": saved})
        else:
            messages.info(request, _("Your comparisons of this level are cleared."))
        if warning:
            messages.warning(request, _("%(problem)s Until then your comparisons of this level give no weights.")
                             % {"problem": warning})
        return redirect(f"{url}#{anchor}")
    can_change = access.can("evaluation", "change")
    return page(
        request, "evaluation/ahp.html", access, evaluation, _("Pairwise comparisons (AHP)"),
        levels=ahp_levels(evaluation, request.user),
        can_judge=can_change and can_judge(evaluation, request.user),
        can_change=can_change, threshold=ahp.CR_THRESHOLD, max_items=ahp.MAX_ITEMS,
        is_ahp=evaluation.weighting == Weighting.AHP,
    )


@login_required
@require_POST
def ahp_apply(request, project, pk):
    access, evaluation = evaluation_for(request, project, pk, "change")
    try:
        applied = apply_group_weights(evaluation, request.user)
    except (ValidationError, PermissionDenied) as exc:
        # A role that may change the evaluation but is not its lead gets the reason, as the other
        # lead-only actions of the evaluation pages do (tests/core/test_permissions.py).
        messages.error(request, error_text(exc))
        return redirect("evaluation:ahp", project=access.project.pk, pk=evaluation.pk)
    names = {"levels": len(applied.levels), "n": applied.changed}
    messages.success(
        request,
        ngettext(
            "The group's weights are applied to %(levels)d level (%(n)d weights changed); "
            "the evaluation now uses pairwise comparisons.",
            "The group's weights are applied to %(levels)d levels (%(n)d weights changed); "
            "the evaluation now uses pairwise comparisons.",
            len(applied.levels),
        ) % names,
    )
    if applied.not_compared:
        messages.warning(
            request,
            _("Nobody has compared these levels yet, so they keep their weights: %(levels)s.")
            % {"levels": "; ".join(applied.not_compared)},
        )
    if applied.too_big:
        messages.warning(
            request,
            _("These levels have too many items to compare, so they keep their weights: %(levels)s.")
            % {"levels": "; ".join(applied.too_big)},
        )
    return redirect("evaluation:criteria-tree", project=access.project.pk, pk=evaluation.pk)


urlpatterns = [
    path("evaluations/<int:pk>/criteria/", criteria_tree, name="criteria-tree"),
    path("evaluations/<int:pk>/criteria/weights/", criteria_weights, name="criteria-weights"),
    path("evaluations/<int:pk>/criteria/catalogue/", criteria_catalogue, name="criteria-catalogue"),
    path("evaluations/<int:pk>/ahp/", ahp_page, name="ahp"),
    path("evaluations/<int:pk>/ahp/apply/", ahp_apply, name="ahp-apply"),
]
