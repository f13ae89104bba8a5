"""A process manager parks too: an event whose reaction fails every try (a bug, not a refusal)
is parked in the transaction that moves its position past it, the other purchases still earn,
and replaying it once fixed has its effect exactly once, even when the failed reaction had
already committed its command."""

from __future__ import annotations

from domain.ledger import Ledger
from domain.loyalty.policies import LoyaltyEarning
from domain.purchase.model import Purchase
from domain.shared.application import LedgerCore
from domain.shared.process_manager import reacts_to
from infrastructure.database import Database
from infrastructure.parking import RetryPolicy
from infrastructure.process_manager_runner import ProcessManagerRunner
from infrastructure.retry_parked import retry_parked
from projections.parked import ParkedEvent, parked_events
from tests.integration.loyalty_steps import (
    bought,
    catch_up,
    customer,
    earned_for,
    one_point_per_euro,
    position_of,
)

NAME = LoyaltyEarning.name
QUICK = RetryPolicy(max_attempts=2, backoff_seconds=0.001)


class BuggyEarning(LoyaltyEarning):
    """Loyalty earning with a bug for one order: before its command, or after it committed."""

    def __init__(self, order_id: str, *, after_the_command: bool = False) -> None:
        self.order_id = order_id
        self.after_the_command = after_the_command
        self.tries = 0

    @reacts_to(Purchase.Recorded)
    def purchase_recorded(self, ledger: LedgerCore, event: Purchase.Recorded) -> object:
        if event.order_id != self.order_id:
            return super().purchase_recorded(ledger, event)
        self.tries += 1
        if self.after_the_command:
            super().purchase_recorded(ledger, event)
        raise RuntimeError("a bug in the reaction")


def runner(ledger: Ledger, database: Database, manager: LoyaltyEarning) -> ProcessManagerRunner:
    return ProcessManagerRunner(ledger, database, manager, batch_size=10, policy=QUICK)


def parked(database: Database) -> list[ParkedEvent]:
    with database.connect() as conn:
        return parked_events(conn, NAME)


def test_a_reaction_that_fails_every_try_is_parked_and_the_other_purchases_earn(
    ledger: Ledger, database: Database
) -> None:
    one_point_per_euro(ledger)
    ada = customer(ledger, "ada@example.org")
    first, broken, last = (
        bought(ledger, ada, "10"),
        bought(ledger, ada, "20"),
        bought(ledger, ada, "30"),
    )
    buggy = BuggyEarning(broken)

    catch_up(runner(ledger, database, buggy), database)
    restarted = BuggyEarning(broken)
    catch_up(runner(ledger, database, restarted), database)

    assert [len(earned_for(ledger, ada, o)) for o in (first, broken, last)] == [1, 0, 1]
    assert position_of(database, NAME) == ledger.head_position()
    [event] = parked(database)
    assert (event.topic, event.attempts, event.error_class) == (
        "domain.purchase.model:Purchase.Recorded",
        QUICK.max_attempts,
        "RuntimeError",
    )
    assert (buggy.tries, restarted.tries) == (QUICK.max_attempts, 0)


def test_replaying_a_parked_reaction_earns_once_once_it_is_fixed(
    ledger: Ledger, database: Database
) -> None:
    one_point_per_euro(ledger)
    ada = customer(ledger, "ada@example.org")
    broken = bought(ledger, ada, "20")
    catch_up(runner(ledger, database, BuggyEarning(broken)), database)

    summary = retry_parked(runner(ledger, database, LoyaltyEarning()))
    again = retry_parked(runner(ledger, database, LoyaltyEarning()))

    assert summary.all_applied and len(summary.applied) == 1 and again.applied == []
    assert len(earned_for(ledger, ada, broken)) == 1
    assert parked(database) == []


def test_a_reaction_that_failed_after_its_command_committed_is_not_repeated_by_the_replay(
    ledger: Ledger, database: Database
) -> None:
    one_point_per_euro(ledger)
    ada = customer(ledger, "ada@example.org")
    broken = bought(ledger, ada, "20")
    catch_up(runner(ledger, database, BuggyEarning(broken, after_the_command=True)), database)
    assert len(earned_for(ledger, ada, broken)) == 1 and len(parked(database)) == 1
    head = ledger.head_position()

    summary = retry_parked(runner(ledger, database, LoyaltyEarning()))

    assert summary.all_applied
    assert len(earned_for(ledger, ada, broken)) == 1
    assert ledger.head_position() == head  # the idempotent command wrote nothing new
