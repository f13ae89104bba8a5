"""Staff sign-in with OpenID Connect: bearer tokens an identity provider signed (RS256 or
ES256), checked against the keys it publishes (discovery, then its JWKS).

Why the keys are fetched off the event loop and only here: a token is verified on every request,
so the cached key set answers it without I/O; only a stale cache or an unknown ``kid`` (the
provider rotated its keys) fetches again, in a worker thread, one fetch at a time. An unknown
``kid`` may fetch at most once per ``refetch_interval``: a flood of forged key ids costs the
provider one request per interval, not one per token. A provider that cannot be reached leaves
callers with :class:`IdentityProviderUnavailableError` (503), never a 500.

Each token's algorithm must be the one its key is for (a JWK's ``alg``, or RS256 for an RSA key
and ES256 for a P-256 one): ``none``, HMAC and every other algorithm are refused before any key
is looked at, so the public key can never be passed off as an HMAC secret.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import anyio.to_thread
import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from domain.shared.metadata import Role
from graphql_api.auth import IdentityProviderUnavailableError, InvalidTokenError, Principal
from infrastructure.tokens import MIN_RSA_BITS, TOKEN_ROLES, subject_problem

ACCEPTED_ALGORITHMS = ("RS256", "ES256")
STAFF_ROLES = tuple(role for role in TOKEN_ROLES if role is not Role.CUSTOMER)
MAX_DOCUMENT_BYTES = 1_000_000
"""The largest discovery or JWKS document read: a real one is a few kilobytes."""
MAX_CLAIM_PATH_PARTS = 8

Fetch = Callable[[str, float], bytes]
"""Reads a URL's body within a timeout (seconds); raises OSError (or ValueError) on failure."""
Clock = Callable[[], float]


def fetch_url(url: str, timeout: float) -> bytes:
    """GET ``url`` (https or http) and return at most :data:`MAX_DOCUMENT_BYTES` of its body."""
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"{url!r} is not an http(s) URL")
    # The scheme is checked above: no file: or custom scheme reaches urllib (S310).
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        body: bytes = response.read(MAX_DOCUMENT_BYTES + 1)
    if len(body) > MAX_DOCUMENT_BYTES:
        raise ValueError(f"{url} answered more than {MAX_DOCUMENT_BYTES} bytes")
    return body


@dataclass(frozen=True)
class OidcConfig:
    """What `CXL_OIDC_*` configure, and the cache's timing."""

    issuer: str
    audience: str
    role_map: Mapping[str, Role]
    """A value of the role claim (a group or role of the provider's) -> the staff role."""
    role_claim: str = "roles"
    """Where the provider puts the caller's groups or roles; a dotted path walks into objects
    (Keycloak's ``realm_access.roles``)."""
    leeway_seconds: int = 30
    """Clock skew allowed on ``exp``, ``nbf`` and ``iat`` (the provider's clock is not ours)."""
    max_ttl_seconds: int = 24 * 3600
    jwks_ttl_seconds: float = 300
    refetch_interval_seconds: float = 30
    fetch_timeout_seconds: float = 3

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def parse_role_map(text: str) -> dict[str, Role]:
    """``group=role,group=role`` -> a mapping; ValueError naming what is wrong. Only staff roles
    may be mapped: a provider's group never makes anyone a customer (or the system)."""
    mapping: dict[str, Role] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        claim_value, equals, role_name = item.partition("=")
        claim_value, role_name = claim_value.strip(), role_name.strip()
        if not equals or not claim_value or not role_name:
            raise ValueError(f"{item.strip()!r} is not `claim-value=role`")
        staff = ", ".join(role.value for role in STAFF_ROLES)
        try:
            role = Role(role_name)
        except ValueError:
            raise ValueError(f"{role_name!r} is no role (one of: {staff})") from None
        if role not in STAFF_ROLES:
            raise ValueError(f"{role_name!r} is not a staff role (one of: {staff})")
        if claim_value in mapping and mapping[claim_value] is not role:
            raise ValueError(f"{claim_value!r} is mapped twice")
        mapping[claim_value] = role
    if not mapping:
        raise ValueError("maps nothing (write `claim-value=role,...`)")
    return mapping


