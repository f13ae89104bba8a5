"""Who may use each operation: every query and mutation of the schema, for every kind of
caller. Allowed callers are never refused with FORBIDDEN; refused callers get FORBIDDEN and
nothing is written. A new operation without a row here fails the coverage test."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import httpx
import jwt
import pytest

from domain.customer.commands import RegisterCustomer
from domain.feedback.commands import SubmitFeedback, complaint_ticket_id
from domain.feedback.values import FeedbackKind
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import DraftSurvey
from domain.survey.model import Invitation
from domain.survey.values import SurveyChannel, SurveyKind
from domain.ticket.commands import OpenTicket
from domain.ticket.values import TicketChannel
from graphql_api.schema import build_schema
from tests.api.helpers import CUSTOMER, assert_no_internals, error_codes
from tests.support.ledgers import TEST_JWT_SECRET, postgres_ledger
from tests.support.postgres import fresh_database
from tests.support.server import LiveApi, live_api

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class World:
    """One server for the module, and two customers: the caller's own, and another."""

    api: LiveApi
    self_id: str
    other_id: str
    survey_id: str
    survey_token: str
    enrolled_at: str
    """Log position of the enrolment of the caller's own customer in the loyalty program."""
    ticket_id: str
    """A ticket the caller's own customer opened."""
    ticket_at: str
    """Log position of its opening."""
    code_at: str
    """Log position of the referral code issued to the caller's own customer."""


@pytest.fixture(scope="module")
def world(pg_admin: str) -> Iterator[World]:
    with (
        fresh_database(pg_admin) as database,
        postgres_ledger(database) as ledger,
        live_api(ledger, database) as api,
    ):
        ids = [
            str(
                ledger.register_customer(
                    RegisterCustomer(name, f"{name.lower()}@example.org", password=PASSWORD),
                    EventMetadata.system(),
                ).aggregate_id
            )
            for name in ("Selma", "Otto")
        ]
        survey_id, token = open_survey_with_a_link(ledger, UUID(ids[0]))
        enrolled = ledger.enrol_in_loyalty(UUID(ids[0]), EventMetadata.system())
        ticket = ledger.open_ticket(
            OpenTicket(UUID(ids[0]), TicketChannel.WEB, "matrix", "Matrix", "Who may see me?"),
            EventMetadata.system(),
        )
        code = ledger.issue_referral_code(UUID(ids[0]), EventMetadata.system())
        api.caught_up()  # the first row reads the customer: the read models must show it
        yield World(
            api,
            ids[0],
            ids[1],
            str(survey_id),
            token,
            str(enrolled.position),
            str(ticket.aggregate_id),
            str(ticket.position),
            str(code.position),
        )


def open_survey_with_a_link(ledger: Ledger, customer_id: UUID) -> tuple[UUID, str]:
    """A published survey, and the token of the link that invites the customer to it."""
    system = EventMetadata.system()
    drafted = DraftSurvey(SurveyKind.NPS, "Matrix", "Would you recommend us?", [SurveyChannel.WEB])
    survey_id = ledger.draft_survey(drafted, system).aggregate_id
    ledger.publish_survey(survey_id, system)
    invitation = ledger.invite_to_survey(survey_id, customer_id, SurveyChannel.WEB, system)
    event = list(ledger.repository.event_store.get(invitation.aggregate_id))[-1]
    assert isinstance(event, Invitation.Issued) and event.token and event.token.value
    return survey_id, event.token.value


# --- callers --------------------------------------------------------------------------------

CALLERS: dict[str, Callable[[World], tuple[Role, str] | None]] = {
    "anonymous": lambda w: None,
    "customer-self": lambda w: (Role.CUSTOMER, w.self_id),
    "customer-other": lambda w: (Role.CUSTOMER, w.other_id),
    "agent": lambda w: (Role.AGENT, "agent-1"),
    "admin": lambda w: (Role.ADMIN, "admin-1"),
    "analyst": lambda w: (Role.ANALYST, "analyst-1"),
    "auditor": lambda w: (Role.AUDITOR, "auditor-1"),
    "privacy_officer": lambda w: (Role.PRIVACY_OFFICER, "po-1"),
}
READERS = {"customer-self", "agent", "admin", "analyst", "auditor", "privacy_officer"}
STAFF = {"agent", "admin"}
EVERYONE = set(CALLERS)


