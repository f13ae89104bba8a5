"""Hostile text in every text input of the account mutations, sent over HTTP: control
characters, huge strings, any unicode. The answer is never a 500 nor a stack trace, and nothing
is half-written: the log moves only by a whole successful command."""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.customer.commands import RegisterCustomer
from domain.customer.model import Customer
from domain.customer.values import normalise_email
from domain.shared.errors import ValidationError
from domain.shared.metadata import EventMetadata, Role
from tests.api.helpers import assert_no_internals
from tests.support.ledgers import postgres_ledger
from tests.support.postgres import fresh_database
from tests.support.server import LiveApi, live_api

PASSWORD = "correct horse battery"
EMAIL = "selma@example.org"

HOSTILE = st.one_of(
    st.text(),
    st.text(st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Zs", "Mn"]), max_size=30),
    st.builds(operator.mul, st.text(min_size=1, max_size=4), st.integers(300, 60_000)),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            f"{EMAIL}\x00",
            "' OR 1=1; --",
            "\u202eorg.elpmaxe@lesmes",
            "𝔰𝔢𝔩𝔪𝔞@example.org",
            "a" * 64 + "@" + "b" * 250 + ".org",
            "{{7*7}}",
            "%s%n%x",
        ]
    ),
)


@dataclass
class World:
    api: LiveApi
    customer_id: str


@pytest.fixture(scope="module")
def world(pg_admin: str) -> Iterator[World]:
    with (
        fresh_database(pg_admin) as database,
        postgres_ledger(database) as ledger,
        live_api(ledger, database) as api,
    ):
        command = RegisterCustomer("Selma Lagerlöf", EMAIL, password=PASSWORD)
        result = ledger.register_customer(command, EventMetadata.system())
        yield World(api, str(result.aggregate_id))


@dataclass(frozen=True)
class Mutation:
    """A mutation with valid input, the writes it makes when it succeeds, and how to set the
    stage before each example (so that a success in one leaves the next one valid)."""

    document: str
    valid: Callable[[World], dict[str, Any]]
    role: Callable[[World], tuple[Role | None, str]]
    writes: Callable[[str, str, bool], int]
    """Events a request writes, given the hostile field, its text and whether it was accepted."""
    prepare: Callable[[World], None] = lambda world: None


def _anonymous(world: World) -> tuple[Role | None, str]:
    return None, "anonymous"


def _forget_throttles(world: World) -> None:
    """Each example starts unthrottled: failed log-ins, wrong current passwords and reset
    cooldowns of earlier examples would otherwise change what a valid input does."""
    with world.api.database.connect() as conn:
        conn.execute("DELETE FROM cxl_throttle_counters")


def _new_reset_token(world: World) -> None:
    world.api.ledger.request_password_reset(EMAIL, EventMetadata.system())


def _original_password(world: World) -> None:
    ledger, customer_id = world.api.ledger, UUID(world.customer_id)
    customer = ledger.get_customer(customer_id)
    assert customer.password_hash is not None and customer.password_hash.value is not None
    if not ledger.passwords.verify(customer.password_hash.value, PASSWORD):
        _new_reset_token(world)
        ledger.reset_password(_latest_token(world), PASSWORD, EventMetadata.system())


def _unthrottled_original_password(world: World) -> None:
    _forget_throttles(world)
    _original_password(world)


def _fresh_reset_token(world: World) -> None:
    _original_password(world)
    _new_reset_token(world)


def _latest_token(world: World) -> str:
    events = world.api.ledger.events.get(UUID(world.customer_id))
    requested = [e for e in events if isinstance(e, Customer.PasswordResetRequested)]
    token = requested[-1].token.value
    assert isinstance(token, str)
    return token


def _registration_writes(field: str, text: str, accepted: bool) -> int:
    """The customer and the email claim, and the password set if one was given; a referral
    code (hostile text is never a valid one) would add the conversion's two events."""
    if not accepted:
        return 0
    return {"password": 3, "referralCode": 4}.get(field, 2)


def _is_the_customers_email(text: str) -> bool:
    try:
        return normalise_email(text) == EMAIL
    except ValidationError:
        return False


