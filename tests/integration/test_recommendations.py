"""Recommendations on a real log: candidates are products bought with the customer's products
by at least two other customers, ranked by the normalised co-occurrence and the customer's own
aspect score on the candidate's category, each explained; an erasure removes the person's rows
and keeps the counts; a rebuild after it gives the live rows."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.privacy.erasure import ErasureReason
from domain.purchase.commands import OrderLineInput, RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import DraftSurvey, SubmitResponse
from domain.survey.values import AspectQuestion, SurveyChannel, SurveyKind
from infrastructure.database import Database
from infrastructure.rebuild import rebuild
from projections.recommendations.projection import ProductAffinity
from projections.recommendations.queries import (
    Recommendation,
    recommendations_for,
    top_recommendation,
)
from tests.support.read_models import owned_rows, project, query

AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
OFFICER = EventMetadata(actor_id="dpo-1", actor_role=Role.PRIVACY_OFFICER, channel=Channel.WEB)
CATEGORIES = {"TEA-1": "tea", "MUG-1": "mugs", "SPOON-1": "mugs"}


class Shop:
    """Customers and their orders through real commands."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.orders = 0

    def customer(self, name: str) -> UUID:
        command = RegisterCustomer(name, f"{name.lower()}@example.org")
        return self.ledger.register_customer(command, AGENT).aggregate_id

    def buys(self, customer: UUID, *skus: str) -> None:
        self.orders += 1
        lines = [OrderLineInput(sku, 1, "10", CATEGORIES.get(sku)) for sku in skus]
        total = str(10 * len(skus))
        order = RecordPurchase(customer, f"order-{self.orders}", total, "EUR",
                               PurchaseChannel.WEB, datetime.now(UTC), lines)  # fmt: skip
        self.ledger.record_purchase(order, AGENT)

    def scores(self, customer: UUID, aspect: str, score: int) -> None:
        aspects = [AspectQuestion.checked(aspect, f"How do you like our {aspect}?")]
        draft = DraftSurvey(SurveyKind.CSAT, "Taste", "Happy?", [SurveyChannel.WEB], aspects)
        survey = self.ledger.draft_survey(draft, ADMIN).aggregate_id
        self.ledger.publish_survey(survey, ADMIN)
        self.ledger.invite_to_survey(survey, customer, SurveyChannel.WEB, AGENT)
        answer = SubmitResponse(4, aspect_scores={aspect: score}, survey_id=survey,
                                customer_id=customer)  # fmt: skip
        self.ledger.submit_survey_response(
            answer, EventMetadata(str(customer), Role.CUSTOMER, Channel.WEB)
        )

    def crowd(self, count: int, *skus: str) -> list[UUID]:
        """``count`` new customers who each bought ``skus`` together."""
        people = [self.customer(f"Buyer{self.orders}x{i}") for i in range(count)]
        for person in people:
            self.buys(person, *skus)
        return people


def recommended(ledger: Ledger, database: Database, customer: UUID) -> list[Recommendation]:
    project(ledger, database, ProductAffinity(), batch_size=3)
    return query(database, lambda conn: recommendations_for(conn, customer, 20))


def test_a_product_bought_with_hers_by_two_customers_is_recommended_and_explained(
    ledger: Ledger, database: Database
) -> None:
    """Two co-buyers of her kettle bought tea: tea is recommended, "bought with KETTLE-1 by 2
    customers"; the kettle itself (hers already) is not."""
    shop = Shop(ledger)
    ada = shop.customer("Ada")
    shop.buys(ada, "KETTLE-1")
    shop.crowd(2, "KETTLE-1", "TEA-1")

    [tea] = recommended(ledger, database, ada)

    assert (tea.sku, tea.category, tea.bought_with, tea.together) == ("TEA-1", "tea", "KETTLE-1", 2)
    assert tea.explanation == "bought with KETTLE-1 by 2 customers"
    kettle_buyers, tea_buyers = 3, 2
    assert tea.score == round(2 / (kettle_buyers * tea_buyers) ** 0.5, 6)


def test_one_other_customer_is_not_enough_support(ledger: Ledger, database: Database) -> None:
    """A product only one other customer bought with hers is never recommended: it would
    tell her what that one person bought."""
    shop = Shop(ledger)
    ada = shop.customer("Ada")
    shop.buys(ada, "KETTLE-1")
    shop.crowd(1, "KETTLE-1", "TEA-1")
    shop.crowd(2, "KETTLE-1", "MUG-1")

    assert [r.sku for r in recommended(ledger, database, ada)] == ["MUG-1"]


