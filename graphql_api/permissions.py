"""Who may use each query, mutation and personal-data field.

Operations declare their audience with :func:`allowed`: a set of staff roles, and optionally
the argument that names the customer, so that a customer may act on their own account only.
Refusals are GraphQL errors with code FORBIDDEN and change nothing. Personal-data fields are
redacted to null for roles outside :data:`PERSONAL_DATA_ROLES` (and customers other than the
subject): :func:`graphql_api.auth.may_see_personal_data`.
"""

from __future__ import annotations

from typing import Any

from strawberry.extensions.field_extension import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension

from domain.shared.metadata import Role
from graphql_api.auth import Principal
from graphql_api.errors import PublicError

STAFF = frozenset({Role.AGENT, Role.ADMIN})
READERS = frozenset({Role.AGENT, Role.ADMIN, Role.ANALYST, Role.AUDITOR, Role.PRIVACY_OFFICER})
EVERYONE = frozenset(Role)


class Allowed(BasePermission):
    """Allows ``roles``; and a customer whose id is the argument at ``own`` (dotted path)."""

    def __init__(self, roles: frozenset[Role], own: str | None = None) -> None:
        self.roles = roles
        self.own = own

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return self.admits(info.context.principal, kwargs)

    def admits(self, principal: Principal, arguments: dict[str, Any]) -> bool:
        """True if ``principal`` may use the field with ``arguments`` (by their Python names,
        as strawberry converts them): strawberry's check and a direct field's
        (``plain_fields.DIRECT``) are this one."""
        if principal.role in self.roles:
            return True
        if self.own is None or principal.role is not Role.CUSTOMER:
            return False
        return str(_argument(arguments, self.own)) == principal.actor_id

    def on_unauthorized(self) -> None:
        raise forbidden()


def forbidden() -> PublicError:
    """The refusal every field gives a role it does not admit."""
    return PublicError("your role may not do this (log in, or ask an agent)", "FORBIDDEN")


def allowed(*roles: Role | frozenset[Role], own: str | None = None) -> list[FieldExtension]:
    """Field extensions that admit ``roles`` (and the customer named by ``own``)."""
    admitted: set[Role] = set()
    for role in roles:
        admitted |= role if isinstance(role, frozenset) else {role}
    return [
        PermissionExtension(permissions=[Allowed(frozenset(admitted), own)], use_directives=False)
    ]


def _argument(kwargs: dict[str, Any], path: str) -> Any:
    value: Any = kwargs
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
    return value
