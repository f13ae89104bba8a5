"""Relay cursor helpers and page types shared by every connection."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Protocol, TypeVar

import strawberry

from graphql_api.errors import PublicError

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
V_co = TypeVar("V_co", covariant=True)

# The paging arguments of a connection, described once for every connection that takes them.
FirstArgument = Annotated[
    int | None,
    strawberry.argument(
        description="Page forward: this many items, 1 to 100 (20 when neither first nor last "
        "is given). Not with last or before."
    ),
]
AfterArgument = Annotated[
    str | None,
    strawberry.argument(description="Page forward from this cursor (the last page's endCursor)."),
]
LastArgument = Annotated[
    int | None,
    strawberry.argument(
        description="Page backward: the last this many items, 1 to 100 (20 when only before "
        "is given). Not with first or after."
    ),
]
# Customer 360's lists show 10 items unless asked otherwise.
FirstOfTenArgument = Annotated[
    int | None,
    strawberry.argument(
        description="Page forward: this many items, 1 to 100 (10 when neither first nor last "
        "is given). Not with last or before."
    ),
]
LastOfTenArgument = Annotated[
    int | None,
    strawberry.argument(
        description="Page backward: the last this many items, 1 to 100 (10 when only before "
        "is given). Not with first or after."
    ),
]
BeforeArgument = Annotated[
    str | None,
    strawberry.argument(
        description="Page backward from this cursor (the next page's startCursor): the items "
        "just before it."
    ),
]


@strawberry.type(description="Relay page information.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last item.")


_URL_SAFE = bytes.maketrans(b"+/", b"-_")


def encode_cursor(kind: str, position: int) -> str:
    # base64.urlsafe_b64encode's bytes, without its two Python calls per cursor (a page
    # makes one cursor per edge, whether or not the client asks for it).
    return (
        binascii.b2a_base64(f"{kind}:{position}".encode(), newline=False)
        .translate(_URL_SAFE)
        .decode()
    )


def decode_cursor(kind: str, cursor: str | None, argument: str = "after") -> int:
    """The position inside an opaque cursor; 0 for the first page. ``argument`` names the
    argument the cursor came in, for the client's error message."""
    if cursor is None:
        return 0
    try:
        prefix, _, number = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        position = int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise PublicError(f"`{argument}` is not a cursor this API gave out", "BAD_CURSOR") from None
    if prefix != kind or position < 0:
        raise PublicError(f"`{argument}` is not a cursor this API gave out", "BAD_CURSOR")
    return position


def check_page_size(first: int, argument: str = "first") -> int:
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise PublicError(f"`{argument}` must be between 1 and {MAX_PAGE_SIZE}", "BAD_PAGE_SIZE")
    return first


@dataclass(frozen=True, slots=True)
class PageRequest:
    """What a client asked a connection for, checked. Forward: ``size`` items after the
    position ``cursor`` (None: from the start). Backward: the ``size`` items just before
    ``cursor`` (None: the last ones), still returned in the connection's order."""

    size: int
    cursor: int | None
    backward: bool
    given_cursor: str | None
    """The cursor as the client sent it, kept so that the page can say what lies beyond."""


def page_request(
    kind: str,
    *,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
    default_size: int = DEFAULT_PAGE_SIZE,
) -> PageRequest:
    """Check Relay's paging arguments: ``first``/``after`` page forward, ``last``/``before``
    backward. Mixing the two directions is refused (BAD_REQUEST) rather than guessed at, as
    is a size outside 1..100 (BAD_PAGE_SIZE) or a cursor this API did not give out for this
    connection (BAD_CURSOR). Neither size given: the first ``default_size`` (or the last
    ``default_size`` before ``before``)."""
    if (first is not None or after is not None) and (last is not None or before is not None):
        raise PublicError(
            "page forward with `first`/`after` or backward with `last`/`before`, not both",
            "BAD_REQUEST",
        )
    if last is not None or before is not None:
        size = default_size if last is None else check_page_size(last, "last")
        cursor = None if before is None else decode_cursor(kind, before, "before")
        return PageRequest(size, cursor, backward=True, given_cursor=before)
    size = default_size if first is None else check_page_size(first)
    cursor = None if after is None else decode_cursor(kind, after)
    return PageRequest(size, cursor, backward=False, given_cursor=after)


V = TypeVar("V")
C = TypeVar("C")


class Page(Protocol[V_co]):
    """A page as the read models' queries return it."""

    @property
    def items(self) -> Sequence[V_co]: ...

    @property
    def has_next_page(self) -> bool: ...


def connection(
    connection_type: Callable[..., C],
    edge_type: Callable[..., object],
    kind: str,
    page: Page[V],
    node: Callable[[V], object],
    *,
    after: str | None,
    position: Callable[[V], int],
    request: PageRequest | None = None,
    **extra: object,
) -> C:
    """A Relay connection of ``page``: an edge per item (its cursor made of ``kind`` and the
    item's ``position``), and where the page lies (a page asked for with a cursor has items
    before it). ``extra`` holds the connection's other fields, such as a total count.

    Given a backward ``request`` (``last``/``before``), the page's items are in the
    connection's order and its ``has_next_page`` says whether more lie before them (the
    direction it was read in); items after it exist when it was asked for with ``before``."""
    edges: list[Any] = [
        edge_type(cursor=encode_cursor(kind, position(item)), node=node(item))
        for item in page.items
    ]
    page_info = page_info_of(
        page.has_next_page,
        request,
        after=after,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return connection_type(edges=edges, page_info=page_info, **extra)


def page_info_of(
    has_next_page: bool,
    request: PageRequest | None,
    *,
    after: str | None,
    start_cursor: str | None,
    end_cursor: str | None,
) -> PageInfo:
    """Where a page lies (see ``connection``): ``has_next_page`` as the page was read, in
    ``request``'s direction; a page asked for with a cursor has items on that side."""
    backward = request is not None and request.backward
    cursor_given = (request.given_cursor if request is not None else after) is not None
    return PageInfo(
        has_next_page=cursor_given if backward else has_next_page,
        has_previous_page=has_next_page if backward else cursor_given,
        start_cursor=start_cursor,
        end_cursor=end_cursor,
    )
