"""The ledger's faster transcoder reads what the library's JSON transcoder wrote, exactly as the
library reads it: events already stored decode to the same objects. What it writes may differ
from the library's bytes (a float's spelling), never in the objects both decoders read back from
it (the audit chain hashes each new row's bytes as stored)."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta, timezone
from enum import IntEnum, StrEnum
from typing import Any
from uuid import UUID

import orjson
import pytest
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    StoredEvent,
    Transcoding,
    TranscodingNotRegisteredError,
    UUIDAsHex,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.customer.model import Customer
from domain.shared.metadata import Channel, EventMetadata, EventMetadataAsDict, Role
from domain.shared.personal_data import (
    SUBJECT_IDS_KEPT,
    PersonalData,
    PersonalDataUndisclosed,
)
from domain.shared.transcodings import RememberedUUIDAsHex
from infrastructure.crypto import _SEALED, InMemorySubjectKeys, PersonalDataEncrypted
from infrastructure.transcoder import LedgerTranscoder
from tests.support.ledgers import in_memory_ledger

STORED_BY_MAIN = (
    b'{"timestamp":{"_type_":"datetime_iso","_data_":"2026-12-05T02:51:28.562065+00:00"},'
    b'"originator_topic":"domain.customer.model:Customer","metadata":{"_type_":"meta","_data_":'
    b'{"actor":"benchmark","role":"agent","channel":"api","correlation":'
    b'"6b32ebacbcf6405e9f297ec88e58f98a","causation":"5c031e2783304ff9a5daa87dc0cfa705"}},'
    b'"name":{"_type_":"pd","_data_":{"s":"205211637f2e48c7ae5f9f46e8d6f925","c":'
    b'"gIFNSB1hD2JIbSGzYCidMC7IsiTbcmrXux9xwniL9gFzDYy07b0="}},"email":{"_type_":"pd","_data_":'
    b'{"s":"205211637f2e48c7ae5f9f46e8d6f925","c":"7FT1iStP7JQOmqiV/4vpEQIOtLjpSzygAknP8uBxqzRh'
    b'8mh4/HjPOrF/SDwM115SyOO2hqA="}},"phone":null,"region":null,"email_fingerprint":'
    b'"4d14bf03dc532533c3d434a6a8f5299dc7e66834de83731b26021d678cead890"}'
)
"""A ``Customer.Registered`` as the ledger stored it before this decoder (a benchmark's log)."""
SUBJECT = UUID("205211637f2e48c7ae5f9f46e8d6f925")
SUBJECT_KEY = bytes.fromhex("9f84691f622ef6cb2413893d39e00f3ce28f17f8bbcf4da9a4cdba361948b1c6")


def transcoders(keys: InMemorySubjectKeys) -> tuple[JSONTranscoder, LedgerTranscoder]:
    """The library's transcoder with its own transcodings, and ours as the ledger has it."""
    library = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), EventMetadataAsDict()):
        library.register(transcoding)
    library.register(PersonalDataEncrypted(keys))
    ours = in_memory_ledger(keys).construct_transcoder()
    assert isinstance(ours, LedgerTranscoder)
    return library, ours


def keys_with_subject() -> InMemorySubjectKeys:
    keys = InMemorySubjectKeys()
    keys._keys[SUBJECT] = SUBJECT_KEY  # the key the stored event was sealed with
    return keys


def test_an_event_stored_before_decodes_to_the_same_objects_as_the_library_decodes() -> None:
    """Old bytes -> the library's objects, value for value, personal data opened."""
    library, ours = transcoders(keys_with_subject())
    expected, decoded = library.decode(STORED_BY_MAIN), ours.decode(STORED_BY_MAIN)
    assert decoded == expected
    assert decoded["name"] == PersonalData(SUBJECT, expected["name"].value)
    assert decoded["name"].value.startswith("Customer ")
    assert decoded["metadata"] == EventMetadata(
        "benchmark",
        Role.AGENT,
        Channel.API,
        UUID("6b32ebacbcf6405e9f297ec88e58f98a"),
        UUID("5c031e2783304ff9a5daa87dc0cfa705"),
    )
    assert decoded["timestamp"] == datetime(2026, 12, 5, 2, 51, 28, 562065, tzinfo=UTC)


