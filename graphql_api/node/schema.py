"""Query.node and Query.nodes (Relay's Object Identification), with who may use them."""

from __future__ import annotations

import strawberry

from graphql_api.loyalty.schema import LOGGED_IN
from graphql_api.node import resolvers
from graphql_api.node_interface import MAX_NODE_IDS, Node
from graphql_api.permissions import allowed

ANSWERS = (
    "Answered as the type's own query answers the caller: FORBIDDEN for a type your role may "
    "not read; NOT_FOUND for an unknown id and for one that is not yours to read (a customer "
    "reads only their own customer, tickets, survey responses and referrals); INVALID_INPUT "
    "for an id that is not a UUID. Anyone logged in."
)


@strawberry.type(description="Any object by its global id.")
class NodeQueries:
    node: Node | None = strawberry.field(
        resolver=resolvers.node,
        description=f"The object with this global id; null with an error if none you may read. "
        f"{ANSWERS}",
        extensions=allowed(LOGGED_IN),
    )
    nodes: list[Node | None] = strawberry.field(
        resolver=resolvers.nodes,
        description=f"The objects with these global ids, in their order (at most "
        f"{MAX_NODE_IDS}: TOO_MANY_IDS beyond); each one you may not read is null, with an "
        f"error at its index. {ANSWERS}",
        extensions=allowed(LOGGED_IN),
    )
