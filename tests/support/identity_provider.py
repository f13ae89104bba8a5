"""A tiny OpenID Connect provider on loopback: discovery and a JWKS, served by Starlette under
uvicorn in a background thread, with keys made by `cryptography`. Tests sign tokens with its
private keys, rotate them, count the JWKS fetches and take it down."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.server import free_port
from tests.support.uvicorn_thread import serving

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class SigningKey:
    """One of the provider's keys: its id, algorithm and private half."""

    kid: str
    algorithm: str
    private: PrivateKey

    @classmethod
    def rsa(cls, kid: str) -> SigningKey:
        return cls(kid, "RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @classmethod
    def ec(cls, kid: str) -> SigningKey:
        return cls(kid, "ES256", ec.generate_private_key(ec.SECP256R1()))

    def public_jwk(self) -> dict[str, Any]:
        public = self.private.public_key()
        jwk: dict[str, Any] = (
            RSAAlgorithm.to_jwk(public, as_dict=True)
            if isinstance(public, rsa.RSAPublicKey)
            else ECAlgorithm.to_jwk(public, as_dict=True)
        )
        return {**jwk, "kid": self.kid, "alg": self.algorithm, "use": "sig"}

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            Encoding.PEM, PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, claims: dict[str, Any], **header: Any) -> str:
        """A token over ``claims``; ``header`` adds to (or overrides) ``kid``."""
        return jwt.encode(
            claims, self.private, algorithm=self.algorithm, headers={"kid": self.kid, **header}
        )


def hs256_with_public_key(key: SigningKey, claims: dict[str, Any]) -> str:
    """The algorithm-confusion forgery: an HS256 token whose HMAC secret is the provider's
    public key (PEM), which anyone can download. PyJWT refuses to make one, so it is built by
    hand."""

    def part(value: dict[str, Any]) -> str:
        raw = json.dumps(value, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    signed = f"{part({'alg': 'HS256', 'typ': 'JWT', 'kid': key.kid})}.{part(claims)}"
    mac = hmac.new(key.public_pem(), signed.encode(), hashlib.sha256).digest()
    return f"{signed}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


@dataclass
class IdentityProvider:
    """The running provider: its issuer URL and what it publishes."""

    issuer: str
    keys: list[SigningKey]
    down: bool = False
    """True: discovery and JWKS answer 503."""
    jwks_fetches: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def claims(self, audience: str, roles: list[str], **extra: Any) -> dict[str, Any]:
        """Keycloak-style claims for a staff member, valid for five minutes from now."""
        now = int(time.time())
        return {
            "iss": self.issuer,
            "aud": audience,
            "sub": "f1c3a0de-3b1e-4c55-9d2a-5a4f3c2b1a00",
            "azp": audience,
            "iat": now,
            "nbf": now,
            "exp": now + 300,
            "preferred_username": "ada.agent",
            "realm_access": {"roles": roles},
            **extra,
        }

    def _discovery(self, request: Request) -> Response:
        if self.down:
            return Response(status_code=503)
        return JSONResponse({"issuer": self.issuer, "jwks_uri": f"{self.issuer}/jwks"})

    def _jwks(self, request: Request) -> Response:
        with self._lock:
            self.jwks_fetches += 1
        if self.down:
            return Response(status_code=503)
        return JSONResponse({"keys": [key.public_jwk() for key in self.keys]})


@contextlib.contextmanager
def identity_provider(keys: list[SigningKey]) -> Iterator[IdentityProvider]:
    port = free_port()
    provider = IdentityProvider(f"http://127.0.0.1:{port}", keys)
    app = Starlette(
        routes=[
            Route("/.well-known/openid-configuration", provider._discovery),
            Route("/jwks", provider._jwks),
        ]
    )
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    with serving(config, "the identity provider"):
        yield provider
