"""The notification log read by position: the library's ``select_notifications``, for less of the
client's CPU per row.

A rebuild or a catching-up projection reads tens of thousands of rows, and the library's read
cost about as much CPU per row as decoding a third of the event: rows as dictionaries, ``bytea``
sent as hex text and unescaped, and a frozen dataclass whose ``__init__`` sets each field through
``object.__setattr__``. Here the same statement answers in binary (the state arrives as its
bytes, ids and numbers unparsed), as plain tuples, and each :class:`Notification` gets its fields
at once, as the library itself makes domain events. The rows are the same: equal
``Notification`` objects, in the same order (``tests/integration/test_log_reads.py``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Notification
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import Connection
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier

_COLUMNS = "originator_id, originator_version, topic, state, notification_id"


class NotificationsSelection(PostgresApplicationRecorder):
    """The library's recorder, reading the notification log with less work per row."""

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        """At most ``limit`` notifications from ``start`` (inclusive unless told otherwise) up
        to ``stop``, of ``topics`` (empty: every topic), in log order: the library's answer."""
        statement, params = self._notifications_statement(
            start, limit, stop, topics, inclusive_of_start
        )
        with (
            self.datastore.get_connection() as conn,
            conn.cursor(row_factory=tuple_row, binary=True) as cursor,
        ):
            cursor.execute(statement, params, prepare=True)
            rows = cursor.fetchall()
        return [_notification(*row) for row in rows]

    def select_notifications_in_position_order(
        self, start: int, limit: int, stop: int, topics: Sequence[str] = ()
    ) -> Sequence[Notification]:
        """``select_notifications`` (``start`` inclusive) planned to walk the positions' index
        and stop at the ``limit``-th row, never to sort the range: for reading a long range
        in batches (a rebuild). Without statistics of the log (autovacuum off, a log just
        written) the planner guessed a few rows in range and chose a bitmap scan of the whole
        rest of the range and a sort of it, for every batch: 40 to 70 ms a batch of 5,000 on
        a 46,000-event log (on disk past ``work_mem``), against about 10 ms walking the index
        (the rows come in position order as they lie). Sorting is put off for this statement
        only (``SET LOCAL``), and it is not prepared: a generic plan kept by the connection
        would not see the setting."""
        statement, params = self._notifications_statement(start, limit, stop, topics, True)
        with (
            self.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor(row_factory=tuple_row, binary=True) as cursor,
        ):
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute(statement, params, prepare=False)
            rows = cursor.fetchall()
        return [_notification(*row) for row in rows]

    def select_notifications_to_head(
        self, conn: Connection[Any], after: int, limit: int, topics: Sequence[str] = ()
    ) -> tuple[list[Notification], int]:
        """At most ``limit`` notifications past ``after`` of ``topics`` (empty: every topic),
        in log order, up to the head of the log, and that head (0 for an empty log): both in
        one statement on ``conn`` (autocommit), so from one snapshot. Reading the head on its
        own first was a statement, and a checkout of the pool, for every pass of the log
        fan-out."""
        statement = self._to_head_statements[bool(topics)]
        params: list[Any] = [after, *([list(topics)] if topics else []), limit]
        with conn.cursor(row_factory=tuple_row, binary=True) as cursor:
            cursor.execute(statement, params, prepare=True)
            rows = cursor.fetchall()
        head = int(rows[0][0] or 0)
        return [_notification(*row[1:]) for row in rows if row[1] is not None], head

    @functools.cached_property
    def _to_head_statements(self) -> dict[bool, Composed]:
        """The statement of ``select_notifications_to_head``, without and with topics: the
        head joined to the rows below it (one row of NULLs after the head when none)."""
        table = SQL("{}.{}").format(
            Identifier(self.datastore.schema), Identifier(self.events_table_name)
        )
        return {
            with_topics: SQL(
                "SELECT h.head, e.* FROM (SELECT max(notification_id) AS head FROM {table}) AS h"
                " LEFT JOIN LATERAL (SELECT {columns} FROM {table} WHERE notification_id > %s"
                " AND notification_id <= h.head{topics} ORDER BY notification_id LIMIT %s) AS e"
                " ON true ORDER BY e.notification_id"
            ).format(
                table=table,
                columns=SQL(_COLUMNS),
                topics=SQL(" AND topic = ANY(%s)" if with_topics else ""),
            )
            for with_topics in (False, True)
        }

    def _notifications_statement(
        self,
        start: int | None,
        limit: int,
        stop: int | None,
        topics: Sequence[str],
        inclusive_of_start: bool,
    ) -> tuple[Composed, list[Any]]:
        """The library's statement and parameters, naming the columns in the order read."""
        conditions: list[SQL] = []
        params: list[Any] = []
        if start is not None:
            conditions.append(
                SQL("notification_id>=%s" if inclusive_of_start else "notification_id>%s")
            )
            params.append(start)
        if stop is not None:
            conditions.append(SQL("notification_id <= %s"))
            params.append(stop)
        if topics:
            conditions.append(SQL("topic = ANY(%s)"))
            params.append(list(topics))
        where = SQL(" WHERE ") + SQL(" AND ").join(conditions) if conditions else SQL("")
        statement = SQL("SELECT {} FROM {}.{}{} ORDER BY notification_id LIMIT %s").format(
            SQL(_COLUMNS),
            Identifier(self.datastore.schema),
            Identifier(self.events_table_name),
            where,
        )
        params.append(limit)
        return statement, params


def _notification(
    originator_id: Any, originator_version: int, topic: str, state: bytes, position: int
) -> Notification:
    # What the dataclass's __init__ makes, without its five ``object.__setattr__`` calls (a
    # third of the read's CPU): the library makes its domain events the same way. ``bytes``
    # returns a ``bytes`` as it is, and copies another buffer as the library did.
    notification: Notification = object.__new__(Notification)
    object.__setattr__(
        notification,
        "__dict__",
        {
            "originator_id": originator_id,
            "originator_version": originator_version,
            "topic": topic,
            "state": bytes(state),
            "id": position,
        },
    )
    return notification
