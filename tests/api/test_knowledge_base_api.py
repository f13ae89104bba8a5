"""The knowledge base over HTTP: staff write articles, everyone reads and searches published
ones, readers vote, and suggestions shown while a ticket is typed give the deflection rate."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.shared.metadata import EventMetadata, Role
from infrastructure.database import Database
from tests.support.server import LiveApi, live_api

DRAFT = """
mutation($i: DraftArticleInput!) {
  draftArticle(input: $i) {
    articleId position article { status revision } userErrors { field code }
  }
}
"""
PUBLISH = """
mutation($i: ArticleStepInput!) {
  publishArticle(input: $i) { position article { status } userErrors { code } }
}
"""
SEARCH = """
query($t: String!, $f: ArticleFilterInput) {
  searchArticles(text: $t, filter: $f) { rank highlight article { id title } }
}
"""
SUGGEST = "query($t: String!) { suggestArticles(text: $t) { suggestionsShown hits { rank } } }"
STATS = "{ knowledgeBaseStats { searches suggestions followedByTicket deflectionRate } }"
VOTE = """
mutation($i: VoteOnArticleInput!) { voteOnArticle(input: $i) { position userErrors { code } } }
"""


@pytest.fixture
def api(ledger: Ledger, database: Database) -> Iterator[LiveApi]:
    with live_api(ledger, database, page_posts_per_address=2) as running:
        yield running


def data(api: LiveApi, query: str, variables: dict[str, Any], role: Role | None = None,
         subject: str = "agent-1") -> Any:  # fmt: skip
    body = api.graphql(query, variables, role=role, subject=subject).json()
    assert "errors" not in body, body
    return body["data"]


def written(api: LiveApi, title: str, body: str, publish: bool = True) -> tuple[str, str]:
    content = {"product": "router", "category": "setup", "language": "EN", "title": title,
               "body": body}  # fmt: skip
    drafted = data(api, DRAFT, {"i": {"content": content}}, Role.AGENT)["draftArticle"]
    assert drafted["userErrors"] == [] and drafted["article"] == {"status": "DRAFT", "revision": 1}
    if not publish:
        return drafted["articleId"], drafted["position"]
    step = data(api, PUBLISH, {"i": {"articleId": drafted["articleId"]}}, Role.AGENT)
    return drafted["articleId"], step["publishArticle"]["position"]


def wait(api: LiveApi, article_id: str, position: str) -> None:
    query = "query($id: UUID!, $p: String) { article(id: $id, atLeast: $p) { id } }"
    data(api, query, {"id": article_id, "p": position}, Role.AGENT)


def test_anyone_finds_a_published_article_with_safe_highlights(api: LiveApi) -> None:
    """An anonymous reader's search ranks and highlights; no markup of the article's text
    reaches the highlight unescaped: only <mark> is the server's."""
    article_id, at = written(
        api,
        "Reset the router",
        "Hold <b>reset</b> for 10 s <script>x</script> if 5 > 3 to reset it.",
    )
    wait(api, article_id, at)
    hits = data(api, SEARCH, {"t": "resetting"})["searchArticles"]
    assert [h["article"]["id"] for h in hits] == [article_id]
    highlight = hits[0]["highlight"]
    assert "<mark>reset</mark>" in highlight
    outside_marks = highlight.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in outside_marks and ">" not in outside_marks
    assert hits[0]["rank"] > 0


def test_readers_do_not_see_drafts_but_staff_do(api: LiveApi) -> None:
    """A draft reads as null for a customer or anonymous reader and is never found."""
    article_id, at = written(api, "Router secrets", "Unreleased router notes", publish=False)
    wait(api, article_id, at)
    query = "query($id: UUID!) { article(id: $id) { status } }"
    assert data(api, query, {"id": article_id})["article"] is None
    assert data(api, query, {"id": article_id}, Role.AGENT)["article"] == {"status": "DRAFT"}
    assert data(api, SEARCH, {"t": "router"})["searchArticles"] == []


@pytest.mark.parametrize("text", ["", "   ", "x" * 201])
def test_a_search_text_out_of_bounds_is_a_typed_error(api: LiveApi, text: str) -> None:
    """Empty or over 200 characters: INVALID_INPUT, never a 500."""
    response = api.graphql(SEARCH, {"t": text})
    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


def test_bad_content_is_refused_on_its_field_and_writes_nothing(api: LiveApi) -> None:
    """An article's fields are bounded like every input."""
    head = api.quiet_head()
    content = {"product": "Router!", "category": "setup", "language": "EN", "title": "T",
               "body": "B"}  # fmt: skip
    drafted = data(api, DRAFT, {"i": {"content": content}}, Role.AGENT)["draftArticle"]
    assert drafted["userErrors"] == [{"field": ["input", "product"], "code": "INVALID_INPUT"}]
    assert api.ledger.head_position() == head


