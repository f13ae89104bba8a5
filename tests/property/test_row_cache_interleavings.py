"""Kept reads under any interleaving of reads and changes (projections.row_cache with the
counts of projections.applied): every read, kept or not, answers the rows as they were at
some instant between its start and its end, so a read that starts after a change has
committed never answers the rows from before it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from projections.applied import AppliedPositions
from projections.row_cache import RowCache


@dataclass
class Read:
    page: int
    started: int
    """The step at which it started; ``rows_at[started]`` are the rows then."""
    query: asyncio.Future[None]
    task: asyncio.Task[int]
    finished: int | None = None


class ReadsAndChanges(RuleBasedStateMachine):
    """One read model's rows (a number per page, moved by each commit), changed by passes
    that count their changes as the log fan-out does, read through a cache by reads whose
    statements run when a rule says."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.applied = AppliedPositions()
        self.applied.lead(["a"])
        self.cache = RowCache(self.applied, 8)
        self.rows = 0
        self.rows_at = [0]
        """The rows after each step (index 0: before the first)."""
        self.in_flight = False
        self.reads: list[Read] = []

    def teardown(self) -> None:
        for read in self.reads:
            if not read.query.done():
                read.query.set_result(None)
        self.settle()
        self.loop.close()

    def settle(self) -> None:
        """Let every read run as far as it can, then note the step's rows."""
        for _ in range(3):
            self.loop.run_until_complete(asyncio.sleep(0))
        self.rows_at.append(self.rows)
        step = len(self.rows_at) - 1
        for read in self.reads:
            if read.finished is None and read.task.done():  # answered from what was kept
                read.finished = step

    @rule(page=st.integers(0, 1))
    def start_a_read(self, page: int) -> None:
        query: asyncio.Future[None] = self.loop.create_future()

        async def read_rows() -> int:
            await query  # the statement runs when ``run_a_statement`` says
            return self.rows

        task = self.loop.create_task(self.cache.read("a", page, read_rows))
        self.reads.append(Read(page, len(self.rows_at), query, task))
        self.settle()

    @rule(which=st.integers(0, 7))
    def run_a_statement(self, which: int) -> None:
        waiting = [read for read in self.reads if not read.query.done() and not read.task.done()]
        if waiting:
            read = waiting[which % len(waiting)]
            read.query.set_result(None)
        self.settle()

    @precondition(lambda self: not self.in_flight)
    @rule()
    def begin_a_pass(self) -> None:
        self.in_flight = True
        self.applied.changing(["a"])
        self.settle()

    @precondition(lambda self: self.in_flight)
    @rule()
    def commit(self) -> None:
        self.rows += 1
        self.settle()

    @precondition(lambda self: self.in_flight)
    @rule()
    def end_the_pass(self) -> None:
        self.in_flight = False
        self.applied.changed(["a"])
        self.settle()

    @rule()
    def lose_and_retake_the_lease(self) -> None:
        self.applied.lead([])
        self.applied.lead(["a"])
        self.settle()

    @invariant()
    def every_answer_was_the_rows_at_some_instant_of_its_read(self) -> None:
        for read in self.reads:
            if read.finished is None or not read.task.done():
                continue
            answer = read.task.result()
            seen = self.rows_at[read.started - 1 : read.finished + 1]
            assert answer in seen, (read.started, read.finished, answer, self.rows_at)


ReadsAndChanges.TestCase.settings = settings(
    max_examples=300, stateful_step_count=40, deadline=None
)
test_every_read_answers_rows_seen_while_it_ran = ReadsAndChanges.TestCase
