"""The identity provider's key set, fetched through a stand-in for HTTP: only signing keys for
RS256 (2048+ bits) and ES256 are kept (an HMAC secret, a short RSA key, an encryption key or an
unknown curve is left out, the others still usable); a discovery document naming another issuer
or an answer that is not JSON makes the provider unavailable; the role claim may be a string."""

from __future__ import annotations

import json
import time
from typing import Any

import anyio
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from domain.shared.metadata import Role
from graphql_api.auth import IdentityProviderUnavailableError
from infrastructure.oidc import OidcConfig, OidcTokens, SigningKeys
from tests.support.identity_provider import SigningKey

ISSUER = "https://sso.example.org/realms/cx"
CONFIG = OidcConfig(ISSUER, "cxledger-api", {"cx-agents": Role.AGENT}, role_claim="groups")


def rsa_jwk(kid: str, bits: int = 2048, **extra: Any) -> dict[str, Any]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
    return {**RSAAlgorithm.to_jwk(key, as_dict=True), "kid": kid, **extra}


def ec_jwk(kid: str, curve: ec.EllipticCurve) -> dict[str, Any]:
    key = ec.generate_private_key(curve).public_key()
    return {**ECAlgorithm.to_jwk(key, as_dict=True), "kid": kid}


def provider(jwks: object, issuer: str = ISSUER) -> SigningKeys:
    documents = {
        f"{ISSUER}/.well-known/openid-configuration": {"issuer": issuer, "jwks_uri": "https://k"},
        "https://k": jwks,
    }

    def fetch(url: str, timeout: float) -> bytes:
        return json.dumps(documents[url]).encode()

    return SigningKeys(CONFIG, fetch=fetch, clock=lambda: 0.0)


def test_only_signing_keys_for_rs256_and_es256_are_kept() -> None:
    keys = provider(
        {
            "keys": [
                rsa_jwk("rsa-ok"),
                ec_jwk("ec-ok", ec.SECP256R1()),
                rsa_jwk("rsa-short", bits=1024),
                rsa_jwk("rsa-enc", use="enc"),
                rsa_jwk("rsa-384", alg="RS384"),
                ec_jwk("ec-384", ec.SECP384R1()),
                {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
                {"kty": "RSA", "kid": "broken"},
                "not a key",
            ]
        }
    )
    kept = {kid for kid in ("rsa-ok", "ec-ok") if keys.fresh_key(kid) is not None}
    left_out = [
        kid
        for kid in ("rsa-short", "rsa-enc", "rsa-384", "ec-384", "hmac", "broken")
        if keys.cached(kid) is not None
    ]
    assert kept == {"rsa-ok", "ec-ok"} and left_out == []


@pytest.mark.parametrize(
    ("jwks", "issuer"),
    [({"keys": []}, "https://impostor.example.org"), ("not an object", ISSUER), ({}, ISSUER)],
)
def test_a_provider_answering_nonsense_is_unavailable(jwks: object, issuer: str) -> None:
    with pytest.raises(IdentityProviderUnavailableError):
        provider(jwks, issuer).fresh_key("any")


def test_a_role_claim_holding_one_string_maps_too() -> None:
    key = SigningKey.ec("ec-1")
    tokens = OidcTokens(CONFIG, provider({"keys": [key.public_jwk()]}))
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": "cxledger-api", "sub": "ada", "iat": now, "exp": now + 60}
    principal = anyio.run(tokens.verify, key.sign({**claims, "groups": "cx-agents"}))
    assert (principal.role, principal.actor_id) == (Role.AGENT, f"{ISSUER}#ada")
