"""A realistic company, written through the ledger's own commands.

Customers join over the past year (more of them lately), in order, and each lives a life:
profile, contact preferences and consents, loyalty membership, purchases (some refunded),
referrals given and taken, survey invitations and answers, support tickets. Every choice comes
from one seeded random generator, and every id the demo chooses (customers, surveys, rewards,
rules, tickets, orders, redemptions) derives from it, so a seed gives the same company. What a
command makes itself stays random: referral codes, link tokens, encryption keys, and the
events' own timestamps, which are the time of writing.

Business times are set wherever a command takes one (``now``, ``purchased_at``,
``refunded_at``, ``completed_at``) and the read models date its event by it; the commands that
take none (registration, contact changes, consents, survey design and publication) are stamped
with the time they ran, and so are survey invitations and answers (see :meth:`_surveys`).
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID, uuid5

from domain.billing.commands import RecordPaymentNotification
from domain.billing.values import NotificationKind
from domain.customer.commands import ChangeDemographics, RegisterCustomer, SetContactPreferences
from domain.customer.profile import Address, ConsentPurpose, ContactChannel
from domain.exclusive_event.commands import RecordAttendance, RsvpToEvent, ScheduleEvent
from domain.exclusive_event.values import EventDetails
from domain.feedback.commands import SubmitFeedback
from domain.feedback.values import FeedbackKind
from domain.fulfilment.commands import LineInput, RecordFulfilment
from domain.fulfilment.values import FulfilmentStep
from domain.knowledge.commands import ArticleContent, DraftArticle, PublishArticle, VoteOnArticle
from domain.knowledge.values import ArticleLanguage
from domain.ledger import Ledger
from domain.loyalty.commands import AddReward
from domain.loyalty.values import CapPeriod, EarningRule, RewardKind, RuleDimension, RuleKind, Tier
from domain.purchase.commands import OrderLineInput, RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.shared.errors import DomainError
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.success.commands import (
    CloseSuccessPlan,
    OpenSuccessPlan,
    ReachSuccessPlanMilestone,
    RecordSuccessPlanCheckIn,
)
from domain.success.values import PlanOutcome
from domain.survey.commands import DraftSurvey, SubmitResponse
from domain.survey.values import AspectQuestion, SurveyChannel, SurveyKind
from domain.theme_priority.commands import MarkThemeDone, MarkThemePlanned
from domain.ticket.commands import OpenTicket
from domain.ticket.values import TicketChannel
from graphql_api.privacy.export import EXPORT_SECTIONS
from infrastructure.demo import catalogue as c

T = TypeVar("T")
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)

ADMIN = EventMetadata("admin-demo", Role.ADMIN, Channel.CLI)
ANALYST = EventMetadata("analyst-demo", Role.ANALYST, Channel.CLI)
PRIVACY = EventMetadata("privacy-demo", Role.PRIVACY_OFFICER, Channel.CLI)
PROVIDER = EventMetadata.system("payment-provider")
AGENT = EventMetadata("agent-demo", Role.AGENT, Channel.CLI)
SURVEY_SENDER = EventMetadata("survey-scheduler", Role.AGENT, Channel.SYSTEM)

OLD_VERSION, NEW_VERSION = "4.1", "5.0"
VERSION_CUTOVER = timedelta(days=120)
"""The app's version 5.0 shipped this long before the demo's present."""


PLAN_EVERY = 20
"""One customer in this many has a success plan."""


@dataclass(frozen=True, slots=True)
class DemoSurvey:
    survey_id: UUID
    kind: SurveyKind
    channels: tuple[SurveyChannel, ...]
    aspects: tuple[str, ...]
    version: str | None
    invite_share: float
    mood: float
    """Added to every respondent's mood: the newer version pleases more."""


@dataclass
class Person:
    """One demo customer, as the generator remembers them."""

    customer_id: UUID
    joined: datetime
    region: c.Region
    channels: dict[ContactChannel, bool]
    member_since: datetime | None = None
    products: list[tuple[str, str]] = field(default_factory=list)
    """(category, product) of what they bought."""


@dataclass
class DemoSummary:
    """What the demo wrote, by kind, and the commands the domain refused (and skipped)."""

    counts: dict[str, int] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, n: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n


