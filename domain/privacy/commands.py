"""Use cases on data exports: the command and the handler function that runs it (see
:mod:`domain.shared.commands`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from domain.customer.errors import CustomerNotFoundError
from domain.customer.model import Customer
from domain.privacy.errors import DataExportNotFoundError, ExportIdReusedError
from domain.privacy.model import DataExport
from domain.shared.application import CommandResult, LedgerCore
from domain.shared.commands import Command
from domain.shared.ids import new_id
from domain.shared.metadata import EventMetadata, acting_as


@dataclass(frozen=True, slots=True)
class RecordDataExport(Command[CommandResult]):
    """Record that the subject's data is being exported, before it is. ``export_id`` doubles
    as the idempotency key: a retry answers as the first time and writes nothing."""

    subject_id: UUID
    reason: str
    sections: list[str] = field(default_factory=list)
    now: datetime | None = None
    export_id: UUID | None = None


def record_data_export(
    ledger: LedgerCore, command: RecordDataExport, metadata: EventMetadata
) -> CommandResult:
    export_id = command.export_id
    earlier = None if export_id is None else ledger.find(export_id, DataExport, _not_an_export)
    if earlier is not None:
        return _replayed(ledger, earlier, command.subject_id)
    # Only an existing customer's data is exported.
    ledger.load(command.subject_id, Customer, _no_customer)
    with acting_as(metadata):
        export = DataExport.record(
            export_id or new_id(),
            command.subject_id,
            command.reason,
            command.sections,
            command.now or datetime.now(UTC),
        )
    return CommandResult(export.id, export.version, ledger.commit(export))


def data_export_of(ledger: LedgerCore, export_id: UUID) -> DataExport:
    return ledger.load(export_id, DataExport, lambda: DataExportNotFoundError("no such export"))


def _replayed(ledger: LedgerCore, export: DataExport, subject_id: UUID) -> CommandResult:
    if export.subject_id != subject_id:
        raise ExportIdReusedError("this export id was used for another subject", field="exportId")
    return CommandResult(export.id, export.version, ledger.head_position())


def _no_customer() -> CustomerNotFoundError:
    return CustomerNotFoundError("no such customer", field="customerId")


def _not_an_export() -> ExportIdReusedError:
    return ExportIdReusedError("this id belongs to something else", field="exportId")
