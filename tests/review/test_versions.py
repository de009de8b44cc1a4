"""Version order: numbers compare numerically, pre-releases sort before the release."""

from __future__ import annotations

import pytest

from generator.review.versions import version_is_higher, version_key


@pytest.mark.parametrize("lower, higher", [
    ("1.9", "1.10"), ("1.0.0", "1.0.1"), ("1", "1.1"), ("1.2-rc1", "1.2"), ("v1.2", "1.3"), ("0.9.9", "1.0"),
])
def test_versions_compare_numerically(lower, higher):
    assert version_is_higher(lower, higher)
    assert not version_is_higher(higher, lower)


def test_equal_versions():
    assert version_key("2") == version_key("2.0") == version_key("2.0.0")
    assert not version_is_higher("1.0", "1.0")
