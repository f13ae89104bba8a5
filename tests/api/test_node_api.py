"""Relay's node(id:) and nodes(ids:) over HTTP: every Node type read again by its id, as its
own query answers each caller; batches of mixed types and unknown ids; one read per type;
malformed and too many ids."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.shared.metadata import Role
from graphql_api.node import resolvers
from graphql_api.node.sources import SOURCES
from graphql_api.node_interface import MAX_NODE_IDS
from projections.nodes import NodeKind, node_kinds
from tests.api.helpers import assert_no_internals, error_codes, registered
from tests.api.loyalty_steps import reward
from tests.api.referral_steps import code_of, register_with, unique
from tests.api.survey_steps import answer, invite, published, token_in_log
from tests.api.survey_steps import customer as opted_in_customer
from tests.api.ticket_steps import open_ticket, opened
from tests.support.server import LiveApi, module_api

NODE = "query($id: ID!) { node(id: $id) { __typename id } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"


@dataclass(frozen=True)
class World:
    """One server; customer A (who has one of each kind of object) and customer B."""

    api: LiveApi
    a: str
    b: str
    ids: dict[NodeKind, str]
    """A's customer, ticket, survey response and referral; a survey and a reward."""
    b_ticket: str
    friend: str
    """The customer A referred (the friend of A's referral)."""


@pytest.fixture(scope="module")
def world(pg_admin: str) -> Iterator[World]:
    with module_api(pg_admin) as api:
        a = opted_in_customer(api)
        b = registered(api, name="Bea Other", email=unique("bea"))
        survey_id = published(api)
        invitation = invite(api, survey_id, a)
        assert invitation["userErrors"] == [], invitation
        answered = answer(api, token=token_in_log(api, invitation["invitationId"]), score=9)
        assert answered["userErrors"] == [], answered
        friend = register_with(api, unique(), code_of(api, a))
        assert friend["userErrors"] == [], friend
        ids = {
            NodeKind.CUSTOMER: a,
            NodeKind.TICKET: opened(api, a)["id"],
            NodeKind.SURVEY: survey_id,
            NodeKind.SURVEY_RESPONSE: answered["responseId"],
            NodeKind.REWARD: reward(api),
            NodeKind.REFERRAL: "",
        }
        b_ticket = opened(api, b)["id"]
        api.caught_up()
        referrals = api.graphql(
            "query($c: UUID!) { referralsOf(customerId: $c) { edges { node { id } } } }",
            {"c": a},
            Role.AGENT,
        ).json()["data"]["referralsOf"]["edges"]
        ids[NodeKind.REFERRAL] = referrals[0]["node"]["id"]
        yield World(api, a, b, ids, b_ticket, friend["customer"]["id"])


def ask(world: World, document: str, variables: dict[str, Any], caller: str) -> dict[str, Any]:
    """The body of the answer to ``caller``: a role's name, "a" or "b" (customers), or
    "anonymous"."""
    if caller == "anonymous":
        response = world.api.graphql(document, variables)
    elif caller in ("a", "b"):
        subject = world.a if caller == "a" else world.b
        response = world.api.graphql(document, variables, Role.CUSTOMER, subject)
    else:
        response = world.api.graphql(document, variables, Role(caller), f"{caller}-1")
    assert response.status_code == 200, response.text
    assert_no_internals(response)
    body: dict[str, Any] = response.json()
    return body


# --- each Node type reads back as its own query shows it -----------------------------------

# Each type's own query, the node's selection on it, and where the object sits in the answer.
OWN_QUERIES: dict[NodeKind, tuple[str, str, Callable[[dict[str, Any], str], Any]]] = {
    NodeKind.CUSTOMER: (
        "query($id: UUID!) { customer(id: $id) { id name email region registeredAt } }",
        "id name email region registeredAt",
        lambda data, _: data["customer"],
    ),
    NodeKind.TICKET: (
        "query($id: UUID!) { ticket(id: $id) { id customerId subject status priority } }",
        "id customerId subject status priority",
        lambda data, _: data["ticket"],
    ),
    NodeKind.SURVEY: (
        "query($id: UUID!) { survey(id: $id) { id kind title status version } }",
        "id kind title status version",
        lambda data, _: data["survey"],
    ),
    NodeKind.REWARD: (
        "{ rewards(first: 100) { edges { node { id name costPoints retired } } } }",
        "id name costPoints retired",
        lambda data, id_: next(
            e["node"] for e in data["rewards"]["edges"] if e["node"]["id"] == id_
        ),
    ),
    NodeKind.REFERRAL: (
        "query($c: UUID!) { referralsOf(customerId: $c) "
        "{ edges { node { id referrerId friendId stage } } } }",
        "id referrerId friendId stage",
        lambda data, id_: next(
            e["node"] for e in data["referralsOf"]["edges"] if e["node"]["id"] == id_
        ),
    ),
    NodeKind.SURVEY_RESPONSE: (
        "query($c: UUID!) { customer(id: $c) "
        "{ surveyResponses { edges { node { id surveyId score kind comment } } } } }",
        "id surveyId score kind comment",
        lambda data, id_: next(
            e["node"]
            for e in data["customer"]["surveyResponses"]["edges"]
            if e["node"]["id"] == id_
        ),
    ),
}


