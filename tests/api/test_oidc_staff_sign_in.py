"""Staff sign in through an OpenID Connect provider: its RS256 and ES256 tokens are accepted
with the role CXL_OIDC_ROLE_MAP gives their (Keycloak-style) `realm_access.roles`, over HTTP
and at the WebSocket's connection_init, and the audit trail names issuer and subject. Every
token the provider did not really sign for us, or that maps to no single role, is a 401
UNAUTHENTICATED; key rotation is picked up without a restart; a flood of unknown key ids
fetches the JWKS at most once per interval; an unreachable provider is a 503
IDENTITY_PROVIDER_UNAVAILABLE; tokens minted by `cxledger token` keep working.

One API server and one provider for the module; the cache's clock is the test's, and each test
starts with the provider's two keys published and the cache stale."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx
import jwt
import pytest
from websockets.exceptions import ConnectionClosed

from domain.shared.metadata import Role
from infrastructure.oidc import OidcConfig, OidcTokens, SigningKeys
from tests.api.helpers import REGISTER, unique_email
from tests.api.test_register_customer import registered_event
from tests.api.test_survey_live_updates import connected, receive
from tests.support.identity_provider import (
    IdentityProvider,
    SigningKey,
    hs256_with_public_key,
    identity_provider,
)
from tests.support.ledgers import postgres_ledger
from tests.support.postgres import fresh_database
from tests.support.server import LiveApi, live_api

AUDIENCE = "cxledger-api"
ROLE_MAP = {"cx-agents": Role.AGENT, "cx-admins": Role.ADMIN, "cx-analysts": Role.ANALYST}
TTL, REFETCH = 300.0, 30.0
RSA_KEY, EC_KEY = SigningKey.rsa("rsa-2026"), SigningKey.ec("ec-2026")
PING = "{ __typename }"


class Clock:
    """The cache's monotonic clock, moved by the tests."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass(frozen=True)
class World:
    api: LiveApi
    idp: IdentityProvider
    clock: Clock

    def bearer(self, token: str, query: str = PING, **variables: Any) -> httpx.Response:
        return self.api.client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {token}"},
        )

    def claims(self, *roles: str, **extra: Any) -> dict[str, Any]:
        return self.idp.claims(AUDIENCE, list(roles), **extra)


@pytest.fixture(scope="module")
def module_world(pg_admin: str) -> Iterator[World]:
    clock = Clock()
    with identity_provider([RSA_KEY, EC_KEY]) as idp:
        config = OidcConfig(
            issuer=idp.issuer,
            audience=AUDIENCE,
            role_map=ROLE_MAP,
            role_claim="realm_access.roles",
            jwks_ttl_seconds=TTL,
            refetch_interval_seconds=REFETCH,
        )
        oidc = OidcTokens(config, SigningKeys(config, clock=clock))
        with (
            fresh_database(pg_admin) as database,
            postgres_ledger(database) as ledger,
            live_api(ledger, database, oidc=oidc) as api,
        ):
            yield World(api, idp, clock)


@pytest.fixture
def world(module_world: World) -> World:
    """The provider up with its two keys, and the cache stale: the next token fetches."""
    module_world.idp.keys = [RSA_KEY, EC_KEY]
    module_world.idp.down = False
    module_world.clock.advance(TTL + REFETCH)
    return module_world


def assert_unauthenticated(response: httpx.Response, says: str) -> None:
    assert response.status_code == 401, response.text
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert says.lower() in error["message"].lower()
    assert "Traceback" not in response.text


def registered_by(world: World, token: str) -> tuple[str, Role]:
    """Register a customer with ``token``; the actor and role its event records."""
    variables = {"input": {"name": "Ada Lovelace", "email": unique_email()}}
    response = world.bearer(token, REGISTER, **variables)
    assert response.status_code == 200, response.text
    payload = response.json()["data"]["registerCustomer"]
    assert payload["userErrors"] == []
    event = registered_event(world.api, UUID(payload["customer"]["id"]))
    return event.metadata.actor_id, event.metadata.actor_role


def test_an_agents_rs256_token_acts_as_agent_and_the_event_names_issuer_and_subject(
    world: World,
) -> None:
    claims = world.claims("cx-agents", "offline_access", "uma_authorization")
    actor, role = registered_by(world, RSA_KEY.sign(claims))
    assert role is Role.AGENT
    assert actor == f"{world.idp.issuer}#{claims['sub']}"


def test_an_admins_es256_token_acts_as_admin(world: World) -> None:
    _, role = registered_by(world, EC_KEY.sign(world.claims("cx-admins")))
    assert role is Role.ADMIN


def test_a_staff_token_opens_a_websocket_and_a_refused_one_is_closed_4403(world: World) -> None:
    good = RSA_KEY.sign(world.claims("cx-analysts"))
    with connected(world.api, {"Authorization": f"Bearer {good}"}) as ws:
        assert receive(ws)["type"] == "connection_ack"
    elsewhere = RSA_KEY.sign(world.claims("cx-analysts", aud="someone-else"))
    assert closed_with(world, elsewhere) == 4403


