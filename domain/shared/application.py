"""The core of the one event-sourced application: loading, saving, conflicts.

Each aggregate's commands live beside it (``domain/<aggregate>/commands.py``) as a mixin on
:class:`LedgerCore`; :class:`domain.ledger.Ledger` combines them, so the whole company shares one
totally ordered notification log.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar, cast, overload
from uuid import UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import (
    CanMutateProtocol,
    DomainEventProtocol,
    MutableOrImmutableAggregate,
)
from eventsourcing.persistence import (
    IntegrityError,
    JSONTranscoder,
    Mapper,
    Recording,
    StoredEvent,
    Transcoding,
)
from eventsourcing.utils import get_topic

from domain.shared.aggregate import LedgerAggregate
from domain.shared.commands import Command, Handler
from domain.shared.errors import ConcurrencyConflictError, DomainError, NotFoundError
from domain.shared.mapper import PersonalDataMapper
from domain.shared.metadata import EventMetadata, EventMetadataAsDict
from domain.shared.personal_data import PersonalDataUndisclosed
from domain.shared.ports import (
    ErasureWorks,
    FollowingStreamsReader,
    ManyStreamsReader,
    PasswordHasher,
)
from domain.shared.transcodings import RememberedUUIDAsHex

A = TypeVar("A", bound=LedgerAggregate)
R = TypeVar("R")

EmailFingerprint = Callable[[str], str]
"""Keyed hash of a normalised email: lets the log enforce uniqueness without the clear email."""


@dataclass(frozen=True, slots=True)
class CommandResult:
    """What a command did: the aggregate it acted on, its new version, and the log position a
    reader must reach to see the write (read-your-writes)."""

    aggregate_id: UUID
    version: int
    position: int


class LedgerCore(Application[UUID]):
    """Application plumbing shared by every aggregate's commands."""

    name = "Ledger"
    handlers: ClassVar[Mapping[type[Command[object]], Handler]] = {}
    """Each command type's handler (``domain.handlers.HANDLERS``)."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        fingerprint_email: EmailFingerprint,
        passwords: PasswordHasher,
        erasure_works: ErasureWorks,
        transcodings: Sequence[Transcoding] = (),
    ) -> None:
        # The personal-data transcoding is given by the composition root: it needs the key
        # store, which the domain must not know.
        self._extra_transcodings = tuple(transcodings)
        super().__init__(env=env)
        self.undisclosed_mapper = self.construct_undisclosed_mapper()
        """Decodes events with their personal values unread (see ``PersonalDataUndisclosed``)."""
        self.fingerprint_email = fingerprint_email
        self.passwords = passwords
        self.erasure_works = erasure_works

    def construct_mapper(self) -> Mapper[UUID]:
        return self.factory.mapper(
            transcoder=self.construct_transcoder(), mapper_class=PersonalDataMapper
        )

    def construct_undisclosed_mapper(self) -> Mapper[UUID]:
        transcoder = self.construct_transcoder()
        if not isinstance(transcoder, JSONTranscoder):
            return self.mapper  # no transcodings to swap: decode whole
        transcoder.register(PersonalDataUndisclosed())  # replaces the sealing one, by name
        return self.factory.mapper(transcoder=transcoder, mapper_class=PersonalDataMapper)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(RememberedUUIDAsHex())  # replaces the library's, by name and type
        transcoder.register(EventMetadataAsDict())
        for transcoding in self._extra_transcodings:
            transcoder.register(transcoding)

    def handle(self, command: Command[R], metadata: EventMetadata) -> R:
        """Run ``command`` by its slice's handler."""
        handler = self.handlers.get(type(command))
        if handler is None:
            raise TypeError(f"no handler for {type(command).__name__}")
        return cast(R, handler(self, command, metadata))

    def load(
        self,
        aggregate_id: UUID,
        kind: type[A],
        not_found: Callable[[], NotFoundError],
        expected_version: int | None = None,
    ) -> A:
        """Load an aggregate, refusing with a typed error when it is missing, of another kind,
        or at another version than the client saw."""
        aggregate = self.find(aggregate_id, kind, not_found)
        if aggregate is None:
            raise not_found()
        return at_version(aggregate, expected_version)

    @overload
    def find(self, aggregate_id: UUID) -> LedgerAggregate | None: ...

    @overload
    def find(
        self, aggregate_id: UUID, kind: type[A], not_found: Callable[[], DomainError]
    ) -> A | None: ...

    def find(
        self,
        aggregate_id: UUID,
        kind: type[LedgerAggregate] = LedgerAggregate,
        not_found: Callable[[], DomainError] | None = None,
    ) -> LedgerAggregate | None:
        """The aggregate as it is now, in one load (from its latest snapshot, if it has one,
        plus the events after it); None if there is none. An aggregate of another ``kind``
        under that id is ``not_found()``: the caller named something that is not one.

        This is the only way to ask whether an aggregate exists: asking first and loading
        after replayed the stream twice. A kind that never takes snapshots (an email claim, a
        purchase) is read from its events alone: asking the snapshots table first cost every
        registration a round trip (two, with the pool's check of the connection) for nothing."""
        if self._snapshots_reader(kind) is NO_SNAPSHOTS:
            return self._found_in_events(aggregate_id, kind, not_found or _wrong_kind)
        try:
            aggregate: object = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        if not isinstance(aggregate, kind):
            raise (not_found or _wrong_kind)()
        return aggregate

    def _found_in_events(
        self, aggregate_id: UUID, kind: type[A], not_found: Callable[[], DomainError]
    ) -> A | None:
        """The aggregate replayed from its stream alone (a kind that takes no snapshots)."""
        stream = self.recorder.select_events(aggregate_id)
        return self._projected(list(stream), kind, not_found) if stream else None

    def find_many(
        self, ids: Collection[UUID], kind: type[A], not_found: Callable[[], DomainError]
    ) -> dict[UUID, A]:
        """The aggregates of these ids as they are now, as :meth:`find` would load them one by
        one, but in one read of the log (with the snapshots, for a kind that takes them); an id
        with no stream is absent from the answer, one of another ``kind`` is ``not_found()``.
        Recorders that cannot read many streams at once are read one by one."""
        wanted = list(dict.fromkeys(ids))
        snapshots = self._snapshots_reader(kind)
        if snapshots is None or not isinstance(self.recorder, ManyStreamsReader):
            found = {i: self.find(i, kind, not_found) for i in wanted}
            return {i: aggregate for i, aggregate in found.items() if aggregate is not None}
        taking = [] if snapshots is NO_SNAPSHOTS else wanted
        streams = self._streams_from_latest(self.recorder, snapshots, taking, wanted)
        return {i: self._projected(stream, kind, not_found) for i, stream in streams.items()}

    def find_together(
        self, wanted: Mapping[UUID, type[LedgerAggregate]], *, disclosed: bool = True
    ) -> dict[UUID, LedgerAggregate]:
        """Aggregates of several kinds as they are now, as :meth:`find` would load each, but in
        one read of the log and the snapshots (when a kind wanted takes them): a survey answer
        needs its survey, customer and loyalty account, which cost five round trips one by
        one. An id with no stream is absent from the answer; the kind of each is not
        checked here (see :func:`of_kind`), its ``kind`` only says whether to read snapshots.
        Recorders that cannot read many streams at once are read one by one.

        ``disclosed=False`` decodes their personal values unread, as if erased (see
        ``PersonalDataUndisclosed``): no key look-up, no decryption. Only for a command that
        reads none of those values and saves none of these aggregates but with new events (a
        survey answer reads its customer's region, never their name): a snapshot of one
        would keep the values erased."""
        taking = [i for i, k in wanted.items() if self._snapshots_reader(k) is not NO_SNAPSHOTS]
        # One snapshot store holds every kind's: the reader of one kind is that of all.
        snapshots = self._snapshots_reader(wanted[taking[0]]) if taking else NO_SNAPSHOTS
        log = self._many_streams_recorder()
        if snapshots is None or log is None:
            found = {i: self.find(i) for i in wanted}
            return {i: aggregate for i, aggregate in found.items() if aggregate is not None}
        streams = self._streams_from_latest(log, snapshots, taking, wanted, disclosed)
        return self._all_projected(streams, disclosed)

    def find_following(
        self,
        first_id: UUID,
        kind: type[LedgerAggregate],
        created: type[DomainEventProtocol[UUID]],
        fields: Sequence[str],
        derived: Sequence[tuple[UUID, str]] = (),
        *,
        disclosed: bool = True,
    ) -> dict[UUID, LedgerAggregate]:
        """The aggregate ``first_id`` and those it names, as they are now, in one read where
        the recorder can (else two). When it is a ``kind`` (whose stream starts with its
        ``created`` event): the aggregates of the UUIDs in its attributes ``fields``, and of
        ``uuid5(namespace, value.hex)`` for each ``(namespace, field)`` of ``derived``; each
        such attribute is set by ``created`` from its field of the same name and changed by no
        later event, so the database reads it from that event. A survey answer's invitation
        names its survey and customer, whose loyalty account's id derives from the
        customer's: reading the invitation first and the rest after cost a round trip. As with
        :meth:`find_together`, an id with no stream is absent and the named aggregates' kinds
        are not checked. ``first_id``'s stream is read whole (a kind that takes no
        snapshots), the others from their latest snapshots. ``disclosed``: as for
        :meth:`find_together`, where it is read in one statement."""
        log = self._following_recorder()
        snapshots = self._snapshots_reader(LedgerAggregate)
        stored = None
        if log is not None and snapshots is not None and snapshots is not NO_SNAPSHOTS:
            topic = get_topic(created)
            stored = log.select_following(snapshots, first_id, topic, fields, derived)
        if stored is None:
            return self._found_following(first_id, kind, fields, derived, disclosed)
        streams: dict[UUID, list[StoredEvent]] = {}
        for event in stored:
            streams.setdefault(_id_of(event), []).append(event)
        if disclosed:
            self.prepare_to_decode([s.state for stream in streams.values() for s in stream])
        return self._all_projected(streams, disclosed)

    def _found_following(
        self,
        first_id: UUID,
        kind: type[LedgerAggregate],
        fields: Sequence[str],
        derived: Sequence[tuple[UUID, str]],
        disclosed: bool,
    ) -> dict[UUID, LedgerAggregate]:
        """:meth:`find_following` in two reads: the first aggregate, then those it names."""
        if self._snapshots_reader(kind) is NO_SNAPSHOTS:  # its stream alone, as find reads it
            first = self._found_in_events(first_id, LedgerAggregate, _wrong_kind)
        else:
            first = self.find(first_id)
        if first is None:
            return {}
        if not isinstance(first, kind):
            return {first_id: first}
        named = [getattr(first, name) for name in fields]
        named += [uuid5(namespace, getattr(first, name).hex) for namespace, name in derived]
        ids = (i for i in named if i is not None and i != first_id)
        wanted: dict[UUID, type[LedgerAggregate]] = dict.fromkeys(ids, LedgerAggregate)
        found: dict[UUID, LedgerAggregate] = {first_id: first}
        return found | self.find_together(wanted, disclosed=disclosed) if wanted else found

    def _following_recorder(self) -> FollowingStreamsReader | None:
        """The log's recorder, if it reads a stream and those it names at once, and the stored
        events are JSON the database can read (no cipher, no compressor): checked once."""
        if "_cxl_following" not in self.__dict__:
            plain = self.mapper.cipher is None and self.mapper.compressor is None
            reader = self.recorder if isinstance(self.recorder, FollowingStreamsReader) else None
            self.__dict__["_cxl_following"] = reader if plain else None
        recorder: FollowingStreamsReader | None = self.__dict__["_cxl_following"]
        return recorder

    def _all_projected(
        self, streams: Mapping[UUID, list[StoredEvent]], disclosed: bool
    ) -> dict[UUID, LedgerAggregate]:
        mapper = self.mapper if disclosed else self.undisclosed_mapper
        return {
            i: self._projected(stream, LedgerAggregate, _wrong_kind, mapper)
            for i, stream in streams.items()
        }

    def _streams_from_latest(
        self,
        log: ManyStreamsReader,
        snapshots: ManyStreamsReader,
        taking: Collection[UUID],
        ids: Collection[UUID],
        disclosed: bool = True,
    ) -> dict[UUID, list[StoredEvent]]:
        """The stored events of each stream of ``ids`` that has any, from its latest snapshot
        on for those ``taking`` them, read in one round trip; their keys fetched together
        (none when they are to be decoded undisclosed)."""
        streams: dict[UUID, list[StoredEvent]] = {}
        for stored in log.select_from_latest(snapshots, taking, ids):
            streams.setdefault(_id_of(stored), []).append(stored)
        if disclosed:
            self.prepare_to_decode([s.state for stream in streams.values() for s in stream])
        return streams

    def _snapshots_reader(self, kind: type[LedgerAggregate]) -> ManyStreamsReader | None:
        """Where ``find_many`` reads the latest snapshots of ``kind`` (nowhere when neither it
        nor a kind of it takes any); None when they cannot be read many at once."""
        # Asked on every load: the subclass and protocol checks (a runtime protocol's
        # isinstance is slow) cost a survey answer's command a tenth of its time. The answer
        # depends only on the kind and on how the ledger was built.
        readers = self.__dict__.setdefault("_cxl_snapshot_readers", {})
        if kind not in readers:
            intervals = self.snapshotting_intervals or {}
            if self.snapshots is None or not any(issubclass(k, kind) for k in intervals):
                readers[kind] = NO_SNAPSHOTS
            else:
                recorder = self.snapshots.recorder
                readers[kind] = recorder if isinstance(recorder, ManyStreamsReader) else None
        reader: ManyStreamsReader | None = readers[kind]
        return reader

    def _many_streams_recorder(self) -> ManyStreamsReader | None:
        """The log's recorder, if it reads many streams at once (checked once)."""
        if "_cxl_many_streams" not in self.__dict__:
            many = self.recorder if isinstance(self.recorder, ManyStreamsReader) else None
            self.__dict__["_cxl_many_streams"] = many
        recorder: ManyStreamsReader | None = self.__dict__["_cxl_many_streams"]
        return recorder

    def _projected(
        self,
        stream: list[StoredEvent],
        kind: type[A],
        not_found: Callable[[], DomainError],
        mapper: Mapper[UUID] | None = None,
    ) -> A:
        """The aggregate from its stream (its latest snapshot first, if read), decoded by
        ``mapper`` (the ledger's own, unless told)."""
        # What the library's ``project_aggregate`` does, less its runtime-protocol check per
        # event (a third of the time it took to load a batch of customers).
        decode = (mapper or self.mapper).to_domain_event
        aggregate: object = None
        for stored in stream:
            event = cast(CanMutateProtocol[Any], decode(stored))
            aggregate = event.mutate(cast(Any, aggregate))
        if not isinstance(aggregate, kind):
            raise not_found()
        return aggregate

    def as_of_version(self, aggregate_id: UUID, version: int) -> LedgerAggregate:
        """The aggregate replayed up to ``version`` (from the nearest snapshot before it)."""
        aggregate: LedgerAggregate = self.repository.get(aggregate_id, version=version)
        return aggregate

    def history(self, aggregate_id: UUID) -> list[DomainEventProtocol[UUID]]:
        """Every event of the aggregate's stream, oldest first."""
        return list(self.events.get(aggregate_id))

    def decoded(self, stored: StoredEvent) -> DomainEventProtocol[UUID]:
        """A stored event (a row of the log) as the domain event it records: personal data
        unsealed with its subject's key, or read as erased."""
        return self.mapper.to_domain_event(stored)

    def prepare_to_decode(self, states: Sequence[bytes]) -> None:
        """Let the transcodings fetch at once what decoding these stored events will need
        (the personal-data keys, in one look-up for a whole batch of the log)."""
        for transcoding in self._extra_transcodings:
            prefetch = getattr(transcoding, "prefetch_keys", None)
            if prefetch is not None:
                prefetch(states)

    def save(
        self,
        *objs: MutableOrImmutableAggregate[UUID] | DomainEventProtocol[UUID] | None,
        **kwargs: Any,
    ) -> list[Recording[UUID]]:
        """The library's ``save``: record the pending events of the aggregates together, take
        the snapshots due, call the ``notify`` hooks. Aggregates of ours are collected here
        directly: the library asks of each object whether it is a domain event, then whether
        it collects events, two runtime-protocol checks (about 15 us each; a fifth of ``save``'s
        time for a registration's two aggregates, in profiles) whose answers the class
        already gives. Anything else (an
        event, None, keyword arguments such as tracking) goes the library's way."""
        if kwargs or not all(isinstance(obj, LedgerAggregate) for obj in objs):
            return super().save(*objs, **kwargs)
        processing: ProcessingEvent[UUID] = ProcessingEvent()
        for aggregate in cast(tuple[LedgerAggregate, ...], objs):
            processing.events.extend(aggregate.collect_events())
            processing.aggregates[aggregate.id] = aggregate
        recordings = self._record(processing)
        self._take_snapshots(processing)
        self._notify(recordings)
        self.notify(processing.events)  # deprecated by the library, kept as its save does
        return recordings

    def commit(self, *aggregates: LedgerAggregate) -> int:
        """Save the aggregates' pending events atomically; return the last log position.

        A version clash with a concurrent writer becomes :class:`ConcurrencyConflictError`."""
        try:
            recordings = self.save(*aggregates)
        except IntegrityError:
            first = aggregates[0]
            current = self._current_version(first.id)
            raise ConcurrencyConflictError(
                "the aggregate was changed by someone else; reload and retry",
                current_version=current,
            ) from None
        # A command that changed nothing records nothing: the reader needs no newer position.
        return max((r.notification.id for r in recordings), default=None) or self.head_position()

    def head_position(self) -> int:
        return self.recorder.max_notification_id() or 0

    def _current_version(self, aggregate_id: UUID) -> int:
        try:
            return int(self.repository.get(aggregate_id).version)
        except AggregateNotFoundError:
            return 0


