"""The measured steps for one N: validate, diagrams, build and pdf, each against its floor.

Each step adds ``Row``s; a step that fails notes why and never stops the
others.  The programs the steps time live in ``benchmarks.probes``.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Callable

from benchmarks.harness import (
    BUILD_RATIO_TARGET, PATHWAY, PDF_TARGET_N, PDF_TARGET_S, PY, REPO, VALIDATE_TARGET_S,
    Row, Sample, best_of, failure, log, pick_best, rmtree, run_once,
)


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
        for name, fn in (("validate", self.validate), ("validate (computable)", self.validate_computable),
                         ("diagrams", self.diagrams),
                         ("build", self.build), ("pdf", self.pdf)):
            log(f"N={self.n}: {name}")
            self.guarded(name, fn)

    # -- validate ------------------------------------------------------------

    def validate(self) -> None:
        safe = best_of(self.repeats, [PY, "-m", "benchmarks.probes", "yaml", str(self.yaml), "safe"], cwd=self.dir)
        csafe = best_of(self.repeats, [PY, "-m", "benchmarks.probes", "yaml", str(self.yaml), "csafe"], cwd=self.dir)
        ours: Sample | None = best_of(self.repeats, PATHWAY + ["validate", "--strict", str(self.yaml)], cwd=self.dir)
        note = ""
        if not ours.ok:
            note = failure(ours, "pathway validate")
            ours = None
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

    def validate_computable(self) -> None:
        """``pathway validate`` of a pathway whose decisions are all computable (each one proved)."""
        from benchmarks import computable

        path = self.dir / "computable.yaml"
        path.write_text(computable.generate(self.n), encoding="utf-8")
        floor = best_of(self.repeats, [PY, "-m", "benchmarks.probes", "yaml", str(path), "csafe"], cwd=self.dir)
        ours = best_of(self.repeats, PATHWAY + ["validate", "--strict", str(path)], cwd=self.dir)
        row = Row(self.n, "validate (computable)", floor="yaml.load(CSafeLoader)", target=f"< {VALIDATE_TARGET_S:g} s")
        if ours.ok:
            row.set_ours(ours)
        else:
            row.notes.append(failure(ours, "pathway validate (computable)"))
        if floor.ok:
            row.set_floor(floor)
        else:
            row.notes.append(failure(floor, "yaml.load(CSafeLoader)"))
        self.rows.append(row)

    # -- diagrams ------------------------------------------------------------

    def diagrams(self) -> None:
        row = Row(self.n, "diagrams (cold cache)", floor="dot -Tsvg, one process")
        warm = Row(self.n, "diagrams (warm cache)", floor="dot -Tsvg, one process")
        self.rows += [row, warm]
        all_dot = self.dir / "all.dot"
        prep = run_once([PY, "-m", "benchmarks.probes", "dots", str(self.yaml), str(all_dot)], cwd=self.dir)
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
        cmd = [PY, "-m", "benchmarks.probes", "diagrams", str(self.yaml), str(cache)]
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
        floor_cmd: list[str] | None = [PY, "-m", "mkdocs", "build", "-q", "-f", str(floor_dir / "mkdocs.yml"), "-d", str(floor_site)]
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
    s = run_once(PATHWAY + ["generate", str(yaml_path), "-o", str(gen)], cwd=work)
    if not s.ok:
        return failure(s, "pathway generate")
    # `pathway generate` writes a project: its pages are in docs/.
    cfg = run_once([PY, "-m", "benchmarks.floorcfg", str(yaml_path), str(gen / "docs"), str(floor_dir)], cwd=work)
    if not cfg.ok:
        return failure(cfg, "writing the floor project")
    return None


def worst_cases(sizes: list[int], work: Path, repeats: int) -> list[dict]:
    """``pathway validate`` of every worst-case shape at each size, next to the YAML floor.

    A shape's file has warnings or errors on purpose, so any exit but a crash
    (0 or 1) is a measurement; 2 or more is a failure.
    """
    from benchmarks import synth

    out = []
    d = work / "worst"
    rmtree(d)
    d.mkdir(parents=True)
    for shape in synth.SHAPES:
        entry: dict = {"shape": shape, "doc": (synth.SHAPES[shape].__doc__ or "").strip()}
        for n in sizes:
            path = d / f"{shape}-{n}.yaml"
            path.write_text(synth.worst_case(shape, n), encoding="utf-8")
            log(f"worst case {shape} N={n}")
            ours = best_of(repeats, PATHWAY + ["validate", str(path)], cwd=d, ok_codes=(0, 1))
            floor = best_of(repeats, [PY, "-m", "benchmarks.probes", "yaml", str(path), "csafe"], cwd=d)
            entry[n] = {
                "kb": path.stat().st_size / 1024,
                "ours_s": ours.seconds if ours.rc in (0, 1) else None,
                "ours_cpu": ours.cpu_s if ours.rc in (0, 1) else None,
                "ours_mb": ours.maxrss_kb / 1024 if ours.maxrss_kb and ours.rc in (0, 1) else None,
                "floor_s": floor.seconds if floor.ok else None,
                "note": "" if ours.rc in (0, 1) else failure(ours, "pathway validate"),
            }
        out.append(entry)
    return out
