"""Group commit's batching, with a writer in memory: who leads, what a batch holds, who hears
of which error. (The event log's batches on PostgreSQL: tests/integration/test_group_commit.py.)"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

import pytest

from infrastructure.group_commit import BatchBounds, GroupCommit, Outcome
from infrastructure.settings import SettingsError, load_settings


class HeldWriter:
    """Doubles each number; holds the first batch until released, so that others queue."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.holding = threading.Event()
        self.release = threading.Event()

    def __call__(self, batch: list[int]) -> Sequence[Outcome[int]]:
        if not self.batches:
            self.holding.set()
            self.release.wait(10)
        self.batches.append(batch)
        return [ValueError(f"odd {n}") if n % 2 else n * 2 for n in batch]


class Queued:
    """Callers submitted while the first one, leading, is held: 0 first, then ``numbers``."""

    def __init__(
        self,
        writer: HeldWriter,
        commit: GroupCommit[int, int],
        numbers: list[int],
        size: Callable[[int], int] = lambda n: 1,
    ) -> None:
        self.writer, self.commit, self.size = writer, commit, size
        self.outcomes: dict[int, object] = {}
        self.threads = {n: threading.Thread(target=self.submit, args=(n,)) for n in [0, *numbers]}
        self.threads[0].start()
        assert writer.holding.wait(10)  # 0 leads, and its write is held
        for n in numbers:
            self.threads[n].start()
        wait_until(lambda: commit.queued() == len(numbers))

    def submit(self, n: int) -> None:
        try:
            self.outcomes[n] = self.commit.submit(n, self.size(n))
        except Exception as error:
            self.outcomes[n] = error

    def finish(self) -> dict[int, object]:
        self.writer.release.set()
        for thread in self.threads.values():
            thread.join()
        return self.outcomes


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.001)


def test_callers_that_queue_meanwhile_are_written_together_each_with_its_own_outcome() -> None:
    writer = HeldWriter()
    commit: GroupCommit[int, int] = GroupCommit(writer, BatchBounds(max_items=64, max_size=1000))
    outcomes = Queued(writer, commit, [2, 3, 4, 6]).finish()
    assert writer.batches[0] == [0] and sorted(writer.batches[1]) == [2, 3, 4, 6]
    assert {n: outcomes[n] for n in (0, 2, 4, 6)} == {0: 0, 2: 4, 4: 8, 6: 12}
    assert isinstance(outcomes[3], ValueError) and str(outcomes[3]) == "odd 3"


def test_a_batch_holds_at_most_its_bounds_and_a_large_item_goes_alone() -> None:
    writer = HeldWriter()
    commit: GroupCommit[int, int] = GroupCommit(writer, BatchBounds(max_items=3, max_size=10))
    sizes = {100: 50, 102: 4, 104: 4, 106: 4}
    numbers = [2, 4, 6, 8, 10, 12, 14, 100, 102, 104, 106]
    outcomes = Queued(writer, commit, numbers, lambda n: sizes.get(n, 1)).finish()
    assert all(len(batch) <= 3 for batch in writer.batches)
    assert all(sum(sizes.get(n, 1) for n in b) <= 10 for b in writer.batches if len(b) > 1)
    assert [100] in writer.batches
    assert sorted(outcomes) == sorted([0, *numbers]) and outcomes[100] == 200


def test_a_writer_that_fails_gives_every_caller_of_its_batch_the_error_and_its_cause() -> None:
    def failing(batch: list[int]) -> Sequence[Outcome[int]]:
        try:
            raise ConnectionError("the database went away")
        except ConnectionError as cause:
            raise OSError("batch lost") from cause

    commit: GroupCommit[int, int] = GroupCommit(failing, BatchBounds(64, 1000))
    errors: list[BaseException] = []

    def submit(n: int) -> None:
        with pytest.raises(OSError) as raised:
            commit.submit(n)
        errors.append(raised.value)

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 8 and len({id(e) for e in errors}) == 8, "each caller its own error"
    assert all(isinstance(e.__cause__, ConnectionError) for e in errors)


def test_a_lone_caller_is_written_at_once_whatever_the_wait() -> None:
    writer = HeldWriter()
    writer.release.set()
    commit: GroupCommit[int, int] = GroupCommit(writer, BatchBounds(64, 1000), wait=0.5)
    started = time.monotonic()
    for n in (2, 4, 6):
        assert commit.submit(n) == n * 2
    assert time.monotonic() - started < 0.3
    assert writer.batches == [[2], [4], [6]]


