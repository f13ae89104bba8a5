"""reviewProduct, moderateReview, productReviews, productRating and reviewsToModerate over
HTTP (003#8): a customer reviews a product, badged as a verified purchase when an order of
theirs holds it; one review per product per customer, edited by writing again; staff publish
or reject with a reason; only published reviews are shown and counted; bad input is a typed
refusal that writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from domain.customer.commands import RegisterCustomer
from domain.purchase.commands import OrderLineInput, RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.shared.metadata import EventMetadata, Role
from tests.api.steps import mutate
from tests.support.server import LiveApi, module_api

REVIEW = (
    "id sku rating title text reviewerName verifiedPurchase status rejectionReason"
    " writtenAt editedAt"
)
PAYLOAD = f"reviewId review {{ {REVIEW} }} position userErrors {{ field code message }}"
SKU = "KETTLE-2"


@dataclass(frozen=True)
class World:
    api: LiveApi
    buyer: str
    """Bought SKU (order o-1)."""
    stranger: str
    """Bought nothing."""


def customer(api: LiveApi, name: str) -> str:
    email = f"{name.split()[0].lower()}{api.ledger.head_position()}@example.org"
    registered = RegisterCustomer(name, email)
    return str(api.ledger.register_customer(registered, EventMetadata.system()).aggregate_id)


def bought(api: LiveApi, customer_id: str, order_id: str, *skus: str) -> None:
    lines = [OrderLineInput(sku, 1, "10.00") for sku in skus]
    order = RecordPurchase(
        UUID(customer_id), order_id, f"{10 * len(skus)}.00", "EUR", PurchaseChannel.WEB,
        datetime(2026, 11, 1, tzinfo=UTC), lines,
    )  # fmt: skip
    api.ledger.record_purchase(order, EventMetadata.system())


def review(api: LiveApi, customer_id: str, **fields: Any) -> dict[str, Any]:
    given = {"sku": SKU, "rating": 4, "title": "Boils fast", "text": "Quiet, too.", **fields}
    return mutate(api, "reviewProduct", given, Role.CUSTOMER, customer_id, PAYLOAD)


def moderate(api: LiveApi, review_id: str, decision: str, **fields: Any) -> dict[str, Any]:
    given = {"reviewId": review_id, "decision": decision, **fields}
    return mutate(api, "moderateReview", given, Role.AGENT, "agent-1", PAYLOAD)


def shown(api: LiveApi, sku: str, **paging: Any) -> dict[str, Any]:
    body = api.graphql(
        "query($sku: String!, $at: String, $f: Int, $a: String, $l: Int, $b: String) {"
        " productReviews(sku: $sku, atLeast: $at, first: $f, after: $a, last: $l, before: $b)"
        f" {{ edges {{ cursor node {{ {REVIEW} }} }} pageInfo {{ hasNextPage hasPreviousPage }}"
        " } }",
        {"sku": sku, "at": str(api.ledger.head_position()), **paging},
    ).json()  # anonymous: published reviews are for everyone
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]["productReviews"]
    return found


def rating(api: LiveApi, sku: str) -> dict[str, Any]:
    body = api.graphql(
        "query($sku: String!, $at: String) { productRating(sku: $sku, atLeast: $at)"
        " { count average distribution } }",
        {"sku": sku, "at": str(api.ledger.head_position())},
    ).json()
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]["productRating"]
    return found


@pytest.fixture(scope="module")
def world(pg_admin: str) -> Iterator[World]:
    with module_api(pg_admin) as api:
        buyer = customer(api, "Ada Byron Lovelace")
        bought(api, buyer, "o-1", "MUG-1", SKU)
        shown(api, SKU)  # the read model knows the order (the badge is looked up there)
        yield World(api, buyer, customer(api, "Grace Hopper"))


def test_a_buyer_s_review_is_badged_and_waits_for_a_moderator(world: World) -> None:
    """The buyer's order holds the sku: verified; pending, so not shown nor counted; the
    reviewer is shown as first name and initial."""
    payload = review(world.api, world.buyer, sku="MUG-1", rating=5)
    assert payload["userErrors"] == [], payload
    written = payload["review"]
    assert (written["verifiedPurchase"], written["status"]) == (True, "PENDING")
    assert (written["reviewerName"], written["rating"]) == ("Ada L.", 5)
    assert shown(world.api, "MUG-1")["edges"] == []
    assert rating(world.api, "MUG-1") == {"count": 0, "average": None, "distribution": [0] * 5}


def test_a_review_of_a_product_not_bought_is_accepted_without_the_badge(world: World) -> None:
    """The stranger has no order of the sku: accepted, verifiedPurchase false."""
    payload = review(world.api, world.stranger, sku="LAMP-9")
    assert payload["userErrors"] == [] and payload["review"]["verifiedPurchase"] is False


def test_another_customer_s_order_is_no_proof(world: World) -> None:
    """The buyer's order o-1 holds MUG-1; the stranger reviewing MUG-1 gets no badge."""
    payload = review(world.api, world.stranger, sku="MUG-1")
    assert payload["review"]["verifiedPurchase"] is False


