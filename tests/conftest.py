"""Fixtures: one real PostgreSQL per session, a fresh database per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import settings

from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database
from tests.support.ledgers import migrated_database, postgres_ledger
from tests.support.postgres import (
    drain_dropped_databases,
    drop_session_templates,
    fresh_database,
    postgres_for_tests,
)

# No timing asserts in tests (they belong in benchmarks): hypothesis' default deadline of 200 ms
# an example failed a property test at 344 ms on a loaded CI machine (an example that took
# 0.7 ms when replayed). Tests that set their own settings inherit this profile's deadline.
settings.register_profile("ledger", deadline=None)
settings.load_profile("ledger")


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[str]:
    with postgres_for_tests() as conninfo:
        yield conninfo
        drop_session_templates()
        drain_dropped_databases()


@pytest.fixture
def database(pg_admin: str, request: pytest.FixtureRequest) -> Iterator[Database]:
    """An empty database; for a test that also takes ``ledger``, one with the ledger's schema
    already in place (copied from the session's migrated template, a fraction of the time)."""
    fresh = migrated_database if "ledger" in request.fixturenames else fresh_database
    with fresh(pg_admin) as database:
        yield database


@pytest.fixture
def ledger(database: Database) -> Iterator[Ledger]:
    with postgres_ledger(database) as ledger:
        yield ledger


@pytest.fixture
def agent() -> EventMetadata:
    return EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
