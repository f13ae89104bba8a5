"""The loyalty job: points past their expiry are expired, members whose points age out of the
trailing year drop a tier, a second run changes nothing, and `cxledger expire-points` runs it."""

from __future__ import annotations

import json
import subprocess
import zlib
from datetime import timedelta
from uuid import UUID

import pytest

from domain.ledger import Ledger
from domain.loyalty.account import LoyaltyAccount
from domain.loyalty.values import ProgramTerms, Tier
from domain.shared.metadata import EventMetadata
from infrastructure.database import Database
from infrastructure.loyalty_jobs import JobSummary, LoyaltyJobs, ScheduledJob
from infrastructure.projection_runner import ProjectionRunner
from projections.loyalty.projection import LoyaltyStatements
from tests.integration.loyalty_steps import bought, customer, day, one_point_per_euro
from tests.support.cli import CXLEDGER, REPO, cli_env

EARNING = EventMetadata.system("loyalty-earning")
EXPIRED = day(366)  # a year and a day after the purchases


def member_who_bought(ledger: Ledger, email: str, amount: str) -> UUID:
    member = customer(ledger, email)
    ledger.earn_points_for_order(bought(ledger, member, amount), EARNING, now=day(0))
    return member


def jobs(ledger: Ledger, database: Database) -> LoyaltyJobs:
    read_model = ProjectionRunner(ledger, database, LoyaltyStatements(), batch_size=50)
    return LoyaltyJobs(ledger, database, read_model, batch_size=2)


def account(ledger: Ledger, member: UUID) -> LoyaltyAccount:
    return ledger.get_loyalty_account(member)


def test_points_past_their_expiry_are_expired_by_the_job_in_batches(
    ledger: Ledger, database: Database
) -> None:
    one_point_per_euro(ledger)
    members = [member_who_bought(ledger, f"m{i}@example.org", "300") for i in range(5)]
    summary = jobs(ledger, database).run(EXPIRED)
    assert (summary.accounts_touched, summary.points_expired) == (5, 1500)
    assert [account(ledger, m).balance(EXPIRED) for m in members] == [0] * 5


def test_the_job_leaves_points_that_have_not_expired_yet(
    ledger: Ledger, database: Database
) -> None:
    one_point_per_euro(ledger)
    member = member_who_bought(ledger, "ada@example.org", "300")
    summary = jobs(ledger, database).run(day(364))
    assert summary == JobSummary(day(364), 0, 0, 0, 0)
    assert account(ledger, member).balance(day(364)) == 300


def test_a_member_drops_a_tier_when_the_expired_points_held_it(
    ledger: Ledger, database: Database
) -> None:
    one_point_per_euro(ledger)
    member = member_who_bought(ledger, "ada@example.org", "1200")
    assert account(ledger, member).tier is Tier.SILVER
    summary = jobs(ledger, database).run(EXPIRED)
    assert (summary.points_expired, summary.tier_changes) == (1200, 1)
    assert account(ledger, member).tier is Tier.BRONZE


def test_a_member_drops_a_tier_when_points_age_out_of_the_year_though_still_spendable(
    ledger: Ledger, database: Database
) -> None:
    one_point_per_euro(ledger, ProgramTerms(points_lifetime_days=730, return_window_days=14))
    member = member_who_bought(ledger, "ada@example.org", "1200")
    summary = jobs(ledger, database).run(EXPIRED)
    assert summary == JobSummary(EXPIRED, 1, 0, 1, 0)
    assert account(ledger, member).tier is Tier.BRONZE
    assert account(ledger, member).balance(EXPIRED) == 1200


def test_running_the_job_twice_expires_nothing_more(ledger: Ledger, database: Database) -> None:
    one_point_per_euro(ledger)
    for i in range(3):
        member_who_bought(ledger, f"m{i}@example.org", "1200")
    first = jobs(ledger, database).run(EXPIRED)
    again = jobs(ledger, database).run(EXPIRED + timedelta(hours=1))
    assert (first.points_expired, first.tier_changes) == (3600, 3)
    assert (again.accounts_touched, again.points_expired, again.tier_changes) == (0, 0, 0)


def expire_points(database: Database, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CXLEDGER, "expire-points", *args],
        cwd=REPO,
        env=cli_env(database),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_cli_runs_the_job_once_and_prints_a_json_summary(
    ledger: Ledger, database: Database
) -> None:
    one_point_per_euro(ledger)
    member = member_who_bought(ledger, "ada@example.org", "1200")
    result = expire_points(database, "--now", EXPIRED.isoformat())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "at": EXPIRED.isoformat(),
        "accounts_touched": 1,
        "points_expired": 1200,
        "tier_changes": 1,
        "passed_over": 0,
    }
    assert account(ledger, member).balance(EXPIRED) == 0


@pytest.mark.parametrize("now", ["tomorrow", "2027-01-01T00:00:00"])
def test_the_cli_refuses_a_time_that_is_not_iso_8601_with_a_zone(
    ledger: Ledger, database: Database, now: str
) -> None:
    result = expire_points(database, "--now", now)
    assert result.returncode == 2
    assert "--now" in result.stderr and "Traceback" not in result.stderr


def test_the_scheduled_job_runs_in_one_worker_at_a_time(database: Database) -> None:
    runs: list[str] = []
    job = ScheduledJob("loyalty_jobs", database, lambda: runs.append("ran"), interval=3600)
    key = zlib.crc32(b"cxl-job:loyalty_jobs")
    with database.connect(autocommit=True) as other_worker:
        other_worker.execute("SELECT pg_advisory_lock(%s)", (key,))
        assert job.run_once() is False
        # The other worker's run ends: it lets go of the lock (closing its session would too,
        # but the server ends a closed session after the client has moved on, so the next
        # attempt could still find the lock held: this test failed so once in CI).
        other_worker.execute("SELECT pg_advisory_unlock(%s)", (key,))
    assert job.run_once() is True
    assert runs == ["ran"]
