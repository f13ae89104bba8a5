"""Bearer tokens: what is accepted, and every way a token is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from functools import cache

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from domain.shared.metadata import Role
from graphql_api.auth import InvalidTokenError
from infrastructure.settings import SettingsError, load_settings
from infrastructure.tokens import CLOCK_SKEW_SECONDS, JwtTokens

SECRET = "unit-secret-" + "s" * 40
ISSUER = "cxledger"


@cache
def private_key(name: str = "idp", bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    return {"sub": "actor-1", "role": "agent", "iss": ISSUER, "iat": now, "exp": now + 60} | (
        overrides
    )


def rs256(key: rsa.RSAPrivateKey, **overrides: object) -> str:
    return jwt.encode(claims(**overrides), key, algorithm="RS256")


CUSTOMER_ID = "0b7e6a4e-5f0c-4c1e-9d3e-1f2a3b4c5d6e"


def test_a_minted_token_is_verified_as_its_subject_and_role() -> None:
    tokens = JwtTokens(SECRET, ISSUER)
    principal = tokens.verify(tokens.mint("agent-1", Role.AGENT))
    assert (principal.actor_id, principal.role) == ("agent-1", Role.AGENT)
    assert principal.session_version is None


def test_a_customer_token_carries_the_session_version_it_was_minted_at() -> None:
    tokens = JwtTokens(SECRET, ISSUER)
    principal = tokens.verify(tokens.mint(CUSTOMER_ID, Role.CUSTOMER, session_version=3))
    assert (principal.actor_id, principal.role) == (CUSTOMER_ID, Role.CUSTOMER)
    assert principal.session_version == 3


@pytest.mark.parametrize(
    "sv", [None, -1, "1", 1.5, True], ids=["missing", "negative", "text", "float", "bool"]
)
def test_a_customer_token_without_a_whole_session_version_is_refused(sv: object) -> None:
    body = claims(sub=CUSTOMER_ID, role="customer") | ({} if sv is None else {"sv": sv})
    with pytest.raises(InvalidTokenError, match="session version"):
        JwtTokens(SECRET, ISSUER).verify(jwt.encode(body, SECRET, algorithm="HS256"))


def test_a_customer_token_whose_subject_is_no_customer_id_is_refused() -> None:
    body = claims(sub="cust-1", role="customer", sv=0)
    with pytest.raises(InvalidTokenError, match="customer id"):
        JwtTokens(SECRET, ISSUER).verify(jwt.encode(body, SECRET, algorithm="HS256"))


def test_minting_a_customer_token_without_a_session_version_or_staff_with_one_fails() -> None:
    tokens = JwtTokens(SECRET, ISSUER)
    with pytest.raises(ValueError, match="session version"):
        tokens.mint(CUSTOMER_ID, Role.CUSTOMER)
    with pytest.raises(ValueError, match="session version"):
        tokens.mint("agent-1", Role.AGENT, session_version=0)


def test_a_token_living_longer_than_the_maximum_is_refused_even_if_we_signed_it() -> None:
    now = int(time.time())
    body = claims(iat=now, exp=now + 10**10)
    with pytest.raises(InvalidTokenError, match="longer than 86400"):
        JwtTokens(SECRET, ISSUER).verify(jwt.encode(body, SECRET, algorithm="HS256"))


def test_the_maximum_lifetime_is_a_constructor_setting_and_bounds_minting_too() -> None:
    tokens = JwtTokens(SECRET, ISSUER, max_ttl_seconds=600)
    assert tokens.verify(tokens.mint("a", Role.AGENT, ttl_seconds=600)).role is Role.AGENT
    with pytest.raises(ValueError, match="600"):
        tokens.mint("a", Role.AGENT, ttl_seconds=601)
    now = int(time.time())
    with pytest.raises(InvalidTokenError, match="longer than 600"):
        tokens.verify(jwt.encode(claims(iat=now, exp=now + 601), SECRET, algorithm="HS256"))


@pytest.mark.parametrize("iat", [3600, CLOCK_SKEW_SECONDS + 2], ids=["an-hour", "past-the-skew"])
def test_a_token_issued_in_the_future_is_refused(iat: int) -> None:
    now = int(time.time())
    body = claims(iat=now + iat, exp=now + iat + 60)
    with pytest.raises(InvalidTokenError, match="iat"):
        JwtTokens(SECRET, ISSUER).verify(jwt.encode(body, SECRET, algorithm="HS256"))


def test_a_clock_a_few_seconds_ahead_is_forgiven_for_iat_only() -> None:
    now = int(time.time())
    ahead = jwt.encode(claims(iat=now + 2, exp=now + 60), SECRET, algorithm="HS256")
    assert JwtTokens(SECRET, ISSUER).verify(ahead).role is Role.AGENT
    expired = jwt.encode(claims(iat=now - 60, exp=now - 1), SECRET, algorithm="HS256")
    with pytest.raises(InvalidTokenError, match="expired"):
        JwtTokens(SECRET, ISSUER).verify(expired)


@pytest.mark.parametrize("iat", ["soon", None, [1]], ids=["text", "null", "list"])
def test_an_iat_that_is_no_number_is_refused(iat: object) -> None:
    body = claims(iat=iat)
    with pytest.raises(InvalidTokenError, match="iat"):
        JwtTokens(SECRET, ISSUER).verify(jwt.encode(body, SECRET, algorithm="HS256"))


def test_a_verified_token_says_when_it_expires() -> None:
    tokens = JwtTokens(SECRET, ISSUER)
    principal = tokens.verify(tokens.mint("a", Role.AGENT, ttl_seconds=600))
    assert principal.expires_at is not None
    assert abs(principal.expires_at.timestamp() - (time.time() + 600)) < 5


def test_an_issued_token_says_when_it_expires() -> None:
    issued = JwtTokens(SECRET, ISSUER).issue("a", Role.AGENT, ttl_seconds=600)
    assert abs(issued.expires_at.timestamp() - (time.time() + 600)) < 5


def test_an_expired_token_is_refused() -> None:
    tokens = JwtTokens(SECRET, ISSUER)
    with pytest.raises(InvalidTokenError, match="expired"):
        tokens.verify(tokens.mint("a", Role.AGENT, ttl_seconds=-10))


def test_a_token_verified_before_is_refused_once_it_expires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The checked tokens kept between requests are kept only until their `exp`."""
    tokens = JwtTokens(SECRET, ISSUER)
    issued = tokens.issue("a", Role.AGENT, ttl_seconds=60)
    assert tokens.verify(issued.token).actor_id == "a"
    expiry = issued.expires_at.timestamp()
    monkeypatch.setattr("infrastructure.tokens.time.time", lambda: expiry)
    with pytest.raises(InvalidTokenError, match="expired"):
        tokens.verify(issued.token)


