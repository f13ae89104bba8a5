"""Events -> the knowledge base: each article's latest revision with a ``tsvector`` in its
language's configuration (title weighted above body, a GIN index), and its vote counts.
Articles hold no personal data; votes keep only whether they helped."""

from __future__ import annotations

from typing import Any

from psycopg import Cursor

from domain.knowledge.model import Article, ArticleVote
from projections.base import Projection, handles
from projections.knowledge.views import PROJECTION_NAME, TEXT_SEARCH_CONFIGS

DDL = """
    CREATE TABLE IF NOT EXISTS kb_articles (
        article_id uuid PRIMARY KEY,
        seq bigint NOT NULL,
        status text NOT NULL,
        product text NOT NULL,
        category text NOT NULL,
        language text NOT NULL,
        ts_config regconfig NOT NULL,
        title text NOT NULL,
        body text NOT NULL,
        versions text[] NOT NULL,
        revision integer NOT NULL,
        published_at timestamptz,
        updated_at timestamptz NOT NULL,
        helpful bigint NOT NULL DEFAULT 0,
        not_helpful bigint NOT NULL DEFAULT 0,
        search tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector(ts_config, title), 'A')
            || setweight(to_tsvector(ts_config, body), 'B')
        ) STORED
    );
    CREATE INDEX IF NOT EXISTS kb_articles_search_idx ON kb_articles USING gin (search);
    CREATE INDEX IF NOT EXISTS kb_articles_browse_idx
        ON kb_articles (status, product, category, seq);
    CREATE UNIQUE INDEX IF NOT EXISTS kb_articles_seq_idx ON kb_articles (seq);
    CREATE TABLE IF NOT EXISTS kb_votes (
        vote_id uuid PRIMARY KEY,
        article_id uuid NOT NULL,
        helpful boolean NOT NULL
    );
    CREATE INDEX IF NOT EXISTS kb_votes_article_idx ON kb_votes (article_id);
"""

_CONTENT = """
    product = %(product)s, category = %(category)s, language = %(language)s,
    ts_config = %(config)s::regconfig, title = %(title)s, body = %(body)s,
    versions = %(versions)s, revision = %(revision)s, updated_at = %(at)s
"""


class KnowledgeBase(Projection):
    name = PROJECTION_NAME
    tables = ("kb_articles", "kb_votes")
    ddl = DDL

    @handles(Article.Drafted)
    def drafted(self, cursor: Cursor[Any], event: Article.Drafted, position: int) -> None:
        cursor.execute(
            """
            INSERT INTO kb_articles (article_id, seq, status, product, category, language,
                ts_config, title, body, versions, revision, updated_at)
            VALUES (%(id)s, %(seq)s, 'draft', %(product)s, %(category)s, %(language)s,
                %(config)s::regconfig, %(title)s, %(body)s, %(versions)s, 1, %(at)s)
            ON CONFLICT (article_id) DO NOTHING
            """,
            {**_content(event), "id": event.originator_id, "seq": position},
        )

    @handles(Article.Revised)
    def revised(self, cursor: Cursor[Any], event: Article.Revised, position: int) -> None:
        cursor.execute(
            f"UPDATE kb_articles SET seq = %(seq)s, {_CONTENT} WHERE article_id = %(id)s",
            {**_content(event), "revision": event.revision, "id": event.originator_id,
             "seq": position},
        )  # fmt: skip

    @handles(Article.Published)
    def published(self, cursor: Cursor[Any], event: Article.Published, position: int) -> None:
        cursor.execute(
            "UPDATE kb_articles SET status = 'published', seq = %s,"
            " published_at = COALESCE(published_at, %s), updated_at = %s WHERE article_id = %s",
            (position, event.at, event.at, event.originator_id),
        )

    @handles(Article.Archived)
    def archived(self, cursor: Cursor[Any], event: Article.Archived, position: int) -> None:
        cursor.execute(
            "UPDATE kb_articles SET status = 'archived', seq = %s, updated_at = %s"
            " WHERE article_id = %s",
            (position, event.at, event.originator_id),
        )

    @handles(ArticleVote.Cast)
    def vote_cast(self, cursor: Cursor[Any], event: ArticleVote.Cast, _: int) -> None:
        self._vote(cursor, event.originator_id, event.article_id, event.helpful)

    @handles(ArticleVote.Changed)
    def vote_changed(self, cursor: Cursor[Any], event: ArticleVote.Changed, _: int) -> None:
        self._vote(cursor, event.originator_id, event.article_id, event.helpful)

    def _vote(self, cursor: Cursor[Any], vote_id: Any, article_id: Any, helpful: bool) -> None:
        cursor.execute(
            "INSERT INTO kb_votes (vote_id, article_id, helpful) VALUES (%s, %s, %s)"
            " ON CONFLICT (vote_id) DO UPDATE SET helpful = excluded.helpful",
            (vote_id, article_id, helpful),
        )
        # Counted from the votes, so a replayed event cannot count twice.
        cursor.execute(
            """
            UPDATE kb_articles a SET helpful = v.yes, not_helpful = v.no
            FROM (SELECT count(*) FILTER (WHERE helpful) AS yes,
                         count(*) FILTER (WHERE NOT helpful) AS no
                  FROM kb_votes WHERE article_id = %(id)s) v
            WHERE a.article_id = %(id)s
            """,
            {"id": article_id},
        )


def _content(event: Article.Drafted | Article.Revised) -> dict[str, Any]:
    return {
        "product": event.product,
        "category": event.category,
        "language": event.language,
        "config": TEXT_SEARCH_CONFIGS.get(event.language, "simple"),
        "title": event.title,
        "body": event.body,
        "versions": event.versions,
        "revision": 1,
        "at": event.at,
    }
