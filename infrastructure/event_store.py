"""The event store: ``eventsourcing``'s PostgreSQL persistence, made to give up in seconds when
the database cannot be reached.

The library retries each read and write ten times when the database errs, and its pool waits
``POSTGRES_CONNECT_TIMEOUT`` for a connection each time: during an outage one command hung ten
times that long before it failed. Here a failure to get any connection at all ends the command
at once (the pool has already waited its timeout); other errors, such as a connection that
broke in use, are still retried as the library does. The pool's reconnection attempts are as
short as its timeout, so once the database is back the next command connects at once.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, TypeVar
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol, TAggregateID
from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    EventStore,
    InterfaceError,
    Mapper,
    Notification,
    OperationalError,
    Recording,
    StoredEvent,
)
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresFactory,
)
from eventsourcing.utils import Environment, EnvType
from psycopg_pool import PoolTimeout

from infrastructure.fresh_keys import SubjectKeyTakenError, fresh_keys_for
from infrastructure.log_reads import NotificationsSelection
from infrastructure.log_writer import DEFAULT_WAIT_SECONDS, GroupCommittedLog
from infrastructure.pool_check import check_idle
from infrastructure.pool_order import hand_out_most_recent_first
from infrastructure.stream_reads import StreamsSelection

P = ParamSpec("P")
T = TypeVar("T")
ATTEMPTS = 10
PAUSE = 0.2
"""The library's own retry policy, kept for errors other than an unreachable database."""
GROUP_COMMIT_WAIT_MS = "GROUP_COMMIT_WAIT_MS"
"""The key of ``CXL_GROUP_COMMIT_WAIT_MS`` in the event store's configuration."""


def no_connection(error: BaseException) -> bool:
    """True if the pool could not hand out any working connection in time."""
    return isinstance(error.__cause__, PoolTimeout)


def retried_while_reachable(method: Callable[P, T]) -> Callable[P, T]:
    """The library's method without its own retries, retried as it would be, except when no
    connection could be had: then the first failure is the answer."""
    once: Callable[P, T] = inspect.unwrap(method)

    @functools.wraps(once)
    def attempt(*args: P.args, **kwargs: P.kwargs) -> T:
        for tried in range(1, ATTEMPTS + 1):
            try:
                return once(*args, **kwargs)
            except (InterfaceError, OperationalError) as error:
                if tried == ATTEMPTS or no_connection(error):
                    raise
                time.sleep(PAUSE)
        raise AssertionError("the last attempt returns or raises")

    return attempt


class SnapshotRecorder(StreamsSelection):
    """Snapshots, read and written as the library does (and the latest of many streams at
    once), failing fast when unreachable."""

    insert_events = retried_while_reachable(PostgresAggregateRecorder.insert_events)
    select_events = retried_while_reachable(PostgresAggregateRecorder.select_events)
    select_latest = retried_while_reachable(StreamsSelection.select_latest)


_append_retried = retried_while_reachable(GroupCommittedLog.insert_events)
_notifications_retried = retried_while_reachable(NotificationsSelection.select_notifications)


class LogRecorder(GroupCommittedLog, NotificationsSelection, StreamsSelection):
    """The events and their notification log, failing fast when unreachable, taking the log's
    write lock through the owner's function, concurrent commands committed together. A command
    whose batch failed to reach the database retries alone, in a later batch. Many streams
    are read in one statement (``select_streams``), the log with less work per row
    (``infrastructure.log_reads``)."""

    select_events = retried_while_reachable(StreamsSelection.select_events)
    select_streams = retried_while_reachable(StreamsSelection.select_streams)
    select_from_latest = retried_while_reachable(StreamsSelection.select_from_latest)
    select_following = retried_while_reachable(StreamsSelection.select_following)
    max_notification_id = retried_while_reachable(PostgresApplicationRecorder.max_notification_id)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        return _append_retried(self, stored_events, **kwargs)

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        return _notifications_retried(
            self, start, limit, stop, topics, inclusive_of_start=inclusive_of_start
        )


