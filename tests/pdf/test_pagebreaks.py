"""The handbook's pages, as a governance lead reads them: read back from the real PDF, page by page.

* No heading is left at the foot of a page, and no page holds only a lone
  heading or only the tail "References [1] …" of a stage.
* Every stage's "Where this stage sits" (and its flowchart, found through the
  tagged structure) is on the page of the stage's heading.
* Short stages share a page.
* The PDF is tagged: structure tree, /Lang, /Title shown as the window title,
  PDF/UA identification, every Figure with its text alternative (the same words
  ``generator.render.presentation`` gives), bookmarks for every stage.

Built through the real CLI for the seed, the loops fixture and a worst-case
pathway made here (many short stages, a stage longer than a page with
references, a long key-facts table, a phase ending in a long stage).  Every
page is rendered into ``test-artifacts/pdf/<case>/`` (``pdftoppm -r 60``) to be
looked at.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.cli import main
from generator.core.model import Pathway
from generator.core.pipeline import check_file
from generator.render import presentation as pres

pypdf = pytest.importorskip("pypdf")

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "pdf"
EPOCH = "1790000000"
HEADINGS = {"Where this stage sits", "Comes from", "What next", "Runs alongside", "References", "Key facts"}

pytestmark = [
    pytest.mark.dot,
    pytest.mark.skipif(not all(shutil.which(t) for t in ("dot", "pdftotext", "pdfinfo", "pdftoppm")),
                       reason="needs dot and poppler"),
]

LOREM = ("The clinician explains the options, the expected benefit and the risks, checks what matters most to the "
         "patient, and records the shared decision with the reasons for it in the notes. ")


def worst_case_yaml() -> str:
    """A pathway with the shapes that break pages badly: short stages, a stage longer than a page, long tables."""
    out = [
        "# TEST FIXTURE - NOT CLINICAL ADVICE. Worst-case page breaks (tests/pdf/test_pagebreaks.py).",
        "id: pagebreaks", "title: Page breaks (test fixture)", 'version: "1.0.0"', "status: draft", "start: s1",
        "references:", "  - id: r1", "    title: First test reference", "  - id: r2", "    title: Second test reference",
        "groups:", "  - id: short", "    title: Short stages", "  - id: long", "    title: Long stages",
        "stages:",
    ]
    for i in range(1, 9):  # eight short stages in a chain
        out += [f"  - id: s{i}", f"    title: Short stage {i}", "    kind: assessment", "    group: short",
                f"    summary: Short stage number {i}.", "    references: [r1]",
                "    next:", f"      - to: {'s' + str(i + 1) if i < 8 else 'long-body'}"]
    body = "\n\n".join(LOREM * 3 for _ in range(14))  # well over a page
    out += ["  - id: long-body", "    title: Stage with a long text", "    kind: procedure", "    group: long",
            "    summary: Its text runs over more than one page.", "    references: [r1, r2]",
            "    body: |", *("      " + line for line in body.splitlines()),
            "    next:", "      - to: many-facts"]
    out += ["  - id: many-facts", "    title: Stage with many key facts", "    kind: investigation", "    group: long",
            "    facts:", *(f"      Fact {n}: {LOREM[: 40 + 3 * n].strip()}" for n in range(1, 31)),
            "    body: A short text after the table.", "    references: [r2]",
            "    next:", "      - to: last-long"]
    body2 = "\n\n".join(LOREM * 2 for _ in range(9))
    out += ["  - id: last-long", "    title: Last stage of its phase, long", "    kind: decision", "    group: long",
            "    body: |", *("      " + line for line in body2.splitlines()), "    references: [r1]",
            "    next:", "      - to: end-a", "        when: Better", "      - to: end-b", "        when: Worse"]
    out += ["  - id: end-a", "    title: Better outcome", "    kind: outcome", "    group: short",
            "  - id: end-b", "    title: Worse outcome", "    kind: outcome", "    group: short"]
    return "\n".join(out) + "\n"


def _page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def _page_text(path: Path, n: int) -> str:
    """One page (1-based) as ``pdftotext -layout`` prints it."""
    return subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-f", str(n), "-l", str(n), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def _squash(text: str) -> str:
    return " ".join(text.split())


class Book:
    """A built handbook: per-page text (running header and footer removed) and the pathway it came from."""

    def __init__(self, name: str, src: Path, out: Path):
        self.name, self.path = name, out
        pathway = check_file(src).pathway
        assert pathway is not None
        self.pathway: Pathway = pathway
        self.pages: list[list[str]] = []  # body lines of each page
        for n in range(1, _page_count(out) + 1):
            lines = [ln.strip() for ln in _page_text(out, n).splitlines() if ln.strip()]
            # The title page has no running header; every page has the footer.
            self.pages.append(lines[:-1] if n == 1 else lines[1:-1])
        self.flat = [_squash(" ".join(lines)) for lines in self.pages]
        self.reader = pypdf.PdfReader(str(out))

    def stages(self):
        return [self.pathway.stage_by_id[sid] for sid in pres.reading_order(self.pathway)]

    @staticmethod
    def needle(stage) -> str:
        """A stage's heading as printed: its kind badge, then its title."""
        return f"{pres.kind_label(stage.kind).upper()} {_squash(stage.title)}"

    def heading_page(self, stage) -> int:
        hits = [i for i, text in enumerate(self.flat) if self.needle(stage) in text]
        # No hit: the badge and the title were split (a page break between them) or the stage is missing.
        assert len(hits) == 1, f"{self.name}: {stage.id!r} heading whole on pages {[h + 1 for h in hits]}"
        return hits[0]


