"""Sealing a command's events: a subject whose own aggregate the command creates gets a fresh
key, one for all its values, cached only once stored; every other subject gets the stored key."""

from __future__ import annotations

import os
from uuid import UUID, uuid4

from domain.shared.personal_data import PersonalData
from infrastructure.crypto import CachedSubjectKeys, InMemorySubjectKeys, PersonalDataEncrypted
from infrastructure.fresh_keys import FreshKey, fresh_keys_for


class FreshKeysStore(InMemorySubjectKeys):
    """Makes fresh keys as the PostgreSQL store does (wrapping left out), and counts the keys
    it was asked to create and store."""

    def __init__(self) -> None:
        super().__init__()
        self.created: list[UUID] = []

    def create_key(self, subject_id: UUID) -> bytes | None:
        self.created.append(subject_id)
        return super().create_key(subject_id)

    def fresh_key(self, subject_id: UUID) -> FreshKey:
        return FreshKey(subject_id, os.urandom(32), b"wrapped", b"check")


def sealing() -> tuple[FreshKeysStore, CachedSubjectKeys, PersonalDataEncrypted]:
    store = FreshKeysStore()
    keys = CachedSubjectKeys(store)
    return store, keys, PersonalDataEncrypted(keys)


def test_a_born_subject_gets_one_fresh_key_for_all_its_values_cached_once_stored() -> None:
    store, keys, transcoding = sealing()
    ada = uuid4()
    with fresh_keys_for([ada]) as fresh:
        name = transcoding.encode(PersonalData(ada, "Ada"))
        email = transcoding.encode(PersonalData(ada, "ada@example.org"))
    (made,) = fresh.made
    assert made.subject_id == ada and not store.created
    assert keys.cached_key(ada) is None, "not cached before it is stored"
    fresh.stored()
    assert keys.cached_key(ada) == made.key
    assert transcoding.decode(name).value == "Ada"
    assert transcoding.decode(email).value == "ada@example.org"


def test_other_subjects_and_subjects_with_a_cached_key_are_sealed_under_the_stored_key() -> None:
    store, keys, transcoding = sealing()
    ada, bob = uuid4(), uuid4()
    known = keys.create_key(ada)
    with fresh_keys_for([ada]) as fresh:
        transcoding.encode(PersonalData(ada, "Ada"))  # born, but its key is at hand
        transcoding.encode(PersonalData(bob, "Bob"))  # not born in this command
    assert not fresh.made and store.created == [ada, bob]
    assert keys.cached_key(ada) == known


def test_outside_a_command_being_written_no_key_is_fresh() -> None:
    store, _, transcoding = sealing()
    ada = uuid4()
    transcoding.encode(PersonalData(ada, "Ada"))
    assert store.created == [ada]
