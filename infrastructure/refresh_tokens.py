"""Customers' refresh tokens: opaque, rotating, in families (``cxl_refresh_tokens``).

A log-in starts a family. Refreshing marks the presented token rotated and issues its successor
in the same transaction; the ``UPDATE ... WHERE rotated_at IS NULL`` takes the row's lock, so of
two requests racing with one token exactly one rotates it. The other finds it rotated: within
:data:`REUSE_GRACE` of the rotation that is a client sending the same refresh twice at once
(REFRESH_TOKEN_ALREADY_USED, nothing revoked; identity providers call this the rotation grace
period); later it is a copy in someone else's hands (REFRESH_TOKEN_REUSED: the whole family is
revoked, thief's and owner's tokens alike, and the owner logs in again).

A family also stops when the customer's session version (the count of ``SessionsRevoked`` in
their stream, see :mod:`infrastructure.sessions`) has moved past the one it began at: a
password change or reset, an erasure or a log-out everywhere ends every family at once, read
from the log in the refresh's own transaction, with nothing to keep in sync.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import psycopg
from psycopg import sql

from domain.customer.errors import (
    InvalidRefreshTokenError,
    RefreshTokenAlreadyUsedError,
    RefreshTokenReusedError,
)
from domain.ledger import Ledger
from domain.shared.metadata import EventMetadata, Role
from graphql_api.auth import CustomerSession
from infrastructure.sessions import REVOKED_TOPIC
from infrastructure.throttles import Clock, Connect, utc_now
from infrastructure.tokens import IssuedToken

DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 15 * 60
DEFAULT_REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600
REUSE_GRACE = timedelta(seconds=5)
MAX_REFRESH_TOKEN_LENGTH = 200
"""Longer text is no token of ours (they are 43 characters) and is refused unhashed."""

IssueAccess = Callable[[UUID, int], IssuedToken]
"""Mints a customer's access token at a session version."""

_ROTATE = """
UPDATE cxl_refresh_tokens SET rotated_at = %(now)s
WHERE token_hash = %(hash)s AND rotated_at IS NULL AND revoked_at IS NULL
  AND expires_at > %(now)s
RETURNING family_id, customer_id, session_version
"""
_INSERT = """
INSERT INTO cxl_refresh_tokens
    (token_hash, family_id, customer_id, session_version, issued_at, expires_at)
VALUES (%s, %s, %s, %s, %s, %s)
"""
_FIND = """
SELECT family_id, customer_id, rotated_at, revoked_at, expires_at
FROM cxl_refresh_tokens WHERE token_hash = %s
"""
_FIND_LIVE = """
SELECT family_id, customer_id, session_version FROM cxl_refresh_tokens
WHERE token_hash = %s AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > %s
FOR UPDATE
"""
_REVOKE_FAMILY = """
UPDATE cxl_refresh_tokens SET revoked_at = %s WHERE family_id = %s AND revoked_at IS NULL
"""
_PURGE_EXPIRED = "DELETE FROM cxl_refresh_tokens WHERE customer_id = %s AND expires_at <= %s"