def parse_role_claim(text: str) -> str:
    """A claim name or dotted path; ValueError if it has an empty part or too many."""
    parts = text.strip().split(".")
    if not all(part.strip() for part in parts) or len(parts) > MAX_CLAIM_PATH_PARTS:
        raise ValueError("must be a claim name or a dotted path such as realm_access.roles")
    return text.strip()


class SigningKeys:
    """The provider's signing keys by ``kid``, fetched through discovery and cached for
    ``jwks_ttl_seconds``; thread-safe (fetches run in worker threads)."""

    def __init__(self, config: OidcConfig, fetch: Fetch = fetch_url, clock: Clock = time.monotonic):
        self._config, self._fetch, self._clock = config, fetch, clock
        self._lock = threading.Lock()
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._jwks_uri: str | None = None

    def cached(self, kid: str) -> jwt.PyJWK | None:
        """The key for ``kid`` if the cache is fresh and holds it; no I/O."""
        if not self._fresh():
            return None
        return self._keys.get(kid)

    def may_fetch(self) -> bool:
        """Whether a fetch may be tried now: none was, or the last try is older than the
        refetch interval (what stops a flood of unknown key ids hammering the provider)."""
        last = self._attempted_at
        return last is None or self._clock() - last >= self._config.refetch_interval_seconds

    def available(self) -> bool:
        """Whether a fetched key set is fresh (else the provider could not be reached lately)."""
        return self._fresh()

    def fresh_key(self, kid: str) -> jwt.PyJWK | None:
        """Fetch the key set again (unless another thread just did) and return ``kid``'s key.
        IdentityProviderUnavailableError if the provider cannot be reached or answers nonsense."""
        with self._lock:
            key = self.cached(kid)
            if key is not None or not self.may_fetch():
                return key
            self._attempted_at = self._clock()
            try:
                self._keys = self._fetched_keys()
            except (OSError, ValueError) as error:
                self._jwks_uri = None  # discover again next time: the provider may have moved
                if not self._fresh():
                    raise IdentityProviderUnavailableError(
                        f"the identity provider's keys could not be fetched ({error})"
                    ) from None
                return self._keys.get(kid)
            self._fetched_at = self._attempted_at
            return self._keys.get(kid)

    def _fresh(self) -> bool:
        fetched = self._fetched_at
        return fetched is not None and self._clock() - fetched < self._config.jwks_ttl_seconds

    def _fetched_keys(self) -> dict[str, jwt.PyJWK]:
        timeout = self._config.fetch_timeout_seconds
        if self._jwks_uri is None:
            discovery = _json_object(self._fetch(self._config.discovery_url, timeout), "discovery")
            if discovery.get("issuer") != self._config.issuer:
                raise ValueError("the discovery document names another issuer")
            uri = discovery.get("jwks_uri")
            if not isinstance(uri, str):
                raise ValueError("the discovery document has no jwks_uri")
            self._jwks_uri = uri
        document = _json_object(self._fetch(self._jwks_uri, timeout), "JWKS")
        listed = document.get("keys")
        if not isinstance(listed, list):
            raise ValueError("the JWKS has no keys list")
        return {
            key.key_id: key
            for key in (_usable_key(item) for item in listed)
            if key is not None and key.key_id is not None
        }