def test_published_reviews_are_shown_and_counted(world: World) -> None:
    """Published: in productReviews (for anyone) and in productRating's figures."""
    written = review(world.api, world.buyer, sku="TOASTER-1", rating=3)
    other = review(world.api, world.stranger, sku="TOASTER-1", rating=5)
    for payload in (written, other):
        assert moderate(world.api, payload["reviewId"], "PUBLISH")["userErrors"] == []
    nodes = [edge["node"] for edge in shown(world.api, "TOASTER-1")["edges"]]
    assert [n["id"] for n in nodes] == [written["reviewId"], other["reviewId"]]
    assert {n["status"] for n in nodes} == {"PUBLISHED"}
    assert rating(world.api, "TOASTER-1") == {
        "count": 2,
        "average": 4.0,
        "distribution": [0, 0, 1, 0, 1],
    }


def test_writing_again_edits_the_one_review_and_it_waits_again(world: World) -> None:
    """Same id, new wording, pending again: off the list and out of the figures until a
    moderator publishes the edit."""
    first = review(world.api, world.buyer, sku="FAN-1", rating=2, title="Loud")
    moderate(world.api, first["reviewId"], "PUBLISH")
    edited = review(world.api, world.buyer, sku="FAN-1", rating=4, title="Better after a wash")
    assert edited["reviewId"] == first["reviewId"]
    again = edited["review"]
    assert (again["status"], again["rating"], again["title"]) == (
        "PENDING",
        4,
        "Better after a wash",
    )
    assert again["editedAt"] is not None
    assert shown(world.api, "FAN-1")["edges"] == []
    assert rating(world.api, "FAN-1")["count"] == 0


def test_the_same_review_again_writes_nothing(world: World) -> None:
    """A retried request (same wording) answers the review and appends no event."""
    review(world.api, world.buyer, sku="IRON-1")
    head = world.api.ledger.head_position()
    again = review(world.api, world.buyer, sku="IRON-1")
    assert again["userErrors"] == [] and again["review"]["sku"] == "IRON-1"
    assert world.api.ledger.head_position() == head


def test_a_rejection_carries_its_reason_and_is_not_shown(world: World) -> None:
    """Rejected with a reason: the reviewer reads it; the list and the figures leave it out."""
    written = review(world.api, world.stranger, sku="RADIO-1", rating=1)
    rejected = moderate(world.api, written["reviewId"], "REJECT", reason="Mentions a rival shop.")
    assert rejected["userErrors"] == [], rejected
    assert (rejected["review"]["status"], rejected["review"]["rejectionReason"]) == (
        "REJECTED",
        "Mentions a rival shop.",
    )
    assert shown(world.api, "RADIO-1")["edges"] == []
    assert rating(world.api, "RADIO-1")["count"] == 0