class _NoSnapshots:
    """The snapshots of a kind that takes none: read in no round trip."""

    def select_streams(self, after: Mapping[UUID, int]) -> Sequence[StoredEvent]:
        return []

    def select_latest(self, ids: Collection[UUID]) -> Sequence[StoredEvent]:
        return []

    def select_from_latest(
        self, snapshots: ManyStreamsReader, taking: Collection[UUID], ids: Collection[UUID]
    ) -> Sequence[StoredEvent]:
        return []


NO_SNAPSHOTS = _NoSnapshots()


def _id_of(stored: StoredEvent) -> UUID:
    uuid = stored.originator_id
    return uuid if isinstance(uuid, UUID) else UUID(uuid)


def _wrong_kind() -> NotFoundError:
    return NotFoundError("no such aggregate of that kind")


def of_kind(
    found: LedgerAggregate | None, kind: type[A], not_found: Callable[[], DomainError]
) -> A | None:
    """An aggregate read by :meth:`LedgerCore.find_together`, as :meth:`LedgerCore.find`
    answers it: None when it has no stream, ``not_found()`` when it is of another kind."""
    if found is None:
        return None
    if not isinstance(found, kind):
        raise not_found()
    return found


def at_version(aggregate: A, expected_version: int | None) -> A:
    """The aggregate, if it is at the version the client saw (or the client saw none)."""
    if expected_version is not None and aggregate.version != expected_version:
        raise ConcurrencyConflictError(
            f"expected version {expected_version}, the current version is {aggregate.version}",
            current_version=aggregate.version,
            field="expectedVersion",
        )
    return aggregate
