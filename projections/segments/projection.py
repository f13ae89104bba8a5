"""Events -> segment membership, kept live one event at a time.

Each event that changes a customer's facts updates their ``segment_facts`` row, then moves
them in or out of every live segment in one statement, dated by that event; a segment's
definition, rule change or archiving recomputes that segment over every customer in one
statement. Handling events one by one (not folded per batch) is what makes the history the
same whatever the batch sizes: a rebuild gives exactly the stays the live model recorded.

RFM quintiles are those of the customer base at the start of each UTC day of the log: the
first event of a new day (after a day with purchases) recomputes them with one ``ntile()``
statement and recomputes the segments that test them, dated by that event. So they cost one
set-based pass per day of purchases, whatever the number of purchases, and are deterministic
in log order.

The read model keeps the last position it applied (``segment_progress``): an event at or
before it is skipped, so a batch applied again changes nothing; and it never parks an event
(see ``parks_failures``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date
from typing import Any
from uuid import UUID

from psycopg import Cursor, sql
from psycopg.types.json import Jsonb

from domain.customer.model import Customer
from domain.loyalty.account import LoyaltyAccount
from domain.privacy.erasure import ErasureRequest
from domain.purchase.model import Purchase
from domain.segment.model import Segment
from domain.segment.rules import RFM_FIELDS, Field, NpsCategory, fields_of, parse_rule
from domain.shared.personal_data import PersonalData
from domain.survey.model import Invitation
from domain.survey.values import SurveyKind
from domain.ticket.model import Ticket
from projections.base import Positioned, Projection, folds, handles
from projections.erasure import erased_subjects
from projections.segments.changes import FactChanges, Memory, Step, cause, later
from projections.segments.membership import (
    Cause,
    leave_everything,
    recompute_segment,
)
from projections.segments.predicates import condition
from projections.segments.rfm import recompute_quintiles
from projections.segments.schema import DDL
from projections.segments.statements import Facts

RFM_REASON = "RfmRecomputed"
# The one fact each event changes: only the segments whose rule tests it can gain or lose the
# customer (a registration, absent here, is checked against every segment).
_CHANGES: dict[type, Field] = {
    Customer.RegionChanged: Field.REGION,
    Customer.LanguageChanged: Field.LANGUAGE,
    Customer.BirthYearChanged: Field.BIRTH_YEAR,
    Customer.ConsentGiven: Field.CONSENT,
    Customer.ConsentWithdrawn: Field.CONSENT,
    Customer.ConsentRefused: Field.CONSENT,
    Customer.OnboardingStepCompleted: Field.ONBOARDING_STEPS,
    Purchase.Recorded: Field.CHANNEL_USED,
    Invitation.Responded: Field.NPS_CATEGORY,
    LoyaltyAccount.Enrolled: Field.LOYALTY_TIER,
    LoyaltyAccount.TierChanged: Field.LOYALTY_TIER,
    Ticket.Opened: Field.OPEN_TICKETS,
    Ticket.Resolved: Field.OPEN_TICKETS,
    Ticket.Closed: Field.OPEN_TICKETS,
    Ticket.Reopened: Field.OPEN_TICKETS,
}


def _clear(value: PersonalData | None) -> str | None:
    return None if value is None else value.value


class SegmentMembership(Projection):
    """Per-customer facts, segment definitions and every stay of a customer in a segment."""

    name = "segment_membership"
    version = 2
    """2: the money spent is kept per currency (``segment_spend``), and the monetary quintile
    ranks a customer's spend in their main currency among that currency's buyers."""
    tables = (
        "segment_facts",
        "segment_spend",
        "segment_definitions",
        "segment_memberships",
        "segment_ticket_owners",
        "segment_loyalty_accounts",
        "segment_progress",
    )
    ddl = DDL
    erasure_purges = ("segment_facts", "segment_spend", "segment_memberships")
    personal_data_of = frozenset({Customer.LanguageChanged, Customer.BirthYearChanged})
    """The events whose personal values it reads (facts the rules test): a rebuild decodes its
    other events (registrations, tickets, answers) with theirs unread (``infrastructure.
    rebuild``)."""
    parks_failures = False
    """Stays are dated by the events in log order, and an event at or before the position kept
    in ``segment_progress`` is skipped: one applied later, out of order (a parked event
    retried), would be lost or rewrite history wrongly. So a failing event stops this read
    model, loudly, until it is fixed (then ``rebuild``)."""

    def __init__(self) -> None:
        self._segments: dict[UUID, tuple[sql.Composable, frozenset[Field]]] = {}
        self._position = 0
        self._day: date | None = None
        self._purchases_pending = False
        self._pending: FactChanges | None = None

    def changes(self) -> FactChanges:
        return FactChanges(self._segments, loading=self.loading)

    def apply(self, cursor: Cursor[Any], batch: Sequence[Positioned]) -> None:
        self._load(cursor)
        self._pending = None
        for item in batch:
            kind = type(item.event)
            folder = self._folders.get(kind)
            handler = self._handlers.get(kind)
            if (folder is None and handler is None) or item.position <= self._position:
                continue
            self._new_day(cursor, item)
            if folder is not None:
                if self._pending is None:
                    self._pending = self.changes()
                folder(self, self._pending, item.event, item.position)
            elif handler is not None:
                self._flush(cursor)  # what came before it in the log goes in first
                handler(self, cursor, item.event, item.position)
            self._position = item.position
        self._flush(cursor)
        self._save(cursor)

    def _flush(self, cursor: Cursor[Any]) -> None:
        if self._pending is not None:
            self._pending.write(cursor)
            self._pending = None

    # -- customers' facts (folded: see ``changes``) ------------------------------------------

    @folds(Customer.Registered)
    def registered(self, changes: FactChanges, event: Customer.Registered, position: int) -> None:
        customer, region = event.originator_id, event.region

        def register(memory: Memory) -> UUID:
            if customer not in memory.facts:  # a second registration changes nothing
                memory.facts[customer] = Facts(customer, region=region)
                memory.created.add(customer)
            return customer

        changes.add(Step(cause(event, position), None, register, customers=(customer,)))

    @folds(Customer.RegionChanged)
    def region_changed(
        self, changes: FactChanges, event: Customer.RegionChanged, position: int
    ) -> None:
        _set(changes, event, position, event.originator_id, region=event.region)

    @folds(Customer.LanguageChanged)
    def language_changed(
        self, changes: FactChanges, event: Customer.LanguageChanged, position: int
    ) -> None:
        _set(changes, event, position, event.originator_id, language=_clear(event.language))

    @folds(Customer.BirthYearChanged)
    def birth_year_changed(
        self, changes: FactChanges, event: Customer.BirthYearChanged, position: int
    ) -> None:
        year = _clear(event.birth_year)
        birth_year = None if year is None else int(year)
        _set(changes, event, position, event.originator_id, birth_year=birth_year)

    @folds(Customer.ConsentGiven)
    def consent_given(
        self, changes: FactChanges, event: Customer.ConsentGiven, position: int
    ) -> None:
        purpose = str(event.purpose)
        _change(
            changes, event, position, event.originator_id,
            lambda f: setattr(f, "consents", _with(f.consents, purpose)),
        )  # fmt: skip

    @folds(Customer.ConsentWithdrawn)
    def consent_withdrawn(
        self, changes: FactChanges, event: Customer.ConsentWithdrawn, position: int
    ) -> None:
        _withdraw(changes, event, position, str(event.purpose))

    @folds(Customer.ConsentRefused)
    def consent_refused(
        self, changes: FactChanges, event: Customer.ConsentRefused, position: int
    ) -> None:
        _withdraw(changes, event, position, str(event.purpose))

    @folds(Customer.OnboardingStepCompleted)
    def onboarding_step_completed(
        self, changes: FactChanges, event: Customer.OnboardingStepCompleted, position: int
    ) -> None:
        step = event.step
        _change(
            changes, event, position, event.originator_id,
            lambda f: setattr(f, "onboarding_steps", _with(f.onboarding_steps, step)),
        )  # fmt: skip

    @folds(Purchase.Recorded)
    def purchase_recorded(
        self, changes: FactChanges, event: Purchase.Recorded, position: int
    ) -> None:
        self._purchases_pending = True
        customer, currency, amount = event.customer_id, event.currency, event.amount_minor
        at, channel = event.purchased_at, event.channel

        def buy(memory: Memory) -> UUID | None:
            facts = memory.facts.get(customer)
            if facts is None:
                return None
            # Spend per currency: amounts in different currencies (and minor units) do not
            # add up.
            count, spent = memory.spend.get((customer, currency), (0, 0))
            memory.spend[customer, currency] = (count + 1, spent + amount)
            facts.purchases += 1
            facts.last_purchase_at = later(facts.last_purchase_at, at)
            facts.channels = _with(facts.channels, channel)
            return customer

        changes.add(Step(cause(event, position), Field.CHANNEL_USED, buy, customers=(customer,)))

    @folds(Invitation.Responded)
    def responded(self, changes: FactChanges, event: Invitation.Responded, position: int) -> None:
        if event.kind != SurveyKind.NPS.value:
            return
        category = NpsCategory.of(event.score).value
        _set(changes, event, position, event.customer_id, nps_category=category)

    @folds(LoyaltyAccount.Enrolled)
    def enrolled(self, changes: FactChanges, event: LoyaltyAccount.Enrolled, position: int) -> None:
        account, customer = event.originator_id, event.customer_id

        def enrol(memory: Memory) -> UUID | None:
            if account not in memory.accounts:
                memory.accounts[account] = memory.new_accounts[account] = customer
            return _assign(memory, customer, loyalty_tier="bronze")

        changes.add(
            Step(
                cause(event, position), Field.LOYALTY_TIER, enrol,
                customers=(customer,), accounts=(account,),
            )
        )  # fmt: skip

    @folds(LoyaltyAccount.TierChanged)
    def tier_changed(
        self, changes: FactChanges, event: LoyaltyAccount.TierChanged, position: int
    ) -> None:
        account, tier = event.originator_id, event.to_tier

        def change_tier(memory: Memory) -> UUID | None:
            customer = memory.accounts.get(account)
            return None if customer is None else _assign(memory, customer, loyalty_tier=tier)

        changes.add(
            Step(cause(event, position), Field.LOYALTY_TIER, change_tier, accounts=(account,))
        )

    @folds(Ticket.Opened)
    def ticket_opened(self, changes: FactChanges, event: Ticket.Opened, position: int) -> None:
        if event.customer_id is None:
            return  # an anonymous requester's ticket: no customer's segment facts
        ticket, customer = event.originator_id, event.customer_id

        def open_ticket(memory: Memory) -> UUID | None:
            if ticket not in memory.tickets:
                memory.own(ticket, customer, True)
            return _count_tickets(memory, ticket)

        changes.add(
            Step(
                cause(event, position), Field.OPEN_TICKETS, open_ticket,
                customers=(customer,), tickets=(ticket,),
            )
        )  # fmt: skip

    @folds(Ticket.Resolved)
    def ticket_resolved(self, changes: FactChanges, event: Ticket.Resolved, position: int) -> None:
        _ticket_open(changes, event, position, open_=False)

    @folds(Ticket.Closed)
    def ticket_closed(self, changes: FactChanges, event: Ticket.Closed, position: int) -> None:
        _ticket_open(changes, event, position, open_=False)

    @folds(Ticket.Reopened)
    def ticket_reopened(self, changes: FactChanges, event: Ticket.Reopened, position: int) -> None:
        _ticket_open(changes, event, position, open_=True)

    @handles(ErasureRequest.Completed)
    def erasure_completed(
        self, cursor: Cursor[Any], event: ErasureRequest.Completed, position: int
    ) -> None:
        leave_everything(cursor, erased_subjects(event), _cause(event, position))

    # -- segments ---------------------------------------------------------------------------

    @handles(Segment.Defined)
    def segment_defined(self, cursor: Cursor[Any], event: Segment.Defined, position: int) -> None:
        cursor.execute(
            "INSERT INTO segment_definitions (segment_id, seq, name, description, rule,"
            " defined_at, version) VALUES (%s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (segment_id) DO NOTHING",
            (event.originator_id, position, event.name, event.description, Jsonb(event.rule),
             event.at, event.originator_version),
        )  # fmt: skip
        self._follow(cursor, event.originator_id, event.rule, event, position)

    @handles(Segment.RuleChanged)
    def rule_changed(self, cursor: Cursor[Any], event: Segment.RuleChanged, position: int) -> None:
        cursor.execute(
            "UPDATE segment_definitions SET rule = %s, rule_changed_at = %s, version = %s"
            " WHERE segment_id = %s",
            (Jsonb(event.rule), event.at, event.originator_version, event.originator_id),
        )
        self._follow(cursor, event.originator_id, event.rule, event, position)

    @handles(Segment.Archived)
    def archived(self, cursor: Cursor[Any], event: Segment.Archived, position: int) -> None:
        cursor.execute(
            "UPDATE segment_definitions SET archived_at = %s, version = %s WHERE segment_id = %s",
            (event.at, event.originator_version, event.originator_id),
        )
        self._segments.pop(event.originator_id, None)
        recompute_segment(cursor, event.originator_id, None, _cause(event, position))

    # -- helpers ----------------------------------------------------------------------------

    def _follow(
        self, cursor: Cursor[Any], segment_id: UUID, rule: dict[str, Any], event: Any, position: int
    ) -> None:
        parsed = parse_rule(rule)
        compiled = condition(parsed)
        self._segments[segment_id] = (compiled, fields_of(parsed))
        recompute_segment(cursor, segment_id, compiled, _cause(event, position))

    def _new_day(self, cursor: Cursor[Any], item: Positioned) -> None:
        """Recompute the quintiles, and the segments that test them, at the first event of a
        day after a day with purchases."""
        day = item.event.timestamp.astimezone(UTC).date()
        if self._day is not None and day > self._day and self._purchases_pending:
            self._flush(cursor)  # the quintiles rank the facts as the day before left them
            recompute_quintiles(cursor)
            cause = Cause(item.event.timestamp, item.position, RFM_REASON)
            for segment_id, (rule, fields) in sorted(self._segments.items()):
                if fields & RFM_FIELDS:
                    recompute_segment(cursor, segment_id, rule, cause)
            self._purchases_pending = False
        if self._day is None or day > self._day:
            self._day = day

    def _load(self, cursor: Cursor[Any]) -> None:
        row = cursor.execute(
            "SELECT position, day, purchases_pending FROM segment_progress"
        ).fetchone()
        self._position, self._day, self._purchases_pending = row if row else (0, None, False)
        self._segments = {}
        for segment_id, rule in cursor.execute(
            "SELECT segment_id, rule FROM segment_definitions WHERE archived_at IS NULL"
        ).fetchall():
            parsed = parse_rule(rule)
            self._segments[segment_id] = (condition(parsed), fields_of(parsed))

    def _save(self, cursor: Cursor[Any]) -> None:
        if self._day is None:
            return
        cursor.execute(
            "INSERT INTO segment_progress (singleton, position, day, purchases_pending)"
            " VALUES (true, %s, %s, %s) ON CONFLICT (singleton) DO UPDATE"
            " SET position = excluded.position, day = excluded.day,"
            " purchases_pending = excluded.purchases_pending",
            (self._position, self._day, self._purchases_pending),
        )


def _cause(event: Any, position: int) -> Cause:
    return cause(event, position)


def _with(items: list[str], item: str) -> list[str]:
    """``items`` and ``item`` once (a new list: snapshots share the old one)."""
    return items if item in items else [*items, item]


def _assign(memory: Memory, customer: UUID, **values: Any) -> UUID | None:
    facts = memory.facts.get(customer)
    if facts is None:
        return None  # no facts row: the per-event UPDATE changed no row, nobody moved
    for name, value in values.items():
        setattr(facts, name, value)
    return customer


def _change(
    changes: FactChanges,
    event: Any,
    position: int,
    customer: UUID,
    edit: Callable[[Facts], None],
) -> None:
    def apply(memory: Memory) -> UUID | None:
        facts = memory.facts.get(customer)
        if facts is None:
            return None
        edit(facts)
        return customer

    changes.add(Step(cause(event, position), _CHANGES[type(event)], apply, customers=(customer,)))


def _set(changes: FactChanges, event: Any, position: int, customer: UUID, **values: Any) -> None:
    changes.add(
        Step(
            cause(event, position), _CHANGES[type(event)],
            lambda memory: _assign(memory, customer, **values), customers=(customer,),
        )
    )  # fmt: skip


def _withdraw(changes: FactChanges, event: Any, position: int, purpose: str) -> None:
    _change(
        changes, event, position, event.originator_id,
        lambda f: setattr(f, "consents", [c for c in f.consents if c != purpose]),
    )  # fmt: skip


def _ticket_open(changes: FactChanges, event: Any, position: int, *, open_: bool) -> None:
    ticket = event.originator_id

    def set_open(memory: Memory) -> UUID | None:
        owner = memory.tickets.get(ticket)
        if owner is None:
            return None  # not a customer's ticket: the UPDATE changed no row
        memory.own(ticket, owner[0], open_)
        return _count_tickets(memory, ticket)

    changes.add(Step(cause(event, position), Field.OPEN_TICKETS, set_open, tickets=(ticket,)))


def _count_tickets(memory: Memory, ticket: UUID) -> UUID | None:
    customer = memory.tickets[ticket][0]
    return _assign(memory, customer, open_tickets=memory.open_tickets(customer))
