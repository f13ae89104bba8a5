"""Domain values as JSON for one reader, each field shown as the domain declares it.

What is personal and what is secret is declared on the fields of events and aggregates
(:mod:`domain.shared.disclosure`); an :class:`Audience` says what that means for one reader:
how a sealed value reads (in clear, erased, hidden, withheld), whether personal values kept in
clear show, and how a secret reads (hidden, or left out). The auditors' history and the data
export are two audiences of this one walk.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol
from uuid import UUID

from domain.shared.disclosure import Disclosure, disclosure_of
from domain.shared.personal_data import PersonalData

JsonValue = Any
LEFT_OUT: Any = object()
"""What :meth:`Audience.secret` answers for a field to leave out altogether."""


class Audience(Protocol):
    """What one reader may see."""

    def sealed(self, value: PersonalData) -> JsonValue:
        """How a sealed personal value reads."""
        ...

    def in_clear(self, value: JsonValue) -> JsonValue:
        """How a personal value kept in clear reads (``value`` is already JSON, not null)."""
        ...

    def secret(self, value: object) -> JsonValue:
        """How a secret reads; :data:`LEFT_OUT` to leave its field out."""
        ...


def document(owner: object, fields: Mapping[str, Any], audience: Audience) -> dict[str, JsonValue]:
    """``owner``'s ``fields`` (an event's payload, an aggregate's attributes) as JSON, each as
    ``owner``'s class declares it; private attributes (``_...``) are left out."""
    shown = {
        name: field_json(disclosure_of(owner, name), value, audience)
        for name, value in fields.items()
        if not name.startswith("_")
    }
    return {name: value for name, value in shown.items() if value is not LEFT_OUT}


def field_json(disclosure: Disclosure, value: Any, audience: Audience) -> JsonValue:
    if disclosure is Disclosure.SECRET:
        return audience.secret(value)
    shown = to_json(value, audience)
    if (
        disclosure is Disclosure.PERSONAL
        and shown is not None
        and not isinstance(value, PersonalData)
    ):
        return audience.in_clear(shown)
    return shown


def to_json(value: Any, audience: Audience) -> JsonValue:
    """Any domain value as JSON: ids, amounts and times as text, sealed values per ``audience``,
    records as objects (their fields as their class declares them), unknown kinds by name."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, PersonalData):
        return audience.sealed(value)
    if isinstance(value, (UUID, Decimal)):
        return str(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Enum):
        return to_json(value.value, audience)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        return document(value, fields, audience)
    if isinstance(value, Mapping):
        return {str(key): to_json(item, audience) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item, audience) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((to_json(item, audience) for item in value), key=str)
    if hasattr(value, "__dict__"):
        return document(value, vars(value), audience)
    return f"[{type(value).__name__}]"  # an unknown kind of value: never its text
