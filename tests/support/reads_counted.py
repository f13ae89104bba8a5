"""Counting the event store's reads: each connection its datastore hands out is one statement
on a read (the log writer's leader takes its connections from the pool itself, uncounted)."""

from __future__ import annotations

from typing import Any, cast

import pytest

from domain.ledger import Ledger
from infrastructure.stream_reads import StreamsSelection


def reads_counted(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """One item for each connection the event store hands out from now on."""
    datastore = cast(StreamsSelection, ledger.recorder).datastore
    real = datastore.get_connection
    handed: list[object] = []

    def counted() -> Any:
        handed.append(object())
        return real()

    monkeypatch.setattr(datastore, "get_connection", counted)
    return handed
