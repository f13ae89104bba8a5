"""enhancementPriorities, markThemePlanned and markThemeDone over HTTP (001#4): themes of
survey comments and feedback ranked by the people raising them, then by their NPS impact, per
product version; analysts read no theme of fewer people than the minimum group size (5), while
admins, who read the comments anyway, see every one; an analyst plans a theme and marks it
done; bad, unknown and repeated decisions are typed refusals that write nothing."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest

from domain.customer.commands import RegisterCustomer
from domain.feedback.commands import SubmitFeedback
from domain.feedback.values import FeedbackKind
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import SubmitResponse
from tests.api.helpers import error_codes
from tests.api.steps import mutate
from tests.api.survey_steps import published
from tests.support.server import LiveApi, module_api

SLOW_CHECKOUT = (2, 3, 4, 5, 6)
GREAT_SUPPORT = (9, 10, 9, 10, 8)
LONER = 7
ITEM = (
    "rank theme customers answersWith answersWithout meanWith meanWithout impact "
    "confidenceInterval { low high } suppressed status note decidedAt"
)
DECISION = "theme version position userErrors { field code }"


def respondent(api: LiveApi, survey_id: str, score: int, comment: str) -> UUID:
    system = EventMetadata.system()
    email = f"p{api.ledger.head_position()}@example.org"
    who = api.ledger.register_customer(RegisterCustomer("P", email), system).aggregate_id
    answer = SubmitResponse(score, comment, survey_id=UUID(survey_id), customer_id=who)
    api.ledger.submit_survey_response(answer, system)
    return who


def priorities(api: LiveApi, role: Role, **arguments: Any) -> dict[str, Any]:
    body = ranked(api, role, **arguments)
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]["enhancementPriorities"]
    return found


def ranked(api: LiveApi, role: Role, **arguments: Any) -> dict[str, Any]:
    document = (
        "query($v: String, $first: Int, $after: String, $last: Int, $before: String,"
        " $at: String) { enhancementPriorities(productVersion: $v, first: $first,"
        " after: $after, last: $last, before: $before, atLeast: $at) { minGroupSize"
        f" edges {{ cursor node {{ {ITEM} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
    )
    variables = {"at": str(api.ledger.head_position()), **arguments}
    body: dict[str, Any] = api.graphql(document, variables, role).json()
    return body


def themes(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["theme"] for edge in page["edges"]]


def decide(api: LiveApi, mutation: str, role: Role = Role.ANALYST, **given: Any) -> dict[str, Any]:
    return mutate(api, mutation, given, role, "analyst-1", DECISION).copy()


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    """Five people find the checkout slow, five praise the support, one mentions Zanzibar,
    all answering a survey of version 2.0; and one customer suggests a checkout change."""
    with module_api(pg_admin) as api:
        survey_id = published(api)
        for score in SLOW_CHECKOUT:
            respondent(api, survey_id, score, "The checkout is slow")
        for score in GREAT_SUPPORT:
            respondent(api, survey_id, score, "Great support")
        respondent(api, survey_id, LONER, "Zanzibar")
        who = respondent(api, survey_id, 8, "")  # an answer without a comment
        idea = SubmitFeedback(FeedbackKind.SUGGESTION, "app", "Checkout needs wallets", "2.0")
        api.ledger.handle(idea, EventMetadata(str(who), Role.CUSTOMER, Channel.WEB))
        yield api


def test_themes_rank_by_people_then_by_the_most_harmful_impact(api: LiveApi) -> None:
    """checkout (6 people: five answers and a suggestion) leads; among the themes of five
    people, "slow" (which lowers the mean) comes before the support's themes (alphabetical
    among equal impacts); the figures are the means of the answers with and without."""
    page = priorities(api, Role.ANALYST)

    assert themes(page) == ["checkout", "slow", "great", "great support", "support"]
    top = page["edges"][0]["node"]
    without = [*GREAT_SUPPORT, LONER, 8]
    assert (top["rank"], top["customers"], top["answersWith"]) == (1, 6, 5)
    assert top["meanWith"] == pytest.approx(statistics.mean(SLOW_CHECKOUT))
    assert top["meanWithout"] == pytest.approx(statistics.mean(without))
    assert top["impact"] == pytest.approx(statistics.mean(SLOW_CHECKOUT) - statistics.mean(without))
    interval = top["confidenceInterval"]
    assert interval["low"] < top["impact"] < interval["high"] < 0
    assert (top["suppressed"], top["status"], top["decidedAt"]) == (False, "OPEN", None)


def test_an_analyst_sees_no_theme_of_fewer_people_than_the_minimum(api: LiveApi) -> None:
    """Zanzibar is one person's word: hidden from analysts (k = 5), listed for admins (k = 1)
    with its figures."""
    analyst, admin = priorities(api, Role.ANALYST), priorities(api, Role.ADMIN, first=100)

    assert (analyst["minGroupSize"], admin["minGroupSize"]) == (5, 1)
    assert "zanzibar" not in themes(analyst)
    loner = next(e["node"] for e in admin["edges"] if e["node"]["theme"] == "zanzibar")
    assert (loner["customers"], loner["meanWith"], loner["confidenceInterval"]) == (1, 7, None)


def test_a_version_filter_reads_only_that_version(api: LiveApi) -> None:
    """Everything was said about 2.0: version 1.0 has no theme, 2.0 has them all."""
    assert themes(priorities(api, Role.ANALYST, v="1.0")) == []
    assert themes(priorities(api, Role.ANALYST, v="2.0")) == themes(priorities(api, Role.ANALYST))


def test_pages_follow_the_ranking_both_ways(api: LiveApi) -> None:
    """first/after continues where the page ended; last reads the ranking's end."""
    first = priorities(api, Role.ANALYST, first=2)
    rest = priorities(api, Role.ANALYST, first=10, after=first["pageInfo"]["endCursor"])
    last = priorities(api, Role.ANALYST, last=2)

    assert (themes(first), first["pageInfo"]["hasNextPage"]) == (["checkout", "slow"], True)
    assert themes(rest) == ["great", "great support", "support"]
    assert [e["node"]["rank"] for e in rest["edges"]] == [3, 4, 5]
    assert themes(last) == ["great support", "support"]


