"""Customer and EmailClaim aggregates, with their past-tense events."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.customer.errors import (
    InvalidEmailChangeTokenError,
    InvalidResetTokenError,
    ResetLinkExpiredError,
)
from domain.customer.profile import Address, ConsentPurpose, ContactChannel
from domain.customer.values import (
    normalise_email,
    normalise_name,
    normalise_phone,
    normalise_region,
)
from domain.shared.aggregate import LedgerAggregate
from domain.shared.disclosure import Secret
from domain.shared.personal_data import PersonalData

REGISTRATION_NOTICE_QUIET = timedelta(hours=1)
"""After telling a customer that someone tried to register with their email, further tries
within this time are not told again: a flood of tries costs them one message an hour."""


def token_digest(token: str) -> str:
    """What is kept of a reset token: its SHA-256 (the token itself is high-entropy)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _token_matches(
    token: str, digest: str | None, expires_at: datetime | None, now: datetime
) -> bool:
    return (
        digest is not None
        and expires_at is not None
        and hmac.compare_digest(token_digest(token), digest)
        and now < expires_at
    )


class Customer(LedgerAggregate):
    """A person the company serves. Name, email, phone, address, preferred language, birth
    year and password hash are their personal data. The region is a segment code (at most 64
    letters, digits, spaces, - and _; the address has its own field) kept in clear: responses
    and figures are segmented by it, and must not change when a respondent is erased."""

    class Registered(LedgerAggregate.Created):
        """A customer joined. ``email_fingerprint`` is a keyed hash, never the clear email."""

        name: PersonalData
        email: PersonalData
        phone: PersonalData | None
        region: str | None
        email_fingerprint: Secret[str]

        def apply(self, customer: Customer) -> None:
            customer.name = self.name
            customer.email = self.email
            customer.phone = self.phone
            customer.region = self.region
            customer.email_fingerprint = self.email_fingerprint
            customer.password_hash = None
            customer.reset_token_digest = None
            customer.reset_expires_at = None
            customer.address = None
            customer.language = None
            customer.birth_year = None
            customer.contact_channels = {}
            customer.consents = {}
            customer.onboarding = {}
            customer.session_version = 0
            customer.pending_email = None
            customer.email_change_digest = None
            customer.email_change_expires_at = None
            customer.registration_noticed_at = None

    class NameChanged(LedgerAggregate.Event):
        """The customer's name was corrected or changed."""

        name: PersonalData

        def apply(self, customer: Customer) -> None:
            customer.name = self.name

    class EmailChanged(LedgerAggregate.Event):
        """The customer's email changed (the old one was released, the new one claimed)."""

        email: PersonalData
        email_fingerprint: Secret[str]

        def apply(self, customer: Customer) -> None:
            customer.email = self.email
            customer.email_fingerprint = self.email_fingerprint
            customer.pending_email = None
            customer.email_change_digest = None
            customer.email_change_expires_at = None

    class PhoneChanged(LedgerAggregate.Event):
        """The customer's phone number changed or was removed."""

        phone: PersonalData | None

        def apply(self, customer: Customer) -> None:
            customer.phone = self.phone

    class AddressChanged(LedgerAggregate.Event):
        """The customer's postal address changed or was removed (sealed as one value)."""

        address: PersonalData | None

        def apply(self, customer: Customer) -> None:
            customer.address = self.address

    class RegionChanged(LedgerAggregate.Event):
        """The customer moved to another region (segments use it)."""

        region: str | None

        def apply(self, customer: Customer) -> None:
            customer.region = self.region

    class LanguageChanged(LedgerAggregate.Event):
        """The customer chose the language the company speaks to them in (a BCP 47 tag).

        Version 2 seals the tag as the customer's personal data; version 1 stored it in
        clear, and reads as sealed (but erasure cannot take what was stored in clear)."""

        class_version = 2

        language: PersonalData

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["language"] = PersonalData(state["originator_id"], state["language"])

        def apply(self, customer: Customer) -> None:
            customer.language = self.language

    class BirthYearChanged(LedgerAggregate.Event):
        """The customer gave (or removed) their birth year, sealed as personal data (its
        digits as text). Version 1 stored the number in clear; it reads as sealed."""

        class_version = 2

        birth_year: PersonalData | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            year = state["birth_year"]
            state["birth_year"] = (
                None if year is None else PersonalData(state["originator_id"], str(year))
            )

        def apply(self, customer: Customer) -> None:
            customer.birth_year = self.birth_year

    class ContactChannelOptedIn(LedgerAggregate.Event):
        """The customer agreed to be contacted through a channel."""

        channel: str

        def apply(self, customer: Customer) -> None:
            customer.contact_channels[self.channel] = True

    class ContactChannelOptedOut(LedgerAggregate.Event):
        """The customer asked not to be contacted through a channel."""

        channel: str

        def apply(self, customer: Customer) -> None:
            customer.contact_channels[self.channel] = False

    class ConsentGiven(LedgerAggregate.Event):
        """The customer consented to a purpose."""

        purpose: str

        def apply(self, customer: Customer) -> None:
            customer.consents[self.purpose] = True

    class ConsentWithdrawn(LedgerAggregate.Event):
        """The customer withdrew a consent they had given."""

        purpose: str

        def apply(self, customer: Customer) -> None:
            customer.consents[self.purpose] = False

    class ConsentRefused(LedgerAggregate.Event):
        """The customer said no to a purpose they had never consented to: an explicit
        refusal, respected like a withdrawal (not knowing is not the same as a no)."""

        purpose: str

        def apply(self, customer: Customer) -> None:
            customer.consents[self.purpose] = False

    class OnboardingStepCompleted(LedgerAggregate.Event):
        """The customer reached an onboarding milestone."""

        step: str
        completed_at: datetime

        def apply(self, customer: Customer) -> None:
            customer.onboarding[self.step] = self.completed_at

    class PasswordSet(LedgerAggregate.Event):
        """A password was chosen (at registration, by reset or by change); only its hash."""

        password_hash: Secret[PersonalData]
        reason: str

        def apply(self, customer: Customer) -> None:
            customer.password_hash = self.password_hash
            customer.reset_token_digest = None
            customer.reset_expires_at = None

    class PasswordResetRequested(LedgerAggregate.Event):
        """A reset link was issued. The log keeps the token's digest; the token itself is
        sealed for the notification outbox, with the address it goes to."""

        token_digest: Secret[str]
        expires_at: datetime
        token: Secret[PersonalData]
        recipient: PersonalData

        def apply(self, customer: Customer) -> None:
            customer.reset_token_digest = self.token_digest
            customer.reset_expires_at = self.expires_at

    class SessionsRevoked(LedgerAggregate.Event):
        """Every bearer token issued to the customer until now stops working: their password
        was changed or reset, or their data erased (``reason``). Tokens carry the session
        version they were issued at; this event is what raises it."""

        reason: str

        def apply(self, customer: Customer) -> None:
            customer.session_version += 1

    class RegistrationAttempted(LedgerAggregate.Event):
        """Someone registering themself gave this customer's email. They were answered as if
        they had registered; the customer is told by message (to ``recipient``, their
        address then), so that they can log in or reset their password if it was them."""

        recipient: PersonalData

        def apply(self, customer: Customer) -> None:
            customer.registration_noticed_at = self.timestamp

    class EmailChangeRequested(LedgerAggregate.Event):
        """The customer asked to move to ``email``; a link with the token goes to that
        address, and the change happens only when it is confirmed from there. The log keeps
        the token's digest; the token is sealed for the notification outbox."""

        email: PersonalData
        token_digest: Secret[str]
        expires_at: datetime
        token: Secret[PersonalData]

        def apply(self, customer: Customer) -> None:
            customer.pending_email = self.email
            customer.email_change_digest = self.token_digest
            customer.email_change_expires_at = self.expires_at

    def __init__(self) -> None:
        # State is set by the events' apply methods; an explicit (empty) __init__ stops the
        # library from turning the annotations below into constructor arguments.
        pass

    name: PersonalData
    email: PersonalData
    phone: PersonalData | None
    region: str | None
    email_fingerprint: Secret[str]
    password_hash: Secret[PersonalData | None]
    reset_token_digest: Secret[str | None]
    reset_expires_at: datetime | None
    address: PersonalData | None
    language: PersonalData | None
    birth_year: PersonalData | None
    contact_channels: dict[str, bool]
    consents: dict[str, bool]
    onboarding: dict[str, datetime]
    session_version: int
    pending_email: PersonalData | None
    email_change_digest: Secret[str | None]
    email_change_expires_at: datetime | None
    registration_noticed_at: datetime | None

    @classmethod
    def register(
        cls,
        customer_id: UUID,
        *,
        name: str,
        email: str,
        phone: str | None,
        region: str | None,
        email_fingerprint: str,
    ) -> Customer:
        """Register a customer; the values are normalised and checked here."""
        clear_phone = normalise_phone(phone)
        return cls._create(
            cls.Registered,
            id=customer_id,
            name=PersonalData(customer_id, normalise_name(name)),
            email=PersonalData(customer_id, normalise_email(email)),
            phone=None if clear_phone is None else PersonalData(customer_id, clear_phone),
            region=normalise_region(region),
            email_fingerprint=email_fingerprint,
        )

    def _sealed(self, value: str | None) -> PersonalData | None:
        return None if value is None else PersonalData(self.id, value)

    def change_name(self, name: str) -> None:
        clear = normalise_name(name)
        if clear != self.name.value:
            self.trigger_event(self.NameChanged, name=PersonalData(self.id, clear))

    def change_email(self, email: str, email_fingerprint: str) -> None:
        """Record the new email; the caller has claimed it (see ``EmailClaim``)."""
        clear = normalise_email(email)
        self.trigger_event(
            self.EmailChanged,
            email=PersonalData(self.id, clear),
            email_fingerprint=email_fingerprint,
        )

    def change_phone(self, phone: str | None) -> None:
        clear = normalise_phone(phone)
        current = None if self.phone is None else self.phone.value
        if clear != current:
            self.trigger_event(self.PhoneChanged, phone=self._sealed(clear))

    def change_address(self, address: Address | None) -> None:
        text = None if address is None else address.to_text()
        current = None if self.address is None else self.address.value
        if text != current:
            self.trigger_event(self.AddressChanged, address=self._sealed(text))

    def change_region(self, region: str | None) -> None:
        clear = normalise_region(region)
        if clear != self.region:
            self.trigger_event(self.RegionChanged, region=clear)

    def change_language(self, language: str) -> None:
        if language != _clear(self.language):
            self.trigger_event(self.LanguageChanged, language=PersonalData(self.id, language))

    def change_birth_year(self, birth_year: int | None) -> None:
        text = None if birth_year is None else str(birth_year)
        if text != _clear(self.birth_year):
            self.trigger_event(self.BirthYearChanged, birth_year=self._sealed(text))

    def set_contact_channel(self, channel: ContactChannel, opted_in: bool) -> None:
        if self.contact_channels.get(channel.value) is opted_in:
            return
        event = self.ContactChannelOptedIn if opted_in else self.ContactChannelOptedOut
        self.trigger_event(event, channel=channel.value)

    def give_consent(self, purpose: ConsentPurpose) -> None:
        if self.consents.get(purpose.value) is not True:
            self.trigger_event(self.ConsentGiven, purpose=purpose.value)

    def withdraw_consent(self, purpose: ConsentPurpose) -> None:
        """Withdraw a consent given, or refuse one never given; a no already on record stays."""
        decided = self.consents.get(purpose.value)
        if decided is True:
            self.trigger_event(self.ConsentWithdrawn, purpose=purpose.value)
        elif decided is None:
            self.trigger_event(self.ConsentRefused, purpose=purpose.value)

    def complete_onboarding_step(self, step: str, completed_at: datetime) -> None:
        if step not in self.onboarding:
            self.trigger_event(self.OnboardingStepCompleted, step=step, completed_at=completed_at)

    def set_password(self, password_hash: str, reason: str) -> None:
        self.trigger_event(
            self.PasswordSet, password_hash=PersonalData(self.id, password_hash), reason=reason
        )

    def request_password_reset(self, token: str, expires_at: datetime) -> None:
        """Issue a reset token; it replaces (and so invalidates) every earlier one."""
        self.trigger_event(
            self.PasswordResetRequested,
            token_digest=token_digest(token),
            expires_at=expires_at,
            token=PersonalData(self.id, token),
            recipient=self.email,
        )

    def check_reset_token(self, token: str, now: datetime) -> None:
        """Refuse anything but the latest, unexpired, unused reset token."""
        digest, expires_at = self.reset_token_digest, self.reset_expires_at
        if not _token_matches(token, digest, expires_at, now):
            if digest is not None and hmac.compare_digest(token_digest(token), digest):
                raise ResetLinkExpiredError(
                    "the reset link is invalid or has expired", field="token"
                )
            raise InvalidResetTokenError("the reset link is invalid or has expired", field="token")

    def reset_password(self, token: str, password_hash: str, now: datetime) -> None:
        """Set a new password with the latest, unexpired, unused reset token; every token
        issued before stops working (whoever held one may have known the old password)."""
        self.check_reset_token(token, now)
        self.set_password(password_hash, reason="reset")
        self.revoke_sessions("password_reset")

    def change_password(self, password_hash: str) -> None:
        """Set a new password; every token issued before stops working."""
        self.set_password(password_hash, reason="change")
        self.revoke_sessions("password_changed")

    def revoke_sessions(self, reason: str) -> None:
        self.trigger_event(self.SessionsRevoked, reason=reason)

    def note_registration_attempt(self, now: datetime) -> None:
        """Tell the customer someone registered with their email, unless told lately (or
        erased: there is no one to tell)."""
        last = self.registration_noticed_at
        if self.email.is_erased:
            return
        if last is None or now - last >= REGISTRATION_NOTICE_QUIET:
            self.trigger_event(self.RegistrationAttempted, recipient=self.email)

    def request_email_change(self, email: str, token: str, expires_at: datetime) -> None:
        """Ask to move to ``email`` (normalised here); it replaces any earlier request."""
        self.trigger_event(
            self.EmailChangeRequested,
            email=PersonalData(self.id, normalise_email(email)),
            token_digest=token_digest(token),
            expires_at=expires_at,
            token=PersonalData(self.id, token),
        )

    def email_confirmed_by(self, token: str, now: datetime) -> str:
        """The address the latest, unexpired, unused email-change token confirms."""
        pending = _clear(self.pending_email)
        digest, expires_at = self.email_change_digest, self.email_change_expires_at
        if pending is None or not _token_matches(token, digest, expires_at, now):
            raise InvalidEmailChangeTokenError(
                "the confirmation link is invalid or has expired", field="token"
            )
        return pending


