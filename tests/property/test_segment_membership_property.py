"""Property (real PostgreSQL): for random customers living random lives (regions, languages,
birth years, consents, onboarding, purchases over several days, NPS answers, loyalty tiers,
tickets) and a segment whose random rule changes, the segment's members at every instant of
the log, read from the membership history, are exactly the customers a plain Python
evaluation of the rule in force then picks from the facts as they were then, RFM quintiles
included (those of the base at the start of the latest day), whatever the batch sizes."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.utils import get_topic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.customer.model import Customer
from domain.loyalty.account import LoyaltyAccount
from domain.purchase.model import Purchase
from domain.segment.model import Segment
from domain.shared.metadata import EventMetadata
from domain.shared.personal_data import PersonalData
from domain.survey.model import Invitation
from domain.ticket.model import Ticket
from infrastructure.database import Database
from projections.base import Positioned
from projections.segments.projection import SegmentMembership
from tests.support.postgres import fresh_database

SYSTEM = EventMetadata.system("property")
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
CUSTOMERS = 7
REGIONS = ("EU", "UK", "NA")
LANGUAGES = ("en", "fr")
PURPOSES = ("marketing", "research", "testimonials")
STEPS = ("profile", "app", "first_order")
CHANNELS = ("web", "app", "store", "phone")
CURRENCIES = ("EUR", "USD", "JPY")
"""Minor units differ (a yen has none): amounts in two currencies never add up."""
TIERS = ("bronze", "silver", "gold")
NPS = ("promoter", "passive", "detractor")

# -- rules --------------------------------------------------------------------------------


def chosen(name: str, choices: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    values = st.lists(st.sampled_from(choices), min_size=1, max_size=2)
    return st.builds(lambda v: {"field": name, "values": v}, values)


def between(name: str, low: int, high: int) -> st.SearchStrategy[dict[str, Any]]:
    bound = st.integers(low, high)
    return st.builds(lambda a, b: {"field": name, "min": min(a, b), "max": max(a, b)}, bound, bound)


predicates = st.one_of(
    chosen("region", REGIONS),
    chosen("language", LANGUAGES),
    chosen("channel_used", CHANNELS),
    chosen("consent", PURPOSES),
    chosen("nps_category", NPS),
    chosen("loyalty_tier", TIERS),
    between("birth_year", 1950, 2005),
    between("recency", 1, 5),
    between("frequency", 1, 5),
    between("monetary", 1, 5),
    st.builds(lambda a: {"field": "open_tickets", "min": a}, st.integers(0, 2)),
    st.builds(lambda a: {"field": "onboarding_steps", "max": a}, st.integers(0, 3)),
)
rules = st.recursive(
    predicates,
    lambda children: st.one_of(
        st.builds(lambda c: {"all": c}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda c: {"any": c}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda c: {"not": c}, children),
    ),
    max_leaves=5,
)

# -- lives --------------------------------------------------------------------------------

who = st.integers(0, CUSTOMERS - 1)
purchases = st.tuples(
    st.just("purchase"), who, st.sampled_from(CHANNELS), st.integers(1, 50_000),
    st.integers(0, 40), st.sampled_from(CURRENCIES),
)  # fmt: skip
actions = st.one_of(
    purchases,  # thrice: RFM needs buyers
    purchases,
    st.tuples(st.just("region"), who, st.sampled_from(REGIONS)),
    st.tuples(st.just("language"), who, st.sampled_from(LANGUAGES)),
    st.tuples(st.just("birth_year"), who, st.integers(1950, 2005)),
    st.tuples(st.just("consent"), who, st.sampled_from(PURPOSES)),
    st.tuples(st.just("withdraw"), who, st.sampled_from(PURPOSES)),
    st.tuples(st.just("step"), who, st.sampled_from(STEPS)),
    purchases,
    st.tuples(st.just("nps"), who, st.integers(0, 10)),
    st.tuples(st.just("tier"), who, st.sampled_from(TIERS)),
    st.tuples(st.just("open_ticket"), who),
    st.tuples(st.just("resolve_ticket"), who),
    st.tuples(st.just("anonymous_ticket"), who),
    st.tuples(st.just("rule"), rules),
    st.tuples(st.just("rule"), between("frequency", 1, 5)),
)  # fmt: skip
lives = st.lists(
    st.tuples(actions, st.sampled_from([1, 30, 240, 600, 1440, 2000])), min_size=8, max_size=40
)  # (action, minutes since the previous event)


@dataclass
class Facts:
    region: str | None
    language: str | None = None
    birth_year: int | None = None
    consents: set[str] = field(default_factory=set)
    steps: set[str] = field(default_factory=set)
    channels: set[str] = field(default_factory=set)
    purchases: int = 0
    spent: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Per currency: (purchases, amount in minor units)."""

    def main_spend(self) -> tuple[str, int]:
        """The currency of most purchases (ties: the larger amount, then the code), and the
        amount spent in it."""
        currency, (_, amount) = min(
            self.spent.items(), key=lambda item: (-item[1][0], -item[1][1], item[0])
        )
        return currency, amount

    last_purchase: datetime | None = None
    nps: str | None = None
    tier: str | None = None
    open_tickets: set[UUID] = field(default_factory=set)


