"""A function's layers taken together: --stack and --function, LL304, LL305, LL307, and the
stack's LL302/LL303 on small layers (the 250 MB ones are in test_size.py).

Every layer is a real zip or folder built at test time (tests/layers.py). Positional layers are
independent unless --stack or --function says they are one function's, in merge order. LL305
follows the runtime's search path: /var/task first, then the layer folders in the order
data/runtimes.json gives them (python3.12: python/lib/python3.12/site-packages, then python;
nodejs22.x: nodejs/node22/node_modules, then nodejs/node_modules). The date is always pinned.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Optional, Sequence, Union

import pytest
from jsonschema import Draft202012Validator

from conftest import AS_OF
from coldwarm import run
from layer_lint.engine import Options
from layer_lint.report import STACK, Finding, Report
from layer_lint.targets import TargetRequest
from layers import EXEC_MODE, build, write_folder, write_zip

DAY = AS_OF.isoformat()
SITE = "python/lib/python3.12/site-packages"  # first of python3.12's layer folders
LIMIT = 262_144_000
# 2**-10 of the limit is exactly 256,000 bytes (no float rounding): LL303 at stack scale on small layers.
SHARE = 2**-10
THRESHOLD = 256_000


def lint_stack(
    *paths: Union[Path, str],
    function: Optional[Path] = None,
    stack: bool = True,
    runtimes: Sequence[str] = ("python3.12",),
    select: Sequence[str] = ("LL3",),
    near_limit: float = 0.8,
) -> Report:
    """The engine as the CLI calls it for --stack / --function, with the size rules only."""
    options = Options(
        request=TargetRequest(tuple(runtimes)),
        as_of=AS_OF,
        select=tuple(select),
        stack=stack,
        function=str(function) if function is not None else None,
        near_limit=near_limit,
    )
    report = run([str(path) for path in paths], options)
    assert not [f for f in report.findings if f.code == "LL000"], "a rule crashed"
    assert all(layer.error is None for layer in report.layers)
    return report


def stack_findings(report: Report, code: Optional[str] = None) -> list[Finding]:
    assert report.stack is not None
    return [f for f in report.stack.findings if code is None or f.code == code]


def only(report: Report, code: str) -> Finding:
    found = stack_findings(report, code)
    assert len(found) == 1, [(f.code, f.path, f.message) for f in stack_findings(report)]
    return found[0]


def validate(document: dict, schema: dict) -> None:
    errors = sorted(Draft202012Validator(schema).iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def record(dist: str, *paths: str) -> str:
    """A *.dist-info/RECORD as pip writes it (paths relative to the search folder)."""
    return "".join(f"{path},sha256=AAAA,1\n" for path in paths) + f"{dist}.dist-info/RECORD,,\n"


def python_dist(folder: str, name: str, version: str, body: str) -> dict[str, str]:
    """A Python distribution `name` installed into `folder` ("" for a function's root)."""
    prefix = f"{folder}/" if folder else ""
    dist = f"{name}-{version}"
    return {
        f"{prefix}{name}/__init__.py": body,
        f"{prefix}{dist}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{prefix}{dist}.dist-info/RECORD": record(dist, f"{name}/__init__.py", f"{dist}.dist-info/METADATA"),
    }


def node_package(folder: str, name: str, version: str, body: str) -> dict[str, str]:
    return {
        f"{folder}/{name}/package.json": f'{{"name": "{name}", "version": "{version}", "main": "index.js"}}',
        f"{folder}/{name}/index.js": body,
    }


def extensions(count: int, start: int = 0) -> dict[str, tuple[str, int]]:
    return {f"extensions/ext-{index:02d}": ("#!/bin/sh\nexec sleep 1\n", EXEC_MODE) for index in range(start, start + count)}


def small_layers(tmp_path: Path, count: int) -> list[Path]:
    return [write_zip(tmp_path / f"l{index}.zip", {f"python/mod{index}.py": f"x = {index}\n"}) for index in range(count)]


# --- independent layers, --stack and --function ------------------------------------------------


def test_positional_layers_are_independent_without_stack(tmp_path, cli, report_schema):
    """Six layers, eleven extensions and a shadowed package between them: without --stack no
    stack findings at all, and "stack" is null."""
    layers = [write_zip(tmp_path / "a.zip", {**python_dist(SITE, "requests", "2.28.1", "a"), **extensions(6)})]
    layers.append(write_zip(tmp_path / "b.zip", {**python_dist("python", "requests", "2.31.0", "b"), **extensions(5, start=6)}))
    layers += small_layers(tmp_path, 4)
    result = cli(*layers, "--runtime", "python3.12", "--format", "json", "--as-of", DAY)
    document = result.json()
    validate(document, report_schema)
    assert document["stack"] is None
    assert [layer["path"] for layer in document["layers"]] == [str(path) for path in layers]
    findings = [f for layer in document["layers"] for f in layer["findings"]]
    assert not [f for f in findings if f["layer"] == STACK or f["code"] in ("LL304", "LL305", "LL307")]
    assert result.code == 0, result.out


def test_stack_report_lists_layers_in_order_and_adds_up_sizes(tmp_path, cli, report_schema):
    first, second = (write_zip(tmp_path / "z.zip", {"python/z.py": "z" * 100}), write_zip(tmp_path / "a.zip", {"python/a.py": "a" * 7}))
    result = cli("--stack", first, second, "--runtime", "python3.12", "--format", "json", "--as-of", DAY)
    document = result.json()
    validate(document, report_schema)
    stack = document["stack"]
    assert stack["layers"] == [str(first), str(second)]  # the given order, not sorted
    assert stack["function"] is None
    assert stack["unzipped_bytes"] == 107 == sum(layer["unzipped_bytes"] for layer in document["layers"])
    assert stack["findings"] == []
    assert result.code == 0


@pytest.mark.parametrize("kind", ["zip", "folder"])
def test_function_implies_stack_and_counts_toward_the_total(tmp_path, cli, report_schema, kind):
    function = build(tmp_path, kind, {"app.py": "import requests\n" + "#" * 84}, name="app")  # 100 bytes
    layer = write_zip(tmp_path / "layer.zip", {"python/helper.py": "x" * 50})
    result = cli("--function", function, layer, "--runtime", "python3.12", "--format", "json", "--as-of", DAY)
    document = result.json()
    validate(document, report_schema)
    assert document["stack"]["function"] == str(function)
    assert document["stack"]["layers"] == [str(layer)]
    assert document["stack"]["unzipped_bytes"] == 150
    # The function is not a layer: it gets no layer report of its own.
    assert [entry["path"] for entry in document["layers"]] == [str(layer)]



def test_shadowing_in_json_with_a_function(tmp_path, cli, report_schema):
    versioned = write_zip(tmp_path / "versioned.zip", python_dist(SITE, "requests", "2.28.1", "a"))
    plain = write_zip(tmp_path / "plain.zip", python_dist("python", "requests", "2.31.0", "b"))
    function = write_zip(tmp_path / "app.zip", {**python_dist("", "requests", "2.32.3", "c"), "app.py": "import requests\n"})
    args = ("--function", function, plain, versioned, "--runtime", "python3.12", "--format", "json", "--as-of", DAY)
    result = cli(*args)
    document = result.json()
    validate(document, report_schema)
    (finding,) = document["stack"]["findings"]
    assert (finding["code"], finding["layer"], finding["path"]) == ("LL305", STACK, "requests")
    assert finding["data"]["imported"] == str(function)
    assert document["summary"] == {"errors": 0, "warnings": 1, "infos": 0}
    assert result.code == 0  # a warning: below the default --fail-on error
    assert cli(*args, "--fail-on", "warning").code == 1

def test_missing_function_is_a_usage_error(tmp_path, cli):
    layer = write_zip(tmp_path / "layer.zip", {"python/helper.py": "x"})
    result = cli("--function", tmp_path / "nope.zip", layer, "--as-of", DAY)
    assert result.code == 2
    assert "--function" in result.err and "nope.zip" in result.err


def test_text_report_shows_the_stack(tmp_path, cli):
    layers = small_layers(tmp_path, 6)
    result = cli("--stack", *layers, "--runtime", "python3.12", "--as-of", DAY)
    assert result.code == 1
    assert "stack" in result.out and "6 layers" in result.out
    assert "LL304" in result.out and "too-many-layers" in result.out


# --- LL304 too-many-layers -----------------------------------------------------------------


def test_six_layers_are_too_many(tmp_path):
    layers = small_layers(tmp_path, 6)
    finding = only(lint_stack(*layers), "LL304")
    assert finding.severity == "error"
    assert finding.layer == STACK and finding.path is None
    assert finding.data == {"layers": [str(path) for path in layers], "limit": 5}
    assert "6 layers" in finding.message and "1 more than the 5" in finding.message


def test_five_layers_are_fine(tmp_path):
    assert stack_findings(lint_stack(*small_layers(tmp_path, 5)), "LL304") == []


def test_the_function_is_not_a_layer(tmp_path):
    function = write_folder(tmp_path / "app", {"app.py": "x = 1\n"})
    assert stack_findings(lint_stack(*small_layers(tmp_path, 5), function=function), "LL304") == []


# --- LL307 too-many-extensions ---------------------------------------------------------------


def test_eleven_extensions_across_the_stack(tmp_path):
    a = write_zip(tmp_path / "a.zip", extensions(4))
    b = write_zip(tmp_path / "b.zip", extensions(4, start=4))
    c = write_zip(tmp_path / "c.zip", extensions(3, start=8))
    report = lint_stack(a, b, c, runtimes=("provided.al2023",))
    finding = only(report, "LL307")
    assert finding.severity == "error"
    assert finding.path == "extensions/"
    assert finding.data["limit"] == 10
    assert [item["name"] for item in finding.data["extensions"]] == [f"ext-{index:02d}" for index in range(11)]
    assert {item["layer"] for item in finding.data["extensions"] if item["name"] == "ext-10"} == {str(c)}
    assert "11 extensions" in finding.message and "1 more than the 10" in finding.message
    # No single layer has more than four: the layer reports have nothing to say.
    assert not [f for layer in report.layers for f in layer.findings if f.code == "LL307"]


def test_ten_extensions_are_fine(tmp_path):
    a = write_zip(tmp_path / "a.zip", extensions(6))
    b = write_zip(tmp_path / "b.zip", {**extensions(4, start=6), "extensions/lib/helper.so": "not an extension: in a subfolder"})
    assert stack_findings(lint_stack(a, b, runtimes=("provided.al2023",)), "LL307") == []


def test_an_extension_of_the_same_name_in_two_layers_counts_once(tmp_path):
    """Both land at /opt/extensions/ext-00: one file, one extension."""
    a = write_zip(tmp_path / "a.zip", extensions(10))
    b = write_zip(tmp_path / "b.zip", extensions(1))
    assert stack_findings(lint_stack(a, b, runtimes=("provided.al2023",)), "LL307") == []


# --- LL305 shadowed-package: Python ----------------------------------------------------------


def test_function_shadows_two_layers_with_different_versions(tmp_path):
    plain = write_zip(tmp_path / "plain.zip", python_dist("python", "requests", "2.31.0", "v = 'layer plain'\n"))
    versioned = write_zip(tmp_path / "versioned.zip", python_dist(SITE, "requests", "2.28.1", "v = 'layer versioned'\n"))
    function = write_zip(tmp_path / "app.zip", {**python_dist("", "requests", "2.32.3", "v = 'function'\n"), "app.py": "import requests\n"})
    finding = only(lint_stack(plain, versioned, function=function), "LL305")
    assert finding.severity == "warning"
    assert finding.path == "requests"
    assert {str(target) for target in finding.targets} == {"python3.12/x86_64", "python3.12/arm64"}
    assert finding.data["package"] == "requests"
    assert finding.data["imported"] == str(function)
    # Every copy, in search-path order: /var/task, then site-packages, then python/.
    assert finding.data["copies"] == [
        {"layer": str(function), "path": "requests", "version": "2.32.3"},
        {"layer": str(versioned), "path": f"{SITE}/requests", "version": "2.28.1"},
        {"layer": str(plain), "path": "python/requests", "version": "2.31.0"},
    ]
    message = finding.message
    assert "shipped 3 times" in message
    for part in ("2.32.3 at /var/task/requests", "2.28.1 at /opt/python/lib/python3.12/site-packages/requests", "2.31.0 at /opt/python/requests"):
        assert part in message
    assert f"imports the copy from {function}" in message


@pytest.mark.parametrize("order", ["plain-first", "versioned-first"])
def test_site_packages_comes_before_python_whatever_the_layer_order(tmp_path, order):
    plain = write_zip(tmp_path / "plain.zip", python_dist("python", "requests", "2.31.0", "a"))
    versioned = write_zip(tmp_path / "versioned.zip", python_dist(SITE, "requests", "2.28.1", "b"))
    layers = [plain, versioned] if order == "plain-first" else [versioned, plain]
    finding = only(lint_stack(*layers), "LL305")
    assert finding.path == f"{SITE}/requests"
    assert finding.data["imported"] == str(versioned)
    assert [copy["version"] for copy in finding.data["copies"]] == ["2.28.1", "2.31.0"]
    assert f"imports the copy from {versioned}" in finding.message and "2.28.1" in finding.message and "2.31.0" in finding.message


def test_identical_copies_in_two_layers_are_not_reported(tmp_path):
    manifest = {**python_dist(SITE, "attrs", "23.2.0", "x = 1\n"), f"{SITE}/attrs/_make.py": "def attrs(): pass\n"}
    a = write_zip(tmp_path / "a.zip", manifest)
    b = build(tmp_path, "folder", manifest, name="b")  # a folder: same names, sizes and CRCs
    assert stack_findings(lint_stack(a, b), "LL305") == []



def test_folder_layers_are_compared_by_content_not_only_by_size(tmp_path):
    """A folder has no central directory with CRCs: same-size files that differ must still differ."""
    a = write_folder(tmp_path / "a", {f"{SITE}/attrs/__init__.py": "x = 1\n"})
    b = write_folder(tmp_path / "b", {f"{SITE}/attrs/__init__.py": "x = 2\n"})
    finding = only(lint_stack(a, b), "LL305")
    assert finding.data["differing_files"] == ["attrs/__init__.py"]
    assert "does not document" in finding.message

def test_two_layers_unpacking_to_one_folder_with_different_files(tmp_path):
    common = {f"{SITE}/attrs/__init__.py": "from ._make import attrs\n"}
    a = write_zip(tmp_path / "a.zip", {**common, f"{SITE}/attrs/_make.py": "def attrs(): return 1\n", f"{SITE}/attrs/_old.py": "gone\n"})
    b = write_zip(tmp_path / "b.zip", {**common, f"{SITE}/attrs/_make.py": "def attrs(): return 22\n", f"{SITE}/attrs/_new.py": "new\n"})
    finding = only(lint_stack(a, b), "LL305")
    assert finding.path == f"{SITE}/attrs"
    assert finding.data["imported"] is None
    # Only the path both copies have, with different bytes, is in question; files only one
    # layer has are simply added, and the identical __init__.py is not named.
    assert finding.data["differing_files"] == ["attrs/_make.py"]
    assert "attrs/_make.py" in finding.message and "__init__.py" not in finding.message
    assert "same folder /opt/python/lib/python3.12/site-packages/attrs" in finding.message
    assert "does not document" in finding.message


def test_bytecode_that_differs_is_no_conflict_and_the_list_is_capped(tmp_path):
    # Two layers built on two machines: same sources, .pyc files that differ in their timestamps.
    sources = {f"{SITE}/attrs/__init__.py": "", **{f"{SITE}/attrs/m{i}.py": f"x = {i}\n" for i in range(60)}}
    a = write_zip(tmp_path / "a.zip", {**sources, f"{SITE}/attrs/__pycache__/m0.cpython-312.pyc": b"\x01" * 40})
    b = write_zip(tmp_path / "b.zip", {**sources, f"{SITE}/attrs/__pycache__/m0.cpython-312.pyc": b"\x02" * 40})
    assert stack_findings(lint_stack(a, b), "LL305") == []
    changed = write_zip(tmp_path / "c.zip", {path: text + ("y = 1\n" if "/m" in path else "") for path, text in sources.items()})
    capped = only(lint_stack(a, changed), "LL305")
    assert len(capped.data["differing_files"]) == 50 and capped.data["differing_count"] == 60


def test_same_folder_with_only_added_files_is_a_mix_not_a_conflict(tmp_path):
    common = {f"{SITE}/attrs/__init__.py": "x = 1\n"}
    a = write_zip(tmp_path / "a.zip", common)
    b = write_zip(tmp_path / "b.zip", {**common, f"{SITE}/attrs/extra.py": "y = 2\n"})
    finding = only(lint_stack(a, b), "LL305")
    assert finding.data["differing_files"] == []
    assert "mix" in finding.message and "does not document" not in finding.message


def test_a_package_in_one_layer_only_is_not_shadowed(tmp_path):
    a = write_zip(tmp_path / "a.zip", python_dist(SITE, "requests", "2.31.0", "a"))
    b = write_zip(tmp_path / "b.zip", python_dist(SITE, "urllib3", "2.2.1", "b"))
    assert stack_findings(lint_stack(a, b), "LL305") == []


def test_namespace_package_portions_in_two_layers_are_merged_not_shadowed(tmp_path):
    """google/ without __init__.py is a PEP 420 namespace: Python merges google.protobuf from
    one layer with google.api_core from the other."""
    a = write_zip(tmp_path / "a.zip", {f"{SITE}/google/protobuf/__init__.py": "p\n", f"{SITE}/protobuf-4.25.3.dist-info/RECORD": record("protobuf-4.25.3", "google/protobuf/__init__.py")})
    b = write_zip(tmp_path / "b.zip", {"python/google/api_core/__init__.py": "a\n", "python/google_api_core-2.17.1.dist-info/RECORD": record("google_api_core-2.17.1", "google/api_core/__init__.py")})
    assert stack_findings(lint_stack(a, b), "LL305") == []


def test_the_same_package_inside_a_namespace_is_shadowed(tmp_path):
    a = write_zip(tmp_path / "a.zip", {f"{SITE}/google/protobuf/__init__.py": "new\n", f"{SITE}/protobuf-4.25.3.dist-info/RECORD": record("protobuf-4.25.3", "google/protobuf/__init__.py")})
    b = write_zip(
        tmp_path / "b.zip",
        {
            "python/google/protobuf/__init__.py": "old\n",
            "python/google/api_core/__init__.py": "a\n",
            # Another distribution in the same namespace, listed first: the version of
            # google/protobuf must come from the RECORD that lists it.
            "python/google_api_core-2.17.1.dist-info/RECORD": record("google_api_core-2.17.1", "google/api_core/__init__.py"),
            "python/protobuf-3.20.3.dist-info/RECORD": record("protobuf-3.20.3", "google/protobuf/__init__.py"),
        },
    )
    finding = only(lint_stack(a, b), "LL305")
    assert finding.data["package"] == "google.protobuf"
    assert finding.path == f"{SITE}/google/protobuf"
    assert [(copy["layer"], copy["version"]) for copy in finding.data["copies"]] == [(str(a), "4.25.3"), (str(b), "3.20.3")]
    assert finding.data["imported"] == str(a)


def test_a_regular_package_beats_a_namespace_portion_earlier_on_the_path(tmp_path):
    """Python keeps looking past a namespace portion for a regular package or module."""
    portion = write_zip(tmp_path / "portion.zip", {f"{SITE}/tools/extra.py": "e\n"})
    regular = write_zip(tmp_path / "regular.zip", {"python/tools/__init__.py": "r\n"})
    finding = only(lint_stack(portion, regular), "LL305")
    assert finding.data["imported"] == str(regular)


# --- LL305 shadowed-package: Node -------------------------------------------------------------


def test_node_packages_in_node_modules_of_two_layers(tmp_path):
    a = write_zip(tmp_path / "a.zip", node_package("nodejs/node_modules", "lodash", "4.17.21", "module.exports = 1;\n"))
    b = write_zip(tmp_path / "b.zip", node_package("nodejs/node_modules", "lodash", "4.17.15", "module.exports = 2;\n"))
    finding = only(lint_stack(a, b, runtimes=("nodejs22.x",)), "LL305")
    assert finding.severity == "warning"
    assert finding.path == "nodejs/node_modules/lodash"
    assert {str(target) for target in finding.targets} == {"nodejs22.x/x86_64", "nodejs22.x/arm64"}
    assert sorted(copy["version"] for copy in finding.data["copies"]) == ["4.17.15", "4.17.21"]
    assert finding.data["imported"] is None
    assert set(finding.data["differing_files"]) == {"lodash/index.js", "lodash/package.json"}
    assert "4.17.21" in finding.message and "4.17.15" in finding.message
    assert "does not document" in finding.message


def test_node_versioned_folder_and_function_node_modules_come_first(tmp_path):
    plain = write_zip(tmp_path / "plain.zip", node_package("nodejs/node_modules", "@aws-sdk/client-s3", "3.500.0", "a"))
    versioned = write_zip(tmp_path / "versioned.zip", node_package("nodejs/node22/node_modules", "@aws-sdk/client-s3", "3.400.0", "b"))
    finding = only(lint_stack(plain, versioned, runtimes=("nodejs22.x",)), "LL305")
    assert finding.data["package"] == "@aws-sdk/client-s3"
    assert finding.data["imported"] == str(versioned)
    assert "3.400.0" in finding.message and "3.500.0" in finding.message

    function = write_folder(tmp_path / "app", {**node_package("node_modules", "@aws-sdk/client-s3", "3.600.0", "c"), "index.mjs": "export {}\n"})
    finding = only(lint_stack(plain, versioned, function=function, runtimes=("nodejs22.x",)), "LL305")
    assert finding.data["imported"] == str(function)
    assert [copy["version"] for copy in finding.data["copies"]] == ["3.600.0", "3.400.0", "3.500.0"]
    assert "3.600.0 at /var/task/node_modules/@aws-sdk/client-s3" in finding.message


def test_node_package_of_another_runtime_version_is_not_on_the_path(tmp_path):
    """nodejs/node20/node_modules is not searched by nodejs22.x."""
    a = write_zip(tmp_path / "a.zip", node_package("nodejs/node_modules", "lodash", "4.17.21", "a"))
    b = write_zip(tmp_path / "b.zip", node_package("nodejs/node20/node_modules", "lodash", "4.17.15", "b"))
    assert stack_findings(lint_stack(a, b, runtimes=("nodejs22.x",)), "LL305") == []


# --- the stack's LL302/LL303 on small layers ---------------------------------------------------


@pytest.mark.parametrize(("second", "fires"), [(THRESHOLD // 2, False), (THRESHOLD // 2 + 1, True)])
def test_stack_near_limit_counts_all_layers(tmp_path, second, fires):
    """Two layers of about half the threshold: neither is near the limit alone, together they are
    (past the threshold, not at it: "over" the share)."""
    a = write_zip(tmp_path / "a.zip", {"python/a.bin": b"a" * (THRESHOLD // 2)})
    b = write_zip(tmp_path / "b.zip", {"python/b.bin": b"b" * second})
    report = lint_stack(a, b, near_limit=SHARE)
    assert report.stack.unzipped_bytes == THRESHOLD // 2 + second
    assert not [f for layer in report.layers for f in layer.findings if f.code in ("LL302", "LL303")]
    found = stack_findings(report, "LL303")
    assert stack_findings(report, "LL302") == []
    if not fires:
        assert found == []
        return
    (finding,) = found
    assert finding.severity == "warning" and finding.layer == STACK
    assert finding.data["unzipped_bytes"] == THRESHOLD + 1
    assert finding.data["limit"] == LIMIT
    assert finding.data["headroom"] == LIMIT - THRESHOLD - 1
    assert [item["name"] for item in finding.data["top"]] == [str(b), str(a)]  # largest first
    assert "the stack of 2 layers" in finding.message and f"{THRESHOLD + 1:,} bytes" in finding.message


def test_stack_near_limit_names_the_function(tmp_path):
    function = write_zip(tmp_path / "app.zip", {"app.py": b"#" * (THRESHOLD + 1)})
    layer = write_zip(tmp_path / "layer.zip", {"python/x.py": "x"})
    finding = only(lint_stack(layer, function=function, near_limit=SHARE), "LL303")
    assert "the function with its 1 layer" in finding.message
    assert finding.data["top"][0]["name"] == str(function)
    assert finding.data["unzipped_bytes"] == THRESHOLD + 2


def test_a_stack_of_layers_for_different_pythons_is_checked_for_both(tmp_path):
    # One function runs one runtime: a python3.11 layer and a python3.12 layer cannot both serve it.
    a = write_zip(tmp_path / "a.zip", {"python/lib/python3.11/site-packages/six.py": "x = 1\n"})
    b = write_zip(tmp_path / "b.zip", {"python/lib/python3.12/site-packages/attrs.py": "x = 1\n"})
    report = lint_stack(a, b, runtimes=(), select=("LL1",))
    for layer, other in ((report.layers[0], "python3.12"), (report.layers[1], "python3.11")):
        assert {t.target.runtime for t in layer.targets} == {"python3.11", "python3.12"}
        assert [f.code for f in layer.findings if f.severity == "error"] == ["LL103"]
        assert any(t.target.runtime == other and "in the same stack" in t.reason for t in layer.targets)
    same = lint_stack(a, write_zip(tmp_path / "c.zip", {"python/lib/python3.11/site-packages/attrs.py": "x = 1\n"}), runtimes=(), select=("LL1",))
    assert all({t.target.runtime for t in layer.targets} == {"python3.11"} for layer in same.layers)


def test_a_big_package_shipped_identically_in_two_layers_is_info_with_its_bytes(tmp_path):
    # Its distribution also installed bigpkg.libs/ beside it: that counts too, as in LL302's breakdown.
    record = "bigpkg/__init__.py,,\nbigpkg/data.bin,,\nbigpkg.libs/libx.so,,\nbigpkg-1.0.dist-info/RECORD,,\n"
    big = {
        f"{SITE}/bigpkg/__init__.py": "x = 1\n",
        f"{SITE}/bigpkg/data.bin": random.Random(3).randbytes(1_200_000),
        f"{SITE}/bigpkg.libs/libx.so": random.Random(4).randbytes(500_000),
        f"{SITE}/bigpkg-1.0.dist-info/RECORD": record,
    }
    a = write_zip(tmp_path / "a.zip", big)
    b = write_zip(tmp_path / "b.zip", big)
    finding = only(lint_stack(a, b, select=("LL305",)), "LL305")
    assert finding.severity == "info" and "identical" in finding.message and "for nothing" in finding.message
    assert finding.data["bytes_each"] == 1_200_006 + 500_000 + len(record)
    small = {f"{SITE}/attrs/__init__.py": "x = 1\n"}
    assert stack_findings(lint_stack(write_zip(tmp_path / "c.zip", small), write_zip(tmp_path / "d.zip", small), select=("LL305",)), "LL305") == []


def test_text_report_names_the_stack_for_stack_findings(tmp_path, cli):
    names = [write_zip(tmp_path / f"l{n}.zip", {f"python/pkg{n}/__init__.py": "x = 1\n"}) for n in range(6)]
    out = cli(*names, "--stack", "--runtime", "python3.12", "--as-of", AS_OF.isoformat()).out
    assert "LL304 too-many-layers (stack)" in out and "(6 layers," in out
    function = write_zip(tmp_path / "fn.zip", {"handler.py": "x = 1\n"})
    out = cli(names[0], "--function", function, "--runtime", "python3.12", "--as-of", AS_OF.isoformat()).out
    assert "(1 layer and the function," in out
