"""The schema part of an export: a JSON-Schema-like description of every section and field.

Aggregate states and events are described from their classes' own annotations, and read-model
tables from the database catalogue, so the description cannot drift from what is exported.
"""

from __future__ import annotations

import re
from typing import Any

from domain.customer.model import Customer
from domain.customer.profile import ConsentDecision
from domain.loyalty.account import LoyaltyAccount
from domain.purchase.model import Purchase
from domain.referral.model import Referral, Referrer
from domain.shared.aggregate import LedgerAggregate
from domain.shared.disclosure import Disclosure, disclosures, fields_declared
from domain.survey.model import Invitation
from domain.ticket.model import Ticket
from graphql_api.disclosed import JsonValue
from graphql_api.privacy.serialise import WITHHELD_TEXT
from projections.privacy.export_queries import SOURCES, ColumnInfo

Schema = dict[str, Any]
EXPORTED: tuple[type[LedgerAggregate], ...] = (
    Customer,
    Purchase,
    Invitation,
    LoyaltyAccount,
    Ticket,
    Referrer,
    Referral,
)
"""The aggregates an export holds."""
SECRETS = fields_declared(
    (kind for aggregate in EXPORTED for kind in (aggregate, *aggregate.event_classes())),
    Disclosure.SECRET,
)
"""Fields left out of every export: what the domain declares security material."""
_MARKED = re.compile(r"^(?:Personal|Secret)\[(.*)\]$")

DESCRIPTION = (
    "Everything cxledger holds on one customer, decrypted: the customer's own record and "
    "every record about them, each aggregate as its current state and its full history of "
    "events (type, time, who caused it, through which channel, and its fields), and every "
    "row the read models keep about them. Personal values of an erased person read "
    "'[erased]' (read models have already purged them: those columns read null). Values about "
    f"another person (a referred friend's email domain) read '{WITHHELD_TEXT}'; the emails "
    "the customer invited are shown, as the customer gave them. Left out on purpose, for "
    f"everyone: {', '.join(sorted(SECRETS))}, and the tokens in queued messages. "
    "Password hashes, reset-token and survey-token digests, the tokens themselves and the "
    "keyed email fingerprint are security material, not information about the person: they "
    "tell the customer nothing and would only help whoever obtained the export."
)

_EVENT_ENVELOPE = {
    "type": {"type": "string", "description": "Aggregate.Event, e.g. Customer.NameChanged."},
    "version": {"type": "integer", "description": "Position of the event in its stream."},
    "timestamp": {"type": "string", "format": "date-time", "description": "When recorded."},
    "actor_id": {"type": "string", "description": "Who caused it (staff, customer, system)."},
    "actor_role": {"type": "string", "description": "The role they acted in."},
    "channel": {"type": "string", "description": "Where it came from, e.g. web."},
    "correlation_id": {"type": "string", "format": "uuid"},
    "causation_id": {"type": "string", "format": "uuid"},
}


def field_schema(annotation: str, personal: bool = False) -> Schema:
    """A JSON-Schema-like type for a Python annotation (written as text, as classes keep it);
    ``personal``: the field is declared personal data kept in clear."""
    annotation = _MARKED.sub(r"\1", annotation)
    nullable = "None" in annotation
    if "PersonalData" in annotation:
        base: Schema = {"type": "string", "personal_data": True}
    elif annotation.startswith(("UUID", "uuid")):
        base = {"type": "string", "format": "uuid"}
    elif annotation.startswith("datetime"):
        base = {"type": "string", "format": "date-time"}
    elif annotation.startswith(("list", "Periods")):
        base = {"type": "array"}
    elif annotation.startswith(("dict", "Any", "Lot")):
        base = {"type": "object"}
    else:
        simple = {"int": "integer", "float": "number", "bool": "boolean", "str": "string"}
        base = {"type": simple.get(annotation.split(" ")[0], "string")}
    if personal:
        base["personal_data"] = True
    return {**base, "type": [base["type"], "null"]} if nullable else base


def _fields(klass: type) -> Schema:
    annotations: dict[str, str] = vars(klass).get("__annotations__", {})
    declared = disclosures(klass)
    return {
        name: field_schema(str(annotation), declared[name] is Disclosure.PERSONAL)
        for name, annotation in annotations.items()
        if declared[name] is not Disclosure.SECRET and name != "metadata"
    }


