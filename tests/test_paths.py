"""The path rules LL101-LL105: does a layer's content sit where its target runtimes look?

Every layer is a real zip or folder built at test time (tests/layers.py); most tests run
over both kinds, since the same content must give the same findings. The reference date is
always pinned (AS_OF), so no verdict depends on today's date. Expected values come from the
runtime facts in data/runtimes.json, spelled out where a test relies on them.
"""

from __future__ import annotations

import datetime
import zipfile
from pathlib import Path
from typing import Optional

import pytest

from conftest import AS_OF
from coldwarm import lint
from layer_lint import Finding
from layer_lint.report import LayerReport
from layers import Manifest, build, write_folder, write_zip, zip_tool
from native import binary

DAY = AS_OF.isoformat()

# A real x86_64 CPython extension module (fixtures/native/); its name, not its build, says cpython-39.
EXTENSION_X86_64 = binary("x86_64/_demo.cpython-311-x86_64-linux-gnu.so")

# python3.11 is deprecated on 2027-06-30: current on AS_OF, deprecated the day after this.
AFTER_PY311 = datetime.date(2027, 7, 1)


@pytest.fixture(params=["zip", "folder"])
def kind(request) -> str:
    return request.param


def check(tmp_path: Path, kind: str, manifest: Manifest, *runtimes: str, as_of: datetime.date = AS_OF) -> LayerReport:
    """Lint one layer with the path rules (LL1xx) for the given runtimes (inferred targets when
    none) and return its report. Other rule groups have their own tests."""
    report = lint(build(tmp_path, kind, manifest), runtimes=runtimes, as_of=as_of, select=["LL1"])
    assert len(report.layers) == 1
    layer = report.layers[0]
    assert layer.error is None, layer.error
    assert not [f for f in layer.findings if f.code == "LL000"], "a rule crashed"
    return layer


def codes(layer: LayerReport) -> list[str]:
    return sorted(f.code for f in layer.findings)


def only(layer: LayerReport, code: str, path: Optional[str] = None) -> Finding:
    """The single finding of `code` (at `path`, when given)."""
    found = [f for f in layer.findings if f.code == code and (path is None or f.path == path)]
    assert len(found) == 1, [(f.code, f.path) for f in layer.findings]
    return found[0]


def target_names(finding: Finding) -> set[str]:
    return {str(target) for target in finding.targets}


# Correct layers, one per family (and versioned folder), with the runtime they are for.
CORRECT = [
    pytest.param(
        {"python/requests/__init__.py": "x = 1\n", "python/requests-2.31.0.dist-info/METADATA": "m"},
        "python3.12",
        id="python-plain",
    ),
    pytest.param({"python/lib/python3.12/site-packages/six.py": "x = 1\n"}, "python3.12", id="python-versioned"),
    pytest.param(
        {"nodejs/node_modules/left-pad/package.json": "{}", "nodejs/node_modules/left-pad/index.js": ""},
        "nodejs22.x",
        id="node-plain",
    ),
    pytest.param({"nodejs/node22/node_modules/left-pad/package.json": "{}"}, "nodejs22.x", id="node-versioned"),
    pytest.param({"java/lib/guava-33.0.jar": b"PK\x03\x04"}, "java21", id="java"),
    pytest.param({"ruby/lib/helper.rb": "puts 1\n"}, "ruby3.3", id="ruby-plain"),
    pytest.param(
        {"ruby/gems/3.3.0/specifications/rake-13.1.0.gemspec": "", "ruby/gems/3.3.0/gems/rake-13.1.0/lib/rake.rb": ""},
        "ruby3.3",
        id="ruby-versioned",
    ),
    pytest.param({"bin/jq": ("x", 0o755), "lib/libjq.so.1": "x", "extensions/ext": ("x", 0o755)}, "provided.al2023", id="provided"),
]


@pytest.mark.parametrize("manifest, runtime", CORRECT)
def test_correct_layer_has_no_findings(tmp_path, kind, manifest, runtime):
    assert check(tmp_path, kind, manifest, runtime).findings == []


@pytest.mark.parametrize("manifest, runtime", CORRECT)
def test_correct_layer_with_inferred_targets_has_no_findings(tmp_path, kind, manifest, runtime):
    layer = check(tmp_path, kind, manifest)
    assert runtime in {t.target.runtime for t in layer.targets}
    assert layer.findings == []


# --- LL101 nothing-on-search-path ---------------------------------------------------------