def test_an_event_stored_before_decodes_through_the_ledger_as_a_domain_event() -> None:
    """The in-memory ledger (configured with this transcoder) reads the stored row whole."""
    ledger = in_memory_ledger(keys_with_subject())
    assert isinstance(ledger.mapper.transcoder, LedgerTranscoder)
    event = ledger.mapper.to_domain_event(
        StoredEvent(SUBJECT, 1, "domain.customer.model:Customer.Registered", STORED_BY_MAIN)
    )
    assert isinstance(event, Customer.Registered)
    assert event.originator_id == SUBJECT and event.phone is None
    assert event.email.value is not None and "@bench.example" in event.email.value


def test_an_erased_subjects_stored_event_decodes_to_the_erased_marker() -> None:
    """No key: the personal values read as erased, nothing raises."""
    library, ours = transcoders(InMemorySubjectKeys())
    decoded = ours.decode(STORED_BY_MAIN)
    assert decoded["name"].is_erased and decoded["email"].is_erased
    assert decoded == library.decode(STORED_BY_MAIN)


@pytest.mark.parametrize(
    "stored",
    [b'{"x":NaN,"y":-Infinity}', b'{"x":123456789012345678901234567890}', b'{"x":"\\ud800"}'],
)
def test_json_only_the_standard_library_reads_still_decodes_as_the_library_decodes(
    stored: bytes,
) -> None:
    """What orjson refuses (NaN, integers past 64 bits, lone surrogates) falls back."""
    library, ours = transcoders(InMemorySubjectKeys())
    decoded = ours.decode(stored)
    assert comparable(decoded) == comparable(library.decode(stored))
    assert all(type(decoded[name]) is not float for name in decoded if "NaN" not in str(stored))


@pytest.mark.parametrize(
    "stored",
    [
        b'{"x":[1,{"y":[18446744073709551616]}]}',  # in a list, in an object, in a list
        b'{"x":-9223372036854775809,"y":0.5}',  # just below what orjson reads as an integer
        b'{"x":{"_type_":"decimal_str","_data_":"1"},"y":{"z":99999999999999999999}}',
        b'{"x":{"_type_":"as_is","_data_":[1,18446744073709551616]}}',  # a tag's data
        b"[18446744073709551616]",
        b"18446744073709551616",
    ],
)
def test_an_integer_past_64_bits_anywhere_decodes_exactly_as_the_library_decodes_it(
    stored: bytes,
) -> None:
    """orjson reads it as a float: the walk meets it there and hands the event over."""
    library = JSONTranscoder()
    ours = LedgerTranscoder()
    for transcoder in (library, ours):
        transcoder.register(DecimalAsStr())
        transcoder.register(_ListAsIs())
    assert typed(ours.decode(stored)) == typed(library.decode(stored))


@pytest.mark.parametrize(
    "stored",
    [b'{"x":1e19,"y":[-1e300,0.1]}', b'{"x":18446744073709551615,"y":-9223372036854775808}'],
)
def test_large_floats_and_64_bit_integers_decode_as_the_library_decodes_them(
    stored: bytes,
) -> None:
    library, ours = transcoders(InMemorySubjectKeys())
    assert typed(ours.decode(stored)) == typed(library.decode(stored))


class _ListAsIs(Transcoding):
    """A tag whose data is a list, decoded as it is (a stand-in for a non-flat transcoding)."""

    type = tuple
    name = "as_is"

    def encode(self, obj: Any) -> Any:
        return list(obj)

    def decode(self, data: Any) -> Any:
        return data


