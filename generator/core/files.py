"""Safe writes: every file and folder the tools produce goes through here.

Three rules, so nothing a person wrote is ever lost or half-replaced:

* **Only what we wrote is replaced.**  A folder records what it holds in
  ``.pathway-manifest.json`` (a dotfile, so MkDocs never publishes it).  A
  later run replaces exactly those files: pages of removed stages disappear,
  files we did not write stay untouched.  A non-empty folder without our
  manifest is refused (unless the caller says ``take_over``, and even then
  its files are kept, only those with the names we write are replaced), and
  so is a new file that would land on a file we did not write, and a
  sub-folder on the way to one of our files that is a symbolic link.
* **All or nothing.**  A file is written to a temporary file beside it and
  renamed (:func:`atomic_write`).  A folder is built whole beside the target
  and swapped in by renames (:func:`replace_tree`):

  1. In a temporary folder next to the target (same file system, so renames
     are atomic) build ``new/``: the new files, the manifest, and every file
     we did not write, as a hard link to the very same file (a copy where a
     link is not allowed) -- symlinks as symlinks, empty folders as folders,
     folder modes kept.  The target is only read; any failure here just
     deletes the temporary folder.
  2. Rename the target to ``old/`` inside the temporary folder, then ``new/``
     to the target.  If the second rename fails, ``old/`` is renamed back, so
     the target is again exactly what it was.
  3. Delete from ``old/`` what we know is there: our previous files and the
     other names of the linked or copied files.  Anything else -- a file
     someone added during the run -- is never deleted: it stays in the
     temporary folder, which is then left in place.
* **One writer at a time, and no litter.**  Each write holds an exclusive
  ``flock`` on ``.NAME.pathway-lock`` beside the target, so a second run into
  the same target waits for the first.  Holding it, a run knows that any
  ``.NAME.pathway-tmp-*`` beside the target is left from a run that was
  killed, and cleans it up: a previous folder caught between the two renames
  is put back, a half-built one deleted.

Paths are resolved against the current folder, and a target that is a
symbolic link is followed on purpose: the file or folder it points to is
replaced and the link stays.  A link to nothing is refused.

The price: the target must be a real folder that can be renamed (not a mount
point), and its parent must be writable.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import filecmp
import json
import os
import posixpath
import shutil
import stat
import tempfile
from pathlib import Path
from typing import IO, Callable, Iterator, Mapping

from generator.core.errors import EXIT_FAILED, PathwayError, UsageError

MANIFEST = ".pathway-manifest.json"
TMP_INFIX = ".pathway-tmp-"
LOCK_SUFFIX = ".pathway-lock"
_TOOL = "pathway generate"

Data = bytes | str | Callable[[IO[bytes]], object]
Notice = Callable[[str], None]


class OutputError(PathwayError):
    """The output cannot be written safely; the message says why, for the user.

    A refusal (a folder that is not ours, a symbolic link on the way) is a usage
    error, exit 2; a write that failed on the way (disk full...) is exit 1.
    """

    exit_code = 2


def _write_failed(target: Path, exc: OSError) -> OutputError:
    return OutputError(f"cannot write {target}: {exc.strerror or exc}", exit_code=EXIT_FAILED)


# --- inputs and outputs ------------------------------------------------------


def check_input_file(path: str | os.PathLike[str]) -> None:
    """Refuse, at once, a FILE argument that is not a regular file (a folder, a FIFO, a device).

    ``stat`` before ``open``: opening a FIFO blocks until a writer appears, so
    ``pathway validate some-fifo`` would hang for ever.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise UsageError(f"no such file: {path} (run this in the folder that holds pathway.yaml, "
                         "or give its path)") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise UsageError(f"{path} is a folder; give the path of the pathway file")
    if not stat.S_ISREG(st.st_mode):
        kind = "a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else (
            "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "not a regular file")
        raise UsageError(f"{path} is {kind}; give the path of the pathway file")


def resolve_output(path: str | os.PathLike[str]) -> Path:
    """The absolute path to write: relative to the current folder, a symbolic link followed on purpose."""
    out = Path(os.path.abspath(path))
    if out.is_symlink():
        try:
            real = out.resolve(strict=True)
        except (OSError, RuntimeError):  # a link to nothing, or a loop of links
            raise OutputError(f"{out} is a symbolic link to {os.readlink(out)!r}, which does not exist; "
                              "remove the link or point it at a real file or folder") from None
        return real
    return out


