"""Use cases on referrals: command dataclasses, the handler functions that run them
(``domain.handlers.HANDLERS``) and the queries other slices ask.

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

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.utils import get_topic

from domain.customer.commands import customer_at
from domain.customer.model import Customer
from domain.customer.values import normalise_email
from domain.loyalty.account import LoyaltyAccount
from domain.loyalty.commands import account_of, enrolled, rules_and_terms
from domain.purchase.commands import purchase_of
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
from domain.shared.application import CommandResult, LedgerCore
from domain.shared.commands import Command
from domain.shared.errors import ConcurrencyConflictError
from domain.shared.metadata import EventMetadata, acting_as
from domain.shared.personal_data import PersonalData
from domain.shared.retry import retrying

VELOCITY = "velocity"
DISPOSABLE = "disposable_domain"


@dataclass(frozen=True, slots=True)
class IssueReferralCode(Command[CommandResult]):
    """The customer's usable code, issuing (or renewing) it if needed."""

    customer_id: UUID
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class RevokeReferralCode(Command[CommandResult]):
    customer_id: UUID
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class InviteFriend(Command[CommandResult]):
    """Invite a friend by email (personal data of the friend, a subject of their own)."""

    customer_id: UUID
    email: str
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class ConvertReferral(Command[CommandResult]):
    """The friend registered with a referrer's code."""

    friend_id: UUID
    code: str
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class RewardReferralForOrder(Command[CommandResult | None]):
    """Qualify the buyer's referral on this order and reward both sides, once."""

    order_id: str
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReviewReferral(Command[str | None]):
    """Apply today's rules to a past conversion; reverse it if one catches it. Runs to the
    rule that caught it (None: it stands, or it was already reversed)."""

    friend_id: UUID
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReviewAllReferrals(Command[dict[str, int]]):
    """Re-apply the rules to every conversion on the log; runs to a summary of the catches."""

    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class ChangeReferralTerms(Command[CommandResult]):
    terms: ReferralTerms
    now: datetime | None = None


def issue_referral_code(
    ledger: LedgerCore, command: IssueReferralCode, metadata: EventMetadata
) -> CommandResult:
    customer_id = command.customer_id
    at, terms = command.now or datetime.now(UTC), referral_terms(ledger)
    customer_at(ledger, customer_id, None)
    referrer = ledger.find(Referrer.id_for(customer_id), Referrer, _no_code_yet)
    if referrer is not None and referrer.is_usable(at):
        return CommandResult(referrer.id, referrer.version, ledger.head_position())
    code = new_code()
    with acting_as(metadata):
        if referrer is None:
            referrer = Referrer.issue(customer_id, code, terms.code_lifetime_days, at)
        else:
            referrer.renew(code, terms.code_lifetime_days, at)
        index = ReferralCode.claim(code, customer_id)
    return CommandResult(referrer.id, referrer.version, ledger.commit(referrer, index))


def revoke_referral_code(
    ledger: LedgerCore, command: RevokeReferralCode, metadata: EventMetadata
) -> CommandResult:
    referrer = referrer_of(ledger, command.customer_id)
    with acting_as(metadata):
        referrer.revoke(command.now or datetime.now(UTC))
    return CommandResult(referrer.id, referrer.version, ledger.commit(referrer))


def invite_friend(
    ledger: LedgerCore, command: InviteFriend, metadata: EventMetadata
) -> CommandResult:
    at, terms = command.now or datetime.now(UTC), referral_terms(ledger)
    friend_email = _checked_friend_email(command.email, terms)
    referrer = referrer_of(ledger, command.customer_id)
    if not referrer.is_usable(at):
        raise InvalidReferralCodeError("your referral code has expired", field="customerId")
    if email_variant(friend_email) == _email_variant_of(ledger, command.customer_id):
        raise SelfReferralError("you cannot invite yourself", field="email")
    with acting_as(metadata):
        referrer.invite(invitee_subject(ledger, friend_email), friend_email, terms, at)
    return CommandResult(referrer.id, referrer.version, ledger.commit(referrer))


