"""Bearer tokens: JWTs with a role claim.

We mint HS256 tokens with the shared secret. With a public key configured we also accept RS256
tokens from an identity provider that holds the private key. Each algorithm is checked only with
its own key, so a token cannot pass the public key off as an HMAC secret (algorithm confusion).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from domain.shared.metadata import Role
from graphql_api.auth import InvalidTokenError, Principal

ALGORITHM = "HS256"
PUBLIC_KEY_ALGORITHM = "RS256"
TOKEN_ROLES = tuple(r for r in Role if r not in (Role.SYSTEM, Role.ANONYMOUS))
MIN_RSA_BITS = 2048


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    expires_at: datetime


def load_rsa_public_key(pem: str) -> RSAPublicKey:
    """An RSA public key (2048 bits or more) from PEM text; ValueError otherwise."""
    try:
        key = load_pem_public_key(pem.strip().encode())
    except (ValueError, TypeError):
        raise ValueError("is not a PEM public key") from None
    if not isinstance(key, RSAPublicKey):
        raise ValueError("must be an RSA public key (tokens are verified with RS256)")
    if key.key_size < MIN_RSA_BITS:
        raise ValueError(f"must be an RSA key of at least {MIN_RSA_BITS} bits")
    return key


class JwtTokens:
    """Mints tokens with the shared secret; verifies those and, if a public key is given,
    RS256 tokens signed by its private key."""

    def __init__(self, secret: str, issuer: str, public_key_pem: str | None = None) -> None:
        self._secret = secret
        self._issuer = issuer
        self._public_key = load_rsa_public_key(public_key_pem) if public_key_pem else None

    def issue(self, subject: str, role: Role, ttl_seconds: int = 3600) -> IssuedToken:
        now = int(time.time())
        claims = {
            "sub": subject,
            "role": role.value,
            "iss": self._issuer,
            "iat": now,
            "exp": now + ttl_seconds,
        }
        token = jwt.encode(claims, self._secret, algorithm=ALGORITHM)
        return IssuedToken(token, datetime.fromtimestamp(now + ttl_seconds, UTC))

    def mint(self, subject: str, role: Role, ttl_seconds: int = 3600) -> str:
        return self.issue(subject, role, ttl_seconds).token

    def verify(self, token: str) -> Principal:
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
            key: str | RSAPublicKey
            if algorithm == ALGORITHM:
                key = self._secret
            elif algorithm == PUBLIC_KEY_ALGORITHM and self._public_key is not None:
                key = self._public_key
            else:
                raise InvalidTokenError("invalid token: its algorithm is not accepted")
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                issuer=self._issuer,
                options={"require": ["sub", "exp", "iss"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidTokenError(f"invalid token: {error}") from None
        return Principal(actor_id=str(claims["sub"]), role=_role(claims.get("role")))


def _role(claim: object) -> Role:
    try:
        role = Role(str(claim))
    except ValueError:
        raise InvalidTokenError("invalid token: unknown role") from None
    if role not in TOKEN_ROLES:
        raise InvalidTokenError("invalid token: unknown role")
    return role
