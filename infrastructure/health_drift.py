"""The health drift job: catch the customers who fall into the at-risk band as days pass.

The at-risk reaction rates a customer's band when an event about them arrives, but recency
falls with the clock alone: a customer who bought a year ago and did nothing since drifts
into the band without an event. This job, run in the worker every
``CXL_HEALTH_DRIFT_INTERVAL`` seconds (one worker at a time) and as `cxledger
reassess-health`, walks the customers the ``customer_health`` read model scores at risk now
and asks each one's watch to reassess itself at the present
(:func:`domain.reactions.at_risk.reassess_health`); the watch decides from its own facts, so
a customer the read model and the watch disagree on changes nothing, and running the job twice
opens nothing more. It does nothing while the reaction is off.

Before the walk, the read model and the reaction are brought up to the head of the log, so the
watch has seen every event written before the run (an answer, a purchase) before it is rated
by the clock. Its cost is one load per customer at risk per run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from domain.ledger import Ledger
from domain.reactions.at_risk import reassess_health
from domain.shared.errors import DomainError
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database
from infrastructure.log_follower import LogFollower
from projections.success.queries import at_risk_customers_after

log = logging.getLogger(__name__)

ACTOR_ID = "health-drift"


@dataclass(frozen=True, slots=True)
class DriftSummary:
    """What one run of the job did."""

    at: datetime
    examined: int
    """Customers the read model scores at risk at ``at``."""
    entered: int
    """Watches the clock moved (into the band: time only lowers a score)."""
    passed_over: int
    """Customers whose reassessment was refused or lost a race (the next run tries again)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "examined": self.examined,
            "entered": self.entered,
            "passed_over": self.passed_over,
        }


class HealthDrift:
    """Reassess, at the present, the watch of every customer at risk by the read model."""

    def __init__(
        self,
        ledger: Ledger,
        database: Database,
        read_model: LogFollower,
        reaction: LogFollower,
        enabled: bool,
        batch_size: int = 200,
    ) -> None:
        self.ledger = ledger
        self.database = database
        self.read_model = read_model
        self.reaction = reaction
        self.enabled = enabled
        self.batch_size = batch_size

    def run(self, now: datetime | None = None) -> DriftSummary:
        at = now or datetime.now(UTC)
        if not self.enabled:
            return DriftSummary(at, 0, 0, 0)
        run_id = uuid4()
        metadata = EventMetadata(ACTOR_ID, Role.SYSTEM, Channel.SYSTEM, run_id, run_id)
        with self.database.connect() as conn:
            self.read_model.catch_up(conn)
            self.reaction.catch_up(conn)
        examined = entered = passed_over = 0
        after = 0
        while True:
            with self.database.connect() as conn:
                batch = at_risk_customers_after(conn, at, after, self.batch_size)
            if not batch:
                break
            for customer_id, seq in batch:
                examined += 1
                after = seq
                try:
                    entered += reassess_health(self.ledger, customer_id, at, metadata)
                except DomainError as error:  # a concurrency conflict too
                    log.warning("health drift passed over %s: %s", customer_id, error.code)
                    passed_over += 1
        summary = DriftSummary(at, examined, entered, passed_over)
        log.info("health drift: %s", summary.as_dict())
        return summary
