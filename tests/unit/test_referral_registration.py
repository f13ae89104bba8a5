"""Registering with a referral code (the API's registerCustomer `referralCode`), a use case of
the domain: check, then register, then convert; a refusal after the registration keeps the
customer registered, and a retried registration keeps its first conversion."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import pytest

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.referral.errors import InvalidReferralCodeError, SelfReferralError
from domain.referral.registration import register_referred
from domain.shared.metadata import Channel, EventMetadata, Role

AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)


def code_of(ledger: Ledger, email: str) -> tuple[UUID, str]:
    ada = ledger.register_customer(RegisterCustomer("Ada", email), AGENT).aggregate_id
    ledger.issue_referral_code(ada, AGENT)
    return ada, ledger.get_referrer(ada).code


def test_a_new_customer_is_registered_and_referred(ledger: Ledger) -> None:
    ada, code = code_of(ledger, "ada@example.org")
    result, late = register_referred(ledger, RegisterCustomer("Bo", "bo@example.org"), code, AGENT)
    assert late is None
    assert ledger.get_referral(result.aggregate_id).referrer_id == ada


def test_a_refused_check_registers_nobody_and_blames_the_code(ledger: Ledger) -> None:
    _, code = code_of(ledger, "ada@example.org")
    head = ledger.head_position()
    with pytest.raises(SelfReferralError) as refused:
        register_referred(ledger, RegisterCustomer("Ada", "a.d.a+2@example.org"), code, AGENT)
    assert refused.value.field == "referralCode" and ledger.head_position() == head


def test_a_code_revoked_after_the_check_leaves_the_customer_registered(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada, code = code_of(ledger, "ada@example.org")
    checked = ledger.check_referral_code

    def then_revoked(code: str, email: str, now: datetime | None = None) -> UUID:
        referrer = checked(code, email, now)
        ledger.revoke_referral_code(ada, AGENT)  # another request, in between
        return referrer

    monkeypatch.setattr(ledger, "check_referral_code", then_revoked)
    result, late = register_referred(ledger, RegisterCustomer("Bo", "bo@example.org"), code, AGENT)
    assert isinstance(late, InvalidReferralCodeError) and late.field == "referralCode"
    assert ledger.get_customer(result.aggregate_id).id == result.aggregate_id


def test_a_retried_registration_keeps_its_first_conversion(ledger: Ledger) -> None:
    _, code = code_of(ledger, "ada@example.org")
    bo = UUID(int=7)
    command = RegisterCustomer("Bo", "bo@example.org", customer_id=bo)
    first, _ = register_referred(ledger, command, code, AGENT)
    again, late = register_referred(ledger, command, code, AGENT)
    assert late is None and again.aggregate_id == first.aggregate_id == bo
