"""What a page says when its link cannot be used: each refusal of the domain gets its own
words and HTTP status, so the person holding the link knows what happened and what to do."""

from __future__ import annotations

from dataclasses import dataclass

from domain.customer.errors import InvalidResetTokenError, ResetLinkExpiredError
from domain.shared.errors import DomainError
from domain.survey.errors import (
    AlreadyRespondedError,
    InvalidSurveyTokenError,
    SurveyLinkExpiredError,
    SurveyNotOpenError,
)

MAX_LINK_TOKEN = 256
"""Longer than any token we issue (about 80 characters): refused before the ledger is asked."""


@dataclass(frozen=True)
class LinkProblem:
    status: int
    title: str
    message: str


SURVEY_FORGED = LinkProblem(
    404,
    "This survey link is not valid",
    "We could not find a survey for this link. Check that the whole link was copied; if you "
    "were invited again, only the newest link works.",
)
SURVEY_EXPIRED = LinkProblem(
    410,
    "This survey link has expired",
    "Survey links work for 30 days. Thank you for your interest; this survey no longer takes "
    "answers from this link.",
)
SURVEY_ANSWERED = LinkProblem(
    409,
    "You have already answered this survey",
    "Thank you: your answer was recorded. Each invitation takes one answer, so there is "
    "nothing more to do.",
)
SURVEY_CLOSED = LinkProblem(
    410,
    "This survey is closed",
    "The survey no longer takes answers. Thank you for your interest.",
)
RESET_FORGED = LinkProblem(
    404,
    "This password-reset link is not valid",
    "The link was already used, a newer one was sent, or it was not copied whole. Ask for a "
    "new reset link from the log-in page.",
)
RESET_EXPIRED = LinkProblem(
    410,
    "This password-reset link has expired",
    "Reset links work for one hour. Ask for a new reset link from the log-in page; your "
    "password has not changed.",
)


def survey_problem(error: DomainError) -> LinkProblem | None:
    """The page for a refusal of the survey link itself; None for other refusals."""
    if isinstance(error, AlreadyRespondedError):
        return SURVEY_ANSWERED
    if isinstance(error, SurveyLinkExpiredError):
        return SURVEY_EXPIRED
    if isinstance(error, InvalidSurveyTokenError):
        return SURVEY_FORGED
    if isinstance(error, SurveyNotOpenError):
        return SURVEY_CLOSED
    return None


def reset_problem(error: DomainError) -> LinkProblem | None:
    if isinstance(error, ResetLinkExpiredError):
        return RESET_EXPIRED
    if isinstance(error, InvalidResetTokenError):
        return RESET_FORGED
    return None
