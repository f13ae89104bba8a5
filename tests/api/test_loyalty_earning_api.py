"""End to end through the API: a purchase recorded by an agent earns its points through the
LoyaltyEarning process manager the server runs, and a refund claws its share back."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from tests.api.loyalty_steps import RULE_PAYLOAD, account, admin, member
from tests.api.steps import mutate
from tests.support.server import LiveApi


def eventually(api: LiveApi, customer_id: str, pending: int) -> dict[str, Any]:
    """The account once its pending points reach ``pending`` (the process manager runs
    behind the request); fails after a generous deadline."""
    deadline = time.monotonic() + 15
    while True:
        found = account(api, customer_id)
        if found["balance"]["pending"] == pending or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_a_recorded_purchase_earns_and_a_refund_claws_back(api: LiveApi) -> None:
    rule = {"name": "One point per euro", "kind": "BASE_RATE", "pointsPerUnit": 1}
    assert admin(api, "defineEarningRule", rule, RULE_PAYLOAD)["userErrors"] == []
    customer_id = member(api)
    purchase = {
        "customerId": customer_id,
        "orderId": "ORDER-EARN-1",
        "amount": "120.00",
        "currency": "EUR",
        "channel": "WEB",
        "purchasedAt": datetime.now(UTC).isoformat(),
    }
    assert mutate(api, "recordPurchase", purchase)["userErrors"] == []
    assert eventually(api, customer_id, 120)["balance"] == {"spendable": 0, "pending": 120}

    refund = {"orderId": "ORDER-EARN-1", "amount": "30.00"}
    assert mutate(api, "refundPurchase", refund)["userErrors"] == []
    assert eventually(api, customer_id, 90)["balance"]["pending"] == 90
