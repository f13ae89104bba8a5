"""Bounded retries, then parking: one event that cannot be applied never stops a read model or
a process manager for everyone.

Everything here runs inside the caller's transaction, the one that records the follower's
position. Each try of an event runs in a SAVEPOINT (a nested ``conn.transaction()``), so a
failed try leaves nothing behind and the transaction goes on (a process manager's, which
writes nothing on that connection, needs none); an event that fails every try
is parked in ``cxl_parked_events`` in that same transaction, and the position moves past it.
A crash before the commit leaves neither the event's writes nor its parking nor the position:
exactly once still holds. Transient failures (see :mod:`infrastructure.failures`) are not the
event's fault: they propagate, the transaction rolls back, and the worker tries again later.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import Notification
from psycopg import Connection

from infrastructure.failures import describe, is_transient
from projections.parked import park_event

log = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often an event is tried alone before it is parked, and the pause between tries."""

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    backoff_seconds: float = 0.05
    """The first pause; each next one doubles (0.05 s, 0.1 s, ...)."""

    def pause(self, failed_tries: int) -> None:
        time.sleep(self.backoff_seconds * 2 ** (failed_tries - 1))


class EventNotAppliedError(Exception):
    """An event failed every try and its follower may not park it (the audit chain)."""


def try_alone(
    conn: Connection[Any],
    policy: RetryPolicy,
    attempt: Callable[[], object],
    *,
    writes_on_conn: bool = True,
) -> Exception | None:
    """Run ``attempt`` up to ``policy.max_attempts`` times, each in a savepoint unless it
    writes nothing on ``conn``; None once it succeeds, else the last error. Transient errors
    propagate at once."""
    error: Exception | None = None
    for tries in range(1, policy.max_attempts + 1):
        try:
            if writes_on_conn:
                with conn.transaction():
                    attempt()
            else:
                attempt()
            return None
        except Exception as failure:
            if is_transient(failure):
                raise
            error = failure
            if tries < policy.max_attempts:
                policy.pause(tries)
    return error


def apply_or_park(
    conn: Connection[Any],
    name: str,
    notification: Notification,
    handle: Callable[[Notification], object],
    policy: RetryPolicy,
    *,
    may_park: bool = True,
    writes_on_conn: bool = True,
) -> bool:
    """Apply one event with bounded retries; park it under ``name`` if every try failed.
    True if it was applied. Without ``may_park`` a failure raises instead. A ``handle`` that
    writes nothing on ``conn`` (a process manager's command commits on its own connection)
    is tried without a savepoint: there is nothing to roll back, and a savepoint costs two
    round trips an event."""
    error = try_alone(conn, policy, lambda: handle(notification), writes_on_conn=writes_on_conn)
    if error is None:
        return True
    if not may_park:
        error_class, message = describe(error)
        log.error("%s cannot apply event %s: %s: %s", name, notification.id, error_class, message)
        raise EventNotAppliedError(
            f"{name} cannot apply event {notification.id}: {error_class}: {message}"
        ) from error
    park(conn, name, notification, error, policy)
    return False


def park(
    conn: Connection[Any],
    name: str,
    notification: Notification,
    error: Exception,
    policy: RetryPolicy,
) -> None:
    """Park ``notification`` under ``name``, failed with ``error`` after every try, in the
    caller's transaction (or, on an autocommit connection with none open, in its own)."""
    error_class, message = describe(error)
    park_event(
        conn, name, notification.id, notification.topic, (error_class, message), policy.max_attempts
    )
    log.error(
        "%s parked event %s (%s) after %s tries: %s: %s",
        name, notification.id, notification.topic, policy.max_attempts, error_class, message,
    )  # fmt: skip
