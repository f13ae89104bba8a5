"""A psycopg pipeline that ends with its Sync: no Flush message after it.

psycopg ends a pipeline (``with conn.pipeline()``, and every ``executemany``, which runs in one)
by sending a Sync, then, while results are still on their way, a Flush request. Straight to
PostgreSQL that Flush is harmless. Behind a transaction-mode PgBouncer it is not: the Sync's
ReadyForQuery ends the transaction and PgBouncer gives the server session back to its pool; a
Flush that reaches PgBouncer after that is a new request, so PgBouncer links a server session to
the client again and forwards it; the server answers a Flush with nothing, no ReadyForQuery
comes, and that session stays linked to a client that has finished (idle in its own pool)
until the client's next statement. Every other client waits in PgBouncer's queue meanwhile.
Which comes first is a race (the Flush follows the Sync by microseconds, the server's answer
takes a statement's time), so it struck under load only: a read model catching up behind a
PgBouncer with one server session waited out the queue timeout (CI, 2026-12-06), a ``/health``
behind PgBouncer hung 70 s. Sent by hand (a pipeline's Sync, its answer, then a Flush), it
stalls the next client every time.

The Sync already makes the server send everything it has, so the results are fetched without a
Flush once the client's buffer is out. Only when the Sync itself was not handed to libpq (a
failure before it was queued out) is the Flush still sent, as psycopg does: then nothing but a
Flush brings the results, and the Sync never came to free the session anyway.
"""

from __future__ import annotations

from psycopg import _pipeline_base
from psycopg.abc import PQGen
from psycopg.generators import send


def _exit_gen(self: _pipeline_base.BasePipeline) -> PQGen[None]:
    """psycopg's ``BasePipeline._exit_gen``, without the Flush after the Sync."""
    try:
        self._enqueue_sync()
        yield from self._communicate_gen()
    finally:
        if self.command_queue:  # the Sync is still queued here: only a Flush brings results
            yield from self._fetch_gen(flush=True)
        else:
            yield from send(self.pgconn)  # whatever of the Sync libpq still buffers
            yield from self._fetch_gen(flush=False)


def end_pipelines_with_their_sync() -> None:
    """Install :func:`_exit_gen` in place of psycopg's own (idempotent)."""
    _pipeline_base.BasePipeline._exit_gen = _exit_gen  # type: ignore[method-assign]
