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
(the largest of it and the children it waited for, e.g. ``dot``).  Steps whose
code has not landed yet are reported as "n/a" with a note; nothing here
raises on a failed step.

Writes ``results.md`` (the table, also printed), ``results.json`` (raw
numbers) and ``time-vs-n.png`` (needs matplotlib) into ``--out``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
PATHWAY = [PY, "-m", "generator"]
DEFAULT_SIZES = (10, 100, 300, 1000)
BUILD_RATIO_TARGET = 1.3
VALIDATE_TARGET_S = 1.0
PDF_TARGET_S = 60.0
PDF_TARGET_N = 100

# Columns of the main table, in order; the test parses the Markdown by these.
COLUMNS = (
    "N", "step", "ours (s)", "floor (s)", "floor", "ours/floor", "ours/floor (CPU)", "target",
    "ours peak RSS (MB)", "floor peak RSS (MB)",
)
SITE_COLUMNS = ("N", "YAML (KB)", "stages", "HTML pages", "HTML per page (KB)", "search index (MB)", "site total (MB)",
                "PDF (MB)")


@dataclass
class Sample:
    """One subprocess run: wall seconds, peak RSS in KB, exit code and output tails."""

    seconds: float | None
    maxrss_kb: int | None
    rc: int | None
    out: str = ""
    err: str = ""
    cpu_s: float | None = None  # user + system, of it and its waited-for children

    @property
    def ok(self) -> bool:
        return self.rc == 0


@dataclass
class Row:
    n: int
    step: str
    ours_s: float | None = None
    floor_s: float | None = None
    floor: str = "—"
    target: str = "—"
    ours_mb: float | None = None
    floor_mb: float | None = None
    ours_cpu: float | None = None
    floor_cpu: float | None = None
    notes: list[str] = field(default_factory=list)

    def set_ours(self, s: Sample) -> None:
        self.ours_s, self.ours_mb, self.ours_cpu = s.seconds, mb(s.maxrss_kb), s.cpu_s

    def set_floor(self, s: Sample) -> None:
        self.floor_s, self.floor_mb, self.floor_cpu = s.seconds, mb(s.maxrss_kb), s.cpu_s

    @property
    def ratio(self) -> float | None:
        if self.ours_s is None or not self.floor_s:
            return None
        return self.ours_s / self.floor_s

    @property
    def cpu_ratio(self) -> float | None:
        """Same ratio in CPU seconds: steadier than wall time on a busy machine."""
        if self.ours_cpu is None or not self.floor_cpu:
            return None
        return self.ours_cpu / self.floor_cpu


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    env["NO_MKDOCS_2_WARNING"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    env.setdefault("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01: builds stay byte-stable
    env["NO_COLOR"] = "1"
    return env


def run_once(cmd: list[str], *, cwd: Path, stdin: Path | None = None, timeout: float = 1800) -> Sample:
    """Run ``cmd`` once; time it and read its own peak RSS with ``os.wait4``."""
    # Output goes to temporary files (a pipe could fill up and stall the child).
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            open(stdin if stdin else os.devnull, "rb") as inp:
        t0 = time.perf_counter()
        try:
            proc = subprocess.Popen(cmd, cwd=cwd, env=bench_env(), stdin=inp, stdout=out, stderr=err)
        except OSError as exc:
            return Sample(None, None, None, "", str(exc))
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.002)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)

        def tail(f) -> str:
            f.seek(0)
            return f.read().decode("utf-8", errors="replace")[-4000:]

        return Sample(seconds, int(usage.ru_maxrss), proc.returncode, tail(out), tail(err),
                      usage.ru_utime + usage.ru_stime)


def best_of(repeats: int, cmd: list[str], *, cwd: Path, before: Callable[[], None] | None = None,
            stdin: Path | None = None) -> Sample:
    """Fastest of ``repeats`` runs (the least disturbed by the rest of the machine).

    ``before`` runs, untimed, ahead of each run (e.g. to empty a cache).
    A failed run is returned at once, so its error can be reported.
    """
    samples: list[Sample] = []
    for _ in range(max(1, repeats)):
        if before:
            before()
        samples.append(run_once(cmd, cwd=cwd, stdin=stdin))
        if not samples[-1].ok:
            break
    best = pick_best(samples)
    assert best is not None
    return best


