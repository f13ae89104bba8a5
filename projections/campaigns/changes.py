"""A run of folded campaign events of one batch, replayed in memory in log order.

A campaign's own events change its row: the draft is a new row, each later event sets a few
columns and the version, so the run's last value of each column wins (the versions of one
stream come in order in the log). What happens to recipients and the audience depends on the
order of events across streams (a batch's NPS before is the latest answer when it was decided,
a purchase goes to the latest message sent before it), so those events are :data:`Step` s: at
``write`` the rows the run touches are read once, the steps run in log order on that copy, and
what they changed goes in with a few multi-row statements (``statements``).
``ErasureRequest.Completed`` is not folded: the projection writes what was folded before it,
then applies it (see ``projections.base``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Cursor

from projections.bulk import as_columns
from projections.campaigns import statements
from projections.campaigns.statements import Audience, Row


@dataclass(slots=True)
class Recipient:
    """A recipient row the run reads (queued, of a customer it attributes something to) or
    inserts."""

    order: tuple[int, int]
    """How its id ranks: ``(0, id)`` for a row read, ``(1, n)`` for the run's n-th new row
    (its id, generated when it goes in, is greater than every id before)."""
    campaign_id: UUID
    customer_id: UUID
    status: str
    reason: str | None
    decided_at: datetime
    deadline: datetime
    nps_before: int | None = None
    converted_at: datetime | None = None
    unsubscribed_at: datetime | None = None
    nps_after: int | None = None

    def row(self) -> Row:
        return (
            self.campaign_id, self.customer_id, self.status, self.reason, self.decided_at,
            self.deadline, self.converted_at, self.unsubscribed_at, self.nps_before,
            self.nps_after,
        )  # fmt: skip


NO_AUDIENCE: Audience = (False, False, None)
"""The column defaults of a ``campaign_audience`` row."""


@dataclass(slots=True)
class Memory:
    """The rows a run's steps read and change, loaded once before they run."""

    audience: dict[UUID, Audience]
    sent: dict[UUID, list[Recipient]]
    """A customer's queued recipient rows, read and new (only those the run attributes to)."""
    batches: set[tuple[UUID, int]]
    deadlines: dict[tuple[UUID, int], datetime]
    """A recorded batch's conversion deadline (none: its campaign is unknown)."""
    created: set[UUID] = field(default_factory=set)
    """Customers whose audience row the run inserts (it was not there when loaded)."""
    audience_changed: set[UUID] = field(default_factory=set)
    sent_changed: dict[int, Recipient] = field(default_factory=dict)
    new_batches: list[Row] = field(default_factory=list)
    new_recipients: list[Recipient] = field(default_factory=list)

    def set_audience(self, customer: UUID, **values: Any) -> None:
        if customer not in self.audience:
            self.created.add(customer)
        marketing, email, last_nps = self.audience.get(customer, NO_AUDIENCE)
        self.audience[customer] = (
            values.get("marketing", marketing),
            values.get("email", email),
            values.get("last_nps", last_nps),
        )
        self.audience_changed.add(customer)

    def changed(self, recipient: Recipient) -> None:
        kind, number = recipient.order
        if kind == 0:
            self.sent_changed[number] = recipient


Step = Callable[[Memory], None]


@dataclass(frozen=True, slots=True)
class Recorded:
    """A recipient batch of the run: its key, when it was decided and who."""

    campaign_id: UUID
    batch: int
    at: datetime
    members: tuple[tuple[UUID, str, str | None], ...]
    """(customer, status, reason) in the order of the event's lists."""


