"""One fixed statement of binary parameters, run straight through libpq on a psycopg connection.

The log writer calls one statement per batch, always the same, with parameters it has already
made in PostgreSQL's binary format (``infrastructure.log_writer``'s arrays). psycopg's cursor
still does a cursor's work on every call: converting the query and its parameters, looking the
statement up in its prepared-statement cache, and waiting for the answer through its generators,
in Python. For a registration (one call) that was about 140 us of client CPU against 45 us for
the same call through ``PGconn.exec_prepared`` (one process, 2,000 calls, alternated twice),
a quarter of a registration's client CPU with one writer. libpq waits with the GIL released,
as psycopg's wait does, so the other threads go on meanwhile.

What psycopg would have done and this does too: hold the connection's lock for the call,
prepare the statement once per session under a name of its own (none of psycopg's ``_pg3_``
names, which psycopg may deallocate, all at once, after a ROLLBACK: then it is prepared again),
or run it unprepared where the connection prepares nothing (behind a transaction-mode pooler,
``prepare_threshold`` None), and raise the same errors (``psycopg.errors.error_from_result``;
a lost connection as ``OperationalError``). Only for a connection in autocommit, as the event
store's pool's are: the statement's implicit transaction is all there is, so psycopg's view of
the session's transaction stays true.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any, cast

import psycopg
from psycopg import Connection
from psycopg.errors import InvalidSqlStatementName, error_from_result
from psycopg.pq import ConnStatus, ExecStatus, Format
from psycopg.pq.abc import PGresult

BINARY = Format.BINARY


class PreparedCall:
    """``query`` (``$1``... placeholders, parameters of ``param_types`` oids, all given in
    binary), run on a connection in autocommit; results in binary."""

    def __init__(self, name: bytes, query: bytes, param_types: Sequence[int]) -> None:
        self.name = name
        self.query = query
        self.param_types = list(param_types)
        self._formats = [BINARY] * len(self.param_types)
        self._prepared_on: weakref.WeakSet[Connection[Any]] = weakref.WeakSet()

    def run(self, conn: Connection[Any], params: Sequence[bytes | None]) -> PGresult:
        """The statement's result (tuples or a command's status); a failure raises as
        psycopg's cursor would."""
        if not conn.autocommit:
            raise psycopg.ProgrammingError("a prepared call runs in autocommit only")
        with conn.lock:
            if conn.closed:
                raise psycopg.OperationalError("the connection is closed")
            if conn.prepare_threshold is None:
                return self._checked(conn, self._unprepared(conn, params))
            if conn not in self._prepared_on:
                self._prepare(conn)
            try:
                return self._checked(conn, self._prepared(conn, params))
            except InvalidSqlStatementName:
                # Deallocated meanwhile (psycopg's DEALLOCATE ALL, a DISCARD ALL): the failed
                # call changed nothing (no transaction in autocommit); prepare it again.
                self._prepare(conn)
                return self._checked(conn, self._prepared(conn, params))

    def _unprepared(self, conn: Connection[Any], params: Sequence[bytes | None]) -> PGresult:
        return conn.pgconn.exec_params(self.query, params, self.param_types, self._formats, BINARY)

    def _prepared(self, conn: Connection[Any], params: Sequence[bytes | None]) -> PGresult:
        # None is sent as NULL here as by exec_params (one helper builds both's arguments),
        # though the stub types only exec_params' values as optional.
        values = cast("Sequence[bytes]", params)
        return conn.pgconn.exec_prepared(self.name, values, self._formats, BINARY)

    def _prepare(self, conn: Connection[Any]) -> None:
        self._prepared_on.discard(conn)
        result = conn.pgconn.prepare(self.name, self.query, self.param_types)
        if result.status != ExecStatus.COMMAND_OK:
            error = self._error(conn, result)
            if error.sqlstate != "42P05":  # duplicate_prepared_statement: it is there
                raise error
        self._prepared_on.add(conn)

    def _checked(self, conn: Connection[Any], result: PGresult) -> PGresult:
        if result.status in (ExecStatus.TUPLES_OK, ExecStatus.COMMAND_OK):
            return result
        raise self._error(conn, result)

    @staticmethod
    def _error(conn: Connection[Any], result: PGresult) -> psycopg.Error:
        if conn.pgconn.status == ConnStatus.BAD:
            message = conn.pgconn.error_message.decode("utf-8", "replace").strip()
            return psycopg.OperationalError(f"consuming input failed: {message}")
        if result.status != ExecStatus.FATAL_ERROR:
            status = ExecStatus(result.status).name
            return psycopg.InternalError(f"unexpected result status from the query: {status}")
        return error_from_result(result, encoding=conn.info.encoding)


def bigints(result: PGresult, column: int = 0) -> list[int]:
    """A binary result's bigint column, row by row."""
    value = result.get_value
    return [
        int.from_bytes(value(row, column) or b"", "big", signed=True)
        for row in range(result.ntuples)
    ]
