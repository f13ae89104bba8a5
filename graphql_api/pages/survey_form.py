"""The survey form's fields, as the person entered them, and the survey as the page shows it.

Only translation lives here (a field's text to a number); whether a score or an aspect is
acceptable is the domain's decision, made by the same command as submitSurveyResponse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from domain.survey.commands import SurveyLink
from domain.survey.values import ASPECT_SCALE
from graphql_api.pages.forms import Form

ASPECT_PREFIX = "aspect_"
_INTEGER = re.compile(r"-?[0-9]{1,6}")
SCALE_WORDS = {
    "nps": ("Not at all likely", "Extremely likely"),
    "csat": ("Very unsatisfied", "Very satisfied"),
    "ces": ("Very difficult", "Very easy"),
}


class FieldProblem(Exception):  # noqa: N818 -- a refusal shown beside its field
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


@dataclass(frozen=True)
class Entered:
    """What the form sent, kept as text so that a refused form shows it again."""

    score: str | None = None
    aspects: dict[str, str] = field(default_factory=dict)
    comment: str = ""

    @classmethod
    def from_form(cls, form: Form) -> Entered:
        aspects = {
            name.removeprefix(ASPECT_PREFIX): form.one(name) or ""
            for name in form.names()
            if name.startswith(ASPECT_PREFIX)
        }
        return cls(form.one("score"), aspects, form.one("comment") or "")

    def score_value(self) -> int:
        if not self.score:
            raise FieldProblem("score", "Choose a score before sending.")
        return _integer(self.score, "score")

    def aspect_values(self) -> list[tuple[str, int]]:
        return [
            (key, _integer(value, ASPECT_PREFIX + key))
            for key, value in self.aspects.items()
            if value
        ]

    def comment_value(self) -> str | None:
        return self.comment if self.comment.strip() else None


def _integer(text: str, name: str) -> int:
    if not _INTEGER.fullmatch(text):
        raise FieldProblem(name, "Choose one of the numbers shown.")
    return int(text)


@dataclass(frozen=True)
class ShownSurvey:
    """The survey as its page shows it."""

    title: str
    question: str
    scale: list[int]
    low_word: str
    high_word: str
    aspects: list[tuple[str, str]]
    aspect_scale: list[int]

    @classmethod
    def of(cls, link: SurveyLink) -> ShownSurvey:
        survey = link.survey
        low, high = survey.kind.scale
        low_word, high_word = SCALE_WORDS.get(survey.kind.value, ("Lowest", "Highest"))
        return cls(
            title=survey.title,
            question=survey.question,
            scale=list(range(low, high + 1)),
            low_word=low_word,
            high_word=high_word,
            aspects=[(a["key"], a["question"]) for a in survey.aspects],
            aspect_scale=list(range(ASPECT_SCALE[0], ASPECT_SCALE[1] + 1)),
        )
