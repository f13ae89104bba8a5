"""GraphQL types of erasure: requests, their list, and the certificate of a completed one.

None of them holds personal data: the subject is named by id only, and a customer's own id
as the actor of their request is shown as in the other privacy reports (``may_see_actor``).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from graphql_api.auth import Principal
from graphql_api.enums import ErasureReason, ErasureStatus, SubjectKind
from graphql_api.errors import UserError
from graphql_api.mutation import Payload
from graphql_api.notices import NOTICES, Notice
from graphql_api.pagination import PageInfo
from graphql_api.privacy.types import may_see_actor
from projections.privacy.erasure_queries import ErasureCertificate, ErasureRequestView
from projections.privacy.projection import PROJECTION_NAME

VACUUMED = (
    "When the worker's erasure sweep vacuumed the read-model tables that held the subject's "
    "values, after every read model had purged them, so that no dead row version keeps them; "
    "null until then."
)
HOLD = (
    "Days to wait before the erasure may be completed (legal hold), 0 to 3650. Left out: "
    "the configured hold (CXL_ERASURE_HOLD_DAYS). Only privacy officers choose it; a "
    "customer's own request always waits the configured hold."
)


@strawberry.input(description="Whose data to erase, and why. Name the customer or the email.")
class RequestErasureInput:
    customer_id: UUID | None = strawberry.field(
        default=None, description="The customer to erase (a customer may name only themself)."
    )
    email: str | None = strawberry.field(
        default=None,
        description="The email of an invited person to erase (privacy officers only); not "
        "recorded: the request names the subject derived from it.",
    )
    reason: ErasureReason = strawberry.field(description="Why.")
    hold_days: int | None = strawberry.field(default=None, description=HOLD)


@strawberry.input(description="Which subject's requested erasure to carry out.")
class CompleteErasureInput:
    subject_id: UUID = strawberry.field(
        description="The subject of the request (a customer id, or an invitee's subject id as "
        "erasureRequests lists it)."
    )


@strawberry.type(name="ErasureRequest", description="A subject's erasure, requested or done.")
class ErasureRequestType:
    subject_id: UUID = strawberry.field(description="Whose data (an id; never a name or email).")
    subject_kind: SubjectKind = strawberry.field(description="What kind of subject.")
    reason: ErasureReason = strawberry.field(description="Why, as requested.")
    status: ErasureStatus = strawberry.field(description="PENDING, ERASING or COMPLETED.")
    requested_at: datetime = strawberry.field(description="When it was requested.")
    requested_by: str | None = strawberry.field(
        description="Who requested it (a staff id; a customer's own id only for privacy "
        "officers and admins)."
    )
    requested_by_role: str = strawberry.field(description="The role they acted in.")
    hold_until: datetime = strawberry.field(description="Not to be completed before this.")
    completed_at: datetime | None = strawberry.field(description="When it was done; or null.")
    completed_by: str | None = strawberry.field(description="Who completed it; or null.")
    started_at: datetime | None = strawberry.field(
        description="When completion began (key destruction follows at once); or null."
    )
    vacuumed_at: datetime | None = strawberry.field(description=VACUUMED)
    position: str = strawberry.field(description="Log position of the request.")

    @classmethod
    def of(cls, view: ErasureRequestView, principal: Principal) -> ErasureRequestType:
        return cls(
            subject_id=view.subject_id,
            subject_kind=SubjectKind(view.subject_kind),
            reason=ErasureReason(view.reason),
            status=view.status,
            requested_at=view.requested_at,
            requested_by=_actor(view.requested_by, view.requested_by_role, principal),
            requested_by_role=view.requested_by_role,
            hold_until=view.hold_until,
            completed_at=view.completed_at,
            completed_by=view.completed_by,
            started_at=view.started_at,
            vacuumed_at=view.vacuumed_at,
            position=str(view.seq),
        )


@strawberry.type(
    name="ErasureCertificate",
    description="Proof of a completed erasure, without personal data: whose (by id), why, "
    "when requested and completed and by whom, which categories of data, the log positions "
    "whose sealed values the key destruction made unreadable, and the digest recorded with it.",
)
class ErasureCertificateType:
    subject_id: UUID = strawberry.field(description="Whose data (an id).")
    subject_kind: SubjectKind = strawberry.field(description="What kind of subject.")
    also_erased: list[UUID] = strawberry.field(
        description="Other subjects the same person was, erased with it (a customer's email "
        "as an invited person)."
    )
    reason: ErasureReason = strawberry.field(description="Why.")
    requested_at: datetime = strawberry.field(description="When it was requested.")
    requested_by: str | None = strawberry.field(
        description="Who requested it (a customer's own id only for privacy officers)."
    )
    requested_by_role: str = strawberry.field(description="The role they acted in.")
    hold_until: datetime = strawberry.field(description="The legal hold it waited out.")
    completed_at: datetime = strawberry.field(description="When the key was destroyed.")
    completed_by: str = strawberry.field(description="Who completed it (a privacy officer).")
    completed_by_role: str = strawberry.field(description="The role they acted in.")
    categories: list[str] = strawberry.field(description="The categories of data erased.")
    positions: int = strawberry.field(
        description="How many log positions held the subject's sealed values."
    )
    first_position: str | None = strawberry.field(description="The first of them; or null.")
    last_position: str | None = strawberry.field(description="The last of them; or null.")
    position_list: list[str] = strawberry.field(
        description="The positions themselves, in log order (at most 10,000 listed)."
    )
    digest: str = strawberry.field(
        description="SHA-256 (hex) recorded at completion over the subject, kind, reason, "
        "request and completion times, who completed it, the categories and the positions."
    )
    completion_position: str = strawberry.field(description="Log position of the completion event.")
    vacuumed_at: datetime | None = strawberry.field(description=VACUUMED)
    vacuumed_tables: list[str] = strawberry.field(
        description="The read-model tables vacuumed then (empty until vacuumed)."
    )

    @classmethod
    def of(cls, certificate: ErasureCertificate, principal: Principal) -> ErasureCertificateType:
        view = certificate.request
        assert view.completed_at is not None and view.completed_seq is not None
        return cls(
            subject_id=view.subject_id,
            subject_kind=SubjectKind(view.subject_kind),
            also_erased=list(view.also_erased),
            reason=ErasureReason(view.reason),
            requested_at=view.requested_at,
            requested_by=_actor(view.requested_by, view.requested_by_role, principal),
            requested_by_role=view.requested_by_role,
            hold_until=view.hold_until,
            completed_at=view.completed_at,
            completed_by=view.completed_by or "",
            completed_by_role=view.completed_by_role or "",
            categories=list(view.categories or []),
            positions=view.positions or 0,
            first_position=_position(view.first_position),
            last_position=_position(view.last_position),
            position_list=[str(p) for p in certificate.position_list],
            digest=view.digest or "",
            completion_position=str(view.completed_seq),
            vacuumed_at=view.vacuumed_at,
            vacuumed_tables=list(view.vacuumed_tables or []),
        )


@strawberry.type(description="An erasure request and its cursor.")
class ErasureRequestEdge:
    cursor: str = strawberry.field(description="Pass as `after` to read on from here.")
    node: ErasureRequestType = strawberry.field(description="The request.")


@strawberry.type(description="A page of erasure requests, in the order they were requested.")
class ErasureRequestConnection:
    edges: list[ErasureRequestEdge] = strawberry.field(description="The requests of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the list.")


@strawberry.type(description="Result of requestErasure.")
class RequestErasurePayload(Payload):
    erasure_request: ErasureRequestType | None = strawberry.field(
        description="The request (an earlier one for the same subject if there was one); null "
        "if refused, or if the read model did not show it in time (see notices)."
    )
    subject_id: UUID | None = strawberry.field(
        default=None,
        description="The subject to erase (pass it to completeErasure), even when "
        "`erasureRequest` is null because the read model is late; null if refused.",
    )
    position: str | None = strawberry.field(description="Log position of the request.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = PROJECTION_NAME


@strawberry.type(description="Result of completeErasure.")
class CompleteErasurePayload(Payload):
    certificate: ErasureCertificateType | None = strawberry.field(
        description="The erasure's certificate; null if refused, or if the read model did not "
        "show the completion in time (see notices: read erasureCertificate later)."
    )
    subject_id: UUID | None = strawberry.field(
        default=None, description="The subject erased; null if refused."
    )
    position: str | None = strawberry.field(description="Log position of the completion.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = PROJECTION_NAME


def _actor(actor_id: str, actor_role: str, principal: Principal) -> str | None:
    return actor_id if may_see_actor(principal, actor_role) else None


def _position(position: int | None) -> str | None:
    return None if position is None else str(position)
