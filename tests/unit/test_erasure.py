"""Erasure requests, given-when-then, in memory: request, legal hold, completion by key
destruction, and what the log then reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from domain.customer.commands import ChangeContactDetails, RegisterCustomer
from domain.ledger import Ledger
from domain.privacy.erasure import ErasureReason, ErasureRequest, legal_hold_days
from domain.privacy.errors import (
    ErasureAlreadyCompletedError,
    ErasureNotCompletedError,
    ErasureNotRequestedError,
    HoldNotChosenByOfficerError,
    LegalHoldError,
)
from domain.referral.model import Referrer
from domain.shared.errors import ValidationError
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.erasure_sweep import ERASURE_PURGES
from projections.registry import ALL_PROJECTIONS
from tests.support.erasure import FailsAfterDestroyingKeys

OFFICER = EventMetadata(actor_id="dpo-1", actor_role=Role.PRIVACY_OFFICER, channel=Channel.WEB)
T0 = datetime(2026, 6, 1, tzinfo=UTC)


def customer(ledger: Ledger) -> UUID:
    command = RegisterCustomer("Zelda Quartermain", "zelda.q@example.org", phone="+3900000042")
    return ledger.register_customer(command, OFFICER).aggregate_id


def test_completing_destroys_the_key_and_the_customer_reads_as_erased(ledger: Ledger) -> None:
    zelda = customer(ledger)
    ledger.request_erasure(zelda, None, ErasureReason.CUSTOMER_REQUEST, 0, OFFICER, now=T0)
    ledger.complete_erasure(zelda, OFFICER, now=T0)
    erased = ledger.get_customer(zelda)  # the aggregate still loads
    assert erased.name.value is None and erased.email.value is None
    request = ledger.get_erasure_request(zelda)
    assert request.completed_at == T0 and len(request.digest) == 64


def test_the_completion_event_holds_no_personal_data(ledger: Ledger) -> None:
    zelda = customer(ledger)
    ledger.request_erasure(zelda, None, ErasureReason.CUSTOMER_REQUEST, 0, OFFICER, now=T0)
    ledger.complete_erasure(zelda, OFFICER, now=T0)
    for event in ledger.events.get(ErasureRequest.id_for(zelda)):
        assert "Zelda" not in repr(event.__dict__) and "zelda" not in repr(event.__dict__)


def test_a_legal_hold_delays_completion(ledger: Ledger) -> None:
    zelda = customer(ledger)
    ledger.request_erasure(zelda, None, ErasureReason.ACCOUNT_CLOSED, 30, OFFICER, now=T0)
    with pytest.raises(LegalHoldError):
        ledger.complete_erasure(zelda, OFFICER, now=T0 + timedelta(days=29))
    assert ledger.get_customer(zelda).name.value == "Zelda Quartermain"
    ledger.complete_erasure(zelda, OFFICER, now=T0 + timedelta(days=30))
    assert ledger.get_customer(zelda).name.value is None


@pytest.mark.parametrize("role", [Role.PRIVACY_OFFICER, Role.CUSTOMER, Role.ADMIN])
def test_a_request_that_chooses_no_hold_waits_the_configured_one(role: Role) -> None:
    assert legal_hold_days(None, role, configured=30) == 30


def test_a_privacy_officer_chooses_the_hold_even_a_shorter_one() -> None:
    assert legal_hold_days(0, Role.PRIVACY_OFFICER, configured=30) == 0


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.ADMIN, Role.AGENT])
def test_no_one_else_chooses_a_hold_so_no_one_shortens_their_own(role: Role) -> None:
    with pytest.raises(HoldNotChosenByOfficerError) as refused:
        legal_hold_days(0, role, configured=30)
    assert (refused.value.code, refused.value.field) == ("FORBIDDEN", "holdDays")


def test_completing_twice_or_without_a_request_is_refused(ledger: Ledger) -> None:
    zelda = customer(ledger)
    with pytest.raises(ErasureNotRequestedError):
        ledger.complete_erasure(zelda, OFFICER, now=T0)
    ledger.request_erasure(zelda, None, ErasureReason.CUSTOMER_REQUEST, 0, OFFICER, now=T0)
    ledger.complete_erasure(zelda, OFFICER, now=T0)
    with pytest.raises(ErasureAlreadyCompletedError):
        ledger.complete_erasure(zelda, OFFICER, now=T0)


def test_requesting_again_is_a_retry(ledger: Ledger) -> None:
    zelda = customer(ledger)
    first = ledger.request_erasure(zelda, None, ErasureReason.OTHER, 0, OFFICER, now=T0)
    again = ledger.request_erasure(zelda, None, ErasureReason.OTHER, 5, OFFICER, now=T0)
    assert again.aggregate_id == first.aggregate_id and again.version == 1


def test_new_data_about_an_erased_customer_is_never_sealed_again(ledger: Ledger) -> None:
    zelda = customer(ledger)
    ledger.request_erasure(zelda, None, ErasureReason.CUSTOMER_REQUEST, 0, OFFICER, now=T0)
    ledger.complete_erasure(zelda, OFFICER, now=T0)
    ledger.change_contact_details(ChangeContactDetails(zelda, name="Zelda Again"), OFFICER)
    assert ledger.get_customer(zelda).name.value is None


def test_an_invited_person_is_erased_by_the_invited_email(ledger: Ledger) -> None:
    ada = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), OFFICER)
    ledger.issue_referral_code(ada.aggregate_id, OFFICER, now=T0)
    ledger.invite_friend(ada.aggregate_id, "friend@example.org", OFFICER, now=T0)
    ledger.request_erasure(
        None, "Friend@Example.org", ErasureReason.CUSTOMER_REQUEST, 0, OFFICER, now=T0
    )
    subject = ledger.invitee_subject("friend@example.org")
    ledger.complete_erasure(subject, OFFICER, now=T0)
    events = ledger.events.get(ledger.get_referrer(ada.aggregate_id).id)
    invited = [e for e in events if isinstance(e, Referrer.FriendInvited)]
    assert invited[0].email.value is None
    assert ledger.get_customer(ada.aggregate_id).name.value == "Ada"


def test_naming_both_or_neither_subject_is_invalid(ledger: Ledger) -> None:
    zelda = customer(ledger)
    with pytest.raises(ValidationError):
        ledger.request_erasure(zelda, "z@example.org", ErasureReason.OTHER, 0, OFFICER)
    with pytest.raises(ValidationError):
        ledger.request_erasure(None, None, ErasureReason.OTHER, 0, OFFICER)


def test_a_customer_invited_under_an_earlier_email_is_erased_as_that_invitee_too(
    ledger: Ledger,
) -> None:
    ada = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), OFFICER)
    ledger.issue_referral_code(ada.aggregate_id, OFFICER, now=T0)
    ledger.invite_friend(ada.aggregate_id, "old.name+x@example.org", OFFICER, now=T0)
    zelda = ledger.register_customer(RegisterCustomer("Zelda", "oldname@example.org"), OFFICER)
    ledger.change_email(zelda.aggregate_id, "new@example.org", OFFICER)
    ledger.request_erasure(zelda.aggregate_id, None, ErasureReason.OTHER, 0, OFFICER, now=T0)
    ledger.complete_erasure(zelda.aggregate_id, OFFICER, now=T0)
    events = ledger.events.get(ledger.get_referrer(ada.aggregate_id).id)
    invited = [e for e in events if isinstance(e, Referrer.FriendInvited)]
    assert invited[0].email.value is None


def types_of(ledger: Ledger, subject: UUID) -> list[str]:
    return [type(e).__name__ for e in ledger.events.get(ErasureRequest.id_for(subject))]


def test_a_failure_after_the_key_is_destroyed_leaves_the_request_erasing_until_completed_again(
    ledger: Ledger,
) -> None:
    zelda = customer(ledger)
    ledger.request_erasure(zelda, None, ErasureReason.CUSTOMER_REQUEST, 0, OFFICER, now=T0)
    ledger.erasure_works = FailsAfterDestroyingKeys(ledger.erasure_works)

    with pytest.raises(ConnectionError):
        ledger.complete_erasure(zelda, OFFICER, now=T0)
    request = ledger.get_erasure_request(zelda)
    assert request.erasing and request.started_at == T0 and request.completed_at is None
    assert ledger.get_customer(zelda).name.value is None  # the key is gone already

    ledger.complete_erasure(zelda, OFFICER, now=T0 + timedelta(minutes=1))
    finished = ledger.get_erasure_request(zelda)
    assert not finished.erasing and finished.completed_at == T0 + timedelta(minutes=1)
    assert types_of(ledger, zelda) == ["Requested", "Started", "Completed"]


def test_a_retry_after_the_customers_key_went_still_erases_them_as_an_invitee(
    ledger: Ledger,
) -> None:
    """The other subjects are named by the start: a retry can no longer read the emails they
    derive from, and once left out their key (an invitation of her email, feedback she gave
    anonymously with it) would have survived."""
    ada = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), OFFICER)
    ledger.issue_referral_code(ada.aggregate_id, OFFICER, now=T0)
    ledger.invite_friend(ada.aggregate_id, "zelda.q@example.org", OFFICER, now=T0)
    zelda = customer(ledger)
    ledger.request_erasure(zelda, None, ErasureReason.CUSTOMER_REQUEST, 0, OFFICER, now=T0)
    ledger.erasure_works = FailsAfterDestroyingKeys(ledger.erasure_works)
    with pytest.raises(ConnectionError):  # her own key went first, then the failure
        ledger.complete_erasure(zelda, OFFICER, now=T0)

    ledger.complete_erasure(zelda, OFFICER, now=T0 + timedelta(minutes=1))
    events = ledger.events.get(ledger.get_referrer(ada.aggregate_id).id)
    invited = [e for e in events if isinstance(e, Referrer.FriendInvited)]
    assert invited[0].email.value is None
    completed = list(ledger.events.get(ErasureRequest.id_for(zelda)))[-1]
    assert isinstance(completed, ErasureRequest.Completed) and len(completed.also_erased) == 1


def test_an_erasing_request_is_finished_even_by_a_clock_that_reads_before_its_hold_ended(
    ledger: Ledger,
) -> None:
    """Once started its keys may be gone: a replica whose clock is behind must not refuse."""
    zelda = customer(ledger)
    ledger.request_erasure(zelda, None, ErasureReason.CUSTOMER_REQUEST, 1, OFFICER, now=T0)
    ledger.erasure_works = FailsAfterDestroyingKeys(ledger.erasure_works)
    with pytest.raises(ConnectionError):
        ledger.complete_erasure(zelda, OFFICER, now=T0 + timedelta(days=1))

    ledger.complete_erasure(zelda, OFFICER, now=T0 + timedelta(hours=23))
    assert ledger.get_erasure_request(zelda).completed_at is not None


def test_the_vacuum_is_recorded_once_and_only_after_the_completion(ledger: Ledger) -> None:
    zelda = customer(ledger)
    ledger.request_erasure(zelda, None, ErasureReason.CUSTOMER_REQUEST, 0, OFFICER, now=T0)
    with pytest.raises(ErasureNotCompletedError):
        ledger.record_erasure_vacuum(zelda, ["tickets"], True, OFFICER, now=T0)
    ledger.complete_erasure(zelda, OFFICER, now=T0)
    first = ledger.record_erasure_vacuum(zelda, ["tickets"], True, OFFICER, now=T0)
    again = ledger.record_erasure_vacuum(zelda, ["tickets"], True, OFFICER, now=T0)
    assert again.version == first.version
    assert ledger.get_erasure_request(zelda).vacuumed_at == T0
    assert types_of(ledger, zelda) == ["Requested", "Started", "Completed", "Vacuumed"]


def test_each_read_model_declares_only_its_own_tables_as_purged_by_erasure() -> None:
    """The erasure sweep vacuums what the read models declare (the page-level proof in
    test_erasure_proof finds anything they purge without declaring it)."""
    for projection in ALL_PROJECTIONS:
        assert set(projection.erasure_purges) <= set(projection.tables), projection.name
    assert {"customer_directory", "survey_dashboard", "ticket_timeline"} <= set(ERASURE_PURGES)
