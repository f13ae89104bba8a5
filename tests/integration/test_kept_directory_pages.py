"""Directory pages kept while the directory's rows stand still (projections.row_cache), with
the real log fan-out applying the directory and counting its changes: a page read again while
nothing is written is not read again; a registration, a rename and an erasure are shown by
the first page read once their position is announced (what a read-your-writes wait waits
for); nothing is kept while another worker leads the directory; a row changed behind the
process's back is shown once the kept page is older than its bound."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import psycopg

from domain.customer.commands import ChangeContactDetails, RegisterCustomer
from domain.ledger import Ledger
from domain.privacy.erasure import ErasureReason
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database
from infrastructure.projection_runner import ProjectionRunner, ProjectionWorker
from projections.customers.projection import CustomerDirectory
from projections.customers.queries import DirectoryRows, directory_rows
from projections.row_cache import RowCache

OFFICER = EventMetadata("dpo-1", Role.PRIVACY_OFFICER, Channel.WEB)
NAME, EMAIL = 2, 3  # a directory row's places (VIEW_FIELDS)


class Pages:
    """The directory's first page through a cache, read on a real connection, counted."""

    def __init__(self, database: Database, cache: RowCache) -> None:
        self.database = database
        self.cache = cache
        self.statements = 0

    def first(self) -> DirectoryRows:
        async def read() -> DirectoryRows:
            self.statements += 1
            conn = await psycopg.AsyncConnection.connect(self.database.conninfo, autocommit=True)
            async with conn:
                return await directory_rows(conn, 20, None)

        return asyncio.run(self.cache.read(CustomerDirectory.name, (20, None), read))

    def names(self) -> list[Any]:
        return [row[NAME] for row in self.first().items]


def standing_clock() -> float:
    """A clock for which no kept page ever grows old: what is read again here is read again
    because the rows changed, however slow the machine."""
    return 0.0


@contextmanager
def kept_pages(
    ledger: Ledger, database: Database, clock: Callable[[], float] = standing_clock
) -> Iterator[tuple[Pages, ProjectionWorker]]:
    worker = ProjectionWorker([ProjectionRunner(ledger, database, CustomerDirectory(), 50)])
    cache = RowCache(worker.applied, 16, clock)
    unwatch = worker.applied.watch_changes(cache.forget)  # as the app wires it
    worker.start()
    try:
        yield Pages(database, cache), worker
    finally:
        worker.stop()
        unwatch()


def announced(worker: ProjectionWorker, position: int, timeout: float = 20.0) -> None:
    """Wait as a read-your-writes wait does: until the directory's commit of ``position`` is
    announced in this process."""
    deadline = time.monotonic() + timeout
    while worker.applied.position(CustomerDirectory.name) < position:
        assert time.monotonic() < deadline, "the directory did not apply the write"
        time.sleep(0.01)


def register(ledger: Ledger, agent: EventMetadata, name: str) -> UUID:
    return ledger.register_customer(
        RegisterCustomer(name, f"{name.lower()}@example.org"), agent
    ).aggregate_id


def led(worker: ProjectionWorker, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while worker.applied.rows_generation(CustomerDirectory.name) is None:
        assert time.monotonic() < deadline, "the directory was not led here"
        time.sleep(0.01)


def test_a_page_read_again_while_nothing_is_written_is_not_read_again(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    register(ledger, agent, "Ada")
    with kept_pages(ledger, database) as (pages, worker):
        announced(worker, ledger.head_position())
        led(worker)
        assert pages.names() == ["Ada"]
        assert pages.names() == ["Ada"]
        assert pages.statements == 1


def test_each_write_is_shown_by_the_first_page_read_once_it_is_announced(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """Registrations and renames one after another, a page read (and kept) between each: the
    page read after each announcement shows the write."""
    with kept_pages(ledger, database) as (pages, worker):
        led(worker)
        shown: list[str] = []
        for index in range(12):
            name = f"Customer{index}"
            customer = register(ledger, agent, name)
            announced(worker, ledger.head_position())
            shown.append(name)
            assert pages.names() == shown
            assert pages.names() == shown
            renamed = f"Renamed{index}"
            ledger.change_contact_details(ChangeContactDetails(customer, name=renamed), agent)
            announced(worker, ledger.head_position())
            shown[-1] = renamed
            assert pages.names() == shown
        assert pages.statements == 24  # one per write; every second read was kept


def test_an_erased_customer_is_not_shown_from_a_kept_page(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = register(ledger, agent, "Ada")
    register(ledger, agent, "Grace")
    with kept_pages(ledger, database) as (pages, worker):
        announced(worker, ledger.head_position())
        led(worker)
        assert pages.names() == ["Ada", "Grace"]
        ledger.request_erasure(ada, None, ErasureReason.CUSTOMER_REQUEST, 0, OFFICER)
        ledger.complete_erasure(ada, OFFICER)
        announced(worker, ledger.head_position())
        assert pages.cache.kept_keys(CustomerDirectory.name) == []  # let go as the pass began
        rows = pages.first().items
        assert [(row[NAME], row[EMAIL]) for row in rows] == [
            (None, None),
            ("Grace", "grace@example.org"),
        ]
        assert pages.cache.kept_keys(CustomerDirectory.name) == [(20, None)]


def test_nothing_is_kept_while_another_worker_leads_the_directory(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    register(ledger, agent, "Ada")
    directory = ProjectionRunner(ledger, database, CustomerDirectory(), 50)
    with psycopg.connect(database.conninfo, autocommit=True) as other_worker:
        other_worker.execute("SELECT pg_advisory_lock(%s)", (directory.lease_key,))
        with kept_pages(ledger, database) as (pages, worker):
            time.sleep(0.3)  # the worker has looked for its leases
            assert worker.applied.rows_generation(CustomerDirectory.name) is None
            pages.first()
            pages.first()
            assert pages.statements == 2


def test_a_row_changed_behind_the_process_is_shown_once_the_kept_page_is_too_old(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """What the count cannot see (here an UPDATE by hand) is bounded by the kept page's age."""
    register(ledger, agent, "Ada")
    now = [1000.0]
    with kept_pages(ledger, database, clock=lambda: now[0]) as (pages, worker):
        announced(worker, ledger.head_position())
        led(worker)
        assert pages.names() == ["Ada"]
        with database.connect() as conn:
            conn.execute("UPDATE customer_directory SET name = 'Changed by hand'")
            conn.commit()
        assert pages.names() == ["Ada"]
        now[0] += 1.5
        assert pages.names() == ["Changed by hand"]
