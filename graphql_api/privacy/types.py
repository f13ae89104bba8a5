"""GraphQL types of the privacy area."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry
from strawberry.scalars import JSON

from domain.shared.metadata import Role
from graphql_api.auth import Principal
from graphql_api.errors import UserError
from graphql_api.mutation import Payload
from projections.privacy.queries import DataExportView

SEES_EVERY_ACTOR = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN})


def may_see_actor(principal: Principal, actor_role: str) -> bool:
    """Staff ids are not the customer's personal data: every reader sees them. The customer's
    own id (when they acted themself) is: only privacy officers and admins see it."""
    return principal.role in SEES_EVERY_ACTOR or actor_role != Role.CUSTOMER.value


@strawberry.input(description="Whose data to export, and why.")
class ExportCustomerDataInput:
    customer_id: UUID = strawberry.field(description="The customer whose data to export.")
    reason: str = strawberry.field(
        description="Why (1 to 500 characters, e.g. 'access request #12'); recorded with the "
        "export. Not the customer's personal data: do not put any in it."
    )
    export_id: UUID | None = strawberry.field(
        default=None,
        description="Idempotency key: a retry with the same id records nothing new.",
    )


@strawberry.type(description="Result of exportCustomerData.")
class ExportCustomerDataPayload(Payload):
    export_id: UUID | None = strawberry.field(description="The recorded export; null if refused.")
    position: str | None = strawberry.field(
        description="Log position of the export's record; pass it as `atLeast` to dataExports."
    )
    document: JSON | None = strawberry.field(
        description="The export: {schema, subject, generated_at, export, "
        "read_models_caught_up, sections}; `schema` describes every section and field."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")


@strawberry.type(name="DataExport", description="One recorded export of a customer's data.")
class DataExportType:
    export_id: UUID = strawberry.field(description="The export's id.")
    customer_id: UUID = strawberry.field(description="Whose data was exported.")
    reason: str = strawberry.field(description="Why, as recorded.")
    sections: list[str] = strawberry.field(description="Which sections it held.")
    exported_at: datetime = strawberry.field(description="When.")
    actor_id: str | None = strawberry.field(
        description="Who exported (a staff id, or the customer's own id: that one only for "
        "privacy officers and admins)."
    )
    actor_role: str = strawberry.field(description="The role they acted in.")
    channel: str = strawberry.field(description="Where the request came from, e.g. web.")
    position: str = strawberry.field(description="Log position of the record.")

    @classmethod
    def of(cls, view: DataExportView, principal: Principal) -> DataExportType:
        return cls(
            export_id=view.export_id,
            customer_id=view.subject_id,
            reason=view.reason,
            sections=list(view.sections),
            exported_at=view.exported_at,
            actor_id=view.actor_id if may_see_actor(principal, view.actor_role) else None,
            actor_role=view.actor_role,
            channel=view.channel,
            position=str(view.seq),
        )
