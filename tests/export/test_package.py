"""The FHIR NPM package that ``pathway export fhir`` writes: package.json and .index.json agree with the
resource files, the package holds exactly the exported resources, and its tarball is deterministic."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest

from generator.cli import main
from generator.core import pipeline
from generator.export import fhir

REPO = Path(__file__).resolve().parents[2]
CASES = {
    "seed": REPO / "pathway.yaml",
    "decisions-fixture": REPO / "tests" / "fixtures" / "decisions" / "pathway.yaml",
    "minimal": REPO / "tests" / "fixtures" / "pathways" / "minimal.yaml",
}


def _checked(path: Path):
    result = pipeline.check_file(str(path))
    assert result.pathway is not None and not result.has_errors(), result.errors
    return result.pathway


@pytest.mark.parametrize("case", sorted(CASES))
def test_package_json_and_index_agree_with_the_files(case):
    p = _checked(CASES[case])
    base = "https://fhir.example.net/pathways"
    folder = fhir.export_folder(p, base)
    manifest = json.loads(folder["package/package.json"])
    index = json.loads(folder["package/.index.json"])
    resource_files = {k[len("package/"):]: json.loads(v) for k, v in folder.items()
                      if k.startswith("package/") and k not in ("package/package.json", "package/.index.json")}
    # Every resource file is listed once, and every listed file exists, with its own type, id, url, version.
    assert index["index-version"] == 2
    listed = {e["filename"]: e for e in index["files"]}
    assert len(listed) == len(index["files"])
    assert set(listed) == set(resource_files)
    for name, r in resource_files.items():
        e = listed[name]
        assert name == f"{r['resourceType']}-{r['id']}.json"
        assert (e["resourceType"], e["id"]) == (r["resourceType"], r["id"])
        assert e["url"] == r["url"] == f"{base}/{r['resourceType']}/{r['id']}"
        assert e["version"] == r["version"] == p.version == manifest["version"]
    assert manifest["name"] == fhir.default_package_name(p)
    assert manifest["canonical"] == base and manifest["fhirVersions"] == ["4.0.1"]
    assert manifest["dependencies"] == {"hl7.fhir.r4.core": "4.0.1", "hl7.fhir.uv.cpg": "2.0.0"}
    assert manifest["title"] == p.title
    # The package is the export: the same bytes as one file per resource, and the Bundle holds them all.
    flat = fhir.export_fhir(p, base)
    assert {n: fhir.dumps(r) for n, r in resource_files.items()} == {n: d for n, d in flat.items()
                                                                   if not n.startswith("Bundle-")}
    bundle = json.loads(folder[f"Bundle-{p.id}.json"])
    assert sorted(e["resource"]["id"] for e in bundle["entry"]) == sorted(r["id"] for r in resource_files.values())
    assert set(folder) == {f"Bundle-{p.id}.json", *(f"package/{n}" for n in [*resource_files, "package.json",
                                                                               ".index.json"])}


def test_every_resource_names_the_cpg_profiles_of_the_declared_dependency():
    """The profile URLs are the ones CPG 2.0.0 publishes (the questionnaire one has no hyphen)."""
    p = _checked(CASES["seed"])
    profiles = {json.loads(d).get("meta", {}).get("profile", [None])[0] for d in fhir.export_fhir(p).values()}
    assert fhir.CPG + "cpg-computablequestionnaire" in profiles
    assert all(u is None or u.startswith("http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-") for u in profiles)


def test_package_names():
    p = _checked(CASES["seed"])
    assert fhir.default_package_name(p) == "pathway.facet-joint-pain"
    assert fhir.check_package_name("org.example.back-pain") == "org.example.back-pain"
    for bad in ("single", "Org.example", "org..x", "org.9x", "org.ex ample", "@scope/org.x", "org.x.", ""):
        with pytest.raises(fhir.PackageNameError):
            fhir.check_package_name(bad)
    with pytest.raises(fhir.PackageNameError):
        fhir.export_folder(p, package_name="Not A Name")
    named = json.loads(fhir.export_folder(p, package_name="org.example.back-pain")["package/package.json"])
    assert named["name"] == "org.example.back-pain"


def test_the_tarball_holds_the_package_folder_and_is_deterministic():
    p = _checked(CASES["seed"])
    folder = fhir.export_folder(p)
    a = fhir.package_tarball(folder)
    assert a == fhir.package_tarball(fhir.export_folder(_checked(CASES["seed"])))
    assert a[4:8] == b"\0\0\0\0"  # no date in the gzip header
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(a))) as tar:
        members = tar.getmembers()
        assert [m.name for m in members] == sorted(k for k in folder if k.startswith("package/"))
        for m in members:
            assert (m.mtime, m.uid, m.gid, m.mode) == (0, 0, 0, 0o644) and m.isfile()
            f = tar.extractfile(m)
            assert f is not None and f.read() == folder[m.name]


def test_export_fhir_writes_the_package_folder(tmp_path, monkeypatch, capsys):
    shutil.copy(REPO / "pathway.yaml", tmp_path / "pathway.yaml")
    monkeypatch.chdir(tmp_path)
    assert main(["export", "fhir", "--package-name", "org.example.back-pain"]) == 0
    p = _checked(tmp_path / "pathway.yaml")
    expected = fhir.export_folder(p, package_name="org.example.back-pain")
    written = {f.relative_to(tmp_path / "fhir").as_posix(): f.read_bytes()
               for f in (tmp_path / "fhir").rglob("*") if f.is_file() and f.name != ".pathway-manifest.json"}
    assert written == expected
    before = dict(written)
    assert main(["export", "fhir", "-o", "other", "--package-name", "Bad Name"]) == 2
    assert "--package-name" in capsys.readouterr().err and not (tmp_path / "other").exists()
    assert {f.relative_to(tmp_path / "fhir").as_posix(): f.read_bytes() for f in (tmp_path / "fhir").rglob("*")
            if f.is_file() and f.name != ".pathway-manifest.json"} == before
