"""What kind of failure an error is, and how it may be written down.

A lost connection, a deadlock or a cancelled statement (``psycopg.OperationalError``, ``OSError``)
says nothing about the event being applied: the runner retries it later as it always has. A
version conflict a process manager's command still lost after its own retries is a race, not a
bug: retried later too. Anything else raised while applying an event is about that event, and
after bounded retries it is parked.

An error's text may quote the data it choked on (PostgreSQL's DETAIL repeats the row, Python
quotes the bad value), so only a redacted message is ever stored: identifiers PostgreSQL names
(tables, columns, constraints, types) stay, every other quoted value, email address, id and
long number becomes a placeholder.
"""

from __future__ import annotations

import re

import psycopg

from domain.shared.errors import ConcurrencyConflictError

MAX_MESSAGE = 300

_IDENTIFIER = re.compile(
    r"\b(?:relation|constraint|column|table|index|type|schema|function|sequence)"
    r' "[a-z_][a-z0-9_$]*"'
)
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+")
_UUID = re.compile(r"\b[0-9a-fA-F]{8}-?(?:[0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}\b")
_NUMBER = re.compile(r"\d{4,}")
_KEPT = "\x01{}\x02"  # stands for a kept identifier while the rest is redacted


def is_transient(error: BaseException) -> bool:
    """True for failures that are not the event's fault: the runner tries again later."""
    return isinstance(error, psycopg.OperationalError | OSError | ConcurrencyConflictError)


def describe(error: BaseException) -> tuple[str, str]:
    """(class name, redacted message) of ``error``, safe to store and show."""
    text = str(error)
    if isinstance(error, psycopg.Error) and error.diag.message_primary:
        text = error.diag.message_primary  # never the DETAIL or CONTEXT, which quote rows
    return type(error).__name__, redact(text)


def redact(text: str) -> str:
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return _KEPT.format(len(kept) - 1)

    text = _IDENTIFIER.sub(keep, text.splitlines()[0] if text else "")
    text = _QUOTED.sub("<value>", text)
    text = _EMAIL.sub("<email>", text)
    text = _UUID.sub("<id>", text)
    text = _NUMBER.sub("<number>", text)
    for index, original in enumerate(kept):
        text = text.replace(_KEPT.format(index), original)
    return text[:MAX_MESSAGE] or "(no message)"
