"""A stop signal is never lost: CI saw `cxledger serve` run on after a SIGTERM that landed while
an import released its module lock (Python ignores an exception raised in a weakref callback)."""

from __future__ import annotations

import gc
import signal
import sys
import threading
import weakref
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette

from infrastructure.server import _Server, uvicorn_config
from infrastructure.stop_signal import STOP_REQUESTED, SignalledToStopError, stop_on_signal
from tests.support.server import free_port


@pytest.fixture(autouse=True)
def no_stop_requested() -> Iterator[None]:
    STOP_REQUESTED.clear()
    yield
    STOP_REQUESTED.clear()


class _Referent:
    pass


def test_the_handler_raises_to_unwind_and_remembers_the_signal() -> None:
    """Pins: the handler raises SignalledToStopError and sets STOP_REQUESTED."""
    with pytest.raises(SignalledToStopError, match="SIGTERM"):
        stop_on_signal(signal.SIGTERM, None)
    assert STOP_REQUESTED.is_set()


def test_a_signal_whose_exception_a_weakref_callback_swallowed_is_still_remembered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pins: where Python ignores the handler's exception (a weakref callback), the flag the
    long waits check is set all the same."""
    ignored: list[type[BaseException]] = []
    monkeypatch.setattr(
        sys, "unraisablehook", lambda unraisable: ignored.append(unraisable.exc_type)
    )
    referent = _Referent()
    ref = weakref.ref(referent, lambda _: stop_on_signal(signal.SIGTERM, None))
    del referent
    gc.collect()
    assert ref() is None
    assert STOP_REQUESTED.is_set()
    assert ignored == [SignalledToStopError]  # ignored, as in the CI run


def test_the_server_exits_once_started_when_a_lost_signal_came_before_it() -> None:
    """Pins: serve's uvicorn server stops by itself right after starting when a stop signal
    came before it took the signals over."""
    STOP_REQUESTED.set()
    server = _Server(uvicorn_config(Starlette(), "127.0.0.1", free_port(), "WARNING"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert server.started