def test_ll101_python_packages_at_the_zip_root(tmp_path, kind):
    layer = check(
        tmp_path,
        kind,
        {
            "requests/__init__.py": "x = 1\n",
            "requests/api.py": "x = 2\n",
            "requests-2.31.0.dist-info/METADATA": "Name: requests\n",
        },
        "python3.12",
    )
    assert codes(layer) == ["LL101", "LL101"]
    package = only(layer, "LL101", "requests/")
    assert package.severity == "error"
    assert "Python" in package.message and "python3.12" in package.message
    assert "2 files" in package.message
    assert "under python/" in package.fix and "/opt/python/requests/" in package.fix
    assert target_names(package) == {"python3.12/x86_64", "python3.12/arm64"}
    assert package.data["languages"] == ["python"]
    # *.dist-info is package metadata: it counts as Python content too.
    assert "under python/" in only(layer, "LL101", "requests-2.31.0.dist-info/").fix


def test_ll101_single_module_file_at_the_root(tmp_path, kind):
    finding = only(check(tmp_path, kind, {"six.py": "x = 1\n"}, "python3.12"), "LL101")
    assert finding.path == "six.py"  # a file, not a folder: no trailing slash
    assert "/opt/python/six.py" in finding.fix


def test_ll101_node_package_at_the_root(tmp_path, kind):
    layer = check(tmp_path, kind, {"left-pad/package.json": "{}", "left-pad/index.js": ""}, "nodejs22.x")
    finding = only(layer, "LL101", "left-pad/")
    assert finding.severity == "error" and "Node.js" in finding.message
    assert "nodejs/node_modules/" in finding.fix


def test_ll101_java_classes_at_the_root(tmp_path, kind):
    finding = only(check(tmp_path, kind, {"com/example/Util.class": b"\xca\xfe\xba\xbe\x00\x00\x00\x41"}, "java21"), "LL101")
    assert finding.path == "com/" and "Java" in finding.message and "java/lib/" in finding.fix


def test_ll101_ruby_code_at_the_root(tmp_path, kind):
    finding = only(check(tmp_path, kind, {"helpers/util.rb": "puts 1\n"}, "ruby3.3"), "LL101")
    assert finding.path == "helpers/" and "Ruby" in finding.message and "ruby/lib/" in finding.fix


def test_ll101_console_script_in_bin_does_not_make_root_packages_importable(tmp_path, kind):
    # What `pip install --target . requests` leaves: packages at the root plus bin/normalizer.
    layer = check(
        tmp_path,
        kind,
        {
            "bin/normalizer": ("#!/usr/bin/python3\nimport charset_normalizer\n", 0o755),
            "charset_normalizer/__init__.py": "x = 1\n",
            "requests/__init__.py": "x = 1\n",
        },
        "python3.12",
    )
    assert {f.path for f in layer.findings if f.code == "LL101"} == {"charset_normalizer/", "requests/"}
    assert "LL102" not in codes(layer)  # LL101 names these entries; LL102 stays silent on them


def test_ll101_silent_when_some_package_is_on_the_search_path(tmp_path, kind):
    # One package is importable, so the layer is not "nothing on the search path": the stray
    # folder is only an LL102 note.
    layer = check(tmp_path, kind, {"python/six.py": "x = 1\n", "requests/__init__.py": "x = 1\n"}, "python3.12")
    assert codes(layer) == ["LL102"]
    assert only(layer, "LL102").path == "requests/"


def test_ll101_silent_for_packages_in_lib_which_every_runtime_reads(tmp_path, kind):
    layer = check(tmp_path, kind, {"lib/helper.py": "x = 1\n", "requests/__init__.py": "x = 1\n"}, "python3.12")
    assert "LL101" not in codes(layer)
    assert only(layer, "LL102").path == "requests/"


def test_ll101_silent_for_a_data_only_layer(tmp_path, kind):
    layer = check(tmp_path, kind, {"data/model.bin": b"\x00" * 10, "config.yaml": "a: 1\n"}, "python3.12")
    assert codes(layer) == ["LL102", "LL102"]
    assert {f.severity for f in layer.findings} == {"info"}


def test_ll101_node_only_layer_linted_for_python(tmp_path, kind):
    layer = check(tmp_path, kind, {"nodejs/node_modules/left-pad/package.json": "{}"}, "python3.12")
    finding = only(layer, "LL101", "nodejs/")
    assert "Node.js" in finding.message
    assert "Node.js --runtime" in finding.fix and "python/" in finding.fix


