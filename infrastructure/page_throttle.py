"""The pages' form posts, throttled per client address with counters kept in PostgreSQL
(``infrastructure/throttles.py``), so that every API replica counts alike; and the key of the
pages' form tokens, derived from the JWT secret so that every replica has the same one."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from infrastructure.throttles import Counter, WindowCounters, over_any_limit

PAGE_POST_WINDOW = timedelta(minutes=10)


class PagePostThrottle:
    """``graphql_api.limits.page_posts.PagePosts``: at most ``per_window`` posts per address
    in each 10-minute window (CXL_PAGE_POSTS_PER_ADDRESS); a refused post is not counted."""

    def __init__(self, counters: WindowCounters, per_window: int) -> None:
        self._counters = counters
        self._counter = Counter("page posts address", per_window, PAGE_POST_WINDOW)

    @property
    def retry_after(self) -> int:
        return int(PAGE_POST_WINDOW.total_seconds())

    def admit(self, address: str) -> bool:
        counts = [(self._counter, address)]
        return self._counters.hit(counts, over_any_limit(counts))


def page_key(jwt_secret: str) -> bytes:
    """A key of its own for the form tokens (a form token is never a bearer token)."""
    return hmac.new(jwt_secret.encode(), b"cxledger page form tokens", hashlib.sha256).digest()
