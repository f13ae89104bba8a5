"""The Ledger: the one event-sourced application that holds every aggregate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.persistence import JSONTranscoder

from domain.billing import commands as billing
from domain.billing.commands import Recorded, RecordPaymentNotification
from domain.billing.model import BillingAccount
from domain.campaign.messages import BatchMessageAsDict
from domain.campaign.model import Campaign
from domain.customer import access
from domain.customer import commands as customers
from domain.customer.access import (
    ChangePassword,
    EndEverySession,
    RequestPasswordReset,
    ResetPassword,
    SessionGrant,
    SessionsRenewed,
)
from domain.customer.commands import (
    ChangeAddress,
    ChangeContactDetails,
    ChangeDemographics,
    ChangeEmail,
    CompleteOnboardingStep,
    GiveConsent,
    RegisterCustomer,
    SetContactPreferences,
    WithdrawConsent,
)
from domain.customer.email_change import ConfirmEmailChange, RequestEmailChange
from domain.customer.model import Customer
from domain.customer.profile import Address, ConsentPurpose
from domain.customer.registration import RegisterSelf
from domain.exclusive_event import commands as exclusive_events
from domain.exclusive_event.commands import (
    CancelEvent,
    CancelRsvp,
    ChangeEvent,
    RecordAttendance,
    RsvpToEvent,
    ScheduleEvent,
)
from domain.exclusive_event.model import ExclusiveEvent
from domain.fulfilment import commands as fulfilment
from domain.fulfilment.commands import RecordFulfilment
from domain.fulfilment.model import TrackedOrder
from domain.handlers import HANDLERS
from domain.improvement import commands as improvements
from domain.improvement.commands import AnnounceImprovement
from domain.improvement.model import Improvement
from domain.loyalty import commands as loyalty
from domain.loyalty.account import LoyaltyAccount
from domain.loyalty.commands import (
    AddReward,
    AdjustPoints,
    AwardPoints,
    ChangeProgramTerms,
    ChangeReward,
    ClawBackPointsForOrder,
    DefineEarningRule,
    EarnPointsForOrder,
    EnrolInLoyalty,
    ExpirePoints,
    RedeemReward,
    Redemption,
    RetireEarningRule,
    ReverseRedemption,
)
from domain.loyalty.reward import Reward
from domain.loyalty.values import EarningRule, ProgramTerms, Tier
from domain.privacy import commands as privacy
from domain.privacy import erasure_commands as erasures
from domain.privacy.commands import RecordDataExport
from domain.privacy.erasure import ErasureReason, ErasureRequest
from domain.privacy.erasure_commands import CompleteErasure, RecordErasureVacuum, RequestErasure
from domain.privacy.model import DataExport
from domain.purchase import commands as purchases
from domain.purchase.commands import RecordPurchase, RefundPurchase
from domain.purchase.model import Purchase
from domain.referral import commands as referrals
from domain.referral.commands import (
    ChangeReferralTerms,
    ConvertReferral,
    InviteFriend,
    IssueReferralCode,
    ReviewAllReferrals,
    ReviewReferral,
    RevokeReferralCode,
    RewardReferralForOrder,
)
from domain.referral.model import Referral, ReferralProgram, Referrer
from domain.referral.values import ReferralTerms
from domain.review import commands as reviews
from domain.review.commands import ModerateReview, ReviewProduct
from domain.review.model import Review
from domain.shared.application import CommandResult, LedgerCore
from domain.shared.metadata import EventMetadata
from domain.success.commands import success_plan_of
from domain.success.plan import SuccessPlan
from domain.survey import commands as surveys
from domain.survey.commands import (
    CloseSurvey,
    DraftSurvey,
    EditSurvey,
    InviteToSurvey,
    PublishSurvey,
    ResponseRecorded,
    SubmitResponse,
    SurveyLink,
)
from domain.survey.model import Invitation, Survey
from domain.survey.values import SurveyChannel
from domain.ticket import commands as tickets
from domain.ticket.calendar import BusinessCalendar
from domain.ticket.commands import (
    AddTicketNote,
    AssignTicket,
    ChangeTicketPriority,
    CloseTicket,
    EscalateTicket,
    OpenTicket,
    PutTicketOnHold,
    RecordSlaBreaches,
    ReopenTicket,
    ReplyToTicket,
    ResolveTicket,
    ResumeTicket,
    SetBusinessCalendar,
    SetReopenWindow,
    SetSlaTargets,
)
from domain.ticket.model import Ticket
from domain.ticket.policy import SlaPolicy
from domain.ticket.sla import SlaTerms
from domain.ticket.values import Priority, SlaClock

SNAPSHOT_EVERY = 50
"""Events between two snapshots of a long-lived aggregate: a load replays at most this many
events after the latest snapshot, whatever the stream's length."""

