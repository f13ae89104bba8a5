"""Knowledge-base search at scale: ``searchArticles``' query (``projections/knowledge/queries.py``:
``websearch_to_tsquery`` per language, the GIN index, ``ts_rank_cd``, ``ts_headline``) against a
plain indexed SELECT (one article by its primary key) in the same run, on the same connection,
alternating, and their p50 and p99.

The first ``--through-ledger`` articles are drafted and published through the ledger and
projected by the read model's own runner; the rest of ``--articles`` are filled set-based
(``INSERT ... SELECT`` from ``generate_series``, 60% English, 30% French, 10% other: a title of
5 words and a body of 80, drawn from a vocabulary of ``--vocabulary`` words per language, a few
dozen real ones and made-up ones after them, with a skew towards the first as in real text:
the word at rank r of n is drawn with probability about that of ``n * u**3`` falling on it),
since the search reads only the table. Searches are two words drawn the same way.

    .venv/bin/python -m benchmarks.knowledge_search [--articles 10000] [--searches 500]
        [--through-ledger 50] [--vocabulary 4000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from typing import Any

import psycopg

from benchmarks.support.setup import add_database_url, migrated_ledger, scratch
from domain.knowledge.commands import ArticleContent, DraftArticle, PublishArticle
from domain.knowledge.values import ArticleLanguage
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.projection_runner import ProjectionRunner
from projections.knowledge import queries
from projections.knowledge.projection import KnowledgeBase
from projections.knowledge.views import ArticleFilter

SKEW = 3.0
"""A word's index is ``n * u**SKEW`` for a uniform ``u``: the first words are the common ones."""


def words(text: str) -> list[str]:
    return text.split()


def vocabulary(real: list[str], size: int, seed: int) -> list[str]:
    """``real`` then made-up words (two to four syllables of letters) up to ``size``."""
    draw = random.Random(seed)
    made = set(real)
    result = list(real)
    while len(result) < size:
        word = "".join(
            draw.choice("bdfgklmnprstvz") + draw.choice("aeiou") for _ in range(draw.randint(2, 4))
        )
        if word not in made:
            made.add(word)
            result.append(word)
    return result


def pick(vocabulary: list[str], count: int) -> str:
    return " ".join(
        vocabulary[int(len(vocabulary) * random.random() ** SKEW)] for _ in range(count)
    )


AGENT = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.API)
ENGLISH = words(
    """router modem wifi password reset restart cable light blinking signal network
    invoice payment refund card billing account login email address delivery parcel courier
    tracking order return warranty repair screen battery charge update install app mobile
    settings notification privacy data export subscription plan upgrade cancel contract
    speed slow offline connection firmware port bridge mesh guest channel frequency antenna
    printer scanner driver bluetooth pairing headphones speaker volume microphone camera"""
)
FRENCH = words(
    """box routeur modem wifi mot passe réinitialiser redémarrer câble voyant signal
    réseau facture paiement remboursement carte compte connexion adresse livraison colis
    suivi commande retour garantie réparation écran batterie charge mise jour application
    paramètres notification confidentialité données abonnement forfait résilier contrat
    vitesse lente hors ligne micrologiciel imprimante pilote casque enceinte caméra"""
)
FILL = """
    INSERT INTO kb_articles (article_id, seq, status, product, category, language, ts_config,
        title, body, versions, revision, published_at, updated_at)
    SELECT gen_random_uuid(), 1000000 + g, 'published', 'product-' || (g %% 20),
        'category-' || (g %% 12), lang, cfg::regconfig,
        -- Each word is drawn per row: the index names the inner series' column, so the
        -- aggregate belongs to the subquery, and the bound names the row, so it is redone.
        (SELECT string_agg(w[1 + floor(array_length(w, 1) * power(random(), 3))::int + 0 * i], ' ')
           FROM generate_series(1, 5 + 0 * g) AS t(i)),
        (SELECT string_agg(w[1 + floor(array_length(w, 1) * power(random(), 3))::int + 0 * i], ' ')
           FROM generate_series(1, 80 + 0 * g) AS b(i)),
        '{}', 1, now(), now()
    FROM (
        SELECT g,
            CASE WHEN g %% 10 < 6 THEN 'en' WHEN g %% 10 < 9 THEN 'fr' ELSE 'other' END AS lang,
            CASE WHEN g %% 10 < 6 THEN 'english' WHEN g %% 10 < 9 THEN 'french' ELSE 'simple' END
                AS cfg,
            CASE WHEN g %% 10 < 6 OR g %% 10 = 9 THEN %(en)s::text[] ELSE %(fr)s::text[] END AS w
        FROM generate_series(1, %(n)s) g
    ) s
"""


