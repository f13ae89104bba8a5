"""The one table from each command type to the handler function of its slice that runs it
(see :mod:`domain.shared.commands`); ``Ledger.handle`` runs a command by it."""

from __future__ import annotations

from collections.abc import Mapping

from domain.billing import commands as billing
from domain.billing.commands import RecordPaymentNotification
from domain.campaign import commands as campaigns
from domain.campaign.commands import (
    CancelCampaign,
    CompleteCampaign,
    DraftCampaign,
    LaunchCampaign,
    RecordCampaignRecipients,
    ScheduleCampaign,
)
from domain.customer import access, email_change, registration
from domain.customer import commands as customers
from domain.customer.access import (
    ChangePassword,
    EndEverySession,
    RequestPasswordReset,
    ResetPassword,
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
from domain.feedback import commands as feedback
from domain.feedback.commands import SubmitFeedback
from domain.fulfilment import commands as fulfilment
from domain.fulfilment.commands import RecordFulfilment
from domain.improvement import commands as improvements
from domain.improvement.commands import AnnounceImprovement
from domain.knowledge import commands as knowledge
from domain.knowledge.commands import (
    ArchiveArticle,
    DraftArticle,
    PublishArticle,
    ReviseArticle,
    VoteOnArticle,
)
from domain.loyalty import commands as loyalty
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
    RetireEarningRule,
    ReverseRedemption,
)
from domain.privacy import commands as privacy
from domain.privacy import erasure_commands as erasures
from domain.privacy.commands import RecordDataExport
from domain.privacy.erasure_commands import CompleteErasure, RecordErasureVacuum, RequestErasure
from domain.purchase import commands as purchases
from domain.purchase.commands import RecordPurchase, RefundPurchase
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
from domain.review import commands as reviews
from domain.review.commands import ModerateReview, ReviewProduct
from domain.segment import commands as segments
from domain.segment.commands import ArchiveSegment, ChangeSegmentRule, DefineSegment
from domain.shared.commands import Command, Handler
from domain.success import commands as success_plans
from domain.success.commands import (
    AddSuccessPlanGoal,
    CloseSuccessPlan,
    OpenSuccessPlan,
    ReachSuccessPlanMilestone,
    RecordSuccessPlanCheckIn,
)
from domain.survey import commands as surveys
from domain.survey.commands import (
    CloseSurvey,
    DraftSurvey,
    EditSurvey,
    InviteToSurvey,
    PublishSurvey,
    SubmitResponse,
)
from domain.testimonial import commands as testimonials
from domain.testimonial.commands import ReviewTestimonial
from domain.theme_priority import commands as theme_priorities
from domain.theme_priority.commands import MarkThemeDone, MarkThemePlanned
from domain.ticket import commands as tickets
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

