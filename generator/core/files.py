"""Safe writing of a generated file set into a folder (``pathway generate``).

Rules, so nothing a person wrote is ever lost:

* The folder records what it holds in ``.pathway-manifest.json`` (a dotfile,
  so MkDocs never publishes it).  A later run replaces exactly those files:
  pages of removed stages disappear, files we did not write stay untouched.
* A non-empty folder without a manifest is refused, and so is a new file that
  would land on a file we did not write, and a sub-folder on the way to one of
  our files that is a symbolic link (we would write or delete through it).

All or nothing.  Moving files into place one by one cannot be undone half-way
(a failure on the fifth page leaves four new pages beside old ones and an old
manifest), so the whole new folder is built first and swapped in by renames:

1. In a temporary folder next to the target (same file system, so renames are
   atomic) build ``new/``: the generated files, the manifest, and every file
   we did not write, as a hard link to the very same file (a copy where a link
   is not allowed) -- symlinks as symlinks, empty folders as folders, folder
   modes kept.  The target is only read; any failure here just deletes the
   temporary folder.
2. Rename the target to ``old/`` inside the temporary folder, then ``new/`` to
   the target.  If the second rename fails, ``old/`` is renamed back, so the
   target is again exactly what it was.
3. Delete from ``old/`` what we know is there: our previous files (now
   replaced or stale) and the other names of the linked or copied files.
   Anything else -- a file someone added during the run -- is never deleted:
   it stays in the temporary folder, which is then left in place.

The price: the target must be a real folder that can be renamed (not a mount
point), and its parent must be writable.
"""

from __future__ import annotations

import json
import os
import posixpath
import shutil
import stat
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
    """Make ``out_dir`` hold ``files`` (relative path -> bytes); return the stale paths removed.

    Either the folder ends up complete, or (on any error) exactly as it was.
    """
    out = Path(os.path.abspath(out_dir))
    if out.is_symlink():  # a link to the real folder: replace the folder, keep the link
        out = out.resolve()
    wanted = {_check_rel(k): v for k, v in files.items()}
    existed = out.exists()
    if existed and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    previous = read_manifest(out) if existed else []
    if previous is None:
        if any(out.iterdir()):
            raise OutputError(f"{out} is not empty and was not written by `{_TOOL}` (no {MANIFEST}); "
                              "choose an empty or new folder")
        previous = []
    managed = set(previous)
    _check_paths(out, wanted, managed)
    empty_dirs, leaves = _scan(out) if existed else ([], [])
    foreign = [rel for rel in leaves if rel not in managed and rel != MANIFEST]

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".pathway-tmp-", dir=out.parent))
    new, old = tmp / "new", tmp / "old"
    try:
        new.mkdir()  # unlike mkdtemp's 0700, the usual mode for a new folder
        for rel, data in wanted.items():
            (new / rel).parent.mkdir(parents=True, exist_ok=True)
            (new / rel).write_bytes(data)
        manifest = json.dumps({"tool": _TOOL, "files": sorted(wanted)}, indent=1) + "\n"
        (new / MANIFEST).write_text(manifest, encoding="utf-8")
        for rel in empty_dirs:
            (new / rel).mkdir(parents=True, exist_ok=True)
        for rel in foreign:
            (new / rel).parent.mkdir(parents=True, exist_ok=True)
            _carry(out / rel, new / rel)
        if existed:
            _copy_folder_modes(out, new)
        _swap(new, out, old if existed else None)
    except BaseException:
        if not old.exists():  # else the previous folder is in there (see _swap): keep it
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    _discard(tmp, old, leaves)
    return sorted(managed - set(wanted))


def _check_paths(out: Path, wanted: Mapping[str, bytes], managed: set[str]) -> None:
    """Refuse symlinked sub-folders on the way to our files, and new files over files or folders not ours."""
    for rel in sorted(set(wanted) | managed):
        # A sub-folder replaced by a symlink (e.g. committed in a pull request) must not make us write
        # or delete through it.  (Fix from the hardening tests, tests/test_safe_writes.py.)
        for parent in list(Path(rel).parents)[-2::-1]:  # "a", "a/b", ... (not ".")
            where = out / parent
            if where.is_symlink():
                raise OutputError(f"{where} is a symbolic link; refusing to write through it")
            if rel in wanted and where.exists() and not where.is_dir() and parent.as_posix() not in managed:
                raise OutputError(f"{where} is a file not written by `{_TOOL}`; expected a folder there")
    for rel in wanted:
        target = out / rel
        if rel not in managed and (target.exists() or target.is_symlink()):
            raise OutputError(f"{target} already exists and was not written by `{_TOOL}`; move it away first")
        if target.is_dir():
            raise OutputError(f"{target} is a folder; expected to write a file there")


def _scan(root: Path) -> tuple[list[str], list[str]]:
    """Relative paths under root of the empty folders, and of everything that is not a folder."""
    empty_dirs: list[str] = []
    leaves: list[str] = []

    def fail(exc: OSError) -> None:  # an unreadable sub-folder must stop us, not be skipped
        raise exc

    for path, dirs, names in os.walk(root, onerror=fail):  # does not follow symlinks
        here = Path(path)
        rel = here.relative_to(root).as_posix()
        if here != root and not dirs and not names:
            empty_dirs.append(rel)
        linked = [d for d in dirs if (here / d).is_symlink()]  # a symlink to a folder is a leaf
        leaves += [(here / n).relative_to(root).as_posix() for n in names + linked]
    return empty_dirs, leaves


def _carry(src: Path, dst: Path) -> None:
    """Put a file we did not write into the new folder unchanged: the same file (hard link), else a copy."""
    if src.is_symlink():
        os.symlink(os.readlink(src), dst)
        return
    try:
        os.link(src, dst)
    except OSError:  # e.g. not our file under fs.protected_hardlinks, or a file system without links
        shutil.copy2(src, dst)  # refuses a FIFO or a device instead of hanging on it


def _copy_folder_modes(src: Path, dst: Path) -> None:
    """Give each folder of dst that also exists in src the mode it has there."""
    for path, _dirs, _names in os.walk(dst):
        before = src / Path(path).relative_to(dst)
        if before.is_dir() and not before.is_symlink():
            os.chmod(path, stat.S_IMODE(before.stat().st_mode))


def _swap(new: Path, out: Path, old: Path | None) -> None:
    """Put new in place of out with two renames, out going to old; on failure, out is as it was."""
    if old is not None:
        os.replace(out, old)
    try:
        os.replace(new, out)
    except BaseException as exc:
        if old is not None:
            try:
                os.replace(old, out)
            except OSError as again:
                raise OutputError(f"could not put the new {out} in place ({exc}) nor the previous one back "
                                  f"({again}); the previous folder is in {old}") from exc
        raise


def _discard(tmp: Path, old: Path, leaves: list[str]) -> None:
    """Delete the previous folder, but only the entries we saw before the swap; then the temporary folder."""
    if old.exists():
        for rel in leaves:
            (old / rel).unlink(missing_ok=True)
        for path, _dirs, _names in os.walk(old, topdown=False):
            try:
                os.rmdir(path)  # fails, harmlessly, if anything unexpected is inside
            except OSError:
                pass
    try:
        tmp.rmdir()
    except OSError:
        pass
