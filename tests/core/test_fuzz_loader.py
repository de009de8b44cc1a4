"""Property tests: no input makes the loader raise, and every problem points inside the file."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.core.pipeline import check_text

VALID = (Path(__file__).parents[1] / "fixtures" / "core" / "valid.yaml").read_text(encoding="utf-8")
LINES = VALID.splitlines(keepends=True)

YAML_CHARS = st.sampled_from(list(":-[]{}#&*!|>'\"%@`,? \t\n\\") + ["[[", "]]", "---", "...", "é", "\x00", "\ufeff"])


def assert_well_formed(data: str | bytes) -> None:
    result = check_text(data, "fuzz.yaml")
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    n_lines = text.count("\n") + 1
    for p in result.problems:
        assert p.location.file == "fuzz.yaml"
        assert 1 <= p.location.line <= n_lines, p
        line_text = text.split("\n")[p.location.line - 1]
        assert 1 <= p.location.col <= len(line_text) + 1, p
        assert p.message and p.rule
    if result.pathway is not None and not result.has_errors():
        assert result.pathway.stages  # a clean file has stages


@st.composite
def mutated(draw) -> str:
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["delete", "duplicate", "insert", "swap", "indent"]))
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "insert":
            line = lines[i]
            j = draw(st.integers(0, len(line)))
            junk = "".join(draw(st.lists(YAML_CHARS, min_size=1, max_size=4)))
            lines[i] = line[:j] + junk + line[j:]
        elif op == "swap":
            k = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[k] = lines[k], lines[i]
        else:
            lines[i] = " " * draw(st.integers(0, 3)) + lines[i].lstrip(" ")
    return "".join(lines)


FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(mutated())
def test_mutated_valid_document(text: str) -> None:
    assert_well_formed(text)


@FAST
@given(st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    assert_well_formed(data)


@FAST
@given(st.lists(YAML_CHARS | st.characters() | st.sampled_from(["a: ", "- ", "\n  "]), max_size=80))
def test_random_text(pieces: list[str]) -> None:
    assert_well_formed("".join(pieces))


@FAST
@given(st.binary(max_size=40), st.integers(0, len(VALID)))
def test_random_bytes_spliced_into_a_valid_document(junk: bytes, at: int) -> None:
    data = VALID.encode()
    assert_well_formed(data[:at] + junk + data[at:])
