"""deploy/healthcheck/container.py, the image's HEALTHCHECK, run against a real API: for a
`serve` container it passes on a 200 from the probe path and fails on a 503 or a closed port;
for a one-shot command (migrate) it passes."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

from domain.ledger import Ledger
from infrastructure.database import Database
from infrastructure.health import health_sources
from tests.api.test_health_probes import unreachable_primary
from tests.support.server import LiveApi, free_port, live_api

SCRIPT = Path(__file__).parents[2] / "deploy" / "healthcheck" / "container.py"
SERVE = ["/usr/local/bin/python", "/usr/local/bin/cxledger", "serve"]


def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("container_healthcheck", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def port_of(api: LiveApi) -> int:
    port = urlsplit(api.url).port
    assert port is not None
    return port


def test_a_serving_container_is_healthy_when_live_and_ready(api: LiveApi) -> None:
    check = script().check
    assert check(SERVE, "/health/live", port_of(api)) == 0
    assert check(SERVE, "/health/ready", port_of(api)) == 0


def test_a_serving_container_whose_primary_is_away_is_live_but_not_ready(
    ledger: Ledger, database: Database
) -> None:
    sources = health_sources(unreachable_primary)
    with live_api(ledger, database, run_worker=False, health=sources) as api:
        check = script().check
        assert check(SERVE, "/health/live", port_of(api)) == 0
        assert check(SERVE, "/health/ready", port_of(api)) == 1


def test_a_serving_container_that_does_not_answer_is_unhealthy() -> None:
    assert script().check(SERVE, "/health/live", free_port()) == 1


def test_a_one_shot_command_is_healthy_while_it_runs() -> None:
    assert script().check(["cxledger", "migrate"], "/health/live", free_port()) == 0
