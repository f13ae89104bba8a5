"""Anchors: signed checkpoints of the audit chain that an auditor keeps outside the database.

An anchor is one line of JSON: the chain's position and head digest (hex) at a time, and an
HMAC-SHA256 signature under the anchor key (derived from the audit key). HMAC suffices because
the auditor checks an anchor through the product, which holds the key; an anchor's worth is
that it lives where the database's roles cannot reach it. ``read_anchor`` refuses anything
malformed or not signed with the key, with a message saying what is wrong.
"""

from __future__ import annotations

import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

KIND = "cxledger-audit-anchor-v1"
MAX_ANCHOR_CHARS = 1_000
HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


class InvalidAnchorError(ValueError):
    """The text is not an anchor signed with this product's audit key."""


@dataclass(frozen=True, slots=True)
class Anchor:
    position: int
    head: bytes
    at: datetime


def sign_anchor(anchor_key: bytes, position: int, head: bytes, at: datetime) -> str:
    """The anchor as one line of JSON, signed."""
    head_hex, moment = head.hex(), at.isoformat()
    signature = _signature(anchor_key, position, head_hex, moment)
    fields = {"kind": KIND, "position": position, "head": head_hex, "at": moment}
    return json.dumps({**fields, "signature": signature}, separators=(",", ":"))


def read_anchor(anchor_key: bytes, text: str) -> Anchor:
    """The anchor in ``text``, once its form and signature are checked."""
    if len(text) > MAX_ANCHOR_CHARS:
        raise InvalidAnchorError(f"an anchor is at most {MAX_ANCHOR_CHARS} characters")
    try:
        given = json.loads(text)
    except ValueError:
        raise InvalidAnchorError(
            "an anchor is one line of JSON, as audit-anchor prints it"
        ) from None
    position, head, at, signature = _fields(given)
    expected = _signature(anchor_key, position, head, at)
    if not hmac.compare_digest(signature, expected):
        raise InvalidAnchorError("the anchor's signature does not match: forged or altered")
    return Anchor(position, bytes.fromhex(head), _moment(at))


def _fields(given: Any) -> tuple[int, str, str, str]:
    if not isinstance(given, dict) or given.get("kind") != KIND:
        raise InvalidAnchorError(f"not an audit anchor (kind must be {KIND!r})")
    position, head = given.get("position"), given.get("head")
    at, signature = given.get("at"), given.get("signature")
    if type(position) is not int or position < 1:
        raise InvalidAnchorError("the anchor's position must be a whole number from 1")
    if not isinstance(head, str) or not HEX_DIGEST.fullmatch(head):
        raise InvalidAnchorError("the anchor's head must be 64 lower-case hex digits")
    if not isinstance(signature, str) or not HEX_DIGEST.fullmatch(signature):
        raise InvalidAnchorError("the anchor's signature must be 64 lower-case hex digits")
    if not isinstance(at, str):
        raise InvalidAnchorError("the anchor's time must be an ISO 8601 string")
    return position, head, at, signature


def _moment(at: str) -> datetime:
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        raise InvalidAnchorError("the anchor's time is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise InvalidAnchorError("the anchor's time has no time zone")
    return moment.astimezone(UTC)


def _signature(anchor_key: bytes, position: int, head: str, at: str) -> str:
    message = f"{KIND}\n{position}\n{head}\n{at}".encode()
    return hmac.new(anchor_key, message, "sha256").hexdigest()