def check_not_input(output: str | os.PathLike[str], *inputs: str | os.PathLike[str], option: str) -> None:
    """Refuse an output path that is one of the inputs (``diff A B --svg B`` would overwrite B)."""
    out = Path(os.path.realpath(output))
    for given in inputs:
        src = Path(os.path.realpath(given))
        same = src == out
        with contextlib.suppress(OSError):
            same = same or os.path.samefile(src, out)
        if same:
            raise UsageError(f"{option} {output} would overwrite the input {given}; choose another {option}")


# --- one writer at a time ----------------------------------------------------


@contextlib.contextmanager
def output_lock(target: Path, on_wait: Notice | None = None) -> Iterator[None]:
    """Hold the exclusive lock of ``target`` (``.NAME.pathway-lock`` beside it); wait while another run has it.

    The lock file is removed on release; a run that locked a file just removed
    by the previous holder sees a different inode at the path and tries again.
    """
    lock = target.parent / f".{target.name}{LOCK_SUFFIX}"
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise OutputError(f"{lock} is a symbolic link; remove it") from None
            raise _write_failed(target, exc) from exc
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait is not None:
                    on_wait(f"waiting for another pathway run that is writing {target} (lock: {lock})")
                    on_wait = None
                fcntl.flock(fd, fcntl.LOCK_EX)
            held = os.fstat(fd)
            try:
                now = os.stat(lock, follow_symlinks=False)
            except FileNotFoundError:
                now = None
        except BaseException:
            os.close(fd)
            raise
        if now is not None and (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino):
            break
        os.close(fd)  # the previous holder removed the file as it finished: lock the new one
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)
        os.close(fd)


def clean_stale(target: Path) -> None:
    """Remove what killed runs left beside ``target``; call it holding the target's lock."""
    prefix = f".{target.name}{TMP_INFIX}"
    legacy_dir = f".{target.name}-new-"  # folders of builds before the lock existed
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        name, path = entry.name, Path(entry.path)
        legacy_file = name.startswith(f".{target.name}.") and name.endswith(".tmp")
        if not (name.startswith(prefix) or name.startswith(legacy_dir) or legacy_file):
            continue
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                if name.startswith(legacy_dir):
                    shutil.rmtree(path)
                else:
                    _recover(path, target)
            elif entry.is_file(follow_symlinks=False):
                path.unlink()


def _recover(tmp: Path, target: Path) -> None:
    """Finish or undo the swap a killed run left in ``tmp``, deleting only copies of what is in ``target``."""
    new, old = tmp / "new", tmp / "old"
    if old.is_dir() and not (target.exists() or target.is_symlink()):
        os.replace(old, target)  # killed between the two renames: the previous folder goes back
    if new.is_dir():
        shutil.rmtree(new)  # half-built: our files, and links to or copies of files still in target
    if old.is_dir():
        try:
            ours = set(_manifest_files(old / MANIFEST) or []) | {MANIFEST}
        except OutputError:
            ours = set()  # not our manifest: only exact copies of what is in target go
        _empty, leaves = _scan(old)
        for rel in leaves:
            if rel in ours or _same_entry(old / rel, target / rel):
                (old / rel).unlink()
        _remove_empty_folders(old)
    with contextlib.suppress(OSError):
        tmp.rmdir()  # else something no one else has is in there: it stays


def _same_entry(a: Path, b: Path) -> bool:
    """Is ``b`` another name, or an identical copy, of ``a``?"""
    try:
        if a.is_symlink() or b.is_symlink():
            return a.is_symlink() and b.is_symlink() and os.readlink(a) == os.readlink(b)
        return b.is_file() and (os.path.samefile(a, b) or filecmp.cmp(a, b, shallow=False))
    except OSError:
        return False


def _remove_empty_folders(root: Path) -> None:
    for path, _dirs, _names in os.walk(root, topdown=False):
        with contextlib.suppress(OSError):
            os.rmdir(path)  # fails, harmlessly, if anything is inside


