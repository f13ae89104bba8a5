"""Customers' refresh tokens, over HTTP: logIn gives one beside the access token;
refreshSession rotates it (new access and refresh token, the old one spent); a spent one
presented again later revokes its whole family (REFRESH_TOKEN_REUSED), while a concurrent
duplicate gets REFRESH_TOKEN_ALREADY_USED and revokes nothing; of two refreshes racing with one
token exactly one wins; logOut ends one family, logOut(everywhere) every session (access tokens
too); a password change or reset and an erasure end every family; bad tokens are typed errors
that write nothing.

One server for the module; the refresh tokens' clock is the test's (real time plus an offset
the reuse tests move past the grace period). Each test uses customers of its own."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest

from domain.customer.model import Customer
from domain.privacy.erasure import ErasureReason
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.refresh_tokens import REUSE_GRACE
from infrastructure.throttles import utc_now
from tests.api.helpers import CUSTOMER, assert_no_internals, unique_email
from tests.api.test_log_in import PASSWORD, customer_with_password
from tests.support.ledgers import postgres_ledger
from tests.support.postgres import fresh_database
from tests.support.server import LiveApi, live_api

NEW_PASSWORD = "a brand new passphrase"
TOKENS = "token expiresAt customerId refreshToken refreshTokenExpiresAt userErrors { code field }"
LOG_IN = f"mutation($i: LogInInput!) {{ logIn(input: $i) {{ {TOKENS} }} }}"
REFRESH = f"mutation($i: RefreshSessionInput!) {{ refreshSession(input: $i) {{ {TOKENS} }} }}"
LOG_OUT = "mutation($i: LogOutInput!) { logOut(input: $i) { customerId userErrors { code } } }"
CHANGE = f"mutation($i: ChangePasswordInput!) {{ changePassword(input: $i) {{ {TOKENS} }} }}"
RESET = "mutation($i: ResetPasswordInput!) { resetPassword(input: $i) { userErrors { code } } }"


class Clock:
    """Real time plus an offset the tests move forward."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utc_now() + self.offset

    def past_the_grace_period(self) -> None:
        self.offset += REUSE_GRACE + timedelta(seconds=1)


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def api(pg_admin: str, clock: Clock) -> Iterator[LiveApi]:
    with (
        fresh_database(pg_admin) as database,
        postgres_ledger(database) as ledger,
        live_api(ledger, database, refresh_clock=clock) as running,
    ):
        yield running


def call(
    api: LiveApi, query: str, variables: dict[str, Any], token: str | None = None
) -> dict[str, Any]:
    headers = {} if token is None else {"authorization": f"Bearer {token}"}
    response = api.client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert_no_internals(response)
    data: dict[str, Any] = response.json()["data"]
    [payload] = data.values()
    assert isinstance(payload, dict)
    return payload


def logged_in(api: LiveApi, email: str | None = None) -> dict[str, Any]:
    """A new customer with a password (or the one of ``email``), logged in: logIn's payload."""
    if email is None:
        email = unique_email()
        customer_with_password(api, email)
    payload = call(api, LOG_IN, {"i": {"email": email, "password": PASSWORD}})
    assert payload["userErrors"] == [] and payload["refreshToken"]
    return payload


def refreshed(api: LiveApi, refresh_token: str) -> dict[str, Any]:
    return call(api, REFRESH, {"i": {"refreshToken": refresh_token}})


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


def reads_themself(api: LiveApi, token: str, customer_id: str) -> httpx.Response:
    return api.client.post(
        "/graphql",
        json={"query": CUSTOMER, "variables": {"id": customer_id}},
        headers={"authorization": f"Bearer {token}"},
    )


def test_log_in_gives_a_short_access_token_and_a_longer_refresh_token(api: LiveApi) -> None:
    session = logged_in(api)
    access_ends = datetime.fromisoformat(session["expiresAt"])
    refresh_ends = datetime.fromisoformat(session["refreshTokenExpiresAt"])
    assert access_ends < refresh_ends
    assert len(session["refreshToken"]) >= 40 and session["refreshToken"] != session["token"]


def test_the_refresh_token_is_stored_only_as_a_hash(api: LiveApi) -> None:
    token = logged_in(api)["refreshToken"]
    with api.database.connect() as conn:
        hashed = conn.execute(
            "SELECT count(*) FROM cxl_refresh_tokens"
            " WHERE token_hash = sha256(convert_to(%s, 'UTF8'))",
            (token,),
        ).fetchone()
        clear = conn.execute(
            "SELECT count(*) FROM cxl_refresh_tokens t WHERE t::text LIKE %s", (f"%{token}%",)
        ).fetchone()
    assert hashed == (1,) and clear == (0,)


