"""Write the seed's computable draft into pathway.yaml's text: `computable`, `inputs` and each branch's `if`.

Run from the repository root once the decisions engine accepts these keys:

    .venv/bin/python drafts/merge_seed_computable.py            # prints the merged file
    .venv/bin/python drafts/merge_seed_computable.py -o pathway.yaml

The merge works on the text, so every comment and line of pathway.yaml stays as
written; it only adds lines.  It stops with a message (exit 1) if a decision or
branch in the draft is not in pathway.yaml exactly as written there.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "pathway.yaml"
DRAFT = ROOT / "drafts" / "seed-computable.yaml"
GROUPS_HEADER = "# ---------------------------------------------------------------------------\n# Groups:"


class MergeError(Exception):
    """The draft and pathway.yaml disagree; the message says where."""


def _scalar(text: str) -> str:
    """The condition as a YAML value: plain when YAML reads it back unchanged, else double-quoted."""
    try:
        plain_ok = yaml.safe_load(f"k: {text}") == {"k": text}
    except yaml.YAMLError:
        plain_ok = False
    return text if plain_ok else json.dumps(text, ensure_ascii=False)


def _inputs_block(draft_text: str) -> str:
    """The draft's `computable:` and `inputs:` lines, exactly as written there."""
    lines = draft_text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("computable:"))
    end = next(i for i, line in enumerate(lines) if line.startswith("# Every decision of pathway.yaml"))
    header = (
        "# ---------------------------------------------------------------------------\n"
        "# Data dictionary: the inputs the decisions' conditions (`if`) use.\n"
        "# ---------------------------------------------------------------------------\n"
    )
    return header + "".join(lines[start:end]).rstrip("\n") + "\n\n"


def merge(seed_text: str, draft_text: str) -> str:
    """pathway.yaml's text with the draft's computable parts added."""
    draft = yaml.safe_load(draft_text)
    lines = seed_text.splitlines(keepends=True)
    for decision, spec in draft["decisions"].items():
        try:
            start = lines.index(f"  - id: {decision}\n")
        except ValueError:
            raise MergeError(f"decision '{decision}' is not a stage in pathway.yaml") from None
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("  - id: ")), len(lines))
        for branch in spec["next"]:
            to_line = f"      - to: {branch['to']}\n"
            try:
                at = lines.index(to_line, start, end)
            except ValueError:
                raise MergeError(f"decision '{decision}' has no branch to '{branch['to']}' in pathway.yaml") from None
            when_line = lines[at + 1]
            if not when_line.startswith("        when: ") or yaml.safe_load(when_line.strip())["when"] != branch["when"]:
                raise MergeError(f"decision '{decision}', branch to '{branch['to']}': 'when' differs from pathway.yaml")
            lines.insert(at + 2, f"        if: {_scalar(' '.join(str(branch['if']).split()))}\n")
            end += 1
    text = "".join(lines)
    if GROUPS_HEADER not in text:
        raise MergeError("pathway.yaml has no '# Groups:' header to put the inputs before")
    return text.replace(GROUPS_HEADER, _inputs_block(draft_text) + GROUPS_HEADER, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, help="write here instead of printing")
    args = parser.parse_args(argv)
    try:
        merged = merge(SEED.read_text(encoding="utf-8"), DRAFT.read_text(encoding="utf-8"))
    except MergeError as exc:
        print(f"merge_seed_computable: {exc}", file=sys.stderr)
        return 1
    if args.output:
        args.output.write_text(merged, encoding="utf-8")
    else:
        sys.stdout.write(merged)
    return 0


if __name__ == "__main__":
    sys.exit(main())