def test_votes_count_a_customer_once_and_throttle_anonymous_ones(api: LiveApi) -> None:
    """A customer voting twice is one (changed) vote; anonymous votes stop at the address's
    posts with RATE_LIMITED and write nothing."""
    article_id, at = written(api, "Router lights", "What the lights mean.")
    wait(api, article_id, at)
    customer = str(
        api.ledger.register_customer(
            RegisterCustomer("Ada", "ada@example.org"), EventMetadata.system()
        ).aggregate_id
    )
    for helpful in (True, False):
        vote = {"i": {"articleId": article_id, "helpful": helpful}}
        last = data(api, VOTE, vote, Role.CUSTOMER, customer)["voteOnArticle"]
    for _ in range(2):
        last = data(api, VOTE, {"i": {"articleId": article_id, "helpful": True}})["voteOnArticle"]
    head = api.quiet_head()
    refused = data(api, VOTE, {"i": {"articleId": article_id, "helpful": True}})["voteOnArticle"]
    assert refused["userErrors"] == [{"code": "RATE_LIMITED"}]
    assert api.ledger.head_position() == head
    query = (
        "query($id: UUID!, $p: String) { article(id: $id, atLeast: $p) "
        "{ helpfulVotes notHelpfulVotes } }"
    )
    counts = data(api, query, {"id": article_id, "p": last["position"]})["article"]
    assert counts == {"helpfulVotes": 2, "notHelpfulVotes": 1}


def test_the_deflection_rate_counts_suggestions_a_ticket_followed(api: LiveApi) -> None:
    """Two suggestion sets shown, one brought back by openTicket: a rate of 0.5. A search
    without a hit gives no token."""
    article_id, at = written(api, "Router offline", "When the router is offline, restart it.")
    wait(api, article_id, at)
    customer = str(
        api.ledger.register_customer(
            RegisterCustomer("Bo", "bo@example.org"), EventMetadata.system()
        ).aggregate_id
    )
    tokens = [
        data(api, SUGGEST, {"t": "router offline"}, Role.CUSTOMER, customer)["suggestArticles"][
            "suggestionsShown"
        ]
        for _ in range(2)
    ]
    assert all(tokens) and tokens[0] != tokens[1]
    none = data(api, SUGGEST, {"t": "invoice"}, Role.CUSTOMER, customer)["suggestArticles"]
    assert none == {"suggestionsShown": None, "hits": []}
    data(api, SEARCH, {"t": "router"})
    opened = data(
        api,
        "mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticketId userErrors { code } } }",
        {"i": {"customerId": customer, "channel": "WEB", "category": "router",
               "subject": "Router offline", "description": "Still offline",
               "suggestionsShown": tokens[0]}},
        Role.CUSTOMER, customer,
    )["openTicket"]  # fmt: skip
    assert opened["userErrors"] == []
    stats = data(api, STATS, {}, Role.ANALYST)["knowledgeBaseStats"]
    assert stats == {
        "searches": 1, "suggestions": 2, "followedByTicket": 1, "deflectionRate": 0.5,
    }  # fmt: skip


def test_a_malformed_suggestions_token_is_refused_and_opens_nothing(api: LiveApi) -> None:
    """suggestionsShown is 32 hex digits or INVALID_INPUT on it, nothing written."""
    customer = str(
        api.ledger.register_customer(
            RegisterCustomer("Cy", "cy@example.org"), EventMetadata.system()
        ).aggregate_id
    )
    head = api.quiet_head()
    opened = data(
        api,
        "mutation($i: OpenTicketInput!) { openTicket(input: $i) { userErrors { field code } } }",
        {"i": {"customerId": customer, "channel": "WEB", "category": "router",
               "subject": "S", "description": "D", "suggestionsShown": "'; DROP"}},
        Role.CUSTOMER, customer,
    )["openTicket"]  # fmt: skip
    assert opened["userErrors"] == [
        {"field": ["input", "suggestionsShown"], "code": "INVALID_INPUT"}
    ]
    assert api.ledger.head_position() == head


def test_staff_list_articles_in_every_state_newest_change_first(api: LiveApi) -> None:
    """articles(filter) finds drafts for agents, by state, and pages backward."""
    draft_id, _ = written(api, "Draft one", "router", publish=False)
    published_id, at = written(api, "Published one", "router")
    wait(api, published_id, at)
    query = """
    query($f: ArticleListFilterInput, $first: Int, $last: Int, $before: String) {
      articles(filter: $f, first: $first, last: $last, before: $before) {
        edges { cursor node { id status } } pageInfo { hasNextPage }
      }
    }
    """
    every = data(api, query, {}, Role.AGENT)["articles"]["edges"]
    assert [e["node"]["id"] for e in every] == [published_id, draft_id]
    drafts = data(api, query, {"f": {"status": "DRAFT"}}, Role.AGENT)["articles"]["edges"]
    assert [e["node"] for e in drafts] == [{"id": draft_id, "status": "DRAFT"}]
    newer = data(api, query, {"last": 1, "before": every[1]["cursor"]}, Role.AGENT)["articles"]
    assert [e["node"]["id"] for e in newer["edges"]] == [published_id]
