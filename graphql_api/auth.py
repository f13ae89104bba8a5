"""Who is calling: the principal behind a bearer token."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from domain.shared.metadata import Role


class InvalidTokenError(Exception):
    """The bearer token is malformed, expired, or not signed by us."""


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller: an actor id (a customer id for customers) and one role."""

    actor_id: str
    role: Role

    @classmethod
    def anonymous(cls) -> Principal:
        return cls(actor_id="anonymous", role=Role.ANONYMOUS)

    def is_subject(self, customer_id: UUID) -> bool:
        return self.role is Role.CUSTOMER and self.actor_id == str(customer_id)


TokenVerifier = Callable[[str], Principal]
"""Turns a bearer token into a principal, or raises :class:`InvalidTokenError`."""

# Roles that may read a customer's personal data (besides the customer themself). Issue-level
# permissions per field come later; until then, personal data is never shown to anyone else.
PERSONAL_DATA_ROLES = frozenset({Role.AGENT, Role.ADMIN, Role.PRIVACY_OFFICER})


def may_see_personal_data(principal: Principal, subject_id: UUID) -> bool:
    return principal.role in PERSONAL_DATA_ROLES or principal.is_subject(subject_id)
