"""Runs process managers: follow the log, run each event's command, then record the position.

The command commits in the event store first and the position afterwards, so a crash in
between delivers the event again; the commands are idempotent (earning by order id, claw-back
by the refunded total), so the effect is exactly once. Only the process manager's own topics
are read. An event a command refuses (a :class:`DomainError`) is logged and passed over: the
refusal is the business answer. An event whose reaction fails otherwise (a bug, an event it
cannot decode) is tried again a bounded number of times and then parked, in the transaction
that records the position past it (:mod:`infrastructure.parking`); replaying it later is safe
because the command is idempotent, so it still has its effect exactly once. A transient failure
(a lost connection, a race still lost after the command's own retries) stops the batch at that
event, which is tried again later.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Notification
from psycopg import Connection

from domain.ledger import Ledger
from domain.loyalty.policies import LoyaltyEarning
from domain.reactions.policies import REACTIONS, ConfiguredReaction
from domain.reactions.settings import ReactionSettings
from domain.referral.policies import ReferralRewards
from domain.shared.errors import ConcurrencyConflictError, DomainError
from domain.shared.process_manager import ProcessManager
from infrastructure.database import Database
from infrastructure.log_batch import DecodeOnce
from infrastructure.log_follower import LogFollower
from infrastructure.parking import RetryPolicy, apply_or_park

log = logging.getLogger(__name__)

ALL_PROCESS_MANAGERS: tuple[type[ProcessManager[Ledger]], ...] = (
    LoyaltyEarning,
    ReferralRewards,
    *REACTIONS,
)


class ProcessManagerRunner(LogFollower):
    """Keeps one process manager up to date with the log."""

    lease_namespace = "process-manager"
    commits_elsewhere = True
    ledger: Ledger  # the whole application: its commands are what the manager calls

    def __init__(
        self,
        ledger: Ledger,
        database: Database,
        manager: ProcessManager[Ledger],
        batch_size: int,
        policy: RetryPolicy | None = None,
    ) -> None:
        super().__init__(ledger, database, batch_size, policy)
        self.manager = manager
        self._decode = DecodeOnce(ledger.mapper)
        self._topics = frozenset(manager.topics()) or None  # its class's: worked out once

    @property
    def name(self) -> str:
        return self.manager.name

    def topics(self) -> frozenset[str] | None:
        return self._topics

    def apply(
        self, conn: Connection[Any], rows: Sequence[Notification], reached: int, decode: DecodeOnce
    ) -> tuple[int, Exception | None]:
        """React to each row in turn, the caller holding the position row locked so that two
        runners never react to one batch at once. A transient failure stops at its event:
        the position recorded is the one before it."""
        self._decode = decode
        for row in rows:
            try:
                apply_or_park(conn, self.name, row, self.react, self.policy, writes_on_conn=False)
            except Exception as error:  # transient: re-raised once the position is kept
                return row.id - 1, error
        return reached, None

    def handle(self, conn: Connection[Any], notification: Notification) -> None:
        self.react(notification)  # the command commits in the event store, not on ``conn``

    def react(self, notification: Notification) -> None:
        """Run the command for one event; a refusal is logged and passed over."""
        event = self._decode(notification)
        try:
            self.manager.react(self.ledger, event)
        except ConcurrencyConflictError:
            raise  # lost a race even after the command's own retries: try the event again
        except DomainError as error:
            log.warning(
                "%s passed over event %s (%s v%s): %s %s",
                self.name,
                notification.id,
                type(event).__qualname__,
                event.originator_version,
                error.code,
                error.message,
            )


def process_manager_runners(
    ledger: Ledger,
    database: Database,
    batch_size: int,
    policy: RetryPolicy | None = None,
    reactions: ReactionSettings | None = None,
) -> list[ProcessManagerRunner]:
    return [
        ProcessManagerRunner(ledger, database, _built(manager, reactions), batch_size, policy)
        for manager in ALL_PROCESS_MANAGERS
    ]


def _built(
    manager: type[ProcessManager[Ledger]], reactions: ReactionSettings | None
) -> ProcessManager[Ledger]:
    """The manager, with the admin's reaction settings when it is a tunable reaction."""
    if issubclass(manager, ConfiguredReaction):
        return manager(reactions)
    return manager()
