"""`cxledger serve` configured as the README's "Staff sign-in (OpenID Connect)" says: a staff
token from the identity provider acts in its mapped role and one that maps to no role is a
401 UNAUTHENTICATED; a customer's logIn gives an access token living CXL_ACCESS_TOKEN_TTL and a
refresh token that refreshSession rotates. The composition root, not a test's, wires it all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import jwt

from infrastructure.database import Database
from tests.api.helpers import unique_email
from tests.integration.test_serve import start_server, stop
from tests.support.cli import cli_env
from tests.support.identity_provider import SigningKey, identity_provider

AUDIENCE = "cxledger-api"
PASSWORD = "correct horse battery"
KEY = SigningKey.ec("ec-serve")
SELF_REGISTER = (
    "mutation($i: RegisterCustomerInput!) { registerCustomer(input: $i) { userErrors { code } } }"
)
LOG_IN = (
    "mutation($i: LogInInput!) { logIn(input: $i) "
    "{ token expiresAt refreshToken userErrors { code } } }"
)
REFRESH = (
    "mutation($i: RefreshSessionInput!) { refreshSession(input: $i) "
    "{ token refreshToken userErrors { code } } }"
)


def post(
    url: str, query: str, variables: dict[str, Any], token: str | None = None
) -> httpx.Response:
    headers = {} if token is None else {"authorization": f"Bearer {token}"}
    return httpx.post(
        f"{url}/graphql", json={"query": query, "variables": variables}, headers=headers, timeout=10
    )


def test_serve_signs_staff_in_through_the_provider_and_refreshes_customers(
    database: Database, tmp_path: Path
) -> None:
    with identity_provider([KEY]) as idp:
        env = cli_env(
            database,
            data_dir=tmp_path / "var",
            CXL_OIDC_ISSUER=idp.issuer,
            CXL_OIDC_AUDIENCE=AUDIENCE,
            CXL_OIDC_ROLE_CLAIM="realm_access.roles",
            CXL_OIDC_ROLE_MAP="cx-agents=agent,cx-admins=admin",
            CXL_ACCESS_TOKEN_TTL="120",
        )
        process, url = start_server(env)
        try:
            agent = KEY.sign(idp.claims(AUDIENCE, ["cx-agents"]))
            staff = post(url, "{ customers(first: 1) { totalCount } }", {}, agent)
            assert staff.status_code == 200 and "errors" not in staff.json(), staff.text
            intern = KEY.sign(idp.claims(AUDIENCE, ["cx-interns"]))
            refused = post(url, "{ __typename }", {}, intern)
            assert refused.status_code == 401
            assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

            email = unique_email()
            registration = {"name": "Ada Lovelace", "email": email, "password": PASSWORD}
            assert post(url, SELF_REGISTER, {"i": registration}).status_code == 200
            logged_in = post(url, LOG_IN, {"i": {"email": email, "password": PASSWORD}})
            session = logged_in.json()["data"]["logIn"]
            assert session["userErrors"] == [] and session["refreshToken"]
            claims = jwt.decode(session["token"], options={"verify_signature": False})
            assert claims["exp"] - claims["iat"] == 120
            renewed = post(url, REFRESH, {"i": {"refreshToken": session["refreshToken"]}})
            assert renewed.json()["data"]["refreshSession"]["userErrors"] == []
        finally:
            assert stop(process) == 0
