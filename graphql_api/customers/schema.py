"""The customer area's queries and mutations, with who may use each."""

from __future__ import annotations

import strawberry

from domain.shared.metadata import Role
from graphql_api.customers import resolvers
from graphql_api.customers.types import CustomerConnection, CustomerType
from graphql_api.permissions import READERS, STAFF, allowed


@strawberry.type(description="Queries about customers.")
class CustomerQueries:
    customer: CustomerType | None = strawberry.field(
        resolver=resolvers.customer,
        description="One customer by id; null if unknown. Staff, analysts, auditors and "
        "privacy officers; a customer may read only themself.",
        extensions=allowed(READERS, own="id"),
    )
    customers: CustomerConnection = strawberry.field(
        resolver=resolvers.customers,
        description="Customers in registration order (Relay connection, `first` up to 100). "
        "Staff, analysts, auditors and privacy officers.",
        extensions=allowed(READERS),
    )


@strawberry.type(description="Commands on customers.")
class CustomerMutations:
    register_customer: resolvers.RegisterCustomerPayload = strawberry.mutation(
        resolver=resolvers.register_customer,
        description="Register a customer: anyone may register themself (with a password); "
        "agents and admins register customers they serve. Emails are unique; `customerId` "
        "makes retries safe.",
        extensions=allowed(STAFF, Role.ANONYMOUS),
    )