# --- operations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """A request for the operation on the caller's own customer (where there is one), the
    callers who may send it, and those of them who are answered null (not refused: what they
    asked for is not theirs, and they cannot tell it from something that does not exist)."""

    document: str
    variables: Callable[[World], dict[str, Any]]
    allowed: set[str]
    nulls: frozenset[str] = frozenset()
    not_found: frozenset[str] = frozenset()
    """Allowed callers answered null with NOT_FOUND (node: what is not theirs reads as an
    unknown id, so they cannot tell it from one)."""


def unique_email() -> str:
    return f"{uuid4().hex[:12]}@example.org"


OPERATIONS: dict[str, Operation] = {
    "customer": Operation(CUSTOMER, lambda w: {"id": w.self_id}, READERS),
    "customers": Operation(
        "{ customers(first: 1) { totalCount } }", lambda w: {}, READERS - {"customer-self"}
    ),
    "registerCustomer": Operation(
        "mutation($i: RegisterCustomerInput!) { registerCustomer(input: $i) "
        "{ userErrors { code } } }",
        lambda w: {"i": {"name": "New Person", "email": unique_email()}},
        STAFF | {"anonymous"},
    ),
    "logIn": Operation(
        "mutation($i: LogInInput!) { logIn(input: $i) { token userErrors { code } } }",
        lambda w: {"i": {"email": unique_email(), "password": "a guess"}},
        EVERYONE,
    ),
    "refreshSession": Operation(
        "mutation($i: RefreshSessionInput!) { refreshSession(input: $i) "
        "{ token userErrors { code } } }",
        lambda w: {"i": {"refreshToken": "not-a-refresh-token"}},
        EVERYONE,
    ),
    "logOut": Operation(
        "mutation($i: LogOutInput!) { logOut(input: $i) { userErrors { code } } }",
        lambda w: {"i": {"refreshToken": "not-a-refresh-token", "everywhere": True}},
        EVERYONE,
    ),
    "requestPasswordReset": Operation(
        "mutation($i: RequestPasswordResetInput!) { requestPasswordReset(input: $i) { accepted } }",
        lambda w: {"i": {"email": unique_email()}},
        EVERYONE,
    ),
    "resetPassword": Operation(
        "mutation($i: ResetPasswordInput!) { resetPassword(input: $i) { userErrors { code } } }",
        lambda w: {"i": {"token": "not-a-token", "newPassword": "a brand new passphrase"}},
        EVERYONE,
    ),
    "confirmEmailChange": Operation(
        "mutation($i: ConfirmEmailChangeInput!) { confirmEmailChange(input: $i) "
        "{ userErrors { code } } }",
        lambda w: {"i": {"token": "not-a-token"}},
        EVERYONE,
    ),
    "changePassword": Operation(
        "mutation($i: ChangePasswordInput!) { changePassword(input: $i) { userErrors { code } } }",
        lambda w: {
            "i": {
                "customerId": w.self_id,
                "currentPassword": "not the password",
                "newPassword": "a brand new passphrase",
            }
        },
        {"customer-self"},
    ),
}


PROFILE = STAFF | {"customer-self"}


def on_own_customer(mutation: str, input_type: str, **fields: Any) -> Operation:
    """A profile mutation on the caller's own customer: for them, agents and admins."""
    return Operation(
        f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ userErrors {{ code }} }} }}",
        lambda w: {"i": {"customerId": w.self_id, **fields}},
        PROFILE,
    )


OPERATIONS |= {
    "changeContactDetails": on_own_customer(
        "changeContactDetails", "ChangeContactDetailsInput", name="Selma L"
    ),
    "changeEmail": on_own_customer("changeEmail", "ChangeEmailInput", email="selma@example.org"),
    "changeAddress": on_own_customer(
        "changeAddress",
        "ChangeAddressInput",
        address={"line1": "1 Main St", "city": "Lund", "country": "SE"},
    ),
    "changeDemographics": on_own_customer(
        "changeDemographics", "ChangeDemographicsInput", language="sv"
    ),
    "setContactPreferences": on_own_customer(
        "setContactPreferences", "SetContactPreferencesInput", email=True
    ),
    "giveConsent": on_own_customer("giveConsent", "GiveConsentInput", purpose="RESEARCH"),
    "withdrawConsent": on_own_customer(
        "withdrawConsent", "WithdrawConsentInput", purpose="RESEARCH"
    ),
    "completeOnboardingStep": on_own_customer(
        "completeOnboardingStep", "CompleteOnboardingStepInput", step="profile"
    ),
    "recordPurchase": Operation(
        "mutation($i: RecordPurchaseInput!) { recordPurchase(input: $i) { userErrors { code } } }",
        lambda w: {
            "i": {
                "customerId": w.self_id,
                "orderId": f"order-{uuid4().hex[:8]}",
                "amount": "10.00",
                "currency": "EUR",
                "channel": "WEB",
                "purchasedAt": "2024-05-01T12:00:00+00:00",
                "items": [{"sku": "sku-1", "quantity": 1, "unitPrice": "10.00"}],
            }
        },
        STAFF,
    ),
    "refundPurchase": Operation(
        "mutation($i: RefundPurchaseInput!) { refundPurchase(input: $i) { userErrors { code } } }",
        lambda w: {"i": {"orderId": "order-unknown"}},
        STAFF,
    ),
}


DESIGNERS = {"admin", "analyst"}
DRAFT = {"kind": "NPS", "title": "Pulse", "question": "Recommend us?", "channels": ["WEB"]}


def on_unknown_survey(
    mutation: str, input_type: str, allowed: set[str], **fields: Any
) -> Operation:
    """A survey mutation on a survey that does not exist: allowed callers get a user error."""
    return Operation(
        f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ userErrors {{ code }} }} }}",
        lambda w: {"i": {"surveyId": str(uuid4()), **fields}},
        allowed,
    )


