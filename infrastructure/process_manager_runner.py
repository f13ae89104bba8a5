"""Runs process managers: follow the log, run each event's command, then record the position.

The command commits in the event store first and the position afterwards, so a crash in
between delivers the event again; the commands are idempotent (earning by order id, claw-back
by the refunded total, a message by the event it answers), so the effect is exactly once. Only
the process manager's own topics are read. An event a command refuses (a :class:`DomainError`)
is logged and passed over: the refusal is the business answer. An event whose reaction fails
otherwise (a bug, an event it cannot decode) is tried again a bounded number of times and then
parked (:mod:`infrastructure.parking`); replaying it later is safe because the command is
idempotent, so it still has its effect exactly once. A transient failure (a lost connection, a
race still lost after the command's own retries) stops the batch at that event, which is tried
again later.

No transaction is open on the follower's connection while the commands run. It used to hold
the position row locked for the whole batch, and each command needs connections of its own:
behind a transaction-mode pooler that is one server session held idle per busy process manager
while it waits for a second, and with as many busy process managers (across workers) as the
pooler has sessions, every one of them, and every request behind them, waited for the pooler's
queue timeout (two minutes by default). The lease (one worker leads each process manager) is
what keeps two workers from reacting to one batch now; when two ever do (a lease lost mid-batch,
a job catching a reaction up while a worker leads it), the commands are idempotent, and only
the first to record the position moves it (compare-and-set, :func:`move_position`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TypeVar

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
from infrastructure.log_batch import DecodeOnce, LogBatch
from infrastructure.log_follower import LogFollower
from infrastructure.parking import RetryPolicy, park, try_alone
from projections.tracking import move_position, position_of

log = logging.getLogger(__name__)
T = TypeVar("T")

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

    def feed(self, conn: Connection[Any], batch: LogBatch) -> int | None:
        """React to the part of ``batch`` past this manager's position with no transaction open
        on ``conn`` (see the module's docstring), then record the new position if no one moved
        it meanwhile; return it. None when the batch does not hold what comes next for it, or
        another runner recorded a position first."""
        position = _alone(conn, partial(position_of, conn, self.name))
        if not batch.reaches(position):
            return None
        rows = batch.rows_for(position, self.topics())
        reached, failure = self.apply(conn, rows, batch.reached, batch.decode)
        moved = _alone(conn, partial(move_position, conn, self.name, position, reached))
        if failure is not None:
            raise failure
        return reached if moved else None

    def apply(
        self, conn: Connection[Any], rows: Sequence[Notification], reached: int, decode: DecodeOnce
    ) -> tuple[int, Exception | None]:
        """React to each row in turn; an event that fails every try is parked in a transaction
        of its own. A transient failure stops at its event: the position to record is the one
        before it."""
        self._decode = decode
        for row in rows:
            try:
                error = try_alone(conn, self.policy, partial(self.react, row), writes_on_conn=False)
            except Exception as failure:  # transient: raised once the position is kept
                return row.id - 1, failure
            if error is not None:
                _alone(conn, partial(park, conn, self.name, row, error, self.policy))
        return reached, None

    def apply_together(
        self, conn: Connection[Any], rows: Sequence[Notification], reached: int, decode: DecodeOnce
    ) -> tuple[int, Exception | None]:
        raise TypeError(
            f"process manager {self.name} reacts with no transaction open: feed it alone"
        )

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


def _alone(conn: Connection[Any], statement: Callable[[], T]) -> T:
    """Run ``statement`` (one statement) as a transaction of its own: on an autocommit
    connection it is one already, with no BEGIN and COMMIT round trips."""
    if conn.autocommit:
        return statement()
    with conn.transaction():
        return statement()


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
