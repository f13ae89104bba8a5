"""What the API's health endpoints learn from the composition root (``HealthSources``)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from psycopg import Connection

from graphql_api.health_sources import HealthSources
from infrastructure.migrations import steps_behind
from infrastructure.process_manager_runner import ALL_PROCESS_MANAGERS
from infrastructure.version import product_version


def health_sources(connect: Callable[[], AbstractContextManager[Connection[Any]]]) -> HealthSources:
    """``connect`` reaches the primary (a pool's ``connection`` or ``Database.connect``)."""

    def schema_behind() -> list[str]:
        with connect() as conn:
            return steps_behind(conn)

    return HealthSources(
        version=product_version(),
        process_managers=tuple(m.name for m in ALL_PROCESS_MANAGERS),
        schema_behind=schema_behind,
    )
