"""The error log tells a crash (ERROR, with its traceback) from a refusal (INFO, one line), and
cuts every text it writes."""

from __future__ import annotations

import logging

import pytest
from graphql import GraphQLError

from graphql_api.error_log import MAX_LOGGED, log_errors, truncated
from graphql_api.errors import PublicError


def crash() -> GraphQLError:
    try:
        raise RuntimeError("the resolver fell over")
    except RuntimeError as error:
        return GraphQLError("the resolver fell over", path=["customers"], original_error=error)


def test_an_unexpected_error_is_logged_at_error_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    log_errors([crash()])
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError
    assert "customers" in record.getMessage()


def test_a_public_error_is_logged_at_info_with_its_code_and_no_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    refusal = PublicError("your role may not do this", "FORBIDDEN")
    located = GraphQLError(refusal.message, path=["customers"], original_error=refusal)
    log_errors([located])
    [record] = caplog.records
    assert (record.levelno, record.exc_info) == (logging.INFO, None)
    assert record.getMessage() == "refused at customers (FORBIDDEN): your role may not do this"


def test_a_long_message_is_cut_and_says_how_much_was_left_out(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    log_errors([GraphQLError("x" * 1_000_000)])
    [record] = caplog.records
    assert len(record.getMessage()) < MAX_LOGGED + 100
    assert "more characters" in record.getMessage()


def test_newlines_cannot_forge_log_lines() -> None:
    assert truncated("one\nFAKE ERROR line\r\n") == "one\\nFAKE ERROR line\\r\\n"
