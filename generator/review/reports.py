"""Reporters for a ``PathwayDiff``: Markdown (pull-request comment), JSON and terminal text.

Each returns a string; the CLI prints it.  Output is deterministic.  The
Markdown is written for clinicians who never saw the YAML: it opens with a
hidden marker and a one-line verdict, names steps by title (id in code), puts
old and new values side by side, and stays bounded for huge diffs by folding
long sections into ``<details>``.
"""

from __future__ import annotations

import json
import re
from typing import Iterable

from generator.review import visualdiff
from generator.review.changes import WORDS, Change, Impact, PathwayDiff, sign
from generator.review.exportdiff import ADDED, CHANGED, REMOVED, ExportDiff, ResourceChange
from generator.review.words import word_diff
from generator.core.model import Pathway

MARKER = "<!-- pathway-diff -->"

# Rows shown per section before the rest fold into <details>.
SECTION_ROWS = 25
# A single value longer than this is cut in a table cell (the JSON has it all).
CELL_MAX = 400
# GitHub rejects comments over 65 536 characters; stay well below, leaving room
# for the workflow's own header and footer.
MARKDOWN_BUDGET = 55_000

SECTION_TITLES = {
    Impact.SUBSTANTIVE: "Changes to patient care",
    Impact.EDITORIAL: "Wording and presentation",
    Impact.METADATA: "Governance, version and history",
}
SECTION_INTROS = {
    Impact.SUBSTANTIVE: "These can change what happens to a patient. Please check each one.",
    Impact.EDITORIAL: "Titles, descriptions, glossary and references: the care itself is the same.",
    Impact.METADATA: "Who owns and approved the pathway, its version, status and history.",
}


# --------------------------------------------------------------------------
# Markdown

# Characters that could start Markdown or HTML inside a table cell.
# Parentheses, '#', '+' and '!' only matter at a line start or after ']', and
# cells never start a line; '$' starts maths on GitHub.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~$])")
_MENTION = re.compile(r"@(?=\w)")