OPERATIONS |= {
    "survey": Operation(
        "query($id: UUID!) { survey(id: $id) { id } }",
        lambda w: {"id": w.survey_id},
        READERS - {"customer-self"},
    ),
    "surveys": Operation(
        "{ surveys(first: 1) { edges { cursor } } }", lambda w: {}, READERS - {"customer-self"}
    ),
    "surveyInvitation": Operation(
        "query($t: String!) { surveyInvitation(token: $t) { title open answered } }",
        lambda w: {"t": w.survey_token},
        EVERYONE,
    ),
    "surveyDashboard": Operation(
        "{ surveyDashboard { figures { responses } } }", lambda w: {}, READERS - {"customer-self"}
    ),
    "compareProductVersions": Operation(
        '{ compareProductVersions(versionA: "1", versionB: "2") { significant } }',
        lambda w: {},
        READERS - {"customer-self"},
    ),
    "improvement": Operation(
        "query($id: UUID!) { improvement(id: $id) { id } }",
        lambda w: {"id": str(uuid4())},
        READERS - {"customer-self"},
        nulls=frozenset(READERS - {"customer-self"}),  # an unknown improvement
    ),
    "improvements": Operation(
        "{ improvements(first: 1) { edges { cursor } } }", lambda w: {}, READERS - {"customer-self"}
    ),
    "announceImprovement": Operation(
        "mutation($i: AnnounceImprovementInput!) { announceImprovement(input: $i) "
        "{ userErrors { code } } }",
        lambda w: {"i": {"theme": "nothing said", "productVersion": "1.0", "message": "Better."}},
        DESIGNERS,
    ),
    "enhancementPriorities": Operation(
        "{ enhancementPriorities(first: 1) { minGroupSize } }",
        lambda w: {},
        READERS - {"customer-self"},
    ),
    "markThemePlanned": Operation(
        "mutation($i: MarkThemePlannedInput!) { markThemePlanned(input: $i) "
        "{ userErrors { code } } }",
        lambda w: {"i": {"theme": "nothing said"}},
        DESIGNERS,
    ),
    "markThemeDone": Operation(
        "mutation($i: MarkThemeDoneInput!) { markThemeDone(input: $i) { userErrors { code } } }",
        lambda w: {"i": {"theme": "nothing said"}},
        DESIGNERS,
    ),
    "draftSurvey": Operation(
        "mutation($i: DraftSurveyInput!) { draftSurvey(input: $i) { userErrors { code } } }",
        lambda w: {"i": DRAFT},
        DESIGNERS,
    ),
    "editSurvey": on_unknown_survey("editSurvey", "EditSurveyInput", DESIGNERS, title="New"),
    "publishSurvey": on_unknown_survey("publishSurvey", "PublishSurveyInput", DESIGNERS),
    "closeSurvey": on_unknown_survey("closeSurvey", "CloseSurveyInput", DESIGNERS),
    "inviteToSurvey": Operation(
        "mutation($i: InviteToSurveyInput!) { inviteToSurvey(input: $i) { userErrors { code } } }",
        lambda w: {"i": {"surveyId": str(uuid4()), "customerId": w.self_id, "channel": "EMAIL"}},
        STAFF,
    ),
    "submitSurveyResponse": Operation(
        "mutation($i: SubmitSurveyResponseInput!) { submitSurveyResponse(input: $i) "
        "{ userErrors { code } } }",
        lambda w: {"i": {"token": "not-a-token", "score": 9}},
        EVERYONE,
    ),
}


LOGGED_IN = EVERYONE - {"anonymous"}


def on_own_account(mutation: str, input_type: str, allowed: set[str], **fields: Any) -> Operation:
    """A loyalty mutation on the caller's own (enrolled) customer, refused by the domain."""
    return Operation(
        f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ userErrors {{ code }} }} }}",
        lambda w: {"i": {"customerId": w.self_id, **fields}},
        allowed,
    )


def by_admin(mutation: str, input_type: str, fields: Callable[[], dict[str, Any]]) -> Operation:
    """A mutation on the program's rule book, terms or catalog: admins only."""
    return Operation(
        f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ userErrors {{ code }} }} }}",
        lambda w: {"i": fields()},
        {"admin"},
    )


def unknown_reward() -> dict[str, Any]:
    return {"rewardId": str(uuid4())}


OPERATIONS |= {
    "loyaltyAccount": Operation(
        "query($c: UUID!, $p: String) { loyaltyAccount(customerId: $c, atLeast: $p) { tier } }",
        lambda w: {"c": w.self_id, "p": w.enrolled_at},
        READERS,
    ),
    "rewards": Operation("{ rewards(first: 1) { edges { cursor } } }", lambda w: {}, LOGGED_IN),
    "earningRules": Operation("{ earningRules { id } }", lambda w: {}, LOGGED_IN),
    "loyaltyProgramTerms": Operation(
        "{ loyaltyProgramTerms { pointsLifetimeDays } }", lambda w: {}, LOGGED_IN
    ),
    "verifyAuditTrail": Operation(
        "{ verifyAuditTrail { intact } }", lambda w: {}, {"admin", "auditor", "privacy_officer"}
    ),
    "customerHistory": Operation(
        "query($id: UUID!) { customerHistory(customerId: $id, first: 1) { edges { cursor } } }",
        lambda w: {"id": w.self_id},
        {"admin", "auditor", "privacy_officer", "agent"},
    ),
    "customerAsOf": Operation(
        'query($id: UUID!) { customerAsOf(customerId: $id, at: "2100-01-01T00:00:00Z") { at } }',
        lambda w: {"id": w.self_id},
        {"admin", "auditor", "privacy_officer"},
    ),
    "loyaltyProgramMetrics": Operation(
        "{ loyaltyProgramMetrics { members } }", lambda w: {}, READERS - {"customer-self"}
    ),
    "enrolInLoyalty": on_own_account("enrolInLoyalty", "EnrolInLoyaltyInput", PROFILE),
    "redeemReward": on_own_account(
        "redeemReward", "RedeemRewardInput", PROFILE, rewardId=str(uuid4())
    ),
    "reverseRedemption": on_own_account(
        "reverseRedemption",
        "ReverseRedemptionInput",
        STAFF,
        redemptionId=str(uuid4()),
        reason="Matrix",
    ),
    "adjustPoints": on_own_account(
        "adjustPoints", "AdjustPointsInput", STAFF, points=0, reason="Matrix"
    ),
    "defineEarningRule": by_admin(
        "defineEarningRule",
        "DefineEarningRuleInput",
        lambda: {"name": "Matrix", "kind": "BASE_RATE", "pointsPerUnit": 0},
    ),
    "retireEarningRule": by_admin(
        "retireEarningRule", "RetireEarningRuleInput", lambda: {"ruleId": str(uuid4())}
    ),
    "changeProgramTerms": by_admin(
        "changeProgramTerms",
        "ChangeProgramTermsInput",
        lambda: {"pointsLifetimeDays": 0, "returnWindowDays": 0},
    ),
    "addReward": by_admin(
        "addReward",
        "AddRewardInput",
        lambda: {"name": "Matrix prize", "kind": "DISCOUNT", "costPoints": 10},
    ),
    "changeReward": by_admin(
        "changeReward", "ChangeRewardInput", lambda: {**unknown_reward(), "costPoints": 5}
    ),
    "restockReward": by_admin(
        "restockReward", "RestockRewardInput", lambda: {**unknown_reward(), "quantity": 1}
    ),
    "retireReward": by_admin("retireReward", "RetireRewardInput", unknown_reward),
}


