"""NPS arithmetic against values worked out by hand: the score, its 95% margin of error and
the z-test of a difference between two scores."""

from __future__ import annotations

import pytest

from projections.surveys.stats import NpsCounts, compare, margin_of_error, nps, variance


def test_nps_is_promoters_minus_detractors_as_a_percentage_of_all_answers() -> None:
    assert nps(NpsCounts(promoters=5, passives=3, detractors=2)) == 30.0
    assert nps(NpsCounts(0, 0, 4)) == -100.0
    assert nps(NpsCounts(0, 7, 0)) == 0.0


def test_no_answers_have_no_nps_and_no_margin_of_error() -> None:
    assert nps(NpsCounts(0, 0, 0)) is None
    assert margin_of_error(NpsCounts(0, 0, 0)) is None


def test_the_margin_of_error_follows_the_variance_of_plus_one_zero_minus_one_scores() -> None:
    counts = NpsCounts(5, 3, 2)  # p = 0.5, q = 0.2: variance 0.7 - 0.3^2 = 0.61
    assert variance(counts) == pytest.approx(0.61)
    # 1.96 * sqrt(0.61 / 10) * 100 = 1.96 * 24.698 = 48.408
    assert margin_of_error(counts) == pytest.approx(48.4084, abs=1e-4)


def test_a_single_or_unanimous_sample_has_a_margin_of_zero() -> None:
    assert margin_of_error(NpsCounts(1, 0, 0)) == 0.0
    assert margin_of_error(NpsCounts(0, 0, 30)) == 0.0


def test_a_large_difference_between_large_samples_is_significant() -> None:
    # a: p .6 q .2 -> NPS 40, var .64; b: p .4 q .3 -> NPS 10, var .69
    # se = sqrt(.64/100 + .69/100) * 100 = 11.5326; z = 30 / 11.5326 = 2.6013
    test = compare(NpsCounts(60, 20, 20), NpsCounts(40, 30, 30))
    assert test.difference == pytest.approx(30.0)
    assert test.margin_of_error == pytest.approx(1.96 * 11.5326, abs=1e-3)
    assert test.p_value == pytest.approx(0.009286, abs=1e-6)  # erfc(2.6013 / sqrt 2)
    assert test.significant


def test_the_same_difference_between_small_samples_is_not_significant() -> None:
    # Ten times fewer answers: se = 36.469, z = 0.8226, p = 0.4107
    test = compare(NpsCounts(6, 2, 2), NpsCounts(4, 3, 3))
    assert test.difference == pytest.approx(30.0)
    assert test.p_value == pytest.approx(0.41073, abs=1e-5)
    assert not test.significant


def test_unanimous_opposite_samples_fall_back_to_the_pooled_variance() -> None:
    # Unpooled se is 0. Pooled: 10 promoters and 10 detractors, variance 1,
    # se = sqrt(1 * (1/10 + 1/10)) * 100 = 44.72, z = 200 / 44.72 = 4.472
    test = compare(NpsCounts(10, 0, 0), NpsCounts(0, 0, 10))
    assert (test.difference, test.margin_of_error) == (200.0, 0.0)
    assert test.p_value == pytest.approx(7.744e-6, rel=1e-3)
    assert test.significant
    one_each = compare(NpsCounts(1, 0, 0), NpsCounts(0, 0, 1))  # z = 200 / 141.4 = 1.414
    assert one_each.p_value == pytest.approx(0.1573, abs=1e-4) and not one_each.significant


def test_identical_unanimous_samples_do_not_differ() -> None:
    test = compare(NpsCounts(3, 0, 0), NpsCounts(5, 0, 0))
    assert (test.difference, test.p_value, test.significant) == (0.0, 1.0, False)


def test_a_side_without_answers_gives_no_comparison() -> None:
    test = compare(NpsCounts(3, 1, 0), NpsCounts(0, 0, 0))
    assert (test.difference, test.margin_of_error, test.p_value, test.significant) == (
        None,
        None,
        None,
        False,
    )
