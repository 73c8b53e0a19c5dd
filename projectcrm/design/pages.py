"""What every page of the design area renders with, and reading whole numbers from a query string."""

from django.shortcuts import render

AREA = "design"


def page(request, template, access, title, **context):
    """Render with the project, the access, the area (for the menu), the title and can_change."""
    context.update({"project": access.project, "access": access, "area": AREA, "title": title,
                    "can_change": access.can(AREA, "change")})
    return render(request, template, context)


def to_int(value) -> int | None:
    """A primary key from a query string or form value; None when it is missing or not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