HANDLERS: Mapping[type[Command[object]], Handler] = {
    RegisterCustomer: customers.register_customer,
    RegisterSelf: registration.register_self,
    ChangeContactDetails: customers.change_contact_details,
    ChangeEmail: customers.change_email,
    ChangeAddress: customers.change_address,
    ChangeDemographics: customers.change_demographics,
    SetContactPreferences: customers.set_contact_preferences,
    GiveConsent: customers.give_consent,
    WithdrawConsent: customers.withdraw_consent,
    CompleteOnboardingStep: customers.complete_onboarding_step,
    ChangePassword: access.change_password,
    EndEverySession: access.end_every_session,
    RequestPasswordReset: access.request_password_reset,
    ResetPassword: access.reset_password,
    RequestEmailChange: email_change.request_email_change,
    ConfirmEmailChange: email_change.confirm_email_change,
    RecordPurchase: purchases.record_purchase,
    RefundPurchase: purchases.refund_purchase,
    EnrolInLoyalty: loyalty.enrol_in_loyalty,
    EarnPointsForOrder: loyalty.earn_points_for_order,
    ClawBackPointsForOrder: loyalty.claw_back_points_for_order,
    AwardPoints: loyalty.award_points,
    RedeemReward: loyalty.redeem_reward,
    ReverseRedemption: loyalty.reverse_redemption,
    AdjustPoints: loyalty.adjust_points,
    ExpirePoints: loyalty.expire_points,
    DefineEarningRule: loyalty.define_earning_rule,
    RetireEarningRule: loyalty.retire_earning_rule,
    ChangeProgramTerms: loyalty.change_program_terms,
    AddReward: loyalty.add_reward,
    ChangeReward: loyalty.change_reward,
    RecordDataExport: privacy.record_data_export,
    DraftSurvey: surveys.draft_survey,
    EditSurvey: surveys.edit_survey,
    PublishSurvey: surveys.publish_survey,
    CloseSurvey: surveys.close_survey,
    InviteToSurvey: surveys.invite_to_survey,
    SubmitResponse: surveys.submit_survey_response,
    RequestErasure: erasures.request_erasure,
    CompleteErasure: erasures.complete_erasure,
    RecordErasureVacuum: erasures.record_erasure_vacuum,
    OpenTicket: tickets.open_ticket,
    AssignTicket: tickets.assign_ticket,
    ReplyToTicket: tickets.reply_to_ticket,
    AddTicketNote: tickets.add_ticket_note,
    ChangeTicketPriority: tickets.change_ticket_priority,
    EscalateTicket: tickets.escalate_ticket,
    PutTicketOnHold: tickets.put_ticket_on_hold,
    ResumeTicket: tickets.resume_ticket,
    ResolveTicket: tickets.resolve_ticket,
    ReopenTicket: tickets.reopen_ticket,
    CloseTicket: tickets.close_ticket,
    RecordSlaBreaches: tickets.record_sla_breaches,
    SetSlaTargets: tickets.set_sla_targets,
    SetBusinessCalendar: tickets.set_business_calendar,
    SetReopenWindow: tickets.set_reopen_window,
    IssueReferralCode: referrals.issue_referral_code,
    RevokeReferralCode: referrals.revoke_referral_code,
    InviteFriend: referrals.invite_friend,
    ConvertReferral: referrals.convert_referral,
    RewardReferralForOrder: referrals.reward_referral_for_order,
    ReviewReferral: referrals.review_referral,
    ReviewAllReferrals: referrals.review_all_referrals,
    ChangeReferralTerms: referrals.change_referral_terms,
    AnnounceImprovement: improvements.announce_improvement,
    MarkThemePlanned: theme_priorities.mark_theme_planned,
    MarkThemeDone: theme_priorities.mark_theme_done,
    DefineSegment: segments.define_segment,
    ChangeSegmentRule: segments.change_segment_rule,
    ArchiveSegment: segments.archive_segment,
    ReviewTestimonial: testimonials.review_testimonial,
    DraftCampaign: campaigns.draft_campaign,
    ScheduleCampaign: campaigns.schedule_campaign,
    LaunchCampaign: campaigns.launch_campaign,
    CancelCampaign: campaigns.cancel_campaign,
    RecordCampaignRecipients: campaigns.record_campaign_recipients,
    CompleteCampaign: campaigns.complete_campaign,
    SubmitFeedback: feedback.submit_feedback,
    DraftArticle: knowledge.draft_article,
    ReviseArticle: knowledge.revise_article,
    PublishArticle: knowledge.publish_article,
    ArchiveArticle: knowledge.archive_article,
    VoteOnArticle: knowledge.vote_on_article,
    OpenSuccessPlan: success_plans.open_success_plan,
    AddSuccessPlanGoal: success_plans.add_success_plan_goal,
    ReachSuccessPlanMilestone: success_plans.reach_success_plan_milestone,
    RecordSuccessPlanCheckIn: success_plans.record_success_plan_check_in,
    CloseSuccessPlan: success_plans.close_success_plan,
    ReviewProduct: reviews.review_product,
    ModerateReview: reviews.moderate_review,
    RecordFulfilment: fulfilment.record_fulfilment,
    ScheduleEvent: exclusive_events.schedule_event,
    ChangeEvent: exclusive_events.change_event,
    CancelEvent: exclusive_events.cancel_event,
    RsvpToEvent: exclusive_events.rsvp_to_event,
    CancelRsvp: exclusive_events.cancel_rsvp,
    RecordAttendance: exclusive_events.record_attendance,
    RecordPaymentNotification: billing.record_payment_notification,
}
"""Each command type and the handler function of its slice that runs it."""
