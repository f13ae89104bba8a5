"""Rebuilding a read model against reading the same log with COPY (issue 14, items 3 and 7).

A log of about ``--events`` events (customers registering, then changing their name and phone:
every event holds personal data, encrypted with the customer's key), then ``--tickets`` tickets
of those customers, each opened, noted, assigned, answered, resolved and closed (six events,
four of them with sealed text), then ``--loyalty`` loyalty members among those customers, each
enrolled, earning points for three orders and redeeming a reward (eight events), then
``--answers`` survey answers of those customers (each an invitation issued and a response with a
comment, to one of a few published NPS surveys), with a few live segments defined first (rules
on region, purchase channel, NPS category, loyalty tier and open tickets: each event of a
customer's facts is tested against them), is read two ways. With ``--campaigns``, every
customer first gives marketing consent and opts in to email, then that many campaigns go to the
first segment, their recipients recorded in batches of 500 (queued and skipped in turn), before
the loyalty members and answers (what follows the messages):

- the baseline: ``COPY (SELECT * FROM ledger_events) TO STDOUT``, drained by the client;
- ``rebuild`` of ``customer_directory``, ``customer_history``, ``ticket_timeline``,
  ``survey_dashboard``, ``segment_membership``, (with ``--loyalty``) ``loyalty_statements`` and
  (with ``--campaigns``) ``campaigns`` (shadow tables, decode and decrypt each event, apply,
  swap), as `cxledger rebuild NAME` runs it; ``--only customer_health`` rebuilds that one too.

The ratio column is each rebuild's events per second over COPY's, counting the events of the
topics the read model reads (COPY counts every row): 1.0 would be a rebuild as fast as reading
the bytes. ``cpu s`` is the client's CPU time of the rebuild (the benchmark's process).

The sides take turns in ``--rounds`` rounds (COPY once, then each rebuild once, again), and
each figure sums its rounds: a slow spell of the machine (this one's speed drifts by a third
within minutes) falls on the baseline and the rebuilds alike. Before, COPY's best of three
runs was set against one rebuild each, some minutes later.

    .venv/bin/python -m benchmarks.rebuild [--events 32000] [--tickets 1000] [--loyalty 0]
                                           [--answers 4000] [--batch-size 500]
                                           [--database-url URL] [--profile]
                                           [--key-cache-size 10000] [--only NAME]
                                           [--campaigns 0] [--rounds 3]

``--profile`` then rebuilds each read model once more under cProfile and prints where its
time goes (reading, fetching keys, decoding, the handlers, the rest).

Without a URL (nor CXL_DATABASE_URL) an embedded PostgreSQL is started in a temporary
directory and stopped at the end. The database the benchmark uses is created and dropped.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from benchmarks.support.rounds import add_rounds_argument
from benchmarks.support.setup import migrated_ledger
from domain.campaign.commands import (
    CompleteCampaign,
    DraftCampaign,
    LaunchCampaign,
    RecordCampaignRecipients,
)
from domain.campaign.values import SkipReason
from domain.customer.commands import (
    ChangeContactDetails,
    GiveConsent,
    RegisterCustomer,
    SetContactPreferences,
)
from domain.customer.profile import ConsentPurpose, ContactChannel
from domain.ledger import Ledger
from domain.loyalty.commands import AddReward
from domain.loyalty.values import EarningRule, RewardKind, RuleKind
from domain.purchase.commands import RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.segment.commands import DefineSegment
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import DraftSurvey, SubmitResponse
from domain.survey.values import SurveyChannel, SurveyKind
from domain.ticket.commands import OpenTicket
from domain.ticket.values import TicketChannel
from infrastructure.crypto import KEY_CACHE_SIZE
from infrastructure.database import Database, scratch_database, scratch_server
from infrastructure.rebuild import REBUILD_BATCH_SIZE, rebuild
from projections.base import Projection
from projections.campaigns.projection import CampaignFigures
from projections.customers.projection import CustomerDirectory
from projections.history.projection import CustomerHistory
from projections.loyalty.projection import LoyaltyStatements
from projections.segments.projection import SegmentMembership
from projections.success.projection import CustomerHealth
from projections.surveys.projection import SurveyDashboard
from projections.tickets.projection import TicketTimeline

AGENT = EventMetadata(actor_id="benchmark", actor_role=Role.AGENT, channel=Channel.API)
ANALYST = EventMetadata(actor_id="benchmark", actor_role=Role.ANALYST, channel=Channel.API)
SENDER = EventMetadata.system("campaign-messages")
RECIPIENT_BATCH = 500
WRITERS = 4
EVENTS_PER_CUSTOMER = 5
SEGMENTS: tuple[dict[str, Any], ...] = (
    {"field": "region", "values": ["EU"]},
    {"field": "channel_used", "values": ["web"]},
    {"field": "nps_category", "values": ["promoter"]},
    {
        "all": [
            {"field": "loyalty_tier", "values": ["bronze"]},
            {"not": {"field": "open_tickets", "min": 1}},
        ]
    },
    {"field": "open_tickets", "min": 1},
)
"""The live segments of the log: each fact-changing event is tested against those that test
its fact."""
"""Registered and email claimed (2), a name and phone change (2), then a name change."""


def define_segments(ledger: Ledger) -> UUID:
    """The segments; the first one's id."""
    ids = [
        ledger.handle(DefineSegment(f"Segment {n}", "", rule), ANALYST).aggregate_id
        for n, rule in enumerate(SEGMENTS)
    ]
    return ids[0]


