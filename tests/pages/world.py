"""What the page tests are given: an open survey, a customer invited to it by email (the link's
token as the mail sender would put it in the link), a password-reset link, and what the log
holds afterwards (so a test can tell that a refused post wrote nothing)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from domain.customer.access import customer_id_for
from domain.customer.commands import RegisterCustomer, SetContactPreferences
from domain.customer.model import Customer
from domain.customer.profile import ContactChannel
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import DraftSurvey
from domain.survey.model import Invitation
from domain.survey.values import AspectQuestion, SurveyChannel, SurveyKind

ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
ASPECTS = (
    AspectQuestion("pricing", "How fair was the price?"),
    AspectQuestion("delivery", "How was the delivery?"),
)
PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def open_survey(
    ledger: Ledger, kind: SurveyKind = SurveyKind.NPS, aspects: Sequence[AspectQuestion] = ASPECTS
) -> UUID:
    question = "How likely are you to recommend us to a friend?"
    draft = DraftSurvey(kind, "Checkout experience", question, [SurveyChannel.EMAIL], list(aspects))
    survey_id = ledger.draft_survey(draft, ADMIN).aggregate_id
    ledger.publish_survey(survey_id, ADMIN)
    return survey_id


def customer(ledger: Ledger) -> tuple[UUID, str]:
    """A new customer who accepts email; their id and email."""
    email = f"grace-{uuid4().hex[:12]}@example.org"
    customer_id = ledger.register_customer(RegisterCustomer("Grace Hopper", email), ADMIN)
    preferences = SetContactPreferences(customer_id.aggregate_id, {ContactChannel.EMAIL: True})
    ledger.set_contact_preferences(preferences, ADMIN)
    return customer_id.aggregate_id, email


def survey_token(
    ledger: Ledger, survey_id: UUID, now: datetime | None = None, customer_id: UUID | None = None
) -> str:
    """A new customer's (or ``customer_id``'s) invitation by email, issued at ``now``."""
    who = customer_id or customer(ledger)[0]
    invited = ledger.invite_to_survey(survey_id, who, SurveyChannel.EMAIL, ADMIN, now=now)
    return latest_token(ledger, invited.aggregate_id, (Invitation.Issued, Invitation.Reissued))


def reset_token(ledger: Ledger, email: str, now: datetime | None = None) -> str:
    ledger.request_password_reset(email, ADMIN, now=now)
    customer_id = customer_id_for(ledger, email)  # the test knows the email only
    return latest_token(ledger, customer_id, (Customer.PasswordResetRequested,))


def latest_token(ledger: Ledger, stream: UUID, kinds: tuple[type[Any], ...]) -> str:
    links = [e for e in events_of(ledger, stream) if isinstance(e, kinds)]
    sealed = links[-1].token
    assert sealed is not None and sealed.value is not None
    token: str = sealed.value
    return token


def events_of(ledger: Ledger, stream: UUID) -> list[Any]:
    return list(ledger.repository.event_store.get(stream))


def head(ledger: Ledger) -> int:
    return ledger.head_position()


def csrf_in(html: str) -> str:
    found = CSRF.search(html)
    assert found is not None, "the page has no form token"
    return found.group(1)