CUSTOMERS = {"customer-self", "customer-other"}


def on_unknown_plan(mutation: str, **fields: Any) -> Operation:
    """A success plan mutation on a plan that does not exist: agents and admins get a user
    error."""
    input_type = f"{mutation[0].upper()}{mutation[1:]}Input"
    return Operation(
        f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ userErrors {{ code }} }} }}",
        lambda w: {"i": {"planId": str(uuid4()), **fields}},
        STAFF,
    )


def on_unknown_ticket(mutation: str, allowed: set[str], **fields: Any) -> Operation:
    """A ticket mutation on a ticket that does not exist: allowed callers get a user error."""
    input_type = f"{mutation[0].upper()}{mutation[1:]}Input"
    return Operation(
        f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ userErrors {{ code }} }} }}",
        lambda w: {"i": {"ticketId": str(uuid4()), **fields}},
        allowed,
    )


OPERATIONS |= {
    "ticket": Operation(
        "query($id: UUID!, $p: String) { ticket(id: $id, atLeast: $p) { id } }",
        lambda w: {"id": w.ticket_id, "p": w.ticket_at},
        READERS | {"customer-other"},
        nulls=frozenset({"customer-other"}),
    ),
    "tickets": Operation(
        "{ tickets(first: 1) { edges { cursor } } }", lambda w: {}, READERS - {"customer-self"}
    ),
    "ticketQueue": Operation("{ ticketQueue(first: 1) { id } }", lambda w: {}, STAFF),
    "customersAtRisk": Operation(
        "{ customersAtRisk(first: 1) { edges { cursor } } }", lambda w: {}, STAFF
    ),
    "successPlans": Operation(
        "{ successPlans(first: 1) { edges { cursor } } }", lambda w: {}, READERS - {"customer-self"}
    ),
    "openSuccessPlan": Operation(
        "mutation($i: OpenSuccessPlanInput!) { openSuccessPlan(input: $i) "
        "{ userErrors { code } } }",
        lambda w: {"i": {"customerId": str(uuid4()), "title": "Matrix"}},
        STAFF,
    ),
    "addSuccessPlanGoal": on_unknown_plan("addSuccessPlanGoal", goal="Matrix"),
    "reachSuccessPlanMilestone": on_unknown_plan(
        "reachSuccessPlanMilestone", goalId=str(uuid4()), milestone="Matrix"
    ),
    "recordSuccessPlanCheckIn": on_unknown_plan("recordSuccessPlanCheckIn", note="Matrix"),
    "closeSuccessPlan": on_unknown_plan("closeSuccessPlan", outcome="ACHIEVED"),
    "serviceMetrics": Operation(
        "{ serviceMetrics { totals { ticketsOpened } } }",
        lambda w: {},
        READERS - {"customer-self"},
    ),
    "slaPolicy": Operation(
        "{ slaPolicy { reopenWindowDays } }", lambda w: {}, READERS - {"customer-self"}
    ),
    "openTicket": Operation(
        "mutation($i: OpenTicketInput!) { openTicket(input: $i) { userErrors { code } } }",
        lambda w: {
            "i": {
                "customerId": w.self_id,
                "channel": "APP",
                "category": "matrix",
                "subject": "Matrix",
                "description": "A row of the role matrix",
            }
        },
        PROFILE,
    ),
    "replyToTicket": on_unknown_ticket("replyToTicket", STAFF | CUSTOMERS, body="Hello"),
    "reopenTicket": on_unknown_ticket("reopenTicket", STAFF | CUSTOMERS, reason="Again"),
    "assignTicket": on_unknown_ticket("assignTicket", STAFF, agentId="agent-9"),
    "addTicketNote": on_unknown_ticket("addTicketNote", STAFF, body="Note"),
    "changeTicketPriority": on_unknown_ticket("changeTicketPriority", STAFF, priority="HIGH"),
    "escalateTicket": on_unknown_ticket("escalateTicket", STAFF, reason="Matrix"),
    "putTicketOnHold": on_unknown_ticket("putTicketOnHold", STAFF, reason="Matrix"),
    "resumeTicket": on_unknown_ticket("resumeTicket", STAFF),
    "resolveTicket": on_unknown_ticket("resolveTicket", STAFF, resolution="Matrix"),
    "closeTicket": on_unknown_ticket("closeTicket", STAFF),
    "setSlaTargets": by_admin(
        "setSlaTargets",
        "SetSlaTargetsInput",
        lambda: {"priority": "LOW", "firstResponseMinutes": 0, "resolutionMinutes": 0},
    ),
    "setBusinessCalendar": by_admin(
        "setBusinessCalendar",
        "SetBusinessCalendarInput",
        lambda: {"timeZone": "Nowhere/Matrix", "weekdays": [], "opens": "9", "closes": "5"},
    ),
    "setReopenWindow": by_admin("setReopenWindow", "SetReopenWindowInput", lambda: {"days": -1}),
}


PERIOD = 'since: "2026-01-01T00:00:00Z", until: "2026-02-01T00:00:00Z"'
WHO_REFERRED_WHOM = {"customer-self", "agent", "admin", "privacy_officer"}


