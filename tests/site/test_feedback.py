"""The "Report a problem with this page" link: where it goes, what it fills in, and the issue form it names."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import yaml

from generator.site import feedback as fb

REPO = Path(__file__).resolve().parents[2]
FORM = REPO / ".github" / "ISSUE_TEMPLATE" / fb.ISSUE_FORM


@pytest.mark.parametrize(("option", "repo_url", "expected"), [
    (None, "https://github.com/example-org/care-pathways", fb.Feedback("github", "https://github.com/example-org/care-pathways")),
    (None, "https://github.com/o/r.git", fb.Feedback("github", "https://github.com/o/r")),
    (None, "https://gitlab.com/o/r", None),  # not GitHub: no issue form to prefill, so no link
    (None, None, None),
    ("off", "https://github.com/o/r", None),
    ("https://github.com/other/repo/", "https://github.com/o/r", fb.Feedback("github", "https://github.com/other/repo")),
    ("mailto:pathways@example.org", "https://github.com/o/r", fb.Feedback("mailto", "pathways@example.org")),
])
def test_where_reports_go(option, repo_url, expected):
    assert fb.resolve(option, repo_url) == expected


@pytest.mark.parametrize("option", ["javascript:alert(1)", "https://example.org/form", "mailto:nobody",
                                    "mailto:a@example.org?cc=b@example.org", "https://github.com/o"])
def test_an_unusable_option_is_refused_with_the_choices(option):
    with pytest.raises(ValueError, match="https://github.com/OWNER/REPO, mailto:ADDRESS nor off"):
        fb.resolve(option, None)


HOSTILE = {"pathway": "Knee & hip #1 <b>?</b>", "stage": "Pain = 4/10 (check)\nnext line",
           "version": "1.0+rc&x=1", "page": "https://example.org/a b/?q=1&r=2#frag"}


def test_github_link_fills_each_field_exactly_whatever_it_holds():
    href = fb.link(fb.Feedback("github", "https://github.com/o/r"), **HOSTILE)
    parts = urlsplit(href)
    assert (parts.scheme, parts.netloc, parts.path, parts.fragment) == ("https", "github.com", "/o/r/issues/new", "")
    q = {k: v[0] for k, v in parse_qs(parts.query, strict_parsing=True).items()}
    assert q.pop("template") == fb.ISSUE_FORM
    assert q.pop("title").startswith("Problem on the page Pain = 4/10")
    assert q == HOSTILE
    assert not set(href) & set(" <>\"'\n#")  # nothing that could end the attribute or the URL early


def test_mail_link_puts_every_field_in_the_body():
    href = fb.link(fb.Feedback("mailto", "team@example.org"), **HOSTILE)
    assert href.startswith("mailto:team@example.org?subject=")
    q = {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}
    assert set(q) == {"subject", "body"}
    body = q["body"]
    for key, label in (("pathway", "Pathway"), ("stage", "Stage"), ("version", "Version"), ("page", "Page")):
        assert f"{label}: {HOSTILE[key]}\n" in body
    assert unquote(href.split("subject=")[1].split("&")[0]).startswith("Problem on the page")


def test_the_issue_form_has_a_field_for_each_prefilled_parameter():
    form = yaml.safe_load(FORM.read_text(encoding="utf-8"))
    ids = [item["id"] for item in form["body"] if "id" in item]
    assert ids[: len(fb.FIELDS)] == list(fb.FIELDS)
    assert "problem" in ids  # and a box for the reader's own words
    assert {"name", "description", "body"} <= set(form)


def test_the_deploy_workflow_builds_the_archive():
    flow = yaml.safe_load((REPO / ".github" / "workflows" / "deploy.yml").read_text(encoding="utf-8"))
    runs = [s.get("run", "") for job in flow["jobs"].values() for s in job.get("steps", [])]
    assert any("pathway build" in r and "--versions" in r for r in runs)
    checkout = next(s for job in flow["jobs"].values() for s in job.get("steps", [])
                    if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # the tags are there to read


def test_stage_pages_get_the_link_only_when_configured():
    from fakes import fake_layout
    from generator.core import pipeline
    from generator.site.pages import render_site

    p = pipeline.check_file(REPO / "tests" / "fixtures" / "pathways" / "no-groups.yaml").pathway
    assert p is not None
    plain = render_site(p, layout=fake_layout)
    assert not any(b"Report a problem" in v for v in plain.values())
    with_link = render_site(p, layout=fake_layout, feedback=fb.Feedback("mailto", "t@example.org"))
    stage_pages = [k for k in with_link if k.startswith("stages/")]
    assert stage_pages and all(b"Report a problem with this page" in with_link[k] for k in stage_pages)
    assert b"Report a problem" not in with_link["index.md"]


def test_a_bad_feedback_option_stops_the_build_with_a_message(tmp_path, monkeypatch, capsys):
    from generator.cli import main

    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: T\ntheme:\n  name: material\nplugins:\n  - pathway:\n"
                                         "      feedback: https://example.org/form\n")
    (tmp_path / "pathway.yaml").write_bytes((REPO / "tests" / "fixtures" / "pathways" / "minimal.yaml").read_bytes())
    monkeypatch.chdir(tmp_path)
    assert main(["build", "pathway.yaml", "-d", "site", "--no-pdf"]) == 1
    err = capsys.readouterr().err
    assert "feedback: https://example.org/form" in err and "mailto:ADDRESS" in err and "Traceback" not in err
    assert not (tmp_path / "site").exists()


def test_generate_writes_the_feedback_link_it_is_given(tmp_path, capsys):
    """The generated project (for engines without the plugin) has the link when --feedback says where."""
    from generator.cli import main

    seed = REPO / "pathway.yaml"
    out = tmp_path / "project"
    assert main(["generate", str(seed), "-o", str(out), "--feedback", "mailto:pathways@example.org"]) == 0
    page = (out / "docs" / "stages" / "rfa-review.md").read_text(encoding="utf-8")
    assert "mailto:pathways@example.org?" in page and "Report a problem with this page" in page
    assert main(["generate", str(seed), "-o", str(tmp_path / "none")]) == 0
    assert "Report a problem" not in (tmp_path / "none" / "docs" / "stages" / "rfa-review.md").read_text(encoding="utf-8")
    assert main(["generate", str(seed), "-o", str(tmp_path / "bad"), "--feedback", "nope"]) == 2
    assert "--feedback nope" in capsys.readouterr().err and not (tmp_path / "bad").exists()
