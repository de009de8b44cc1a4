"""The benchmark suite: synthetic pathways are valid and deterministic, and the
harness runs end to end at N = 10 and writes a well-formed table.

No timing is asserted anywhere: times depend on the machine.  What is checked
is that every row is there and every number in it parses.
"""

from __future__ import annotations

import datetime
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # benchmarks/ is not an installed package
    sys.path.insert(0, str(REPO))

from benchmarks import computable, run, synth  # noqa: E402
from generator.core.pipeline import check_file, check_text  # noqa: E402

TODAY = datetime.date(2026, 11, 25)


def importlib_has(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


@pytest.mark.parametrize("n", [1, 2, 10, 100])
def test_synth_validates_with_zero_problems(tmp_path, n):
    path = tmp_path / f"synthetic-{n}.yaml"
    path.write_text(synth.generate(n), encoding="utf-8")
    result = check_file(path, today=TODAY)
    problems = result.problems
    assert not problems, "\n".join(f"{p.location}: {p.severity.value}: {p.message} [{p.rule}]" for p in problems)
    assert result.pathway is not None
    assert len(result.pathway.stages) == n


@pytest.mark.parametrize("n", [2, 10, 100])
def test_computable_benchmark_pathway_validates_with_zero_problems_and_is_all_computable(n):
    from generator.core.decisions import is_computable

    result = check_text(computable.generate(n), "computable.yaml", today=TODAY)
    assert result.problems == ()
    decisions = [s for s in result.pathway.stages if s.kind == "decision"]
    assert all(is_computable(s) for s in decisions) and (decisions or n < 6)


@pytest.mark.parametrize("n", [10, 100])
def test_synth_is_deterministic(n):
    assert synth.generate(n) == synth.generate(n)
    assert synth.generate(n, seed=1) != synth.generate(n, seed=0)


def test_synth_cli_writes_the_same_bytes(tmp_path):
    out = tmp_path / "p.yaml"
    subprocess.run([sys.executable, "-m", "benchmarks.synth", "25", "-o", str(out)], cwd=REPO, check=True)
    assert out.read_text(encoding="utf-8") == synth.generate(25)


def test_synth_shape_at_1000():
    """Groups of 10–25 (a short tail may be merged), decisions with 2–3 branches,
    every transition a known stage and never a self-loop."""
    import yaml

    data = yaml.safe_load(synth.generate(1000))
    ids = [s["id"] for s in data["stages"]]
    assert len(set(ids)) == 1000
    sizes: dict[str, int] = {}
    for s in data["stages"]:
        sizes[s["group"]] = sizes.get(s["group"], 0) + 1
        for t in s.get("next", []):
            assert t["to"] in ids and t["to"] != s["id"]
        if s["kind"] == "decision":
            assert 2 <= len(s["next"]) <= 3
            assert all(isinstance(t["when"], str) and t["when"] for t in s["next"])
    assert min(sizes.values()) >= 10 and max(sizes.values()) <= 34
    assert data["version"] == data["history"][0]["version"]
    assert data["governance"]["next_review"] > TODAY
    assert all(g.get("abbr") for g in data["glossary"][:5])


def _md_table(text: str, first_header: str) -> list[dict[str, str]]:
    """Rows of the first Markdown table whose header row starts with ``first_header``."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(f"| {first_header} |"):
            headers = [c.strip() for c in line.strip("|").split("|")]
            rows = []
            for row in lines[i + 2:]:
                if not row.startswith("|"):
                    break
                rows.append(dict(zip(headers, (c.strip() for c in row.strip("|").split("|")))))
            return rows
    raise AssertionError(f"no table starting with {first_header!r}")


NUMBER = re.compile(r"^\d+(\.\d+)?×?$")


@pytest.mark.slow
@pytest.mark.dot
def test_harness_end_to_end_at_10(tmp_path):
    if not shutil.which("dot"):
        pytest.skip("Graphviz's dot is not on PATH")
    out = tmp_path / "results"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--sizes", "10", "--repeats", "1",
         "--out", str(out), "--work", str(tmp_path / "work")],
        cwd=REPO, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    md = (out / "results.md").read_text(encoding="utf-8")
    assert md in proc.stdout  # the table is also printed

    rows = _md_table(md, "N")
    assert list(rows[0]) == list(run.COLUMNS)
    steps = [r["step"] for r in rows]
    for step in ("validate", "diagrams (cold cache)", "diagrams (warm cache)", "build", "build (warm cache)", "pdf"):
        assert step in steps, steps
    assert steps.count("validate") == 2
    assert {r["floor"] for r in rows if r["step"] == "validate"} == {"yaml.safe_load", "yaml.load(CSafeLoader)"}
    for r in rows:
        assert r["N"] == "10"
        for col in ("ours (s)", "floor (s)", "ours/floor", "ours/floor (CPU)", "ours peak RSS (MB)", "floor peak RSS (MB)"):
            assert r[col] == "n/a" or NUMBER.match(r[col]), (r["step"], col, r[col])
    # The floors exist without any of our code, so they are always measured.
    for r in rows:
        if r["step"] == "validate":
            assert NUMBER.match(r["floor (s)"])

    site = _md_table(md.split("## Site size", 1)[1], "N")
    assert list(site[0]) == list(run.SITE_COLUMNS)
    assert site[0]["stages"] == "10"

    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert {"machine", "rows", "sites", "notes"} <= set(data)
    assert len(data["rows"]) == len(rows)
    for r in data["rows"]:
        for key in ("ours_s", "floor_s", "ratio", "cpu_ratio", "ours_mb", "floor_mb", "ours_cpu", "floor_cpu"):
            assert r[key] is None or isinstance(r[key], (int, float))
    # Our own command must have run, on a clean file.
    assert all(r["ours_s"] is not None for r in data["rows"] if r["step"] == "validate"), data["notes"]
    if importlib_has("matplotlib"):
        assert (out / "time-vs-n.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_worst_case_run_writes_one_row_per_shape(tmp_path):
    out = tmp_path / "results"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--worst", "10,20", "--repeats", "1",
         "--out", str(out), "--work", str(tmp_path / "work")],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = _md_table((out / "worst.md").read_text(encoding="utf-8"), "shape")
    assert [r["shape"] for r in rows] == list(synth.SHAPES)
    for r in rows:
        for n in (10, 20):
            for col in (f"N={n} (s)", f"N={n} CPU (s)", f"N={n} floor (s)"):
                assert NUMBER.match(r[col]), (r["shape"], col, r[col])  # every shape validated without a crash
    assert not (out / "results.md").exists()  # --worst runs only the shapes
