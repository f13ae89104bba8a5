"""Payload of submitFeedback: what was written, never the feedback itself (its sender may be
anonymous, and the inbox is for staff)."""

from __future__ import annotations

from uuid import UUID

import strawberry

from domain.feedback.model import Feedback
from domain.shared.application import CommandResult
from graphql_api.context import RequestContext
from graphql_api.errors import UserError
from graphql_api.mutation import Fields, Payload
from graphql_api.notices import NOTICES, Notice
from projections.feedback.views import PROJECTION_NAME


@strawberry.type(description="Result of submitFeedback.")
class SubmitFeedbackPayload(Payload):
    feedback_id: UUID | None = strawberry.field(
        default=None, description="The feedback recorded; null if refused."
    )
    ticket_id: UUID | None = strawberry.field(
        default=None, description="The ticket a logged-in customer's complaint opened."
    )
    position: str | None = strawberry.field(
        default=None, description="Log position of the write; pass it as `atLeast`."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was written."
    )
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = PROJECTION_NAME

    @classmethod
    async def shown(cls, context: RequestContext, result: CommandResult) -> Fields:
        feedback = await context.run_command(context.ledger.find, result.aggregate_id)
        ticket_id = feedback.ticket_id if isinstance(feedback, Feedback) else None
        return {"feedback_id": result.aggregate_id, "ticket_id": ticket_id}
