"""The referral process manager through the real runner: a referred friend's first qualifying
purchase rewards both sides, exactly once across a crash between the command's commit and the
position's; a side not enrolled in loyalty is enrolled by the reward (the documented rule: the
reward never waits)."""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

import pytest
from eventsourcing.persistence import Notification

from domain.ledger import Ledger
from domain.loyalty.account import LoyaltyAccount
from domain.referral.model import Referral
from domain.referral.policies import ReferralRewards
from infrastructure.database import Database
from infrastructure.process_manager_runner import ProcessManagerRunner
from tests.integration.loyalty_steps import (
    AGENT,
    T0,
    account_events,
    bought,
    catch_up,
    customer,
    day,
    position_of,
)
from tests.support.events import events_of

NAME = ReferralRewards.name
REFERRER_POINTS, FRIEND_POINTS = 500, 250  # the program's default terms

E = TypeVar("E")


class CrashAfterTheCommand(BaseException):
    """The process dies between the command's commit and the position's."""


class CrashingRunner(ProcessManagerRunner):
    def react(self, notification: Notification) -> None:
        super().react(notification)
        raise CrashAfterTheCommand


@pytest.fixture
def runner(ledger: Ledger, database: Database) -> ProcessManagerRunner:
    return ProcessManagerRunner(ledger, database, ReferralRewards(), batch_size=3)


def referred(ledger: Ledger, *, members: bool = False) -> tuple[UUID, UUID]:
    """Ada refers Bo (neither enrolled in loyalty unless ``members``)."""
    ada = customer(ledger, "ada@example.org", member=members)
    bo = customer(ledger, "bo@example.org", member=members)
    ledger.issue_referral_code(ada, AGENT, now=day(-2))
    ledger.convert_referral(bo, ledger.get_referrer(ada).code, AGENT, now=day(-1))
    return ada, bo


def referral_events(ledger: Ledger, friend_id: UUID, kind: type[E]) -> list[E]:
    return events_of(ledger, Referral.id_for(friend_id), kind)


def referral_awards(ledger: Ledger, customer_id: UUID) -> list[LoyaltyAccount.PointsEarned]:
    return [
        e
        for e in account_events(ledger, customer_id)
        if isinstance(e, LoyaltyAccount.PointsEarned) and e.cause.get("kind") == "referral"
    ]


def enrolments(ledger: Ledger, customer_id: UUID) -> list[LoyaltyAccount.Enrolled]:
    return events_of(ledger, LoyaltyAccount.id_for(customer_id), LoyaltyAccount.Enrolled)


def test_a_friends_qualifying_purchase_rewards_both_sides_once(
    ledger: Ledger, database: Database, runner: ProcessManagerRunner
) -> None:
    ada, bo = referred(ledger, members=True)
    bought(ledger, bo, "30")
    bought(ledger, bo, "40", day(1))  # a second qualifying purchase pays nobody again
    purchases_head = ledger.head_position()
    catch_up(runner, database)
    assert len(referral_events(ledger, bo, Referral.Rewarded)) == 1
    assert [(e.points, e.at) for e in referral_awards(ledger, ada)] == [(REFERRER_POINTS, T0)]
    assert [(e.points, e.at) for e in referral_awards(ledger, bo)] == [(FRIEND_POINTS, T0)]
    assert ledger.get_loyalty_account(ada).balance(day(2)) == REFERRER_POINTS
    # Its own reward comes after what it read; the next catch-up passes over it.
    assert position_of(database, NAME) == purchases_head


def test_a_purchase_below_the_qualifying_amount_rewards_nobody(
    ledger: Ledger, database: Database, runner: ProcessManagerRunner
) -> None:
    ada, bo = referred(ledger, members=True)
    bought(ledger, bo, "19.99")
    catch_up(runner, database)
    assert referral_events(ledger, bo, Referral.Qualified) == []
    assert (referral_awards(ledger, ada), referral_awards(ledger, bo)) == ([], [])


def test_a_crash_after_the_command_before_the_position_rewards_once_on_restart(
    ledger: Ledger, database: Database, runner: ProcessManagerRunner
) -> None:
    ada, bo = referred(ledger)
    order = bought(ledger, bo, "30")
    crashing = CrashingRunner(ledger, database, ReferralRewards(), batch_size=3)
    with pytest.raises(CrashAfterTheCommand):
        catch_up(crashing, database)
    assert len(referral_events(ledger, bo, Referral.Rewarded)) == 1  # the command committed...
    assert position_of(database, NAME) == 0  # ...the position did not
    head = ledger.head_position()

    catch_up(runner, database)  # the restart delivers the purchase again

    assert ledger.head_position() == head  # nothing new was written
    assert position_of(database, NAME) == head
    [qualified] = referral_events(ledger, bo, Referral.Qualified)
    assert qualified.order_id == order
    assert len(referral_events(ledger, bo, Referral.Rewarded)) == 1
    for side, points in ((ada, REFERRER_POINTS), (bo, FRIEND_POINTS)):
        [award] = referral_awards(ledger, side)
        account = ledger.get_loyalty_account(side)
        assert [lot["points"] for lot in account.lots.values()] == [points]
        assert award.lot_id in {UUID(str(lot["lot_id"])) for lot in account.lots.values()}


def test_following_the_whole_log_again_rewards_nobody_twice(
    ledger: Ledger, database: Database, runner: ProcessManagerRunner
) -> None:
    _, bo = referred(ledger)
    bought(ledger, bo, "30")
    catch_up(runner, database)
    head = ledger.head_position()
    with database.connect() as conn:
        conn.execute("UPDATE cxl_projection_positions SET position = 0 WHERE name = %s", (NAME,))
    catch_up(runner, database)
    assert ledger.head_position() == head


def test_a_referrer_not_enrolled_is_enrolled_by_the_reward(
    ledger: Ledger, database: Database, runner: ProcessManagerRunner
) -> None:
    ada, bo = referred(ledger)
    assert ledger.find(LoyaltyAccount.id_for(ada)) is None
    bought(ledger, bo, "30")
    catch_up(runner, database)
    for side, points in ((ada, REFERRER_POINTS), (bo, FRIEND_POINTS)):
        [enrolled] = enrolments(ledger, side)
        assert enrolled.at == T0
        assert ledger.get_loyalty_account(side).balance(day(1)) == points
    # The enrolment is the reward's own doing: caused by the same purchase, by the manager.
    [rewarded] = referral_events(ledger, bo, Referral.Rewarded)
    by = enrolments(ledger, ada)[0].metadata
    assert by.causation_id == rewarded.metadata.causation_id
    assert by.actor_id == ReferralRewards.actor_id


def test_a_purchase_by_a_customer_nobody_referred_is_passed_over(
    ledger: Ledger, database: Database, runner: ProcessManagerRunner
) -> None:
    cy = customer(ledger, "cy@example.org", member=False)
    bought(ledger, cy, "30")
    head = ledger.head_position()
    assert catch_up(runner, database) == head
    assert ledger.find(LoyaltyAccount.id_for(cy)) is None
