from projectcrm.core.register_views import register_urls

from . import dashboard_views, golive_views, report_views
from .registers import REGISTERS

app_name = "reports"

urlpatterns = [
    *dashboard_views.urlpatterns,
    *golive_views.urlpatterns,
    *report_views.urlpatterns,
    *register_urls(REGISTERS),
]
