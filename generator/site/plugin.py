"""MkDocs plugin ``pathway``: serves the pages of ``generator.site.pages`` as virtual files.

* ``on_config``: read and check ``pathway_file`` (errors stop the build with a
  ``PluginError`` listing every FILE:LINE:COL problem; warnings go to MkDocs'
  log, so ``mkdocs build --strict`` fails on them), render the site in memory,
  put the generated nav in front of the nav written in mkdocs.yml and use the
  pathway title as ``site_name``.
* ``on_files``: add the pages with ``File.generated`` and drop on-disk copies
  that ``pathway generate`` may have left under ``docs/_generated/``, so the
  two never collide.  Nothing is written to ``docs/`` (no reload loops).
* ``on_serve``: watch the pathway file, so ``mkdocs serve`` rebuilds on save.
* ``library: FOLDER``: a library of pathways (``generator.core.library``) instead of one file: every
  pathway under ``<prefix>/<pathway id>/``, a catalogue at ``<prefix>/`` (``generator.site.catalogue``),
  search results labelled with their pathway (``on_post_build``), and with ``pdf`` one handbook per
  pathway plus ``library.pdf``, the index (built in parallel, one process per CPU).
* ``offline: true`` (``pathway build --offline``): a site that works opened from disk
  (``file://``), as Material's ``offline`` plugin does it, but with no request to the
  internet: page URLs end in ``.html`` (``use_directory_urls`` off, so the flowchart
  links are computed for it too), the search index is also written as a script
  (``search/search_index.js``, which Material loads on ``file://``), and the
  Web Worker shim that search needs on ``file://`` is shipped in the site
  (``assets/iframe-worker.js``) instead of being loaded from a CDN.
* Safety (docs/safety.md): ``on_config`` adds the link guard
  (``generator.core.urls``) to the Markdown extensions and switches Material's
  ``content.tooltips`` off; ``on_page_content`` passes every page body through
  the allow-list sanitizer (``generator.render.sanitize``).

All logic lives in ``generator.site.pages``; this module only adapts it to MkDocs.
"""

from __future__ import annotations

import difflib
import functools
import html
import json
import logging
import os
import posixpath
import re
import secrets
from importlib import resources
from typing import Callable

from markupsafe import Markup
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files

from generator.core import limits, pipeline, reporters
from generator.core.library import LibraryResult
from generator.core.model import Pathway
from generator.render.releases import Releases
from generator.site import feedback as fb
from generator.site import nav as site_paths
from generator.site.liveerrors import LiveState, problems_page
from generator.export.fhir import DEFAULT_BASE
from generator.site.pages import (DOWNLOADS_DIR, Downloads, FigureJob, SiteError, download_files, draw_figures,
                                  render_site, site_nav)
from generator.site.parallel import Background, map_ordered

# Problems in the pathway are logged already formatted, without the plugin prefix
# ("generator: "), and marked, so that a CLI handler can print them as they are.
problem_log = logging.getLogger("mkdocs.plugins.pathway")
log = get_plugin_logger(__name__)  # the plugin's own notes (not pathway problems)
PROBLEM_RECORD = "pathway_problem"

THEME_DIR = os.path.join(os.path.dirname(__file__), "theme")  # Material template overrides
GENERATED_DIR = "_generated"  # default output of `pathway generate`, relative to docs_dir
WORKER_SHIM = "assets/iframe-worker.js"  # offline builds only; see the module docstring
CATALOGUE_CSS = "assets/catalogue.css"  # library sites only


