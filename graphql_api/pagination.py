"""Relay cursor helpers and page types shared by every connection."""

from __future__ import annotations

import base64
import binascii

import strawberry

from graphql_api.errors import PublicError

MAX_PAGE_SIZE = 100


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
