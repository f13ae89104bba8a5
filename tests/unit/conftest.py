"""Unit tests run the domain in memory: given events, when a command, then events or a
refusal. No database: the ``ledger`` here replaces the PostgreSQL one of ``tests/conftest.py``
(a module that needs a ledger set up otherwise defines its own)."""

from __future__ import annotations

import pytest

from domain.ledger import Ledger
from tests.support.ledgers import in_memory_ledger


@pytest.fixture
def ledger() -> Ledger:
    """A ledger on in-memory persistence, with real per-subject encryption."""
    return in_memory_ledger()