def test_an_unknown_tag_is_refused_as_the_library_refuses_it() -> None:
    """A value tagged with an unregistered name is an error, not a silent dict."""
    library, ours = transcoders(InMemorySubjectKeys())
    stored = b'{"x":[{"_type_":"nobody","_data_":1}]}'
    with pytest.raises(TranscodingNotRegisteredError):
        library.decode(stored)
    with pytest.raises(TranscodingNotRegisteredError):
        ours.decode(stored)


def test_the_remembered_uuid_transcoding_gives_equal_ids_and_bounds_its_memory() -> None:
    """Shared ids are equal to freshly parsed ones; the memory is cleared when full."""
    transcoding = RememberedUUIDAsHex()
    ids = [UUID(int=n) for n in range(5_000)]
    assert [transcoding.decode(i.hex) for i in ids] == ids
    assert len(transcoding._decoded) <= 4_096


def test_a_tag_registered_again_decodes_with_the_transcoding_registered_last() -> None:
    """The decoding remembered for a tag is forgotten when the tag is registered anew (the
    ledger's undisclosed decoder replaces the sealing ``pd`` this way)."""
    _, ours = transcoders(keys_with_subject())
    stored = ours.encode({"name": PersonalData(SUBJECT, "Ada")})
    assert ours.decode(stored)["name"].value == "Ada"
    ours.register(PersonalDataUndisclosed())
    assert ours.decode(stored)["name"] == PersonalData(SUBJECT, None)


def test_the_undisclosed_transcoding_gives_equal_subject_ids_and_bounds_its_memory() -> None:
    """Remembered subject ids are equal to freshly parsed ones; the memory is cleared when
    full."""
    transcoding = PersonalDataUndisclosed()
    ids = [UUID(int=n) for n in range(SUBJECT_IDS_KEPT + 10)]
    decoded = [transcoding.decode({"s": i.hex, "c": "sealed"}) for i in ids]
    assert [value.subject_id for value in decoded] == ids
    assert all(value.value is None for value in decoded)
    assert len(transcoding._unread) <= SUBJECT_IDS_KEPT


def test_decoded_metadata_is_shared_only_between_equal_stored_metadata() -> None:
    """Two events of one command share one object; another cause gives another object."""
    transcoding = EventMetadataAsDict()
    meta = EventMetadata("a", Role.AGENT, Channel.WEB)
    stored = transcoding.encode(meta)
    first, second = transcoding.decode(dict(stored)), transcoding.decode(dict(stored))
    other = transcoding.decode({**stored, "causation": UUID(int=7).hex})
    assert first is second and first == meta
    assert other.causation_id == UUID(int=7) and other.correlation_id == meta.correlation_id


plain_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(),
    st.text(max_size=30),
    st.uuids(),
    st.decimals(allow_nan=False, allow_infinity=False, places=4),
    st.datetimes(timezones=st.just(UTC)),
    st.builds(EventMetadata, st.text(max_size=10), st.sampled_from(Role), st.sampled_from(Channel)),
)
"""Every kind of value an event holds, except sealed personal data (random nonces)."""


