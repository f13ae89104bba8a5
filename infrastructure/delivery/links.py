"""The links a message carries, under ``CXL_PUBLIC_URL``, and the signed unsubscribe token.

The paths are the pages' (graphql_api/pages): ``/s/<token>`` answers a survey, ``/reset/<token>``
sets a new password, ``/confirm-email/<token>`` confirms an email change, ``/join?code=<code>``
registers with a referral code, ``/unsubscribe/<token>`` turns mail off.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import quote, urlencode
from uuid import UUID

_TAG_BYTES = 16
"""128 bits of HMAC-SHA256: unforgeable, and short enough for a link."""


@dataclass(frozen=True, slots=True)
class Links:
    """Absolute links under one public base URL."""

    base: str

    def survey(self, token: str) -> str:
        return f"{self.base}/s/{quote(token, safe='')}"

    def password_reset(self, token: str) -> str:
        return f"{self.base}/reset/{quote(token, safe='')}"

    def email_change(self, token: str) -> str:
        return f"{self.base}/confirm-email/{quote(token, safe='')}"

    def referral(self, code: str) -> str:
        return f"{self.base}/join?{urlencode({'code': code})}"

    def home(self) -> str:
        return f"{self.base}/"

    def unsubscribe(self, token: str) -> str:
        return f"{self.base}/unsubscribe/{token}"


class UnsubscribeTokens:
    """Tokens that name a customer, signed so that nobody can unsubscribe someone else.

    A token is the customer's id and an HMAC-SHA256 tag over it, base64url without padding. It
    never expires: a link in an old message should keep working (RFC 8058 asks for that)."""

    def __init__(self, secret: bytes) -> None:
        self._key = hmac.new(secret, b"cxledger unsubscribe v1", hashlib.sha256).digest()

    def issue(self, customer_id: UUID) -> str:
        raw = customer_id.bytes + self._tag(customer_id.bytes)
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    def customer_of(self, token: str) -> UUID | None:
        """The customer a genuine token names; None for anything else."""
        if len(token) > 64 or not token.isascii():
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except ValueError:
            return None
        if len(raw) != 16 + _TAG_BYTES:
            return None
        if not hmac.compare_digest(self.issue(UUID(bytes=raw[:16])), token):
            return None
        return UUID(bytes=raw[:16])

    def _tag(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:_TAG_BYTES]
