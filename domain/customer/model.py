"""Customer and EmailClaim aggregates, with their past-tense events."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from domain.customer.values import (
    normalise_email,
    normalise_name,
    normalise_phone,
    normalise_region,
)
from domain.shared.aggregate import LedgerAggregate
from domain.shared.personal_data import PersonalData


class Customer(LedgerAggregate):
    """A person the company serves. Name, email and phone are their personal data."""

    class Registered(LedgerAggregate.Created):
        """A customer joined. ``email_fingerprint`` is a keyed hash, never the clear email."""

        name: PersonalData
        email: PersonalData
        phone: PersonalData | None
        region: str | None
        email_fingerprint: str

        def apply(self, customer: Customer) -> None:
            customer.name = self.name
            customer.email = self.email
            customer.phone = self.phone
            customer.region = self.region
            customer.email_fingerprint = self.email_fingerprint

    name: PersonalData
    email: PersonalData
    phone: PersonalData | None
    region: str | None
    email_fingerprint: str

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
        """Register a customer; the values must already be normalised (see ``values``)."""
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


EMAIL_CLAIM_NAMESPACE = uuid5(NAMESPACE_URL, "https://cxledger.invalid/email-claim")


class EmailClaim(LedgerAggregate):
    """Index aggregate: at most one customer per email. Its id derives from the email's keyed
    hash, so two registrations of one email race on the same stream and one of them loses."""

    class Claimed(LedgerAggregate.Created):
        """An email (known only by its keyed hash) was claimed by a customer."""

        customer_id: UUID

        def apply(self, claim: EmailClaim) -> None:
            claim.customer_id = self.customer_id

    customer_id: UUID

    @staticmethod
    def id_for(email_fingerprint: str) -> UUID:
        return uuid5(EMAIL_CLAIM_NAMESPACE, email_fingerprint)

    @classmethod
    def claim(cls, email_fingerprint: str, customer_id: UUID) -> EmailClaim:
        return cls._create(cls.Claimed, id=cls.id_for(email_fingerprint), customer_id=customer_id)
