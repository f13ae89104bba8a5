"""Relay cursor helpers and page types shared by every connection."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

import strawberry

from graphql_api.errors import PublicError

MAX_PAGE_SIZE = 100
V_co = TypeVar("V_co", covariant=True)


@strawberry.type(description="Relay page information.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last item.")


def encode_cursor(kind: str, position: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode()


def decode_cursor(kind: str, cursor: str | None) -> int:
    """The position inside an opaque cursor; 0 for the first page."""
    if cursor is None:
        return 0
    try:
        prefix, _, number = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        position = int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise PublicError("`after` is not a cursor this API gave out", "BAD_CURSOR") from None
    if prefix != kind or position < 0:
        raise PublicError("`after` is not a cursor this API gave out", "BAD_CURSOR")
    return position


def check_page_size(first: int) -> int:
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise PublicError(f"`first` must be between 1 and {MAX_PAGE_SIZE}", "BAD_PAGE_SIZE")
    return first


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
    **extra: object,
) -> C:
    """A Relay connection of ``page``: an edge per item (its cursor made of ``kind`` and the
    item's ``position``), and where the page lies (a page asked for with a cursor has items
    before it). ``extra`` holds the connection's other fields, such as a total count."""
    edges: list[Any] = [
        edge_type(cursor=encode_cursor(kind, position(item)), node=node(item))
        for item in page.items
    ]
    page_info = PageInfo(
        has_next_page=page.has_next_page,
        has_previous_page=after is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return connection_type(edges=edges, page_info=page_info, **extra)
