"""Use cases on tickets and the SLA policy: command dataclasses, the handler functions that run
them (``domain.handlers.HANDLERS`` maps one to the other) and the queries other slices ask.

Ticket commands take the version the client saw (``expected_version``): two agents resolving
one ticket at once get one success and one CONCURRENCY_CONFLICT carrying the current version.
Without it, a command retries on the new version (two replies at once both land).
A customer may act only on their own tickets; anyone else's (and an anonymous requester's, which
is no customer's) answers TICKET_NOT_FOUND, the same as an unknown id, so ids cannot be probed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from domain.customer.commands import customer_at
from domain.loyalty.commands import tier_of
from domain.loyalty.values import Tier, benefits_of
from domain.shared.aggregate import LedgerAggregate
from domain.shared.application import CommandResult, LedgerCore, at_version, of_kind
from domain.shared.commands import Command
from domain.shared.errors import ValidationError
from domain.shared.ids import new_id
from domain.shared.metadata import EventMetadata, Role, acting_as
from domain.shared.retry import retried_unless_pinned
from domain.survey.model import Invitation
from domain.ticket.calendar import BusinessCalendar
from domain.ticket.errors import TicketIdReusedError, TicketNotFoundError
from domain.ticket.model import Ticket
from domain.ticket.policy import POLICY_ID, SlaPolicy
from domain.ticket.sla import SlaTerms
from domain.ticket.values import (
    MAX_SUBJECT,
    Priority,
    SlaClock,
    TicketChannel,
    check_agent_id,
    check_category,
    check_text,
)

STAFF = (Role.AGENT, Role.ADMIN)


@dataclass(frozen=True, slots=True)
class OpenTicket(Command[CommandResult]):
    """Open a ticket. ``ticket_id`` doubles as the idempotency key; ``priority`` defaults
    from the customer's loyalty tier (normal when not enrolled)."""

    customer_id: UUID
    channel: TicketChannel
    category: str
    subject: str
    description: str
    priority: Priority | None = None
    survey_response_id: UUID | None = None
    ticket_id: UUID | None = None
    now: datetime | None = None


# The steps of a ticket's life. Each names the ticket, may pin the version its sender saw
# (a conflict is then reported instead of retried) and may say when it happened.


@dataclass(frozen=True, slots=True)
class AssignTicket(Command[CommandResult]):
    ticket_id: UUID
    agent_id: str
    expected_version: int | None = None
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReplyToTicket(Command[CommandResult]):
    """A public reply; the sender's role says whether it is the agent's or the customer's."""

    ticket_id: UUID
    body: str
    expected_version: int | None = None
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class AddTicketNote(Command[CommandResult]):
    """An internal note, never shown to the customer."""

    ticket_id: UUID
    body: str
    expected_version: int | None = None
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class ChangeTicketPriority(Command[CommandResult]):
    ticket_id: UUID
    priority: Priority
    expected_version: int | None = None
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class EscalateTicket(Command[CommandResult]):
    ticket_id: UUID
    reason: str
    expected_version: int | None = None
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class PutTicketOnHold(Command[CommandResult]):
    ticket_id: UUID
    reason: str
    expected_version: int | None = None
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class ResumeTicket(Command[CommandResult]):
    ticket_id: UUID
    expected_version: int | None = None
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class ResolveTicket(Command[CommandResult]):
    ticket_id: UUID
    resolution: str
    expected_version: int | None = None
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReopenTicket(Command[CommandResult]):
    ticket_id: UUID
    reason: str
    expected_version: int | None = None
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class CloseTicket(Command[CommandResult]):
    ticket_id: UUID
    expected_version: int | None = None
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class RecordSlaBreaches(Command[list[SlaClock]]):
    """The worker's check: record every clock past its target (once each)."""

    ticket_id: UUID
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class SetSlaTargets(Command[CommandResult]):
    priority: Priority
    first_response_minutes: int
    resolution_minutes: int
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class SetBusinessCalendar(Command[CommandResult]):
    calendar: BusinessCalendar
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class SetReopenWindow(Command[CommandResult]):
    days: int
    now: datetime | None = None


