"""Password change and reset requests behind throttles kept in PostgreSQL (so that every API
replica counts alike).

- changePassword: wrong current passwords are counted per customer, like failed log-ins; past
  the limit every attempt is TOO_MANY_ATTEMPTS until the window ends, so a stolen session
  cannot be used to guess the password behind it.
- requestPasswordReset: one message per email per cooldown and a few per day. A request
  inside the cooldown is answered exactly like any other (the resolver's answer does not
  change) but appends no event and queues no message. The claim is one row per email taken
  in one statement, so parallel requests send one message between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from domain.customer.access import SessionsRenewed
from domain.customer.errors import InvalidCredentialsError, TooManyAttemptsError
from domain.ledger import Ledger
from domain.shared.errors import ConcurrencyConflictError
from domain.shared.metadata import EventMetadata
from infrastructure.login import email_key
from infrastructure.throttles import Counter, WindowCounters, over_any_limit

RESET_ATTEMPTS = 3  # a reset request that meets a concurrent change of the customer retries


@dataclass(frozen=True)
class PasswordPolicy:
    max_wrong_current_passwords: int = 5
    window: timedelta = timedelta(minutes=15)
    reset_cooldown: timedelta = timedelta(minutes=5)
    """At most one reset message per email in this long (CXL_PASSWORD_RESET_COOLDOWN)."""
    resets_per_day: int = 5
    """At most so many reset messages per email in 24 hours (CXL_PASSWORD_RESETS_PER_DAY)."""


class ThrottledPasswordAccess:
    """The API's ``password_access`` service (see ``graphql_api.auth.PasswordAccess``)."""

    def __init__(
        self, ledger: Ledger, counters: WindowCounters, policy: PasswordPolicy | None = None
    ) -> None:
        self._ledger = ledger
        self._counters = counters
        policy = policy or PasswordPolicy()
        self._guesses = Counter(
            "password change", policy.max_wrong_current_passwords, policy.window
        )
        self._cooldown = Counter("password reset cooldown", 1, policy.reset_cooldown)
        self._daily = Counter("password reset day", policy.resets_per_day, timedelta(days=1))

    def change_password(
        self, customer_id: UUID, current_password: str, new_password: str, metadata: EventMetadata
    ) -> SessionsRenewed:
        guess = [(self._guesses, str(customer_id))]
        if not self._counters.hit(guess, over_any_limit(guess)):
            raise TooManyAttemptsError(
                "too many wrong current passwords; try again in a few minutes",
                field="currentPassword",
            )
        try:
            result = self._ledger.change_password(
                customer_id, current_password, new_password, metadata
            )
        except InvalidCredentialsError:
            raise  # a wrong guess: it stays counted
        except BaseException:
            self._counters.refund(guess)  # the current password was right, or nothing ran
            raise
        self._counters.refund([], forget=guess)
        return result

    def request_password_reset(self, email: str, metadata: EventMetadata) -> None:
        key = email_key(self._ledger, email)
        claim = [(self._cooldown, key), (self._daily, key)]
        if not self._counters.hit(claim, over_any_limit(claim)):
            return  # one was sent lately: this request sends nothing, and says so to no one
        for attempt in range(1, RESET_ATTEMPTS + 1):
            try:
                self._ledger.request_password_reset(email, metadata)
                return
            except ConcurrencyConflictError:
                if attempt == RESET_ATTEMPTS:
                    raise
