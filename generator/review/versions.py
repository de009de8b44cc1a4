"""Version order: which of two version strings is the higher one."""

from __future__ import annotations

import re


VersionKey = tuple[tuple[int, ...], int, tuple[tuple[int, int, str], ...]]


def version_key(version: str) -> VersionKey:
    """Sort key for versions written like '1.10', '2.0.1' or '1.2-rc1'.

    Numbers compare numerically ('1.10' > '1.9'), missing parts count as zero
    ('2' == '2.0'), and a suffix after the numbers marks a pre-release
    ('1.2-rc1' < '1.2').
    """
    m = re.match(r"\s*[vV]?(\d+(?:\.\d+)*)(.*)$", version or "")
    if not m:
        return ((), 0, _natural(version or ""))
    nums = [int(p) for p in m.group(1).split(".")]
    while len(nums) > 1 and nums[-1] == 0:
        nums.pop()
    suffix = m.group(2).strip(" -+._")
    # A release (no suffix) sorts after its pre-releases.
    return (tuple(nums), 0 if suffix else 1, _natural(suffix))


def _natural(text: str) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.lower()) for p in re.findall(r"\d+|[^\d]+", text))


def version_is_higher(old: str, new: str) -> bool:
    return version_key(new) > version_key(old)