def test_refreshing_gives_working_tokens_and_spends_the_old_refresh_token(
    api: LiveApi, clock: Clock
) -> None:
    session = logged_in(api)
    renewed = refreshed(api, session["refreshToken"])
    assert renewed["userErrors"] == [] and renewed["customerId"] == session["customerId"]
    assert renewed["refreshToken"] not in (None, session["refreshToken"])
    assert reads_themself(api, renewed["token"], session["customerId"]).status_code == 200
    clock.past_the_grace_period()
    assert codes(refreshed(api, session["refreshToken"])) == ["REFRESH_TOKEN_REUSED"]


def test_reusing_a_spent_refresh_token_revokes_the_whole_family_but_no_other(
    api: LiveApi, clock: Clock
) -> None:
    email = unique_email()
    customer_with_password(api, email)
    stolen, elsewhere = logged_in(api, email), logged_in(api, email)
    owners = refreshed(api, stolen["refreshToken"])  # the owner rotates first
    clock.past_the_grace_period()
    reuse = refreshed(api, stolen["refreshToken"])  # the thief replays the copy
    assert codes(reuse) == ["REFRESH_TOKEN_REUSED"] and reuse["token"] is None
    assert reuse["userErrors"][0]["field"] == ["input", "refreshToken"]
    # Every token of that log-in is revoked, the owner's fresh one included...
    assert codes(refreshed(api, owners["refreshToken"])) == ["INVALID_REFRESH_TOKEN"]
    # ...and the customer's session on another device goes on.
    assert refreshed(api, elsewhere["refreshToken"])["userErrors"] == []


def test_a_duplicate_within_the_grace_period_is_told_so_and_revokes_nothing(
    api: LiveApi,
) -> None:
    session = logged_in(api)
    winner = refreshed(api, session["refreshToken"])
    duplicate = refreshed(api, session["refreshToken"])
    assert codes(duplicate) == ["REFRESH_TOKEN_ALREADY_USED"] and duplicate["token"] is None
    assert refreshed(api, winner["refreshToken"])["userErrors"] == []


