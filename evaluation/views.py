"""Evaluation pages beyond the generic register views: scoring rounds (blind), the score sheet,
the panel and consensus, knock-out re-admission, costs, results and the decision.

Every view starts from `evaluation_for` / `round_for`: 404 outside the project, 403 when the
role may not view (or change) the evaluation area. Lead-only actions answer 403 with a message.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projectcrm.core.access import project_access
from projectcrm.core.services import EditConflict

from . import charts, results, services
from . import scoring as calc
from .choices import COMPETING
from .models import Candidate, Consensus, Criterion, Evaluation, Round, Score, TeamMember

User = get_user_model()


def evaluation_for(request, project, pk, action: str = "view"):
    access = project_access(request.user, project, "evaluation", action)
    evaluation = get_object_or_404(Evaluation.objects.select_related("lead", "selected"), project=access.project, pk=pk)
    return access, evaluation


def round_for(request, project, pk, action: str = "view"):
    access = project_access(request.user, project, "evaluation", action)
    round_ = get_object_or_404(Round.objects.select_related("evaluation", "evaluation__lead"), project=access.project, pk=pk)
    return access, round_


def error_text(exc: ValidationError | PermissionDenied) -> str:
    """The message of a refused action: a ValidationError's messages, or why it is not allowed."""
    if isinstance(exc, PermissionDenied):
        return str(exc) or _("Your role in this project does not allow this.")
    return " ".join(exc.messages)


def posted_item(request, evaluation):
    """The candidate and criterion a form posted, or (None, None) when either is missing."""
    candidate = Candidate.objects.filter(evaluation=evaluation, pk=_number(request.POST.get("candidate"))).first()
    criterion = Criterion.objects.filter(evaluation=evaluation, pk=_number(request.POST.get("criterion"))).first()
    if candidate is None or criterion is None:
        return None, None
    return candidate, criterion


def _number(text) -> int:
    return int(text) if text and str(text).isdigit() else 0


def page(request, template, access, evaluation, title, **context):
    context.update(
        {"project": access.project, "access": access, "area": "evaluation", "evaluation": evaluation, "title": title,
         "is_lead": evaluation.is_lead(request.user)}
    )
    return render(request, template, context)


# ---------------------------------------------------------------------------------------------
# The evaluation's hub (under the register detail page)
# ---------------------------------------------------------------------------------------------


def hub_context(evaluation: Evaluation, access) -> dict:
    rounds = list(Round.objects.filter(evaluation=evaluation).order_by("number"))
    team = list(TeamMember.objects.filter(evaluation=evaluation).select_related("user"))
    candidates = list(Candidate.objects.filter(evaluation=evaluation).order_by("name"))
    return {
        "rounds": rounds,
        "open_round": next((r for r in rounds if r.is_open), None),
        "team": team,
        "candidates": candidates,
        "criteria_count": Criterion.objects.filter(evaluation=evaluation).count(),
        "consensus_count": Consensus.objects.filter(evaluation=evaluation).count(),
        "is_lead": evaluation.is_lead(access.user),
        "on_team": any(m.user_id == access.user.pk for m in team),
        "timeline": timeline(evaluation),
    }


def timeline(evaluation: Evaluation) -> list[dict]:
    from .choices import STAGE_DATES, Stage

    order = list(Stage)
    current = order.index(evaluation.stage) if evaluation.stage in order else 0
    return [
        {"label": stage.label, "date": getattr(evaluation, STAGE_DATES[stage]), "state":
         "done" if i < current else ("current" if i == current else "next")}
        for i, stage in enumerate(order)
    ]


# ---------------------------------------------------------------------------------------------
# Rounds
# ---------------------------------------------------------------------------------------------


