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

from collections.abc import Sequence
from datetime import UTC, date
from typing import Any, LiteralString
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
from projections.base import Positioned, Projection, handles
from projections.erasure import erased_subjects
from projections.segments.membership import (
    Cause,
    leave_everything,
    recompute_segment,
    reevaluate_customer,
)
from projections.segments.predicates import condition
from projections.segments.rfm import recompute_quintiles
from projections.segments.schema import DDL

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

    def apply(self, cursor: Cursor[Any], batch: Sequence[Positioned]) -> None:
        self._load(cursor)
        for item in batch:
            handler = self._handlers.get(type(item.event))
            if handler is None or item.position <= self._position:
                continue
            self._new_day(cursor, item)
            handler(self, cursor, item.event, item.position)
            self._position = item.position
        self._save(cursor)

    # -- customers' facts -------------------------------------------------------------------

    @handles(Customer.Registered)
    def registered(self, cursor: Cursor[Any], event: Customer.Registered, position: int) -> None:
        cursor.execute(
            "INSERT INTO segment_facts (customer_id, region) VALUES (%s, %s)"
            " ON CONFLICT (customer_id) DO NOTHING",
            (event.originator_id, event.region),
        )
        self._moved(cursor, event, position)

    @handles(Customer.RegionChanged)
    def region_changed(
        self, cursor: Cursor[Any], event: Customer.RegionChanged, position: int
    ) -> None:
        self._set(cursor, event, position, "region = %s", event.region)

    @handles(Customer.LanguageChanged)
    def language_changed(
        self, cursor: Cursor[Any], event: Customer.LanguageChanged, position: int
    ) -> None:
        self._set(cursor, event, position, "language = %s", _clear(event.language))

    @handles(Customer.BirthYearChanged)
    def birth_year_changed(
        self, cursor: Cursor[Any], event: Customer.BirthYearChanged, position: int
    ) -> None:
        year = _clear(event.birth_year)
        self._set(cursor, event, position, "birth_year = %s", None if year is None else int(year))

    @handles(Customer.ConsentGiven)
    def consent_given(
        self, cursor: Cursor[Any], event: Customer.ConsentGiven, position: int
    ) -> None:
        self._set(
            cursor,
            event,
            position,
            "consents = CASE WHEN %s = ANY(consents) THEN consents ELSE consents || %s::text END",
            str(event.purpose),
            str(event.purpose),
        )

    @handles(Customer.ConsentWithdrawn)
    def consent_withdrawn(
        self, cursor: Cursor[Any], event: Customer.ConsentWithdrawn, position: int
    ) -> None:
        self._set(cursor, event, position, "consents = array_remove(consents, %s)", event.purpose)

    @handles(Customer.ConsentRefused)
    def consent_refused(
        self, cursor: Cursor[Any], event: Customer.ConsentRefused, position: int
    ) -> None:
        self._set(cursor, event, position, "consents = array_remove(consents, %s)", event.purpose)

    @handles(Customer.OnboardingStepCompleted)
    def onboarding_step_completed(
        self, cursor: Cursor[Any], event: Customer.OnboardingStepCompleted, position: int
    ) -> None:
        self._set(
            cursor,
            event,
            position,
            "onboarding_steps = CASE WHEN %s = ANY(onboarding_steps) THEN onboarding_steps"
            " ELSE onboarding_steps || %s::text END",
            event.step,
            event.step,
        )

    @handles(Purchase.Recorded)
    def purchase_recorded(
        self, cursor: Cursor[Any], event: Purchase.Recorded, position: int
    ) -> None:
        self._purchases_pending = True
        # Spend per currency: amounts in different currencies (and minor units) do not add up.
        cursor.execute(
            "INSERT INTO segment_spend AS s (customer_id, currency, purchases, amount_minor)"
            " SELECT customer_id, %s, 1, %s FROM segment_facts WHERE customer_id = %s"
            " ON CONFLICT (customer_id, currency) DO UPDATE"
            " SET purchases = s.purchases + 1,"
            " amount_minor = s.amount_minor + EXCLUDED.amount_minor",
            (event.currency, event.amount_minor, event.customer_id),
        )
        self._set(
            cursor,
            event,
            position,
            "purchases = purchases + 1,"
            " last_purchase_at = greatest(last_purchase_at, %s),"
            " channels = CASE WHEN %s = ANY(channels) THEN channels ELSE channels || %s::text END",
            event.purchased_at,
            event.channel,
            event.channel,
            customer_id=event.customer_id,
        )

    @handles(Invitation.Responded)
    def responded(self, cursor: Cursor[Any], event: Invitation.Responded, position: int) -> None:
        if event.kind != SurveyKind.NPS.value:
            return
        category = NpsCategory.of(event.score).value
        self._set(
            cursor, event, position, "nps_category = %s", category, customer_id=event.customer_id
        )

    @handles(LoyaltyAccount.Enrolled)
    def enrolled(self, cursor: Cursor[Any], event: LoyaltyAccount.Enrolled, position: int) -> None:
        cursor.execute(
            "INSERT INTO segment_loyalty_accounts (account_id, customer_id) VALUES (%s, %s)"
            " ON CONFLICT (account_id) DO NOTHING",
            (event.originator_id, event.customer_id),
        )
        self._set(cursor, event, position, "loyalty_tier = 'bronze'", customer_id=event.customer_id)

    @handles(LoyaltyAccount.TierChanged)
    def tier_changed(
        self, cursor: Cursor[Any], event: LoyaltyAccount.TierChanged, position: int
    ) -> None:
        row = cursor.execute(
            "SELECT customer_id FROM segment_loyalty_accounts WHERE account_id = %s",
            (event.originator_id,),
        ).fetchone()
        if row is not None:
            self._set(
                cursor, event, position, "loyalty_tier = %s", event.to_tier, customer_id=row[0]
            )

    @handles(Ticket.Opened)
    def ticket_opened(self, cursor: Cursor[Any], event: Ticket.Opened, position: int) -> None:
        if event.customer_id is None:
            return  # an anonymous requester's ticket: no customer's segment facts
        cursor.execute(
            "INSERT INTO segment_ticket_owners (ticket_id, customer_id, open) VALUES (%s, %s, true)"
            " ON CONFLICT (ticket_id) DO NOTHING",
            (event.originator_id, event.customer_id),
        )
        self._count_tickets(cursor, event, position)

    @handles(Ticket.Resolved)
    def ticket_resolved(self, cursor: Cursor[Any], event: Ticket.Resolved, position: int) -> None:
        self._ticket_open(cursor, event, position, open_=False)

    @handles(Ticket.Closed)
    def ticket_closed(self, cursor: Cursor[Any], event: Ticket.Closed, position: int) -> None:
        self._ticket_open(cursor, event, position, open_=False)

    @handles(Ticket.Reopened)
    def ticket_reopened(self, cursor: Cursor[Any], event: Ticket.Reopened, position: int) -> None:
        self._ticket_open(cursor, event, position, open_=True)

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

    def _set(
        self,
        cursor: Cursor[Any],
        event: Any,
        position: int,
        assignments: LiteralString,
        *values: Any,
        customer_id: UUID | None = None,
    ) -> None:
        customer = event.originator_id if customer_id is None else customer_id
        cursor.execute(
            sql.SQL("UPDATE segment_facts SET {} WHERE customer_id = %s").format(
                sql.SQL(assignments)
            ),
            (*values, customer),
        )
        if cursor.rowcount:
            self._moved(cursor, event, position, customer)

    def _ticket_open(self, cursor: Cursor[Any], event: Any, position: int, *, open_: bool) -> None:
        cursor.execute(
            "UPDATE segment_ticket_owners SET open = %s WHERE ticket_id = %s",
            (open_, event.originator_id),
        )
        self._count_tickets(cursor, event, position)

    def _count_tickets(self, cursor: Cursor[Any], event: Any, position: int) -> None:
        row = cursor.execute(
            "SELECT customer_id FROM segment_ticket_owners WHERE ticket_id = %s",
            (event.originator_id,),
        ).fetchone()
        if row is None:
            return
        self._set(
            cursor,
            event,
            position,
            "open_tickets = (SELECT count(*) FROM segment_ticket_owners t"
            " WHERE t.customer_id = segment_facts.customer_id AND t.open)",
            customer_id=row[0],
        )

    def _moved(
        self, cursor: Cursor[Any], event: Any, position: int, customer_id: UUID | None = None
    ) -> None:
        changed = _CHANGES.get(type(event))
        segments = {
            segment_id: rule
            for segment_id, (rule, fields) in sorted(self._segments.items())
            if changed is None or changed in fields
        }
        customer = event.originator_id if customer_id is None else customer_id
        reevaluate_customer(cursor, customer, segments, _cause(event, position))

    def _new_day(self, cursor: Cursor[Any], item: Positioned) -> None:
        """Recompute the quintiles, and the segments that test them, at the first event of a
        day after a day with purchases."""
        day = item.event.timestamp.astimezone(UTC).date()
        if self._day is not None and day > self._day and self._purchases_pending:
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
    return Cause(event.timestamp, position, type(event).__qualname__)
