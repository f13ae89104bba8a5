"""A batch's customer, loyalty, invitation and response events folded into rows of the survey
dashboard, then written with a few multi-row statements.

An invitation's segment is the customer's region and tier when it was issued. Folding keeps
that log order: a region or tier set earlier in the batch is known here and goes in with the
invitation; otherwise the tables' values from before the batch are read, by the statement that
inserts the invitations, which runs before the batch's regions and tiers are written.
Survey drafting and publishing, reissued links and erasures are not folded: the projection
writes what was folded before them, then applies them (see ``projections.base``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Cursor

from projections.bulk import Column, as_columns, insert_rows
from projections.surveys.batch_rollups import (
    Segmented,
    add_invitations,
    add_responses,
    response_measures,
)

NOTIFY_CHANNEL = "cxl_survey_dashboard"

Row = tuple[Any, ...]

RESPONSE_COLUMNS: tuple[Column, ...] = (
    ("response_id", "uuid"),
    ("seq", "bigint"),
    ("survey_id", "uuid"),
    ("customer_id", "uuid"),
    ("kind", "text"),
    ("score", "integer"),
    ("nps_category", "text"),
    ("channel", "text"),
    ("region", "text"),
    ("product_version", "text"),
    ("tier", "text"),
    ("responded_at", "timestamptz"),
    ("completion_seconds", "float8"),
)

# Unknown segments (known: false) are read from before the batch: this runs before the batch's
# regions and tiers are written. The product version is the survey's (fixed once published).
_ISSUE = """
    INSERT INTO survey_invitations (invitation_id, survey_id, customer_id, channel, region,
        tier, product_version, issued_at, responded_at)
    SELECT v.invitation_id, v.survey_id, v.customer_id, v.channel,
        CASE WHEN v.region_known THEN v.region ELSE
            (SELECT region FROM survey_customer_regions r WHERE r.customer_id = v.customer_id)
        END,
        CASE WHEN v.tier_known THEN v.tier ELSE
            (SELECT tier FROM survey_member_tiers m WHERE m.customer_id = v.customer_id)
        END,
        (SELECT product_version FROM survey_catalog c WHERE c.survey_id = v.survey_id),
        v.issued_at, v.responded_at
    FROM unnest(%b::uuid[], %b::uuid[], %b::uuid[], %b::text[], %b::text[], %b::boolean[],
        %b::text[], %b::boolean[], %b::timestamptz[], %b::timestamptz[])
        AS v(invitation_id, survey_id, customer_id, channel, region, region_known, tier,
            tier_known, issued_at, responded_at)
    ON CONFLICT (invitation_id) DO NOTHING
    RETURNING customer_id, survey_id, issued_at, channel, region, product_version, tier,
        invitation_id
"""
# An invitation answered in the batch that issues it goes in with its answer time (what the
# per-event UPDATE of its response would set next): the batch's UPDATE of answer times then
# only touches the invitations it did not insert, instead of writing every new row twice.


@dataclass(slots=True)
class Issue:
    """An invitation folded, with what the batch knew of its customer's segment then."""

    invitation_id: UUID
    survey_id: UUID
    customer_id: UUID
    channel: str
    at: datetime
    region: str | None
    region_known: bool
    tier: str | None
    tier_known: bool
    tier_changes_before: int
    """How many tier changes of accounts enrolled before the batch came before it."""


