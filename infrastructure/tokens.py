"""Bearer tokens: JWTs with a role claim.

We mint HS256 tokens with the shared secret. With a public key configured we also accept RS256
tokens from an identity provider that holds the private key. Each algorithm is checked only with
its own key, so a token cannot pass the public key off as an HMAC secret (algorithm confusion).

No token outlives ``max_ttl_seconds``: ``iat`` and ``exp`` are required, ``iat`` may not be in
the future, and a token whose ``exp - iat`` is longer is refused, whoever signed it. A customer
token carries ``sv``, the customer's session version when it was issued: the API refuses it
once a password change, reset or erasure has raised the version (see
:mod:`infrastructure.sessions`). Staff tokens have none: they come from this CLI or an
identity provider, and only their lifetime bounds them.

The subject (``sub``) becomes the actor id recorded on every event the token's holder causes,
so it is bounded like any other input: at most :data:`MAX_SUBJECT_LENGTH` characters, none of
them a control character, a line separator or a lone surrogate.
"""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from domain.shared.metadata import Role
from graphql_api.auth import InvalidTokenError, Principal

ALGORITHM = "HS256"
PUBLIC_KEY_ALGORITHM = "RS256"
TOKEN_ROLES = tuple(r for r in Role if r not in (Role.SYSTEM, Role.ANONYMOUS))
MIN_RSA_BITS = 2048
DEFAULT_MAX_TTL_SECONDS = 24 * 3600
SESSION_VERSION_CLAIM = "sv"
CLOCK_SKEW_SECONDS = 5
"""How far in the future a token's ``iat`` may be: the clock of the replica or identity
provider that issued it may run that much ahead of ours."""
MAX_SUBJECT_LENGTH = 200
"""The longest accepted ``sub``: it is the actor id recorded on every event its holder causes.
Identity providers' subjects (opaque ids, UUIDs, emails) are far shorter."""
VERIFIED_TOKENS = 4096
"""Tokens whose signature and claims one JwtTokens keeps, checked (least recently used out
first): a client sends the same token with every request until it expires."""
EXPIRED = "invalid token: Signature has expired"
"""What a token past its ``exp`` is told (PyJWT's own words, as the first check said)."""
_UNPRINTABLE = frozenset({"Cc", "Cs", "Zl", "Zp"})
"""Control characters (NUL included), lone surrogates and line or paragraph separators: none
belongs in an actor id, and each could break or forge a line of a log or an audit report."""


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
    RS256 tokens signed by its private key. No token lives longer than ``max_ttl_seconds``."""

    def __init__(
        self,
        secret: str,
        issuer: str,
        public_key_pem: str | None = None,
        max_ttl_seconds: int = DEFAULT_MAX_TTL_SECONDS,
    ) -> None:
        self._secret = secret
        self._issuer = issuer
        self._public_key = load_rsa_public_key(public_key_pem) if public_key_pem else None
        self.max_ttl_seconds = max_ttl_seconds
        # Checking a token (two base64 decodes and the claims with PyJWT, an HMAC) was about
        # a twentieth of a page of customers. A token checked once is good until its `exp`:
        # every other check holds for as long as these keys do (the signature, the issuer,
        # the lifetime, the role, the subject; an `iat` not in the future stays so), and the
        # keys are this object's for its life. Refused tokens are not kept (lru_cache keeps
        # no exception), and a session ended since is checked per request, not here.
        self._checked = lru_cache(maxsize=VERIFIED_TOKENS)(self._verify_signed)

    def issue(
        self,
        subject: str,
        role: Role,
        ttl_seconds: int = 3600,
        session_version: int | None = None,
    ) -> IssuedToken:
        """A token for ``subject`` in ``role``; a customer's carries their session version."""
        if ttl_seconds > self.max_ttl_seconds:
            raise ValueError(f"a token lives at most {self.max_ttl_seconds} seconds")
        if (role is Role.CUSTOMER) != (session_version is not None):
            raise ValueError("a customer token, and only one, carries a session version")
        problem = subject_problem(subject)
        if problem is not None:
            raise ValueError(f"a token's subject {problem}")
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": subject,
            "role": role.value,
            "iss": self._issuer,
            "iat": now,
            "exp": now + ttl_seconds,
        }
        if session_version is not None:
            claims[SESSION_VERSION_CLAIM] = session_version
        token = jwt.encode(claims, self._secret, algorithm=ALGORITHM)
        return IssuedToken(token, datetime.fromtimestamp(now + ttl_seconds, UTC))

    def mint(
        self,
        subject: str,
        role: Role,
        ttl_seconds: int = 3600,
        session_version: int | None = None,
    ) -> str:
        return self.issue(subject, role, ttl_seconds, session_version).token

    def verify(self, token: str) -> Principal:
        principal = self._checked(token)
        expires_at = principal.expires_at
        # PyJWT's test: a token is expired from its `exp` on, to the second it names.
        if expires_at is None or time.time() >= expires_at.timestamp():
            raise InvalidTokenError(EXPIRED)
        return principal

    def _verify_signed(self, token: str) -> Principal:
        claims = self._decoded(token)
        lifetime = int(claims["exp"]) - _issued_at(claims)
        if lifetime > self.max_ttl_seconds:
            raise InvalidTokenError(
                f"invalid token: it lives {lifetime} s, longer than {self.max_ttl_seconds} s"
            )
        role = _role(claims.get("role"))
        return Principal(
            actor_id=_subject(claims["sub"], role),
            role=role,
            session_version=_session_version(claims, role),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        )

    def _decoded(self, token: str) -> dict[str, Any]:
        """The claims of a token signed by one of our keys, unexpired, issued by us, with
        every required claim."""
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
            key: str | RSAPublicKey
            if algorithm == ALGORITHM:
                key = self._secret
            elif algorithm == PUBLIC_KEY_ALGORITHM and self._public_key is not None:
                key = self._public_key
            else:
                raise InvalidTokenError("invalid token: its algorithm is not accepted")
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                issuer=self._issuer,
                # iat is checked below, with room for clock skew but none for exp.
                options={"require": ["sub", "exp", "iss", "iat"], "verify_iat": False},
            )
        except (jwt.PyJWTError, OverflowError) as error:
            raise InvalidTokenError(f"invalid token: {error}") from None
        return claims


