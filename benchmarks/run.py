"""Benchmark every step of the publisher against its floor, for pathways of N stages.

``python -m benchmarks.run [--sizes 10,100,300,1000] [--out benchmarks/results]``

For each N a synthetic pathway (``benchmarks.synth``) is timed through:

========================  =========================================================
ours                      floor (the unavoidable work)
========================  =========================================================
``pathway validate``      ``yaml.safe_load`` and ``yaml.load(CSafeLoader)`` of the file
diagrams (``layout``)     raw ``dot -Tsvg`` of the same DOT text, in one process
``pathway build``         plain ``mkdocs build`` of the same pages (Markdown from
                          ``pathway generate``, SVGs already on disk), same theme
                          and nav, without our plugin
``pathway pdf``           none (target: under 60 s at N = 100)
========================  =========================================================

Every measurement is a fresh subprocess (wall clock, best of ``--repeats``),
and its peak memory is that subprocess's own ``ru_maxrss`` from ``os.wait4``
(the largest of it and the children it waited for, e.g. ``dot``); a failed
step is reported as "n/a" with a note and never stops the others.  With
``--worst`` every worst-case shape of ``benchmarks.synth.SHAPES`` is
validated at those sizes instead (default 1000,5000; ``worst.md``).

Modules: ``harness`` (subprocess timing), ``steps`` (what is measured),
``probes`` (the small programs timed), ``report`` (tables, JSON, plot).

Writes ``results.md`` (the table, also printed), ``results.json`` (raw
numbers) and ``time-vs-n.png`` (needs matplotlib) into ``--out``.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from benchmarks.harness import DEFAULT_SIZES, REPO, Row, log
from benchmarks.report import COLUMNS, SITE_COLUMNS, WORST_COLUMNS, machine_info, plot, profile_build, report, worst_report
from benchmarks.steps import Bench, worst_cases

__all__ = ["COLUMNS", "SITE_COLUMNS", "WORST_COLUMNS", "main"]


def parse_sizes(text: str) -> list[int]:
    sizes = sorted({int(x) for x in text.split(",") if x.strip()})
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes must be positive integers, e.g. 10,100,300,1000")
    return sizes


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=parse_sizes, default=list(DEFAULT_SIZES), help="comma-separated stage counts")
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results", help="where results go")
    ap.add_argument("--work", type=Path, default=REPO / "benchmarks" / "out", help="scratch directory")
    ap.add_argument("--repeats", type=int, default=None,
                    help="runs per measurement, best kept (default: 3, or 1 for N >= 1000)")
    ap.add_argument("--pdf-max", type=int, default=300, help="skip `pathway pdf` above this N (default 300)")
    ap.add_argument("--worst", type=parse_sizes, metavar="SIZES", nargs="?", const=[1000, 5000], default=None,
                    help="instead: validate every worst-case shape at these sizes (default 1000,5000) "
                         "into OUT/worst.md and OUT/worst.json")
    ap.add_argument("--computable", type=parse_sizes, metavar="SIZES", nargs="?", const=[10, 100, 300, 1000],
                    default=None, help="instead: only `pathway validate` of pathways with computable decisions "
                    "(default sizes 10,100,300,1000) into OUT/computable.md")
    ap.add_argument("--profile", type=int, metavar="N", default=None,
                    help="also cProfile one `pathway build` at N into OUT/profile-build-N.txt")
    args = ap.parse_args(argv)

    args.out.mkdir(parents=True, exist_ok=True)
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    info = machine_info()
    if args.worst:
        worst = worst_cases(args.worst, work, args.repeats if args.repeats is not None else 3)
        md = worst_report(worst, info, argv)
        (args.out / "worst.md").write_text(md, encoding="utf-8")
        (args.out / "worst.json").write_text(json.dumps({"machine": info, "argv": argv, "shapes": worst},
                                                        indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(md)
        return 0
    if args.computable:
        crows: list[Row] = []
        for n in args.computable:
            b = Bench(n, work, args.repeats if args.repeats is not None else 3, 0)
            log(f"N={n}: validate (computable)")
            b.guarded("validate (computable)", b.validate_computable)
            crows += b.rows
        md = report(crows, [], [], info, argv, f"best of {args.repeats if args.repeats is not None else 3}")
        (args.out / "computable.md").write_text(md, encoding="utf-8")
        print(md)
        return 0
    rows: list[Row] = []
    sites: list[dict] = []
    notes: list[str] = []
    for n in args.sizes:
        repeats = args.repeats if args.repeats is not None else (1 if n >= 1000 else 3)
        b = Bench(n, work, repeats, args.pdf_max)
        b.run()
        rows += b.rows
        sites.append(b.site)
        notes += [f"N={n} {x}" for x in b.notes]
    if args.profile:
        log(f"profiling build at N={args.profile}")
        try:
            notes.append(profile_build(args.profile, work, args.out / f"profile-build-{args.profile}.txt"))
        except Exception as exc:  # the profile is extra; never lose the table for it
            notes.append(f"profile failed: {exc!r}")
    if any(r.n > args.pdf_max for r in rows) and any(r.step == "pdf" for r in rows):
        notes.append(f"`pathway pdf` skipped above N={args.pdf_max} (--pdf-max)")
    repeats_desc = (f"best of {args.repeats}" if args.repeats is not None
                    else "best of 3 (1 run for N ≥ 1000)")
    plot_err = plot(rows, args.out / "time-vs-n.png")
    if plot_err:
        notes.append(plot_err)
    md = report(rows, sites, notes, info, argv, repeats_desc)
    (args.out / "results.md").write_text(md, encoding="utf-8")
    (args.out / "results.json").write_text(json.dumps({
        "machine": info,
        "argv": argv,
        "rows": [dict(asdict(r), ratio=r.ratio, cpu_ratio=r.cpu_ratio) for r in rows],
        "sites": sites,
        "notes": notes,
    }, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
