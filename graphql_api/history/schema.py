"""The history area's queries, with who may use each.

Auditors, privacy officers and admins replay a customer's history and their state as of any
instant. Agents may read the history too (to answer a customer's "what happened to my
order?"), but not reconstruct past states. Customers may not: the history holds staff notes
and other people's actions (their own data is theirs through the data export).
"""

from __future__ import annotations

import strawberry

from domain.shared.metadata import Role
from graphql_api.history import resolvers
from graphql_api.history.types import CustomerAsOfType, CustomerHistoryConnection
from graphql_api.limits.costs import HISTORY_COST, REPLAY_COST
from graphql_api.limits.declare import limited
from graphql_api.limits.gates import heavy
from graphql_api.permissions import allowed

AUDITORS = frozenset({Role.AUDITOR, Role.PRIVACY_OFFICER, Role.ADMIN})
SHOWN = 'Personal values only for roles that may see them (auditors get "[hidden]"); secrets never.'


@strawberry.type(description="Queries for auditors: a customer's history from the log.")
class HistoryQueries:
    customer_history: CustomerHistoryConnection = strawberry.field(
        resolver=resolvers.customer_history,
        description="Every event about the customer across all aggregates, in log order (Relay "
        "connection, `first` up to 100), with type, time, actor, role, channel, correlation, "
        f"causation and the recorded data. {SHOWN} Auditors, privacy officers, admins and agents.",
        extensions=[*limited(HISTORY_COST, gate=heavy), *allowed(AUDITORS | {Role.AGENT})],
    )
    customer_as_of: CustomerAsOfType | None = strawberry.field(
        resolver=resolvers.customer_as_of,
        description="The customer and each aggregate about them as they were at `at`, replayed "
        "from the log (aggregates begun later are absent); null if the customer was not "
        f"registered then. {SHOWN} Auditors, privacy officers and admins.",
        extensions=[*limited(REPLAY_COST, gate=heavy), *allowed(AUDITORS)],
    )
