"""`cxledger serve` in development without CXL_SMTP_URL: the mail a customer is owed arrives in
the in-process mail catcher and shows at /dev/mailbox with its link on CXL_PUBLIC_URL."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from infrastructure.database import Database
from tests.integration.test_serve import REGISTER, graphql, start_server, stop
from tests.support.cli import cli_env

RESET = (
    'mutation { requestPasswordReset(input: {email: "ada@example.org"}) { userErrors { code } } }'
)


def test_a_password_reset_shows_in_the_development_mailbox_with_its_link(
    database: Database, tmp_path: Path
) -> None:
    env = cli_env(
        database,
        data_dir=tmp_path / "var",
        CXL_PUBLIC_URL="https://shop.example.com",
        CXL_DELIVERY_INTERVAL="0.2",
    )
    process, url = start_server(env)
    try:
        assert "errors" not in graphql(url, REGISTER)
        assert "errors" not in graphql(url, RESET)
        deadline, page = time.monotonic() + 30, ""
        while "Reset your password" not in page and time.monotonic() < deadline:
            time.sleep(0.2)
            page = httpx.get(f"{url}/dev/mailbox", timeout=5).text
    finally:
        assert stop(process) == 0
    assert "Reset your password" in page
    assert '<a href="https://shop.example.com/reset/' in page
    with database.connect() as conn:
        row = conn.execute("SELECT status, attempts FROM notification_deliveries").fetchone()
    assert row == ("sent", 1)
