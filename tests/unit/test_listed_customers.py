"""A list page's customers and edges read from the directory's rows (``ListedCustomer``,
``ListedEdge``) answer every field as ``CustomerType.of`` and ``pagination.connection`` did,
for every reader: personal fields null unless the reader may see them, erased rows null for
everyone, cursors the same text, and the same GraphQL answers through both executors."""

from __future__ import annotations

from dataclasses import astuple, fields, replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
import strawberry
from graphql import execute, parse
from strawberry.types.base import get_object_definition

from domain.shared.metadata import Role
from graphql_api.auth import Principal
from graphql_api.customers.resolvers import _page_info
from graphql_api.customers.types import (
    CURSOR_KIND,
    CustomerConnection,
    CustomerEdge,
    CustomerType,
    ListedConnection,
    ListedCustomer,
    ListedEdge,
    listed_edges,
)
from graphql_api.pagination import (
    PageInfo,
    PageRequest,
    connection,
    decode_cursor,
    encode_cursor,
)
from graphql_api.plain_fields import PlainFieldExecutor
from graphql_api.scalars import SCALARS
from projections.customers.queries import VIEW_FIELDS, CustomerPage, CustomerView

SUBJECT = UUID("00000000-0000-4000-8000-000000000001")
OTHER = UUID("00000000-0000-4000-8000-000000000002")
AT = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def view(customer_id: UUID, seq: int, *, erased: bool = False) -> CustomerView:
    return CustomerView(
        customer_id=customer_id,
        seq=seq,
        name=None if erased else f"Name {seq}",
        email=None if erased else f"{seq}@example.com",
        phone=None if erased else "+1555",
        region="north",
        personal_data_erased=erased,
        registered_at=AT,
        registered_by_role="agent",
        registered_through="api",
        version=seq + 1,
        onboarding_state="in_progress",
        purchase_count=seq,
        last_purchase_at=AT,
        erased_at=AT if erased else None,
    )


VIEWS = [view(SUBJECT, 3), view(OTHER, 5), view(OTHER, 8, erased=True), view(SUBJECT, 9)]
READERS = [
    Principal(actor_id="agent", role=Role.AGENT),
    Principal(actor_id="admin", role=Role.ADMIN),
    Principal(actor_id="analyst", role=Role.ANALYST),
    Principal(actor_id="auditor", role=Role.AUDITOR),
    Principal(actor_id="privacy", role=Role.PRIVACY_OFFICER),
    Principal(actor_id=str(SUBJECT), role=Role.CUSTOMER),
    Principal(actor_id=str(OTHER), role=Role.CUSTOMER),
    Principal.anonymous(),
]
PLAIN_FIELDS = [
    field.python_name
    for field in get_object_definition(CustomerType, strict=True).fields
    if field.base_resolver is None
]
"""The Customer fields ``of`` fills, ``view`` among them (the others are resolver methods,
which read ``view``)."""


def test_the_rows_columns_are_the_views_fields_in_order() -> None:
    assert tuple(field.name for field in fields(CustomerView)) == VIEW_FIELDS
    assert all(CustomerView(*astuple(v)) == v for v in VIEWS)


@pytest.mark.parametrize("reader", READERS, ids=lambda r: f"{r.role.value}-{r.actor_id}")
@pytest.mark.parametrize("row", VIEWS, ids=lambda v: f"seq{v.seq}")
def test_a_listed_customer_reads_each_field_as_of_fills_it(
    row: CustomerView, reader: Principal
) -> None:
    """Every field of the Customer type (personal ones included), and the view the Customer
    360 fields read, equal ``CustomerType.of``'s for that reader."""
    listed = ListedCustomer(astuple(row), reader)
    filled = CustomerType.of(row, reader)
    assert len(PLAIN_FIELDS) == 10 and "view" in PLAIN_FIELDS
    for name in PLAIN_FIELDS:
        assert getattr(listed, name) == getattr(filled, name), name
    assert isinstance(listed, CustomerType)
    assert listed.view is listed.view  # made once


def test_personal_fields_are_null_unless_the_reader_may_see_them() -> None:
    row = astuple(view(SUBJECT, 3))
    shown = [(ListedCustomer(row, r).name, ListedCustomer(row, r).email) for r in READERS]
    seen, hidden = ("Name 3", "3@example.com"), (None, None)
    # agent, admin, analyst, auditor, privacy officer, the customer, another, anonymous
    assert shown == [seen, seen, hidden, hidden, seen, seen, hidden, hidden]
    erased = ListedCustomer(astuple(view(OTHER, 8, erased=True)), READERS[0])
    assert (erased.name, erased.email, erased.phone, erased.personal_data_erased) == (
        None,
        None,
        None,
        True,
    )


