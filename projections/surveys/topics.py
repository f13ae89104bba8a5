"""The feedback on a topic, for announcing an improvement: whether the topic is known (a
survey asks about the aspect; a readable comment mentions the theme) and the customers whose
feedback was on it (who scored the aspect; whose comment mentions the theme).

An erased customer's comment has no terms left, so they are not in a theme's audience; their
aspect scores stay (numbers, not their words), and the reaction passes them over.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import AsyncConnection

_ASPECT_KNOWN = """
    SELECT EXISTS (SELECT 1 FROM survey_catalog
        WHERE aspects @> jsonb_build_array(jsonb_build_object('key', %(topic)s::text)))
"""
_ASPECT_AUDIENCE = """
    SELECT DISTINCT r.customer_id
    FROM survey_aspect_scores a JOIN survey_responses r USING (response_id)
    WHERE a.aspect = %(topic)s
"""
_THEME_AUDIENCE = """
    SELECT DISTINCT c.customer_id
    FROM survey_comment_terms t JOIN survey_comments c USING (response_id)
    WHERE t.term = %(topic)s
"""


async def feedback_on_topic(
    conn: AsyncConnection[Any], kind: str, topic: str
) -> tuple[bool, list[UUID]]:
    """(known, customers) for the aspect or theme ``topic`` (``kind`` 'aspect' or 'theme')."""
    params = {"topic": topic}
    async with conn.cursor() as cur:
        await cur.execute(_THEME_AUDIENCE if kind == "theme" else _ASPECT_AUDIENCE, params)
        customers = [row[0] for row in await cur.fetchall()]
        if kind == "theme":
            return bool(customers), customers
        await cur.execute(_ASPECT_KNOWN, params)
        row = await cur.fetchone()
    return bool(row and row[0]), customers
