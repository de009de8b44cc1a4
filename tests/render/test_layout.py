"""Batched layout: order, unique ids, cache, and clear errors."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from generator.render import layout
from generator.render.layout import LayoutError, prefix_ids, render_svgs, split_documents


def graph(label: str) -> str:
    return f'digraph {{ a [id="node-a", label="{label}", URL="#stage-a"]; a -> b [id="e1"]; }}\n'


def ids(svg: str) -> list[str]:
    return re.findall(r'\sid="([^"]*)"', svg)


@pytest.mark.dot
def test_batch_returns_graphs_in_order_with_unique_ids() -> None:
    labels = [f"Graph {i}" for i in range(5)]
    svgs = render_svgs([graph(x) for x in labels], id_prefixes=[f"p{i}" for i in range(5)])
    assert len(svgs) == 5
    for i, svg in enumerate(svgs):
        assert svg.startswith("<?xml") and svg.rstrip().endswith("</svg>")
        assert f">Graph {i}</text>" in svg
        assert f'id="p{i}-node-a"' in svg  # Graphviz's &#45; written plainly
        assert all(x.startswith(f"p{i}-") for x in ids(svg))
        assert 'xlink:href="#stage-a"' in svg  # links to the page are not renamed
    every = [x for svg in svgs for x in ids(svg)]
    assert len(every) == len(set(every))


@pytest.mark.dot
def test_default_prefixes_are_unique_even_for_identical_graphs() -> None:
    a, b = render_svgs([graph("same"), graph("same")])
    assert set(ids(a)).isdisjoint(ids(b))


@pytest.mark.dot
def test_parallel_split_keeps_order(monkeypatch) -> None:
    monkeypatch.setattr(layout, "MIN_GRAPHS_PER_PROCESS", 2)
    monkeypatch.setattr(layout.os, "cpu_count", lambda: 3)
    calls = []
    real_run = subprocess.run
    monkeypatch.setattr(layout.subprocess, "run", lambda *a, **k: calls.append(a) or real_run(*a, **k))
    svgs = render_svgs([graph(f"G{i}") for i in range(7)])
    assert [re.search(r">(G\d)</text>", s).group(1) for s in svgs] == [f"G{i}" for i in range(7)]
    assert len(calls) == 3


def test_prefix_ids_renames_references_to_defined_ids_only() -> None:
    svg = (
        '<svg><defs><linearGradient id="l&#45;0"/></defs>'
        '<g id="node1"><path fill="url(#l-0)" stroke="url(#elsewhere)"/>'
        '<use xlink:href="#node1"/><a xlink:href="#node1" xlink:title="t">x</a></g></svg>'
    )
    out = prefix_ids(svg, "p")
    assert 'id="p-l-0"' in out and 'id="p-node1"' in out
    assert "url(#p-l-0)" in out and "url(#elsewhere)" in out
    assert '<use xlink:href="#p-node1"/>' in out
    assert '<a xlink:href="#node1"' in out  # an author's link, not an SVG reference


def test_split_documents() -> None:
    out = '<?xml version="1.0"?>\n<svg>1</svg>\n<?xml version="1.0"?>\n<svg>&lt;?xml 2</svg>\n'
    assert split_documents(out) == ['<?xml version="1.0"?>\n<svg>1</svg>\n', '<?xml version="1.0"?>\n<svg>&lt;?xml 2</svg>\n']


def test_bad_prefixes_are_rejected() -> None:
    with pytest.raises(ValueError):
        render_svgs([graph("a"), graph("b")], id_prefixes=["x", "x"])
    with pytest.raises(ValueError):
        render_svgs([graph("a")], id_prefixes=["1bad"])
    with pytest.raises(ValueError):
        render_svgs([graph("a")], id_prefixes=[])


@pytest.mark.dot
def test_cache_hit_does_not_run_dot(tmp_path: Path, monkeypatch) -> None:
    first = render_svgs([graph("cached")], cache_dir=tmp_path, id_prefixes=["c"])
    assert list(tmp_path.glob("*.svg"))

    def boom(*a, **k):
        raise AssertionError("dot was started despite a cache hit")

    monkeypatch.setattr(layout.subprocess, "run", boom)
    monkeypatch.setattr(layout.subprocess, "Popen", boom)
    layout._version_of.cache_clear()  # the on-disk version file must be enough
    assert render_svgs([graph("cached")], cache_dir=tmp_path, id_prefixes=["c"]) == first
    # A different prefix is a different entry: that one needs dot.
    with pytest.raises(AssertionError, match="despite a cache hit"):
        render_svgs([graph("cached")], cache_dir=tmp_path, id_prefixes=["other"])


@pytest.fixture
def own_secret(tmp_path: Path, monkeypatch):
    """A cache key file of this test's own (not the user's ~/.cache/pathway)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    layout.cache_secret.cache_clear()
    yield tmp_path / "xdg" / "pathway" / "layout-cache.key"
    layout.cache_secret.cache_clear()


def count_dot_runs(monkeypatch) -> list[int]:
    runs: list[int] = []
    real = layout._layout_many

    def counting(dot, texts):
        runs.append(len(texts))
        return real(dot, texts)

    monkeypatch.setattr(layout, "_layout_many", counting)
    return runs


