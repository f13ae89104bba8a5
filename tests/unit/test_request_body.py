"""The GraphQL endpoint reads a request's body from its ASGI messages: one message as it
comes, several joined in order, refused with 413 as soon as they pass the limit (not read
further), and a client that leaves mid-body is a ClientDisconnect, as Request.stream said."""

from __future__ import annotations

import asyncio

import pytest
from starlette.requests import ClientDisconnect, Request
from starlette.types import Message

from graphql_api.http import RequestError, _read_body


def _request(*messages: Message) -> tuple[Request, list[Message]]:
    pending = list(messages)

    async def receive() -> Message:
        return pending.pop(0)

    scope = {"type": "http", "method": "POST", "path": "/graphql", "headers": []}
    return Request(scope, receive), pending


def _part(body: bytes, more: bool) -> Message:
    return {"type": "http.request", "body": body, "more_body": more}


def test_a_body_in_one_message_is_read_whole() -> None:
    request, _ = _request(_part(b'{"query": "{ a }"}', more=False))
    assert asyncio.run(_read_body(request, 100)) == b'{"query": "{ a }"}'


def test_a_body_in_several_messages_is_joined_in_order() -> None:
    request, pending = _request(_part(b"ab", True), _part(b"", True), _part(b"cd", False))
    assert asyncio.run(_read_body(request, 100)) == b"abcd"
    assert not pending


def test_a_body_past_the_limit_is_refused_without_reading_the_rest() -> None:
    request, pending = _request(_part(b"a" * 6, True), _part(b"b" * 6, True), _part(b"c", False))
    with pytest.raises(RequestError) as refused:
        asyncio.run(_read_body(request, 10))
    assert refused.value.status == 413
    assert len(pending) == 1  # the last message was never asked for


def test_a_single_message_past_the_limit_is_refused() -> None:
    request, _ = _request(_part(b"a" * 11, False))
    with pytest.raises(RequestError) as refused:
        asyncio.run(_read_body(request, 10))
    assert refused.value.status == 413


def test_a_client_leaving_mid_body_is_a_disconnect() -> None:
    request, _ = _request(_part(b"ab", True), {"type": "http.disconnect"})
    with pytest.raises(ClientDisconnect):
        asyncio.run(_read_body(request, 100))
