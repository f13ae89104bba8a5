"""Refusals specific to privacy requests."""

from __future__ import annotations

from domain.shared.errors import DomainError, NotFoundError


class ExportIdReusedError(DomainError):
    """The export's idempotency key was first used for another subject."""

    code = "IDEMPOTENCY_KEY_REUSED"


class DataExportNotFoundError(NotFoundError):
    code = "DATA_EXPORT_NOT_FOUND"


class LegalHoldError(DomainError):
    """The erasure must wait until its legal hold has passed."""

    code = "LEGAL_HOLD_ACTIVE"


class ErasureAlreadyCompletedError(DomainError):
    code = "ALREADY_ERASED"


class ErasureNotRequestedError(NotFoundError):
    code = "ERASURE_NOT_REQUESTED"


class ErasureNotCompletedError(DomainError):
    """The erasure must be completed first."""

    code = "ERASURE_NOT_COMPLETED"


class HoldNotChosenByOfficerError(DomainError):
    """Only a privacy officer chooses an erasure's legal hold."""

    code = "FORBIDDEN"
