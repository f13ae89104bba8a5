"""Properties of per-subject encryption and of event serialisation."""

from __future__ import annotations

import base64
from uuid import UUID, uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.customer.model import Customer
from domain.shared.metadata import Channel, EventMetadata, Role, acting_as
from domain.shared.personal_data import PersonalData
from infrastructure.crypto import InMemorySubjectKeys, PersonalDataEncrypted
from tests.support.ledgers import in_memory_ledger

texts = st.text(min_size=0, max_size=500)
metadata = st.builds(
    EventMetadata,
    actor_id=st.text(min_size=1, max_size=80),
    actor_role=st.sampled_from(Role),
    channel=st.sampled_from(Channel),
    correlation_id=st.uuids(),
    causation_id=st.uuids(),
)


@given(text=texts, subject=st.uuids())
def test_any_text_round_trips_through_encryption(text: str, subject: UUID) -> None:
    transcoding = PersonalDataEncrypted(InMemorySubjectKeys())
    sealed = transcoding.encode(PersonalData(subject, text))
    assert transcoding.decode(sealed) == PersonalData(subject, text)


@given(text=st.text(min_size=6, max_size=200))
def test_the_sealed_form_contains_the_text_in_no_common_encoding(text: str) -> None:
    subject = uuid4()
    sealed = str(PersonalDataEncrypted(InMemorySubjectKeys()).encode(PersonalData(subject, text)))
    raw = text.encode()
    for form in (text, raw.hex(), base64.b64encode(raw).decode()):
        assert form not in sealed


@given(text=texts)
def test_once_the_subject_key_is_destroyed_the_value_reads_as_erased(text: str) -> None:
    keys = InMemorySubjectKeys()
    transcoding = PersonalDataEncrypted(keys)
    subject = uuid4()
    sealed = transcoding.encode(PersonalData(subject, text))
    keys.destroy(subject)
    decoded = transcoding.decode(sealed)
    assert decoded.is_erased and decoded.reveal() == "[erased]"


@settings(max_examples=50)
@given(meta=metadata, name=st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=50))
def test_event_metadata_survives_storage_unchanged(meta: EventMetadata, name: str) -> None:
    ledger = in_memory_ledger()
    customer_id = uuid4()
    with acting_as(meta):
        customer = Customer.register(
            customer_id,
            name=name,
            email="x@example.org",
            phone=None,
            region=None,
            email_fingerprint="f" * 64,
        )
    (event,) = customer.collect_events()
    stored = ledger.mapper.to_stored_event(event)
    restored = ledger.mapper.to_domain_event(stored)
    assert isinstance(restored, Customer.Registered)
    assert isinstance(event, Customer.Registered)
    assert restored.metadata == meta
    assert restored.timestamp == event.timestamp
    assert restored.name == event.name
