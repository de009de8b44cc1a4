"""The FHIR export: its logic runs (FHIRPath over a QuestionnaireResponse reaches the routes ``pathway
test`` reaches), every resource parses, the CPG profiles' fixed values hold, and the bytes are stable.

Resources are parsed with ``fhir.resources`` 8's R4B models: that library ships R4B and R5 models,
and R4B (R4 with a few additions) is the closest it has to R4.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhirpathpy import evaluate as fhirpath
from fhirpathpy.models import models

from generator.core import pipeline
from generator.core.scenarios import load_scenarios, walk
from generator.export import fhir
from generator.export.fhirpath import number_literal, string_literal

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"

R4 = models["r4"]

CASES = {
    "seed": REPO / "pathway.yaml",
    "decisions-fixture": FIXTURES / "decisions" / "pathway.yaml",
}


def _checked(path: Path):
    result = pipeline.check_file(str(path))
    assert result.pathway is not None and not result.has_errors(), result.errors
    return result.pathway


def _scenarios(path: Path, p):
    sc_path = path.with_name(path.stem + ".scenarios.yaml")
    loaded, problems = load_scenarios(sc_path.read_text(encoding="utf-8"), str(sc_path), p)
    assert loaded is not None and not problems, problems
    assert loaded.scenarios
    return loaded.scenarios


def _answer(value, inp) -> dict:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, str):
        return {"valueCoding": {"code": value, "display": value}}
    assert isinstance(value, Fraction)
    if inp.type == "integer":
        return {"valueInteger": int(value)}
    return {"valueDecimal": int(value) if value.denominator == 1 else float(value)}


def questionnaire_response(p, values) -> dict:
    """The scenario's values at this point of the walk, as answers to the exported Questionnaire."""
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": f"{fhir.DEFAULT_BASE}/Questionnaire/{p.id}",
        "item": [{"linkId": k, "answer": [_answer(v, p.input_by_id[k])]} for k, v in sorted(values.items())],
    }


def fhir_walk(p, files: dict[str, bytes], sc) -> list[str]:
    """Follow the exported resources alone for one patient: conditions by FHIRPath, the stage of a
    definition by its identifier.  Mirrors ``scenarios.walk`` (values changing 'at' a stage, 'choose')."""
    by_url = {}
    for data in files.values():
        r = json.loads(data)
        if "url" in r:
            by_url[r["url"]] = r
    pathway = by_url[f"{fhir.DEFAULT_BASE}/PlanDefinition/{p.id}"]
    start_url = pathway["action"][0]["definitionCanonical"]
    if sc.start:
        start_url = next(a["definitionCanonical"] for a in pathway["action"] if a["id"] == sc.start)
    cur = by_url[start_url]
    values = dict(sc.inputs)
    visits: dict[str, int] = {}
    route: list[str] = []
    while len(route) <= sc.max_steps:
        stage_id = cur["identifier"][0]["value"]
        route.append(stage_id)
        n = visits.get(stage_id, 0)
        visits[stage_id] = n + 1
        changes = sc.at.get(stage_id)
        if changes:
            values.update(changes[min(n, len(changes) - 1)])
        nxt = [a for a in cur["action"] if a["id"] == "next"]
        if not nxt:
            return route
        assert nxt[0]["selectionBehavior"] == "exactly-one"
        branches = nxt[0]["action"]
        if all("condition" in b for b in branches):
            qr = questionnaire_response(p, values)
            applies = []
            for b in branches:
                (cond,) = b["condition"]
                assert cond["kind"] == "applicability" and cond["expression"]["language"] == "text/fhirpath"
                got = fhirpath(qr, cond["expression"]["expression"], {}, R4)
                assert got in ([], [True], [False]), (cond, got)
                if got == [True]:
                    applies.append(b)
            assert len(applies) == 1, f"{stage_id}: {len(applies)} branches apply, CPG's exactly-one wants 1"
            target = applies[0]["definitionCanonical"]
        elif len(branches) == 1 and p.stage_by_id[stage_id].kind != "decision":
            target = branches[0]["definitionCanonical"]
        else:
            chosen = sc.choose[stage_id]
            target = next(b["definitionCanonical"] for b in branches if b["definitionCanonical"].endswith("." + chosen))
        cur = by_url[target]
    return route