def test_a_listed_edge_has_the_cursor_connection_made() -> None:
    edges = listed_edges([astuple(v) for v in VIEWS], READERS[0])
    assert [type(edge) for edge in edges] == [ListedEdge] * len(VIEWS)
    assert [edge.cursor for edge in edges] == [encode_cursor(CURSOR_KIND, v.seq) for v in VIEWS]
    assert [decode_cursor(CURSOR_KIND, edge.cursor) for edge in edges] == [v.seq for v in VIEWS]
    assert isinstance(edges[0], CustomerEdge)


@strawberry.type
class Directory:
    @strawberry.field
    def filled(self, info: strawberry.Info) -> CustomerConnection:
        return filled_page(info.context["reader"], info.context.get("views", VIEWS))

    @strawberry.field
    def listed(self, info: strawberry.Info) -> CustomerConnection:
        edges: Any = listed_edges([astuple(v) for v in VIEWS], info.context["reader"])
        page_info = filled_page(info.context["reader"]).page_info
        return CustomerConnection(edges=edges, page_info=page_info, count=_count)

    @strawberry.field
    def rows(self, info: strawberry.Info) -> CustomerConnection:
        page = ListedConnection(
            [astuple(v) for v in info.context.get("views", VIEWS)],
            info.context["reader"],
            lambda: filled_page(info.context["reader"]).page_info,
            _count,
        )
        info.context["pages"].append(page)
        return page


def filled_page(reader: Principal, views: list[CustomerView] = VIEWS) -> CustomerConnection:
    page = CustomerPage(items=views, has_next_page=True, total_count=None)
    return connection(
        CustomerConnection,
        CustomerEdge,
        CURSOR_KIND,
        page,
        lambda v: CustomerType.of(v, reader),
        after=None,
        position=lambda v: v.seq,
        request=PageRequest(20, None, backward=False, given_cursor=None),
        count=_count,
    )


async def _count() -> int:
    return len(VIEWS)


SCHEMA = strawberry.Schema(query=Directory, scalar_overrides=SCALARS)
DOCUMENTS = [
    "{ %s { edges { node { id name email region } } } }",
    "{ %s { pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor "
    "node { __typename id name email phone region personalDataErased erasedAt registeredAt "
    "version } } } }",
    "{ %s { edges { node { ... on Node { id } name } } } }",
]


@pytest.mark.parametrize("executor", [None, PlainFieldExecutor], ids=["graphql-core", "plain"])
@pytest.mark.parametrize("reader", READERS, ids=lambda r: f"{r.role.value}-{r.actor_id}")
@pytest.mark.parametrize("document", DOCUMENTS)
def test_a_listed_page_answers_as_the_filled_one(
    document: str, reader: Principal, executor: Any
) -> None:
    answers = []
    for field in ("filled", "listed"):
        result = execute(
            SCHEMA._schema,
            parse(document % field),
            context_value={"reader": reader, "pages": []},
            executor_class=executor,
        )
        assert not isinstance(result, type(None)) and not hasattr(result, "__await__")
        assert result.errors is None, result.errors
        assert result.data is not None
        answers.append(result.data[field])
    assert answers[0] == answers[1]


ROW_FIELDS = [
    "id",
    "name",
    "email",
    "phone",
    "region",
    "personalDataErased",
    "erasedAt",
    "registeredAt",
    "version",
]
"""The Customer fields a page program reads from the row (all ``of`` fills but ``view``)."""
SELECTIONS = [
    *([name] for name in ROW_FIELDS),
    *([a, b] for a in ROW_FIELDS for b in ROW_FIELDS if a != b),
    ["__typename", *ROW_FIELDS],
    [*reversed(ROW_FIELDS), "shown: name", "__typename"],
]
"""Each row field alone, every pair of them in both orders (72), all of them with
``__typename``, and all reversed with an alias."""
EDGE_SHAPES = [
    "edges { node { %s } }",
    "edges { cursor node { %s } __typename }",
    "pageInfo { endCursor } edges { __typename at: cursor node { %s } cursor }",
]


def answers(document: str, reader: Principal, views: list[CustomerView] = VIEWS) -> list[Any]:
    """``document`` over the filled page and over a ``ListedConnection`` of the same rows,
    through the plain executor: each answer's data and errors, and the listed page."""
    got = []
    for field in ("filled", "rows"):
        context: dict[str, Any] = {"reader": reader, "pages": [], "views": views}
        result = execute(
            SCHEMA._schema,
            parse(document.replace("FIELD", field)),
            context_value=context,
            executor_class=PlainFieldExecutor,
        )
        assert not hasattr(result, "__await__")
        errors = [(e.message, e.path) for e in result.errors or ()]
        got.append((result.data and result.data[field], errors, context["pages"]))
    return got


