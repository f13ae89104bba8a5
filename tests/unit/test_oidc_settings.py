"""The OIDC settings stop start-up naming the variable when they are wrong: a role map that is
malformed, maps a non-staff role, or maps one value twice; an issuer without audience or role
map, or equal to our own; and a role claim path with an empty part."""

from __future__ import annotations

import pytest

from domain.shared.metadata import Role
from infrastructure.oidc import parse_role_map
from infrastructure.settings import SettingsError, load_settings

WHOLE = {
    "oidc_issuer": "https://sso.example.org/realms/cx",
    "oidc_audience": "cxledger-api",
    "oidc_role_map": "cx-agents=agent, cx-admins=admin",
}


def test_a_keycloak_style_configuration_is_accepted() -> None:
    settings = load_settings(**WHOLE, oidc_role_claim="realm_access.roles")
    assert settings.oidc_role_claim == "realm_access.roles"
    assert parse_role_map(settings.oidc_role_map or "") == {
        "cx-agents": Role.AGENT,
        "cx-admins": Role.ADMIN,
    }


@pytest.mark.parametrize(
    ("role_map", "says"),
    [
        ("cx-customers=customer", "'customer' is not a staff role"),
        ("cx-bots=system", "'system' is not a staff role"),
        ("cx-agents=superuser", "'superuser' is no role"),
        ("cx-agents", "is not `claim-value=role`"),
        ("=agent", "is not `claim-value=role`"),
        ("cx-staff=agent,cx-staff=admin", "'cx-staff' is mapped twice"),
        (",,", "maps nothing"),
    ],
)
def test_a_bad_role_map_stops_start_up_naming_the_variable(role_map: str, says: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(**{**WHOLE, "oidc_role_map": role_map})
    assert "CXL_OIDC_ROLE_MAP" in str(refused.value) and says in str(refused.value)


@pytest.mark.parametrize("missing", ["oidc_audience", "oidc_role_map"])
def test_an_issuer_needs_an_audience_and_a_role_map(missing: str) -> None:
    with pytest.raises(SettingsError, match=f"CXL_{missing.upper()}"):
        load_settings(**{**WHOLE, missing: None})


def test_the_providers_issuer_may_not_be_our_own() -> None:
    with pytest.raises(SettingsError, match="CXL_OIDC_ISSUER must differ from CXL_JWT_ISSUER"):
        load_settings(**{**WHOLE, "jwt_issuer": WHOLE["oidc_issuer"]})


@pytest.mark.parametrize("issuer", ["sso.example.org", "ftp://sso.example.org", "https://a/#x"])
def test_an_issuer_that_is_no_http_url_is_refused(issuer: str) -> None:
    with pytest.raises(SettingsError, match="CXL_OIDC_ISSUER"):
        load_settings(**{**WHOLE, "oidc_issuer": issuer})


@pytest.mark.parametrize("claim", ["realm_access.", ".roles", "a..b"])
def test_a_role_claim_path_with_an_empty_part_is_refused(claim: str) -> None:
    with pytest.raises(SettingsError, match="CXL_OIDC_ROLE_CLAIM"):
        load_settings(**{**WHOLE, "oidc_role_claim": claim})


def test_the_access_token_lifetime_is_bounded() -> None:
    with pytest.raises(SettingsError, match="CXL_ACCESS_TOKEN_TTL"):
        load_settings(access_token_ttl=10)
