"""Errors by category of a mock run object, written one per line as "category: count"."""

from django.utils.translation import gettext as _


def parse_errors(text: str) -> tuple[list[tuple[str, int]], list[str]]:
    """[(category, count)] in the order written, and the problems (naming the line) if any."""
    categories, problems = [], []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        category, sep, count = line.replace("：", ":").rpartition(":")
        count = count.strip().replace(",", "")
        if not sep or not category.strip() or not count.isdigit():
            problems.append(
                _("Line %(line)d (%(text)s): write the category, a colon and a whole number.") % {"line": number, "text": line}
            )
            continue
        categories.append((category.strip(), int(count)))
    return categories, problems
