"""Running the real `cxledger` command against a test database."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from infrastructure.database import Database
from tests.support.ledgers import TEST_AUDIT_KEY_TEXT, TEST_JWT_SECRET, TEST_MASTER_KEY_TEXT
from tests.support.postgres import conninfo_as_url

CXLEDGER = [sys.executable, "-m", "infrastructure.cli"]
REPO = Path(__file__).resolve().parents[2]


def cli_env(
    database: Database | None, data_dir: Path | None = None, **extra: str
) -> dict[str, str]:
    """The environment of a cxledger process: no inherited CXL_ settings, test secrets."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CXL_")}
    env.update(
        CXL_MASTER_KEY=TEST_MASTER_KEY_TEXT,
        CXL_JWT_SECRET=TEST_JWT_SECRET,
        CXL_AUDIT_KEY=TEST_AUDIT_KEY_TEXT,
        CXL_LOG_LEVEL="WARNING",
    )
    if database is not None:
        env["CXL_DATABASE_URL"] = conninfo_as_url(database.conninfo)
    if data_dir is not None:
        env["CXL_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env
