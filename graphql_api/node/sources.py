"""Where each Node type is read from, and who may read it: the same roles as the type's own
query (``customer(id)``, ``ticket(id)``, ``survey(id)``, ``rewards``, ``referralsOf`` and
Customer 360's ``referredBy``, Customer 360's ``surveyResponses``), and the customers an object
belongs to."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection

from domain.shared.metadata import Role
from graphql_api.auth import Principal
from graphql_api.customers.types import CustomerType
from graphql_api.loyalty.schema import LOGGED_IN
from graphql_api.loyalty.types import RewardType
from graphql_api.node_interface import Node
from graphql_api.permissions import READERS
from graphql_api.referrals.schema import WHO_REFERRED_WHOM
from graphql_api.referrals.types import ReferralType
from graphql_api.surveys.types import SurveyResponse, SurveyType
from graphql_api.tickets.ticket import TicketType
from projections.customers.projection import CustomerDirectory
from projections.customers.queries import customers_by_ids
from projections.loyalty.catalog_queries import rewards_by_ids
from projections.loyalty.projection import LoyaltyStatements
from projections.nodes import NodeKind
from projections.referrals.projection import ReferralFunnel
from projections.referrals.queries import referrals_by_ids
from projections.surveys.catalog_queries import responses_by_ids, surveys_by_ids
from projections.surveys.projection import SurveyDashboard
from projections.tickets.queries import tickets_by_ids
from projections.tickets.views import PROJECTION_NAME as TICKETS
from projections.tickets.views import TicketView

Read = Callable[[AsyncConnection[Any], Sequence[UUID]], Awaitable[Mapping[UUID, Any]]]


@dataclass(frozen=True)
class NodeSource:
    """How to read one Node type in one query, and who may read which of its objects."""

    read_model: str
    """The projection that writes the table ``read`` reads (``atLeast`` waits for it)."""
    read: Read
    build: Callable[[Any, Principal], Node]
    """Makes the object of a view for the reader (some decide what the reader sees once)."""
    roles: frozenset[Role]
    """Roles that read every object of the type (as the type's own query admits them)."""
    owners: Callable[[Any], tuple[UUID, ...]] | None = None
    """The customers who may read an object as their own; None: customers read none."""

    def may_read_type(self, role: Role) -> bool:
        return role in self.roles or (role is Role.CUSTOMER and self.owners is not None)

    def may_read(self, principal: Principal, view: Any) -> bool:
        """Whether ``principal`` may read the object ``view`` shows."""
        if principal.role in self.roles:
            return True
        return self.owners is not None and any(map(principal.is_subject, self.owners(view)))


async def _tickets_now(conn: AsyncConnection[Any], ids: Sequence[UUID]) -> Mapping[UUID, Any]:
    return await tickets_by_ids(conn, ids, datetime.now(UTC))


def _ticket_owners(view: TicketView) -> tuple[UUID, ...]:
    """The customer whose ticket it is; none for an anonymous requester's."""
    return () if view.customer_id is None else (view.customer_id,)


SOURCES: dict[NodeKind, NodeSource] = {
    NodeKind.CUSTOMER: NodeSource(
        CustomerDirectory.name,
        customers_by_ids,
        CustomerType.of,
        READERS,
        lambda v: (v.customer_id,),
    ),
    NodeKind.TICKET: NodeSource(
        TICKETS, _tickets_now, lambda v, _: TicketType(view=v), READERS, _ticket_owners
    ),
    NodeKind.SURVEY: NodeSource(
        SurveyDashboard.name, surveys_by_ids, lambda v, _: SurveyType.from_view(v), READERS
    ),
    NodeKind.REWARD: NodeSource(
        LoyaltyStatements.name, rewards_by_ids, lambda v, _: RewardType.from_view(v), LOGGED_IN
    ),
    NodeKind.SURVEY_RESPONSE: NodeSource(
        SurveyDashboard.name,
        responses_by_ids,
        lambda r, _: SurveyResponse(view=r.view, customer_id=r.customer_id),
        READERS,
        lambda r: (r.customer_id,),
    ),
    NodeKind.REFERRAL: NodeSource(
        ReferralFunnel.name,
        referrals_by_ids,
        lambda v, _: ReferralType(view=v),
        WHO_REFERRED_WHOM,
        # The referrer (referralsOf) and the friend (Customer 360's referredBy).
        lambda v: (v.referrer_id, v.friend_id),
    ),
}

READ_MODELS = tuple(dict.fromkeys(source.read_model for source in SOURCES.values()))
"""Every read model node and nodes read (an id's type is known only once they are read)."""