class PathwayConfig(base.Config):
    """The plugin's options (docs/plugin.md lists each with an example)."""

    enabled = c.Type(bool, default=True)  # false: the plugin does nothing (e.g. a quick draft build)
    # Relative to mkdocs.yml; not given: pathway.yaml (and nothing when `library` is given).
    pathway_file = c.Optional(c.File(exists=True))
    # A library folder (library.yaml beside the pathway files), relative to mkdocs.yml: every pathway
    # under <prefix>/<pathway id>/ and a catalogue at <prefix>/ (docs/library.md).
    library = c.Optional(c.Type(str))
    # Library mode: write the catalogue as <prefix>/index.md (false: a hand-written page may take its place).
    catalogue = c.Type(bool, default=True)
    # The folder of the site the pathway's pages live under ("" = the site root), e.g. "pathways/back-pain":
    # several pathways, one per plugin instance, each under its own prefix, beside hand-written pages.
    prefix = c.Type(str, default="")
    # Use the pathway's title as the site's name (the site IS the pathway); off, the mkdocs.yml one stays.
    use_title_as_site_name = c.Type(bool, default=False)
    # Put the pathway's pages in the site's nav: in front of it at the site root, else as one section named
    # after the pathway at its end.  An automatic nav (no `nav:` in mkdocs.yml) is left to MkDocs.
    add_to_nav = c.Type(bool, default=True)
    generated_dir = c.Type(str, default=GENERATED_DIR)  # relative to docs_dir; copies there are ignored
    cache_dir = c.Type(str, default=".pathway-cache/layout")  # relative to mkdocs.yml; Graphviz layouts
    # Write the PDF handbook into the site as pathway.pdf (and only then link it from the home page).
    # `pathway build` turns it on (--no-pdf turns it off); `pathway serve` leaves it off: too slow per save.
    pdf = c.Type(bool, default=False)
    # A site that works opened from disk (file://): see the module docstring.  `pathway build --offline`.
    offline = c.Type(bool, default=False)
    # Offer the exports under downloads/ and link them from the home page: the FHIR Bundle and package and
    # the model JSON with its schema, the bytes `pathway export` writes (a tenth of a second for the seed).
    downloads = c.Type(bool, default=True)
    # The FHIR export's canonical base and package name, as `pathway export fhir --base/--package-name`.
    fhir_base = c.Type(str, default=DEFAULT_BASE)
    fhir_package_name = c.Optional(c.Type(str))
    # Set by `pathway serve` (never in mkdocs.yml): while the pathway file is broken, every page shows its
    # problems instead of the build failing (generator/site/liveerrors.py); one object for all rebuilds.
    live = c.Optional(c.Type(LiveState))
    # Set by the `pathway` CLI (never in mkdocs.yml): the result of the check it has just run and
    # printed.  Reused while the file still has the same bytes, so a build checks once, prints
    # each problem once, and a `serve` rebuild after an edit checks the new text.
    checked = c.Optional(c.Type(pipeline.CheckResult))
    # The same for a library (`pathway build DIR`): reused while every file has the same bytes.
    checked_library = c.Optional(c.Type(LibraryResult))
    # Where "Report a problem with this page" goes: https://github.com/OWNER/REPO, mailto:ADDRESS or off;
    # not given: repo_url when it is a GitHub repository (generator/site/feedback.py).
    feedback = c.Optional(c.Type(str))
    # Set by `pathway build --versions` (never in mkdocs.yml): the tagged releases, and which one this
    # build is (releases.archived) when it builds the copy under versions/<version>/.
    releases = c.Optional(c.Type(Releases))


