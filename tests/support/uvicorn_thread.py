"""A uvicorn server run on a thread of the test process, for tests that talk to it over real
sockets."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import uvicorn


@contextlib.contextmanager
def serving(config: uvicorn.Config, what: str = "the server") -> Iterator[uvicorn.Server]:
    """Run ``config``'s server on a daemon thread until the block ends; the block starts once
    it accepts connections (RuntimeError if it has not within 20 seconds or its thread died)."""
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.02)
    try:
        yield server
    finally:
        server.should_exit = True
        thread.join(20)
