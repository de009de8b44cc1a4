"""Write the rule lists in README.md and docs/format.md from the registry (generator/core/rules.py).

    .venv/bin/python scripts/rule_docs.py           rewrite the lists between the marker comments
    .venv/bin/python scripts/rule_docs.py --check   exit 1 if a committed list is stale

Only the text between ``<!-- rules:start -->`` and ``<!-- rules:end -->`` is
touched; a file without exactly one pair of markers is an error.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from generator.core import rules  # noqa: E402 (after the path is set)

START, END = "<!-- rules:start -->", "<!-- rules:end -->"
TARGETS = {
    REPO / "README.md": rules.readme_paragraph,
    REPO / "docs" / "format.md": rules.as_markdown,
}


def replaced(text: str, body: str, name: str) -> str:
    """``text`` with the block between the markers replaced by ``body``."""
    if text.count(START) != 1 or text.count(END) != 1 or text.index(START) > text.index(END):
        raise SystemExit(f"{name}: needs exactly one {START} … {END} pair")
    head, rest = text.split(START)
    _, tail = rest.split(END)
    return f"{head}{START}\n{body}{END}{tail}"


def main(argv: list[str]) -> int:
    check = argv == ["--check"]
    if argv and not check:
        print(__doc__, file=sys.stderr)
        return 2
    stale = []
    for path, make in TARGETS.items():
        text = path.read_text(encoding="utf-8")
        new = replaced(text, make(), path.name)
        if new != text:
            stale.append(path.relative_to(REPO).as_posix())
            if not check:
                path.write_text(new, encoding="utf-8", newline="\n")
    if check and stale:
        print(f"stale rule list in {', '.join(stale)}: run python scripts/rule_docs.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
