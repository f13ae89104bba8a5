"""The development banner `cxledger serve` prints once at start: the URLs to open and a token
command to paste."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from infrastructure.dev_banner import development_banner, token_command
from infrastructure.settings import Settings

ROUTES = ["/graphql", "/health", "/metrics"]


@pytest.fixture(autouse=True)
def no_inherited_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("CXL_")]:
        monkeypatch.delenv(name)


def test_the_banner_lists_api_graphiql_and_health_on_the_configured_port() -> None:
    banner = development_banner(Settings(port=8123), ROUTES, ".venv/bin/cxledger")
    assert "API       http://127.0.0.1:8123/graphql" in banner
    assert "GraphiQL  http://127.0.0.1:8123/graphql" in banner
    assert "Health    http://127.0.0.1:8123/health" in banner


def test_a_wildcard_address_is_shown_as_loopback_which_a_browser_can_open() -> None:
    banner = development_banner(Settings(host="0.0.0.0"), ROUTES, "cxledger")
    assert "http://127.0.0.1:8000/graphql" in banner and "0.0.0.0" not in banner


def test_the_mailbox_is_listed_only_when_the_app_serves_it() -> None:
    assert "Mailbox" not in development_banner(Settings(), ROUTES, "cxledger")
    with_mailbox = development_banner(Settings(), [*ROUTES, "/dev/mailbox"], "cxledger")
    assert "Mailbox   http://127.0.0.1:8000/dev/mailbox" in with_mailbox


def test_the_token_command_is_the_running_programs_and_names_a_custom_data_dir() -> None:
    assert (
        token_command(Settings(), ".venv/bin/cxledger") == ".venv/bin/cxledger token --role agent"
    )
    assert token_command(Settings(), "/x/infrastructure/cli.py") == "cxledger token --role agent"
    custom = token_command(Settings(data_dir=Path("/tmp/my data")), "cxledger")
    assert custom == "CXL_DATA_DIR='/tmp/my data' cxledger token --role agent"
