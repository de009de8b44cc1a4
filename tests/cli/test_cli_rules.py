"""`pathway rules`: the registry as text, JSON and Markdown."""

from __future__ import annotations

import json

import pytest

from generator.cli import main
from generator.core import rules
from generator.core.rules import RULES


def test_text_lists_every_rule_with_its_severity(capsys):
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ")}
    assert list(lines) == list(RULES)
    assert lines["dead-end"].split()[1] == "warning"
    assert lines["unknown-stage"].split()[1] == "error"
    assert "error when publishing" in lines["expired"]


def test_json_has_every_rule_in_order(capsys):
    assert main(["rules", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in doc] == list(RULES)
    expired = next(r for r in doc if r["id"] == "expired")
    assert (expired["severity"], expired["when_publishing"]) == ("warning", "error")


def test_markdown_is_the_docs_table(capsys):
    assert main(["rules", "--format", "markdown"]) == 0
    assert capsys.readouterr().out == rules.as_markdown()


def test_unknown_format_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["rules", "--format", "yaml"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_help_has_examples(capsys):
    with pytest.raises(SystemExit):
        main(["rules", "--help"])
    assert "pathway rules --format json" in capsys.readouterr().out
