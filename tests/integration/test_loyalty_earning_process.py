"""The loyalty process manager: purchases earn points and refunds claw them back, through a
follower of the log, exactly once per order across crashes, restarts and rival workers."""

from __future__ import annotations

import json
import signal
import subprocess
import zlib
from collections.abc import Iterator

import psycopg
import pytest
from eventsourcing.persistence import Notification

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.loyalty.account import LoyaltyAccount
from domain.loyalty.policies import LoyaltyEarning
from domain.purchase.model import Purchase
from domain.shared.application import LedgerCore
from domain.shared.errors import ValidationError
from domain.shared.metadata import Channel, Role
from domain.shared.process_manager import causation_id_of, reacts_to
from infrastructure.database import Database
from infrastructure.process_manager_runner import ProcessManagerRunner
from infrastructure.projection_runner import ProjectionWorker
from tests.integration.loyalty_steps import (
    AGENT,
    T0,
    account_events,
    bought,
    catch_up,
    customer,
    day,
    earned_for,
    one_point_per_euro,
    position_of,
    wait_until,
)
from tests.support.cli import CXLEDGER, REPO, cli_env
from tests.support.events import events_of

NAME = LoyaltyEarning.name
LEASE_KEY = zlib.crc32(f"cxl-process-manager:{NAME}".encode())


class RefusesOrder(LoyaltyEarning):
    """Refuses one order as a command would (an unexpected refusal)."""

    refused: str = ""

    @reacts_to(Purchase.Recorded)
    def purchase_recorded(self, ledger: LedgerCore, event: Purchase.Recorded) -> object:
        if event.order_id == self.refused:
            raise ValidationError("refused for the test", field="orderId")
        return super().purchase_recorded(ledger, event)


class DatabaseFailsOnce(LoyaltyEarning):
    """The first command finds the database gone."""

    failed = False

    @reacts_to(Purchase.Recorded)
    def purchase_recorded(self, ledger: LedgerCore, event: Purchase.Recorded) -> object:
        if not self.failed:
            self.failed = True
            raise psycopg.OperationalError("connection lost")
        return super().purchase_recorded(ledger, event)


class CrashAfterTheCommand(BaseException):
    """The process dies between the command's commit and the position's."""


class CrashingRunner(ProcessManagerRunner):
    def react(self, notification: Notification) -> None:
        super().react(notification)
        raise CrashAfterTheCommand


@pytest.fixture
def runner(ledger: Ledger, database: Database) -> ProcessManagerRunner:
    one_point_per_euro(ledger)
    return ProcessManagerRunner(ledger, database, LoyaltyEarning(), batch_size=3)


@pytest.fixture
def workers(ledger: Ledger, database: Database) -> Iterator[list[ProjectionWorker]]:
    started: list[ProjectionWorker] = []
    yield started
    for worker in started:
        worker.stop()


def start_worker(
    ledger: Ledger, database: Database, workers: list[ProjectionWorker]
) -> ProjectionWorker:
    worker = ProjectionWorker([ProcessManagerRunner(ledger, database, LoyaltyEarning(), 2)])
    worker.start()
    workers.append(worker)
    return worker


def test_a_members_purchase_earns_its_points_through_the_process_manager(
    ledger: Ledger, database: Database, runner: ProcessManagerRunner
) -> None:
    ada = customer(ledger, "ada@example.org")
    bought(ledger, ada, "120.50")
    purchase_position = ledger.head_position()
    catch_up(runner, database)
    assert ledger.get_loyalty_account(ada).pending(T0) == 120
    # Its own earning comes after what it read; the next catch-up passes over it.
    assert position_of(database, NAME) == purchase_position


def test_the_earning_is_recorded_as_the_system_caused_by_the_purchase(
    ledger: Ledger, database: Database, runner: ProcessManagerRunner
) -> None:
    ada = customer(ledger, "ada@example.org")
    order = bought(ledger, ada, "80")
    catch_up(runner, database)
    recorded = events_of(ledger, Purchase.id_for(order), Purchase.Recorded)[0]
    [earned] = earned_for(ledger, ada, order)
    meta = earned.metadata
    assert (meta.actor_id, meta.actor_role, meta.channel) == (
        "loyalty-earning",
        Role.SYSTEM,
        Channel.SYSTEM,
    )
    assert meta.correlation_id == recorded.metadata.correlation_id
    assert meta.causation_id == causation_id_of(recorded)
    assert earned.at == T0  # counted from the purchase, not from when it was processed


def test_a_non_members_purchase_is_passed_over_and_the_position_still_advances(
    ledger: Ledger, database: Database, runner: ProcessManagerRunner
) -> None:
    bo = customer(ledger, "bo@example.org", member=False)
    bought(ledger, bo, "80")
    assert catch_up(runner, database) == ledger.head_position()
    assert position_of(database, NAME) == ledger.head_position()
    assert ledger.find(LoyaltyAccount.id_for(bo)) is None