def open_ticket(ledger: LedgerCore, command: OpenTicket, metadata: EventMetadata) -> CommandResult:
    _check_own(command.customer_id, metadata)
    subject = check_text(command.subject, "subject", MAX_SUBJECT)
    description = check_text(command.description, "description")
    category = check_category(command.category)
    ticket_id = command.ticket_id or new_id()
    existing = ledger.find(ticket_id, Ticket, _ticket_id_reused)
    if existing is not None:
        return _reopened_request(ledger, existing, command.customer_id)
    customer_at(ledger, command.customer_id, None)
    with acting_as(metadata):
        ticket = Ticket.open(
            ticket_id,
            customer_id=command.customer_id,
            channel=command.channel.value,
            category=category,
            subject=subject,
            description=description,
            priority=command.priority or default_priority(ledger, command.customer_id),
            source=_source(ledger, command),
            terms=sla_terms(ledger),
            at=command.now or datetime.now(UTC),
        )
    return CommandResult(ticket.id, ticket.version, ledger.commit(ticket))


def assign_ticket(
    ledger: LedgerCore, command: AssignTicket, metadata: EventMetadata
) -> CommandResult:
    agent = check_agent_id(command.agent_id)
    return _step(ledger, command, metadata, lambda t, at: t.assign(agent, at))


def reply_to_ticket(
    ledger: LedgerCore, command: ReplyToTicket, metadata: EventMetadata
) -> CommandResult:
    text, by_agent = check_text(command.body, "body"), metadata.actor_role in STAFF
    return _step(ledger, command, metadata, lambda t, at: t.reply(text, by_agent, at))


def add_ticket_note(
    ledger: LedgerCore, command: AddTicketNote, metadata: EventMetadata
) -> CommandResult:
    text = check_text(command.body, "body")
    return _step(ledger, command, metadata, lambda t, at: t.add_note(text, at))


def change_ticket_priority(
    ledger: LedgerCore, command: ChangeTicketPriority, metadata: EventMetadata
) -> CommandResult:
    priority = command.priority
    return _step(ledger, command, metadata, lambda t, at: t.change_priority(priority, at))


def escalate_ticket(
    ledger: LedgerCore, command: EscalateTicket, metadata: EventMetadata
) -> CommandResult:
    text = check_text(command.reason, "reason")
    return _step(ledger, command, metadata, lambda t, at: t.escalate(text, at))


def put_ticket_on_hold(
    ledger: LedgerCore, command: PutTicketOnHold, metadata: EventMetadata
) -> CommandResult:
    text = check_text(command.reason, "reason")
    return _step(ledger, command, metadata, lambda t, at: t.put_on_hold(text, at))


def resume_ticket(
    ledger: LedgerCore, command: ResumeTicket, metadata: EventMetadata
) -> CommandResult:
    return _step(ledger, command, metadata, lambda t, at: t.resume(at))


def resolve_ticket(
    ledger: LedgerCore, command: ResolveTicket, metadata: EventMetadata
) -> CommandResult:
    text = check_text(command.resolution, "resolution")
    return _step(ledger, command, metadata, lambda t, at: t.resolve(text, at))


def reopen_ticket(
    ledger: LedgerCore, command: ReopenTicket, metadata: EventMetadata
) -> CommandResult:
    text = check_text(command.reason, "reason")
    return _step(ledger, command, metadata, lambda t, at: t.reopen(text, at))


def close_ticket(
    ledger: LedgerCore, command: CloseTicket, metadata: EventMetadata
) -> CommandResult:
    return _step(ledger, command, metadata, lambda t, at: t.close(at))


def record_sla_breaches(
    ledger: LedgerCore, command: RecordSlaBreaches, metadata: EventMetadata
) -> list[SlaClock]:
    ticket = ticket_of(ledger, command.ticket_id, metadata)
    with acting_as(metadata):
        breached = ticket.record_breaches(command.now or datetime.now(UTC))
    ledger.commit(ticket)
    return breached


def set_sla_targets(
    ledger: LedgerCore, command: SetSlaTargets, metadata: EventMetadata
) -> CommandResult:
    first, resolution = command.first_response_minutes, command.resolution_minutes
    return _change_policy(
        ledger,
        metadata,
        command.now,
        lambda p, at: p.set_targets(command.priority, first, resolution, at),
    )


def set_business_calendar(
    ledger: LedgerCore, command: SetBusinessCalendar, metadata: EventMetadata
) -> CommandResult:
    calendar = command.calendar
    return _change_policy(ledger, metadata, command.now, lambda p, at: p.set_calendar(calendar, at))


def set_reopen_window(
    ledger: LedgerCore, command: SetReopenWindow, metadata: EventMetadata
) -> CommandResult:
    days = command.days
    return _change_policy(
        ledger, metadata, command.now, lambda p, at: p.set_reopen_window(days, at)
    )


def ticket_of(ledger: LedgerCore, ticket_id: UUID, metadata: EventMetadata | None = None) -> Ticket:
    """The ticket; for a customer, only their own (else TICKET_NOT_FOUND)."""
    ticket = ledger.load(
        ticket_id, Ticket, lambda: TicketNotFoundError("no such ticket", field="ticketId")
    )
    if metadata is not None:
        _check_own(ticket.customer_id, metadata)
    return ticket


