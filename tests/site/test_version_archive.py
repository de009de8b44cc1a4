"""The version archive: three tagged releases in a throw-away git repository, built with `pathway build --versions`.

v1.0 is the base; v1.1 adds a stage (physiotherapy); v1.2 changes a decision's threshold and removes that
stage again.  The working tree is v1.2.  Checked: the Versions page, the banner of every archived page,
the per-stage histories, and that each archived copy's links stay inside its own folder.
"""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from generator.cli import main

pytestmark = [pytest.mark.dot, pytest.mark.slow]

MKDOCS_YML = """\
site_name: Test
site_url: https://pathways.example.org/knee/
repo_url: https://github.com/example-org/knee-pathway
docs_dir: docs
use_directory_urls: true
theme:
  name: material
  font: false
plugins:
  - search
  - pathway
markdown_extensions: [abbr, admonition, attr_list, def_list, md_in_html, tables]
extra_css: [assets/pathway.css]
"""


def pathway_yaml(version: str, *, threshold: int, physio: bool, approved_on: str, approver: str) -> str:
    """A small pathway; ``physio`` adds a stage between referral and the end."""
    refer_next = "physio" if physio else "done"
    text = f"""\
# TEST FIXTURE - NOT CLINICAL ADVICE.
id: knee
title: Knee pain (test fixture)
version: "{version}"
status: active
start: check
summary: A made-up pathway for the archive tests.
governance:
  owner: Test team
  approved_by: ["{approver}"]
  approved_on: {approved_on}
history:
  - version: "{version}"
    date: {approved_on}
    summary: Release {version}
stages:
  - id: check
    title: Pain check
    kind: decision
    summary: Score the pain (fixture)
    next:
      - to: ok
        when: "Pain score below {threshold}"
      - to: refer
        when: "Pain score {threshold} or more"
  - id: ok
    title: Self care
    kind: outcome
    summary: Advice only (fixture)
  - id: refer
    title: Referral
    kind: therapy
    summary: Refer on (fixture)
    next:
      - to: {refer_next}
"""
    if physio:
        text += """\
  - id: physio
    title: Physiotherapy
    kind: therapy
    summary: Six sessions (fixture)
    next:
      - to: done
"""
    text += """\
  - id: done
    title: Discharged
    kind: outcome
    summary: Care ends (fixture)
"""
    return text


VERSIONS = [
    ("1.0", dict(threshold=4, physio=False, approved_on="2026-01-10", approver="Dr One")),
    ("1.1", dict(threshold=4, physio=True, approved_on="2026-03-03", approver="Dr Two")),
    ("1.2", dict(threshold=5, physio=False, approved_on="2026-06-15", approver="Dr Three")),
]


def git(repo: Path, *args: str) -> None:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_AUTHOR_DATE": "2026-06-20T10:00:00Z",
           "GIT_COMMITTER_DATE": "2026-06-20T10:00:00Z", "PATH": "/usr/bin:/bin", "HOME": str(repo)}
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)


def build_archive(repo: Path, mkdocs_yml: str, *flags: str) -> Path:
    """The three releases committed and tagged in ``repo``, then `pathway build --versions`; the site folder."""
    git(repo, "init", "-q", "-b", "main")
    (repo / "mkdocs.yml").write_text(mkdocs_yml)
    (repo / "docs").mkdir()
    (repo / "docs" / "about.md").write_text("# About\n\nHand-written page of the current site.\n")
    for version, kw in VERSIONS:
        (repo / "pathway.yaml").write_text(pathway_yaml(version, **kw))
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"release {version}")
        git(repo, "tag", f"v{version}")
    git(repo, "tag", "unrelated-tag")  # not matched by v*
    site = repo / "site"
    mp = pytest.MonkeyPatch()
    mp.chdir(repo)
    mp.setenv("SOURCE_DATE_EPOCH", "1795000000")
    try:
        assert main(["build", "pathway.yaml", "-d", str(site), "--no-pdf", "--versions", "--strict", *flags]) == 0
    finally:
        mp.undo()
    return site


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    return build_archive(tmp_path_factory.mktemp("repo"), MKDOCS_YML)