def pick_best(samples: list[Sample]) -> Sample | None:
    """The first failure if any run failed, else the fastest run with the largest peak RSS seen."""
    if not samples:
        return None
    bad = [x for x in samples if not x.ok]
    if bad:
        return bad[0]
    best = min(samples, key=lambda x: x.seconds or 0.0)
    best.maxrss_kb = max(x.maxrss_kb or 0 for x in samples)
    return best


def failure(s: Sample, what: str) -> str:
    tail = (s.err.strip() or s.out.strip()).splitlines()[-1:] or [""]
    return f"{what} failed (exit {s.rc}): {tail[0][:200]}"


def mb(kb: int | None) -> float | None:
    return None if kb is None else kb / 1024


def have(module: str) -> bool:
    """Whether ``generator.<module>`` (a file or package) exists in this checkout yet."""
    base = REPO / "generator" / Path(*module.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def rmtree(p: Path) -> None:
    shutil.rmtree(p, ignore_errors=True)


# --------------------------------------------------------------------------- steps


class Bench:
    """All measurements for one N, in its own work directory."""

    def __init__(self, n: int, work: Path, repeats: int, pdf_max: int):
        self.n = n
        self.dir = work / f"n{n}"
        self.repeats = repeats
        self.pdf_max = pdf_max
        self.rows: list[Row] = []
        self.site: dict[str, float | int | None] = {"n": n}
        self.notes: list[str] = []
        rmtree(self.dir)
        self.dir.mkdir(parents=True)
        self.yaml = self.dir / "pathway.yaml"

    def guarded(self, name: str, fn: Callable[[], None]) -> None:
        try:
            fn()
        except Exception as exc:  # a broken step must not hide the others' numbers
            log(f"N={self.n} {name}: harness error {exc!r}")
            self.notes.append(f"{name}: harness error {type(exc).__name__}: {exc}")

    def run(self) -> None:
        from benchmarks import synth

        self.yaml.write_text(synth.generate(self.n), encoding="utf-8")
        self.site["yaml_kb"] = self.yaml.stat().st_size / 1024
        self.site["stages"] = self.n
        for name, fn in (("validate", self.validate), ("diagrams", self.diagrams),
                         ("build", self.build), ("pdf", self.pdf)):
            log(f"N={self.n}: {name}")
            self.guarded(name, fn)

    # -- validate ------------------------------------------------------------

    def validate(self) -> None:
        safe = best_of(self.repeats, [PY, "-m", "benchmarks.steps", "yaml", str(self.yaml), "safe"], cwd=self.dir)
        csafe = best_of(self.repeats, [PY, "-m", "benchmarks.steps", "yaml", str(self.yaml), "csafe"], cwd=self.dir)
        ours: Sample | None = None
        note = ""
        if have("cli.validate"):
            ours = best_of(self.repeats, PATHWAY + ["validate", "--strict", str(self.yaml)], cwd=self.dir)
            if not ours.ok:
                note = failure(ours, "pathway validate")
                ours = None
        else:
            note = "`pathway validate` not in the tree yet"
        for floor, label in ((safe, "yaml.safe_load"), (csafe, "yaml.load(CSafeLoader)")):
            row = Row(self.n, "validate", floor=label, target=f"< {VALIDATE_TARGET_S:g} s")
            if ours:
                row.set_ours(ours)
            if floor.ok:
                row.set_floor(floor)
            else:
                row.notes.append(failure(floor, label))
            if note:
                row.notes.append(note)
            self.rows.append(row)

    # -- diagrams ------------------------------------------------------------

    def diagrams(self) -> None:
        row = Row(self.n, "diagrams (cold cache)", floor="dot -Tsvg, one process")
        warm = Row(self.n, "diagrams (warm cache)", floor="dot -Tsvg, one process")
        self.rows += [row, warm]
        if not (have("layout") and have("pipeline")):
            for r in (row, warm):
                r.notes.append("generator.render.layout / generator.core.pipeline not in the tree yet")
            return
        all_dot = self.dir / "all.dot"
        prep = run_once([PY, "-m", "benchmarks.steps", "dots", str(self.yaml), str(all_dot)], cwd=self.dir)
        if prep.ok:
            floor = best_of(self.repeats, ["dot", "-Tsvg"], cwd=self.dir, stdin=all_dot)
            if floor.ok:
                for r in (row, warm):
                    r.set_floor(floor)
            else:
                row.notes.append(failure(floor, "dot"))
        else:
            row.notes.append(failure(prep, "writing the DOT text"))
        cache = self.dir / "svg-cache"
        cmd = [PY, "-m", "benchmarks.steps", "diagrams", str(self.yaml), str(cache)]
        cold = best_of(self.repeats, cmd, cwd=self.dir, before=lambda: rmtree(cache))
        if cold.ok:
            row.set_ours(cold)
            row.notes.append("phases " + _phases(cold.out))
            hot = best_of(self.repeats, cmd, cwd=self.dir)
            if hot.ok:
                warm.set_ours(hot)
        else:
            row.notes.append(failure(cold, "layout.render_svgs"))

    # -- build ---------------------------------------------------------------

    def build(self) -> None:
        row = Row(self.n, "build", floor="mkdocs build, no plugin", target=f"≤ {BUILD_RATIO_TARGET:g}× floor")
        warm = Row(self.n, "build (warm cache)", floor=row.floor)
        self.rows += [row, warm]
        site = self.dir / "site"
        ours_dir = self.dir / "ours"
        floor_dir = self.dir / "floor"
        floor_site = floor_dir / "site"

        def clean() -> None:
            # Cold: no site and no layout cache from an earlier run.  Our own
            # copy of the project's mkdocs.yml puts the cache (cache_dir is
            # relative to the config) under ours/, not in the shared checkout.
            rmtree(site)
            rmtree(ours_dir)
            ours_dir.mkdir()
            shutil.copy(self.yaml, ours_dir / "pathway.yaml")
            write_ours_config(ours_dir)

        ours_cmd = PATHWAY + ["build", "pathway.yaml", "-d", str(site), "-f", "mkdocs.yml"]
        floor_cmd = [PY, "-m", "mkdocs", "build", "-q", "-f", str(floor_dir / "mkdocs.yml"), "-d", str(floor_site)]
        if not have("cli.build"):
            row.notes.append("`pathway build` not in the tree yet")
            ours_cmd = None
        err = make_floor_project(self.yaml, floor_dir, self.dir)
        if err:
            row.notes.append(err)
            floor_cmd = None

        # Interleaved (cold, warm, floor) × repeats, so a burst of load on a
        # shared machine hits ours and the floor alike rather than one of them.
        cold_s: list[Sample] = []
        warm_s: list[Sample] = []
        floor_s: list[Sample] = []
        for _ in range(self.repeats):
            if ours_cmd and all(x.ok for x in cold_s + warm_s):
                cold_s.append(best_of(1, ours_cmd, cwd=ours_dir, before=clean))
                if cold_s[-1].ok:
                    self.site.update(site_stats(site))
                    # Again with the layout cache the cold run left: an author's rebuild.
                    warm_s.append(best_of(1, ours_cmd, cwd=ours_dir, before=lambda: rmtree(site)))
            if floor_cmd and all(x.ok for x in floor_s):
                floor_s.append(best_of(1, floor_cmd, cwd=floor_dir, before=lambda: rmtree(floor_site)))

        for r, samples, what in ((row, cold_s, "pathway build"), (warm, warm_s, "warm pathway build")):
            best = pick_best(samples)
            if best is None:
                continue
            if best.ok:
                r.set_ours(best)
            else:
                r.notes.append(failure(best, what))
        best_floor = pick_best(floor_s)
        if best_floor is not None and best_floor.ok:
            row.set_floor(best_floor)
            warm.set_floor(best_floor)
            fs = site_stats(floor_site)
            self.site["floor_html_kb_per_page"] = fs.get("html_kb_per_page")
            if row.ours_s is not None and fs.get("html_pages") != self.site.get("html_pages"):
                row.notes.append(f"floor built {fs.get('html_pages')} HTML pages, ours {self.site.get('html_pages')}")
        elif best_floor is not None:
            row.notes.append(failure(best_floor, "floor mkdocs build"))

    # -- pdf -----------------------------------------------------------------

    def pdf(self) -> None:
        target = f"< {PDF_TARGET_S:g} s" if self.n == PDF_TARGET_N else "—"
        row = Row(self.n, "pdf", floor="—", target=target)
        if not have("cli.pdf"):
            row.notes.append("`pathway pdf` not in the tree yet")
            self.rows.append(row)
            return
        if self.n > self.pdf_max:
            return  # left out on purpose (--pdf-max); not a row
        self.rows.append(row)
        pdf_dir = self.dir / "pdf"

        def clean() -> None:
            rmtree(pdf_dir)
            pdf_dir.mkdir()
            shutil.copy(self.yaml, pdf_dir / "pathway.yaml")

        s = best_of(self.repeats, PATHWAY + ["pdf", "pathway.yaml", "-o", "handbook.pdf"], cwd=pdf_dir, before=clean)
        if s.ok:
            row.set_ours(s)
            pdf = pdf_dir / "handbook.pdf"
            if pdf.exists():
                self.site["pdf_mb"] = pdf.stat().st_size / 2**20
        else:
            row.notes.append(failure(s, "pathway pdf"))


def _phases(out: str) -> str:
    try:
        d = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return "(no phase data)"
    keys = ("import_and_load_s", "dot_text_s", "layout_s")
    return ", ".join(f"{k.removesuffix('_s').replace('_', ' ')} {d[k]:.2f} s" for k in keys if k in d) + \
        f" ({d.get('graphs', '?')} graphs)"


def site_stats(site: Path) -> dict[str, float | int]:
    """HTML pages, HTML bytes per page, whole site size and SVG count of a built site."""
    if not site.is_dir():
        return {}
    html = [p for p in site.rglob("*.html")]
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    html_bytes = sum(p.stat().st_size for p in html)
    return {
        "html_pages": len(html),
        "html_kb_per_page": html_bytes / len(html) / 1024 if html else 0.0,
        "site_mb": total / 2**20,
        "search_mb": sum(p.stat().st_size for p in site.glob("search/*.json")) / 2**20,
    }


# --------------------------------------------------------------------------- the build floor


def write_ours_config(where: Path) -> None:
    """The project's mkdocs.yml, verbatim but for an absolute ``docs_dir``, into ``where``."""
    import re

    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    m = re.search(r"^docs_dir:\s*(\S+)\s*$", text, re.M)
    docs = REPO / (m.group(1).strip("'\"") if m else "docs")
    line = f"docs_dir: {json.dumps(str(docs))}"
    text = text[:m.start()] + line + text[m.end():] if m else f"{text.rstrip()}\n{line}\n"
    (where / "mkdocs.yml").write_text(text, encoding="utf-8")


def make_floor_project(yaml_path: Path, floor_dir: Path, work: Path) -> str | None:
    """Lay out a plain MkDocs project with the same pages, theme and nav as ours, minus our plugin.

    Returns an error note, or None when the project is ready.  The docs are
    exactly what ``pathway generate`` writes (so diagrams are already SVG
    files), and ``mkdocs.yml`` is the configuration ``pathway build`` uses with
    the ``pathway`` plugin removed and its nav written out.
    """
    rmtree(floor_dir)
    floor_dir.mkdir(parents=True)
    gen = work / "generated"
    rmtree(gen)
    if have("cli.generate"):
        s = run_once(PATHWAY + ["generate", str(yaml_path), "-o", str(gen)], cwd=work)
        if not s.ok:
            return failure(s, "pathway generate")
    cfg = run_once([PY, "-m", "benchmarks.floorcfg", str(yaml_path), str(gen), str(floor_dir)], cwd=work)
    if not cfg.ok:
        return failure(cfg, "writing the floor project")
    return None


# --------------------------------------------------------------------------- report


def machine_info() -> dict[str, str]:
    def ver(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    def cmd(args: list[str]) -> str:
        try:
            p = subprocess.run(args, capture_output=True, text=True, timeout=30, cwd=REPO)
            return (p.stdout.strip() or p.stderr.strip()).splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return "unknown"

    try:
        import yaml
        pyyaml = f"{yaml.__version__} (libyaml {'yes' if yaml.__with_libyaml__ else 'no'})"
    except ImportError:
        pyyaml = "not installed"
    startup = min(run_once([PY, "-c", "pass"], cwd=REPO).seconds or 0 for _ in range(3))
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": f"{os.cpu_count()} × {cpu}",
        "os": platform.platform(),
        "python": platform.python_version(),
        "python start-up": f"{startup * 1000:.0f} ms",
        "graphviz": cmd(["dot", "-V"]),
        "mkdocs": ver("mkdocs"),
        "mkdocs-material": ver("mkdocs-material"),
        "PyYAML": pyyaml,
        "WeasyPrint": ver("weasyprint"),
        "commit": cmd(["git", "describe", "--always", "--dirty"]),
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def fmt(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def target_status(r: Row) -> str:
    if r.target == "—":
        return "—"
    if r.step == "build":
        ok = r.ratio is not None and r.ratio <= BUILD_RATIO_TARGET
        known = r.ratio is not None
    else:
        ok = r.ours_s is not None and r.ours_s < float(r.target.split()[1])
        known = r.ours_s is not None
    return f"{r.target}: " + ("met" if ok else "MISSED" if known else "n/a")


def table(headers: tuple[str, ...], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def report(rows: list[Row], sites: list[dict], notes: list[str], info: dict[str, str], argv: list[str],
           repeats_desc: str) -> str:
    main_rows = [[
        str(r.n), r.step, fmt(r.ours_s), fmt(r.floor_s), r.floor, fmt(r.ratio) + ("×" if r.ratio else ""),
        fmt(r.cpu_ratio) + ("×" if r.cpu_ratio else ""), target_status(r), fmt(r.ours_mb, 0), fmt(r.floor_mb, 0),
    ] for r in rows]
    site_rows = [[
        str(s["n"]), fmt(s.get("yaml_kb"), 0), str(s.get("stages", "n/a")), str(s.get("html_pages", "n/a")),
        fmt(s.get("html_kb_per_page"), 1), fmt(s.get("search_mb"), 1), fmt(s.get("site_mb"), 1), fmt(s.get("pdf_mb"), 1),
    ] for s in sites]
    out = [
        "# Benchmark results",
        "",
        "Command: `" + " ".join(["python -m benchmarks.run", *argv]) + "`",
        "",
        "Machine: " + "; ".join(f"{k} {v}" for k, v in info.items()),
        "",
        f"Wall-clock seconds, {repeats_desc}; every number is one fresh subprocess "
        "(so each includes Python start-up and imports, like a user's command). "
        "\"ours/floor (CPU)\" is the same ratio in user+system CPU seconds, steadier than wall time on a busy machine. "
        "Peak RSS is that subprocess's own maximum resident set (or of the largest child it waited for). "
        "Cold cache: no Graphviz layout cache; warm: the cache the cold run left (an author's rebuild).",
        "",
        table(COLUMNS, main_rows),
        "",
        "## Site size (our build)",
        "",
        table(SITE_COLUMNS, site_rows),
        "",
    ]
    all_notes = [f"N={r.n} {r.step}: {n}" for r in rows for n in r.notes] + notes
    if all_notes:
        out += ["## Notes", ""] + [f"- {n}" for n in all_notes] + [""]
    return "\n".join(out)


def plot(rows: list[Row], path: Path) -> str | None:
    """Log-log time vs N, one panel per step, ours solid and floors dashed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib not installed: no plot (pip install matplotlib)"
    panels = [
        ("pathway validate", "validate", ["yaml.safe_load", "yaml.load(CSafeLoader)"]),
        ("diagrams (layout, one dot)", "diagrams (cold cache)", ["dot -Tsvg, one process"]),
        ("pathway build", "build", ["mkdocs build, no plugin"]),
        ("pathway pdf", "pdf", []),
    ]
    fig, axes = plt.subplots(2, 2, figsize=(11, 8.5))
    for ax, (title, step, floors) in zip(axes.flat, panels):
        sel = [r for r in rows if r.step == step]
        ours = sorted({(r.n, r.ours_s) for r in sel if r.ours_s is not None})
        if ours:
            ax.plot(*zip(*ours), "o-", color="tab:blue", label="ours")
        if step in ("diagrams (cold cache)", "build"):
            warm_step = "diagrams (warm cache)" if step != "build" else "build (warm cache)"
            warm = sorted((r.n, r.ours_s) for r in rows if r.step == warm_step and r.ours_s)
            if warm:
                ax.plot(*zip(*warm), "o:", color="tab:cyan", label="ours, warm cache")
        if step == "build":
            limit = sorted((r.n, r.floor_s * BUILD_RATIO_TARGET) for r in sel if r.floor_s)
            if limit:
                ax.plot(*zip(*limit), "-", color="tab:red", alpha=0.35, label=f"target ({BUILD_RATIO_TARGET:g}× floor)")
        if step == "validate":
            ax.axhline(VALIDATE_TARGET_S, color="tab:red", alpha=0.35, label=f"target ({VALIDATE_TARGET_S:g} s)")
        if step == "pdf":
            ax.plot([PDF_TARGET_N], [PDF_TARGET_S], "x", color="tab:red", ms=10, label="target at N=100")
        for i, fl in enumerate(floors):
            pts = sorted((r.n, r.floor_s) for r in sel if r.floor == fl and r.floor_s is not None)
            if pts:
                ax.plot(*zip(*pts), "s--", color=("tab:orange", "tab:green")[i % 2], label=f"floor: {fl}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(title)
        ax.set_xlabel("stages (N)")
        ax.set_ylabel("seconds")
        ax.grid(True, which="both", alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
        else:
            ax.text(0.5, 0.5, "n/a", transform=ax.transAxes, ha="center")
    fig.suptitle("pathway publisher: time vs number of stages (log-log)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None


def profile_build(n: int, work: Path, out: Path) -> str:
    """cProfile of one cold ``pathway build`` at N; the top functions go to ``out``."""
    import pstats

    from benchmarks import synth

    d = work / f"profile-{n}"
    rmtree(d)
    d.mkdir(parents=True)
    (d / "pathway.yaml").write_text(synth.generate(n), encoding="utf-8")
    prof = d / "build.prof"
    s = run_once([PY, "-m", "cProfile", "-o", str(prof), "-m", "generator", "build", "pathway.yaml",
                  "-d", str(d / "site")], cwd=d)
    if not s.ok:
        return failure(s, "profiled build")
    with open(out, "w", encoding="utf-8") as f:
        f.write(f"cProfile of a cold `pathway build` at N={n} (wall {s.seconds:.1f} s under the profiler)\n\n")
        st = pstats.Stats(str(prof), stream=f)
        st.sort_stats("cumulative").print_stats(45)
        st.sort_stats("tottime").print_stats(30)
    return f"profile of build at N={n}: {out.name}"


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
    ap.add_argument("--profile", type=int, metavar="N", default=None,
                    help="also cProfile one `pathway build` at N into OUT/profile-build-N.txt")
    args = ap.parse_args(argv)

    args.out.mkdir(parents=True, exist_ok=True)
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    info = machine_info()
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
