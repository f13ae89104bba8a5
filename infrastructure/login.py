"""Customer log-in: the ledger checks the credentials, PostgreSQL counts the failures (so that
every API replica throttles alike), and a bearer token is minted for the customer."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from domain.customer.errors import TooManyAttemptsError
from domain.customer.values import normalise_email
from domain.ledger import Ledger
from domain.shared.errors import ValidationError
from domain.shared.metadata import Role
from graphql_api.auth import CustomerSession
from infrastructure.tokens import JwtTokens

Connect = Callable[[], AbstractContextManager[psycopg.Connection[Any]]]
Clock = Callable[[], datetime]

CUSTOMER_TOKEN_TTL_SECONDS = 3600
PURGE_EVERY = 100  # attempts between purges of expired windows, per process

# Every attempt is counted before the password is checked, and forgotten on success: parallel
# attempts cannot slip past the limit while their passwords are being hashed.
_COUNT_ATTEMPT = """
INSERT INTO cxl_login_throttle AS t (email_key, failures, window_ends_at)
VALUES (%(key)s, 1, %(ends)s)
ON CONFLICT (email_key) DO UPDATE SET
    failures = CASE WHEN t.window_ends_at <= %(now)s THEN 1
                    ELSE LEAST(t.failures + 1, %(limit)s + 1) END,
    window_ends_at = CASE WHEN t.window_ends_at <= %(now)s THEN %(ends)s
                          ELSE t.window_ends_at END
RETURNING failures
"""


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ThrottlePolicy:
    """After ``max_failures`` failures in one window, attempts are refused until it ends."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)


class LoginThrottle:
    """Failed log-ins per email key, in the ``cxl_login_throttle`` table."""

    def __init__(
        self, connect: Connect, policy: ThrottlePolicy | None = None, clock: Clock = _utc_now
    ) -> None:
        self._connect = connect
        self._policy = policy or ThrottlePolicy()
        self._clock = clock
        self._attempts = itertools.count(1)

    def admit(self, key: str) -> bool:
        """Count an attempt for ``key``; False if the window's failures are used up."""
        now = self._clock()
        params = {
            "key": key,
            "now": now,
            "ends": now + self._policy.window,
            "limit": self._policy.max_failures,
        }
        with self._connect() as conn:
            row = conn.execute(_COUNT_ATTEMPT, params).fetchone()
            if next(self._attempts) % PURGE_EVERY == 0:
                conn.execute("DELETE FROM cxl_login_throttle WHERE window_ends_at <= %s", (now,))
        return row is not None and int(row[0]) <= self._policy.max_failures

    def succeeded(self, key: str) -> None:
        with self._connect() as conn:
            conn.execute("DELETE FROM cxl_login_throttle WHERE email_key = %s", (key,))


class CustomerLogin:
    """The API's ``log_in`` service (see :class:`graphql_api.auth.LogIn`)."""

    def __init__(
        self,
        ledger: Ledger,
        tokens: JwtTokens,
        throttle: LoginThrottle,
        ttl_seconds: int = CUSTOMER_TOKEN_TTL_SECONDS,
    ) -> None:
        self._ledger = ledger
        self._tokens = tokens
        self._throttle = throttle
        self._ttl_seconds = ttl_seconds

    def __call__(self, email: str, password: str) -> CustomerSession:
        key = self._email_key(email)
        if not self._throttle.admit(key):
            raise TooManyAttemptsError("too many failed attempts; try again in a few minutes")
        grant = self._ledger.grant_session(email, password)
        self._throttle.succeeded(key)
        customer_id = grant.customer_id
        issued = self._tokens.issue(
            str(customer_id), Role.CUSTOMER, self._ttl_seconds, grant.session_version
        )
        return CustomerSession(issued.token, issued.expires_at, customer_id)

    def _email_key(self, email: str) -> str:
        """The keyed hash of the email as uniqueness sees it; text that is no email at all is
        hashed as typed, so that it is throttled too."""
        try:
            text = normalise_email(email)
        except ValidationError:
            text = email.strip().lower()
        return self._ledger.fingerprint_email(text.encode("utf-8", "backslashreplace").decode())
