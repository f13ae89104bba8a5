"""`verifyAuditTrail` over the API: intact after normal use, the altered position after a
superuser changed a stored event behind the application's back, and a rewrite by someone holding
the audit key when an anchor is given; a bad anchor is a typed error."""

from __future__ import annotations

import time
from typing import Any

import pytest

from domain.shared.metadata import Role
from infrastructure.database import Database
from projections.audit.anchor import read_anchor
from tests.api.helpers import registered
from tests.support.audit import anchor_now, recompute_links, rewrite_event
from tests.support.ledgers import TEST_AUDIT_KEYS
from tests.support.server import LiveApi

QUERY = "{ verifyAuditTrail { intact chainedUpTo eventsChecked firstAlteredPosition problem } }"


def verification(api: LiveApi) -> dict[str, Any]:
    """Once the chain has caught up with the log (it follows the log like a read model)."""
    deadline = time.monotonic() + 15
    while True:
        body = api.graphql(QUERY, role=Role.AUDITOR).json()
        found: dict[str, Any] = body["data"]["verifyAuditTrail"]
        head = api.quiet_head()
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


ANCHORED = (
    "query($anchor: String) { verifyAuditTrail(anchor: $anchor) {"
    " intact firstAlteredPosition problem anchorPosition keyedFrom } }"
)


def test_an_auditor_checks_the_log_against_an_anchor_and_finds_a_key_holders_rewrite(
    api: LiveApi, database: Database
) -> None:
    for n in range(2):
        registered(api, email=f"anchored{n}@example.org")
    verification(api)  # the chain has caught up
    anchor = anchor_now(database, TEST_AUDIT_KEYS)
    position = read_anchor(TEST_AUDIT_KEYS.anchor, anchor).position
    body = api.graphql(ANCHORED, {"anchor": anchor}, role=Role.AUDITOR).json()
    assert body["data"]["verifyAuditTrail"] == {
        "intact": True,
        "firstAlteredPosition": None,
        "problem": None,
        "anchorPosition": position,
        "keyedFrom": 1,
    }
    rewrite_event(database, 1)
    recompute_links(database, TEST_AUDIT_KEYS.chain)
    found = api.graphql(ANCHORED, {"anchor": anchor}, role=Role.AUDITOR).json()
    result = found["data"]["verifyAuditTrail"]
    assert (result["intact"], result["firstAlteredPosition"], result["problem"]) == (
        False,
        position,
        "ANCHOR_MISMATCH",
    )


@pytest.mark.parametrize(
    "anchor",
    [
        "not an anchor",
        '{"kind": "cxledger-audit-anchor-v1", "position": 1, "head": "' + "0" * 64 + '",'
        ' "at": "2027-01-01T00:00:00+00:00", "signature": "' + "0" * 64 + '"}',
    ],
    ids=["malformed", "forged"],
)
def test_a_malformed_or_forged_anchor_is_an_invalid_anchor_error(api: LiveApi, anchor: str) -> None:
    body = api.graphql(ANCHORED, {"anchor": anchor}, role=Role.AUDITOR).json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID_ANCHOR"
    assert body["data"] is None


def test_an_anchor_with_a_range_not_starting_at_1_is_refused(api: LiveApi) -> None:
    query = '{ verifyAuditTrail(from: 2, anchor: "{}") { intact } }'
    body = api.graphql(query, role=Role.AUDITOR).json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