def test_ll101_one_finding_per_entry_for_several_runtimes(tmp_path, kind):
    layer = check(tmp_path, kind, {"requests/__init__.py": "x = 1\n"}, "python3.12", "python3.13")
    finding = only(layer, "LL101")
    assert "python3.12" in finding.message and "python3.13" in finding.message
    assert target_names(finding) == {f"python3.{minor}/{arch}" for minor in (12, 13) for arch in ("x86_64", "arm64")}


def test_ll101_another_targets_language_is_not_reported_twice(tmp_path, kind):
    # Linted for Python and Node.js: the python3.9 folder is python3.12's LL103, and the Node
    # packages are read by nodejs22.x; neither is an LL101 for the other runtime.
    manifest = {
        "python/lib/python3.9/site-packages/six.py": "x = 1\n",
        "nodejs/node_modules/left-pad/package.json": "{}",
    }
    layer = check(tmp_path, kind, manifest, "python3.12", "nodejs22.x")
    assert codes(layer) == ["LL103"]
    assert {t.runtime for t in only(layer, "LL103").targets} == {"python3.12"}


def test_ll101_root_python_package_for_python_and_node_targets(tmp_path, kind):
    # Each runtime is judged alone: python3.12 gets "move it under python/"; nodejs22.x, for which
    # the layer holds nothing at all, gets a finding of its own with its own fix.
    layer = check(tmp_path, kind, {"requests/__init__.py": "x = 1\n"}, "python3.12", "nodejs22.x")
    by_runtime = {frozenset(t.runtime for t in f.targets): f for f in layer.findings if f.code == "LL101"}
    assert set(by_runtime) == {frozenset({"python3.12"}), frozenset({"nodejs22.x"})}
    assert "under python/" in by_runtime[frozenset({"python3.12"})].fix
    assert "nodejs/node_modules/" in by_runtime[frozenset({"nodejs22.x"})].fix


# --- LL102 outside-search-path ------------------------------------------------------------


def test_ll102_reports_sizes_and_opt_path(tmp_path, kind):
    layer = check(
        tmp_path,
        kind,
        {
            "python/six.py": "x = 1\n",
            "assets/a.bin": b"\x00" * 1024,
            "assets/b.bin": b"\x00" * 1024,
            "assets/sub/c.bin": b"\x00" * 1024,
            "NOTICE": "hello",
        },
        "python3.12",
    )
    assets = only(layer, "LL102", "assets/")
    assert assets.severity == "info"
    assert "3 files" in assets.message and "3.0 KB" in assets.message
    assert "/opt/assets/" in assets.message
    assert assets.data["files"] == 3 and assets.data["unzipped_bytes"] == 3072
    assert assets.data["opt_path"] == "/opt/assets/"
    notice = only(layer, "LL102", "NOTICE")  # a root file: no trailing slash
    assert "1 file," in notice.message and "5 B" in notice.message and notice.data["opt_path"] == "/opt/NOTICE"


def test_ll102_silent_on_folders_every_runtime_reads(tmp_path, kind):
    layer = check(
        tmp_path,
        kind,
        {
            "python/six.py": "x = 1\n",
            "bin/tool": ("#!/bin/sh\n", 0o755),
            "lib/libz.so.1": "x",
            "extensions/my-ext": ("#!/bin/sh\n", 0o755),
            "bootstrap": ("#!/bin/sh\n", 0o755),
        },
        "python3.12",
    )
    assert layer.findings == []


def test_ll102_silent_on_a_folder_another_target_reads(tmp_path, kind):
    manifest = {"python/six.py": "x = 1\n", "nodejs/node_modules/left-pad/package.json": "{}"}
    assert check(tmp_path, kind, manifest, "python3.12", "nodejs22.x").findings == []
    # Linted for Python alone, nodejs/ is outside every search path.
    assert only(check(tmp_path / "alone", kind, manifest, "python3.12"), "LL102").path == "nodejs/"


# --- LL103 wrong-runtime-version-path ------------------------------------------------------

PY39_NUMPY = {
    "python/lib/python3.9/site-packages/numpy/__init__.py": "x = 1\n",
    "python/lib/python3.9/site-packages/numpy/core/_multiarray_umath.cpython-39-x86_64-linux-gnu.so": EXTENSION_X86_64,
    "python/lib/python3.9/site-packages/numpy-1.26.4.dist-info/METADATA": "Name: numpy\n",
}