@pytest.mark.parametrize("reader", READERS, ids=lambda r: f"{r.role.value}-{r.actor_id}")
@pytest.mark.parametrize("shape", EDGE_SHAPES)
def test_a_page_completed_from_its_rows_answers_as_the_filled_one(
    shape: str, reader: Principal
) -> None:
    """For every reader, each row field alone and in every pair (both orders), all of them
    with ``__typename``, and three edge shapes (cursors, aliases, ``__typename``): the page
    completed from its rows (``complete_listed_edges``) has the filled page's data, keys in
    the same order, and made no edge object (its edges were never read)."""
    for selection in SELECTIONS:
        document = "{ FIELD { %s } }" % (shape % " ".join(selection))
        (filled, filled_errors, _), (listed, errors, pages) = answers(document, reader)
        assert errors == filled_errors == []
        assert listed == filled, document
        assert [list(edge) for edge in listed["edges"]] == [list(edge) for edge in filled["edges"]]
        assert [list(edge["node"]) for edge in listed["edges"]] == [
            list(edge["node"]) for edge in filled["edges"]
        ]
        assert pages[0]._edges is None, document  # completed from the rows


@pytest.mark.parametrize("reader", READERS[:1] + READERS[5:6])
def test_a_selection_without_a_page_program_reads_the_edges_and_answers_the_same(
    reader: Principal,
) -> None:
    """A fragment on the ``Node`` interface is merged into the node's selection (completed
    from the rows); a node selected twice under two keys has no page program, and the
    plans read the edges (``ListedEdge``): both answer as the filled page."""
    for document, from_rows in [
        ("{ FIELD { edges { node { ... on Node { id } name } } } }", True),
        ("{ FIELD { edges { node { id } other: node { name } } } }", False),
    ]:
        (filled, filled_errors, _), (listed, errors, pages) = answers(document, reader)
        assert errors == filled_errors == [] and listed == filled
        assert (pages[0]._edges is None) is from_rows, document


def test_a_value_a_plan_would_not_complete_goes_graphql_cores_way() -> None:
    """A row whose non-null field is null (``registeredAt``): the page gives up on its rows
    and graphql-core reports the same error at the same path as for the filled page."""
    broken = [VIEWS[0], replace(VIEWS[1], registered_at=None)]  # type: ignore[arg-type]
    document = "{ FIELD { edges { node { id registeredAt } } } }"
    (filled, filled_errors, _), (listed, errors, pages) = answers(document, READERS[0], broken)
    assert filled_errors and [m for m, _ in errors] == [m for m, _ in filled_errors]
    assert [p[1:] for _, p in errors] == [p[1:] for _, p in filled_errors]
    assert listed == filled
    assert pages[0]._edges is not None


def test_a_listed_pages_information_is_made_once_and_only_when_read() -> None:
    made: list[PageInfo] = []

    def page_info() -> PageInfo:
        made.append(filled_page(READERS[0]).page_info)
        return made[-1]

    page = ListedConnection([astuple(v) for v in VIEWS], READERS[0], page_info, _count)
    assert made == []  # a page asked for without its pageInfo never makes it
    first = page.page_info
    assert page.page_info is first is made[0]
    assert len(made) == 1


@pytest.mark.parametrize(
    ("request_", "after", "has_next"),
    [
        (PageRequest(20, None, backward=False, given_cursor=None), None, True),
        (PageRequest(2, 3, backward=False, given_cursor="x"), "x", False),
        (PageRequest(2, None, backward=True, given_cursor=None), None, True),
        (PageRequest(2, 9, backward=True, given_cursor="y"), None, False),
    ],
)
def test_the_resolvers_page_information_is_the_connections(
    request_: PageRequest, after: str | None, has_next: bool
) -> None:
    """``customers``' page information, made when read, is what ``connection`` makes of the
    same rows (the cursors of the first and last, where the page lies); none for no rows."""
    views = VIEWS[:2] if request_.size == 2 else VIEWS
    expected = connection(
        CustomerConnection,
        CustomerEdge,
        CURSOR_KIND,
        CustomerPage(items=views, has_next_page=has_next, total_count=None),
        lambda v: CustomerType.of(v, READERS[0]),
        after=after,
        position=lambda v: v.seq,
        request=request_,
        count=_count,
    ).page_info
    assert _page_info([astuple(v) for v in views], has_next, request_, after) == expected
    empty = _page_info([], has_next, request_, after)
    assert (empty.start_cursor, empty.end_cursor) == (None, None)
    assert (empty.has_next_page, empty.has_previous_page) == (
        expected.has_next_page,
        expected.has_previous_page,
    )
