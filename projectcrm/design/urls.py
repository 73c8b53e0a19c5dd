from projectcrm.core.register_views import register_urls

from . import bpmn_views, editor_views, gap_views, trace_views, usecase_views
from .registers import REGISTERS

app_name = "design"

urlpatterns = [
    *editor_views.urlpatterns,
    *bpmn_views.urlpatterns,
    *gap_views.urlpatterns,
    *usecase_views.urlpatterns,
    *trace_views.urlpatterns,
    *register_urls(REGISTERS),
]
