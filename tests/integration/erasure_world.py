"""A customer with a distinctive value in every personal field, who uses every feature, driven
by real commands; every read model caught up by the real runners; and a scan of every table
of the database for those values, as text and as bytes. Used by the erasure proof."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from psycopg import Connection, sql

from domain.customer.commands import ChangeDemographics, RegisterCustomer, SetContactPreferences
from domain.customer.profile import Address, ConsentPurpose, ContactChannel
from domain.ledger import Ledger
from domain.loyalty.commands import AddReward
from domain.loyalty.values import RewardKind
from domain.privacy.erasure import ErasureReason
from domain.purchase.commands import RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import DraftSurvey, SubmitResponse
from domain.survey.values import SurveyChannel, SurveyKind
from domain.ticket.commands import OpenTicket
from domain.ticket.values import TicketChannel
from infrastructure.database import Database
from infrastructure.projection_runner import ProjectionRunner
from infrastructure.rebuild import rebuild
from projections.outbox.queries import pending_notifications_sync
from projections.registry import ALL_PROJECTIONS, build_projections
from tests.support.ledgers import TEST_AUDIT_KEYS
from tests.support.outbox import opened

AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
OFFICER = EventMetadata("officer-1", Role.PRIVACY_OFFICER, Channel.WEB)
ANONYMOUS = EventMetadata(actor_id="anonymous", actor_role=Role.ANONYMOUS, channel=Channel.WEB)

EMAIL = "o.vexmarl+promo@glimwick.example"
PASSWORD = "Trombonist-Vellichor-42"
BIRTH_YEAR = 1931  # checked on its own: four digits also turn up inside ids and ciphertexts
REFUND_ORDER = "quax-order-1"

# The distinctive values given to the customer's personal fields, by field. Derived values
# (the normalised phone, the password hash, tokens) are added once they exist.
GIVEN: dict[str, str] = {
    "name": "Ottoline Quaxbridge",
    "email": EMAIL,
    "email variant": "ovexmarl@glimwick.example",
    "email domain": "glimwick.example",
    "address line": "17 Glimmerquay Lane",
    "address city": "Frobisham",
    "address postal code": "QX9 4ZT",
    "language": "qtz-Qvxz-QZ",
    "password": PASSWORD,
    "survey comment": "The Plumbiferous courier was wonderfully kind",
    "survey comment term": "plumbiferous",
    "ticket subject": "Snargleton parcel missing",
    "ticket description": "The Kestrelbury depot lost my parcel",
    "customer reply": "Wraithmoor is where I live now",
    "agent reply": "Dunkelfeld depot is checking",
    "ticket note": "Quillifer called twice",
    "escalation reason": "Brindlecombe escalation needed",
    "hold reason": "Mossgiel waits for the courier",
    "resolution": "Ferncastle reshipped the parcel",
    "reopen reason": "Tarnwick parcel still missing",
    "adjustment reason": "Goodwill for Hexengrau delay",
    "reversal reason": "Reversed for Pimblebury mixup",
}


@dataclass
class World:
    customer: UUID
    referrer: UUID
    friend_email: str  # the friend the customer invited: the friend's data, not theirs
    values: dict[str, str] = field(default_factory=dict)


def register(ledger: Ledger, name: str, email: str, **more: Any) -> UUID:
    command = RegisterCustomer(name, email, **more)
    return ledger.register_customer(command, AGENT).aggregate_id


def populate(ledger: Ledger, database: Database, loyalty_events: int = 100) -> World:
    """Someone invites the customer's email first; then she registers, buys, answers a survey
    by an email link, collects and spends points, has a ticket go through every step, asks
    for a password reset, and refers a friend. ``loyalty_events`` adjustments make the
    account's snapshot."""
    referrer = register(ledger, "Rex Referrer", "rex@example.org")
    ledger.issue_referral_code(referrer, AGENT)
    ledger.invite_friend(referrer, EMAIL, AGENT)
    customer = register(
        ledger, GIVEN["name"], EMAIL, phone="+49 30 7715 2093", region="EU", password=PASSWORD
    )
    ledger.convert_referral(customer, ledger.get_referrer(referrer).code, AGENT)
    _profile(ledger, customer)
    _survey(ledger, customer)
    _loyalty(ledger, customer, loyalty_events)
    _ticket(ledger, customer)
    ledger.request_password_reset(EMAIL, ANONYMOUS)
    ledger.issue_referral_code(customer, AGENT)
    friend_email = "friend.yellowmere@example.org"
    ledger.invite_friend(customer, friend_email, AGENT)
    world = World(customer, referrer, friend_email, dict(GIVEN))
    world.values.update(_derived(ledger, database, customer))
    return world