class PathwayPlugin(BasePlugin[PathwayConfig]):
    # One site may carry several pathways: one instance each, under different prefixes.
    supports_multiple_instances = True

    def __init__(self) -> None:
        self.pages: dict[str, bytes] = {}
        self.prefix = ""
        self.abbreviations = ""
        self.path = ""
        self.pathway: Pathway | None = None
        self.problems_markdown = ""  # set while `pathway serve` shows the problems instead of the site
        self.library: LibraryResult | None = None  # library mode only
        self.edit_paths: dict[str, str] = {}  # library mode: pathway folder (prefixed) -> its file
        # The flowcharts' SVGs, sanitized, kept out of the pages until their HTML is finished (on_post_page):
        # Markdown and the search index need not parse them (most of a library build's time went there).
        self.figures: dict[str, str] = {}
        self.figure_token = ""
        self.drawing: Background | None = None  # library mode: each pathway's figures, by pathway number
        # Library mode: site path -> (pathway number, its path there) of each download, made by `drawing`.
        self.later: dict[str, tuple[int, str]] = {}

    def _resolve(self, config: MkDocsConfig, path: str) -> str:
        return os.path.normpath(os.path.join(os.path.dirname(config.config_file_path or "."), path))

    def load_config(self, options, config_file_path=None):
        """As MkDocs does, but an unknown option (``pathway_fle``) is an error naming it, not a warning.

        A misspelt option would otherwise be dropped and the build go on with the default (another
        file, the site root), which for a clinical pathway is worse than stopping.
        """
        errors, warnings = super().load_config(options, config_file_path)
        known = [name for name, _ in self.config_scheme if name not in ("checked", "checked_library")]
        kept = []
        for key, message in warnings:
            if message.startswith("Unrecognised configuration name"):
                close = difflib.get_close_matches(key, known, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else f" (the options are: {', '.join(known)})"
                errors.append((key, c.ValidationError(f"unknown option '{key}'{hint}; see docs/plugin.md")))
            else:
                kept.append((key, message))
        return errors, kept

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return config
        self._close_drawing()  # `pathway serve`: the charts of the build before
        self.figures, self.figure_token, self.later = {}, "", {}
        self.prefix = _prefix(self.config.prefix)
        if self.config.library is not None and self.config.pathway_file is not None:
            raise PluginError("options 'pathway_file' and 'library' cannot both be set: give 'library' for a "
                              "folder of pathways, or 'pathway_file' for one pathway (docs/library.md)")
        self.path = self._resolve(config, self.config.library or self.config.pathway_file or "pathway.yaml")
        if self.config.offline:
            _offline(config)  # before render_site: the flowchart links depend on use_directory_urls
        try:
            today = pipeline.today()
        except pipeline.SourceDateEpochError as exc:
            raise PluginError(str(exc)) from None
        live = self.config.live
        self.problems_markdown = ""
        if self.config.library is not None:
            return self._library_config(config, today)
        try:
            result = self._checked(today)
        except OSError as exc:
            message = f"cannot read the pathway file {self.path}: {exc.strerror or exc}"
            if live is not None:
                log.error(message)
                return self._show_problems(config, live, (), note=message)
            raise PluginError(message) from exc
        if result.has_errors() or result.pathway is None:
            if live is not None:
                for problem in result.errors:  # the terminal lists them too, on every rebuild
                    problem_log.error(reporters.format_problem(problem), extra={PROBLEM_RECORD: True})
                return self._show_problems(config, live, result.problems)
            raise PluginError(f"{self.path} has problems; nothing was built:\n"
                              + reporters.format_text(result.problems))
        layout = self._layout(config)
        try:
            feedback = fb.resolve(self.config.feedback, config.repo_url)
        except ValueError as exc:
            raise PluginError(str(exc)) from None
        releases = self.config.releases
        downloads = (Downloads(self.config.fhir_base, self.config.fhir_package_name)
                     if self.config.downloads else None)
        self.figure_token = _new_figure_token()
        apart: dict[str, FigureJob] = {}
        try:
            self.pages = render_site(result.pathway, layout=layout, today=today,
                                     use_directory_urls=config.use_directory_urls, pdf=self.config.pdf,
                                     releases=releases, feedback=feedback, site_url=config.site_url or "",
                                     downloads=downloads, figures_apart=apart, figure_token=self.figure_token)
            self.figures = _sanitized(draw_figures(apart, layout))
        except SiteError as exc:
            if live is not None:
                log.error(str(exc))
                return self._show_problems(config, live, result.problems, note=str(exc))
            raise PluginError(str(exc)) from exc
        from generator.render.markup import abbreviation_block

        if self.prefix:
            self.pages = {f"{self.prefix}/{path}": data for path, data in self.pages.items()}
        self.abbreviations = abbreviation_block(result.pathway.glossary)
        self.pathway = result.pathway
        # Material prints site_name and nav titles as HTML (some places without escaping), so both are
        # made HTML-safe here; see _html_title.  (Fix from the hardening tests, tests/test_hostile.py.)
        versions_page = releases is not None and releases.archived is None
        if self.config.use_title_as_site_name:
            config.site_name = _html_title(result.pathway.title)
        if self.config.add_to_nav and config.nav is not None:
            entries = _html_nav(_prefixed(site_nav(result.pathway, versions=versions_page), self.prefix))
            if self.prefix:
                config.nav = list(config.nav) + [{_html_title(result.pathway.title): entries}]
            else:
                config.nav = entries + list(config.nav)
        config.extra["pathway_version"] = result.pathway.version  # printed on every page (theme/partials/pathway-print.html)
        if live is not None:  # what the page open in the browser needs, should the next save break the file
            live.pages = tuple(p for p in self.pages if p.endswith(".md"))
            live.nav = _html_nav(_prefixed(site_nav(result.pathway, versions=versions_page), self.prefix))
            live.title = config.site_name
        _needs(config, self.prefix)
        _make_safe(config)
        return config

    # -- library mode ----------------------------------------------------------------------------
    def _library_config(self, config: MkDocsConfig, today) -> MkDocsConfig:
        """``library: FOLDER``: every pathway under ``<prefix>/<id>/``, the catalogue at ``<prefix>/``."""
        from generator.core.library import is_library
        from generator.render.markup import abbreviation_block
        from generator.site import catalogue as cat
        from generator.site import walkthrough as wt

        live = self.config.live
        if not is_library(self.path):
            raise PluginError(f"option 'library': {self.path} is not a library folder (a folder holding "
                              "library.yaml beside the pathway files; docs/library.md)")
        if self.config.releases is not None:
            raise PluginError("published versions (--versions) are not available for a library yet")
        try:
            result = self._library_checked(today)
        except OSError as exc:
            message = f"cannot read the library {self.path}: {exc.strerror or exc}"
            if live is not None:
                log.error(message)
                return self._show_problems(config, live, (), note=message)
            raise PluginError(message) from exc
        if result.has_errors():
            if live is not None:
                for problem in result.errors:
                    problem_log.error(reporters.format_problem(problem), extra={PROBLEM_RECORD: True})
                return self._show_problems(config, live, result.problems)
            raise PluginError(f"the library {self.path} has problems; nothing was built:\n"
                              + reporters.format_text(result.problems))
        try:
            feedback = fb.resolve(self.config.feedback, config.repo_url)
        except ValueError as exc:
            raise PluginError(str(exc)) from None
        layout = self._layout(config)
        # Each pathway's own exports, each package named after its pathway: one fhir_package_name cannot
        # name them all, and a given one is refused rather than ignored.
        if self.config.fhir_package_name:
            raise PluginError("option 'fhir_package_name' names the FHIR package of one pathway; in a library each "
                              "pathway's package is named pathway.<pathway id>: remove the option")
        downloads = Downloads(self.config.fhir_base, None) if self.config.downloads else None
        shared = {site_paths.CSS, wt.JS}  # one copy at the library root serves every pathway
        pages: dict[str, bytes] = {}
        navs = []
        self.edit_paths = {}
        pathways = result.pathways
        token = self.figure_token = _new_figure_token()

        def render(i: int) -> tuple[dict[str, bytes], dict[str, FigureJob]]:
            p = pathways[i]
            apart: dict[str, FigureJob] = {}
            site = render_site(p, layout=layout, today=today, use_directory_urls=config.use_directory_urls,
                               pdf=self.config.pdf, feedback=feedback,
                               site_url=_sub_url(config.site_url, _join(self.prefix, p.id)),
                               library=result, downloads=downloads, figures_apart=apart,
                               figure_token=f"{token}{i}-", download_bytes=False)
            return site, apart

        def draw(i: int) -> tuple[dict[str, str], dict[str, bytes]]:
            """Pathway i's charts and its downloads (the exports), made while MkDocs works."""
            made = download_files(pathways[i], downloads, result) if downloads is not None else {}
            return (_sanitized(draw_figures(jobs[i], layout)),
                    {f"{DOWNLOADS_DIR}/{name}": data for name, data in made.items()})

        self._close_drawing()
        try:
            rendered = map_ordered(render, len(pathways))  # one process per core (generator/site/parallel.py)
            jobs = [apart for _site, apart in rendered]
            # The flowcharts are drawn on the other cores while MkDocs converts the pages on this one; each
            # page waits for its pathway's charts in on_post_page.  (Drawn here and now where that cannot be.)
            self.drawing = Background(draw, len(pathways))
        except SiteError as exc:
            if live is not None:
                log.error(str(exc))
                return self._show_problems(config, live, result.problems, note=str(exc))
            raise PluginError(str(exc)) from exc
        self.later = {}
        for i, (p, (site, _jobs)) in enumerate(zip(pathways, rendered, strict=True)):
            pages.update({f"{p.id}/{path}": data for path, data in site.items() if path not in shared})
            self.later.update({_join(self.prefix, f"{p.id}/{path}"): (i, path)
                               for path in site if path.startswith(DOWNLOADS_DIR + "/")})
            navs.append((p, site_nav(p)))
            self.edit_paths[_join(self.prefix, p.id)] = p.source
        assets = resources.files("generator.site").joinpath("assets")
        for path in (site_paths.CSS, wt.JS, cat.SCRIPT, CATALOGUE_CSS):
            pages[path] = assets.joinpath(path.rpartition("/")[2]).read_bytes()
        title = result.title
        summary = result.library.summary if result.library else None
        if self.config.catalogue:
            pages[cat.PAGE] = cat.catalogue_page(title, summary, result.pathways, today=today,
                                                 stages=result.index.stages,
                                                 use_directory_urls=config.use_directory_urls, pdf=self.config.pdf)
        self.pages = {_join(self.prefix, path): data for path, data in sorted(pages.items())}
        self.library = result
        self.pathway = None
        self.abbreviations = abbreviation_block(result.library.glossary) if result.library else ""
        if self.config.use_title_as_site_name:
            config.site_name = _html_title(title)
        entries = _html_nav(_prefixed(cat.library_nav(navs, catalogue=self.config.catalogue), self.prefix))
        if self.config.add_to_nav:
            if config.nav is None:
                config.nav = entries  # MkDocs' automatic nav would list every page of every pathway, by folder
            elif self.prefix:
                config.nav = list(config.nav) + [{_html_title(title): entries}]
            else:
                config.nav = entries + list(config.nav)
        if live is not None:
            live.pages = tuple(p for p in self.pages if p.endswith(".md"))
            live.nav = entries
            live.title = config.site_name
        _needs(config, self.prefix)
        for css in (_join(self.prefix, CATALOGUE_CSS),):
            if css not in config.extra_css:
                config.extra_css.append(css)
        js = _join(self.prefix, cat.SCRIPT)
        if js not in [str(x) for x in config.extra_javascript]:
            config.extra_javascript.append(js)
        _make_safe(config)
        return config

    def _library_checked(self, today) -> LibraryResult:
        """The CLI's result if it checked these very files today (same fingerprint); else check and log the warnings."""
        from generator.core.library import check_library, fingerprint

        given = self.config.checked_library
        if given is not None and given.fingerprint:
            if given.fingerprint == fingerprint(self.path, for_build=True, today=today):
                return given  # its problems were printed by the CLI
        result = check_library(self.path, for_build=True, today=today)
        for problem in result.warnings:
            problem_log.warning(reporters.format_problem(problem), extra={PROBLEM_RECORD: True})
        return result

    def _pathway_of(self, src_uri: str) -> Pathway | None:
        """Library mode: the pathway a page of the site belongs to (None for the catalogue and hand-written pages)."""
        if self.library is None:
            return None
        rest = src_uri[len(self.prefix) + 1:] if self.prefix else src_uri
        if self.prefix and not src_uri.startswith(self.prefix + "/"):
            return None
        head, sep, _ = rest.partition("/")
        return self.library.by_id.get(head) if sep else None

    def _show_problems(self, config: MkDocsConfig, live: LiveState, problems, note: str = "") -> MkDocsConfig:
        """``pathway serve`` with a broken file: every page of the last good site lists the problems."""
        self.problems_markdown = problems_page(self.path, problems, note)
        log.info("the browser shows these problems until the file is fixed and saved")
        page = self.problems_markdown.encode("utf-8")
        self.pages = {p: page for p in {*live.pages, site_paths.HOME}}
        self.pages[site_paths.CSS] = resources.files("generator.site").joinpath("assets", "pathway.css").read_bytes()
        self.pathway, self.abbreviations = None, ""  # no handbook, no glossary from a broken file
        self.figures, self.figure_token, self.later = {}, "", {}
        self._close_drawing()
        if live.title:
            config.site_name = live.title
        config.nav = list(live.nav) + list(config.nav or [])
        _make_safe(config)
        return config

    def _checked(self, today) -> pipeline.CheckResult:
        """The CLI's result if it checked these very bytes today; else check now and log the warnings.

        Warnings go to MkDocs' log (so ``mkdocs build --strict`` fails on them)
        as the CLI writes them; the CLI's log handler prints them unchanged.
        """
        given = self.config.checked
        if given is not None and given.fingerprint:
            with open(self.path, "rb") as fh:
                data = fh.read(limits.MAX_FILE_BYTES + 1)
            if given.fingerprint == pipeline.fingerprint(data, for_build=True, today=today):
                return given  # its problems were printed by the CLI
        result = pipeline.check_file(self.path, for_build=True, today=today)
        for problem in result.warnings:
            problem_log.warning(reporters.format_problem(problem), extra={PROBLEM_RECORD: True})
        return result

    def _layout(self, config: MkDocsConfig):
        from generator.render.layout import render_svgs

        return functools.partial(render_svgs, cache_dir=self._resolve(config, self.config.cache_dir))

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if not self.config.enabled:
            return files
        prefix = self.config.generated_dir.strip("/") + "/"
        for f in list(files):
            if f.src_uri.startswith(prefix) and f.generated_by is None:
                files.remove(f)  # a copy written by `pathway generate`; we serve the fresh one
            elif f.src_uri in self.pages and f.generated_by is not None:
                raise PluginError(f"two pathways both write {f.src_uri}; give each plugin instance its own "
                                  "'prefix' (docs/plugin.md)")
            elif f.src_uri in self.pages and self.library is not None:
                raise PluginError(f"docs/{f.src_uri} is written by hand but the library site also generates "
                                  f"{f.src_uri} (the catalogue, or a page of a pathway); rename or remove the "
                                  "hand-written file, set 'catalogue: false' to write your own home page, or "
                                  "put the library under a 'prefix' (docs/library.md)")
            elif f.src_uri in self.pages:
                raise PluginError(f"docs/{f.src_uri} is written by hand but the pathway site also "
                                  f"generates {f.src_uri}; rename or remove the hand-written file, "
                                  "or put the pathway under a 'prefix' (docs/plugin.md)")
        root = os.path.dirname(config.config_file_path or ".")

        def edit_uri(source: str) -> str | None:
            inside_repo = not os.path.relpath(source, root).startswith("..")
            return os.path.relpath(source, config.docs_dir).replace(os.sep, "/") if inside_repo else None

        edit = edit_uri(self.path)
        if self.library is not None:
            from generator.core.library import LIBRARY_FILE

            edit = edit_uri(os.path.join(self.path, LIBRARY_FILE))
            by_folder = {folder: edit_uri(source) for folder, source in self.edit_paths.items()}
        for path, content in self.pages.items():
            if path in self.later:
                f = _LaterFile.generated(config, path, content=b"")
                assert isinstance(f, _LaterFile)
                f.fetch = functools.partial(self._download, path)
            else:
                f = File.generated(config, path, content=content)
            # "Edit this page" on a generated page opens pathway.yaml itself (in a library: the page's
            # pathway file; the catalogue: library.yaml).
            # An archived copy has none: the file to edit is the current one, not that version's.
            archived = self.config.releases is not None and self.config.releases.archived is not None
            here = edit
            if self.library is not None:
                folder = posixpath.dirname(path)
                while folder and folder not in by_folder:
                    folder = posixpath.dirname(folder)
                here = by_folder.get(folder, edit)
            f.edit_uri = here if path.endswith(".md") and not archived else None
            files.append(f)
        if self.config.offline:
            shim = resources.files("generator.site").joinpath(WORKER_SHIM).read_bytes()
            files.append(File.generated(config, WORKER_SHIM, content=shim))
        return files

    def on_page_markdown(self, markdown: str, *, page, config: MkDocsConfig, files: Files) -> str:
        if self.problems_markdown:  # `pathway serve` with a broken file: hand-written pages show the problems too
            return self.problems_markdown
        # Hand-written pages get the glossary's hover definitions too.
        if self.config.enabled and page.file.generated_by is None and self.abbreviations:
            return f"{markdown}\n\n{self.abbreviations}\n"
        return markdown

    def _figure(self, key: str) -> str | None:
        """The SVG a figure token of this build stands for (library mode: waits for its pathway's charts)."""
        if self.drawing is None:
            return self.figures.get(key)
        number = key[len(self.figure_token):].partition("-")[0]
        try:
            return self.drawing.result(int(number))[0].get(key)
        except (ValueError, IndexError):
            return None
        except SiteError as exc:
            raise PluginError(str(exc)) from exc

    def _download(self, path: str) -> bytes:
        """Library mode: the bytes of a download, when MkDocs copies it into the site."""
        assert self.drawing is not None
        number, inside = self.later[path]
        try:
            data = self.drawing.result(number)[1].get(inside)
        except SiteError as exc:
            raise PluginError(str(exc)) from exc
        if data is None:  # download_names and download_files disagree: a bug, not the user's doing
            raise PluginError(f"internal error: the export {inside} was not made")
        return data

    def _close_drawing(self) -> None:
        if self.drawing is not None:
            self.drawing.close()
            self.drawing = None

    def on_build_error(self, *, error: Exception) -> None:
        self._close_drawing()  # a failed build does not wait for charts nobody will see

    def on_page_context(self, context, *, page, config: MkDocsConfig, nav):
        if self.library is not None:  # the print note names the version of the page's own pathway
            pathway = self._pathway_of(page.file.src_uri)
            config.extra["pathway_version"] = pathway.version if pathway else ""
        return context

    def on_post_page(self, output: str, *, page, config: MkDocsConfig) -> str:
        if self.figure_token and page.file.generated_by is not None:
            output = _put_figures(output, self.figure_token, self._figure)
        # Library mode: one walkthrough.js serves every pathway; each "What next?" page loads its own
        # pathway's data first (the script finds window.pathwayWalkthroughData set, and uses it).
        if self.library is None:
            return output
        from generator.site import walkthrough as wt

        pathway = self._pathway_of(page.file.src_uri)
        if pathway is None or page.file.src_uri != _join(self.prefix, f"{pathway.id}/{wt.PAGE}"):
            return output
        here = site_paths.page_url(page.file.src_uri, config.use_directory_urls)
        base = here if here.endswith("/") else posixpath.dirname(here)
        src = posixpath.relpath(_join(self.prefix, f"{pathway.id}/{wt.DATA}"), base.rstrip("/") or ".")
        return output.replace("</head>", f'<script src="{html.escape(src)}"></script>\n</head>', 1)

    def on_page_content(self, html_text: str, *, page, config: MkDocsConfig, files: Files) -> str:
        # Every page, hand-written ones too: they carry the glossary's abbreviations.
        from generator.render.sanitize import clean_html

        return clean_html(html_text)

    def on_env(self, env, *, config: MkDocsConfig, files: Files):
        # Material's page <title> is '{{ page.title | striptags }}', and striptags decodes entities: a
        # title written as '&lt;/title&gt;&lt;script&gt;' would close <title>.  Our theme/main.html
        # (looked up before the theme's) writes the same <title> escaped again.  (tests/test_hostile.py)
        # generator/site/theme/ holds the other template overrides too (partials/search.html names the
        # search dialog for screen readers); they ship with the plugin, so any mkdocs.yml gets them.
        import jinja2

        env.loader = jinja2.ChoiceLoader([
            jinja2.FileSystemLoader(THEME_DIR),
            env.loader,
        ])
        return env

    @event_priority(-100)  # after the search plugin has written its index (offline builds copy it)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._close_drawing()  # every page has its charts; the workers are not needed for the PDFs
        if self.config.enabled and self.library is not None:
            _label_search_index(config.site_dir, self.library, self.prefix)
        if self.config.enabled and self.config.offline:
            _inline_search_index(config.site_dir)
        if self.config.enabled and self.config.pdf and self.library is not None:
            self._library_pdfs(config)
            return
        if not self.config.enabled or not self.config.pdf or self.pathway is None:
            return
        from generator.pdf import handbook
        from generator.render.layout import LayoutError
        from generator.site.pages import PDF_NAME

        out = os.path.join(config.site_dir, self.prefix, PDF_NAME)
        try:
            handbook.build_pdf(self.pathway, out, source_date_epoch=os.environ.get("SOURCE_DATE_EPOCH"),
                               cache_dir=self._resolve(config, self.config.cache_dir))
        except (handbook.PdfError, LayoutError) as exc:
            raise PluginError(f"the PDF handbook was not built: {exc}") from exc
        except OSError as exc:
            raise PluginError(f"cannot write {out}: {exc.strerror or exc}") from exc

    def _library_pdfs(self, config: MkDocsConfig) -> None:
        """One handbook per pathway (``<id>/pathway.pdf``, in parallel) and the index ``library.pdf``."""
        from generator.pdf import handbook, library_index
        from generator.render.layout import LayoutError
        from generator.site.catalogue import LIBRARY_PDF
        from generator.site.pages import PDF_NAME

        assert self.library is not None
        root = os.path.join(config.site_dir, self.prefix)
        jobs = [(p, os.path.join(root, p.id, PDF_NAME)) for p in self.library.pathways]
        try:
            library_index.build_handbooks(jobs, source_date_epoch=os.environ.get("SOURCE_DATE_EPOCH"),
                                          cache_dir=self._resolve(config, self.config.cache_dir),
                                          library=self.library)
            library_index.build_index(self.library, os.path.join(root, LIBRARY_PDF), today=pipeline.today(),
                                      handbook=lambda pid: f"{pid}/{PDF_NAME}", site_url=_sub_url(config.site_url, self.prefix),
                                      source_date_epoch=os.environ.get("SOURCE_DATE_EPOCH"))
        except (handbook.PdfError, LayoutError) as exc:
            raise PluginError(f"the PDF handbooks were not built: {exc}") from exc
        except OSError as exc:
            raise PluginError(f"cannot write the PDF handbooks under {root}: {exc.strerror or exc}") from exc

    def on_serve(self, server, *, config: MkDocsConfig, builder):
        if self.config.enabled:
            server.watch(self.path)
        return server


class _LaterFile(File):
    """A generated file whose bytes are made in the background: asked for when MkDocs copies it.

    MkDocs keeps a generated file's bytes in ``_content`` and reads them only to write the file, after
    every page's Markdown is converted; by then the worker has long made them.
    """

    fetch: Callable[[], bytes] | None = None
    _bytes: str | bytes | None = None

    @property  # type: ignore[override]
    def _content(self) -> str | bytes | None:
        if self.fetch is not None:
            self._bytes, self.fetch = self.fetch(), None
        return self._bytes

    @_content.setter
    def _content(self, value: str | bytes | None) -> None:
        self._bytes = value


def _new_figure_token() -> str:
    """The word the pages carry where a flowchart goes: random, so no text of the pathway can ask for a chart."""
    return f"pathway-figure-{secrets.token_hex(8)}-"


def _sanitized(figures: dict[str, str]) -> dict[str, str]:
    """Each SVG through the same allow-list as the pages (``on_page_content`` never sees them)."""
    from generator.render.sanitize import clean_html

    return {key: clean_html(svg) for key, svg in figures.items()}


def _put_figures(output: str, token: str, figure: Callable[[str], str | None]) -> str:
    """The page's HTML with each figure token replaced by its SVG (a token not of this build stays text)."""
    pattern = re.compile(re.escape(token) + r"[0-9]+(?:-[0-9]+)?")
    return pattern.sub(lambda m: figure(m.group(0)) or m.group(0), output)


def _join(prefix: str, path: str) -> str:
    return f"{prefix}/{path}" if prefix else path


def _sub_url(site_url: str | None, folder: str) -> str:
    """The published address of ``folder`` of the site ('' without a site_url)."""
    if not site_url:
        return ""
    return site_url.rstrip("/") + "/" + (folder.strip("/") + "/" if folder else "")


def _label_search_index(site_dir: str, library: LibraryResult, prefix: str) -> None:
    """Name each page's pathway in search: Material shows a result's page entry title as its heading.

    Every page entry (the one without '#') of a pathway's page gets " — <pathway title>" after its
    title, so "Imaging" from two pathways reads "Imaging — Back pain triage".  Titles in the index are
    HTML (Material escapes them, and its search UI inserts them as HTML), so the title is escaped too.
    """
    index = os.path.join(site_dir, "search", "search_index.json")
    if not os.path.isfile(index):  # no search plugin in this mkdocs.yml
        return
    with open(index, encoding="utf-8") as fh:
        data = json.load(fh)
    start = f"{prefix}/" if prefix else ""
    for doc in data.get("docs", []):
        location = doc.get("location", "")
        if not location.startswith(start) or "#" in location:
            continue
        head, sep, _ = location[len(start):].partition("/")
        if not sep and head.endswith(".html"):  # offline: '<id>.html' is not a pathway folder
            continue
        pathway = library.by_id.get(head)
        if pathway is None:
            continue
        label = html.escape(pathway.title, quote=False)
        if doc.get("title", "") != label:
            doc["title"] = f"{doc.get('title', '')} — {label}"
    with open(index, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))


