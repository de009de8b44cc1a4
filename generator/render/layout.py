"""Lay out DOT graphs as SVG with Graphviz, many graphs per ``dot`` process.

Starting ``dot`` costs ~13 ms, laying out a small graph well under 1 ms, so
all graphs go to one ``dot -Tsvg`` on stdin (split over a few processes when
there are many) and the concatenated SVG documents are split apart again.

Every ``id`` in an SVG is prefixed so several SVGs can be inlined on one HTML
page.  SVGs are cached by sha256(cache format, tool version, dot version,
prefix, DOT text); the cache is a plain directory that is safe to delete,
written atomically, and an entry that cannot be read is simply laid out again.

The cache is not trusted: it usually lives in the repository (``.pathway-cache/``),
where a pull request can commit a doctored entry, and its SVG is inlined into
every page.  So each entry carries an HMAC-SHA256 of its key and content,
under a secret kept outside the repository (``~/.cache/pathway/``), and an
entry whose MAC does not match -- edited, truncated, or written elsewhere --
is discarded and laid out again.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import os
import re
import shutil
import secrets
import subprocess
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from generator import __version__
from generator.core.errors import PathwayError
from generator.core.files import TMP_INFIX, atomic_write

MISSING_DOT = "Graphviz's `dot` was not found; install the graphviz package (apt-get install graphviz)"
TIMEOUT_S = 300
# Below this many graphs per process, another process costs more than it saves.
MIN_GRAPHS_PER_PROCESS = 40
CACHE_FORMAT = "4"  # bump when the post-processing below, the batching or the entry format changes
_ENTRY_HEAD = "<!-- pathway-layout-cache hmac-sha256="  # first line of an entry: the MAC, then the SVG
_SECRET_BYTES = 32

_PREFIX_OK = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_DOC_START = re.compile(r"(?m)^(?=<\?xml )")
_TAG = re.compile(r"<[^!?][^>]*>")
_ID_ATTR = re.compile(r'(\sid=")([^"]*)(")')
_HREF_ATTR = re.compile(r'(\s(?:xlink:)?href="#)([^"]*)(")')
_URL_REF = re.compile(r"(url\(#)([^)]*)(\))")
_NOT_XML_NAME = re.compile(r"[^A-Za-z0-9_.\-]")


class LayoutError(PathwayError):
    """Graphviz is missing or could not lay out a graph; the message is for the user."""


def find_dot() -> str:
    """Path of Graphviz's ``dot``, or ``LayoutError`` with installation advice."""
    path = shutil.which("dot")
    if not path:
        raise LayoutError(MISSING_DOT)
    return path


def default_prefix(dot_text: str) -> str:
    """A deterministic id prefix derived from the graph text."""
    return "d" + hashlib.sha256(dot_text.encode("utf-8")).hexdigest()[:8]


def render_svgs(
    dots: Sequence[str],
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    id_prefixes: Sequence[str] | None = None,
) -> list[str]:
    """Lay out each DOT text and return its SVG document, in the same order.

    ``id_prefixes`` (one per graph, unique) make the ids of each SVG unique on
    a page; by default a hash of the DOT text is used.  Raises ``LayoutError``.
    """
    prefixes = _prefixes(dots, id_prefixes)
    if not dots:
        return []
    dot = find_dot()
    out: list[str | None] = [None] * len(dots)
    keys: list[str | None] = [None] * len(dots)
    cache = Path(cache_dir) if cache_dir is not None else None
    if cache is not None:
        _clean_cache_temps(cache)
        version = dot_version(dot, cache)
        for i, (text, prefix) in enumerate(zip(dots, prefixes)):
            keys[i] = _cache_key(version, prefix, text)
            out[i] = _cache_get(cache, keys[i])
    todo = [i for i, svg in enumerate(out) if svg is None]
    if todo:
        raw = _layout_many(dot, [dots[i] for i in todo])
        for i, svg in zip(todo, raw):
            done = out[i] = prefix_ids(svg, prefixes[i])
            if cache is not None:
                _cache_put(cache, keys[i], done)
    return [svg for svg in out if svg is not None]


def _prefixes(dots: Sequence[str], given: Sequence[str] | None) -> list[str]:
    if given is None:
        prefixes: list[str] = []
        seen: dict[str, int] = {}
        for text in dots:
            p = default_prefix(text)
            seen[p] = seen.get(p, 0) + 1
            prefixes.append(p if seen[p] == 1 else f"{p}-{seen[p]}")
        return prefixes
    given = list(given)
    if len(given) != len(dots):
        raise ValueError(f"{len(given)} id prefixes for {len(dots)} graphs")
    bad = [p for p in given if not _PREFIX_OK.match(p)]
    if bad:
        raise ValueError(f"id prefix {bad[0]!r} is not a valid XML id start")
    if len(set(given)) != len(given):
        raise ValueError("id prefixes must be unique")
    return given


