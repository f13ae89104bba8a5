"""What a parked event's error may say: PostgreSQL's identifiers stay, values from the data do
not (quoted values, email addresses, ids, long numbers), and only the first line is kept."""

from __future__ import annotations

import psycopg
import pytest

from domain.shared.errors import ConcurrencyConflictError
from infrastructure.failures import describe, is_transient, redact


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("integer out of range", "integer out of range"),
        (
            'new row for relation "loyalty_lots" violates check constraint "lots_positive"',
            'new row for relation "loyalty_lots" violates check constraint "lots_positive"',
        ),
        (
            'invalid input syntax for type integer: "Ada"',
            "invalid input syntax for type integer: <value>",
        ),
        ("'ada@example.org'", "<value>"),
        ("mail to ada@example.org failed", "mail to <email> failed"),
        ("no account 0b7e6a4e-5f0c-4c1e-9d3e-1f2a3b4c5d6e", "no account <id>"),
        ("3000000000 points for 12 orders", "<number> points for 12 orders"),
        ("first line\nsecond line with 'Ada'", "first line"),
        ("", "(no message)"),
    ],
)
def test_a_message_keeps_identifiers_and_loses_values(text: str, stored: str) -> None:
    assert redact(text) == stored


def test_the_class_is_named_and_the_message_redacted() -> None:
    assert describe(KeyError("Ada Lovelace")) == ("KeyError", "<value>")


@pytest.mark.parametrize(
    "error",
    [
        psycopg.OperationalError("server closed the connection"),
        ConnectionResetError("reset"),
        ConcurrencyConflictError("lost a race", current_version=3),
    ],
)
def test_lost_connections_and_races_are_transient(error: Exception) -> None:
    assert is_transient(error)


@pytest.mark.parametrize(
    "error", [ValueError("bug"), psycopg.errors.NumericValueOutOfRange("integer out of range")]
)
def test_bugs_and_bad_values_are_not_transient(error: Exception) -> None:
    assert not is_transient(error)
