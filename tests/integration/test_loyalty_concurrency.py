"""Points and stock under contention, on a real PostgreSQL event store.

50 simultaneous redemptions on an account that can afford 10 give exactly 10 successes and a
typed refusal for the rest; 20 members racing for a reward with 3 items left get 3 items and
the stock ends at zero, never below.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from uuid import UUID

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.loyalty.commands import AddReward
from domain.loyalty.values import RewardKind
from domain.shared.errors import DomainError
from domain.shared.metadata import Channel, EventMetadata, Role

AGENT = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.PHONE)
NOW = datetime.now(UTC)


def member_with(ledger: Ledger, n: int, points: int) -> UUID:
    command = RegisterCustomer(f"Member {n}", f"member{n}@example.org")
    customer_id = ledger.register_customer(command, AGENT).aggregate_id
    ledger.enrol_in_loyalty(customer_id, AGENT, now=NOW)
    ledger.adjust_points(customer_id, points, "welcome gift", AGENT, now=NOW)
    return customer_id


def outcome(redeem: Callable[[], object]) -> str:
    try:
        redeem()
    except DomainError as refusal:
        return refusal.code
    return "ok"


def race(tasks: list[Callable[[], object]]) -> Counter[str]:
    with ThreadPoolExecutor(16) as pool:
        return Counter(pool.map(outcome, tasks))


def test_fifty_redemptions_on_an_account_that_affords_ten_give_ten(ledger: Ledger) -> None:
    reward = ledger.add_reward(AddReward("Voucher", RewardKind.DISCOUNT, 100), AGENT, now=NOW)
    ada = member_with(ledger, 1, 1_000)

    def redeem() -> object:
        return ledger.redeem_reward(ada, reward.aggregate_id, AGENT, now=NOW)

    outcomes = race([redeem] * 50)

    assert outcomes == Counter({"ok": 10, "INSUFFICIENT_POINTS": 40})
    account = ledger.get_loyalty_account(ada)
    assert account.balance(NOW) == 0
    assert len(account.redemptions) == 10


def test_a_scarce_reward_is_never_oversold(ledger: Ledger) -> None:
    reward = ledger.add_reward(
        AddReward("Concert", RewardKind.EXPERIENCE, 50, stock=3), AGENT, now=NOW
    ).aggregate_id
    members = [member_with(ledger, n, 500) for n in range(20)]

    def redeem_for(customer_id: UUID) -> Callable[[], object]:
        return lambda: ledger.redeem_reward(customer_id, reward, AGENT, now=NOW)

    outcomes = race([redeem_for(m) for m in members])

    assert outcomes == Counter({"ok": 3, "OUT_OF_STOCK": 17})
    assert ledger.get_reward(reward).stock == 0
