from projectcrm.core.register_views import register_urls

from . import dashboard_views, evidence_views, migration_views, reconcile_views, views
from .registers import REGISTERS

app_name = "testing"

urlpatterns = [
    *views.urlpatterns,
    *evidence_views.urlpatterns,
    *dashboard_views.urlpatterns,
    *migration_views.urlpatterns,
    *reconcile_views.urlpatterns,
    *register_urls(REGISTERS),
]
