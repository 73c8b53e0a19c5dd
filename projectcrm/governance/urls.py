from django.urls import path

from projectcrm.core.register_views import register_urls

from . import views
from .registers import REGISTERS

app_name = "governance"

urlpatterns = [
    path("raci/", views.raci_matrix, name="raci"),
    path("communications/calendar.ics", views.communications_calendar, name="communications-calendar"),
    path("communications/calendar/rotate/", views.feed_rotate, name="communications-calendar-rotate"),
    path("communications/<int:pk>/log/", views.log_communication, name="communications-log"),
    path("risks/library/", views.risk_library, name="risk-library"),
    *register_urls(REGISTERS),
]