# --- running dot -----------------------------------------------------------


def _run_dot(dot: str, text: str) -> tuple[int, str, str]:
    try:
        proc = subprocess.run(
            [dot, "-Tsvg"],
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=TIMEOUT_S,
        )
    except FileNotFoundError as exc:
        raise LayoutError(MISSING_DOT) from exc
    except subprocess.TimeoutExpired as exc:
        raise LayoutError(f"Graphviz's `dot` took longer than {TIMEOUT_S} s and was stopped") from exc
    return (
        proc.returncode,
        proc.stdout.decode("utf-8", errors="replace"),
        proc.stderr.decode("utf-8", errors="replace").strip(),
    )


def split_documents(output: str) -> list[str]:
    """Split ``dot``'s concatenated output into SVG documents.

    Each document starts with an XML declaration at the start of a line; in
    SVG text ``<`` is always escaped, so a label cannot fake one.
    """
    return [doc for doc in _DOC_START.split(output) if doc.strip()]


def _layout_batch(dot: str, texts: Sequence[str]) -> list[str]:
    """One ``dot`` process for ``texts``; on failure find and report the bad graph.

    A graph with clusters gets a process of its own: Graphviz 2.43 lays out such a
    graph differently from run to run when it follows another graph with clusters
    in the same stream, and the output must be the same bytes every time.
    """
    if len(texts) > 1 and any(_CLUSTER in t for t in texts):
        plain = [i for i, t in enumerate(texts) if _CLUSTER not in t]
        out: list[str] = [""] * len(texts)
        for i, svg in zip(plain, _layout_batch(dot, [texts[i] for i in plain]) if plain else []):
            out[i] = svg
        for i, t in enumerate(texts):
            if _CLUSTER in t:
                out[i] = _layout_batch(dot, [t])[0]
        return out
    rc, stdout, stderr = _run_dot(dot, "\n".join(texts))
    docs = split_documents(stdout)
    if rc == 0 and len(docs) == len(texts):
        return docs
    if len(texts) > 1:
        # A syntax error can swallow the graphs after it; lay them out one by
        # one so the message names the graph that is at fault.
        return [_layout_batch(dot, [t])[0] for t in texts]
    raise LayoutError(_failure_message(texts[0], rc, stderr))


_CLUSTER = 'subgraph "cluster_'  # how diagrams.py (dotquote) writes every cluster


def _failure_message(text: str, rc: int, stderr: str) -> str:
    first = text.lstrip().splitlines()[0] if text.strip() else "(empty graph)"
    detail = stderr or f"dot exited with status {rc} and no message"
    return f"Graphviz could not draw the diagram starting {first[:80]!r}:\n{detail}"


