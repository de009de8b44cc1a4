"""Read a pathway file as it was in a git revision: ``REF:path`` or a bare ``REF``.

``origin/main:pathway.yaml`` reads that path (relative to the repository root,
as in ``git show``); a bare ``origin/main`` reads ``./pathway.yaml`` relative to
the current directory.  Errors are ``GitSourceError`` with a message for a
person: not a git repository, unknown revision, file not in that revision,
git not installed.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PATH = "pathway.yaml"
TIMEOUT_S = 60


class GitSourceError(Exception):
    """A git revision or path could not be read; the message is for the user."""


@dataclass(frozen=True)
class GitFile:
    """The bytes of one file in one revision, and the name to show for it (``REF:path``)."""

    name: str
    data: bytes


def split_spec(spec: str, default_path: str = DEFAULT_PATH) -> tuple[str, str]:
    """``'REF:path'`` → ``(REF, path)``; a bare ``'REF'`` → ``(REF, './' + default_path)``."""
    ref, sep, path = spec.partition(":")
    if not ref:
        raise GitSourceError(f"{spec!r} names no git revision before the ':' (e.g. HEAD:{default_path})")
    if not sep:
        return ref, f"./{default_path}"
    if not path:
        raise GitSourceError(f"{spec!r} names no file after the ':' (e.g. {ref}:{default_path})")
    return ref, path


def _git(args: list[str], cwd: Path | None) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=TIMEOUT_S, env=env)
    except FileNotFoundError as exc:
        raise GitSourceError("git is not installed (or not on PATH), so a git revision cannot be read") from exc
    except subprocess.TimeoutExpired as exc:
        raise GitSourceError(f"git did not answer within {TIMEOUT_S} s") from exc


def _first_line(data: bytes) -> str:
    text = data.decode("utf-8", errors="replace").strip()
    return text.splitlines()[0] if text else "no message"


def _object(spec: str, ref: str, path: str, cwd: Path | None, want: str) -> tuple[str, str]:
    """``(commit sha, "REF:path" as shown)`` once ``path`` is known to be a ``want`` ("blob" or "tree") in ``ref``."""
    if ref.startswith("-"):
        # Never let a revision be read as an option of git.
        raise GitSourceError(f"{ref!r} is not a git revision")
    shown_path = path.removeprefix("./")
    inside = _git(["rev-parse", "--is-inside-work-tree"], cwd)
    if inside.returncode != 0:
        where = cwd or Path.cwd()
        raise GitSourceError(f"{spec!r} looks like a git revision, but {where} is not inside a git repository")
    commit = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], cwd)
    if commit.returncode != 0:
        raise GitSourceError(
            f"unknown git revision {ref!r} (try a branch, tag or commit, e.g. HEAD or origin/main;"
            " in CI, fetch it first)"
        )
    sha = commit.stdout.decode().strip()
    kind = _git(["cat-file", "-t", f"{sha}:{path}"], cwd)
    if kind.returncode != 0:
        raise GitSourceError(f"{shown_path!r} does not exist in {ref}")
    if kind.stdout.decode().strip() != want:
        other = "a directory, not a file" if want == "blob" else "a file, not a folder"
        raise GitSourceError(f"{shown_path!r} in {ref} is {other}")
    return sha, f"{ref}:{shown_path}"


def read_git_file(spec: str, *, cwd: Path | None = None, default_path: str = DEFAULT_PATH) -> GitFile:
    """The file ``spec`` names (``REF:path`` or ``REF``), read with ``git show``."""
    ref, path = split_spec(spec, default_path)
    sha, name = _object(spec, ref, path, cwd, "blob")
    shown = _git(["cat-file", "blob", f"{sha}:{path}"], cwd)
    if shown.returncode != 0:
        raise GitSourceError(f"git could not read {name}: {_first_line(shown.stderr)}")
    return GitFile(name=name, data=shown.stdout)


@dataclass(frozen=True)
class GitFolder:
    """The files directly inside one folder of one revision (not its sub-folders), by file name."""

    name: str  # REF:path, as shown to the user
    files: dict[str, bytes]


def is_git_folder(spec: str, *, cwd: Path | None = None, default_path: str = DEFAULT_PATH) -> bool:
    """Whether ``spec`` (``REF:path`` or ``REF``) names a folder in that revision; False for anything unreadable."""
    try:
        ref, path = split_spec(spec, default_path)
    except GitSourceError:
        return False
    if ref.startswith("-"):
        return False
    kind = _git(["cat-file", "-t", "--end-of-options", f"{ref}:{path}"], cwd)
    return kind.returncode == 0 and kind.stdout.decode().strip() == "tree"


def read_git_folder(spec: str, *, cwd: Path | None = None, default_path: str = DEFAULT_PATH,
                    wanted=lambda name: True) -> GitFolder:
    """The files of the folder ``spec`` names whose name ``wanted`` accepts, read from git objects.

    Three git processes whatever the number of files (``ls-tree``, then one ``cat-file --batch``
    for every blob), so a library of 200 pathways is read as fast as one file.
    """
    ref, path = split_spec(spec, default_path)
    sha, name = _object(spec, ref, path, cwd, "tree")
    listing = _git(["ls-tree", "-z", f"{sha}:{path}"], cwd)
    if listing.returncode != 0:
        raise GitSourceError(f"git could not list {name}: {_first_line(listing.stderr)}")
    blobs: list[tuple[str, str]] = []  # (file name, blob sha)
    for entry in listing.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, raw_name = entry.partition(b"\t")
        mode, otype, oid = meta.decode().split()
        text_name = raw_name.decode("utf-8", errors="replace")
        # Regular files only: a symlink's blob is its target's name, a submodule has no blob here.
        if otype == "blob" and mode in ("100644", "100755") and wanted(text_name):
            blobs.append((text_name, oid))
    files: dict[str, bytes] = {}
    if blobs:
        batch = _git_input(["cat-file", "--batch"], "".join(f"{oid}\n" for _, oid in blobs).encode(), cwd)
        if batch.returncode != 0:
            raise GitSourceError(f"git could not read {name}: {_first_line(batch.stderr)}")
        out, at = batch.stdout, 0
        for fname, oid in blobs:
            end = out.index(b"\n", at)
            header = out[at:end].decode().split()
            if len(header) != 3 or header[0] != oid:
                raise GitSourceError(f"git could not read {name}/{fname}")
            size = int(header[2])
            files[fname] = out[end + 1:end + 1 + size]
            at = end + 1 + size + 1  # the blob, then one newline
    return GitFolder(name=name, files=files)


def _git_input(args: list[str], data: bytes, cwd: Path | None) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    try:
        return subprocess.run(["git", *args], cwd=cwd, input=data, capture_output=True, timeout=TIMEOUT_S, env=env)
    except FileNotFoundError as exc:
        raise GitSourceError("git is not installed (or not on PATH), so a git revision cannot be read") from exc
    except subprocess.TimeoutExpired as exc:
        raise GitSourceError(f"git did not answer within {TIMEOUT_S} s") from exc
