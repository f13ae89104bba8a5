"""Who is calling: the principal behind a bearer token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from psycopg import AsyncConnection

from domain.customer.access import SessionsRenewed
from domain.shared.metadata import EventMetadata, Role


class InvalidTokenError(Exception):
    """The bearer token is malformed, expired, or not signed by us."""


class IdentityProviderUnavailableError(Exception):
    """A staff token's keys had to be fetched from the identity provider, which could not be
    reached (or answered nonsense): the token can be neither accepted nor refused (503)."""


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller: an actor id (a customer id for customers) and one role; for a token, when
    it expires and (customers only) the session version it was issued at."""

    actor_id: str
    role: Role
    session_version: int | None = None
    expires_at: datetime | None = None

    @classmethod
    def anonymous(cls) -> Principal:
        return cls(actor_id="anonymous", role=Role.ANONYMOUS)

    def is_subject(self, customer_id: UUID) -> bool:
        return self.role is Role.CUSTOMER and self.actor_id == str(customer_id)


TokenVerifier = Callable[[str], Principal]
"""Turns a bearer token into a principal, or raises :class:`InvalidTokenError`."""

TokenAuthenticator = Callable[[str], Awaitable[Principal]]
"""Like :data:`TokenVerifier`, but may fetch an identity provider's keys first: raises
:class:`InvalidTokenError` or :class:`IdentityProviderUnavailableError`."""


@dataclass(frozen=True, slots=True)
class CustomerSession:
    """What a successful log-in gives a customer: a bearer token whose subject is their id,
    and (when refresh tokens are on) an opaque refresh token that gets the next one."""

    token: str
    expires_at: datetime
    customer_id: UUID
    refresh_token: str | None = None
    refresh_expires_at: datetime | None = None


class RefreshSessions(Protocol):
    """Customers' refresh tokens (synchronous: run them off the event loop). Each refusal is a
    ``DomainError``: INVALID_REFRESH_TOKEN (unknown, expired, revoked, or its session ended),
    REFRESH_TOKEN_REUSED (an already rotated one: its whole family is revoked) or
    REFRESH_TOKEN_ALREADY_USED (it was rotated an instant ago by a concurrent request)."""

    def start(
        self, customer_id: UUID, session_version: int, token: str, expires_at: datetime
    ) -> CustomerSession:
        """A new family for a session that just began, beside its access token."""
        ...

    def refresh(self, refresh_token: str) -> CustomerSession:
        """Rotate: the presented token stops working; a new access and refresh token."""
        ...

    def log_out(self, refresh_token: str, everywhere: bool, metadata: EventMetadata) -> UUID:
        """Revoke the presented token's family or, ``everywhere``, end every session of its
        customer (their access tokens too); the customer's id."""
        ...


class LogIn(Protocol):
    """Checks a customer's email and password and mints their token (synchronous: run it off
    the event loop). Refuses with a ``DomainError``: INVALID_CREDENTIALS, the same for an
    unknown email and a wrong password, or TOO_MANY_ATTEMPTS while the attempt is throttled
    (failures are counted per email and per ``client_address``, the caller's address)."""

    def __call__(self, email: str, password: str, client_address: str) -> CustomerSession: ...


class Sessions(Protocol):
    """Customer sessions: whether a token's session version is still its customer's (a
    password change, reset or erasure raises it), and tokens for a renewed session."""

    async def is_current(self, conn: AsyncConnection[Any], principal: Principal) -> bool:
        """True for staff and anonymous callers; for a customer, whether their token was
        issued at their current session version."""
        ...

    def issue(self, customer_id: UUID, session_version: int) -> CustomerSession:
        """A token for the customer at ``session_version``."""
        ...


class PasswordAccess(Protocol):
    """The password services the access resolvers delegate to, throttled by the composition
    root (``infrastructure/password_access.py``). Synchronous: run them off the event loop."""

    def change_password(
        self, customer_id: UUID, current_password: str, new_password: str, metadata: EventMetadata
    ) -> SessionsRenewed:
        """The ledger's change, unless the customer's wrong current passwords are used up
        (TOO_MANY_ATTEMPTS). Refuses with a ``DomainError``."""
        ...

    def request_password_reset(self, email: str, metadata: EventMetadata) -> None:
        """Send a reset link if the email is a customer's and none was sent to it lately;
        says nothing either way (a request inside the cooldown writes and sends nothing)."""
        ...


# Roles that may read a customer's personal data (besides the customer themself). Issue-level
# permissions per field come later; until then, personal data is never shown to anyone else.
PERSONAL_DATA_ROLES = frozenset({Role.AGENT, Role.ADMIN, Role.PRIVACY_OFFICER})


def may_see_personal_data(principal: Principal, subject_id: UUID) -> bool:
    return principal.role in PERSONAL_DATA_ROLES or principal.is_subject(subject_id)