def test_acceptance_one_ll103_for_python39_folder_linted_for_python312(tmp_path, kind, cli):
    """The acceptance example: one finding naming the folder, the runtime, the folder to use and the rebuild advice."""
    path = build(tmp_path, kind, PY39_NUMPY)
    text = cli("--runtime", "python3.12", path, "--as-of", DAY)
    assert text.code == 1
    assert text.out.count("LL103") == 1
    assert "python/lib/python3.9/site-packages/" in text.out

    result = cli("--runtime", "python3.12", path, "--format", "json", "--as-of", DAY)
    assert result.code == 1
    findings = result.json()["layers"][0]["findings"]
    assert [f["code"] for f in findings] == ["LL103"]
    finding = findings[0]
    assert finding["severity"] == "error"
    assert finding["path"] == "python/lib/python3.9/site-packages/"
    assert "python3.12" in finding["message"] and "python3.9" in finding["message"]
    assert "3 files" in finding["message"]
    assert "python/lib/python3.12/site-packages/" in finding["fix"]
    # Compiled for CPython 3.9: moving is not enough, it must be rebuilt for 3.12.
    assert "rebuild" in finding["fix"] and "_multiarray_umath" in finding["fix"]
    assert "--python-version 3.12" in finding["fix"] and "numpy==1.26.4" in finding["fix"]
    assert finding["data"]["expected"] == "python/lib/python3.12/site-packages/"
    assert finding["data"]["read_by"] == ["python3.9"]
    # --runtime without --arch: the architecture of the layer's ELF files (numpy's x86_64 module).
    assert {(t["runtime"], t["arch"]) for t in finding["targets"]} == {("python3.12", "x86_64")}


def test_ll103_pure_python_needs_only_a_move(tmp_path, kind):
    manifest = {"python/lib/python3.9/site-packages/requests/__init__.py": "x = 1\n"}
    finding = only(check(tmp_path, kind, manifest, "python3.12"), "LL103")
    assert finding.severity == "error"
    assert "python/lib/python3.12/site-packages/" in finding.fix and "python/" in finding.fix
    assert "rebuild" not in finding.fix
    assert finding.data["compiled"] == []


def test_ll103_arm64_only_rebuild_names_the_arm64_platform(tmp_path, kind):
    layer = lint(build(tmp_path, kind, PY39_NUMPY), targets=["python3.12/arm64"], as_of=AS_OF, select=["LL1"]).layers[0]
    finding = only(layer, "LL103")
    assert "--platform manylinux2014_aarch64" in finding.fix
    assert "manylinux2014_x86_64" not in finding.fix


def test_ll103_node_folder_of_another_version(tmp_path, kind):
    layer = check(tmp_path, kind, {"nodejs/node16/node_modules/left-pad/package.json": "{}"}, "nodejs20.x")
    finding = only(layer, "LL103")
    assert finding.severity == "error" and finding.path == "nodejs/node16/node_modules/"
    assert "nodejs20.x" in finding.message and "nodejs16.x" in finding.message
    assert "nodejs/node20/node_modules/" in finding.fix and "rebuild" not in finding.fix


def test_ll103_node_native_addon_needs_a_rebuild(tmp_path, kind):
    manifest = {
        "nodejs/node16/node_modules/sharp/package.json": "{}",
        "nodejs/node16/node_modules/sharp/build/Release/sharp.node": binary("x86_64/napi.node"),
    }
    finding = only(check(tmp_path, kind, manifest, "nodejs22.x"), "LL103")
    assert "sharp.node" in finding.fix and "npm" in finding.fix and "nodejs/node22/node_modules/" in finding.fix


def test_ll103_ruby_gems_of_another_version(tmp_path, kind):
    manifest = {
        "ruby/gems/2.7.0/specifications/nokogiri-1.15.0.gemspec": "",
        "ruby/gems/2.7.0/gems/nokogiri-1.15.0/lib/nokogiri/nokogiri.so": binary("x86_64/libgood.so"),
    }
    finding = only(check(tmp_path, kind, manifest, "ruby3.3"), "LL103")
    assert finding.severity == "error" and finding.path == "ruby/gems/2.7.0/"
    assert "ruby3.3" in finding.message and "ruby2.7" in finding.message
    assert "ruby/gems/3.3.0/" in finding.fix and "bundle install" in finding.fix


def test_ll103_versioned_folder_no_runtime_reads(tmp_path, kind):
    finding = only(check(tmp_path, kind, {"python/lib/python3.5/site-packages/six.py": "x = 1\n"}, "python3.12"), "LL103")
    assert "no Lambda runtime" in finding.message and finding.data["read_by"] == []


