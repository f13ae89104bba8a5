"""Per-subject encryption of personal data (crypto-shredding).

Every data subject has a random 256-bit data key, stored only wrapped (AES-GCM) by the master
key from settings. Personal values are sealed with AES-GCM under the subject's key, with the
subject id as associated data, so a ciphertext cannot be moved to another subject. Deleting a
subject's key makes every copy of their data, in events and snapshots alike, unreadable.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from eventsourcing.persistence import Transcoding

from domain.shared.ids import random_bytes
from domain.shared.personal_data import PersonalData, PersonalDataUnreadableError
from infrastructure.fresh_keys import FreshKey, fresh_keys_now

log = logging.getLogger(__name__)

NONCE_BYTES = 12
SUBJECT_IDS_KEPT = 10_000
KEY_BYTES = 32
KEY_CACHE_SIZE = 10_000
"""Unwrapped subject keys a process keeps, beyond those of the log batches it is decoding."""


class MasterKey:
    """Wraps and unwraps subject keys, and derives the other keys the product needs."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) != KEY_BYTES:
            raise ValueError("the master key must be 32 bytes")
        self._aead = AESGCM(secret)
        self._secret = secret

    @classmethod
    def from_text(cls, text: str) -> MasterKey:
        """Accepts base64 (standard or URL-safe) or hex encodings of 32 bytes."""
        raw = _decode_key_text(text.strip())
        return cls(raw)

    def wrap(self, subject_id: UUID, data_key: bytes) -> bytes:
        nonce = random_bytes(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, data_key, b"subject-key:" + subject_id.bytes)

    def unwrap(self, subject_id: UUID, wrapped: bytes) -> bytes:
        nonce, sealed = wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:]
        return self._aead.decrypt(nonce, sealed, b"subject-key:" + subject_id.bytes)

    def derive(self, purpose: str) -> bytes:
        """A key for another purpose, independent of the master. A value that must outlive a
        rotation of the master key is stored sealed instead (see ``seal``)."""
        hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose.encode())
        return hkdf.derive(self._secret)

    def check_value(self) -> bytes:
        """A fingerprint of this key that the database keeps, so that a process started with
        another key is refused (one-way: it tells nothing about the key)."""
        return self.derive("cxledger master key check v1")

    def seal(self, name: str, secret: bytes) -> bytes:
        """A secret of the product (not a subject's) wrapped under this key, bound to its
        name; rotation rewraps it like the subject keys."""
        nonce = random_bytes(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, secret, b"secret:" + name.encode())

    def unseal(self, name: str, sealed: bytes) -> bytes:
        nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
        return self._aead.decrypt(nonce, body, b"secret:" + name.encode())


def _decode_key_text(text: str) -> bytes:
    for decode in (bytes.fromhex, base64.urlsafe_b64decode, base64.b64decode):
        try:
            raw = decode(text)
        except ValueError:
            continue
        if len(raw) == KEY_BYTES:
            return raw
    raise ValueError("the master key must be 32 bytes, as base64 or hex")


def new_master_key_text() -> str:
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


class SubjectKeys(Protocol):
    """Where subject keys live. ``None`` means the subject was erased (or never had data)."""

    def key_for(self, subject_id: UUID) -> bytes | None: ...

    def keys_for(self, subject_ids: Collection[UUID]) -> dict[UUID, bytes]:
        """The keys of those of ``subject_ids`` that have one, in one look-up."""
        ...

    def create_key(self, subject_id: UUID) -> bytes | None:
        """The subject's key, made if needed; None if the subject was erased."""
        ...

    def destroy(self, subject_id: UUID) -> None: ...


@runtime_checkable
class FreshKeyMaker(Protocol):
    """A key store that can make a key to be stored with the events sealed under it
    (:mod:`infrastructure.fresh_keys`)."""

    def fresh_key(self, subject_id: UUID) -> FreshKey: ...


