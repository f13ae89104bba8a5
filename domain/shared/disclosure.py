"""Which fields of events and aggregates are personal data, and which are secrets: declared
once, on the fields themselves, and read by everything that shows them (the auditors'
history, the data export and its schema).

- A field typed :class:`~domain.shared.personal_data.PersonalData` is personal: sealed with its
  subject's key, shown only to whoever may see that subject, erased with the key.
- ``Personal[T]``: personal data kept in clear, because read models join on it (who referred
  whom: the other party's id, the code that names a referrer). Shown only to whoever may see
  the personal data of the customer asked about.
- ``Secret[T]``: security material, not information about a person (password hashes, tokens
  and their digests, keyed fingerprints). Shown to no one, exported to no one: it would help
  only whoever obtained it.

Everything else is plain. The markers change nothing at run time: an annotated field holds a
``T`` like any other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from types import UnionType
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin, get_type_hints

from domain.shared.personal_data import PersonalData


class Disclosure(Enum):
    """Who may see a field's value."""

    PLAIN = "plain"
    PERSONAL = "personal"
    SECRET = "secret"  # noqa: S105 (the name of a kind of field, not a password)


T = TypeVar("T")
Personal = Annotated[T, Disclosure.PERSONAL]
"""Personal data kept in clear: shown only to whoever may see the subject's personal data."""
Secret = Annotated[T, Disclosure.SECRET]
"""Security material: never shown or exported, whoever asks."""


_DECLARED: dict[type, Mapping[str, Disclosure]] = {}
"""What each class declares, read once (classes do not change)."""


def disclosures(kind: type) -> Mapping[str, Disclosure]:
    """The declared disclosure of every annotated field of ``kind`` (an event, an aggregate,
    or any annotated class its values are made of), bases included."""
    declared = _DECLARED.get(kind)
    if declared is None:
        hints = get_type_hints(kind, include_extras=True)
        declared = _DECLARED[kind] = {name: _declared(hint) for name, hint in hints.items()}
    return declared


def disclosure_of(owner: object, field: str) -> Disclosure:
    """How ``owner``'s ``field`` may be shown; a field with no declaration (a key of a plain
    dict, an attribute no annotation names) is plain."""
    return disclosures(type(owner)).get(field, Disclosure.PLAIN)


def fields_declared(kinds: Iterable[type], disclosure: Disclosure) -> frozenset[str]:
    """The names of the fields of ``kinds`` declared ``disclosure``."""
    return frozenset(
        name for kind in kinds for name, found in disclosures(kind).items() if found is disclosure
    )


def _declared(hint: Any) -> Disclosure:
    if get_origin(hint) is Annotated:
        marks = [mark for mark in hint.__metadata__ if isinstance(mark, Disclosure)]
        return marks[0] if marks else _declared(get_args(hint)[0])
    if hint is PersonalData or (
        get_origin(hint) in (Union, UnionType) and PersonalData in get_args(hint)
    ):
        return Disclosure.PERSONAL
    return Disclosure.PLAIN