@pytest.mark.parametrize(
    "manifest, runtime, other",
    [
        pytest.param(
            {"python/lib/python3.11/site-packages/six.py": "x = 1\n", "python/lib/python3.12/site-packages/six.py": "x = 1\n"},
            "python3.12",
            "python/lib/python3.11/site-packages/",
            id="python",
        ),
        pytest.param(
            {"nodejs/node20/node_modules/a/package.json": "{}", "nodejs/node22/node_modules/a/package.json": "{}"},
            "nodejs22.x",
            "nodejs/node20/node_modules/",
            id="node",
        ),
        pytest.param(
            {"ruby/gems/3.2.0/specifications/a-1.gemspec": "", "ruby/gems/3.3.0/specifications/a-1.gemspec": ""},
            "ruby3.3",
            "ruby/gems/3.2.0/",
            id="ruby",
        ),
    ],
)
def test_ll103_is_info_in_a_multi_version_layer(tmp_path, kind, manifest, runtime, other):
    finding = only(check(tmp_path, kind, manifest, runtime), "LL103")
    assert finding.path == other
    assert finding.severity == "info"  # the target has its own folder: the other one is for other versions


def test_ll103_multi_version_layer_with_inferred_targets(tmp_path, kind):
    manifest = {"python/lib/python3.11/site-packages/six.py": "x = 1\n", "python/lib/python3.12/site-packages/six.py": "x = 1\n"}
    layer = check(tmp_path, kind, manifest)
    assert {t.target.runtime for t in layer.targets} == {"python3.11", "python3.12"}
    assert codes(layer) == ["LL103", "LL103"]
    assert {f.severity for f in layer.findings} == {"info"}
    by_path = {f.path: f for f in layer.findings}
    assert {t.runtime for t in by_path["python/lib/python3.11/site-packages/"].targets} == {"python3.12"}
    assert {t.runtime for t in by_path["python/lib/python3.12/site-packages/"].targets} == {"python3.11"}


def test_ll103_is_still_an_error_for_a_runtime_without_its_own_folder(tmp_path, kind):
    manifest = {"python/lib/python3.11/site-packages/six.py": "x = 1\n", "python/lib/python3.12/site-packages/six.py": "x = 1\n"}
    layer = check(tmp_path, kind, manifest, "python3.13")
    assert codes(layer) == ["LL103", "LL103"]
    assert {f.severity for f in layer.findings} == {"error"}


def test_ll103_ignores_other_families(tmp_path, kind):
    # A python3.9 folder is Python's business, not Node's: for nodejs22.x the layer holds no
    # Node code in its folders, so it is LL101, not LL103.
    layer = check(tmp_path, kind, {"python/lib/python3.9/site-packages/six.py": "x = 1\n"}, "nodejs22.x")
    assert codes(layer) == ["LL101"]
    assert only(layer, "LL101").path == "python/"


# --- LL104 misnested-folder ----------------------------------------------------------------


@pytest.mark.parametrize(
    "manifest, runtime, path, belongs",
    [
        pytest.param(
            {"python/site-packages/requests/__init__.py": "x"}, "python3.12", "python/site-packages/", "python/", id="python-site-packages"
        ),
        pytest.param(
            {"python/lib/site-packages/requests/__init__.py": "x"},
            "python3.12",
            "python/lib/site-packages/",
            "python/",
            id="python-lib-site-packages",
        ),
        pytest.param({"python/python/requests/__init__.py": "x"}, "python3.12", "python/python/", "python/", id="python-python"),
        pytest.param({"site-packages/requests/__init__.py": "x"}, "python3.12", "site-packages/", "python/", id="root-site-packages"),
        pytest.param(
            {"node_modules/left-pad/package.json": "{}"}, "nodejs22.x", "node_modules/", "nodejs/node_modules/", id="root-node-modules"
        ),
        pytest.param(
            {"nodejs/node_modules/node_modules/left-pad/package.json": "{}"},
            "nodejs22.x",
            "nodejs/node_modules/node_modules/",
            "nodejs/node_modules/",
            id="node-modules-twice",
        ),
        pytest.param({"guava-33.0.jar": b"PK\x03\x04"}, "java21", "guava-33.0.jar", "java/lib/", id="root-jar"),
        pytest.param({"java/guava-33.0.jar": b"PK\x03\x04"}, "java21", "java/guava-33.0.jar", "java/lib/", id="java-jar"),
        pytest.param(
            {"ruby/gems/specifications/rake-13.1.0.gemspec": "", "ruby/gems/gems/rake-13.1.0/lib/rake.rb": ""},
            "ruby3.3",
            "ruby/gems/",
            "ruby/gems/3.3.0/",
            id="ruby-gems-unversioned",
        ),
    ],
)
def test_ll104_misnested(tmp_path, kind, manifest, runtime, path, belongs):
    layer = check(tmp_path, kind, manifest, runtime)
    # One mistake, one finding: no LL101, LL102 or LL103 about the same content.
    assert codes(layer) == ["LL104"]
    finding = only(layer, "LL104")
    assert finding.severity == "error"
    assert finding.path == path
    assert "misnested" in finding.message
    assert belongs in finding.fix and path in finding.fix
    assert {t.runtime for t in finding.targets} == {runtime}


