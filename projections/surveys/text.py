"""What the projection reads in a comment: its terms (themes), and its sentiment's bucket.

Terms are a pure function of the text, so a rebuild computes exactly what the live projection
computed. The sentiment score itself is recorded with the response (see
:mod:`domain.survey.sentiment`); responses recorded before it was are scored here, from the
text, by the same function.
"""

from __future__ import annotations

import re

MAX_TERMS = 24
"""At most this many terms per comment, so one long comment cannot dominate the themes."""
MIN_WORD = 3

POSITIVE_FROM = 0.05
NEGATIVE_TO = -0.05
"""VADER's customary thresholds: compound >= 0.05 positive, <= -0.05 negative, else neutral."""

_STOP_TEXT = """
    a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does
    doesn't doing don't down during each even ever every few for from further get gets got had
    hadn't has hasn't have haven't having he her here hers herself him himself his how however
    i i'd i'll i'm i've if in into is isn't it it's its itself just let's like made make many
    may me might more most much must mustn't my myself need no nor not now of off on once one
    only or other ought our ours ourselves out over own really same shan't she should shouldn't
    so some still such than that that's the their theirs them themselves then there there's
    these they they'd though they'll they're they've thing things this those through to too under
    until up upon us use used using very via was wasn't way we we'd we'll we're we've well were
    weren't what what's when where which while who whom why will with won't would wouldn't yet
    you you'd you'll you're you've your yours yourself yourselves
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

# Words of letters (any script), with inner apostrophes so contractions meet the stop list.
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")


def sentiment_bucket(score: float) -> str:
    """positive, neutral or negative, by VADER's customary thresholds."""
    if score >= POSITIVE_FROM:
        return "positive"
    return "negative" if score <= NEGATIVE_TO else "neutral"


def _keep(token: str) -> bool:
    return len(token) >= MIN_WORD and token not in STOP_WORDS and "'" not in token


def terms(comment: str) -> set[str]:
    """Lowercase content words and two-word phrases of ``comment``.

    A phrase is two kept words with only spaces between them ("customer support"); a stop
    word, a number or punctuation between them breaks it ("support was slow", "slow. Great"
    give no phrase). The first ``MAX_TERMS`` terms in reading order are kept."""
    text = comment.lower().replace("\u2019", "'")
    found: dict[str, None] = {}  # an ordered set
    previous: str | None = None
    end = 0
    for match in _TOKEN.finditer(text):
        joined = text[end : match.start()].isspace()
        word = match.group() if _keep(match.group()) else None
        if word is not None:
            found.setdefault(word)
            if previous is not None and joined:
                found.setdefault(f"{previous} {word}")
        previous, end = word, match.end()
    return set(list(found)[:MAX_TERMS])
