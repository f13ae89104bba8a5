"""`verifyAuditTrail` over the API: intact after normal use, and the altered position after a
superuser changed a stored event behind the application's back."""

from __future__ import annotations

import time
from typing import Any

from domain.shared.metadata import Role
from infrastructure.database import Database
from tests.api.helpers import registered
from tests.support.server import LiveApi

QUERY = "{ verifyAuditTrail { intact chainedUpTo eventsChecked firstAlteredPosition problem } }"


def verification(api: LiveApi) -> dict[str, Any]:
    """Once the chain has caught up with the log (it follows the log like a read model)."""
    deadline = time.monotonic() + 15
    while True:
        body = api.graphql(QUERY, role=Role.AUDITOR).json()
        found: dict[str, Any] = body["data"]["verifyAuditTrail"]
        head = api.ledger.head_position()
        if found["chainedUpTo"] >= head or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_an_auditor_verifies_the_log_and_finds_the_altered_position(
    api: LiveApi, database: Database
) -> None:
    for n in range(3):
        registered(api, email=f"person{n}@example.org")
    intact = verification(api)
    assert intact == {
        "intact": True,
        "chainedUpTo": api.ledger.head_position(),
        "eventsChecked": api.ledger.head_position(),
        "firstAlteredPosition": None,
        "problem": None,
    }
    with database.connect() as conn:
        conn.execute("SET session_replication_role = replica")  # a superuser, no triggers
        conn.execute("UPDATE ledger_events SET state = state || ' ' WHERE notification_id = 4")
        conn.commit()
    altered = verification(api)
    assert (altered["intact"], altered["firstAlteredPosition"], altered["problem"]) == (
        False,
        4,
        "ALTERED",
    )


def test_a_range_that_ends_before_it_starts_is_refused(api: LiveApi) -> None:
    body = api.graphql("{ verifyAuditTrail(from: 5, to: 2) { intact } }", role=Role.AUDITOR).json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
