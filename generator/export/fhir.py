"""The pathway as HL7 FHIR R4 resources shaped by the Clinical Practice Guidelines IG (CPG-on-FHIR).

    PlanDefinition <pathway>            cpg-pathwaydefinition, type clinical-protocol: one action per stage
      └ PlanDefinition <pathway>.<stage> cpg-strategydefinition: the step (→ recommendation) and its
                                         next steps (one sub-action per branch, exactly one applies)
          └ PlanDefinition ….rec         cpg-recommendationdefinition (eca-rule) → ActivityDefinition
    Questionnaire <pathway>             the data dictionary: one item per input
    Bundle <pathway>                    every resource above (a collection)

Pure: ``export_fhir`` turns a checked model into ``{file name: bytes}`` (one file per resource and the
Bundle); ``export_folder`` is what ``pathway export fhir`` writes: the Bundle and the same resources as
a FHIR NPM package folder (``package/`` with ``package.json`` and ``.index.json``).
JSON has sorted keys and no clock: the same pathway gives the same bytes.  docs/export.md has the
mapping table.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import tarfile
from typing import Any

from generator.core.decisions import is_computable
from generator.core.model import Input, LibraryIndex, Pathway, Reference, Stage, Transition
from generator.core.wikilinks import iter_wikilinks
from generator.export.fhirpath import branch_expressions, number_literal

CPG = "http://hl7.org/fhir/uv/cpg/StructureDefinition/"
PATHWAY_PROFILE = CPG + "cpg-pathwaydefinition"
STRATEGY_PROFILE = CPG + "cpg-strategydefinition"
RECOMMENDATION_PROFILE = CPG + "cpg-recommendationdefinition"
ACTIVITY_PROFILE = CPG + "cpg-servicerequestactivity"
#: What a request made from the activity must conform to (fixed by ``cpg-servicerequestactivity``).
SERVICE_REQUEST_PROFILE = CPG + "cpg-servicerequest"
# The profile's official URL in CPG 2.0.0 has no hyphen between "computable" and "questionnaire".
QUESTIONNAIRE_PROFILE = CPG + "cpg-computablequestionnaire"
PLAN_TYPE = "http://terminology.hl7.org/CodeSystem/plan-definition-type"
COMMON_PROCESS = "http://hl7.org/fhir/uv/cpg/CodeSystem/cpg-common-process"
FHIRPATH = "text/fhirpath"
UCUM = "http://unitsofmeasure.org"
DEFAULT_BASE = "https://example.org/fhir"
#: FHIR R4's published version (the ``fhirVersion`` of every R4 resource and package).
FHIR_VERSION = "4.0.1"
#: What the exported resources build on, as FHIR packages: the R4 core definitions (``hl7.fhir.r4.core``
#: 4.0.1 is R4 itself) and the CPG IG whose profiles and code systems they name (``hl7.fhir.uv.cpg``
#: 2.0.0 is CPG STU2, the published release at http://hl7.org/fhir/uv/cpg/STU2, built on FHIR 4.0.1).
PACKAGE_DEPENDENCIES = {"hl7.fhir.r4.core": FHIR_VERSION, "hl7.fhir.uv.cpg": "2.0.0"}
PACKAGE_DIR = "package"
#: A FHIR package name: two or more dot-separated parts, each a lowercase letter then lowercase letters,
#: digits or dashes (the FHIR package specification, https://hl7.org/fhir/packages.html).
_PACKAGE_NAME = re.compile(r"[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+")

#: A stage kind as the CPG common process it belongs to (the action's required ``code``).
PROCESS: dict[str, tuple[str, str]] = {
    "assessment": ("history-and-physical", "History and Physical"),
    "investigation": ("diagnostic-testing", "Conduct Diagnostic Tests"),
    "decision": ("determine-diagnosis", "Determine Diagnosis"),
    "procedure": ("guideline-based-care", "Guideline-based Care"),
    "therapy": ("guideline-based-care", "Guideline-based Care"),
    "surgery": ("actue-tertiary-care", "Acute/Tertiary Care"),  # the code system's own spelling
    "referral": ("discharge-referral-of-patient", "Discharge/Referral of Patient"),
    "outcome": ("monitor-and-follow-up-of-patient", "Monitor and Follow-up of Patient"),
}
#: Kinds that are a care activity of their own (a recommendation and an ActivityDefinition).
ACTIVITY_KINDS = frozenset({"assessment", "investigation", "procedure", "therapy", "surgery", "referral"})

#: A data dictionary type as a Questionnaire item type (durations are asked in days).
ITEM_TYPE = {"boolean": "boolean", "integer": "integer", "number": "decimal", "duration": "decimal",
             "choice": "choice"}

_ID_MAX = 64


class BaseUrlError(ValueError):
    """A ``--base`` that cannot be the root of canonical URLs."""


class PackageNameError(ValueError):
    """A ``--package-name`` that is not a FHIR package name."""


def check_base(base: str) -> str:
    """The base without a trailing slash; ``BaseUrlError`` in plain words if it is not usable."""
    b = base.rstrip("/")
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d+)?(/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?", b):
        raise BaseUrlError(f"'{base}' is not a usable base URL: write an absolute http(s) address without "
                           "spaces, query or fragment, e.g. https://example.org/fhir")
    return b


def fhir_id(*parts: str) -> str:
    """A FHIR id (at most 64 of A-Z a-z 0-9 - .): the parts joined by '.', shortened with a hash if long."""
    raw = ".".join(parts)
    if len(raw) <= _ID_MAX:
        return raw
    digest = hashlib.sha256(raw.encode()).hexdigest()[:10]
    return raw[: _ID_MAX - 11].rstrip(".-") + "-" + digest


def computable_name(*parts: str) -> str:
    """A FHIR computable name (``^[A-Z]([A-Za-z0-9_]){0,254}$``) from slugs."""
    words = [w for part in parts for w in re.split(r"[^A-Za-z0-9]+", part) if w]
    name = "".join(w[:1].upper() + w[1:] for w in words) or "Pathway"
    if not name[0].isalpha():
        name = "P" + name
    return name[:255]


class _Urls:
    def __init__(self, p: Pathway, base: str, library: LibraryIndex | None = None):
        self.p = p
        self.base = base
        self.library = library

    def of(self, rtype: str, rid: str) -> str:
        return f"{self.base}/{rtype}/{rid}"

    def pathway(self) -> str:
        return self.of("PlanDefinition", fhir_id(self.p.id))

    def strategy(self, stage_id: str) -> str:
        return self.of("PlanDefinition", fhir_id(self.p.id, stage_id))

    def recommendation(self, stage_id: str) -> str:
        return self.of("PlanDefinition", fhir_id(self.p.id, stage_id, "rec"))

    def activity(self, stage_id: str) -> str:
        return self.of("ActivityDefinition", fhir_id(self.p.id, stage_id))

    def questionnaire(self) -> str:
        return self.of("Questionnaire", fhir_id(self.p.id))

    def other_strategy(self, pathway_id: str, stage_id: str) -> str:
        """The strategy of a stage of another pathway of the library, exported with the same base."""
        return self.of("PlanDefinition", fhir_id(pathway_id, stage_id))

    def other_title(self, pathway_id: str, stage_id: str) -> str:
        """'Surgical consultation (Spinal surgery)', or the ids when the library is not given."""
        lib = self.library
        if lib is not None and stage_id in lib.stages.get(pathway_id, {}):
            return f"{lib.stages[pathway_id][stage_id]} ({lib.titles.get(pathway_id, pathway_id)})"
        return f"{stage_id} (pathway {pathway_id})"


def _leads_on(p: Pathway, t: Transition) -> bool:
    """A branch the export follows: to a stage of the pathway, or into another pathway of the library."""
    return t.to in p.stage_by_id or (t.external is not None and t.external[0] != p.id)


def _process(kind: str) -> dict[str, Any]:
    code, display = PROCESS.get(kind, PROCESS["procedure"])
    return {"coding": [{"system": COMMON_PROCESS, "code": code, "display": display}]}


def _plan_type(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": PLAN_TYPE, "code": code, "display": display}]}


def _contact(p: Pathway) -> list[dict[str, Any]]:
    g = p.governance
    if not g.contact:
        return [{"name": g.owner}] if g.owner else []
    system = "email" if "@" in g.contact and "://" not in g.contact else "url"
    detail: dict[str, Any] = {"telecom": [{"system": system, "value": g.contact}]}
    if g.owner:
        detail["name"] = g.owner
    return [detail]


def _related(p: Pathway, refs) -> list[dict[str, Any]]:
    out = []
    for ref in refs:
        r: Reference | None = p.reference_by_id.get(ref.id)
        if r is None:
            continue
        art: dict[str, Any] = {"type": "citation", "label": r.id, "display": r.title}
        if r.url:
            art["url"] = r.url
        out.append(art)
    return out


def _metadata(p: Pathway, url: str, rid: str, name: str, title: str, description: str | None) -> dict[str, Any]:
    """What every exported definition carries (the CPG shareable/publishable elements)."""
    g = p.governance
    out: dict[str, Any] = {
        "id": rid,
        "url": url,
        "version": p.version,
        "name": name,
        "title": title,
        "status": p.status,
        "experimental": p.status == "draft",
    }
    current = next((h for h in p.history if h.version == p.version), None)
    if current is not None and current.date is not None:
        out["date"] = current.date.isoformat()
    if g.owner:
        out["publisher"] = g.owner
    contact = _contact(p)
    if contact:
        out["contact"] = contact
    if description:
        out["description"] = description
    return out


def _governance(p: Pathway) -> dict[str, Any]:
    g = p.governance
    out: dict[str, Any] = {}
    if g.approved_on:
        out["approvalDate"] = g.approved_on.isoformat()
    if g.last_reviewed:
        out["lastReviewDate"] = g.last_reviewed.isoformat()
    period = {k: v.isoformat() for k, v in (("start", g.approved_on), ("end", g.expires)) if v}
    if period:
        out["effectivePeriod"] = period
    if g.authors:
        out["author"] = [{"name": a} for a in g.authors]
    if g.approved_by:
        out["endorser"] = [{"name": a} for a in g.approved_by]
    return out


def plain_links(p: Pathway, text: str) -> str:
    """Markdown with ``[[stage-id|text]]`` links turned into their text (a FHIR reader has no stage pages)."""
    out, last = [], 0
    for link in iter_wikilinks(text):
        stage = p.stage_by_id.get(link.target)
        out.append(text[last:link.start])
        out.append(link.text or (stage.title if stage else link.target))
        last = link.end
    out.append(text[last:])
    return "".join(out).strip()


def _stage_description(s: Stage) -> str:
    return s.summary or s.title


def _next_action(p: Pathway, s: Stage, urls: _Urls) -> dict[str, Any]:
    """The stage's next steps: one sub-action per branch; for a computable decision each has an
    applicability condition in FHIRPath, and exactly one applies."""
    branches = [t for t in s.next if _leads_on(p, t)]
    computable = is_computable(s) and all(t.condition is not None and t.condition.expr is not None for t in branches)
    exprs = (branch_expressions([t.condition.expr for t in branches],  # type: ignore[union-attr,misc]
                                p.input_by_id, first_match=s.order == "first-match") if computable else [])
    subs = []
    for i, t in enumerate(branches):
        ext = t.external if t.to not in p.stage_by_id else None
        if ext is not None:  # into another pathway: its strategy, canonical under the same base
            title, canonical = f"{urls.other_title(*ext)}, in another pathway", urls.other_strategy(*ext)
        else:
            title, canonical = p.stage_by_id[t.to].title, urls.strategy(t.to)
        sub: dict[str, Any] = {
            "id": f"branch-{i + 1}",
            "title": t.when or f"Go to {title}",
            "definitionCanonical": canonical,
        }
        if computable:
            cond = t.condition
            assert cond is not None
            sub["description"] = f"Next: {title}. Applies when: {cond.text}"
            sub["condition"] = [{"kind": "applicability",
                                 "expression": {"language": FHIRPATH, "expression": exprs[i],
                                                "description": cond.text}}]
        else:
            # A narrative branch: the condition is for the clinician to judge, so it is text only.
            sub["description"] = f"Next: {title}." + (f" When: {t.when}" if t.when else "")
            if t.when:
                sub["textEquivalent"] = t.when
        subs.append(sub)
    kind = "decision" if s.kind == "decision" else "outcome"
    return {
        "id": "next",
        "title": f"After: {s.title}",
        "description": ("Exactly one branch applies; its condition is computed from the inputs."
                        if computable else "Exactly one next step is taken"
                        + (", chosen by clinical judgement." if len(subs) > 1 else ".")),
        "code": [_process(kind)],
        "selectionBehavior": "exactly-one",
        "action": subs,
    }


def _strategy(p: Pathway, s: Stage, urls: _Urls) -> dict[str, Any]:
    rid = fhir_id(p.id, s.id)
    res: dict[str, Any] = {
        "resourceType": "PlanDefinition",
        "meta": {"profile": [STRATEGY_PROFILE]},
        **_metadata(p, urls.strategy(s.id), rid, computable_name(p.id, s.id), s.title,
                    plain_links(p, s.body) if s.body else _stage_description(s)),
        "identifier": [{"system": f"{urls.base}/stage-id", "value": s.id}],
        "type": _plan_type("workflow-definition", "Workflow Definition"),
        "topic": [{"text": s.kind}],
    }
    group = p.group_by_id.get(s.group) if s.group else None
    if group is not None:
        res["topic"].append({"text": group.title})
    related = _related(p, s.references)
    if related:
        res["relatedArtifact"] = related
    actions: list[dict[str, Any]] = []
    if s.kind in ACTIVITY_KINDS:
        actions.append({"id": "step", "title": s.title, "description": _stage_description(s),
                        "code": [_process(s.kind)], "definitionCanonical": urls.recommendation(s.id)})
    elif s.kind == "outcome" or not s.next:
        actions.append({"id": "outcome" if s.kind == "outcome" else "step", "title": s.title,
                        "description": _stage_description(s), "code": [_process(s.kind)]})
    if any(_leads_on(p, t) for t in s.next):
        actions.append(_next_action(p, s, urls))
    if not actions:  # a decision without branches (refused by the checks): still a valid definition
        actions.append({"id": "step", "title": s.title, "description": _stage_description(s),
                        "code": [_process(s.kind)]})
    res["action"] = actions
    return res


def _recommendation(p: Pathway, s: Stage, urls: _Urls) -> dict[str, Any]:
    return {
        "resourceType": "PlanDefinition",
        "meta": {"profile": [RECOMMENDATION_PROFILE]},
        **_metadata(p, urls.recommendation(s.id), fhir_id(p.id, s.id, "rec"),
                    computable_name(p.id, s.id, "recommendation"), s.title, _stage_description(s)),
        "type": _plan_type("eca-rule", "ECA Rule"),
        "action": [{"id": "recommend", "title": s.title, "description": _stage_description(s),
                    "code": [_process(s.kind)], "definitionCanonical": urls.activity(s.id)}],
    }


def _activity(p: Pathway, s: Stage, urls: _Urls) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "ActivityDefinition",
        "meta": {"profile": [ACTIVITY_PROFILE]},
        **_metadata(p, urls.activity(s.id), fhir_id(p.id, s.id), computable_name(p.id, s.id), s.title,
                    _stage_description(s)),
        "kind": "ServiceRequest",
        "profile": SERVICE_REQUEST_PROFILE,
        "intent": "proposal",
        "doNotPerform": False,
        "code": {"text": s.title},
        "topic": [{"text": s.kind}],
    }
    if s.facts:
        res["usage"] = "\n".join(f"- {f.label}: {f.value}" for f in s.facts)
    related = _related(p, s.references)
    if related:
        res["relatedArtifact"] = related
    return res


def _range_ext(inp: Input) -> list[dict[str, Any]]:
    if inp.range is None:
        return []
    key = "valueInteger" if inp.type == "integer" else "valueDecimal"
    out = []
    for url, v in (("minValue", inp.range[0]), ("maxValue", inp.range[1])):
        value: int | float = int(v) if v.denominator == 1 else float(number_literal(v))
        out.append({"url": f"http://hl7.org/fhir/StructureDefinition/{url}", key: value})
    return out


def _item(inp: Input) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": inp.id, "text": inp.label, "type": ITEM_TYPE.get(inp.type, "string"),
                            "required": False}
    ext = []
    if inp.type == "duration":
        ext.append({"url": "http://hl7.org/fhir/StructureDefinition/questionnaire-unit",
                    "valueCoding": {"system": UCUM, "code": "d", "display": "days"}})
    elif inp.unit:
        ext.append({"url": "http://hl7.org/fhir/StructureDefinition/questionnaire-unit",
                    "valueCoding": {"display": inp.unit}})
    ext += _range_ext(inp)
    if ext:
        item["extension"] = ext
    if inp.type == "choice":
        item["answerOption"] = [{"valueCoding": {"code": c, "display": c}} for c in inp.choices]
    if inp.description:
        # The explanation as a help item under the question (the standard place for it).
        item["item"] = [{"linkId": f"{inp.id}.help", "text": inp.description.strip(), "type": "display",
                         "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl",
                                        "valueCodeableConcept": {"coding": [{
                                            "system": "http://hl7.org/fhir/questionnaire-item-control",
                                            "code": "help"}]}}]}]
    return item


def _questionnaire(p: Pathway, urls: _Urls) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "meta": {"profile": [QUESTIONNAIRE_PROFILE]},
        **_metadata(p, urls.questionnaire(), fhir_id(p.id), computable_name(p.id, "inputs"),
                    f"Inputs of: {p.title}", "The data dictionary of the pathway: the values its decisions depend "
                    "on. Durations are answered in days."),
        "item": [_item(i) for i in p.inputs],
    }
    if not res["item"]:
        del res["item"]
    return res


def _pathway(p: Pathway, urls: _Urls) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "PlanDefinition",
        "meta": {"profile": [PATHWAY_PROFILE]},
        **_metadata(p, urls.pathway(), fhir_id(p.id), computable_name(p.id), p.title,
                    plain_links(p, p.summary) if p.summary else p.title),
        **_governance(p),
        "type": _plan_type("clinical-protocol", "Clinical Protocol"),
    }
    if p.audience:
        res["usage"] = p.audience.strip()
    related = _related(p, p.references)
    if p.inputs:
        related.append({"type": "depends-on", "display": "The pathway's inputs", "resource": urls.questionnaire()})
    if related:
        res["relatedArtifact"] = related
    # The start stage first (the pathway's entry), then the others in the order they are written.
    ordered = sorted(p.stage_by_id.values(), key=lambda s: s.id != p.start)
    res["action"] = [{"id": s.id, "title": s.title, "description": _stage_description(s), "code": [_process(s.kind)],
                      "definitionCanonical": urls.strategy(s.id)} for s in ordered]
    return res


def resources(p: Pathway, base: str = DEFAULT_BASE, *, library: LibraryIndex | None = None) -> list[dict[str, Any]]:
    """Every resource of the export, pathway first (no Bundle).  ``library``: the titles of the other
    pathways of its library, for branches into them (without it their ids are used)."""
    urls = _Urls(p, check_base(base), library)
    out = [_pathway(p, urls)]
    stages = list(p.stage_by_id.values())
    out += [_strategy(p, s, urls) for s in stages]
    out += [_recommendation(p, s, urls) for s in stages if s.kind in ACTIVITY_KINDS]
    out += [_activity(p, s, urls) for s in stages if s.kind in ACTIVITY_KINDS]
    out.append(_questionnaire(p, urls))
    return out


def bundle(p: Pathway, res: list[dict[str, Any]], base: str = DEFAULT_BASE) -> dict[str, Any]:
    b = check_base(base)
    return {
        "resourceType": "Bundle",
        "id": fhir_id(p.id),
        "type": "collection",
        "entry": [{"fullUrl": f"{b}/{r['resourceType']}/{r['id']}", "resource": r} for r in res],
    }


def bundle_file(p: Pathway) -> str:
    """The Bundle's file name, ``Bundle-<id>.json``."""
    return f"Bundle-{fhir_id(p.id)}.json"


