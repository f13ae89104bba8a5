"""Use cases on tickets and the SLA policy, mixed into the Ledger application.

Ticket commands take the version the client saw (``expected_version``): two agents resolving
one ticket at once get one success and one CONCURRENCY_CONFLICT carrying the current version.
Without it, a command retries on the new version (two replies at once both land).
A customer may act only on their own tickets; anyone else's answers TICKET_NOT_FOUND, the
same as an unknown id, so ids cannot be probed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

from domain.loyalty.commands import LoyaltyCommands
from domain.loyalty.values import benefits_of
from domain.shared.application import CommandResult
from domain.shared.errors import ValidationError
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
class OpenTicket:
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


class TicketCommands(LoyaltyCommands):
    """Commands on :class:`Ticket` and :class:`SlaPolicy`."""

    def open_ticket(
        self, command: OpenTicket, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        _check_own(command.customer_id, metadata)
        subject = check_text(command.subject, "subject", MAX_SUBJECT)
        description = check_text(command.description, "description")
        category = check_category(command.category)
        ticket_id = command.ticket_id or uuid4()
        if self.exists(ticket_id):
            return self._reopened_request(ticket_id, command.customer_id)
        self._customer_at(command.customer_id, None)
        with acting_as(metadata):
            ticket = Ticket.open(
                ticket_id,
                customer_id=command.customer_id,
                channel=command.channel.value,
                category=category,
                subject=subject,
                description=description,
                priority=command.priority or self.default_priority(command.customer_id),
                source=self._source(command),
                terms=self.sla_terms(),
                at=now or datetime.now(UTC),
            )
        return CommandResult(ticket.id, ticket.version, self.commit(ticket))

    def assign_ticket(
        self,
        ticket_id: UUID,
        agent_id: str,
        metadata: EventMetadata,
        expected_version: int | None = None,
        now: datetime | None = None,
    ) -> CommandResult:
        agent = check_agent_id(agent_id)
        return self._act(
            ticket_id, metadata, expected_version, now, lambda t, at: t.assign(agent, at)
        )

    def reply_to_ticket(
        self,
        ticket_id: UUID,
        body: str,
        metadata: EventMetadata,
        expected_version: int | None = None,
        now: datetime | None = None,
    ) -> CommandResult:
        text, by_agent = check_text(body, "body"), metadata.actor_role in STAFF
        return self._act(
            ticket_id, metadata, expected_version, now, lambda t, at: t.reply(text, by_agent, at)
        )

    def add_ticket_note(
        self,
        ticket_id: UUID,
        body: str,
        metadata: EventMetadata,
        expected_version: int | None = None,
        now: datetime | None = None,
    ) -> CommandResult:
        text = check_text(body, "body")
        return self._act(
            ticket_id, metadata, expected_version, now, lambda t, at: t.add_note(text, at)
        )

    def change_ticket_priority(
        self,
        ticket_id: UUID,
        priority: Priority,
        metadata: EventMetadata,
        expected_version: int | None = None,
        now: datetime | None = None,
    ) -> CommandResult:
        return self._act(
            ticket_id,
            metadata,
            expected_version,
            now,
            lambda t, at: t.change_priority(priority, at),
        )

    def escalate_ticket(
        self,
        ticket_id: UUID,
        reason: str,
        metadata: EventMetadata,
        expected_version: int | None = None,
        now: datetime | None = None,
    ) -> CommandResult:
        text = check_text(reason, "reason")
        return self._act(
            ticket_id, metadata, expected_version, now, lambda t, at: t.escalate(text, at)
        )

    def put_ticket_on_hold(
        self,
        ticket_id: UUID,
        reason: str,
        metadata: EventMetadata,
        expected_version: int | None = None,
        now: datetime | None = None,
    ) -> CommandResult:
        text = check_text(reason, "reason")
        return self._act(
            ticket_id, metadata, expected_version, now, lambda t, at: t.put_on_hold(text, at)
        )

    def resume_ticket(
        self,
        ticket_id: UUID,
        metadata: EventMetadata,
        expected_version: int | None = None,
        now: datetime | None = None,
    ) -> CommandResult:
        return self._act(ticket_id, metadata, expected_version, now, lambda t, at: t.resume(at))

    def resolve_ticket(
        self,
        ticket_id: UUID,
        resolution: str,
        metadata: EventMetadata,
        expected_version: int | None = None,
        now: datetime | None = None,
    ) -> CommandResult:
        text = check_text(resolution, "resolution")
        return self._act(
            ticket_id, metadata, expected_version, now, lambda t, at: t.resolve(text, at)
        )

    def reopen_ticket(
        self,
        ticket_id: UUID,
        reason: str,
        metadata: EventMetadata,
        expected_version: int | None = None,
        now: datetime | None = None,
    ) -> CommandResult:
        text = check_text(reason, "reason")
        return self._act(
            ticket_id, metadata, expected_version, now, lambda t, at: t.reopen(text, at)
        )

    def close_ticket(
        self,
        ticket_id: UUID,
        metadata: EventMetadata,
        expected_version: int | None = None,
        now: datetime | None = None,
    ) -> CommandResult:
        return self._act(ticket_id, metadata, expected_version, now, lambda t, at: t.close(at))

    def record_sla_breaches(
        self, ticket_id: UUID, metadata: EventMetadata, now: datetime | None = None
    ) -> list[SlaClock]:
        """The worker's check: record every clock past its target (once each)."""
        ticket = self.get_ticket(ticket_id, metadata)
        with acting_as(metadata):
            breached = ticket.record_breaches(now or datetime.now(UTC))
        self.commit(ticket)
        return breached

    def set_sla_targets(
        self,
        priority: Priority,
        first_response_minutes: int,
        resolution_minutes: int,
        metadata: EventMetadata,
        now: datetime | None = None,
    ) -> CommandResult:
        return self._change_policy(
            metadata,
            now,
            lambda p, at: p.set_targets(priority, first_response_minutes, resolution_minutes, at),
        )

    def set_business_calendar(
        self, calendar: BusinessCalendar, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        return self._change_policy(metadata, now, lambda p, at: p.set_calendar(calendar, at))

    def set_reopen_window(
        self, days: int, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        return self._change_policy(metadata, now, lambda p, at: p.set_reopen_window(days, at))

    def get_ticket(self, ticket_id: UUID, metadata: EventMetadata | None = None) -> Ticket:
        """The ticket; for a customer, only their own (else TICKET_NOT_FOUND)."""
        ticket = self.load(
            ticket_id, Ticket, lambda: TicketNotFoundError("no such ticket", field="ticketId")
        )
        if metadata is not None:
            _check_own(ticket.customer_id, metadata)
        return ticket

    def sla_terms(self) -> SlaTerms:
        """The SLA policy now (the defaults until an admin changes it)."""
        if not self.exists(POLICY_ID):
            return SlaTerms()
        return self.load(POLICY_ID, SlaPolicy, lambda: TicketNotFoundError("?")).terms

    def default_priority(self, customer_id: UUID) -> Priority:
        """Loyal tiers get priority: the tier's support priority, normal when not enrolled."""
        tier = self.loyalty_tier(customer_id)
        if tier is None:
            return Priority.NORMAL
        return Priority(benefits_of(tier).support_priority.value)

    @retried_unless_pinned
    def _act(
        self,
        ticket_id: UUID,
        metadata: EventMetadata,
        expected_version: int | None,
        now: datetime | None,
        action: Callable[[Ticket, datetime], None],
    ) -> CommandResult:
        ticket = self.get_ticket(ticket_id, metadata)
        if expected_version is not None:
            ticket = self.load(
                ticket_id, Ticket, lambda: TicketNotFoundError("no such ticket"), expected_version
            )
        with acting_as(metadata):
            action(ticket, now or datetime.now(UTC))
        return CommandResult(ticket.id, ticket.version, self.commit(ticket))

    @retried_unless_pinned
    def _change_policy(
        self,
        metadata: EventMetadata,
        now: datetime | None,
        change: Callable[[SlaPolicy, datetime], None],
    ) -> CommandResult:
        at = now or datetime.now(UTC)
        with acting_as(metadata):
            policy = (
                self.load(POLICY_ID, SlaPolicy, lambda: TicketNotFoundError("?"))
                if self.exists(POLICY_ID)
                else SlaPolicy.start(at)
            )
            change(policy, at)
        return CommandResult(policy.id, policy.version, self.commit(policy))

    def _source(self, command: OpenTicket) -> dict[str, str] | None:
        """The survey response behind the ticket: it must be the same customer's answer."""
        if command.survey_response_id is None:
            return None
        response_id = command.survey_response_id
        refused = ValidationError(
            "no such survey response of this customer", field="surveyResponseId"
        )
        if not self.exists(response_id):
            raise refused
        invitation = self.load(response_id, Invitation, lambda: TicketNotFoundError("?"))
        if invitation.customer_id != command.customer_id or invitation.responded_at is None:
            raise refused
        return {"kind": "survey_response", "id": str(response_id)}

    def _reopened_request(self, ticket_id: UUID, customer_id: UUID) -> CommandResult:
        """The same ticket id again: a retry of the same customer's request, or a misuse."""
        try:
            existing = self.load(ticket_id, Ticket, lambda: TicketNotFoundError("not a ticket"))
        except TicketNotFoundError:
            raise TicketIdReusedError("ticketId names something else", field="ticketId") from None
        if existing.customer_id != customer_id:
            raise TicketIdReusedError("ticketId names another ticket", field="ticketId")
        return CommandResult(existing.id, existing.version, self.head_position())


def _check_own(customer_id: UUID, metadata: EventMetadata) -> None:
    if metadata.actor_role is Role.CUSTOMER and metadata.actor_id != str(customer_id):
        raise TicketNotFoundError("no such ticket", field="ticketId")
