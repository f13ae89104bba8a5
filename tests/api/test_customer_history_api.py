"""customerHistory and customerAsOf over HTTP, as an auditor's tool would use them: the history
in log order page by page, personal values hidden from auditors and clear for privacy officers,
secrets hidden from everyone, the customer's state replayed as of three instants, and who may
ask."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.customer.model import Customer
from domain.shared.metadata import Role
from domain.survey.model import Invitation
from tests.api.helpers import error_codes
from tests.integration.history_world import AGENT, World, populate
from tests.support.server import LiveApi, module_api

EVENT = (
    "position type time actorId actorRole channel correlationId causationId streamId"
    " streamKind streamVersion data"
)
HISTORY = f"""
query H($id: UUID!, $first: Int!, $after: String, $from: DateTime, $to: DateTime) {{
  customerHistory(customerId: $id, first: $first, after: $after, from: $from, to: $to) {{
    edges {{ cursor node {{ {EVENT} }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""
STATE = "kind id version createdAt modifiedAt state figures"
AS_OF = f"""
query A($id: UUID!, $at: DateTime!) {{
  customerAsOf(customerId: $id, at: $at) {{ at customer {{ {STATE} }} related {{ {STATE} }} }}
}}
"""


@dataclass(frozen=True)
class Scene:
    api: LiveApi
    world: World


@pytest.fixture(scope="module")
def scene(pg_admin: str) -> Iterator[Scene]:
    with module_api(pg_admin) as api:
        world = populate(api.ledger)
        api.ledger.request_password_reset("ada@example.org", AGENT)
        caught_up(api)
        yield Scene(api, world)


def caught_up(api: LiveApi, seconds: float = 15) -> None:
    deadline, head = time.monotonic() + seconds, api.ledger.head_position()
    with api.database.connect() as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT position FROM cxl_projection_positions WHERE name = 'customer_history'"
            ).fetchone()
            conn.commit()
            if row is not None and row[0] >= head:
                return
            time.sleep(0.05)
    raise AssertionError("the customer history index did not catch up")


def ask(api: LiveApi, document: str, variables: dict[str, Any], role: Role) -> dict[str, Any]:
    response = api.graphql(document, variables, role=role, subject=f"{role.value}-1")
    body: dict[str, Any] = response.json()
    return body


def history(scene: Scene, role: Role, first: int = 100, **more: Any) -> list[dict[str, Any]]:
    """Every event of Ada's history, read page by page."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        variables = {"id": str(scene.world.ada), "first": first, "after": after, **more}
        body = ask(scene.api, HISTORY, variables, role)
        assert "errors" not in body, body
        page = body["data"]["customerHistory"]
        nodes += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def of_type(nodes: list[dict[str, Any]], event_type: str) -> dict[str, Any]:
    return next(node for node in nodes if node["type"] == event_type)


def test_an_auditor_reads_every_event_in_log_order_page_by_page(scene: Scene) -> None:
    ledger = scene.api.ledger
    streams = {str(s) for s in scene.world.ada_streams.values()}
    in_log = [
        str(row.id)
        for row in ledger.recorder.select_notifications(start=1, limit=10_000)
        if str(row.originator_id) in streams
    ]

    nodes = history(scene, Role.AUDITOR, first=4)

    assert [node["position"] for node in nodes] == in_log
    assert [node["type"] for node in nodes[:3]] == [
        "Customer.Registered", "Customer.PasswordSet", "Purchase.Recorded",
    ]  # fmt: skip
    resolved = of_type(nodes, "Ticket.Resolved")
    assert (resolved["streamKind"], resolved["streamId"]) == ("Ticket", str(scene.world.ticket))
    assert (resolved["actorRole"], resolved["channel"], resolved["streamVersion"]) == (
        "agent", "phone", 3,
    )  # fmt: skip


HISTORY_BACKWARD = """
query H($id: UUID!, $before: String) {
  customerHistory(customerId: $id, last: 4, before: $before) {
    edges { node { position } }
    pageInfo { hasPreviousPage hasNextPage startCursor }
  }
}
"""


def test_an_auditor_reads_the_history_backward_in_log_order(scene: Scene) -> None:
    forward = [node["position"] for node in history(scene, Role.AUDITOR, first=4)]
    backward: list[str] = []
    before = None
    while True:
        body = ask(
            scene.api,
            HISTORY_BACKWARD,
            {"id": str(scene.world.ada), "before": before},
            Role.AUDITOR,
        )
        assert "errors" not in body, body
        page = body["data"]["customerHistory"]
        assert page["pageInfo"]["hasNextPage"] is (before is not None)
        backward = [edge["node"]["position"] for edge in page["edges"]] + backward
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert backward == forward and len(forward) > 4


def test_an_auditor_sees_personal_values_hidden_and_no_staff_ids(scene: Scene) -> None:
    nodes = history(scene, Role.AUDITOR)

    registered = of_type(nodes, "Customer.Registered")
    assert registered["data"]["name"] == registered["data"]["email"] == "[hidden]"
    assert registered["data"]["region"] == "EU" and registered["actorId"] is None
    assert of_type(nodes, "Ticket.Resolved")["data"]["resolution"] == "[hidden]"
    assert of_type(nodes, "Invitation.Responded")["data"]["comment"] == "[hidden]"
    assert of_type(nodes, "Invitation.Responded")["data"]["score"] == 9
    assert of_type(nodes, "Referrer.FriendConverted")["data"]["friend_id"] == "[hidden]"


def test_a_privacy_officer_sees_the_clear_values(scene: Scene) -> None:
    nodes = history(scene, Role.PRIVACY_OFFICER)

    assert of_type(nodes, "Customer.Registered")["data"]["name"] == "Ada Lovelace"
    assert of_type(nodes, "Customer.NameChanged")["data"]["name"] == "Ada King"
    assert of_type(nodes, "Ticket.Resolved")["data"]["resolution"] == "Reshipped to Ada"
    assert of_type(nodes, "Ticket.Resolved")["actorId"] == "agent-7"
    converted = of_type(nodes, "Referrer.FriendConverted")["data"]
    assert converted["friend_id"] == str(scene.world.bo)


def test_no_password_hash_token_or_digest_ever_appears(scene: Scene) -> None:
    secrets = stored_secrets(scene)
    now = {"id": str(scene.world.ada), "at": "2100-01-01T00:00:00Z"}

    for role in (Role.AUDITOR, Role.PRIVACY_OFFICER, Role.ADMIN, Role.AGENT):
        text = json.dumps(history(scene, role))
        if role is not Role.AGENT:
            text += json.dumps(ask(scene.api, AS_OF, now, role))
        assert not [secret for secret in secrets if secret in text], role
        assert '"password_hash": "[hidden]"' in text and '"token_digest": "[hidden]"' in text


def stored_secrets(scene: Scene) -> list[str]:
    """The password hash, reset and survey tokens and their digests, as the log holds them."""
    ledger, world = scene.api.ledger, scene.world
    found: list[str] = []
    for event in [
        *ledger.repository.event_store.get(world.ada),
        *ledger.repository.event_store.get(world.ada_streams["Invitation"]),
    ]:
        if isinstance(event, Customer.PasswordSet):
            found.append(str(event.password_hash.value))
        if isinstance(event, (Customer.PasswordResetRequested, Invitation.Issued)):
            found += [str(event.token_digest), str(event.token.value if event.token else None)]
    assert len(found) == 5 and all(len(secret) > 20 for secret in found), found
    return found


def test_the_customer_as_of_three_instants_is_the_customer_as_they_were_then(
    scene: Scene,
) -> None:
    nodes = history(scene, Role.PRIVACY_OFFICER)
    enrolled = of_type(nodes, "LoyaltyAccount.Enrolled")["time"]
    assigned = of_type(nodes, "Ticket.Assigned")["time"]
    renamed = of_type(nodes, "Customer.NameChanged")["time"]

    first, second, third = (as_of(scene, at) for at in (enrolled, assigned, renamed))

    assert [s["state"]["name"] for s in (first, second, third)] == ["Ada Lovelace"] * 2 + [
        "Ada King"
    ]
    assert (
        "Ticket" not in kinds(first) and first["LoyaltyAccount"]["figures"]["spendable_points"] == 0
    )
    assert second["LoyaltyAccount"]["figures"]["spendable_points"] == 50
    assert second["Ticket"]["state"]["status_name"] == "open"
    assert third["Ticket"]["state"]["status_name"] == "resolved"
    assert "Referrer" not in kinds(third) and "Referral" not in kinds(third)


def as_of(scene: Scene, at: str) -> dict[str, Any]:
    """The customer's state at ``at``, with each related aggregate under its kind."""
    body = ask(scene.api, AS_OF, {"id": str(scene.world.ada), "at": at}, Role.PRIVACY_OFFICER)
    assert "errors" not in body, body
    found = body["data"]["customerAsOf"]
    assert found["customer"]["kind"] == "Customer" and found["customer"]["id"] == str(
        scene.world.ada
    )
    return {**found["customer"], **{s["kind"]: s for s in found["related"]}}


def kinds(state: dict[str, Any]) -> set[str]:
    return {key for key in state if key[0].isupper()}


def test_before_registering_the_customer_as_of_is_null_and_later_streams_are_present(
    scene: Scene,
) -> None:
    registered = of_type(history(scene, Role.ADMIN), "Customer.Registered")["time"]
    before = (datetime.fromisoformat(registered) - timedelta(microseconds=1)).isoformat()

    body = ask(scene.api, AS_OF, {"id": str(scene.world.ada), "at": before}, Role.AUDITOR)
    later = as_of(scene, "2100-01-01T00:00:00+00:00")

    assert body["data"]["customerAsOf"] is None
    assert kinds(later) == set(scene.world.ada_streams) - {"Customer"}


def test_an_auditor_replays_personal_values_hidden(scene: Scene) -> None:
    at = {"id": str(scene.world.ada), "at": "2100-01-01T00:00:00Z"}
    found = ask(scene.api, AS_OF, at, Role.AUDITOR)["data"]["customerAsOf"]

    assert found["customer"]["state"]["name"] == "[hidden]"
    assert found["customer"]["state"]["region"] == "EU"


@pytest.mark.parametrize("query", [HISTORY, AS_OF])
def test_customers_are_forbidden_even_for_themselves(scene: Scene, query: str) -> None:
    ada = str(scene.world.ada)
    variables = {"id": ada, "first": 10, "at": "2100-01-01T00:00:00Z"}
    used = {k: v for k, v in variables.items() if f"${k}" in query}
    response = scene.api.graphql(query, used, role=Role.CUSTOMER, subject=ada)

    assert error_codes(response.json()) == ["FORBIDDEN"]


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (HISTORY, {"first": 10, "from": "2026-01-01T00:00:00"}),
        (HISTORY, {"first": 10, "to": "2026-01-01T00:00:00"}),
        (AS_OF, {"at": "2026-01-01T00:00:00"}),
    ],
)
def test_a_time_without_a_zone_is_invalid_input(
    scene: Scene, query: str, variables: dict[str, Any]
) -> None:
    body = ask(scene.api, query, {"id": str(scene.world.ada), **variables}, Role.AUDITOR)

    assert error_codes(body) == ["INVALID_INPUT"]


def test_a_page_of_more_than_100_is_refused(scene: Scene) -> None:
    body = ask(scene.api, HISTORY, {"id": str(scene.world.ada), "first": 101}, Role.AUDITOR)

    assert error_codes(body) == ["BAD_PAGE_SIZE"]


def test_an_unknown_customer_has_an_empty_history_and_no_state(scene: Scene) -> None:
    unknown = str(UUID(int=7))
    body = ask(scene.api, HISTORY, {"id": unknown, "first": 10}, Role.AUDITOR)
    none = ask(scene.api, AS_OF, {"id": unknown, "at": "2100-01-01T00:00:00Z"}, Role.AUDITOR)

    assert body["data"]["customerHistory"]["edges"] == []
    assert none["data"]["customerAsOf"] is None