def _profile(ledger: Ledger, customer: UUID) -> None:
    address = Address.checked(
        GIVEN["address line"], None, GIVEN["address city"], GIVEN["address postal code"], "DE"
    )
    ledger.change_address(customer, address, AGENT)
    demographics = ChangeDemographics(customer, language=GIVEN["language"], birth_year=BIRTH_YEAR)
    ledger.change_demographics(demographics, AGENT)
    every = {ContactChannel.EMAIL: True, ContactChannel.SMS: True, ContactChannel.PUSH: True}
    ledger.set_contact_preferences(SetContactPreferences(customer, every), AGENT)
    for purpose in (ConsentPurpose.MARKETING, ConsentPurpose.RESEARCH):
        ledger.give_consent(customer, purpose, AGENT)
    ledger.withdraw_consent(customer, ConsentPurpose.MARKETING, AGENT)
    buy = RecordPurchase(customer, REFUND_ORDER, "40", "EUR", PurchaseChannel.WEB, _now())
    ledger.record_purchase(buy, AGENT)
    ledger.refund_purchase(REFUND_ORDER, "10", AGENT)


def _survey(ledger: Ledger, customer: UUID) -> None:
    draft = DraftSurvey(SurveyKind.NPS, "After your order", "Recommend us?", [SurveyChannel.EMAIL])
    survey = ledger.draft_survey(draft, ADMIN).aggregate_id
    ledger.publish_survey(survey, ADMIN)
    ledger.invite_to_survey(survey, customer, SurveyChannel.EMAIL, ADMIN)
    answer = SubmitResponse(9, GIVEN["survey comment"], survey_id=survey, customer_id=customer)
    ledger.submit_survey_response(answer, EventMetadata(str(customer), Role.CUSTOMER, Channel.WEB))


def _loyalty(ledger: Ledger, customer: UUID, adjustments: int) -> None:
    ledger.enrol_in_loyalty(customer, AGENT)
    for _ in range(adjustments):
        ledger.adjust_points(customer, 60, GIVEN["adjustment reason"], AGENT)
    reward = ledger.add_reward(AddReward("Mug", RewardKind.FREE_PRODUCT, 50), ADMIN).aggregate_id
    redemption = ledger.redeem_reward(customer, reward, AGENT)
    ledger.reverse_redemption(customer, redemption.redemption_id, GIVEN["reversal reason"], AGENT)


def _ticket(ledger: Ledger, customer: UUID) -> None:
    opened = OpenTicket(
        customer, TicketChannel.WEB, "delivery", GIVEN["ticket subject"],
        GIVEN["ticket description"],
    )  # fmt: skip
    ticket = ledger.open_ticket(opened, AGENT).aggregate_id
    as_customer = EventMetadata(str(customer), Role.CUSTOMER, Channel.WEB)
    ledger.assign_ticket(ticket, "agent-7", AGENT)
    ledger.reply_to_ticket(ticket, GIVEN["agent reply"], AGENT)
    ledger.reply_to_ticket(ticket, GIVEN["customer reply"], as_customer)
    ledger.add_ticket_note(ticket, GIVEN["ticket note"], AGENT)
    ledger.escalate_ticket(ticket, GIVEN["escalation reason"], AGENT)
    ledger.put_ticket_on_hold(ticket, GIVEN["hold reason"], AGENT)
    ledger.resume_ticket(ticket, AGENT)
    ledger.resolve_ticket(ticket, GIVEN["resolution"], AGENT)
    ledger.reopen_ticket(ticket, GIVEN["reopen reason"], as_customer)
    ledger.resolve_ticket(ticket, GIVEN["resolution"], AGENT)
    ledger.close_ticket(ticket, AGENT)


