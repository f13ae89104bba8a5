"""Use cases on erasure requests, mixed into the Ledger application.

Completing an erasure records ``Started``, destroys the subject's keys, then records
``Completed``. A failure after ``Started`` leaves the request erasing, which ``erasureRequests``
shows; completing it again (by a privacy officer, or the worker's erasure sweep) destroys the
keys again (a no-op for those already gone) and records ``Completed``. Recording
``Completed`` first could certify an erasure whose key survived; destroying the key with no
record first would leave a failure invisible, and the read models' copies unpurged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol
from uuid import UUID

from domain.customer.model import Customer
from domain.customer.values import normalise_email
from domain.privacy.erasure import ErasureReason, ErasureRequest, SubjectKind
from domain.privacy.errors import ErasureNotRequestedError
from domain.referral.commands import ReferralCommands
from domain.shared.application import CommandResult
from domain.shared.errors import ValidationError
from domain.shared.metadata import EventMetadata, acting_as


class ErasureWorks(Protocol):
    """What erasure needs from outside the domain (given by the composition root)."""

    def destroy_key(self, subject_id: UUID) -> None:
        """Destroy the subject's key for good (and forget every cached copy); a key already
        destroyed stays so."""

    def positions_holding(self, subject_id: UUID) -> list[int]:
        """The log positions whose events hold the subject's sealed values."""


class ErasureCommands(ReferralCommands):
    """Commands on :class:`ErasureRequest`."""

    erasure_works: ErasureWorks | None = None

    def request_erasure(
        self,
        customer_id: UUID | None,
        email: str | None,
        reason: ErasureReason,
        hold_days: int,
        metadata: EventMetadata,
        now: datetime | None = None,
    ) -> CommandResult:
        """Ask to erase a customer (by id) or an invited person (by the invited email)."""
        subject_id, kind = self._subject(customer_id, email)
        request_id = ErasureRequest.id_for(subject_id)
        if self.exists(request_id):
            existing = self.get_erasure_request(subject_id)
            return CommandResult(existing.id, existing.version, self.head_position())
        with acting_as(metadata):
            request = ErasureRequest.request(
                subject_id, kind, reason, hold_days, now or datetime.now(UTC)
            )
        return CommandResult(request.id, request.version, self.commit(request))

    def complete_erasure(
        self, subject_id: UUID, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        """Record the start, destroy the subject's key (and, for a customer, that of their
        email as an invited person), then record the completion with its certificate facts.
        Finishes an erasure that failed after its start."""
        works = self._works()
        request = self.get_erasure_request(subject_id)
        at = now or datetime.now(UTC)
        request.check_completable(at)
        also = self._other_subjects_of(request)
        positions = sorted({p for s in (subject_id, *also) for p in works.positions_holding(s)})
        with acting_as(metadata):
            request.start(at)
        self.commit(request)  # visible before any key goes
        for subject in (subject_id, *also):
            works.destroy_key(subject)
        signed_out = self._customer_signed_out(request, metadata)
        with acting_as(metadata):
            request.complete(positions, also, metadata.actor_id, at)
        return CommandResult(request.id, request.version, self.commit(request, *signed_out))

    def _customer_signed_out(
        self, request: ErasureRequest, metadata: EventMetadata
    ) -> list[Customer]:
        """An erased customer's tokens stop working, in the same commit as the completion."""
        if request.subject_kind != SubjectKind.CUSTOMER.value:
            return []
        customer = self.get_customer(request.subject_id)
        with acting_as(metadata):
            customer.revoke_sessions("erased")
        return [customer]

    def record_erasure_vacuum(
        self,
        subject_id: UUID,
        tables: list[str],
        full: bool,
        metadata: EventMetadata,
        now: datetime | None = None,
    ) -> CommandResult:
        """Record that the read models' tables were vacuumed after the subject's erasure."""
        request = self.get_erasure_request(subject_id)
        with acting_as(metadata):
            request.record_vacuum(tables, full, now or datetime.now(UTC))
        return CommandResult(request.id, request.version, self.commit(request))

    def subject_of_erasure_request(self, request_id: UUID) -> UUID:
        """Whose erasure the request ``request_id`` asks for."""
        request = self.load(
            request_id,
            ErasureRequest,
            lambda: ErasureNotRequestedError("no such erasure request", field="requestId"),
        )
        return request.subject_id

    def get_erasure_request(self, subject_id: UUID) -> ErasureRequest:
        return self.load(
            ErasureRequest.id_for(subject_id),
            ErasureRequest,
            lambda: ErasureNotRequestedError(
                "no erasure was requested for this subject", field="subjectId"
            ),
        )

    def _subject(self, customer_id: UUID | None, email: str | None) -> tuple[UUID, SubjectKind]:
        if (customer_id is None) == (email is None):
            raise ValidationError("name the customer or the invited email, not both")
        if customer_id is not None:
            self._customer_at(customer_id, None)
            return customer_id, SubjectKind.CUSTOMER
        assert email is not None
        return self.invitee_subject(normalise_email(email)), SubjectKind.INVITEE

    def _other_subjects_of(self, request: ErasureRequest) -> list[UUID]:
        """A customer may also have been invited, under any email they ever had (dots and
        +tags included: an invitee's subject is keyed by the email's variant): those go too."""
        if request.subject_kind != SubjectKind.CUSTOMER.value:
            return []
        emails = {
            event.email.value
            for event in self.events.get(request.subject_id)
            if isinstance(event, Customer.Registered | Customer.EmailChanged)
            and event.email.value is not None
        }
        return sorted({self.invitee_subject(email) for email in emails}, key=str)

    def _works(self) -> ErasureWorks:
        if self.erasure_works is None:
            raise RuntimeError("erasure needs the key store: the composition root must set it")
        return self.erasure_works
