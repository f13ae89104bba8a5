"""Bearer tokens: HS256 JWTs with a role claim."""

from __future__ import annotations

import time

import jwt

from domain.shared.metadata import Role
from graphql_api.auth import InvalidTokenError, Principal

ALGORITHM = "HS256"
TOKEN_ROLES = tuple(r for r in Role if r not in (Role.SYSTEM, Role.ANONYMOUS))


class JwtTokens:
    """Mints and verifies tokens signed with the shared secret."""

    def __init__(self, secret: str, issuer: str) -> None:
        self._secret = secret
        self._issuer = issuer

    def mint(self, subject: str, role: Role, ttl_seconds: int = 3600) -> str:
        now = int(time.time())
        claims = {
            "sub": subject,
            "role": role.value,
            "iss": self._issuer,
            "iat": now,
            "exp": now + ttl_seconds,
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=self._issuer,
                options={"require": ["sub", "exp", "iss"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidTokenError(f"invalid token: {error}") from None
        try:
            role = Role(str(claims.get("role")))
        except ValueError:
            raise InvalidTokenError("invalid token: unknown role") from None
        if role not in TOKEN_ROLES:
            raise InvalidTokenError("invalid token: unknown role")
        return Principal(actor_id=str(claims["sub"]), role=role)
