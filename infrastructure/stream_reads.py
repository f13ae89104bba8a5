"""Many aggregates' streams in one statement: what the domain's ``find_many`` reads (the
``ManyStreamsReader`` port), mixed into the event store's recorders.

Loading aggregates one by one costs a round trip (two, with snapshots) each: a campaign's batch
of 1,000 messages loaded 3,000 streams so. Here one statement answers for a whole batch of ids,
each with its own lower bound (the version of its latest snapshot), in the order the library's
own read gives them: by stream, then by version. The ids go as binary arrays: psycopg dumps a
thousand UUIDs as text in some 6 ms, in binary in under 1.

Streams of kinds that take snapshots are read from their latest snapshot on, the snapshots and
the events in one statement (``select_from_latest``): reading the snapshots first and the log
after cost a survey answer a second round trip, about a tenth of its command's CPU."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, LiteralString
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder
from psycopg import Cursor
from psycopg.rows import DictRow, tuple_row
from psycopg.sql import SQL, Composed, Identifier, Literal

from domain.shared.ports import ManyStreamsReader


class StreamsSelection(PostgresAggregateRecorder):
    """The library's recorder, reading many streams (or their last events) at once."""

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        """The library's read of one stream; a whole stream (what ``LedgerCore.find`` reads of
        a kind without snapshots: a registration's email claim) by a statement made once, in
        tuples. The library composes its statement anew on every read and makes each row a
        dictionary: about a ninth of a registration's CPU went to reading a claim that, for
        a new email, is not there."""
        if gt is not None or lte is not None or desc or limit is not None:
            return list(
                super().select_events(originator_id, gt=gt, lte=lte, desc=desc, limit=limit)
            )
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cursor:
            cursor.execute(
                self._composed(_WHOLE_STREAM, None, cursor), [originator_id], prepare=True
            )
            rows: list[tuple[Any, ...]] = cursor.fetchall()
        return [StoredEvent(row[0], row[1], row[2], bytes(row[3])) for row in rows]

    def select_streams(self, after: Mapping[UUID, int]) -> list[StoredEvent]:
        if not after:
            return []
        statement = (
            "SELECT e.originator_id, e.originator_version, e.topic, e.state"
            " FROM unnest(%b::uuid[], %b::bigint[]) AS wanted(id, after)"
            " JOIN {} AS e ON e.originator_id = wanted.id AND e.originator_version > wanted.after"
            " ORDER BY e.originator_id, e.originator_version"
        )
        return self._selected(statement, [list(after), list(after.values())])

    def select_latest(self, ids: Collection[UUID]) -> list[StoredEvent]:
        if not ids:
            return []
        statement = (
            "SELECT last.* FROM unnest(%b::uuid[]) AS wanted(id) CROSS JOIN LATERAL"
            " (SELECT e.originator_id, e.originator_version, e.topic, e.state FROM {} AS e"
            "  WHERE e.originator_id = wanted.id"
            "  ORDER BY e.originator_version DESC LIMIT 1) AS last"
        )
        return self._selected(statement, [list(ids)])

    def select_from_latest(
        self, snapshots: ManyStreamsReader, taking: Collection[UUID], ids: Collection[UUID]
    ) -> list[StoredEvent]:
        """Each stream of ``ids`` from its latest snapshot in ``snapshots`` on (for the ids in
        ``taking``; the others whole), ordered by stream, then version (a snapshot first):
        one statement when ``snapshots`` is a table of this database, else two reads."""
        if not ids:
            return []
        if not taking:
            return self.select_streams(dict.fromkeys(ids, 0))
        if not isinstance(snapshots, StreamsSelection) or snapshots.datastore is not self.datastore:
            latest = list(snapshots.select_latest(taking))
            after = dict.fromkeys(ids, 0) | {_id(s): s.originator_version for s in latest}
            return [*latest, *self.select_streams(after)]
        statement = (
            "WITH latest AS ("
            " SELECT last.* FROM unnest(%b::uuid[]) AS taking(id) CROSS JOIN LATERAL"
            "  (SELECT s.originator_id, s.originator_version, s.topic, s.state"
            "   FROM {snapshots} AS s WHERE s.originator_id = taking.id"
            "   ORDER BY s.originator_version DESC LIMIT 1) AS last)"
            " SELECT originator_id, originator_version, topic, state FROM latest"
            " UNION ALL"
            " SELECT e.originator_id, e.originator_version, e.topic, e.state"
            " FROM unnest(%b::uuid[]) AS wanted(id)"
            " LEFT JOIN latest ON latest.originator_id = wanted.id"
            " JOIN {events} AS e ON e.originator_id = wanted.id"
            "  AND e.originator_version > coalesce(latest.originator_version, 0)"
            " ORDER BY 1, 2"
        )
        return self._selected(statement, [list(taking), list(ids)], snapshots.events_table_name)

    def select_following(
        self,
        snapshots: ManyStreamsReader,
        first_id: UUID,
        first_topic: str,
        fields: Sequence[str],
        derived: Sequence[tuple[UUID, str]],
    ) -> list[StoredEvent] | None:
        """The stream of ``first_id``, and the streams its first event names (when that event's
        topic is ``first_topic``): by its UUID ``fields``, and by the UUID5 of each
        ``(namespace, field)`` of ``derived`` (``uuid5(namespace, value.hex)``), each from its
        latest snapshot on; ordered by stream, then version. One statement, where reading the
        first stream and then the others took two round trips; None when it cannot be had here
        (no ``uuid_generate_v5`` in the database, snapshots kept elsewhere): read in two then.

        The names are read from the first event's stored JSON, where a UUID is the tagged
        ``{"_type_": "uuid_hex", "_data_": hex}`` the transcoder writes; the topic is checked
        first, so the fields are UUIDs whenever they are read."""
        if not isinstance(snapshots, StreamsSelection) or snapshots.datastore is not self.datastore:
            return None
        if not self._derives_uuid5():
            return None
        statement = self._following_statement(snapshots, first_topic, fields, derived)
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cursor:
            cursor.execute(statement, {"first": first_id}, prepare=True)
            rows: list[tuple[Any, ...]] = cursor.fetchall()
        return [StoredEvent(row[0], row[1], row[2], bytes(row[3])) for row in rows]

    def _following_statement(
        self,
        snapshots: StreamsSelection,
        first_topic: str,
        fields: Sequence[str],
        derived: Sequence[tuple[UUID, str]],
    ) -> bytes:
        """The statement of ``select_following`` for one topic, its fields and derivations,
        composed once with them as literals: the first id is its only parameter (dumping the
        names and namespaces as arrays on every read cost more than the rest of its
        parameters), and it is prepared on each connection."""
        key = (snapshots.events_table_name, first_topic, tuple(fields), tuple(derived))
        texts: dict[Any, bytes] = self.__dict__.setdefault("_cxl_following_statements", {})
        statement = texts.get(key)
        if statement is None:
            named = [
                SQL("SELECT (first.state -> {} ->> '_data_')::uuid AS id FROM first").format(
                    Literal(name)
                )
                for name in fields
            ]
            named += [
                SQL(
                    "SELECT uuid_generate_v5({}::uuid,"
                    " replace((first.state -> {name} ->> '_data_')::uuid::text, '-', ''))"
                    " FROM first WHERE first.state -> {name} ->> '_data_' IS NOT NULL"
                ).format(Literal(str(namespace)), name=Literal(name))
                for namespace, name in derived
            ]
            composed = SQL(_FOLLOWING).format(
                events=Identifier(self.datastore.schema, self.events_table_name),
                snapshots=Identifier(self.datastore.schema, snapshots.events_table_name),
                topic=Literal(first_topic),
                named=SQL(" UNION ").join(named) if named else SQL("SELECT NULL::uuid AS id"),
            )
            with self.datastore.get_connection() as conn:
                statement = texts[key] = composed.as_bytes(conn)
        return statement

    def _derives_uuid5(self) -> bool:
        """Whether the database has ``uuid_generate_v5`` (migration 203), asked once."""
        known: bool | None = self.__dict__.get("_cxl_uuid5")
        if known is None:
            with self.datastore.get_connection() as conn:
                row = conn.execute(
                    "SELECT to_regprocedure('uuid_generate_v5(uuid,text)') IS NOT NULL AS there"
                ).fetchone()
            known = self.__dict__["_cxl_uuid5"] = bool(row and row["there"])
        return known

    def _statement(self, text: LiteralString, snapshots_table: str | None) -> Composed:
        table = Identifier(self.datastore.schema, self.events_table_name)
        if snapshots_table is None:
            return SQL(text).format(table)
        snapshots = Identifier(self.datastore.schema, snapshots_table)
        return SQL(text).format(events=table, snapshots=snapshots)

    def _selected(
        self, text: LiteralString, params: list[Any], snapshots_table: str | None = None
    ) -> list[StoredEvent]:
        with self.datastore.get_connection() as conn, conn.cursor() as cursor:
            cursor.execute(self._composed(text, snapshots_table, cursor), params)
            rows: list[DictRow] = cursor.fetchall()
        return _stored_events(rows)

    def _composed(
        self, text: LiteralString, snapshots_table: str | None, cursor: Cursor[Any]
    ) -> bytes:
        """The statement of ``text`` on this recorder's table (and ``snapshots_table``),
        composed and quoted once per recorder: composing it anew on every read cost a survey
        answer's loads a tenth of their time."""
        texts: dict[tuple[str, str | None], bytes] = self.__dict__.setdefault("_cxl_statements", {})
        statement = texts.get((text, snapshots_table))
        if statement is None:
            composed = self._statement(text, snapshots_table)
            statement = texts[text, snapshots_table] = composed.as_bytes(cursor)
        return statement


