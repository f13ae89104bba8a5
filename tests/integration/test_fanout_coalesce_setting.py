"""CXL_PROJECTION_COALESCE_MS reaches the running log fan-out of the process's worker."""

from __future__ import annotations

import pytest

from infrastructure.bootstrap import open_runtime
from infrastructure.database import Database
from tests.support.settings import settings_on


def test_the_coalescing_setting_reaches_the_running_fan_out(database: Database) -> None:
    settings = settings_on(database, projection_coalesce_ms=3)
    with open_runtime(settings) as runtime:
        worker = runtime.worker()
        worker.start()
        try:
            assert worker.fanout is not None
            assert worker.fanout.coalesce_seconds == pytest.approx(0.003)
        finally:
            worker.stop()
