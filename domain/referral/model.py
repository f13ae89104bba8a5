"""Referral aggregates.

- :class:`Referrer`: one per customer who refers; their code and the friends they invited
  (each invited email is personal data of that friend, a data subject of its own whose id
  derives from the email's keyed hash, so the same person invited twice is one subject).
- :class:`ReferralCode`: an index stream per code, so a code finds its referrer from the log
  alone; it is created with the code, in the same transaction.
- :class:`Referral`: one per converted friend (its id derives from the friend's customer id, so
  a second conversion of the same friend collides in the event store); it qualifies, is
  rewarded once, and may be reversed later by a fraud rule, with compensating events.
- :class:`ReferralProgram`: the terms (rewards, limits, disposable domains), changed by admins.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.referral.errors import AlreadyInvitedError, InvitationLimitError
from domain.referral.values import ReferralTerms
from domain.shared.aggregate import LedgerAggregate
from domain.shared.disclosure import Personal
from domain.shared.personal_data import PersonalData

NAMESPACE = uuid5(NAMESPACE_URL, "https://cxledger.invalid/referral")
PROGRAM_ID = uuid5(NAMESPACE, "program")


class ReferralProgram(LedgerAggregate):
    """The referral program's terms."""

    class Started(LedgerAggregate.Created):
        terms: dict[str, Any]
        at: datetime

        def apply(self, program: ReferralProgram) -> None:
            program.terms_data = self.terms

    class TermsChanged(LedgerAggregate.Event):
        """New terms, for what happens from now on (and for re-applied fraud rules)."""

        terms: dict[str, Any]
        at: datetime

        def apply(self, program: ReferralProgram) -> None:
            program.terms_data = self.terms

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    terms_data: dict[str, Any]

    @property
    def terms(self) -> ReferralTerms:
        return ReferralTerms.from_dict(self.terms_data)

    @classmethod
    def start(cls, at: datetime) -> ReferralProgram:
        return cls._create(cls.Started, id=PROGRAM_ID, terms=ReferralTerms().as_dict(), at=at)

    def change_terms(self, terms: ReferralTerms, at: datetime) -> None:
        checked = terms.checked()
        if checked != self.terms:
            self.trigger_event(self.TermsChanged, terms=checked.as_dict(), at=at)


class Referrer(LedgerAggregate):
    """A customer's referral code and invitations."""

    class CodeIssued(LedgerAggregate.Created):
        customer_id: UUID
        code: Personal[str]
        expires_at: datetime
        at: datetime

        def apply(self, referrer: Referrer) -> None:
            referrer.customer_id, referrer.code = self.customer_id, self.code
            referrer.expires_at, referrer.revoked = self.expires_at, False
            referrer.invited = []
            referrer.invites_by_day = {}
            referrer.conversions = []

    class CodeRevoked(LedgerAggregate.Event):
        at: datetime

        def apply(self, referrer: Referrer) -> None:
            referrer.revoked = True

    class CodeRenewed(LedgerAggregate.Event):
        """A new code replaced an expired or revoked one (the old one stays dead)."""

        code: Personal[str]
        expires_at: datetime
        at: datetime

        def apply(self, referrer: Referrer) -> None:
            referrer.code, referrer.expires_at, referrer.revoked = self.code, self.expires_at, False

    class FriendInvited(LedgerAggregate.Event):
        """An invitation to ``email`` (personal data of ``invitee_id``) went out."""

        invitee_id: Personal[UUID]
        email: PersonalData
        at: datetime

        def apply(self, referrer: Referrer) -> None:
            referrer.invited = [*referrer.invited, str(self.invitee_id)]
            day = self.at.date().isoformat()
            referrer.invites_by_day = {
                **referrer.invites_by_day,
                day: referrer.invites_by_day.get(day, 0) + 1,
            }

    class FriendConverted(LedgerAggregate.Event):
        friend_id: Personal[UUID]
        at: datetime

        def apply(self, referrer: Referrer) -> None:
            referrer.conversions = [*referrer.conversions, self.at]

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    customer_id: UUID
    code: Personal[str]
    expires_at: datetime
    revoked: bool
    invited: Personal[list[str]]
    invites_by_day: dict[str, int]
    conversions: list[datetime]

    @staticmethod
    def id_for(customer_id: UUID) -> UUID:
        return uuid5(NAMESPACE, f"referrer:{customer_id}")

    @classmethod
    def issue(cls, customer_id: UUID, code: str, lifetime_days: int, at: datetime) -> Referrer:
        return cls._create(
            cls.CodeIssued,
            id=cls.id_for(customer_id),
            customer_id=customer_id,
            code=code,
            expires_at=at + timedelta(days=lifetime_days),
            at=at,
        )

    def is_usable(self, at: datetime) -> bool:
        return not self.revoked and at < self.expires_at

    def renew(self, code: str, lifetime_days: int, at: datetime) -> None:
        expires_at = at + timedelta(days=lifetime_days)
        self.trigger_event(self.CodeRenewed, code=code, expires_at=expires_at, at=at)

    def revoke(self, at: datetime) -> None:
        if not self.revoked:
            self.trigger_event(self.CodeRevoked, at=at)

    def invite(self, invitee_id: UUID, email: str, terms: ReferralTerms, at: datetime) -> None:
        if str(invitee_id) in self.invited:
            raise AlreadyInvitedError("this friend was already invited", field="email")
        if len(self.invited) >= terms.invitations_total:
            raise InvitationLimitError("no invitations left", field="email")
        if self.invites_by_day.get(at.date().isoformat(), 0) >= terms.invitations_per_day:
            raise InvitationLimitError("no more invitations today", field="email")
        text = PersonalData(invitee_id, email)
        self.trigger_event(self.FriendInvited, invitee_id=invitee_id, email=text, at=at)

    def record_conversion(self, friend_id: UUID, at: datetime) -> None:
        self.trigger_event(self.FriendConverted, friend_id=friend_id, at=at)

    def recent_conversions(self, hours: int, at: datetime) -> int:
        since = at - timedelta(hours=hours)
        return sum(1 for moment in self.conversions if since < moment <= at)