_WHOLE_STREAM: LiteralString = (
    "SELECT originator_id, originator_version, topic, state FROM {}"
    " WHERE originator_id = %s ORDER BY originator_version"
)
"""The library's statement for a stream read whole (``select_events`` without options)."""


_FOLLOWING: LiteralString = (
    "WITH first AS ("
    "  SELECT convert_from(e.state, 'UTF8')::jsonb AS state FROM {events} AS e"
    "  WHERE e.originator_id = %(first)s AND e.originator_version = 1 AND e.topic = {topic}),"
    " named AS ({named}),"
    " wanted AS (SELECT id FROM named WHERE id IS NOT NULL AND id <> %(first)s),"
    " latest AS ("
    "  SELECT last.* FROM wanted CROSS JOIN LATERAL"
    "   (SELECT s.originator_id, s.originator_version, s.topic, s.state"
    "    FROM {snapshots} AS s WHERE s.originator_id = wanted.id"
    "    ORDER BY s.originator_version DESC LIMIT 1) AS last)"
    " SELECT e.originator_id, e.originator_version, e.topic, e.state FROM {events} AS e"
    " WHERE e.originator_id = %(first)s"
    " UNION ALL"
    " SELECT originator_id, originator_version, topic, state FROM latest"
    " UNION ALL"
    " SELECT e.originator_id, e.originator_version, e.topic, e.state"
    " FROM wanted LEFT JOIN latest ON latest.originator_id = wanted.id"
    " JOIN {events} AS e ON e.originator_id = wanted.id"
    "  AND e.originator_version > coalesce(latest.originator_version, 0)"
    " ORDER BY 1, 2"
)
"""The read of ``select_following``: the first stream whole (a kind that takes no snapshots:
an invitation), the streams its first event names (``named``: a ``SELECT`` of ids from
``first``, the first event's JSON) from their latest snapshots."""


def _id(stored: StoredEvent) -> UUID:
    uuid = stored.originator_id
    return uuid if isinstance(uuid, UUID) else UUID(uuid)


def _stored_events(rows: list[DictRow]) -> list[StoredEvent]:
    return [
        StoredEvent(
            originator_id=row["originator_id"],
            originator_version=row["originator_version"],
            topic=row["topic"],
            state=bytes(row["state"]),
        )
        for row in rows
    ]