def _json_object(body: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError(f"the {what} document is not JSON") from None
    if not isinstance(value, dict):
        raise ValueError(f"the {what} document is not a JSON object")
    return value


def _usable_key(item: object) -> jwt.PyJWK | None:
    """A signing key for an accepted algorithm (RSA keys of 2048+ bits), else None: a key for
    encryption, HMAC or another algorithm is left out rather than failing the whole set."""
    if not isinstance(item, dict) or item.get("use", "sig") != "sig":
        return None
    if not isinstance(item.get("kid"), str):
        return None
    try:
        key = jwt.PyJWK(item)
    except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
        return None
    if key.algorithm_name not in ACCEPTED_ALGORITHMS:
        return None
    if isinstance(key.key, RSAPublicKey):
        return key if key.key.key_size >= MIN_RSA_BITS else None
    return key if key.algorithm_name == "ES256" else None


class OidcTokens:
    """Verifies a staff member's bearer token from the identity provider (see module doc)."""

    def __init__(self, config: OidcConfig, keys: SigningKeys | None = None) -> None:
        self.config = config
        self._keys = keys or SigningKeys(config)

    def issued(self, token: str) -> bool:
        """Whether the token claims to come from the provider (unverified: it routes only)."""
        try:
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return False
        return claims.get("iss") == self.config.issuer

    def verify_cached(self, token: str) -> Principal:
        """The principal if the cache holds the token's key; InvalidTokenError otherwise (no
        I/O: the rate limiter uses it to tell clients apart)."""
        algorithm, kid = _header(token)
        key = self._keys.cached(kid)
        if key is None:
            raise InvalidTokenError("invalid token: its signing key is not cached")
        return self._principal(token, key, algorithm)

    async def verify(self, token: str) -> Principal:
        """The principal, fetching the provider's keys when the cache is stale or lacks the
        token's ``kid``. InvalidTokenError (401) or IdentityProviderUnavailableError (503)."""
        algorithm, kid = _header(token)
        key = self._keys.cached(kid)
        if key is None:
            if not self._keys.may_fetch():
                if not self._keys.available():
                    raise IdentityProviderUnavailableError(
                        "the identity provider's keys could not be fetched lately; try again "
                        "shortly"
                    )
                raise InvalidTokenError(
                    "invalid token: its signing key (kid) is not one the identity provider "
                    "publishes"
                )
            key = await anyio.to_thread.run_sync(self._keys.fresh_key, kid)
            if key is None:
                raise InvalidTokenError(
                    "invalid token: its signing key (kid) is not one the identity provider "
                    "publishes"
                )
        return self._principal(token, key, algorithm)

    def _principal(self, token: str, key: jwt.PyJWK, algorithm: str) -> Principal:
        if key.algorithm_name != algorithm:
            raise InvalidTokenError("invalid token: its algorithm is not its key's")
        config = self.config
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                audience=config.audience,
                issuer=config.issuer,
                leeway=config.leeway_seconds,
                options={"require": ["sub", "exp", "iat", "iss", "aud"]},
            )
        except (jwt.PyJWTError, OverflowError) as error:
            raise InvalidTokenError(f"invalid token: {error}") from None
        lifetime = int(claims["exp"]) - int(claims["iat"])
        if lifetime > config.max_ttl_seconds:
            raise InvalidTokenError(
                f"invalid token: it lives {lifetime} s, longer than {config.max_ttl_seconds} s"
            )
        return Principal(
            actor_id=self._actor_id(claims["sub"]),
            role=self._role(claims),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        )

    def _actor_id(self, subject: object) -> str:
        """The issuer, then ``#``, then ``sub``: ``sub`` is unique only within its issuer, and
        the audit trail should say whose staff member acted (an issuer URL has no fragment, so
        the ``#`` is unambiguous)."""
        if not isinstance(subject, str) or subject_problem(subject) is not None:
            raise InvalidTokenError("invalid token: its subject (sub) is no usable id")
        actor = f"{self.config.issuer}#{subject}"
        problem = subject_problem(actor)
        if problem is not None:
            raise InvalidTokenError(f"invalid token: issuer and subject together {problem}")
        return actor

    def _role(self, claims: dict[str, Any]) -> Role:
        found: object = claims
        for part in self.config.role_claim.split("."):
            found = found.get(part) if isinstance(found, dict) else None
        values = [found] if isinstance(found, str) else found
        mapping = self.config.role_map
        roles = (
            {mapping[v] for v in values if isinstance(v, str) and v in mapping}
            if isinstance(values, list)
            else set()
        )
        if not roles:
            raise InvalidTokenError(
                f"invalid token: its {self.config.role_claim} claim maps to no role "
                "(see CXL_OIDC_ROLE_MAP)"
            )
        if len(roles) > 1:
            named = ", ".join(sorted(role.value for role in roles))
            raise InvalidTokenError(
                f"invalid token: its {self.config.role_claim} claim maps to several roles "
                f"({named}); a token acts in one"
            )
        return roles.pop()


def _header(token: str) -> tuple[str, str]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise InvalidTokenError(f"invalid token: {error}") from None
    algorithm, kid = header.get("alg"), header.get("kid")
    if algorithm not in ACCEPTED_ALGORITHMS:
        raise InvalidTokenError(
            "invalid token: the identity provider's tokens must be signed RS256 or ES256"
        )
    if not isinstance(kid, str) or not kid or len(kid) > 200:
        raise InvalidTokenError("invalid token: it names no signing key (kid)")
    return str(algorithm), kid