def holds(rule: dict[str, Any], facts: Facts, rfm: dict[str, int] | None) -> bool:
    """The rule, evaluated in plain Python: an unknown fact satisfies no predicate."""
    if "all" in rule:
        return all(holds(child, facts, rfm) for child in rule["all"])
    if "any" in rule:
        return any(holds(child, facts, rfm) for child in rule["any"])
    if "not" in rule:
        return not holds(rule["not"], facts, rfm)
    name = rule["field"]
    if name == "channel_used":
        return bool(facts.channels & set(rule["values"]))
    if name == "consent":
        return set(rule["values"]) <= facts.consents
    if "values" in rule:
        value = {"region": facts.region, "language": facts.language, "nps_category": facts.nps,
                 "loyalty_tier": facts.tier}[name]  # fmt: skip
        return value in rule["values"]
    number: int | None
    if name in ("recency", "frequency", "monetary"):
        number = None if rfm is None else rfm[name]
    else:
        number = {"birth_year": facts.birth_year, "open_tickets": len(facts.open_tickets),
                  "onboarding_steps": len(facts.steps)}[name]  # fmt: skip
    if number is None:
        return False
    return bool(rule.get("min", number) <= number <= rule.get("max", number))


def ntile(ranked: list[UUID]) -> dict[UUID, int]:
    """PostgreSQL's ntile(5) over ``ranked`` (already in order)."""
    size, extra = divmod(len(ranked), 5)
    scores: dict[UUID, int] = {}
    index = 0
    for bucket in range(1, 6):
        for _ in range(size + (1 if bucket <= extra else 0)):
            scores[ranked[index]] = bucket
            index += 1
    return scores


def quintiles(people: dict[UUID, Facts]) -> dict[UUID, dict[str, int]]:
    buyers = [c for c, f in people.items() if f.purchases]
    by = {
        "recency": lambda c: (people[c].last_purchase, c),
        "frequency": lambda c: (people[c].purchases, c),
    }
    scores = {name: ntile(sorted(buyers, key=key)) for name, key in by.items()}
    # Money ranks only among buyers of the same main currency: currencies never add up.
    monetary: dict[UUID, int] = {}
    for currency in {people[c].main_spend()[0] for c in buyers}:
        alike = [c for c in buyers if people[c].main_spend()[0] == currency]
        monetary |= ntile(sorted(alike, key=lambda c: (people[c].main_spend()[1], c)))
    scores["monetary"] = monetary
    return {c: {name: scores[name][c] for name in scores} for c in buyers}


# -- the log ------------------------------------------------------------------------------


def event(event_class: Any, origin: UUID, version: int, when: datetime, **fields: Any) -> Any:
    created = "originator_topic" in inspect.signature(event_class).parameters
    extra = {"originator_topic": get_topic(_owner(event_class))} if created else {}
    return event_class(
        originator_id=origin, originator_version=version, timestamp=when, metadata=SYSTEM,
        **extra, **fields,
    )  # fmt: skip


def _owner(kind: Any) -> type:
    for owner in (Customer, Purchase, Segment, Ticket, LoyaltyAccount, Invitation):
        if kind in owner.event_classes():
            return owner
    raise AssertionError(kind)


