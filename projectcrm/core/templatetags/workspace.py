"""Template helpers for register pages."""

from django import template
from django.urls import reverse

from ..choices import COLOURS

register = template.Library()


@register.simple_tag
def rurl(reg, view, project, **kwargs):
    """URL of one of a register's views: {% rurl register 'detail' project pk=obj.pk %}."""
    project_pk = getattr(project, "pk", project)
    return reverse(reg.url_name(view), kwargs={"project": project_pk, **kwargs})


@register.filter
def colour(value):
    return COLOURS.get(value, "grey")


@register.simple_tag(takes_context=True)
def sort_link(context, column):
    """Query string that sorts by a column (toggling the direction when already sorted by it)."""
    current = context.get("sort", "")
    base = context.get("sort_querystring", "")
    target = f"-{column.name}" if current == column.name else column.name
    return f"?{base}&sort={target}" if base else f"?sort={target}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
