"""What the browser tests share: Debian's Chromium, its launch flags, and their pytest marks.

The `browser` fixture itself lives in tests/conftest.py.
"""

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (bin/test installs it)"),
]


def log_in(browser, base, username, language="en", password="demo-pass", **options):
    """A new browser context logged in as `username`, switched to `language` through the page's menu.

    Returns (context, page); close the context at the end of the test."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, **options)
    page = context.new_page()
    page.set_default_timeout(20000)
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    if language != "en":
        with page.expect_navigation():
            page.select_option("#language", language)
    return context, page
