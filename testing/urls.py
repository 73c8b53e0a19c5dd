from projectcrm.core.register_views import register_urls

from . import views
from .registers import REGISTERS

app_name = "testing"

urlpatterns = [
    *views.urlpatterns,
    *register_urls(REGISTERS),
]