def _issued_at(claims: dict[str, Any]) -> int:
    try:
        issued_at = int(claims["iat"])
    except (TypeError, ValueError, OverflowError):
        raise InvalidTokenError("invalid token: iat must be a number") from None
    if issued_at > time.time() + CLOCK_SKEW_SECONDS:
        raise InvalidTokenError("invalid token: it was issued in the future (iat)")
    return issued_at


def _role(claim: object) -> Role:
    try:
        role = Role(str(claim))
    except ValueError:
        raise InvalidTokenError("invalid token: unknown role") from None
    if role not in TOKEN_ROLES:
        raise InvalidTokenError("invalid token: unknown role")
    return role


def subject_problem(subject: str) -> str | None:
    """Why ``subject`` cannot be an actor id, or None if it can."""
    if not subject:
        return "is empty"
    if len(subject) > MAX_SUBJECT_LENGTH:
        return f"is longer than {MAX_SUBJECT_LENGTH} characters"
    if any(unicodedata.category(character) in _UNPRINTABLE for character in subject):
        return "holds a control character, a line separator or a lone surrogate"
    return None


def _subject(claim: object, role: Role) -> str:
    """The actor id; a customer token's subject is the customer's id (a UUID)."""
    subject = str(claim)
    problem = subject_problem(subject)
    if problem is not None:
        raise InvalidTokenError(f"invalid token: its subject (sub) {problem}")
    if role is Role.CUSTOMER:
        try:
            return str(UUID(subject))
        except ValueError:
            raise InvalidTokenError(
                "invalid token: a customer token's subject is no customer id"
            ) from None
    return subject


def _session_version(claims: dict[str, Any], role: Role) -> int | None:
    """A customer token's session version (required); None for staff tokens."""
    if role is not Role.CUSTOMER:
        return None
    version = claims.get(SESSION_VERSION_CLAIM)
    if type(version) is not int or version < 0:
        raise InvalidTokenError("invalid token: a customer token needs its session version (sv)")
    return version