@login_required
def scoring(request, project, pk):
    """Rounds of the evaluation and, for a team member, their progress in the open round."""
    access, evaluation = evaluation_for(request, project, pk)
    rounds = list(Round.objects.filter(evaluation=evaluation).select_related("opened_by", "closed_by").order_by("-number"))
    open_round = next((r for r in rounds if r.is_open), None)
    mine = services.assigned_criteria(evaluation, request.user)
    progress = None
    if open_round is not None:
        candidates = services.competing(evaluation)
        # Everyone may see how far the panel is (counts only, never values): one count per evaluator.
        given = dict(
            Score.objects.filter(round=open_round).exclude(value__isnull=True, passed__isnull=True)
            .values("evaluator").annotate(n=Count("id")).values_list("evaluator", "n")
        )
        progress = {"done": given.get(request.user.pk, 0), "total": len(mine) * len(candidates)}
        categories, criteria = services.categories_of(evaluation), services.criteria_of(evaluation)
        team_progress = [
            {"member": m, "done": given.get(m.user_id, 0),
             "total": len(candidates) * len(services.assigned_criteria(evaluation, m.user, categories, criteria))}
            for m in TeamMember.objects.filter(evaluation=evaluation).select_related("user")
        ]
    else:
        team_progress = []
    return page(
        request, "evaluation/scoring.html", access, evaluation, _("Scoring"),
        rounds=rounds, open_round=open_round, progress=progress, team_progress=team_progress,
        assigned=len(mine), can_change=access.can("evaluation", "change"),
    )


@login_required
@require_POST
def round_open(request, project, pk):
    access, evaluation = evaluation_for(request, project, pk, "change")
    try:
        round_ = services.open_round(evaluation, request.user, request.POST.get("name", "").strip()[:200])
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect("evaluation:scoring", project=access.project.pk, pk=evaluation.pk)
    messages.success(request, _("%(round)s is open. Evaluators now score blind: nobody sees another's scores until you close it.") % {"round": round_})
    return redirect("evaluation:scoring", project=access.project.pk, pk=evaluation.pk)


@login_required
@require_POST
def round_close(request, project, pk):
    access, round_ = round_for(request, project, pk, "change")
    try:
        services.close_round(round_, request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("%(round)s is closed: the panel's scores are shown and consensus can be recorded.") % {"round": round_})
    return redirect("evaluation:round", project=access.project.pk, pk=round_.pk)


