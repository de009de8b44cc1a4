"""The rule registry: every problem uses a registered id, and the docs list exactly the registry."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.core import rules
from generator.core.model import Location, Problem, Severity
from generator.core.rules import RULES, Rule

REPO = Path(__file__).resolve().parents[2]
SOURCES = sorted((REPO / "generator").rglob("*.py"))
HERE = Location("pathway.yaml", 1, 1)

# Calls that make a Problem, and where their rule id goes (positional index).
_RULE_ARG = {"Problem": 1, "_err": 0, "_warn": 0, "error": 0, "problem": 0}


def _rule_args(tree: ast.AST):
    """Every expression passed as a rule id in this module, with its line."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            if name in _RULE_ARG and len(node.args) > _RULE_ARG[name]:
                yield node.args[_RULE_ARG[name]]
            yield from (kw.value for kw in node.keywords if kw.arg == "rule")
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "rule":
            if node.value is not None:
                yield node.value


def _source_uses() -> tuple[list[tuple[str, int, str]], set[str]]:
    """(file, line, id) of every literal rule id in a rule position, and every Rule.NAME referenced."""
    literals, names = [], set()
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for arg in _rule_args(tree):
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                literals.append((path.relative_to(REPO).as_posix(), arg.lineno, arg.value))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Rule":
                names.add(node.attr)
    return literals, names


def test_the_scan_finds_the_problem_makers():
    # Guards the test below: if the calls were renamed, the scan would find nothing and prove nothing.
    _, names = _source_uses()
    assert {"UNKNOWN_STAGE", "YAML_ALIAS", "WRONG_TYPE", "LIMIT_EXCEEDED", "EXPIRED"} <= names


def test_every_rule_id_in_the_source_is_registered():
    literals, names = _source_uses()
    assert [lit for lit in literals if lit[2] not in RULES] == []
    members = set(Rule.__members__) | {"__members__"}
    assert sorted(names - members - {"value", "name"}) == []


def test_every_registered_rule_is_reported_somewhere():
    # A registered rule nothing reports is a promise in the docs that the checker does not keep.
    literals, names = _source_uses()
    used = {Rule[n] for n in names if n in Rule.__members__} | {RULES[lit[2]] for lit in literals if lit[2] in RULES}
    assert set(Rule) - used == set()


def test_a_problem_with_an_unregistered_id_is_refused():
    with pytest.raises(ValueError, match="not registered"):
        Problem(Severity.ERROR, "unknown-stag", "typo in the tool", HERE)


def test_a_problem_with_a_severity_its_rule_never_has_is_refused():
    with pytest.raises(ValueError, match="error rule"):
        Problem(Severity.WARNING, Rule.UNKNOWN_STAGE, "x", HERE)
    with pytest.raises(ValueError, match="warning rule"):
        Problem(Severity.ERROR, Rule.DEAD_END, "x", HERE)


def test_registered_ids_and_both_severities_of_expired_are_accepted():
    assert Problem(Severity.ERROR, "unknown-stage", "x", HERE).rule == Rule.UNKNOWN_STAGE
    assert Problem(Severity.WARNING, Rule.EXPIRED, "x", HERE).rule == "expired"
    assert Problem(Severity.ERROR, Rule.EXPIRED, "x", HERE).rule == "expired"


def test_rules_are_well_formed():
    assert len(RULES) == len(Rule)
    for r in Rule:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", r.value), r
        assert r.name == r.value.upper().replace("-", "_")
        assert r.topic in rules.TOPICS
        assert r.summary.endswith(".") and "\n" not in r.summary and len(r.summary) <= 100, r
        assert str(r) == f"{r}" == r.value  # written as its plain id in messages and JSON


def test_every_topic_has_rules_and_the_table_is_grouped_by_topic():
    topics = [r.topic for r in Rule]
    assert set(topics) == set(rules.TOPICS)
    assert sorted(topics, key=rules.TOPICS.index) == topics


def _block(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    assert text.count("<!-- rules:start -->") == 1 and text.count("<!-- rules:end -->") == 1, path
    return text.split("<!-- rules:start -->\n")[1].split("<!-- rules:end -->")[0]


def test_the_readme_lists_exactly_the_registry():
    block = _block(REPO / "README.md")
    assert block == rules.readme_paragraph(), "stale: run python scripts/rule_docs.py"
    assert set(re.findall(r"`([a-z-]+)`", block)) == set(RULES)


def test_docs_format_lists_exactly_the_registry():
    block = _block(REPO / "docs" / "format.md")
    assert block == rules.as_markdown(), "stale: run python scripts/rule_docs.py"
    assert re.findall(r"^\| `([a-z-]+)` \|", block, flags=re.M) == list(RULES)


def test_rule_docs_script_check_passes_and_catches_a_stale_list(tmp_path):
    script = REPO / "scripts" / "rule_docs.py"
    ok = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    # The same script on a copy whose list lost a rule: --check fails, a plain run repairs it.
    (tmp_path / "scripts").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "scripts" / "rule_docs.py").write_text(script.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "generator").symlink_to(REPO / "generator")
    (tmp_path / "README.md").write_text((REPO / "README.md").read_text(encoding="utf-8"), encoding="utf-8")
    stale = (REPO / "docs" / "format.md").read_text(encoding="utf-8").replace("| `dead-end` |", "| `dead-nd` |")
    (tmp_path / "docs" / "format.md").write_text(stale, encoding="utf-8")
    copy = tmp_path / "scripts" / "rule_docs.py"
    bad = subprocess.run([sys.executable, str(copy), "--check"], capture_output=True, text=True)
    assert bad.returncode == 1 and "docs/format.md" in bad.stderr
    assert subprocess.run([sys.executable, str(copy)], capture_output=True).returncode == 0
    assert (tmp_path / "docs" / "format.md").read_text(encoding="utf-8") == (REPO / "docs" / "format.md").read_text(
        encoding="utf-8")
