"""The contract every read model keeps, checked for each one on one log that touches all of
them: a rebuild from the first event gives exactly the rows the live read model holds (built
in other batch sizes), and applying a batch it has already applied changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from domain.customer.commands import RegisterCustomer, SetContactPreferences
from domain.customer.profile import ConsentPurpose, ContactChannel
from domain.ledger import Ledger
from domain.loyalty.commands import AddReward
from domain.loyalty.values import EarningRule, ProgramTerms, RewardKind, RuleKind
from domain.privacy.erasure import ErasureReason
from domain.purchase.commands import RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import DraftSurvey, SubmitResponse
from domain.survey.values import AspectQuestion, SurveyChannel, SurveyKind
from infrastructure.database import Database
from infrastructure.rebuild import rebuild
from projections.base import Projection
from projections.registry import build_projections
from tests.integration.history_world import AGENT, World, populate
from tests.support.ledgers import TEST_AUDIT_KEYS
from tests.support.read_models import apply_again, owned_rows, project

OFFICER = EventMetadata(actor_id="dpo-1", actor_role=Role.PRIVACY_OFFICER, channel=Channel.WEB)
ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
READ_MODELS = build_projections(TEST_AUDIT_KEYS.chain)
REBUILDABLE = [p for p in READ_MODELS if p.rebuildable]


def by_name(projections: list[Projection]) -> list[object]:
    return [pytest.param(p, id=p.name) for p in projections]


@pytest.fixture
def world(ledger: Ledger) -> World:
    """Every feature once (``history_world``), and what fills the tables it leaves empty."""
    world = populate(ledger)
    customer_tables(ledger, world.ada)
    loyalty_tables(ledger, world.ada)
    survey_aspects(ledger, world.bo)
    ledger.invite_friend(world.ada, "cy@example.org", AGENT)
    ledger.register_customer(RegisterCustomer("Cy Invited", "cy@example.org"), AGENT)
    ledger.record_data_export(world.ada, "access request #1", ["customer"], OFFICER)
    ledger.request_erasure(world.bo, None, ErasureReason.CUSTOMER_REQUEST, 0, OFFICER)
    return world


def customer_tables(ledger: Ledger, customer_id: UUID) -> None:
    channels = SetContactPreferences(customer_id, {ContactChannel.EMAIL: True})
    ledger.set_contact_preferences(channels, AGENT)
    ledger.give_consent(customer_id, ConsentPurpose.MARKETING, AGENT)
    ledger.complete_onboarding_step(customer_id, "profile_completed", AGENT)


def loyalty_tables(ledger: Ledger, member_id: UUID) -> None:
    """A rule, a reward, new terms, and an order that lifts the member to silver."""
    rule = EarningRule(uuid4(), "1 point per euro", RuleKind.BASE_RATE, points_per_unit=1)
    ledger.define_earning_rule(rule, ADMIN)
    ledger.add_reward(AddReward("Coffee", RewardKind.FREE_PRODUCT, 100), ADMIN)
    ledger.change_program_terms(ProgramTerms(400, 10), ADMIN)
    order = RecordPurchase(
        member_id, "big-1", "1500", "EUR", PurchaseChannel.WEB, datetime.now(UTC)
    )
    ledger.record_purchase(order, AGENT)
    ledger.earn_points_for_order("big-1", EventMetadata.system("loyalty-earning"))


def survey_aspects(ledger: Ledger, customer_id: UUID) -> None:
    """An answer that scores an aspect question."""
    aspects = [AspectQuestion.checked("delivery", "How was the delivery?")]
    drafted = DraftSurvey(SurveyKind.CSAT, "Delivery", "Happy?", [SurveyChannel.WEB], aspects)
    survey_id = ledger.draft_survey(drafted, ADMIN).aggregate_id
    ledger.publish_survey(survey_id, ADMIN)
    ledger.invite_to_survey(survey_id, customer_id, SurveyChannel.WEB, AGENT)
    answer = SubmitResponse(
        4, aspect_scores={"delivery": 5}, survey_id=survey_id, customer_id=customer_id
    )
    as_them = EventMetadata(str(customer_id), Role.CUSTOMER, Channel.WEB)
    ledger.submit_survey_response(answer, as_them)


def test_every_read_model_is_checked_on_a_log_that_touches_it(
    ledger: Ledger, database: Database, world: World
) -> None:
    empty = []
    for projection in READ_MODELS:
        project(ledger, database, projection, batch_size=50)
        rows = owned_rows(database, projection)
        empty += [f"{projection.name}.{table}" for table, held in rows.items() if not held]
    assert len(READ_MODELS) >= 10
    assert empty == []


@pytest.mark.parametrize("batch_size", [7, 100_000], ids=["batches", "one-batch"])
@pytest.mark.parametrize("projection", by_name(REBUILDABLE))
def test_a_rebuild_gives_the_rows_the_live_read_model_holds(
    ledger: Ledger, database: Database, world: World, projection: Projection, batch_size: int
) -> None:
    project(ledger, database, projection, batch_size=3)
    live = owned_rows(database, projection)

    rebuild(ledger, database, projection, batch_size=batch_size)

    assert owned_rows(database, projection) == live


@pytest.mark.parametrize("projection", by_name(READ_MODELS))
def test_applying_a_batch_again_changes_nothing(
    ledger: Ledger, database: Database, world: World, projection: Projection
) -> None:
    project(ledger, database, projection, batch_size=5)
    live = owned_rows(database, projection)

    apply_again(ledger, database, projection)

    assert owned_rows(database, projection) == live
