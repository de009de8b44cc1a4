"""Safe writing of a generated file set into a folder (``pathway generate``).

Rules, so nothing a person wrote is ever lost:

* The folder records what it holds in ``.pathway-manifest.json`` (a dotfile,
  so MkDocs never publishes it).  A later run replaces exactly those files:
  pages of removed stages disappear, files we did not write stay untouched.
* A non-empty folder without a manifest is refused, and so is a new file that
  would land on a file we did not write.
* Every file is first written to a temporary folder next to the target, then
  moved into place with ``os.replace`` (atomic per file); the manifest is
  written last.  If anything fails before the moves, the folder is unchanged.
"""

from __future__ import annotations

import json
import os
import posixpath
import shutil
import tempfile
from pathlib import Path
from typing import Mapping

MANIFEST = ".pathway-manifest.json"
_TOOL = "pathway generate"


class OutputError(Exception):
    """The folder cannot be written safely; the message says why, for the user."""


def _check_rel(path: str) -> str:
    """A relative POSIX path inside the folder, or OutputError."""
    norm = posixpath.normpath(path)
    if not path or path.startswith("/") or norm.startswith("..") or norm == "." or "\\" in path or norm == MANIFEST:
        raise OutputError(f"refusing to write outside the folder or over the manifest: {path!r}")
    return norm


def read_manifest(out_dir: Path) -> list[str] | None:
    """The files recorded by the last run, or None if the folder has no manifest."""
    p = out_dir / MANIFEST
    if not p.exists():
        return None
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        files = data["files"]
        if data.get("tool") != _TOOL or not all(isinstance(f, str) for f in files):
            raise ValueError
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise OutputError(f"{p} is not a manifest written by `{_TOOL}`; remove the folder or choose another") from exc
    return [_check_rel(f) for f in files]


def write_tree(out_dir: str | os.PathLike[str], files: Mapping[str, bytes]) -> list[str]:
    """Make ``out_dir`` hold ``files`` (relative path -> bytes); return the stale paths removed."""
    out = Path(out_dir)
    wanted = {_check_rel(k): v for k, v in files.items()}
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    old = read_manifest(out) if out.exists() else []
    if old is None:
        if any(out.iterdir()):
            raise OutputError(f"{out} is not empty and was not written by `{_TOOL}` (no {MANIFEST}); "
                              "choose an empty or new folder")
        old = []
    managed = set(old)
    for rel in sorted(set(wanted) | managed):
        # A sub-folder replaced by a symlink (e.g. committed in a pull request) must not make us write
        # or delete outside the folder.  (Fix from the hardening tests, tests/test_safe_writes.py.)
        parent = (out / rel).parent
        if parent.exists() and not parent.resolve().is_relative_to(out.resolve()):
            raise OutputError(f"{parent} leads outside {out} (a symbolic link?); refusing to write through it")
    for rel in wanted:
        target = out / rel
        if rel not in managed and (target.exists() or target.is_symlink()):
            raise OutputError(f"{target} already exists and was not written by `{_TOOL}`; move it away first")
        if target.is_dir():
            raise OutputError(f"{target} is a folder; expected to write a file there")

    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".pathway-tmp-", dir=out.parent))
    try:
        for rel, data in wanted.items():
            tmp = staging / rel
            tmp.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
        manifest = json.dumps({"tool": _TOOL, "files": sorted(wanted)}, indent=1) + "\n"
        (staging / MANIFEST).write_text(manifest, encoding="utf-8")
        # Point of no return: move each file into place.
        for rel in sorted(wanted):
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel, target)
        stale = sorted(managed - set(wanted))
        for rel in stale:
            (out / rel).unlink(missing_ok=True)
            _prune_empty_dirs(out, rel)
        os.replace(staging / MANIFEST, out / MANIFEST)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return stale


def _prune_empty_dirs(root: Path, rel: str) -> None:
    """Remove folders left empty by a removed file, up to (not including) root."""
    parent = (root / rel).parent
    while parent != root and root in parent.parents:
        try:
            parent.rmdir()  # fails, harmlessly, if anything else is inside
        except OSError:
            return
        parent = parent.parent