class DemoCompany:
    """Writes the demo company to ``ledger`` as of ``now``, deterministically from ``seed``."""

    def __init__(self, ledger: Ledger, seed: int, now: datetime) -> None:
        self.ledger = ledger
        # Not a secret: a seeded generator, so that a seed reproduces the company.
        self.rng = random.Random(seed)  # noqa: S311
        self.seed = seed
        self.marker = self.uuid()
        """The id of the seed's first reward: if it exists, this seed's company was written."""
        self.now = now
        self.start = now - timedelta(days=365)
        self.summary = DemoSummary()
        self.people: list[Person] = []
        self.referrers: list[tuple[Person, datetime]] = []
        self.surveys: list[DemoSurvey] = []
        self.rewards: list[tuple[UUID, int]] = []
        self.articles: list[UUID] = []
        # Feedback and the help centre draw from a generator of their own, so the rest of
        # the company stays what the seed made it before they existed.
        self.help_rng = random.Random(f"help centre {seed}")  # noqa: S311

    # -- ids and choices ------------------------------------------------------------------

    def uuid(self) -> UUID:
        return UUID(int=self.rng.getrandbits(128), version=4)

    def help_uuid(self) -> UUID:
        return UUID(int=self.help_rng.getrandbits(128), version=4)

    def weighted(self, choices: Sequence[tuple[T, int]]) -> T:
        return self.rng.choices([v for v, _ in choices], [w for _, w in choices])[0]

    def between(self, first: datetime, last: datetime) -> datetime:
        if last <= first:
            return first
        return first + (last - first) * self.rng.random()

    def attempt(self, kind: str, command: Callable[..., object], *args: Any, **kw: Any) -> bool:
        """Run one command; a refusal by the domain (no points yet, a closed window) is a
        normal outcome in a living company: counted and skipped."""
        try:
            command(*args, **kw)
        except DomainError as error:
            refusal = f"{kind}: {error.code}"
            self.summary.refused[refusal] = self.summary.refused.get(refusal, 0) + 1
            return False
        self.summary.count(kind)
        return True

    def already_written(self) -> bool:
        """Whether this seed's company is in the log already (writing it again would collide
        with its own ids)."""
        return self.ledger.find(self.marker) is not None

    # -- the company's set-up -------------------------------------------------------------

    def set_up(self) -> None:
        """The loyalty rule book and rewards, and the surveys the analysts run."""
        founded = self.start - 7 * DAY
        rules = [
            EarningRule(self.uuid(), "1 point per euro", RuleKind.BASE_RATE, points_per_unit=1,
                        currency="EUR"),
            EarningRule(self.uuid(), "1 point per pound", RuleKind.BASE_RATE, points_per_unit=1,
                        currency="GBP"),
            EarningRule(self.uuid(), "1 point per dollar", RuleKind.BASE_RATE, points_per_unit=1,
                        currency="USD"),
            EarningRule(self.uuid(), "Gold members earn 50% more", RuleKind.MULTIPLIER,
                        dimension=RuleDimension.TIER, match=Tier.GOLD.value, percent=150),
            EarningRule(self.uuid(), "Double points in the app", RuleKind.MULTIPLIER,
                        dimension=RuleDimension.CHANNEL, match="app", percent=200),
            EarningRule(self.uuid(), "Welcome bonus", RuleKind.FIRST_PURCHASE_BONUS,
                        bonus_points=100),
            EarningRule(self.uuid(), "At most 5,000 points a month", RuleKind.CAP,
                        period=CapPeriod.MONTH, max_points=5_000),
        ]  # fmt: skip
        # A company that has a rule book keeps it: a second one would double every earning.
        if not self.ledger.program_rules_and_terms()[0]:
            for rule in rules:
                self.ledger.define_earning_rule(rule, ADMIN, now=founded)
                self.summary.count("earning rules")
        rewards = [
            AddReward("5 € voucher", RewardKind.DISCOUNT, 250, "Five euros off any order."),
            AddReward("Coffee beans, 250 g", RewardKind.FREE_PRODUCT, 400, "Our house roast.",
                      stock=500),
            AddReward("Early access to the sales", RewardKind.EARLY_ACCESS, 600,
                      "Shop the seasonal sale a day early.", min_tier=Tier.SILVER),
            AddReward("Roastery tour", RewardKind.EXPERIENCE, 2_500, "A morning at the roastery.",
                      stock=40, min_tier=Tier.GOLD),
        ]  # fmt: skip
        for reward in rewards:
            reward_id = self.uuid() if self.rewards else self.marker
            self.ledger.add_reward(replace(reward, reward_id=reward_id), ADMIN, now=founded)
            self.rewards.append((reward_id, reward.cost_points))
            self.summary.count("rewards")
        self._design_surveys()
        self._write_articles()

    def _write_articles(self) -> None:
        """The help centre: published articles in English and French, and one draft."""
        for language, product, category, title, body in _ARTICLES:
            content = ArticleContent(product, category, language, title, body)
            article_id = self.help_uuid()
            self.ledger.handle(DraftArticle(content, article_id), AGENT_WRITER)
            self.ledger.handle(PublishArticle(article_id), AGENT_WRITER)
            self.articles.append(article_id)
            self.summary.count("articles")
        draft = ArticleContent(
            "app", "releases", ArticleLanguage.EN, "What's new in the app 5.1",
            "Coming soon: saved baskets and a faster checkout.",
        )  # fmt: skip
        self.ledger.handle(DraftArticle(draft, self.help_uuid()), AGENT_WRITER)
        self.summary.count("articles")

    def _design_surveys(self) -> None:
        every = tuple(SurveyChannel)
        designs = [
            (SurveyKind.NPS, "How likely are you to recommend us?", "Relationship NPS",
             every, ("pricing", "delivery", "quality"), None, 0.35, 0.0),
            (SurveyKind.NPS, "How likely are you to recommend our app?", "App NPS 4.1",
             (SurveyChannel.APP, SurveyChannel.PUSH, SurveyChannel.EMAIL),
             ("app_usability", "checkout"), OLD_VERSION, 0.3, -0.5),
            (SurveyKind.NPS, "How likely are you to recommend our app?", "App NPS 5.0",
             (SurveyChannel.APP, SurveyChannel.PUSH, SurveyChannel.EMAIL),
             ("app_usability", "checkout"), NEW_VERSION, 0.3, 0.6),
            (SurveyKind.CSAT, "How satisfied are you with your delivery?", "Delivery CSAT",
             (SurveyChannel.EMAIL, SurveyChannel.SMS), ("delivery", "packaging"), None, 0.3, 0.0),
            (SurveyKind.CES, "How easy was it to return your order?", "Returns effort",
             (SurveyChannel.EMAIL, SurveyChannel.WEB), ("returns",), None, 0.15, -0.3),
        ]  # fmt: skip
        for kind, question, title, channels, aspects, version, share, mood in designs:
            survey_id = self.uuid()
            self.ledger.draft_survey(
                DraftSurvey(
                    kind=kind,
                    title=title,
                    question=question,
                    channels=list(channels),
                    aspects=[
                        AspectQuestion.checked(a, f"How was the {a.replace('_', ' ')}?")
                        for a in aspects
                    ],
                    product_version=version,
                    survey_id=survey_id,
                ),
                ANALYST,
            )
            self.ledger.publish_survey(survey_id, ANALYST)
            self.surveys.append(
                DemoSurvey(survey_id, kind, channels, aspects, version, share, mood)
            )
            self.summary.count("surveys")

    # -- customers --------------------------------------------------------------------------

    def join_times(self, customers: int) -> list[datetime]:
        """When each customer joins: over the past year, more of them lately (growth)."""
        span = self.now - DAY - self.start
        return sorted(self.start + span * (self.rng.random() ** 0.6) for _ in range(customers))

    def customer(self, number: int, joined: datetime) -> None:
        """One customer's whole life, from registration to their latest ticket."""
        person = self._registered(number, joined)
        if person is None:
            return
        self._profile(person)
        self._loyalty(person)
        self._referrals(person)
        self._purchases(person, number)
        self._surveys(person)
        self._tickets(person)
        self._feedback(person, number)
        if number % PLAN_EVERY == 0:
            self._success_plan(person)
        if self.rng.random() < 0.03 or number == 0:
            self.attempt(
                "data exports",
                self.ledger.record_data_export,
                person.customer_id,
                "The customer asked for a copy of their data",
                list(EXPORT_SECTIONS),
                PRIVACY,
                now=self.between(person.joined, self.now),
                export_id=self.uuid(),
            )
        self.people.append(person)

    def _registered(self, number: int, joined: datetime) -> Person | None:
        """The customer, registered; None if their email is taken (a database the demo was
        forced into may hold it)."""
        region = self.weighted([(r, r.weight) for r in c.REGIONS])
        first, last = self.rng.choice(region.first_names), self.rng.choice(region.last_names)
        email = f"{_ascii(first)}.{_ascii(last)}.{number}@{self.rng.choice(c.EMAIL_DOMAINS)}"
        phone = (
            f"{region.phone_prefix} {self.rng.randint(100, 999)} {self.rng.randint(100000, 999999)}"
            if self.rng.random() < 0.6
            else None
        )
        customer_id = self.uuid()
        where = self.weighted([(Channel.WEB, 50), (Channel.APP, 30), (Channel.STORE, 20)])
        signup = EventMetadata(self.rng.choice(c.AGENTS), Role.AGENT, where)
        friend_of = self._referrer_for(joined)
        if friend_of is not None:
            referrer, _ = friend_of
            self.attempt(
                "referral invitations",
                self.ledger.invite_friend,
                referrer.customer_id,
                email,
                _as(referrer),
                now=joined - 2 * DAY,
            )
        if not self.attempt(
            "customers",
            self.ledger.register_customer,
            RegisterCustomer(f"{first} {last}", email, phone, region.code, customer_id),
            signup,
        ):
            return None
        channels = {
            ContactChannel.EMAIL: self.rng.random() < 0.85,
            ContactChannel.SMS: phone is not None and self.rng.random() < 0.6,
            ContactChannel.PUSH: self.rng.random() < 0.5,
        }
        person = Person(customer_id, joined, region, channels)
        if friend_of is not None:
            code = self.ledger.get_referrer(friend_of[0].customer_id).code
            self.attempt(
                "referral conversions",
                self.ledger.convert_referral,
                customer_id,
                code,
                _as(person),
                now=joined,
            )
        return person

    def _referrer_for(self, joined: datetime) -> tuple[Person, datetime] | None:
        """A customer who invited this one, for about one newcomer in six once there are some."""
        ready = [(p, at) for p, at in self.referrers if at < joined - 2 * DAY]
        if not ready or self.rng.random() >= 0.17:
            return None
        return self.rng.choice(ready)

    def _profile(self, person: Person) -> None:
        me, region = _as(person), person.region
        self.ledger.change_demographics(
            ChangeDemographics(
                person.customer_id,
                language=self.rng.choice(region.languages),
                birth_year=self.rng.randint(1950, self.now.year - 18),
            ),
            me,
            now=person.joined,
        )
        if self.rng.random() < 0.6:
            city, postal_code = self.rng.choice(region.cities)
            street = f"{self.rng.randint(1, 180)} {self.rng.choice(c.STREETS)}"
            address = Address.checked(street, None, city, postal_code, region.country)
            self.ledger.change_address(person.customer_id, address, me)
        self.ledger.set_contact_preferences(
            SetContactPreferences(person.customer_id, dict(person.channels)), me
        )
        consents = [
            (ConsentPurpose.RESEARCH, 0.7),
            (ConsentPurpose.MARKETING, 0.55),
            (ConsentPurpose.TESTIMONIALS, 0.12),
        ]
        for purpose, share in consents:
            if self.rng.random() < share:
                self.ledger.give_consent(person.customer_id, purpose, me)
                self.summary.count("consents")
        if self.rng.random() < 0.06:
            self.ledger.withdraw_consent(person.customer_id, ConsentPurpose.MARKETING, me)
            self.summary.count("consents withdrawn")
        for step, after in (("profile_completed", 10), ("preferences_set", 30)):
            if self.rng.random() < 0.8:
                self.ledger.complete_onboarding_step(
                    person.customer_id,
                    step,
                    me,
                    completed_at=min(person.joined + after * timedelta(minutes=1), self.now),
                )

    def _loyalty(self, person: Person) -> None:
        if self.rng.random() >= 0.6:
            return
        at = min(person.joined + self.rng.uniform(0, 10) * DAY, self.now)
        self.ledger.enrol_in_loyalty(person.customer_id, _as(person), now=at)
        person.member_since = at
        self.summary.count("loyalty members")

    def _referrals(self, person: Person) -> None:
        """About one customer in five shares a code, and invites a friend or two who may
        never come (the ones who come are invited when they join)."""
        if self.rng.random() >= 0.2:
            return
        at = min(person.joined + self.rng.uniform(0.5, 20) * DAY, self.now)
        self.ledger.issue_referral_code(person.customer_id, _as(person), now=at)
        self.summary.count("referral codes")
        self.referrers.append((person, at))
        for n in range(self.rng.randint(0, 2)):
            friend = f"friend.{self.rng.getrandbits(40):x}.{n}@{self.rng.choice(c.EMAIL_DOMAINS)}"
            self.attempt(
                "referral invitations",
                self.ledger.invite_friend,
                person.customer_id,
                friend,
                _as(person),
                now=self.between(at, self.now),
            )

    def _purchases(self, person: Person, number: int) -> None:
        count = self.weighted([(0, 12), (1, 20), (2, 18), (3, 14), (4, 10), (6, 10), (9, 8),
                               (14, 5), (20, 3)])  # fmt: skip
        moments = sorted(self.between(person.joined, self.now) for _ in range(count))
        for k, moment in enumerate(moments):
            channel = self.weighted([(PurchaseChannel(v), w) for v, w in c.PURCHASE_CHANNELS])
            lines = self._basket(person)
            amount = sum((Decimal(line.unit_price) * line.quantity for line in lines), Decimal())
            order_id = f"DEMO-{self.seed}-{number:06d}-{k:02d}"  # one seed's never clash
            self.ledger.record_purchase(
                RecordPurchase(
                    person.customer_id, order_id, amount, person.region.currency, channel,
                    moment, lines,
                ),
                EventMetadata(self.rng.choice(c.AGENTS), Role.AGENT, Channel(channel.value)),
            )  # fmt: skip
            self.summary.count("purchases")
            if k == 0:
                self.ledger.complete_onboarding_step(
                    person.customer_id, "first_purchase", _as(person), completed_at=moment
                )
            if channel is PurchaseChannel.APP and "app" not in {p for p, _ in person.products}:
                self.ledger.complete_onboarding_step(
                    person.customer_id, "app_installed", _as(person), completed_at=moment
                )
                person.products.append(("app", "app"))
            self._maybe_refund(order_id, moment, lines)
            if k == len(moments) - 1 and number % TRACK_EVERY == 0:
                self._track(person, order_id, moment, lines, number)

    def _track(
        self,
        person: Person,
        order_id: str,
        bought: datetime,
        lines: list[OrderLineInput],
        number: int,
    ) -> None:
        """The fulfilment of the customer's latest order, as far as a step taken from the
        customer's number (placed, paid, packed, shipped or delivered), six hours apart and
        never after now. It draws nothing from the generator, so the rest of the company is
        the same as without it."""
        steps = list(FulfilmentStep)[: 1 + (number // TRACK_EVERY) % 5]
        warehouse = EventMetadata("agent-warehouse", Role.AGENT, Channel.WEB)
        for k, step in enumerate(steps):
            at = min(bought + timedelta(hours=6 * k), self.now)
            shipped = step is FulfilmentStep.SHIPPED
            command = RecordFulfilment(
                order_id,
                step,
                at,
                customer_id=person.customer_id if step is FulfilmentStep.PLACED else None,
                lines=[LineInput(line.sku, line.quantity) for line in lines]
                if step is FulfilmentStep.PLACED
                else [],
                carrier="dhl" if shipped else None,
                tracking_number=f"JD{number:010d}" if shipped else None,
            )
            if not self.attempt("order steps", self.ledger.handle, command, warehouse):
                return

    def _basket(self, person: Person) -> list[OrderLineInput]:
        lines = []
        for _ in range(self.weighted([(1, 60), (2, 30), (3, 10)])):
            category, prefix, price, names = self.rng.choice(c.PRODUCTS)
            index = self.rng.randrange(len(names))
            unit = Decimal(str(round(price * self.rng.uniform(0.6, 1.5), 2)))
            lines.append(
                OrderLineInput(f"{prefix}-{index:03d}", self.rng.randint(1, 2), unit, category)
            )
            person.products.append((category, names[index]))
        return lines

    def _maybe_refund(self, order_id: str, bought: datetime, lines: list[OrderLineInput]) -> None:
        if self.rng.random() >= 0.08:
            return
        when = bought + self.rng.uniform(2, 12) * DAY
        if when > self.now:
            return
        # A partial refund returns one line; otherwise the whole order goes back.
        partial = len(lines) > 1 and self.rng.random() < 0.5
        amount = Decimal(lines[0].unit_price) * lines[0].quantity if partial else None
        self.ledger.refund_purchase(
            order_id, amount, EventMetadata(self.rng.choice(c.AGENTS), Role.AGENT, Channel.PHONE),
            refunded_at=when,
        )  # fmt: skip
        self.summary.count("refunds")

    # -- surveys -----------------------------------------------------------------------------

    def _surveys(self, person: Person) -> None:
        """Invitations and answers. Their events are stamped with the time of writing (the
        survey read model dates them so; the commands' ``now`` only sets the link's expiry and
        the answer's checks), so both are written at the present: the links stay valid for
        30 days, and a backdated ``now`` would only make them expired and the completion time
        zero. Customers who joined before the app's 5.0 shipped get the 4.1 survey."""
        shipped = self.now - VERSION_CUTOVER
        for survey in self.surveys:
            if self.rng.random() >= survey.invite_share:
                continue
            if survey.version == OLD_VERSION and person.joined >= shipped:
                continue
            if survey.version == NEW_VERSION and person.joined < shipped:
                continue
            channels = [ch for ch in survey.channels if self._reachable(person, ch)]
            if not channels:
                continue
            channel = self.rng.choice(channels)
            if not self.attempt(
                "survey invitations",
                self.ledger.invite_to_survey,
                survey.survey_id,
                person.customer_id,
                channel,
                SURVEY_SENDER,
            ):
                continue
            answers = {SurveyChannel.SMS: 0.25, SurveyChannel.PUSH: 0.2, SurveyChannel.EMAIL: 0.4}
            if self.rng.random() < answers.get(channel, 0.5):
                self._answer(person, survey, channel)

    def _reachable(self, person: Person, channel: SurveyChannel) -> bool:
        contact = channel.contact_channel
        return contact is None or person.channels.get(contact, False)

    def _answer(self, person: Person, survey: DemoSurvey, channel: SurveyChannel) -> None:
        # Most customers are content: an NPS around +20 overall, lower on the old version.
        mood = max(-2.5, min(2.5, self.rng.gauss(1.3, 1.0) + survey.mood))
        low, high = survey.kind.scale
        share = (mood + 2.5) / 5  # 0: furious, 1: delighted
        score = max(low, min(high, round(low + share * (high - low) + self.rng.gauss(0, 0.6))))
        aspects = {
            a: max(1, min(5, round(1 + 4 * share + self.rng.gauss(0, 0.8))))
            for a in survey.aspects
            if self.rng.random() < 0.7
        }
        comment = self._comment(person, share) if self.rng.random() < 0.45 else None
        via = Channel(channel.value)
        answer = SubmitResponse(
            score, comment, aspects, survey_id=survey.survey_id, customer_id=person.customer_id
        )
        me = EventMetadata(str(person.customer_id), Role.CUSTOMER, via)
        self.attempt("survey responses", self.ledger.submit_survey_response, answer, me)

    def _comment(self, person: Person, share: float) -> str:
        pool = c.PRAISE if share > 0.75 else c.NEUTRAL if share > 0.5 else c.COMPLAINTS
        bought = [p for p in person.products if p[0] != "app"]
        category, product = self.rng.choice(bought) if bought else ("coffee", "coffee beans")
        city = self.rng.choice(person.region.cities)[0]
        return self.rng.choice(pool).format(product=product.lower(), category=category, city=city)

    # -- feedback and the help centre ----------------------------------------------------------

    def _feedback(self, person: Person, number: int) -> None:
        """Some customers give feedback outside surveys (a complaint opens a ticket), and
        some say whether a help article helped."""
        draw = self.help_rng
        if draw.random() < 0.1 or number == 0:
            kind, topic, text = draw.choice(_FEEDBACK)
            joined, latest = person.joined, self.now - HOUR
            at = joined if latest <= joined else joined + (latest - joined) * draw.random()
            command = SubmitFeedback(kind, topic, text, feedback_id=self.help_uuid(), now=at)
            self.attempt("feedback", self.ledger.handle, command, _as(person))
        if self.articles and (draw.random() < 0.1 or number == 0):
            vote = VoteOnArticle(draw.choice(self.articles), draw.random() < 0.7)
            self.attempt("article votes", self.ledger.handle, vote, _as(person))

    # -- success plans ----------------------------------------------------------------------

    def _success_plan(self, person: Person) -> None:
        """A success plan for every PLAN_EVERY-th customer: two goals, a milestone, a check-in;
        every other one closed. Its id derives from the customer's, and it draws nothing from
        the generator, so the rest of the company is the same as without it."""
        plan_id = uuid5(person.customer_id, "success-plan")
        staff = EventMetadata("agent-success", Role.AGENT, Channel.PHONE)
        goals = ("Use the app every week", "Join the loyalty program")
        opened = OpenSuccessPlan(person.customer_id, "Getting started", goals, plan_id)
        if not self.attempt("success plans", self.ledger.handle, opened, staff):
            return
        goal_id = self.ledger.get_success_plan(plan_id).goal_ids[0]
        milestone = ReachSuccessPlanMilestone(plan_id, goal_id, "First order in the app")
        self.attempt("success plan steps", self.ledger.handle, milestone, staff)
        note = RecordSuccessPlanCheckIn(plan_id, "Called to see how the first weeks went")
        self.attempt("success plan steps", self.ledger.handle, note, staff)
        if person.customer_id.int % 2 == 0:
            closed = CloseSuccessPlan(plan_id, PlanOutcome.ACHIEVED)
            self.attempt("success plan steps", self.ledger.handle, closed, staff)

    # -- tickets ----------------------------------------------------------------------------

    def _tickets(self, person: Person) -> None:
        if self.rng.random() >= 0.22:
            return
        for _ in range(self.weighted([(1, 85), (2, 15)])):
            self._ticket(person, self.between(person.joined, self.now - HOUR))

    def _ticket(self, person: Person, opened: datetime) -> None:
        bought = [p for p in person.products if p[0] != "app"]
        product = self.rng.choice(bought)[1].lower() if bought else "order"
        category, subject, description = self.rng.choice(c.TICKET_TOPICS)
        ticket_id = self.uuid()
        channel = self.weighted([(TicketChannel(v), w) for v, w in c.TICKET_CHANNELS])
        self.ledger.open_ticket(
            OpenTicket(
                person.customer_id, channel, category, subject.format(product=product),
                description.format(product=product), ticket_id=ticket_id,
            ),
            _as(person),
            now=opened,
        )  # fmt: skip
        self.summary.count("tickets")
        fate = self._fate(opened)
        agent = self.rng.choice(c.AGENTS)
        staff = EventMetadata(agent, Role.AGENT, Channel.EMAIL)
        at = opened
        for step in _STEPS[fate]:
            at += self.rng.uniform(*_STEP_HOURS[step]) * HOUR
            if at > self.now:
                return
            self._ticket_step(step, ticket_id, agent, staff, _as(person), at)

    def _fate(self, opened: datetime) -> str:
        if self.now - opened < 2 * DAY:
            return self.weighted([("new", 40), ("assigned", 60)])
        return self.weighted([("closed", 34), ("resolved", 20), ("reopened", 8),
                              ("waiting", 10), ("assigned", 15), ("escalated", 5),
                              ("new", 8)])  # fmt: skip

    def _ticket_step(
        self,
        step: str,
        ticket_id: UUID,
        agent: str,
        staff: EventMetadata,
        customer: EventMetadata,
        at: datetime,
    ) -> None:
        ledger, rng = self.ledger, self.rng
        actions: dict[str, Callable[[], object]] = {
            "assign": lambda: ledger.assign_ticket(ticket_id, agent, staff, now=at),
            "reply": lambda: ledger.reply_to_ticket(
                ticket_id, rng.choice(c.AGENT_REPLIES), staff, now=at
            ),
            "hold": lambda: ledger.put_ticket_on_hold(
                ticket_id, "Waiting for the customer's photos of the parcel", staff, now=at
            ),
            "escalate": lambda: ledger.escalate_ticket(
                ticket_id, "Needs the warehouse team", staff, now=at
            ),
            "resolve": lambda: ledger.resolve_ticket(
                ticket_id, rng.choice(c.RESOLUTIONS), staff, now=at
            ),
            "reopen": lambda: ledger.reopen_ticket(
                ticket_id, "The replacement has the same fault", customer, now=at
            ),
            "close": lambda: ledger.close_ticket(ticket_id, staff, now=at),
        }
        self.attempt(f"ticket {step}", actions[step])

    # -- after the purchases have earned ------------------------------------------------------

    def redemptions(self) -> None:
        """Members spend the points their purchases earned (the loyalty process manager must
        have caught up first); a few redemptions are reversed, a few accounts adjusted."""
        for person in self.people:
            if person.member_since is not None:
                self._spend(person, person.member_since)

    def _spend(self, person: Person, member_since: datetime) -> None:
        agent = EventMetadata(self.rng.choice(c.AGENTS), Role.AGENT, Channel.PHONE)
        at = self.between(max(member_since, self.now - 60 * DAY), self.now)
        balance = self.ledger.get_loyalty_account(person.customer_id).balance(at)
        affordable = [reward_id for reward_id, cost in self.rewards if cost <= balance]
        if affordable and self.rng.random() < 0.6:
            reward_id = self.rng.choice(affordable)
            redemption_id = self.uuid()
            redeemed = self.attempt(
                "redemptions",
                self.ledger.redeem_reward,
                person.customer_id,
                reward_id,
                _as(person),
                redemption_id,
                now=at,
            )
            if redeemed and self.rng.random() < 0.08:
                self.attempt(
                    "redemptions reversed",
                    self.ledger.reverse_redemption,
                    person.customer_id,
                    redemption_id,
                    "The voucher did not apply at checkout",
                    agent,
                    now=min(at + DAY, self.now),
                )
        if self.rng.random() < 0.04:
            self.attempt(
                "points adjustments",
                self.ledger.adjust_points,
                person.customer_id,
                200,
                "Goodwill for a late delivery",
                agent,
                now=self.between(member_since, self.now),
            )

    def decide_themes(self) -> None:
        """A product manager plans what complaints raise most (the courier) and marks the
        checkout fix of the new app version done; customers' comments mention both."""
        planned = MarkThemePlanned("courier", "Courier tracking in the next release", True)
        done = MarkThemeDone("checkout", f"Checkout no longer logs you out in {NEW_VERSION}", True)
        for command in (planned, done):
            self.attempt("theme decisions", self.ledger.handle, command, ANALYST)

    def close_old_survey(self) -> None:
        """The survey of the app's old version closed when the new one shipped."""
        for survey in self.surveys:
            if survey.version == OLD_VERSION:
                self.ledger.close_survey(survey.survey_id, ANALYST)


_STEPS: dict[str, tuple[str, ...]] = {
    "new": (),
    "assigned": ("assign", "reply"),
    "waiting": ("assign", "reply", "hold"),
    "escalated": ("assign", "escalate"),
    "resolved": ("assign", "reply", "resolve"),
    "reopened": ("assign", "reply", "resolve", "reopen"),
    "closed": ("assign", "reply", "resolve", "close"),
}
_STEP_HOURS: dict[str, tuple[float, float]] = {
    "assign": (0.1, 6),
    "reply": (0.2, 10),
    "hold": (1, 24),
    "escalate": (1, 30),
    "resolve": (2, 72),
    "reopen": (6, 120),
    "close": (24, 160),
}


TRACK_EVERY = 3
"""One customer in three has their latest order's fulfilment tracked."""
AGENT_WRITER = EventMetadata("agent-kb", Role.AGENT, Channel.WEB)
_ARTICLES = [
    (ArticleLanguage.EN, "coffee", "brewing", "How to brew with a French press",
     "Use coarse grounds, water just off the boil, and steep for four minutes before pressing."),
    (ArticleLanguage.EN, "orders", "delivery", "Where is my parcel?",
     "Follow the tracking link in your dispatch email; parcels arrive in two to four days."),
    (ArticleLanguage.EN, "orders", "returns", "Returning an order",
     "Start a return from your account within 30 days; the refund follows the parcel's scan."),
    (ArticleLanguage.FR, "commandes", "livraison", "Où est mon colis ?",
     "Suivez le lien de suivi dans l'email d'expédition : les colis arrivent en deux à quatre "
     "jours."),
]  # fmt: skip
_FEEDBACK = [
    (FeedbackKind.SUGGESTION, "app", "Please add a dark mode to the app"),
    (FeedbackKind.COMPLAINT, "delivery", "My parcel arrived late and the box was damaged"),
    (FeedbackKind.COMPLIMENT, "coffee", "The house roast is wonderful, thank you"),
    (FeedbackKind.QUESTION, "loyalty", "Do my points expire when I change tier?"),
]


class EventsAndBills:
    """Two exclusive events the members RSVP to, and the payment provider's notifications of
    a monthly plan some customers pay for (written by the provider's webhook in production)."""

    def __init__(self, company: DemoCompany) -> None:
        self.company = company

    def write(self) -> None:
        company, now = self.company, self.company.now
        members = [p for p in company.people if p.member_since is not None]
        evening = self._schedule("Roastery open evening", 20, list(Tier), 50)
        tasting = self._schedule("Gold members' tasting", 8, [Tier.GOLD], 200)
        for person in members[:30]:
            for event in (evening, tasting):
                rsvp = RsvpToEvent(event, person.customer_id, now=now)
                company.attempt("event RSVPs", company.ledger.rsvp_to_event, rsvp, _as(person))
        for guest in company.ledger.get_exclusive_event(evening).guests[:5]:
            attended = RecordAttendance(evening, UUID(guest), now=now)
            company.attempt("event attendances", company.ledger.record_attendance, attended, AGENT)
        for person in company.people:
            if company.rng.random() < 0.2:
                self._bill(person)

    def _schedule(self, title: str, seats: int, tiers: list[Tier], points: int) -> UUID:
        company = self.company
        starts = company.now + 14 * DAY
        details = EventDetails.checked(
            title=title, description="At the roastery, with the roasters.", starts_at=starts,
            ends_at=starts + timedelta(hours=3), place="Via dei Mille 12, Torino", capacity=seats,
            invited_tiers=tiers, points_for_attending=points,
        )  # fmt: skip
        event_id = company.ledger.schedule_event(ScheduleEvent(details, company.uuid()), ADMIN)
        company.summary.count("exclusive events")
        return event_id.aggregate_id

    def _bill(self, person: Person) -> None:
        """A monthly plan of 9.99 EUR: the invoice, a failed try now and then, the payment."""
        company, kind = self.company, NotificationKind
        issued = company.between(person.joined, company.now - DAY)
        invoice, payment = f"in_{company.uuid().hex[:16]}", f"pi_{company.uuid().hex[:16]}"
        notes = [RecordPaymentNotification(
            f"evt_{company.uuid().hex}", kind.INVOICE_ISSUED, person.customer_id, "EUR", 999,
            invoice_id=invoice, due_at=issued + 14 * DAY, occurred_at=issued,
            payment_url=f"https://pay.example.com/i/{invoice}",
        )]  # fmt: skip
        if company.rng.random() < 0.2:
            notes.append(RecordPaymentNotification(
                f"evt_{company.uuid().hex}", kind.PAYMENT_FAILED, person.customer_id, "EUR", 999,
                invoice_id=invoice, payment_id=f"pi_{company.uuid().hex[:16]}",
                failure_code="card_declined", occurred_at=issued + DAY,
            ))  # fmt: skip
        if company.rng.random() < 0.8:
            notes.append(RecordPaymentNotification(
                f"evt_{company.uuid().hex}", kind.PAYMENT_RECEIVED, person.customer_id, "EUR",
                999, invoice_id=invoice, payment_id=payment, occurred_at=issued + DAY,
            ))  # fmt: skip
        for note in notes:
            company.attempt("payment notifications", company.ledger.record_payment_notification,
                            note, PROVIDER)  # fmt: skip


def _as(person: Person) -> EventMetadata:
    """The customer acting for themself, in the web site or the app."""
    return EventMetadata(str(person.customer_id), Role.CUSTOMER, Channel.WEB)


def _ascii(name: str) -> str:
    """A name as the local part of an email: accents dropped, spaces and apostrophes out."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())