@pytest.mark.parametrize("case", sorted(CASES))
def test_exported_logic_reaches_the_route_pathway_test_reaches(case):
    path = CASES[case]
    p = _checked(path)
    files = fhir.export_fhir(p)
    scenarios = _scenarios(path, p)
    for sc in scenarios:
        expected = walk(p, sc)
        assert expected.stuck is None, (sc.id, expected.stuck)
        assert tuple(fhir_walk(p, files, sc)) == expected.route, sc.id


def test_the_seed_export_has_computable_conditions_for_every_decision():
    p = _checked(CASES["seed"])
    files = fhir.export_fhir(p)
    decisions = [s for s in p.stages if s.kind == "decision"]
    assert decisions
    for s in decisions:
        res = json.loads(files[f"PlanDefinition-{p.id}.{s.id}.json"])
        (nxt,) = [a for a in res["action"] if a["id"] == "next"]
        assert len(nxt["action"]) == len(s.next)
        for sub, t in zip(nxt["action"], s.next):
            assert sub["condition"][0]["expression"]["description"] == t.condition.text


def test_a_wrong_condition_is_caught_by_the_walk():
    """The walk through the export must be able to fail: swap two branches' targets and it does."""
    p = _checked(CASES["seed"])
    files = dict(fhir.export_fhir(p))
    name = f"PlanDefinition-{p.id}.injection-response.json"
    res = json.loads(files[name])
    (nxt,) = [a for a in res["action"] if a["id"] == "next"]
    a, b = nxt["action"]
    a["definitionCanonical"], b["definitionCanonical"] = b["definitionCanonical"], a["definitionCanonical"]
    files[name] = fhir.dumps(res)
    sc = next(s for s in _scenarios(CASES["seed"], p) if s.id == "injection-works")
    with pytest.raises(AssertionError):  # the route differs, or the walk finds no applicable branch later
        assert tuple(fhir_walk(p, files, sc)) == walk(p, sc).route


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_resource_parses_with_fhir_resources_r4b(case):
    files = fhir.export_fhir(_checked(CASES[case]))
    for name, data in files.items():
        obj = json.loads(data)
        model = get_fhir_model_class(obj["resourceType"]).model_validate(obj)
        assert model.id == obj["id"], name
    bundle = json.loads(files[f"Bundle-{_checked(CASES[case]).id}.json"])
    assert len(bundle["entry"]) == len(files) - 1


