"""Reporters for a ``LibraryDiff``: Markdown (the pull-request comment), JSON and terminal text.

The Markdown opens with the verdict and a one-line-per-pathway summary table, then the
changes to ``library.yaml`` (each shared entry with the pathways that use it), then one
section per changed pathway, most important first (substantive, most re-routed patients).
A change to 200 pathways stays under GitHub's comment limit: each section is shortened,
and the sections that do not fit are counted and left to the full report (the JSON and
text reports, which the workflow keeps as an artifact).
"""

from __future__ import annotations

import json
import re
from typing import Mapping

from generator.review.changes import Impact, sign
from generator.review.library import LibraryDiff, PathwayChange, SharedChange, Status
from generator.review.reports import (
    MARKDOWN_BUDGET,
    MARKER,
    SIGN_ICONS,
    _value_cells,
    change_dict,
    change_sections,
    diff_dict,
    md_code,
    md_inline,
    text_lines,
)

#: Rows per section inside one pathway's part of the library report (the single-file report shows 25).
PATHWAY_ROWS = 10
#: The summary table may use this share of the budget; the sections get the rest.
TABLE_SHARE = 0.4
#: Where the full report is, for a comment that could not hold everything.
FULL_REPORT = ("the full report is in the run's `diff-report` artifact (`diff.txt`, `diff.json`), "
               "or run `pathway diff --format text`")

IMPACT_ICONS = {"substantive": "🔴", "editorial": "🟡", "metadata": "⚪", "none": ""}
STATUS_WORDS = {Status.ADDED: "new pathway", Status.REMOVED: "pathway removed", Status.CHANGED: "changed"}


def _counts(diff: LibraryDiff) -> str:
    parts = []
    for status, word in ((Status.CHANGED, "changed"), (Status.ADDED, "added"), (Status.REMOVED, "removed")):
        n = len(diff.with_status(status))
        if n:
            parts.append(f"{n} {word}")
    if diff.shared:
        parts.append(f"{len(diff.shared)} shared {'entry' if len(diff.shared) == 1 else 'entries'} changed")
    return ", ".join(parts)


def _patients(n: int) -> str:
    return f"{n} patient{'s' if n != 1 else ''} re-routed"


def _version(p: PathwayChange) -> str:
    if p.old is None or p.new is None:
        return md_code(p.pathway.version)
    if p.old.version == p.new.version:
        return f"{md_code(p.new.version)} (not changed)"
    return f"{md_code(p.old.version)} → {md_code(p.new.version)}"


def _anchor_title(p: PathwayChange) -> str:
    return f"{md_inline(p.title)} {md_code(p.id)}"


def _summary_row(p: PathwayChange) -> str:
    needs = "⚠️ needs " + md_inline(" and ".join(_short_missing(p))) if p.missing_for_release() else ""
    moved = _patients(len(p.rerouted)) if p.rerouted else ""
    return (f"| {IMPACT_ICONS[p.impact]} {p.impact} | **{md_inline(p.title)}** {md_code(p.id)} | "
            f"{STATUS_WORDS[p.status]} | {_version(p)} | {moved} | {needs} |")


def _short_missing(p: PathwayChange) -> list[str]:
    diff = p.diff
    if diff is None:
        return []
    out = []
    if not diff.version_bumped:
        out.append("a version bump")
    if not diff.history_added:
        out.append("a history entry")
    return out


def _table(diff: LibraryDiff, budget: int) -> list[str]:
    head = ["| Class | Pathway | Change | Version | Patients | Before release |",
            "| --- | --- | --- | --- | --- | --- |"]
    rows: list[str] = []
    used = 0
    for i, p in enumerate(diff.pathways):
        row = _summary_row(p)
        if used + len(row) > budget:
            rest = len(diff.pathways) - i
            return [*head, *rows, "", f"_…and {rest} more changed pathway{'s' if rest != 1 else ''}; {FULL_REPORT}._"]
        rows.append(row)
        used += len(row) + 1
    return [*head, *rows]


