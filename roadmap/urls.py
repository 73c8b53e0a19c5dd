from django.urls import path, re_path

from projectcrm.core.register_views import register_urls

from . import views
from .registers import REGISTERS

app_name = "roadmap"

urlpatterns = [
    path("releases/from-template/", views.release_from_template, name="release-from-template"),
    path("releases/import-mspdi/", views.release_import_mspdi, name="release-import-mspdi"),
    path("releases/<int:pk>/plan/", views.plan, name="plan"),
    path("releases/<int:pk>/plan/reschedule/", views.reschedule, name="reschedule"),
    path("releases/<int:pk>/plan/baseline/", views.take_baseline, name="take-baseline"),
    path("releases/<int:pk>/plan/save-template/", views.save_as_template, name="save-template"),
    path("releases/<int:pk>/gantt/", views.gantt, name="gantt-release"),
    path("releases/<int:pk>/ms-project.xml", views.release_export_mspdi, name="release-export-mspdi"),
    path("tasks/<int:pk>/move/", views.task_move, name="task-move"),
    path("releases/<int:pk>/milestones.ics", views.milestones_ics, name="milestones-ics"),
    path("gantt/", views.gantt, name="gantt"),
    path("gates/<int:pk>/vote/", views.gate_vote, name="gate-vote"),
    path("gates/<int:pk>/decide/", views.gate_decide, name="gate-decide"),
    path("gates/<int:pk>/reopen/", views.gate_reopen, name="gate-reopen"),
    path("gates/criteria/<int:pk>/", views.criterion_check, name="criterion-check"),
    re_path(r"^changes/(?P<pk>[0-9]+)/(?P<action>assess|approve|reject|implement)/$", views.change_action, name="change-action"),
    *register_urls(REGISTERS),
]
