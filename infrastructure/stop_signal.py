"""SIGTERM and SIGINT: unwind the main thread, and remember that they came.

The handler raises :class:`SignalledToStopError`, so that the ``with`` blocks stop the workers
and the embedded database on the way out. Python ignores an exception raised while it runs a
weakref callback (an import's module lock releases through one): a signal landing there would be
lost, and the process would run on. So the handler also sets :data:`STOP_REQUESTED`, which the
long waits check: ``project`` waits on it, and ``serve`` tells uvicorn to exit as soon as it has
started if it is set (a signal after that is uvicorn's own to handle).
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

STOP_REQUESTED = threading.Event()
"""Set by the first SIGTERM or SIGINT, even when its exception was swallowed."""


class SignalledToStopError(Exception):
    """SIGTERM or SIGINT arrived: unwind so the database and workers stop cleanly."""


def stop_on_signal(signum: int, frame: FrameType | None) -> None:
    STOP_REQUESTED.set()
    raise SignalledToStopError(signal.Signals(signum).name)


def stop_on_signals() -> None:
    """Install :func:`stop_on_signal` for SIGTERM and SIGINT (from the main thread)."""
    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGINT, stop_on_signal)