def raced(api: LiveApi, refresh_token: str) -> list[dict[str, Any]]:
    """Two refreshSession requests with ``refresh_token``, released at the same instant."""
    start = threading.Barrier(2)
    answers: list[dict[str, Any]] = []

    def race() -> None:
        with httpx.Client(base_url=api.url, timeout=30) as client:
            start.wait()
            response = client.post(
                "/graphql",
                json={"query": REFRESH, "variables": {"i": {"refreshToken": refresh_token}}},
            )
        answers.append(response.json()["data"]["refreshSession"])

    racers = [threading.Thread(target=race) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(30)
    return answers


def test_of_two_refreshes_racing_with_one_token_exactly_one_wins(api: LiveApi) -> None:
    for _ in range(5):
        answers = raced(api, logged_in(api)["refreshToken"])
        assert sorted(codes(answer) for answer in answers) == [
            [],
            ["REFRESH_TOKEN_ALREADY_USED"],
        ]
        [won] = [answer for answer in answers if answer["token"] is not None]
        assert refreshed(api, won["refreshToken"])["userErrors"] == []


def test_log_out_ends_that_sessions_refresh_tokens_only(api: LiveApi) -> None:
    email = unique_email()
    customer_id = customer_with_password(api, email)
    phone, laptop = logged_in(api, email), logged_in(api, email)
    out = call(api, LOG_OUT, {"i": {"refreshToken": phone["refreshToken"]}})
    assert out == {"customerId": customer_id, "userErrors": []}
    assert codes(refreshed(api, phone["refreshToken"])) == ["INVALID_REFRESH_TOKEN"]
    assert codes(call(api, LOG_OUT, {"i": {"refreshToken": phone["refreshToken"]}})) == [
        "INVALID_REFRESH_TOKEN"
    ]
    assert refreshed(api, laptop["refreshToken"])["userErrors"] == []


def test_log_out_everywhere_ends_every_session_access_tokens_included(api: LiveApi) -> None:
    email = unique_email()
    customer_id = customer_with_password(api, email)
    phone, laptop = logged_in(api, email), logged_in(api, email)
    out = call(api, LOG_OUT, {"i": {"refreshToken": phone["refreshToken"], "everywhere": True}})
    assert out["userErrors"] == []
    for session in (phone, laptop):
        assert codes(refreshed(api, session["refreshToken"])) == ["INVALID_REFRESH_TOKEN"]
        assert reads_themself(api, session["token"], customer_id).status_code == 401
    [*_, revoked] = api.ledger.repository.event_store.get(UUID(customer_id))
    assert isinstance(revoked, Customer.SessionsRevoked)
    assert revoked.reason == "logged_out_everywhere"
    assert (revoked.metadata.actor_id, revoked.metadata.actor_role) == (customer_id, Role.CUSTOMER)
    assert logged_in(api, email)["userErrors"] == []  # logging in again works


def test_changing_the_password_ends_every_refresh_token_and_answers_a_new_one(
    api: LiveApi,
) -> None:
    email = unique_email()
    customer_id = customer_with_password(api, email)
    other_device, session = logged_in(api, email), logged_in(api, email)
    change = {"customerId": customer_id, "currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}
    changed = call(api, CHANGE, {"i": change}, token=session["token"])
    assert changed["userErrors"] == [] and changed["refreshToken"]
    for old in (other_device, session):
        assert codes(refreshed(api, old["refreshToken"])) == ["INVALID_REFRESH_TOKEN"]
    assert refreshed(api, changed["refreshToken"])["userErrors"] == []


def test_a_refresh_token_from_before_a_password_change_logs_nobody_out(api: LiveApi) -> None:
    email = unique_email()
    customer_id = customer_with_password(api, email)
    kept = logged_in(api, email)  # e.g. on a stolen phone, never refreshed since
    change = {"customerId": customer_id, "currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}
    changed = call(api, CHANGE, {"i": change}, token=logged_in(api, email)["token"])
    head = api.quiet_head()
    out = call(api, LOG_OUT, {"i": {"refreshToken": kept["refreshToken"], "everywhere": True}})
    assert codes(out) == ["INVALID_REFRESH_TOKEN"]
    assert api.ledger.head_position() == head
    assert reads_themself(api, changed["token"], customer_id).status_code == 200


def test_resetting_the_password_ends_every_refresh_token(api: LiveApi) -> None:
    email = unique_email()
    customer_id = customer_with_password(api, email)
    session = logged_in(api, email)
    api.ledger.request_password_reset(email, EventMetadata.system())
    [requested] = [
        e
        for e in api.ledger.events.get(UUID(customer_id))
        if isinstance(e, Customer.PasswordResetRequested)
    ]
    reset = {"token": requested.token.value, "newPassword": NEW_PASSWORD}
    assert call(api, RESET, {"i": reset})["userErrors"] == []
    assert codes(refreshed(api, session["refreshToken"])) == ["INVALID_REFRESH_TOKEN"]


def test_completing_an_erasure_ends_every_refresh_token(api: LiveApi) -> None:
    email = unique_email()
    customer_id = customer_with_password(api, email)
    session = logged_in(api, email)
    officer = EventMetadata(actor_id="po-1", actor_role=Role.PRIVACY_OFFICER, channel=Channel.API)
    subject = UUID(customer_id)
    api.ledger.request_erasure(subject, None, ErasureReason.CUSTOMER_REQUEST, 0, officer)
    api.ledger.complete_erasure(subject, officer)
    assert codes(refreshed(api, session["refreshToken"])) == ["INVALID_REFRESH_TOKEN"]


@pytest.mark.parametrize(
    "refresh_token",
    ["", "x" * 10_000, "not-a-token", "\U0001f600" * 60, "' OR 1=1 --"],
)
def test_a_bad_refresh_token_is_a_typed_error_that_writes_nothing(
    api: LiveApi, refresh_token: str
) -> None:
    head = api.quiet_head()
    with api.database.connect() as conn:
        before = conn.execute("SELECT count(*), count(revoked_at) FROM cxl_refresh_tokens")
        counted = before.fetchone()
    assert codes(refreshed(api, refresh_token)) == ["INVALID_REFRESH_TOKEN"]
    assert codes(call(api, LOG_OUT, {"i": {"refreshToken": refresh_token}})) == [
        "INVALID_REFRESH_TOKEN"
    ]
    with api.database.connect() as conn:
        after = conn.execute("SELECT count(*), count(revoked_at) FROM cxl_refresh_tokens")
        assert after.fetchone() == counted
    assert api.ledger.head_position() == head


def test_a_lone_surrogate_refresh_token_is_refused_without_a_500(api: LiveApi) -> None:
    body = '{"query": "mutation($i: RefreshSessionInput!) { refreshSession(input: $i) { token } }",'
    body += ' "variables": {"i": {"refreshToken": "\\ud800"}}}'
    response = api.client.post(
        "/graphql", content=body.encode(), headers={"content-type": "application/json"}
    )
    assert response.status_code < 500, response.text
