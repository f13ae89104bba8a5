"""The scheduled SLA check: record a breach as an event when a clock passes its target, so it
shows up in the ticket's timeline and in the service metrics.

Candidates come from the ticket read model, brought up to date first; the ledger's command
decides from the aggregate itself and records each clock's breach once, so a candidate that no
longer qualifies changes nothing and running the check twice records nothing more. It runs in
the worker every ``CXL_SLA_CHECK_INTERVAL`` seconds (one worker at a time) and as
`cxledger check-sla`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from domain.ledger import Ledger
from domain.shared.errors import DomainError
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.ticket.values import SlaClock
from infrastructure.database import Database
from infrastructure.log_follower import LogFollower
from projections.tickets.maintenance import tickets_due_for_breach_check

log = logging.getLogger(__name__)

ACTOR_ID = "sla-check"


@dataclass(frozen=True, slots=True)
class SlaCheckSummary:
    """What one run of the check did."""

    at: datetime
    tickets_checked: int
    first_response_breaches: int
    resolution_breaches: int
    passed_over: int
    """Tickets whose command was refused (logged; the next run tries them again)."""

    @property
    def breaches_recorded(self) -> int:
        return self.first_response_breaches + self.resolution_breaches

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "tickets_checked": self.tickets_checked,
            "breaches_recorded": self.breaches_recorded,
            "first_response_breaches": self.first_response_breaches,
            "resolution_breaches": self.resolution_breaches,
            "passed_over": self.passed_over,
        }


@dataclass
class _Tally:
    tickets_checked: int = 0
    passed_over: int = 0
    breaches: dict[SlaClock, int] = field(default_factory=lambda: dict.fromkeys(SlaClock, 0))


class SlaCheck:
    """Record the breaches due at a moment, over every candidate ticket, in batches."""

    def __init__(
        self, ledger: Ledger, database: Database, read_model: LogFollower, batch_size: int = 200
    ) -> None:
        self.ledger = ledger
        self.database = database
        self.read_model = read_model
        self.batch_size = batch_size

    def run(self, now: datetime | None = None) -> SlaCheckSummary:
        """Record every breach due at ``now`` (default: the present)."""
        at = now or datetime.now(UTC)
        run_id = uuid4()
        metadata = EventMetadata(ACTOR_ID, Role.SYSTEM, Channel.SYSTEM, run_id, run_id)
        tally = _Tally()
        done: set[UUID] = set()
        while batch := self._next_batch(at, done):
            for ticket_id in batch:
                self._check(ticket_id, metadata, at, tally)
            done.update(batch)
        summary = SlaCheckSummary(
            at,
            tally.tickets_checked,
            tally.breaches[SlaClock.FIRST_RESPONSE],
            tally.breaches[SlaClock.RESOLUTION],
            tally.passed_over,
        )
        log.info("sla check: %s", summary.as_dict())
        return summary

    def _next_batch(self, at: datetime, done: set[UUID]) -> list[UUID]:
        # Tickets handled this run drop out once the read model catches up; any that stay (a
        # refused command, or one the aggregate does not find breached) must not loop the run.
        with self.database.connect() as conn:
            self.read_model.catch_up(conn)
            candidates = tickets_due_for_breach_check(conn, at, self.batch_size + len(done))
        return [c for c in candidates if c not in done][: self.batch_size]

    def _check(self, ticket_id: UUID, metadata: EventMetadata, at: datetime, tally: _Tally) -> None:
        tally.tickets_checked += 1
        try:
            recorded = self.ledger.record_sla_breaches(ticket_id, metadata, at)
        except DomainError as error:
            log.warning("sla check passed over %s: %s %s", ticket_id, error.code, error)
            tally.passed_over += 1
            return
        for clock in recorded:
            tally.breaches[clock] += 1
