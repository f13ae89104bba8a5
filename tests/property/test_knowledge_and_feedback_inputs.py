"""Property (real PostgreSQL): whatever feedback and article content the domain accepts (any
Unicode text up to the bounds, slugs and versions at their longest) the read models apply
without parking anything; and any search text within its bound is only ever a query: no
error, no injection, whatever the characters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from psycopg import AsyncConnection

from domain.feedback.commands import SubmitFeedback
from domain.feedback.values import MAX_FEEDBACK_TEXT, FeedbackKind
from domain.knowledge.commands import ArticleContent, DraftArticle, PublishArticle
from domain.knowledge.values import MAX_BODY, MAX_SEARCH, MAX_TITLE, ArticleLanguage
from domain.ledger import Ledger
from domain.shared.errors import ValidationError
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database
from infrastructure.parking import RetryPolicy
from infrastructure.projection_runner import ProjectionRunner
from projections.feedback.projection import FeedbackInbox
from projections.knowledge import queries
from projections.knowledge.projection import KnowledgeBase
from projections.knowledge.views import ArticleFilter
from projections.parked import parked_events
from tests.support.ledgers import postgres_ledger
from tests.support.postgres import fresh_database
from tests.support.read_models import query

AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.WEB)
ANONYMOUS = EventMetadata(actor_id="anonymous", actor_role=Role.ANONYMOUS, channel=Channel.WEB)
ONCE = RetryPolicy(max_attempts=1, backoff_seconds=0)  # a failure parks at once: fails the test
SLUG = "a" + "-" * 63
HYPOTHESIS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def world(pg_admin: str) -> Iterator[tuple[Ledger, Database]]:
    with fresh_database(pg_admin) as database, postgres_ledger(database) as ledger:
        yield ledger, database


def accepted(ledger: Ledger, command: object, metadata: EventMetadata) -> bool:
    try:
        ledger.handle(command, metadata)  # type: ignore[arg-type]  # any command type here
    except ValidationError:
        return False
    return True


@example(text="é" * MAX_FEEDBACK_TEXT, body="\U0001f600" * MAX_BODY, title="T" * MAX_TITLE)
@HYPOTHESIS
@given(text=st.text(min_size=1, max_size=300), body=st.text(min_size=1), title=st.text())
def test_every_accepted_feedback_and_article_is_applied(
    world: tuple[Ledger, Database], text: str, body: str, title: str
) -> None:
    """Nothing the domain accepts is parked by the inbox or the knowledge base."""
    ledger, database = world
    feedback = SubmitFeedback(
        FeedbackKind.QUESTION, SLUG, text, product_version="V" * 64, email="q@example.org"
    )
    accepted(ledger, feedback, ANONYMOUS)
    content = ArticleContent(
        SLUG, SLUG, ArticleLanguage.OTHER, title, body, [f"{n}." + "9" * 62 for n in range(20)]
    )
    article_id = uuid4()
    if accepted(ledger, DraftArticle(content, article_id), AGENT):
        ledger.handle(PublishArticle(article_id), AGENT)
    with database.connect() as conn:
        for projection in (FeedbackInbox(), KnowledgeBase()):
            ProjectionRunner(ledger, database, projection, 100, ONCE).catch_up(conn)
        assert parked_events(conn) == []


@example(text="'); DROP TABLE kb_articles; --")
@example(text='"' * MAX_SEARCH)
@example(text="!(&|<->:*)")
@HYPOTHESIS
@given(text=st.text(min_size=1, max_size=MAX_SEARCH).filter(lambda t: "\x00" not in t))
def test_any_search_text_is_only_ever_a_query(world: tuple[Ledger, Database], text: str) -> None:
    """websearch_to_tsquery takes any text as a bound parameter: an answer, never an error."""
    _, database = world
    for language in (None, "en", "fr", "other"):
        assert isinstance(query(database, searching(text, ArticleFilter(language=language))), list)


def searching(text: str, chosen: ArticleFilter) -> Callable[[AsyncConnection[Any]], Any]:
    return lambda conn: queries.search(conn, text, chosen, 5)
