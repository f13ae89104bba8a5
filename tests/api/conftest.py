"""API tests talk to the real server over HTTP, as a frontend would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from domain.ledger import Ledger
from infrastructure.database import Database
from tests.support.server import LiveApi, live_api


@pytest.fixture
def api(ledger: Ledger, database: Database) -> Iterator[LiveApi]:
    with live_api(ledger, database) as running:
        yield running
