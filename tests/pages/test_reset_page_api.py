"""The password-reset page at `/reset/<token>` over HTTP: the form for a usable link, its own
page for an expired and for a used or forged one, the new password set through the same
command as resetPassword, and clear refusals (weak password, mismatch, bad form token) that
change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from domain.customer.access import RESET_TOKEN_LIFETIME
from tests.pages.world import PASSWORD, csrf_in, customer, head, reset_token
from tests.support.server import LiveApi

LOG_IN = "mutation L($i: LogInInput!) { logIn(input: $i) { customerId userErrors { code } } }"


def shown(api: LiveApi, token: str) -> str:
    page = api.client.get(f"/reset/{token}")
    assert page.status_code == 200, page.text
    assert 'for="new_password"' in page.text and 'for="confirm_password"' in page.text
    return csrf_in(page.text)


def post(api: LiveApi, token: str, fields: dict[str, str]) -> httpx.Response:
    return api.client.post(f"/reset/{token}", data=fields)


def logs_in(api: LiveApi, email: str, password: str) -> bool:
    answer = api.graphql(LOG_IN, {"i": {"email": email, "password": password}}).json()
    errors: list[object] = answer["data"]["logIn"]["userErrors"]
    return errors == []


def test_the_new_password_is_set_and_works_for_logging_in(api: LiveApi) -> None:
    _, email = customer(api.ledger)
    token = reset_token(api.ledger, email)
    csrf = shown(api, token)
    done = post(
        api, token, {"csrf_token": csrf, "new_password": PASSWORD, "confirm_password": PASSWORD}
    )
    assert done.status_code == 200, done.text
    assert "Your password was changed" in done.text
    assert logs_in(api, email, PASSWORD)


def test_a_used_link_gets_the_not_valid_page_with_404(api: LiveApi) -> None:
    _, email = customer(api.ledger)
    token = reset_token(api.ledger, email)
    csrf = shown(api, token)
    fields = {"csrf_token": csrf, "new_password": PASSWORD, "confirm_password": PASSWORD}
    assert post(api, token, fields).status_code == 200
    again = api.client.get(f"/reset/{token}")
    assert again.status_code == 404 and "already used" in again.text
    before = head(api.ledger)
    second = post(
        api,
        token,
        {
            **fields,
            "new_password": "another long passphrase",
            "confirm_password": "another long passphrase",
        },
    )
    assert second.status_code == 404 and head(api.ledger) == before


def test_an_expired_link_gets_its_own_page_with_410(api: LiveApi) -> None:
    _, email = customer(api.ledger)
    long_ago = datetime.now(UTC) - RESET_TOKEN_LIFETIME - timedelta(minutes=1)
    token = reset_token(api.ledger, email, now=long_ago)
    page = api.client.get(f"/reset/{token}")
    assert page.status_code == 410 and "expired" in page.text and "<form" not in page.text


def test_a_forged_link_gets_the_not_valid_page_with_404(api: LiveApi) -> None:
    _, email = customer(api.ledger)
    token = reset_token(api.ledger, email)
    head_part = token.partition(".")[0]
    for forged in (f"{head_part}.guess", "nonsense", "y" * 400):
        page = api.client.get(f"/reset/{forged}")
        assert page.status_code == 404 and "not valid" in page.text, forged


def test_a_weak_or_mismatched_password_is_refused_with_400_and_changes_nothing(
    api: LiveApi,
) -> None:
    _, email = customer(api.ledger)
    token = reset_token(api.ledger, email)
    csrf = shown(api, token)
    before = head(api.ledger)
    cases = {
        "short": ("short", "short", "at least 12 characters"),
        "common": ("password1234", "password1234", "too easy to guess"),
        "own name": ("grace hopper rocks", "grace hopper rocks", "name or email"),
        "mismatch": (PASSWORD, PASSWORD + "!", "differ"),
        "empty": ("", "", "Type a new password"),
    }
    for name, (new, confirm, words) in cases.items():
        fields = {"csrf_token": csrf, "new_password": new, "confirm_password": confirm}
        refused = post(api, token, fields)
        assert refused.status_code == 400, (name, refused.text)
        assert 'role="alert"' in refused.text and words in refused.text, name
        assert new not in refused.text or not new, name  # a password is never echoed
    assert head(api.ledger) == before
    assert shown(api, token)  # the link still works


def test_a_post_without_or_with_a_wrong_form_token_is_refused_with_403_and_changes_nothing(
    api: LiveApi,
) -> None:
    _, email = customer(api.ledger)
    token = reset_token(api.ledger, email)
    csrf = shown(api, token)
    before = head(api.ledger)
    passwords = {"new_password": PASSWORD, "confirm_password": PASSWORD}
    for given in (None, "", "123.abc", f"{csrf}x"):
        fields = passwords if given is None else {**passwords, "csrf_token": given}
        assert post(api, token, fields).status_code == 403, given
    assert head(api.ledger) == before
    assert not logs_in(api, email, PASSWORD)
