"""Events -> the product reviews read model.

Inserts are keyed (ON CONFLICT DO NOTHING) and updates apply only past the row's
``last_seq``, so applying an event a second time leaves every row as it was.
"""

from __future__ import annotations

from typing import Any

from psycopg import Cursor

from domain.privacy.erasure import ErasureRequest
from domain.purchase.model import Purchase
from domain.review.model import Review
from domain.review.values import ReviewDecision, ReviewStatus
from projections.base import Projection, handles
from projections.erasure import erased_subjects
from projections.reviews.schema import DDL, TABLES


class ProductReviews(Projection):
    """Every review with its moderation, and the products of every order."""

    name = "product_reviews"
    tables = TABLES
    ddl = DDL
    erasure_purges = ("product_reviews",)

    @handles(Purchase.Recorded)
    def purchase_recorded(self, cursor: Cursor[Any], event: Purchase.Recorded, _: int) -> None:
        skus = sorted({str(line["sku"]) for line in event.items})
        cursor.executemany(
            "INSERT INTO review_order_skus (order_id, sku, customer_id) VALUES (%s, %s, %s)"
            " ON CONFLICT DO NOTHING",
            [(event.order_id, sku, event.customer_id) for sku in skus],
        )

    @handles(Review.Written)
    def written(self, cursor: Cursor[Any], event: Review.Written, position: int) -> None:
        cursor.execute(
            """
            INSERT INTO product_reviews (review_id, seq, sku, customer_id, rating, title, body,
                shown_name, verified_order_id, status, written_at, last_seq)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (review_id) DO NOTHING
            """,
            (event.originator_id, position, event.sku, event.customer_id, event.rating,
             event.title.value, event.text.value, event.shown_name.value,
             event.verified_order_id, ReviewStatus.PENDING.value, event.at, position),
        )  # fmt: skip

    @handles(Review.Edited)
    def edited(self, cursor: Cursor[Any], event: Review.Edited, position: int) -> None:
        cursor.execute(
            """
            UPDATE product_reviews SET rating = %s, title = %s, body = %s,
                verified_order_id = %s, status = %s, reason = NULL, edited_at = %s,
                last_seq = %s
            WHERE review_id = %s AND last_seq < %s
            """,
            (event.rating, event.title.value, event.text.value, event.verified_order_id,
             ReviewStatus.PENDING.value, event.at, position, event.originator_id, position),
        )  # fmt: skip

    @handles(Review.Moderated)
    def moderated(self, cursor: Cursor[Any], event: Review.Moderated, position: int) -> None:
        cursor.execute(
            """
            UPDATE product_reviews SET status = %s, reason = %s, moderated_at = %s,
                last_seq = %s
            WHERE review_id = %s AND last_seq < %s
            """,
            (ReviewDecision(event.decision).status.value, event.reason, event.at, position,
             event.originator_id, position),
        )  # fmt: skip

    @handles(ErasureRequest.Completed)
    def erasure_completed(
        self, cursor: Cursor[Any], event: ErasureRequest.Completed, _: int
    ) -> None:
        """An erased reviewer's words and name go; the rating, the product and the moderation
        stay, so the product's figures do not change."""
        cursor.execute(
            "UPDATE product_reviews SET title = NULL, body = NULL, shown_name = NULL"
            " WHERE customer_id = ANY(%s)"
            " AND (title IS NOT NULL OR body IS NOT NULL OR shown_name IS NOT NULL)",
            (erased_subjects(event),),
        )