def _render_pages(book: Book) -> None:
    target = ARTIFACTS / book.name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(book.path), str(target / "page")], check=True)


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Book]:
    d = tmp_path_factory.mktemp("pagebreaks")
    worst = d / "pagebreaks.yaml"
    worst.write_text(worst_case_yaml(), encoding="utf-8")
    sources = {"seed": REPO / "pathway.yaml", "loops": REPO / "tests" / "fixtures" / "pathways" / "loops.yaml",
               "worst": worst}
    out = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        for name, src in sources.items():
            pdf = d / f"{name}.pdf"
            assert main(["pdf", str(src), "-o", str(pdf)]) == 0
            out[name] = Book(name, src, pdf)
            _render_pages(out[name])
    return out


CASES = ["seed", "loops", "worst"]
REFERENCE_LINE = re.compile(r"^(References|\[\d+\] .*)$")


@pytest.mark.parametrize("case", CASES)
def test_no_page_holds_only_a_reference_tail_or_a_lone_heading(books, case):
    book = books[case]
    for n, lines in enumerate(book.pages, start=1):
        assert lines, f"{case}: page {n} is empty"
        assert not all(REFERENCE_LINE.match(ln) for ln in lines), f"{case}: page {n} holds only references: {lines}"
        assert not all(_squash(ln) in HEADINGS for ln in lines), f"{case}: page {n} holds only headings: {lines}"


@pytest.mark.parametrize("case", CASES)
def test_no_heading_is_left_at_the_foot_of_a_page(books, case):
    book = books[case]
    kinds = {pres.kind_label(s.kind).upper() for s in book.pathway.stages}
    groups = {g.title.upper() for g in book.pathway.groups}
    for n, lines in enumerate(book.pages[:-1], start=1):  # the last page's foot is the document's end
        last = _squash(lines[-1])
        assert last not in HEADINGS | kinds | groups, f"{case}: page {n} ends with the heading {last!r}"
        # A stage heading is its badge line, then its title (a flowchart label alone is not a heading).
        tail = " ".join(_squash(ln) for ln in lines[-3:])
        for stage in book.pathway.stages:
            assert not tail.endswith(book.needle(stage)), f"{case}: page {n} ends with the heading of {stage.id!r}"


@pytest.mark.parametrize("case", CASES)
def test_where_this_stage_sits_is_on_the_page_of_its_stage(books, case):
    book = books[case]
    heads: dict[int, list] = {}
    for stage in book.stages():
        heads.setdefault(book.heading_page(stage), []).append(stage)
    for page, stages in heads.items():
        text = book.flat[page]
        starts = sorted((text.index(book.needle(s)), s) for s in stages)
        for k, (pos, stage) in enumerate(starts):
            end = starts[k + 1][0] if k + 1 < len(starts) else len(text)
            assert "Where this stage sits" in text[pos:end], f"{case}: {stage.id!r} (page {page + 1})"


