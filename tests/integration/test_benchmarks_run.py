"""Every benchmark still runs: each in a smoke mode (tiny sizes) against the test server, so
none can rot unnoticed. The figures themselves are for `make bench`, never asserted here."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.cli import REPO
from tests.support.postgres import conninfo_as_url

# Each run's arguments, and the heading of the ratio column its report must print.
SMOKE_RUNS = {
    "append": (["benchmarks/append.py", "--count", "20"], "app/raw"),
    "dashboard_query": (
        ["benchmarks/dashboard_query.py", "--responses", "200", "--repeat", "2"],
        "ratio to count(*)",
    ),
    "erasure": (["benchmarks/erasure.py", "--events", "50", "--background", "20"], "large/small"),
    "login_memory": (["-m", "benchmarks.login_memory", "--clients", "2"], "peak after MiB"),
    "registration_timing": (
        ["-m", "benchmarks.registration_timing", "--requests", "3"],
        "median ratio",
    ),
    "rebuild": (["-m", "benchmarks.rebuild", "--events", "100"], "ratio to COPY"),
    "reset_timing": (["-m", "benchmarks.reset_timing", "--requests", "4"], "median ratio"),
    "session_check": (
        [
            "-m",
            "benchmarks.session_check",
            *("--customers", "20", "--events", "5"),
            "--requests",
            "9",
        ],
        "ratio to SELECT 1",
    ),
    "survey_responses": (
        ["benchmarks/survey_responses.py", "--responses", "30", "--clients", "2"],
        "responses/bare",
    ),
}


def test_every_benchmark_has_a_smoke_run() -> None:
    scripts = {p.stem for p in (REPO / "benchmarks").glob("*.py") if p.stem != "__init__"}
    assert scripts == set(SMOKE_RUNS)


@pytest.mark.parametrize("name", sorted(SMOKE_RUNS))
def test_the_benchmark_runs_in_its_smoke_mode_and_prints_a_ratio(name: str, pg_admin: str) -> None:
    args, ratio_heading = SMOKE_RUNS[name]
    run = subprocess.run(
        [sys.executable, *args, "--database-url", conninfo_as_url(pg_admin)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert ratio_heading in run.stdout, run.stdout
