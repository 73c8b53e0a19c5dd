"""Chart plumbing every area shares: Chinese fonts, the page embed, and static SVG for PDFs.

Each area builds its plotly figures from plain data in its own `charts.py`; pages embed
`figure_html(fig)` (plotly.js comes from our static files, never a CDN) and PDFs embed the same
figures as SVG from `figures_svg([...])`, which starts Debian's chromium once for all the figures
of a document (kaleido). Call `localise(fig, language)` before either for Chinese fonts.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import os
import re
import shutil
import threading
from collections.abc import Sequence

import plotly.graph_objects as go
from django.utils.translation import gettext as _

FONT = "Noto Sans, DejaVu Sans, Noto Sans CJK SC, sans-serif"
CHART_FONTS = {
    "zh-hans": "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif",
    "zh-hant": "Noto Sans CJK TC, Source Han Sans TC, Microsoft JhengHei, PingFang TC, sans-serif",
}
LAYOUT = {"font": {"family": FONT, "size": 12}, "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff"}

# Static export: Debian's chromium (BROWSER_PATH overrides), driven by kaleido over a pipe.
CHROMIUM = os.environ.get("BROWSER_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SVG_TIMEOUT = 60  # seconds for one figure


def localise(fig: go.Figure, language: str | None) -> go.Figure:
    """Chinese fonts for a Chinese reader (text and hover labels); English stays as built."""
    language = (language or "").lower()
    if language.startswith("zh"):
        key = "zh-hant" if language in ("zh-hant", "zh-tw", "zh-hk", "zh-mo") else "zh-hans"
        fig.update_layout(font={"family": CHART_FONTS[key]}, hoverlabel={"font": {"family": CHART_FONTS[key]}})
    return fig


def figure_html(fig: go.Figure) -> str:
    """The figure as a <div> for a page; plotly.js itself is loaded once from our static files."""
    return fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False, "responsive": True})


# --- Static SVG for PDFs ------------------------------------------------------------------------


def figures_svg(figures: Sequence[go.Figure], width: int = 800, height: int | None = None) -> list[str]:
    """The figures as SVG text (no XML prolog) for a PDF template.

    Embed each as `<div class="chart"><img src="{{ url }}"></div>` with `url = svg_data_url(svg)`
    (quiet), or inline as `<div class="chart">{{ svg|safe }}</div>` (works, but logs warnings).

    The first call of a process starts chromium (about 2 s); the browser is then kept for the
    process's later PDFs (`BROWSER`), which pay about 0.15 s per figure. Calls are served one at a
    time from a thread of their own, so this works from sync views and from code that already has
    an event loop. `height` None keeps each figure's own layout height. Raises RuntimeError when
    chromium is missing or an export fails (the browser is then started afresh on the next call).
    """
    if not figures:
        return []
    opts = {"format": "svg", "width": width}
    if height:
        opts["height"] = height
    try:
        svgs = BROWSER.export(list(figures), opts)
    except Exception as error:  # noqa: BLE001 - one message for every way the export can fail
        raise RuntimeError(_("The charts could not be drawn for the PDF: %(error)s") % {"error": error}) from error
    return [_inline_svg(svg) for svg in svgs]


class KeptBrowser:
    """One kaleido browser per process, started on first use and kept until the process exits.

    Its event loop runs in a daemon thread; `export()` hands it a batch of figures and waits.
    A lock serialises the batches (kaleido renders one figure at a time anyway). After a failure
    the browser is closed and the next batch starts a new one.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.loop = None
        self.kaleido = None
        self.opening = None  # an asyncio.Lock of the loop: one browser even when warm() and export() race

    def export(self, figures: list, opts: dict) -> list:
        if not os.path.exists(CHROMIUM):
            raise FileNotFoundError(f"chromium is not installed at {CHROMIUM} (apt-get install chromium)")
        with self.lock:
            self._start_loop()
            future = asyncio.run_coroutine_threadsafe(self._export(figures, opts), self.loop)
            try:
                return future.result(timeout=SVG_TIMEOUT * (len(figures) + 1))
            except BaseException:
                future.cancel()
                self._reset()
                raise

    def warm(self) -> None:
        """Start the browser in the background if it is not running (a page that offers a PDF calls
        this, so the PDF asked for next does not wait for chromium to start). Never blocks."""
        if self.kaleido is not None or not os.path.exists(CHROMIUM) or not self.lock.acquire(blocking=False):
            return
        try:
            self._start_loop()
            asyncio.run_coroutine_threadsafe(self._open(), self.loop)
        finally:
            self.lock.release()

    def _start_loop(self) -> None:
        """The event loop thread the browser lives in (called with the lock held)."""
        if self.loop is None:
            self.loop = asyncio.new_event_loop()
            threading.Thread(target=self.loop.run_forever, name="kaleido", daemon=True).start()
            atexit.register(self.close)

    async def _open(self):
        import kaleido  # imported here: only PDF rendering needs it

        if self.opening is None:
            self.opening = asyncio.Lock()  # created on the loop's own thread
        async with self.opening:
            if self.kaleido is None:
                # No network: plotly.js comes from the plotly package, MathJax (a CDN by default) is
                # off. choreographer starts the browser headless, without the sandbox (root in containers).
                browser = kaleido.Kaleido(n=1, timeout=SVG_TIMEOUT, mathjax=False, path=CHROMIUM, headless=True)
                await browser.open()
                self.kaleido = browser

    async def _export(self, figures: list, opts: dict) -> list:
        await self._open()
        return [await self.kaleido.calc_fig(fig, opts=opts) for fig in figures]

    async def _close_browser(self):
        browser, self.kaleido = self.kaleido, None
        if browser is not None:
            await browser.close()

    def _reset(self):
        """Close the browser after a failure (its state is unknown); the loop stays."""
        if self.loop is not None and self.kaleido is not None:
            try:
                asyncio.run_coroutine_threadsafe(self._close_browser(), self.loop).result(timeout=10)
            except Exception:  # noqa: BLE001 - a broken browser may not close cleanly
                self.kaleido = None

    def close(self):
        """Stop the browser and the loop (at process exit)."""
        if self.loop is None:
            return
        self._reset()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.loop = None


BROWSER = KeptBrowser()


def svg_data_url(svg: str) -> str:
    """An SVG as a data: URL for `<img src="...">`: the PDF fetcher allows it, and weasyprint parses
    the SVG on its own (inline, plotly's SVG-only style properties make weasyprint's HTML CSS
    parser log hundreds of "Ignored `fill: ...`" warnings per report, with the same drawing)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


_XML_PROLOG = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?", re.IGNORECASE)


def _inline_svg(svg: bytes | str) -> str:
    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    return _XML_PROLOG.sub("", text, count=1)
