"""`pathway validate`, run in-process through generator.cli.main."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from generator.cli import main

FIXTURES = Path(__file__).parents[1] / "fixtures"
VALID = FIXTURES / "core" / "valid.yaml"
BAD = FIXTURES / "bad"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793577600")  # 2026-11-02
    monkeypatch.delenv("FORCE_COLOR", raising=False)


def test_clean_file_is_quiet_and_exits_0(capsys) -> None:
    assert main(["validate", str(VALID)]) == 0
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_verbose_says_ok(capsys) -> None:
    assert main(["validate", "-v", str(VALID)]) == 0
    assert capsys.readouterr().out == f"{VALID}: OK (7 stages)\n"


def test_default_file_is_pathway_yaml_in_the_current_folder(tmp_path, monkeypatch, capsys) -> None:
    shutil.copy(VALID, tmp_path / "pathway.yaml")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "-v"]) == 0
    assert capsys.readouterr().out == "pathway.yaml: OK (7 stages)\n"


def test_errors_exit_1_with_lines_and_summary(capsys) -> None:
    path = BAD / "unknown-stage.yaml"
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{path}:13:13: error: next → 'six-week-reveiw' names no stage; did you mean 'six-week-review'? [unknown-stage]",
        f"{path}:14:5: warning: stage 'six-week-review' cannot be reached from the start ('a'); "
        "link to it from another stage's 'next' [unreachable]",
        "1 error, 1 warning",
    ]


def test_warnings_alone_exit_0_unless_strict(capsys) -> None:
    path = BAD / "unreachable.yaml"
    assert main(["validate", str(path)]) == 0
    assert "1 warning" in capsys.readouterr().out
    assert main(["validate", "--strict", str(path)]) == 1
    assert "--strict" in capsys.readouterr().out


def test_for_build_makes_expiry_an_error(capsys) -> None:
    path = BAD / "expired.yaml"
    assert main(["validate", str(path)]) == 0
    assert main(["validate", "--for-build", str(path)]) == 1
    assert "error: the pathway expired" in capsys.readouterr().out


def test_missing_file_is_a_usage_error(capsys, tmp_path) -> None:
    assert main(["validate", str(tmp_path / "nope.yaml")]) == 2
    err = capsys.readouterr().err
    assert "no such file" in err and "Traceback" not in err


def test_folder_is_a_usage_error(capsys, tmp_path) -> None:
    assert main(["validate", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_bad_format_option_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["validate", "--format", "xml", str(VALID)])
    assert exc.value.code == 2


def test_json_format(capsys) -> None:
    assert main(["validate", "--format", "json", str(BAD / "unknown-reference.yaml")]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [(d["rule"], d["line"], d["col"], d["severity"]) for d in data] == [
        ("unknown-reference", 12, 18, "error"),
        ("unused-reference", 14, 9, "warning"),
    ]


def test_json_format_clean_is_an_empty_list(capsys) -> None:
    assert main(["validate", "--format", "json", str(VALID)]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_github_format(capsys) -> None:
    path = BAD / "unknown-kind.yaml"
    assert main(["validate", "--format", "github", str(path)]) == 1
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith(f"::error file={path},line=10,col=11,title=unknown-kind::stage 'a': 'kind' is 'outcom'")


def test_stdin(monkeypatch, capsys) -> None:
    data = (BAD / "bad-format.yaml").read_bytes()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["validate", "-"]) == 1
    assert capsys.readouterr().out.startswith("<stdin>:2:9: error: 'format' is '2'")


def test_colour_on_request(monkeypatch, capsys) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert main(["validate", str(BAD / "unknown-kind.yaml")]) == 1
    assert "\033[" in capsys.readouterr().out


def test_no_color_wins(monkeypatch, capsys) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    main(["validate", str(BAD / "unknown-kind.yaml")])
    assert "\033[" not in capsys.readouterr().out


HOSTILE = [
    b"",
    b"\x00\x01\x02",
    b"\xff\xfe\x00\x00",
    b"[" * 10_000,
    b"{" * 10_000,
    b"a: &a [*a]",
    b"!!python/object/apply:os.system ['echo hi']",
    b"%YAML 1.1\n%TAG ! tag:evil:\n--- !x\na: 1\n",
    b"? - a\n  - b\n: c\n",
    b"stages: {a: 1}\n",
    b"stages:\n  - next: {to: [1, 2]}\n",
    b"stages:\n  - id: a\n    facts: {x: {y: z}}\n",
    "title: \u202eevil\u202c\nid: \U0001F600\n".encode(),
    b"id: p\n" * 1000,
    b"\t\t\t",
    b"'",
    b"governance: [1]\nhistory: {a: b}\ngroups: x\nreferences: 7\nglossary: [[1]]\n",
]


@pytest.mark.parametrize("data", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_never_gives_a_traceback_or_internal_error(tmp_path, capsys, data: bytes) -> None:
    path = tmp_path / "pathway.yaml"
    path.write_bytes(data)
    code = main(["validate", str(path)])
    out = capsys.readouterr()
    assert code == 1
    assert "internal error" not in out.err and "Traceback" not in out.err
    assert out.out.strip().splitlines()[-1].endswith(("error", "errors")) or "error" in out.out


def test_a_bug_is_reported_in_one_line_not_a_traceback(monkeypatch, capsys) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("generator.core.pipeline.check_file", broken)
    assert main(["validate", str(VALID)]) == 1
    err = capsys.readouterr().err
    assert "internal error" in err and "please report" in err and "Traceback" not in err


# --- several files (the pre-commit hook passes every changed pathway file) ------------------


def test_several_files_each_reported_at_its_own_file_line_col(capsys) -> None:
    kind, stage = BAD / "unknown-kind.yaml", BAD / "unknown-stage.yaml"
    assert main(["validate", str(VALID), str(kind), str(stage)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert any(line.startswith(f"{kind}:10:11: error:") for line in out)
    assert any(line.startswith(f"{stage}:13:13: error:") for line in out)
    assert not any(line.startswith(str(VALID)) for line in out)
    assert out[-1] == "2 errors, 1 warning in 2 of 3 files"


def test_several_clean_files_exit_0_and_verbose_names_each(capsys) -> None:
    other = BAD / "unreachable.yaml"  # a warning only
    assert main(["validate", str(VALID), str(other)]) == 0
    capsys.readouterr()
    assert main(["validate", "-v", str(VALID), str(VALID)]) == 0  # a name given twice is checked once
    assert capsys.readouterr().out == f"{VALID}: OK (7 stages)\n"


def test_one_failing_file_among_several_fails_the_run(capsys) -> None:
    # The failing file last: every file decides, not only the first.
    assert main(["validate", str(VALID), str(VALID.parent / "valid.yaml"), str(BAD / "bad-format.yaml")]) == 1


def test_a_missing_file_among_several_is_named_and_the_rest_still_checked(tmp_path, capsys) -> None:
    missing = tmp_path / "nope.yaml"
    assert main(["validate", str(missing), str(BAD / "unknown-kind.yaml")]) == 2
    out = capsys.readouterr()
    assert str(missing) in out.err and "Traceback" not in out.err
    assert "[unknown-kind]" in out.out


def test_stdin_cannot_be_mixed_with_files(capsys) -> None:
    assert main(["validate", "-", str(VALID)]) == 2
    assert "standard input" in capsys.readouterr().err


def test_json_of_several_files_is_one_list_naming_each_file(capsys) -> None:
    assert main(["validate", "--format", "json", str(BAD / "unknown-kind.yaml"), str(BAD / "bad-format.yaml")]) == 1
    files = {p["file"] for p in json.loads(capsys.readouterr().out)}
    assert files == {str(BAD / "unknown-kind.yaml"), str(BAD / "bad-format.yaml")}


def _many_dead_ends(n: int) -> str:
    """A pathway whose n middle stages are all dead ends: n warnings, far over GitHub's 10."""
    stages = "\n".join(
        f"  - id: s{i}\n    title: Stage {i}\n    kind: assessment" for i in range(n)
    )
    nexts = "\n".join(f"      - to: s{i}\n        when: case {i}" for i in range(n))
    return (
        "id: p\ntitle: P\nversion: '1'\nstatus: draft\nstart: d\nstages:\n"
        f"  - id: d\n    title: D\n    kind: decision\n    next:\n{nexts}\n{stages}\n"
    )


def test_github_format_caps_annotations_and_writes_every_problem_to_the_step_summary(
    tmp_path, monkeypatch, capsys
) -> None:
    path = tmp_path / "pathway.yaml"
    path.write_text(_many_dead_ends(30), encoding="utf-8")
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert main(["validate", "--format", "github", "--strict", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("::warning ") for line in lines) == 10
    assert lines[-1].startswith("::notice ") and "20 warnings more" in lines[-1]
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n")  # appended, never overwritten
    assert text.count("| ⚠️ warning |") == 30 and "30 warnings" in text


def test_an_unwritable_step_summary_is_a_warning_not_a_failure(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "no" / "such" / "summary.md"))
    assert main(["validate", "--format", "github", str(VALID)]) == 0
    err = capsys.readouterr().err
    assert "cannot write the step summary" in err and "Traceback" not in err
