"""What the reactions record about tickets, each in a stream of its own rather than as an
event of the ticket: the ticket's version is what agents send back as ``expectedVersion``, and
a reaction must not make their next command a conflict.

- :class:`TicketNotice`: one message to a customer about a step of their ticket; its id
  derives from the step that caused it, so a step is told once.
- :class:`SatisfactionRequest`: the CSAT invitation about a ticket; its id derives from the
  ticket, so a ticket asks once, however often it is resolved.
- :class:`ImprovementNotice`: one message telling a customer of an improvement made from
  their feedback; its id derives from (improvement, customer), so each is told once.
- :class:`OrderNotice`: one message to a customer about a fulfilment step of their order; its
  id derives from the step that caused it, so a step is told once.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.shared.aggregate import LedgerAggregate
from domain.shared.personal_data import PersonalData

NOTICE_NAMESPACE = uuid5(NAMESPACE_URL, "https://cxledger.invalid/ticket-notice")
SATISFACTION_NAMESPACE = uuid5(NAMESPACE_URL, "https://cxledger.invalid/ticket-satisfaction")
IMPROVEMENT_NOTICE_NAMESPACE = uuid5(NAMESPACE_URL, "https://cxledger.invalid/improvement-notice")
ORDER_NOTICE_NAMESPACE = uuid5(NAMESPACE_URL, "https://cxledger.invalid/order-notice")


class TicketStep(StrEnum):
    """The steps of a ticket its customer is told about."""

    REPLIED = "replied"
    """An agent replied publicly."""
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    """The ticket was put on hold, waiting on the customer."""
    RESOLVED = "resolved"


class TicketNotice(LedgerAggregate):
    """A message telling a customer that their ticket moved on."""

    class Queued(LedgerAggregate.Created):
        """The customer is to be told of ``step`` of ``ticket_id``, on ``channel`` (email or
        SMS) at ``recipient`` (sealed with their key, read by the outbox's sender). For an
        anonymous requester's ticket ``customer_id`` is the person's own data subject (the
        ticket's ``subject_id``: no customer), so their erasure cancels it like a
        customer's."""

        ticket_id: UUID
        customer_id: UUID
        step: str
        channel: str
        recipient: PersonalData

        def apply(self, notice: TicketNotice) -> None:
            notice.ticket_id, notice.customer_id = self.ticket_id, self.customer_id
            notice.step = TicketStep(self.step)

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    ticket_id: UUID
    customer_id: UUID
    step: TicketStep

    @staticmethod
    def id_for(ticket_id: UUID, ticket_version: int) -> UUID:
        """The notice of the ticket's step at ``ticket_version``: one per step."""
        return uuid5(NOTICE_NAMESPACE, f"{ticket_id}/{ticket_version}")

    @classmethod
    def queue(
        cls,
        notice_id: UUID,
        *,
        ticket_id: UUID,
        customer_id: UUID,
        step: TicketStep,
        channel: str,
        recipient: PersonalData,
    ) -> TicketNotice:
        return cls._create(
            cls.Queued,
            id=notice_id,
            ticket_id=ticket_id,
            customer_id=customer_id,
            step=step.value,
            channel=channel,
            recipient=recipient,
        )


class SatisfactionRequest(LedgerAggregate):
    """The CSAT invitation sent about one resolved ticket (at most one per ticket)."""

    class Sent(LedgerAggregate.Created):
        """The ticket's customer was invited to ``survey_id`` about ``ticket_id``."""

        ticket_id: UUID
        customer_id: UUID
        survey_id: UUID
        invitation_id: UUID
        at: datetime

        def apply(self, request: SatisfactionRequest) -> None:
            request.ticket_id, request.survey_id = self.ticket_id, self.survey_id
            request.invitation_id = self.invitation_id

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    ticket_id: UUID
    survey_id: UUID
    invitation_id: UUID

    @staticmethod
    def id_for(ticket_id: UUID) -> UUID:
        return uuid5(SATISFACTION_NAMESPACE, str(ticket_id))

    @classmethod
    def send(
        cls, ticket_id: UUID, customer_id: UUID, survey_id: UUID, invitation_id: UUID, at: datetime
    ) -> SatisfactionRequest:
        return cls._create(
            cls.Sent,
            id=cls.id_for(ticket_id),
            ticket_id=ticket_id,
            customer_id=customer_id,
            survey_id=survey_id,
            invitation_id=invitation_id,
            at=at,
        )


class ImprovementNotice(LedgerAggregate):
    """A message telling a customer that what their feedback was about has been improved."""

    class Queued(LedgerAggregate.Created):
        """The customer is to be told of ``improvement_id`` (its version and message, staff's
        words) by email at ``recipient`` (sealed with their key, read by the outbox's
        sender)."""

        improvement_id: UUID
        customer_id: UUID
        product_version: str
        message: str
        channel: str
        recipient: PersonalData

        def apply(self, notice: ImprovementNotice) -> None:
            notice.improvement_id, notice.customer_id = self.improvement_id, self.customer_id

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    improvement_id: UUID
    customer_id: UUID

    @staticmethod
    def id_for(improvement_id: UUID, customer_id: UUID) -> UUID:
        """The notice of one improvement to one customer: each is told once."""
        return uuid5(IMPROVEMENT_NOTICE_NAMESPACE, f"{improvement_id}/{customer_id}")

    @classmethod
    def queue(
        cls,
        *,
        improvement_id: UUID,
        customer_id: UUID,
        product_version: str,
        message: str,
        channel: str,
        recipient: PersonalData,
    ) -> ImprovementNotice:
        return cls._create(
            cls.Queued,
            id=cls.id_for(improvement_id, customer_id),
            improvement_id=improvement_id,
            customer_id=customer_id,
            product_version=product_version,
            message=message,
            channel=channel,
            recipient=recipient,
        )


class OrderNotice(LedgerAggregate):
    """A message telling a customer that their order reached a fulfilment step."""

    class Queued(LedgerAggregate.Created):
        """The customer is to be told that ``order_id`` reached ``step``, by email at
        ``recipient`` (sealed with their key, read by the outbox's sender); a shipment
        names its carrier and the day it should arrive (not personal data)."""

        order_id: str
        customer_id: UUID
        step: str
        carrier: str | None
        estimated_delivery: datetime | None
        channel: str
        recipient: PersonalData

        def apply(self, notice: OrderNotice) -> None:
            notice.order_id, notice.customer_id = self.order_id, self.customer_id

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    order_id: str
    customer_id: UUID

    @staticmethod
    def id_for(order_stream_id: UUID, order_version: int) -> UUID:
        """The notice of the order's step at ``order_version``: one per step."""
        return uuid5(ORDER_NOTICE_NAMESPACE, f"{order_stream_id}/{order_version}")

    @classmethod
    def queue(
        cls,
        notice_id: UUID,
        *,
        order_id: str,
        customer_id: UUID,
        step: str,
        carrier: str | None,
        estimated_delivery: datetime | None,
        recipient: PersonalData,
    ) -> OrderNotice:
        return cls._create(
            cls.Queued,
            id=notice_id,
            order_id=order_id,
            customer_id=customer_id,
            step=step,
            carrier=carrier,
            estimated_delivery=estimated_delivery,
            channel="email",
            recipient=recipient,
        )
