"""The project switcher in the page header (templates/base.html) works without JavaScript: its
options carry project ids, so the <noscript> Go button sends ?p=<id> to the home page (which
redirects); with JavaScript a choice goes straight to the option's data-url."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_switcher_sends_project_ids_to_the_home_page(pm_client, project, other_project, users):
    from projectcrm.core.models import Membership

    Membership.objects.create(project=other_project, user=users["pm"], role="viewer")
    html = pm_client.get(reverse("project-home", args=[project.pk])).content.decode()
    form = re.search(r'<form class="switcher"[^>]*>(.*?)</form>', html, re.S)
    assert form, "no project switcher on the page"
    assert f'action="{reverse("home")}"' in form.group(0)
    assert 'method="get"' in form.group(0)
    options = re.findall(r'<option value="([^"]*)" data-url="([^"]*)"( selected)?>', form.group(1))
    assert ("", reverse("home") + "?all=1", "") in options
    assert (str(project.pk), reverse("project-home", args=[project.pk]), " selected") in options
    assert (str(other_project.pk), reverse("project-home", args=[other_project.pk]), "") in options
    assert '<select id="project-switcher" name="p"' in form.group(1)
    assert "<noscript><button type=\"submit\"" in form.group(1)
    assert "dataset.url" in form.group(1)
