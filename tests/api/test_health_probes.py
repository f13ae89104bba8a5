"""`/health/live` says the process answers, whatever the database does; `/health/ready` says it
can serve: the primary reachable, the schema current, the read pool usable (else 503)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import psycopg

from domain.ledger import Ledger
from infrastructure.database import Database
from infrastructure.health import health_sources
from infrastructure.version import product_version
from tests.support.server import LiveApi, free_port, live_api


def unreachable_primary() -> AbstractContextManager[psycopg.Connection[Any]]:
    """A real connection attempt to a loopback port nothing listens on."""
    return psycopg.connect(f"postgresql://postgres@127.0.0.1:{free_port()}/x", connect_timeout=2)


def test_live_answers_200_with_the_version(api: LiveApi) -> None:
    response = api.client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "alive", "version": product_version()}


def test_ready_answers_200_when_database_schema_and_read_pool_are_fine(api: LiveApi) -> None:
    response = api.client.get("/health/ready")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "status": "ready",
        "checks": {"database": {"ok": True}, "read_pool": {"ok": True}},
    }


def test_ready_answers_503_naming_a_migration_step_not_applied(
    api: LiveApi, database: Database
) -> None:
    with database.connect() as conn:
        [name] = conn.execute(
            "DELETE FROM cxl_schema_migrations WHERE name = "
            "(SELECT max(name) FROM cxl_schema_migrations) RETURNING name"
        ).fetchone() or [None]
        conn.commit()
    response = api.client.get("/health/ready")
    assert response.status_code == 503
    check = response.json()["checks"]["database"]
    assert check == {"ok": False, "error": "migrations pending", "pending": [name]}


def test_an_unreachable_primary_fails_ready_but_not_live(
    ledger: Ledger, database: Database
) -> None:
    sources = health_sources(unreachable_primary)
    with live_api(ledger, database, run_worker=False, health=sources) as api:
        ready = api.client.get("/health/ready")
        live = api.client.get("/health/live")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert ready.json()["checks"]["read_pool"] == {"ok": True}
    assert live.status_code == 200


def test_ready_refuses_when_no_schema_check_was_given(ledger: Ledger, database: Database) -> None:
    """An API built without the composition root's check must not claim a schema it never saw."""
    sources = health_sources(database.connect)
    blind = type(sources)(version=sources.version, process_managers=sources.process_managers)
    with live_api(ledger, database, run_worker=False, health=blind) as api:
        ready = api.client.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"]["error"] == "no schema check configured"
