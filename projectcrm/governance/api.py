"""The KPI scorecard through the API (the registers, KPIs and values included, come from core/api.py).

/api/v1/projects/<project>/kpis/scorecard/            the scorecard today
/api/v1/projects/<project>/kpis/scorecard/?as_of=YYYY-MM-DD   as it was known on that day

Same policy as the pages: members who may view the governance area; others 404 (not a member) or
403 (role). The answer is `governance.kpis.scorecard()` as it is, labels in the request's language.
"""

from __future__ import annotations

import datetime

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from projectcrm.core.access import project_access

from . import kpis


@extend_schema(
    tags=["governance"],
    parameters=[OpenApiParameter("as_of", OpenApiTypes.DATE, description="The day of the scorecard (default today).")],
    responses={200: dict},
)
class ScorecardView(APIView):
    """The KPI scorecard: each KPI's baseline, target, latest actual, status, trend and values."""

    def get(self, request, project):
        access = project_access(request.user, project, "governance", "view")
        as_of = timezone.localdate()
        text = request.query_params.get("as_of")
        if text:
            try:
                as_of = datetime.date.fromisoformat(text.strip())
            except ValueError:
                raise ValidationError({"as_of": [_("Enter a date as YYYY-MM-DD.")]}) from None
        return Response(kpis.scorecard(access.project, as_of))


urlpatterns = [
    path("projects/<int:project>/kpis/scorecard/", ScorecardView.as_view(), name="api-kpi-scorecard"),
]
