"""Events -> testimonials: every NPS promoter's comment is proposed; a review approves or
rejects it; it is listed (for review or for publishing) only while its author's testimonial
consent is given, with their first name and region and nothing else of them. Withdrawing the
consent hides it everywhere at once (one row per person says so); erasure deletes it.

Rows are keyed by the response and the person and written state-wise (upserts of the event's
values), so a batch applied again leaves the same rows. The authors' events, one or more for
every customer, are folded (``changes``): a run of them is written with a few multi-row
statements, and so are the promoters' answers, each proposed with one multi-row INSERT."""

from __future__ import annotations

from typing import Any

from psycopg import Cursor

from domain.customer.model import Customer
from domain.customer.profile import ConsentPurpose
from domain.privacy.erasure import ErasureRequest
from domain.shared.personal_data import PersonalData
from domain.survey.model import Invitation
from domain.survey.values import SurveyKind
from domain.testimonial.commands import PROMOTER_SCORE
from domain.testimonial.model import Testimonial
from projections.base import Projection, folds, handles
from projections.erasure import erased_subjects
from projections.testimonials.changes import AuthorChanges

DDL = """
    CREATE TABLE IF NOT EXISTS testimonial_authors (
        customer_id uuid PRIMARY KEY,
        first_name text,
        region text,
        consent boolean NOT NULL DEFAULT false
    );
    CREATE TABLE IF NOT EXISTS testimonials (
        response_id uuid PRIMARY KEY,
        testimonial_id uuid NOT NULL UNIQUE,
        seq bigint NOT NULL UNIQUE,
        customer_id uuid NOT NULL,
        score smallint NOT NULL,
        comment text NOT NULL,
        responded_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'proposed',
        reviewed_at timestamptz,
        version bigint NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS testimonials_status_idx ON testimonials (status, seq);
    CREATE INDEX IF NOT EXISTS testimonials_customer_idx ON testimonials (customer_id);
"""


def first_name(name: PersonalData | None) -> str | None:
    """The first word of the name, the only part of it a testimonial shows."""
    if name is None or name.value is None:
        return None
    words = name.value.split()
    return words[0] if words else None


class Testimonials(Projection):
    """Proposed, approved and rejected testimonials, and their authors' consent."""

    name = "testimonials"
    tables = ("testimonial_authors", "testimonials")
    ddl = DDL
    erasure_purges = ("testimonial_authors", "testimonials")

    def changes(self) -> AuthorChanges:
        return AuthorChanges(loading=self.loading)

    @folds(Customer.Registered)
    def registered(self, changes: AuthorChanges, event: Customer.Registered, _: int) -> None:
        changes.register(event.originator_id, first_name(event.name), event.region)

    @folds(Customer.NameChanged)
    def name_changed(self, changes: AuthorChanges, event: Customer.NameChanged, _: int) -> None:
        changes.set_column(event.originator_id, "first_name", first_name(event.name))

    @folds(Customer.RegionChanged)
    def region_changed(self, changes: AuthorChanges, event: Customer.RegionChanged, _: int) -> None:
        changes.set_column(event.originator_id, "region", event.region)

    @folds(Customer.ConsentGiven)
    def consent_given(self, changes: AuthorChanges, event: Customer.ConsentGiven, _: int) -> None:
        _consent(changes, event, given=True)

    @folds(Customer.ConsentWithdrawn)
    def consent_withdrawn(
        self, changes: AuthorChanges, event: Customer.ConsentWithdrawn, _: int
    ) -> None:
        _consent(changes, event, given=False)

    @folds(Customer.ConsentRefused)
    def consent_refused(
        self, changes: AuthorChanges, event: Customer.ConsentRefused, _: int
    ) -> None:
        _consent(changes, event, given=False)

    @folds(Invitation.Responded)
    def responded(self, changes: AuthorChanges, event: Invitation.Responded, position: int) -> None:
        comment = None if event.comment is None else event.comment.value
        if event.kind != SurveyKind.NPS.value or event.score < PROMOTER_SCORE or not comment:
            return
        changes.propose(
            (event.originator_id, Testimonial.id_for(event.originator_id), position,
             event.customer_id, event.score, comment, event.timestamp)
        )  # fmt: skip

    @handles(Testimonial.Reviewed)
    def reviewed(self, cursor: Cursor[Any], event: Testimonial.Reviewed, _: int) -> None:
        cursor.execute(
            "UPDATE testimonials SET status = %s, reviewed_at = %s, version = %s"
            " WHERE response_id = %s AND version < %s",
            (event.decision, event.at, event.originator_version, event.response_id,
             event.originator_version),
        )  # fmt: skip

    @handles(Testimonial.Rereviewed)
    def rereviewed(self, cursor: Cursor[Any], event: Testimonial.Rereviewed, _: int) -> None:
        cursor.execute(
            "UPDATE testimonials SET status = %s, reviewed_at = %s, version = %s"
            " WHERE testimonial_id = %s AND version < %s",
            (event.decision, event.at, event.originator_version, event.originator_id,
             event.originator_version),
        )  # fmt: skip

    @handles(ErasureRequest.Completed)
    def erasure_completed(
        self, cursor: Cursor[Any], event: ErasureRequest.Completed, _: int
    ) -> None:
        subjects = erased_subjects(event)
        cursor.execute("DELETE FROM testimonials WHERE customer_id = ANY(%s)", (subjects,))
        cursor.execute("DELETE FROM testimonial_authors WHERE customer_id = ANY(%s)", (subjects,))


def _consent(changes: AuthorChanges, event: Any, *, given: bool) -> None:
    if event.purpose == ConsentPurpose.TESTIMONIALS.value:
        changes.set_column(event.originator_id, "consent", given)
