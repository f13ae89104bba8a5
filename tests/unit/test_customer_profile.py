"""Profile, preferences, consents and onboarding, given-when-then, in memory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from domain.customer.commands import (
    ChangeContactDetails,
    ChangeDemographics,
    RegisterCustomer,
    SetContactPreferences,
)
from domain.customer.errors import CustomerNotFoundError, EmailAlreadyRegisteredError
from domain.customer.model import EmailClaim
from domain.customer.profile import Address, ConsentPurpose, ContactChannel
from domain.ledger import Ledger
from domain.shared.aggregate import LedgerAggregate
from domain.shared.errors import ConcurrencyConflictError, ValidationError
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.shared.personal_data import PersonalData
from tests.support.event_versions import as_stored_before

SELF = EventMetadata(actor_id="self", actor_role=Role.CUSTOMER, channel=Channel.APP)


@pytest.fixture
def customer_id(ledger: Ledger) -> UUID:
    return ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), SELF).aggregate_id


def event_types(ledger: Ledger, aggregate_id: UUID) -> list[str]:
    return [type(e).__name__ for e in ledger.events.get(aggregate_id)]


def test_changing_the_name_and_phone_records_one_named_event_each(
    ledger: Ledger, customer_id: UUID
) -> None:
    ledger.change_contact_details(
        ChangeContactDetails(customer_id, name="Ada King", phone="+44 20 7946 0000"), SELF
    )
    assert event_types(ledger, customer_id) == ["Registered", "NameChanged", "PhoneChanged"]


def test_sending_the_same_values_again_writes_nothing(ledger: Ledger, customer_id: UUID) -> None:
    ledger.change_contact_details(ChangeContactDetails(customer_id, name="Ada"), SELF)
    assert event_types(ledger, customer_id) == ["Registered"]


def test_changing_the_email_moves_the_claim_and_frees_the_old_email(
    ledger: Ledger, customer_id: UUID
) -> None:
    ledger.change_email(customer_id, "ada.king@example.org", SELF)
    customer = ledger.get_customer(customer_id)
    assert customer.email.value == "ada.king@example.org"
    other = ledger.register_customer(RegisterCustomer("Other", "ada@example.org"), SELF)
    old_claim: EmailClaim = ledger.repository.get(
        EmailClaim.id_for(ledger.get_customer(other.aggregate_id).email_fingerprint)
    )
    assert old_claim.customer_id == other.aggregate_id
    assert event_types(ledger, old_claim.id) == ["Claimed", "Released", "Reclaimed"]


def test_changing_to_an_email_another_customer_holds_is_refused(
    ledger: Ledger, customer_id: UUID
) -> None:
    ledger.register_customer(RegisterCustomer("Bob", "bob@example.org"), SELF)
    head = ledger.head_position()
    with pytest.raises(EmailAlreadyRegisteredError):
        ledger.change_email(customer_id, "BOB@example.org", SELF)
    assert ledger.head_position() == head


def test_an_address_is_stored_sealed_and_reads_back_whole(
    ledger: Ledger, customer_id: UUID
) -> None:
    address = Address.checked("1 Main St", None, "Springfield", "12345", "us")
    ledger.change_address(customer_id, address, SELF)
    stored = ledger.get_customer(customer_id).address
    assert stored is not None and stored.value is not None
    assert Address.from_text(stored.value) == address and address.country == "US"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda c: ChangeDemographics(c, language="english please"), "language"),
        (lambda c: ChangeDemographics(c, birth_year=1850), "birthYear"),
        (lambda c: ChangeDemographics(c, birth_year=2030), "birthYear"),
        (lambda c: ChangeDemographics(c, region="<b>"), "region"),
    ],
)
def test_impossible_demographics_are_refused_with_the_field_named(
    ledger: Ledger, customer_id: UUID, change: Callable[[UUID], ChangeDemographics], field: str
) -> None:
    head = ledger.head_position()
    with pytest.raises(ValidationError) as refused:
        ledger.change_demographics(change(customer_id), SELF)
    assert refused.value.field == field and ledger.head_position() == head


def test_demographics_record_the_region_in_clear_and_seal_language_and_birth_year(
    ledger: Ledger, customer_id: UUID
) -> None:
    ledger.change_demographics(
        ChangeDemographics(customer_id, region="EU-North", language="pt-BR", birth_year=1990),
        SELF,
    )
    customer = ledger.get_customer(customer_id)
    assert customer.region == "EU-North"
    assert customer.language == PersonalData(customer_id, "pt-BR")
    assert customer.birth_year == PersonalData(customer_id, "1990")


def test_demographics_changed_to_what_they_are_record_nothing(
    ledger: Ledger, customer_id: UUID
) -> None:
    same = ChangeDemographics(customer_id, language="pt-BR", birth_year=1990)
    ledger.change_demographics(same, SELF)
    head = ledger.head_position()
    ledger.change_demographics(same, SELF)
    assert ledger.head_position() == head


@pytest.mark.parametrize(
    ("change", "older_values", "sealed"),
    [
        (ChangeDemographics(UUID(int=0), language="pt-BR"), {"language": "sv"}, "sv"),
        (ChangeDemographics(UUID(int=0), birth_year=1990), {"birth_year": 1971}, "1971"),
    ],
    ids=["language", "birth year"],
)
def test_version_1_language_and_birth_year_events_read_as_sealed_values(
    ledger: Ledger,
    customer_id: UUID,
    change: ChangeDemographics,
    older_values: dict[str, Any],
    sealed: str,
) -> None:
    ledger.change_demographics(replace(change, customer_id=customer_id), SELF)
    current = list(ledger.events.get(customer_id))[-1]

    read = as_stored_before(ledger, current, older_values=older_values)

    [(name, _)] = older_values.items()
    assert getattr(read, name) == PersonalData(customer_id, sealed)


def test_contact_preferences_record_opt_in_and_opt_out_per_channel(
    ledger: Ledger, customer_id: UUID
) -> None:
    ledger.set_contact_preferences(
        SetContactPreferences(customer_id, {ContactChannel.EMAIL: True, ContactChannel.SMS: False}),
        SELF,
    )
    assert ledger.get_customer(customer_id).contact_channels == {"email": True, "sms": False}
    assert event_types(ledger, customer_id)[1:] == [
        "ContactChannelOptedIn",
        "ContactChannelOptedOut",
    ]


def test_consent_history_keeps_each_give_and_withdraw_with_its_actor(
    ledger: Ledger, customer_id: UUID
) -> None:
    agent = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.PHONE)
    ledger.give_consent(customer_id, ConsentPurpose.MARKETING, SELF)
    ledger.withdraw_consent(customer_id, ConsentPurpose.MARKETING, agent)
    ledger.withdraw_consent(customer_id, ConsentPurpose.MARKETING, agent)  # no change: no event
    events = list(ledger.events.get(customer_id))[1:]
    assert [type(e).__name__ for e in events] == ["ConsentGiven", "ConsentWithdrawn"]
    assert all(isinstance(e, LedgerAggregate.Event) for e in events)
    roles = [e.metadata.actor_role for e in events if isinstance(e, LedgerAggregate.Event)]
    assert roles == [Role.CUSTOMER, Role.AGENT]


def test_withdrawing_a_consent_never_given_records_an_explicit_refusal_once(
    ledger: Ledger, customer_id: UUID
) -> None:
    ledger.withdraw_consent(customer_id, ConsentPurpose.RESEARCH, SELF)
    ledger.withdraw_consent(customer_id, ConsentPurpose.RESEARCH, SELF)  # a no on record: stays
    assert event_types(ledger, customer_id)[1:] == ["ConsentRefused"]
    assert ledger.get_customer(customer_id).consents == {"research": False}


def test_a_refused_consent_can_be_given_later_and_withdrawn_again(
    ledger: Ledger, customer_id: UUID
) -> None:
    ledger.withdraw_consent(customer_id, ConsentPurpose.RESEARCH, SELF)
    ledger.give_consent(customer_id, ConsentPurpose.RESEARCH, SELF)
    ledger.withdraw_consent(customer_id, ConsentPurpose.RESEARCH, SELF)
    kinds = event_types(ledger, customer_id)[1:]
    assert kinds == ["ConsentRefused", "ConsentGiven", "ConsentWithdrawn"]


def test_an_onboarding_step_is_completed_once_with_its_time(
    ledger: Ledger, customer_id: UUID
) -> None:
    when = datetime(2026, 5, 1, 12, tzinfo=UTC)
    ledger.complete_onboarding_step(customer_id, "profile_completed", SELF, when)
    ledger.complete_onboarding_step(customer_id, "profile_completed", SELF)
    assert ledger.get_customer(customer_id).onboarding == {"profile_completed": when}


def test_a_stale_expected_version_is_a_conflict_and_writes_nothing(
    ledger: Ledger, customer_id: UUID
) -> None:
    with pytest.raises(ConcurrencyConflictError) as conflict:
        ledger.change_contact_details(
            ChangeContactDetails(customer_id, name="X", expected_version=5), SELF
        )
    assert conflict.value.current_version == 1
    assert event_types(ledger, customer_id) == ["Registered"]


def test_commands_on_an_unknown_customer_are_refused(ledger: Ledger) -> None:
    with pytest.raises(CustomerNotFoundError):
        ledger.give_consent(UUID(int=7), ConsentPurpose.RESEARCH, SELF)