LONG_LIVED: tuple[type[Any], ...] = (
    Customer,
    LoyaltyAccount,
    Reward,
    Ticket,
    SlaPolicy,
    Referrer,
    ReferralProgram,
    ExclusiveEvent,
    BillingAccount,
    Campaign,
)
"""Aggregates whose streams grow for as long as the customer or the catalog lives (a reward
records each redemption's claim; an exclusive event each RSVP, and every RSVP loads it again
under contention; a billing account each notification of the provider; a campaign each batch
of recipients, loaded again for the next), and the policies
every command of their slice reads. The others have a few events each by their nature (a
purchase, an invitation, a survey, a referral, an email claim, an erasure request, an export)
and load as fast without a snapshot. The loyalty programme is left out until its state (terms
and rules as value objects, keyed by UUID) has a snapshot transcoding."""


class Ledger(LedgerCore):
    """All commands of the company, over one totally ordered notification log."""

    # Long-lived aggregates load from their latest snapshot (in the snapshots table beside the
    # log) plus the events after it. Personal values in a snapshot are sealed with their
    # subject's key by the same transcoding as in events, so an erasure makes them unreadable
    # too; a snapshot taken after an erasure holds the erased marker.
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = dict.fromkeys(
        LONG_LIVED, SNAPSHOT_EVERY
    )

    handlers = HANDLERS

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(BatchMessageAsDict())  # a campaign batch's messages

    # Thin delegates, so that the API and the workers keep calling the Ledger's methods.

    def record_purchase(self, command: RecordPurchase, metadata: EventMetadata) -> CommandResult:
        return self.handle(command, metadata)

    def refund_purchase(
        self,
        order_id: str,
        amount: Decimal | str | None,
        metadata: EventMetadata,
        refunded_at: datetime | None = None,
    ) -> CommandResult:
        """Refund (part of) an order; ``amount`` None refunds what is left."""
        return self.handle(RefundPurchase(order_id, amount, refunded_at), metadata)

    def get_purchase(self, order_id: str) -> Purchase:
        return purchases.purchase_of(self, order_id)

    def enrol_in_loyalty(
        self, customer_id: UUID, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        return self.handle(EnrolInLoyalty(customer_id, now), metadata)

    def earn_points_for_order(
        self, order_id: str, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult | None:
        return self.handle(EarnPointsForOrder(order_id, now), metadata)

    def claw_back_points_for_order(
        self, order_id: str, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult | None:
        return self.handle(ClawBackPointsForOrder(order_id, now), metadata)

    def award_points(
        self,
        customer_id: UUID,
        award: str,
        points: int,
        cause: dict[str, Any],
        metadata: EventMetadata,
        now: datetime | None = None,
    ) -> CommandResult:
        return self.handle(AwardPoints(customer_id, award, points, cause, now), metadata)

    def redeem_reward(
        self,
        customer_id: UUID,
        reward_id: UUID,
        metadata: EventMetadata,
        redemption_id: UUID | None = None,
        now: datetime | None = None,
    ) -> Redemption:
        return self.handle(RedeemReward(customer_id, reward_id, redemption_id, now), metadata)

    def reverse_redemption(
        self,
        customer_id: UUID,
        redemption_id: UUID,
        reason: str,
        metadata: EventMetadata,
        now: datetime | None = None,
    ) -> CommandResult:
        command = ReverseRedemption(customer_id, redemption_id, reason, now)
        return self.handle(command, metadata)

    def adjust_points(
        self,
        customer_id: UUID,
        points: int,
        reason: str,
        metadata: EventMetadata,
        now: datetime | None = None,
    ) -> CommandResult:
        return self.handle(AdjustPoints(customer_id, points, reason, now), metadata)

    def expire_points(
        self, customer_id: UUID, metadata: EventMetadata, now: datetime | None = None
    ) -> tuple[CommandResult, int]:
        return self.handle(ExpirePoints(customer_id, now), metadata)

    def define_earning_rule(
        self, rule: EarningRule, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        return self.handle(DefineEarningRule(rule, now), metadata)

    def retire_earning_rule(
        self, rule_id: UUID, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        return self.handle(RetireEarningRule(rule_id, now), metadata)

    def change_program_terms(
        self, terms: ProgramTerms, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        return self.handle(ChangeProgramTerms(terms, now), metadata)

    def add_reward(
        self, command: AddReward, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        return self.handle(command if now is None else replace(command, now=now), metadata)

    def change_reward(
        self,
        reward_id: UUID,
        change: Callable[[Reward, datetime], None],
        metadata: EventMetadata,
        now: datetime | None = None,
    ) -> CommandResult:
        return self.handle(ChangeReward(reward_id, change, now), metadata)

    def get_loyalty_account(self, customer_id: UUID) -> LoyaltyAccount:
        return loyalty.account_of(self, customer_id)

    def loyalty_tier(self, customer_id: UUID) -> Tier | None:
        return loyalty.tier_of(self, customer_id)

    def get_reward(self, reward_id: UUID) -> Reward:
        return loyalty.reward_of(self, reward_id)

    def program_rules_and_terms(self) -> tuple[list[EarningRule], ProgramTerms]:
        return loyalty.rules_and_terms(self)

    def record_data_export(
        self,
        subject_id: UUID,
        reason: str,
        sections: list[str],
        metadata: EventMetadata,
        now: datetime | None = None,
        export_id: UUID | None = None,
    ) -> CommandResult:
        command = RecordDataExport(subject_id, reason, sections, now, export_id)
        return self.handle(command, metadata)

    def get_data_export(self, export_id: UUID) -> DataExport:
        return privacy.data_export_of(self, export_id)

    def draft_survey(self, command: DraftSurvey, metadata: EventMetadata) -> CommandResult:
        return self.handle(command, metadata)

    def edit_survey(self, command: EditSurvey, metadata: EventMetadata) -> CommandResult:
        return self.handle(command, metadata)

    def publish_survey(
        self, survey_id: UUID, metadata: EventMetadata, expected_version: int | None = None
    ) -> CommandResult:
        return self.handle(PublishSurvey(survey_id, expected_version), metadata)

    def close_survey(
        self, survey_id: UUID, metadata: EventMetadata, expected_version: int | None = None
    ) -> CommandResult:
        return self.handle(CloseSurvey(survey_id, expected_version), metadata)

    def invite_to_survey(
        self,
        survey_id: UUID,
        customer_id: UUID,
        channel: SurveyChannel,
        metadata: EventMetadata,
        now: datetime | None = None,
    ) -> CommandResult:
        return self.handle(InviteToSurvey(survey_id, customer_id, channel, now), metadata)

    def submit_survey_response(
        self, command: SubmitResponse, metadata: EventMetadata, now: datetime | None = None
    ) -> ResponseRecorded:
        return self.handle(command if now is None else replace(command, now=now), metadata)

    def get_success_plan(self, plan_id: UUID) -> SuccessPlan:
        return success_plan_of(self, plan_id)

    def get_survey(self, survey_id: UUID) -> Survey:
        return surveys.survey_of(self, survey_id)

    def get_invitation(self, survey_id: UUID, customer_id: UUID) -> Invitation:
        return surveys.invitation_of(self, Invitation.id_for(survey_id, customer_id))

    def survey_link(self, token: str, now: datetime | None = None) -> SurveyLink:
        return surveys.survey_link(self, token, now)

    def survey_of_invitation(self, invitation_id: UUID) -> UUID:
        return surveys.invitation_of(self, invitation_id).survey_id

    def request_erasure(
        self,
        customer_id: UUID | None,
        email: str | None,
        reason: ErasureReason,
        hold_days: int,
        metadata: EventMetadata,
        now: datetime | None = None,
    ) -> CommandResult:
        command = RequestErasure(customer_id, email, reason, hold_days, now)
        return self.handle(command, metadata)

    def complete_erasure(
        self, subject_id: UUID, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        return self.handle(CompleteErasure(subject_id, now), metadata)

    def record_erasure_vacuum(
        self,
        subject_id: UUID,
        tables: list[str],
        full: bool,
        metadata: EventMetadata,
        now: datetime | None = None,
    ) -> CommandResult:
        return self.handle(RecordErasureVacuum(subject_id, tables, full, now), metadata)

    def subject_of_erasure_request(self, request_id: UUID) -> UUID:
        return erasures.subject_of_erasure_request(self, request_id)

    def announce_improvement(
        self, command: AnnounceImprovement, metadata: EventMetadata
    ) -> CommandResult:
        return self.handle(command, metadata)

    def get_improvement(self, improvement_id: UUID) -> Improvement:
        return improvements.improvement_of(self, improvement_id)

    def review_product(self, command: ReviewProduct, metadata: EventMetadata) -> CommandResult:
        return self.handle(command, metadata)

    def moderate_review(self, command: ModerateReview, metadata: EventMetadata) -> CommandResult:
        return self.handle(command, metadata)

    def get_review(self, review_id: UUID) -> Review:
        return reviews.review_of(self, review_id)

    def record_fulfilment(
        self, command: RecordFulfilment, metadata: EventMetadata
    ) -> CommandResult:
        return self.handle(command, metadata)

    def get_tracked_order(self, order_id: str) -> TrackedOrder:
        return fulfilment.tracked_order_of(self, order_id)

    def schedule_event(self, command: ScheduleEvent, metadata: EventMetadata) -> CommandResult:
        return self.handle(command, metadata)

    def change_event(self, command: ChangeEvent, metadata: EventMetadata) -> CommandResult:
        return self.handle(command, metadata)

    def cancel_event(self, command: CancelEvent, metadata: EventMetadata) -> CommandResult:
        return self.handle(command, metadata)

    def rsvp_to_event(self, command: RsvpToEvent, metadata: EventMetadata) -> CommandResult:
        return self.handle(command, metadata)

    def cancel_rsvp(self, command: CancelRsvp, metadata: EventMetadata) -> CommandResult:
        return self.handle(command, metadata)

    def record_attendance(
        self, command: RecordAttendance, metadata: EventMetadata
    ) -> CommandResult:
        return self.handle(command, metadata)

    def get_exclusive_event(self, event_id: UUID) -> ExclusiveEvent:
        return exclusive_events.event_of(self, event_id)

    def record_payment_notification(
        self, command: RecordPaymentNotification, metadata: EventMetadata
    ) -> Recorded:
        return self.handle(command, metadata)

    def get_billing_account(self, customer_id: UUID) -> BillingAccount:
        return billing.billing_account_of(self, customer_id)

    def get_erasure_request(self, subject_id: UUID) -> ErasureRequest:
        return erasures.erasure_request_of(self, subject_id)

    def open_ticket(
        self, command: OpenTicket, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        return self.handle(command if now is None else replace(command, now=now), metadata)

    def assign_ticket(
        self,
        ticket_id: UUID,
        agent_id: str,
        metadata: EventMetadata,
        expected_version: int | None = None,
        now: datetime | None = None,
    ) -> CommandResult:
        return self.handle(AssignTicket(ticket_id, agent_id, expected_version, now), metadata)

    def reply_to_ticket(
        self,
        ticket_id: UUID,
        body: str,
        metadata: EventMetadata,
        expected_version: int | None = None,
        now: datetime | None = None,
    ) -> CommandResult:
        return self.handle(ReplyToTicket(ticket_id, body, expected_version, now), metadata)

    def add_ticket_note(
        self,
        ticket_id: UUID,
        body: str,
        metadata: EventMetadata,
        expected_version: int | None = None,
        now: datetime | None = None,
    ) -> CommandResult:
        return self.handle(AddTicketNote(ticket_id, body, expected_version, now), metadata)

    def change_ticket_priority(
        self,
        ticket_id: UUID,
        priority: Priority,
        metadata: EventMetadata,
        expected_version: int | None = None,
        now: datetime | None = None,
    ) -> CommandResult:
        command = ChangeTicketPriority(ticket_id, priority, expected_version, now)
        return self.handle(command, metadata)

    def escalate_ticket(
        self,
        ticket_id: UUID,
        reason: str,
        metadata: EventMetadata,
        expected_version: int | None = None,
        now: datetime | None = None,
    ) -> CommandResult:
        return self.handle(EscalateTicket(ticket_id, reason, expected_version, now), metadata)

    def put_ticket_on_hold(
        self,
        ticket_id: UUID,
        reason: str,
        metadata: EventMetadata,
        expected_version: int | None = None,
        now: datetime | None = None,
    ) -> CommandResult:
        return self.handle(PutTicketOnHold(ticket_id, reason, expected_version, now), metadata)

    def resume_ticket(
        self,
        ticket_id: UUID,
        metadata: EventMetadata,
        expected_version: int | None = None,
        now: datetime | None = None,
    ) -> CommandResult:
        return self.handle(ResumeTicket(ticket_id, expected_version, now), metadata)

    def resolve_ticket(
        self,
        ticket_id: UUID,
        resolution: str,
        metadata: EventMetadata,
        expected_version: int | None = None,
        now: datetime | None = None,
    ) -> CommandResult:
        return self.handle(ResolveTicket(ticket_id, resolution, expected_version, now), metadata)

    def reopen_ticket(
        self,
        ticket_id: UUID,
        reason: str,
        metadata: EventMetadata,
        expected_version: int | None = None,
        now: datetime | None = None,
    ) -> CommandResult:
        return self.handle(ReopenTicket(ticket_id, reason, expected_version, now), metadata)

    def close_ticket(
        self,
        ticket_id: UUID,
        metadata: EventMetadata,
        expected_version: int | None = None,
        now: datetime | None = None,
    ) -> CommandResult:
        return self.handle(CloseTicket(ticket_id, expected_version, now), metadata)

    def record_sla_breaches(
        self, ticket_id: UUID, metadata: EventMetadata, now: datetime | None = None
    ) -> list[SlaClock]:
        """The worker's check: record every clock past its target (once each)."""
        return self.handle(RecordSlaBreaches(ticket_id, now), metadata)

    def set_sla_targets(
        self,
        priority: Priority,
        first_response_minutes: int,
        resolution_minutes: int,
        metadata: EventMetadata,
        now: datetime | None = None,
    ) -> CommandResult:
        command = SetSlaTargets(priority, first_response_minutes, resolution_minutes, now)
        return self.handle(command, metadata)

    def set_business_calendar(
        self, calendar: BusinessCalendar, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        return self.handle(SetBusinessCalendar(calendar, now), metadata)

    def set_reopen_window(
        self, days: int, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        return self.handle(SetReopenWindow(days, now), metadata)

    def get_ticket(self, ticket_id: UUID, metadata: EventMetadata | None = None) -> Ticket:
        """The ticket; for a customer, only their own (else TICKET_NOT_FOUND)."""
        return tickets.ticket_of(self, ticket_id, metadata)

    def sla_terms(self) -> SlaTerms:
        return tickets.sla_terms(self)

    def default_priority(self, customer_id: UUID) -> Priority:
        return tickets.default_priority(self, customer_id)

    def issue_referral_code(
        self, customer_id: UUID, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        """The customer's usable code, issuing (or renewing) it if needed."""
        return self.handle(IssueReferralCode(customer_id, now), metadata)

    def revoke_referral_code(
        self, customer_id: UUID, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        return self.handle(RevokeReferralCode(customer_id, now), metadata)

    def invite_friend(
        self, customer_id: UUID, email: str, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        return self.handle(InviteFriend(customer_id, email, now), metadata)

    def convert_referral(
        self, friend_id: UUID, code: str, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        return self.handle(ConvertReferral(friend_id, code, now), metadata)

    def check_referral_code(self, code: str, email: str, now: datetime | None = None) -> UUID:
        return referrals.check_referral_code(self, code, email, now)

    def reward_referral_for_order(
        self, order_id: str, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult | None:
        return self.handle(RewardReferralForOrder(order_id, now), metadata)

    def review_referral(
        self, friend_id: UUID, metadata: EventMetadata, now: datetime | None = None
    ) -> str | None:
        return self.handle(ReviewReferral(friend_id, now), metadata)

    def review_all_referrals(
        self, metadata: EventMetadata, now: datetime | None = None
    ) -> dict[str, int]:
        return self.handle(ReviewAllReferrals(now), metadata)

    def change_referral_terms(
        self, terms: ReferralTerms, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        return self.handle(ChangeReferralTerms(terms, now), metadata)

    def referral_terms(self) -> ReferralTerms:
        return referrals.referral_terms(self)

    def get_referrer(self, customer_id: UUID) -> Referrer:
        return referrals.referrer_of(self, customer_id)

    def get_referral(self, friend_id: UUID) -> Referral:
        return referrals.referral_of(self, friend_id)

    def converted_friends(self, page: int = 500) -> list[UUID]:
        return referrals.converted_friends(self, page)

    def invitee_subject(self, email: str) -> UUID:
        return referrals.invitee_subject(self, email)

    def register_customer(
        self, command: RegisterCustomer, metadata: EventMetadata
    ) -> CommandResult:
        return self.handle(command, metadata)

    def register_self(
        self, command: RegisterCustomer, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult | None:
        return self.handle(RegisterSelf(command, now), metadata)

    def get_customer(self, customer_id: UUID) -> Customer:
        return customers.customer_of(self, customer_id)

    def change_contact_details(
        self, command: ChangeContactDetails, metadata: EventMetadata
    ) -> CommandResult:
        return self.handle(command, metadata)

    def change_email(
        self,
        customer_id: UUID,
        email: str,
        metadata: EventMetadata,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self.handle(ChangeEmail(customer_id, email, expected_version), metadata)

    def change_address(
        self,
        customer_id: UUID,
        address: Address | None,
        metadata: EventMetadata,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self.handle(ChangeAddress(customer_id, address, expected_version), metadata)

    def change_demographics(
        self, command: ChangeDemographics, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        return self.handle(command if now is None else replace(command, now=now), metadata)

    def set_contact_preferences(
        self, command: SetContactPreferences, metadata: EventMetadata
    ) -> CommandResult:
        return self.handle(command, metadata)

    def give_consent(
        self,
        customer_id: UUID,
        purpose: ConsentPurpose,
        metadata: EventMetadata,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self.handle(GiveConsent(customer_id, purpose, expected_version), metadata)

    def withdraw_consent(
        self,
        customer_id: UUID,
        purpose: ConsentPurpose,
        metadata: EventMetadata,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self.handle(WithdrawConsent(customer_id, purpose, expected_version), metadata)

    def complete_onboarding_step(
        self,
        customer_id: UUID,
        step: str,
        metadata: EventMetadata,
        completed_at: datetime | None = None,
    ) -> CommandResult:
        return self.handle(CompleteOnboardingStep(customer_id, step, completed_at), metadata)

    def change_password(
        self,
        customer_id: UUID,
        current_password: str,
        new_password: str,
        metadata: EventMetadata,
    ) -> SessionsRenewed:
        command = ChangePassword(customer_id, current_password, new_password)
        return self.handle(command, metadata)

    def end_every_session(self, customer_id: UUID, metadata: EventMetadata) -> SessionsRenewed:
        """Log the customer out everywhere (every token issued to them until now)."""
        return self.handle(EndEverySession(customer_id), metadata)

    def request_password_reset(
        self, email: str, metadata: EventMetadata, now: datetime | None = None
    ) -> None:
        self.handle(RequestPasswordReset(email, now), metadata)

    def reset_password(
        self, token: str, new_password: str, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        return self.handle(ResetPassword(token, new_password, now), metadata)

    def check_reset_link(self, token: str, now: datetime | None = None) -> None:
        access.check_reset_link(self, token, now)

    def verify_credentials(self, email: str, password: str) -> UUID:
        """The customer whose email and password these are; the same error for any mismatch."""
        return access.grant_session(self, email, password).customer_id

    def grant_session(self, email: str, password: str) -> SessionGrant:
        return access.grant_session(self, email, password)

    def request_email_change(
        self,
        customer_id: UUID,
        email: str,
        metadata: EventMetadata,
        expected_version: int | None = None,
        now: datetime | None = None,
    ) -> CommandResult:
        command = RequestEmailChange(customer_id, email, expected_version, now)
        return self.handle(command, metadata)

    def confirm_email_change(
        self, token: str, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        return self.handle(ConfirmEmailChange(token, now), metadata)
