"""Retrying a command after a version conflict.

A command loads its aggregate, checks its rules and saves; a concurrent writer who saved first
makes the save fail with :class:`ConcurrencyConflictError`. Running the command again reloads
the aggregate, so its rules see the other writer's change: it either succeeds on the new
version or refuses with a typed error. A client that sent the version it saw
(``expected_version``) asked to be told of a conflict instead, so such a command runs once.
"""

from __future__ import annotations

import inspect
import random
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from domain.shared.errors import ConcurrencyConflictError

T = TypeVar("T")
P = ParamSpec("P")
CONFLICT_RETRIES = 40


def retrying(attempt: Callable[[], T]) -> T:
    """Run ``attempt`` again after a version conflict, with a short random back-off."""
    for tries in range(CONFLICT_RETRIES):
        try:
            return attempt()
        except ConcurrencyConflictError:
            if tries == CONFLICT_RETRIES - 1:
                raise
            time.sleep(random.uniform(0, 0.002 * (tries + 1)))  # noqa: S311 (jitter, not crypto)
    raise AssertionError("unreachable")


def retried_unless_pinned(command: Callable[P, T]) -> Callable[P, T]:
    """Decorate a command method to retry on a version conflict, unless the caller pinned the
    version it saw: an ``expected_version`` argument, or a field of the ``command`` argument,
    that is not None."""
    signature = inspect.signature(command)

    @wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        if _pinned(signature.bind(*args, **kwargs).arguments):
            return command(*args, **kwargs)
        return retrying(lambda: command(*args, **kwargs))

    return run


def _pinned(arguments: dict[str, Any]) -> bool:
    if arguments.get("expected_version") is not None:
        return True
    return getattr(arguments.get("command"), "expected_version", None) is not None
