from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from evaluation import api as evaluation_api
from projectcrm.core import views as core
from projectcrm.core.api import api_urls
from projectcrm.governance import api as governance_api

project_patterns = [
    path("", core.project_home, name="project-home"),
    path("edit/", core.project_edit, name="project-edit"),
    path("members/", core.members, name="members"),
    path("members/<int:pk>/", core.member_update, name="member-update"),
    path("reports/activity/", core.activity, name="activity"),
    path("reports/", include("projectcrm.reports.urls")),
    path("governance/", include("projectcrm.governance.urls")),
    path("roadmap/", include("roadmap.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("design/", include("projectcrm.design.urls")),
    path("training/", include("training.urls")),
    path("testing/", include("testing.urls")),
]

urlpatterns = [
    path("", core.home, name="home"),
    path("projects/new/", core.project_create, name="project-create"),
    path("p/<int:project>/", include(project_patterns)),
    path("account/token/", core.api_token, name="api-token"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(evaluation_api.urlpatterns)),
    path("api/v1/", include(governance_api.urlpatterns)),
    path("api/v1/", include(api_urls())),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