def test_reviews_page_forward_and_backward(world: World) -> None:
    """Three published reviews: first 2 then the rest after the cursor; last 1 is the third."""
    ids = []
    for who in (customer(world.api, f"Pager {n}") for n in range(3)):
        ids.append(review(world.api, who, sku="BOOK-7")["reviewId"])
        moderate(world.api, ids[-1], "PUBLISH")
    first = shown(world.api, "BOOK-7", f=2)
    assert [e["node"]["id"] for e in first["edges"]] == ids[:2]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = shown(world.api, "BOOK-7", f=2, a=first["edges"][-1]["cursor"])
    assert [e["node"]["id"] for e in rest["edges"]] == ids[2:]
    assert rest["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": True}
    last = shown(world.api, "BOOK-7", l=1)
    assert [e["node"]["id"] for e in last["edges"]] == ids[2:]
    assert last["pageInfo"]["hasPreviousPage"] is True


def test_staff_see_the_reviews_waiting_for_them(world: World) -> None:
    """reviewsToModerate lists pending reviews, oldest first, and not decided ones."""
    waiting = review(world.api, world.stranger, sku="CLOCK-1")["reviewId"]
    decided = review(world.api, world.stranger, sku="CLOCK-2")["reviewId"]
    moderate(world.api, decided, "PUBLISH")
    body = world.api.graphql(
        "query($at: String) { reviewsToModerate(first: 100, atLeast: $at)"
        " { edges { node { id status } } } }",
        {"at": str(world.api.ledger.head_position())},
        Role.AGENT,
    ).json()
    ids = [e["node"]["id"] for e in body["data"]["reviewsToModerate"]["edges"]]
    assert waiting in ids and decided not in ids


def test_a_stale_version_is_a_conflict_that_writes_nothing(world: World) -> None:
    """The moderator read version 1; an edit made it 2: CONCURRENCY_CONFLICT, nothing
    written."""
    first = review(world.api, world.stranger, sku="DESK-1")
    review(world.api, world.stranger, sku="DESK-1", text="Wobbles a bit.")
    head = world.api.ledger.head_position()
    payload = moderate(world.api, first["reviewId"], "PUBLISH", expectedVersion=1)
    assert [e["code"] for e in payload["userErrors"]] == ["CONCURRENCY_CONFLICT"]
    assert world.api.ledger.head_position() == head


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"decision": "REJECT"}, "reason"),
        ({"decision": "REJECT", "reason": "   "}, "reason"),
        ({"decision": "REJECT", "reason": "r" * 501}, "reason"),
        ({"decision": "PUBLISH", "reason": "Because."}, "reason"),
    ],
)
def test_a_bad_decision_is_a_typed_error_that_writes_nothing(
    world: World, fields: dict[str, Any], field: str
) -> None:
    """A rejection without a reason, a blank or overlong one, a reason to publish:
    INVALID_INPUT on reason, nothing written."""
    written = review(world.api, world.stranger, sku="CHAIR-1")
    head = world.api.ledger.head_position()
    payload = mutate(
        world.api, "moderateReview", {"reviewId": written["reviewId"], **fields},
        Role.ADMIN, "admin-1", PAYLOAD,
    )  # fmt: skip
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID_INPUT", ["input", field])
    ]
    assert world.api.ledger.head_position() == head


