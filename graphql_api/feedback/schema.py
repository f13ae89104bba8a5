"""The feedback area's query and mutation, with who may use each.

Customers (logged in, or anonymous with an email) give feedback; staff readers list it (the
text only for roles that see personal data); agents follow it live (``graphql_api.live``)."""

from __future__ import annotations

import strawberry

from domain.shared.metadata import Role
from graphql_api.feedback import resolvers
from graphql_api.feedback.payloads import SubmitFeedbackPayload
from graphql_api.feedback.types import FeedbackConnection
from graphql_api.permissions import READERS, allowed


@strawberry.type(description="Queries about feedback.")
class FeedbackQueries:
    feedback: FeedbackConnection = strawberry.field(
        resolver=resolvers.feedback,
        description="Feedback under a filter, newest first (Relay connection). Agents, admins, "
        "analysts, auditors and privacy officers; text, email and themes only for agents, "
        "admins and privacy officers.",
        extensions=allowed(READERS),
    )


@strawberry.type(description="Commands on feedback.")
class FeedbackMutations:
    submit_feedback: SubmitFeedbackPayload = strawberry.mutation(
        resolver=resolvers.submit_feedback,
        description="Give a suggestion, complaint, compliment or question: a logged-in "
        "customer, or anyone anonymous with an email (throttled per address: RATE_LIMITED). A "
        "customer's complaint opens a ticket linked to it. Bad input is INVALID_INPUT on its "
        "field, and nothing is written.",
        extensions=allowed(Role.CUSTOMER, Role.ANONYMOUS),
    )