@login_required
@require_POST
def round_reopen(request, project, pk):
    access, round_ = round_for(request, project, pk, "change")
    try:
        services.reopen_round(round_, request.user, request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect("evaluation:round", project=access.project.pk, pk=round_.pk)
    messages.warning(request, _("%(round)s is open again; the reopening is recorded in its history.") % {"round": round_})
    return redirect("evaluation:scoring", project=access.project.pk, pk=round_.evaluation_id)


# ---------------------------------------------------------------------------------------------
# The score sheet (an evaluator's own scores)
# ---------------------------------------------------------------------------------------------


def sheet_rows(round_: Round, user, candidate: Candidate, criteria) -> list[dict]:
    own = {
        s.criterion_id: s
        for s in services.visible_scores(round_, user).filter(candidate=candidate, evaluator=user)
    }
    rows = []
    for depth_criterion in criteria:
        criterion = depth_criterion
        rows.append({"criterion": criterion, "score": own.get(criterion.pk), "levels": criterion.levels()})
    return rows


@login_required
def scoresheet(request, project, pk):
    """The user's own scores of one candidate in a round, one row per assigned criterion."""
    access, round_ = round_for(request, project, pk)
    evaluation = round_.evaluation
    categories = services.categories_of(evaluation)
    criteria = services.assigned_criteria(evaluation, request.user, categories=categories)
    position = {node.pk: i for i, (_depth, node) in enumerate(services.ordered_tree(categories, criteria))
                if isinstance(node, Criterion)}
    criteria.sort(key=lambda c: position.get(c.pk, 0))  # in the tree's reading order, category by category
    candidates = services.competing(evaluation)
    if services.team_member(evaluation, request.user) is None or not candidates:
        messages.info(request, _("Only the evaluation team scores, and only once there are candidates.")
                      if candidates else _("This evaluation has no candidates yet."))
        return redirect("evaluation:scoring", project=access.project.pk, pk=evaluation.pk)
    chosen = request.GET.get("candidate")
    candidate = next((c for c in candidates if str(c.pk) == chosen), candidates[0])
    rows = sheet_rows(round_, request.user, candidate, criteria)
    names = {c.pk: c.name for c in categories}
    grouped = defaultdict(list)
    for row in rows:
        grouped[names.get(row["criterion"].category_id, _("Without a category"))].append(row)
    counts = defaultdict(int)
    for s in services.visible_scores(round_, request.user).filter(evaluator=request.user).exclude(value__isnull=True, passed__isnull=True):
        counts[s.candidate_id] += 1
    return page(
        request, "evaluation/scoresheet.html", access, evaluation, _("My scores"),
        round=round_, candidates=[{"candidate": c, "done": counts[c.pk]} for c in candidates],
        candidate=candidate, groups=list(grouped.items()), total=len(criteria),
        editable=round_.is_open and access.can("evaluation", "change"),
    )


@login_required
@require_POST
def score_save(request, project, pk):
    """Save one score (htmx: answers with the row as stored; without htmx: back to the sheet)."""
    access, round_ = round_for(request, project, pk, "change")
    evaluation = round_.evaluation
    candidate, criterion = posted_item(request, evaluation)
    if candidate is None:
        messages.error(request, _("Choose a candidate and a criterion to score."))
        return redirect("evaluation:scoring", project=access.project.pk, pk=evaluation.pk)
    seen = request.POST.get("version")
    error = ""
    try:
        score = services.save_score(
            round_, request.user, candidate, criterion, request.POST.get("value"),
            comment=request.POST.get("comment", ""), evidence=request.POST.get("evidence", ""),
            seen_version=int(seen) if seen and seen.isdigit() else None,
        )
    except (ValidationError, PermissionDenied) as exc:
        error = error_text(exc)
        score = services.visible_scores(round_, request.user).filter(
            evaluator=request.user, candidate=candidate, criterion=criterion).first()
    except EditConflict as exc:
        error = _("You changed this score in another window meanwhile; it now reads %(value)s. Check it and save again.") % {
            "value": exc.current.shown or "—"}
        score = exc.current
    if request.htmx:
        response = render(
            request, "evaluation/_score_row.html",
            {"row": {"criterion": criterion, "score": score, "levels": criterion.levels()}, "round": round_,
             "candidate": candidate, "project": access.project, "editable": True, "error": error,
             "saved": not error},
        )
        return response
    if error:
        messages.error(request, error)
        if services.team_member(evaluation, request.user) is None:
            return redirect("evaluation:scoring", project=access.project.pk, pk=evaluation.pk)
    else:
        messages.success(request, _("Score saved."))
    url = reverse("evaluation:scoresheet", kwargs={"project": access.project.pk, "pk": round_.pk})
    return redirect(f"{url}?candidate={candidate.pk}#criterion-{criterion.pk}")


@login_required
def evaluator_scores(request, project, pk, user):
    """One evaluator's scores in a round: their own at any time, anyone's once the round is closed."""
    access, round_ = round_for(request, project, pk)
    if round_.is_open and user != request.user.pk:
        raise Http404(_("Scores of an open round are blind."))
    evaluator = get_object_or_404(User, pk=user, memberships__project=access.project)
    scores = (
        services.visible_scores(round_, request.user).filter(evaluator=evaluator)
        .select_related("candidate", "criterion").order_by("criterion__order", "criterion__name", "candidate__name")
    )
    return page(
        request, "evaluation/evaluator_scores.html", access, round_.evaluation,
        _("Scores of %(name)s") % {"name": evaluator.get_full_name() or evaluator.get_username()},
        round=round_, evaluator=evaluator, scores=scores,
    )


# ---------------------------------------------------------------------------------------------
# The panel after closing: spread, bias, consensus
# ---------------------------------------------------------------------------------------------


PANEL_PAGE_SIZE = 150


def panel_rows(evaluation, round_, criteria, candidates, category=None, only_flagged=False, page_number=1):
    """The page of (criterion, candidate) items to show, with every evaluator's score, the spread,
    the flag and the proposal; and the team, the number of flagged items, the page and the panel."""
    from django.core.paginator import Paginator

    panel = services.panel_of(round_)
    team = list(TeamMember.objects.filter(evaluation=evaluation).select_related("user").order_by("user__username"))
    items = []
    flagged_count = 0
    for criterion in criteria:
        if category is not None and criterion.category_id != category:
            continue
        for candidate in candidates:
            by_evaluator = panel.get((candidate.pk, criterion.pk), {})
            flag = services.flagged(evaluation, criterion, by_evaluator.values())
            flagged_count += flag
            if not only_flagged or flag:
                items.append((criterion, candidate, by_evaluator, flag))
    page = Paginator(items, PANEL_PAGE_SIZE).get_page(page_number)
    shown = list(page.object_list)
    agreed = {
        (c.candidate_id, c.criterion_id): c
        for c in Consensus.objects.filter(
            evaluation=evaluation, criterion_id__in={item[0].pk for item in shown}, candidate_id__in={item[1].pk for item in shown}
        )
    }
    rows = []
    for criterion, candidate, by_evaluator, flag in shown:
        marks = list(by_evaluator.values())
        numbers = [n for n in (services.score_number(m) for m in marks) if n is not None]
        value, passed = services.proposal(evaluation, criterion, marks)
        rows.append({
            "criterion": criterion, "candidate": candidate,
            "cells": [by_evaluator.get(m.user_id) for m in team],
            "spread": calc.spread(numbers) if numbers else None, "flagged": flag,
            "proposal": value, "proposal_pass": passed,
            "consensus": agreed.get((candidate.pk, criterion.pk)),
        })
    return team, rows, flagged_count, panel, page


@login_required
def round_detail(request, project, pk):
    """Open round: progress only. Closed round: every score, spread, bias and the consensus form."""
    access, round_ = round_for(request, project, pk)
    evaluation = round_.evaluation
    context = {"round": round_, "can_change": access.can("evaluation", "change")}
    if round_.is_open:
        return page(request, "evaluation/round.html", access, evaluation, str(round_), **context)
    categories = services.categories_of(evaluation)
    criteria = [c for _depth, c in services.ordered_tree(categories, services.criteria_of(evaluation)) if isinstance(c, Criterion)]
    candidates = services.competing(evaluation)
    category = request.GET.get("category")
    category_id = int(category) if category and category.isdigit() else None
    only_flagged = request.GET.get("flagged") == "1"
    team, rows, flagged_count, panel, page_obj = panel_rows(
        evaluation, round_, criteria, candidates, category_id, only_flagged, request.GET.get("page") or 1
    )
    # Bias per evaluator, on normalised scores so criteria with other scales compare.
    by_id = {c.pk: c for c in criteria}
    normalised = {}
    for (candidate_id, criterion_id), by_evaluator in panel.items():
        criterion = by_id.get(criterion_id)
        if criterion is None or criterion.knockout:
            continue
        span = criterion.scale_max - criterion.scale_min
        normalised[(candidate_id, criterion_id)] = {
            e: (float(s.value) - criterion.scale_min) / span * 5 for e, s in by_evaluator.items() if s.value is not None
        }
    biases = calc.evaluator_bias(normalised)
    bias_rows = [{"member": m, "bias": biases.get(m.user_id)} for m in team]
    context.update({
        "team": team, "rows": rows, "page_obj": page_obj, "row_count": page_obj.paginator.count,
        "flagged_count": flagged_count, "bias_rows": bias_rows, "categories": categories,
        "category": category_id, "only_flagged": only_flagged, "is_lead": evaluation.is_lead(request.user),
        "agreed": Consensus.objects.filter(evaluation=evaluation).count(),
        "items": len(criteria) * len(candidates),
    })
    return page(request, "evaluation/round.html", access, evaluation, str(round_), **context)


@login_required
@require_POST
def consensus_save(request, project, pk):
    access, round_ = round_for(request, project, pk, "change")
    evaluation = round_.evaluation
    candidate, criterion = posted_item(request, evaluation)
    if candidate is None:
        messages.error(request, _("Choose a candidate and a criterion."))
        return redirect("evaluation:round", project=access.project.pk, pk=round_.pk)
    seen = request.POST.get("version")
    error = ""
    row = None
    try:
        row = services.record_consensus(
            evaluation, round_, candidate, criterion, request.POST.get("value"), request.POST.get("rationale", ""),
            request.user, seen_version=int(seen) if seen and seen.isdigit() else None,
        )
    except (ValidationError, PermissionDenied) as exc:
        error = error_text(exc)
    except EditConflict as exc:
        error = _("Someone else recorded this consensus meanwhile (%(value)s); reload to see it.") % {
            "value": exc.current.value if exc.current.passed is None else (_("Pass") if exc.current.passed else _("Fail"))}
    if request.htmx:
        if row is None:
            row = Consensus.objects.filter(candidate=candidate, criterion=criterion).first()
        return render(
            request, "evaluation/_consensus_cell.html",
            {"item": {"criterion": criterion, "candidate": candidate, "consensus": row}, "round": round_,
             "project": access.project, "is_lead": True, "error": error, "saved": not error},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Consensus recorded for %(candidate)s / %(criterion)s.") % {
            "candidate": candidate.name, "criterion": criterion.name})
    return redirect(request.POST.get("next") or reverse("evaluation:round", kwargs={"project": access.project.pk, "pk": round_.pk}))