@pytest.fixture(scope="module")
def archive_without_site_url(tmp_path_factory) -> Path:
    return build_archive(tmp_path_factory.mktemp("repo"), MKDOCS_YML.replace("site_url:", "# site_url:"))


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []  # (tag, url, class)
        self._in_banner = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in ("href", "src"):
            if a.get(name):
                self.links.append((tag, a[name], a.get("class") or ""))


def links_of(page: Path) -> list[tuple[str, str, str]]:
    p = _Links()
    p.feed(page.read_text(encoding="utf-8"))
    return p.links


def text(page: Path) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")))


def test_every_tag_is_published_in_its_own_folder(archive):
    assert sorted(p.name for p in (archive / "versions").iterdir() if p.is_dir()) == ["1.0", "1.1", "1.2"]
    assert (archive / "versions" / "1.1" / "stages" / "physio" / "index.html").is_file()
    assert not (archive / "versions" / "1.0" / "stages" / "physio").exists()
    assert not (archive / "stages" / "physio").exists()  # gone from the current site
    # Only the pathway's pages are archived: the hand-written page belongs to the current site.
    assert (archive / "about" / "index.html").is_file()
    assert not (archive / "versions" / "1.0" / "about").exists()
    # Each copy has the text of its own tag.
    assert "Pain score below 4" in text(archive / "versions" / "1.0" / "stages" / "check" / "index.html")
    assert "Pain score below 5" in text(archive / "versions" / "1.2" / "stages" / "check" / "index.html")


def test_versions_page_lists_date_status_approvers_and_changes(archive):
    page = archive / "versions" / "index.html"
    body = text(page)
    rows = re.findall(r"<tr>(.*?)</tr>", page.read_text(encoding="utf-8"), re.S)[1:]
    assert len(rows) == 3
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)) for r in rows]
    assert "1.2" in cells[0] and "15 June 2026" in cells[0] and "current" in cells[0] and "Dr Three" in cells[0]
    assert "1.1" in cells[1] and "3 March 2026" in cells[1] and "superseded" in cells[1] and "Dr Two" in cells[1]
    assert "1.0" in cells[2] and "10 January 2026" in cells[2] and "First release" in cells[2]
    assert "Physiotherapy" in cells[1] and "added" in cells[1]  # v1.1 added the stage
    assert "Physiotherapy" in cells[0] and "removed" in cells[0]  # v1.2 removed it
    assert "Pain score below 5" in cells[0]  # and changed the threshold
    assert "Pain score below 4" not in cells[1]
    hrefs = [h for _t, h, _c in links_of(page) if h.endswith("/") and re.fullmatch(r"\d\.\d/", h)]
    assert sorted(hrefs) == ["1.0/", "1.1/", "1.2/"]
    assert "The current version is 1.2" in body


def test_superseded_pages_carry_a_banner_to_the_current_page(archive):
    for version in ("1.0", "1.1"):
        for page in (archive / "versions" / version).rglob("index.html"):
            html = page.read_text(encoding="utf-8")
            assert "pathway-version-banner" in html, page
            assert f"Superseded: this is version {version}" in html, page
    check = archive / "versions" / "1.0" / "stages" / "check" / "index.html"
    current = [h for _t, h, c in links_of(check) if "pathway-current-link" in c]
    assert current == ["../../../../stages/check/"]
    # A stage that no longer exists links to the current home page.
    physio = archive / "versions" / "1.1" / "stages" / "physio" / "index.html"
    assert [h for _t, h, c in links_of(physio) if "pathway-current-link" in c] == ["../../../../"]
    # The copy of the current version says it is current, not superseded; the root site has no banner.
    latest = (archive / "versions" / "1.2" / "index.html").read_text(encoding="utf-8")
    assert "the current version" in latest and "Superseded" not in latest
    assert "pathway-version-banner" not in (archive / "stages" / "check" / "index.html").read_text(encoding="utf-8")


def test_archived_pages_keep_their_front_matter_and_title(archive):
    """The banner goes under the page's title, never inside the front matter (whose comments start with '#')."""
    def h1(page: Path) -> str:
        m = re.search(r"<h1[^>]*>(.*?)</h1>", page.read_text(encoding="utf-8"), re.S)
        assert m, page
        return re.sub(r"<[^>]+>", "", m.group(1)).strip()

    for version in ("1.0", "1.1", "1.2"):
        folder = archive / "versions" / version
        for page in folder.rglob("index.html"):
            assert "hide:" not in text(page), page  # front matter shown as text
        for name in ("index.html", "glossary/index.html"):
            assert h1(folder / name) == h1(archive / name), (version, name)