class LedgerEventStore(EventStore[TAggregateID]):
    """The library's event store, except that a command creating a data subject's own aggregate
    (a registration) writes the subject's new key in its events' transaction rather than in a
    commit of its own before them (:mod:`infrastructure.fresh_keys`)."""

    def put(
        self, domain_events: Sequence[DomainEventProtocol[TAggregateID]], **kwargs: Any
    ) -> list[Recording[TAggregateID]]:
        born = [
            subject
            for e in domain_events
            if e.originator_version == FIRST_VERSION
            and isinstance(subject := e.originator_id, UUID)
        ]
        if not born or not isinstance(self.recorder, GroupCommittedLog):
            return super().put(domain_events, **kwargs)
        with fresh_keys_for(born) as fresh:
            stored_events = [self.mapper.to_stored_event(e) for e in domain_events]
        if not fresh.made:
            ids = self.recorder.insert_events(stored_events, **kwargs)
            return _recordings(domain_events, stored_events, ids)
        try:
            ids = self.recorder.insert_events(stored_events, subject_keys=fresh.made, **kwargs)
        except SubjectKeyTakenError:
            # The subject had a key (or was erased) after all, and nothing was written: seal
            # the events again, under the stored key or as erased, the old way.
            return super().put(domain_events, **kwargs)
        fresh.stored()
        return _recordings(domain_events, stored_events, ids)


FIRST_VERSION = 1
"""The version of an aggregate's first event (the library's ``Aggregate.INITIAL_VERSION``)."""


def _recordings(
    domain_events: Sequence[DomainEventProtocol[TAggregateID]],
    stored_events: Sequence[StoredEvent],
    notification_ids: Sequence[int] | None,
) -> list[Recording[TAggregateID]]:
    """What the library's ``EventStore.put`` returns for these events and ids."""
    if not notification_ids:
        return []
    return [
        Recording(d, Notification(s.originator_id, s.originator_version, s.topic, s.state, n))
        for d, s, n in zip(domain_events, stored_events, notification_ids, strict=True)
    ]


class EventStoreFactory(PostgresFactory):
    """What ``PERSISTENCE_MODULE`` names: the library's factory with the recorders above."""

    aggregate_recorder_class = SnapshotRecorder
    application_recorder_class = LogRecorder

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        # The library has no setting for it (5 minutes of back-off by default).
        self.datastore.pool.reconnect_timeout = float(self.datastore.pool.timeout)
        if self.datastore.pre_ping:
            # Nor for the check it runs (a round trip per checkout when pre-pinging): the
            # same guarantee, a round trip only for a connection that may be broken.
            self.datastore.pool._check = check_idle
        # Nor for the order of idle connections: the one used last goes out first, warm
        # (:mod:`infrastructure.pool_order`).
        hand_out_most_recent_first(self.datastore.pool)
        wait_ms = self.env.get(GROUP_COMMIT_WAIT_MS)
        self.group_commit_wait = float(wait_ms) / 1000 if wait_ms else DEFAULT_WAIT_SECONDS
        self._writers: list[GroupCommittedLog] = []

    def event_store(
        self, mapper: Mapper[TAggregateID] | None = None, recorder: AggregateRecorder | None = None
    ) -> EventStore[TAggregateID]:
        return LedgerEventStore(
            mapper=mapper or self.mapper(), recorder=recorder or self.application_recorder()
        )

    def application_recorder(self) -> ApplicationRecorder:
        recorder = super().application_recorder()
        if isinstance(recorder, GroupCommittedLog):
            recorder.group_commit.wait = self.group_commit_wait
            self._writers.append(recorder)
        return recorder

    def close(self) -> None:
        # The connection each writer keeps between batches goes back before the pool closes
        # (a pool closes only the connections it holds).
        for writer in self._writers:
            writer.give_back()
        super().close()
