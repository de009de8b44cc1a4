"""A build checks the pathway once and prints each problem once, in the CLI's words.

`pathway build` used to check in the CLI and again in the MkDocs plugin, and
print every warning twice (the second time relayed through MkDocs' log as
``pathway: warning: generator: FILE:LINE:COL: warning: …``).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from fakes import fake_layout

from generator.cli import main
from generator.core import pipeline

REPO = Path(__file__).resolve().parents[2]
LOOPS = REPO / "tests" / "fixtures" / "pathways" / "loops.yaml"
EPOCH = "1795000000"  # 2026-11-18
UNCITED = "unused-reference"


def with_warning(tmp_path: Path) -> Path:
    """The loops fixture plus a reference no stage cites: one warning, no error."""
    text = LOOPS.read_text(encoding="utf-8")
    if "\nreferences:\n" in text:
        text = text.replace("\nreferences:\n", "\nreferences:\n  - id: never-cited\n    title: Not cited\n", 1)
    else:
        text += "\nreferences:\n  - id: never-cited\n    title: Not cited\n"
    path = tmp_path / "pathway.yaml"
    path.write_text(text, encoding="utf-8")
    result = pipeline.check_file(path, for_build=True, today=pipeline.today())
    assert not result.errors and [p.rule for p in result.warnings] == [UNCITED]
    return path


def warning_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if "never-cited" in line]


@pytest.fixture
def counted_checks(monkeypatch):
    """Count every check of a file, wherever it is called from."""
    calls: list[str] = []
    real = pipeline.check_text

    def counting(*args, **kwargs):
        calls.append(str(args[1] if len(args) > 1 else kwargs.get("filename")))
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "check_text", counting)
    return calls


@pytest.mark.dot
@pytest.mark.slow
def test_build_checks_once_and_prints_each_warning_once(tmp_path, monkeypatch, capsys, counted_checks):
    path = with_warning(tmp_path)
    counted_checks.clear()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.chdir(REPO)
    assert main(["build", str(path), "-d", str(tmp_path / "site")]) == 0
    err = capsys.readouterr().err
    lines = warning_lines(err)
    assert len(lines) == 1, err
    assert re.fullmatch(rf"{re.escape(str(path))}:\d+:\d+: warning: reference 'never-cited' .* \[{UNCITED}\]", lines[0])
    assert "generator:" not in err
    assert len(counted_checks) == 1
    assert (tmp_path / "site" / "index.html").exists()


def test_build_strict_fails_on_a_warning_and_builds_nothing(tmp_path, monkeypatch, capsys):
    path = with_warning(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.chdir(REPO)
    assert main(["build", str(path), "-d", str(tmp_path / "site"), "--strict"]) == 1
    err = capsys.readouterr().err
    assert len(warning_lines(err)) == 1, err
    assert "--strict" in err and "nothing was built" in err
    assert not (tmp_path / "site").exists()


def test_generate_prints_each_warning_once(tmp_path, monkeypatch, capsys):
    path = with_warning(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert main(["generate", str(path), "-o", str(tmp_path / "gen")]) == 0
    assert len(warning_lines(capsys.readouterr().err)) == 1


def _plugin(tmp_path: Path, path: Path, checked):
    from mkdocs.config import load_config

    from generator.cli._sitecommon import plugin_override

    plugins = plugin_override(REPO / "mkdocs.yml", str(path), checked)
    cfg = load_config(config_file=str(REPO / "mkdocs.yml"), site_dir=str(tmp_path / "s"), plugins=plugins)
    cfg.plugins["pathway"]._layout = lambda config: fake_layout  # no Graphviz needed here
    return cfg, cfg.plugins["pathway"]


def test_the_plugin_reuses_the_clis_result_for_the_same_bytes(tmp_path, monkeypatch, caplog, counted_checks):
    path = with_warning(tmp_path)
    checked = pipeline.check_file(path, for_build=True, today=pipeline.today())
    counted_checks.clear()
    cfg, plugin = _plugin(tmp_path, path, checked)
    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        plugin.on_config(cfg)
    assert counted_checks == []  # not checked again ...
    assert not [r for r in caplog.records if "never-cited" in r.getMessage()]  # ... nor reported again
    assert plugin.pages


def test_the_plugin_checks_again_when_the_file_changed(tmp_path, monkeypatch, caplog, counted_checks):
    # As on a `pathway serve` rebuild after an edit: the CLI's result is stale.
    path = with_warning(tmp_path)
    checked = pipeline.check_file(path, for_build=True, today=pipeline.today())
    path.write_text(path.read_text(encoding="utf-8").replace("Not cited", "Still not cited"), encoding="utf-8")
    counted_checks.clear()
    cfg, plugin = _plugin(tmp_path, path, checked)
    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        plugin.on_config(cfg)
    assert counted_checks == [str(path)]
    records = [r for r in caplog.records if "never-cited" in r.getMessage()]
    assert len(records) == 1
    # In the CLI's words, marked so that the CLI's handler prints it unchanged.
    assert records[0].getMessage().startswith(f"{path}:")
    assert records[0].pathway_problem is True


def test_the_clis_log_handler_prints_a_relayed_problem_as_it_is(capsys):
    from generator.cli._sitecommon import quiet_mkdocs
    from generator.site.plugin import PROBLEM_RECORD, problem_log

    with quiet_mkdocs():
        problem_log.warning("f.yaml:1:2: warning: something [rule]", extra={PROBLEM_RECORD: True})
        logging.getLogger("mkdocs.other").warning("from mkdocs")
    assert capsys.readouterr().err.splitlines() == [
        "f.yaml:1:2: warning: something [rule]",
        "pathway: warning: from mkdocs",
    ]