def _struct_elements(reader):
    """Every structure element of the tagged PDF, depth first."""
    root = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    stack = [root]
    while stack:
        elem = stack.pop()
        if elem.get("/Type") == "/StructElem":
            yield elem
        kids = elem.get("/K")
        if kids is None:
            continue
        for kid in kids if isinstance(kids, list) else [kids]:
            if hasattr(kid, "get_object"):
                obj = kid.get_object()
                if hasattr(obj, "get") and obj.get("/Type") in (None, "/StructElem") and "/S" in obj:
                    stack.append(obj)


@pytest.mark.parametrize("case", CASES)
def test_each_stage_flowchart_is_on_the_page_of_its_heading(books, case):
    book = books[case]
    page_of = {id(p.indirect_reference.get_object()): i for i, p in enumerate(book.reader.pages)}
    figures = {str(e["/Alt"]): page_of[id(e["/Pg"].get_object())] for e in _struct_elements(book.reader)
               if e["/S"] == "/Figure"}
    for stage in book.stages():
        alt = pres.neighbourhood_alt(book.pathway, stage)
        assert figures.get(alt) == book.heading_page(stage), f"{case}: flowchart of {stage.id!r}"


def test_short_stages_share_a_page(books):
    book = books["worst"]
    pages = [book.heading_page(s) for s in book.stages()]
    assert len(set(pages)) < len(pages)
    assert max(pages.count(p) for p in pages) >= 2


def test_a_stage_longer_than_a_page_keeps_its_references_with_its_text(books):
    book = books["worst"]
    long_stage = book.pathway.stage_by_id["long-body"]
    first = book.heading_page(long_stage)
    nxt = book.heading_page(book.pathway.stage_by_id["many-facts"])
    assert nxt > first + 1, "the long text should run over more than one page"
    # Its references follow its text on the page where the text ends, with text above them.
    tail = book.pages[nxt] if "Second test reference" in book.flat[nxt] else book.pages[nxt - 1]
    i = [_squash(ln) for ln in tail].index("References")
    assert i > 0 and not REFERENCE_LINE.match(tail[i - 1])


@pytest.mark.parametrize("case", CASES)
def test_tagged_pdf_ua_with_language_title_and_alt_text(books, case):
    book = books[case]
    root = book.reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 - a pypdf BooleanObject
    assert root["/Lang"] == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    assert book.reader.metadata.title == book.pathway.title
    xmp = root["/Metadata"].get_object().get_data()
    assert b"pdfuaid:part" in xmp or b'part="1"' in xmp
    elements = list(_struct_elements(book.reader))
    kinds = [str(e["/S"]) for e in elements]
    assert kinds.count("/H1") == 1
    assert kinds.count("/H2") >= len(book.pathway.stages)
    figures = [e for e in elements if e["/S"] == "/Figure"]
    assert figures and all(str(e.get("/Alt", "")).strip() for e in figures), "a Figure without /Alt"
    alts = {str(e["/Alt"]) for e in figures}
    # The overview is the whole flowchart or, when it has phases, their map (handbook.print_html).
    assert pres.overview_alt(book.pathway) in alts or pres.groups_map_alt(book.pathway) in alts
    for stage in book.stages():
        assert pres.neighbourhood_alt(book.pathway, stage) in alts, stage.id


@pytest.mark.parametrize("case", CASES)
def test_outline_has_every_phase_and_stage(books, case):
    book = books[case]
    titles: list[str] = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(_squash(item.title))

    walk(book.reader.outline)
    for stage in book.pathway.stages:
        assert _squash(stage.title) in titles, stage.id
    for group in book.pathway.groups:
        assert _squash(group.title) in titles, group.id


def test_alt_text_says_what_the_flowchart_shows():
    """The words of a stage's chart: what leads there, what follows and on what condition."""
    src = REPO / "tests" / "fixtures" / "pathways" / "loops.yaml"
    pathway = check_file(src).pathway
    assert pathway is not None
    for stage in pathway.stages:
        alt = pres.neighbourhood_alt(pathway, stage)
        assert _squash(stage.title) in alt
        for t in stage.next:
            if t.to in pathway.stage_by_id:
                assert _squash(pathway.stage_by_id[t.to].title) in alt
                if t.when:
                    assert f"if {_squash(t.when)} →" in alt
        for src_stage, t in pathway.incoming.get(stage.id, ()):
            assert _squash(src_stage.title) in alt