def test_the_banner_goes_after_the_front_matter_and_the_title():
    from generator.site.pages import _insert_after_title

    page = b"---\n# a comment in the front matter\nhide:\n  - toc\n---\n\n# Title\n\nText\n"
    out = _insert_after_title(page, "BANNER").decode()
    assert out.startswith("---\n# a comment in the front matter\nhide:\n  - toc\n---\n")
    assert out.index("# Title") < out.index("BANNER") < out.index("Text")
    untitled = _insert_after_title(b"---\nhide: [toc]\n---\nText\n", "BANNER").decode()
    assert untitled.startswith("---\nhide: [toc]\n---\n") and untitled.index("BANNER") < untitled.index("Text")


def test_each_stage_page_ends_with_its_changes_across_versions(archive):
    check = text(archive / "stages" / "check" / "index.html")
    part = check[check.index("Changes to this stage"):]
    assert part.index("Version 1.2") < part.index("Version 1.0")  # newest first
    assert "Pain score below 5" in part and "first published in this version" in part
    links = [h for _t, h, _c in links_of(archive / "stages" / "check" / "index.html") if "versions/" in h]
    assert "../../versions/1.2/stages/check/" in links and "../../versions/1.0/stages/check/" in links
    # A stage that v1.1 changed (its next step) but v1.0 did not.
    refer = text(archive / "stages" / "refer" / "index.html")
    refer = refer[refer.index("Changes to this stage"):]
    assert "Version 1.1" in refer and "Version 1.2" in refer
    # In an archived copy, the history stops at that version.
    old = text(archive / "versions" / "1.1" / "stages" / "check" / "index.html")
    assert "Changes to this stage" in old and "Version 1.2" not in old[old.index("Changes to this stage"):]


def test_feedback_links_name_the_page_and_its_version(archive):
    from urllib.parse import parse_qs

    for page, version, address in [
        (archive / "stages" / "check" / "index.html", "1.2", "https://pathways.example.org/knee/stages/check/"),
        (archive / "versions" / "1.1" / "stages" / "physio" / "index.html", "1.1",
         "https://pathways.example.org/knee/versions/1.1/stages/physio/"),
    ]:
        [href] = [h for _t, h, c in links_of(page) if "pathway-feedback-link" in c]
        parts = urlsplit(href)
        assert (parts.netloc, parts.path) == ("github.com", "/example-org/knee-pathway/issues/new")
        q = {k: v[0] for k, v in parse_qs(parts.query).items()}
        assert q["template"] == "page-problem.yml" and q["version"] == version and q["page"] == address
        assert q["pathway"] == "Knee pain (test fixture)"


@pytest.mark.parametrize("which", ["archive", "archive_without_site_url"])
def test_archived_links_stay_inside_their_version_folder(which, request):
    archive = request.getfixturevalue(which)
    checked = 0
    for version in ("1.0", "1.1", "1.2"):
        root = archive / "versions" / version
        base = f"https://pathways.example.org/knee/versions/{version}/"
        for page in root.rglob("*.html"):
            page_url = base + page.relative_to(root).as_posix()
            for tag, href, cls in links_of(page):
                if "pathway-current-link" in cls or "pathway-versions-link" in cls:
                    continue  # the banner: the one way out, on purpose
                url = urljoin(page_url, href)
                parts = urlsplit(url)
                if parts.scheme in ("mailto", "data") or href.startswith("#"):
                    continue
                if parts.netloc == "pathways.example.org":
                    assert parts.path.startswith(f"/knee/versions/{version}/"), (page, href)
                    checked += 1
                else:
                    # Off the site: the repository, the feedback form and the theme credit only.
                    assert parts.netloc in ("github.com", "squidfunk.github.io"), (page, href)
    assert checked > 100


