"""Surveys and one customer's responses, paged by cursor (the row's ``seq``, a log position)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import class_row, dict_row

from projections.surveys.views import ResponsePage, ResponseView, SurveyPage, SurveyView


@dataclass(frozen=True, slots=True)
class _SurveyRow:
    survey_id: UUID
    seq: int
    kind: str
    title: str
    question: str
    aspects: list[dict[str, str]]
    product_version: str | None
    channels: list[str]
    status: str
    drafted_at: datetime
    published_at: datetime | None
    closed_at: datetime | None
    version: int

    def view(self) -> SurveyView:
        return SurveyView(
            self.survey_id,
            self.seq,
            self.kind,
            self.title,
            self.question,
            [(a["key"], a["question"]) for a in self.aspects],
            self.product_version,
            self.channels,
            self.status,
            self.drafted_at,
            self.published_at,
            self.closed_at,
            self.version,
        )


_SURVEY_COLUMNS = """survey_id, seq, kind, title, question, aspects, product_version, channels,
    status, drafted_at, published_at, closed_at, version"""


async def survey_by_id(conn: AsyncConnection[Any], survey_id: UUID) -> SurveyView | None:
    async with conn.cursor(row_factory=class_row(_SurveyRow)) as cur:
        await cur.execute(
            f"SELECT {_SURVEY_COLUMNS} FROM survey_catalog WHERE survey_id = %s", (survey_id,)
        )
        row = await cur.fetchone()
    return None if row is None else row.view()


async def surveys_by_ids(
    conn: AsyncConnection[Any], survey_ids: Sequence[UUID]
) -> dict[UUID, SurveyView]:
    """Those of ``survey_ids`` that exist, in one query."""
    async with conn.cursor(row_factory=class_row(_SurveyRow)) as cur:
        await cur.execute(
            f"SELECT {_SURVEY_COLUMNS} FROM survey_catalog WHERE survey_id = ANY(%s)",
            (list(survey_ids),),
        )
        rows = await cur.fetchall()
    return {row.survey_id: row.view() for row in rows}


async def surveys_page(
    conn: AsyncConnection[Any], first: int, after: int, status: str | None
) -> SurveyPage:
    """Surveys in drafting order after the one at ``after`` (0: from the start), of
    ``status`` if given (served by the (status, seq) index)."""
    status_term = "" if status is None else "AND status = %(status)s"
    async with conn.cursor(row_factory=class_row(_SurveyRow)) as cur:
        await cur.execute(
            f"SELECT {_SURVEY_COLUMNS} FROM survey_catalog WHERE seq > %(after)s {status_term}"
            " ORDER BY seq LIMIT %(limit)s",
            {"after": after, "status": status, "limit": first + 1},
        )
        rows = await cur.fetchall()
    return SurveyPage([row.view() for row in rows[:first]], len(rows) > first)


async def surveys_page_before(
    conn: AsyncConnection[Any], last: int, before: int | None, status: str | None
) -> SurveyPage:
    """The ``last`` surveys drafted just before the one at ``before`` (None: the latest), of
    ``status`` if given, in drafting order; the page's ``has_next_page`` says whether more
    precede them (it was read backward, down the same (status, seq) index)."""
    status_term = "" if status is None else "AND status = %(status)s"
    bound = "TRUE" if before is None else "seq < %(before)s"
    async with conn.cursor(row_factory=class_row(_SurveyRow)) as cur:
        await cur.execute(
            f"SELECT {_SURVEY_COLUMNS} FROM survey_catalog WHERE {bound} {status_term}"
            " ORDER BY seq DESC LIMIT %(limit)s",
            {"before": before, "status": status, "limit": last + 1},
        )
        rows = await cur.fetchall()
    return SurveyPage([row.view() for row in rows[:last][::-1]], len(rows) > last)


_NO_CURSOR = 2**63 - 1

# Newest first: the cursor is the seq of the last item seen, the next page is below it.
_RESPONSES = """
    SELECT r.response_id, r.seq, r.survey_id, s.title AS survey_title, r.kind, r.score,
        r.nps_category, c.comment, c.sentiment,
        coalesce((SELECT jsonb_object_agg(a.aspect, a.score) FROM survey_aspect_scores a
            WHERE a.response_id = r.response_id), '{}'::jsonb) AS aspect_scores,
        r.channel, r.region, r.product_version, r.tier, r.responded_at, r.completion_seconds
    FROM survey_responses r
        JOIN survey_catalog s USING (survey_id)
        LEFT JOIN survey_comments c USING (response_id)
    WHERE r.customer_id = %(customer)s AND r.seq < %(before)s
    ORDER BY r.seq DESC
    LIMIT %(limit)s
