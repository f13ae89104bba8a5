"""A free TCP port on loopback, for the servers the benchmarks start (a module of its own so
that a benchmark needing only this imports nothing of the product)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port no one listens on now (another process may take it before the server binds)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
