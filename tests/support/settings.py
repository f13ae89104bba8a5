"""Settings of a process on a test database, with the test keys and some settings overridden:
for tests that a setting reaches the part it tunes."""

from __future__ import annotations

from typing import Any

from infrastructure.database import Database
from infrastructure.settings import Settings, load_settings
from tests.support.ledgers import TEST_JWT_SECRET, TEST_MASTER_KEY_TEXT
from tests.support.postgres import conninfo_as_url


def settings_on(database: Database, **overrides: Any) -> Settings:
    """Settings as loaded from the environment, on ``database`` with the test keys, and
    ``overrides`` (each a field of :class:`Settings`)."""
    return load_settings(
        database_url=conninfo_as_url(database.conninfo),
        master_key=TEST_MASTER_KEY_TEXT,
        jwt_secret=TEST_JWT_SECRET,
        **overrides,
    )