def test_an_offline_archive_opens_from_disk_in_every_version(tmp_path_factory):
    """`--offline --versions`: the copies have .html addresses like the site around them."""
    from test_offline import broken_links_from_disk

    # Without site_url, as for the offline site (a canonical <link> to the web has no use from disk).
    site = build_archive(tmp_path_factory.mktemp("repo"), MKDOCS_YML.replace("site_url:", "# site_url:"), "--offline")
    assert (site / "versions" / "1.0" / "stages" / "check.html").is_file()
    assert broken_links_from_disk(site) == []
    banner = [h for _t, h, c in links_of(site / "versions" / "1.0" / "stages" / "check.html")
              if "pathway-current-link" in c]
    assert banner == ["../../../stages/check.html"]


def test_no_matching_tag_or_a_broken_tag_is_a_clear_error(tmp_path, monkeypatch, capsys):
    repo = tmp_path
    git(repo, "init", "-q", "-b", "main")
    (repo / "mkdocs.yml").write_text(MKDOCS_YML)
    (repo / "docs").mkdir()
    (repo / "pathway.yaml").write_text("id: [broken\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "broken")
    git(repo, "tag", "v0.1")
    (repo / "pathway.yaml").write_text(pathway_yaml("1.0", **VERSIONS[0][1]))
    monkeypatch.chdir(repo)
    assert main(["build", "pathway.yaml", "-d", "site", "--no-pdf", "--versions"]) == 1
    err = capsys.readouterr().err
    assert "tag v0.1" in err and "cannot be archived" in err and "Traceback" not in err
    assert not (repo / "site").exists()  # nothing half-written


# --- in a real browser -------------------------------------------------------------------------

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def served(archive):
    from serving import serve_folder

    with serve_folder(archive) as url:
        yield url



@pytest.mark.chromium
def test_feedback_link_prefills_the_issue_and_the_page_sends_nothing(browser, served):
    from urllib.parse import parse_qs

    page = browser.new_page()
    requests: list = []
    page.on("request", lambda r: requests.append(r))
    # Nothing may leave the machine: every request off localhost is recorded, then refused.
    page.route(re.compile(r"^(?!http://127\.0\.0\.1:).*"), lambda route: route.abort())
    page.goto(served + "stages/check/")
    page.wait_for_load_state("networkidle")
    before = [r for r in requests if not r.url.startswith(served)]
    assert before == [], [r.url for r in before]  # loading the page asks nothing of anyone else
    assert not [r for r in requests if r.resource_type in ("fetch", "xhr", "ping", "beacon", "eventsource", "websocket")
                and "search" not in r.url], [r.url for r in requests]
    requests.clear()
    link = page.get_by_role("link", name="Report a problem with this page")
    link.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1100, "height": 900})
    page.locator("#changes-to-this-stage").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "versions-stage-history-feedback.png"))
    href = link.get_attribute("href")
    with page.expect_request(lambda r: r.url.startswith("https://github.com/")):
        link.click()
    page.wait_for_timeout(300)  # let any script that reacts to the click run; nothing is asserted on time
    # The click made exactly one request: the browser opening the link itself, a top-level navigation.
    assert [(r.url, r.resource_type, r.is_navigation_request(), r.method) for r in requests] == [
        (href, "document", True, "GET")]
    parts = urlsplit(href)
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert parts.path == "/example-org/knee-pathway/issues/new"
    assert q == {"template": "page-problem.yml", "title": "Problem on the page Pain check (check) (version 1.2)",
                 "pathway": "Knee pain (test fixture)", "stage": "Pain check (check)", "version": "1.2",
                 "page": "https://pathways.example.org/knee/stages/check/"}
    page.close()


@pytest.mark.chromium
def test_superseded_page_shows_its_banner_and_it_leads_to_the_current_page(browser, served):
    page = browser.new_page(viewport={"width": 1100, "height": 700})
    page.goto(served + "versions/1.0/stages/check/")
    banner = page.locator(".pathway-version-banner")
    assert banner.is_visible()
    assert "Superseded: this is version 1.0" in banner.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "versions-superseded-banner.png"))
    banner.get_by_role("link", name="open this page in version 1.2").click()
    page.wait_for_url(served + "stages/check/")
    assert page.locator("h1").inner_text().startswith("Pain check")
    assert page.locator(".pathway-version-banner").count() == 0
    page.close()
