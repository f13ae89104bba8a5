"""Use cases on referrals, mixed into the Ledger application.

Rules, as the product documents them:
- A referrer is any customer; their code is issued on first request (10 characters from an
  unambiguous alphabet) and expires after the program's ``code_lifetime_days``.
- Refused (typed errors, nothing written): self-referral (same customer, or the same email up
  to dots and +tags in the local part), a second conversion of the same friend, a friend's
  email on a disposable domain, invitations beyond the daily or total limit.
- Flagged (recorded, not refused): more than ``velocity_conversions`` conversions of one
  referrer within ``velocity_hours``.
- Qualification: the friend's first purchase that reaches the qualifying amount in the
  program's currency. Both sides are then rewarded once, with loyalty points; a side that is
  not enrolled yet is enrolled by the reward (the documented rule: the reward never waits).
  The referral, both accounts and any enrolment commit in one transaction, so a crash can
  never leave one side paid and the other not.
- Re-applying the rules (after an admin added a disposable domain, say) reverses every caught
  conversion with compensating events: the referral is Reversed, and each paid reward is
  revoked on its loyalty account, never by editing history.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.utils import get_topic

from domain.customer.model import Customer
from domain.customer.values import normalise_email
from domain.loyalty.account import LoyaltyAccount
from domain.loyalty.commands import LoyaltyCommands
from domain.referral.errors import (
    AlreadyReferredError,
    DisposableEmailError,
    InvalidReferralCodeError,
    ReferralNotFoundError,
    SelfReferralError,
)
from domain.referral.model import (
    NAMESPACE,
    PROGRAM_ID,
    Referral,
    ReferralCode,
    ReferralProgram,
    Referrer,
)
from domain.referral.values import ReferralTerms, check_code, email_domain, email_variant, new_code
from domain.shared.application import CommandResult
from domain.shared.errors import ConcurrencyConflictError
from domain.shared.metadata import EventMetadata, acting_as
from domain.shared.personal_data import PersonalData
from domain.shared.retry import retrying

VELOCITY = "velocity"
DISPOSABLE = "disposable_domain"


class ReferralCommands(LoyaltyCommands):
    """Commands on :class:`Referrer`, :class:`Referral` and :class:`ReferralProgram`."""

    def issue_referral_code(
        self, customer_id: UUID, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        """The customer's usable code, issuing (or renewing) it if needed."""
        at, terms = now or datetime.now(UTC), self.referral_terms()
        self._customer_at(customer_id, None)
        referrer_id = Referrer.id_for(customer_id)
        referrer = self._referrer(customer_id) if self.exists(referrer_id) else None
        if referrer is not None and referrer.is_usable(at):
            return CommandResult(referrer.id, referrer.version, self.head_position())
        code = new_code()
        with acting_as(metadata):
            if referrer is None:
                referrer = Referrer.issue(customer_id, code, terms.code_lifetime_days, at)
            else:
                referrer.renew(code, terms.code_lifetime_days, at)
            index = ReferralCode.claim(code, customer_id)
        return CommandResult(referrer.id, referrer.version, self.commit(referrer, index))

    def revoke_referral_code(
        self, customer_id: UUID, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        referrer = self._referrer(customer_id)
        with acting_as(metadata):
            referrer.revoke(now or datetime.now(UTC))
        return CommandResult(referrer.id, referrer.version, self.commit(referrer))

    def invite_friend(
        self, customer_id: UUID, email: str, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        """Invite a friend by email (personal data of the friend, a subject of their own)."""
        at, terms = now or datetime.now(UTC), self.referral_terms()
        friend_email = _checked_friend_email(email, terms)
        referrer = self._referrer(customer_id)
        if not referrer.is_usable(at):
            raise InvalidReferralCodeError("your referral code has expired", field="customerId")
        if email_variant(friend_email) == self._email_variant_of(customer_id):
            raise SelfReferralError("you cannot invite yourself", field="email")
        with acting_as(metadata):
            referrer.invite(self.invitee_subject(friend_email), friend_email, terms, at)
        return CommandResult(referrer.id, referrer.version, self.commit(referrer))

    def convert_referral(
        self, friend_id: UUID, code: str, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        """The friend registered with a referrer's code."""
        at, terms = now or datetime.now(UTC), self.referral_terms()
        referrer = self._referrer_with_code(check_code(code), at)
        friend = self._customer_at(friend_id, None)
        self._refuse_self_referral(referrer, friend)
        friend_email = _clear(friend.email)
        _refuse_disposable(friend_email, terms, field="customerId")
        if self.exists(Referral.id_for(friend_id)):
            return self._repeated_conversion(friend_id, referrer)
        recent = referrer.recent_conversions(terms.velocity_hours, at) + 1
        flags = [VELOCITY] if recent > terms.velocity_conversions else []
        with acting_as(metadata):
            referral = Referral.convert(
                referrer_id=referrer.customer_id,
                friend_id=friend_id,
                code=referrer.code,
                email_domain=email_domain(friend_email),
                flags=flags,
                at=at,
            )
            referrer.record_conversion(friend_id, at)
        try:
            return CommandResult(referral.id, referral.version, self.commit(referral, referrer))
        except ConcurrencyConflictError:
            raise AlreadyReferredError("this customer was already referred", field="code") from None

    def _repeated_conversion(self, friend_id: UUID, referrer: Referrer) -> CommandResult:
        """The same friend and referrer again is a retry; another referrer is refused."""
        existing = self._referral(friend_id)
        if existing.referrer_id != referrer.customer_id:
            raise AlreadyReferredError("this customer was already referred", field="code")
        return CommandResult(existing.id, existing.version, self.head_position())

    def check_referral_code(self, code: str, email: str, now: datetime | None = None) -> UUID:
        """Would a new customer registering with ``email`` convert with ``code``? Raises the
        refusal :meth:`convert_referral` would give (an unusable code, a disposable domain, the
        referrer's own email up to dots and +tags); writes nothing. Returns the referrer's
        customer id. Lets a registration refuse before it registers anyone."""
        at, terms = now or datetime.now(UTC), self.referral_terms()
        referrer = self._referrer_with_code(check_code(code), at)
        _refuse_disposable(email, terms)
        if email_variant(email) == self._email_variant_of(referrer.customer_id):
            raise SelfReferralError("a customer cannot refer themself", field="code")
        return referrer.customer_id

    def reward_referral_for_order(
        self, order_id: str, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult | None:
        """Qualify the buyer's referral on this order and reward both sides, once."""
        purchase = self.get_purchase(order_id)
        referral_id = Referral.id_for(purchase.customer_id)
        if not self.exists(referral_id):
            return None
        terms = self.referral_terms()
        qualifies = purchase.currency == terms.currency and (
            purchase.amount_minor >= terms.qualifying_amount_minor
        )
        if not qualifies:
            return None

        def attempt() -> CommandResult | None:
            referral = self._referral(purchase.customer_id)
            at = now or datetime.now(UTC)
            with acting_as(metadata):
                if not referral.qualify(order_id, purchase.amount_minor, purchase.currency, at):
                    return None
                accounts = self._reward_both(referral, terms, at)
            return CommandResult(referral.id, referral.version, self.commit(referral, *accounts))

        return retrying(attempt)

    def review_referral(
        self, friend_id: UUID, metadata: EventMetadata, now: datetime | None = None
    ) -> str | None:
        """Apply today's rules to a past conversion; reverse it if one catches it. Returns
        the rule that caught it (None: it stands, or it was already reversed)."""

        def attempt() -> str | None:
            referral = self._referral(friend_id)
            rule = self._caught_by(referral)
            if referral.reversed or rule is None:
                return None
            at = now or datetime.now(UTC)
            with acting_as(metadata):
                referral.reverse(rule, at)
                accounts = self._revoke_rewards(referral, rule, at)
            self.commit(referral, *accounts)
            return rule

        return retrying(attempt)

    def review_all_referrals(
        self, metadata: EventMetadata, now: datetime | None = None
    ) -> dict[str, int]:
        """Re-apply the rules to every conversion on the log; a summary of what was caught."""
        caught: dict[str, int] = {}
        for friend_id in self.converted_friends():
            rule = self.review_referral(friend_id, metadata, now)
            if rule is not None:
                caught[rule] = caught.get(rule, 0) + 1
        return caught

    def change_referral_terms(
        self, terms: ReferralTerms, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        at = now or datetime.now(UTC)
        with acting_as(metadata):
            program = (
                self.load(PROGRAM_ID, ReferralProgram, _no_program)
                if self.exists(PROGRAM_ID)
                else ReferralProgram.start(at)
            )
            program.change_terms(terms, at)
        return CommandResult(program.id, program.version, self.commit(program))

    def referral_terms(self) -> ReferralTerms:
        if not self.exists(PROGRAM_ID):
            return ReferralTerms()
        return self.load(PROGRAM_ID, ReferralProgram, _no_program).terms

    def get_referrer(self, customer_id: UUID) -> Referrer:
        return self._referrer(customer_id)

    def get_referral(self, friend_id: UUID) -> Referral:
        return self._referral(friend_id)

    def converted_friends(self, page: int = 500) -> list[UUID]:
        """Every converted friend, in log order, read from the log itself (by topic)."""
        topic, start, found = get_topic(Referral.Converted), 1, []
        while True:
            rows = self.recorder.select_notifications(start=start, limit=page, topics=[topic])
            found += [self.mapper.to_domain_event(row) for row in rows]
            if len(rows) < page:
                return [e.friend_id for e in found if isinstance(e, Referral.Converted)]
            start = rows[-1].id + 1

    def invitee_subject(self, email: str) -> UUID:
        """The data subject of an invited person: from the keyed hash of their email's
        variant, so one person invited twice (or by two referrers) is one subject."""
        return uuid5(NAMESPACE, f"invitee:{self.fingerprint_email(email_variant(email))}")

    def _reward_both(
        self, referral: Referral, terms: ReferralTerms, at: datetime
    ) -> list[LoyaltyAccount]:
        _, loyalty_terms = self.program_rules_and_terms()
        sides = zip(
            (referral.referrer_id, referral.friend_id),
            referral.award_keys,
            (terms.referrer_points, terms.friend_points),
            strict=True,
        )
        accounts = []
        for customer_id, award, points in sides:
            account = self._account_or_enrolled(customer_id, at)
            if points:
                cause: dict[str, Any] = {"kind": "referral", "referral_id": str(referral.id)}
                account.award(award, points, cause, loyalty_terms, at)
            accounts.append(account)
        referral.reward(terms, at)
        return accounts

    def _revoke_rewards(self, referral: Referral, rule: str, at: datetime) -> list[LoyaltyAccount]:
        if not referral.rewarded:
            return []
        accounts = []
        for customer_id, award in zip(
            (referral.referrer_id, referral.friend_id), referral.award_keys, strict=True
        ):
            account = self.get_loyalty_account(customer_id)
            account.revoke_award(award, f"referral reversed: {rule}", at)
            accounts.append(account)
        return accounts

    def _caught_by(self, referral: Referral) -> str | None:
        domain = referral.email_domain.value
        if domain is not None and domain in self.referral_terms().disposable_domains:
            return DISPOSABLE
        return None

    def _account_or_enrolled(self, customer_id: UUID, at: datetime) -> LoyaltyAccount:
        if self.exists(LoyaltyAccount.id_for(customer_id)):
            return self.get_loyalty_account(customer_id)
        return LoyaltyAccount.enrol(customer_id, at)

    def _referrer_with_code(self, code: str, at: datetime) -> Referrer:
        refused = InvalidReferralCodeError("this referral code is not valid", field="code")
        if not self.exists(ReferralCode.id_for(code)):
            raise refused
        index = self.load(ReferralCode.id_for(code), ReferralCode, lambda: refused)
        referrer = self._referrer(index.referrer_id)
        if referrer.code != code or not referrer.is_usable(at):
            raise refused
        return referrer

    def _refuse_self_referral(self, referrer: Referrer, friend: Customer) -> None:
        same_person = referrer.customer_id == friend.id or (
            email_variant(_clear(friend.email)) == self._email_variant_of(referrer.customer_id)
        )
        if same_person:
            raise SelfReferralError("a customer cannot refer themself", field="code")

    def _email_variant_of(self, customer_id: UUID) -> str | None:
        email = self._customer_at(customer_id, None).email.value
        return None if email is None else email_variant(email)

    def _referrer(self, customer_id: UUID) -> Referrer:
        return self.load(
            Referrer.id_for(customer_id),
            Referrer,
            lambda: ReferralNotFoundError("no referral code yet", field="customerId"),
        )

    def _referral(self, friend_id: UUID) -> Referral:
        return self._referral_by_id(Referral.id_for(friend_id))

    def _referral_by_id(self, referral_id: UUID) -> Referral:
        return self.load(referral_id, Referral, lambda: ReferralNotFoundError("no such referral"))


def _checked_friend_email(email: str, terms: ReferralTerms) -> str:
    checked = normalise_email(email)
    _refuse_disposable(checked, terms)
    return checked


def _refuse_disposable(email: str, terms: ReferralTerms, field: str = "email") -> None:
    if email_domain(email) in terms.disposable_domains:
        raise DisposableEmailError("disposable email addresses cannot be referred", field=field)


def _clear(value: PersonalData) -> str:
    if value.value is None:
        raise ReferralNotFoundError("an erased customer cannot take part in referrals")
    return value.value


def _no_program() -> ReferralNotFoundError:
    return ReferralNotFoundError("no referral program yet")
