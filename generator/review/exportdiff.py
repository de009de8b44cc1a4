"""Does the FHIR export change? Both versions exported in memory, compared resource by resource.

A reviewer of a pull request learns from ``pathway diff`` whether systems that load the FHIR export
(``pathway export fhir``) get something new, and which resources (``ResourceType/id``) are added,
removed or changed, with the top-level elements that differ.  The Bundle and the package files only
repeat the resources, so they are not compared.  The canonical base makes no difference to the answer
(both sides get the same one), so the default is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.core.model import Pathway
from generator.export.fhir import resources

ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass(frozen=True)
class ResourceChange:
    """One exported resource that is not the same in both versions."""

    change: str  # ADDED, REMOVED or CHANGED
    resource_type: str
    id: str
    elements: tuple[str, ...] = ()  # the top-level elements that differ (CHANGED only), sorted

    @property
    def ref(self) -> str:
        return f"{self.resource_type}/{self.id}"


@dataclass(frozen=True)
class ExportDiff:
    """The FHIR export of both versions compared."""

    resources: tuple[ResourceChange, ...]  # removed, then added, then changed; each sorted by ref
    total: int  # resources in the new version's export
    skipped: str = ""  # why the exports were not compared (then ``resources`` is empty)

    @property
    def changed(self) -> bool:
        return bool(self.resources)

    def of(self, change: str) -> tuple[ResourceChange, ...]:
        return tuple(r for r in self.resources if r.change == change)

    def common_elements(self, at_least: int) -> tuple[str, ...]:
        """The elements in which every changed resource differs, when more than ``at_least`` changed
        (a new version or date changes every resource: said once instead of once per resource)."""
        changed = self.of(CHANGED)
        if len(changed) <= at_least:
            return ()
        return tuple(sorted(set.intersection(*(set(r.elements) for r in changed))))

    def notable(self, common: tuple[str, ...]) -> tuple[ResourceChange, ...]:
        """The added and removed resources, and the changed ones that differ in more than ``common``."""
        return tuple(r for r in self.resources if r.change != CHANGED or set(r.elements) - set(common))

    def as_dict(self) -> dict[str, Any]:
        """For the JSON report (a fixed key order)."""
        if self.skipped:
            return {"differs": None, "skipped": self.skipped}
        return {
            "differs": self.changed,
            "resources": self.total,
            **{change: [{"resourceType": r.resource_type, "id": r.id, **({"elements": list(r.elements)}
                                                                           if change == CHANGED else {})}
                        for r in self.of(change)] for change in (ADDED, REMOVED, CHANGED)},
        }


def not_compared(reason: str) -> ExportDiff:
    return ExportDiff((), 0, skipped=reason)


def _by_ref(p: Pathway) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["resourceType"], r["id"]): r for r in resources(p)}


def compare_exports(old: Pathway, new: Pathway) -> ExportDiff:
    """Export both pathways and compare the resources by ``resourceType/id``."""
    a, b = _by_ref(old), _by_ref(new)
    out = [ResourceChange(REMOVED, rtype, rid) for rtype, rid in sorted(a.keys() - b.keys())]
    out += [ResourceChange(ADDED, rtype, rid) for rtype, rid in sorted(b.keys() - a.keys())]
    for key in sorted(a.keys() & b.keys()):
        ra, rb = a[key], b[key]
        if ra != rb:
            elements = tuple(sorted(k for k in ra.keys() | rb.keys() if ra.get(k) != rb.get(k)))
            out.append(ResourceChange(CHANGED, *key, elements=elements))
    return ExportDiff(tuple(out), len(b))