@pytest.mark.dot
def test_corrupt_cache_entry_is_ignored_and_replaced(tmp_path: Path, own_secret) -> None:
    cache = tmp_path / "cache"
    first = render_svgs([graph("x")], cache_dir=cache, id_prefixes=["c"])[0]
    (entry,) = cache.glob("*.svg")
    entry.write_bytes(b"<?xml \xff\xfe truncated")
    assert render_svgs([graph("x")], cache_dir=cache, id_prefixes=["c"])[0] == first
    assert entry.read_text(encoding="utf-8").endswith("\n" + first)
    assert not [p.name for p in cache.iterdir() if layout.TMP_INFIX in p.name]  # atomic writes leave nothing


@pytest.mark.dot
@pytest.mark.parametrize("tamper", ["append-script", "replace-svg", "recomputed-plain-hash", "other-machine"])
def test_a_doctored_cache_entry_is_discarded_and_laid_out_again(tmp_path: Path, own_secret, monkeypatch, tamper):
    """An entry committed in a pull request (`git add -f .cache/`) must never reach a page."""
    import hashlib

    cache = tmp_path / "cache"
    first = render_svgs([graph("x")], cache_dir=cache, id_prefixes=["c"])[0]
    (entry,) = cache.glob("*.svg")
    head, svg = entry.read_text(encoding="utf-8").split("\n", 1)
    assert svg == first and own_secret.is_file()
    evil = svg.replace("</svg>", "<script>alert(document.domain)</script></svg>")
    if tamper == "append-script":
        entry.write_text(f"{head}\n{svg}<script>alert(1)</script>", encoding="utf-8")
    elif tamper == "replace-svg":
        entry.write_text(f"{head}\n{evil}", encoding="utf-8")
    elif tamper == "recomputed-plain-hash":  # what an attacker can compute without the secret
        digest = hashlib.sha256(f"{entry.stem}\0{evil}".encode()).hexdigest()
        entry.write_text(f"{layout._ENTRY_HEAD}{digest} -->\n{evil}", encoding="utf-8")
    else:  # a valid entry, but made under another machine's key
        layout.cache_secret.cache_clear()
        own_secret.write_text("11" * 32 + "\n", encoding="ascii")
        layout._cache_put(cache, entry.stem, evil)
        layout.cache_secret.cache_clear()
        own_secret.write_text("22" * 32 + "\n", encoding="ascii")
    runs = count_dot_runs(monkeypatch)
    again = render_svgs([graph("x")], cache_dir=cache, id_prefixes=["c"])[0]
    assert runs == [1], "the doctored entry was used instead of laying the graph out again"
    assert "<script" not in again and "alert" not in again
    assert again == first
    runs.clear()
    assert render_svgs([graph("x")], cache_dir=cache, id_prefixes=["c"])[0] == first
    assert runs == [], "the rewritten entry should be trusted again"


@pytest.mark.dot
def test_cache_entries_are_keyed_by_the_tool_version(tmp_path: Path, own_secret, monkeypatch) -> None:
    cache = tmp_path / "cache"
    render_svgs([graph("v")], cache_dir=cache, id_prefixes=["c"])
    runs = count_dot_runs(monkeypatch)
    render_svgs([graph("v")], cache_dir=cache, id_prefixes=["c"])
    assert runs == []
    monkeypatch.setattr(layout, "__version__", "999.0")
    render_svgs([graph("v")], cache_dir=cache, id_prefixes=["c"])
    assert runs == [1]
    assert len(list(cache.glob("*.svg"))) == 2


@pytest.mark.dot
def test_temporary_files_of_killed_runs_are_removed_from_the_cache(tmp_path: Path, own_secret) -> None:
    import subprocess as sp
    import sys

    cache = tmp_path / "cache"
    cache.mkdir()
    gone = sp.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)  # a process that has exited
    stale = cache / f".abc.svg{layout.TMP_INFIX}{dead_pid}-x1y2"
    live = cache / f".abd.svg{layout.TMP_INFIX}{os.getpid()}-x1y2"  # a run still writing it
    stale.write_text("half an svg")
    live.write_text("being written")
    render_svgs([graph("t")], cache_dir=cache, id_prefixes=["c"])
    assert not stale.exists()
    assert live.exists()


def test_missing_dot_is_a_clear_error(monkeypatch) -> None:
    monkeypatch.setattr(layout.shutil, "which", lambda name: None)
    with pytest.raises(LayoutError) as info:
        render_svgs([graph("a")])
    assert "install the graphviz package (apt-get install graphviz)" in str(info.value)


@pytest.mark.dot
def test_broken_dot_reports_dots_message() -> None:
    with pytest.raises(LayoutError) as info:
        render_svgs([graph("fine"), "digraph { a -> ; }\n", graph("also fine")])
    msg = str(info.value)
    assert "syntax error in line 1" in msg
    assert "digraph { a -> ; }" in msg  # names the graph at fault
    assert "Traceback" not in msg


def test_empty_input_needs_no_dot(monkeypatch) -> None:
    monkeypatch.setattr(layout.shutil, "which", lambda name: None)
    assert render_svgs([]) == []
