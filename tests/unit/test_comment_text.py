"""What the projection reads in a comment: content words and two-word phrases as themes,
and a VADER sentiment score with its buckets."""

from __future__ import annotations

from domain.survey.sentiment import sentiment
from projections.surveys.text import MAX_TERMS, sentiment_bucket, terms


def test_terms_are_lowercase_content_words_and_adjacent_pairs_of_them() -> None:
    assert terms("The Customer Support team") == {
        "customer",
        "support",
        "team",
        "customer support",
        "support team",
    }


def test_stop_words_and_words_under_three_letters_are_left_out_and_break_phrases() -> None:
    assert terms("Support was slow, ok?") == {"support", "slow"}
    assert terms("it is to be or not") == set()


def test_punctuation_and_numbers_break_phrases() -> None:
    assert terms("Delivery. Great app") == {"delivery", "great", "app", "great app"}
    assert terms("took 10 days") == {"took", "days"}


def test_contractions_are_dropped_and_curly_apostrophes_count_as_straight_ones() -> None:
    assert terms("Don\u2019t like pricing") == {"pricing"}
    assert terms("I can't login") == {"login"}


def test_letters_of_other_scripts_are_words_too() -> None:
    assert terms("Très lent") == {"très", "lent", "très lent"}


def test_a_long_comment_gives_at_most_the_cap_of_terms_in_reading_order() -> None:
    words = [f"word{'x' * n}" for n in range(40)]
    found = terms(" ".join(words))
    assert len(found) == MAX_TERMS
    assert words[0] in found and f"{words[0]} {words[1]}" in found
    assert words[-1] not in found


def test_sentiment_is_positive_negative_or_neutral_by_vaders_thresholds() -> None:
    assert sentiment("I love this app, it is great!") > 0.5
    assert sentiment("Terrible support, I am very disappointed") < -0.5
    assert sentiment("The parcel arrived on Tuesday") == 0.0
    assert [sentiment_bucket(s) for s in (0.05, 0.0499, -0.0499, -0.05)] == [
        "positive",
        "neutral",
        "neutral",
        "negative",
    ]


def test_sentiment_is_the_same_every_time_so_rebuilds_match() -> None:
    comment = "Fast delivery but the app crashes a lot"
    assert sentiment(comment) == sentiment(comment)
    assert round(sentiment(comment), 4) == sentiment(comment)
