"""Refusals specific to surveys, invitations and responses."""

from __future__ import annotations

from domain.shared.errors import DomainError, NotFoundError


class SurveyNotFoundError(NotFoundError):
    code = "SURVEY_NOT_FOUND"


class SurveyNotEditableError(DomainError):
    """Only a draft can be edited; a published survey keeps the questions people answered."""

    code = "SURVEY_NOT_EDITABLE"


class SurveyNotOpenError(DomainError):
    """The survey is a draft or closed: it takes no invitations and no answers."""

    code = "SURVEY_NOT_OPEN"


class InvalidSurveyTokenError(NotFoundError):
    """The link's token is unknown, forged or expired (the same answer for each)."""

    code = "INVALID_SURVEY_TOKEN"


class SurveyLinkExpiredError(InvalidSurveyTokenError):
    """The link was the invitation's latest, but its time ran out. The API answers it like any
    invalid link (same code); the survey page, shown to the link's holder, says it expired."""


class AlreadyRespondedError(DomainError):
    """One response per invitation: the second is refused, never stored twice."""

    code = "ALREADY_RESPONDED"


class ContactNotPermittedError(DomainError):
    """The customer's preferences or consents forbid this invitation."""

    code = "CONTACT_NOT_PERMITTED"
