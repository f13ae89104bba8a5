"""Reads of the knowledge base: one article, and ranked full-text search.

The search text goes to ``websearch_to_tsquery`` as a bound parameter (never into the SQL),
which accepts any text: quotes, ``or``, ``-`` and stray operators are its syntax, never an
error or an injection. Each language's articles are matched by the query parsed with their own
configuration, so English articles are stemmed as English and French as French; the GIN index
answers the union of those queries (one constant tsquery), and each row found is held to its
own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import dict_row

from projections.knowledge.views import (
    TEXT_SEARCH_CONFIGS,
    ArticleFilter,
    ArticleHit,
    ArticleRow,
)

_COLUMNS = """
    a.seq, a.article_id, a.status, a.product, a.category, a.language, a.title, a.body, a.versions,
    a.revision, a.published_at, a.updated_at, a.helpful, a.not_helpful
"""
HIGHLIGHT_START = "\x01"
HIGHLIGHT_STOP = "\x02"
_HEADLINE = (
    f'StartSel="{HIGHLIGHT_START}", StopSel="{HIGHLIGHT_STOP}", '
    'MaxFragments=2, MaxWords=24, MinWords=8, FragmentDelimiter=" … "'
)


async def article(
    conn: AsyncConnection[Any], article_id: UUID, published_only: bool
) -> ArticleRow | None:
    status = "AND a.status = 'published'" if published_only else ""
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            f"SELECT {_COLUMNS} FROM kb_articles a WHERE a.article_id = %s {status}",
            (article_id,),
        )
        row = await cur.fetchone()
    return None if row is None else ArticleRow(**row)


def _filters(checked: ArticleFilter) -> tuple[str, dict[str, Any]]:
    clauses = ["a.status = 'published'"]
    params: dict[str, Any] = {}
    for column in ("product", "category", "language"):
        value = getattr(checked, column)
        if value is not None:
            clauses.append(f"a.{column} = %({column})s")
            params[column] = value
    if checked.version is not None:
        clauses.append("(a.versions = '{}' OR %(version)s = ANY(a.versions))")
        params["version"] = checked.version
    return " AND ".join(clauses), params


def _search_sql(languages: list[str], where: str) -> str:
    """The search over ``languages``: one GIN-indexable condition, the text parsed in every
    configuration and OR-ed into one tsquery (each call folds to a constant), then each row
    held to the query parsed in its own configuration, which also ranks and highlights it."""
    parsed = {
        lang: f"websearch_to_tsquery('{TEXT_SEARCH_CONFIGS[lang]}', %(text)s)" for lang in languages
    }
    any_language = " || ".join(parsed.values())
    branches = " ".join(
        f"WHEN '{TEXT_SEARCH_CONFIGS[lang]}'::regconfig THEN {query}"
        for lang, query in parsed.items()
    )
    own = f"(CASE a.ts_config {branches} END)"
    return f"""
        SELECT {_COLUMNS}, ts_rank_cd(a.search, {own}) AS rank,
            ts_headline(a.ts_config, a.body, {own}, %(headline)s) AS highlight
        FROM kb_articles a
        WHERE a.search @@ ({any_language}) AND a.search @@ {own} AND {where}
        ORDER BY rank DESC, a.article_id
        LIMIT %(limit)s
    """


async def search(
    conn: AsyncConnection[Any], text: str, checked: ArticleFilter, limit: int
) -> list[ArticleHit]:
    """Published articles matching ``text``, best first (``ts_rank_cd``), with highlights."""
    languages = [checked.language] if checked.language is not None else list(TEXT_SEARCH_CONFIGS)
    where, params = _filters(checked)
    params.update(text=text, limit=limit, headline=_HEADLINE)
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(_search_sql(languages, where), params)
        rows = await cur.fetchall()
    hits = []
    for row in rows:
        rank, highlight = row.pop("rank"), row.pop("highlight")
        hits.append(ArticleHit(ArticleRow(**row), float(rank), highlight))
    return hits


@dataclass(frozen=True, slots=True)
class ArticlePage:
    items: list[ArticleRow]
    has_next_page: bool
    """More rows lie beyond the page, in the direction it was read."""


async def articles_page(
    conn: AsyncConnection[Any],
    checked: ArticleFilter,
    status: str | None,
    size: int,
    cursor: int | None,
    backward: bool = False,
) -> ArticlePage:
    """Articles in every state (for staff), the most recently changed first: the ``size``
    changed before ``cursor`` (forward), or just after it (backward, still newest first)."""
    clauses: list[str] = []
    params: dict[str, Any] = {"limit": size + 1}
    for column in ("product", "category", "language"):
        value = getattr(checked, column)
        if value is not None:
            clauses.append(f"a.{column} = %({column})s")
            params[column] = value
    if status is not None:
        clauses.append("a.status = %(status)s")
        params["status"] = status
    if cursor is not None:
        clauses.append("a.seq > %(cursor)s" if backward else "a.seq < %(cursor)s")
        params["cursor"] = cursor
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    order = "ASC" if backward else "DESC"
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            f"SELECT {_COLUMNS} FROM kb_articles a {where} ORDER BY a.seq {order} LIMIT %(limit)s",
            params,
        )
        rows = [ArticleRow(**row) for row in await cur.fetchall()]
    items = rows[:size]
    return ArticlePage(items[::-1] if backward else items, len(rows) > size)
