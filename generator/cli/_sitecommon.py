"""Shared by ``pathway generate``, ``build`` and ``serve``: check the file, drive MkDocs in-process.

Private to the CLI package (it prints): the core stays free of I/O.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from generator.cli import UsageError, error, use_colour

if TYPE_CHECKING:  # the core is imported lazily: keeps --help fast
    from generator.core.library import LibraryResult
    from generator.core.pipeline import CheckResult

DEFAULT_FILE = "pathway.yaml"
PLUGIN = "pathway"


def check_for_build(path: str, *, strict: bool = False) -> CheckResult | None:
    """Check ``path`` as for a build and print every problem; the result if it may be published.

    With ``strict`` a warning stops the build too.  The caller hands the result
    to the plugin (``plugin_override``), which then neither checks nor prints again.
    """
    from generator.core import pipeline
    from generator.core import reporters

    from generator.core.files import check_input_file

    if not os.path.exists(path) and not os.path.islink(path):
        raise UsageError(f"{path}: no such file (give the pathway file, e.g. 'pathway build pathway.yaml')")
    if os.path.isdir(path):
        raise UsageError(f"{path} is a folder; give the pathway file inside it")
    check_input_file(path)  # a FIFO or a device: a usage error now, not a hang in open()
    try:
        result = pipeline.check_file(path, for_build=True, today=pipeline.today())
    except OSError as exc:
        error(f"cannot read {path}: {exc.strerror or exc}")
        return None
    if result.problems:
        sys.stderr.write(reporters.format_text(result.problems, colour=use_colour(sys.stderr)))
    if result.has_errors() or result.pathway is None:
        error(f"{path}: {reporters.summary_line(result.problems)}; nothing was built")
        return None
    if strict and result.problems:
        error(f"{path}: {reporters.summary_line(result.problems)} (warnings count as errors: --strict); "
              "nothing was built")
        return None
    return result


def is_library(path: str) -> bool:
    """True for a library folder (a folder holding library.yaml): the commands then publish the whole library."""
    from generator.core.library import is_library as _is_library

    return _is_library(path)


def check_library_for_build(folder: str, *, strict: bool = False) -> LibraryResult | None:
    """``check_for_build`` for a library folder: every problem of every file, each at its own FILE:LINE:COL."""
    from generator.core import pipeline, reporters
    from generator.core.library import check_library

    try:
        result = check_library(folder, for_build=True, today=pipeline.today())
    except OSError as exc:
        error(f"cannot read the library {folder}: {exc.strerror or exc}")
        return None
    if result.problems:
        sys.stderr.write(reporters.format_text(result.problems, colour=use_colour(sys.stderr)))
    if result.has_errors():
        error(f"{folder}: {reporters.summary_line(result.problems)}; nothing was built")
        return None
    if strict and result.problems:
        error(f"{folder}: {reporters.summary_line(result.problems)} (warnings count as errors: --strict); "
              "nothing was built")
        return None
    return result


def notice(message: str) -> None:
    """A one-line note for the user on stderr (e.g. waiting for another run to finish)."""
    print(f"pathway: {message}", file=sys.stderr, flush=True)


def find_config(given: str | None) -> Path:
    """The MkDocs config: the one given, else ./mkdocs.yml, else the repository's own."""
    if given:
        p = Path(given)
        if not p.is_file():
            raise UsageError(f"{given}: no such MkDocs config file")
        return p.resolve()
    for p in (Path.cwd() / "mkdocs.yml", Path(__file__).resolve().parents[2] / "mkdocs.yml"):
        if p.is_file():
            return p
    raise UsageError("no mkdocs.yml here; run from the repository folder or pass --config-file")


def plugin_override(config_file: Path, pathway_file: str, checked: CheckResult | LibraryResult | None = None,
                    *, library: bool = False) -> dict:
    """The config's ``plugins`` with the pathway plugin pointed at ``pathway_file`` (absolute).

    ``library``: ``pathway_file`` is a library folder; the plugin gets it as its ``library`` option
    (and no ``pathway_file``, which the config may name for its single-file site).

    ``checked`` is the result the CLI has printed: the plugin reuses it while
    the file is unchanged instead of checking (and reporting) again.

    A dict, not a list of one-key dicts: MkDocs pops the items of a list's dicts
    while reading them, and ``mkdocs serve`` reads the same override again on
    every rebuild, which then failed with "Invalid Plugins configuration".
    """
    from mkdocs.utils.yaml import yaml_load

    not_config = f"{config_file} is not a MkDocs config (a YAML file like mkdocs.yml with a 'plugins:' list)"
    try:
        with open(config_file, "rb") as fh:
            raw = yaml_load(fh)
    except OSError as exc:
        raise UsageError(f"cannot read {config_file}: {exc.strerror or exc}") from None
    except Exception:  # not YAML at all (MkDocs' loader raises several kinds): the wrong file was given
        raise UsageError(not_config) from None
    if not isinstance(raw, dict):
        raise UsageError(not_config)
    plugins = raw.get("plugins") or []
    if isinstance(plugins, dict):
        plugins = [{k: v} for k, v in plugins.items()]
    out: dict = {}
    found = False
    if not isinstance(plugins, list) or not all(isinstance(e, str) or (isinstance(e, dict) and e) for e in plugins):
        raise UsageError(f"{config_file}: 'plugins' should be a list of plugin names")
    for entry in plugins:
        name, opts = (entry, {}) if isinstance(entry, str) else next(iter(entry.items()))
        if name == PLUGIN:
            if found:  # a dict holds one entry per name: a second pathway would be dropped silently
                raise UsageError(f"{config_file} uses the '{PLUGIN}' plugin more than once (several pathways); "
                                 "build it with 'mkdocs build' instead")
            if library:
                opts = {k: v for k, v in (opts or {}).items() if k not in ("pathway_file", "checked")}
                opts.update(library=os.path.abspath(pathway_file), checked_library=checked)
            else:
                opts = {**(opts or {}), "pathway_file": os.path.abspath(pathway_file), "checked": checked}
            found = True
        out[name] = opts or {}
    if not found:
        raise UsageError(f"{config_file} does not use the '{PLUGIN}' plugin")
    return out


class _StderrHandler(logging.Handler):
    """MkDocs warnings and errors as 'pathway: warning: ...' lines; INFO chatter is dropped."""

    def emit(self, record: logging.LogRecord) -> None:
        from generator.core.reporters import safe  # a relayed message may quote pathway text

        if getattr(record, "pathway_problem", False):  # generator.site.plugin.PROBLEM_RECORD  # already 'FILE:LINE:COL: warning: …', as the CLI writes it
            sys.stderr.write(f"{safe(record.getMessage())}\n")
            return
        if record.levelno < logging.WARNING:  # progress messages, shown by serve and --verbose
            sys.stderr.write(f"pathway: {safe(record.getMessage())}\n")
            return
        level = "warning" if record.levelno < logging.ERROR else "error"
        sys.stderr.write(f"pathway: {level}: {safe(record.getMessage())}\n")


@contextlib.contextmanager
def quiet_mkdocs(verbose: bool = False) -> Iterator[None]:
    """Route MkDocs' log to stderr (warnings and errors only) for the duration."""
    logger = logging.getLogger("mkdocs")
    handler = _StderrHandler(level=logging.INFO if verbose else logging.WARNING)
    saved = (logger.level, logger.propagate)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.propagate = False  # no duplicate lines via Python's last-resort handler
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
