"""Subject keys written with the events first sealed under them, in one transaction.

A subject's key used to be stored by a statement committed on its own before the first event
sealed with it was appended: for a registration, one round trip and one commit of its three.
A subject whose own aggregate a command creates (a customer registering: the customer's id is
the subject's) almost never has a key yet, so the key is made fresh while the command's events
are encoded (:class:`FreshKeys`, which the personal-data transcoding asks) and inserted inside
the command's share of the group commit (``infrastructure.log_writer``). The key and the events
sealed under it commit together or not at all: a process killed mid-batch leaves neither.

If the subject had a key after all (another writer stored one first) or a tombstone (the subject
was erased), the key's insert fails, and only that command's write: it gets
:class:`SubjectKeyTakenError`, its neighbours in the batch commit, and the event store seals
its events again under the key the table holds (or as erased), the old way
(``infrastructure.event_store.LedgerEventStore``). No event is ever left sealed under a key
that was not stored. A fresh key enters the process's key cache only once it has committed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from contextvars import ContextVar
from dataclasses import dataclass, field
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import PersistenceError


@dataclass(frozen=True, slots=True)
class FreshKey:
    """A subject key made for a command, not stored yet: the clear key to seal with, and its
    wrapped form and the master key's check value for the insert (which the check guards,
    as in ``PostgresSubjectKeys.create_key``)."""

    subject_id: UUID
    key: bytes
    wrapped: bytes
    master_check: bytes
    cipher: AESGCM = field(init=False, repr=False, compare=False)
    """The key as an AES-GCM, made once: a command seals several values under it."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "cipher", AESGCM(self.key))


class SubjectKeyTakenError(PersistenceError):
    """A fresh key's subject had a key or a tombstone already: the command's events, sealed
    under the fresh key, were not written, and must be sealed again under the stored one."""


class FreshKeys:
    """The subjects that may get a fresh key while one command's events are encoded (those
    whose own aggregate the command creates), and the keys made for them so far."""

    def __init__(self, born: Collection[UUID]) -> None:
        self._born = frozenset(subject.int for subject in born)
        self._made: dict[int, tuple[FreshKey, Callable[[UUID, bytes], None]]] = {}

    def may_make(self, subject_id: UUID) -> bool:
        return subject_id.int in self._born

    def made_for(self, subject_id: UUID) -> FreshKey | None:
        made = self._made.get(subject_id.int)
        return None if made is None else made[0]

    def add(self, fresh: FreshKey, remember: Callable[[UUID, bytes], None]) -> None:
        """Record a key made for this command, and where to remember it once committed."""
        self._made[fresh.subject_id.int] = (fresh, remember)

    @property
    def made(self) -> list[FreshKey]:
        return [fresh for fresh, _ in self._made.values()]

    def stored(self) -> None:
        """The command committed: its fresh keys are the subjects' stored keys now."""
        for fresh, remember in self._made.values():
            remember(fresh.subject_id, fresh.key)


_encoding: ContextVar[FreshKeys | None] = ContextVar("cxl_fresh_keys", default=None)
"""The fresh keys of the command whose events this thread is encoding, if any."""


class fresh_keys_for:  # noqa: N801 (used as the function it was: ``with fresh_keys_for(born):``)
    """Encode a command's events inside this block to let the subjects ``born`` get fresh
    keys (see :func:`fresh_keys_now`). A class rather than a ``contextlib.contextmanager``
    generator, which cost three times as much to enter and leave (see
    ``domain.shared.metadata.acting_as``), once per command."""

    __slots__ = ("_fresh", "_token")

    def __init__(self, born: Collection[UUID]) -> None:
        self._fresh = FreshKeys(born)

    def __enter__(self) -> FreshKeys:
        self._token = _encoding.set(self._fresh)
        return self._fresh

    def __exit__(self, *_: object) -> None:
        _encoding.reset(self._token)


def fresh_keys_now() -> FreshKeys | None:
    """The fresh keys of the command being encoded in this context; None outside one."""
    return _encoding.get()
