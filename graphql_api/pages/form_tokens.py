"""Per-form CSRF tokens: an HMAC over the form's name, the link's token and the time the form
was shown, under a key only the server holds.

A page embeds the token in its form; a POST without it, with a token for another form or link,
a forged or a stale one is refused (403) before anything runs. Another site cannot make one:
it knows neither the key nor, usually, the link. Nothing is kept on the server or in a cookie,
so every API replica with the same key checks every form.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable

MAX_AGE_SECONDS = 24 * 3600
"""How long a shown form may be sent: a day, for someone who leaves the page open."""


class FormTokens:
    def __init__(
        self, key: bytes, max_age: float = MAX_AGE_SECONDS, clock: Callable[[], float] = time.time
    ) -> None:
        if len(key) < 32:
            raise ValueError("a form-token key needs at least 32 bytes")
        self._key, self._max_age, self._clock = key, max_age, clock

    def issue(self, form: str, link_token: str) -> str:
        shown_at = int(self._clock())
        return f"{shown_at}.{self._mac(form, link_token, shown_at)}"

    def check(self, form: str, link_token: str, given: str | None) -> bool:
        """Whether ``given`` is a token this server issued for ``form`` on this link, and
        not older than the maximum age (nor from the future)."""
        if not given or len(given) > 100:
            return False
        shown, _, mac = given.partition(".")
        if not shown.isdigit():
            return False
        age = self._clock() - int(shown)
        if not -60 <= age <= self._max_age:
            return False
        return hmac.compare_digest(mac, self._mac(form, link_token, int(shown)))

    def _mac(self, form: str, link_token: str, shown_at: int) -> str:
        message = f"{form}\n{link_token}\n{shown_at}".encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
