"""The article-extraction-benchmark metric of bench/aeb.py on tiny hand-computed examples."""

from __future__ import annotations

import pytest

from .conftest import load_bench

aeb = load_bench("aeb")


def test_shingles_are_counted_4_token_windows():
    assert aeb.shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert aeb.shingles("a b c d a b c d")[("a", "b", "c", "d")] == 2
    assert aeb.shingles("a b c") == {}
    assert aeb.shingles("") == {}


def test_tokens_are_unicode_words_split_on_punctuation():
    words = ["Jakarta", "Senin", "20", "6", "Привет", "서울"]
    assert aeb.tokens("Jakarta—Senin (20/6), «Привет» 서울!") == words


def test_identical_texts():
    text = "one two three four five six"
    assert aeb.page_scores(text, text) == (1.0, 1.0)


def test_disjoint_texts():
    assert aeb.page_scores("a b c d e", "v w x y z") == (0.0, 0.0)


def test_half_overlap():
    # pred {abcd, bcde}, truth {abcd, bcdx}: TP = FP = FN = 1/3
    assert aeb.page_scores("a b c d e", "a b c d x") == (0.5, 0.5)


def test_prediction_is_part_of_truth():
    # pred {abcd, bcde}, truth {abcd, bcde, cdef, defg}: TP 2, FP 0, FN 2
    assert aeb.page_scores("a b c d e", "a b c d e f g") == (1.0, 0.5)


def test_repeated_shingles_match_only_as_often_as_in_truth():
    # pred {abcd x2, bcda, cdab, dabc}, truth {abcd}: TP 1, FP 4, FN 0
    assert aeb.page_scores("a b c d a b c d", "a b c d") == (pytest.approx(0.2), 1.0)


def test_both_empty_is_perfect():
    assert aeb.page_scores("", "") == (1.0, 1.0)
    assert aeb.page_scores("too short", "...") == (1.0, 1.0)


def test_empty_prediction_for_non_empty_truth_scores_zero():
    assert aeb.page_scores("", "a b c d e") == (0.0, 0.0)
    assert aeb.page_scores("a b c", "a b c d e") == (0.0, 0.0)


def test_prediction_for_empty_truth_has_zero_precision_full_recall():
    assert aeb.page_scores("a b c d e", "") == (0.0, 1.0)


def test_aggregate_is_f1_of_mean_precision_and_mean_recall():
    assert aeb.aggregate([(1.0, 1.0), (0.0, 0.0)]) == (0.5, 0.5, 0.5)
    precision, recall, f1 = aeb.aggregate([(1.0, 0.5), (0.5, 0.5)])
    assert (precision, recall) == (0.75, 0.5)
    assert f1 == pytest.approx(0.6)


def test_aggregate_of_all_zero_pages_has_zero_f1():
    assert aeb.aggregate([(0.0, 0.0)]) == (0.0, 0.0, 0.0)