@pytest.mark.parametrize("value", ["-1", "51", "soon"])
def test_a_group_commit_wait_out_of_bounds_is_refused_with_its_name(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CXL_GROUP_COMMIT_WAIT_MS", value)
    with pytest.raises(SettingsError, match="CXL_GROUP_COMMIT_WAIT_MS"):
        load_settings()


def test_the_lead_passes_to_the_caller_queued_first_and_only_it_writes_the_next_batch() -> None:
    writer = HeldWriter()
    written_by: list[str] = []

    def recording(batch: list[int]) -> Sequence[Outcome[int]]:
        written_by.append(threading.current_thread().name)
        return writer(batch)

    commit: GroupCommit[int, int] = GroupCommit(recording, BatchBounds(64, 1000))
    outcomes: dict[int, object] = {}

    def submit(n: int) -> None:
        outcomes[n] = commit.submit(n)

    threads = [
        threading.Thread(target=submit, args=(n,), name=f"caller {n}", daemon=True)
        for n in (0, 2, 4)
    ]
    threads[0].start()
    assert writer.holding.wait(10)  # 0 leads, held
    threads[1].start()
    wait_until(lambda: commit.queued() == 1)  # 2 queues first
    threads[2].start()
    wait_until(lambda: commit.queued() == 2)  # then 4
    writer.release.set()
    for thread in threads:
        thread.join(10)
        assert not thread.is_alive()
    assert writer.batches == [[0], [2, 4]]
    assert written_by == ["caller 0", "caller 2"], "handed to the first queued, who wrote"
    assert outcomes == {0: 0, 2: 4, 4: 8}


def test_many_callers_each_get_their_own_outcome_once_and_none_is_left_waiting() -> None:
    """Callers arriving while batches are written, led in turn by whoever the lead is handed
    to: no caller is woken without its outcome or the lead, none sleeps through both."""
    batches: list[list[int]] = []

    def writer(batch: list[int]) -> Sequence[Outcome[int]]:
        batches.append(batch)
        time.sleep(0.0005 * (len(batches) % 3))  # some batches take a while, so others queue
        return [ValueError(f"refused {n}") if n % 7 == 0 else -n for n in batch]

    commit: GroupCommit[int, int] = GroupCommit(writer, BatchBounds(5, 1000), wait=0.0002)
    outcomes: dict[int, object] = {}

    def submit(first: int) -> None:
        for n in range(first, first + 60):
            try:
                outcomes[n] = commit.submit(n)
            except ValueError as error:
                outcomes[n] = str(error)

    threads = [threading.Thread(target=submit, args=(t * 1000,), daemon=True) for t in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
        assert not thread.is_alive(), "a caller was left waiting"
    numbers = [t * 1000 + i for t in range(12) for i in range(60)]
    assert sorted(n for batch in batches for n in batch) == numbers, "each written once"
    assert all(len(batch) <= 5 for batch in batches) and max(map(len, batches)) > 1
    assert outcomes == {n: f"refused {n}" if n % 7 == 0 else -n for n in numbers}
    assert commit.queued() == 0


class CountingCondition(threading.Condition):
    """A condition that counts its notifications."""

    def __init__(self, lock: threading.Lock) -> None:
        super().__init__(lock)
        self.notified = 0

    def notify(self, n: int = 1) -> None:
        self.notified += 1
        super().notify(n)


def test_a_leader_waiting_for_company_is_woken_once_its_batch_is_full_not_at_each_arrival() -> None:
    writer = HeldWriter()
    commit: GroupCommit[int, int] = GroupCommit(writer, BatchBounds(64, 1000), wait=30)
    Queued(writer, commit, [2, 4, 6]).finish()  # the last batch held three
    arrived = commit._arrived = CountingCondition(commit._lock)
    outcomes: dict[int, object] = {}

    def submit(n: int) -> None:
        outcomes[n] = commit.submit(n)

    threads = [threading.Thread(target=submit, args=(n,)) for n in (8, 10, 12)]
    threads[0].start()
    wait_until(lambda: commit.queued() == 1)  # 8 leads, waiting for two more
    threads[1].start()
    wait_until(lambda: commit.queued() == 2)
    threads[2].start()
    for thread in threads:
        thread.join()
    assert writer.batches[-1] == [8, 10, 12] and outcomes == {8: 16, 10: 20, 12: 24}
    assert arrived.notified == 1, "woken by the third arrival only"
