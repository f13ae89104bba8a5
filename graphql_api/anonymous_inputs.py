"""Anonymous writes through the API (feedback, article votes) are throttled per client
address like the pages' form posts: the same counters in PostgreSQL
(``CXL_PAGE_POSTS_PER_ADDRESS`` in a 10-minute window), so every replica counts alike."""

from __future__ import annotations

from domain.shared.metadata import Role
from graphql_api.context import RequestContext
from graphql_api.errors import UserError

RATE_LIMITED = "RATE_LIMITED"


async def anonymous_refusal(context: RequestContext) -> list[UserError]:
    """A RATE_LIMITED user error when an anonymous caller used up their address's posts;
    nothing for a logged-in caller, whose token's rate limit applies instead."""
    posts = context.services.page_posts
    if context.principal.role is not Role.ANONYMOUS or posts is None:
        return []
    if await context.run_command(posts.admit, context.client_address):
        return []
    message = f"too many anonymous posts from this address; retry in {posts.retry_after} s"
    return [UserError(field=None, code=RATE_LIMITED, message=message)]
