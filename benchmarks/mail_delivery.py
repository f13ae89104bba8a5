"""Mails delivered per second by the sender, against raw aiosmtplib sends (issue 17, item 1).

``--messages`` password resets are queued (one per customer) and the outbox is caught up; the
mail sender (`infrastructure/delivery`) then delivers them all to an SMTP server on loopback
(aiosmtpd, in this process), with everything a real delivery does per message: open the
address and token from the sealed cause, write it from the templates, record "sending" before
and "sent" after. Baseline, measured in the same run against the same server: as many
pre-written messages of the same size sent with aiosmtplib over one connection, recording
nothing.

    .venv/bin/python benchmarks/mail_delivery.py [--messages 10000] [--database-url URL]

Without a URL (nor CXL_DATABASE_URL) an embedded PostgreSQL is started in a temporary
directory and stopped at the end. The database the benchmark uses is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from typing import Any

import aiosmtplib

from benchmarks.erasure import migrated_ledger, register
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database, scratch_database, scratch_server
from infrastructure.delivery.addresses import SmtpEndpoint
from infrastructure.delivery.compose import MailComposer
from infrastructure.delivery.links import Links, UnsubscribeTokens
from infrastructure.delivery.mail_catcher import CatchingHandler, Mailbox, MailCatcher
from infrastructure.delivery.sender import MailDelivery
from infrastructure.delivery.store import DeliveryStore, RetryPolicy
from infrastructure.projection_runner import ProjectionRunner
from projections.customers.projection import CustomerDirectory
from projections.outbox.projection import NotificationOutbox

ANONYMOUS = EventMetadata("benchmark", Role.ANONYMOUS, Channel.WEB)
DOMAIN = "bench.example"


class CountingHandler(CatchingHandler):
    """Counts every message (the mailbox keeps only the latest few hundred)."""

    def __init__(self, mailbox: Mailbox) -> None:
        super().__init__(mailbox)
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.count += 1
        return await super().handle_DATA(server, session, envelope)


def queue_resets(ledger: Ledger, database: Database, count: int) -> None:
    """``count`` customers, each owed one password-reset message; the outbox caught up."""

    def one(_: int) -> None:
        customer = register(ledger, "mail")
        email = ledger.get_customer(customer).email
        assert email is not None and email.value is not None
        ledger.request_password_reset(email.value, ANONYMOUS)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, range(count)))
    with database.connect() as conn:
        for view in (NotificationOutbox(), CustomerDirectory()):
            ProjectionRunner(ledger, database, view, 1000).catch_up(conn)


def delivered_per_second(ledger: Ledger, database: Database, endpoint: SmtpEndpoint) -> float:
    composer = MailComposer(
        Links("https://shop.bench.example"),
        UnsubscribeTokens(b"bench"),
        f"Shop <no-reply@{DOMAIN}>",
        DOMAIN,
    )
    sender = MailDelivery(
        ledger,
        lambda: database.connect(autocommit=True),
        DeliveryStore(RetryPolicy()),
        composer,
        endpoint,
        DOMAIN,
    )
    started, sent = time.perf_counter(), 0
    while summary := sender.run():
        if summary.sent == 0:
            break
        sent += summary.sent
    return sent / (time.perf_counter() - started)


def raw_per_second(endpoint: SmtpEndpoint, count: int, sample: EmailMessage) -> float:
    async def send_all() -> None:
        client = aiosmtplib.SMTP(
            hostname=endpoint.host, port=endpoint.port, start_tls=False, local_hostname=DOMAIN
        )
        await client.connect()
        for _ in range(count):
            await client.send_message(sample)
        await client.quit()

    started = time.perf_counter()
    asyncio.run(send_all())
    return count / (time.perf_counter() - started)


def run(admin_conninfo: str, count: int) -> None:
    counter = CountingHandler(Mailbox())
    with (
        scratch_database(admin_conninfo, "cxl_bench") as database,
        migrated_ledger(database) as ledger,
        MailCatcher(counter) as catcher,
    ):
        started = time.perf_counter()
        queue_resets(ledger, database, count)
        print(f"queued {count:,} password resets in {time.perf_counter() - started:.1f} s")
        delivered = delivered_per_second(ledger, database, catcher.endpoint)
        assert counter.count == count, f"{counter.count} of {count} arrived"
        raw = raw_per_second(catcher.endpoint, count, counter.mailbox.all()[0].message)
    print(f"{'':<34}{'mails/s':>10}")
    print(f"{'raw aiosmtplib, one connection':<34}{raw:>10,.0f}")
    print(f"{'the sender (open, write, record)':<34}{delivered:>10,.0f}")
    print(f"delivered/raw: {delivered / raw:.2f}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000, help="messages queued")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("CXL_DATABASE_URL"),
        help="a PostgreSQL server to create the benchmark database on",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with scratch_server(args.database_url, "cxl-bench") as admin_conninfo:
        run(admin_conninfo, args.messages)


if __name__ == "__main__":
    main()