MUTATIONS: dict[str, Mutation] = {
    "logIn": Mutation(
        "mutation($i: LogInInput!) { logIn(input: $i) { token userErrors { code } } }",
        lambda w: {"email": EMAIL, "password": PASSWORD},
        _anonymous,
        writes=lambda field, text, accepted: 0,
        prepare=_forget_throttles,
    ),
    "requestPasswordReset": Mutation(
        "mutation($i: RequestPasswordResetInput!) { requestPasswordReset(input: $i) "
        "{ accepted userErrors { code } } }",
        lambda w: {"email": f"{uuid4().hex}@example.org"},
        _anonymous,
        writes=lambda field, text, accepted: 1 if _is_the_customers_email(text) else 0,
        prepare=_forget_throttles,
    ),
    "resetPassword": Mutation(
        "mutation($i: ResetPasswordInput!) { resetPassword(input: $i) { userErrors { code } } }",
        lambda w: {"token": _latest_token(w), "newPassword": "a brand new passphrase"},
        _anonymous,
        writes=lambda field, text, accepted: 2 if accepted else 0,  # password, sessions revoked
        prepare=_fresh_reset_token,
    ),
    "changePassword": Mutation(
        "mutation($i: ChangePasswordInput!) { changePassword(input: $i) { userErrors { code } } }",
        lambda w: {
            "customerId": w.customer_id,
            "currentPassword": PASSWORD,
            "newPassword": "a brand new passphrase",
        },
        lambda w: (Role.CUSTOMER, w.customer_id),
        writes=lambda field, text, accepted: 2 if accepted else 0,  # password, sessions revoked
        prepare=_unthrottled_original_password,
    ),
    "registerCustomer": Mutation(
        "mutation($i: RegisterCustomerInput!) { registerCustomer(input: $i) "
        "{ customer { id } userErrors { code } } }",
        lambda w: {
            "name": "New Person",
            "email": f"{uuid4().hex}@example.org",
            "phone": "+44 20 7946 0000",
            "region": "UK",
        },
        lambda w: (Role.AGENT, "agent-1"),
        writes=_registration_writes,
    ),
}

TEXT_INPUTS = [
    ("logIn", "email"),
    ("logIn", "password"),
    ("requestPasswordReset", "email"),
    ("resetPassword", "token"),
    ("resetPassword", "newPassword"),
    ("changePassword", "currentPassword"),
    ("changePassword", "newPassword"),
    ("registerCustomer", "name"),
    ("registerCustomer", "email"),
    ("registerCustomer", "phone"),
    ("registerCustomer", "region"),
    ("registerCustomer", "password"),
    ("registerCustomer", "referralCode"),
]


def test_every_text_input_of_these_mutations_is_covered() -> None:
    from graphql_api.schema import build_schema

    schema = build_schema()._schema
    assert schema.mutation_type is not None
    covered = set(TEXT_INPUTS)
    missing = []
    for name in MUTATIONS:
        input_type = schema.mutation_type.fields[name].args["input"].type.of_type
        for field, definition in input_type.fields.items():
            text = str(definition.type).rstrip("!") == "String"
            if text and (name, field) not in covered:
                missing.append((name, field))
    assert missing == []


@pytest.mark.parametrize(("name", "field"), TEXT_INPUTS, ids=lambda v: str(v))
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=HOSTILE)
def test_hostile_text_is_refused_cleanly_or_written_whole(
    world: World, name: str, field: str, text: str
) -> None:
    mutation = MUTATIONS[name]
    mutation.prepare(world)
    role, subject = mutation.role(world)
    head = world.api.quiet_head()  # reactions to earlier examples have written
    variables: dict[str, object] = {"i": {**mutation.valid(world), field: text}}
    response = world.api.graphql(mutation.document, variables, role=role, subject=subject)
    assert response.status_code in (200, 400, 413), response.text[:500]
    assert_no_internals(response)
    written = world.api.ledger.head_position() - head
    if response.status_code != 200:
        assert written == 0
        return
    body = response.json()
    assert "errors" not in body, body
    accepted = body["data"][name]["userErrors"] == []
    assert written == mutation.writes(field, text, accepted)


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_a_lone_surrogate_escape_is_refused_before_anything_runs(world: World, name: str) -> None:
    """JSON may spell a lone UTF-16 surrogate (\\ud800), which no layer could store."""
    mutation = MUTATIONS[name]
    mutation.prepare(world)
    role, subject = mutation.role(world)
    head = world.api.quiet_head()
    valid = mutation.valid(world)
    first_text = next(k for k, v in valid.items() if isinstance(v, str) and k != "customerId")
    body = json.dumps({"query": mutation.document, "variables": {"i": valid}})
    body = body.replace(json.dumps(valid[first_text]), '"x\\ud800y"', 1)
    headers = {"content-type": "application/json"}
    if role is not None:
        headers["authorization"] = f"Bearer {world.api.token(role, subject)}"
    response = world.api.client.post("/graphql", content=body.encode(), headers=headers)
    assert response.status_code == 400, response.text
    assert "surrogate" in response.json()["errors"][0]["message"]
    assert world.api.ledger.head_position() == head
