"""Exclusive events over HTTP: scheduling, who sees and may RSVP to what, the capacity held
under many concurrent RSVPs on a real server, attendance earning points once, and the guest
list as personal data."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx

from domain.customer.commands import RegisterCustomer
from domain.shared.metadata import EventMetadata, Role
from tests.api.steps import mutate
from tests.support.server import LiveApi

SYSTEM = EventMetadata.system()
EVENT_SELECTION = "event { id seatsTaken seatsLeft capacity } position userErrors { code field }"
STARTS = datetime.now(UTC) + timedelta(days=20)


def member(api: LiveApi, points: int = 1_000, name: str = "Mia Member") -> str:
    """A loyalty member (1,000 points: silver; 0: bronze), made through the ledger."""
    email = f"{uuid4().hex[:12]}@example.org"
    customer_id = api.ledger.register_customer(RegisterCustomer(name, email), SYSTEM).aggregate_id
    api.ledger.enrol_in_loyalty(customer_id, SYSTEM)
    if points:
        api.ledger.award_points(customer_id, "welcome", points, {}, SYSTEM)
    return str(customer_id)


def schedule(
    api: LiveApi, capacity: int = 5, tiers: tuple[str, ...] = ("SILVER",), **more: Any
) -> dict[str, Any]:
    details = {
        "title": "Winter tasting",
        "startsAt": STARTS.isoformat(),
        "endsAt": (STARTS + timedelta(hours=3)).isoformat(),
        "place": "Via Roma 1, Torino",
        "capacity": capacity,
        "invitedTiers": list(tiers),
        "pointsForAttending": 250,
        **more,
    }
    return mutate(api, "scheduleEvent", details, Role.ADMIN, "admin-1", EVENT_SELECTION)


def event_id(api: LiveApi, **kwargs: Any) -> str:
    payload = schedule(api, **kwargs)
    assert payload["userErrors"] == [], payload
    return str(payload["event"]["id"])


def rsvp(api: LiveApi, event: str, customer: str) -> dict[str, Any]:
    """The member RSVPs for themself."""
    input_ = {"eventId": event, "customerId": customer}
    return mutate(api, "rsvpToEvent", input_, Role.CUSTOMER, customer, EVENT_SELECTION)


def test_concurrent_rsvps_never_exceed_the_capacity(api: LiveApi) -> None:
    """Twelve silver members RSVP at once for five seats: exactly five are accepted, the other
    seven are refused EVENT_FULL, and the read model shows five seats taken."""
    event = event_id(api, capacity=5)
    members = [member(api) for _ in range(12)]
    tokens = {m: api.token(Role.CUSTOMER, m) for m in members}
    document = "mutation($i: RsvpToEventInput!) { rsvpToEvent(input: $i) { userErrors { code } } }"

    def send(customer: str) -> list[str]:
        with httpx.Client(base_url=api.url, timeout=60) as client:
            response = client.post(
                "/graphql",
                json={
                    "query": document,
                    "variables": {"i": {"eventId": event, "customerId": customer}},
                },
                headers={"authorization": f"Bearer {tokens[customer]}"},
            )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        return [e["code"] for e in body["data"]["rsvpToEvent"]["userErrors"]]

    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(send, members))
    assert sorted(map(tuple, outcomes)) == [()] * 5 + [("EVENT_FULL",)] * 7
    assert len(api.ledger.get_exclusive_event(UUID(event)).guests) == 5
    api.caught_up()
    seats = api.graphql(
        "query($e: UUID!) { eventGuests(eventId: $e, first: 100) { edges { cursor } } }",
        {"e": event},
        Role.AGENT,
        "agent-1",
    ).json()["data"]["eventGuests"]["edges"]
    assert len(seats) == 5


def test_a_member_of_another_tier_and_a_non_member_are_refused(api: LiveApi) -> None:
    """A bronze member gets TIER_NOT_INVITED, a customer who never enrolled NOT_A_MEMBER; no
    seat is taken."""
    event = event_id(api, tiers=("GOLD", "SILVER"))
    bronze = member(api, points=0)
    outsider = str(
        api.ledger.register_customer(
            RegisterCustomer("Out Sider", "out@example.org"), SYSTEM
        ).aggregate_id
    )
    assert [e["code"] for e in rsvp(api, event, bronze)["userErrors"]] == ["TIER_NOT_INVITED"]
    assert [e["code"] for e in rsvp(api, event, outsider)["userErrors"]] == ["NOT_A_MEMBER"]
    assert api.ledger.get_exclusive_event(UUID(event)).guests == []


def test_a_customer_sees_only_events_inviting_their_tier(api: LiveApi) -> None:
    """A silver member lists the silver event and not the gold one; a non-member lists none;
    an agent lists both."""
    silver = event_id(api, tiers=("SILVER",))
    gold = event_id(api, tiers=("GOLD",))
    mia = member(api)
    outsider = str(
        api.ledger.register_customer(
            RegisterCustomer("Out Sider", "o2@example.org"), SYSTEM
        ).aggregate_id
    )
    query = "{ upcomingEvents(first: 50) { edges { node { id } } } }"

    def listed(role: Role, subject: str) -> set[str]:
        body = api.graphql(query, None, role, subject).json()
        return {e["node"]["id"] for e in body["data"]["upcomingEvents"]["edges"]}

    assert listed(Role.CUSTOMER, mia) == {silver}
    assert listed(Role.CUSTOMER, outsider) == set()
    assert listed(Role.AGENT, "agent-1") == {silver, gold}


def test_attendance_earns_the_points_once(api: LiveApi) -> None:
    """Recording a guest's attendance twice awards the event's 250 points once."""
    event = event_id(api)
    mia = member(api)
    assert rsvp(api, event, mia)["userErrors"] == []
    attend = {"eventId": event, "customerId": mia}
    now = datetime.now(UTC)
    before = api.ledger.get_loyalty_account(UUID(mia)).balance(now)
    for _ in range(2):
        payload = mutate(api, "recordAttendance", attend, Role.AGENT, "agent-1", EVENT_SELECTION)
        assert payload["userErrors"] == []
    later = now + timedelta(minutes=1)
    assert api.ledger.get_loyalty_account(UUID(mia)).balance(later) == before + 250


def test_attendance_without_an_rsvp_is_refused(api: LiveApi) -> None:
    """Staff recording a member who never RSVP'd get NOT_ON_GUEST_LIST, and nothing is
    written."""
    event = event_id(api)
    mia = member(api)
    head = api.quiet_head()
    attend = {"eventId": event, "customerId": mia}
    payload = mutate(api, "recordAttendance", attend, Role.AGENT, "agent-1", EVENT_SELECTION)
    assert [e["code"] for e in payload["userErrors"]] == ["NOT_ON_GUEST_LIST"]
    assert api.ledger.head_position() == head


def test_the_guest_list_shows_names_only_to_those_who_may_see_them(api: LiveApi) -> None:
    """An agent reads the guest's name; the guest list is refused to an analyst."""
    event = event_id(api)
    mia = member(api, name="Mia Guestlist")
    assert rsvp(api, event, mia)["userErrors"] == []
    query = (
        "query($e: UUID!) { eventGuests(eventId: $e) { edges { node { customerId guestName } } } }"
    )
    agent = api.graphql(query, {"e": event}, Role.AGENT, "agent-1").json()
    assert agent["data"]["eventGuests"]["edges"] == [
        {"node": {"customerId": mia, "guestName": "Mia Guestlist"}}
    ]
    analyst = api.graphql(query, {"e": event}, Role.ANALYST, "analyst-1").json()
    assert analyst["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_hostile_event_details_are_refused_and_nothing_is_written(api: LiveApi) -> None:
    """Out-of-bounds details each come back as INVALID_INPUT naming the field; the log does
    not move."""
    head = api.quiet_head()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"capacity": 0}, "capacity"),
        ({"capacity": 2**31 - 1}, "capacity"),
        ({"title": "x" * 201}, "title"),
        ({"title": "\u0007"}, "title"),
        ({"pointsForAttending": -5}, "pointsForAttending"),
        ({"invitedTiers": []}, "invitedTiers"),
        ({"endsAt": STARTS.isoformat()}, "endsAt"),
        ({"description": "y" * 5001}, "description"),
    ]
    for change, field in cases:
        payload = schedule(api, **change)
        errors = [(e["code"], e["field"]) for e in payload["userErrors"]]
        assert errors == [("INVALID_INPUT", ["input", field])]
    assert api.ledger.head_position() == head