def on_own_referrer(query: str, selection: str) -> Operation:
    """A query about the caller's own customer as a referrer (who has a code)."""
    return Operation(
        f"query($c: UUID!, $p: String) {{ {query}(customerId: $c, atLeast: $p) {selection} }}",
        lambda w: {"c": w.self_id, "p": w.code_at},
        READERS if query == "referrer" else WHO_REFERRED_WHOM,
    )


OPERATIONS |= {
    "referralProgramTerms": Operation(
        "{ referralProgramTerms { referrerPoints } }", lambda w: {}, LOGGED_IN
    ),
    "referralFunnel": Operation(
        f"{{ referralFunnel({PERIOD}) {{ invited }} }}", lambda w: {}, READERS - {"customer-self"}
    ),
    "referralFunnelTrend": Operation(
        f"{{ referralFunnelTrend({PERIOD}) {{ periodStart }} }}",
        lambda w: {},
        READERS - {"customer-self"},
    ),
    "topReferrers": Operation(
        f"{{ topReferrers({PERIOD}) {{ customerId }} }}", lambda w: {}, READERS - {"customer-self"}
    ),
    "referrer": on_own_referrer("referrer", "{ conversions }"),
    "referralsOf": on_own_referrer("referralsOf", "{ edges { cursor } }"),
    "invitationsOf": on_own_referrer("invitationsOf", "{ edges { cursor } }"),
    "issueReferralCode": on_own_account("issueReferralCode", "IssueReferralCodeInput", PROFILE),
    "revokeReferralCode": on_own_account("revokeReferralCode", "RevokeReferralCodeInput", PROFILE),
    "inviteFriend": on_own_account(
        "inviteFriend", "InviteFriendInput", PROFILE, email="not an email"
    ),
    "applyReferralCode": on_own_account(
        "applyReferralCode", "ApplyReferralCodeInput", PROFILE, code="ZZZZZZZZZZ"
    ),
    "changeReferralTerms": by_admin(
        "changeReferralTerms", "ChangeReferralTermsInput", lambda: {"invitationsPerDay": 0}
    ),
    "reviewReferrals": Operation(
        "mutation { reviewReferrals { userErrors { code } } }", lambda w: {}, {"admin"}
    ),
}


PRIVACY_REVIEWERS = {"admin", "auditor", "privacy_officer"}

OPERATIONS |= {
    "exportCustomerData": Operation(
        "mutation($i: ExportCustomerDataInput!) { exportCustomerData(input: $i) "
        "{ exportId userErrors { code } } }",
        lambda w: {"i": {"customerId": w.self_id, "reason": "role matrix"}},
        {"customer-self", "admin", "privacy_officer"},
    ),
    "dataExports": Operation(
        "query($c: UUID!) { dataExports(customerId: $c) { exportId } }",
        lambda w: {"c": w.self_id},
        PRIVACY_REVIEWERS,
    ),
    "consentHistory": Operation(
        "query($c: UUID!) { consentHistory(customerId: $c) { purpose } }",
        lambda w: {"c": w.self_id},
        PRIVACY_REVIEWERS,
    ),
}


def with_user_errors(mutation: str, input_type: str) -> str:
    return f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ userErrors {{ code }} }} }}"


# Allowed callers get a user error (both a customer and an email named; no such request):
# the matrix writes no erasure request.
OPERATIONS |= {
    "requestErasure": Operation(
        with_user_errors("requestErasure", "RequestErasureInput"),
        lambda w: {"i": {"customerId": w.self_id, "email": unique_email(), "reason": "OTHER"}},
        {"customer-self", "privacy_officer"},
    ),
    "completeErasure": Operation(
        with_user_errors("completeErasure", "CompleteErasureInput"),
        lambda w: {"i": {"subjectId": str(uuid4())}},
        {"privacy_officer"},
    ),
    "erasureRequests": Operation(
        "{ erasureRequests(first: 1) { edges { cursor } } }", lambda w: {}, PRIVACY_REVIEWERS
    ),
    "erasureCertificate": Operation(
        "query($s: UUID!) { erasureCertificate(subjectId: $s) { digest } }",
        lambda w: {"s": w.self_id},
        {"auditor", "privacy_officer"},
        nulls=frozenset({"auditor", "privacy_officer"}),  # not erased: no certificate
    ),
}


# Notifications: agents and admins read them; an admin's retry of an id no failed message has
# is a user error, so the matrix changes nothing.
OPERATIONS |= {
    "notifications": Operation(
        "{ notifications(first: 1) { edges { cursor node { status } } } }",
        lambda w: {},
        STAFF,
    ),
    "registerWebhook": Operation(
        'mutation { registerWebhook(input: {url: "ftp://x", kinds: [PASSWORD_RESET]})'
        " { userErrors { code } } }",
        lambda w: {},
        {"admin"},
    ),
    "retryNotification": Operation(
        'mutation { retryNotification(input: {id: "999999999"}) { userErrors { code } } }',
        lambda w: {},
        {"admin"},
    ),
}