def test_a_token_signed_with_another_secret_is_refused() -> None:
    forged = JwtTokens("another-secret-" + "y" * 40, ISSUER).mint("a", Role.ADMIN)
    with pytest.raises(InvalidTokenError, match=r"(?i)signature"):
        JwtTokens(SECRET, ISSUER).verify(forged)


def test_a_token_of_another_issuer_is_refused() -> None:
    foreign = JwtTokens(SECRET, "someone-else").mint("a", Role.ADMIN)
    with pytest.raises(InvalidTokenError, match="issuer"):
        JwtTokens(SECRET, ISSUER).verify(foreign)


@pytest.mark.parametrize("role", ["superuser", "system", "anonymous", None])
def test_a_token_with_a_role_we_do_not_issue_is_refused(role: str | None) -> None:
    token = jwt.encode(claims(role=role), SECRET, algorithm="HS256")
    with pytest.raises(InvalidTokenError, match="unknown role"):
        JwtTokens(SECRET, ISSUER).verify(token)


@pytest.mark.parametrize("missing", ["sub", "exp", "iss", "iat"])
def test_a_token_without_a_required_claim_is_refused(missing: str) -> None:
    body = claims()
    del body[missing]
    with pytest.raises(InvalidTokenError):
        JwtTokens(SECRET, ISSUER).verify(jwt.encode(body, SECRET, algorithm="HS256"))


def test_an_unsigned_token_is_refused() -> None:
    unsigned = jwt.encode(claims(), "", algorithm="none")
    with pytest.raises(InvalidTokenError, match="algorithm"):
        JwtTokens(SECRET, ISSUER).verify(unsigned)


def test_rs256_tokens_of_the_configured_public_key_are_accepted() -> None:
    tokens = JwtTokens(SECRET, ISSUER, public_pem(private_key()))
    principal = tokens.verify(rs256(private_key(), sub="aud-9", role="auditor"))
    assert (principal.actor_id, principal.role) == ("aud-9", Role.AUDITOR)


def test_hs256_tokens_still_work_beside_a_public_key() -> None:
    tokens = JwtTokens(SECRET, ISSUER, public_pem(private_key()))
    assert tokens.verify(tokens.mint("a", Role.ANALYST)).role is Role.ANALYST


def test_rs256_tokens_are_refused_without_a_public_key() -> None:
    with pytest.raises(InvalidTokenError, match="algorithm"):
        JwtTokens(SECRET, ISSUER).verify(rs256(private_key()))


def test_rs256_tokens_signed_by_another_private_key_are_refused() -> None:
    tokens = JwtTokens(SECRET, ISSUER, public_pem(private_key()))
    with pytest.raises(InvalidTokenError, match=r"(?i)signature"):
        tokens.verify(rs256(private_key("other")))


def test_rs256_tokens_are_checked_for_expiry_and_issuer_too() -> None:
    tokens = JwtTokens(SECRET, ISSUER, public_pem(private_key()))
    with pytest.raises(InvalidTokenError, match="expired"):
        tokens.verify(rs256(private_key(), exp=int(time.time()) - 10))
    with pytest.raises(InvalidTokenError, match="issuer"):
        tokens.verify(rs256(private_key(), iss="elsewhere"))


def test_the_public_key_cannot_be_used_as_an_hmac_secret() -> None:
    """Algorithm confusion: an HS256 token 'signed' with the public key's PEM text."""
    pem = public_pem(private_key())
    signing_input = b".".join(
        _b64(json.dumps(part).encode()) for part in ({"alg": "HS256", "typ": "JWT"}, claims())
    )
    signature = hmac.new(pem.encode(), signing_input, hashlib.sha256).digest()
    token = (signing_input + b"." + _b64(signature)).decode()
    with pytest.raises(InvalidTokenError, match=r"(?i)signature"):
        JwtTokens(SECRET, ISSUER, pem).verify(token)


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def test_the_public_key_setting_accepts_pem_with_escaped_newlines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pem = public_pem(private_key())
    monkeypatch.setenv("CXL_JWT_PUBLIC_KEY", pem.replace("\n", "\\n"))
    settings = load_settings()
    assert settings.jwt_public_key is not None
    JwtTokens(SECRET, ISSUER, settings.jwt_public_key).verify(rs256(private_key()))


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("not a key", id="not-pem"),
        pytest.param(public_pem(private_key("small", 1024)), id="rsa-1024"),
    ],
)
def test_an_unusable_public_key_setting_is_refused_with_its_name(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CXL_JWT_PUBLIC_KEY", value)
    with pytest.raises(SettingsError, match="CXL_JWT_PUBLIC_KEY"):
        load_settings()
