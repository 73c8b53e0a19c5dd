"""PDFs from Django templates: weasyprint with a locked URL fetcher, in the reader's language.

    pdf = render_pdf("evaluation/report_pdf.html", context, request=request, language="zh-hans")
    return pdf_response(pdf, "评估报告.pdf")

Templates extend `pdf/base.html` (A4, running header and footer, CJK font stacks per language).

The fetcher never touches the network: a PDF may only load `data:` URLs and our own static files
(URLs under STATIC_URL, read through the staticfiles storage when collected, else through the
staticfiles finders, so DEBUG and tests need no collectstatic). Anything else (other hosts,
file://, media) is refused; weasyprint logs the failed fetch and renders the PDF without it.
"""

from __future__ import annotations

import mimetypes
import posixpath
from contextlib import nullcontext
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.template import loader
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The origin relative URLs resolve against when there is no request (a background task). It is
# never contacted: the fetcher only maps its static URLs to files.
LOCAL_ORIGIN = "http://projectcrm.invalid/"


class RefusedURL(ValueError):
    """A PDF asked for a URL it may not load (weasyprint logs it and renders without it)."""


class LockedURLFetcher(URLFetcher):
    """weasyprint's fetcher, limited to data: URLs and static files of the document's own origin.

    weasyprint 70 expects a `URLFetcher` (it calls the instance and reads its `_fail_on_errors`);
    `fetch(url, headers=None)` is the method to override. Errors other than
    `FatalURLFetchingError` are caught by weasyprint: the resource is skipped with a warning.
    """

    def __init__(self, origin: str = LOCAL_ORIGIN):
        super().__init__(timeout=1, allowed_protocols=("data",), allow_redirects=False)
        self.origin = origin

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)  # urllib's DataHandler: decoded in memory
        path = static_file(url, self.origin)
        if path is None:
            raise RefusedURL(f"PDF rendering may not load {url!r}: only data: URLs and static files")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})


locked_fetcher = LockedURLFetcher()


def static_file(url: str, origin: str = LOCAL_ORIGIN) -> Path | None:
    """The local file a static URL of the document stands for, or None if it is not one."""
    static_base = urljoin(origin, settings.STATIC_URL)
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        url = url.split("?", 1)[0].split("#", 1)[0]
    if not url.startswith(static_base):
        return None
    name = unquote(url[len(static_base):])
    normalised = posixpath.normpath(name)
    if not name or "\\" in name or "\x00" in name or normalised.startswith(("..", "/")) or normalised != name:
        return None
    try:
        # The finders know the source files (DEBUG and tests, no collectstatic); collected files
        # add the hashed names the manifest storage hands out in production.
        found = finders.find(name)
        if isinstance(found, (list, tuple)):  # finders.find() can answer [None] for "not found"
            found = next((match for match in found if match), None)
        if not found and settings.STATIC_ROOT and staticfiles_storage.exists(name):
            found = staticfiles_storage.path(name)
    except Exception:  # SuspiciousFileOperation and friends: not a file we serve
        return None
    if not found:
        return None
    path = Path(found)
    return path if path.is_file() else None


def render_pdf(template, context: dict | None = None, *, request=None, language: str | None = None) -> bytes:
    """Render a template to PDF bytes.

    `template`: a template name, or a template from Django's engines (`get_template`,
    `engines["django"].from_string`). `language`: render in this language (e.g. "zh-hant"), else
    in the active one. Relative URLs resolve against the request's origin (links in the PDF point
    back at the site) or, without a request, against a placeholder origin never contacted.
    """
    with translation.override(language) if language else nullcontext():
        if isinstance(template, str):
            template = loader.get_template(template)
        html = template.render(context or {}, request)
    origin = request.build_absolute_uri("/") if request is not None else LOCAL_ORIGIN
    return HTML(string=html, base_url=origin, url_fetcher=LockedURLFetcher(origin)).write_pdf()


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    """An attachment download; `filename` may hold any characters (RFC 6266 / RFC 5987)."""
    if not filename.lower().endswith(".pdf"):
        filename += ".pdf"
    filename = filename.replace("/", "-").replace("\\", "-")
    response = HttpResponse(pdf, content_type="application/pdf")
    # A plain ASCII fallback for old clients, and the exact name as UTF-8 for all others.
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"%;' else "_" for c in filename)
    response["Content-Disposition"] = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
    response["Content-Length"] = str(len(pdf))
    return response