# Reviews: everyone reads a product's published reviews and rating; customers write their own
# (the customer is the caller: there is no customer argument); staff moderate. Orders: staff
# record their steps; staff and the owning customer read them.
CUSTOMERS = {"customer-self", "customer-other"}
OPERATIONS |= {
    "productReviews": Operation(
        '{ productReviews(sku: "MATRIX-1", first: 1) { edges { cursor } } }',
        lambda w: {},
        EVERYONE,
    ),
    "productRating": Operation(
        '{ productRating(sku: "MATRIX-1") { count } }', lambda w: {}, EVERYONE
    ),
    "review": Operation(
        "query($id: UUID!) { review(id: $id) { id } }",
        lambda w: {"id": str(uuid4())},
        EVERYONE,
        nulls=frozenset(EVERYONE),  # an unknown review
    ),
    "reviewsToModerate": Operation(
        "{ reviewsToModerate(first: 1) { edges { cursor } } }", lambda w: {}, STAFF
    ),
    "reviewProduct": Operation(
        "mutation($i: ReviewProductInput!) { reviewProduct(input: $i) { userErrors { code } } }",
        lambda w: {"i": {"sku": "MATRIX-1", "rating": 4, "title": "Fine", "text": "It works."}},
        CUSTOMERS,
    ),
    # An unknown order reads as null to everyone allowed; a customer reads only their own.
    "order": Operation(
        '{ order(id: "no-such-order") { id } }',
        lambda w: {},
        STAFF | CUSTOMERS,
        nulls=frozenset(STAFF | CUSTOMERS),
    ),
    "recordFulfilment": Operation(
        "mutation($i: RecordFulfilmentInput!) { recordFulfilment(input: $i) "
        "{ userErrors { code } } }",
        lambda w: {"i": {"orderId": "no-such-order", "step": "PAID"}},
        STAFF,
    ),
    "moderateReview": Operation(
        "mutation($i: ModerateReviewInput!) { moderateReview(input: $i) { userErrors { code } } }",
        lambda w: {"i": {"reviewId": str(uuid4()), "decision": "PUBLISH"}},
        STAFF,
    ),
}

NO_EVENT = str(uuid4())
EVENT_DETAILS = {
    "title": "Matrix night",
    "startsAt": "2030-01-01T18:00:00Z",
    "endsAt": "2030-01-01T20:00:00Z",
    "place": "Torino",
    "capacity": 0,  # out of bounds: refused, nothing written
    "invitedTiers": ["GOLD"],
}

OPERATIONS |= {
    "upcomingEvents": Operation(
        "{ upcomingEvents(first: 5) { edges { cursor } } }", lambda w: {}, LOGGED_IN
    ),
    "eventGuests": Operation(
        "query($e: UUID!) { eventGuests(eventId: $e) { edges { cursor } } }",
        lambda w: {"e": NO_EVENT},
        {"agent", "admin", "privacy_officer"},
    ),
    "scheduleEvent": by_admin("scheduleEvent", "ScheduleEventInput", lambda: EVENT_DETAILS),
    "changeEvent": by_admin(
        "changeEvent",
        "ChangeEventInput",
        lambda: {"eventId": NO_EVENT, "details": {**EVENT_DETAILS, "capacity": 5}},
    ),
    "cancelEvent": by_admin(
        "cancelEvent", "CancelEventInput", lambda: {"eventId": NO_EVENT, "reason": "matrix"}
    ),
    "rsvpToEvent": on_own_account("rsvpToEvent", "RsvpToEventInput", PROFILE, eventId=NO_EVENT),
    "cancelRsvp": on_own_account("cancelRsvp", "CancelRsvpInput", PROFILE, eventId=NO_EVENT),
    "recordAttendance": on_own_account(
        "recordAttendance", "RecordAttendanceInput", STAFF, eventId=NO_EVENT
    ),
    "billingAccount": Operation(
        "query($c: UUID!) { billingAccount(customerId: $c) { balance } }",
        lambda w: {"c": w.self_id},
        PROFILE,
        nulls=frozenset(PROFILE),  # the provider billed nobody here: null, not refused
    ),
}

# node/nodes on the caller's own customer: any logged-in caller may ask; a customer asking for
# another customer gets NOT_FOUND, as for an id nobody holds (tests/api/test_node_api.py tries
# every Node type with every caller).
OPERATIONS |= {
    "node": Operation(
        "query($id: ID!) { node(id: $id) { id } }",
        lambda w: {"id": w.self_id},
        LOGGED_IN,
        not_found=frozenset({"customer-other"}),
    ),
    "nodes": Operation(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        lambda w: {"ids": [w.self_id]},
        LOGGED_IN,
        not_found=frozenset({"customer-other"}),
    ),
}


# Segments: analysts and admins define them (there is no marketer role); every staff reader
# reads them. Changing or archiving an unknown segment is a user error and writes nothing.
SEGMENT_DESIGNERS = {"analyst", "admin"}
SEGMENT_READERS = READERS - {"customer-self"}
A_RULE = '{predicate: {field: REGION, values: ["EU"]}}'
UNKNOWN_SEGMENT = "00000000-0000-0000-0000-000000000000"
OPERATIONS |= {
    "segment": Operation(
        "query($id: UUID!) { segment(id: $id) { id } }",
        lambda w: {"id": UNKNOWN_SEGMENT},
        SEGMENT_READERS,
        nulls=frozenset(SEGMENT_READERS),
    ),
    "segments": Operation(
        "{ segments(first: 1) { edges { cursor } } }", lambda w: {}, SEGMENT_READERS
    ),
    "previewSegment": Operation(
        f"{{ previewSegment(rule: {A_RULE}) {{ size }} }}", lambda w: {}, SEGMENT_READERS
    ),
    "defineSegment": Operation(
        f'mutation {{ defineSegment(input: {{name: "EU", rule: {A_RULE}}})'
        " { userErrors { code } } }",
        lambda w: {},
        SEGMENT_DESIGNERS,
    ),
    "changeSegmentRule": Operation(
        f'mutation {{ changeSegmentRule(input: {{segmentId: "{UNKNOWN_SEGMENT}", rule: {A_RULE}}})'
        " { userErrors { code } } }",
        lambda w: {},
        SEGMENT_DESIGNERS,
    ),
    "archiveSegment": Operation(
        f'mutation {{ archiveSegment(input: {{segmentId: "{UNKNOWN_SEGMENT}"}})'
        " { userErrors { code } } }",
        lambda w: {},
        SEGMENT_DESIGNERS,
    ),
}


