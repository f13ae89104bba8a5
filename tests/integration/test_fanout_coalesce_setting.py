"""CXL_PROJECTION_COALESCE_MS reaches the running log fan-out of the process's worker."""

from __future__ import annotations

import pytest

from infrastructure.bootstrap import open_runtime
from infrastructure.database import Database
from infrastructure.settings import load_settings
from tests.support.ledgers import TEST_JWT_SECRET, TEST_MASTER_KEY_TEXT
from tests.support.postgres import conninfo_as_url


def test_the_coalescing_setting_reaches_the_running_fan_out(database: Database) -> None:
    settings = load_settings(
        database_url=conninfo_as_url(database.conninfo),
        master_key=TEST_MASTER_KEY_TEXT,
        jwt_secret=TEST_JWT_SECRET,
        projection_coalesce_ms=3,
    )
    with open_runtime(settings) as runtime:
        worker = runtime.worker()
        worker.start()
        try:
            assert worker.fanout is not None
            assert worker.fanout.coalesce_seconds == pytest.approx(0.003)
        finally:
            worker.stop()
