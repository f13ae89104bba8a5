"""A real browser for the page tests: Debian's chromium (``/usr/bin/chromium``) driven by
Playwright for Python. Playwright's own browser download cannot work here, so it is never
used: the browser is launched by path."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
PHONE = ViewportSize(width=360, height=740)


@contextmanager
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        raise RuntimeError("install Debian's chromium: apt-get install -y chromium")
    # Chromium refuses its sandbox to root (CI containers run as root).
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            yield browser
        finally:
            browser.close()


def snapshot(page: Page, folder: Path, state: str) -> Path:
    """Save a full-page screenshot of the page's state; it must hold an image."""
    path = folder / f"{state}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000, f"the screenshot of {state} is empty"
    return path


def focused_id(page: Page) -> str:
    found: str = page.evaluate("document.activeElement && document.activeElement.id")
    return found


def unlabelled_controls(page: Page) -> list[str]:
    """The ids (or names) of visible form controls that no label names."""
    found: list[str] = page.evaluate(
        """[...document.querySelectorAll('input:not([type=hidden]), textarea, select')]
            .filter(e => e.labels.length === 0).map(e => e.id || e.name)"""
    )
    return found
