"""The phases of a request run their extensions' hooks as strawberry's ExitStack did: entered in
order, left in reverse, each left with the exception then propagating, which a hook may
suppress or replace (graphql_api.extension_phases)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
import strawberry
from strawberry.extensions import SchemaExtension

from graphql_api.extension_phases import Phase
from graphql_api.schema import LedgerSchema


@strawberry.type
class _Query:
    @strawberry.field
    def hello(self) -> str:
        return "hi"


class _Recorder(SchemaExtension):
    def __init__(self, name: str, log: list[str], on_error: str = "pass") -> None:
        self.name, self.log, self.on_error = name, log, on_error

    def on_execute(self) -> Iterator[None]:
        self.log.append(f"enter {self.name}")
        try:
            yield
        except ValueError:
            self.log.append(f"{self.name} saw ValueError")
            if self.on_error == "replace":
                raise KeyError(self.name) from None
            if self.on_error == "pass":
                raise
            return  # suppress
        self.log.append(f"leave {self.name}")


def _phase(*extensions: _Recorder) -> Phase:
    return Phase([(extension, type(extension).on_execute) for extension in extensions])


def test_hooks_are_entered_in_order_and_left_in_reverse() -> None:
    log: list[str] = []
    with _phase(_Recorder("a", log), _Recorder("b", log)):
        log.append("body")
    assert log == ["enter a", "enter b", "body", "leave b", "leave a"]


def test_an_exception_reaches_every_hook_and_propagates() -> None:
    log: list[str] = []
    with pytest.raises(ValueError), _phase(_Recorder("a", log), _Recorder("b", log)):
        raise ValueError
    assert log == ["enter a", "enter b", "b saw ValueError", "a saw ValueError"]


def test_a_hook_that_suppresses_spares_the_hooks_outside_it() -> None:
    log: list[str] = []
    with _phase(_Recorder("a", log), _Recorder("b", log, on_error="suppress")):
        raise ValueError
    assert log == ["enter a", "enter b", "b saw ValueError", "leave a"]


def test_a_hook_that_replaces_the_exception_propagates_the_new_one() -> None:
    log: list[str] = []
    with pytest.raises(KeyError), _phase(_Recorder("a", log), _Recorder("b", log, "replace")):
        raise ValueError
    assert log == ["enter a", "enter b", "b saw ValueError"]


def test_a_hook_failing_on_entry_leaves_the_hooks_entered_before_it() -> None:
    log: list[str] = []

    class Failing(_Recorder):
        def on_execute(self) -> Iterator[None]:
            raise ValueError
            yield  # a generator function

    with pytest.raises(ValueError), _phase(_Recorder("a", log), Failing("f", log)):
        log.append("body")
    assert log == ["enter a", "a saw ValueError"]


def test_a_phase_with_an_async_hook_is_left_to_strawberry() -> None:
    log: list[str] = []

    class AsyncHook(SchemaExtension):
        async def on_execute(self) -> AsyncIterator[None]:
            log.append("async enter")
            yield
            log.append("async leave")

    schema = LedgerSchema(query=_Query, extensions=[AsyncHook])  # its runner is PhaseRunner
    result = asyncio.run(schema.execute("{ hello }"))
    assert result.data == {"hello": "hi"} and log == ["async enter", "async leave"]


def test_results_come_from_the_extensions_that_have_them() -> None:
    """A response's extensions merge every extension's own results, sync and async, in the
    extensions' order, then the context's; one without get_results adds nothing."""

    class Sync(SchemaExtension):
        def get_results(self) -> dict[str, object]:
            return {"sync": 1, "shared": "sync"}

    class Async(SchemaExtension):
        async def get_results(self) -> dict[str, object]:
            return {"async": 2, "shared": "async"}

    class Silent(SchemaExtension):
        def on_execute(self) -> Iterator[None]:
            self.execution_context.extensions_results["context"] = 3
            yield

    schema = LedgerSchema(
        query=_Query, extensions=[Sync, Silent, Async]
    )  # its runner is PhaseRunner
    result = asyncio.run(schema.execute("{ hello }"))
    assert result.extensions == {"sync": 1, "shared": "async", "async": 2, "context": 3}
