"""The shared listener's session asks TCP to notice a dead peer (keepalives and a user
timeout): its leases are advisory locks of that session, and on a half-open connection its
heartbeat waited as long as TCP retried, about a quarter of an hour, the process believing it
still led its read models."""

from __future__ import annotations

import os
import socket
from typing import Any

from infrastructure.database import Database
from infrastructure.listener import LIVENESS, SharedListener


def test_the_listener_session_carries_the_liveness_settings(database: Database) -> None:
    listener = SharedListener(database)
    listener.start()
    try:
        assert listener.wait_connected(5.0)
        parameters, family, options = listener.call(_session_facts)
    finally:
        listener.stop()
    for name, value in LIVENESS.items():
        assert parameters.get(name) == str(value), name
    if family == socket.AF_INET:  # libpq sets them on a TCP socket (not on a Unix one)
        keepalive, user_timeout = options
        assert keepalive == 1
        assert user_timeout == LIVENESS["tcp_user_timeout"]


def _session_facts(conn: Any) -> tuple[dict[str, str], int, tuple[int, int]]:
    sock = socket.socket(fileno=os.dup(conn.fileno()))
    try:
        options = (
            sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
            sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT)
            if sock.family == socket.AF_INET
            else 0,
        )
        return conn.info.get_parameters(), sock.family, options
    finally:
        sock.close()