def dumps(obj: Any) -> bytes:
    """Canonical JSON: sorted keys, two-space indent, UTF-8, a final newline."""
    return (json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def export_fhir(p: Pathway, base: str = DEFAULT_BASE, *, library: LibraryIndex | None = None) -> dict[str, bytes]:
    """``{file name: bytes}``: one JSON file per resource, and ``Bundle-<id>.json`` holding them all.
    In a library, export every pathway with the same ``base``: a branch into another pathway points at
    that pathway's strategy for the stage."""
    res = resources(p, base, library=library)
    files = {resource_file(r): dumps(r) for r in res}
    files[bundle_file(p)] = dumps(bundle(p, res, base))
    return dict(sorted(files.items()))


# -- the FHIR NPM package ----------------------------------------------------------------------


def default_package_name(p: Pathway) -> str:
    """``pathway.<id>``: the pathway id made a package name part (lowercase; a leading digit gets a 'p')."""
    part = re.sub(r"[^a-z0-9-]+", "-", p.id.lower()).strip("-") or "pathway"
    if not part[0].isalpha():
        part = "p" + part
    return f"pathway.{part}"


def check_package_name(name: str) -> str:
    """``name`` if it is a FHIR package name; else ``PackageNameError`` in plain words."""
    if not _PACKAGE_NAME.fullmatch(name):
        raise PackageNameError(f"'{name}' is not a FHIR package name: write two or more parts separated by dots, "
                               "each a lowercase letter followed by lowercase letters, digits or dashes, "
                               "e.g. org.example.back-pain")
    return name


def package_manifest(p: Pathway, name: str, base: str = DEFAULT_BASE) -> dict[str, Any]:
    """``package/package.json``: what the package is, for FHIR tools (and npm)."""
    out: dict[str, Any] = {
        "name": check_package_name(name),
        "version": p.version,
        "canonical": check_base(base),
        "title": p.title,
        # One line, as npm shows it: the summary's first paragraph.
        "description": " ".join(plain_links(p, p.summary).split("\n\n")[0].split()) if p.summary else p.title,
        "fhirVersions": [FHIR_VERSION],
        "dependencies": dict(PACKAGE_DEPENDENCIES),
    }
    if p.governance.owner:
        out["author"] = p.governance.owner
    return out


def package_index(res: list[dict[str, Any]]) -> dict[str, Any]:
    """``package/.index.json``: one entry per resource file, so tools find a resource without reading them all."""
    files = []
    for r in res:
        entry = {"filename": resource_file(r), "resourceType": r["resourceType"], "id": r["id"]}
        for key in ("url", "version"):
            if key in r:
                entry[key] = r[key]
        files.append(entry)
    return {"index-version": 2, "files": sorted(files, key=lambda e: e["filename"])}


def resource_file(r: dict[str, Any]) -> str:
    return f"{r['resourceType']}-{r['id']}.json"


def export_folder(p: Pathway, base: str = DEFAULT_BASE, package_name: str | None = None, *,
                  library: LibraryIndex | None = None) -> dict[str, bytes]:
    """What ``pathway export fhir`` writes: ``Bundle-<id>.json`` and ``package/`` (one file per resource,
    ``package.json``, ``.index.json``), ``{relative posix path: bytes}`` sorted by path."""
    name = check_package_name(package_name or default_package_name(p))
    res = resources(p, base, library=library)
    files = {f"{PACKAGE_DIR}/{resource_file(r)}": dumps(r) for r in res}
    files[f"{PACKAGE_DIR}/package.json"] = dumps(package_manifest(p, name, base))
    files[f"{PACKAGE_DIR}/.index.json"] = dumps(package_index(res))
    files[bundle_file(p)] = dumps(bundle(p, res, base))
    return dict(sorted(files.items()))


def package_tarball(folder: dict[str, bytes]) -> bytes:
    """The ``package/`` files of ``export_folder`` as a .tgz, the form FHIR packages are shipped in.

    Deterministic: entries sorted, no dates (mtime 0), owner 0 and mode 0644, and a gzip header
    without a name or date, so the same folder gives the same bytes.
    """
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for path in sorted(folder):
            if not path.startswith(PACKAGE_DIR + "/"):
                continue
            info = tarfile.TarInfo(path)
            info.size, info.mtime, info.mode = len(folder[path]), 0, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(folder[path]))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()
