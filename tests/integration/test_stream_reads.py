"""A stream read whole (``StreamsSelection.select_events`` without options, what ``find`` reads
for a kind without snapshots, such as an email claim) by the recorder's own statement: the same
stored events the library's read gives, in version order; with options, the library's read."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder

from domain.ledger import Ledger
from infrastructure.event_store import LogRecorder


def log_of(ledger: Ledger) -> LogRecorder:
    assert isinstance(ledger.recorder, LogRecorder)
    return ledger.recorder


def test_a_whole_stream_reads_as_the_librarys_read_gives_it(ledger: Ledger) -> None:
    """Three events written by two commands, the later versions first, among another
    stream's: the read gives exactly this stream's, by version, as the library's read does; a
    stream never written reads as nothing, by a UUID or by its text."""
    recorder = log_of(ledger)
    stream, other = uuid4(), uuid4()
    recorder.insert_events([StoredEvent(stream, 1, "test:First", b'{"a":1}')])
    recorder.insert_events(
        [
            StoredEvent(other, 1, "test:Other", b"{}"),
            StoredEvent(stream, 2, "test:Second", b'{"b":2}'),
            StoredEvent(stream, 3, "test:Third", b'{"c":3}'),
        ]
    )

    read = recorder.select_events(stream)

    assert read == PostgresAggregateRecorder.select_events(recorder, stream)
    assert [(e.originator_version, e.topic, e.state) for e in read] == [
        (1, "test:First", b'{"a":1}'),
        (2, "test:Second", b'{"b":2}'),
        (3, "test:Third", b'{"c":3}'),
    ]
    assert all(type(e.state) is bytes and e.originator_id == stream for e in read)
    assert recorder.select_events(str(stream)) == read
    assert recorder.select_events(uuid4()) == []


def test_a_read_with_options_is_the_librarys(ledger: Ledger) -> None:
    recorder = log_of(ledger)
    stream = uuid4()
    recorder.insert_events([StoredEvent(stream, v, "test:Happened", b"{}") for v in (1, 2, 3, 4)])

    def versions(**options: Any) -> list[int]:
        return [e.originator_version for e in recorder.select_events(stream, **options)]

    assert versions(gt=1, lte=3) == [2, 3]
    assert versions(desc=True, limit=1) == [4]
    assert versions(desc=True) == [4, 3, 2, 1]
    assert versions(limit=2) == [1, 2]
