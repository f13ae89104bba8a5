"""What the write side needs from outside the domain, given to the Ledger at construction by the
composition root (``infrastructure/bootstrap.py``): the domain names the ports, infrastructure
fills them, and no command can run with one missing."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Protocol, runtime_checkable
from uuid import UUID

from eventsourcing.persistence import StoredEvent


class PasswordHasher(Protocol):
    """Hashes and verifies passwords (argon2id in production). ``dummy_hash`` is verified
    against when there is no real hash, so that a miss takes as long as a hit."""

    @property
    def dummy_hash(self) -> str: ...

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...


class ErasureWorks(Protocol):
    """What erasure needs from outside the domain: the key store and the personal-data index."""

    def destroy_key(self, subject_id: UUID) -> None:
        """Destroy the subject's key for good (and forget every cached copy); a key already
        destroyed stays so."""

    def positions_holding(self, subject_id: UUID) -> list[int]:
        """The log positions whose events hold the subject's sealed values."""


@runtime_checkable
class ManyStreamsReader(Protocol):
    """A recorder that reads the streams of many aggregates in one round trip (the event store's
    PostgreSQL recorders); one without it is read stream by stream (in-memory persistence)."""

    def select_streams(self, after: Mapping[UUID, int]) -> Sequence[StoredEvent]:
        """The stored events of each id's stream past its version in ``after`` (0: all),
        ordered by id and then version; an id with no such events has none in the answer."""

    def select_latest(self, ids: Collection[UUID]) -> Sequence[StoredEvent]:
        """The last stored event of each id's stream (its latest snapshot, in the snapshots'
        recorder); an id with none has none in the answer."""

    def select_from_latest(
        self, snapshots: ManyStreamsReader, taking: Collection[UUID], ids: Collection[UUID]
    ) -> Sequence[StoredEvent]:
        """Each stream of ``ids`` from its latest snapshot in ``snapshots`` on (for the ids in
        ``taking``, of kinds that take them; the others whole), ordered by id and then version
        (a snapshot before the events after it): both read in one round trip where it can."""


@runtime_checkable
class FollowingStreamsReader(Protocol):
    """A recorder that reads a stream and the streams its first event names in one round trip
    (the log's PostgreSQL recorder, where the database derives UUID5s)."""

    def select_following(
        self,
        snapshots: ManyStreamsReader,
        first_id: UUID,
        first_topic: str,
        fields: Sequence[str],
        derived: Sequence[tuple[UUID, str]],
    ) -> Sequence[StoredEvent] | None:
        """The stream of ``first_id`` whole, and, when its first event's topic is
        ``first_topic``, the stream of each UUID its ``fields`` hold and of each
        ``uuid5(namespace, value.hex)`` of ``derived``'s (namespace, field), from its latest
        snapshot in ``snapshots`` on; ordered by id and then version. None when it cannot
        (then the caller reads in two)."""