def token_hash(token: str) -> bytes:
    """SHA-256 of the token: 32 random bytes need no slow or keyed hash to resist guessing."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


class RefreshTokens:
    """The API's ``RefreshSessions`` (see :class:`graphql_api.auth.RefreshSessions`)."""

    def __init__(
        self,
        connect: Connect,
        ledger: Ledger,
        events_table: str,
        issue_access: IssueAccess,
        ttl_seconds: int = DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
        clock: Clock = utc_now,
    ) -> None:
        self._connect, self._ledger, self._issue_access = connect, ledger, issue_access
        self._ttl = timedelta(seconds=ttl_seconds)
        self._clock = clock
        self._session_version = sql.SQL(
            "SELECT count(*) FROM {} WHERE originator_id = %s AND topic = %s"
        ).format(sql.Identifier(events_table))

    def start(
        self, customer_id: UUID, session_version: int, token: str, expires_at: datetime
    ) -> CustomerSession:
        now = self._clock()
        with self._connect() as conn, conn.transaction():
            conn.execute(_PURGE_EXPIRED, (customer_id, now))
            refresh = self._insert(conn, uuid4(), customer_id, session_version, now)
        return CustomerSession(token, expires_at, customer_id, refresh, now + self._ttl)

    def refresh(self, refresh_token: str) -> CustomerSession:
        hashed = self._hashed(refresh_token)
        now = self._clock()
        with self._connect() as conn, conn.transaction():
            row = conn.execute(_ROTATE, {"now": now, "hash": hashed}).fetchone()
            if row is not None:
                family, customer_id, version = row
                if self._current_version(conn, customer_id) == version:
                    successor = self._insert(conn, family, customer_id, version, now)
                    access = self._issue_access(customer_id, int(version))
                    return CustomerSession(
                        access.token, access.expires_at, customer_id, successor, now + self._ttl
                    )
                conn.execute(_REVOKE_FAMILY, (now, family))
                refusal: Exception = InvalidRefreshTokenError(
                    "the session has ended (the password was changed or reset, the account "
                    "erased, or the customer logged out everywhere); log in again",
                    field="refreshToken",
                )
            else:
                refusal = self._refusal(conn, hashed, now)
        raise refusal  # after the commit: a family revoked on the way out stays revoked

    def log_out(self, refresh_token: str, everywhere: bool, metadata: EventMetadata) -> UUID:
        """Revoke the token's family (every family of its customer, ``everywhere``, which also
        ends their access tokens through the log); the customer. INVALID_REFRESH_TOKEN for a
        token that no longer works (logging out twice is refused, and says so)."""
        hashed = self._hashed(refresh_token)
        now = self._clock()
        with self._connect() as conn, conn.transaction():
            row = conn.execute(_FIND_LIVE, (hashed, now)).fetchone()
            if row is not None:
                family, version = row[0], row[2]
                customer_id: UUID = row[1]
                conn.execute(_REVOKE_FAMILY, (now, family))
                # A token of an ended session logs nobody out: whoever kept one from before a
                # password change must not be able to end the customer's new sessions.
                ended = self._current_version(conn, customer_id) != version
        if row is None or ended:
            raise _invalid()
        if everywhere:
            self._ledger.end_every_session(customer_id, _as_customer(metadata, customer_id))
        return customer_id

    def _refusal(self, conn: psycopg.Connection[Any], hashed: bytes, now: datetime) -> Exception:
        """Why a token that did not rotate was refused; revokes its family on reuse."""
        row = conn.execute(_FIND, (hashed,)).fetchone()
        if row is None:
            return _invalid()
        family, _customer, rotated_at, revoked_at, expires_at = row
        if revoked_at is not None or expires_at <= now:
            return _invalid()
        if rotated_at is not None and now - rotated_at < REUSE_GRACE:
            return RefreshTokenAlreadyUsedError(
                "this refresh token was just used by another request; use the tokens that "
                "request received",
                field="refreshToken",
            )
        conn.execute(_REVOKE_FAMILY, (now, family))
        return RefreshTokenReusedError(
            "this refresh token was already used: every session it led to is revoked; log in again",
            field="refreshToken",
        )

    def _insert(
        self,
        conn: psycopg.Connection[Any],
        family: UUID,
        customer_id: UUID,
        session_version: int,
        now: datetime,
    ) -> str:
        token = secrets.token_urlsafe(32)
        conn.execute(
            _INSERT,
            (token_hash(token), family, customer_id, session_version, now, now + self._ttl),
        )
        return token

    def _current_version(self, conn: psycopg.Connection[Any], customer_id: UUID) -> int:
        row = conn.execute(self._session_version, (customer_id, REVOKED_TOPIC)).fetchone()
        return 0 if row is None else int(row[0])

    @staticmethod
    def _hashed(refresh_token: str) -> bytes:
        if not refresh_token or len(refresh_token) > MAX_REFRESH_TOKEN_LENGTH:
            raise _invalid()
        return token_hash(refresh_token)


def _invalid() -> InvalidRefreshTokenError:
    return InvalidRefreshTokenError(
        "the refresh token is unknown, expired or revoked; log in again", field="refreshToken"
    )


def _as_customer(metadata: EventMetadata, customer_id: UUID) -> EventMetadata:
    """The log-out's events are the customer's own: the refresh token proved who they are,
    whatever (or whoever, anonymous) sent the request."""
    return EventMetadata(
        actor_id=str(customer_id),
        actor_role=Role.CUSTOMER,
        channel=metadata.channel,
        correlation_id=metadata.correlation_id,
        causation_id=metadata.causation_id,
    )