def test_cpg_profiles_types_and_expression_language():
    p = _checked(CASES["seed"])
    files = fhir.export_fhir(p)
    res = [json.loads(d) for n, d in files.items() if not n.startswith("Bundle-")]
    plans = {r["id"]: r for r in res if r["resourceType"] == "PlanDefinition"}
    pathway = plans[p.id]
    assert pathway["meta"]["profile"] == ["http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-pathwaydefinition"]
    assert pathway["type"]["coding"][0] == {"system": "http://terminology.hl7.org/CodeSystem/plan-definition-type",
                                            "code": "clinical-protocol", "display": "Clinical Protocol"}
    assert [a["id"] for a in pathway["action"]][0] == p.start
    assert len(pathway["action"]) == len(p.stages)
    forbidden = ("input", "output", "relatedAction", "type", "groupingBehavior", "selectionBehavior",
                 "requiredBehavior", "precheckBehavior", "cardinalityBehavior", "transform", "dynamicValue")
    for a in pathway["action"]:
        assert a["title"] and a["description"] and len(a["code"]) == 1  # title, description, code 1..1
        assert not set(forbidden) & set(a)
        assert plans[a["definitionCanonical"].rsplit("/", 1)[1]]["resourceType"] == "PlanDefinition"
    strategies = [r for r in plans.values() if r["meta"]["profile"] == [fhir.STRATEGY_PROFILE]]
    recs = [r for r in plans.values() if r["meta"]["profile"] == [fhir.RECOMMENDATION_PROFILE]]
    assert len(strategies) == len(p.stages)
    assert len(recs) == sum(s.kind in fhir.ACTIVITY_KINDS for s in p.stages) > 0
    for r in strategies:
        assert r["type"]["coding"][0]["code"] == "workflow-definition"
        for a in r["action"]:
            assert a["title"] and a["description"] and len(a["code"]) == 1
            assert not {"type", "groupingBehavior", "requiredBehavior", "precheckBehavior",
                        "cardinalityBehavior", "transform", "dynamicValue"} & set(a)
            for sub in a.get("action", []):
                for c in sub.get("condition", []):
                    assert c["kind"] == "applicability"
                    assert c["expression"]["language"] == "text/fhirpath"
    activities = {r["url"] for r in res if r["resourceType"] == "ActivityDefinition"}
    for r in res:
        if r["resourceType"] == "ActivityDefinition":  # cpg-servicerequestactivity's fixed and 1..1 elements
            assert r["meta"]["profile"] == ["http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-servicerequestactivity"]
            assert r["profile"] == "http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-servicerequest"
            assert (r["kind"], r["intent"], r["doNotPerform"]) == ("ServiceRequest", "proposal", False)
    for r in recs:
        assert r["type"]["coding"][0]["code"] == "eca-rule"
        assert all(a["definitionCanonical"] in activities for a in r["action"])
    for r in res:
        assert r["url"].startswith(fhir.DEFAULT_BASE + "/")  # one base for every canonical
        for key in ("url", "version", "name", "status", "experimental", "publisher", "description"):
            assert key in r, (r["id"], key)


def test_governance_and_references():
    p = _checked(CASES["seed"])
    pathway = json.loads(fhir.export_fhir(p)[f"PlanDefinition-{p.id}.json"])
    g = p.governance
    assert pathway["publisher"] == g.owner
    assert pathway["approvalDate"] == g.approved_on.isoformat()
    assert pathway["lastReviewDate"] == g.last_reviewed.isoformat()
    assert pathway["effectivePeriod"] == {"start": g.approved_on.isoformat(), "end": g.expires.isoformat()}
    assert pathway["version"] == p.version and pathway["status"] == p.status
    assert pathway["contact"][0]["telecom"][0]["value"] == g.contact
    cited = [a for a in pathway["relatedArtifact"] if a["type"] == "citation"]
    assert [a["display"] for a in cited] == [r.title for r in p.references]


def test_questionnaire_has_one_item_per_input_with_types_units_and_options():
    p = _checked(CASES["decisions-fixture"])
    q = json.loads(fhir.export_fhir(p)[f"Questionnaire-{p.id}.json"])
    items = {i["linkId"]: i for i in q["item"]}
    assert list(items) == [i.id for i in p.inputs]
    assert items["other_cause"]["type"] == "boolean"
    assert items["mbb_relief"]["type"] == "decimal"
    units = [e for e in items["mbb_relief"]["extension"] if e["url"].endswith("questionnaire-unit")]
    assert units[0]["valueCoding"]["display"] == "%"
    assert [o["valueCoding"]["code"] for o in items["rfa_response"]["answerOption"]] == \
        list(p.input_by_id["rfa_response"].choices)
    dur = items["time_since_rfa"]
    assert dur["type"] == "decimal"
    assert {"url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueDecimal": 1825} in dur["extension"]


