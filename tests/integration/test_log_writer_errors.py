"""The log writer checks its connection out of the pool itself (not through the library's
``get_connection``): its errors must still reach the commands as the library's wrapper raised
them, the same class for each psycopg error, so that the retries and callers see the same."""

from __future__ import annotations

import psycopg
import pytest
from eventsourcing.persistence import PersistenceError
from psycopg import errors
from psycopg_pool import PoolTimeout

from domain.ledger import Ledger
from infrastructure.log_writer import GroupCommittedLog, _persistence_error

RAISED: list[psycopg.Error] = [
    errors.UniqueViolation("clash"),
    errors.LockNotAvailable("lock timeout"),
    psycopg.InterfaceError("closed"),
    errors.NumericValueOutOfRange("range"),
    errors.InternalError_("internal"),
    errors.UndefinedTable("no table"),
    errors.FeatureNotSupported("unsupported"),
    psycopg.DatabaseError("database"),
    PoolTimeout("no connection in time"),
    psycopg.Error("other"),
]


@pytest.mark.parametrize("error", RAISED, ids=lambda e: type(e).__name__)
def test_an_error_is_translated_as_the_library_s_connection_wrapper_translates_it(
    ledger: Ledger, error: psycopg.Error
) -> None:
    recorder = ledger.recorder
    assert isinstance(recorder, GroupCommittedLog)
    with pytest.raises(PersistenceError) as theirs, recorder.datastore.get_connection():
        raise error
    ours = _persistence_error(error)
    assert type(ours) is type(theirs.value) and str(ours) == str(theirs.value)