def _derived(ledger: Ledger, database: Database, customer: UUID) -> dict[str, str]:
    """Values the product made from the given ones: the phone as stored, the password hash,
    and the tokens of the messages queued for her (as the outbox's sender opens them)."""
    stored = ledger.get_customer(customer)
    assert stored.phone is not None and stored.password_hash is not None
    phone, password_hash = stored.phone.value, stored.password_hash.value
    assert phone is not None and password_hash is not None
    found = {"phone": phone, "password hash": password_hash}
    catch_up_all(ledger, database)
    with database.connect() as conn:
        for message in pending_notifications_sync(conn, limit=1000):
            token = opened(ledger, message).token if message.customer_id == customer else None
            if token is not None:
                found[f"{message.kind} token"] = token
    assert {"password_reset token", "survey_invitation token"} <= found.keys()
    return found


def _now() -> datetime:
    return datetime.now(UTC) - timedelta(days=1)


def catch_up_all(ledger: Ledger, database: Database) -> None:
    """Every read model, by the runner the workers use."""
    with database.connect() as conn:
        for projection in build_projections(TEST_AUDIT_KEYS.chain):
            ProjectionRunner(ledger, database, projection, 50).catch_up(conn)


def rebuild_all(ledger: Ledger, database: Database) -> list[str]:
    """Rebuild every read model that may be rebuilt; their names."""
    rebuilt = [p for p in ALL_PROJECTIONS if p.rebuildable]
    for projection in rebuilt:
        rebuild(ledger, database, projection(), 50)
    return [p.name for p in rebuilt]


def erase(ledger: Ledger, customer: UUID) -> None:
    ledger.request_erasure(customer, None, ErasureReason.CUSTOMER_REQUEST, 0, OFFICER)
    ledger.complete_erasure(customer, OFFICER)


# --- the scan -----------------------------------------------------------------------------

_TABLES = """
    SELECT table_schema, table_name FROM information_schema.tables
    WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
    ORDER BY 1, 2
"""
_RAW_COLUMNS = """
    SELECT column_name, data_type FROM information_schema.columns
    WHERE table_schema = %s AND table_name = %s AND data_type IN ('bytea', 'jsonb', 'json')
"""


@dataclass
class ScanReport:
    tables: list[str]
    rows: int
    found: dict[str, list[str]]
    """Distinctive value's field -> the tables where it was found."""


def scan(conn: Connection[Any], values: dict[str, str]) -> ScanReport:
    """Every row of every table, whole (each column cast to text), and each bytea and json
    column as its raw bytes, searched for each value case-insensitively (as text and as its
    UTF-8 bytes)."""
    report = ScanReport([], 0, {})
    for schema, table in conn.execute(_TABLES).fetchall():
        name = f"{schema}.{table}"
        report.tables.append(name)
        for blob in _contents(conn, schema, table):
            report.rows += 1
            for what, value in values.items():
                if _holds(blob, value) and name not in report.found.get(what, []):
                    report.found.setdefault(what, []).append(name)
    return report


def _contents(conn: Connection[Any], schema: str, table: str) -> list[bytes]:
    """Per row: the row as text, then its raw bytea and json bytes, as one byte string."""
    target = sql.Identifier(schema, table)
    raw = conn.execute(_RAW_COLUMNS, (schema, table)).fetchall()
    parts: list[sql.Composable] = [sql.SQL("convert_to(t::text, 'UTF8')")]
    for column, data_type in raw:
        ident = sql.Identifier(column)
        parts.append(
            ident if data_type == "bytea" else sql.SQL("convert_to({}::text, 'UTF8')").format(ident)
        )
    query = sql.SQL("SELECT {} FROM {} AS t").format(sql.SQL(", ").join(parts), target)
    return [b"\x00".join(bytes(p) for p in row if p is not None) for row in conn.execute(query)]


def _holds(blob: bytes, value: str) -> bool:
    wanted = value.encode()
    return (
        wanted in blob or wanted.lower() in blob.lower() or value.lower().encode() in blob.lower()
    )
