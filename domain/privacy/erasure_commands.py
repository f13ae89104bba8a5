"""Use cases on erasure requests: command dataclasses and the handler functions that run them
(see :mod:`domain.shared.commands`).

Completing an erasure records ``Started``, destroys the subject's keys, then records
``Completed``. A failure after ``Started`` leaves the request erasing, which ``erasureRequests``
shows; completing it again (by a privacy officer, or the worker's erasure sweep) destroys the
keys again (a no-op for those already gone) and records ``Completed``. Recording
``Completed`` first could certify an erasure whose key survived; destroying the key with no
record first would leave a failure invisible, and the read models' copies unpurged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from domain.customer.commands import customer_at, customer_of
from domain.customer.model import Customer
from domain.customer.values import normalise_email
from domain.privacy.erasure import ErasureReason, ErasureRequest, SubjectKind
from domain.privacy.errors import ErasureNotRequestedError
from domain.referral.commands import invitee_subject
from domain.shared.application import CommandResult, LedgerCore
from domain.shared.commands import Command
from domain.shared.errors import ValidationError
from domain.shared.metadata import EventMetadata, acting_as


@dataclass(frozen=True, slots=True)
class RequestErasure(Command[CommandResult]):
    """Ask to erase a customer (by id) or an invited person (by the invited email)."""

    customer_id: UUID | None
    email: str | None
    reason: ErasureReason
    hold_days: int
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class CompleteErasure(Command[CommandResult]):
    """Record the start, destroy the subject's key (and, for a customer, that of their email
    as an invited person), then record the completion with its certificate facts. Finishes an
    erasure that failed after its start."""

    subject_id: UUID
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class RecordErasureVacuum(Command[CommandResult]):
    """Record that the read models' tables were vacuumed after the subject's erasure."""

    subject_id: UUID
    tables: list[str] = field(default_factory=list)
    full: bool = False
    now: datetime | None = None


def request_erasure(
    ledger: LedgerCore, command: RequestErasure, metadata: EventMetadata
) -> CommandResult:
    subject_id, kind = _subject(ledger, command.customer_id, command.email)
    existing = ledger.find(ErasureRequest.id_for(subject_id), ErasureRequest, _not_requested)
    if existing is not None:
        return CommandResult(existing.id, existing.version, ledger.head_position())
    at = command.now or datetime.now(UTC)
    with acting_as(metadata):
        request = ErasureRequest.request(subject_id, kind, command.reason, command.hold_days, at)
    return CommandResult(request.id, request.version, ledger.commit(request))


def complete_erasure(
    ledger: LedgerCore, command: CompleteErasure, metadata: EventMetadata
) -> CommandResult:
    works, subject_id = ledger.erasure_works, command.subject_id
    request = erasure_request_of(ledger, subject_id)
    at = command.now or datetime.now(UTC)
    request.check_completable(at)
    # A retry takes the subjects its start named: the customer's key may be gone already,
    # and with it the emails the others derive from.
    also = request.also_erased_at_start
    if also is None:
        also = _other_subjects_of(ledger, request)
    with acting_as(metadata):
        request.start(at, also)
    ledger.commit(request)  # visible before any key goes
    for subject in (subject_id, *also):
        works.destroy_key(subject)
    # Read after the keys are gone: no new sealed value of theirs can be written from here on,
    # so the list misses at most a write sealed earlier and still committing (its position
    # lies past every listed one, and the certificate lists none past the last).
    positions = sorted({p for s in (subject_id, *also) for p in works.positions_holding(s)})
    signed_out = _customer_signed_out(ledger, request, metadata)
    with acting_as(metadata):
        request.complete(positions, also, metadata.actor_id, at)
    return CommandResult(request.id, request.version, ledger.commit(request, *signed_out))


def record_erasure_vacuum(
    ledger: LedgerCore, command: RecordErasureVacuum, metadata: EventMetadata
) -> CommandResult:
    request = erasure_request_of(ledger, command.subject_id)
    with acting_as(metadata):
        request.record_vacuum(command.tables, command.full, command.now or datetime.now(UTC))
    return CommandResult(request.id, request.version, ledger.commit(request))


def erasure_request_of(ledger: LedgerCore, subject_id: UUID) -> ErasureRequest:
    return ledger.load(ErasureRequest.id_for(subject_id), ErasureRequest, _not_requested)


def subject_of_erasure_request(ledger: LedgerCore, request_id: UUID) -> UUID:
    """Whose erasure the request ``request_id`` asks for."""
    request = ledger.load(
        request_id,
        ErasureRequest,
        lambda: ErasureNotRequestedError("no such erasure request", field="requestId"),
    )
    return request.subject_id


def _customer_signed_out(
    ledger: LedgerCore, request: ErasureRequest, metadata: EventMetadata
) -> list[Customer]:
    """An erased customer's tokens stop working, in the same commit as the completion."""
    if request.subject_kind != SubjectKind.CUSTOMER.value:
        return []
    customer = customer_of(ledger, request.subject_id)
    with acting_as(metadata):
        customer.revoke_sessions("erased")
    return [customer]


def _subject(
    ledger: LedgerCore, customer_id: UUID | None, email: str | None
) -> tuple[UUID, SubjectKind]:
    if (customer_id is None) == (email is None):
        raise ValidationError("name the customer or the invited email, not both")
    if customer_id is not None:
        customer_at(ledger, customer_id, None)
        return customer_id, SubjectKind.CUSTOMER
    assert email is not None
    return invitee_subject(ledger, normalise_email(email)), SubjectKind.INVITEE


def _other_subjects_of(ledger: LedgerCore, request: ErasureRequest) -> list[UUID]:
    """A customer may also have been invited, under any email they ever had (dots and +tags
    included: an invitee's subject is keyed by the email's variant): those go too."""
    if request.subject_kind != SubjectKind.CUSTOMER.value:
        return []
    emails = {
        event.email.value
        for event in ledger.events.get(request.subject_id)
        if isinstance(event, Customer.Registered | Customer.EmailChanged)
        and event.email.value is not None
    }
    return sorted({invitee_subject(ledger, email) for email in emails}, key=str)


def _not_requested() -> ErasureNotRequestedError:
    return ErasureNotRequestedError("no erasure was requested for this subject", field="subjectId")