@pytest.mark.parametrize("kind", list(NodeKind), ids=str)
def test_node_answers_each_type_exactly_as_its_own_query(world: World, kind: NodeKind) -> None:
    """node(id:) on each Node type's id gives that type, with the same fields and values as
    the type's own query gives the same caller (an agent)."""
    own_query, selection, pick = OWN_QUERIES[kind]
    node_id = world.ids[kind]
    own = ask(world, own_query, {"id": node_id, "c": world.a}, "agent")
    assert "errors" not in own, own
    body = ask(
        world,
        f"query($id: ID!) {{ node(id: $id) {{ __typename ... on {kind} {{ {selection} }} }} }}",
        {"id": node_id},
        "agent",
    )
    assert "errors" not in body, body
    node = body["data"]["node"]
    assert node.pop("__typename") == kind.value
    assert node == pick(own["data"], node_id)
    assert node["id"] == node_id


def test_every_node_type_of_the_schema_is_covered() -> None:
    """Each type implementing Node has a read (SOURCES) and a row in the test above."""
    from graphql_api.schema import build_schema

    schema = build_schema()._schema
    node_interface = schema.get_type("Node")
    implementing = {
        name
        for name, t in schema.type_map.items()
        if node_interface in getattr(t, "interfaces", ())
    }
    assert implementing == {kind.value for kind in SOURCES} == {kind.value for kind in OWN_QUERIES}


# --- nodes: batches of mixed types, unknown and malformed ids ------------------------------


def test_nodes_answers_mixed_types_in_order_with_errors_at_the_unknown_ones(world: World) -> None:
    """nodes(ids:) answers each id at its index: the objects of several types, and null with
    NOT_FOUND for an unknown id or INVALID_INPUT for a malformed one at their own index."""
    unknown = str(uuid4())
    ids = [
        world.ids[NodeKind.TICKET],
        unknown,
        world.ids[NodeKind.CUSTOMER],
        "not-an-id",
        world.ids[NodeKind.SURVEY],
        world.ids[NodeKind.TICKET],
    ]
    body = ask(world, NODES, {"ids": ids}, "admin")
    answers = body["data"]["nodes"]
    assert [n and (n["__typename"], n["id"]) for n in answers] == [
        ("Ticket", ids[0]),
        None,
        ("Customer", ids[2]),
        None,
        ("Survey", ids[4]),
        ("Ticket", ids[5]),
    ]
    errors = sorted((e["path"], e["extensions"]["code"]) for e in body["errors"])
    assert errors == [(["nodes", 1], "NOT_FOUND"), (["nodes", 3], "INVALID_INPUT")]