def test_ll104_root_jar_message_says_where(tmp_path, kind):
    layer = check(tmp_path, kind, {"a.jar": b"PK", "java/b.jar": b"PK"}, "java21")
    assert "at the layer root" in only(layer, "LL104", "a.jar").message
    assert "directly in java/" in only(layer, "LL104", "java/b.jar").message


@pytest.mark.parametrize(
    "manifest, runtime",
    [
        # Jars inside a Python or Node package tree belong to that package.
        pytest.param(
            {"python/jpype/__init__.py": "x", "python/jpype/org.jpype.jar": b"PK"}, "python3.12", id="jar-in-python-package"
        ),
        pytest.param(
            {
                "python/lib/python3.12/site-packages/pyspark/__init__.py": "x",
                "python/lib/python3.12/site-packages/pyspark/jars/a.jar": b"PK",
            },
            "python3.12",
            id="jar-in-site-packages",
        ),
        pytest.param(
            {"nodejs/node_modules/pdfbox/package.json": "{}", "nodejs/node_modules/pdfbox/vendor/pdfbox.jar": b"PK"},
            "nodejs22.x",
            id="jar-in-node-package",
        ),
        # Nor is a Node package's own site-packages folder a Python nesting mistake.
        pytest.param(
            {
                "nodejs/node_modules/gyp-tools/package.json": "{}",
                "nodejs/node_modules/gyp-tools/py/site-packages/gyp.py": "x",
            },
            "nodejs22.x",
            id="site-packages-in-node-package",
        ),
        # A package's own dependencies nest node_modules/ legitimately.
        pytest.param(
            {
                "nodejs/node22/node_modules/a/package.json": "{}",
                "nodejs/node22/node_modules/a/node_modules/b/package.json": "{}",
            },
            "nodejs22.x",
            id="nested-dependency",
        ),
    ],
)
def test_ll104_silent(tmp_path, kind, manifest, runtime):
    assert check(tmp_path, kind, manifest, runtime).findings == []


# --- LL105 deprecated-runtime --------------------------------------------------------------

PY311 = {"python/lib/python3.11/site-packages/six.py": "x = 1\n"}


def test_ll105_as_of_decides(tmp_path, kind, cli):
    path = build(tmp_path, kind, PY311)
    before = cli("--runtime", "python3.11", path, "--as-of", "2026-11-28", "--format", "json", "--select", "LL1")
    assert before.code == 0 and before.json()["layers"][0]["findings"] == []

    result = cli("--runtime", "python3.11", path, "--as-of", "2027-07-01", "--format", "json", "--select", "LL1")
    assert result.code == 0  # a warning does not fail the default --fail-on error
    [finding] = result.json()["layers"][0]["findings"]
    assert finding["code"] == "LL105" and finding["severity"] == "warning" and finding["path"] is None
    assert "python3.11" in finding["message"] and "2027-06-30" in finding["message"]
    # Creation (2027-07-31) and update (2027-08-31) blocks are still ahead on 2027-07-01.
    assert "blocked from 2027-07-31" in finding["message"] and "blocked from 2027-08-31" in finding["message"]
    # No stored successor: the newest Python not deprecated then (3.12 to 3.14 all run to 2028-2029).
    assert finding["data"]["successor"] == "python3.14" and "python3.14" in finding["fix"]
    assert finding["data"]["deprecated"] == "2027-06-30"


def test_ll105_past_block_dates_and_stored_successor(tmp_path, kind):
    # python3.8: deprecated 2024-10-14, creation blocked 2027-02-01, updates 2027-03-03; successor python3.13.
    layer = check(tmp_path, kind, {"python/six.py": "x = 1\n"}, "python3.8", as_of=datetime.date(2027, 2, 15))
    finding = only(layer, "LL105")
    assert "deprecated since 2024-10-14" in finding.message
    assert "creation blocked since 2027-02-01" in finding.message and "updates blocked from 2027-03-03" in finding.message
    assert finding.data["successor"] == "python3.13"
    assert target_names(finding) == {"python3.8/x86_64", "python3.8/arm64"}