def reachable(ledger: Ledger, customer: UUID) -> None:
    """Marketing consent and email opted in: in a campaign's audience."""
    ledger.handle(GiveConsent(customer, ConsentPurpose.MARKETING), AGENT)
    ledger.handle(SetContactPreferences(customer, {ContactChannel.EMAIL: True}), AGENT)


def one_campaign(ledger: Ledger, segment: UUID, customers: list[UUID], index: int) -> None:
    """Drafted, launched, its recipients recorded in batches (members queued and skipped in
    turn), completed."""
    draft = DraftCampaign(f"Campaign {index}", segment, "Hi {first_name}", "News.")
    campaign = ledger.handle(draft, ANALYST).aggregate_id
    ledger.handle(LaunchCampaign(campaign), ANALYST)
    members = sorted(customers)
    after = None
    for batch, start in enumerate(range(0, len(members), RECIPIENT_BATCH)):
        chunk = members[start : start + RECIPIENT_BATCH]
        skipped = {SkipReason.FREQUENCY_CAP.value: chunk[1::2]}
        record = RecordCampaignRecipients(campaign, batch, after, chunk[::2], skipped)
        ledger.handle(record, SENDER)
        after = chunk[-1]
    ledger.handle(CompleteCampaign(campaign), SENDER)


def one_customer(ledger: Ledger, index: int) -> UUID:
    email = f"c{index}-{secrets.token_hex(4)}@bench.example"
    region = ("EU", "NA")[index % 2]  # half of them in the region a segment tests
    command = RegisterCustomer(f"Customer {index}", email, region=region)
    registered = ledger.register_customer(command, AGENT)
    for change in range(2):
        ledger.change_contact_details(
            ChangeContactDetails(
                registered.aggregate_id, name=f"Customer {index}.{change}", phone=f"+4930{index}"
            ),
            AGENT,
        )
    return registered.aggregate_id


def one_ticket(ledger: Ledger, customer: UUID, index: int) -> None:
    opened = OpenTicket(customer, TicketChannel.WEB, "billing", f"Case {index}", "Charged twice")
    ticket = ledger.open_ticket(opened, AGENT).aggregate_id
    ledger.add_ticket_note(ticket, "Looks like a double capture.", AGENT)
    ledger.assign_ticket(ticket, "agent-7", AGENT)
    ledger.reply_to_ticket(ticket, "We are on it.", AGENT)
    ledger.resolve_ticket(ticket, "Refunded.", AGENT)
    ledger.close_ticket(ticket, AGENT)


def loyalty_program(ledger: Ledger, since: datetime) -> UUID:
    """A base earning rule and an unlimited reward of 50 points; the reward's id."""
    rule = EarningRule(uuid4(), "1 per euro", RuleKind.BASE_RATE, points_per_unit=1)
    ledger.define_earning_rule(rule, AGENT, now=since)
    reward = AddReward("Tote bag", RewardKind.FREE_PRODUCT, 50)
    return ledger.add_reward(reward, AGENT, now=since).aggregate_id


def one_member(ledger: Ledger, customer: UUID, reward: UUID, since: datetime) -> None:
    """Enrolled, three orders earning points (past their pending time), one redemption."""
    ledger.enrol_in_loyalty(customer, AGENT, now=since)
    for n in range(3):
        order = f"{customer.hex}-{n}"
        bought = since + timedelta(days=n)
        purchase = RecordPurchase(customer, order, "40", "EUR", PurchaseChannel.WEB, bought)
        ledger.record_purchase(purchase, AGENT)
        ledger.earn_points_for_order(order, AGENT, now=bought)
    ledger.redeem_reward(customer, reward, AGENT)


def published_survey(ledger: Ledger, index: int) -> UUID:
    drafted = DraftSurvey(SurveyKind.NPS, f"NPS {index}", "Recommend us?", [SurveyChannel.WEB])
    survey = ledger.draft_survey(drafted, AGENT).aggregate_id
    ledger.publish_survey(survey, AGENT)
    return survey