@login_required
@require_POST
def consensus_accept(request, project, pk):
    access, round_ = round_for(request, project, pk, "change")
    try:
        count = services.accept_proposals(round_.evaluation, round_, request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("%(n)d proposals recorded as consensus; the flagged items wait for discussion.") % {"n": count})
    return redirect("evaluation:round", project=access.project.pk, pk=round_.pk)


# ---------------------------------------------------------------------------------------------
# Knock-outs, costs, results, decision
# ---------------------------------------------------------------------------------------------


@login_required
@require_POST
def readmit(request, project, pk):
    access = project_access(request.user, project, "evaluation", "change")
    candidate = get_object_or_404(Candidate.objects.select_related("evaluation"), project=access.project, pk=pk)
    try:
        if request.POST.get("withdraw"):
            services.withdraw_readmission(candidate, request.user)
            messages.success(request, _("%(name)s is excluded again.") % {"name": candidate.name})
        else:
            services.readmit(candidate, request.user, request.POST.get("reason", ""))
            messages.success(request, _("%(name)s is back in the ranking; the justification is recorded.") % {"name": candidate.name})
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    return redirect("evaluation:results", project=access.project.pk, pk=candidate.evaluation_id)


@login_required
def costs(request, project, pk):
    """Total cost of ownership per candidate: categories by year, total, NPV, cost per user-year."""
    access, evaluation = evaluation_for(request, project, pk)
    candidates = list(Candidate.objects.filter(evaluation=evaluation).order_by("name"))
    table = results.candidate_costs(evaluation, candidates)
    from .choices import CostCategory

    labels = {key: str(label) for key, label in CostCategory.choices}
    rows = []
    for candidate in candidates:
        cost = table[candidate.pk]
        rows.append({
            "candidate": candidate, "tco": cost.tco,
            "lines": [(labels.get(key, key), amounts, sum(amounts)) for key, amounts in cost.tco.table.items()],
        })
    return page(
        request, "evaluation/costs.html", access, evaluation, _("Total cost of ownership"),
        rows=rows, years=list(range(1, evaluation.horizon_years + 1)),
        can_change=access.can("evaluation", "change"),
    )


