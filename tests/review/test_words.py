"""The word diff for prose fields."""

from __future__ import annotations

from generator.review.words import word_diff


def test_word_diff_keeps_a_few_words_of_context():
    old = "one two three four five six seven eight nine ten eleven twelve"
    new = "one two three four five six SEVEN eight nine ten eleven twelve"
    ops = word_diff(old, new, context=2)
    assert ops == (("…", ""), ("=", "five six"), ("-", "seven"), ("+", "SEVEN"), ("=", "eight nine"), ("…", ""))


def test_word_diff_of_short_text_keeps_everything():
    assert word_diff("a b", "a c") == (("=", "a"), ("-", "b"), ("+", "c"))
