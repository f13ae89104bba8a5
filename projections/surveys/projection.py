"""Events -> the survey dashboard tables.

The events every customer and every answer pass through (registration, region, loyalty
enrolment and tier, invitation issued, response) are folded into :class:`DashboardChanges` and
written with a few multi-row statements per batch, their rollups summed per rollup row first;
the rare ones (a survey drafted, reworded, published or closed, a link reissued, an erasure)
are applied at once, after what the batch folded before them. Every write is keyed (ON
CONFLICT, or an update guarded by the aggregate's version), so applying an event a second time
leaves the same rows. A batch that changed a survey's invitations or responses calls pg_notify
on ``cxl_survey_dashboard`` with the survey's id, once per survey: PostgreSQL delivers it when
the batch commits, which is when live dashboards should refresh.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.types.json import Jsonb

from domain.customer.model import Customer
from domain.loyalty.account import LoyaltyAccount
from domain.loyalty.values import Tier
from domain.privacy.erasure import ErasureRequest
from domain.shared.personal_data import PersonalData
from domain.survey.model import Invitation, Survey
from domain.survey.sentiment import sentiment
from domain.survey.values import SurveyKind, nps_category
from projections.base import Projection, folds, handles
from projections.erasure import erased_subjects
from projections.surveys.changes import NOTIFY_CHANNEL as NOTIFY_CHANNEL  # where apps LISTEN
from projections.surveys.changes import DashboardChanges
from projections.surveys.rollups import INVITATION_ROLLUPS
from projections.surveys.schema import DDL, TABLES
from projections.surveys.text import terms

_UPDATE_SURVEY = """
    UPDATE survey_catalog SET {assignments}, version = %(version)s
    WHERE survey_id = %(survey)s AND version < %(version)s
"""

# A reissued link moves its invitation to the new channel: the rollups' rows that hold the
# channel (the channel slices and the cube) lose it under the old channel and gain it under the
# new one; the others are unchanged. The statement returns the invitation's survey.
_REISSUE = """
    WITH old AS (
        SELECT invitation_id, survey_id, customer_id, channel, region, product_version, tier,
            issued_at
        FROM survey_invitations WHERE invitation_id = %(invitation)s FOR UPDATE
    ), moved AS (
        UPDATE survey_invitations i SET channel = %(channel)s FROM old
        WHERE i.invitation_id = old.invitation_id AND old.channel <> %(channel)s
        RETURNING old.survey_id, old.channel, old.region, old.product_version, old.tier,
            old.issued_at, %(channel)s::text AS new_channel, old.customer_id, old.invitation_id
    ), changes AS (
        SELECT survey_id, channel, region, product_version, tier, issued_at AS at, -1 AS delta,
            customer_id, invitation_id
        FROM moved
        UNION ALL
        SELECT survey_id, new_channel, region, product_version, tier, issued_at, 1, customer_id,
            invitation_id
        FROM moved
    ), {rollups}
    SELECT survey_id FROM old