def test_nodes_reads_each_type_once_however_many_ids_it_has(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch of several ids of each of two types costs one lookup of the ids' types and
    one read per type, not one per id."""
    reads: list[NodeKind] = []
    lookups: list[int] = []
    real_kinds = node_kinds

    async def counted_kinds(conn: Any, ids: Sequence[UUID]) -> dict[UUID, NodeKind]:
        lookups.append(len(ids))
        return await real_kinds(conn, ids)

    def counting(kind: NodeKind) -> Callable[[Any, Sequence[UUID]], Awaitable[Mapping[UUID, Any]]]:
        real = SOURCES[kind].read

        async def read(conn: Any, ids: Sequence[UUID]) -> Mapping[UUID, Any]:
            reads.append(kind)
            return await real(conn, ids)

        return read

    monkeypatch.setattr(resolvers, "node_kinds", counted_kinds)  # the name it calls
    for kind in (NodeKind.TICKET, NodeKind.CUSTOMER):
        monkeypatch.setitem(SOURCES, kind, replace(SOURCES[kind], read=counting(kind)))
    ids = [world.ids[NodeKind.TICKET], world.b_ticket, world.a, world.b, str(uuid4())]
    body = ask(world, NODES, {"ids": ids}, "agent")
    assert [n and n["__typename"] for n in body["data"]["nodes"]] == [
        "Ticket",
        "Ticket",
        "Customer",
        "Customer",
        None,
    ]
    assert lookups == [5]
    assert sorted(reads) == sorted([NodeKind.TICKET, NodeKind.CUSTOMER])


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "not-an-id",
        "12345",
        "0" * 32,  # a UUID's hex digits without their hyphens
        "{00000000-0000-0000-0000-000000000001}",
        "urn:uuid:00000000-0000-0000-0000-000000000001",
        "00000000-0000-0000-0000-00000000000g",
        "00000000-0000-0000-0000-000000000001\n",
        "x" * 10_000,
        "\u0661" * 36,  # Arabic-Indic digits: not hex, though int() reads them
    ],
)
def test_a_malformed_id_is_null_with_invalid_input(world: World, raw: str) -> None:
    """An id that is not a UUID in its canonical form is null with INVALID_INPUT, never a
    server error; so is the same id inside a batch, which still answers the others."""
    single = ask(world, NODE, {"id": raw}, "admin")
    assert single["data"]["node"] is None and error_codes(single) == ["INVALID_INPUT"]
    batch = ask(world, NODES, {"ids": [raw, world.a]}, "admin")
    assert batch["data"]["nodes"][0] is None and batch["data"]["nodes"][1]["id"] == world.a
    assert error_codes(batch) == ["INVALID_INPUT"]


def test_an_upper_case_id_names_the_same_object(world: World) -> None:
    """A UUID's hex digits may be sent in upper case; the object answers with its id as
    every field gives it (lower case)."""
    body = ask(world, NODE, {"id": world.a.upper()}, "agent")
    assert body["data"]["node"] == {"__typename": "Customer", "id": world.a}


def test_more_ids_than_nodes_takes_is_too_many_ids_and_reads_nothing(world: World) -> None:
    """Past MAX_NODE_IDS ids the whole field is refused with TOO_MANY_IDS; at the bound
    every id is answered."""
    too_many = ask(world, NODES, {"ids": [world.a] * (MAX_NODE_IDS + 1)}, "admin")
    assert too_many["data"] is None and error_codes(too_many) == ["TOO_MANY_IDS"]
    enough = ask(world, NODES, {"ids": [world.a] * MAX_NODE_IDS}, "admin")
    assert "errors" not in enough
    assert {n["id"] for n in enough["data"]["nodes"]} == {world.a}


def test_at_least_waits_for_a_write_and_refuses_a_bad_position(world: World) -> None:
    """node and nodes take a mutation's position as atLeast: the object it wrote is then
    there; a position that is not one is BAD_POSITION."""
    payload = open_ticket(world.api, world.a)
    ticket_id, position = payload["ticket"]["id"], payload["position"]
    document = "query($id: ID!, $p: String) { node(id: $id, atLeast: $p) { id } }"
    body = ask(world, document, {"id": ticket_id, "p": position}, "agent")
    assert body["data"]["node"] == {"id": ticket_id}
    batch = "query($ids: [ID!]!, $p: String) { nodes(ids: $ids, atLeast: $p) { id } }"
    body = ask(world, batch, {"ids": [ticket_id], "p": position}, "a")
    assert body["data"]["nodes"] == [{"id": ticket_id}]
    refused = ask(world, document, {"id": ticket_id, "p": "-1"}, "agent")
    assert refused["data"]["node"] is None and error_codes(refused) == ["BAD_POSITION"]


# --- who may read what through node ---------------------------------------------------------

STAFF_READERS = ("agent", "admin", "analyst", "auditor", "privacy_officer")
OK, NOT_FOUND, FORBIDDEN = "ok", "NOT_FOUND", "FORBIDDEN"
# What each caller gets for each of customer A's objects, as the type's own query decides:
# the customer, their tickets and survey responses for staff readers and A; the survey for
# staff readers; rewards for anyone logged in; referrals for agents, admins, privacy
# officers and the referrer A. B reads A's as unknown: NOT_FOUND, never FORBIDDEN.
EXPECTED: dict[NodeKind, dict[str, str]] = {
    NodeKind.CUSTOMER: {**dict.fromkeys(STAFF_READERS, OK), "a": OK, "b": NOT_FOUND},
    NodeKind.TICKET: {**dict.fromkeys(STAFF_READERS, OK), "a": OK, "b": NOT_FOUND},
    NodeKind.SURVEY_RESPONSE: {**dict.fromkeys(STAFF_READERS, OK), "a": OK, "b": NOT_FOUND},
    NodeKind.SURVEY: {**dict.fromkeys(STAFF_READERS, OK), "a": FORBIDDEN, "b": FORBIDDEN},
    NodeKind.REWARD: {**dict.fromkeys(STAFF_READERS, OK), "a": OK, "b": OK},
    NodeKind.REFERRAL: {
        **dict.fromkeys(("agent", "admin", "privacy_officer"), OK),
        **dict.fromkeys(("analyst", "auditor"), FORBIDDEN),
        "a": OK,
        "b": NOT_FOUND,
    },
}
ROLE_MATRIX = [
    pytest.param(kind, caller, outcome, id=f"{kind}-{caller}")
    for kind, outcomes in EXPECTED.items()
    for caller, outcome in outcomes.items()
]


@pytest.mark.parametrize(("kind", "caller", "outcome"), ROLE_MATRIX)
def test_node_answers_each_caller_as_the_type_s_own_query(
    world: World, kind: NodeKind, caller: str, outcome: str
) -> None:
    """node(id:) gives a caller the object exactly when the type's own query would, FORBIDDEN
    for a type their role may not read, and NOT_FOUND for another customer's object."""
    body = ask(world, NODE, {"id": world.ids[kind]}, caller)
    if outcome == OK:
        assert "errors" not in body, body
        assert body["data"]["node"] == {"__typename": kind.value, "id": world.ids[kind]}
    else:
        assert body["data"]["node"] is None and error_codes(body) == [outcome]


def test_another_customer_s_ticket_reads_exactly_like_an_unknown_id(world: World) -> None:
    """Customer A asking for B's ticket gets the very answer an id nobody holds gets, alone
    and in a batch, so ids cannot be probed through node."""
    hidden = ask(world, NODE, {"id": world.b_ticket}, "a")
    unknown = ask(world, NODE, {"id": str(uuid4())}, "a")
    assert hidden == unknown
    assert hidden["data"]["node"] is None and error_codes(hidden) == ["NOT_FOUND"]
    batch = ask(world, NODES, {"ids": [world.b_ticket, str(uuid4()), world.b]}, "a")
    assert batch["data"]["nodes"] == [None, None, None]
    messages = {(e["extensions"]["code"], e["message"]) for e in batch["errors"]}
    assert len(messages) == 1 and error_codes(batch) == ["NOT_FOUND"] * 3
    mine = ask(world, NODE, {"id": world.ids[NodeKind.TICKET]}, "a")
    assert mine["data"]["node"]["id"] == world.ids[NodeKind.TICKET]


def test_the_referred_friend_reads_their_referral_as_customer_360_shows_it(world: World) -> None:
    """The friend a referral brought reads it through node as through their Customer 360's
    referredBy: the same object."""
    referral_id = world.ids[NodeKind.REFERRAL]
    own = world.api.graphql(
        "query($id: UUID!) { customer(id: $id) { referrals { referredBy { id stage } } } }",
        {"id": world.friend},
        Role.CUSTOMER,
        world.friend,
    ).json()
    shown = own["data"]["customer"]["referrals"]["referredBy"]
    body = world.api.graphql(
        "query($id: ID!) { node(id: $id) { ... on Referral { id stage } } }",
        {"id": referral_id},
        Role.CUSTOMER,
        world.friend,
    ).json()
    assert "errors" not in body, body
    assert body["data"]["node"] == shown and shown["id"] == referral_id


@pytest.mark.parametrize("document", [NODE, NODES])
def test_anonymous_callers_are_refused_whatever_the_id(world: World, document: str) -> None:
    """node and nodes are for callers who are logged in: anonymous ones get FORBIDDEN before
    any id is looked up, for a known id as for an unknown one."""
    for node_id in (world.ids[NodeKind.REWARD], str(uuid4())):
        variables = {"id": node_id} if document == NODE else {"ids": [node_id]}
        body = ask(world, document, variables, "anonymous")
        assert not (body["data"] or {}).get("node") and error_codes(body) == ["FORBIDDEN"]


def test_personal_fields_through_node_are_null_for_roles_that_may_not_see_them(
    world: World,
) -> None:
    """A customer read through node redacts personal data as customer(id) does: an analyst
    gets null name and email, an agent gets them."""
    document = "query($id: ID!) { node(id: $id) { ... on Customer { id name email } } }"
    analyst = ask(world, document, {"id": world.a}, "analyst")["data"]["node"]
    agent = ask(world, document, {"id": world.a}, "agent")["data"]["node"]
    assert analyst == {"id": world.a, "name": None, "email": None}
    assert agent["name"] is not None and agent["email"] is not None
