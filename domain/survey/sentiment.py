"""How a comment feels: VADER's compound score (-1..1).

The score is recorded in the response event when the answer is given, not only computed by the
read model: it is a number, not the person's words, so it outlives the erasure of the comment's
text, and a rebuild after an erasure reproduces the sentiment figures the live dashboard had.
VADER is lexicon and rule based: it needs no training data, runs offline and suits short,
informal feedback.
"""

from __future__ import annotations

from functools import cache

from vaderSentiment.vaderSentiment import (  # type: ignore[import-untyped]
    SentimentIntensityAnalyzer,
)


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    # Loading the lexicon takes a while: once per process, and only when a comment arrives.
    return SentimentIntensityAnalyzer()


def sentiment(comment: str) -> float:
    """VADER's compound score of ``comment``, rounded so it compares exactly across runs."""
    return round(float(_analyzer().polarity_scores(comment)["compound"]), 4)