@dataclass
class DashboardChanges:
    """What a run of folded events does to the survey dashboard's tables."""

    loading: bool = False
    regions: dict[UUID, str | None] = field(default_factory=dict)
    """Customer -> their last region in the batch."""
    enrolments: dict[UUID, UUID] = field(default_factory=dict)
    """Account enrolled in the batch -> its customer."""
    members: dict[UUID, UUID] = field(default_factory=dict)
    """Customer enrolled in the batch -> their account."""
    tiers: dict[UUID, str] = field(default_factory=dict)
    """Account -> its last tier in the batch (bronze when enrolled)."""
    tier_updates: dict[UUID, str] = field(default_factory=dict)
    """Account -> its last changed tier in the batch."""
    earlier_tier_changes: list[tuple[UUID, str]] = field(default_factory=list)
    """(account, tier) of accounts enrolled before the batch, in log order: their customers are
    read when an invitation needs them."""
    invitations: list[Issue] = field(default_factory=list)
    responses: list[Row] = field(default_factory=list)
    """Rows of ``survey_responses`` (``RESPONSE_COLUMNS``)."""
    responded: dict[UUID, datetime] = field(default_factory=dict)
    """Invitation -> its last response time."""
    aspect_scores: list[Row] = field(default_factory=list)
    comments: list[Row] = field(default_factory=list)
    comment_terms: list[Row] = field(default_factory=list)
    surveys: dict[UUID, None] = field(default_factory=dict)
    """The surveys whose invitations or responses changed (ordered, once each)."""

    def set_region(self, customer_id: UUID, region: str | None) -> None:
        self.regions[customer_id] = region

    def enrol(self, account_id: UUID, customer_id: UUID, tier: str) -> None:
        self.enrolments.setdefault(account_id, customer_id)
        self.members.setdefault(customer_id, account_id)
        self.tiers.setdefault(account_id, tier)

    def change_tier(self, account_id: UUID, tier: str) -> None:
        self.tier_updates[account_id] = tier
        self.tiers[account_id] = tier
        if account_id not in self.enrolments:
            self.earlier_tier_changes.append((account_id, tier))

    def issue(
        self, invitation_id: UUID, survey_id: UUID, customer_id: UUID, channel: str, at: datetime
    ) -> None:
        account = self.members.get(customer_id)
        self.invitations.append(
            Issue(
                invitation_id,
                survey_id,
                customer_id,
                channel,
                at,
                self.regions.get(customer_id),
                customer_id in self.regions,
                None if account is None else self.tiers[account],
                account is not None,
                len(self.earlier_tier_changes),
            )
        )
        self.surveys[survey_id] = None

    def write(self, cursor: Cursor[Any]) -> None:
        # Invitations first (they read the segments from before the batch), then the segments,
        # then responses and what hangs on them.
        issued = self._issue(cursor)
        insert_rows(
            cursor,
            "survey_customer_regions",
            (("customer_id", "uuid"), ("region", "text")),
            list(self.regions.items()),
            "ON CONFLICT (customer_id) DO UPDATE SET region = excluded.region",
        )
        insert_rows(
            cursor,
            "survey_member_tiers",
            (("account_id", "uuid"), ("customer_id", "uuid"), ("tier", "text")),
            [(a, c, "bronze") for a, c in self.enrolments.items()],
            "ON CONFLICT (account_id) DO NOTHING",
        )
        if self.tier_updates:
            cursor.execute(
                "UPDATE survey_member_tiers m SET tier = v.tier"
                " FROM unnest(%b::uuid[], %b::text[]) AS v(account_id, tier)"
                " WHERE m.account_id = v.account_id",
                as_columns(list(self.tier_updates.items()), 2),
            )
        self._respond(cursor, issued)
        if self.surveys:
            cursor.execute(
                "SELECT pg_notify(%s, s) FROM unnest(%b::text[]) AS s",
                (NOTIFY_CHANNEL, [str(survey) for survey in self.surveys]),
            )

    def _issue(self, cursor: Cursor[Any]) -> set[UUID]:
        """Insert the invitations; answer those it inserted (with their answer times)."""
        if not self.invitations:
            return set()
        self._resolve_earlier_tiers(cursor)
        cursor.execute(
            _ISSUE,
            as_columns(
                [
                    (
                        i.invitation_id,
                        i.survey_id,
                        i.customer_id,
                        i.channel,
                        i.region,
                        i.region_known,
                        i.tier,
                        i.tier_known,
                        i.at,
                        self.responded.get(i.invitation_id),
                    )
                    for i in self.invitations
                ],
                10,
            ),
        )
        rows = cursor.fetchall()
        add_invitations(cursor, [Segmented(*row[:7]) for row in rows], loading=self.loading)
        return {row[7] for row in rows}

    def _resolve_earlier_tiers(self, cursor: Cursor[Any]) -> None:
        """An invitation whose customer's account (enrolled before the batch) changed tier
        earlier in the batch takes that tier."""
        unknown = [i for i in self.invitations if not i.tier_known and i.tier_changes_before]
        if not unknown:
            return
        accounts = list({account for account, _ in self.earlier_tier_changes})
        cursor.execute(
            "SELECT account_id, customer_id FROM survey_member_tiers WHERE account_id = ANY(%s)",
            (accounts,),
        )
        customer_of: dict[UUID, UUID] = dict(cursor.fetchall())
        changes: dict[UUID, list[tuple[int, str]]] = {}
        for index, (account, tier) in enumerate(self.earlier_tier_changes):
            if account in customer_of:
                changes.setdefault(customer_of[account], []).append((index, tier))
        for issue in unknown:
            earlier = [
                tier
                for index, tier in changes.get(issue.customer_id, [])
                if index < issue.tier_changes_before
            ]
            if earlier:
                issue.tier, issue.tier_known = earlier[-1], True

    def _respond(self, cursor: Cursor[Any], issued: set[UUID]) -> None:
        """Insert the responses and what hangs on them; ``issued``: the invitations the batch
        inserted, already with their answer times."""
        if not self.responses:
            return
        if self.loading:  # empty tables, each response once: all of them are new
            insert_rows(cursor, "survey_responses", RESPONSE_COLUMNS, self.responses, copy=True)
            new = self.responses
        else:
            insert_rows(
                cursor,
                "survey_responses",
                RESPONSE_COLUMNS,
                self.responses,
                "ON CONFLICT (response_id) DO NOTHING RETURNING response_id",
            )
            inserted = {response_id for (response_id,) in cursor.fetchall()}
            new = [row for row in self.responses if row[0] in inserted]
        add_responses(
            cursor,
            [
                (
                    Segmented(row[3], row[2], row[11], row[7], row[8], row[9], row[10]),
                    response_measures(row[4], row[5], row[6], row[12]),
                )
                for row in new
            ],
            loading=self.loading,
        )
        answered = [(i, at) for i, at in self.responded.items() if i not in issued]
        if answered:
            cursor.execute(
                "UPDATE survey_invitations i SET responded_at = v.at"
                " FROM unnest(%b::uuid[], %b::timestamptz[]) AS v(invitation_id, at)"
                " WHERE i.invitation_id = v.invitation_id",
                as_columns(answered, 2),
            )
        copy = self.loading
        insert_rows(
            cursor,
            "survey_aspect_scores",
            (("response_id", "uuid"), ("aspect", "text"), ("score", "integer")),
            self.aspect_scores,
            "ON CONFLICT (response_id, aspect) DO NOTHING",
            copy=copy,
        )
        insert_rows(
            cursor,
            "survey_comments",
            (
                ("response_id", "uuid"),
                ("customer_id", "uuid"),
                ("comment", "text"),
                ("sentiment", "float8"),
            ),
            self.comments,
            "ON CONFLICT (response_id) DO NOTHING",
            copy=copy,
        )
        insert_rows(
            cursor,
            "survey_comment_terms",
            (("response_id", "uuid"), ("term", "text")),
            self.comment_terms,
            "ON CONFLICT (response_id, term) DO NOTHING",
            copy=copy,
        )
