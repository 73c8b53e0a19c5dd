from projectcrm.core.register_views import register_urls

from . import adoption_views, readiness_views, session_views, views
from .registers import REGISTERS

app_name = "training"

urlpatterns = [
    *views.urlpatterns,
    *session_views.urlpatterns,
    *readiness_views.urlpatterns,
    *adoption_views.urlpatterns,
    *register_urls(REGISTERS),
]
