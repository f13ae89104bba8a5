"""Success plans over HTTP: an agent opens a plan with goals, reaches a milestone, records a
check-in and closes it; the plan shows on Customer 360 and in the portfolio by status and
health band; notes are null for analysts; bad input, closed plans, unknown goals and stale
versions are typed user errors that write nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest

from domain.customer.commands import RegisterCustomer
from domain.shared.metadata import EventMetadata, Role
from tests.api.steps import mutate
from tests.support.server import LiveApi, module_api

PLAN = (
    "id customerId title status outcome version goals { id goal } "
    "milestones { goalId milestone } checkIns { note }"
)
PAYLOAD = f"planId position plan {{ {PLAN} }} userErrors {{ field code message }}"


@dataclass(frozen=True)
class World:
    api: LiveApi
    customer_id: UUID
    plan: dict[str, Any]


def step(api: LiveApi, name: str, role: Role = Role.AGENT, **given: Any) -> dict[str, Any]:
    return mutate(api, name, given, role, "agent-1", PAYLOAD)


@pytest.fixture(scope="module")
def world(pg_admin: str) -> Iterator[World]:
    with module_api(pg_admin) as api:
        command = RegisterCustomer("Ada", "ada@example.org")
        customer_id = api.ledger.register_customer(command, EventMetadata.system()).aggregate_id
        opened = step(
            api,
            "openSuccessPlan",
            customerId=str(customer_id),
            title="Adoption",
            goals=["Use the app weekly"],
        )
        assert opened["userErrors"] == [], opened
        plan_id = opened["planId"]
        goal_id = opened["plan"]["goals"][0]["id"]
        assert (
            step(
                api,
                "reachSuccessPlanMilestone",
                planId=plan_id,
                goalId=goal_id,
                milestone="First log-in",
            )["userErrors"]
            == []
        )
        assert (
            step(
                api,
                "recordSuccessPlanCheckIn",
                role=Role.ADMIN,
                planId=plan_id,
                note="Happy so far",
            )["userErrors"]
            == []
        )
        closed = step(api, "closeSuccessPlan", planId=plan_id, outcome="ACHIEVED")
        assert closed["userErrors"] == [], closed
        api.caught_up()  # the directory and health read models too, not only the plans
        yield World(api, customer_id, closed["plan"])


def test_the_plan_shows_every_step(world: World) -> None:
    """Goals, the milestone under its goal, the check-in's note, the outcome."""
    plan = world.plan
    assert (plan["status"], plan["outcome"]) == ("CLOSED", "ACHIEVED")
    assert [g["goal"] for g in plan["goals"]] == ["Use the app weekly"]
    assert plan["milestones"] == [{"goalId": plan["goals"][0]["id"], "milestone": "First log-in"}]
    assert plan["checkIns"] == [{"note": "Happy so far"}]


def test_customer_360_shows_the_plan_and_hides_notes_from_analysts(world: World) -> None:
    """An agent sees the note; an analyst the plan without it."""
    query = (
        "query($id: UUID!) { customer(id: $id) { successPlans { edges { node "
        "{ title checkIns { note } } } } } }"
    )
    for role, note in ((Role.AGENT, "Happy so far"), (Role.ANALYST, None)):
        body = world.api.graphql(query, {"id": str(world.customer_id)}, role).json()
        edges = body["data"]["customer"]["successPlans"]["edges"]
        assert [e["node"]["checkIns"][0]["note"] for e in edges] == [note]


@pytest.mark.parametrize(
    ("filter_", "count"),
    [
        ({"status": "CLOSED"}, 1),
        ({"status": "OPEN"}, 0),
        ({"band": "WATCH"}, 1),  # nothing else happened to her: the watch band
        ({"band": "AT_RISK"}, 0),
    ],
)
def test_the_portfolio_filters_by_status_and_band(
    world: World, filter_: dict[str, str], count: int
) -> None:
    """status and band narrow the list; the band is the customer's health now."""
    query = "query($f: SuccessPlanFilterInput) { successPlans(filter: $f) { edges { cursor } } }"
    body = world.api.graphql(query, {"f": filter_}, Role.AGENT).json()
    assert len(body["data"]["successPlans"]["edges"]) == count


def test_a_closed_plan_refuses_a_check_in(world: World) -> None:
    """SUCCESS_PLAN_CLOSED, nothing written."""
    refused = step(world.api, "recordSuccessPlanCheckIn", planId=world.plan["id"], note="Late")
    assert [e["code"] for e in refused["userErrors"]] == ["SUCCESS_PLAN_CLOSED"]
    assert refused["position"] is None


@pytest.mark.parametrize(
    ("given", "code", "field"),
    [
        ({"title": ""}, "INVALID_INPUT", "title"),
        ({"title": "x" * 121}, "INVALID_INPUT", "title"),
        ({"goals": ["g"] * 21}, "INVALID_INPUT", "goals"),
        ({"goals": ["y" * 201]}, "INVALID_INPUT", "goals"),
        (
            {"customerId": "00000000-0000-0000-0000-000000000000"},
            "CUSTOMER_NOT_FOUND",
            "customerId",
        ),
    ],
)
def test_bad_input_is_a_typed_error(
    world: World, given: dict[str, Any], code: str, field: str
) -> None:
    """Bounds and an unknown customer are refused by code, naming the field."""
    sent = {"customerId": str(world.customer_id), "title": "Plan", **given}
    refused = step(world.api, "openSuccessPlan", **sent)
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [(code, ["input", field])]


def test_a_stale_version_and_an_unknown_goal_are_refused(world: World) -> None:
    """expectedVersion behind the plan: CONCURRENCY_CONFLICT; a goal of no plan:
    GOAL_NOT_FOUND."""
    opened = step(world.api, "openSuccessPlan", customerId=str(world.customer_id), title="Two")
    plan_id = opened["planId"]
    stale = step(world.api, "addSuccessPlanGoal", planId=plan_id, goal="G", expectedVersion=99)
    assert [e["code"] for e in stale["userErrors"]] == ["CONCURRENCY_CONFLICT"]
    unknown = step(
        world.api,
        "reachSuccessPlanMilestone",
        planId=plan_id,
        goalId="00000000-0000-0000-0000-000000000000",
        milestone="M",
    )
    assert [e["code"] for e in unknown["userErrors"]] == ["GOAL_NOT_FOUND"]


def test_the_customer_themself_gets_no_success_plans(world: World) -> None:
    """Staff's plans with a customer are not shown to the customer: null."""
    query = "query($id: UUID!) { customer(id: $id) { successPlans { edges { cursor } } } }"
    me = str(world.customer_id)
    body = world.api.graphql(query, {"id": me}, Role.CUSTOMER, me).json()
    assert body["data"]["customer"]["successPlans"] is None