def _prefix(value: str) -> str:
    """The ``prefix`` option as a clean relative folder ("" for the site root), or a clear error."""
    text = value.strip().strip("/")
    parts = text.split("/") if text else []
    if "\\" in text or any(p in ("", ".", "..") for p in parts) or ":" in text:
        raise PluginError(f"option 'prefix': {value!r} is not a folder inside the site; write it like "
                          "'pathways/back-pain' (no '..', no empty parts, no backslashes)")
    return "/".join(parts)


def _prefixed(items: list, prefix: str) -> list:
    """The nav with every page path put under ``prefix``."""
    if not prefix:
        return items
    out: list = []
    for item in items:
        if isinstance(item, dict):
            out.append({k: (_prefixed(v, prefix) if isinstance(v, list) else f"{prefix}/{v}") for k, v in item.items()})
        else:
            out.append(f"{prefix}/{item}")
    return out


def _needs(config: MkDocsConfig, prefix: str) -> None:
    """Add the Markdown extensions and the CSS the pages are written for; warn about settings that cannot work."""
    from generator.site.project import MARKDOWN_EXTENSIONS

    have = set(config.markdown_extensions)
    for ext in MARKDOWN_EXTENSIONS:
        name, opts = next(iter(ext.items())) if isinstance(ext, dict) else (ext, None)
        if name not in have:
            # Without them the pages show '{: .pathway-breadcrumb }' and '*[MBB]: ...' as text.
            log.info(f"adding the Markdown extension {name}, which the pathway pages are written for")
            config.markdown_extensions.append(name)
            have.add(name)
            if opts:
                config.mdx_configs[name] = opts
    css = f"{prefix}/assets/pathway.css" if prefix else "assets/pathway.css"
    if css not in config.extra_css:
        config.extra_css.append(css)
    # The "What next?" walkthrough; on every other page it stops at once (generator/site/walkthrough.py).
    js = f"{prefix}/assets/walkthrough.js" if prefix else "assets/walkthrough.js"
    if js not in [str(x) for x in config.extra_javascript]:
        config.extra_javascript.append(js)
    theme = config.theme
    features = theme.get("features") or []
    if "navigation.instant" in features and not config.site_url:
        log.warning("theme feature navigation.instant needs site_url in mkdocs.yml (the address the site is "
                    "published at); without it, instant loading is switched off by Material and links may break")
    if theme.name == "material" and theme.get("font") not in (False, None):
        if _font_is_default(theme.get("font")):
            # Material's default loads Google Fonts from readers' browsers; the pathway promises pages that
            # load nothing from other hosts (README "Privacy").  The default is switched off; a font the user
            # chose is kept, with a warning.
            log.info("web fonts are switched off (theme.font: false): pages load nothing from other hosts")
            theme["font"] = False
        else:
            log.warning(f"theme.font loads web fonts ({theme.get('font')}) from Google in readers' browsers, "
                        "against the pathway's promise that pages load nothing from other hosts; "
                        "set 'font: false' under 'theme:'")