def _shared_section(shared: tuple[SharedChange, ...], titles: Mapping[str, str], heading: str = "###") -> list[str]:
    if not shared:
        return []
    out = [f"{heading} Shared glossary and references (library.yaml) ({len(shared)})", "",
           "Entries every pathway of the library may use: check each pathway named.", "",
           "| What changed | Before | After | Used by |", "| --- | --- | --- | --- |"]
    for s in shared:
        before, after = _value_cells(s.change)
        users = ", ".join(f"{md_inline(titles.get(pid, pid))} {md_code(pid)}" for pid in s.used_by[:20])
        if len(s.used_by) > 20:
            users += f" and {len(s.used_by) - 20} more"
        out.append(f"| {SIGN_ICONS[sign(s.change)]} {md_inline(s.change.summary)} | {before} | {after} | "
                   f"{users or '—'} |")
    return out + [""]


def _pathway_section(p: PathwayChange, rows: int) -> list[str]:
    head = f"### {IMPACT_ICONS[p.impact]} {_anchor_title(p)}: {STATUS_WORDS[p.status]}"
    where = md_code(p.file)
    if p.old_file and p.new_file and p.old_file.rpartition("/")[2] != p.new_file.rpartition("/")[2]:
        where = f"{md_code(p.old_file)} → {md_code(p.new_file)}"
    if p.status is Status.ADDED:
        return [head, "", f"A new pathway in {where}, version {_version(p)}, {len(p.pathway.stages)} steps.", ""]
    if p.status is Status.REMOVED:
        return [head, "", f"{where} is no longer in the library (it was version {_version(p)}, "
                f"{len(p.pathway.stages)} steps).", ""]
    assert p.diff is not None
    out = [head, "", f"{where}, version {_version(p)}: {p.diff.verdict.lower()}.", ""]
    if p.diff.warnings or p.missing_for_release():
        out.append("> [!WARNING]")
        out += [f"> - {md_inline(w)}" for w in p.diff.warnings]
        if p.missing_for_release():
            out.append(f"> - Before release this pathway still needs {md_inline(' and '.join(p.missing_for_release()))}.")
        out.append("")
    return out + change_sections(p.diff, rows, heading="####")


def format_markdown(diff: LibraryDiff, *, budget: int = MARKDOWN_BUDGET, pathway_rows: int = PATHWAY_ROWS) -> str:
    """The library report for a pull-request comment, at most ``budget`` characters."""
    title = diff.new_title or diff.old_title
    out = [MARKER]
    if not diff.differs:
        out.append(f"**{diff.verdict}.** No pathway of {md_inline(title)} changed.")
        return "\n".join(out) + "\n"
    moved = f"; {_patients(diff.rerouted)}" if diff.rerouted else ""
    out += [f"**{diff.verdict}.** Library {md_inline(title)}: {_counts(diff)}{moved}.", ""]
    missing = diff.missing_for_release()
    if missing:
        out.append("> [!WARNING]")
        out += [f"> - {md_inline(p.title)} {md_code(p.id)} changes what happens to patients and still needs "
                f"{md_inline(' and '.join(m))}." for p, m in missing[:20]]
        if len(missing) > 20:
            out.append(f"> - …and {len(missing) - 20} more pathways.")
        out.append("")
    out += _table(diff, int(budget * TABLE_SHARE))
    out.append("")
    out += _shared_section(diff.shared, diff.titles)
    text = "\n".join(out)
    tail_room = 300  # for the closing count
    shown = 0
    for p in diff.pathways:
        section = _fit(p, pathway_rows, budget - len(text) - tail_room)
        if section is None:
            break
        text += "\n" + section
        shown += 1
    left = len(diff.pathways) - shown
    if left:
        text += (f"\n_{left} more changed pathway{'s' if left != 1 else ''} "
                 f"{'are' if left != 1 else 'is'} not shown here: {FULL_REPORT}._\n")
    return text.rstrip("\n") + "\n"


