"""A customer who uses every feature, and the friend she refers, driven by real commands, for
the customer history index's tests (and the API's): who did what is in :func:`populate`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from domain.customer.commands import ChangeContactDetails, RegisterCustomer
from domain.ledger import Ledger
from domain.loyalty.account import LoyaltyAccount
from domain.purchase.commands import RecordPurchase
from domain.purchase.model import Purchase
from domain.purchase.values import PurchaseChannel
from domain.referral.model import Referral, Referrer
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import DraftSurvey, SubmitResponse
from domain.survey.model import Invitation
from domain.survey.values import SurveyChannel, SurveyKind
from domain.ticket.commands import OpenTicket
from domain.ticket.values import TicketChannel

AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
ANALYST = EventMetadata(actor_id="analyst-2", actor_role=Role.ANALYST, channel=Channel.WEB)
PASSWORD = "correct horse battery"
ORDER = "ada-1"


@dataclass(frozen=True)
class World:
    ada: UUID  # registers with a password, buys (refunded in part), answers a survey, enrols
    #            and gets points, opens a ticket that is assigned and resolved, refers Bo
    bo: UUID  # converts with Ada's code: the referral is about both of them
    survey: UUID
    ticket: UUID

    @property
    def ada_streams(self) -> dict[str, UUID]:
        """Every stream about Ada, by kind, in the order they began."""
        return {
            "Customer": self.ada,
            "Purchase": Purchase.id_for(ORDER),
            "Invitation": Invitation.id_for(self.survey, self.ada),
            "LoyaltyAccount": LoyaltyAccount.id_for(self.ada),
            "Ticket": self.ticket,
            "Referrer": Referrer.id_for(self.ada),
            "Referral": Referral.id_for(self.bo),
        }


def populate(ledger: Ledger) -> World:
    ada = ledger.register_customer(
        RegisterCustomer("Ada Lovelace", "ada@example.org", region="EU", password=PASSWORD), AGENT
    ).aggregate_id
    bo = ledger.register_customer(RegisterCustomer("Bo Brown", "bo@example.org"), AGENT)
    buy = RecordPurchase(ada, ORDER, "40", "EUR", PurchaseChannel.WEB, datetime.now(UTC))
    ledger.record_purchase(buy, AGENT)
    ledger.refund_purchase(ORDER, "10", AGENT)
    survey = answered_survey(ledger, ada)
    ledger.enrol_in_loyalty(ada, AGENT)
    ledger.adjust_points(ada, 50, "Goodwill for Ada's late parcel", AGENT)
    ticket = ledger.open_ticket(
        OpenTicket(ada, TicketChannel.WEB, "delivery", "Late parcel", "Ada's parcel is late"),
        AGENT,
    ).aggregate_id
    ledger.assign_ticket(ticket, "agent-7", AGENT)
    ledger.resolve_ticket(ticket, "Reshipped to Ada", AGENT)
    ledger.change_contact_details(ChangeContactDetails(ada, name="Ada King"), AGENT)
    ledger.issue_referral_code(ada, AGENT)
    ledger.invite_friend(ada, "bo@example.org", AGENT)
    ledger.convert_referral(bo.aggregate_id, ledger.get_referrer(ada).code, AGENT)
    return World(ada, bo.aggregate_id, survey, ticket)


def answered_survey(ledger: Ledger, customer_id: UUID) -> UUID:
    """A published survey the customer was invited to and answered (with a comment)."""
    drafted = DraftSurvey(SurveyKind.NPS, "After your order", "Recommend us?", [SurveyChannel.WEB])
    survey_id = ledger.draft_survey(drafted, ANALYST).aggregate_id
    ledger.publish_survey(survey_id, ANALYST)
    ledger.invite_to_survey(survey_id, customer_id, SurveyChannel.WEB, AGENT)
    answer = SubmitResponse(9, "Ada liked it", survey_id=survey_id, customer_id=customer_id)
    as_ada = EventMetadata(str(customer_id), Role.CUSTOMER, Channel.WEB)
    ledger.submit_survey_response(answer, as_ada)
    return survey_id