def test_narrative_branches_are_text_only(write_yaml):
    path = write_yaml("""\
        id: tiny
        title: Tiny
        version: "1"
        status: draft
        start: ask
        stages:
          - id: ask
            title: Ask
            kind: decision
            next:
              - to: done
                when: It's fine
              - to: refer
                when: It's not
          - id: refer
            title: Refer
            kind: referral
            next:
              - to: done
          - id: done
            title: Done
            kind: outcome
        """)
    p = _checked(path)
    files = fhir.export_fhir(p, base="https://fhir.example.net/base/")
    ask = json.loads(files["PlanDefinition-tiny.ask.json"])
    subs = ask["action"][0]["action"]
    assert [s.get("textEquivalent") for s in subs] == ["It's fine", "It's not"]
    assert not any("condition" in s for s in subs)
    assert subs[1]["definitionCanonical"] == "https://fhir.example.net/base/PlanDefinition/tiny.refer"
    assert "ActivityDefinition-tiny.refer.json" in files
    assert "Questionnaire-tiny.json" in files


def test_output_is_byte_identical_across_runs_and_sorted():
    p = _checked(CASES["seed"])
    a, b = fhir.export_fhir(p), fhir.export_fhir(_checked(CASES["seed"]))
    assert a == b
    for data in a.values():
        assert data == fhir.dumps(json.loads(data))  # sorted keys, canonical layout


def test_base_url_is_checked():
    assert fhir.check_base("https://example.org/fhir/") == "https://example.org/fhir"
    for bad in ("example.org", "https://example.org/a b", "https://x.org/?q=1", "ftp://x.org", ""):
        with pytest.raises(fhir.BaseUrlError):
            fhir.check_base(bad)


def test_long_ids_are_shortened_deterministically():
    long = "a" * 80
    got = fhir.fhir_id("p", long)
    assert len(got) <= 64 and got == fhir.fhir_id("p", long) and got != fhir.fhir_id("p", long + "b")
    assert fhir.computable_name("facet-joint-pain", "mbb-response") == "FacetJointPainMbbResponse"
    assert fhir.computable_name("9lives") == "P9lives"


def test_literals():
    assert number_literal(Fraction(1, 2)) == "0.5"
    assert number_literal(Fraction(-3, 8)) == "-0.375"
    assert number_literal(Fraction(180)) == "180"
    assert number_literal(Fraction(1, 20)) == "0.05"
    assert string_literal("it's \\ x") == "'it\\'s \\\\ x'"
    assert fhirpath({}, string_literal("it's \\ x"), {}) == ["it's \\ x"]


def test_a_branch_into_another_pathway_points_at_that_pathways_strategy(tmp_path):
    """In a library each pathway is exported on its own, with the same base: a branch into another pathway
    is a sub-action whose canonical is that pathway's strategy for the stage (docs/export.md)."""
    import datetime as dt

    from generator.core.library import check_library
    from libfixture import computable_copy

    lib = check_library(computable_copy(tmp_path), for_build=True, today=dt.date(2026, 12, 2))
    assert not lib.has_errors(), lib.problems
    base = "https://fhir.example.org/spine"
    exported = {p.id: fhir.export_fhir(p, base, library=lib.index) for p in lib.pathways}
    review = json.loads(exported["injections"]["PlanDefinition-injections.review.json"])
    (nxt,) = [a for a in review["action"] if a["id"] == "next"]
    into = nxt["action"][1]
    assert into["definitionCanonical"] == f"{base}/PlanDefinition/surgery.consult"
    assert into["description"].startswith("Next: Surgical consultation (Spinal surgery), in another pathway.")
    assert into["condition"][0]["kind"] == "applicability"
    # The canonical is a resource the other pathway's export holds; every file still parses as FHIR R4B.
    target = json.loads(exported["surgery"]["PlanDefinition-surgery.consult.json"])
    assert target["url"] == into["definitionCanonical"]
    for files in exported.values():
        for name, data in files.items():
            obj = json.loads(data)
            get_fhir_model_class(obj["resourceType"]).model_validate(obj)
    # Without the library's titles the ids name it; it never crashes.
    alone = json.loads(fhir.export_fhir(lib.by_id["injections"], base)["PlanDefinition-injections.review.json"])
    (nxt,) = [a for a in alone["action"] if a["id"] == "next"]
    assert nxt["action"][1]["description"].startswith("Next: consult (pathway surgery), in another pathway.")
