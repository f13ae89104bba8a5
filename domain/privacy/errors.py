"""Refusals specific to privacy requests."""

from __future__ import annotations

from domain.shared.errors import DomainError, NotFoundError


class ExportIdReusedError(DomainError):
    """The export's idempotency key was first used for another subject."""

    code = "IDEMPOTENCY_KEY_REUSED"


class DataExportNotFoundError(NotFoundError):
    code = "DATA_EXPORT_NOT_FOUND"