def test_an_event_whose_command_is_refused_is_logged_and_passed_over(
    ledger: Ledger, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    one_point_per_euro(ledger)
    ada = customer(ledger, "ada@example.org")
    refused, accepted = bought(ledger, ada, "10"), bought(ledger, ada, "20")
    manager = RefusesOrder()
    manager.refused = refused
    catch_up(ProcessManagerRunner(ledger, database, manager, batch_size=3), database)
    assert (len(earned_for(ledger, ada, refused)), len(earned_for(ledger, ada, accepted))) == (0, 1)
    assert "INVALID_INPUT" in caplog.text


def test_an_infrastructure_failure_stops_at_its_event_which_is_tried_again_later(
    ledger: Ledger, database: Database
) -> None:
    one_point_per_euro(ledger)
    ada = customer(ledger, "ada@example.org")
    order = bought(ledger, ada, "10")
    runner = ProcessManagerRunner(ledger, database, DatabaseFailsOnce(), batch_size=3)
    with pytest.raises(psycopg.OperationalError):
        catch_up(runner, database)
    assert position_of(database, NAME) == ledger.head_position() - 1  # just before the purchase
    catch_up(runner, database)
    assert len(earned_for(ledger, ada, order)) == 1


def test_a_refund_claws_back_the_refunded_share_of_the_points(
    ledger: Ledger, database: Database, runner: ProcessManagerRunner
) -> None:
    ada = customer(ledger, "ada@example.org")
    order = bought(ledger, ada, "100")
    catch_up(runner, database)
    ledger.refund_purchase(order, "40", AGENT, refunded_at=day(2))
    catch_up(runner, database)
    assert ledger.get_loyalty_account(ada).pending(day(2)) == 60
    clawed = [
        e for e in account_events(ledger, ada) if isinstance(e, LoyaltyAccount.PointsClawedBack)
    ]
    assert [(e.order_id, e.points) for e in clawed] == [(order, 40)]


def test_a_crash_after_the_command_before_the_position_earns_once_on_restart(
    ledger: Ledger, database: Database, runner: ProcessManagerRunner
) -> None:
    ada = customer(ledger, "ada@example.org")
    order = bought(ledger, ada, "50")
    crashing = CrashingRunner(ledger, database, LoyaltyEarning(), batch_size=3)
    with pytest.raises(CrashAfterTheCommand):
        catch_up(crashing, database)
    assert len(earned_for(ledger, ada, order)) == 1  # the command committed...
    assert position_of(database, NAME) == 0  # ...the position did not
    catch_up(runner, database)  # the restart delivers the purchase again
    assert len(earned_for(ledger, ada, order)) == 1
    assert ledger.get_loyalty_account(ada).pending(T0) == 50
    assert position_of(database, NAME) == ledger.head_position()  # nothing new was written


def test_following_the_whole_log_again_records_nothing_new(
    ledger: Ledger, database: Database, runner: ProcessManagerRunner
) -> None:
    ada = customer(ledger, "ada@example.org")
    order = bought(ledger, ada, "100")
    ledger.refund_purchase(order, "30", AGENT, refunded_at=day(1))
    catch_up(runner, database)
    before = account_events(ledger, ada)
    with database.connect() as conn:
        conn.execute("UPDATE cxl_projection_positions SET position = 0 WHERE name = %s", (NAME,))
    catch_up(runner, database)
    assert len(account_events(ledger, ada)) == len(before)


def test_two_workers_at_once_hold_one_lease_and_each_order_earns_once(
    ledger: Ledger,
    database: Database,
    runner: ProcessManagerRunner,
    workers: list[ProjectionWorker],
) -> None:
    members = [customer(ledger, f"m{i}@example.org") for i in range(4)]
    for _ in range(2):
        start_worker(ledger, database, workers)
    orders = [(member, bought(ledger, member, f"{10 + i}")) for i, member in enumerate(members * 2)]
    wait_until(lambda: position_of(database, NAME) >= ledger.head_position())
    assert leases_held(database) == 1
    assert [len(earned_for(ledger, member, order)) for member, order in orders] == [1] * 8
    assert all(worker.errors() == {} for worker in workers)


def test_a_purchase_recorded_while_following_live_is_credited_without_a_catch_up(
    ledger: Ledger,
    database: Database,
    runner: ProcessManagerRunner,
    workers: list[ProjectionWorker],
) -> None:
    ada = customer(ledger, "ada@example.org")
    start_worker(ledger, database, workers)
    wait_until(lambda: leases_held(database) == 1)
    order = bought(ledger, ada, "75")
    wait_until(lambda: len(earned_for(ledger, ada, order)) > 0)
    assert ledger.get_loyalty_account(ada).pending(T0) == 75


def leases_held(database: Database) -> int:
    with database.connect() as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = 0 AND objid = %s::bigint::oid AND database = "
            " (SELECT oid FROM pg_database WHERE datname = current_database())",
            (LEASE_KEY,),
        ).fetchone()
    return int(row[0]) if row else 0


def test_status_reports_the_process_managers_position_and_lag(
    ledger: Ledger, database: Database, runner: ProcessManagerRunner
) -> None:
    bo = customer(ledger, "bo@example.org", member=False)
    bought(ledger, bo, "80")
    catch_up(runner, database)
    ledger.register_customer(RegisterCustomer("Cy", "cy@example.org"), AGENT)
    result = subprocess.run(
        [*CXLEDGER, "status"],
        cwd=REPO,
        env=cli_env(database),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    head = ledger.head_position()
    managers = json.loads(result.stdout)["process_managers"]
    assert managers[NAME] == {"position": head - 2, "lag": 2, "parked": 0}
    assert managers["referral_rewards"] == {"position": 0, "lag": head, "parked": 0}  # not run


def test_the_project_worker_runs_the_process_manager(
    ledger: Ledger, database: Database, runner: ProcessManagerRunner
) -> None:
    ada = customer(ledger, "ada@example.org")
    order = bought(ledger, ada, "60")
    worker = subprocess.Popen([*CXLEDGER, "project"], cwd=REPO, env=cli_env(database))
    try:
        wait_until(lambda: len(earned_for(ledger, ada, order)) > 0, deadline_seconds=60)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    assert len(earned_for(ledger, ada, order)) == 1
    assert worker.returncode == 0
