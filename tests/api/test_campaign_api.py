"""Campaigns over HTTP: a draft with a bad template is a typed user error naming the field and
writes nothing; a launched campaign's figures and recipients read back after the sender ran;
recipients are for analysts and admins only; an admin cancels, a second cancel is refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from domain.shared.metadata import EventMetadata, Role
from tests.api.helpers import assert_no_internals
from tests.api.test_hostile_input import HOSTILE
from tests.integration.campaign_world import World, populate, sender
from tests.support.ledgers import postgres_ledger
from tests.support.postgres import fresh_database
from tests.support.server import LiveApi, live_api

DRAFT = """
mutation($i: DraftCampaignInput!) {
  draftCampaign(input: $i) {
    campaign { id status subject } campaignId userErrors { field code message }
  }
}
"""
LAUNCH = """
mutation($i: CampaignIdInput!) {
  launchCampaign(input: $i) { campaign { status } userErrors { field code } }
}
"""
CANCEL = """
mutation($i: CampaignIdInput!) {
  cancelCampaign(input: $i) { campaign { status } userErrors { field code } }
}
"""
FIGURES = """
query($id: UUID!) {
  campaign(id: $id) {
    status batches
    figures { recipients skipped { reason count } unsubscribes conversions
              npsBefore { answers nps } npsAfter { answers nps } }
  }
}
"""
RECIPIENTS = """
query($id: UUID!, $after: String) {
  campaign(id: $id) {
    recipients(first: 4, after: $after) {
      edges { cursor node { customerId status reason } } pageInfo { hasNextPage endCursor }
    }
  }
}
"""
LAST_RECIPIENTS = """
query($id: UUID!) {
  campaign(id: $id) { recipients(last: 2) { edges { node { customerId } } } }
}
"""


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with (
        fresh_database(pg_admin) as database,
        postgres_ledger(database) as ledger,
        live_api(ledger, database) as running,
    ):
        yield running


@pytest.fixture(scope="module")
def world(api: LiveApi) -> World:
    made = populate(api.ledger, EventMetadata.system("agent"))
    api.caught_up()
    return made


def call(api: LiveApi, document: str, variables: dict[str, Any], role: Role) -> dict[str, Any]:
    response = api.graphql(document, variables, role=role)
    assert response.status_code in (200, 400), response.text
    assert_no_internals(response)
    body: dict[str, Any] = response.json()
    return body


def _fields(world: World) -> dict[str, Any]:
    return {
        "name": "Winter",
        "segmentId": str(world.segment_id),
        "subject": "{first_name}, it is winter",
        "body": "You have {points} points.",
    }


def draft(api: LiveApi, world: World, **changes: Any) -> dict[str, Any]:
    body = call(api, DRAFT, {"i": {**_fields(world), **changes}}, Role.ANALYST)
    payload: dict[str, Any] = body["data"]["draftCampaign"]
    return payload


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"body": "Dear {last_name}"}, "body"),
        ({"subject": "{first_name:>9}"}, "subject"),
        ({"conversionDays": 0}, "conversionDays"),
        ({"name": ""}, "name"),
    ],
)
def test_a_bad_draft_is_a_user_error_on_its_field_and_writes_nothing(
    api: LiveApi, world: World, changes: dict[str, Any], field: str
) -> None:
    """Unknown placeholders, formats and out-of-range bounds are INVALID_INPUT, nothing written."""
    head = api.quiet_head()
    payload = draft(api, world, **changes)
    errors = [(e["field"], e["code"]) for e in payload["userErrors"]]
    assert errors == [(["input", field], "INVALID_INPUT")]
    assert payload["campaign"] is None and api.ledger.head_position() == head


SHOWN = """
query($id: UUID!) { campaign(id: $id) { name subject body } }
"""


@pytest.mark.parametrize("field", ["name", "subject", "body"])
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=HOSTILE)
def test_hostile_text_is_refused_cleanly_or_written_whole(
    api: LiveApi, world: World, field: str, text: str
) -> None:
    """Any text in a draft's fields is a user error that writes nothing, or kept as sent."""
    head = api.quiet_head()
    response = api.graphql(DRAFT, {"i": {**_fields(world), field: text}}, role=Role.ANALYST)
    assert response.status_code in (200, 400, 413), response.text[:500]
    assert_no_internals(response)
    if response.status_code != 200 or response.json()["data"]["draftCampaign"]["userErrors"]:
        assert api.ledger.head_position() == head
        return
    campaign = response.json()["data"]["draftCampaign"]["campaignId"]
    api.caught_up()
    shown = call(api, SHOWN, {"id": campaign}, Role.ANALYST)["data"]["campaign"]
    assert shown[field] == text.strip()