"""


class SurveyDashboard(Projection):
    """Surveys, invitations and responses with their frozen segments, aspect scores, and
    comments with their sentiment and terms: everything the dashboard and insight read."""

    name = "survey_dashboard"
    version = 5
    """2: tiers (invitations and responses), and the sentiment recorded with the response.
    3: a survey's version is bigint. 4: the rollups (counts per UTC day and segment).
    5: distinct respondents and invitees per slice, and the presence rows that keep them."""
    tables = TABLES
    ddl = DDL
    erasure_purges = (
        "survey_comments",
        "survey_comment_terms",
        "survey_respondent_days",
        "survey_invitee_days",
    )
    personal_data_of = frozenset({Invitation.Responded})
    """The events whose personal values it reads (a response's comment): a rebuild decodes its
    other events, registrations among them, with theirs unread (``infrastructure.rebuild``)."""

    @handles(Survey.Drafted)
    def drafted(self, cursor: Cursor[Any], event: Survey.Drafted, position: int) -> None:
        cursor.execute(
            """
            INSERT INTO survey_catalog (survey_id, seq, kind, title, question, aspects,
                product_version, channels, status, drafted_at, version)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'draft', %s, %s)
            ON CONFLICT (survey_id) DO NOTHING
            """,
            (
                event.originator_id,
                position,
                event.kind,
                event.title,
                event.question,
                Jsonb(event.aspects),
                event.product_version,
                event.channels,
                event.timestamp,
                event.originator_version,
            ),
        )

    def _update(self, cursor: Cursor[Any], event: Survey.Event, **values: Any) -> None:
        # The keys are this module's column names, never input.
        assignments = ", ".join(f"{column} = %({column})s" for column in values)
        params = {**values, "version": event.originator_version, "survey": event.originator_id}
        cursor.execute(_UPDATE_SURVEY.format(assignments=assignments), params)

    @handles(Survey.Reworded)
    def reworded(self, cursor: Cursor[Any], event: Survey.Reworded, _: int) -> None:
        self._update(cursor, event, title=event.title, question=event.question)

    @handles(Survey.AspectsChanged)
    def aspects_changed(self, cursor: Cursor[Any], event: Survey.AspectsChanged, _: int) -> None:
        self._update(cursor, event, aspects=Jsonb(event.aspects))

    @handles(Survey.Retargeted)
    def retargeted(self, cursor: Cursor[Any], event: Survey.Retargeted, _: int) -> None:
        self._update(cursor, event, product_version=event.product_version, channels=event.channels)

    @handles(Survey.Published)
    def published(self, cursor: Cursor[Any], event: Survey.Published, _: int) -> None:
        self._update(cursor, event, status="published", published_at=event.timestamp)

    @handles(Survey.Closed)
    def closed(self, cursor: Cursor[Any], event: Survey.Closed, _: int) -> None:
        self._update(cursor, event, status="closed", closed_at=event.timestamp)

    def changes(self) -> DashboardChanges:
        return DashboardChanges(loading=self.loading)

    @folds(Customer.Registered)
    def customer_registered(
        self, changes: DashboardChanges, event: Customer.Registered, _: int
    ) -> None:
        changes.set_region(event.originator_id, event.region)

    @folds(Customer.RegionChanged)
    def region_changed(
        self, changes: DashboardChanges, event: Customer.RegionChanged, _: int
    ) -> None:
        changes.set_region(event.originator_id, event.region)

    @folds(LoyaltyAccount.Enrolled)
    def enrolled(self, changes: DashboardChanges, event: LoyaltyAccount.Enrolled, _: int) -> None:
        # Members join at the lowest tier; a later TierChanged moves them.
        changes.enrol(event.originator_id, event.customer_id, Tier.BRONZE.value)

    @folds(LoyaltyAccount.TierChanged)
    def tier_changed(
        self, changes: DashboardChanges, event: LoyaltyAccount.TierChanged, _: int
    ) -> None:
        changes.change_tier(event.originator_id, event.to_tier)

    def _notify(self, cursor: Cursor[Any], survey_id: UUID | None) -> None:
        if survey_id is not None:
            cursor.execute("SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, str(survey_id)))

    @folds(Invitation.Issued)
    def issued(self, changes: DashboardChanges, event: Invitation.Issued, _: int) -> None:
        # The rollups count the invitation only if the batch's insert inserted it, so a
        # replayed event counts nothing twice.
        changes.issue(
            event.originator_id, event.survey_id, event.customer_id, event.channel, event.timestamp
        )

    @handles(Invitation.Reissued)
    def reissued(self, cursor: Cursor[Any], event: Invitation.Reissued, _: int) -> None:
        # Still counted when first issued; the channel is the one the latest link went to.
        cursor.execute(
            _REISSUE.format(rollups=INVITATION_ROLLUPS.format(source="changes")),
            {"invitation": event.originator_id, "channel": event.channel},
        )
        row = cursor.fetchone()
        self._notify(cursor, None if row is None else row[0])

    @folds(Invitation.Responded)
    def responded(
        self, changes: DashboardChanges, event: Invitation.Responded, position: int
    ) -> None:
        # As for invitations: counted in the rollups only when inserted.
        changes.responses.append(_response_row(event, position))
        changes.responded[event.originator_id] = event.timestamp
        changes.aspect_scores += [
            (event.originator_id, a, s) for a, s in sorted(event.aspect_scores.items())
        ]
        if event.comment is not None:
            _comment(changes, event, event.comment)
        changes.surveys[event.survey_id] = None

    @handles(ErasureRequest.Completed)
    def erasure_completed(
        self, cursor: Cursor[Any], event: ErasureRequest.Completed, _: int
    ) -> None:
        """An erased respondent's comments lose their text and the terms drawn from it (the
        terms are the person's own words), and their presence rows go; the response, its
        scores and the comment's sentiment (a number, not their words) stay, so NPS, counts and
        sentiment figures do not change. The sentiment is in the response event, so a rebuild
        keeps it too (only responses recorded before it was there, event version 1, lose it)."""
        subjects = erased_subjects(event)
        cursor.execute(
            "DELETE FROM survey_comment_terms WHERE response_id IN"
            " (SELECT response_id FROM survey_comments WHERE customer_id = ANY(%s))",
            (subjects,),
        )
        cursor.execute(
            "UPDATE survey_comments SET comment = NULL"
            " WHERE customer_id = ANY(%s) AND comment IS NOT NULL",
            (subjects,),
        )
        # Which days a person answered or was invited on, per segment, is about them: their
        # presence rows go; the distinct counts they kept stay (an erased person does not
        # answer again, so no later response of theirs can be counted twice).
        for table in ("survey_respondent_days", "survey_invitee_days"):
            cursor.execute(f"DELETE FROM {table} WHERE customer_id = ANY(%s)", (subjects,))


def _comment(changes: DashboardChanges, event: Invitation.Responded, comment: PersonalData) -> None:
    # An erased respondent's comment arrives as the erased marker: the row says a comment was
    # given, with its recorded sentiment but no text and no terms.
    response_id, text = event.originator_id, comment.value
    score = event.comment_sentiment
    if score is None and text is not None:
        score = sentiment(text)  # recorded before responses carried it (version 1)
    changes.comments.append((response_id, event.customer_id, text, score))
    if text is not None:
        changes.comment_terms += [(response_id, term) for term in sorted(terms(text))]


def _response_row(event: Invitation.Responded, position: int) -> tuple[Any, ...]:
    """The response's row of ``survey_responses``, in the order of ``RESPONSE_COLUMNS``."""
    is_nps = event.kind == SurveyKind.NPS.value
    return (
        event.originator_id,
        position,
        event.survey_id,
        event.customer_id,
        event.kind,
        event.score,
        nps_category(event.score) if is_nps else None,
        event.channel,
        event.region,
        event.product_version,
        event.tier,
        event.timestamp,
        event.completion_seconds,
    )
