"""Queueing a campaign to a segment of N customers, against raw INSERTs of as many rows.

A segment's open stays and the customers' consents and email preferences are filled set-based
(N members: 70 % consented and opted in, the rest skipped for one reason or the other); a
campaign to the segment is drafted and launched through the ledger. Then, in the same run and
on the same server:

- baseline: N rows (campaign, customer, status, reason, time) INSERTed into a plain table, one
  INSERT statement per row (pipelined by ``executemany``), one transaction per batch of the
  sender's size; for reference, the same rows by one multi-row INSERT (``unnest``) per batch;
- the sender (``CampaignSender.run``): each batch read in one statement, decided member by
  member by the domain rule, and recorded through the ledger (one batch event and the
  campaign's cursor per commit);
- the campaigns read model catching up with those batches (the recipient rows).

Each is printed as rows per second and its ratio to the baseline.

    .venv/bin/python -m benchmarks.campaign_queue [--customers 100000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import time
import uuid
from datetime import UTC, datetime, timedelta

from benchmarks.support.setup import add_database_url, migrated_ledger, scratch
from domain.campaign.commands import DraftCampaign, LaunchCampaign
from domain.campaign.values import BATCH_SIZE, FrequencyCap
from domain.ledger import Ledger
from domain.segment.commands import DefineSegment
from domain.shared.metadata import EventMetadata
from infrastructure.campaign_sending import CampaignSender
from infrastructure.database import Database
from infrastructure.projection_runner import ProjectionRunner
from projections.campaigns.projection import CampaignFigures
from projections.segments.projection import SegmentMembership

ADMIN = EventMetadata.system("bench-admin")
_MEMBERS = """
    INSERT INTO segment_memberships (segment_id, customer_id, entered_at, entered_position,
        entered_reason)
    SELECT %(segment)s, gen_random_uuid(), %(at)s, 1, 'Bench' FROM generate_series(1, %(n)s)
"""
_AUDIENCE = """
    INSERT INTO campaign_audience (customer_id, marketing, email)
    SELECT customer_id, n %% 10 <> 7, n %% 10 <> 8
    FROM (SELECT customer_id, row_number() OVER () AS n FROM segment_memberships
          WHERE segment_id = %(segment)s) AS m
"""
_RAW_TABLE = """
    CREATE TABLE bench_raw_recipients (campaign_id uuid NOT NULL, customer_id uuid NOT NULL,
        status text NOT NULL, reason text, decided_at timestamptz NOT NULL,
        PRIMARY KEY (campaign_id, customer_id))
"""


def fill(ledger: Ledger, database: Database, customers: int) -> uuid.UUID:
    rule = {"field": "region", "values": ["BENCH"]}
    segment = ledger.handle(DefineSegment("Bench", "", rule), ADMIN).aggregate_id
    with database.connect() as conn:
        conn.execute(SegmentMembership.ddl)
        conn.execute(CampaignFigures.ddl)
        earlier = datetime.now(UTC) - timedelta(days=1)
        conn.execute(_MEMBERS, {"segment": segment, "at": earlier, "n": customers})
        conn.execute(_AUDIENCE, {"segment": segment})
        conn.execute(_RAW_TABLE)
        conn.commit()
        conn.execute("ANALYZE segment_memberships")
        conn.execute("ANALYZE campaign_audience")
        conn.commit()
    return segment


def raw_inserts(database: Database, segment: uuid.UUID, *, multi_row: bool) -> float:
    """The same number of rows, a statement per row (or per batch), a commit per batch."""
    with database.connect() as conn:
        ids = [r[0] for r in conn.execute(
            "SELECT customer_id FROM segment_memberships WHERE segment_id = %s", (segment,)
        ).fetchall()]  # fmt: skip
        campaign, now = uuid.uuid4(), datetime.now(UTC)
        started = time.perf_counter()
        with conn.cursor() as cursor:
            for start in range(0, len(ids), BATCH_SIZE):
                chunk = ids[start : start + BATCH_SIZE]
                if multi_row:
                    cursor.execute(
                        "INSERT INTO bench_raw_recipients SELECT %s, c, 'queued', NULL, %s"
                        " FROM unnest(%s::uuid[]) AS c",
                        (campaign, now, chunk),
                    )
                else:
                    cursor.executemany(
                        "INSERT INTO bench_raw_recipients VALUES (%s, %s, 'queued', NULL, %s)",
                        [(campaign, c, now) for c in chunk],
                    )
                conn.commit()
        return time.perf_counter() - started


def send(ledger: Ledger, database: Database, segment: uuid.UUID) -> tuple[float, float, int]:
    """The sender over the whole audience, then the read model catching up."""
    draft = DraftCampaign("Bench", segment, "Hi {first_name}", "{points} points")
    campaign = ledger.handle(draft, ADMIN).aggregate_id
    ledger.handle(LaunchCampaign(campaign), ADMIN)
    read_model = ProjectionRunner(ledger, database, CampaignFigures(), 500)
    with database.connect() as conn:
        read_model.catch_up(conn)
    sender = CampaignSender(ledger, database, read_model, FrequencyCap(3, 7))
    started = time.perf_counter()
    summary = sender.run()
    queued = time.perf_counter() - started
    started = time.perf_counter()
    with database.connect() as conn:
        read_model.catch_up(conn)
    projected = time.perf_counter() - started
    return queued, projected, summary.queued + summary.skipped


def run(database_url: str | None, customers: int) -> None:
    with scratch(database_url) as database, migrated_ledger(database, 4) as ledger:
        segment = fill(ledger, database, customers)
        baseline = raw_inserts(database, segment, multi_row=False)
        multi_row = raw_inserts(database, segment, multi_row=True)
        queued, projected, decided = send(ledger, database, segment)
    assert decided == customers, (decided, customers)
    rate = customers / baseline
    print(f"{customers:,} members, batches of {BATCH_SIZE}")
    print(f"{'work':<44}  {'seconds':>8}  {'rows/s':>9}  ratio to raw INSERTs")
    for name, seconds in [
        ("raw INSERTs, one per row (baseline)", baseline),
        ("raw INSERTs, one multi-row per batch", multi_row),
        ("sender: decide and record through the ledger", queued),
        ("read model: recipient rows from the batches", projected),
        ("sender and read model together", queued + projected),
    ]:
        print(f"{name:<44}  {seconds:>8.2f}  {customers / seconds:>9,.0f}"
              f"  {customers / seconds / rate:>20.2f}")  # fmt: skip


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000, help="members of the segment")
    add_database_url(parser)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    run(args.database_url, args.customers)


if __name__ == "__main__":
    main()