# --- files -------------------------------------------------------------------


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike[str], data: Data, *, lock: bool = True,
                 on_wait: Notice | None = None) -> Path:
    """Write ``data`` (bytes, text as UTF-8, or a function writing to a binary file) to ``path``, all or nothing.

    Written to a temporary file beside the target and renamed over it, so a
    reader never sees half a file and a failure leaves the previous file.  The
    file keeps the mode of the one it replaces (else the usual umask mode, not
    ``mkstemp``'s 0600).  ``lock=False`` is for caches, whose writers may race
    harmlessly.  Returns the path written.  Raises ``OutputError``.
    """
    target = resolve_output(path)
    if target.is_dir():
        raise OutputError(f"{target} is a folder; give the path of a file to write")
    if target.exists() and not target.is_file():
        # Renaming over a pipe or a device would replace it with a regular file (/dev/full, as root).
        raise OutputError(f"{target} is not a regular file (a pipe, a device or a socket); "
                          "give the path of a file to write")
    guard = output_lock(target, on_wait) if lock else contextlib.nullcontext()
    with guard:
        if lock:
            clean_stale(target)
        try:
            try:
                mode = stat.S_IMODE(target.stat().st_mode)
            except FileNotFoundError:
                mode = 0o666 & ~_umask()
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}{TMP_INFIX}{os.getpid()}-", dir=target.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    if callable(data):
                        data(fh)
                    else:
                        fh.write(data.encode("utf-8") if isinstance(data, str) else data)
                os.chmod(tmp, mode)
                os.replace(tmp, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            raise _write_failed(target, exc) from exc
    return target


# --- folders -----------------------------------------------------------------


def _check_rel(path: str) -> str:
    """A relative POSIX path inside the folder, or OutputError."""
    norm = posixpath.normpath(path)
    if not path or path.startswith("/") or norm.startswith("..") or norm == "." or "\\" in path or norm == MANIFEST:
        raise OutputError(f"refusing to write outside the folder or over the manifest: {path!r}")
    return norm


def _manifest_files(p: Path, tool: str | None = None) -> list[str] | None:
    """The files a manifest lists (None if there is none); ``OutputError`` if it is not ours (or not ``tool``'s)."""
    if not (p.exists() or p.is_symlink()):
        return None
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        files = data["files"]
        if not str(data.get("tool", "")).startswith("pathway ") or (tool and data["tool"] != tool) \
                or not all(isinstance(f, str) for f in files):
            raise ValueError
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise OutputError(f"{p} is not a manifest written by `{tool or 'pathway'}`; "
                          "remove the folder or choose another") from exc
    return [_check_rel(f) for f in files]


def read_manifest(out_dir: Path, tool: str = _TOOL) -> list[str] | None:
    """The files recorded by the last run of ``tool``, or None if the folder has no manifest."""
    return _manifest_files(Path(out_dir) / MANIFEST, tool)


def check_tree_target(out_dir: str | os.PathLike[str], *, tool: str = _TOOL, take_over: bool = False,
                      flag: str = "") -> list[str]:
    """The files ``tool`` wrote into the folder last time; ``OutputError`` if it may not write there.

    A folder that does not exist or is empty is fine; a non-empty one needs
    ``tool``'s manifest, or ``take_over`` (then nothing in it counts as ours).
    """
    out = resolve_output(out_dir)
    if not out.exists():
        return []
    if not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    try:
        previous = read_manifest(out, tool)
    except OutputError:
        if take_over:
            return []  # someone else's manifest: taken over like any other file
        raise
    if previous is None:
        if any(out.iterdir()) and not take_over:
            how = f"pass {flag} to write into it anyway (its files are kept), or " if flag else ""
            raise OutputError(f"{out} is not empty and was not written by `{tool}` (no {MANIFEST}); "
                              f"{how}choose an empty or new folder")
        return []
    return previous


def write_tree(out_dir: str | os.PathLike[str], files: Mapping[str, bytes], *, take_over: bool = False,
               on_wait: Notice | None = None) -> list[str]:
    """Make ``out_dir`` hold ``files`` (relative path -> bytes); return the stale paths removed.

    Either the folder ends up complete, or (on any error) exactly as it was.
    """
    wanted = {_check_rel(k): v for k, v in files.items()}

    def stage(new: Path) -> None:
        for rel, data in wanted.items():
            (new / rel).parent.mkdir(parents=True, exist_ok=True)
            (new / rel).write_bytes(data)

    return replace_tree(out_dir, stage, tool=_TOOL, take_over=take_over, on_wait=on_wait, expect=set(wanted))


def replace_tree(out_dir: str | os.PathLike[str], stage: Callable[[Path], None], *, tool: str,
                 take_over: bool = False, flag: str = "", on_wait: Notice | None = None,
                 expect: set[str] | None = None) -> list[str]:
    """Replace what ``tool`` wrote in ``out_dir`` by what ``stage(folder)`` writes into an empty folder.

    ``stage`` may be anything that fills a folder (MkDocs building a site);
    what it wrote becomes the new manifest.  ``expect`` (the paths it will
    write, when known) lets refusals come before the work.  Returns the paths
    of the previous run that are gone.  Raises ``OutputError`` (or what
    ``stage`` raises); the folder is then exactly as it was.
    """
    out = resolve_output(out_dir)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_failed(out, exc) from exc
    with output_lock(out, on_wait):
        clean_stale(out)
        managed = set(check_tree_target(out, tool=tool, take_over=take_over, flag=flag))
        existed = out.exists()
        if expect is not None:
            _check_paths(out, expect, managed, take_over)
        try:
            empty_dirs, leaves = _scan(out) if existed else ([], [])
            tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}{TMP_INFIX}", dir=out.parent))
        except OSError as exc:
            raise _write_failed(out, exc) from exc
        new, old = tmp / "new", tmp / "old"
        try:
            new.mkdir()  # unlike mkdtemp's 0700, the usual mode for a new folder
            stage(new)
            _empty, written = _scan(new)
            wanted = {_check_rel(rel) for rel in written}
            _check_paths(out, wanted, managed, take_over)
            manifest = json.dumps({"tool": tool, "files": sorted(wanted)}, indent=1) + "\n"
            (new / MANIFEST).write_text(manifest, encoding="utf-8")
            for rel in empty_dirs:
                if not (new / rel).exists():
                    (new / rel).mkdir(parents=True)
            for rel in leaves:
                if rel not in managed and rel != MANIFEST and rel not in wanted:
                    (new / rel).parent.mkdir(parents=True, exist_ok=True)
                    _carry(out / rel, new / rel)
            if existed:
                _copy_folder_modes(out, new)
            _swap(new, out, old if existed else None)
        except BaseException as exc:
            if not old.exists():  # else the previous folder is in there (see _swap): keep it
                shutil.rmtree(tmp, ignore_errors=True)
            if isinstance(exc, OSError):
                raise _write_failed(out, exc) from exc
            raise
        _discard(tmp, old, leaves)
    return sorted(managed - wanted)