def closed_with(world: World, token: str) -> int | None:
    """The close code of a connection whose connection_init offers ``token``."""
    with (
        connected(world.api, {"authorization": f"Bearer {token}"}) as ws,
        pytest.raises(ConnectionClosed) as closed,
    ):
        receive(ws)
    return None if closed.value.rcvd is None else closed.value.rcvd.code


def forged(world: World, case: str) -> str:
    """A token the provider did not issue for us, or that is not usable, by ``case``."""
    now = int(time.time())
    agent = world.claims("cx-agents")
    match case:
        case "wrong audience":
            return RSA_KEY.sign({**agent, "aud": "another-client"})
        case "expired":
            return RSA_KEY.sign({**agent, "iat": now - 900, "nbf": now - 900, "exp": now - 600})
        case "not yet valid":
            return RSA_KEY.sign({**agent, "nbf": now + 600})
        case "issued in the future":
            return RSA_KEY.sign({**agent, "iat": now + 600, "exp": now + 900})
        case "alg none":
            return jwt.encode(agent, "", algorithm="none", headers={"kid": RSA_KEY.kid})
        case "HS256 with the public key as secret":
            return hs256_with_public_key(RSA_KEY, agent)
        case "ES256 under the RSA key's kid":
            return EC_KEY.sign(agent, kid=RSA_KEY.kid)
        case "signed by a key the provider never published":
            return SigningKey.rsa(RSA_KEY.kid).sign(agent)
        case "unknown kid":
            return RSA_KEY.sign(agent, kid="no-such-key")
        case "unmapped role":
            return RSA_KEY.sign(world.claims("offline_access", "cx-interns"))
        case "several roles":
            return RSA_KEY.sign(world.claims("cx-agents", "cx-admins"))
        case "customer role claimed":
            return RSA_KEY.sign(world.claims("customer", role="customer"))
        case "no subject":
            return RSA_KEY.sign({k: v for k, v in agent.items() if k != "sub"})
    raise AssertionError(case)


REFUSALS = {
    "wrong audience": "audience",
    "expired": "expired",
    "not yet valid": "not yet valid",
    "issued in the future": "not yet valid",
    "alg none": "RS256 or ES256",
    "HS256 with the public key as secret": "RS256 or ES256",
    "ES256 under the RSA key's kid": "algorithm is not its key's",
    "signed by a key the provider never published": "Signature verification failed",
    "unknown kid": "signing key (kid)",
    "unmapped role": "maps to no role",
    "several roles": "maps to several roles (admin, agent)",
    "customer role claimed": "maps to no role",
    "no subject": "sub",
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_token_the_provider_did_not_issue_for_us_is_refused_with_unauthenticated(
    world: World, case: str
) -> None:
    assert_unauthenticated(world.bearer(forged(world, case)), REFUSALS[case])


def test_a_token_of_another_issuer_signed_by_the_providers_key_is_refused(world: World) -> None:
    token = RSA_KEY.sign({**world.claims("cx-agents"), "iss": "https://elsewhere.example"})
    assert_unauthenticated(world.bearer(token), "invalid token")


def test_rotated_keys_are_picked_up_without_a_restart_and_retired_ones_stop_working(
    world: World,
) -> None:
    assert world.bearer(RSA_KEY.sign(world.claims("cx-agents"))).status_code == 200
    new_key = SigningKey.rsa("rsa-2027")
    world.idp.keys = [new_key]
    world.clock.advance(REFETCH)  # the last fetch is older than the refetch interval
    assert world.bearer(new_key.sign(world.claims("cx-agents"))).status_code == 200
    # The old key is gone from the set just fetched.
    assert_unauthenticated(world.bearer(RSA_KEY.sign(world.claims("cx-agents"))), "kid")


def test_a_flood_of_unknown_key_ids_fetches_the_jwks_at_most_once_per_interval(
    world: World,
) -> None:
    assert world.bearer(RSA_KEY.sign(world.claims("cx-agents"))).status_code == 200
    before = world.idp.jwks_fetches
    world.clock.advance(REFETCH)
    for n in range(20):
        token = RSA_KEY.sign(world.claims("cx-agents"), kid=f"forged-{n}")
        assert_unauthenticated(world.bearer(token), "signing key (kid)")
    assert world.idp.jwks_fetches == before + 1
    assert world.bearer(RSA_KEY.sign(world.claims("cx-agents"))).status_code == 200


def test_an_unreachable_provider_is_a_503_and_sign_in_resumes_when_it_is_back(
    world: World,
) -> None:
    world.idp.down = True
    response = world.bearer(RSA_KEY.sign(world.claims("cx-agents")))
    assert response.status_code == 503, response.text
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "IDENTITY_PROVIDER_UNAVAILABLE"
    assert int(response.headers["retry-after"]) > 0
    world.idp.down = False
    world.clock.advance(REFETCH)
    assert world.bearer(RSA_KEY.sign(world.claims("cx-agents"))).status_code == 200


def test_an_unreachable_provider_closes_a_websocket_with_4403(world: World) -> None:
    world.idp.down = True
    token = RSA_KEY.sign(world.claims("cx-agents"))
    assert closed_with(world, token) == 4403


def test_tokens_minted_by_the_cli_keep_working_beside_the_provider(world: World) -> None:
    actor, role = registered_by(world, world.api.token(Role.AGENT, "agent-cli"))
    assert (actor, role) == ("agent-cli", Role.AGENT)