def test_ll105_fires_for_an_inferred_deprecated_runtime(tmp_path, kind):
    # nodejs/node20/ names nodejs20.x, deprecated 2026-04-30.
    layer = check(tmp_path, kind, {"nodejs/node20/node_modules/a/package.json": "{}"})
    assert {t.target.runtime for t in layer.targets} == {"nodejs20.x"}
    finding = only(layer, "LL105")
    assert "2026-04-30" in finding.message and finding.data["successor"] == "nodejs24.x"


def test_ll105_silent_for_a_current_runtime(tmp_path, kind):
    assert check(tmp_path, kind, PY311, "python3.11").findings == []
    assert check(tmp_path / "b", kind, {"python/six.py": "x"}, "python3.12", as_of=AFTER_PY311).findings == []


def test_ll105_only_for_the_deprecated_one_of_several_targets(tmp_path, kind):
    layer = check(tmp_path, kind, {"python/six.py": "x = 1\n"}, "python3.9", "python3.12")
    finding = only(layer, "LL105")
    assert finding.data["runtime"] == "python3.9" and {t.runtime for t in finding.targets} == {"python3.9"}


# --- precedence: one mistake, one finding --------------------------------------------------


def test_precedence_ll104_over_ll103(tmp_path, kind):
    # python/lib/python3.9/ without site-packages is both misnested and another version's: LL104 only.
    layer = check(tmp_path, kind, {"python/lib/python3.9/requests/__init__.py": "x"}, "python3.12")
    assert codes(layer) == ["LL104"]
    assert only(layer, "LL104").path == "python/lib/python3.9/"


def test_precedence_ll103_over_ll101_and_ll102(tmp_path, kind):
    # Nothing is on python3.12's path, but LL103 already explains it all.
    layer = check(tmp_path, kind, {"python/lib/python3.9/site-packages/requests/__init__.py": "x"}, "python3.12")
    assert codes(layer) == ["LL103"]


def test_precedence_ll101_suppresses_ll102_only_for_its_entries(tmp_path, kind):
    layer = check(tmp_path, kind, {"requests/__init__.py": "x", "data/words.txt": "a\nb\n"}, "python3.12")
    assert codes(layer) == ["LL101", "LL102"]
    assert only(layer, "LL101").path == "requests/"
    assert only(layer, "LL102").path == "data/"


def test_precedence_each_mistake_once_in_a_messy_layer(tmp_path, kind):
    layer = check(
        tmp_path,
        kind,
        {
            "python/site-packages/a/__init__.py": "x",  # LL104
            "python/lib/python3.9/site-packages/b/__init__.py": "x",  # LL103
            "python/c.py": "x",  # fine, so not LL101
            "stray/d.py": "x",  # LL102: something else is importable
            "bin/tool": ("#!/bin/sh\n", 0o755),  # fine
        },
        "python3.12",
    )
    assert sorted((f.code, f.path) for f in layer.findings) == [
        ("LL102", "stray/"),
        ("LL103", "python/lib/python3.9/site-packages/"),
        ("LL104", "python/site-packages/"),
    ]


# --- the same findings from a zip, a folder and Info-ZIP's zip --------------------------------

MESSY = {
    "python/lib/python3.9/site-packages/numpy/core/_m.cpython-39-x86_64-linux-gnu.so": EXTENSION_X86_64,
    "python/site-packages/a/__init__.py": "x",
    "node_modules/left-pad/package.json": "{}",
    "assets/logo.png": b"\x89PNG" + b"\x00" * 100,
    "README.md": "# layer\n",
}


def _comparable(layer: LayerReport) -> list[tuple]:
    return [(f.code, f.severity, f.path, f.message, f.fix, f.targets) for f in layer.findings]


def test_zip_folder_and_zip_tool_give_the_same_findings(tmp_path):
    runtimes = ("python3.12", "nodejs22.x")
    as_zip = check(tmp_path, "zip", MESSY, *runtimes)
    as_folder = check(tmp_path, "folder", MESSY, *runtimes)
    folder = write_folder(tmp_path / "src", MESSY)
    made = lint(zip_tool(tmp_path / "infozip.zip", folder), runtimes=runtimes, as_of=AS_OF, select=["LL1"]).layers[0]
    assert made.error is None
    assert _comparable(as_zip) == _comparable(as_folder) == _comparable(made)
    assert sorted((f.code, f.path) for f in as_zip.findings) == [
        ("LL102", "README.md"),
        ("LL102", "assets/"),
        ("LL103", "python/lib/python3.9/site-packages/"),
        ("LL104", "node_modules/"),
        ("LL104", "python/site-packages/"),
    ]


