"""PlainFieldExecutor's resolver helpers hold it weakly: a request's executor, and all it holds,
is freed when the request ends, not by the cyclic collector; the helpers work as before."""

from __future__ import annotations

import asyncio
import gc
import inspect
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
import strawberry
from strawberry.types.execution import ExecutionResult

from graphql_api.plain_fields import PlainFieldExecutor

EXECUTORS: list[weakref.ref[PlainFieldExecutor]] = []
KEPT_INFOS: list[strawberry.Info] = []
SETTLED: list[str] = []


def helpers(info: strawberry.Info) -> Any:
    """graphql-core's helpers of the resolve info strawberry wraps."""
    return info._raw_info.async_helpers


class RecordingExecutor(PlainFieldExecutor):
    """Remembers, weakly, each executor made."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        EXECUTORS.append(weakref.ref(self))


async def _value(value: int) -> int:
    await asyncio.sleep(0)
    return value


async def _fails() -> None:
    await asyncio.sleep(0)
    SETTLED.append("failed")
    raise RuntimeError("tracked work failed")


async def _records(label: str) -> None:
    await asyncio.sleep(0)
    SETTLED.append(label)


@strawberry.type
class Item:
    name: str


@strawberry.type
class Query:
    @strawberry.field
    async def total(self, info: strawberry.Info) -> int:
        return sum(await helpers(info).gather([_value(1), _value(2), _value(3)]))

    @strawberry.field
    async def tracked(self, info: strawberry.Info) -> str:
        helpers(info).track([_fails(), "not awaitable"])
        return "done"

    @strawberry.field
    async def kept(self, info: strawberry.Info) -> str:
        KEPT_INFOS.append(info)
        return "kept"

    @strawberry.field
    async def item(self) -> Item:
        return Item(name="a")


SCHEMA = strawberry.Schema(query=Query, execution_context_class=RecordingExecutor)


@pytest.fixture(autouse=True)
def no_cyclic_collection() -> Iterator[None]:
    """What the tests see must be freed by reference counting alone."""
    EXECUTORS.clear()
    KEPT_INFOS.clear()
    SETTLED.clear()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def execute(query: str) -> dict[str, Any]:
    async def executed() -> ExecutionResult:
        result = await SCHEMA.execute(query)
        for _ in range(5):  # work left in the background gets turns to settle
            await asyncio.sleep(0)
        return result

    result = asyncio.run(executed())
    assert not result.errors, result.errors
    assert isinstance(result.data, dict)
    return result.data


def test_the_executor_is_freed_when_the_request_ends() -> None:
    """Before, the helpers were bound methods the executor held: a cycle that kept the
    executor (and the request's context, variables and errors) until a collection."""
    assert execute("{ total item { name } }") == {"total": 6, "item": {"name": "a"}}
    assert len(EXECUTORS) == 1
    assert EXECUTORS[0]() is None


def test_gather_awaits_every_value_in_order() -> None:
    assert execute("{ total }") == {"total": 6}


def test_tracked_work_is_settled_and_its_failure_observed() -> None:
    assert execute("{ tracked }") == {"tracked": "done"}
    assert SETTLED == ["failed"]  # run to its end in the background
    assert EXECUTORS[0]() is None


def test_work_tracked_after_the_request_is_still_settled() -> None:
    """A resolver that keeps its info past the request: its executor is gone, but what it
    tracks then is still run to its end (and a failure there is not raised to the caller)."""
    assert execute("{ kept }") == {"kept": "kept"}
    assert EXECUTORS[0]() is None
    (info,) = KEPT_INFOS

    async def later() -> None:
        helpers(info).track([_records("late"), _fails(), 42])
        for _ in range(5):
            await asyncio.sleep(0)

    asyncio.run(later())
    assert sorted(SETTLED) == ["failed", "late"]


def test_work_tracked_after_the_request_without_a_loop_is_closed() -> None:
    """With no event loop running nothing could ever run it: a coroutine is closed (as
    graphql-core's executor closes it), not left to warn that it was never awaited."""
    assert execute("{ kept }") == {"kept": "kept"}
    (info,) = KEPT_INFOS
    orphan = _records("never")
    helpers(info).track([orphan, 42])
    assert inspect.getcoroutinestate(orphan) == inspect.CORO_CLOSED
    assert SETTLED == []