def md_inline(text: str | None) -> str:
    """Escape text for one line of GitHub Markdown (table cells included)."""
    if text is None:
        return ""
    text = " ".join(text.split())  # a table row is one line
    text = text.replace("&", "&amp;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    # '@team' in a pathway must not notify anyone on GitHub.
    return _MENTION.sub("@\u200b", text)


def md_code(text: str) -> str:
    """An inline code span that survives backticks in ``text``."""
    text = " ".join(text.split())
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    # A pipe ends a table cell even inside code; GitHub honours the escape there.
    body = text.replace("|", "\\|")
    return f"{fence}{pad}{body}{pad}{fence}"


def _cut(text: str, limit: int = CELL_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _stage_cell(c: Change) -> str:
    if not c.stage:
        return "—"
    return f"**{md_inline(c.stage_title)}** {md_code(c.stage)}"


def _word_diff_cells(old: str | None, new: str | None, context: int = 4) -> tuple[str, str]:
    """Before: context with ~~removed~~ words; after: context with **added** words."""
    before, after = [], []
    for op, words in word_diff(old or "", new or "", context):
        w = md_inline(_cut(words, 200))
        if op == "…":
            before.append("…")
            after.append("…")
        elif op == "=":
            before.append(w)
            after.append(w)
        elif op == "-":
            before.append(f"~~{w}~~")
        elif op == "+":
            after.append(f"**{w}**")
    return " ".join(before) or "—", " ".join(after) or "—"


def _value_cells(c: Change) -> tuple[str, str]:
    if c.text and c.old and c.new:
        return _word_diff_cells(c.old, c.new)
    if c.old and c.new and c.kind.show == WORDS and len(c.old) <= CELL_MAX and len(c.new) <= CELL_MAX:
        # Short values in full, with the words that changed marked ("~~50–80~~" / "**60–80**").
        return _word_diff_cells(c.old, c.new, context=CELL_MAX)
    return (md_inline(_cut(c.old)) if c.old else "—", md_inline(_cut(c.new)) if c.new else "—")


SIGN_ICONS = {"+": "➕", "-": "➖", "~": "✏️", "!": "⚠️"}


def _row(c: Change) -> str:
    before, after = _value_cells(c)
    return f"| {_stage_cell(c)} | {SIGN_ICONS[sign(c)]} {md_inline(c.summary)} | {before} | {after} |"


def _table(changes: Iterable[Change]) -> list[str]:
    rows = [_row(c) for c in changes]
    return ["| Step | What changed | Before | After |", "| --- | --- | --- | --- |", *rows] if rows else []


def _section(title: str, intro: str, changes: tuple[Change, ...], limit: int, heading: str = "###") -> list[str]:
    if not changes:
        return []
    out = [f"{heading} {title} ({len(changes)})", "", intro, ""]
    out += _table(changes[:limit])
    rest = changes[limit:]
    if rest:
        out += ["", f"<details><summary>{len(rest)} more</summary>", "", *_table(rest), "", "</details>"]
    return out + [""]


def _consequence_rows(changes: Iterable[Change]) -> list[str]:
    rows = [f"| {_stage_cell(c)} | ⚠️ {md_inline(c.summary)} |" for c in changes]
    return ["| Step | Consequence |", "| --- | --- |", *rows] if rows else []


def _consequences(diff: PathwayDiff, limit: int, heading: str = "###") -> list[str]:
    cons = diff.consequences
    if not cons:
        return []
    out = [f"{heading} What this does to the routes through the pathway ({len(cons)})", ""]
    out += _consequence_rows(cons[:limit])
    rest = cons[limit:]
    if rest:
        out += ["", f"<details><summary>{len(rest)} more</summary>", "", *_consequence_rows(rest), "", "</details>"]
    return out + [""]


def _rerouted(diff: PathwayDiff, limit: int, heading: str = "###") -> list[str]:
    """The patients a change sends elsewhere, from the scenario files: first, as they matter most."""
    moved = diff.rerouted
    if not moved:
        return []
    rows = [f"| ⚠️ {md_inline(c.summary)} | {md_inline(_cut(c.old or ''))} | {md_inline(_cut(c.new or ''))} |"
            for c in moved]
    head = ["| Patient | Route before | Route after |", "| --- | --- | --- |"]
    out = [f"{heading} Patients this change re-routes ({len(moved)})", "",
           "Example patients from the scenario files whose way through the pathway changes.", "", *head, *rows[:limit]]
    if rows[limit:]:
        out += ["", f"<details><summary>{len(rows) - limit} more</summary>", "", *head, *rows[limit:], "", "</details>"]
    return out + [""]


#: Resources named in the one-line summary of the FHIR export; the rest are in a <details> table.
EXPORT_NAMED = 6
_EXPORT_SIGNS = {ADDED: "+", REMOVED: "-", CHANGED: "~"}


def export_summary(ex: ExportDiff) -> str:
    """'unchanged', or how many resources change and how (plain text, no Markdown)."""
    if ex.skipped:
        return f"not compared ({ex.skipped})"
    if not ex.changed:
        return f"unchanged (the same {ex.total} resources)"
    counts = ", ".join(f"{len(ex.of(c))} {c}" for c in (CHANGED, ADDED, REMOVED) if ex.of(c))
    return f"{len(ex.resources)} of {ex.total} resources differ ({counts})"


def _resource_md(r: ResourceChange) -> str:
    what = f" ({md_inline(', '.join(r.elements))})" if r.elements else ""
    return f"{SIGN_ICONS[_EXPORT_SIGNS[r.change]]} {md_code(r.ref)}{what}"


def _export_md(diff: PathwayDiff, limit: int) -> list[str]:
    """One line near the verdict: does what `pathway export fhir` writes change, and which resources."""
    ex = diff.export
    if ex is None:
        return []
    line = f"**FHIR export:** {md_inline(export_summary(ex))}"
    if not ex.changed:
        return [line + ".", ""]
    common = ex.common_elements(EXPORT_NAMED)
    notable = ex.notable(common)
    head = f"all {len(ex.of(CHANGED))} changed in {md_inline(', '.join(common))}" if common else ""
    named = ", ".join(_resource_md(r) for r in notable[:EXPORT_NAMED])
    line += ": " + "; ".join(part for part in (head, named) if part)
    rest = notable[EXPORT_NAMED:]
    if not rest:
        return [line + ".", ""]
    rows = [f"| {_resource_md(r)} |" for r in rest[:limit]]
    if rest[limit:]:
        rows.append(f"| _…and {len(rest) - limit} more: see the JSON report_ |")
    # "<n> more" as the other sections say it, so that _shrink folds it away in a huge diff.
    return [line + f", and {len(rest)} more.", "", f"<details><summary>{len(rest)} more</summary>",
            "", "| FHIR resource (elements that differ) |", "| --- |", *rows, "", "</details>", ""]


def _counts(diff: PathwayDiff) -> str:
    parts = []
    for imp, word in ((Impact.SUBSTANTIVE, "to patient care"), (Impact.EDITORIAL, "to wording"),
                      (Impact.METADATA, "to governance or version")):
        n = len(diff.by_impact(imp))
        if n:
            parts.append(f"{n} {word}")
    return ", ".join(parts)


def _version_line(diff: PathwayDiff) -> str:
    if diff.old_version == diff.new_version:
        return f"version {md_code(diff.new_version)} (not changed)"
    return f"version {md_code(diff.old_version)} → {md_code(diff.new_version)}"


def format_markdown(diff: PathwayDiff, old: Pathway, new: Pathway, *, mermaid: bool = True,
                    section_rows: int = SECTION_ROWS, budget: int = MARKDOWN_BUDGET) -> str:
    """The report for a pull-request comment."""
    out = [MARKER]
    if not diff.differs:
        out.append(f"**{diff.verdict}.** Both files describe the same pathway, version {md_code(diff.new_version)}.")
        return "\n".join(out) + "\n"
    out.append(f"**{diff.verdict}.** {md_inline(new.title)}, {_version_line(diff)}: {_counts(diff)}.")
    out.append("")
    if diff.warnings or diff.missing_for_release():
        out.append("> [!WARNING]")
        for w in diff.warnings:
            out.append(f"> - {md_inline(w)}")
        missing = diff.missing_for_release()
        if missing:
            out.append(f"> - Before release this change still needs {md_inline(' and '.join(missing))}.")
        out.append("")
    out += _rerouted(diff, section_rows)
    out += _export_md(diff, section_rows)
    out += _consequences(diff, section_rows)
    for imp in (Impact.SUBSTANTIVE, Impact.EDITORIAL, Impact.METADATA):
        out += _section(SECTION_TITLES[imp], SECTION_INTROS[imp], diff.by_impact(imp), section_rows)
    text = "\n".join(out)
    if len(text) > budget:
        text = _shrink(diff, old, new, budget)
    if mermaid:
        chart = visualdiff.mermaid(old, new, diff)
        block = _mermaid_block(chart, many=len(new.stages) > 30)
        if len(text) + len(block) <= budget:
            text += "\n" + block
        else:
            text += "\n_The diagram of the changes is too large for a comment; see the visual diff (SVG)._\n"
    return text.rstrip("\n") + "\n"


def change_sections(diff: PathwayDiff, section_rows: int = SECTION_ROWS, heading: str = "###") -> list[str]:
    """The body ``format_markdown`` shows after its verdict and warnings, with headings at ``heading``.

    The library report gives each changed pathway these sections, one heading level down.
    """
    out = _rerouted(diff, section_rows, heading)
    out += _consequences(diff, section_rows, heading)
    for imp in (Impact.SUBSTANTIVE, Impact.EDITORIAL, Impact.METADATA):
        out += _section(SECTION_TITLES[imp], SECTION_INTROS[imp], diff.by_impact(imp), section_rows, heading)
    return out


def _mermaid_block(chart: str, many: bool) -> str:
    # A blank line around the fence is needed for GitHub to render it inside <details>.
    state = "" if many else " open"
    return "\n".join([
        f"<details{state}><summary>Diagram of the changes: ➕ added (bold), ✏️ changed (double border), "
        "➖ removed (dashed)</summary>",
        "",
        "```mermaid",
        chart.rstrip("\n"),
        "```",
        "",
        "</details>",
        "",
    ])


def _shrink(diff: PathwayDiff, old: Pathway, new: Pathway, budget: int) -> str:
    """A huge diff: keep the verdict, warnings and as many rows as fit, most serious first."""
    for rows in (10, 5, 2, 0):
        text = format_markdown(diff, old, new, mermaid=False, section_rows=rows, budget=10**9)
        # Drop the folded rest: in a huge diff it is what makes the comment too long.
        text = re.sub(r"\n<details><summary>(\d+) more</summary>.*?</details>",
                      lambda m: f"\n_…and {m.group(1)} more; run `pathway diff` locally or see the JSON report._",
                      text, flags=re.S)
        if len(text) <= budget:
            return text
    return text[: budget - 200] + "\n\n_…report cut short: run `pathway diff` locally for the full list._\n"


# --------------------------------------------------------------------------
# JSON


def change_dict(c: Change) -> dict:
    """One change as a JSON object with a fixed key order."""
    return {
        "area": c.area,
        "kind": c.kind,
        "subject": c.subject,
        "impact": c.impact.value,
        "stage": c.stage,
        "stage_title": c.stage_title,
        "summary": c.summary,
        "old": c.old,
        "new": c.new,
        "consequence": c.consequence,
        "message": c.message,
    }


def format_json(diff: PathwayDiff) -> str:
    """Machine-readable report with a stable key order."""
    doc = {
        "impact": diff.impact,
        "verdict": diff.verdict,
        "old_version": diff.old_version,
        "new_version": diff.new_version,
        "version_bumped": diff.version_bumped,
        "history_added": diff.history_added,
        "missing_for_release": list(diff.missing_for_release()),
        "warnings": list(diff.warnings),
        "counts": {imp.value: len(diff.by_impact(imp)) for imp in Impact} | {"consequences": len(diff.consequences)},
        "changes": [change_dict(c) for c in diff.changes],
    }
    if diff.export is not None:
        doc["fhir_export"] = diff.export.as_dict()
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------
# Terminal text

COLOURS = {"+": "32", "-": "31", "~": "33", "!": "35", "verdict": "1", "head": "1;4", "dim": "2"}


def format_text(diff: PathwayDiff, *, colour: bool = False) -> str:
    """Report for a terminal: verdict, warnings, then one line per change."""

    def paint(text: str, key: str) -> str:
        return f"\033[{COLOURS[key]}m{text}\033[0m" if colour else text

    out = [paint(diff.verdict, "verdict")]
    if diff.old_version == diff.new_version:
        out.append(f"version {diff.new_version} (not changed)")
    else:
        out.append(f"version {diff.old_version} → {diff.new_version}")
    for w in diff.warnings:
        out.append(paint(f"warning: {w}", "!"))
    missing = diff.missing_for_release()
    if missing:
        out.append(paint(f"warning: before release this change still needs {' and '.join(missing)}", "!"))
    groups = [("Patients this change re-routes", diff.rerouted),
              ("Consequences for the routes through the pathway", diff.consequences)]
    groups += [(SECTION_TITLES[imp], diff.by_impact(imp)) for imp in Impact]
    for title, changes in groups:
        if title == "Consequences for the routes through the pathway":
            out += _export_text(diff.export, paint)  # as in the Markdown: after the re-routed patients
        if not changes:
            continue
        out += ["", paint(title, "head")]
        for c in changes:
            mark = sign(c)
            out.append(f"  {paint(mark, mark)} {c.message}")
            if c.text and (c.old or c.new):
                out.append("      " + _text_word_diff(c.old, c.new, paint))
            elif c.old is not None and c.new is not None and not c.values_inline:
                out.append(paint(f"      before: {c.old}", "-"))
                out.append(paint(f"      after:  {c.new}", "+"))
    return "\n".join(out) + "\n"


def _export_text(ex: ExportDiff | None, paint) -> list[str]:
    if ex is None:
        return []
    out = ["", f"FHIR export: {export_summary(ex)}"]
    common = ex.common_elements(EXPORT_NAMED)
    if common:
        out.append(f"  {paint('~', '~')} all {len(ex.of(CHANGED))} changed in {', '.join(common)}")
    for r in ex.notable(common):
        mark = _EXPORT_SIGNS[r.change]
        what = f" ({', '.join(r.elements)})" if r.elements else ""
        out.append(f"  {paint(mark, mark)} {r.change} {r.ref}{what}")
    return out


def _text_word_diff(old: str | None, new: str | None, paint) -> str:
    parts = []
    for op, words in word_diff(old or "", new or ""):
        if op == "…":
            parts.append(paint("…", "dim"))
        elif op == "=":
            parts.append(words)
        elif op == "-":
            parts.append(paint(f"[-{words}-]", "-"))
        else:
            parts.append(paint(f"{{+{words}+}}", "+"))
    return " ".join(parts)


def diff_dict(diff: PathwayDiff) -> dict:
    """The JSON report of one pathway's diff as a dict (the library report nests one per pathway)."""
    return json.loads(format_json(diff))


def text_lines(diff: PathwayDiff, *, colour: bool = False) -> list[str]:
    """The terminal report without its verdict line (the library report gives each pathway its own heading)."""
    return format_text(diff, colour=colour).splitlines()[1:]