# Campaigns: analysts and admins draft, schedule and launch; only admins cancel; every staff
# reader reads them. An unknown segment or campaign is a user error and writes nothing.
UNKNOWN_CAMPAIGN = "00000000-0000-0000-0000-000000000000"
OPERATIONS |= {
    "campaign": Operation(
        "query($id: UUID!) { campaign(id: $id) { id } }",
        lambda w: {"id": UNKNOWN_CAMPAIGN},
        SEGMENT_READERS,
        nulls=frozenset(SEGMENT_READERS),
    ),
    "campaigns": Operation(
        "{ campaigns(first: 1) { edges { cursor } } }", lambda w: {}, SEGMENT_READERS
    ),
    "draftCampaign": Operation(
        f'mutation {{ draftCampaign(input: {{name: "Winter", segmentId: "{UNKNOWN_SEGMENT}",'
        ' subject: "Hi {first_name}", body: "Hello"}) { userErrors { code } } }',
        lambda w: {},
        SEGMENT_DESIGNERS,
    ),
    "scheduleCampaign": Operation(
        f'mutation {{ scheduleCampaign(input: {{campaignId: "{UNKNOWN_CAMPAIGN}",'
        ' scheduledAt: "2999-01-01T00:00:00Z"}) { userErrors { code } } }',
        lambda w: {},
        SEGMENT_DESIGNERS,
    ),
    "launchCampaign": Operation(
        f'mutation {{ launchCampaign(input: {{campaignId: "{UNKNOWN_CAMPAIGN}"}})'
        " { userErrors { code } } }",
        lambda w: {},
        SEGMENT_DESIGNERS,
    ),
    "cancelCampaign": Operation(
        f'mutation {{ cancelCampaign(input: {{campaignId: "{UNKNOWN_CAMPAIGN}"}})'
        " { userErrors { code } } }",
        lambda w: {},
        {"admin"},
    ),
}


# Testimonials: analysts and admins review; the approved ones are public. Reviewing an unknown
# response is a user error and writes nothing.
OPERATIONS |= {
    "testimonials": Operation(
        "{ testimonials(status: PROPOSED, first: 1) { edges { cursor } } }",
        lambda w: {},
        SEGMENT_DESIGNERS,
    ),
    "publishedTestimonials": Operation(
        "{ publishedTestimonials(first: 1) { edges { cursor } } }", lambda w: {}, EVERYONE
    ),
    "reviewTestimonial": Operation(
        f'mutation {{ reviewTestimonial(input: {{responseId: "{UNKNOWN_SEGMENT}",'
        " decision: APPROVED}) { userErrors { code } } }",
        lambda w: {},
        SEGMENT_DESIGNERS,
    ),
}


def send(world: World, operation: Operation, caller: str) -> httpx.Response:
    identity = CALLERS[caller](world)
    role, subject = identity if identity else (None, "anonymous")
    return world.api.graphql(operation.document, operation.variables(world), role, subject)


OPERATIONS |= {
    "submitFeedback": Operation(
        "mutation($i: SubmitFeedbackInput!) { submitFeedback(input: $i) { userErrors { code } } }",
        lambda w: {
            "i": {"kind": "SUGGESTION", "topic": "matrix", "text": "Hi", "email": unique_email()}
        },
        {"anonymous", "customer-self", "customer-other"},
    ),
    "feedback": Operation(
        "{ feedback(first: 1) { totalCount } }", lambda w: {}, READERS - {"customer-self"}
    ),
    "article": Operation(
        "query($id: UUID!) { article(id: $id) { id } }",
        lambda w: {"id": str(uuid4())},
        EVERYONE,
        nulls=frozenset(EVERYONE),
    ),
    "articles": Operation("{ articles(first: 1) { edges { cursor } } }", lambda w: {}, STAFF),
    "searchArticles": Operation(
        '{ searchArticles(text: "router", first: 1) { rank } }', lambda w: {}, EVERYONE
    ),
    "suggestArticles": Operation(
        '{ suggestArticles(text: "router") { suggestionsShown } }', lambda w: {}, EVERYONE
    ),
    "knowledgeBaseStats": Operation(
        "{ knowledgeBaseStats { deflectionRate } }", lambda w: {}, READERS - {"customer-self"}
    ),
    "draftArticle": Operation(
        "mutation($i: DraftArticleInput!) { draftArticle(input: $i) { userErrors { code } } }",
        lambda w: {
            "i": {
                "content": {
                    "product": "matrix",
                    "category": "roles",
                    "language": "EN",
                    "title": "Matrix",
                    "body": "Who may write me?",
                }
            }
        },
        STAFF,
    ),
    "reviseArticle": Operation(
        "mutation($i: ReviseArticleInput!) { reviseArticle(input: $i) { userErrors { code } } }",
        lambda w: {
            "i": {
                "articleId": str(uuid4()),
                "content": {
                    "product": "matrix",
                    "category": "roles",
                    "language": "EN",
                    "title": "Matrix",
                    "body": "Who may write me?",
                },
            }
        },
        STAFF,
    ),
    "publishArticle": Operation(
        "mutation($i: ArticleStepInput!) { publishArticle(input: $i) { userErrors { code } } }",
        lambda w: {"i": {"articleId": str(uuid4())}},
        STAFF,
    ),
    "archiveArticle": Operation(
        "mutation($i: ArticleStepInput!) { archiveArticle(input: $i) { userErrors { code } } }",
        lambda w: {"i": {"articleId": str(uuid4())}},
        STAFF,
    ),
    "voteOnArticle": Operation(
        "mutation($i: VoteOnArticleInput!) { voteOnArticle(input: $i) { userErrors { code } } }",
        lambda w: {"i": {"articleId": str(uuid4()), "helpful": True}},
        {"anonymous", "customer-self", "customer-other"},
    ),
}
OPERATIONS |= {
    "recommendations": Operation(
        "query($c: UUID!) { recommendations(customerId: $c, first: 3) { sku explanation } }",
        lambda w: {"c": w.self_id},
        READERS,
    ),
}


