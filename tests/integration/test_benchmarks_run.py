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
    "append": (["-m", "benchmarks.append", "--count", "20"], "app/raw"),
    "append:processes": (
        ["-m", "benchmarks.append", "--count", "20", "--processes", "2", "--rounds", "1"],
        "app/raw",
    ),
    "array_parameters": (
        ["-m", "benchmarks.array_parameters", "--rows", "50", "--repeat", "2"],
        "CPU ratio to text",
    ),
    "campaign_queue": (
        ["-m", "benchmarks.campaign_queue", "--customers", "300"],
        "ratio to raw INSERTs",
    ),
    "customers_at_risk": (
        ["-m", "benchmarks.customers_at_risk", "--customers", "500", "--repeat", "2"],
        "ratio to indexed SELECT",
    ),
    "dashboard_page": (
        ["-m", "benchmarks.dashboard_page", "--responses", "300", "--requests", "3"],
        "p50 ratio to GraphQL",
    ),
    "dashboard_query": (
        ["benchmarks/dashboard_query.py", "--responses", "200", "--repeat", "2", "--rows"],
        "ratio to count(*)",
    ),
    "erasure": (["benchmarks/erasure.py", "--events", "50", "--background", "20"], "large/small"),
    "enhancement_priorities": (
        ["-m", "benchmarks.enhancement_priorities", "--answers", "300", "--queries", "3"],
        "p50 ratio to indexed SELECT",
    ),
    "knowledge_search": (
        [
            "-m",
            "benchmarks.knowledge_search",
            *("--articles", "60", "--searches", "5", "--through-ledger", "3"),
        ],
        "p50 ratio to indexed SELECT",
    ),
    "failover": (["-m", "benchmarks.failover", "--events", "500"], "ratio to the lease retry"),
    "mail_delivery": (["-m", "benchmarks.mail_delivery", "--messages", "20"], "delivered/raw"),
    "graphql_http": (
        ["-m", "benchmarks.graphql_http", "--requests", "20", "--clients", "2"],
        "ratio to baseline",
    ),
    "graphql_http:processes": (
        [
            "-m",
            "benchmarks.graphql_http",
            *("--requests", "20", "--clients", "2", "--processes", "2", "--rounds", "1"),
        ],
        "ratio to baseline",
    ),
    "login_memory": (["-m", "benchmarks.login_memory", "--clients", "2"], "peak after MiB"),
    "long_stream": (
        ["-m", "benchmarks.long_stream", *("--events", "120", "--samples", "3", "--replays", "2")],
        "long/new",
    ),
    "registration_timing": (
        ["-m", "benchmarks.registration_timing", "--requests", "3", "--warm-up", "1"],
        "median ratio",
    ),
    "partitioned_log": (
        [
            "-m",
            "benchmarks.partitioned_log",
            *("--events", "2000", "--partition-size", "500", "--repeat", "3"),
        ],
        "ratio to plain",
    ),
    "segment_recompute": (
        ["-m", "benchmarks.segment_recompute", "--customers", "500", "--repeat", "2"],
        "ratio to count(*)",
    ),
    "rebuild": (
        [
            "-m",
            "benchmarks.rebuild",
            *("--events", "100", "--tickets", "5", "--loyalty", "5", "--answers", "10"),
            *("--campaigns", "1", "--profile", "--rounds", "2"),
        ],
        "ratio to COPY",
    ),
    "recommendations": (
        [
            "-m",
            "benchmarks.recommendations",
            *("--customers", "300", "--products", "4", "--catalogue", "40", "--repeat", "3"),
        ],
        "ratio to baseline",
    ),
    "replica_lag": (
        ["-m", "benchmarks.replica_lag", "--seconds", "0.5", "--writers", "2"],
        "p50 ratio loaded / idle",
    ),
    "reset_timing": (
        ["-m", "benchmarks.reset_timing", "--requests", "4", "--warm-up", "1"],
        "median ratio",
    ),
    "scale_out": (
        ["-m", "benchmarks.scale_out", "--seconds", "0.5", "--clients", "2"],
        "two / one",
    ),
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
    "survey_page": (["-m", "benchmarks.survey_page", "--requests", "3"], "p50 ratio to bare"),
    "survey_responses": (
        ["benchmarks/survey_responses.py", "--responses", "30", "--clients", "2"],
        "responses/bare",
    ),
}


def test_every_benchmark_has_a_smoke_run() -> None:
    scripts = {p.stem for p in (REPO / "benchmarks").glob("*.py") if p.stem != "__init__"}
    assert scripts == {name.partition(":")[0] for name in SMOKE_RUNS}  # "script:variant"


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