def test_a_launched_campaign_shows_its_figures_and_recipients_page_by_page(
    api: LiveApi, world: World
) -> None:
    """After the sender ran: 5 queued, one skipped for each reason; recipients in pages."""
    campaign = draft(api, world)["campaignId"]
    launched = call(api, LAUNCH, {"i": {"campaignId": campaign}}, Role.ANALYST)
    assert launched["data"]["launchCampaign"]["userErrors"] == []
    sender(api.ledger, api.database).run()
    api.caught_up()

    shown = call(api, FIGURES, {"id": campaign}, Role.AGENT)["data"]["campaign"]
    assert shown["status"] == "COMPLETED"
    assert shown["figures"]["recipients"] == 5
    assert shown["figures"]["skipped"] == [
        {"reason": "EMAIL_OPTED_OUT", "count": 1},
        {"reason": "NO_MARKETING_CONSENT", "count": 1},
    ]
    seen: list[str] = []
    after = None
    while True:
        page = call(api, RECIPIENTS, {"id": campaign, "after": after}, Role.ANALYST)
        connection = page["data"]["campaign"]["recipients"]
        seen += [edge["node"]["customerId"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 7
    tail = call(api, LAST_RECIPIENTS, {"id": campaign}, Role.ADMIN)["data"]["campaign"]
    assert [e["node"]["customerId"] for e in tail["recipients"]["edges"]] == seen[-2:]


NOTIFICATIONS = """
query {
  notifications(filter: {kind: CAMPAIGN_MESSAGE}, first: 20) {
    edges { node { kind customerId status } }
  }
}
"""


def test_staff_see_the_campaign_messages_in_the_outbox(api: LiveApi, world: World) -> None:
    """The queued recipients' messages are listed as CAMPAIGN_MESSAGE notifications."""
    campaign = draft(api, world)["campaignId"]
    call(api, LAUNCH, {"i": {"campaignId": campaign}}, Role.ADMIN)
    sender(api.ledger, api.database).run()
    api.caught_up()
    api.caught_up()  # the messages the reaction queued, projected into the outbox

    body = call(api, NOTIFICATIONS, {}, Role.AGENT)
    nodes = [e["node"] for e in body["data"]["notifications"]["edges"]]
    assert {n["kind"] for n in nodes} == {"CAMPAIGN_MESSAGE"}
    assert {n["customerId"] for n in nodes} == {str(c) for c in world.welcome}


def test_recipients_are_refused_to_agents(api: LiveApi, world: World) -> None:
    """Which customers a campaign reached is for analysts and admins only."""
    campaign = draft(api, world)["campaignId"]
    api.caught_up()
    body = call(api, RECIPIENTS, {"id": campaign, "after": None}, Role.AGENT)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


def test_an_admin_cancels_once_and_a_second_cancel_is_refused(api: LiveApi, world: World) -> None:
    """Cancel moves a draft to cancelled; again is CAMPAIGN_WRONG_STATE and writes nothing."""
    campaign = draft(api, world)["campaignId"]
    first = call(api, CANCEL, {"i": {"campaignId": campaign}}, Role.ADMIN)
    assert first["data"]["cancelCampaign"]["campaign"]["status"] == "CANCELLED"
    head = api.quiet_head()
    again = call(api, CANCEL, {"i": {"campaignId": campaign}}, Role.ADMIN)
    errors = again["data"]["cancelCampaign"]["userErrors"]
    codes = [(e["field"], e["code"]) for e in errors]
    assert codes == [(["input", "campaignId"], "CAMPAIGN_WRONG_STATE")]
    assert api.ledger.head_position() == head