"""


async def customer_responses(
    conn: AsyncConnection[Any], customer_id: UUID, first: int, after: int
) -> ResponsePage:
    """One customer's responses, newest first, after the one at ``after`` (0: newest)."""
    async with conn.cursor(row_factory=class_row(ResponseView)) as cur:
        before = after if after > 0 else _NO_CURSOR
        params = {"customer": customer_id, "before": before, "limit": first + 1}
        await cur.execute(_RESPONSES, params)
        rows = await cur.fetchall()
    return ResponsePage(rows[:first], len(rows) > first)


# The same rows read oldest first: the responses just newer than a cursor, for paging back.
_RESPONSES_NEWER = _RESPONSES.replace("r.seq < %(before)s", "r.seq > %(after)s").replace(
    "ORDER BY r.seq DESC", "ORDER BY r.seq"
)


async def customer_responses_newer(
    conn: AsyncConnection[Any], customer_id: UUID, last: int, before: int | None
) -> ResponsePage:
    """One customer's responses read backward: the ``last`` just newer than the one at
    ``before`` (None: the oldest ones), newest first like the list; ``has_next_page`` says
    whether yet newer ones exist."""
    async with conn.cursor(row_factory=class_row(ResponseView)) as cur:
        params = {"customer": customer_id, "after": before or 0, "limit": last + 1}
        await cur.execute(_RESPONSES_NEWER, params)
        rows = await cur.fetchall()
    return ResponsePage(rows[:last][::-1], len(rows) > last)


# The same columns, picked by response id, with whose response each is.
_RESPONSES_BY_ID = (
    _RESPONSES.replace("SELECT r.response_id,", "SELECT r.customer_id, r.response_id,")
    .replace("r.customer_id = %(customer)s AND r.seq < %(before)s", "r.response_id = ANY(%(ids)s)")
    .replace("LIMIT %(limit)s", "")
)


@dataclass(frozen=True, slots=True)
class RespondentResponse:
    """A response and the customer who gave it (to decide who may read it)."""

    customer_id: UUID
    view: ResponseView


async def responses_by_ids(
    conn: AsyncConnection[Any], response_ids: Sequence[UUID]
) -> dict[UUID, RespondentResponse]:
    """Those of ``response_ids`` that exist, with their respondents, in one query."""
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(_RESPONSES_BY_ID, {"ids": list(response_ids)})
        rows = await cur.fetchall()
    found = {}
    for row in rows:
        customer_id = row.pop("customer_id")
        found[row["response_id"]] = RespondentResponse(customer_id, ResponseView(**row))
    return found


async def latest_nps_category(conn: AsyncConnection[Any], customer_id: UUID) -> str | None:
    """The category of the customer's most recent NPS answer; None if they never gave one."""
    return (await latest_nps_categories(conn, [customer_id])).get(customer_id)


async def latest_nps_categories(
    conn: AsyncConnection[Any], customer_ids: Sequence[UUID]
) -> dict[UUID, str]:
    """The category of the latest NPS answer of each of ``customer_ids`` who gave one, in
    one query."""
    async with conn.cursor() as cur:
        await cur.execute(
            "SELECT DISTINCT ON (customer_id) customer_id, nps_category FROM survey_responses"
            " WHERE customer_id = ANY(%s) AND kind = 'nps' ORDER BY customer_id, seq DESC",
            (list(customer_ids),),
        )
        return {row[0]: str(row[1]) for row in await cur.fetchall()}
