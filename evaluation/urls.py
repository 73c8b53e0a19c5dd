from django.urls import path

from projectcrm.core.register_views import register_urls

from . import report, views, weights
from .registers import REGISTERS

app_name = "evaluation"

urlpatterns = [
    path("evaluations/<int:pk>/scoring/", views.scoring, name="scoring"),
    path("evaluations/<int:pk>/rounds/open/", views.round_open, name="round-open"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/close/", views.round_close, name="round-close"),
    path("rounds/<int:pk>/reopen/", views.round_reopen, name="round-reopen"),
    path("rounds/<int:pk>/sheet/", views.scoresheet, name="scoresheet"),
    path("rounds/<int:pk>/sheet/save/", views.score_save, name="score-save"),
    path("rounds/<int:pk>/evaluators/<int:user>/", views.evaluator_scores, name="evaluator-scores"),
    path("rounds/<int:pk>/consensus/", views.consensus_save, name="consensus-save"),
    path("rounds/<int:pk>/accept/", views.consensus_accept, name="consensus-accept"),
    path("candidates/<int:pk>/readmit/", views.readmit, name="readmit"),
    path("evaluations/<int:pk>/costs/", views.costs, name="tco"),
    path("evaluations/<int:pk>/results/", views.results_page, name="results"),
    path("evaluations/<int:pk>/decide/", views.decide, name="decide"),
    *weights.urlpatterns,
    *report.urlpatterns,
    *register_urls(REGISTERS),
]