@dataclass
class World:
    """The log written so far, and the reference's own replay of it."""

    ids: list[UUID]
    segment_id: UUID
    events: list[Any] = field(default_factory=list)
    versions: dict[UUID, int] = field(default_factory=dict)
    accounts: dict[UUID, UUID] = field(default_factory=dict)
    tickets: dict[UUID, list[UUID]] = field(default_factory=dict)

    def add(self, event_class: Any, origin: UUID, when: datetime, **fields: Any) -> None:
        version = self.versions.get(origin, 0) + 1
        self.versions[origin] = version
        self.events.append(event(event_class, origin, version, when, **fields))


def write_log(first_rule: dict[str, Any], life: list[tuple[Any, int]]) -> World:
    world = World([uuid4() for _ in range(CUSTOMERS)], uuid4())
    at = T0
    for i, customer in enumerate(world.ids):
        at += timedelta(minutes=7)
        world.add(Customer.Registered, customer, at, name=PersonalData(customer, "P"),
                  email=PersonalData(customer, "p@example.org"), phone=None,
                  region=REGIONS[i % len(REGIONS)], email_fingerprint="f")  # fmt: skip
    at += timedelta(minutes=1)
    world.add(Segment.Defined, world.segment_id, at, name="S", description="", rule=first_rule,
              at=at)  # fmt: skip
    for action, minutes in life:
        at += timedelta(minutes=minutes)
        act(world, action, at)
    return world


def act(world: World, action: tuple[Any, ...], at: datetime) -> None:
    kind = action[0]
    if kind == "rule":
        world.add(Segment.RuleChanged, world.segment_id, at, rule=action[1], at=at)
        return
    customer = world.ids[action[1]]
    if kind == "region":
        world.add(Customer.RegionChanged, customer, at, region=action[2])
    elif kind == "language":
        world.add(
            Customer.LanguageChanged, customer, at, language=PersonalData(customer, action[2])
        )
    elif kind == "birth_year":
        year = PersonalData(customer, str(action[2]))
        world.add(Customer.BirthYearChanged, customer, at, birth_year=year)
    elif kind == "consent":
        world.add(Customer.ConsentGiven, customer, at, purpose=action[2])
    elif kind == "withdraw":
        world.add(Customer.ConsentWithdrawn, customer, at, purpose=action[2])
    elif kind == "step":
        world.add(Customer.OnboardingStepCompleted, customer, at, step=action[2], completed_at=at)
    elif kind == "purchase":
        _, _, channel, amount, days_ago, currency = action
        world.add(Purchase.Recorded, uuid4(), at, customer_id=customer, order_id="o",
                  amount_minor=amount, currency=currency, channel=channel, items=[],
                  purchased_at=at - timedelta(days=days_ago))  # fmt: skip
    elif kind == "nps":
        world.add(Invitation.Responded, uuid4(), at, survey_id=uuid4(), customer_id=customer,
                  kind="nps", score=action[2], aspect_scores={}, comment=None, channel="web",
                  region=None, product_version=None, completion_seconds=1.0, tier=None,
                  comment_sentiment=None)  # fmt: skip
    elif kind == "tier":
        account = world.accounts.get(customer)
        if account is None:
            account = world.accounts[customer] = uuid4()
            world.add(LoyaltyAccount.Enrolled, account, at, customer_id=customer, at=at)
        else:
            world.add(LoyaltyAccount.TierChanged, account, at, from_tier="bronze",
                      to_tier=action[2], qualifying_points=0, at=at)  # fmt: skip
    elif kind == "open_ticket":
        ticket = uuid4()
        world.tickets.setdefault(customer, []).append(ticket)
        world.add(Ticket.Opened, ticket, at, customer_id=customer, subject_id=customer,
                  requester="customer", requester_email=None, channel="web", category="c",
                  subject=PersonalData(customer, "s"), description=PersonalData(customer, "d"),
                  priority="normal", source=None, sla={}, at=at)  # fmt: skip
    elif kind == "anonymous_ticket":  # no customer's: it moves no one's open tickets
        person = uuid4()
        world.add(Ticket.Opened, uuid4(), at, customer_id=None, subject_id=person,
                  requester="anonymous", requester_email=PersonalData(person, "a@b.org"),
                  channel="web", category="c", subject=PersonalData(person, "s"),
                  description=PersonalData(person, "d"), priority="normal", source=None, sla={},
                  at=at)  # fmt: skip
    elif kind == "resolve_ticket" and world.tickets.get(customer):
        ticket = world.tickets[customer].pop(0)
        world.add(Ticket.Resolved, ticket, at, resolution=PersonalData(customer, "r"), at=at)