def aggregate_schema(kind: type[LedgerAggregate], description: str) -> Schema:
    """An aggregate's record: id, version, times, state fields and its events' fields."""
    events = {
        f"{kind.__name__}.{name}": {"type": "object", "properties": _fields(event_class)}
        for name, event_class in vars(kind).items()
        if isinstance(event_class, type) and issubclass(event_class, LedgerAggregate.Event)
    }
    return {
        "type": "object",
        "description": description,
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "version": {"type": "integer"},
            "created_on": {"type": "string", "format": "date-time"},
            "modified_on": {"type": "string", "format": "date-time"},
            "state": {"type": "object", "properties": _fields(kind)},
            "history": {
                "type": "array",
                "description": "Every event of the stream, oldest first; `data` holds the "
                "event's fields, per type in `events`.",
                "items": {"type": "object", "properties": {**_EVENT_ENVELOPE, "data": {}}},
                "events": events,
            },
        },
    }


def _array(item: Schema, description: str) -> Schema:
    return {"type": "array", "description": description, "items": item}


def _nullable(schema: Schema) -> Schema:
    return {**schema, "type": ["object", "null"]}


def _consent_change() -> Schema:
    return {
        "type": "object",
        "properties": {
            "purpose": {"type": "string"},
            "given": {"type": "boolean", "description": "False: withdrawn or refused."},
            "decision": {
                "type": "string",
                "enum": [d.value for d in ConsentDecision],
                "description": "refused: said no without ever having said yes.",
            },
            **{k: _EVENT_ENVELOPE[k] for k in ("timestamp", "version", "actor_id")},
            **{k: _EVENT_ENVELOPE[k] for k in ("actor_role", "channel")},
        },
    }


def _rows(table: str, columns: dict[str, list[ColumnInfo]], description: str) -> Schema:
    row = {c.name: {"type": c.type} for c in columns.get(table, [])}
    return _array({"type": "object", "properties": row}, description)


def read_models_schema(columns: dict[str, list[ColumnInfo]]) -> Schema:
    """Read model -> table -> rows, each table's columns as the catalogue lists them."""
    models: Schema = {}
    for source in SOURCES:
        tables = models.setdefault(source.read_model, {"type": "object", "properties": {}})
        tables["properties"][source.table] = _rows(
            source.table, columns, f"Rows of {source.table} about the customer."
        )
    return {"type": "object", "properties": models}


def sections_schema(columns: dict[str, list[ColumnInfo]]) -> Schema:
    """Every section of an export, described."""
    loyalty = aggregate_schema(LoyaltyAccount, "The loyalty account; null if never enrolled.")
    loyalty["properties"] |= {
        "balance": {"type": "integer", "description": "Spendable points at `balance_at`."},
        "balance_at": {"type": "string", "format": "date-time"},
    }
    referral = aggregate_schema(Referral, "A conversion through a referral code.")
    return {
        "customer": aggregate_schema(Customer, "Profile, contact preferences and consents."),
        "consent_history": _array(_consent_change(), "Every consent given, withdrawn or refused."),
        "purchases": _array(aggregate_schema(Purchase, "An order."), "Purchases and refunds."),
        "surveys": _array(
            aggregate_schema(Invitation, "A survey invitation and its response (comment)."),
            "Survey invitations and responses.",
        ),
        "loyalty": _nullable(loyalty),
        "tickets": _array(
            aggregate_schema(Ticket, "A ticket; texts and timeline are in its history."),
            "Service tickets.",
        ),
        "referrals": {
            "type": "object",
            "properties": {
                "as_referrer": _nullable(
                    aggregate_schema(Referrer, "The customer's code and invitations sent.")
                ),
                "referrals_made": _array(referral, "Friends who converted through the code."),
                "as_friend": _nullable(referral),
            },
        },
        "notifications": _rows(
            "notification_outbox",
            columns,
            "Messages addressed to the customer, or sent for them (their invitations to "
            "friends), queued or sent; no address or token (they stay sealed in the log).",
        ),
        "read_models": read_models_schema(columns),
    }


def document_schema(columns: dict[str, list[ColumnInfo]]) -> JsonValue:
    """The whole document's description."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "cxledger personal data export",
        "description": DESCRIPTION,
        "type": "object",
        "properties": {
            "schema": {"type": "object", "description": "This description."},
            "subject": {"type": "object", "description": "Whose data: their customer id."},
            "generated_at": {"type": "string", "format": "date-time"},
            "export": {"type": "object", "description": "The recorded export: id, position."},
            "read_models_caught_up": {
                "type": "object",
                "description": "Per read model, whether it had reached the export's position.",
            },
            "sections": {"type": "object", "properties": sections_schema(columns)},
        },
    }
