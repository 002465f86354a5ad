"""The shortcuts that make per-path facts cheap give what the plain definitions give.

layout.placement tries only the folders of a path's own top-level folder, content_family finds
*.dist-info parents by substring, loading finds a binary's package manifest by walking its
folders, and a Layer answers placement questions from file_facts. Each is checked against the
straightforward version it replaced, on paths hypothesis builds from the words that matter.
"""

from __future__ import annotations

import csv

from typing import Optional

from hypothesis import given, settings
from hypothesis import strategies as st

from layer_lint import layout, loading, packages
from layer_lint.layer import Layer
from layer_lint.source import open_layer
from layers import write_zip

WORDS = [
    "python", "lib", "python3.12", "python3.9", "site-packages", "nodejs", "node18", "node_modules", "java", "ruby",
    "gems", "3.3.0", "bin", "foo", "foo.dist-info", "bar.egg-info", "RECORD", "mod.py", "x.so", "_x.cpython-312-x86_64-linux-gnu.so",
    "a.abi3.so", "package.json", "index.js", "lib.jar", "x.rb", "", "..", "a b", "dist-info", "node",
]
PATHS = st.lists(st.sampled_from(WORDS), min_size=1, max_size=7).map("/".join)


def reference_placement(path: str) -> Optional[layout.Placement]:
    """layout.placement as it was: every folder tried in turn."""
    for family, pattern in layout._VERSIONED:
        match = pattern.match(path)
        if match:
            return layout.Placement(family, match.group(1), match.group(2))
    for family, folder in layout._PLAIN:
        if path.startswith(folder + "/"):
            return layout.Placement(family, folder)
    return None


def reference_content_family(path: str) -> Optional[str]:
    """layout.content_family as it was: each parent folder's name looked at."""
    name = path.rsplit("/", 1)[-1]
    parents = path.split("/")[:-1]
    if name.endswith(layout._PY_SUFFIXES) or any(p.endswith((".dist-info", ".egg-info")) for p in parents):
        return "python"
    if name == "package.json" or name.endswith(layout._NODE_SUFFIXES):
        return "nodejs"
    if name.endswith(layout._JAVA_SUFFIXES):
        return "java"
    if name.endswith(layout._RUBY_SUFFIXES):
        return "ruby"
    if ".so" in name and ".cpython-" in name or name.endswith(".abi3.so"):
        return "python"
    return None


def reference_owning_manifest(path: str, manifests: dict) -> Optional[str]:
    best = None
    for package_dir in manifests:
        if path.startswith(package_dir + "/") and (best is None or len(package_dir) > len(best)):
            best = package_dir
    return best


@settings(max_examples=500)
@given(PATHS)
def test_placement_tries_only_the_top_level_folder(path):
    assert layout.placement(path) == reference_placement(path)


@settings(max_examples=500)
@given(PATHS)
def test_content_family_finds_metadata_folders_by_substring(path):
    assert layout.content_family(path) == reference_content_family(path)


@settings(max_examples=500)
@given(PATHS, st.lists(PATHS, max_size=6))
def test_owning_manifest_walks_the_folders(path, folders):
    manifests = {folder: {} for folder in folders}
    assert loading._owning_manifest(path, manifests) == reference_owning_manifest(path, manifests)


def test_owning_manifest_with_doubled_slashes():
    manifests = {"nodejs/node_modules/": {}, "nodejs/node_modules//x": {}}
    for path in ("nodejs/node_modules//a.node", "nodejs/node_modules//x/b.node", "nodejs/node_modules/c.node"):
        assert loading._owning_manifest(path, manifests) == reference_owning_manifest(path, manifests)


def test_layer_placement_is_layout_placement(tmp_path):
    manifest = {
        "python/lib/python3.12/site-packages/a/__init__.py": "",
        "python/b/__init__.py": "",
        "python/lib/python3.12/b/c.py": "",  # misnested: no import placement
        "nodejs/node_modules/x/index.js": "",
        "bin/tool": "",
        "lib/python3.12/site-packages/d.py": "",
    }
    path = write_zip(tmp_path / "layer.zip", manifest)
    layer = Layer(str(path), open_layer(path))
    for entry in layer.files:
        assert layer.placement(entry.path) == layout.placement(entry.path)
        assert layer.import_placement(entry.path) == packages.layer_placement(entry.path)
    assert layer.placement("python/not/a/member.py") == layout.placement("python/not/a/member.py")
    function = Layer(str(path), open_layer(path), is_function=True)
    assert all(function.import_placement(e.path) == packages.function_placement(e.path) for e in function.files)


def referencerecorded_paths(text: str) -> list[str]:
    """packages.recorded_paths as it was: a csv reader for every line."""
    paths = []
    for line in text.splitlines():
        try:
            row = next(csv.reader([line]), [])
        except csv.Error:
            row = [line.split(",", 1)[0]]
        if row:
            paths.append(row[0])
    return paths


RECORD_TEXT = st.lists(
    st.lists(st.sampled_from(["a/b.py", "sha256=x", "12", "", " ", '"q,uoted"', '"', "\0", "\r", "\n", "x" * 140_000, "é"]), max_size=4).map(",".join),
    max_size=8,
).map("\n".join)


@settings(max_examples=500)
@given(RECORD_TEXT)
def testrecorded_paths_skip_the_csv_reader_only_without_quotes(text):
    assert list(packages.recorded_paths(text)) == referencerecorded_paths(text)


def test_ll406_names_that_fold_together(tmp_path):
    """LL406 groups names equal after NFC and casefold, sorted as before: a set is built only
    for the folded forms more than one name shares."""
    from layer_lint.registry import Context
    from layer_lint.rules.archive import check_duplicate_member
    from layer_lint.runtimes import load_knowledge_base
    import datetime

    names = ["python/Readme.txt", "python/README.txt", "python/readme.TXT", "python/\u00c5.py", "python/A\u030a.py", "python/b.py", "python/a.py"]
    path = write_zip(tmp_path / "layer.zip", {name: "x" for name in names}, dirs=False)
    layer = Layer(str(path), open_layer(path))
    hits = list(check_duplicate_member(layer, Context((), load_knowledge_base(), datetime.date(2026, 11, 28))))
    assert [hit.data["members"] for hit in hits] == [
        ["python/A\u030a.py", "python/\u00c5.py"],
        ["python/README.txt", "python/Readme.txt", "python/readme.TXT"],
    ]