@dataclass(slots=True)
class CampaignChanges:
    """The batch's pending campaign changes (see the module's docstring)."""

    loading: bool = False
    drafted: dict[UUID, Row] = field(default_factory=dict)
    """Campaign -> the row its draft makes (``statements.CAMPAIGN_COLUMNS``)."""
    moves: dict[UUID, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    """Campaign -> its latest version in the run and the last value of each column set."""
    steps: list[Step] = field(default_factory=list)
    recorded: list[Recorded] = field(default_factory=list)
    audience_of: set[UUID] = field(default_factory=set)
    """Customers whose audience row the steps read."""
    attributed: set[UUID] = field(default_factory=set)
    """Customers whose queued recipient rows the steps read."""

    def move(self, campaign: UUID, version: int, **values: Any) -> None:
        _, columns = self.moves.get(campaign, (0, {}))
        self.moves[campaign] = (version, {**columns, **values})

    def record(self, recorded: Recorded) -> None:
        self.recorded.append(recorded)
        self.audience_of.update(customer for customer, _, _ in recorded.members)
        self.steps.append(lambda memory: _insert_batch(memory, recorded))

    def add(self, step: Step, *, audience_of: UUID, attributed: bool = False) -> None:
        self.steps.append(step)
        self.audience_of.add(audience_of)
        if attributed:
            self.attributed.add(audience_of)

    def write(self, cursor: Cursor[Any]) -> None:
        statements.insert_campaigns(cursor, list(self.drafted.values()), copy=self.loading)
        statements.move_campaigns(cursor, self.moves)
        if not self.steps:
            return
        memory = self._load(cursor)
        for step in self.steps:
            step(memory)
        statements.insert_batches(cursor, memory.new_batches, copy=self.loading)
        rows = [recipient.row() for recipient in memory.new_recipients]
        statements.insert_recipients(cursor, rows, copy=self.loading)
        followed = [
            (number, r.converted_at, r.unsubscribed_at, r.nps_after)
            for number, r in memory.sent_changed.items()
        ]
        statements.update_followed(cursor, followed)
        audience = {customer: memory.audience[customer] for customer in memory.audience_changed}
        statements.write_audience(cursor, audience, memory.created, copy=self.loading)

    def _load(self, cursor: Cursor[Any]) -> Memory:
        keys = {(recorded.campaign_id, recorded.batch) for recorded in self.recorded}
        days = statements.load_conversion_days(
            cursor, {campaign for campaign, _ in keys} - set(self.drafted)
        )
        days.update({campaign: row[7] for campaign, row in self.drafted.items()})
        deadlines = {
            (r.campaign_id, r.batch): (r.at, days[r.campaign_id])
            for r in self.recorded
            if r.campaign_id in days
        }
        sent: dict[UUID, list[Recipient]] = {}
        for (
            number,
            campaign,
            customer,
            decided,
            deadline,
            converted,
            unsubscribed,
            nps_after,
        ) in statements.load_sent(cursor, self.attributed):
            sent.setdefault(customer, []).append(
                Recipient(
                    (0, number), campaign, customer, "queued", None, decided, deadline,
                    converted_at=converted, unsubscribed_at=unsubscribed, nps_after=nps_after,
                )
            )  # fmt: skip
        return Memory(
            audience=statements.load_audience(cursor, self.audience_of),
            sent=sent,
            batches=statements.load_batches(cursor, keys),
            deadlines=_deadlines(cursor, deadlines),
        )


def _deadlines(
    cursor: Cursor[Any], moments: dict[tuple[UUID, int], tuple[datetime, int]]
) -> dict[tuple[UUID, int], datetime]:
    """Each moment plus its days, as PostgreSQL adds them (a day in the session's time zone,
    as the per-event ``make_interval`` did), in one statement."""
    if not moments:
        return {}
    keys = list(moments)
    ats, days = as_columns(list(moments.values()), 2)
    rows = cursor.execute(
        "SELECT at + make_interval(days => days) FROM unnest(%b::timestamptz[], %b::integer[])"
        " WITH ORDINALITY AS v(at, days, n) ORDER BY n",
        (ats, days),
    ).fetchall()
    return {key: deadline for key, (deadline,) in zip(keys, rows, strict=True)}


def _insert_batch(memory: Memory, recorded: Recorded) -> None:
    key = (recorded.campaign_id, recorded.batch)
    if key in memory.batches:
        return  # applied before: its erased members' rows have no id to conflict on
    memory.batches.add(key)
    memory.new_batches.append(key)
    deadline = memory.deadlines.get(key)
    if deadline is None:
        return  # an unknown campaign: the per-event join found no row to insert
    for customer, status, reason in recorded.members:
        _, _, last_nps = memory.audience.get(customer, NO_AUDIENCE)
        recipient = Recipient(
            (1, len(memory.new_recipients)), recorded.campaign_id, customer, status, reason,
            recorded.at, deadline, nps_before=last_nps,
        )  # fmt: skip
        memory.new_recipients.append(recipient)
        if status == "queued":
            memory.sent.setdefault(customer, []).append(recipient)


def attribute(customer: UUID, column: str, at: datetime) -> Step:
    """Set ``column`` of the latest message sent to ``customer`` whose window holds ``at``,
    if it is still empty (what follows a message is attributed once)."""

    def apply(memory: Memory) -> None:
        candidates = [
            recipient
            for recipient in memory.sent.get(customer, ())
            if recipient.decided_at <= at < recipient.deadline
        ]
        if not candidates:
            return
        latest = max(candidates, key=lambda recipient: (recipient.decided_at, recipient.order))
        if getattr(latest, column) is None:
            setattr(latest, column, at)
            memory.changed(latest)

    return apply


def answer_nps(customer: UUID, score: int, at: datetime) -> Step:
    """The customer's latest NPS answer, and the first after each message sent before it."""

    def apply(memory: Memory) -> None:
        memory.set_audience(customer, last_nps=score)
        for recipient in memory.sent.get(customer, ()):
            if recipient.nps_after is None and recipient.decided_at <= at:
                recipient.nps_after = score
                memory.changed(recipient)

    return apply


def set_audience(customer: UUID, column: str, value: bool) -> Step:
    return lambda memory: memory.set_audience(customer, **{column: value})