def expected_members(world: World, until: int) -> set[UUID]:
    """Replay the first ``until`` events in plain Python and evaluate the rule then."""
    people: dict[UUID, Facts] = {}
    accounts: dict[UUID, UUID] = {}
    ticket_owner: dict[UUID, UUID] = {}
    rule: dict[str, Any] = {}
    scores: dict[UUID, dict[str, int]] = {}
    day: date | None = None
    for e in world.events[:until]:
        today = e.timestamp.date()
        if day is not None and today > day:
            scores = quintiles(people)  # the base as the new day starts
        day = today
        apply_fact(e, people, accounts, ticket_owner)
        if isinstance(e, Segment.Defined | Segment.RuleChanged):
            rule = e.rule
    if not rule:
        return set()  # the segment is not defined yet
    return {c for c, facts in people.items() if holds(rule, facts, scores.get(c))}


def apply_fact(
    e: Any, people: dict[UUID, Facts], accounts: dict[UUID, UUID], owners: dict[UUID, UUID]
) -> None:
    c = e.originator_id
    match e:
        case Customer.Registered():
            people[c] = Facts(e.region)
        case Customer.RegionChanged():
            people[c].region = e.region
        case Customer.LanguageChanged():
            people[c].language = e.language.reveal()
        case Customer.BirthYearChanged():
            assert e.birth_year is not None
            people[c].birth_year = int(e.birth_year.reveal())
        case Customer.ConsentGiven():
            people[c].consents.add(e.purpose)
        case Customer.ConsentWithdrawn():
            people[c].consents.discard(e.purpose)
        case Customer.OnboardingStepCompleted():
            people[c].steps.add(e.step)
        case Purchase.Recorded():
            f = people[e.customer_id]
            f.purchases += 1
            count, amount = f.spent.get(e.currency, (0, 0))
            f.spent[e.currency] = (count + 1, amount + e.amount_minor)
            f.channels.add(e.channel)
            f.last_purchase = max(filter(None, (f.last_purchase, e.purchased_at)))
        case Invitation.Responded():
            f = people[e.customer_id]
            f.nps = "promoter" if e.score >= 9 else "passive" if e.score >= 7 else "detractor"
        case LoyaltyAccount.Enrolled():
            accounts[c] = e.customer_id
            people[e.customer_id].tier = "bronze"
        case LoyaltyAccount.TierChanged():
            people[accounts[c]].tier = e.to_tier
        case Ticket.Opened() if e.customer_id is not None:  # an anonymous one is no one's
            owners[c] = e.customer_id
            people[e.customer_id].open_tickets.add(c)
        case Ticket.Resolved():
            people[owners[c]].open_tickets.discard(c)


# -- the property -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def database(pg_admin: str) -> Iterator[Database]:
    with fresh_database(pg_admin) as database:
        with database.connect() as conn:
            conn.execute(SegmentMembership.ddl)
            conn.commit()
        yield database


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first_rule=rules, life=lives, batch_size=st.integers(1, 12))
def test_members_at_every_instant_equal_a_plain_evaluation_of_the_rule(
    database: Database, first_rule: dict[str, Any], life: list[tuple[Any, int]], batch_size: int
) -> None:
    world = write_log(first_rule, life)
    batch = [Positioned(i + 1, e) for i, e in enumerate(world.events)]
    with database.connect() as conn, conn.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(SegmentMembership.tables))
        projection = SegmentMembership()
        for start in range(0, len(batch), batch_size):
            projection.apply(cursor, batch[start : start + batch_size])
        for until, e in enumerate(world.events, start=1):
            members = cursor.execute(
                "SELECT customer_id FROM segment_memberships WHERE segment_id = %(s)s"
                " AND entered_at <= %(at)s AND (left_at IS NULL OR left_at > %(at)s)",
                {"s": world.segment_id, "at": e.timestamp},
            ).fetchall()
            assert {row[0] for row in members} == expected_members(world, until), until
        conn.rollback()