def convert_referral(
    ledger: LedgerCore, command: ConvertReferral, metadata: EventMetadata
) -> CommandResult:
    friend_id = command.friend_id
    at, terms = command.now or datetime.now(UTC), referral_terms(ledger)
    referrer = _referrer_with_code(ledger, check_code(command.code), at)
    friend = customer_at(ledger, friend_id, None)
    _refuse_self_referral(ledger, referrer, friend)
    friend_email = _clear(friend.email)
    _refuse_disposable(friend_email, terms, field="customerId")
    existing = ledger.find(Referral.id_for(friend_id), Referral, _no_referral)
    if existing is not None:
        return _repeated_conversion(ledger, existing, referrer)
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
        return CommandResult(referral.id, referral.version, ledger.commit(referral, referrer))
    except ConcurrencyConflictError:
        raise AlreadyReferredError("this customer was already referred", field="code") from None


def check_referral_code(
    ledger: LedgerCore, code: str, email: str, now: datetime | None = None
) -> UUID:
    """Would a new customer registering with ``email`` convert with ``code``? Raises the
    refusal :func:`convert_referral` would give (an unusable code, a disposable domain, the
    referrer's own email up to dots and +tags); writes nothing. Returns the referrer's
    customer id. Lets a registration refuse before it registers anyone."""
    at, terms = now or datetime.now(UTC), referral_terms(ledger)
    referrer = _referrer_with_code(ledger, check_code(code), at)
    _refuse_disposable(email, terms)
    if email_variant(email) == _email_variant_of(ledger, referrer.customer_id):
        raise SelfReferralError("a customer cannot refer themself", field="code")
    return referrer.customer_id


def reward_referral_for_order(
    ledger: LedgerCore, command: RewardReferralForOrder, metadata: EventMetadata
) -> CommandResult | None:
    order_id, now = command.order_id, command.now
    purchase = purchase_of(ledger, order_id)
    found = ledger.find(Referral.id_for(purchase.customer_id), Referral, _no_referral)
    if found is None:
        return None
    terms = referral_terms(ledger)
    qualifies = purchase.currency == terms.currency and (
        purchase.amount_minor >= terms.qualifying_amount_minor
    )
    if not qualifies:
        return None

    loaded = [found]  # the first attempt uses it; a retry after a conflict reloads

    def attempt() -> CommandResult | None:
        referral = loaded.pop() if loaded else referral_of(ledger, purchase.customer_id)
        at = now or datetime.now(UTC)
        with acting_as(metadata):
            if not referral.qualify(order_id, purchase.amount_minor, purchase.currency, at):
                return None
            accounts = _reward_both(ledger, referral, terms, at)
        return CommandResult(referral.id, referral.version, ledger.commit(referral, *accounts))

    return retrying(attempt)


def review_referral(
    ledger: LedgerCore, command: ReviewReferral, metadata: EventMetadata
) -> str | None:
    def attempt() -> str | None:
        referral = referral_of(ledger, command.friend_id)
        rule = _caught_by(ledger, referral)
        if referral.reversed or rule is None:
            return None
        at = command.now or datetime.now(UTC)
        with acting_as(metadata):
            referral.reverse(rule, at)
            accounts = _revoke_rewards(ledger, referral, rule, at)
        ledger.commit(referral, *accounts)
        return rule

    return retrying(attempt)


def review_all_referrals(
    ledger: LedgerCore, command: ReviewAllReferrals, metadata: EventMetadata
) -> dict[str, int]:
    caught: dict[str, int] = {}
    for friend_id in converted_friends(ledger):
        rule = review_referral(ledger, ReviewReferral(friend_id, command.now), metadata)
        if rule is not None:
            caught[rule] = caught.get(rule, 0) + 1
    return caught


def change_referral_terms(
    ledger: LedgerCore, command: ChangeReferralTerms, metadata: EventMetadata
) -> CommandResult:
    at = command.now or datetime.now(UTC)
    with acting_as(metadata):
        program = ledger.find(PROGRAM_ID, ReferralProgram, _no_program)
        program = program or ReferralProgram.start(at)
        program.change_terms(command.terms, at)
    return CommandResult(program.id, program.version, ledger.commit(program))


def referral_terms(ledger: LedgerCore) -> ReferralTerms:
    """The program's terms now (the defaults until an admin changes them)."""
    program = ledger.find(PROGRAM_ID, ReferralProgram, _no_program)
    return ReferralTerms() if program is None else program.terms


def referrer_of(ledger: LedgerCore, customer_id: UUID) -> Referrer:
    return ledger.load(Referrer.id_for(customer_id), Referrer, _no_code_yet)


