"""A database that cannot serve a request is neither a refusal nor a crash in the log: its
SERVICE_UNAVAILABLE (or, for an exhausted read pool, BUSY) is logged at WARNING on one line
without a traceback, once per request however many fields it failed."""

from __future__ import annotations

import logging

import psycopg
import pytest
from eventsourcing import persistence
from graphql import GraphQLError
from psycopg_pool import PoolTimeout

from graphql_api.error_log import log_errors
from graphql_api.read_pool import PoolExhaustedError


def failed(path: str, cause: Exception) -> GraphQLError:
    """A field error as graphql-core reports it, with the exception raised (so it has a
    traceback that must not reach the log)."""
    try:
        raise cause
    except Exception as raised:
        return GraphQLError(str(raised), path=[path], original_error=raised)


def wrapped(cause: Exception) -> Exception:
    """The event store's wrapper of a driver error, raised from it."""
    try:
        raise persistence.OperationalError("could not write") from cause
    except persistence.OperationalError as error:
        return error


@pytest.mark.parametrize(
    "cause",
    [
        pytest.param(
            psycopg.OperationalError("connection refused\nIs the server running?"), id="refused"
        ),
        pytest.param(PoolTimeout("couldn't get a connection after 3.00 sec"), id="pool-timeout"),
        pytest.param(wrapped(psycopg.OperationalError("server closed")), id="event-store"),
    ],
)
def test_an_unreachable_database_is_one_warning_line_without_traceback(
    caplog: pytest.LogCaptureFixture, cause: Exception
) -> None:
    caplog.set_level(logging.INFO)
    log_errors([failed("customer", cause)])
    [record] = caplog.records
    assert (record.levelno, record.exc_info) == (logging.WARNING, None)
    message = record.getMessage()
    assert "\n" not in message
    assert message.startswith("database could not serve at customer (SERVICE_UNAVAILABLE): ")
    assert type(cause).__name__ in message


def test_an_exhausted_read_pool_is_one_warning_line_saying_busy(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    log_errors([failed("customers", PoolExhaustedError(3.0))])
    [record] = caplog.records
    assert (record.levelno, record.exc_info) == (logging.WARNING, None)
    assert record.getMessage() == (
        "database could not serve at customers (BUSY): PoolExhaustedError: every read "
        "connection stayed in use for 3.0 s"
    )


def test_a_request_whose_every_field_failed_on_the_database_logs_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    outage = [failed(f"field{n}", psycopg.OperationalError("gone")) for n in range(5)]
    log_errors(outage)
    assert [r.levelno for r in caplog.records] == [logging.WARNING]


def test_a_crash_beside_an_outage_is_still_logged_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    log_errors([failed("a", psycopg.OperationalError("gone")), failed("b", KeyError("bug"))])
    assert [r.levelno for r in caplog.records] == [logging.WARNING, logging.ERROR]
    assert caplog.records[1].exc_info is not None
