"""The report: the Markdown tables, the JSON, the plot and the machine description."""

from __future__ import annotations

import datetime as _dt
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from benchmarks.harness import (
    BUILD_RATIO_TARGET, PDF_TARGET_N, PDF_TARGET_S, PY, REPO, VALIDATE_TARGET_S, WORST_TARGET_S, Row, failure, rmtree,
    run_once,
)

# Columns of the main table, in order; the test parses the Markdown by these.
COLUMNS = (
    "N", "step", "ours (s)", "floor (s)", "floor", "ours/floor", "ours/floor (CPU)", "target",
    "ours peak RSS (MB)", "floor peak RSS (MB)",
)
WORST_COLUMNS = ("shape",)  # then, per size: seconds, CPU seconds, floor seconds; then the target
SITE_COLUMNS = ("N", "YAML (KB)", "stages", "HTML pages", "HTML per page (KB)", "search index (MB)", "site total (MB)",
                "PDF (MB)")


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


def worst_table(worst: list[dict]) -> str:
    """One row per worst-case shape; the sizes side by side."""
    sizes = sorted({k for w in worst for k in w if isinstance(k, int)})
    headers = ("shape", *(h for n in sizes for h in (f"N={n} (s)", f"N={n} CPU (s)", f"N={n} floor (s)")),
               f"< {WORST_TARGET_S:g} s at N={max(sizes)}")
    rows = []
    for w in worst:
        cells = [w["shape"]]
        for n in sizes:
            m = w[n]
            cells += [fmt(m["ours_s"]), fmt(m["ours_cpu"]), fmt(m["floor_s"])]
        last = w[max(sizes)]["ours_s"]
        cells.append("n/a" if last is None else "met" if last < WORST_TARGET_S else "MISSED")
        rows.append(cells)
    return table(headers, rows)


def worst_report(worst: list[dict], info: dict[str, str], argv: list[str]) -> str:
    """``worst.md``: validate time of each worst-case shape, the sizes side by side."""
    notes = [f"{w['shape']} N={n}: {w[n]['note']}" for w in worst for n in w if isinstance(n, int) and w[n]["note"]]
    out = [
        "# Worst-case shapes: `pathway validate`",
        "",
        "Command: `" + " ".join(["python -m benchmarks.run", *argv]) + "`",
        "",
        "Machine: " + "; ".join(f"{k} {v}" for k, v in info.items()),
        "",
        "Wall-clock and CPU (user+system) seconds of `pathway validate FILE`, best of the repeats, each a fresh "
        "subprocess; floor: `yaml.load(CSafeLoader)` of the same file. Shapes (`benchmarks/synth.py`):",
        "",
        *[f"- **{w['shape']}**: {w['doc']}" for w in worst],
        "",
        worst_table(worst),
        "",
    ]
    if notes:
        out += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(out)


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