class CachedSubjectKeys:
    """A bounded in-process cache of unwrapped keys in front of a key store.

    Its maps are keyed by each subject id's integer (``UUID.int``), not by the ``UUID``: a
    ``UUID`` hashes in Python, and decoding a batch of the log asks here for every sealed
    value (three look-ups each, a tenth of a customer_directory rebuild's decoding)."""

    def __init__(self, store: SubjectKeys, size: int = KEY_CACHE_SIZE) -> None:
        self._store = store
        self._size = size
        self._cache: OrderedDict[int, bytes] = OrderedDict()
        self._ciphers: dict[int, AESGCM] = {}
        """The AES-GCM of each cached key: making one costs more than a decryption. Dropped
        with its key (eviction, erasure), so no erased key outlives its cache entry."""
        self._pins: dict[int, frozenset[int]] = {}
        """The subjects of each thread's latest batch look-up (:meth:`keys_for`), by thread:
        never evicted, so a batch naming more subjects than ``size`` still finds every key it
        fetched. Ids only: an erasure drops the key itself from ``_cache``, pinned or not."""
        self._pinned: frozenset[int] = frozenset()
        """The union of ``_pins``."""
        self._lock = threading.Lock()
        self._maker = store if isinstance(store, FreshKeyMaker) else None
        """The store, if it makes fresh keys (a runtime protocol's check: once, not per key)."""

    def key_for(self, subject_id: UUID) -> bytes | None:
        subject = subject_id.int
        with self._lock:
            key = self._cache.get(subject)
            if key is not None:
                self._cache.move_to_end(subject)
                return key
        key = self._store.key_for(subject_id)
        if key is not None:
            self._remember(subject, key)
        return key

    def cipher_for(self, subject_id: UUID) -> AESGCM | None:
        """The subject's key as an AES-GCM, made once per cached key; None if erased."""
        subject = subject_id.int
        with self._lock:
            cipher = self._ciphers.get(subject)
            if cipher is not None:
                self._cache.move_to_end(subject)
                return cipher
        key = self.key_for(subject_id)
        if key is None:
            return None
        cipher = AESGCM(key)
        with self._lock:
            if self._cache.get(subject) == key:  # not forgotten meanwhile
                self._ciphers[subject] = cipher
        return cipher

    def cipher_lookup(self) -> Callable[[int], AESGCM | None]:
        """The cached AES-GCM of a subject, by its id's integer, read without the lock and
        without marking the key recently used; None when not cached (then ask
        :meth:`cipher_for`). For decoding a batch, whose keys :meth:`keys_for` has just
        fetched, marked recent and pinned: the lock, the move to the recent end and the call
        were a third of opening a sealed value besides the AES-GCM itself. An erased
        subject's cipher is dropped from the same map (``forget``), so it is never found."""
        return self._ciphers.get

    def keys_for(self, subject_ids: Collection[UUID]) -> dict[UUID, bytes]:
        """Cached keys, and the missing ones fetched in one look-up and remembered: decoding a
        batch of the log asks here first, so that a cold cache (a rebuild, a new worker) costs
        one round trip per batch rather than one per person. An erased subject is not
        remembered, as in :meth:`key_for`.

        A batch's subjects stay cached until the same thread's next batch, whatever the cache
        size: without that, a batch of more subjects than it holds evicted its own keys while
        fetching them, then looked each one up again alone."""
        with self._lock:
            self._pin(frozenset(subject_id.int for subject_id in subject_ids))
            found = {s: k for s in subject_ids if (k := self._cache.get(s.int)) is not None}
            for subject_id in found:
                self._cache.move_to_end(subject_id.int)
        missing = [s for s in subject_ids if s not in found]
        fetched = self._store.keys_for(missing) if missing else {}
        with self._lock:
            for subject_id, key in fetched.items():
                self._put(subject_id.int, key)
            self._evict_over_bound()
        return found | fetched

    def create_key(self, subject_id: UUID) -> bytes | None:
        with self._lock:
            key = self._cache.get(subject_id.int)
        if key is None:
            key = self._store.create_key(subject_id)  # returns the existing key if there is one
            if key is not None:
                self._remember(subject_id.int, key)
        return key

    def cached_key(self, subject_id: UUID) -> bytes | None:
        """The subject's key if this process has it at hand; None says nothing of the table."""
        with self._lock:
            return self._cache.get(subject_id.int)

    def fresh_key(self, subject_id: UUID) -> FreshKey | None:
        """A new key for the subject, stored nowhere yet, nor cached (see :meth:`remember`);
        None if the store cannot make one."""
        return None if self._maker is None else self._maker.fresh_key(subject_id)

    def remember(self, subject_id: UUID, key: bytes) -> None:
        """Cache a key that has just been stored with the events sealed under it."""
        self._remember(subject_id.int, key)

    def destroy(self, subject_id: UUID) -> None:
        self.forget(subject_id)
        self._store.destroy(subject_id)
        self.forget(subject_id)  # in case a reader cached it again meanwhile

    def forget(self, subject_id: UUID) -> None:
        """Drop a cached key (every process that caches hears of erasures by NOTIFY)."""
        with self._lock:
            self._cache.pop(subject_id.int, None)
            self._ciphers.pop(subject_id.int, None)

    def forget_all(self) -> None:
        """Drop every cached key (erasures may have gone unheard)."""
        with self._lock:
            self._cache.clear()
            self._ciphers.clear()

    def _remember(self, subject: int, key: bytes) -> None:
        with self._lock:
            self._put(subject, key)
            self._evict_over_bound()

    def _put(self, subject: int, key: bytes) -> None:
        if self._cache.get(subject) != key:  # a new key (a restored backup?)
            self._ciphers.pop(subject, None)
        self._cache[subject] = key
        self._cache.move_to_end(subject)

    def _pin(self, subjects: frozenset[int]) -> None:
        """Pin the calling thread's batch in place of its previous one; forget the pins of
        threads that have ended."""
        self._pins[threading.get_ident()] = subjects
        alive = {thread.ident for thread in threading.enumerate()}
        for ident in [i for i in self._pins if i not in alive]:
            del self._pins[ident]
        self._pinned = frozenset().union(*self._pins.values())

    def _evict_over_bound(self) -> None:
        """Evict the least recently used unpinned keys down to ``size``, or to the pinned
        count if that is larger. A pinned key met on the way goes to the recent end, so each
        is stepped over at most once per call."""
        bound = max(self._size, len(self._pinned))
        for _ in range(len(self._cache)):
            if len(self._cache) <= bound:
                return
            oldest = next(iter(self._cache))
            if oldest in self._pinned:
                self._cache.move_to_end(oldest)
                continue
            del self._cache[oldest]
            self._ciphers.pop(oldest, None)


