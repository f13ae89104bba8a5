"""A read model whose code changed is rebuilt from the log by `migrate`."""

from __future__ import annotations

import pytest

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.shared.metadata import EventMetadata
from infrastructure.database import Database
from infrastructure.migrations import migrate
from infrastructure.projection_runner import ProjectionRunner
from projections.customers.projection import CustomerDirectory
from projections.tracking import all_positions


def test_a_new_projection_version_resets_the_read_model_for_a_rebuild(
    ledger: Ledger, database: Database, agent: EventMetadata, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), agent)
    with database.connect() as conn:
        ProjectionRunner(ledger, database, CustomerDirectory(), 10).catch_up(conn)
    monkeypatch.setattr(CustomerDirectory, "version", CustomerDirectory.version + 1)

    applied = migrate(database, ledger)

    assert "reset customer_directory for rebuild" in applied
    with database.connect() as conn:
        assert all_positions(conn)[CustomerDirectory.name] == 0
        assert conn.execute("SELECT count(*) FROM customer_directory").fetchone() == (0,)
        ProjectionRunner(ledger, database, CustomerDirectory(), 10).catch_up(conn)
        assert conn.execute("SELECT count(*) FROM customer_directory").fetchone() == (1,)
    assert "reset customer_directory for rebuild" not in migrate(database, ledger)
