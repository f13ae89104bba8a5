"""The log's part of a data export: the customer's aggregates, state and history, decrypted.

Synchronous (the event store is): the export runs it in a worker thread. It only reads: it
loads aggregates and their streams, and calls no command.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.customer.model import Customer
from domain.customer.profile import ConsentDecision
from domain.ledger import Ledger
from domain.loyalty.account import LoyaltyAccount
from domain.referral.model import Referral, Referrer
from graphql_api.disclosed import JsonValue
from graphql_api.privacy.serialise import Reveal, event_of, record_of

CONSENT_DECISIONS: dict[type, ConsentDecision] = {
    Customer.ConsentGiven: ConsentDecision.GIVEN,
    Customer.ConsentWithdrawn: ConsentDecision.WITHDRAWN,
    Customer.ConsentRefused: ConsentDecision.REFUSED,
}


@dataclass(frozen=True, slots=True)
class RelatedIds:
    """Streams about the customer that only the read models can list (by customer id)."""

    purchases: list[UUID]
    invitations: list[UUID]
    tickets: list[UUID]
    referrals_made: list[UUID]


def log_sections(
    ledger: Ledger, customer_id: UUID, related: RelatedIds, now: datetime
) -> dict[str, JsonValue]:
    """The sections an export takes from the log, keyed by section name."""
    reveal = Reveal(frozenset({customer_id}))
    customer_events = _events(ledger, customer_id)
    return {
        "customer": _record(ledger, customer_id, reveal),
        "consent_history": [
            _consent_change(event, reveal)
            for event in customer_events
            if type(event) in CONSENT_DECISIONS
        ],
        "purchases": _records(ledger, related.purchases, reveal),
        "surveys": _records(ledger, related.invitations, reveal),
        "loyalty": _loyalty(ledger, customer_id, reveal, now),
        "tickets": _records(ledger, related.tickets, reveal),
        "referrals": _referrals(ledger, customer_id, related.referrals_made, reveal),
    }


def _events(ledger: Ledger, aggregate_id: UUID) -> list[Any]:
    return list(ledger.history(aggregate_id))


def _load(ledger: Ledger, aggregate_id: UUID) -> Any | None:
    return ledger.find(aggregate_id)


def _record(ledger: Ledger, aggregate_id: UUID, reveal: Reveal) -> JsonValue:
    aggregate = _load(ledger, aggregate_id)
    if aggregate is None:
        return None
    return record_of(aggregate, _events(ledger, aggregate_id), reveal)


def _records(ledger: Ledger, ids: Iterable[UUID], reveal: Reveal) -> list[JsonValue]:
    return [record for record in (_record(ledger, i, reveal) for i in ids) if record is not None]


def _consent_change(event: Any, reveal: Reveal) -> dict[str, JsonValue]:
    entry = event_of(event, reveal)
    return {
        "purpose": event.purpose,
        "given": isinstance(event, Customer.ConsentGiven),
        "decision": CONSENT_DECISIONS[type(event)].value,
        **{k: entry[k] for k in ("timestamp", "version", "actor_id", "actor_role", "channel")},
    }


def _loyalty(ledger: Ledger, customer_id: UUID, reveal: Reveal, now: datetime) -> JsonValue:
    account_id = LoyaltyAccount.id_for(customer_id)
    account = _load(ledger, account_id)
    if not isinstance(account, LoyaltyAccount):
        return None
    record = record_of(account, _events(ledger, account_id), reveal)
    return {"balance": account.balance(now), "balance_at": now.isoformat(), **record}


def _referrals(
    ledger: Ledger, customer_id: UUID, made: list[UUID], reveal: Reveal
) -> dict[str, JsonValue]:
    referrer_id = Referrer.id_for(customer_id)
    referrer_events = _events(ledger, referrer_id)
    # The emails the customer invited are theirs to see: they typed them in.
    invitees = [e.invitee_id for e in referrer_events if isinstance(e, Referrer.FriendInvited)]
    referrer = _load(ledger, referrer_id)
    return {
        "as_referrer": None
        if referrer is None
        else record_of(referrer, referrer_events, reveal.widened(invitees)),
        "referrals_made": _records(ledger, made, reveal),
        "as_friend": _record(ledger, Referral.id_for(customer_id), reveal),
    }
