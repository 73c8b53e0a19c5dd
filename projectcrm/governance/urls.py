from django.urls import path

from projectcrm.core.register_views import register_urls

from . import kpi_views, meeting_views, survey_views, views
from .registers import REGISTERS

app_name = "governance"

urlpatterns = [
    path("raci/", views.raci_matrix, name="raci"),
    path("communications/calendar.ics", views.communications_calendar, name="communications-calendar"),
    path("communications/calendar/rotate/", views.feed_rotate, name="communications-calendar-rotate"),
    path("communications/<int:pk>/log/", views.log_communication, name="communications-log"),
    path("risks/library/", views.risk_library, name="risk-library"),
    *kpi_views.urlpatterns,
    *survey_views.urlpatterns,
    *meeting_views.urlpatterns,
    *register_urls(REGISTERS),
]
