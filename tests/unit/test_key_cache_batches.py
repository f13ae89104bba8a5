"""The key cache keeps a batch's prefetched keys for that batch, whatever its size, and still
drops an erased subject's key at once."""

from __future__ import annotations

import threading
from uuid import UUID, uuid4

from domain.shared.personal_data import PersonalData
from infrastructure.crypto import CachedSubjectKeys, InMemorySubjectKeys, PersonalDataEncrypted


class CountingStore(InMemorySubjectKeys):
    """A key store that counts the look-ups of one key alone."""

    def __init__(self) -> None:
        super().__init__()
        self.single_look_ups = 0

    def key_for(self, subject_id: UUID) -> bytes | None:
        self.single_look_ups += 1
        return super().key_for(subject_id)


def _subjects(store: CountingStore, count: int) -> list[UUID]:
    subjects = [uuid4() for _ in range(count)]
    for subject in subjects:
        store.create_key(subject)
    return subjects


def test_a_batch_of_more_subjects_than_the_cache_holds_decodes_without_single_look_ups() -> None:
    store = CountingStore()
    cache = CachedSubjectKeys(store, size=3)
    batch = _subjects(store, 10)
    cache.keys_for(batch)
    assert all(cache.cipher_for(subject) is not None for subject in batch)
    assert store.single_look_ups == 0


def test_the_next_batch_of_the_same_thread_releases_the_previous_one() -> None:
    store = CountingStore()
    cache = CachedSubjectKeys(store, size=3)
    first, second = _subjects(store, 10), _subjects(store, 2)
    cache.keys_for(first)
    cache.keys_for(second)  # trims the cache back to its size, keeping ``second``
    assert all(cache.key_for(subject) is not None for subject in second)
    assert store.single_look_ups == 0, "the current batch's keys stayed cached"
    assert sum(cache.key_for(subject) is not None for subject in first[:7]) == 7
    assert store.single_look_ups == 7, "the previous batch's oldest keys were evicted"


def test_an_erased_subject_of_a_pinned_batch_is_forgotten_at_once() -> None:
    store = CountingStore()
    cache = CachedSubjectKeys(store, size=3)
    batch = _subjects(store, 10)
    cache.keys_for(batch)
    store.destroy(batch[0])  # by another process: this one hears of it by NOTIFY
    cache.forget(batch[0])
    assert cache.cipher_for(batch[0]) is None
    assert cache.keys_for(batch).keys() == set(batch[1:])


def test_the_pins_of_a_thread_that_has_ended_are_released() -> None:
    store = CountingStore()
    cache = CachedSubjectKeys(store, size=3)
    batch = _subjects(store, 10)
    worker = threading.Thread(target=cache.keys_for, args=(batch,))
    worker.start()
    worker.join()
    cache.keys_for([])  # the next batch of any thread drops the pins of ended threads
    assert sum(cache.key_for(subject) is not None for subject in batch[:7]) == 7
    assert store.single_look_ups == 7, "only the last ``size`` of them were still cached"


def test_without_batches_the_least_recently_used_key_is_evicted_first() -> None:
    store = CountingStore()
    cache = CachedSubjectKeys(store, size=2)
    oldest, used, newest = _subjects(store, 3)
    cache.key_for(oldest)
    cache.key_for(used)
    cache.key_for(oldest)  # now ``used`` is the least recently used
    cache.key_for(newest)
    store.single_look_ups = 0
    cache.key_for(oldest)
    cache.key_for(newest)
    assert store.single_look_ups == 0
    cache.key_for(used)
    assert store.single_look_ups == 1


def test_a_value_opened_through_the_cached_cipher_reads_erased_once_its_subject_is_erased() -> None:
    """Pins: the transcoding's direct look-up of a cached cipher (no lock, no call into the
    cache) keeps no cipher of its own: the subject's value opened before the erasure reads as
    erased after it, and the erased key is not fetched again."""
    store = CountingStore()
    cache = CachedSubjectKeys(store)
    sealing = PersonalDataEncrypted(cache)
    (subject,) = _subjects(store, 1)
    stored = sealing.encode(PersonalData(subject, "Ada"))
    cache.keys_for([subject])
    assert sealing.decode(stored).value == "Ada"

    cache.destroy(subject)

    assert sealing.decode(stored) == PersonalData(subject, None)
    assert cache.cached_key(subject) is None


def test_a_value_whose_key_left_the_cache_is_opened_through_the_store() -> None:
    """Pins: a subject whose cipher is not cached (evicted, or forgotten after an unheard
    erasure) is opened through the key cache's own look-up, one look-up of the store."""
    store = CountingStore()
    cache = CachedSubjectKeys(store)
    sealing = PersonalDataEncrypted(cache)
    (subject,) = _subjects(store, 1)
    stored = sealing.encode(PersonalData(subject, "Ada"))
    cache.forget_all()

    assert sealing.decode(stored).value == "Ada"
    assert store.single_look_ups == 1
