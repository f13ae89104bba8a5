"""The enhancement priorities' query and mutations, with who may use each.

Analysts (the product managers) and admins decide on themes, as they announce improvements;
every staff reader sees the ranking, with small groups suppressed for those who do not read
the comments themselves. Customers see none of it."""

from __future__ import annotations

import strawberry

from graphql_api.limits.costs import DASHBOARD_COST
from graphql_api.limits.declare import limited
from graphql_api.limits.gates import heavy
from graphql_api.permissions import READERS, allowed
from graphql_api.priorities import resolvers
from graphql_api.priorities.types import (
    EnhancementPriorityConnection,
    MarkThemeDonePayload,
    MarkThemePlannedPayload,
)
from graphql_api.surveys.schema import DESIGNERS, FOR_DESIGNERS


@strawberry.type(description="Queries about enhancement priorities.")
class PriorityQueries:
    enhancement_priorities: EnhancementPriorityConnection = strawberry.field(
        resolver=resolvers.enhancement_priorities,
        description="Themes of survey comments and feedback, ranked by how many people raise "
        "them, then by their NPS impact (most harmful first), optionally under one product "
        "version (Relay connection, `first`/`after`, up to 100). Only themes raised by at "
        "least the reader's minimum group size of people are listed. Staff, analysts, "
        "auditors and privacy officers.",
        extensions=[*limited(DASHBOARD_COST, gate=heavy), *allowed(READERS)],
    )


@strawberry.type(description="Commands on enhancement priorities.")
class PriorityMutations:
    mark_theme_planned: MarkThemePlannedPayload = strawberry.mutation(
        resolver=resolvers.mark_theme_planned,
        description="Put a feedback theme on the roadmap, with an optional note. A planned "
        "theme is THEME_ALREADY_PLANNED, a done one THEME_ALREADY_DONE, one no feedback "
        f"mentions UNKNOWN_TOPIC. {FOR_DESIGNERS}",
        extensions=allowed(DESIGNERS),
    )
    mark_theme_done: MarkThemeDonePayload = strawberry.mutation(
        resolver=resolvers.mark_theme_done,
        description="Say that what a feedback theme asked for shipped (planned or not), with "
        "an optional note; announceImprovement can then tell the customers who raised it. "
        f"Again is THEME_ALREADY_DONE; one no feedback mentions UNKNOWN_TOPIC. {FOR_DESIGNERS}",
        extensions=allowed(DESIGNERS),
    )