def results_context(evaluation: Evaluation, language: str | None = None) -> dict:
    """Everything the results page, the report and the API show, computed once."""
    outcome = results.compute(evaluation)
    context = {"results": outcome, "charts": {}}
    if outcome.totals is None:
        return context
    names = {c.pk: c.name for c in outcome.candidates}
    category_names = {c.pk: c.name for c in outcome.categories}
    top = [c for c in outcome.tree.top_categories]
    ranking = outcome.totals.ranking
    labels = [names[r.candidate] for r in ranking]
    segment_names = [category_names.get(c.key, c.name) for c in top]
    points = [[r.contributions.get(c.key, 0.0) for c in top] for r in ranking]
    loose = [c for c in outcome.tree.members[None]]
    for criterion in loose:
        segment_names.append(outcome.name_of_criterion(criterion.key))
        for row, r in zip(points, ranking, strict=True):
            row.append(r.criterion_points.get(criterion.key, 0.0))
    rows = []
    for r in ranking:
        cost = outcome.costs.get(r.candidate)
        rows.append({
            "result": r, "candidate": outcome.by_id[r.candidate],
            "topsis_rank": outcome.topsis.ranking.get(r.candidate) if outcome.topsis else None,
            "closeness": outcome.topsis.closeness.get(r.candidate) if outcome.topsis else None,
            "first": outcome.monte_carlo.probabilities.get(r.candidate) if outcome.monte_carlo else None,
            "cost": cost.tco if cost and cost.has_costs else None,
        })
    context["rows"] = rows
    context["excluded"] = [
        {"result": r, "candidate": outcome.by_id[r.candidate]} for r in outcome.totals.excluded
    ]
    context["readmitted"] = [
        {"result": r, "candidate": outcome.by_id[r.candidate]} for r in outcome.totals.results.values() if r.readmitted
    ]
    if outcome.sensitivity:
        sens_rows = []
        for row in outcome.sensitivity.criteria:
            sens_rows.append({
                "name": outcome.name_of_criterion(row.criterion), "weight": row.weight * 100,
                "winner": row.winner, "any": row.any_pair,
                "winner_behind": names.get(row.winner.behind) if row.winner else None,
                "any_pair": (names.get(row.any_pair.ahead), names.get(row.any_pair.behind)) if row.any_pair else None,
            })
        sens_rows.sort(key=lambda s: abs(s["winner"].percent) if s["winner"] and s["winner"].percent is not None else float("inf"))
        context["sensitivity_rows"] = sens_rows
        critical = outcome.sensitivity.critical
        context["critical"] = {
            "name": outcome.name_of_criterion(critical.criterion), "change": critical.winner,
            "behind": names.get(critical.winner.behind),
            "old": critical.winner.weight * 100, "new": critical.winner.new_weight * 100,
        } if critical else None
    figures = {}
    if top or loose:
        figures["contributions"] = charts.contributions_figure(labels, segment_names, points)
        if top:
            figures["radar"] = charts.radar_figure(labels, [category_names.get(c.key, c.name) for c in top],
                                                   [[r.category_scores.get(c.key, 0.0) for c in top] for r in ranking])
    costed = [(names[r.candidate], r.total, outcome.costs[r.candidate].tco.npv) for r in ranking
              if outcome.costs.get(r.candidate) and outcome.costs[r.candidate].has_costs]
    if costed:
        figures["value"] = charts.value_for_money_figure(
            [c[0] for c in costed], [c[1] for c in costed], [float(c[2]) for c in costed], _("Net present value of the cost"))
    if outcome.monte_carlo:
        figures["first"] = charts.first_place_figure(labels, [outcome.monte_carlo.probabilities[r.candidate] for r in ranking])
    for fig in figures.values():
        charts.localise(fig, language)
    context["figures"] = figures
    return context