EMAIL_CLAIM_NAMESPACE = uuid5(NAMESPACE_URL, "https://cxledger.invalid/email-claim")
_CLAIM_ID_HASH = hashlib.sha1(EMAIL_CLAIM_NAMESPACE.bytes, usedforsecurity=False)
"""SHA-1 fed the namespace's bytes once: ``uuid5`` hashes them again on every call (a
registration makes one claim id, a claim's read another)."""


class EmailClaim(LedgerAggregate):
    """Index aggregate: at most one customer per email. Its id derives from the email's keyed
    hash, so two registrations of one email race on the same stream and one of them loses."""

    class Claimed(LedgerAggregate.Created):
        """An email (known only by its keyed hash) was claimed by a customer."""

        customer_id: UUID

        def apply(self, claim: EmailClaim) -> None:
            claim.customer_id = self.customer_id

    class Released(LedgerAggregate.Event):
        """The customer moved to another email; this one may be claimed again."""

        def apply(self, claim: EmailClaim) -> None:
            claim.customer_id = None

    class Reclaimed(LedgerAggregate.Event):
        """A released email was claimed again."""

        customer_id: UUID

        def apply(self, claim: EmailClaim) -> None:
            claim.customer_id = self.customer_id

    customer_id: UUID | None

    @staticmethod
    def id_for(email_fingerprint: str) -> UUID:
        # uuid5(EMAIL_CLAIM_NAMESPACE, email_fingerprint), from the namespace's hash copied.
        digest = _CLAIM_ID_HASH.copy()
        digest.update(email_fingerprint.encode())
        return UUID(bytes=digest.digest()[:16], version=5)

    @classmethod
    def claim(cls, email_fingerprint: str, customer_id: UUID) -> EmailClaim:
        return cls._create(cls.Claimed, id=cls.id_for(email_fingerprint), customer_id=customer_id)

    @property
    def is_held(self) -> bool:
        return self.customer_id is not None

    def release(self) -> None:
        if self.customer_id is not None:
            self.trigger_event(self.Released)

    def reclaim(self, customer_id: UUID) -> None:
        if self.customer_id is None:
            self.trigger_event(self.Reclaimed, customer_id=customer_id)


def _clear(value: PersonalData | None) -> str | None:
    return None if value is None else value.value
