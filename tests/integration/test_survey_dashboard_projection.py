"""The survey dashboard read model, driven by real commands: its figures, breakdowns, aspects
and insight; segments frozen at response time; erased comments; identical rebuilds; live
notifications; and every filter served by an index."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

import pytest
from psycopg import sql

from domain.customer.commands import ChangeDemographics, RegisterCustomer, SetContactPreferences
from domain.customer.profile import ContactChannel
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import DraftSurvey, SubmitResponse
from domain.survey.model import Invitation
from domain.survey.values import AspectQuestion, SurveyChannel, SurveyKind
from infrastructure.database import Database
from infrastructure.rebuild import rebuild
from projections.base import Positioned
from projections.outbox.projection import NotificationOutbox
from projections.outbox.queries import pending_notifications_sync
from projections.surveys.dashboard_queries import _RESPONSES, people_count
from projections.surveys.filters import condition
from projections.surveys.projection import NOTIFY_CHANNEL, SurveyDashboard
from projections.surveys.queries import (
    UnknownTimeZoneError,
    aspect_figures,
    breakdown,
    customer_responses,
    dashboard,
    feedback_insight,
    latest_nps_category,
    survey_by_id,
    surveys_page,
    trend,
)
from projections.surveys.small_groups import EVERY_GROUP
from projections.surveys.views import DashboardFilter, Dimension, TrendInterval
from tests.support import read_models
from tests.support.event_versions import RESPONDED_V2_FIELDS, as_stored_before
from tests.support.ledgers import postgres_ledger
from tests.support.loyalty import make_silver
from tests.support.outbox import token_of
from tests.support.read_models import query

T = TypeVar("T")
ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
ANONYMOUS = EventMetadata(actor_id="anonymous", actor_role=Role.ANONYMOUS, channel=Channel.WEB)
ALL = DashboardFilter()


def project(ledger: Ledger, database: Database, batch_size: int = 3) -> None:
    for projection in (SurveyDashboard(), NotificationOutbox()):
        read_models.project(ledger, database, projection, batch_size)


@dataclass
class World:
    survey: UUID
    ada: UUID  # EU, email, promoter with a comment; invited as bronze, answers as silver
    bob: UUID  # US, email, detractor with a comment
    cy: UUID  # EU, in the web site, passive
    di: UUID  # US, email, invited but silent


def customer(ledger: Ledger, agent: EventMetadata, name: str, region: str) -> UUID:
    command = RegisterCustomer(name, f"{name.lower()}@example.org", "+49 30 1234567", region)
    customer_id = ledger.register_customer(command, agent).aggregate_id
    email = SetContactPreferences(customer_id, {ContactChannel.EMAIL: True})
    ledger.set_contact_preferences(email, agent)
    return customer_id


def answer_by_link(ledger: Ledger, database: Database, customer_id: UUID, **answer: Any) -> None:
    project(ledger, database)
    with database.connect() as conn:
        messages = pending_notifications_sync(conn, "survey_invitation")
    [message] = [m for m in messages if m.customer_id == customer_id]
    ledger.submit_survey_response(
        SubmitResponse(token=token_of(ledger, message), **answer), ANONYMOUS
    )


def populate(ledger: Ledger, database: Database, agent: EventMetadata) -> World:
    aspects = [
        AspectQuestion.checked(key, f"How was our {key}?")
        for key in ("pricing", "product_quality", "customer_support")
    ]
    channels = [SurveyChannel.EMAIL, SurveyChannel.WEB]
    draft = DraftSurvey(SurveyKind.NPS, "Q3 NPS", "Recommend us?", channels, aspects, "2.0")
    survey = ledger.draft_survey(draft, ADMIN).aggregate_id
    ledger.publish_survey(survey, ADMIN)
    world = World(
        survey,
        customer(ledger, agent, "Ada", "EU"),
        customer(ledger, agent, "Bob", "US"),
        customer(ledger, agent, "Cy", "EU"),
        customer(ledger, agent, "Di", "US"),
    )
    ledger.enrol_in_loyalty(world.ada, agent)
    for invited in (world.ada, world.bob, world.di):
        ledger.invite_to_survey(survey, invited, SurveyChannel.EMAIL, ADMIN)
    make_silver(ledger, world.ada)
    good = "Great product quality and fast delivery"
    ada_aspects = {"pricing": 2, "product_quality": 5}
    answer_by_link(ledger, database, world.ada, score=10, comment=good, aspect_scores=ada_aspects)
    bad = "Customer support was slow and terrible, never called back. Very disappointed"
    bob_aspects = {"pricing": 1, "customer_support": 1}
    answer_by_link(ledger, database, world.bob, score=3, comment=bad, aspect_scores=bob_aspects)
    in_product = SubmitResponse(score=8, survey_id=survey, customer_id=world.cy)
    ledger.submit_survey_response(
        in_product, EventMetadata(str(world.cy), Role.CUSTOMER, Channel.WEB)
    )
    project(ledger, database)
    return world


def test_the_dashboard_counts_invitations_responses_nps_and_its_margin_of_error(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    world = populate(ledger, database, agent)

    figures = query(database, lambda conn: dashboard(conn, ALL, min_group_size=EVERY_GROUP))

    assert (figures.invitations, figures.responses, figures.response_rate) == (4, 3, 75.0)
    nps = figures.nps
    assert (nps.responses, nps.promoters, nps.passives, nps.detractors) == (3, 1, 1, 1)
    assert nps.nps == 0.0
    # p = q = 1/3: variance 2/3, MoE = 1.96 * sqrt((2/3) / 3) * 100
    assert nps.margin_of_error == pytest.approx(92.395, abs=1e-3)
    assert (figures.csat_responses, figures.csat, figures.ces_average) == (0, None, None)
    assert figures.average_completion_seconds is not None
    only_survey = query(
        database,
        lambda conn: dashboard(conn, DashboardFilter(world.survey), min_group_size=EVERY_GROUP),
    )
    assert only_survey == figures
    elsewhere = query(
        database,
        lambda conn: dashboard(conn, DashboardFilter(UUID(int=1)), min_group_size=EVERY_GROUP),
    )
    assert (elsewhere.responses, elsewhere.response_rate, elsewhere.nps.nps) == (0, None, None)


def test_breakdowns_group_by_region_and_channel_with_their_own_response_rates(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    populate(ledger, database, agent)

    regions = query(
        database, lambda conn: breakdown(conn, ALL, Dimension.REGION, min_group_size=EVERY_GROUP)
    )
    channels = query(
        database, lambda conn: breakdown(conn, ALL, Dimension.CHANNEL, min_group_size=EVERY_GROUP)
    )

    assert [(g.value, g.figures.invitations, g.figures.responses) for g in regions] == [
        ("EU", 2, 2),
        ("US", 2, 1),
    ]
    assert [(g.figures.nps.nps, g.figures.response_rate) for g in regions] == [
        (50.0, 100.0),
        (-100.0, 50.0),
    ]
    assert [(g.value, g.figures.invitations, g.figures.responses) for g in channels] == [
        ("email", 3, 2),
        ("web", 1, 1),
    ]
    eu = query(
        database,
        lambda conn: dashboard(conn, DashboardFilter(region="EU"), min_group_size=EVERY_GROUP),
    )
    assert eu == regions[0].figures


def test_tier_breakdowns_freeze_the_tier_at_issue_for_invitations_and_at_answer_for_responses(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    world = populate(ledger, database, agent)

    tiers = query(
        database, lambda conn: breakdown(conn, ALL, Dimension.TIER, min_group_size=EVERY_GROUP)
    )

    assert [(g.value, g.figures.invitations, g.figures.responses) for g in tiers] == [
        ("bronze", 1, 0),
        ("silver", 0, 1),
        (None, 3, 2),
    ]
    silver = query(
        database,
        lambda conn: dashboard(conn, DashboardFilter(tier="silver"), min_group_size=EVERY_GROUP),
    )
    assert silver == tiers[1].figures and silver.nps.promoters == 1
    [ada] = query(database, lambda conn: customer_responses(conn, world.ada, 10, 0)).items
    assert ada.tier == "silver"


def test_aspects_come_weakest_first_and_insight_names_themes_without_identities(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    populate(ledger, database, agent)

    aspects = query(database, lambda conn: aspect_figures(conn, ALL, min_group_size=EVERY_GROUP))
    insight = query(
        database, lambda conn: feedback_insight(conn, ALL, limit=50, min_group_size=EVERY_GROUP)
    )

    assert [(a.aspect, a.responses, a.average, a.low_share) for a in aspects] == [
        ("customer_support", 1, 1.0, 100.0),
        ("pricing", 2, 1.5, 100.0),
        ("product_quality", 1, 5.0, 0.0),
    ]
    assert (insight.comments, insight.positive, insight.neutral, insight.negative) == (2, 1, 0, 1)
    detractor_terms = [t.term for t in insight.detractor_themes]
    assert "customer support" in detractor_terms and "slow" in detractor_terms
    assert not {"product quality", "delivery"} & set(detractor_terms)
    promoter_terms = [t.term for t in insight.promoter_themes]
    assert "product quality" in promoter_terms and "customer support" not in promoter_terms
    support = insight.detractor_themes[detractor_terms.index("customer support")]
    assert (support.mentions, support.detractor_mentions, support.promoter_mentions) == (1, 1, 0)
    assert insight.weakest_aspects == aspects
    assert "Ada" not in repr(insight) and "Bob" not in repr(insight)


def test_the_catalog_and_a_customers_responses_read_back_with_their_comment(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    world = populate(ledger, database, agent)

    survey = query(database, lambda conn: survey_by_id(conn, world.survey))
    page = query(database, lambda conn: surveys_page(conn, 10, 0, "published"))
    drafts = query(database, lambda conn: surveys_page(conn, 10, 0, "draft"))
    responses = query(database, lambda conn: customer_responses(conn, world.ada, 10, 0))

    assert survey is not None and survey.status == "published" and survey.version == 2
    assert survey.aspects[0] == ("pricing", "How was our pricing?")
    assert [s.survey_id for s in page.items] == [world.survey] and not page.has_next_page
    assert drafts.items == []
    [response] = responses.items
    assert (response.survey_title, response.score, response.nps_category) == (
        "Q3 NPS",
        10,
        "promoter",
    )
    assert response.comment == "Great product quality and fast delivery"
    assert response.sentiment is not None and response.sentiment > 0.05
    assert response.aspect_scores == {"pricing": 2, "product_quality": 5}
    assert (response.channel, response.region, response.product_version) == ("email", "EU", "2.0")
    assert query(database, lambda conn: latest_nps_category(conn, world.bob)) == "detractor"
    assert query(database, lambda conn: latest_nps_category(conn, world.di)) is None


def test_a_trend_day_starts_at_midnight_in_the_zone_asked_for_and_bad_zones_are_refused(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    populate(ledger, database, agent)

    points = query(
        database,
        lambda conn: trend(conn, ALL, TrendInterval.DAY, "Asia/Tokyo", min_group_size=EVERY_GROUP),
    )

    assert sum(p.figures.responses for p in points) == 3
    assert sum(p.figures.invitations for p in points) == 4
    for point in points:
        assert str(point.period_start.tzinfo) == "Asia/Tokyo"
        assert (point.period_start.hour, point.period_start.minute) == (0, 0)
    with pytest.raises(UnknownTimeZoneError):
        query(
            database,
            lambda conn: trend(
                conn, ALL, TrendInterval.DAY, "Mars/Olympus", min_group_size=EVERY_GROUP
            ),
        )


def test_a_customer_moving_region_after_answering_does_not_move_the_breakdown(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    world = populate(ledger, database, agent)
    before = query(
        database, lambda conn: breakdown(conn, ALL, Dimension.REGION, min_group_size=EVERY_GROUP)
    )

    ledger.change_demographics(ChangeDemographics(world.ada, region="APAC"), agent)
    project(ledger, database)

    assert (
        query(
            database,
            lambda conn: breakdown(conn, ALL, Dimension.REGION, min_group_size=EVERY_GROUP),
        )
        == before
    )


def test_an_erased_respondents_comment_rebuilds_without_text_with_scores_and_sentiment_intact(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    world = populate(ledger, database, agent)
    before = query(database, lambda conn: dashboard(conn, ALL, min_group_size=EVERY_GROUP))
    insight_before = query(
        database, lambda conn: feedback_insight(conn, ALL, min_group_size=EVERY_GROUP)
    )
    with database.connect() as conn:
        conn.execute("DELETE FROM cxl_subject_keys WHERE subject_id = %s", (world.bob,))
        conn.commit()

    with postgres_ledger(database) as fresh:  # no key cached from before the erasure
        rebuild(fresh, database, SurveyDashboard(), batch_size=5)

    [response] = query(database, lambda conn: customer_responses(conn, world.bob, 10, 0)).items
    assert (response.score, response.comment) == (3, None)
    assert response.sentiment is not None and response.sentiment < 0
    assert response.aspect_scores == {"pricing": 1, "customer_support": 1}
    assert query(database, lambda conn: dashboard(conn, ALL, min_group_size=EVERY_GROUP)) == before
    insight = query(database, lambda conn: feedback_insight(conn, ALL, min_group_size=EVERY_GROUP))
    figures = ("comments", "average_sentiment", "positive", "neutral", "negative")
    assert [getattr(insight, f) for f in figures] == [getattr(insight_before, f) for f in figures]
    assert (insight.comments, insight.negative) == (2, 1)
    assert insight.detractor_themes == []
    with database.connect() as conn:
        terms = conn.execute(
            "SELECT count(*) FROM survey_comment_terms WHERE response_id = %s",
            (response.response_id,),
        ).fetchone()
    assert terms == (0,)


def logged_events(ledger: Ledger) -> list[Positioned]:
    rows = ledger.recorder.select_notifications(start=1, limit=1000)
    return [Positioned(row.id, ledger.mapper.to_domain_event(row)) for row in rows]


def apply_directly(database: Database, events: list[Positioned], *, empty: bool) -> None:
    with database.connect() as conn, conn.cursor() as cursor:
        if empty:
            tables = sql.SQL(", ").join(sql.Identifier(t) for t in SurveyDashboard.tables)
            cursor.execute(sql.SQL("TRUNCATE {}").format(tables))
        SurveyDashboard().apply(cursor, events)
        conn.commit()


def test_a_version_1_response_gets_its_sentiment_computed_from_the_comment_text(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    populate(ledger, database, agent)
    live = read_models.owned_rows(database, SurveyDashboard)
    old = [
        Positioned(p.position, as_stored_before(ledger, p.event, RESPONDED_V2_FIELDS))
        if isinstance(p.event, Invitation.Responded)
        else p
        for p in logged_events(ledger)
    ]

    apply_directly(database, old, empty=True)

    rebuilt = read_models.owned_rows(database, SurveyDashboard)
    assert rebuilt["survey_comments"] == live["survey_comments"]
    assert {row[10] for row in rebuilt["survey_responses"]} == {None}  # tier: not recorded


def test_responses_and_invitations_notify_live_dashboards_with_the_survey_id_on_commit(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    world = populate(ledger, database, agent)
    other = customer(ledger, agent, "Eve", "EU")
    with database.connect(autocommit=True) as listener:
        listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(NOTIFY_CHANNEL)))
        ledger.invite_to_survey(world.survey, other, SurveyChannel.EMAIL, ADMIN)
        project(ledger, database)
        payloads = [n.payload for n in listener.notifies(timeout=2.0, stop_after=1)]

    assert payloads == [str(world.survey)]


def test_every_response_filter_is_served_by_its_index(database: Database, ledger: Ledger) -> None:
    """On 20,000 responses where each filter matches a few, the planner uses its index."""
    with database.connect() as conn:
        conn.execute(
            """
            INSERT INTO survey_responses (response_id, seq, survey_id, customer_id, kind,
                score, nps_category, channel, region, product_version, responded_at,
                completion_seconds)
            SELECT gen_random_uuid(), i,
                ('00000000-0000-0000-0000-' || lpad((i % 500)::text, 12, '0'))::uuid,
                gen_random_uuid(), 'nps', i % 11, 'passive', 'c' || (i % 500), 'r' || (i % 500),
                'v' || (i % 500), timestamptz '2020-01-01' + i * interval '1 hour', 10
            FROM generate_series(1, 20000) AS i
            """
        )
        conn.execute("ANALYZE survey_responses")
        start = datetime(2022, 4, 1, tzinfo=UTC)
        cases = {
            "survey_responses_survey_idx": DashboardFilter(survey_id=UUID(int=7)),
            "survey_responses_region_idx": DashboardFilter(region="r7"),
            "survey_responses_channel_idx": DashboardFilter(channel="c7"),
            "survey_responses_version_idx": DashboardFilter(product_version="v7"),
            "survey_responses_responded_idx": DashboardFilter(
                since=start, until=start + timedelta(days=1)
            ),
        }
        for index, dashboard_filter in cases.items():
            where, params = condition(dashboard_filter, "responses")
            people = people_count("r", 5)  # an analyst's, counting distinct people
            statement = _RESPONSES.format(key="NULL", where=where, group="", people=people)
            plan = conn.execute("EXPLAIN " + statement, params, prepare=False).fetchall()
            text = "\n".join(str(line[0]) for line in plan)
            assert index in text, text
