"""The SLA policy over HTTP: admins change targets, business hours and the reopen window as
events; a change applies to tickets opened afterwards while older tickets keep their terms;
a bad calendar is a user error that writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from domain.shared.metadata import Role
from tests.api.steps import errors_of
from tests.api.ticket_steps import POLICY_FIELDS, customer, opened, query, read_ticket, set_policy
from tests.support.server import LiveApi, module_api

ROME_OFFICE = {
    "timeZone": "Europe/Rome",
    "weekdays": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
    "opens": "09:00",
    "closes": "17:30",
    "holidays": ["2026-12-25"],
}


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def policy(api: LiveApi, role: Role = Role.AGENT) -> dict[str, Any]:
    body = query(api, f"{{ slaPolicy {{ {POLICY_FIELDS} }} }}", role=role)
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]["slaPolicy"]
    return found


def target(found: dict[str, Any], priority: str) -> tuple[int, int]:
    row = next(t for t in found["targets"] if t["priority"] == priority)
    return row["firstResponseMinutes"], row["resolutionMinutes"]


def first_response_target(api: LiveApi, ticket_id: str) -> float:
    ticket = read_ticket(api, ticket_id, "sla { firstResponse { targetSeconds } }")
    assert ticket is not None
    seconds: float = ticket["sla"]["firstResponse"]["targetSeconds"]
    return seconds


def test_the_default_policy_is_readable_by_staff_readers(api: LiveApi) -> None:
    found = policy(api, role=Role.AUDITOR)
    assert target(found, "URGENT") == (60, 240) and found["reopenWindowDays"] == 7
    assert found["calendar"]["timeZone"] == "UTC" and len(found["calendar"]["weekdays"]) == 7


def test_new_targets_apply_to_new_tickets_and_older_ones_keep_theirs(api: LiveApi) -> None:
    someone = customer(api)
    older = opened(api, someone)["id"]
    changed = set_policy(
        api,
        "setSlaTargets",
        {"priority": "NORMAL", "firstResponseMinutes": 30, "resolutionMinutes": 600},
    )
    assert changed["userErrors"] == [] and target(changed["policy"], "NORMAL") == (30, 600)
    newer = opened(api, someone)["id"]
    assert first_response_target(api, newer) == 30 * 60
    assert first_response_target(api, older) == 240 * 60
    assert target(policy(api), "NORMAL") == (30, 600)


def test_targets_out_of_range_are_refused(api: LiveApi) -> None:
    head = api.quiet_head()
    refused = set_policy(
        api,
        "setSlaTargets",
        {"priority": "LOW", "firstResponseMinutes": 90, "resolutionMinutes": 60},
    )
    assert errors_of(refused) == [("INVALID_INPUT", ["input", "firstResponseMinutes"])]
    assert api.ledger.head_position() == head


def test_admins_set_business_hours_and_the_reopen_window(api: LiveApi) -> None:
    calendar = set_policy(api, "setBusinessCalendar", ROME_OFFICE)
    assert calendar["userErrors"] == [] and calendar["policy"]["calendar"] == ROME_OFFICE
    window = set_policy(api, "setReopenWindow", {"days": 14})
    assert window["userErrors"] == [] and window["policy"]["reopenWindowDays"] == 14


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timeZone": "Mars/Olympus_Mons"}, "timeZone"),
        ({"timeZone": "Europe"}, "timeZone"),
        ({"timeZone": "z" * 300}, "timeZone"),
        ({"opens": "18:00"}, "closes"),
        ({"closes": "25:00"}, "closes"),
        ({"opens": "nine"}, "opens"),
        ({"weekdays": []}, "weekdays"),
        ({"holidays": ["Christmas"]}, "holidays"),
    ],
)
def test_a_bad_calendar_is_a_user_error_that_writes_nothing(
    api: LiveApi, change: dict[str, Any], field: str
) -> None:
    head = api.quiet_head()
    refused = set_policy(api, "setBusinessCalendar", {**ROME_OFFICE, **change})
    assert errors_of(refused) == [("INVALID_INPUT", ["input", field])]
    assert refused["policy"] is None and api.ledger.head_position() == head


def test_a_reopen_window_out_of_range_is_refused(api: LiveApi) -> None:
    refused = set_policy(api, "setReopenWindow", {"days": 400})
    assert errors_of(refused) == [("INVALID_INPUT", ["input", "days"])]