def test_a_bad_version_or_page_is_a_typed_error(api: LiveApi) -> None:
    assert error_codes(ranked(api, Role.ANALYST, v="not a version!")) == ["INVALID_INPUT"]
    assert error_codes(ranked(api, Role.ANALYST, first=101)) == ["BAD_PAGE_SIZE"]


def test_an_analyst_plans_a_theme_then_marks_it_done(api: LiveApi) -> None:
    """The list shows each decision with its note and time; planning it again is refused."""
    planned = decide(api, "markThemePlanned", theme="Slow", note="Faster checkout in 2.1")
    assert (planned["userErrors"], planned["theme"], planned["version"]) == ([], "slow", 2)
    shown = priorities(api, Role.AUDITOR)["edges"][1]["node"]
    assert (shown["theme"], shown["status"], shown["note"]) == (
        "slow",
        "PLANNED",
        "Faster checkout in 2.1",
    )
    assert shown["decidedAt"] is not None

    done = decide(api, "markThemeDone", role=Role.ADMIN, theme="slow", expectedVersion=2)

    assert (done["userErrors"], done["version"]) == ([], 3)
    assert priorities(api, Role.ANALYST)["edges"][1]["node"]["status"] == "DONE"


@pytest.mark.parametrize(
    ("mutation", "given", "code", "field"),
    [
        ("markThemePlanned", {"theme": "nobody said this"}, "UNKNOWN_TOPIC", "theme"),
        ("markThemePlanned", {"theme": "x" * 101}, "INVALID_INPUT", "theme"),
        ("markThemeDone", {"theme": "support", "note": "n" * 501}, "INVALID_INPUT", "note"),
        ("markThemeDone", {"theme": "great", "expectedVersion": 4}, "CONCURRENCY_CONFLICT", None),
    ],
    ids=["unknown", "long-theme", "long-note", "stale-version"],
)
def test_a_refused_decision_is_typed_and_writes_nothing(
    api: LiveApi, mutation: str, given: dict[str, Any], code: str, field: str | None
) -> None:
    head = api.quiet_head()

    refused = decide(api, mutation, **given)

    path = None if field is None else ["input", field]
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [(code, path)]
    assert (refused["theme"], refused["position"]) == (None, None)
    assert api.ledger.head_position() == head


def test_a_done_theme_is_not_planned_again(api: LiveApi) -> None:
    assert decide(api, "markThemeDone", theme="checkout")["userErrors"] == []
    head = api.quiet_head()

    again = decide(api, "markThemePlanned", theme="checkout")

    assert [e["code"] for e in again["userErrors"]] == ["THEME_ALREADY_DONE"]
    assert api.ledger.head_position() == head