@login_required
def results_page(request, project, pk):
    access, evaluation = evaluation_for(request, project, pk)
    from django.utils.translation import get_language

    context = results_context(evaluation, get_language())
    context["charts"] = {name: charts.figure_html(fig) for name, fig in context.pop("figures", {}).items()}
    context["candidates"] = Candidate.objects.filter(evaluation=evaluation, status__in=COMPETING).order_by("name")
    context["uses_plotly"] = bool(context["charts"])
    context["open_round"] = services.current_round(evaluation)
    return page(request, "evaluation/results.html", access, evaluation, _("Results"), **context)


@login_required
@require_POST
def decide(request, project, pk):
    access, evaluation = evaluation_for(request, project, pk, "change")
    candidate = Candidate.objects.filter(evaluation=evaluation, pk=request.POST.get("selected") or 0).first()
    seen = request.POST.get("version")
    try:
        services.decide(evaluation, request.user, candidate, request.POST.get("rationale", ""),
                        seen_version=int(seen) if seen and seen.isdigit() else None)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    except EditConflict:
        messages.error(request, _("The evaluation was changed by someone else meanwhile; check the page and decide again."))
    else:
        messages.success(request, _("Decision recorded: %(name)s.") % {"name": candidate.name})
    return redirect("evaluation:results", project=access.project.pk, pk=evaluation.pk)

