"""Query.node and Query.nodes: any Node by its id, answered as its own query would answer.

Each id is looked up once: one query finds which read model holds which id
(:func:`projections.nodes.node_kinds`), then one query per type reads them all, however many
ids of that type were asked for. What each caller gets for an id:

- not a UUID: null and INVALID_INPUT;
- a type the caller's role may not read at all: null and FORBIDDEN, as the type's own query;
- unknown, or of a type the caller reads only their own of and not theirs (a customer asking
  for another customer, or their ticket): null and NOT_FOUND, the same for both, so that ids
  cannot be probed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, cast
from uuid import UUID

import strawberry

from graphql_api.context import RequestContext
from graphql_api.errors import PublicError
from graphql_api.node.sources import READ_MODELS, SOURCES
from graphql_api.node_interface import MAX_NODE_IDS, Node
from graphql_api.permissions import forbidden
from graphql_api.read_your_writes import AtLeast, wait_for
from projections.nodes import NodeKind, node_kinds

Info = strawberry.Info[RequestContext, None]
Answer = Node | PublicError

# The canonical text of a UUID, in either case (what every id field gives out).
UUID_LENGTH = 36


async def node(
    info: Info,
    id: Annotated[  # noqa: A002 - Relay's name for it
        strawberry.ID, strawberry.argument(description="A global id, as any Node's `id` gave it.")
    ],
    at_least: AtLeast = None,
) -> Node | None:
    await _wait_for_read_models(info.context, at_least)
    (answer,) = await answers(info.context, [id])
    if isinstance(answer, PublicError):
        raise answer
    return answer


async def nodes(
    info: Info,
    ids: Annotated[
        list[strawberry.ID],
        strawberry.argument(description=f"Global ids, at most {MAX_NODE_IDS}."),
    ],
    at_least: AtLeast = None,
) -> list[Node | None]:
    if len(ids) > MAX_NODE_IDS:
        raise PublicError(f"ask for at most {MAX_NODE_IDS} ids at once", "TOO_MANY_IDS")
    await _wait_for_read_models(info.context, at_least)
    # An error in place of an item makes that item null, with the error at its path (GraphQL
    # execution raises an item that is an exception): the other items are still answered.
    return cast(list[Node | None], await answers(info.context, ids))


async def answers(context: RequestContext, raw_ids: list[strawberry.ID]) -> list[Answer]:
    """What the caller gets for each of ``raw_ids``, in their order."""
    role = context.principal.role
    parsed = [_uuid(raw) for raw in raw_ids]
    wanted = list({uid for uid in parsed if uid is not None})
    found: dict[UUID, Node] = {}
    async with context.pool.connection() as conn:
        kinds = await node_kinds(conn, wanted)
        by_kind: dict[NodeKind, list[UUID]] = defaultdict(list)
        for uid, kind in kinds.items():
            if SOURCES[kind].may_read_type(role):
                by_kind[kind].append(uid)
        for kind, ids in by_kind.items():
            source = SOURCES[kind]
            for uid, view in (await source.read(conn, ids)).items():
                if source.may_read(context.principal, view):
                    found[uid] = source.build(view, context.principal)
    return [_answer(uid, kinds, found, context) for uid in parsed]


async def _wait_for_read_models(context: RequestContext, at_least: str | None) -> None:
    """Wait until every read model a Node may come from shows the write at ``at_least``: an id
    is looked up in all of them, so one lagging behind would answer NOT_FOUND."""
    for read_model in READ_MODELS:
        await wait_for(context, read_model, at_least)


def _answer(
    uid: UUID | None, kinds: dict[UUID, NodeKind], found: dict[UUID, Node], context: RequestContext
) -> Answer:
    if uid is None:
        return PublicError("not an id: a global id is a UUID", "INVALID_INPUT")
    kind = kinds.get(uid)
    if kind is not None and not SOURCES[kind].may_read_type(context.principal.role):
        return forbidden()
    return found.get(uid) or PublicError("no object you may read has this id", "NOT_FOUND")


def _uuid(raw: str) -> UUID | None:
    """The UUID ``raw`` writes in its canonical form (8-4-4-4-12 hex digits); None otherwise."""
    if len(raw) != UUID_LENGTH:
        return None
    try:
        parsed = UUID(raw)
    except ValueError:
        return None
    return parsed if str(parsed) == raw.lower() else None