def test_a_customer_without_purchases_gets_no_recommendations(
    ledger: Ledger, database: Database
) -> None:
    shop = Shop(ledger)
    ada = shop.customer("Ada")
    shop.crowd(3, "KETTLE-1", "TEA-1")

    assert recommended(ledger, database, ada) == []


def test_candidates_rank_by_normalised_co_occurrence_then_by_sku(
    ledger: Ledger, database: Database
) -> None:
    """A product that everybody buys ranks below one bought mostly with hers (cosine of the
    buyer sets), and equal scores go by the sku."""
    shop = Shop(ledger)
    ada = shop.customer("Ada")
    shop.buys(ada, "KETTLE-1")
    shop.crowd(2, "KETTLE-1", "TEA-1", "SPOON-1", "MUG-1")
    shop.crowd(4, "MUG-1")  # mugs sell everywhere

    ranked = recommended(ledger, database, ada)

    assert [r.sku for r in ranked] == ["SPOON-1", "TEA-1", "MUG-1"]
    kettle_buyers, mug_buyers = 3, 6
    assert ranked[2].score == round(2 / (kettle_buyers * mug_buyers) ** 0.5, 6)


def test_her_low_score_on_the_aspect_named_like_a_category_ranks_it_lower(
    ledger: Ledger, database: Database
) -> None:
    """Tea and spoons tie on co-occurrence; her score 1 on "tea" divides tea's score by 3,
    a later 5 multiplies it by 5/3 (her latest answer counts)."""
    shop = Shop(ledger)
    ada = shop.customer("Ada")
    shop.buys(ada, "KETTLE-1")
    shop.crowd(2, "KETTLE-1", "TEA-1", "SPOON-1")
    shop.scores(ada, "tea", 1)

    low = recommended(ledger, database, ada)
    shop.scores(ada, "tea", 5)
    high = recommended(ledger, database, ada)

    assert [(r.sku, r.aspect_score) for r in low] == [("SPOON-1", None), ("TEA-1", 1)]
    assert low[1].score == round(low[0].score / 3, 6)
    assert [(r.sku, r.aspect_score) for r in high] == [("TEA-1", 5), ("SPOON-1", None)]


def test_the_top_recommendation_is_the_first_of_the_list(
    ledger: Ledger, database: Database
) -> None:
    """The plain function a campaign template uses gives the best one, or None."""
    shop = Shop(ledger)
    ada, bo = shop.customer("Ada"), shop.customer("Bo")
    shop.buys(ada, "KETTLE-1")
    shop.crowd(2, "KETTLE-1", "TEA-1", "MUG-1")
    shop.crowd(1, "TEA-1")

    first = recommended(ledger, database, ada)[0]
    with database.connect() as conn:
        assert top_recommendation(conn, ada) == first
        assert top_recommendation(conn, bo) is None
    assert first.sku == "MUG-1"


def test_an_erasure_removes_the_persons_rows_keeps_the_counts_and_a_rebuild_agrees(
    ledger: Ledger, database: Database
) -> None:
    """The erased co-buyer's products and aspect scores go; the pair and product counts stay
    (anonymous aggregates), so Ada's recommendation is unchanged; rebuilt from the log, the
    read model holds exactly the live rows."""
    shop = Shop(ledger)
    ada = shop.customer("Ada")
    shop.buys(ada, "KETTLE-1")
    gone, _ = shop.crowd(2, "KETTLE-1", "TEA-1")
    shop.scores(gone, "tea", 2)
    before = recommended(ledger, database, ada)

    ledger.request_erasure(gone, None, ErasureReason.CUSTOMER_REQUEST, 0, OFFICER)
    ledger.complete_erasure(gone, OFFICER)

    assert recommended(ledger, database, ada) == before
    live = owned_rows(database, ProductAffinity)
    assert [row for rows in live.values() for row in rows if gone in row] == []
    assert ("KETTLE-1", "TEA-1", 2) in live["affinity_pairs"]
    rebuild(ledger, database, ProductAffinity(), batch_size=5)
    assert owned_rows(database, ProductAffinity) == live
