"""A synthetic pathway with a data dictionary and computable decisions, for the validate benchmark.

``python -m benchmarks.computable N [-o FILE]`` — a pure function of N.  It validates with zero
problems: a chain of stages where every fourth stage is a decision with three branches over two
inputs (a number with a unit and a boolean, an integer and a choice, or a duration and a boolean),
the last branch ``otherwise``, so every decision is proved exclusive and exhaustive and every
branch can be taken.  Twelve inputs of all five types make the data dictionary.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

_INPUTS = [
    *(f"  - id: score_{k}\n    label: \"Score {k}\"\n    type: number\n    unit: \"%\"\n    range: [0, 100]" for k in range(4)),
    *(f"  - id: count_{k}\n    label: \"Count {k}\"\n    type: integer\n    range: [0, 10]" for k in range(3)),
    *(f"  - id: flag_{k}\n    label: \"Flag {k}\"\n    type: boolean" for k in range(2)),
    *(f"  - id: answer_{k}\n    label: \"Answer {k}\"\n    type: choice\n    choices: [yes-clearly, partly, no, unsure]"
      for k in range(2)),
    "  - id: time_since\n    label: \"Time since the procedure\"\n    type: duration\n    range: [\"0 days\", \"5 years\"]",
]


def _conditions(i: int) -> tuple[str, str]:
    """Two exclusive conditions over two inputs for the ``i``-th decision; the third branch is 'otherwise'."""
    k = i % 3
    if k == 0:
        s, f, t = f"score_{(i // 3) % 4}", f"flag_{(i // 3) % 2}", 20 + (i * 7) % 60
        return f"{s} >= {t} % and {f}", f"{s} < {t} % and not {f}"
    if k == 1:
        c, a, t = f"count_{(i // 3) % 3}", f"answer_{(i // 3) % 2}", 1 + i % 8
        return f"{c} between {t} and 10 and {a} in [yes-clearly, partly]", f"{c} < {t} and {a} == no"
    w = 1 + i % 20
    return f"time_since < {w} weeks and flag_{i % 2}", f"time_since >= {w} weeks"


def generate(n: int) -> str:
    n = max(2, n)
    out: list[str] = []
    for i in range(n):
        out += [f"  - id: s{i}", f'    title: "Stage {i}"']
        if i == n - 1:
            out.append("    kind: outcome")
        elif i % 4 == 2 and i + 3 < n:
            first, second = _conditions(i // 4)
            out += ["    kind: decision", "    next:",
                    f"      - to: s{i + 1}", '        when: "First"', f"        if: {first}",
                    f"      - to: s{i + 2}", '        when: "Second"', f"        if: {second}",
                    f"      - to: s{i + 3}", '        when: "Otherwise"', "        if: otherwise"]
        else:
            out += ["    kind: assessment", "    next:", f"      - to: s{i + 1}"]
    text = "\n".join(out)
    # Only the inputs some condition uses (a small N has few decisions): no unused-input warnings.
    inputs = [i for i in _INPUTS if i.split("\n")[0].removeprefix("  - id: ") in text]
    head = ["format: 1", "id: computable-benchmark", 'title: "Computable benchmark"', 'version: "1"',
            "status: draft", "start: s0", "computable: all", *(["inputs:", *inputs] if inputs else []), "stages:"]
    return "\n".join(head + out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.computable", description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int, help="number of stages")
    ap.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    args = ap.parse_args(argv)
    text = generate(args.n)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
