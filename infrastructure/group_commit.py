"""Group commit: concurrent callers hand their writes to one leader, who does them together.

Each caller queues its work and waits. A caller that finds no leader becomes the leader: it
takes a bounded batch from the front of the queue, has it written in one go, gives every caller
in the batch its own outcome (a result or an error), and goes on until its own work is done;
then it steps down and a waiting caller takes over. So at any time one thread per process
writes, and all the work queued while it wrote goes into its next batch.

Before taking a batch the leader may wait a little (``wait`` seconds at most) for as many
callers as its previous batch held: one writer never waits, while steady concurrent writers
fill each batch instead of each leader writing alone. Nothing here knows what is written; see
:mod:`infrastructure.log_writer` for the event log's batches.
"""

from __future__ import annotations

import copy
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeAlias, TypeVar, cast

W = TypeVar("W")
R = TypeVar("R")

Outcome: TypeAlias = R | BaseException
"""What one caller's work came to: its result, or the error it alone should see."""


@dataclass(frozen=True)
class BatchBounds:
    """How much one batch may hold: ``max_items`` callers and ``max_size`` units of work (a
    single caller's work larger than ``max_size`` is written alone)."""

    max_items: int
    max_size: int


@dataclass(eq=False)
class _Pending(Generic[W, R]):
    work: W
    size: int
    outcome: Outcome[R] | None = None
    done: bool = False


class GroupCommit(Generic[W, R]):
    """Writes the work of concurrent callers in batches, through ``write_batch``, which gets a
    batch in queue order and returns one outcome per item in that order. If it raises, every
    caller in the batch gets that error."""

    def __init__(
        self,
        write_batch: Callable[[list[W]], Sequence[Outcome[R]]],
        bounds: BatchBounds,
        wait: float = 0.0,
    ) -> None:
        self._write_batch = write_batch
        self._bounds = bounds
        self.wait = wait
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._finished = threading.Condition(self._lock)
        self._queue: deque[_Pending[W, R]] = deque()
        self._leading = False
        self._last_batch = 1

    def submit(self, work: W, size: int = 1) -> R:
        """Queue ``work``, wait until it is written (leading the writes if no one else is), and
        return its result or raise its error."""
        mine: _Pending[W, R] = _Pending(work, size)
        if self._follow(mine):
            self._lead_until_done(mine)
        return _unwrap(mine)

    def queued(self) -> int:
        """How many callers wait for a leader to take their work."""
        with self._lock:
            return len(self._queue)

    def _follow(self, mine: _Pending[W, R]) -> bool:
        """Queue and wait; True if this caller must lead (its work is not written yet)."""
        with self._lock:
            self._queue.append(mine)
            self._arrived.notify()
            while not mine.done and self._leading:
                self._finished.wait()
            if mine.done:
                return False
            self._leading = True
            return True

    def _lead_until_done(self, mine: _Pending[W, R]) -> None:
        try:
            while not mine.done:
                batch = self._next_batch()
                self._finish(batch, self._outcomes(batch))
        finally:
            with self._lock:
                self._leading = False
                self._finished.notify_all()

    def _next_batch(self) -> list[_Pending[W, R]]:
        """Wait (bounded) for as many callers as last time, then take a bounded batch."""
        with self._lock:
            self._wait_for_company()
            batch = [self._queue.popleft()]
            size = batch[0].size
            while self._queue and len(batch) < self._bounds.max_items:
                if size + self._queue[0].size > self._bounds.max_size:
                    break
                size += self._queue[0].size
                batch.append(self._queue.popleft())
            self._last_batch = len(batch)
            return batch

    def _wait_for_company(self) -> None:
        """Give callers that are on their way (as many as joined the last batch) up to
        ``wait`` seconds to queue. Called holding the lock, which waiting releases."""
        deadline = time.monotonic() + self.wait
        while len(self._queue) < self._last_batch:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._arrived.wait(left)

    def _outcomes(self, batch: list[_Pending[W, R]]) -> Sequence[Outcome[R]]:
        try:
            outcomes = self._write_batch([pending.work for pending in batch])
        except BaseException as error:  # every caller must hear of it, whatever it is
            return [error] * len(batch)
        if len(outcomes) != len(batch):
            wrong = AssertionError(f"{len(outcomes)} outcomes for a batch of {len(batch)}")
            return [wrong] * len(batch)
        return outcomes

    def _finish(self, batch: list[_Pending[W, R]], outcomes: Sequence[Outcome[R]]) -> None:
        with self._lock:
            for pending, outcome in zip(batch, outcomes, strict=True):
                pending.outcome, pending.done = outcome, True
            self._finished.notify_all()


def _unwrap(pending: _Pending[W, R]) -> R:
    outcome = pending.outcome
    if isinstance(outcome, BaseException):
        raise _own_copy(outcome)
    return cast("R", outcome)  # done, and not an error: the result (which may be None)


def _own_copy(error: BaseException) -> BaseException:
    """An error one caller can raise without sharing its traceback with the batch's other
    callers; its cause is kept (the event store's retries look at it)."""
    try:
        mine = copy.copy(error)
    except Exception:
        mine = RuntimeError(f"the batch's write failed: {error!r}")
    mine.__cause__ = error.__cause__
    mine.__traceback__ = None
    return mine
