"""Refusals are answers, not incidents: the server logs each at INFO on one short line, with
no traceback, and a hostile megabyte of query does not become a megabyte of log."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from domain.shared.metadata import Role
from graphql_api.error_log import MAX_LOGGED
from tests.support.server import LiveApi, module_api

ERROR_LOG = "graphql_api.error_log"


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def logged(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The records of the request, from every logger (the server runs in this process)."""
    return [r for r in caplog.records if r.name != "httpx"]


@pytest.mark.parametrize(
    ("document", "role", "code"),
    [
        ("{ customers { totalCount } }", None, "FORBIDDEN"),
        ("{ customers { nope } }", Role.ADMIN, "no code"),
        ("{ customers(first: 0) { totalCount } }", Role.ADMIN, "BAD_PAGE_SIZE"),
        ("{ customers { ", Role.ADMIN, "no code"),
    ],
    ids=["forbidden", "validation", "public-error", "syntax"],
)
def test_a_refusal_is_logged_at_info_on_one_line_without_traceback(
    api: LiveApi, caplog: pytest.LogCaptureFixture, document: str, role: Role | None, code: str
) -> None:
    caplog.set_level(logging.INFO)
    caplog.clear()
    api.graphql(document, role=role)
    records = logged(caplog)
    assert [r.levelno for r in records] == [logging.INFO], [r.getMessage() for r in records]
    [record] = records
    assert record.name == ERROR_LOG
    assert record.exc_info is None
    assert "\n" not in record.getMessage()
    assert f"({code})" in record.getMessage()


def test_a_huge_bad_query_writes_a_short_log(
    api: LiveApi, caplog: pytest.LogCaptureFixture
) -> None:
    """990 KB of query: before, its source line was printed into the log whole."""
    caplog.set_level(logging.INFO)
    caplog.clear()
    huge = '{ customer(id: "' + "x" * 990_000 + '") { id } }'
    response = api.graphql(huge, role=Role.ADMIN)
    assert response.status_code == 400
    records = logged(caplog)
    assert records
    assert all(r.levelno == logging.INFO and r.exc_info is None for r in records)
    assert sum(len(r.getMessage()) for r in records) < 4 * MAX_LOGGED


def test_a_query_with_too_many_tokens_writes_a_short_log(
    api: LiveApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    caplog.clear()
    response = api.graphql("{ " + "customers " * 90_000 + "}", role=Role.ADMIN)
    assert response.status_code == 400
    assert sum(len(r.getMessage()) for r in logged(caplog)) < 4 * MAX_LOGGED
