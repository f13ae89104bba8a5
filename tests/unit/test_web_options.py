"""What the composition root gives the API's web side: GraphiQL's pre-filled token exists in
development only, and is a real, short-lived agent token."""

from __future__ import annotations

import os

import pytest

from domain.shared.metadata import Role
from infrastructure.bootstrap import GRAPHIQL_SUBJECT, web_options
from infrastructure.settings import load_settings
from infrastructure.tokens import JwtTokens

SECRET = "s" * 40


@pytest.fixture(autouse=True)
def no_inherited_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("CXL_")]:
        monkeypatch.delenv(name)


def test_development_graphiql_token_is_a_fresh_agent_token_of_an_hour_at_most() -> None:
    settings = load_settings(environment="development", max_token_ttl=600)
    tokens = JwtTokens(SECRET, settings.jwt_issuer, max_ttl_seconds=settings.max_token_ttl)
    mint = web_options(settings, tokens).graphiql_token
    assert mint is not None
    principal = tokens.verify(mint())
    assert (principal.role, principal.actor_id) == (Role.AGENT, GRAPHIQL_SUBJECT)
    assert principal.expires_at is not None


def test_development_sign_in_mints_a_token_of_each_role_it_is_asked_for() -> None:
    """In development the dashboards' sign-in mints a fresh token for the role picked."""
    settings = load_settings(environment="development", max_token_ttl=600)
    tokens = JwtTokens(SECRET, settings.jwt_issuer, max_ttl_seconds=settings.max_token_ttl)
    mint = web_options(settings, tokens).development_token
    assert mint is not None
    for role in (Role.AGENT, Role.ANALYST, Role.ADMIN):
        assert tokens.verify(mint(role)).role == role


def test_production_graphiql_prefills_no_token() -> None:
    settings = load_settings(
        environment="production",
        database_url="postgresql://cx@db/cx",
        master_key=os.urandom(32).hex(),
        audit_key=os.urandom(32).hex(),
        jwt_secret=SECRET,
    )
    options = web_options(settings, JwtTokens(SECRET, "cxledger"))
    assert options.graphiql_token is None and options.development_token is None


def test_cors_origins_reach_the_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CXL_CORS_ORIGINS", "http://localhost:5173")
    settings = load_settings()
    assert web_options(settings, JwtTokens(SECRET, "cxledger")).cors_origins == (
        "http://localhost:5173",
    )
