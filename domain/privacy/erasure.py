"""The ErasureRequest aggregate: a data subject's right to be forgotten, without rewriting history.

A request is recorded first (by a privacy officer, or by a customer for themself) with its
reason and the legal hold it must wait out. Completing it records ``Started``, destroys the
subject's key (through the key shredder the composition root gives the Ledger) and then
records ``Completed``, which holds no personal data: who, when, which categories, how many log
positions held the subject's sealed values and a digest over all of it, so the certificate can
be checked later. Between ``Started`` and ``Completed`` the request is erasing: a failure there
leaves it visibly so, and completing it again finishes it. Once every read model has purged
the subject, the worker's erasure sweep vacuums their tables and records ``Vacuumed``.
Its id derives from the subject, so a subject has one request and a retry finds it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.privacy.errors import (
    ErasureAlreadyCompletedError,
    ErasureNotCompletedError,
    HoldNotChosenByOfficerError,
    LegalHoldError,
)
from domain.shared.aggregate import LedgerAggregate
from domain.shared.errors import ValidationError
from domain.shared.metadata import Role

NAMESPACE = uuid5(NAMESPACE_URL, "https://cxledger.invalid/erasure")
MAX_HOLD_DAYS = 3_650


def legal_hold_days(chosen: int | None, chooser: Role, configured: int) -> int:
    """The legal hold of a new erasure request: a privacy officer may choose it; every request
    that does not (every customer's for themself) waits the ``configured`` one, so that no one
    shortens their own hold. Anyone else choosing one is refused."""
    if chosen is None:
        return configured
    if chooser is not Role.PRIVACY_OFFICER:
        raise HoldNotChosenByOfficerError(
            "only privacy officers choose a legal hold; leave holdDays out", field="holdDays"
        )
    return chosen


class SubjectKind(StrEnum):
    CUSTOMER = "customer"
    INVITEE = "invitee"
    """A person known by their email only: invited by a referrer, or who gave feedback
    anonymously with it (``domain.feedback.commands``)."""


class ErasureReason(StrEnum):
    CUSTOMER_REQUEST = "customer_request"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    ACCOUNT_CLOSED = "account_closed"
    LEGAL_OBLIGATION = "legal_obligation"
    OTHER = "other"


CATEGORIES: dict[SubjectKind, tuple[str, ...]] = {
    SubjectKind.CUSTOMER: (
        "identity (name)",
        "contact details (email, phone, postal address)",
        "profile (preferred language, birth year)",
        "credentials (password hash, reset tokens)",
        "survey comments and invitation links",
        "ticket texts (subject, description, replies, notes, reasons, resolutions)",
        "feedback texts",
        "loyalty adjustment and reversal reasons",
        "referral data (the email domain kept for fraud rules)",
        "messages queued for them",
    ),
    SubjectKind.INVITEE: (
        "contact details (the email a referrer invited, or feedback was given with)",
        "feedback given anonymously with that email",
    ),
}


class ErasureRequest(LedgerAggregate):
    """One subject's erasure, from request to completion."""

    class Requested(LedgerAggregate.Created):
        """Erasure was asked for; it may complete once ``hold_until`` has passed."""

        subject_id: UUID
        subject_kind: str
        reason: str
        hold_until: datetime
        at: datetime

        def apply(self, request: ErasureRequest) -> None:
            request.subject_id, request.subject_kind = self.subject_id, self.subject_kind
            request.reason, request.hold_until = self.reason, self.hold_until
            request.requested_at, request.completed_at = self.at, None
            request.also_erased_at_start = None
            request.started_at, request.vacuumed_at = None, None

    class Started(LedgerAggregate.Event):
        """Completion began: the subject's keys are destroyed next, and ``Completed`` follows.
        Recorded first so that a failure in between shows (the request is erasing, its keys
        may be gone while the read models still hold their copies) and is finished by
        completing again. ``also_erased`` names the other subjects whose keys go too: read
        before any key goes, since a retry can no longer read the emails they derive from
        (events recorded before it existed hold none: a retry then works them out again)."""

        at: datetime
        also_erased: list[UUID] | None = None

        def apply(self, request: ErasureRequest) -> None:
            request.started_at = self.at
            also = vars(self).get("also_erased")
            request.also_erased_at_start = None if also is None else [UUID(str(s)) for s in also]

    class Completed(LedgerAggregate.Event):
        """The subject's key was destroyed: every sealed value of theirs, in events and
        snapshots alike, reads as erased from now on. No personal data in here; the subject
        is named (by id) so that every read model can purge what it holds of them."""

        subject_id: UUID
        subject_kind: str
        also_erased: list[UUID]
        """Other subjects the same person was (the invitee subject of a customer's email)."""
        categories: list[str]
        positions: int
        first_position: int | None
        last_position: int | None
        digest: str
        at: datetime

        def apply(self, request: ErasureRequest) -> None:
            request.completed_at = self.at
            request.digest = self.digest

    class Vacuumed(LedgerAggregate.Event):
        """Every read model had purged the subject, and the tables that held their values
        were vacuumed (rewritten, unless configured otherwise), so no dead row version keeps
        those values in the live database."""

        tables: list[str]
        full: bool
        """True: rewritten (VACUUM FULL); False: dead row versions removed (plain VACUUM)."""
        at: datetime

        def apply(self, request: ErasureRequest) -> None:
            request.vacuumed_at = self.at

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    subject_id: UUID
    subject_kind: str
    reason: str
    hold_until: datetime
    requested_at: datetime
    started_at: datetime | None
    also_erased_at_start: list[UUID] | None
    """The other subjects the start named (None: not started, or started by an older
    version that did not record them)."""
    completed_at: datetime | None
    vacuumed_at: datetime | None
    digest: str

    @staticmethod
    def id_for(subject_id: UUID) -> UUID:
        return uuid5(NAMESPACE, str(subject_id))

    @classmethod
    def request(
        cls,
        subject_id: UUID,
        kind: SubjectKind,
        reason: ErasureReason,
        hold_days: int,
        at: datetime,
    ) -> ErasureRequest:
        if not 0 <= hold_days <= MAX_HOLD_DAYS:
            raise ValidationError(f"the hold is 0 to {MAX_HOLD_DAYS} days", field="holdDays")
        return cls._create(
            cls.Requested,
            id=cls.id_for(subject_id),
            subject_id=subject_id,
            subject_kind=kind.value,
            reason=reason.value,
            hold_until=at + timedelta(days=hold_days),
            at=at,
        )

    def check_completable(self, at: datetime) -> None:
        """Completable once the hold has passed; an erasure already started is always (its
        keys may be gone: it must be finished)."""
        if self.completed_at is not None:
            raise ErasureAlreadyCompletedError("this subject was already erased", field="subjectId")
        if self.started_at is None and at < self.hold_until:
            raise LegalHoldError(
                f"the legal hold lasts until {self.hold_until.isoformat()}", field="subjectId"
            )

    @property
    def erasing(self) -> bool:
        """Started and not completed: its keys may be gone while read models keep copies."""
        return self.started_at is not None and self.completed_at is None

    def start(self, at: datetime, also_erased: list[UUID]) -> None:
        """Record that key destruction begins, for the subject and ``also_erased`` (once: a
        retry continues the same erasure)."""
        self.check_completable(at)
        if self.started_at is None:
            self.trigger_event(self.Started, at=at, also_erased=also_erased)

    def complete(
        self, positions: list[int], also_erased: list[UUID], actor_id: str, at: datetime
    ) -> None:
        """Record the completion (the caller has destroyed the key first)."""
        categories = list(CATEGORIES[SubjectKind(self.subject_kind)])
        facts = {
            "subject": str(self.subject_id),
            "kind": self.subject_kind,
            "reason": self.reason,
            "requested_at": self.requested_at.isoformat(),
            "completed_at": at.isoformat(),
            "completed_by": actor_id,
            "categories": categories,
            "positions": positions,
        }
        digest = hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()
        self.trigger_event(
            self.Completed,
            subject_id=self.subject_id,
            subject_kind=self.subject_kind,
            also_erased=also_erased,
            categories=categories,
            positions=len(positions),
            first_position=min(positions, default=None),
            last_position=max(positions, default=None),
            digest=digest,
            at=at,
        )

    def record_vacuum(self, tables: list[str], full: bool, at: datetime) -> None:
        """Record that the read models' copies were vacuumed away (once; only after the
        completion, which is what made the read models purge them)."""
        if self.completed_at is None:
            raise ErasureNotCompletedError("the erasure is not completed yet", field="subjectId")
        if self.vacuumed_at is None:
            self.trigger_event(self.Vacuumed, tables=sorted(tables), full=full, at=at)