def sla_terms(ledger: LedgerCore) -> SlaTerms:
    """The SLA policy now (the defaults until an admin changes it)."""
    policy = ledger.find(POLICY_ID, SlaPolicy, _no_policy)
    return SlaTerms() if policy is None else policy.terms


def sla_terms_in(found: Mapping[UUID, LedgerAggregate]) -> SlaTerms:
    """The SLA terms among aggregates read together (asked for ``POLICY_ID``), as
    :func:`sla_terms` answers them."""
    policy = of_kind(found.get(POLICY_ID), SlaPolicy, _no_policy)
    return SlaTerms() if policy is None else policy.terms


def default_priority(ledger: LedgerCore, customer_id: UUID) -> Priority:
    """Loyal tiers get priority: the tier's support priority, normal when not enrolled."""
    return priority_of_tier(tier_of(ledger, customer_id))


def priority_of_tier(tier: Tier | None) -> Priority:
    """A new ticket's priority for a customer of ``tier`` (None: not enrolled)."""
    if tier is None:
        return Priority.NORMAL
    return Priority(benefits_of(tier).support_priority.value)


TicketStep = (
    AssignTicket
    | ReplyToTicket
    | AddTicketNote
    | ChangeTicketPriority
    | EscalateTicket
    | PutTicketOnHold
    | ResumeTicket
    | ResolveTicket
    | ReopenTicket
    | CloseTicket
)


def _step(
    ledger: LedgerCore,
    command: TicketStep,
    metadata: EventMetadata,
    action: Callable[[Ticket, datetime], None],
) -> CommandResult:
    return _act(ledger, command.ticket_id, metadata, command.expected_version, command.now, action)


@retried_unless_pinned
def _act(
    ledger: LedgerCore,
    ticket_id: UUID,
    metadata: EventMetadata,
    expected_version: int | None,
    now: datetime | None,
    action: Callable[[Ticket, datetime], None],
) -> CommandResult:
    # Ownership first, so a customer learns no version of another's ticket.
    ticket = at_version(ticket_of(ledger, ticket_id, metadata), expected_version)
    with acting_as(metadata):
        action(ticket, now or datetime.now(UTC))
    return CommandResult(ticket.id, ticket.version, ledger.commit(ticket))


@retried_unless_pinned
def _change_policy(
    ledger: LedgerCore,
    metadata: EventMetadata,
    now: datetime | None,
    change: Callable[[SlaPolicy, datetime], None],
) -> CommandResult:
    at = now or datetime.now(UTC)
    with acting_as(metadata):
        policy = ledger.find(POLICY_ID, SlaPolicy, _no_policy) or SlaPolicy.start(at)
        change(policy, at)
    return CommandResult(policy.id, policy.version, ledger.commit(policy))


def _source(ledger: LedgerCore, command: OpenTicket) -> dict[str, str] | None:
    """The survey response behind the ticket: it must be the same customer's answer."""
    if command.survey_response_id is None:
        return None
    response_id = command.survey_response_id
    refused = ValidationError("no such survey response of this customer", field="surveyResponseId")
    invitation = ledger.find(response_id, Invitation, lambda: refused)
    if (
        invitation is None
        or invitation.customer_id != command.customer_id
        or invitation.responded_at is None
    ):
        raise refused
    return {"kind": "survey_response", "id": str(response_id)}


def _reopened_request(ledger: LedgerCore, existing: Ticket, customer_id: UUID) -> CommandResult:
    """The same ticket id again: a retry of the same customer's request, or a misuse."""
    if existing.customer_id != customer_id:
        raise TicketIdReusedError("ticketId names another ticket", field="ticketId")
    return CommandResult(existing.id, existing.version, ledger.head_position())


def _check_own(customer_id: UUID | None, metadata: EventMetadata) -> None:
    if metadata.actor_role is not Role.CUSTOMER:
        return
    # An anonymous requester's ticket (no customer) is no customer's to act on, whatever
    # subject a token names (another issuer's may name anything, "None" too).
    if customer_id is None or metadata.actor_id != str(customer_id):
        raise TicketNotFoundError("no such ticket", field="ticketId")


def _ticket_id_reused() -> TicketIdReusedError:
    return TicketIdReusedError("ticketId names something else", field="ticketId")


def _no_policy() -> TicketNotFoundError:
    # The policy lives under a fixed id that nothing else uses.
    return TicketNotFoundError("no SLA policy")