class ReferralCode(LedgerAggregate):
    """Index: which customer a code belongs to."""

    class Claimed(LedgerAggregate.Created):
        code: Personal[str]
        referrer_id: Personal[UUID]

        def apply(self, index: ReferralCode) -> None:
            index.code, index.referrer_id = self.code, self.referrer_id

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    code: Personal[str]
    referrer_id: Personal[UUID]

    @staticmethod
    def id_for(code: str) -> UUID:
        return uuid5(NAMESPACE, f"code:{code}")

    @classmethod
    def claim(cls, code: str, referrer_id: UUID) -> ReferralCode:
        return cls._create(cls.Claimed, id=cls.id_for(code), code=code, referrer_id=referrer_id)


class Referral(LedgerAggregate):
    """One friend's conversion through a referrer's code, and what became of it."""

    class Converted(LedgerAggregate.Created):
        """The friend registered with the code; ``email_domain`` is kept (as the friend's
        personal data) so fraud rules added later can be re-applied."""

        referrer_id: Personal[UUID]
        friend_id: Personal[UUID]
        code: Personal[str]
        email_domain: PersonalData
        flags: list[str]
        at: datetime

        def apply(self, referral: Referral) -> None:
            referral.referrer_id, referral.friend_id = self.referrer_id, self.friend_id
            referral.converted_at = self.at
            referral.email_domain = self.email_domain
            referral.flags = list(self.flags)
            referral.qualified_order = None
            referral.rewarded = False
            referral.reversed = False

    class Qualified(LedgerAggregate.Event):
        order_id: str
        amount_minor: int
        currency: str
        at: datetime

        def apply(self, referral: Referral) -> None:
            referral.qualified_order = self.order_id

    class Rewarded(LedgerAggregate.Event):
        """Both sides were credited (in the same transaction, on their loyalty accounts)."""

        referrer_points: int
        friend_points: int
        at: datetime

        def apply(self, referral: Referral) -> None:
            referral.rewarded = True
            referral.referrer_points = self.referrer_points
            referral.friend_points = self.friend_points

    class Flagged(LedgerAggregate.Event):
        """Suspicious, for a person to look at; nothing is refused or reversed by a flag."""

        rule: str
        detail: str
        at: datetime

        def apply(self, referral: Referral) -> None:
            referral.flags = [*referral.flags, self.rule]

    class Reversed(LedgerAggregate.Event):
        """A fraud rule caught the conversion; its rewards are taken back by compensating
        events on both loyalty accounts, in the same transaction."""

        rule: str
        at: datetime

        def apply(self, referral: Referral) -> None:
            referral.reversed = True

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    referrer_id: Personal[UUID]
    friend_id: Personal[UUID]
    converted_at: datetime
    email_domain: PersonalData
    flags: list[str]
    qualified_order: str | None
    rewarded: bool
    reversed: bool
    referrer_points: int
    friend_points: int

    @staticmethod
    def id_for(friend_id: UUID) -> UUID:
        return uuid5(NAMESPACE, f"friend:{friend_id}")

    @classmethod
    def convert(
        cls,
        *,
        referrer_id: UUID,
        friend_id: UUID,
        code: str,
        email_domain: str,
        flags: list[str],
        at: datetime,
    ) -> Referral:
        return cls._create(
            cls.Converted,
            id=cls.id_for(friend_id),
            referrer_id=referrer_id,
            friend_id=friend_id,
            code=code,
            email_domain=PersonalData(friend_id, email_domain),
            flags=flags,
            at=at,
        )

    @property
    def award_keys(self) -> tuple[str, str]:
        """Loyalty award keys of the two rewards: the same referral never pays twice."""
        return f"referral:{self.id}:referrer", f"referral:{self.id}:friend"

    def qualify(self, order_id: str, amount_minor: int, currency: str, at: datetime) -> bool:
        """Qualify on this purchase (made at ``at``) unless already qualified or reversed, or
        bought before the friend converted."""
        if self.qualified_order is not None or self.reversed or at < self.converted_at:
            return False
        self.trigger_event(
            self.Qualified, order_id=order_id, amount_minor=amount_minor, currency=currency, at=at
        )
        return True

    def reward(self, terms: ReferralTerms, at: datetime) -> None:
        self.trigger_event(
            self.Rewarded,
            referrer_points=terms.referrer_points,
            friend_points=terms.friend_points,
            at=at,
        )

    def flag(self, rule: str, detail: str, at: datetime) -> None:
        self.trigger_event(self.Flagged, rule=rule, detail=detail, at=at)

    def reverse(self, rule: str, at: datetime) -> None:
        self.trigger_event(self.Reversed, rule=rule, at=at)
