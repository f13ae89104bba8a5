"""Queueing a campaign to a segment of N customers, against raw INSERTs of as many rows.

N customers are written to the log as aggregates (registered, every other one enrolled in the
loyalty programme; straight as aggregates, a thousand a commit, not command by command: the
registration's checks are not what is measured). The segment's open stays and the customers'
consents and email preferences are filled set-based (N members: about 81 % queued, the rest
skipped for one reason or the other); a campaign to the segment is drafted and launched
through the ledger. Then, in the same run and on the same server:

- baseline: N rows (campaign, customer, status, reason, time) INSERTed into a plain table, one
  INSERT statement per row (pipelined by ``executemany``), one transaction per batch of the
  sender's size; for reference, the same rows by one multi-row INSERT (``unnest``) per batch;
- the sender (``CampaignSender.run``): each batch read in one statement, decided member by
  member by the domain rule, and recorded through the ledger (one batch event and the
  campaign's cursor per commit);
- the campaigns read model catching up with those batches (the recipient rows);
- the outbox read model catching up with those batches: a row per queued member, straight from
  each batch's event (messages are written when sent), so that sender and outbox together are
  the time from launch to every message queued;
- for reference, what moved to the sending: every pending message opened as the mail delivery
  opens them (``OutboxMessages.open_many``, 100 at a time): written with the recipient's name
  and points from their customer and loyalty streams, and addressed.

Each is printed as rows per second (recipients decided, or messages) and its ratio to the
baseline.

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
from domain.customer.model import Customer
from domain.ledger import Ledger
from domain.loyalty.account import LoyaltyAccount
from domain.segment.commands import DefineSegment
from domain.shared.aggregate import LedgerAggregate
from domain.shared.metadata import EventMetadata, acting_as
from infrastructure.campaign_sending import CampaignSender
from infrastructure.database import Database
from infrastructure.outbox_messages import OutboxMessages
from infrastructure.projection_runner import ProjectionRunner
from projections.campaigns.projection import CampaignFigures
from projections.outbox.projection import NotificationOutbox
from projections.outbox.queries import pending_notifications_sync
from projections.segments.projection import SegmentMembership

ADMIN = EventMetadata.system("bench-admin")
DELIVERY_BATCH = 100
"""Messages the mail delivery takes (and opens) at a time, by default."""
_MEMBERS = """
    INSERT INTO segment_memberships (segment_id, customer_id, entered_at, entered_position,
        entered_reason)
    SELECT %(segment)s, c, %(at)s, 1, 'Bench' FROM unnest(%(customers)s::uuid[]) AS c
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


def register(ledger: Ledger, customers: int) -> list[uuid.UUID]:
    """N customers in the log, every other one enrolled, a thousand aggregates a commit."""
    ids = [uuid.uuid4() for _ in range(customers)]
    enrolled_at = datetime.now(UTC) - timedelta(days=2)
    for start in range(0, customers, BATCH_SIZE):
        made: list[LedgerAggregate] = []
        with acting_as(ADMIN):
            for n, customer_id in enumerate(ids[start : start + BATCH_SIZE], start):
                made.append(Customer.register(
                    customer_id, name=f"Bench Customer{n}", email=f"c{n}@example.org",
                    phone=None, region="BENCH", email_fingerprint=f"bench-{customer_id.hex}",
                ))  # fmt: skip
                if n % 2 == 0:
                    made.append(LoyaltyAccount.enrol(customer_id, enrolled_at))
        ledger.commit(*made)
    return ids


def fill(ledger: Ledger, database: Database, customers: int) -> uuid.UUID:
    rule = {"field": "region", "values": ["BENCH"]}
    segment = ledger.handle(DefineSegment("Bench", "", rule), ADMIN).aggregate_id
    members = register(ledger, customers)
    with database.connect() as conn:
        conn.execute(SegmentMembership.ddl)
        conn.execute(CampaignFigures.ddl)
        conn.execute(NotificationOutbox.ddl)
        earlier = datetime.now(UTC) - timedelta(days=1)
        conn.execute(_MEMBERS, {"segment": segment, "at": earlier, "customers": members})
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


def send(ledger: Ledger, database: Database, segment: uuid.UUID) -> tuple[float, float, int, int]:
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
    return queued, projected, summary.queued + summary.skipped, summary.queued


def put_in_outbox(ledger: Ledger, database: Database) -> tuple[float, int]:
    """The outbox read model over the recorded batches, as the worker runs it (500 events a
    transaction, the default): a row per queued member."""
    outbox = ProjectionRunner(ledger, database, NotificationOutbox(), 500)
    with database.connect() as conn:
        started = time.perf_counter()
        outbox.catch_up(conn)
        projected = time.perf_counter() - started
        (messages,) = conn.execute(
            "SELECT count(*) FROM notification_outbox WHERE kind = 'campaign_message'"
        ).fetchone() or (0,)
    return projected, int(messages)


def write_when_sent(ledger: Ledger, database: Database) -> tuple[float, int]:
    """Every pending message opened (written and addressed) as the delivery opens them."""
    messages = OutboxMessages(ledger)
    opened = 0
    with database.connect() as conn:
        pending = pending_notifications_sync(conn, "campaign_message", limit=10_000_000)
        started = time.perf_counter()
        for start in range(0, len(pending), DELIVERY_BATCH):
            chunk = pending[start : start + DELIVERY_BATCH]
            opened += sum(m is not None for m in messages.open_many(conn, chunk).values())
        return time.perf_counter() - started, opened


def run(database_url: str | None, customers: int) -> None:
    with scratch(database_url) as database, migrated_ledger(database, 4) as ledger:
        segment = fill(ledger, database, customers)
        baseline = raw_inserts(database, segment, multi_row=False)
        multi_row = raw_inserts(database, segment, multi_row=True)
        queued, projected, decided, to_send = send(ledger, database, segment)
        outboxed, messages = put_in_outbox(ledger, database)
        written, opened = write_when_sent(ledger, database)
    assert decided == customers, (decided, customers)
    assert messages == to_send == opened, (messages, to_send, opened)
    rate = customers / baseline
    print(f"{customers:,} members, batches of {BATCH_SIZE}, {messages:,} messages")
    print(f"{'work':<50}  {'seconds':>8}  {'rows/s':>9}  ratio to raw INSERTs")
    for name, seconds, rows in [
        ("raw INSERTs, one per row (baseline)", baseline, customers),
        ("raw INSERTs, one multi-row per batch", multi_row, customers),
        ("sender: decide and record through the ledger", queued, customers),
        ("read model: recipient rows from the batches", projected, customers),
        ("sender and read model together", queued + projected, customers),
        ("outbox read model: the messages' rows", outboxed, messages),
        ("queued: sender, then outbox (launch to outbox)", queued + outboxed, customers),
        ("for reference, at sending: messages written", written, messages),
    ]:
        print(f"{name:<50}  {seconds:>8.2f}  {rows / seconds:>9,.0f}"
              f"  {rows / seconds / rate:>20.2f}")  # fmt: skip


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
