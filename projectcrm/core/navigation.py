"""The navigation by area: each area's registers and extra pages, shown only when the role may view."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import policy
from .registry import all_registers

# Pages of an area that are not registers: (area, url name, label), placed after its registers.
EXTRA_PAGES = [
    ("roadmap", "roadmap:gantt", _("Gantt")),
    ("governance", "governance:raci", _("RACI matrix")),
    ("governance", "governance:kpi-scorecard", _("KPI scorecard")),
    ("governance", "governance:readiness-overview", _("Readiness over time")),
    ("design", "design:gap-analysis", _("Gap analysis")),
    ("design", "design:traceability", _("Traceability")),
    ("design", "design:spec", _("Functional specification")),
    ("testing", "testing:dashboard", _("Test dashboard")),
    ("testing", "testing:migration", _("Data migration")),
    ("testing", "testing:cutover", _("Cutover")),
    ("reports", "reports:dashboard", _("Dashboard")),
    ("reports", "reports:golive", _("Go-live readiness")),
    ("reports", "reports:archive", _("Report archive")),
    ("reports", "activity", _("Activity")),
]
# Registers kept off the menu (reached from another page).
HIDDEN = {
    "governance:communications-sent",
    "governance:escalation-rules",
    "governance:workstreams",
    "roadmap:phases",
    "roadmap:dependencies",
    "roadmap:criteria",
    "evaluation:categories",
    "evaluation:assignments",
    "evaluation:costs",
    "training:enrolments",
    "training:champion-questions",
    "training:pulse-responses",
    "training:licences",
    "training:adoption-targets",
    "governance:kpi-values",
    "governance:readiness-questions",
    "reports:golive-checks",
    "testing:run-objects",
    "testing:rehearsal-timings",
    "design:lanes",
    "design:steps",
    "design:flows",
}


def navigation(membership) -> list[dict]:
    project = membership.project_id
    sections = []
    for area, label in policy.AREAS.items():
        if area == "project" or not policy.allows(membership.role, area, "view"):
            continue
        links = [
            {"label": r.verbose_name_plural(), "url": reverse(r.url_name("list"), kwargs={"project": project}),
             "key": r.key()}
            for r in all_registers()
            if r.area == area and r.key() not in HIDDEN
        ]
        links += [
            {"label": text, "url": reverse(name, kwargs={"project": project}), "key": name}
            for page_area, name, text in EXTRA_PAGES
            if page_area == area
        ]
        if links:
            sections.append({"area": area, "label": label, "links": links})
    return sections