def test_zip_tool_layer_acceptance(tmp_path, cli):
    folder = write_folder(tmp_path / "src", PY39_NUMPY)
    path = zip_tool(tmp_path / "layer.zip", folder)
    result = cli("--runtime", "python3.12", path, "--format", "json", "--as-of", DAY)
    assert [f["code"] for f in result.json()["layers"][0]["findings"]] == ["LL103"]


def test_dot_parts_in_member_names_unpack_as_without_them(tmp_path):
    # bsdtar (macOS, Windows tar) and some build tools write ./python/x.py; unzip, Python's
    # zipfile and Go's filepath.Join unpack it to python/x.py.
    path = tmp_path / "dot.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in [("./", ""), ("./python/", ""), ("./python/six.py", "x = 1\n"), (".//python/pkg/./__init__.py", "")]:
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o40755 if name.endswith("/") else 0o100644) << 16
            archive.writestr(info, data)
    layer = lint(path, runtimes=["python3.12"], as_of=AS_OF, select=["LL1", "LL4"]).layers[0]
    assert layer.findings == []
    assert layer.files == 2


def test_macos_finder_leftovers_get_their_own_fix(tmp_path):
    path = write_zip(tmp_path / "finder.zip", {"python/six.py": "x = 1\n", "__MACOSX/python/._six.py": "\0\5\26\7", ".DS_Store": "\0\0\0\1Bud1"})
    layer = lint(path, runtimes=["python3.12"], as_of=AS_OF, select=["LL102"]).layers[0]
    fixes = {f.path: f.fix for f in layer.findings}
    assert "zip -d layer.zip '__MACOSX/*'" in fixes["__MACOSX/"] and "'*.DS_Store'" in fixes[".DS_Store"]


def test_ll106_a_layer_without_files(tmp_path):
    empty = tmp_path / "empty.zip"
    zipfile.ZipFile(empty, "w").close()
    folders = tmp_path / "folders.zip"
    with zipfile.ZipFile(folders, "w") as archive:
        archive.writestr("python/", "")
        archive.writestr("python/pkg/", "")
    for path, holds in ((empty, "nothing at all"), (folders, "only 2 folders")):
        (finding,) = lint(path, as_of=AS_OF).layers[0].findings
        assert (finding.code, finding.severity) == ("LL106", "warning") and holds in finding.message
    assert lint(write_zip(tmp_path / "one.zip", {"python/six.py": "x = 1\n"}), as_of=AS_OF, select=["LL106"]).layers[0].findings == []


def test_ll101_names_a_wheel_or_a_root_install_for_what_it_is(tmp_path):
    installed = {"six.py": "x = 1\n", "six-1.17.0.dist-info/METADATA": "Name: six\n", "six-1.17.0.dist-info/RECORD": "six.py,,\n"}
    wheel = write_zip(tmp_path / "six-1.17.0-py2.py3-none-any.whl", installed)
    fixes = {f.fix for f in lint(wheel, runtimes=["python3.12"], as_of=AS_OF, select=["LL101"]).layers[0].findings}
    assert fixes and all("This is a wheel, not a layer" in fix and "pip install --target python six-1.17.0-py2.py3-none-any.whl" in fix for fix in fixes)
    root = write_zip(tmp_path / "layer.zip", installed)
    fixes = {f.fix for f in lint(root, runtimes=["python3.12"], as_of=AS_OF, select=["LL101"]).layers[0].findings}
    assert fixes and all("pip install --target python (not --target .)" in fix for fix in fixes)
    plain = write_zip(tmp_path / "plain.zip", {"six.py": "x = 1\n"})
    assert all("--target" not in f.fix for f in lint(plain, runtimes=["python3.12"], as_of=AS_OF, select=["LL101"]).layers[0].findings)


def test_ll102_a_copied_system_tree_with_native_code_is_a_warning(tmp_path):
    from native import binary

    manifest = {"usr/lib/x86_64-linux-gnu/libgood.so.1": binary("x86_64/libgood.so"), "usr/share/doc/README": "x\n", "assets/a.txt": "a\n"}
    layer = lint(write_zip(tmp_path / "usr.zip", manifest), runtimes=["provided.al2023"], as_of=AS_OF, select=["LL102"]).layers[0]
    found = {f.path: f for f in layer.findings}
    assert found["usr/"].severity == "warning" and "move programs to bin/ and shared libraries" in found["usr/"].fix
    assert found["assets/"].severity == "info"
