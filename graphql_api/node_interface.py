"""The Relay ``Node`` interface: an object a client can fetch again by its id alone.

Each implementing type keeps the UUID it always had as its id (every aggregate's UUID is
unique in the event store, so it is already a global id); only its GraphQL type is ``ID!``
instead of ``UUID!``, which JSON clients cannot tell apart. Query.node/nodes (graphql_api/node)
read any of them again.
"""

from __future__ import annotations

import strawberry

MAX_NODE_IDS = 100
"""The most ids one `nodes` call takes (it refuses more with TOO_MANY_IDS)."""


@strawberry.interface(
    name="Node",
    description="An object with a global id: `node(id:)` and `nodes(ids:)` fetch it again "
    "(Relay's Object Identification). The id is the object's UUID, unique across every type.",
)
class Node:
    @strawberry.field(
        description="The object's global id: its UUID, which no object of another type shares."
    )
    def id(self) -> strawberry.ID:
        # Every implementing type answers with its own UUID; the interface only declares it.
        raise NotImplementedError
