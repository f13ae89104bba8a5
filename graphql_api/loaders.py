"""The request's data loaders: what the fields of many objects ask for, read in one go.

Every loader gathers the keys its fields ask for in one tick of the event loop and reads them
with one query per table (``= ANY``) on one pooled connection, however many customers a page
holds: a page of 100 customers asking for their loyalty accounts costs one read, not 100.
Each loader remembers what it read for the rest of the request; a write forgets it all
(:meth:`Loaders.forget`), so that a payload never shows what was true before its write.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool
from strawberry.dataloader import DataLoader

from projections.customers.queries import consent_histories, customer_360_parts_of
from projections.customers.views import ConsentChange, Customer360Parts
from projections.loyalty.queries import account_views
from projections.loyalty.views import LoyaltyAccountView
from projections.referrals.queries import referrals_of_friends, referrer_views
from projections.referrals.views import ReferralView, ReferrerView
from projections.segments.queries import RfmView, rfm_views
from projections.surveys.queries import latest_nps_categories

V = TypeVar("V")
Read = Callable[[AsyncConnection[Any], Sequence[UUID]], Awaitable[Mapping[UUID, V]]]


class Loaders:
    """One request's loaders, by what they load (each keyed by customer id)."""

    def __init__(self, pool: AsyncConnectionPool[Any]) -> None:
        self._pool = pool
        self.customer_parts: DataLoader[UUID, Customer360Parts | None] = self._by_id(
            lambda conn, ids: customer_360_parts_of(conn, ids)
        )
        self.consent_history: DataLoader[UUID, list[ConsentChange]] = self._by_id(
            consent_histories, missing=list
        )
        self.loyalty_account: DataLoader[UUID, LoyaltyAccountView | None] = self._by_id(
            lambda conn, ids: account_views(conn, ids, datetime.now(UTC))
        )
        self.nps_category: DataLoader[UUID, str | None] = self._by_id(latest_nps_categories)
        self.referrer: DataLoader[UUID, ReferrerView | None] = self._by_id(referrer_views)
        self.referral_of_friend: DataLoader[UUID, ReferralView | None] = self._by_id(
            referrals_of_friends
        )
        self.rfm: DataLoader[UUID, RfmView | None] = self._by_id(rfm_views)
        self._all: list[DataLoader[UUID, Any]] = [
            self.customer_parts,
            self.consent_history,
            self.loyalty_account,
            self.nps_category,
            self.referrer,
            self.referral_of_friend,
            self.rfm,
        ]

    def forget(self) -> None:
        """Forget everything read so far (after a write: it may have changed any of it)."""
        for loader in self._all:
            loader.clear_all()

    def _by_id(
        self, read: Read[V], missing: Callable[[], Any] = lambda: None
    ) -> DataLoader[UUID, Any]:
        async def load(ids: list[UUID]) -> list[Any]:
            async with self._pool.connection() as conn:
                found = await read(conn, ids)
            return [found[i] if i in found else missing() for i in ids]

        return DataLoader(load)