def _fit(p: PathwayChange, rows: int, room: int) -> str | None:
    """The pathway's section, shortened until it fits in ``room`` characters; None if even the shortest does not."""
    for n in (rows, 5, 2, 0):
        text = "\n".join(_pathway_section(p, n))
        # The folded rest (<details>) is what makes a section long: count it instead.
        text = re.sub(r"\n<details><summary>(\d+) more</summary>.*?</details>",
                      lambda m: f"\n_…and {m.group(1)} more; see the full report._", text, flags=re.S)
        if len(text) + 1 <= room:
            return text
    return None


# --------------------------------------------------------------------------
# JSON


def _pathway_dict(p: PathwayChange) -> dict:
    return {
        "id": p.id,
        "title": p.title,
        "status": p.status.value,
        "impact": p.impact,
        "old_file": p.old_file,
        "new_file": p.new_file,
        "old_version": p.old.version if p.old else None,
        "new_version": p.new.version if p.new else None,
        "rerouted": len(p.rerouted),
        "missing_for_release": list(p.missing_for_release()),
        "diff": diff_dict(p.diff) if p.diff is not None else None,
    }


def format_json(diff: LibraryDiff) -> str:
    """Machine-readable library report with a stable key order; pathways most important first."""
    doc = {
        "library": {"old_title": diff.old_title, "new_title": diff.new_title},
        "impact": diff.impact,
        "verdict": diff.verdict,
        "counts": {
            **{s.value: len(diff.with_status(s)) for s in Status},
            "unchanged": diff.unchanged,
            "shared": len(diff.shared),
            "rerouted": diff.rerouted,
            **{imp.value: sum(1 for p in diff.pathways if p.impact == imp.value) for imp in Impact},
        },
        "missing_for_release": [{"pathway": p.id, "file": p.file, "missing": list(m)}
                                for p, m in diff.missing_for_release()],
        "shared": [change_dict(s.change) | {"used_by": list(s.used_by)} for s in diff.shared],
        "pathways": [_pathway_dict(p) for p in diff.pathways],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------
# Terminal text


def format_text(diff: LibraryDiff, *, colour: bool = False) -> str:
    """The terminal report: verdict, one line per pathway, the shared entries, then each pathway's changes."""

    def bold(text: str) -> str:
        return f"\033[1m{text}\033[0m" if colour else text

    title = diff.new_title or diff.old_title
    out = [bold(diff.verdict)]
    if not diff.differs:
        return "\n".join([*out, f"No pathway of {title} changed."]) + "\n"
    moved = f"; {_patients(diff.rerouted)}" if diff.rerouted else ""
    out.append(f"Library {title}: {_counts(diff)}{moved}")
    out.append("")
    width = max(len(p.impact) for p in diff.pathways) if diff.pathways else 0
    for p in diff.pathways:
        extra = [STATUS_WORDS[p.status]]
        if p.rerouted:
            extra.append(_patients(len(p.rerouted)))
        if p.missing_for_release():
            extra.append("needs " + " and ".join(_short_missing(p)))
        out.append(f"  {p.impact:<{width}}  {p.title} ({p.id}) {p.file}: {', '.join(extra)}")
    if diff.shared:
        out += ["", bold("Shared glossary and references (library.yaml)")]
        for s in diff.shared:
            users = ", ".join(s.used_by) if s.used_by else "no pathway mentions it"
            out.append(f"  {sign(s.change)} {s.change.message} [used by: {users}]")
    for p in diff.pathways:
        out += ["", bold(f"== {p.title} ({p.id}): {STATUS_WORDS[p.status]}, {p.impact} ==")]
        if p.diff is None:
            out.append(f"{p.file}, version {p.pathway.version}, {len(p.pathway.stages)} steps")
            continue
        out.append(p.file)
        out += text_lines(p.diff, colour=colour)
    return "\n".join(out) + "\n"