def _check_paths(out: Path, wanted: set[str], managed: set[str], take_over: bool = False) -> None:
    """Refuse symlinked sub-folders on the way to our files, and new files over files or folders not ours.

    With ``take_over`` a file we did not write may be replaced by one of ours
    of the same name (the user asked for it); a folder never is.
    """
    for rel in sorted(wanted | managed):
        # A sub-folder replaced by a symlink (e.g. committed in a pull request) must not make us write
        # or delete through it.
        for parent in list(Path(rel).parents)[-2::-1]:  # "a", "a/b", ... (not ".")
            where = out / parent
            if where.is_symlink():
                raise OutputError(f"{where} is a symbolic link; refusing to write through it")
            if rel in wanted and where.exists() and not where.is_dir() and parent.as_posix() not in managed:
                raise OutputError(f"{where} is a file not written by `pathway`; expected a folder there")
    for rel in wanted:
        target = out / rel
        if target.is_dir() and not target.is_symlink():
            raise OutputError(f"{target} is a folder; expected to write a file there")
        if rel not in managed and not take_over and (target.exists() or target.is_symlink()):
            raise OutputError(f"{target} already exists and was not written by `pathway`; move it away first")


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
    """Put folder ``new`` in place of ``out`` with two renames, ``out`` going to ``old``.

    On failure ``out`` is as it was (``old`` renamed back); if even that
    fails, ``OutputError`` names where the previous folder is.
    """
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
                                  f"({again}); the previous folder is in {old}", exit_code=EXIT_FAILED) from exc
        raise


def _discard(tmp: Path, old: Path, leaves: list[str]) -> None:
    """Delete the previous folder, but only the entries we saw before the swap; then the temporary folder."""
    if old.exists():
        for rel in leaves:
            (old / rel).unlink(missing_ok=True)
        _remove_empty_folders(old)
    with contextlib.suppress(OSError):
        tmp.rmdir()
