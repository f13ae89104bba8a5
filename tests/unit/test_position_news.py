"""Which read-your-writes waits take the in-process news of committed positions: those of an
API reading the primary; with a read replica none (the standby may not show a position the
primary committed), so that waits poll the standby's own positions."""

from __future__ import annotations

from typing import Any, cast

from graphql_api.app import news_for
from graphql_api.context import ApiServices
from projections.applied import AppliedPositions


def services(read_conninfo: str | None, applied: AppliedPositions | None) -> ApiServices:
    nothing = cast(Any, None)  # what the choice does not read
    return ApiServices(
        ledger=nothing,
        conninfo="postgresql:///primary",
        verify_token=nothing,
        log_in=nothing,
        audit_keys=nothing,
        sessions=nothing,
        password_access=nothing,
        read_conninfo=read_conninfo,
        applied=applied,
    )


def test_reads_on_the_primary_take_the_news() -> None:
    applied = AppliedPositions()
    assert news_for(services(None, applied)) is applied


def test_reads_on_a_replica_take_no_news() -> None:
    assert news_for(services("postgresql:///standby", AppliedPositions())) is None


def test_no_worker_in_the_process_means_no_news() -> None:
    assert news_for(services(None, None)) is None
