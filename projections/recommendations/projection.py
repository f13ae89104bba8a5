"""Events -> the product affinity read model (see ``affinity`` for how pairs are counted).

Purchases and survey answers are folded per batch and written set-based. An erasure deletes
the person's rows (what they bought, how they scored) and keeps the anonymous aggregates
(buyers per product, customers per pair): removing a person from a count would need what
they bought, which is exactly what the erasure removes. Purchase lines and aspect scores are
not sealed personal values, so a rebuild decodes the erased customer's purchases, counts them
again, and the replayed completion deletes their rows again: the rebuilt model equals the
live one.

Refunds do not undo a purchase here: a customer who bought two products together still
bought them together, which is what the pair counts say.
"""

from __future__ import annotations

from typing import Any

from psycopg import Cursor

from domain.privacy.erasure import ErasureRequest
from domain.purchase.model import Purchase
from domain.survey.model import Invitation
from projections.base import Projection, folds, handles
from projections.erasure import erased_subjects
from projections.recommendations.affinity import AffinityChanges
from projections.recommendations.schema import DDL, TABLES


class ProductAffinity(Projection):
    """Products per customer, co-buyers per product pair, aspect scores per customer."""

    name = "product_affinity"
    tables = TABLES
    ddl = DDL
    erasure_purges = ("affinity_purchases", "affinity_aspects")
    reads_personal_data = False
    """It stores no sealed value: skus, categories and scores are in clear in the events."""

    def changes(self) -> AffinityChanges:
        return AffinityChanges()

    @folds(Purchase.Recorded)
    def purchase_recorded(self, changes: AffinityChanges, event: Purchase.Recorded, _: int) -> None:
        for line in event.items:
            changes.add_line(event.customer_id, str(line["sku"]), line.get("category"))

    @folds(Invitation.Responded)
    def responded(
        self, changes: AffinityChanges, event: Invitation.Responded, position: int
    ) -> None:
        for aspect, score in event.aspect_scores.items():
            changes.add_aspect(event.customer_id, aspect, score, position)

    @handles(ErasureRequest.Completed)
    def erasure_completed(
        self, cursor: Cursor[Any], event: ErasureRequest.Completed, _: int
    ) -> None:
        subjects = erased_subjects(event)
        cursor.execute("DELETE FROM affinity_purchases WHERE customer_id = ANY(%s)", (subjects,))
        cursor.execute("DELETE FROM affinity_aspects WHERE customer_id = ANY(%s)", (subjects,))