class InMemorySubjectKeys:
    """Key store for in-memory aggregate tests."""

    def __init__(self) -> None:
        self._keys: dict[UUID, bytes] = {}
        self._erased: set[UUID] = set()

    def key_for(self, subject_id: UUID) -> bytes | None:
        return self._keys.get(subject_id)

    def keys_for(self, subject_ids: Collection[UUID]) -> dict[UUID, bytes]:
        return {s: k for s in subject_ids if (k := self._keys.get(s)) is not None}

    def create_key(self, subject_id: UUID) -> bytes | None:
        if subject_id in self._erased:
            return None
        return self._keys.setdefault(subject_id, AESGCM.generate_key(bit_length=256))

    def destroy(self, subject_id: UUID) -> None:
        self._keys.pop(subject_id, None)
        self._erased.add(subject_id)


_SEALED = re.compile(rb'"_type_":"pd","_data_":\{"s":"([0-9a-f]{32})","c":"[^"]')
"""A sealed value's subject in a stored event's JSON (an empty ``c``: nothing to decrypt)."""


class PersonalDataEncrypted(Transcoding):
    """Transcodes :class:`PersonalData` as ``{"s": subject, "c": nonce+ciphertext}``."""

    type = PersonalData
    name = "pd"
    flat = True
    """Its data are strings only: a decoder need not look inside them for tagged values."""

    def __init__(self, keys: SubjectKeys) -> None:
        self._keys = keys
        self._cipher_for: Callable[[UUID], AESGCM | None] = (
            keys.cipher_for if isinstance(keys, CachedSubjectKeys) else self._uncached_cipher
        )
        """Chosen once, not per sealed value."""
        self._cached_cipher: Callable[[int], AESGCM | None] = (
            keys.cipher_lookup() if isinstance(keys, CachedSubjectKeys) else _no_cipher
        )
        """A cached key's cipher without a call into the key cache (its lock, its order)."""
        self._subjects: dict[str, tuple[UUID, bytes, int]] = {}
        """Parsed subject ids and their bytes (the associated data; not secret), so a person's
        many values parse their id once (``UUID.bytes`` is computed in Python on each use)."""

    def prefetch_keys(self, states: Iterable[bytes]) -> None:
        """Fetch, in one look-up, the keys that decoding these stored events will ask for.
        Only a hint: a subject it misses (another JSON layout) is looked up when decoded."""
        # Each subject's id is parsed once, not once per sealed value (a person has many).
        found = {match for state in states for match in _SEALED.findall(state)}
        subjects = {self._subject(match.decode())[0] for match in found}
        # An unreadable key is logged; decoding the event that holds it raises it there.
        with contextlib.suppress(PersonalDataUnreadableError):
            if subjects:
                self._keys.keys_for(subjects)

    def encode(self, obj: PersonalData) -> dict[str, str]:
        if obj.value is None:
            # Re-saving erased data (a snapshot after erasure) keeps it erased.
            return {"s": obj.subject_id.hex, "c": ""}
        cipher = self._cipher_to_seal(obj.subject_id)
        if cipher is None:  # the subject was erased: nothing new is ever sealed for them
            return {"s": obj.subject_id.hex, "c": ""}
        nonce = random_bytes(NONCE_BYTES)
        sealed = cipher.encrypt(nonce, obj.value.encode(), obj.subject_id.bytes)
        # base64.b64encode's own work without its Python wrapper (as ``decode`` reads it).
        return {
            "s": obj.subject_id.hex,
            "c": binascii.b2a_base64(nonce + sealed, newline=False).decode(),
        }

    def _cipher_to_seal(self, subject_id: UUID) -> AESGCM | None:
        """The subject's key as an AES-GCM (made once per key: a fresh key's with it, a cached
        key's by the cache): a fresh one, to be stored with the events, if the command being
        encoded creates the subject's own aggregate and this process knows no key of theirs;
        otherwise the stored key, made now if there is none (None: erased)."""
        fresh = fresh_keys_now()
        keys = self._keys
        if (
            fresh is None
            or not fresh.may_make(subject_id)
            or not isinstance(keys, CachedSubjectKeys)
        ):
            return self._cipher_of(keys.create_key(subject_id))
        made = fresh.made_for(subject_id)
        if made is not None:
            return made.cipher  # the same subject's other values, in this command
        if keys.cached_key(subject_id) is not None:
            return keys.cipher_for(subject_id)
        made = keys.fresh_key(subject_id)
        if made is None:
            return self._cipher_of(keys.create_key(subject_id))
        fresh.add(made, keys.remember)
        return made.cipher

    @staticmethod
    def _cipher_of(key: bytes | None) -> AESGCM | None:
        return None if key is None else AESGCM(key)

    def decode(self, data: dict[str, Any]) -> PersonalData:
        text = data["s"]
        subject_id, associated, number = self._subjects.get(text) or self._subject(text)
        sealed = data["c"]
        if not sealed:
            return PersonalData(subject_id, None)
        # A batch's keys were fetched before its first decode (``prefetch_keys``): the cached
        # cipher, found directly; else the key cache's own way (a look-up, or None: erased).
        cipher = self._cached_cipher(number) or self._cipher_for(subject_id)
        if cipher is None:
            return PersonalData(subject_id, None)
        raw = binascii.a2b_base64(sealed)  # base64.b64decode's work, one call less
        try:
            clear = cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], associated)
        except InvalidTag as error:
            detail = f"a sealed value of subject {subject_id} fails its integrity check"
            log.error("personal data unreadable: %s", detail)
            raise PersonalDataUnreadableError(detail) from error
        return PersonalData(subject_id, clear.decode())

    def _uncached_cipher(self, subject_id: UUID) -> AESGCM | None:
        key = self._keys.key_for(subject_id)
        return None if key is None else AESGCM(key)

    def _subject(self, text: str) -> tuple[UUID, bytes, int]:
        """The subject id, its bytes (the associated data) and its integer (the key cache's
        key), parsed once per person."""
        subject = self._subjects.get(text)
        if subject is None:
            if len(self._subjects) >= SUBJECT_IDS_KEPT:
                self._subjects.clear()
            subject_id = UUID(text)
            subject = self._subjects[text] = (subject_id, subject_id.bytes, subject_id.int)
        return subject


def _no_cipher(subject: int) -> AESGCM | None:
    """No cache to look in: every subject's cipher comes from its key store."""
    return None


class EmailFingerprinter:
    """Keyed hash (HMAC-SHA256) of a normalised email, for uniqueness without the clear text.

    The key may be given late (a callable, asked once at first use): in a database it is kept
    sealed under the master key, which the schema must exist to read."""

    def __init__(self, key: bytes | Callable[[], bytes]) -> None:
        self._key = key if isinstance(key, bytes) else None
        self._load = None if isinstance(key, bytes) else key
        self._keyed: hmac.HMAC | None = None

    def __call__(self, normalised_email: str) -> str:
        keyed = self._keyed
        if keyed is None:
            if self._key is None:
                assert self._load is not None
                self._key = self._load()
            keyed = self._keyed = hmac.new(self._key, digestmod=hashlib.sha256)
        # A copy of the keyed HMAC: OpenSSL neither looks the digest up again nor hashes the
        # padded key twice (``hmac.new`` each time cost about 20 us a registration in a
        # profile of the writing thread; the copy about a tenth of that). The same digest.
        mine = keyed.copy()
        mine.update(normalised_email.encode())
        return mine.hexdigest()
