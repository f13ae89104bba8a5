"""exportCustomerData, dataExports and consentHistory over HTTP: a customer with data in every
area is exported, the export is recorded first, and only the right callers may ask."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from domain.customer.commands import ChangeContactDetails, RegisterCustomer, SetContactPreferences
from domain.customer.model import Customer
from domain.customer.profile import Address, ConsentPurpose, ContactChannel
from domain.ledger import Ledger
from domain.privacy.model import DataExport
from domain.purchase.commands import OrderLineInput, RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.success.commands import OpenSuccessPlan, RecordSuccessPlanCheckIn
from domain.survey.commands import DraftSurvey, SubmitResponse
from domain.survey.model import Invitation
from domain.survey.values import SurveyChannel, SurveyKind
from domain.ticket.commands import OpenTicket
from domain.ticket.values import TicketChannel
from tests.api.helpers import assert_no_internals, error_codes
from tests.support.ledgers import postgres_ledger
from tests.support.postgres import fresh_database
from tests.support.server import LiveApi, live_api

EXPORT = """
mutation($i: ExportCustomerDataInput!) {
  exportCustomerData(input: $i) { exportId position document userErrors { field code } }
}
"""
DATA_EXPORTS = """
query($c: UUID!, $p: String) {
  dataExports(customerId: $c, atLeast: $p) {
    exportId customerId reason sections exportedAt actorId actorRole channel position
  }
}
"""
CONSENTS = """
query($c: UUID!) { consentHistory(customerId: $c) { purpose given actorId actorRole channel } }
"""
AGENT = EventMetadata(actor_id="agent-42", actor_role=Role.AGENT, channel=Channel.PHONE)
NAME, NEW_NAME = "Zelda Quintessa", "Zelda Marchbanks-Quintessa"
EMAIL, PHONE = "zelda.quintessa@example.org", "+49 170 5550123"
STREET, ORDER = "Via Distintiva 9", "ORD-EXPORT-7731"
COMMENT = "The quokka-shaped lamp was splendid"
TICKET_SUBJECT, TICKET_TEXT = "Lamp arrived cracked", "The quokka lamp came with a crack"
REPLY, NOTE = "A replacement quokka lamp is on its way", "Courier Vortigern dropped the parcel"
CHECK_IN = "Talked through the Zanzibar onboarding"
ADJUSTMENT = "Goodwill for the cracked lamp"
FRIEND = "penfriend.quillby@example.org"
REASON = "Access request #7731 by letter"


@dataclass(frozen=True)
class World:
    api: LiveApi
    customer_id: str
    other_id: str
    secrets: list[str]
    """Password hash, token digests and tokens: none may appear in an export."""


def as_customer(customer_id: UUID) -> EventMetadata:
    return EventMetadata(actor_id=str(customer_id), actor_role=Role.CUSTOMER, channel=Channel.WEB)


def customer_with_data_everywhere(ledger: Ledger) -> UUID:
    registered = ledger.register_customer(
        RegisterCustomer(NAME, EMAIL, PHONE, password="correct horse battery"), AGENT
    )
    cid, me = registered.aggregate_id, as_customer(registered.aggregate_id)
    ledger.change_contact_details(ChangeContactDetails(cid, name=NEW_NAME), me)
    ledger.change_address(cid, Address.checked(STREET, None, "Lucca", "55100", "IT"), me)
    ledger.set_contact_preferences(SetContactPreferences(cid, {ContactChannel.EMAIL: True}), me)
    ledger.give_consent(cid, ConsentPurpose.MARKETING, me)
    ledger.withdraw_consent(cid, ConsentPurpose.MARKETING, me)
    ledger.give_consent(cid, ConsentPurpose.RESEARCH, AGENT)
    ledger.withdraw_consent(cid, ConsentPurpose.TESTIMONIALS, AGENT)  # never given: refused
    ledger.request_password_reset(EMAIL, me)
    ledger.enrol_in_loyalty(cid, me)
    ledger.adjust_points(cid, 150, ADJUSTMENT, AGENT)
    ledger.record_purchase(
        RecordPurchase(cid, ORDER, "42.00", "EUR", PurchaseChannel.STORE, datetime.now(UTC),
                       [OrderLineInput("SKU-QUOKKA", 1, "42.00", "lamps")]),
        AGENT,
    )  # fmt: skip
    ledger.refund_purchase(ORDER, "2.00", AGENT)
    answer_a_survey(ledger, cid)
    ticket = ledger.open_ticket(
        OpenTicket(cid, TicketChannel.WEB, "delivery", TICKET_SUBJECT, TICKET_TEXT), AGENT
    ).aggregate_id
    ledger.reply_to_ticket(ticket, REPLY, AGENT)
    ledger.add_ticket_note(ticket, NOTE, AGENT)
    plan_id = ledger.handle(OpenSuccessPlan(cid, "Onboarding"), AGENT).aggregate_id
    ledger.handle(RecordSuccessPlanCheckIn(plan_id, CHECK_IN), AGENT)
    ledger.issue_referral_code(cid, me)
    ledger.invite_friend(cid, FRIEND, me)
    return cid


def answer_a_survey(ledger: Ledger, customer_id: UUID) -> None:
    system = EventMetadata.system()
    drafted = DraftSurvey(SurveyKind.NPS, "Lamps", "Would you recommend us?", [SurveyChannel.EMAIL])
    survey_id = ledger.draft_survey(drafted, system).aggregate_id
    ledger.publish_survey(survey_id, system)
    invitation = ledger.invite_to_survey(survey_id, customer_id, SurveyChannel.EMAIL, system)
    token = token_of(ledger, invitation.aggregate_id)
    ledger.submit_survey_response(
        SubmitResponse(score=9, comment=COMMENT, token=token), as_customer(customer_id)
    )


def token_of(ledger: Ledger, invitation_id: UUID) -> str:
    issued = next(iter(ledger.repository.event_store.get(invitation_id)))
    assert isinstance(issued, Invitation.Issued) and issued.token and issued.token.value
    return issued.token.value


def secrets_of(ledger: Ledger, customer_id: UUID) -> list[str]:
    """Every password hash, digest and token held about the customer, in clear."""
    found: list[str] = []
    customer = ledger.get_customer(customer_id)
    assert customer.password_hash and customer.password_hash.value
    found += [customer.password_hash.value, str(customer.reset_token_digest)]
    found.append(customer.email_fingerprint)
    for event in ledger.repository.event_store.get(customer_id):
        if isinstance(event, Customer.PasswordResetRequested) and event.token.value:
            found.append(event.token.value)
    for stored in ledger.recorder.select_notifications(1, 10_000):
        event = ledger.mapper.to_domain_event(stored)
        if isinstance(event, Invitation.Issued) and event.token and event.token.value:
            found += [event.token.value, str(event.token_digest)]
    return found


@pytest.fixture(scope="module")
def world(pg_admin: str) -> Iterator[World]:
    with (
        fresh_database(pg_admin) as database,
        postgres_ledger(database) as ledger,
        live_api(ledger, database) as api,
    ):
        cid = customer_with_data_everywhere(ledger)
        other = ledger.register_customer(RegisterCustomer("Otto", "otto@example.org"), AGENT)
        yield World(api, str(cid), str(other.aggregate_id), secrets_of(ledger, cid))


def export(
    world: World, customer_id: str, role: Role, subject: str = "po-1", reason: str = REASON
) -> dict[str, Any]:
    variables: dict[str, object] = {"i": {"customerId": customer_id, "reason": reason}}
    response = world.api.graphql(EXPORT, variables, role, subject)
    assert response.status_code == 200, response.text
    assert_no_internals(response)
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture(scope="module")
def exported(world: World) -> dict[str, Any]:
    """One export by a privacy officer, shared by the tests that read it."""
    payload: dict[str, Any] = export(world, world.customer_id, Role.PRIVACY_OFFICER)["data"][
        "exportCustomerData"
    ]
    assert payload["userErrors"] == [], payload
    return payload


def sections(exported: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = exported["document"]["sections"]
    return found


def text_of(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def test_the_export_reads_every_read_model_at_the_exports_position(
    exported: dict[str, Any],
) -> None:
    assert set(exported["document"]["read_models_caught_up"].values()) == {True}


def test_the_customer_section_holds_the_profile_preferences_and_consents(
    exported: dict[str, Any],
) -> None:
    customer = sections(exported)["customer"]
    state = customer["state"]
    assert (state["name"], state["email"], state["phone"]) == (NEW_NAME, EMAIL, PHONE)
    assert STREET in state["address"]
    assert state["contact_channels"] == {"email": True}
    assert state["consents"] == {"marketing": False, "research": True, "testimonials": False}
    history_types = [event["type"] for event in customer["history"]]
    assert "Customer.NameChanged" in history_types and "Customer.PasswordSet" in history_types
    assert NAME in text_of(customer["history"])  # the name before the change is held too


def test_the_consent_history_says_who_changed_what_when_and_through_which_channel(
    world: World, exported: dict[str, Any]
) -> None:
    history = sections(exported)["consent_history"]
    decisions = [
        (c["purpose"], c["given"], c["decision"], c["actor_id"], c["channel"]) for c in history
    ]
    assert decisions == [
        ("marketing", True, "given", world.customer_id, "web"),
        ("marketing", False, "withdrawn", world.customer_id, "web"),
        ("research", True, "given", "agent-42", "phone"),
        ("testimonials", False, "refused", "agent-42", "phone"),
    ]
    assert all(c["timestamp"] for c in history)


def test_purchases_surveys_loyalty_tickets_and_referrals_hold_their_distinctive_values(
    exported: dict[str, Any],
) -> None:
    found = sections(exported)
    [purchase] = found["purchases"]
    assert purchase["state"]["order_id"] == ORDER
    assert purchase["state"]["refunded_minor"] == 200
    [invitation] = found["surveys"]
    assert COMMENT in text_of(invitation["history"])
    assert found["loyalty"]["balance"] == 150 and found["loyalty"]["state"]["lots"]
    assert ADJUSTMENT in text_of(found["loyalty"]["history"])
    [ticket] = found["tickets"]
    for text in (TICKET_SUBJECT, TICKET_TEXT, REPLY, NOTE):
        assert text in text_of(ticket["history"])
    referrer = found["referrals"]["as_referrer"]
    assert referrer["state"]["code"] and FRIEND in text_of(referrer["history"])
    assert found["referrals"]["as_friend"] is None


def test_notifications_addressed_to_the_customer_are_exported_without_addresses_or_tokens(
    exported: dict[str, Any],
) -> None:
    """The outbox holds neither (they stay sealed in the log; her own email is exported with
    her record, her friend's is the friend's)."""
    notifications = sections(exported)["notifications"]
    kinds = {n["kind"] for n in notifications}
    # Her answer was a promoter's and her ticket moved on: the reactions thank her and tell her
    # of the ticket's progress once the worker has run them, which the export (taken as soon as
    # the world is written) may or may not include yet.
    assert kinds - {"promoter_thanks", "ticket_progress"} == {
        "password_reset",
        "survey_invitation",
        "referral_invitation",
    }
    assert all("token" not in n["payload"] and "recipient" not in n for n in notifications)
    assert FRIEND not in str(notifications)


def test_every_read_model_contributes_its_rows_about_the_customer(
    exported: dict[str, Any],
) -> None:
    rows = sections(exported)["read_models"]
    assert rows["customer_directory"]["customer_directory"][0]["name"] == NEW_NAME
    assert rows["survey_dashboard"]["survey_comments"][0]["comment"] == COMMENT
    assert rows["loyalty_statements"]["loyalty_transactions"][0]["reason"] == ADJUSTMENT
    assert NOTE in text_of(rows["ticket_timeline"]["ticket_timeline"])
    assert rows["referral_funnel"]["referral_invitations"][0]["email"] == FRIEND
    assert rows["success_plans"]["success_plan_check_ins"][0]["note"] == CHECK_IN
    assert rows["customer_health"]["health_tickets"][0]["open"] is True


def test_the_schema_describes_every_section_and_says_what_is_left_out(
    exported: dict[str, Any],
) -> None:
    schema = exported["document"]["schema"]
    described = schema["properties"]["sections"]["properties"]
    assert set(described) == set(sections(exported))
    assert "name" in described["customer"]["properties"]["state"]["properties"]
    assert described["customer"]["properties"]["state"]["properties"]["name"]["personal_data"]
    assert "password_hash" not in described["customer"]["properties"]["state"]["properties"]
    rows = described["read_models"]["properties"]
    assert set(rows) == set(sections(exported)["read_models"])
    assert (
        "comment"
        in rows["survey_dashboard"]["properties"]["survey_comments"]["items"]["properties"]
    )
    assert "password hash" in schema["description"].lower()


def test_no_password_hash_digest_or_token_appears_anywhere_in_the_export(
    world: World, exported: dict[str, Any]
) -> None:
    text = text_of(exported["document"])
    assert len(world.secrets) >= 6
    assert [secret for secret in world.secrets if secret in text] == []
    assert '"password_hash":' not in text and '"token_digest":' not in text


def test_the_export_is_recorded_with_who_and_why(world: World, exported: dict[str, Any]) -> None:
    response = world.api.graphql(
        DATA_EXPORTS, {"c": world.customer_id, "p": exported["position"]}, Role.AUDITOR
    )
    [record] = response.json()["data"]["dataExports"]
    assert (record["exportId"], record["customerId"], record["reason"]) == (
        exported["exportId"],
        world.customer_id,
        REASON,
    )
    assert (record["actorId"], record["actorRole"], record["position"]) == (
        "po-1",
        "privacy_officer",
        exported["position"],
    )
    assert "read_models" in record["sections"]
    [event] = world.api.ledger.repository.event_store.get(UUID(exported["exportId"]))
    assert isinstance(event, DataExport.Exported) and event.reason == REASON


def test_a_customer_exports_their_own_data(world: World) -> None:
    body = export(world, world.other_id, Role.CUSTOMER, subject=world.other_id)
    payload = body["data"]["exportCustomerData"]
    assert payload["userErrors"] == []
    assert payload["document"]["sections"]["customer"]["state"]["name"] == "Otto"


def test_a_customer_may_not_export_another_customers_data(world: World) -> None:
    head = world.api.ledger.head_position()
    body = export(world, world.customer_id, Role.CUSTOMER, subject=world.other_id)
    assert error_codes(body) == ["FORBIDDEN"]
    assert world.api.ledger.head_position() == head


@pytest.mark.parametrize("role", [Role.ANALYST, Role.AGENT, Role.AUDITOR])
def test_staff_other_than_privacy_officers_and_admins_may_not_export(
    world: World, role: Role
) -> None:
    head = world.api.ledger.head_position()
    assert error_codes(export(world, world.customer_id, role)) == ["FORBIDDEN"]
    assert world.api.ledger.head_position() == head


@pytest.mark.parametrize("reason", ["", "  ", "x" * 501, "bell\u0007inside"])
def test_a_bad_reason_is_a_user_error_and_records_nothing(world: World, reason: str) -> None:
    head = world.api.ledger.head_position()
    body = export(world, world.customer_id, Role.ADMIN, reason=reason)
    payload = body["data"]["exportCustomerData"]
    assert payload["userErrors"] == [{"field": ["input", "reason"], "code": "INVALID_INPUT"}]
    assert (payload["exportId"], payload["document"]) == (None, None)
    assert world.api.ledger.head_position() == head


def test_an_unknown_customer_is_a_user_error_and_records_nothing(world: World) -> None:
    head = world.api.ledger.head_position()
    body = export(world, "00000000-0000-4000-8000-000000000000", Role.PRIVACY_OFFICER)
    assert body["data"]["exportCustomerData"]["userErrors"][0]["code"] == "CUSTOMER_NOT_FOUND"
    assert world.api.ledger.head_position() == head


def test_auditors_see_staff_ids_in_the_consent_history_but_not_the_customers_own(
    world: World,
) -> None:
    def actors(role: Role) -> list[str | None]:
        response = world.api.graphql(CONSENTS, {"c": world.customer_id}, role)
        return [change["actorId"] for change in response.json()["data"]["consentHistory"]]

    assert actors(Role.AUDITOR) == [None, None, "agent-42", "agent-42"]
    staff_and_own = [world.customer_id, world.customer_id, "agent-42", "agent-42"]
    assert actors(Role.PRIVACY_OFFICER) == staff_and_own
