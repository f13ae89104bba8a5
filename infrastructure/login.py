"""Customer log-in: the ledger checks the credentials, PostgreSQL counts the failures (so that
every API replica throttles alike), and a bearer token is minted for the customer.

Failures are counted per (email, client address) pair, per email, per address and in all
(see :class:`ThrottlePolicy`): one address that guesses wrong locks only itself out of that
account, a real customer elsewhere still logs in with the right password, and spraying many
emails from one address, or guessing from everywhere at once, is throttled too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.customer.errors import TooManyAttemptsError
from domain.customer.values import normalise_email
from domain.ledger import Ledger
from domain.shared.errors import ValidationError
from domain.shared.metadata import Role
from graphql_api.auth import CustomerSession, RefreshSessions
from infrastructure.throttles import Clock, Connect, Counter, WindowCounters, utc_now
from infrastructure.tokens import JwtTokens

CUSTOMER_TOKEN_TTL_SECONDS = 3600


@dataclass(frozen=True)
class ThrottlePolicy:
    """Failed log-ins allowed per window; past one, attempts are refused until it ends."""

    max_failures: int = 5
    """Per email and client address: what a customer who mistypes their password meets."""
    window: timedelta = timedelta(minutes=15)
    max_failures_per_email: int = 50
    """Per email from every address together: guessing one account from many addresses."""
    max_failures_per_address: int = 20
    """Per client address across every email: spraying one password over many accounts."""
    max_failures_in_all: int = 300
    """Per ``all_window`` in all; past it, only addresses with no failure yet may try."""
    all_window: timedelta = timedelta(minutes=1)


class LoginThrottle:
    """Failed log-ins, counted before each password is checked and taken back on success:
    parallel attempts cannot slip past a limit while their passwords are being hashed."""

    def __init__(
        self, connect: Connect, policy: ThrottlePolicy | None = None, clock: Clock = utc_now
    ) -> None:
        self._counters = WindowCounters(connect, clock)
        policy = policy or ThrottlePolicy()
        self._policy = policy
        self._pair = Counter("log-in pair", policy.max_failures, policy.window)
        self._email = Counter("log-in email", policy.max_failures_per_email, policy.window)
        self._address = Counter("log-in address", policy.max_failures_per_address, policy.window)
        self._all = Counter("log-in all", policy.max_failures_in_all, policy.all_window)

    def admit(self, email_key: str, address_key: str) -> bool:
        """Count an attempt; False (and nothing counted) if a limit is used up."""
        return self._counters.hit(self._counts(email_key, address_key), self._refuse)

    def succeeded(self, email_key: str, address_key: str) -> None:
        """The attempt was no failure: this address has proved it knows the password (its
        failures on this email are forgotten) and the other counts take it back."""
        counts = self._counts(email_key, address_key)
        self._counters.refund(counts[1:], forget=counts[:1])

    def _counts(self, email_key: str, address_key: str) -> list[tuple[Counter, str]]:
        return [
            (self._pair, f"{email_key} {address_key}"),
            (self._email, email_key),
            (self._address, address_key),
            (self._all, "*"),
        ]

    def _refuse(self, hits: list[int]) -> bool:
        pair, email, address, in_all = hits
        policy = self._policy
        if pair > policy.max_failures or email > policy.max_failures_per_email:
            return True
        if address > policy.max_failures_per_address:
            return True
        # A flood from everywhere: keep out those who already failed, let the others try.
        return in_all > policy.max_failures_in_all and address > 1


class CustomerLogin:
    """The API's ``log_in`` service (see :class:`graphql_api.auth.LogIn`)."""

    def __init__(
        self,
        ledger: Ledger,
        tokens: JwtTokens,
        throttle: LoginThrottle,
        ttl_seconds: int = CUSTOMER_TOKEN_TTL_SECONDS,
        refresh: RefreshSessions | None = None,
    ) -> None:
        self._ledger = ledger
        self._tokens = tokens
        self._throttle = throttle
        self._ttl_seconds = ttl_seconds
        self._refresh = refresh

    def __call__(self, email: str, password: str, client_address: str) -> CustomerSession:
        keys = email_key(self._ledger, email), address_key(self._ledger, client_address)
        if not self._throttle.admit(*keys):
            raise TooManyAttemptsError("too many failed attempts; try again in a few minutes")
        grant = self._ledger.grant_session(email, password)
        self._throttle.succeeded(*keys)
        customer_id = grant.customer_id
        issued = self._tokens.issue(
            str(customer_id), Role.CUSTOMER, self._ttl_seconds, grant.session_version
        )
        if self._refresh is None:
            return CustomerSession(issued.token, issued.expires_at, customer_id)
        return self._refresh.start(
            customer_id, grant.session_version, issued.token, issued.expires_at
        )


def email_key(ledger: Ledger, email: str) -> str:
    """The keyed hash of the email as uniqueness sees it; text that is no email at all is
    hashed as typed, so that it is throttled too."""
    try:
        text = normalise_email(email)
    except ValidationError:
        text = email.strip().lower()
    return ledger.fingerprint_email(text.encode("utf-8", "backslashreplace").decode())


def address_key(ledger: Ledger, address: str) -> str:
    """The same keyed hash of a client's address, so that no clear address is stored."""
    return ledger.fingerprint_email(f"client address {address}")
