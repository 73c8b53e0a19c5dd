"""The evaluation's results and scores through the API (the registers come from core/api.py).

/api/v1/projects/<project>/evaluation/evaluations/<id>/results/   ranking, costs, sensitivity
/api/v1/projects/<project>/evaluation/evaluations/<id>/consensus/ the consensus scores
/api/v1/projects/<project>/evaluation/rounds/<id>/scores/         GET the scores you may read
                                                                  (your own while the round is
                                                                  open), POST one of your own

Same policy and blindness as the pages: the lookups and services are the pages' own.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from projectcrm.core.access import project_access
from projectcrm.core.api import Conflict
from projectcrm.core.services import EditConflict

from . import results, services
from .models import Candidate, Consensus, Criterion, Evaluation, Round

CENT = Decimal("0.01")


class ScoreSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    evaluator = serializers.CharField(source="evaluator.username", read_only=True)
    candidate = serializers.IntegerField(source="candidate_id")
    criterion = serializers.IntegerField(source="criterion_id")
    value = serializers.CharField(allow_blank=True, allow_null=True, required=False)
    passed = serializers.BooleanField(allow_null=True, read_only=True)
    comment = serializers.CharField(allow_blank=True, required=False)
    evidence = serializers.CharField(allow_blank=True, required=False)
    version = serializers.IntegerField(required=False)


class EvaluationAPIView(APIView):
    def access_for(self, request, project, write=False):
        return project_access(request.user, project, "evaluation", "change" if write else "view")


@extend_schema(tags=["evaluation"], responses={200: dict})
class ResultsView(EvaluationAPIView):
    """Ranking, knock-out outcomes, costs, TOPSIS, sensitivity and Monte Carlo of an evaluation."""

    def get(self, request, project, pk):
        access = self.access_for(request, project)
        evaluation = get_object_or_404(Evaluation, project=access.project, pk=pk)
        return Response(results_payload(evaluation))


def results_payload(evaluation: Evaluation) -> dict:
    outcome = results.compute(evaluation)
    names = {c.pk: c.name for c in outcome.candidates}
    payload = {
        "evaluation": evaluation.pk,
        "problems": [p.message for p in outcome.problems],
        "error": outcome.error,
        "consensus": {"recorded": outcome.consensus_count, "items": outcome.items},
        "close_call": outcome.close_call,
        "ranking": [],
        "excluded": [],
        "costs": {
            str(key): {"total": str(cost.tco.total), "npv": str(cost.tco.npv.quantize(CENT)),
                       "per_user_year": None if cost.tco.cost_per_user_year is None
                       else str(cost.tco.cost_per_user_year.quantize(CENT))}
            for key, cost in outcome.costs.items() if cost.has_costs
        },
        "decision": {
            "selected": evaluation.selected_id, "rationale": evaluation.decision_rationale,
            "decided_on": evaluation.decided_on,
        },
    }
    if outcome.totals is None:
        return payload
    for r in outcome.totals.ranking:
        payload["ranking"].append({
            "candidate": r.candidate, "name": names[r.candidate], "rank": r.rank, "total": round(r.total, 6),
            "contributions": {str(k): round(v, 6) for k, v in r.contributions.items()},
            "category_scores": {str(k): round(v, 6) for k, v in r.category_scores.items()},
            "readmitted": r.readmitted, "pending_knockouts": r.pending, "missing": len(r.missing),
            "topsis_rank": outcome.topsis.ranking.get(r.candidate) if outcome.topsis else None,
            "topsis_closeness": round(outcome.topsis.closeness[r.candidate], 6) if outcome.topsis else None,
            "probability_first": round(outcome.monte_carlo.probabilities[r.candidate], 6) if outcome.monte_carlo else None,
        })
    payload["excluded"] = [{"candidate": r.candidate, "name": names[r.candidate], "failed": r.failed} for r in outcome.totals.excluded]
    if outcome.agreement:
        payload["topsis_agreement"] = {"spearman": outcome.agreement.spearman, "same_winner": outcome.agreement.same_winner}
    if outcome.sensitivity:
        critical = outcome.sensitivity.critical
        payload["sensitivity"] = {
            "critical_criterion": None if critical is None else critical.criterion,
            "criteria": [
                {"criterion": row.criterion, "name": outcome.name_of_criterion(row.criterion), "weight": round(row.weight, 6),
                 "winner_change": None if row.winner is None else round(row.winner.change, 6),
                 "winner_change_percent": None if row.winner is None or row.winner.percent is None else round(row.winner.percent, 4),
                 "any_rank_change": None if row.any_pair is None else round(row.any_pair.change, 6)}
                for row in outcome.sensitivity.criteria
            ],
        }
    if outcome.monte_carlo:
        payload["monte_carlo"] = {"draws": outcome.monte_carlo.draws, "spread": outcome.monte_carlo.spread}
    return payload


@extend_schema(tags=["evaluation"], responses={200: dict})
class ConsensusView(EvaluationAPIView):
    def get(self, request, project, pk):
        access = self.access_for(request, project)
        evaluation = get_object_or_404(Evaluation, project=access.project, pk=pk)
        rows = Consensus.objects.filter(evaluation=evaluation).order_by("criterion_id", "candidate_id")
        return Response([
            {"candidate": c.candidate_id, "criterion": c.criterion_id, "value": None if c.value is None else str(c.value),
             "passed": c.passed, "rationale": c.rationale, "round": c.round_id, "version": c.version}
            for c in rows
        ])


@extend_schema(tags=["evaluation"], request=ScoreSerializer, responses={200: ScoreSerializer(many=True)})
class ScoresView(EvaluationAPIView):
    """Scores of a round: your own while it is open (blind scoring), everyone's once closed."""

    def get(self, request, project, pk):
        access = self.access_for(request, project)
        round_ = get_object_or_404(Round, project=access.project, pk=pk)
        scores = services.visible_scores(round_, request.user).select_related("evaluator").order_by("pk")
        evaluator = request.query_params.get("evaluator")
        if evaluator:
            if round_.is_open and evaluator != request.user.get_username():
                return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
            scores = scores.filter(evaluator__username=evaluator)
        return Response(ScoreSerializer(scores, many=True).data)

    def post(self, request, project, pk):
        access = self.access_for(request, project, write=True)
        round_ = get_object_or_404(Round.objects.select_related("evaluation"), project=access.project, pk=pk)
        serializer = ScoreSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        candidate = get_object_or_404(Candidate, evaluation=round_.evaluation, pk=data["candidate_id"])
        criterion = get_object_or_404(Criterion, evaluation=round_.evaluation, pk=data["criterion_id"])
        try:
            score = services.save_score(
                round_, request.user, candidate, criterion, data.get("value"), comment=data.get("comment", ""),
                evidence=data.get("evidence", ""), seen_version=data.get("version"),
            )
        except ValidationError as exc:
            raise DRFValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}) from None
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        except EditConflict as exc:
            raise Conflict({"detail": str(exc), "current_version": exc.current.version}) from None
        return Response(ScoreSerializer(score).data, status=status.HTTP_200_OK)


urlpatterns = [
    path("projects/<int:project>/evaluation/evaluations/<int:pk>/results/", ResultsView.as_view(), name="api-evaluation-results"),
    path("projects/<int:project>/evaluation/evaluations/<int:pk>/consensus/", ConsensusView.as_view(), name="api-evaluation-consensus"),
    path("projects/<int:project>/evaluation/rounds/<int:pk>/scores/", ScoresView.as_view(), name="api-evaluation-scores"),
]
