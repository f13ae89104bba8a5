"""Decoding a batch of the log fetches its personal-data keys in one look-up first."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID, uuid4

from eventsourcing.persistence import JSONTranscoder

from domain.shared.personal_data import PersonalData
from infrastructure.crypto import InMemorySubjectKeys, PersonalDataEncrypted


class CountingKeys(InMemorySubjectKeys):
    def __init__(self) -> None:
        super().__init__()
        self.asked: list[set[UUID]] = []

    def keys_for(self, subject_ids: Collection[UUID]) -> dict[UUID, bytes]:
        self.asked.append(set(subject_ids))
        return super().keys_for(subject_ids)


def _stored(transcoding: PersonalDataEncrypted, *values: PersonalData) -> bytes:
    transcoder = JSONTranscoder()
    transcoder.register(transcoding)
    return transcoder.encode({"fields": list(values)})


def test_prefetch_asks_once_for_every_sealed_subject_of_the_batch() -> None:
    keys = CountingKeys()
    transcoding = PersonalDataEncrypted(keys)
    ada, bob = uuid4(), uuid4()
    states = [
        _stored(transcoding, PersonalData(ada, "Ada"), PersonalData(bob, "Bob")),
        _stored(transcoding, PersonalData(ada, "ada@example.org")),
    ]
    transcoding.prefetch_keys(states)
    assert keys.asked == [{ada, bob}]


def test_prefetch_asks_nothing_for_values_already_erased_when_written() -> None:
    keys = CountingKeys()
    transcoding = PersonalDataEncrypted(keys)
    transcoding.prefetch_keys([_stored(transcoding, PersonalData(uuid4(), None))])
    assert keys.asked == []
