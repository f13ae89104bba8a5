"""How events and states read as JSON in a customer's history: personal values by who asks,
erased values as the marker, secrets hidden from everyone, every kind of value as JSON. What
is personal and what is secret is what the fields declare (``domain.shared.disclosure``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from domain.customer.model import Customer
from domain.shared.disclosure import Personal, Secret
from domain.shared.metadata import Channel, EventMetadata, Role, acting_as
from domain.shared.personal_data import PersonalData
from graphql_api.history.redaction import HIDDEN, Redactor

ADA, BO = UUID(int=1), UUID(int=2)


class Colour(Enum):
    RED = "red"


@dataclass(frozen=True)
class Line:
    sku: str
    price: Decimal
    token_digest: Secret[str] = "ef" * 32


@dataclass
class Record:
    """A record with one field of each declaration."""

    name: PersonalData | None = None
    email: PersonalData | None = None
    password_hash: Secret[PersonalData | None] = None
    reset_token_digest: Secret[str | None] = None
    friend_id: Personal[UUID | None] = None
    code: Personal[str | None] = None
    flags: list[str] = field(default_factory=list)
    lines: tuple[Line, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def sees(*subjects: UUID) -> Redactor:
    return Redactor(lambda subject: subject in subjects, ADA)


def test_a_personal_value_is_clear_only_for_a_caller_who_may_see_its_subject() -> None:
    record = Record(name=PersonalData(ADA, "Ada"), email=PersonalData(BO, "bo@example.org"))

    assert (sees(ADA).state(record)["name"], sees(ADA).state(record)["email"]) == ("Ada", HIDDEN)
    assert (sees().state(record)["name"], sees().state(record)["email"]) == (HIDDEN, HIDDEN)


def test_an_erased_value_reads_as_the_erased_marker_for_everyone() -> None:
    erased = Record(name=PersonalData(ADA, None))

    assert sees(ADA).state(erased)["name"] == sees().state(erased)["name"] == "[erased]"


def test_a_declared_secret_is_hidden_even_from_the_subject_wherever_it_is() -> None:
    record = Record(
        password_hash=PersonalData(ADA, "$argon2id$..."),
        reset_token_digest="ab" * 32,
        lines=(Line("sku-1", Decimal("2")),),
    )

    shown = sees(ADA).state(record)

    assert (shown["password_hash"], shown["reset_token_digest"]) == (HIDDEN, HIDDEN)
    assert shown["lines"] == [{"sku": "sku-1", "price": "2", "token_digest": HIDDEN}]


def test_a_secret_that_is_not_set_reads_as_null() -> None:
    assert sees(ADA).state(Record())["reset_token_digest"] is None


def test_who_referred_whom_is_personal_to_the_customer_asked_about() -> None:
    record = Record(friend_id=BO, code="ABCDEFGHJK", flags=[])

    hidden, shown = sees().state(record), sees(ADA).state(record)

    assert (hidden["friend_id"], hidden["code"], hidden["flags"]) == (HIDDEN, HIDDEN, [])
    assert (shown["friend_id"], shown["code"], shown["flags"]) == (str(BO), "ABCDEFGHJK", [])


def test_a_name_alone_declares_nothing() -> None:
    # An undeclared key that looks like a secret is plain: the declaration decides, not a name.
    record = Record(extra={"token": "not-a-secret", "code": "plain"})

    assert sees().state(record)["extra"] == {"token": "not-a-secret", "code": "plain"}


def test_the_customers_credentials_are_hidden_as_their_events_declare_them() -> None:
    with acting_as(EventMetadata(actor_id=str(ADA), actor_role=Role.CUSTOMER, channel=Channel.WEB)):
        customer = Customer.register(
            ADA, name="Ada", email="ada@example.org", phone=None, region=None, email_fingerprint="f"
        )
        customer.set_password("$argon2id$...", reason="reset")
    registered, password_set = customer.collect_events()

    assert sees(ADA).event_data(password_set) == {"password_hash": HIDDEN, "reason": "reset"}
    assert sees(ADA).event_data(registered)["email_fingerprint"] == HIDDEN
    assert sees(ADA).state(customer)["password_hash"] == HIDDEN


def test_every_kind_of_value_becomes_json() -> None:
    at = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    fields = {
        "id": ADA,
        "at": at,
        "amount": Decimal("1.50"),
        "colour": Colour.RED,
        "tags": {"b", "a"},
        "unknown": object(),
        "_private": 1,
    }

    assert sees().state(type("Plain", (), fields)()) == {}  # class attributes are not state
    plain = type("Plain", (), {})()
    vars(plain).update(fields)
    assert sees().state(plain) == {
        "id": str(ADA),
        "at": "2026-01-02T03:04:00+00:00",
        "amount": "1.50",
        "colour": "red",
        "tags": ["a", "b"],
        "unknown": "[object]",
    }