def customer_of_referrer(ledger: LedgerCore, referrer_id: UUID) -> UUID:
    """The customer whose referrer stream this is, from its first event (``CodeIssued``): one
    event read, not the stream of invitations replayed."""
    referrer = ledger.as_of_version(referrer_id, 1)
    if not isinstance(referrer, Referrer):
        raise _no_code_yet()
    return referrer.customer_id


def referral_of(ledger: LedgerCore, friend_id: UUID) -> Referral:
    return ledger.load(Referral.id_for(friend_id), Referral, _no_referral)


def converted_friends(ledger: LedgerCore, page: int = 500) -> list[UUID]:
    """Every converted friend, in log order, read from the log itself (by topic)."""
    topic, start, found = get_topic(Referral.Converted), 1, []
    while True:
        rows = ledger.recorder.select_notifications(start=start, limit=page, topics=[topic])
        found += [ledger.mapper.to_domain_event(row) for row in rows]
        if len(rows) < page:
            return [e.friend_id for e in found if isinstance(e, Referral.Converted)]
        start = rows[-1].id + 1


def _repeated_conversion(
    ledger: LedgerCore, existing: Referral, referrer: Referrer
) -> CommandResult:
    """The same friend and referrer again is a retry; another referrer is refused."""
    if existing.referrer_id != referrer.customer_id:
        raise AlreadyReferredError("this customer was already referred", field="code")
    return CommandResult(existing.id, existing.version, ledger.head_position())


def _reward_both(
    ledger: LedgerCore, referral: Referral, terms: ReferralTerms, at: datetime
) -> list[LoyaltyAccount]:
    _, loyalty_terms = rules_and_terms(ledger)
    sides = zip(
        (referral.referrer_id, referral.friend_id),
        referral.award_keys,
        (terms.referrer_points, terms.friend_points),
        strict=True,
    )
    accounts = []
    for customer_id, award, points in sides:
        account = enrolled(ledger, customer_id) or LoyaltyAccount.enrol(customer_id, at)
        if points:
            cause: dict[str, Any] = {"kind": "referral", "referral_id": str(referral.id)}
            account.award(award, points, cause, loyalty_terms, at)
        accounts.append(account)
    referral.reward(terms, at)
    return accounts


def _revoke_rewards(
    ledger: LedgerCore, referral: Referral, rule: str, at: datetime
) -> list[LoyaltyAccount]:
    if not referral.rewarded:
        return []
    accounts = []
    for customer_id, award in zip(
        (referral.referrer_id, referral.friend_id), referral.award_keys, strict=True
    ):
        account = account_of(ledger, customer_id)
        account.revoke_award(award, f"referral reversed: {rule}", at)
        accounts.append(account)
    return accounts


def _caught_by(ledger: LedgerCore, referral: Referral) -> str | None:
    domain = referral.email_domain.value
    if domain is not None and domain in referral_terms(ledger).disposable_domains:
        return DISPOSABLE
    return None


def _referrer_with_code(ledger: LedgerCore, code: str, at: datetime) -> Referrer:
    refused = InvalidReferralCodeError("this referral code is not valid", field="code")
    index = ledger.load(ReferralCode.id_for(code), ReferralCode, lambda: refused)
    referrer = referrer_of(ledger, index.referrer_id)
    if referrer.code != code or not referrer.is_usable(at):
        raise refused
    return referrer


def _refuse_self_referral(ledger: LedgerCore, referrer: Referrer, friend: Customer) -> None:
    same_person = referrer.customer_id == friend.id or (
        email_variant(_clear(friend.email)) == _email_variant_of(ledger, referrer.customer_id)
    )
    if same_person:
        raise SelfReferralError("a customer cannot refer themself", field="code")


def _email_variant_of(ledger: LedgerCore, customer_id: UUID) -> str | None:
    email = customer_at(ledger, customer_id, None).email.value
    return None if email is None else email_variant(email)


def invitee_subject(ledger: LedgerCore, email: str) -> UUID:
    """The data subject of an invited person: from the keyed hash of their email's variant, so
    one person invited twice (or by two referrers) is one subject. Erasure asks it too."""
    return uuid5(NAMESPACE, f"invitee:{ledger.fingerprint_email(email_variant(email))}")


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


def _no_code_yet() -> ReferralNotFoundError:
    return ReferralNotFoundError("no referral code yet", field="customerId")


def _no_referral() -> ReferralNotFoundError:
    return ReferralNotFoundError("no such referral")
