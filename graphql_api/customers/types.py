"""The Customer type and its connection, as frontends see them."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from graphql_api.auth import may_see_personal_data
from graphql_api.context import RequestContext
from graphql_api.pagination import PageInfo
from projections.customers.queries import CustomerView

Info = strawberry.Info[RequestContext, None]


@strawberry.type(name="Customer", description="A person the company serves.")
class CustomerType:
    view: strawberry.Private[CustomerView]

    @strawberry.field(description="The customer's id.")
    def id(self) -> UUID:
        return self.view.customer_id

    @strawberry.field(description="Full name. Personal data: null unless you may see it.")
    def name(self, info: Info) -> str | None:
        return self._personal(info, self.view.name)

    @strawberry.field(description="Normalised email. Personal data: null unless you may see it.")
    def email(self, info: Info) -> str | None:
        return self._personal(info, self.view.email)

    @strawberry.field(description="Phone number. Personal data: null unless you may see it.")
    def phone(self, info: Info) -> str | None:
        return self._personal(info, self.view.phone)

    @strawberry.field(description="Region used for segmentation (not personal data).")
    def region(self) -> str | None:
        return self.view.region

    @strawberry.field(description="True once the customer's personal data has been erased.")
    def personal_data_erased(self) -> bool:
        return self.view.personal_data_erased

    @strawberry.field(description="When the customer registered.")
    def registered_at(self) -> datetime:
        return self.view.registered_at

    @strawberry.field(description="Aggregate version; send it back as expectedVersion.")
    def version(self) -> int:
        return self.view.version

    def _personal(self, info: Info, value: str | None) -> str | None:
        principal = info.context.principal
        return value if may_see_personal_data(principal, self.view.customer_id) else None


@strawberry.type(description="An edge of a customer connection.")
class CustomerEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pass it as `after`.")
    node: CustomerType = strawberry.field(description="The customer.")


@strawberry.type(description="A page of customers in registration order.")
class CustomerConnection:
    edges: list[CustomerEdge] = strawberry.field(description="The customers of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")
    total_count: int = strawberry.field(description="How many customers there are in all.")
