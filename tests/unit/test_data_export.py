"""Recording data exports, given-when-then, in memory."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from domain.customer.commands import RegisterCustomer
from domain.customer.errors import CustomerNotFoundError
from domain.ledger import Ledger
from domain.privacy.errors import ExportIdReusedError
from domain.privacy.model import DataExport
from domain.shared.errors import ValidationError
from domain.shared.metadata import Channel, EventMetadata, Role

OFFICER = EventMetadata(actor_id="po-7", actor_role=Role.PRIVACY_OFFICER, channel=Channel.WEB)
WHEN = datetime(2026, 3, 1, 10, tzinfo=UTC)
SECTIONS = ["customer", "purchases"]


@pytest.fixture
def customer_id(ledger: Ledger) -> UUID:
    registered = ledger.register_customer(
        RegisterCustomer("Ada", "ada@example.org"), EventMetadata.system()
    )
    return registered.aggregate_id


def events_of(ledger: Ledger, export_id: UUID) -> list[object]:
    return list(ledger.repository.event_store.get(export_id))


def test_an_export_records_who_when_for_whom_why_and_which_sections(
    ledger: Ledger, customer_id: UUID
) -> None:
    result = ledger.record_data_export(
        customer_id, "  access request #12  ", SECTIONS, OFFICER, WHEN
    )
    [event] = events_of(ledger, result.aggregate_id)
    assert isinstance(event, DataExport.Exported)
    assert (event.subject_id, event.reason, event.sections, event.at) == (
        customer_id,
        "access request #12",
        SECTIONS,
        WHEN,
    )
    assert (event.metadata.actor_id, event.metadata.actor_role) == ("po-7", Role.PRIVACY_OFFICER)
    assert result.position == ledger.head_position()


def test_each_export_is_a_stream_of_its_own(ledger: Ledger, customer_id: UUID) -> None:
    first = ledger.record_data_export(customer_id, "request", SECTIONS, OFFICER, WHEN)
    second = ledger.record_data_export(customer_id, "request", SECTIONS, OFFICER, WHEN)
    assert first.aggregate_id != second.aggregate_id


@pytest.mark.parametrize(
    "reason", ["", "   ", "x" * 501, "null\x00byte", "bell\x07"], ids=lambda r: repr(r)[:12]
)
def test_a_reason_that_is_not_short_text_is_refused_and_nothing_is_written(
    ledger: Ledger, customer_id: UUID, reason: str
) -> None:
    head = ledger.head_position()
    with pytest.raises(ValidationError) as refused:
        ledger.record_data_export(customer_id, reason, SECTIONS, OFFICER, WHEN)
    assert refused.value.field == "reason"
    assert ledger.head_position() == head


def test_a_reason_of_500_characters_with_line_breaks_is_accepted(
    ledger: Ledger, customer_id: UUID
) -> None:
    reason = ("line\n" * 100).strip().ljust(500, "x")
    result = ledger.record_data_export(customer_id, reason, SECTIONS, OFFICER, WHEN)
    assert ledger.get_data_export(result.aggregate_id).reason == reason


@pytest.mark.parametrize("sections", [[], ["customer", "customer"], ["Not A Name"], ["a"] * 33])
def test_bad_sections_are_refused(ledger: Ledger, customer_id: UUID, sections: list[str]) -> None:
    with pytest.raises(ValidationError) as refused:
        ledger.record_data_export(customer_id, "request", sections, OFFICER, WHEN)
    assert refused.value.field == "sections"


def test_an_unknown_customer_cannot_be_exported(ledger: Ledger) -> None:
    head = ledger.head_position()
    with pytest.raises(CustomerNotFoundError):
        ledger.record_data_export(uuid4(), "request", SECTIONS, OFFICER, WHEN)
    assert ledger.head_position() == head


def test_a_retried_export_answers_the_same_and_writes_nothing(
    ledger: Ledger, customer_id: UUID
) -> None:
    export_id = uuid4()
    first = ledger.record_data_export(customer_id, "request", SECTIONS, OFFICER, WHEN, export_id)
    head = ledger.head_position()
    again = ledger.record_data_export(customer_id, "request", SECTIONS, OFFICER, WHEN, export_id)
    assert (again.aggregate_id, again.version) == (first.aggregate_id, first.version)
    assert ledger.head_position() == head


def test_an_export_id_used_for_another_subject_is_refused(
    ledger: Ledger, customer_id: UUID
) -> None:
    other = ledger.register_customer(
        RegisterCustomer("Bo", "bo@example.org"), EventMetadata.system()
    ).aggregate_id
    export_id = uuid4()
    ledger.record_data_export(customer_id, "request", SECTIONS, OFFICER, WHEN, export_id)
    with pytest.raises(ExportIdReusedError):
        ledger.record_data_export(other, "request", SECTIONS, OFFICER, WHEN, export_id)
    with pytest.raises(ExportIdReusedError):  # an id that names another kind of stream
        ledger.record_data_export(other, "request", SECTIONS, OFFICER, WHEN, customer_id)
