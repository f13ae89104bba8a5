"""Steps shared by the survey API tests: a server for a module, surveys in each state,
customers who may be invited, invitations and the tokens their links carry, answers."""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID, uuid4

from domain.shared.metadata import Role
from domain.survey.model import Invitation
from projections.outbox.queries import pending_notifications_sync
from tests.api.helpers import registered
from tests.api.steps import events_of, mutate
from tests.support.outbox import token_of
from tests.support.server import LiveApi

SURVEY_FIELDS = (
    "id kind title question status version productVersion channels"
    " aspects { key question } scale { min max } publishedAt closedAt"
)
USER_ERRORS = "userErrors { field code message currentVersion }"
SURVEY_PAYLOAD = f"survey {{ {SURVEY_FIELDS} }} position {USER_ERRORS}"
INVITE_PAYLOAD = f"invitationId survey {{ id status }} position {USER_ERRORS}"
ANSWER_PAYLOAD = f"responseId surveyId position {USER_ERRORS}"
DESIGNER = "analyst-1"


def draft(api: LiveApi, role: Role = Role.ANALYST, **fields: Any) -> dict[str, Any]:
    """Draft an NPS survey (fields override the defaults); return the payload."""
    survey = {
        "kind": "NPS",
        "title": "Checkout experience",
        "question": "How likely are you to recommend us to a friend?",
        "channels": ["EMAIL", "WEB"],
        "aspects": [
            {"key": "pricing", "question": "How fair was the price?"},
            {"key": "delivery", "question": "How was the delivery?"},
        ],
        "productVersion": "2.0",
        **fields,
    }
    return mutate(api, "draftSurvey", survey, role=role, subject=DESIGNER, selection=SURVEY_PAYLOAD)


def designed(api: LiveApi, name: str, survey_id: str, **fields: Any) -> dict[str, Any]:
    """Send design mutation ``name`` as an analyst; return the payload."""
    return mutate(
        api,
        name,
        {"surveyId": survey_id, **fields},
        role=Role.ANALYST,
        subject=DESIGNER,
        selection=SURVEY_PAYLOAD,
    )


def drafted(api: LiveApi, **fields: Any) -> str:
    payload = draft(api, **fields)
    assert payload["userErrors"] == [], payload
    survey_id: str = payload["survey"]["id"]
    return survey_id


def published(api: LiveApi, **fields: Any) -> str:
    survey_id = drafted(api, **fields)
    assert designed(api, "publishSurvey", survey_id)["userErrors"] == []
    return survey_id


def closed(api: LiveApi, **fields: Any) -> str:
    survey_id = published(api, **fields)
    assert designed(api, "closeSurvey", survey_id)["userErrors"] == []
    return survey_id


def customer(api: LiveApi, email_opt_in: bool = True) -> str:
    """A new customer, opted in to email (or not)."""
    customer_id = registered(api, name="Grace Hopper", email=f"{uuid4().hex[:12]}@example.org")
    if email_opt_in:
        preferences = {"customerId": customer_id, "email": True}
        assert mutate(api, "setContactPreferences", preferences)["userErrors"] == []
    return customer_id


def invite(
    api: LiveApi, survey_id: str, customer_id: str, channel: str = "EMAIL"
) -> dict[str, Any]:
    invitation = {"surveyId": survey_id, "customerId": customer_id, "channel": channel}
    return mutate(api, "inviteToSurvey", invitation, selection=INVITE_PAYLOAD)


def answer(
    api: LiveApi, role: Role | None = None, subject: str = "anonymous", **fields: Any
) -> dict[str, Any]:
    """Submit a response (anonymously unless ``role``); return the payload."""
    return mutate(
        api, "submitSurveyResponse", fields, role=role, subject=subject, selection=ANSWER_PAYLOAD
    )


def token_in_log(api: LiveApi, invitation_id: str) -> str:
    """The token of the invitation's latest link, as the ledger sealed it in the log."""
    links = [
        e
        for e in events_of(api, invitation_id)
        if isinstance(e, Invitation.Issued | Invitation.Reissued)
    ]
    sealed = links[-1].token
    assert sealed is not None and sealed.value is not None
    return sealed.value


def token_in_outbox(api: LiveApi, position: str, timeout: float = 5.0) -> str:
    """The token of the survey invitation the outbox queued for the write at ``position``, as
    its sender opens it (from the sealed event: the outbox row holds none)."""
    deadline = time.monotonic() + timeout
    while True:
        with api.database.connect() as conn:
            queued = [
                m
                for m in pending_notifications_sync(conn, "survey_invitation", limit=1000)
                if m.cause_position == int(position)
            ]
        if queued:
            return token_of(api.ledger, queued[0])
        assert time.monotonic() < deadline, "no survey invitation in the outbox"
        time.sleep(0.05)


def forged(token: str) -> str:
    """The same invitation's head with another secret."""
    head, _, secret = token.partition(".")
    return f"{head}.{secret[::-1]}x"


def invitation_of(survey_id: str, customer_id: str) -> str:
    return str(Invitation.id_for(UUID(survey_id), UUID(customer_id)))
