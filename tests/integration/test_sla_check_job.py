"""The SLA check: a clock past its target is recorded as a breach event exactly once and shows
in the timeline; a ticket on hold does not breach while paused; a breach that happened between
two runs is recorded by the next; `cxledger check-sla` runs it once; the worker schedules it."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from domain.ledger import Ledger
from domain.ticket.model import Ticket
from domain.ticket.values import Priority, SlaClock
from infrastructure.bootstrap import open_runtime
from infrastructure.database import Database
from infrastructure.loyalty_jobs import ScheduledJob
from infrastructure.settings import SettingsError, load_settings
from infrastructure.ticket_jobs import SlaCheckSummary
from projections.tickets.queries import ticket_by_id, timeline
from projections.tickets.views import TimelineKind
from tests.integration.ticket_world import (
    AGENT_7,
    T0,
    hours,
    minutes,
    open_ticket,
    project,
    register,
    sla_check,
)
from tests.support.cli import CXLEDGER, REPO, cli_env
from tests.support.read_models import query
from tests.support.settings import settings_on


def urgent_ticket(ledger: Ledger, at: datetime = T0) -> UUID:
    """First response due an hour after ``at``, resolution four hours after."""
    return open_ticket(ledger, register(ledger, "Ada"), at, Priority.URGENT)


def breaches(ledger: Ledger, ticket_id: UUID) -> list[tuple[str, datetime]]:
    return [
        (event.clock, event.due_at)
        for event in ledger.events.get(ticket_id)
        if isinstance(event, Ticket.SlaBreached)
    ]


def test_a_breach_is_recorded_once_and_appears_in_the_timeline(
    ledger: Ledger, database: Database
) -> None:
    ticket_id = urgent_ticket(ledger)
    check = sla_check(ledger, database)

    first = check.run(hours(2))
    again = check.run(hours(2))

    assert first == SlaCheckSummary(hours(2), 1, 1, 0, 0)
    assert again == SlaCheckSummary(hours(2), 0, 0, 0, 0)
    assert breaches(ledger, ticket_id) == [("first_response", hours(1))]
    project(ledger, database)
    step = query(database, lambda conn: timeline(conn, ticket_id, False))[-1]
    assert step.kind is TimelineKind.SLA_BREACHED and not step.public
    assert (step.actor_id, step.actor_role, step.at) == ("sla-check", "system", hours(2))
    assert step.details == {"clock": "first_response", "due_at": hours(1).isoformat()}
    view = query(database, lambda conn: ticket_by_id(conn, ticket_id, hours(2)))
    assert view is not None and view.breaches == (SlaClock.FIRST_RESPONSE,)


def test_nothing_is_recorded_before_a_clock_is_due(ledger: Ledger, database: Database) -> None:
    ticket_id = urgent_ticket(ledger)
    assert sla_check(ledger, database).run(hours(1)) == SlaCheckSummary(hours(1), 0, 0, 0, 0)
    assert breaches(ledger, ticket_id) == []


def test_each_clock_is_recorded_when_its_own_target_passes(
    ledger: Ledger, database: Database
) -> None:
    ticket_id = urgent_ticket(ledger)
    check = sla_check(ledger, database)
    check.run(hours(2))
    later = check.run(hours(5))
    assert (later.first_response_breaches, later.resolution_breaches) == (0, 1)
    assert breaches(ledger, ticket_id) == [
        ("first_response", hours(1)),
        ("resolution", hours(4)),
    ]


def test_a_ticket_on_hold_does_not_breach_while_paused(ledger: Ledger, database: Database) -> None:
    ticket_id = urgent_ticket(ledger)
    ledger.put_ticket_on_hold(ticket_id, "Waiting for a photo.", AGENT_7, now=minutes(30))
    check = sla_check(ledger, database)

    assert check.run(hours(5)).breaches_recorded == 0
    ledger.resume_ticket(ticket_id, AGENT_7, now=hours(5))
    assert check.run(minutes(329)).breaches_recorded == 0  # 59 minutes counted
    assert check.run(minutes(331)).first_response_breaches == 1
    assert breaches(ledger, ticket_id) == [("first_response", minutes(330))]


def test_a_breach_that_happened_between_two_runs_is_recorded_by_the_next(
    ledger: Ledger, database: Database
) -> None:
    ticket_id = urgent_ticket(ledger)
    ledger.reply_to_ticket(ticket_id, "Sorry for the wait.", AGENT_7, now=minutes(90))
    summary = sla_check(ledger, database).run(hours(2))
    assert summary.first_response_breaches == 1
    assert breaches(ledger, ticket_id) == [("first_response", hours(1))]


def check_sla(database: Database, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CXLEDGER, "check-sla", *args],
        cwd=REPO,
        env=cli_env(database),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_cli_runs_the_check_once_and_prints_a_json_summary(
    ledger: Ledger, database: Database
) -> None:
    ticket_id = urgent_ticket(ledger)
    result = check_sla(database, "--now", hours(5).isoformat())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "at": hours(5).isoformat(),
        "tickets_checked": 1,
        "breaches_recorded": 2,
        "first_response_breaches": 1,
        "resolution_breaches": 1,
        "passed_over": 0,
    }
    assert [clock for clock, _ in breaches(ledger, ticket_id)] == ["first_response", "resolution"]


@pytest.mark.parametrize("now", ["soon", "2027-01-01T00:00:00"])
def test_the_cli_refuses_a_time_that_is_not_iso_8601_with_a_zone(
    database: Database, now: str
) -> None:
    result = check_sla(database, "--now", now)
    assert result.returncode == 2
    assert "--now" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("value", ["0", "-5", "often", "86401"])
def test_a_bad_sla_check_interval_is_refused_with_its_name(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CXL_SLA_CHECK_INTERVAL", value)
    with pytest.raises(SettingsError, match="CXL_SLA_CHECK_INTERVAL"):
        load_settings()


def test_the_worker_runs_the_check_every_configured_interval(
    ledger: Ledger, database: Database
) -> None:
    ticket_id = urgent_ticket(ledger, at=datetime.now(UTC) - timedelta(hours=2))
    settings = settings_on(database, sla_check_interval=42)
    with open_runtime(settings) as runtime:
        [job] = [r for r in runtime.worker().runners if r.name == "sla_check"]
        assert isinstance(job, ScheduledJob) and job.interval == 42
        assert job.run_once()
    assert [clock for clock, _ in breaches(ledger, ticket_id)] == ["first_response"]
