"""The survey area's queries and mutations, with who may use each.

Analysts (the product and marketing managers) and admins design surveys; agents and admins
invite customers; anyone holding a link's token answers, and a logged-in customer may answer
a survey shown in the app or site. The dashboard is for every staff reader.
"""

from __future__ import annotations

import strawberry

from domain.shared.metadata import Role
from graphql_api.limits.costs import DASHBOARD_COST
from graphql_api.limits.declare import limited
from graphql_api.limits.gates import heavy
from graphql_api.permissions import EVERYONE, READERS, STAFF, allowed
from graphql_api.plain_fields import DIRECT
from graphql_api.surveys import improvement_resolvers, mutations, payloads, queries
from graphql_api.surveys.dashboard import SurveyDashboardType, VersionComparison
from graphql_api.surveys.improvement_types import (
    AnnounceImprovementPayload,
    Improvement,
    ImprovementConnection,
)
from graphql_api.surveys.types import SurveyConnection, SurveyInvitation, SurveyType

DESIGNERS = frozenset({Role.ADMIN, Role.ANALYST})
FOR_DESIGNERS = "Analysts and admins."


@strawberry.type(description="Queries about surveys and their results.")
class SurveyQueries:
    survey: SurveyType | None = strawberry.field(
        resolver=queries.survey,
        description="One survey by id; null if unknown. Staff, analysts, auditors and privacy "
        "officers.",
        extensions=allowed(READERS),
        # Resolved without strawberry's argument conversion and permission wrapper when its
        # arguments are plain (``plain_fields.DIRECT``): the same answer, the same refusal.
        metadata={DIRECT: queries.survey_answer},
    )
    surveys: SurveyConnection = strawberry.field(
        resolver=queries.surveys,
        description="Surveys in the order they were drafted (Relay connection, `first` up to "
        "100), optionally only those in one status. Staff, analysts, auditors and privacy "
        "officers.",
        extensions=allowed(READERS),
    )
    survey_invitation: SurveyInvitation = strawberry.field(
        resolver=queries.survey_invitation,
        description="What an invitation's link shows: the survey's questions and scales, "
        "whether it is open and whether this link was already answered. Anyone holding the "
        "token. An unknown, forged, superseded or expired token is an error with code "
        "INVALID_SURVEY_TOKEN (data null).",
        extensions=allowed(EVERYONE),
    )
    survey_dashboard: SurveyDashboardType = strawberry.field(
        resolver=queries.survey_dashboard,
        description="Survey results under a filter: figures, trend, breakdown, aspects and "
        "what comments say. No identities; for analysts and auditors, nothing about fewer "
        "people than the minimum group size (see SurveyDashboard.minGroupSize). Staff, "
        "analysts, auditors and privacy officers.",
        extensions=allowed(READERS),
    )
    compare_product_versions: VersionComparison = strawberry.field(
        resolver=queries.compare_product_versions,
        description="NPS of two product versions under a filter, and whether the difference "
        "is significant; for analysts and auditors, a version answered by fewer people than "
        "the minimum group size is suppressed. Staff, analysts, auditors and privacy officers.",
        extensions=[*limited(DASHBOARD_COST, gate=heavy), *allowed(READERS)],
    )
    improvement: Improvement | None = strawberry.field(
        resolver=improvement_resolvers.improvement,
        description="One announced improvement by id, with the NPS of its audience before and "
        "after; null if unknown. For analysts and auditors, a side answered by fewer people "
        "than the minimum group size is suppressed. Staff, analysts, auditors and privacy "
        "officers.",
        extensions=[*limited(DASHBOARD_COST, gate=heavy), *allowed(READERS)],
    )
    improvements: ImprovementConnection = strawberry.field(
        resolver=improvement_resolvers.improvements,
        description="Announced improvements in the order they were announced (Relay "
        "connection, `first`/`after` or `last`/`before`, up to 100), each with the NPS of its "
        "audience before and after, suppressed like `improvement`'s. Staff, analysts, "
        "auditors and privacy officers.",
        extensions=[*limited(DASHBOARD_COST, gate=heavy), *allowed(READERS)],
    )


@strawberry.type(description="Commands on surveys, invitations and responses.")
class SurveyMutations:
    draft_survey: payloads.DraftSurveyPayload = strawberry.mutation(
        resolver=mutations.draft_survey,
        description="Draft an NPS, CSAT or CES survey; `surveyId` makes retries safe. "
        f"{FOR_DESIGNERS}",
        extensions=allowed(DESIGNERS),
    )
    edit_survey: payloads.EditSurveyPayload = strawberry.mutation(
        resolver=mutations.edit_survey,
        description="Change a draft; a published or closed survey is SURVEY_NOT_EDITABLE. "
        f"{FOR_DESIGNERS}",
        extensions=allowed(DESIGNERS),
    )
    publish_survey: payloads.PublishSurveyPayload = strawberry.mutation(
        resolver=mutations.publish_survey,
        description=f"Open a draft for invitations and answers. {FOR_DESIGNERS}",
        extensions=allowed(DESIGNERS),
    )
    close_survey: payloads.CloseSurveyPayload = strawberry.mutation(
        resolver=mutations.close_survey,
        description="Close a published survey for good: no more invitations or answers. "
        f"{FOR_DESIGNERS}",
        extensions=allowed(DESIGNERS),
    )
    invite_to_survey: payloads.InviteToSurveyPayload = strawberry.mutation(
        resolver=mutations.invite_to_survey,
        description="Send a customer a link to a published survey on one of its channels, "
        "honouring their opt-ins and research consent (else CONTACT_NOT_PERMITTED). Inviting "
        "again sends a new link; the old one dies. The token goes only to the customer, never "
        "into the answer. Agents and admins.",
        extensions=allowed(STAFF),
    )
    announce_improvement: AnnounceImprovementPayload = strawberry.mutation(
        resolver=improvement_resolvers.announce_improvement,
        description="Announce an improvement of an aspect or a comment theme (exactly one) in a "
        "product version: every customer whose feedback was on it (who scored the aspect, "
        "whose comment mentions the theme) is told by email, if they allow it; the dashboard "
        "then shows their NPS before and after. A topic no feedback is on is UNKNOWN_TOPIC. "
        f"{FOR_DESIGNERS}",
        extensions=allowed(DESIGNERS),
    )
    submit_survey_response: payloads.SubmitSurveyResponsePayload = strawberry.mutation(
        resolver=mutations.submit_survey_response,
        description="Answer a survey, once per invitation (then ALREADY_RESPONDED). Anyone "
        "holding a link's token, logged in or not; without a token, only a logged-in customer, "
        "for themself, to a survey shown in the app or site (others get FORBIDDEN).",
        extensions=allowed(EVERYONE),
    )