def _font_is_default(font) -> bool:
    return font == {"text": "Roboto", "code": "Roboto Mono"}


def _offline(config: MkDocsConfig) -> None:
    """Settings for a site opened from disk (what Material's offline plugin does, without the CDN)."""
    # A directory URL ("stages/a/") opens a folder listing from file://; "stages/a.html" opens the page.
    config.use_directory_urls = False
    # Material's offline plugin (if mkdocs.yml also names it) adds the shim from unpkg: drop that request.
    polyfills = [p for p in config.extra.get("polyfills", []) if "iframe-worker" not in str(p)]
    config.extra["polyfills"] = [*polyfills, WORKER_SHIM]


def _inline_search_index(site_dir: str) -> None:
    """``search/search_index.js``: on file:// Material loads the index as a script (fetch() is refused there)."""
    index = os.path.join(site_dir, "search", "search_index.json")
    if not os.path.isfile(index):  # no search plugin in this mkdocs.yml
        return
    with open(index, encoding="utf-8") as fh:
        data = fh.read()
    with open(os.path.join(site_dir, "search", "search_index.js"), "w", encoding="utf-8") as fh:
        fh.write(f"var __index = {data}")


def _make_safe(config: MkDocsConfig) -> None:
    """Link guard on; Material's tooltips off (see below).  Done here so any mkdocs.yml gets it."""
    from generator.core.urls import guard_extension

    config.markdown_extensions.append(guard_extension())
    # Material's content.tooltips copies an element's title attribute into innerHTML, so a title
    # such as '<img src=x onerror=...>' (a pathway title, a stage title in the nav, a glossary
    # <abbr>, a Markdown link title) would run as script on load or hover.  Its bundle cannot be
    # patched from here in a way that survives theme updates; the browser's own title tooltip
    # shows text only.  (tests/site/test_browser_hostile.py)
    features = config.theme.get("features") or []
    if "content.tooltips" in features:
        log.info("the theme feature content.tooltips is switched off: it turns titles into HTML")
        config.theme["features"] = [f for f in features if f != "content.tooltips"]


def _html_title(text: str) -> Markup:
    """Pathway text made safe where Material prints it as HTML (text or a double-quoted attribute).

    ``Markup`` so that a template's ``|e`` does not escape it twice.  The page
    ``<title>`` is written by ``theme/main.html`` (see ``on_env``), because
    Material's own uses ``|striptags``, which would decode the entities again.
    """
    return Markup(html.escape(text, quote=False).replace('"', "&quot;"))


def _html_nav(items: list) -> list:
    """The nav with every title passed through ``_html_title``."""
    out: list = []
    for item in items:
        if isinstance(item, dict):
            out.append({_html_title(k): (_html_nav(v) if isinstance(v, list) else v) for k, v in item.items()})
        else:
            out.append(item)
    return out
