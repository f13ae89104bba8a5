"""How GraphQL errors are logged: a refusal is an answer, a crash is a bug, and a database that
cannot serve is neither.

Expected refusals (FORBIDDEN and every other public error, syntax and validation errors, bad
variables, limits; a command refused by a domain rule, answered in userErrors; an HTTP request
refused before it ran: a bad or expired token, malformed JSON, a body too large, a bad header)
are logged at INFO on one line without a traceback; a resolver that crashed is logged at ERROR
with its traceback. A refused command's line names the payload, the code and the field, never
the message, which may quote personal data the client sent. A database out of reach
(SERVICE_UNAVAILABLE) or a read pool whose every connection stayed in use (BUSY) is the
operator's to look at, not a bug: it is logged at WARNING on one line without a traceback, once
per request however many fields it failed. Every logged text is cut to :data:`MAX_LOGGED`
characters, so that a hostile megabyte of query cannot become a megabyte of log.
"""

from __future__ import annotations

import logging

from graphql import GraphQLError

from domain.shared.errors import DomainError
from graphql_api.errors import should_mask
from graphql_api.unavailable import DatabaseAnswer, database_answer

log = logging.getLogger(__name__)

MAX_LOGGED = 500
"""Characters of a message (or of a path) that reach the log."""


def log_errors(errors: list[GraphQLError]) -> None:
    database_logged = False
    for error in errors:
        answer = database_answer(error.original_error)
        if answer is not None:
            if not database_logged:
                log_database_answer(_path(error), answer, error.original_error)
            database_logged = True
        elif should_mask(error):
            log.error(
                "unexpected error at %s: %s",
                _path(error),
                truncated(error.message),
                exc_info=error.original_error,
            )
        else:
            log.info("refused at %s (%s): %s", _path(error), _code(error), truncated(error.message))


def log_refused_command(payload: str, error: DomainError) -> None:
    """One INFO line for a command a domain rule refused (the client got it in userErrors)."""
    where = f" at input.{truncated(error.field)}" if error.field else ""
    log.info("command refused (%s): %s%s", truncated(payload), truncated(error.code), where)


def log_refused_request(status: int, code: str | None, message: str) -> None:
    """One INFO line for an HTTP request answered 4xx before any GraphQL ran."""
    log.info("request refused (%s %s): %s", status, code or "no code", truncated(message))


def log_database_answer(where: str, answer: DatabaseAnswer, cause: BaseException | None) -> None:
    """One WARNING line: what the client was told, and the database's (or pool's) own words."""
    said = "no cause" if cause is None else f"{type(cause).__name__}: {cause}"
    log.warning("database could not serve at %s (%s): %s", where, answer.code, truncated(said))


def truncated(text: str) -> str:
    """One line of at most MAX_LOGGED characters (newlines would forge log lines)."""
    line = text.replace("\r", "\\r").replace("\n", "\\n")
    if len(line) <= MAX_LOGGED:
        return line
    return f"{line[:MAX_LOGGED]}... ({len(line) - MAX_LOGGED} more characters)"


def _path(error: GraphQLError) -> str:
    return truncated(".".join(str(p) for p in error.path)) if error.path else "request"


def _code(error: GraphQLError) -> str:
    code = (error.extensions or {}).get("code")
    return truncated(str(code)) if code is not None else "no code"
