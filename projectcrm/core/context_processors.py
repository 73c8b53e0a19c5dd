"""Layout context: the user's projects for the switcher and the navigation of the current one."""

from django.urls import NoReverseMatch, reverse

from .access import membership_for
from .models import Membership
from .navigation import navigation


def workspace(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    project_pk = match.kwargs.get("project") if match else None
    context = {
        "my_projects": Membership.objects.filter(user=user).select_related("project").order_by("project__name"),
    }
    if project_pk is not None:
        membership = membership_for(user, project_pk)
        if membership is not None:
            try:
                context["nav"] = navigation(membership)
            except NoReverseMatch:
                context["nav"] = []
            context["current_membership"] = membership
            context["project_home_url"] = reverse("project-home", args=[project_pk])
    return context
