"""The survey page at `/s/<token>` over HTTP, as a browser without JavaScript uses it: each
state of the link gets its own page and status, a post answers through the same command as
submitSurveyResponse, and a refused post (bad form token, bad input) writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.survey.commands import INVITATION_LIFETIME, invitation_id_in
from domain.survey.model import Invitation
from domain.survey.values import SurveyKind
from tests.pages.world import ADMIN, csrf_in, events_of, head, open_survey, survey_token
from tests.support.server import LiveApi

FORM = {"content-type": "application/x-www-form-urlencoded"}


def shown(api: LiveApi, token: str) -> tuple[httpx.Response, str]:
    page = api.client.get(f"/s/{token}")
    assert page.status_code == 200, page.text
    return page, csrf_in(page.text)


def post(api: LiveApi, token: str, fields: dict[str, str]) -> httpx.Response:
    return api.client.post(f"/s/{token}", data=fields)


def responses(api: LiveApi, token: str) -> list[Invitation.Responded]:
    stream = events_of(api.ledger, invitation_id_in(token))
    return [e for e in stream if isinstance(e, Invitation.Responded)]


def test_an_nps_link_shows_the_question_with_eleven_labelled_choices_and_a_comment_box(
    api: LiveApi,
) -> None:
    token = survey_token(api.ledger, open_survey(api.ledger))
    page, _ = shown(api, token)
    html = page.text
    assert "How likely are you to recommend us to a friend?" in html
    assert [f'id="score-{n}"' in html for n in range(11)] == [True] * 11
    assert 'id="score-11"' not in html
    assert 'for="aspect_pricing-5"' in html and 'for="comment"' in html
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert "script" not in html.lower()  # usable without JavaScript


def test_a_csat_survey_shows_its_own_one_to_five_scale(api: LiveApi) -> None:
    token = survey_token(api.ledger, open_survey(api.ledger, SurveyKind.CSAT, aspects=()))
    html = shown(api, token)[0].text
    assert [f'id="score-{n}"' in html for n in range(7)] == [False] + [True] * 5 + [False]


def test_posting_the_form_records_the_answer_through_the_ledger_and_thanks(api: LiveApi) -> None:
    token = survey_token(api.ledger, open_survey(api.ledger))
    _, csrf = shown(api, token)
    fields = {"csrf_token": csrf, "score": "3", "aspect_pricing": "2", "aspect_delivery": ""}
    answered = post(api, token, {**fields, "comment": "The parcel came late."})
    assert answered.status_code == 200, answered.text
    assert "Thank you" in answered.text
    [response] = responses(api, token)
    assert (response.score, response.aspect_scores) == (3, {"pricing": 2})
    assert response.comment is not None and response.comment.value == "The parcel came late."
    assert response.channel == "email"


def test_an_answered_link_gets_its_own_page_with_409_and_a_second_post_records_nothing(
    api: LiveApi,
) -> None:
    token = survey_token(api.ledger, open_survey(api.ledger))
    _, csrf = shown(api, token)
    assert post(api, token, {"csrf_token": csrf, "score": "9"}).status_code == 200
    again = api.client.get(f"/s/{token}")
    assert again.status_code == 409 and "already answered" in again.text
    second = post(api, token, {"csrf_token": csrf, "score": "1"})
    assert second.status_code == 409 and "already answered" in second.text
    assert [r.score for r in responses(api, token)] == [9]


def test_an_expired_link_gets_its_own_page_with_410_and_no_form(api: LiveApi) -> None:
    long_ago = datetime.now(UTC) - INVITATION_LIFETIME - timedelta(minutes=1)
    token = survey_token(api.ledger, open_survey(api.ledger), now=long_ago)
    page = api.client.get(f"/s/{token}")
    assert page.status_code == 410 and "expired" in page.text
    assert "<form" not in page.text


def test_a_forged_link_gets_its_own_page_with_404(api: LiveApi) -> None:
    token = survey_token(api.ledger, open_survey(api.ledger))
    head_part, _, _ = token.partition(".")
    for forged in (f"{head_part}.not-the-secret", "garbage", "x" * 300, f"{'0' * 32}.abc"):
        page = api.client.get(f"/s/{forged}")
        assert page.status_code == 404, (forged, page.text)
        assert "not valid" in page.text and "<form" not in page.text


def test_a_link_to_a_closed_survey_says_so_with_410(api: LiveApi) -> None:
    survey_id = open_survey(api.ledger)
    token = survey_token(api.ledger, survey_id)
    api.ledger.close_survey(survey_id, ADMIN)
    page = api.client.get(f"/s/{token}")
    assert page.status_code == 410 and "closed" in page.text


def test_a_post_without_or_with_a_wrong_form_token_is_refused_with_403_and_writes_nothing(
    api: LiveApi,
) -> None:
    token = survey_token(api.ledger, open_survey(api.ledger))
    _, csrf = shown(api, token)
    other_token = survey_token(api.ledger, open_survey(api.ledger))
    _, other_csrf = shown(api, other_token)
    api.caught_up()  # a reaction to an earlier test's answer may still be writing
    before = head(api.ledger)
    shown_at, _, mac = csrf.partition(".")
    for fields in (
        {"score": "10"},
        {"csrf_token": "", "score": "10"},
        {"csrf_token": f"{shown_at}.{mac[::-1]}", "score": "10"},
        {"csrf_token": f"{int(shown_at) + 1}.{mac}", "score": "10"},
        {"csrf_token": other_csrf, "score": "10"},  # another link's form
    ):
        refused = post(api, token, fields)
        assert refused.status_code == 403, fields
        assert "cannot be accepted" in refused.text
    assert head(api.ledger) == before and responses(api, token) == []


def test_bad_input_is_shown_again_with_a_400_and_a_clear_message_and_writes_nothing(
    api: LiveApi,
) -> None:
    token = survey_token(api.ledger, open_survey(api.ledger))
    _, csrf = shown(api, token)
    before = head(api.ledger)
    cases = {
        "no score": ({}, "Choose a score"),
        "score out of scale": ({"score": "11"}, "score"),
        "score not a number": ({"score": "ten"}, "Choose one of the numbers"),
        "aspect out of scale": ({"score": "5", "aspect_pricing": "9"}, "aspect"),
        "unknown aspect": ({"score": "5", "aspect_colour": "3"}, "no aspect"),
        "comment too long": ({"score": "5", "comment": "x" * 5001}, "comment"),
    }
    for name, (fields, words) in cases.items():
        refused = post(api, token, {"csrf_token": csrf, **fields})
        assert refused.status_code == 400, (name, refused.text)
        assert 'role="alert"' in refused.text and words in refused.text, name
        assert "<form" in refused.text, name  # the form again, to correct
    kept = post(api, token, {"csrf_token": csrf, "score": "ten", "comment": "kept <b>as typed"})
    assert "kept &lt;b&gt;as typed" in kept.text  # shown again, escaped
    assert head(api.ledger) == before and responses(api, token) == []


def test_malformed_posts_get_a_4xx_page_never_a_500(api: LiveApi) -> None:
    token = survey_token(api.ledger, open_survey(api.ledger))
    _, csrf = shown(api, token)
    before = head(api.ledger)
    sent = [
        api.client.post(f"/s/{token}", json={"score": 5}),
        api.client.post(f"/s/{token}", content=b"score=%ff%fe", headers=FORM),
        api.client.post(f"/s/{token}", content=f"csrf_token={csrf}&score=1&score=2", headers=FORM),
        api.client.post(f"/s/{token}", content=b"a=1&" * 100, headers=FORM),
        api.client.post(f"/s/{token}", content=b"comment=" + b"x" * 1_100_000, headers=FORM),
    ]
    assert [r.status_code for r in sent] == [415, 400, 400, 400, 413]
    assert all("text/html" in r.headers["content-type"] for r in sent)
    assert head(api.ledger) == before


def test_the_stylesheet_is_served_from_the_package_and_the_page_is_light_for_a_phone(
    api: LiveApi,
) -> None:
    css = api.client.get("/pages/pages.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert ".choices" in css.text and "max-age" in css.headers["cache-control"]
    page = shown(api, survey_token(api.ledger, open_survey(api.ledger)))[0]
    assert len(page.content) + len(css.content) < 20_000  # two requests, no images, no fonts
    assert "http://" not in page.text and "https://" not in page.text  # nothing from elsewhere


ANY_FIELD = st.sampled_from(["score", "comment", "aspect_pricing", "aspect_x", "csrf_token", "z"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fields=st.lists(st.tuples(ANY_FIELD, st.text(max_size=40)), max_size=6),
    with_form_token=st.booleans(),
)
def test_no_posted_form_gets_a_500(
    api: LiveApi, fields: list[tuple[str, str]], with_form_token: bool
) -> None:
    token = survey_token(api.ledger, open_survey(api.ledger))
    sent = [*fields]
    if with_form_token:
        sent.insert(0, ("csrf_token", shown(api, token)[1]))
    answer = api.client.post(f"/s/{token}", content=urlencode(sent), headers=FORM)
    assert answer.status_code in {200, 400, 403, 409}, answer.text
    assert "text/html" in answer.headers["content-type"]


@settings(max_examples=30, deadline=None)
@given(body=st.binary(max_size=300))
def test_no_posted_bytes_get_a_500(api: LiveApi, body: bytes) -> None:
    answer = api.client.post("/s/some.link", content=body, headers=FORM)
    assert answer.status_code in {400, 403, 404}, answer.text