def states(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Event states: named values, nested in lists and objects (some keyed like tags)."""
    nested = st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(
                st.sampled_from(["a", "b", "_type_", "_data_", "é"]), inner, max_size=4
            ),
        ),
        max_leaves=20,
    )
    return st.dictionaries(st.text(max_size=12), nested, max_size=6)


class Score(float):
    """A float subclass: ``json`` writes it as a float, never asking the transcodings."""


class Rank(IntEnum):
    LOW = 1
    HIGH = 2


class Unregistered:
    """A type with no transcoding: both encoders refuse it."""


awkward_scalars = st.one_of(
    st.floats(),  # NaN and the infinities: json writes them, orjson would write null
    st.integers(min_value=-(2**70), max_value=2**70),  # past 64 bits: orjson refuses them
    st.floats(allow_nan=False).map(Score),
    st.sampled_from(Rank),
    st.sampled_from(Role),  # a StrEnum: written as its text, not by a transcoding
    st.text(st.characters(codec=None), max_size=4),  # lone surrogates: refused by both
    st.builds(PersonalData, st.uuids(), st.one_of(st.none(), st.text(max_size=20))),
    st.just(Unregistered()),
)
"""Values where orjson, left alone, would write or refuse otherwise than ``json``."""


def awkward_states() -> st.SearchStrategy[Any]:
    """Event states with tuples and keys that are not text (json turns some into text)."""
    keys = st.one_of(
        st.text(max_size=6), st.integers(), st.floats(), st.booleans(), st.none(), st.uuids()
    )
    nested = st.recursive(
        st.one_of(plain_scalars, awkward_scalars),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.lists(inner, max_size=3).map(tuple),
            st.dictionaries(keys, inner, max_size=4),
        ),
        max_leaves=20,
    )
    return st.dictionaries(keys, nested, max_size=6)


@settings(max_examples=500, deadline=None)  # a shared machine: no timing asserts
@given(state=st.one_of(states(plain_scalars), awkward_states()))
def test_any_event_state_encoded_by_ours_decodes_as_the_librarys_encoding_does(
    state: dict[str, Any],
) -> None:
    """The stored bytes may differ from the library's (``1e-05`` is written ``0.00001``), the
    objects they decode to, by our decoder and by the library's, may not; what the library
    refuses to encode (or to read back), ours refuses with the same error."""
    keys = InMemorySubjectKeys()
    library, ours = transcoders(keys)
    try:
        by_library = library.encode(state)
    except (TranscodingNotRegisteredError, TypeError, ValueError) as error:
        with pytest.raises(type(error)):
            ours.encode(state)
        return
    stored = ours.encode(state)
    try:
        expected = comparable(library.decode(by_library))
    except (TranscodingNotRegisteredError, KeyError, TypeError, AttributeError) as error:
        # A state with keys like a tag's reads back as an error: the same one from ours.
        for decoder in (ours, library):
            with pytest.raises(type(error)):
                decoder.decode(stored)
        return
    assert comparable(ours.decode(stored)) == expected
    assert comparable(library.decode(stored)) == expected


def test_plain_values_are_written_by_orjson_and_the_rest_by_the_library() -> None:
    """A float that ``json`` spells ``1e-05`` is written as orjson spells it; a NaN, a key that
    is not text, or an integer past 64 bits sends the whole value to the library's bytes."""
    library, ours = transcoders(InMemorySubjectKeys())
    assert ours.encode({"x": 1e-05, "id": UUID(int=1)}) == (
        b'{"x":0.00001,"id":{"_type_":"uuid_hex","_data_":"00000000000000000000000000000001"}}'
    )
    for refused_by_orjson in ({"x": math.nan}, {1: "one"}, {"x": [2**64]}, {"x": (1, Rank.LOW)}):
        assert ours.encode(refused_by_orjson) == library.encode(refused_by_orjson)


def test_a_cycle_is_refused_and_deep_nesting_written_as_the_library_does() -> None:
    """Past the walk's depth the library encodes: it names a cycle, and writes deep values."""
    library, ours = transcoders(InMemorySubjectKeys())
    cycle: list[Any] = []
    cycle.append(cycle)
    with pytest.raises(ValueError, match="Circular reference"):
        ours.encode({"x": cycle})
    deep: Any = "bottom"
    for _ in range(300):
        deep = [deep]
    assert ours.encode({"x": deep}) == library.encode({"x": deep})


def test_sealed_values_written_by_ours_are_found_by_the_key_prefetch() -> None:
    """The prefetch finds a stored event's subjects by the library's layout of a sealed value
    (``"_type_":"pd","_data_":{"s":...,"c":...}``, no spaces): orjson writes the same."""
    keys = keys_with_subject()
    _, ours = transcoders(keys)
    stored = ours.encode({"name": PersonalData(SUBJECT, "Ada"), "at": datetime.now(UTC)})
    assert _SEALED.findall(stored) == [SUBJECT.hex.encode()]


@settings(max_examples=300)
@given(state=states(st.one_of(plain_scalars, st.builds(PersonalData, st.uuids(), st.text()))))
def test_any_stored_event_state_decodes_to_the_objects_the_library_decodes(
    state: dict[str, Any],
) -> None:
    """Random nested states as the library stored them: the same objects back from both
    (personal values opened), or the same error."""
    library, ours = transcoders(InMemorySubjectKeys())
    stored = library.encode(state)
    try:
        expected = library.decode(stored)
    except (TranscodingNotRegisteredError, KeyError, TypeError, AttributeError) as error:
        with pytest.raises(type(error)):
            ours.decode(stored)
        return
    assert comparable(ours.decode(stored)) == comparable(expected)


def typed(value: Any) -> Any:
    """``value`` with each number paired with its type (``1e19 == 10**19`` in Python)."""
    if isinstance(value, dict):
        return {name: typed(item) for name, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    return (type(value), value)


def comparable(value: Any) -> Any:
    """``value`` with each NaN replaced by its text, so that equal decodings compare equal."""
    if isinstance(value, dict):
        return {name: comparable(item) for name, item in value.items()}
    if isinstance(value, list):
        return [comparable(item) for item in value]
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return value


class _Tag(StrEnum):
    GOLD = "gold"


class _UUIDAsText(Transcoding):
    """Another transcoding for ``UUID``, registered over the library's in a test."""

    type = UUID
    name = "uuid_text"

    def encode(self, obj: UUID) -> str:
        return str(obj)

    def decode(self, data: str) -> UUID:
        return UUID(data)


def test_a_tagged_values_type_is_checked_once_then_written_alike(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The questions asked of a value of a registered type (is it a subclass of a JSON type?)
    are asked once per type; its later values are written as the first was. A subclass of a
    JSON type (a ``StrEnum``) is never remembered: it is written as ``json`` writes it."""
    _, ours = transcoders(InMemorySubjectKeys())
    asked: list[type] = []
    other = ours._other

    def counted(value: Any, kind: type, depth: int) -> Any:
        asked.append(kind)
        return other(value, kind, depth)

    monkeypatch.setattr(ours, "_other", counted)
    first = ours.encode({"id": UUID(int=1), "tag": _Tag.GOLD})
    again = ours.encode({"id": UUID(int=1), "tag": _Tag.GOLD})
    assert (
        first
        == again
        == (
            b'{"id":{"_type_":"uuid_hex","_data_":"00000000000000000000000000000001"},"tag":"gold"}'
        )
    )
    assert asked == [UUID, _Tag, _Tag], "UUID asked about once, the StrEnum each time"


def test_a_type_registered_again_encodes_with_the_transcoding_registered_last() -> None:
    """The transcoding remembered for a type is forgotten when a transcoding is registered."""
    _, ours = transcoders(InMemorySubjectKeys())
    assert b"uuid_hex" in ours.encode({"id": UUID(int=1)})
    ours.register(_UUIDAsText())
    assert ours.encode({"id": UUID(int=1)}) == (
        b'{"id":{"_type_":"uuid_text","_data_":"00000000-0000-0000-0000-000000000001"}}'
    )


@settings(max_examples=300, deadline=None)
@given(
    state=st.one_of(states(plain_scalars), awkward_states()),
    names=st.lists(st.text(max_size=12), max_size=4),
)
def test_the_fields_decoded_alone_are_those_the_whole_decoding_gives(
    state: dict[str, Any], names: list[str]
) -> None:
    """A state's named fields decoded alone (``decode_fields``, a rebuild's reading of a few
    fields) are the whole decoding's fields of those names; or None (decode it whole), only
    where orjson cannot read the state as ``decode`` would."""
    library, ours = transcoders(InMemorySubjectKeys())
    try:
        stored = library.encode(state)
        whole = ours.decode(stored)
    except Exception:  # what neither writes nor reads: not this test's
        return
    names = [*names, *list(whole)[:2]] if isinstance(whole, dict) else names
    fields = ours.decode_fields(stored, names)
    if fields is None:
        assert not isinstance(whole, dict) or "_type_" in whole or _only_json_reads(stored)
        return
    assert comparable(fields) == comparable({n: whole[n] for n in names if n in whole})


def _only_json_reads(stored: bytes) -> bool:
    """orjson refuses the text, or reads a number in it as a float as large as an integer past
    64 bits (what ``decode`` hands to the library's decoder)."""
    try:
        parsed = orjson.loads(stored)
    except orjson.JSONDecodeError:
        return True
    return _has_large_float(parsed)


def _has_large_float(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_large_float(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_large_float(item) for item in value)
    return isinstance(value, float) and not -(2.0**63) < value < 2.0**63


OFFSETS = st.one_of(
    st.just(UTC),
    st.none(),
    st.builds(
        lambda seconds: timezone(timedelta(seconds=seconds)),
        st.integers(min_value=-86_399, max_value=86_399),
    ),
)


@settings(max_examples=300, deadline=None)
@given(moment=st.datetimes(timezones=OFFSETS))
def test_a_datetime_is_written_as_the_librarys_isoformat_wherever_it_is(moment: datetime) -> None:
    """A UTC datetime (every event's timestamp) is handed to orjson as it is, which writes the
    text ``isoformat()`` gives; any other (naive, another offset, seconds in the offset) is
    written by ``isoformat()`` itself. Either way the JSON is the library's, at the top of a
    state, inside a dict, inside a list, the first time the type is met and after."""
    library, ours = transcoders(InMemorySubjectKeys())
    state = {"at": moment, "inner": {"at": moment}, "all": [moment, {"at": moment}]}
    expected = json.loads(library.encode(state))
    assert expected["at"] == {"_type_": "datetime_iso", "_data_": moment.isoformat()}
    for _ in range(2):
        assert orjson.loads(ours.encode(state)) == expected
        assert ours.decode(ours.encode(state)) == library.decode(library.encode(state))


def test_a_datetime_transcoding_of_its_own_is_used_for_utc_datetimes_too() -> None:
    """Only the library's ``DatetimeAsISO`` lets orjson write the datetime: a transcoding
    registered in its place (a subclass included) encodes every datetime itself."""

    class _Seconds(DatetimeAsISO):
        name = "datetime_seconds"

        def encode(self, obj: datetime) -> str:
            return obj.isoformat(timespec="seconds")

    _, ours = transcoders(InMemorySubjectKeys())
    moment = datetime(2026, 12, 7, 8, 30, 1, 250_000, tzinfo=UTC)
    assert ours.encode({"at": moment}) == (
        b'{"at":{"_type_":"datetime_iso","_data_":"2026-12-07T08:30:01.250000+00:00"}}'
    )
    ours.register(_Seconds())
    for _ in range(2):
        assert ours.encode({"at": moment, "in": {"at": moment}}) == (
            b'{"at":{"_type_":"datetime_seconds","_data_":"2026-12-07T08:30:01+00:00"},'
            b'"in":{"at":{"_type_":"datetime_seconds","_data_":"2026-12-07T08:30:01+00:00"}}}'
        )


@pytest.mark.parametrize("depth", range(194, 206))
def test_tagged_values_at_the_walks_depth_limit_are_written_as_the_library_writes_them(
    depth: int,
) -> None:
    """A tagged value met in a dict is tagged there without a call, only while the walk's
    depth allows a call: at the limit and past it the library writes the value, the same."""
    library, ours = transcoders(InMemorySubjectKeys())
    moment = datetime(2026, 12, 7, 8, 30, 1, tzinfo=UTC)
    ours.encode({"at": moment, "id": UUID(int=1)})  # the types met once, as in a running ledger
    nested: Any = {"at": moment, "id": UUID(int=1)}
    for _ in range(depth):
        nested = {"x": nested}
    assert orjson.loads(ours.encode(nested)) == json.loads(library.encode(nested))
