"""The check the write side's pools run on a connection as they hand it out: a round trip only
when the connection may be broken.

psycopg_pool's own check (``ConnectionPool.check_connection``) sends an empty query every time,
so that a connection a database restart broke is replaced rather than failing its command. A
registration checked out three connections (the email claim's read, the subject key, the
append): three round trips of the nine it made, and as much of the writing thread's CPU.

An idle connection has nothing to read: the server writes to it only to end it (a restart, a
shutdown, ``pg_terminate_backend``: an error message, then the socket closes, which reads as an
end of file) or to report something unasked (a notice, a changed parameter). So a socket with
nothing to read is handed out as it is, and one with something gets psycopg_pool's own check.
The read pool checks its connections the same way (``graphql_api.read_pool.check_idle``). A
session cut off between this check and its statement fails that statement, as one cut off
between the round trip and the statement did.
"""

from __future__ import annotations

import select
from typing import Any

from psycopg import Connection, OperationalError
from psycopg.pq import ConnStatus
from psycopg_pool import ConnectionPool


def check_idle(conn: Connection[Any]) -> None:
    """Raise if ``conn`` is broken, with a round trip only when it may be."""
    if conn.closed or conn.pgconn.status != ConnStatus.OK:
        raise OperationalError("the connection is closed")
    if _has_something_to_read(conn.fileno()):
        ConnectionPool.check_connection(conn)


def _has_something_to_read(fd: int) -> bool:
    """Whether the socket has data or an end of file waiting, without blocking. ``poll``
    rather than ``select``, which refuses descriptors past 1023 (a busy process has them)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))
