"""Schema extensions entered and left in each phase of a request without strawberry's per-request
wrapping.

For every phase of every request strawberry looked up each extension's hook, wrapped each one
found in ``contextlib.contextmanager`` (a new function with ``functools.wraps``) and entered
them on an ``ExitStack``: about a fifth of the CPU of ``{ __typename }``. Here which hooks a
class has is found once per class, and a phase drives its hooks' generators directly, with the
semantics of an ``ExitStack`` of ``contextmanager``s: hooks are entered in order and left in
reverse, each left with the exception then propagating (which it may suppress or replace).
One difference: a hook that raises while the phase is entered leaves the hooks entered before
it with that exception (as ``with`` statements would), where strawberry abandoned them.

Only hooks that are plain generator functions (every one of this API's) take this path; a
phase with any other kind of hook (a coroutine, an async generator) is left to strawberry.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Generator, Iterator
from types import TracebackType
from typing import Any, cast

from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    ValidationContextManager,
)
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext
from strawberry.utils.await_maybe import await_maybe

Hook = Callable[[Any], Iterator[None]]
"""A phase hook: a generator function of the extension, entered at its ``yield``."""

_HOOKS: dict[tuple[type[SchemaExtension], str], Hook | None] = {}


class _UnsupportedHookError(Exception):
    """A hook this module does not drive itself (strawberry's manager runs the phase)."""


def _hook(extension_class: type[SchemaExtension], name: str) -> Hook | None:
    """The class's own hook for phase ``name``; None when it keeps the base class's no-op;
    _UnsupportedHookError when the hook is not a generator function."""
    key = (extension_class, name)
    if key not in _HOOKS:
        hook = getattr(extension_class, name)
        if hook is getattr(SchemaExtension, name):
            _HOOKS[key] = None
        elif inspect.isgeneratorfunction(hook):
            _HOOKS[key] = hook
        else:
            raise _UnsupportedHookError(name)
    return _HOOKS[key]


class Phase:
    """One phase's hooks, usable with ``with`` and ``async with`` as strawberry's managers."""

    __slots__ = ("_entered", "_hooks")

    def __init__(self, hooks: list[tuple[SchemaExtension, Hook]]) -> None:
        self._hooks = hooks
        self._entered: list[Generator[None, None, None]] = []

    def __enter__(self) -> None:
        for extension, hook in self._hooks:
            generator = cast(Generator[None, None, None], hook(extension))
            try:
                try:
                    next(generator)
                except StopIteration:
                    raise RuntimeError("generator didn't yield") from None
            except BaseException as raised:
                # Left with the failure, as ``with`` statements would be; a failed entry
                # stays failed even if an earlier hook would suppress the error.
                self._leave(raised)
                raise
            self._entered.append(generator)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        return self._leave(exc)

    async def __aenter__(self) -> None:
        self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        return self._leave(exc)

    def _leave(self, error: BaseException | None) -> bool:
        """Leave the entered hooks, last first; True if ``error`` was suppressed. A hook that
        raises another exception passes it to the hooks left after it, and it propagates."""
        pending = error
        while self._entered:
            generator = self._entered.pop()
            try:
                if pending is None:
                    try:
                        next(generator)
                    except StopIteration:
                        continue
                    raise RuntimeError("generator didn't stop")
                try:
                    generator.throw(pending)
                except StopIteration:
                    pending = None  # the hook suppressed it
                    continue
                raise RuntimeError("generator didn't stop after throw()")
            except BaseException as raised:
                if raised is not pending:
                    pending = raised
        if pending is None:
            return error is not None
        if pending is error:
            return False
        raise pending


_PHASES = (
    OperationContextManager.HOOK_NAME,
    ParsingContextManager.HOOK_NAME,
    ValidationContextManager.HOOK_NAME,
    ExecutingContextManager.HOOK_NAME,
)

_Plan = tuple[dict[str, tuple[tuple[int, Hook], ...] | None], tuple[int, ...]]
"""For a list of extension classes: each phase's hooks (by the extension's index; None when
strawberry's manager must run the phase), and the extensions that have results."""

_PLANS: dict[tuple[type[SchemaExtension], ...], _Plan] = {}


def _plan(classes: tuple[type[SchemaExtension], ...]) -> _Plan:
    """Worked out once per list of classes (a schema makes the same list in every request)."""
    plan = _PLANS.get(classes)
    if plan is None:
        phases: dict[str, tuple[tuple[int, Hook], ...] | None] = {}
        for name in _PHASES:
            try:
                found = [(i, _hook(cls, name)) for i, cls in enumerate(classes)]
            except _UnsupportedHookError:
                phases[name] = None
                continue
            phases[name] = tuple((i, hook) for i, hook in found if hook is not None)
        # The base class's get_results answers {} and is left out of the merge.
        results = tuple(
            i for i, cls in enumerate(classes) if cls.get_results is not SchemaExtension.get_results
        )
        plan = _PLANS[classes] = (phases, results)
    return plan


class PhaseRunner(SchemaExtensionsRunner):
    """Strawberry's runner with :class:`Phase` for each phase whose hooks it can drive, and
    results asked only of the extensions that have their own ``get_results``."""

    def __init__(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension] | None = None
    ) -> None:
        super().__init__(execution_context, extensions)
        self._plan = _plan(tuple(map(type, self.extensions)))

    def operation(self) -> OperationContextManager:
        return cast(OperationContextManager, self._phase(OperationContextManager))

    def parsing(self) -> ParsingContextManager:
        return cast(ParsingContextManager, self._phase(ParsingContextManager))

    def validation(self) -> ValidationContextManager:
        return cast(ValidationContextManager, self._phase(ValidationContextManager))

    def executing(self) -> ExecutingContextManager:
        return cast(ExecutingContextManager, self._phase(ExecutingContextManager))

    async def get_extensions_results(self, ctx: ExecutionContext) -> dict[str, Any]:
        data: dict[str, Any] = {}
        extensions = self.extensions
        for index in self._plan[1]:
            data.update(await await_maybe(extensions[index].get_results()))
        data.update(ctx.extensions_results)
        return data

    def _phase(self, manager: type[ExtensionContextManagerBase]) -> object:
        hooks = self._plan[0][manager.HOOK_NAME]
        if hooks is None:
            return manager(self.extensions)
        extensions = self.extensions
        return Phase([(extensions[index], hook) for index, hook in hooks])