def test_moderating_an_unknown_review_is_not_found(world: World) -> None:
    """REVIEW_NOT_FOUND, nothing written."""
    head = world.api.ledger.head_position()
    payload = moderate(world.api, "00000000-0000-4000-8000-000000000000", "PUBLISH")
    assert [e["code"] for e in payload["userErrors"]] == ["REVIEW_NOT_FOUND"]
    assert world.api.ledger.head_position() == head


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": -2147483648}, "rating"),
        ({"title": "  "}, "title"),
        ({"title": "t" * 121}, "title"),
        ({"title": "a\u200bb"}, "title"),
        ({"text": ""}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"text": "bell\u0007"}, "text"),
        ({"text": "hidden\u202eevil"}, "text"),
        ({"sku": ""}, "sku"),
        ({"sku": "x" * 65}, "sku"),
        ({"sku": "ΚΑΦΕ"}, "sku"),
        ({"sku": "a'; DROP TABLE product_reviews; --"}, "sku"),
    ],
)
def test_bad_input_is_a_typed_error_that_writes_nothing(
    world: World, fields: dict[str, Any], field: str
) -> None:
    """Ratings outside 1-5, blank, overlong or control/format characters in title and text,
    a malformed sku: INVALID_INPUT on that field, nothing written, never a 500."""
    head = world.api.ledger.head_position()
    payload = review(world.api, world.buyer, **fields)
    assert payload["review"] is None and payload["position"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID_INPUT", ["input", field])
    ]
    assert world.api.ledger.head_position() == head


def test_a_malformed_sku_in_a_query_is_a_typed_error(world: World) -> None:
    """productReviews and productRating refuse a malformed sku with BAD_REQUEST."""
    for query in (
        '{ productReviews(sku: "no spaces") { edges { cursor } } }',
        '{ productRating(sku: "no spaces") { count } }',
    ):
        body = world.api.graphql(query).json()
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_REQUEST"], body


def test_a_text_keeps_its_paragraphs(world: World) -> None:
    """Newlines between paragraphs stay; spaces inside a line collapse."""
    payload = review(world.api, world.buyer, sku="PEN-1", text="First  part.\nSecond part.")
    assert payload["review"]["text"] == "First part.\nSecond part."


def test_the_reviewers_data_export_holds_their_reviews_and_orders_of_products(
    world: World,
) -> None:
    """exportCustomerData (right of access): the review's rows and the order's skus."""
    review(world.api, world.buyer, sku="SCARF-1", text="Soft and warm.")
    body = world.api.graphql(
        "mutation($i: ExportCustomerDataInput!) { exportCustomerData(input: $i)"
        " { document userErrors { code } } }",
        {"i": {"customerId": world.buyer, "reason": "access request #7"}},
        Role.PRIVACY_OFFICER,
        "po-1",
    ).json()
    rows = body["data"]["exportCustomerData"]["document"]["sections"]["read_models"]
    reviews = rows["product_reviews"]
    assert "Soft and warm." in {r["body"] for r in reviews["product_reviews"]}
    assert {r["sku"] for r in reviews["review_order_skus"]} == {"MUG-1", SKU}


def read_review(api: LiveApi, review_id: str, role: Role | None, subject: str) -> Any:
    body = api.graphql(
        f"query($id: UUID!, $at: String) {{ review(id: $id, atLeast: $at) {{ {REVIEW} }} }}",
        {"id": review_id, "at": str(api.ledger.head_position())},
        role,
        subject,
    ).json()
    assert "errors" not in body, body
    return body["data"]["review"]


def test_the_author_reads_the_rejection_and_nobody_else_but_staff(world: World) -> None:
    """A rejected review: its author and an agent read it with the reason; another customer
    and an anonymous caller read null. Once published, everyone reads it."""
    written = review(world.api, world.stranger, sku="VASE-1")["reviewId"]
    moderate(world.api, written, "REJECT", reason="Please keep it about the vase.")
    mine = read_review(world.api, written, Role.CUSTOMER, world.stranger)
    assert (mine["status"], mine["rejectionReason"]) == (
        "REJECTED",
        "Please keep it about the vase.",
    )
    assert read_review(world.api, written, Role.AGENT, "agent-1")["status"] == "REJECTED"
    assert read_review(world.api, written, Role.CUSTOMER, world.buyer) is None
    assert read_review(world.api, written, None, "anonymous") is None
    moderate(world.api, written, "PUBLISH")
    assert read_review(world.api, written, None, "anonymous")["status"] == "PUBLISHED"
