"""Hash every output the tool makes for the seed and the fixture pathways.

Used to prove that a refactoring changes no output byte:

    .venv/bin/python scripts/output_hashes.py > /tmp/before.txt
    ... refactor ...
    .venv/bin/python scripts/output_hashes.py | diff /tmp/before.txt -

It drives the command line only (``python -m generator``), so it works on any
layout of the package.  Dates are pinned with ``SOURCE_DATE_EPOCH``; the
sitemap (which MkDocs dates itself) is left out.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PATHWAYS = [
    REPO / "pathway.yaml",
    *sorted((REPO / "tests" / "fixtures" / "pathways").glob("*.yaml")),
    REPO / "tests" / "fixtures" / "core" / "valid.yaml",
]
SKIP = {"sitemap.xml", "sitemap.xml.gz"}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600", "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env, capture_output=True)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def tree(root: Path) -> list[str]:
    return [
        f"{p.relative_to(root).as_posix()} {digest(p.read_bytes())}"
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in SKIP and ".pathway-manifest" not in p.name
    ]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        for src in PATHWAYS:
            name = f"{src.parent.name}/{src.name}"
            gen = t / f"gen-{src.stem}"
            r = run("generate", str(src), "-o", str(gen), cwd=REPO)
            print(f"# {name} generate rc={r.returncode}")
            if gen.exists():
                print("\n".join(f"  {line}" for line in tree(gen)))
            pdf = t / f"{src.stem}.pdf"
            r = run("pdf", str(src), "-o", str(pdf), cwd=REPO)
            print(f"# {name} pdf rc={r.returncode} {digest(pdf.read_bytes()) if pdf.exists() else '-'}")
        site = t / "site"
        r = run("build", str(REPO / "pathway.yaml"), "-d", str(site), cwd=REPO)
        print(f"# build seed rc={r.returncode}")
        if site.exists():
            print("\n".join(f"  {line}" for line in tree(site)))
        for a, b in zip(PATHWAYS, PATHWAYS[1:], strict=False):
            for fmt in ("markdown", "json", "text"):
                r = run("diff", str(a), str(b), "--format", fmt, cwd=REPO)
                print(f"# diff {a.stem} {b.stem} {fmt} rc={r.returncode} {digest(r.stdout)}")
            svg = t / f"diff-{a.stem}-{b.stem}.svg"
            r = run("diff", str(a), str(b), "--svg", str(svg), cwd=REPO)
            print(f"# diff {a.stem} {b.stem} svg rc={r.returncode} {digest(svg.read_bytes()) if svg.exists() else '-'}")


if __name__ == "__main__":
    main()
