"""The `demo` command: refuse where demo data does not belong, write the company, then let
every process manager and read model catch up so the first `serve` shows a living dashboard.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime

from eventsourcing.utils import get_topic
from psycopg import sql

from domain.customer.model import Customer
from infrastructure.bootstrap import Runtime, open_runtime
from infrastructure.demo.campaigns import launch_demo_campaign
from infrastructure.demo.company import DemoCompany, DemoSummary, EventsAndBills
from infrastructure.progress import ProgressBar
from infrastructure.sessions import events_table
from infrastructure.settings import Settings

MAX_CUSTOMERS = 100_000
REGISTERED = get_topic(Customer.Registered)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--customers",
        type=int,
        default=200,
        metavar="N",
        help=f"how many customers join (1 to {MAX_CUSTOMERS:,}; default 200)",
    )
    parser.add_argument(
        "--seed", type=int, default=1, metavar="S", help="the same seed, the same company"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="write even into a database that holds customers, or in production",
    )


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 0 once written and caught up; 2 for a bad argument or a refused database."""
    if not 1 <= args.customers <= MAX_CUSTOMERS:
        print(f"cxledger demo: --customers must be 1 to {MAX_CUSTOMERS:,}", file=sys.stderr)
        return 2
    if settings.environment == "production" and not args.force:
        print(
            "cxledger demo: CXL_ENVIRONMENT is production: demo customers would mix with real "
            "ones (--force to write them anyway)",
            file=sys.stderr,
        )
        return 2
    with open_runtime(settings) as runtime:
        if _holds_customers(runtime) and not args.force:
            print(
                "cxledger demo: the database already holds customers (--force to add the demo "
                "company to them)",
                file=sys.stderr,
            )
            return 2
        company = DemoCompany(runtime.ledger, args.seed, datetime.now(UTC))
        if company.already_written():
            print(
                f"cxledger demo: the demo company of seed {args.seed} is in this database "
                "already; choose another --seed",
                file=sys.stderr,
            )
            return 2
        summary = write_demo(runtime, company, args.customers)
    print(json.dumps({"customers": args.customers, "seed": args.seed, **_report(summary)}))
    return 0


def write_demo(runtime: Runtime, company: DemoCompany, customers: int) -> DemoSummary:
    """Write the company, then bring every follower of the log up to date."""
    company.set_up()
    progress = ProgressBar("demo", unit="customers")
    joins = company.join_times(customers)
    for number, joined in enumerate(joins):
        company.customer(number, joined)
        progress(number + 1, customers)
    company.close_old_survey()
    company.decide_themes()
    _catch_up(runtime, processes_only=True)  # the purchases earn their points
    company.redemptions()
    runtime.loyalty_jobs().run(company.now)  # tiers from the points earned, expiry
    EventsAndBills(company).write()  # after the tiers: the events invite by tier
    runtime.sla_check().run(company.now)  # breaches of the tickets left waiting
    launch_demo_campaign(runtime.ledger, company.uuid(), company.uuid())
    _catch_up(runtime, processes_only=False)  # the sender reads the segment's members
    sent = runtime.campaign_sender().run()
    company.summary.count("campaign messages queued", sent.queued)
    company.summary.count("campaign members skipped", sent.skipped)
    _catch_up(runtime, processes_only=False)
    return company.summary


def _catch_up(runtime: Runtime, processes_only: bool) -> None:
    followers = [
        *runtime.process_manager_runners(),
        *([] if processes_only else runtime.projection_runners()),
    ]
    with runtime.database.connect() as conn:
        for follower in followers:
            follower.catch_up(conn, ProgressBar(f"demo: {follower.name}"))


def _holds_customers(runtime: Runtime) -> bool:
    """Whether anyone was ever registered: asked of the log, which every read model lags."""
    query = sql.SQL("SELECT EXISTS (SELECT FROM {} WHERE topic = %s)").format(
        sql.Identifier(events_table(runtime.ledger))
    )
    with runtime.database.connect() as conn:
        row = conn.execute(query, (REGISTERED,)).fetchone()
    return bool(row and row[0])


def _report(summary: DemoSummary) -> dict[str, dict[str, int]]:
    return {"written": dict(sorted(summary.counts.items())), "refused": summary.refused}