def test_an_rsvp_for_another_customer_is_forbidden(api: LiveApi) -> None:
    """A customer cannot take a seat in someone else's name."""
    event = event_id(api)
    mia, max_ = member(api), member(api)
    response = api.graphql(
        "mutation($i: RsvpToEventInput!) { rsvpToEvent(input: $i) { position } }",
        {"i": {"eventId": event, "customerId": max_}},
        Role.CUSTOMER,
        mia,
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert api.ledger.get_exclusive_event(UUID(event)).guests == []


def test_upcoming_events_come_soonest_first_and_page_by_start(api: LiveApi) -> None:
    """An event scheduled later but starting sooner is listed before one scheduled earlier;
    paging forward one at a time and backward from the end follow the same order."""
    later = event_id(
        api,
        startsAt=(STARTS + timedelta(days=5)).isoformat(),
        endsAt=(STARTS + timedelta(days=5, hours=2)).isoformat(),
    )
    sooner = event_id(
        api,
        startsAt=(STARTS - timedelta(days=10)).isoformat(),
        endsAt=(STARTS - timedelta(days=10) + timedelta(hours=2)).isoformat(),
    )
    query = (
        "query($first: Int, $after: String, $last: Int) { upcomingEvents(first: $first,"
        " after: $after, last: $last) { edges { cursor node { id startsAt } }"
        " pageInfo { hasNextPage } } }"
    )

    def page(**variables: Any) -> dict[str, Any]:
        body = api.graphql(query, variables, Role.AGENT, "agent-1").json()
        return dict(body["data"]["upcomingEvents"])

    whole = [e["node"] for e in page(first=100)["edges"]]
    ids = [n["id"] for n in whole]
    assert ids.index(sooner) < ids.index(later)
    assert [n["startsAt"] for n in whole] == sorted(n["startsAt"] for n in whole)
    walked, after = [], None
    while True:
        one = page(first=1, after=after)
        walked += [e["node"]["id"] for e in one["edges"]]
        if not one["pageInfo"]["hasNextPage"]:
            break
        after = one["edges"][-1]["cursor"]
    assert walked == ids
    assert [e["node"]["id"] for e in page(last=2)["edges"]] == ids[-2:]
