"""The erasure sweep (issue 16, item 9) on a real PostgreSQL: after the read models purge an
erased customer, their old row versions still hold her values in the pages until the sweep
vacuums the purged tables and the key table; it waits for every purging read model and for
any transaction older than the purges; it completes an erasure a failure left erasing; the
worker runs it on its interval and `cxledger sweep-erasures` once."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from uuid import UUID

import pytest

from domain.ledger import Ledger
from domain.privacy.erasure import ErasureReason, ErasureRequest
from infrastructure.bootstrap import open_runtime
from infrastructure.database import Database
from infrastructure.erasure_sweep import STALLED_AFTER, ErasureSweep
from infrastructure.loyalty_jobs import ScheduledJob
from infrastructure.projection_runner import ProjectionRunner
from projections.customers.projection import CustomerDirectory
from projections.registry import build_projections
from tests.integration.erasure_world import OFFICER, World, catch_up_all, erase, populate
from tests.support.cli import CXLEDGER, REPO, cli_env
from tests.support.erasure import FailsAfterDestroyingKeys
from tests.support.ledgers import TEST_AUDIT_KEYS
from tests.support.pages import relations_holding, row_versions_holding
from tests.support.settings import settings_on


@pytest.fixture
def world(ledger: Ledger, database: Database) -> World:
    return populate(ledger, database, loyalty_events=3)


def wrapped_key(database: Database, subject: UUID) -> bytes:
    with database.connect() as conn:
        row = conn.execute(
            "SELECT wrapped_key FROM cxl_subject_keys WHERE subject_id = %s", (subject,)
        ).fetchone()
    assert row is not None and row[0] is not None
    return bytes(row[0])


def her_values(database: Database, world: World) -> dict[str, bytes]:
    """Her personal values as bytes, and her wrapped key (with the master key, it would open
    every sealed value of hers in the log)."""
    values = {name: value.encode() for name, value in world.values.items()}
    return {**values, "wrapped key": wrapped_key(database, world.customer)}


def pages_holding(database: Database, values: dict[str, bytes]) -> dict[str, list[str]]:
    with database.connect(autocommit=True) as conn:
        return relations_holding(conn, values)


def event_types(ledger: Ledger, subject: UUID) -> list[str]:
    return [type(e).__name__ for e in ledger.events.get(ErasureRequest.id_for(subject))]


def test_after_the_sweep_no_page_of_any_table_or_index_holds_an_erased_value(
    ledger: Ledger, database: Database, world: World
) -> None:
    values = her_values(database, world)
    erase(ledger, world.customer)
    catch_up_all(ledger, database)
    purged_but_not_gone = pages_holding(database, values)
    assert {"name", "survey comment", "ticket description", "wrapped key"} <= set(
        purged_but_not_gone
    )  # the dead row versions of the purges, and the destroyed key's

    summary = ErasureSweep(ledger, database).run()

    assert summary.waiting is None and summary.vacuumed == [world.customer]
    assert "cxl_subject_keys" in summary.tables and "customer_directory" in summary.tables
    assert pages_holding(database, values) == {}
    assert event_types(ledger, world.customer)[-1] == "Vacuumed"


def test_a_plain_vacuum_leaves_no_row_version_holding_an_erased_value(
    ledger: Ledger, database: Database, world: World
) -> None:
    """Without the rewrite the bytes may linger in free space, but no tuple keeps them."""
    values = her_values(database, world)
    erase(ledger, world.customer)
    catch_up_all(ledger, database)
    with database.connect(autocommit=True) as conn:
        assert "name" in row_versions_holding(conn, values)  # dead tuples of the purge

    assert ErasureSweep(ledger, database, "plain").run().vacuumed == [world.customer]

    with database.connect(autocommit=True) as conn:
        assert row_versions_holding(conn, values) == {}
        dead = conn.execute(
            "SELECT sum(n_dead_tup) FROM pg_stat_user_tables WHERE relname = ANY(%s)",
            (ErasureSweep(ledger, database).tables,),
        ).fetchone()
    assert dead is not None and dead[0] == 0


def test_the_sweep_waits_until_every_purging_read_model_applied_the_completion(
    ledger: Ledger, database: Database, world: World
) -> None:
    erase(ledger, world.customer)
    with database.connect() as conn:
        for projection in build_projections(TEST_AUDIT_KEYS.chain):
            if not isinstance(projection, CustomerDirectory):  # the directory lags behind
                ProjectionRunner(ledger, database, projection, 50).catch_up(conn)

    early = ErasureSweep(ledger, database).run()
    assert early.vacuumed == [] and early.tables == []
    assert "Vacuumed" not in event_types(ledger, world.customer)

    catch_up_all(ledger, database)
    assert ErasureSweep(ledger, database).run().vacuumed == [world.customer]


def test_the_sweep_waits_for_a_transaction_older_than_the_purges(
    ledger: Ledger, database: Database, world: World
) -> None:
    """A snapshot taken before the purges can still see the old row versions, so VACUUM
    would keep them: the sweep says so, records nothing, and vacuums once it has ended."""
    values = her_values(database, world)
    with database.connect() as reader:
        reader.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        reader.execute("SELECT count(*) FROM customer_directory")  # its snapshot starts now
        erase(ledger, world.customer)
        catch_up_all(ledger, database)

        waiting = ErasureSweep(ledger, database, patience=0.5).run()

        assert waiting.vacuumed == [] and waiting.waiting is not None
        assert f"backend {reader.info.backend_pid}" in waiting.waiting
        reader.rollback()
    assert "Vacuumed" not in event_types(ledger, world.customer)

    assert ErasureSweep(ledger, database).run().vacuumed == [world.customer]
    assert pages_holding(database, values) == {}


def test_the_sweep_completes_an_erasure_a_failure_left_erasing_then_vacuums_after_it(
    ledger: Ledger, database: Database, world: World
) -> None:
    values = her_values(database, world)
    ledger.request_erasure(world.customer, None, ErasureReason.CUSTOMER_REQUEST, 0, OFFICER)
    real_works = ledger.erasure_works
    ledger.erasure_works = FailsAfterDestroyingKeys(real_works)
    started = datetime.now(UTC)
    with pytest.raises(ConnectionError):
        ledger.complete_erasure(world.customer, OFFICER, started)
    ledger.erasure_works = real_works
    catch_up_all(ledger, database)
    assert ledger.get_customer(world.customer).name.value is None  # the key is gone...
    assert "name" in pages_holding(database, values)  # ...the directory still shows her

    in_flight = ErasureSweep(ledger, database).run(started + STALLED_AFTER / 2)
    assert in_flight.finished == []  # a completion may still be under way: left alone
    finished = ErasureSweep(ledger, database).run(started + STALLED_AFTER * 2)
    assert finished.finished == [world.customer]
    assert event_types(ledger, world.customer) == ["Requested", "Started", "Completed"]

    catch_up_all(ledger, database)
    assert ErasureSweep(ledger, database).run().vacuumed == [world.customer]
    assert pages_holding(database, values) == {}


def test_the_cli_runs_the_sweep_once_and_prints_a_json_summary(
    ledger: Ledger, database: Database, world: World
) -> None:
    erase(ledger, world.customer)
    catch_up_all(ledger, database)
    result = subprocess.run(
        [*CXLEDGER, "sweep-erasures"],
        cwd=REPO,
        env=cli_env(database),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["vacuumed"] == [str(world.customer)] and summary["waiting"] is None
    assert "customer_directory" in summary["tables"] and summary["finished"] == []


def test_the_worker_runs_the_sweep_every_configured_interval_as_configured(
    ledger: Ledger, database: Database, world: World
) -> None:
    erase(ledger, world.customer)
    catch_up_all(ledger, database)
    settings = settings_on(database, erasure_sweep_interval=42, erasure_vacuum="plain")
    with open_runtime(settings) as runtime:
        [job] = [r for r in runtime.worker().runners if r.name == "erasure_sweep"]
        assert isinstance(job, ScheduledJob) and job.interval == 42
        assert job.run_once()
    [vacuumed] = [
        e for e in ledger.events.get(ErasureRequest.id_for(world.customer))
        if isinstance(e, ErasureRequest.Vacuumed)
    ]  # fmt: skip
    assert vacuumed.full is False and "cxl_subject_keys" in vacuumed.tables
