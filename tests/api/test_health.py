"""`/health` reports the version, that the database is reachable, the log's head, and each
projection's and process manager's position and lag."""

from __future__ import annotations

import time
from typing import Any

from domain.ledger import Ledger
from domain.shared.metadata import EventMetadata
from infrastructure.database import Database
from infrastructure.process_manager_runner import ALL_PROCESS_MANAGERS
from infrastructure.version import product_version
from projections.registry import ALL_PROJECTIONS
from tests.api.helpers import media_type, registered
from tests.support.parking import park_a_registration
from tests.support.server import LiveApi, live_api


def health(api: LiveApi) -> dict[str, Any]:
    response = api.client.get("/health")
    assert response.status_code == 200, response.text
    assert media_type(response) == "application/json"
    body: dict[str, Any] = response.json()
    return body


def health_once_caught_up(api: LiveApi, deadline_seconds: float = 20.0) -> dict[str, Any]:
    """Health, polled until the customer directory shows no lag (the bound only stops a broken
    worker from hanging the run; it is not what the test asserts)."""
    deadline = time.monotonic() + deadline_seconds
    body = health(api)
    while body["projections"]["customer_directory"]["lag"] != 0 and time.monotonic() < deadline:
        time.sleep(0.05)
        body = health(api)
    return body


def test_health_of_an_empty_ledger_reports_database_head_and_every_projection(api: LiveApi) -> None:
    assert health(api) == {
        "status": "ok",
        "version": product_version(),
        "database": {"reachable": True},
        "head": 0,
        "projections": {
            name: {"position": 0, "lag": 0, "error": None, "parked": 0}
            for name in (projection.name for projection in ALL_PROJECTIONS)
        },
        "process_managers": {
            name: {"position": 0, "lag": 0, "error": None, "parked": 0}
            for name in (manager.name for manager in ALL_PROCESS_MANAGERS)
        },
        "parked": {},
    }


def test_head_follows_the_log(api: LiveApi) -> None:
    registered(api)
    assert health(api)["head"] == api.ledger.head_position() == 2


def test_customer_directory_lag_reaches_zero_after_a_registration(api: LiveApi) -> None:
    registered(api)
    body = health_once_caught_up(api)
    directory = body["projections"]["customer_directory"]
    assert directory["lag"] == 0
    assert directory["position"] == body["head"] == api.ledger.head_position()
    assert directory["error"] is None
    assert body["status"] == "ok"


def test_projection_lag_is_head_minus_position(api: LiveApi) -> None:
    registered(api, email="ada@example.org")
    registered(api, email="grace@example.org")
    body = health(api)
    directory = body["projections"]["customer_directory"]
    assert directory["lag"] == body["head"] - directory["position"]
    assert 0 <= directory["position"] <= body["head"]


def test_parked_events_are_counted_per_projection_and_make_the_status_degraded(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    park_a_registration(ledger, database, agent)
    with live_api(ledger, database, run_worker=False) as api:
        body = health(api)
    assert body["status"] == "degraded"
    assert body["projections"]["customer_directory"]["parked"] == 1
    assert body["projections"]["loyalty_statements"]["parked"] == 0
    assert body["parked"] == {"customer_directory": 1}


def test_process_managers_follow_the_log_like_projections(api: LiveApi) -> None:
    registered(api)
    deadline = time.monotonic() + 20
    body = health(api)
    while body["process_managers"]["loyalty_earning"]["lag"] and time.monotonic() < deadline:
        time.sleep(0.05)
        body = health(api)
    earning = body["process_managers"]["loyalty_earning"]
    assert earning == {"position": body["head"], "lag": 0, "error": None, "parked": 0}
