"""Issue 16: `loyaltyProgramMetrics(at: "0001-01-01T00:00:00Z")` answered "Unexpected error.".
Every DateTime argument and input field of the schema is sent the first and last moments a
DateTime can hold (and ranges between them), with some data of every kind in the database:
the answer is data or a typed error, never a crash. Moments the scalar cannot hold in UTC
(24:00 on 9999-12-31, year 1 at +14:00) are refused as INVALID_INPUT before anything runs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from graphql import GraphQLInputObjectType, GraphQLObjectType, get_named_type

from domain.campaign.commands import DraftCampaign
from domain.customer.commands import RegisterCustomer
from domain.purchase.commands import RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.segment.commands import DefineSegment
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.ticket.commands import OpenTicket
from domain.ticket.values import TicketChannel
from graphql_api.schema import build_schema
from tests.api.helpers import assert_no_internals
from tests.support.server import LiveApi, module_api

FIRST = "0001-01-01T00:00:00Z"
LAST = "9999-12-31T23:59:59.999999Z"
AGENT = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.PHONE)
SEGMENT_ID = uuid4()
"""A segment the customer is in, so that its history is read at the extreme moments."""
CAMPAIGN_ID = uuid4()
"""A draft campaign to that segment, scheduled at the extreme moments."""


@dataclass(frozen=True)
class Probe:
    """A document that uses one DateTime input through the variables $a and $b."""

    covers: tuple[str, ...]
    document: str
    role: Role = Role.ADMIN


PROBES = [
    Probe(
        ("Query.loyaltyProgramMetrics.at",),
        "query($a: DateTime) { loyaltyProgramMetrics(at: $a) {"
        " at customers members activeMembers pointsEarned pointsLiability } }",
    ),
    Probe(
        ("Query.referralFunnel.since", "Query.referralFunnel.until"),
        "query($a: DateTime!, $b: DateTime!) { referralFunnel(since: $a, until: $b) {"
        " invited registered qualified registrationRate } }",
    ),
    Probe(
        ("Query.referralFunnelTrend.since", "Query.referralFunnelTrend.until"),
        "query($a: DateTime!, $b: DateTime!) {"
        " d: referralFunnelTrend(since: $a, until: $b, granularity: DAY) { periodStart }"
        " m: referralFunnelTrend(since: $a, until: $b, granularity: MONTH,"
        ' timeZone: "Pacific/Kiritimati") { periodStart } }',
    ),
    Probe(
        ("Query.topReferrers.since", "Query.topReferrers.until"),
        "query($a: DateTime!, $b: DateTime!) { topReferrers(since: $a, until: $b) {"
        " customerId conversions } }",
    ),
    Probe(
        ("Query.customerHistory.from", "Query.customerHistory.to"),
        "query($a: DateTime, $b: DateTime, $c: UUID!) {"
        " customerHistory(customerId: $c, from: $a, to: $b) { edges { cursor } } }",
    ),
    Probe(
        ("Query.customerAsOf.at",),
        "query($a: DateTime!, $c: UUID!) { customerAsOf(customerId: $c, at: $a) { at } }",
    ),
    Probe(
        ("LoyaltyAccount.balanceAsOf.at",),
        "query($a: DateTime!, $c: UUID!) { loyaltyAccount(customerId: $c) {"
        " balanceAsOf(at: $a) { at spendable pending } } }",
    ),
    Probe(
        ("CustomerFilter.lastPurchaseBefore", "CustomerFilter.lastPurchaseAfter"),
        "query($a: DateTime, $b: DateTime) { customers(filter: {lastPurchaseAfter: $a,"
        " lastPurchaseBefore: $b}) { totalCount } }",
    ),
    Probe(
        ("SurveyDashboardFilter.since", "SurveyDashboardFilter.until"),
        "query($a: DateTime, $b: DateTime) { surveyDashboard(filter: {since: $a, until: $b}) {"
        " figures { responses invitations }"
        " d: trend(interval: DAY) { __typename } w: trend(interval: WEEK) { __typename }"
        ' m: trend(interval: MONTH, timeZone: "Etc/GMT+12") { __typename }'
        " breakdown(by: REGION) { __typename } aspects { __typename }"
        " insight { comments } } }",
    ),
    Probe(
        ("TicketFilterInput.openedSince", "TicketFilterInput.openedUntil"),
        "query($a: DateTime, $b: DateTime) { tickets(filter: {openedSince: $a,"
        " openedUntil: $b}) { edges { cursor } } }",
    ),
    Probe(
        ("ServiceMetricsFilterInput.since", "ServiceMetricsFilterInput.until"),
        "query($a: DateTime, $b: DateTime) {"
        " d: serviceMetrics(filter: {since: $a, until: $b}, groupBy: DAY) {"
        " totals { ticketsOpened } rows { __typename } }"
        " m: serviceMetrics(filter: {since: $a, until: $b}, groupBy: MONTH) {"
        " totals { reopenRate } rows { __typename } } }",
    ),
    Probe(
        ("RecordPurchaseInput.purchasedAt",),
        "mutation($a: DateTime!, $c: UUID!) { recordPurchase(input: {"
        ' customerId: $c, orderId: "EXTREME-1", amount: "1", currency: "EUR", channel: WEB,'
        " purchasedAt: $a}) { position userErrors { code } } }",
    ),
    Probe(
        ("SegmentType.membersAt.date", "SegmentType.sizeTrend.from", "SegmentType.sizeTrend.to"),
        f'query($a: DateTime!, $b: DateTime!) {{ segment(id: "{SEGMENT_ID}") {{'
        " membersAt(date: $a) { edges { cursor } }"
        " d: sizeTrend(from: $a, to: $b, interval: DAY) { at size }"
        " m: sizeTrend(from: $a, to: $b, interval: MONTH) { at size } } }",
    ),
    Probe(
        ("ScheduleCampaignInput.scheduledAt",),
        "mutation($a: DateTime!) { scheduleCampaign(input: {"
        f' campaignId: "{CAMPAIGN_ID}", scheduledAt: $a}}) {{ userErrors {{ code }} }} }}',
    ),
    Probe(
        ("FeedbackFilterInput.from", "FeedbackFilterInput.to"),
        "query($a: DateTime, $b: DateTime) { feedback(filter: {from: $a, to: $b}) {"
        " edges { cursor } } }",
    ),
    Probe(
        ("Query.knowledgeBaseStats.from", "Query.knowledgeBaseStats.to"),
        "query($a: DateTime, $b: DateTime) { knowledgeBaseStats(from: $a, to: $b) {"
        " searches suggestions followedByTicket } }",
    ),
    Probe(
        ("RecordFulfilmentInput.at",),
        "mutation($a: DateTime) { recordFulfilment(input: {"
        ' orderId: "EXTREME-ORDER", step: PLACED, at: $a}) { userErrors { code } } }',
    ),
    Probe(
        ("ScheduleEventInput.startsAt", "ScheduleEventInput.endsAt"),
        "mutation($a: DateTime!, $b: DateTime!) { scheduleEvent(input: {"
        ' title: "Extreme", startsAt: $a, endsAt: $b, place: "Torino", capacity: 5,'
        " invitedTiers: [GOLD]}) { userErrors { code } } }",
    ),
    Probe(
        ("EventDetailsInput.startsAt", "EventDetailsInput.endsAt"),
        f'mutation($a: DateTime!, $b: DateTime!) {{ changeEvent(input: {{eventId: "{uuid4()}",'
        ' details: {title: "Extreme", startsAt: $a, endsAt: $b, place: "Torino",'
        " capacity: 5, invitedTiers: [GOLD]}}) { userErrors { code } } }",
    ),
]

NAIVE_FIRST, NAIVE_LAST = FIRST.rstrip("Z"), LAST.rstrip("Z")
RANGES = [
    (FIRST, FIRST),
    (LAST, LAST),
    (FIRST, LAST),
    (LAST, FIRST),
    (NAIVE_FIRST, NAIVE_LAST),
    ("0001-01-01T00:00:00-12:00", "9999-12-31T23:59:59+14:00"),
]
UNUSABLE = ["9999-12-31T24:00:00Z", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-01:00"]


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


@pytest.fixture(scope="module")
def customer_id(api: LiveApi) -> UUID:
    """A customer with a purchase, a loyalty account with points, a ticket and a referral
    invitation, so that every read model has rows in the ranges asked."""
    ledger = api.ledger
    registered = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), AGENT)
    customer = registered.aggregate_id
    ledger.enrol_in_loyalty(customer, AGENT)
    ledger.adjust_points(customer, 500, "welcome", AGENT)
    yesterday = datetime.now(UTC) - timedelta(days=1)
    order = RecordPurchase(customer, "ORDER-1", "12.50", "EUR", PurchaseChannel.WEB, yesterday)
    ledger.record_purchase(order, AGENT)
    ticket = OpenTicket(customer, TicketChannel.WEB, "billing", "Twice", "Charged twice")
    ledger.resolve_ticket(ledger.open_ticket(ticket, AGENT).aggregate_id, "Refunded", AGENT)
    ledger.issue_referral_code(customer, AGENT)
    ledger.invite_friend(customer, "friend@example.org", AGENT)
    everyone = {"field": "open_tickets", "min": 0}
    ledger.handle(DefineSegment("Everyone", "", everyone, SEGMENT_ID), AGENT)
    draft = DraftCampaign("Extreme", SEGMENT_ID, "Hi", "Body", campaign_id=CAMPAIGN_ID)
    ledger.handle(draft, AGENT)
    api.caught_up()
    return customer


def ask(api: LiveApi, probe: Probe, a: str, b: str, customer: UUID) -> dict[str, Any]:
    response = api.graphql(probe.document, {"a": a, "b": b, "c": str(customer)}, role=probe.role)
    assert_no_internals(response)
    assert response.status_code in (200, 400), response.text
    body: dict[str, Any] = response.json()
    return body


def test_every_datetime_input_of_the_schema_is_probed() -> None:
    schema = build_schema()._schema
    inputs = set()
    for name, graphql_type in schema.type_map.items():
        if isinstance(graphql_type, GraphQLObjectType) and not name.startswith("__"):
            for field_name, field in graphql_type.fields.items():
                for arg_name, arg in field.args.items():
                    if get_named_type(arg.type).name == "DateTime":
                        inputs.add(f"{name}.{field_name}.{arg_name}")
        if isinstance(graphql_type, GraphQLInputObjectType):
            for field_name, input_field in graphql_type.fields.items():
                if get_named_type(input_field.type).name == "DateTime":
                    inputs.add(f"{name}.{field_name}")
    probed = {covered for probe in PROBES for covered in probe.covers}
    # The subscription takes SurveyDashboardFilter too; its reads are the dashboard's.
    assert inputs == probed


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.covers[0])
@pytest.mark.parametrize(
    ("a", "b"), RANGES, ids=["first", "last", "first-last", "last-first", "naive", "offsets"]
)
def test_the_first_and_last_moments_answer_data_or_a_typed_error(
    api: LiveApi, customer_id: UUID, probe: Probe, a: str, b: str
) -> None:
    body = ask(api, probe, a, b, customer_id)
    for error in body.get("errors", []):
        assert error["message"] != "Unexpected error.", body
        assert error.get("extensions", {}).get("code"), body
    assert body.get("data") is not None or body["errors"], body


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.covers[0])
@pytest.mark.parametrize("moment", UNUSABLE)
def test_a_moment_outside_utc_range_is_refused_as_invalid_input(
    api: LiveApi, customer_id: UUID, probe: Probe, moment: str
) -> None:
    head = api.quiet_head()
    body = ask(api, probe, moment, moment, customer_id)
    assert "data" not in body
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_INPUT"] * len(
        body["errors"]
    )
    assert api.ledger.head_position() == head


def test_program_metrics_at_the_first_moment_count_nobody(api: LiveApi, customer_id: UUID) -> None:
    body = ask(api, PROBES[0], FIRST, FIRST, customer_id)
    metrics = body["data"]["loyaltyProgramMetrics"]
    assert (metrics["customers"], metrics["members"], metrics["pointsEarned"]) == (0, 0, 0)