def through_ledger(database: Any, ledger: Any, count: int, english: list[str]) -> None:
    for index in range(count):
        content = ArticleContent(
            "router", "setup", ArticleLanguage.EN, f"Router help {index}",
            pick(english, 80),
        )  # fmt: skip
        article_id = ledger.handle(DraftArticle(content), AGENT).aggregate_id
        ledger.handle(PublishArticle(article_id), AGENT)
    with database.connect() as conn:
        ProjectionRunner(ledger, database, KnowledgeBase(), 500).catch_up(conn)


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure(
    conninfo: str, searches: int, english: list[str], french: list[str]
) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"search": [], "search one language": [], "indexed": []}
    in_english = ArticleFilter(language="en")
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
        cursor = await conn.execute("SELECT article_id FROM kb_articles")
        ids = [row[0] for row in await cursor.fetchall()]
        found = 0
        matches: list[int] = []
        for index in range(searches + 20):
            text = pick(english if index % 3 else french, 2)
            if index < 20:
                matched = await conn.execute(
                    "SELECT count(*) FROM kb_articles"
                    " WHERE search @@ websearch_to_tsquery(ts_config, %s)",
                    (text,),
                )
                counted = await matched.fetchone()
                matches.append(counted[0] if counted else 0)
            spent: dict[str, float] = {}
            started = time.perf_counter()
            found += len(await queries.search(conn, text, ArticleFilter(), 10))
            spent["search"] = time.perf_counter() - started
            started = time.perf_counter()
            await queries.search(conn, text, in_english, 10)
            spent["search one language"] = time.perf_counter() - started
            started = time.perf_counter()
            await conn.execute(
                "SELECT article_id, title, body FROM kb_articles WHERE article_id = %s",
                (random.choice(ids),),
            )
            spent["indexed"] = time.perf_counter() - started
            if index >= 20:  # the first 20 warm the caches
                for name, seconds in spent.items():
                    times[name].append(seconds)
    print(f"{found / (searches + 20):.1f} hits per search on average (at most 10)")
    print(f"articles matching a search, median of 20: {statistics.median(matches)}")
    return times


def run(
    database_url: str | None, articles: int, searches: int, ledger_count: int, size: int
) -> None:
    english, french = vocabulary(ENGLISH, size, 1), vocabulary(FRENCH, size, 2)
    with scratch(database_url) as database:
        with migrated_ledger(database, 2) as ledger:
            through_ledger(database, ledger, min(ledger_count, articles), english)
        with database.connect() as conn:
            rest = articles - min(ledger_count, articles)
            conn.execute(FILL, {"n": rest, "en": english, "fr": french})
            conn.execute("ANALYZE kb_articles")
            conn.commit()
            total = conn.execute("SELECT count(*) FROM kb_articles").fetchone()
        print(f"{total[0] if total else 0} published articles")
        times = asyncio.run(measure(database.conninfo, searches, english, french))
    base50, base99 = percentile(times["indexed"], 0.5), percentile(times["indexed"], 0.99)
    print(f"{'query':<34} {'p50 ms':>8} {'p99 ms':>8} {'p50 ratio to indexed SELECT':>28}")
    for name in ("search", "search one language", "indexed"):
        p50, p99 = percentile(times[name], 0.5), percentile(times[name], 0.99)
        print(f"{name:<34} {p50 * 1000:8.3f} {p99 * 1000:8.3f} {p50 / base50:28.1f}")
    print(
        f"p99 ratio of search to indexed SELECT: {percentile(times['search'], 0.99) / base99:.1f}"
    )
    print(f"mean search {statistics.mean(times['search']) * 1000:.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--searches", type=int, default=500)
    parser.add_argument("--through-ledger", type=int, default=50)
    parser.add_argument("--vocabulary", type=int, default=4000, help="words per language")
    add_database_url(parser)
    args = parser.parse_args()
    run(args.database_url, args.articles, args.searches, args.through_ledger, args.vocabulary)


if __name__ == "__main__":
    main()
