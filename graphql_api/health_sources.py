"""What the health endpoints need from the composition root that the API cannot work out alone:
the product's version, the process managers' names and a check of the schema's migrations
(SQL lives in infrastructure; the API only calls it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class HealthSources:
    version: str = "unknown"
    """The installed package's version (``importlib.metadata``), shown by `/health`."""
    process_managers: tuple[str, ...] = ()
    """Names of the process managers whose positions and lag `/health` reports."""
    schema_behind: Callable[[], list[str]] | None = None
    """Blocking: what a migration would still do on the database (empty: current). It raises
    when the database cannot be reached. None: nobody told the API how to check, and
    `/health/ready` says so and answers 503 rather than claim a schema it never saw."""
