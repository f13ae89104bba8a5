"""The pieces every slice of the API is built from: the payload of a refused mutation, the
`atLeast` position, Relay connections, and GraphQL enums made from the domain's."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

import pytest
import strawberry

from domain.shared.errors import ConcurrencyConflictError, ValidationError
from graphql_api.enums import graphql_enum
from graphql_api.errors import PublicError, UserError
from graphql_api.mutation import Payload
from graphql_api.notices import Notice
from graphql_api.pagination import (
    PageInfo,
    PageRequest,
    connection,
    decode_cursor,
    encode_cursor,
    page_request,
)
from graphql_api.read_your_writes import MAX_POSITION, position_of


@strawberry.type(description="A payload for the test.")
class ThingPayload(Payload):
    thing: str | None = strawberry.field(description="The thing.")
    thing_id: UUID | None = strawberry.field(default=None, description="Its id.")
    position: str | None = strawberry.field(description="Where.")
    user_errors: list[UserError] = strawberry.field(description="Why not.")
    notices: list[Notice] = strawberry.field(default_factory=list, description="Notices.")


def test_a_refused_payload_shows_nothing_but_the_refusal() -> None:
    refused = ThingPayload.refused(ValidationError("too long", field="name.first"))
    assert (refused.thing, refused.thing_id, refused.position, refused.notices) == (
        None,
        None,
        None,
        [],
    )
    assert [(e.field, e.code, e.message) for e in refused.user_errors] == [
        (["input", "name", "first"], "INVALID_INPUT", "too long")
    ]


def test_a_refused_payload_carries_the_current_version_of_a_conflict() -> None:
    refused = ThingPayload.refused(ConcurrencyConflictError("moved on", current_version=7))
    assert [(e.code, e.current_version) for e in refused.user_errors] == [
        ("CONCURRENCY_CONFLICT", 7)
    ]


@pytest.mark.parametrize("given", ["0", "1", "42", str(MAX_POSITION)])
def test_at_least_takes_every_log_position(given: str) -> None:
    assert position_of(given) == int(given)


@pytest.mark.parametrize(
    "given", ["", "soon", "-1", "1.5", " 1", "١٢", str(MAX_POSITION + 1), "9" * 40]
)
def test_at_least_that_is_no_log_position_is_a_bad_position(given: str) -> None:
    with pytest.raises(PublicError) as refused:
        position_of(given)
    assert refused.value.extensions == {"code": "BAD_POSITION"}


@dataclass(frozen=True)
class Row:
    seq: int
    name: str


@dataclass(frozen=True)
class RowPage:
    items: list[Row]
    has_next_page: bool


@strawberry.type(description="An edge.")
class RowEdge:
    cursor: str = strawberry.field(description="Cursor.")
    node: str = strawberry.field(description="Node.")


@strawberry.type(description="A connection.")
class RowConnection:
    edges: list[RowEdge] = strawberry.field(description="Edges.")
    page_info: PageInfo = strawberry.field(description="Page info.")


def rows(page: RowPage, after: str | None) -> RowConnection:
    return connection(
        RowConnection, RowEdge, "row", page, lambda r: r.name, after=after, position=lambda r: r.seq
    )


def test_a_connection_pages_its_items_with_cursors_of_their_positions() -> None:
    page = rows(RowPage([Row(3, "c"), Row(5, "e")], has_next_page=True), after=None)
    assert [e.node for e in page.edges] == ["c", "e"]
    assert [decode_cursor("row", e.cursor) for e in page.edges] == [3, 5]
    assert page.page_info == PageInfo(
        has_next_page=True,
        has_previous_page=False,
        start_cursor=page.edges[0].cursor,
        end_cursor=page.edges[1].cursor,
    )


def test_a_page_asked_for_after_a_cursor_has_items_before_it() -> None:
    first = rows(RowPage([Row(1, "a")], has_next_page=True), after=None)
    second = rows(RowPage([], has_next_page=False), after=first.page_info.end_cursor)
    assert second.page_info == PageInfo(
        has_next_page=False, has_previous_page=True, start_cursor=None, end_cursor=None
    )


class Colour(StrEnum):
    RED = "red"
    GREEN = "green"


def test_a_domain_enum_is_the_graphql_enum_with_a_description_per_value() -> None:
    graphql_enum(Colour, "Colour", "A colour.", {Colour.RED: "Stop.", Colour.GREEN: "Go."})

    @strawberry.type(description="The root.")
    class Query:
        @strawberry.field(description="A colour.")
        def colour(self, given: Colour) -> Colour:
            return given

    schema = strawberry.Schema(query=Query)
    assert '"""Go."""\n  GREEN' in schema.as_str()
    assert schema.execute_sync("{ colour(given: GREEN) }").data == {"colour": "GREEN"}


class Signal(StrEnum):
    WAIT = "wait"
    WALK = "walk"


def test_a_graphql_enum_with_a_value_left_undescribed_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match="Signal lacks a description for WALK"):
        graphql_enum(Signal, "Signal", "A signal.", {Signal.WAIT: "Stand still."})


def test_a_page_request_without_sizes_is_the_first_twenty_forward() -> None:
    assert page_request("row", first=None, after=None) == PageRequest(
        20, None, backward=False, given_cursor=None
    )


def test_a_page_request_with_last_and_before_reads_backward_from_the_cursor() -> None:
    before = encode_cursor("row", 7)
    assert page_request("row", first=None, after=None, last=3, before=before) == PageRequest(
        3, 7, backward=True, given_cursor=before
    )


def test_a_page_request_with_before_alone_reads_the_twenty_before_it() -> None:
    request = page_request("row", first=None, after=None, before=encode_cursor("row", 7))
    assert (request.size, request.cursor, request.backward) == (20, 7, True)


@pytest.mark.parametrize(
    "arguments",
    [
        {"first": 2, "last": 2},
        {"first": 2, "before": encode_cursor("row", 1)},
        {"after": encode_cursor("row", 1), "last": 2},
        {"after": encode_cursor("row", 1), "before": encode_cursor("row", 3)},
    ],
)
def test_a_page_request_mixing_forward_and_backward_is_a_bad_request(
    arguments: dict[str, Any],
) -> None:
    with pytest.raises(PublicError) as refused:
        page_request("row", **{"first": None, "after": None, **arguments})
    assert refused.value.extensions == {"code": "BAD_REQUEST"}


@pytest.mark.parametrize("last", [0, -1, 101])
def test_a_page_request_with_last_outside_1_to_100_names_last(last: int) -> None:
    with pytest.raises(PublicError, match="`last` must be between 1 and 100") as refused:
        page_request("row", first=None, after=None, last=last)
    assert refused.value.extensions == {"code": "BAD_PAGE_SIZE"}


@pytest.mark.parametrize("before", ["not-a-cursor", encode_cursor("other", 1)])
def test_a_page_request_with_a_before_it_did_not_give_out_names_before(before: str) -> None:
    with pytest.raises(PublicError, match="`before` is not a cursor") as refused:
        page_request("row", first=None, after=None, before=before)
    assert refused.value.extensions == {"code": "BAD_CURSOR"}


def backward_rows(page: RowPage, before: str | None) -> RowConnection:
    request = page_request("row", first=None, after=None, last=2, before=before)
    return connection(
        RowConnection,
        RowEdge,
        "row",
        page,
        lambda r: r.name,
        after=None,
        position=lambda r: r.seq,
        request=request,
    )


def test_a_backward_page_with_more_before_it_has_previous_and_no_next_page() -> None:
    page = backward_rows(RowPage([Row(4, "d"), Row(5, "e")], has_next_page=True), before=None)
    assert [e.node for e in page.edges] == ["d", "e"]
    assert page.page_info == PageInfo(
        has_next_page=False,
        has_previous_page=True,
        start_cursor=page.edges[0].cursor,
        end_cursor=page.edges[1].cursor,
    )


def test_a_backward_page_asked_for_before_a_cursor_has_a_next_page() -> None:
    before = encode_cursor("row", 3)
    page = backward_rows(RowPage([Row(1, "a"), Row(2, "b")], has_next_page=False), before)
    assert page.page_info.has_next_page and not page.page_info.has_previous_page


def test_cursors_are_url_safe_base64_of_kind_and_position() -> None:
    """The same text as base64.urlsafe_b64encode, including the characters it replaces
    ('-' and '_' for '+' and '/'), and each read back to its position."""
    seen: set[str] = set()
    for kind in ["customer", "row", "ticket-event", "ü>?", "???"]:
        for position in [*range(0, 3000, 7), 2**31, 2**63 - 1]:
            cursor = encode_cursor(kind, position)
            assert cursor == base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode()
            assert decode_cursor(kind, cursor) == position
            seen.update(cursor)
    assert {"-", "_"} <= seen, "the replaced characters were exercised"
