"""The page tests share one server per module (a fresh database each), as a customer's
browser would meet it; tests that need other limits start their own. Pages in a real browser
run in Debian's chromium, driven by Playwright (never a browser of Playwright's own download)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.support.server import LiveApi, module_api

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's chromium (`.ci/run` installs it when missing); its absence fails, not skips."""
    path = shutil.which("chromium") or CHROMIUM
    assert shutil.which(path), f"{CHROMIUM} is missing: apt-get install -y chromium"
    return path