def one_answer(ledger: Ledger, survey: UUID, customer: UUID, index: int) -> None:
    """The customer is invited in the product and answers, with a comment (sealed text)."""
    ledger.invite_to_survey(survey, customer, SurveyChannel.WEB, AGENT)
    answer = SubmitResponse(
        index % 11, f"Answer {index}: fine", survey_id=survey, customer_id=customer
    )
    ledger.submit_survey_response(answer, EventMetadata(str(customer), Role.CUSTOMER, Channel.WEB))


def write_log(
    ledger: Ledger,
    events: int,
    tickets: int = 0,
    members: int = 0,
    answers: int = 0,
    campaigns: int = 0,
    segment: UUID | None = None,
) -> int:
    customers = max(1, events // EVENTS_PER_CUSTOMER, members)
    since = datetime.now(UTC) - timedelta(days=40)
    with ThreadPoolExecutor(WRITERS) as writers:
        ids = list(writers.map(lambda i: one_customer(ledger, i), range(customers)))
        list(writers.map(lambda i: one_ticket(ledger, ids[i % len(ids)], i), range(tickets)))
        if campaigns and segment is not None:
            list(writers.map(lambda c: reachable(ledger, c), ids))
            for n in range(campaigns):
                one_campaign(ledger, segment, ids, n)
        if members:
            reward = loyalty_program(ledger, since)
            list(writers.map(lambda c: one_member(ledger, c, reward, since), ids[:members]))
        # One invitation per customer and survey: as many surveys as the answers need.
        surveys = [published_survey(ledger, n) for n in range(-(-answers // len(ids)))]
        list(
            writers.map(
                lambda i: one_answer(ledger, surveys[i // len(ids)], ids[i % len(ids)], i),
                range(answers),
            )
        )
    return ledger.head_position()


def events_read(database: Database, projection: Projection) -> int:
    """How many events of the log are of the topics ``projection`` reads."""
    with database.connect() as conn:
        row = conn.execute(
            "SELECT count(*) FROM ledger_events WHERE topic = ANY(%s)", (projection.topics(),)
        ).fetchone()
    return int(row[0]) if row else 0


def copy_seconds(database: Database) -> float:
    """Time to read every stored event through COPY, as bytes, on the client."""
    started = time.perf_counter()
    with (
        database.connect() as conn,
        conn.cursor() as cursor,
        cursor.copy("COPY (SELECT * FROM ledger_events) TO STDOUT") as copy,
    ):
        for _ in copy:
            pass
    return time.perf_counter() - started


def rebuild_seconds(
    ledger: Ledger, database: Database, projection: Projection, batch_size: int
) -> tuple[float, float]:
    """Wall and client CPU seconds of a rebuild."""
    started, cpu = time.perf_counter(), time.process_time()
    rebuild(ledger, database, projection, batch_size)
    return time.perf_counter() - started, time.process_time() - cpu


MEASURED = {
    "read": ("postgres.py", "select_notifications"),
    "keys": ("crypto.py", "prefetch_keys"),
    "decoded": ("projection_runner.py", "_decoded"),
    "together": ("projection_runner.py", "_applied_together"),
}
"""What is measured -> (file name ending, function name) whose cumulative time it is."""


def profiled(run: Callable[[], object]) -> dict[str, float]:
    """Seconds of each part of ``run()``, and ``total``."""
    profile = cProfile.Profile()
    profile.runcall(run)
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    seen = dict.fromkeys(MEASURED, 0.0)
    total = 0.0
    for (filename, _, function), (_, _, _, cumulative, _) in stats.items():
        total = max(total, cumulative)
        for name, (ending, wanted) in MEASURED.items():
            if filename.endswith(ending) and function == wanted:
                seen[name] += cumulative
    # A batch is decoded (its keys fetched at the first decode) and applied inside one
    # savepoint (``_applied_together``): what is not decoding there is the handlers.
    parts = {
        "read the log": seen["read"],
        "fetch keys": seen["keys"],
        "decode": seen["decoded"] - seen["keys"],
        "apply (handlers, SQL)": seen["together"] - seen["decoded"],
    }
    parts["rest"] = total - sum(parts.values())
    parts["total"] = total
    return parts


def print_parts(name: str, parts: dict[str, float]) -> None:
    total = parts["total"]
    shares = ", ".join(
        f"{part} {seconds:.2f} s ({seconds / total:.0%})"
        for part, seconds in parts.items()
        if part != "total"
    )
    print(f"profile of rebuild {name} ({total:.2f} s profiled): {shares}")


READ_MODELS: tuple[type[Projection], ...] = (
    CustomerDirectory,
    CustomerHistory,
    TicketTimeline,
    SurveyDashboard,
    SegmentMembership,
)
ON_REQUEST: tuple[type[Projection], ...] = (CustomerHealth,)
"""Read models rebuilt only when named by ``--only`` (the default run stays as it was)."""


def run(
    admin_conninfo: str,
    events: int,
    tickets: int,
    batch_size: int,
    profile: bool = False,
    members: int = 0,
    answers: int = 0,
    key_cache_size: int = KEY_CACHE_SIZE,
    only: frozenset[str] = frozenset(),
    campaigns: int = 0,
    rounds: int = 1,
) -> None:
    optional = ((LoyaltyStatements,) if members else ()) + ((CampaignFigures,) if campaigns else ())
    read_models = tuple(
        model for model in READ_MODELS + optional if not only or model.name in only
    ) + tuple(model for model in ON_REQUEST if model.name in only)
    with (
        scratch_database(admin_conninfo, "cxl_bench") as database,
        migrated_ledger(database, WRITERS, key_cache_size=key_cache_size) as ledger,
    ):
        segment = define_segments(ledger)
        head = write_log(ledger, events, tickets, members, answers, campaigns, segment)
        projections = [model() for model in read_models]
        reads = {p.name: events_read(database, p) for p in projections}
        # The sides take turns, round after round (COPY, then each rebuild): a slow spell of
        # the machine falls on the baseline and the rebuilds alike. Each figure sums its rounds.
        copy_s = 0.0
        timed: dict[str, tuple[float, float]] = {p.name: (0.0, 0.0) for p in projections}
        for _ in range(rounds):
            copy_s += copy_seconds(database)
            for p in projections:
                seconds, cpu = rebuild_seconds(ledger, database, p, batch_size)
                so_far, cpu_so_far = timed[p.name]
                timed[p.name] = (so_far + seconds, cpu_so_far + cpu)
        rebuilds = [(name, reads[name] * rounds, *timed[name]) for name in reads]
        profiles = [
            (p.name, profiled(lambda p=p: rebuild(ledger, database, p, batch_size)))  # type: ignore[misc]
            for p in (model() for model in read_models)
            if profile
        ]
    copy_rate = head * rounds / copy_s
    read_size = max(batch_size, REBUILD_BATCH_SIZE)
    print(
        f"log: {head:,} events; rebuild batches of {read_size:,} events;"
        f" key cache of {key_cache_size:,} subjects; {rounds} rounds, the sides taking turns"
        " (events and seconds: all rounds')"
    )
    print(
        f"{'read':<28}{'events':>9}{'seconds':>10}{'events/s':>12}{'ratio to COPY':>15}{'cpu s':>9}"
    )
    print(
        f"{'COPY ledger_events':<28}{head * rounds:>9,}{copy_s:>10.3f}{copy_rate:>12,.0f}{1:>15.3f}"
    )
    for name, read, seconds, cpu in rebuilds:
        rate = read / seconds
        print(
            f"{'rebuild ' + name:<28}{read:>9,}{seconds:>10.3f}{rate:>12,.0f}"
            f"{rate / copy_rate:>15.3f}{cpu:>9.3f}"
        )
    for name, parts in profiles:
        print_parts(name, parts)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=32_000, help="events in the log")
    parser.add_argument("--tickets", type=int, default=1_000, help="tickets of 6 events each")
    parser.add_argument(
        "--loyalty", type=int, default=0, help="loyalty members of 8 events each (0: none)"
    )
    parser.add_argument(
        "--answers", type=int, default=4_000, help="survey answers of 2 events each"
    )
    parser.add_argument(
        "--campaigns", type=int, default=0, help="campaigns to every customer (0: none)"
    )
    parser.add_argument("--batch-size", type=int, default=5_000, help="events per rebuild batch")
    parser.add_argument(
        "--profile", action="store_true", help="profile one more rebuild of each read model"
    )
    parser.add_argument(
        "--key-cache-size",
        type=int,
        default=KEY_CACHE_SIZE,
        help="subject keys the ledger caches (less than a batch's subjects: see it thrash)",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="rebuild only this read model (repeatable; default: every one)",
    )
    add_rounds_argument(parser)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("CXL_DATABASE_URL") or None,
        help="admin URL of the server (default: CXL_DATABASE_URL, else embedded PostgreSQL)",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with scratch_server(args.database_url, "cxl-bench") as admin_conninfo:
        run(
            admin_conninfo,
            args.events,
            args.tickets,
            args.batch_size,
            args.profile,
            members=args.loyalty,
            answers=args.answers,
            key_cache_size=args.key_cache_size,
            only=frozenset(args.only),
            campaigns=args.campaigns,
            rounds=args.rounds,
        )


if __name__ == "__main__":
    main()