def test_every_operation_of_the_schema_has_a_row() -> None:
    schema = build_schema()._schema
    assert schema.query_type is not None and schema.mutation_type is not None
    operations = {*schema.query_type.fields, *schema.mutation_type.fields}
    assert sorted(operations - OPERATIONS.keys()) == [], "add a row to OPERATIONS"
    assert sorted(OPERATIONS.keys() - operations) == [], "an operation is gone: drop its row"


MATRIX = [
    pytest.param(name, caller, caller in operation.allowed, id=f"{name}-{caller}")
    for name, operation in OPERATIONS.items()
    for caller in CALLERS
]


@pytest.mark.parametrize(("name", "caller", "is_allowed"), MATRIX)
def test_each_caller_is_allowed_or_refused(
    world: World, name: str, caller: str, is_allowed: bool
) -> None:
    head = world.api.ledger.head_position()
    response = send(world, OPERATIONS[name], caller)
    assert response.status_code == 200, response.text
    assert_no_internals(response)
    body = response.json()
    if is_allowed and caller in OPERATIONS[name].not_found:
        assert error_codes(body) == ["NOT_FOUND"], body
    elif is_allowed:
        assert "errors" not in body, body
        assert (body["data"][name] is None) is (caller in OPERATIONS[name].nulls)
    else:
        assert error_codes(body) == ["FORBIDDEN"]
        assert world.api.ledger.head_position() == head


# --- readers, and tokens that are not ours --------------------------------------------------


def test_a_customer_may_not_read_another_customer(world: World) -> None:
    response = world.api.graphql(
        CUSTOMER, {"id": world.other_id}, role=Role.CUSTOMER, subject=world.self_id
    )
    body = response.json()
    assert error_codes(body) == ["FORBIDDEN"] and body["data"]["customer"] is None


def test_an_analyst_asking_for_an_email_gets_null(world: World) -> None:
    response = world.api.graphql(CUSTOMER, {"id": world.self_id}, role=Role.ANALYST)
    body = response.json()
    assert "errors" not in body
    assert body["data"]["customer"]["id"] == world.self_id
    assert body["data"]["customer"]["email"] is None


ANONYMOUS_EMAIL = "matrix.requester@example.org"
ANONYMOUS_REQUESTER = {
    "agent": ANONYMOUS_EMAIL,
    "admin": ANONYMOUS_EMAIL,
    "analyst": None,
    "auditor": None,
    "privacy_officer": ANONYMOUS_EMAIL,
}
"""What each staff reader reads of an anonymous requester's email on their ticket: the roles
that read a customer's personal data on a ticket, and no one else. The anonymous caller is
refused the ticket query; a customer is answered null (the ticket is no customer's)."""


@pytest.fixture(scope="module")
def anonymous_ticket(world: World) -> tuple[str, str]:
    """A ticket an anonymous complaint opened: (its id, the log position of its opening)."""
    complaint = SubmitFeedback(
        FeedbackKind.COMPLAINT, "matrix", "Who may read my email?", email=ANONYMOUS_EMAIL
    )
    anonymous = EventMetadata("anonymous", Role.ANONYMOUS, Channel.WEB)
    done = world.api.ledger.handle(complaint, anonymous)
    return str(complaint_ticket_id(done.aggregate_id)), str(done.position)


@pytest.mark.parametrize("caller", list(CALLERS))
def test_an_anonymous_requesters_email_is_read_by_the_personal_data_roles_only(
    world: World, anonymous_ticket: tuple[str, str], caller: str
) -> None:
    ticket_id, position = anonymous_ticket
    row = OPERATIONS["ticket"]
    query = Operation(
        "query($id: UUID!, $p: String) { ticket(id: $id, atLeast: $p) "
        "{ customerId requester { anonymous email } } }",
        lambda w: {"id": ticket_id, "p": position},
        row.allowed,
    )
    body = send(world, query, caller).json()
    if caller not in row.allowed:
        assert error_codes(body) == ["FORBIDDEN"]
        return
    read = body["data"]["ticket"]
    if caller in CUSTOMERS:
        assert read is None
        return
    expected = ANONYMOUS_REQUESTER[caller]
    assert read == {"customerId": None, "requester": {"anonymous": True, "email": expected}}


def forged(world: World) -> str:
    """A customer's real token with its role claim edited to admin."""
    header, _, signature = world.api.token(Role.CUSTOMER, world.self_id).split(".")
    claims = jwt.decode(
        world.api.token(Role.ADMIN, world.self_id),
        TEST_JWT_SECRET,
        algorithms=["HS256"],
        issuer="cxledger",
    )
    body = jwt.encode(claims, "x" * 40, algorithm="HS256").split(".")[1]
    return f"{header}.{body}.{signature}"


def expired(world: World) -> str:
    return world.api.tokens.mint("admin-1", Role.ADMIN, ttl_seconds=-60)


def another_key(world: World) -> str:
    now = int(time.time())
    claims = {"sub": "admin-1", "role": "admin", "iss": "cxledger", "iat": now, "exp": now + 60}
    return jwt.encode(claims, "another-secret-" + "z" * 40, algorithm="HS256")


@pytest.mark.parametrize("token", [forged, expired, another_key], ids=lambda f: f.__name__)
def test_a_token_that_is_not_ours_is_refused_with_401_and_writes_nothing(
    world: World, token: Callable[[World], str]
) -> None:
    head = world.api.ledger.head_position()
    register = OPERATIONS["registerCustomer"]
    response = world.api.client.post(
        "/graphql",
        json={"query": register.document, "variables": register.variables(world)},
        headers={"authorization": f"Bearer {token(world)}"},
    )
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "data" not in response.json()
    assert world.api.ledger.head_position() == head
