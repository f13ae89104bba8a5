"""The event log's recorder passes the ``eventsourcing`` library's own recorder conformance
suite, on real PostgreSQL: inserting and selecting events and notifications, conflicts as
``IntegrityError``, concurrent writers without conflicts, subscriptions, and notification ids
that never interleave between two concurrent commands (what the log's lock is for). The
recorder is the product's own, built by the product's factory, with group commit on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eventsourcing.tests.persistence import (
    ApplicationRecorderTestCase,
    NonInterleavingNotificationIDsBaseCase,
)
from eventsourcing.utils import Environment

from infrastructure.database import Database
from infrastructure.event_store import EventStoreFactory, LogRecorder
from infrastructure.migrations import MIGRATIONS_DIR
from infrastructure.migrations.log_lock import LOG_LOCK

APPEND_FUNCTIONS = [
    (MIGRATIONS_DIR / name).read_text()
    for name in ("200_append_ledger_events.sql", "201_append_without_burnt_ids.sql")
]
"""The functions a batch is written by, and the careful path puts the sequence back with
(``infrastructure.log_writer``), as `migrate` installs them."""


class LogRecorderOnTestDatabase:
    """Makes the recorder on each test's fresh database, as the product names its table."""

    factory: EventStoreFactory

    @pytest.fixture(autouse=True)
    def _fresh_log(self, database: Database) -> Iterator[None]:
        env = database.eventsourcing_env(pool_size=4) | {"CREATE_TABLE": "y"}
        self.factory = EventStoreFactory(Environment(name="Ledger", env=env))
        try:
            yield
        finally:
            self.factory.close()

    def create_recorder(self) -> LogRecorder:
        recorder = self.factory.application_recorder()
        assert isinstance(recorder, LogRecorder)
        with recorder.datastore.get_connection() as conn:
            conn.execute(LOG_LOCK)  # the owner's lock function, as `migrate` installs it
            for functions in APPEND_FUNCTIONS:
                conn.execute(functions)
        return recorder


class TestLogRecorderConformance(
    LogRecorderOnTestDatabase, ApplicationRecorderTestCase[LogRecorder]
):
    def test_insert_subscribe(self) -> None:
        """A subscription sees each committed batch once its NOTIFY arrives."""
        self.optional_test_insert_subscribe()


class TestLogRecorderNeverInterleavesTwoCommands(
    LogRecorderOnTestDatabase, NonInterleavingNotificationIDsBaseCase
):
    pass
