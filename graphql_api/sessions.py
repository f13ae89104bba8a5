"""Whether a caller's token still stands for a session: a customer's ends when their password
is changed or reset, or their data erased (see :class:`graphql_api.auth.Sessions`). Checked on
every HTTP request and WebSocket connection, after the token's signature and lifetime."""

from __future__ import annotations

from typing import Any

from psycopg_pool import AsyncConnectionPool

from graphql_api.auth import Principal
from graphql_api.context import ApiServices

SESSION_ENDED = (
    "invalid token: its session has ended (the password was changed or reset, or the account "
    "erased); log in again"
)


async def session_is_current(
    services: ApiServices, pool: AsyncConnectionPool[Any], principal: Principal
) -> bool:
    if principal.session_version is None:
        return True  # staff and anonymous callers have no session to end
    async with pool.connection() as conn:
        return await services.sessions.is_current(conn, principal)
