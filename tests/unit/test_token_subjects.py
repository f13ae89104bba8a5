"""A token's subject becomes the actor id on every event its holder causes: a subject that is
empty, longer than 200 characters, or holds a control character (NUL included), a line
separator or a lone surrogate is refused, whoever signed the token, and is never minted."""

from __future__ import annotations

import jwt
import pytest

from domain.shared.metadata import Role
from graphql_api.auth import InvalidTokenError
from infrastructure.tokens import MAX_SUBJECT_LENGTH, JwtTokens
from tests.unit.test_tokens import ISSUER, SECRET, claims, private_key, public_pem, rs256

UNPRINTABLE = [
    pytest.param("agent\x00-1", id="nul"),
    pytest.param("agent-1\nFAKE LOG LINE", id="newline"),
    pytest.param("agent\r-1", id="carriage-return"),
    pytest.param("agent\x1b[31m-1", id="escape"),
    pytest.param("agent\x7f-1", id="delete"),
    pytest.param("agent\x85-1", id="c1-next-line"),
    pytest.param("agent\u2028-1", id="line-separator"),
    pytest.param("agent\u2029-1", id="paragraph-separator"),
    pytest.param("agent\ud800-1", id="lone-high-surrogate"),
    pytest.param("agent\udfff-1", id="lone-low-surrogate"),
]


def hs256(subject: str) -> str:
    return jwt.encode(claims(sub=subject), SECRET, algorithm="HS256")


def test_a_subject_of_the_maximum_length_is_accepted() -> None:
    subject = "a" * MAX_SUBJECT_LENGTH
    assert JwtTokens(SECRET, ISSUER).verify(hs256(subject)).actor_id == subject


def test_a_subject_longer_than_the_maximum_is_refused() -> None:
    with pytest.raises(InvalidTokenError, match=r"sub\) is longer than 200 characters"):
        JwtTokens(SECRET, ISSUER).verify(hs256("a" * (MAX_SUBJECT_LENGTH + 1)))


def test_a_huge_subject_is_refused() -> None:
    with pytest.raises(InvalidTokenError, match="longer than 200"):
        JwtTokens(SECRET, ISSUER).verify(hs256("a" * 100_000))


def test_an_empty_subject_is_refused() -> None:
    with pytest.raises(InvalidTokenError, match=r"sub\) is empty"):
        JwtTokens(SECRET, ISSUER).verify(hs256(""))


@pytest.mark.parametrize("subject", UNPRINTABLE)
def test_a_subject_with_a_control_character_or_lone_surrogate_is_refused(subject: str) -> None:
    with pytest.raises(InvalidTokenError, match="control character"):
        JwtTokens(SECRET, ISSUER).verify(hs256(subject))


@pytest.mark.parametrize("subject", UNPRINTABLE[:1] + UNPRINTABLE[-1:])
def test_an_identity_providers_token_with_such_a_subject_is_refused_too(subject: str) -> None:
    tokens = JwtTokens(SECRET, ISSUER, public_pem(private_key()))
    with pytest.raises(InvalidTokenError, match="control character"):
        tokens.verify(rs256(private_key(), sub=subject))
    with pytest.raises(InvalidTokenError, match="longer than 200"):
        tokens.verify(rs256(private_key(), sub="x" * 201))


@pytest.mark.parametrize(
    "subject",
    ["ada@example.org", "auth0|5f1c2d3e4b5a", "Łukasz Żółć", "用户-42", "agent 7 (night shift)"],
)
def test_ordinary_subjects_of_any_script_are_accepted(subject: str) -> None:
    assert JwtTokens(SECRET, ISSUER).verify(hs256(subject)).actor_id == subject


@pytest.mark.parametrize(
    "subject",
    [*UNPRINTABLE, pytest.param("x" * 201, id="too-long"), pytest.param("", id="empty")],
)
def test_no_token_is_minted_for_such_a_subject(subject: str) -> None:
    with pytest.raises(ValueError, match="subject"):
        JwtTokens(SECRET, ISSUER).mint(subject, Role.AGENT)