def _layout_many(dot: str, texts: Sequence[str]) -> list[str]:
    workers = min(os.cpu_count() or 1, len(texts) // MIN_GRAPHS_PER_PROCESS) or 1
    if workers == 1:
        return _layout_batch(dot, texts)
    size = -(-len(texts) // workers)
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    # Threads only wait on the dot processes, so the GIL is no bottleneck.
    with ThreadPoolExecutor(max_workers=len(chunks)) as pool:
        results = list(pool.map(lambda chunk: _layout_batch(dot, chunk), chunks))
    return [svg for chunk in results for svg in chunk]


# --- ids ---------------------------------------------------------------------


def prefix_ids(svg: str, prefix: str) -> str:
    """Rename every ``id`` to ``<prefix>-<id>`` and the internal references to them.

    Graphviz writes ``-`` in ids as ``&#45;``; ids are written plainly here so
    pages and tests can find ``stage-foo``.  Links on ``<a>`` elements are the
    author's URLs (they may point at anchors of the HTML page), so they are
    left alone; ``url(#id)`` and ``href="#id"`` on other elements are renamed.
    """
    defined = {html.unescape(m.group(2)) for m in _ID_ATTR.finditer(svg)}

    def new_id(old: str) -> str:
        # Graphviz 2.43 names the 2nd and later graphs of one batch "page0,1_graph0"; a ',' is not
        # allowed in an SVG id (an XML name), so the Nu HTML Checker rejects it.  Keep ids to
        # XML-name characters.  (Fix from the hardening tests: tests/test_thirdparty.py.)
        return html.escape(_NOT_XML_NAME.sub("_", f"{prefix}-{old}"), quote=True)

    def fix_tag(m: re.Match[str]) -> str:
        tag = m.group(0)
        tag = _ID_ATTR.sub(lambda a: a.group(1) + new_id(html.unescape(a.group(2))) + a.group(3), tag)
        if not tag.startswith("<a "):
            tag = _HREF_ATTR.sub(
                lambda a: a.group(1) + (new_id(t) if (t := html.unescape(a.group(2))) in defined else a.group(2))
                + a.group(3),
                tag,
            )
        return _URL_REF.sub(
            lambda a: a.group(1) + (new_id(t) if (t := html.unescape(a.group(2))) in defined else a.group(2))
            + a.group(3),
            tag,
        )

    return _TAG.sub(fix_tag, svg)


# --- cache -------------------------------------------------------------------


def _fingerprint(dot: str) -> str:
    st = os.stat(dot)
    return f"{os.path.realpath(dot)}:{st.st_size}:{st.st_mtime_ns}"


@lru_cache(maxsize=8)
def _version_of(dot: str, fingerprint: str) -> str:
    rc, _out, err = _run_dot_version(dot)
    if rc != 0 or "version" not in err:
        raise LayoutError(f"Graphviz's `dot` at {dot} does not work:\n{err or f'exit status {rc}'}")
    return err.strip()


def _run_dot_version(dot: str) -> tuple[int, str, str]:
    try:
        proc = subprocess.run([dot, "-V"], capture_output=True, timeout=60)
    except (FileNotFoundError, PermissionError) as exc:
        raise LayoutError(MISSING_DOT) from exc
    return proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")


def dot_version(dot: str, cache_dir: Path | None = None) -> str:
    """``dot -V`` output, remembered per binary (in the process and in ``cache_dir``)."""
    fingerprint = _fingerprint(dot)
    if cache_dir is not None:
        # Remembered on disk so a fully cached build never starts dot at all.
        name = "dot-version-" + hashlib.sha256(fingerprint.encode()).hexdigest()[:16] + ".txt"
        stored = _read_text(cache_dir / name)
        if stored and "version" in stored:
            return stored
        version = _version_of(dot, fingerprint)
        _write_atomic(cache_dir / name, version)
        return version
    return _version_of(dot, fingerprint)


def _cache_key(version: str, prefix: str, text: str) -> str:
    h = hashlib.sha256()
    for part in (CACHE_FORMAT, __version__, version, prefix, text):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _secret_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pathway" / "layout-cache.key"


@lru_cache(maxsize=1)
def cache_secret() -> bytes:
    """This machine's key for cache MACs, made on first use; a key for this process only if it cannot be stored."""
    path = _secret_path()
    try:
        stored = bytes.fromhex(path.read_text(encoding="ascii").strip())
        if len(stored) == _SECRET_BYTES:
            return stored
    except (OSError, ValueError):
        pass
    key = secrets.token_bytes(_SECRET_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{path.name}{TMP_INFIX}{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key.hex() + "\n")
        os.replace(tmp, path)  # two first runs at once: the last one's key wins, the other's entries are redone
    except OSError:
        pass  # no writable home: the cache still works within this run, and is never trusted across runs
    return key


def _mac(key: str, svg: str) -> str:
    return hmac.new(cache_secret(), f"{key}\0{svg}".encode("utf-8"), hashlib.sha256).hexdigest()


def _cache_get(cache_dir: Path, key: str | None) -> str | None:
    """The cached SVG for ``key``, or None when there is none or it is not exactly what we wrote."""
    if key is None:
        return None
    entry = _read_text(cache_dir / f"{key}.svg")
    if entry is None or not entry.startswith(_ENTRY_HEAD):
        return None
    head, sep, svg = entry.partition("\n")
    claimed = head[len(_ENTRY_HEAD):].removesuffix(" -->")
    # A doctored, truncated or foreign entry is ignored and overwritten.
    if not sep or not hmac.compare_digest(claimed, _mac(key, svg)):
        return None
    return svg


def _cache_put(cache_dir: Path, key: str | None, svg: str) -> None:
    if key is not None:
        _write_atomic(cache_dir / f"{key}.svg", f"{_ENTRY_HEAD}{_mac(key, svg)} -->\n{svg}")


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so readers never see half a file.

    A cache that cannot be written only costs time, so errors are ignored.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, text, lock=False)  # writers of one entry write the same bytes: no lock needed
    except (OSError, PathwayError):
        pass


def _clean_cache_temps(cache_dir: Path) -> None:
    """Delete temporary files left in the cache by runs that were killed (their process is gone)."""
    try:
        entries = list(os.scandir(cache_dir))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if not name.startswith(".") or TMP_INFIX not in name:
            continue
        pid = name.split(TMP_INFIX, 1)[1].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. another user's process: alive
        return True
    return True
