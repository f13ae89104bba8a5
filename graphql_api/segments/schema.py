"""The segment area's queries and mutations, with who may use each.

There is no marketer role: analysts (the product and marketing managers, as for surveys) and
admins define, change and archive segments. Every staff reader may read them: a segment
lists customer ids and facts-derived sizes, as `customers` does."""

from __future__ import annotations

import strawberry

from domain.shared.metadata import Role
from graphql_api.limits.costs import DASHBOARD_COST
from graphql_api.limits.declare import limited
from graphql_api.limits.gates import heavy
from graphql_api.permissions import READERS, allowed
from graphql_api.segments import payloads, resolvers
from graphql_api.segments.types import SegmentConnection, SegmentPreview, SegmentType

DESIGNERS = frozenset({Role.ADMIN, Role.ANALYST})
READ_BY = "Agents, admins, analysts, auditors and privacy officers."


@strawberry.type(description="Queries about segments.")
class SegmentQueries:
    segment: SegmentType | None = strawberry.field(
        resolver=resolvers.segment,
        description=f"One segment by id; null if unknown. {READ_BY}",
        extensions=allowed(READERS),
    )
    segments: SegmentConnection = strawberry.field(
        resolver=resolvers.segments,
        description="Segments in the order they were defined (Relay connection, "
        f"`first`/`after` or `last`/`before`, up to 100). {READ_BY}",
        extensions=allowed(READERS),
    )
    preview_segment: SegmentPreview = strawberry.field(
        resolver=resolvers.preview_segment,
        extensions=[*limited(DASHBOARD_COST, gate=heavy), *allowed(READERS)],
        description="Who a rule would take in now (size and a sample), without saving it. A "
        f"bad rule is an error with code INVALID_INPUT naming the place. Expensive: it "
        f"waits for a slot of heavy work. {READ_BY}",
    )


@strawberry.type(description="Commands on segments.")
class SegmentMutations:
    define_segment: payloads.DefineSegmentPayload = strawberry.mutation(
        resolver=resolvers.define_segment,
        description="Define a segment; its members are computed from every customer's facts "
        "and then kept as events arrive. Analysts and admins.",
        extensions=allowed(DESIGNERS),
    )
    change_segment_rule: payloads.ChangeSegmentRulePayload = strawberry.mutation(
        resolver=resolvers.change_segment_rule,
        description="Replace a segment's rule; its members are recomputed (who left and "
        "entered is kept). An archived segment is SEGMENT_ARCHIVED. Analysts and admins.",
        extensions=allowed(DESIGNERS),
    )
    archive_segment: payloads.ArchiveSegmentPayload = strawberry.mutation(
        resolver=resolvers.archive_segment,
        description="Archive a segment: every member leaves, its history stays. Analysts and "
        "admins.",
        extensions=allowed(DESIGNERS),
    )
