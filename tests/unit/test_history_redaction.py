"""How events and states read as JSON in a customer's history: personal values by who asks,
erased values as the marker, secrets hidden from everyone, every kind of value as JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from uuid import UUID

from domain.shared.personal_data import PersonalData
from graphql_api.history.redaction import HIDDEN, Redactor

ADA, BO = UUID(int=1), UUID(int=2)


class Colour(Enum):
    RED = "red"


@dataclass(frozen=True)
class Line:
    sku: str
    price: Decimal


def sees(*subjects: UUID) -> Redactor:
    return Redactor(lambda subject: subject in subjects, ADA)


def test_a_personal_value_is_clear_only_for_a_caller_who_may_see_its_subject() -> None:
    fields = {"name": PersonalData(ADA, "Ada"), "email": PersonalData(BO, "bo@example.org")}

    assert sees(ADA).document(fields) == {"name": "Ada", "email": HIDDEN}
    assert sees().document(fields) == {"name": HIDDEN, "email": HIDDEN}


def test_an_erased_value_reads_as_the_erased_marker_for_everyone() -> None:
    erased = {"name": PersonalData(ADA, None)}

    assert sees(ADA).document(erased) == sees().document(erased) == {"name": "[erased]"}


def test_passwords_tokens_digests_and_fingerprints_are_hidden_even_from_the_subject() -> None:
    fields = {
        "password_hash": PersonalData(ADA, "$argon2id$..."),
        "token": PersonalData(ADA, "secret-token"),
        "reset_token_digest": "ab" * 32,
        "email_fingerprint": "cd" * 32,
        "nested": {"token_digest": "ef" * 32},
    }

    assert sees(ADA).document(fields) == {
        "password_hash": HIDDEN,
        "token": HIDDEN,
        "reset_token_digest": HIDDEN,
        "email_fingerprint": HIDDEN,
        "nested": {"token_digest": HIDDEN},
    }


def test_who_referred_whom_is_personal_to_the_customer_asked_about() -> None:
    fields = {"friend_id": BO, "code": "ABCDEFGHJK", "flags": []}

    assert sees().document(fields) == {"friend_id": HIDDEN, "code": HIDDEN, "flags": []}
    assert sees(ADA).document(fields) == {"friend_id": str(BO), "code": "ABCDEFGHJK", "flags": []}


def test_every_kind_of_value_becomes_json() -> None:
    at = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    fields = {
        "id": ADA,
        "at": at,
        "amount": Decimal("1.50"),
        "colour": Colour.RED,
        "lines": (Line("sku-1", Decimal("2")),),
        "tags": {"b", "a"},
        "unknown": object(),
        "_private": 1,
    }

    assert sees().document(fields) == {
        "id": str(ADA),
        "at": "2026-01-02T03:04:00+00:00",
        "amount": "1.50",
        "colour": "red",
        "lines": [{"sku": "sku-1", "price": "2"}],
        "tags": ["a", "b"],
        "unknown": "[object]",
    }
