"""Registering with a referral code (the API's registerCustomer `referralCode`), as one use
case: check the code first, register, then convert.

The check refuses what the conversion would refuse (an unusable code, a disposable domain,
the referrer's own email up to dots and +tags) before anyone is registered. If the conversion
still fails after the registration (the code was revoked in between, say), the customer stays
registered and the refusal is reported beside them. Refusals of the code are reported on the
`referralCode` field; an invalid email stays the registration's own refusal, on `email`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.customer.commands import RegisterCustomer
from domain.referral.errors import AlreadyReferredError
from domain.referral.model import Referral
from domain.shared.application import CommandResult
from domain.shared.errors import DomainError, ValidationError
from domain.shared.metadata import EventMetadata

FIELD = "referralCode"
"""The input a refusal of the code is reported on."""


class Registrar(Protocol):
    """The commands the use case combines (the Ledger's)."""

    def check_referral_code(self, code: str, email: str, now: datetime | None = None) -> UUID: ...

    def register_customer(
        self, command: RegisterCustomer, metadata: EventMetadata
    ) -> CommandResult: ...

    def register_self(
        self, command: RegisterCustomer, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult | None: ...

    def convert_referral(
        self, friend_id: UUID, code: str, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult: ...

    def get_referral(self, friend_id: UUID) -> Referral: ...


def register_referred(
    ledger: Registrar, command: RegisterCustomer, code: str, metadata: EventMetadata
) -> tuple[CommandResult, DomainError | None]:
    """Register the customer and convert them with ``code``. Raises (nothing written) if the
    check or the registration refuses; returns the result (at the conversion's position) and
    the conversion's refusal, if it came after the registration."""
    referrer_id = _referrer_of(ledger, code, command)
    registered = ledger.register_customer(command, metadata)
    return _converted(ledger, registered, referrer_id, code, metadata)


def register_self_referred(
    ledger: Registrar, command: RegisterCustomer, code: str, metadata: EventMetadata
) -> None:
    """A self-registration with ``code`` (see ``Ledger.register_self``): the code is checked
    first, as above; the customer converts only if they were registered now (a replay, or an
    email that is someone else's, converts no one). A conversion refused after the
    registration is not reported: answering it only to new customers would tell them apart;
    they may apply the code later."""
    referrer_id = _referrer_of(ledger, code, command)
    registered = ledger.register_self(command, metadata)
    if registered is not None:
        _converted(ledger, registered, referrer_id, code, metadata)


def _referrer_of(ledger: Registrar, code: str, command: RegisterCustomer) -> UUID:
    try:
        return ledger.check_referral_code(code, command.email)
    except ValidationError as error:
        raise (error if error.field == "email" else _on_code(error)) from None
    except DomainError as error:
        raise _on_code(error) from None


def _converted(
    ledger: Registrar,
    registered: CommandResult,
    referrer_id: UUID,
    code: str,
    metadata: EventMetadata,
) -> tuple[CommandResult, DomainError | None]:
    try:
        converted = ledger.convert_referral(registered.aggregate_id, code, metadata)
    except AlreadyReferredError as error:
        # A retried registration (same customerId): its first conversion stands.
        retried = ledger.get_referral(registered.aggregate_id).referrer_id == referrer_id
        return registered, None if retried else _on_code(error)
    except DomainError as error:
        return registered, _on_code(error)
    position = max(registered.position, converted.position)
    return CommandResult(registered.aggregate_id, registered.version, position), None


def _on_code(error: DomainError) -> DomainError:
    error.field = FIELD
    return error
