"""Use cases on data exports, mixed into the Ledger application."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from domain.customer.commands import CustomerCommands
from domain.privacy.errors import DataExportNotFoundError, ExportIdReusedError
from domain.privacy.model import DataExport
from domain.shared.application import CommandResult
from domain.shared.metadata import EventMetadata, acting_as


class PrivacyCommands(CustomerCommands):
    """Commands on :class:`DataExport`."""

    def record_data_export(
        self,
        subject_id: UUID,
        reason: str,
        sections: list[str],
        metadata: EventMetadata,
        now: datetime | None = None,
        export_id: UUID | None = None,
    ) -> CommandResult:
        """Record that the subject's data is being exported, before it is. ``export_id``
        doubles as the idempotency key: a retry answers as the first time and writes nothing."""
        if export_id is not None and self.exists(export_id):
            return self._replayed_export(export_id, subject_id)
        self._customer_at(subject_id, None)  # only an existing customer's data is exported
        with acting_as(metadata):
            export = DataExport.record(
                export_id or uuid4(), subject_id, reason, sections, now or datetime.now(UTC)
            )
        return CommandResult(export.id, export.version, self.commit(export))

    def get_data_export(self, export_id: UUID) -> DataExport:
        return self.load(export_id, DataExport, lambda: DataExportNotFoundError("no such export"))

    def _replayed_export(self, export_id: UUID, subject_id: UUID) -> CommandResult:
        try:
            export = self.get_data_export(export_id)
        except DataExportNotFoundError:
            raise ExportIdReusedError(
                "this id belongs to something else", field="exportId"
            ) from None
        if export.subject_id != subject_id:
            raise ExportIdReusedError(
                "this export id was used for another subject", field="exportId"
            )
        return CommandResult(export.id, export.version, self.head_position())
