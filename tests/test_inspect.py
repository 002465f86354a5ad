"""layer-lint inspect: the view of a layer and its compatibility matrix, on real layers.

Every layer holds real files: six 1.16.0 from the wheel in the README's example layer, real ELF
programs, libraries, CPython extension modules and Node addons from fixtures/native/ (one test,
marked `network`, uses the real numpy 2.2.6 wheel). The reference date is pinned (AS_OF), and the
expected rows follow from the runtime facts in data/runtimes.json on that day, spelled out below.
"""

from __future__ import annotations

import copy
import datetime
import io
import json
import re
import zipfile
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from rich.console import Console

from conftest import AS_OF
from coldwarm import lint
from layer_lint.inspect import MAX_COMPATIBLE_RUNTIMES, Inspection, LayerView, inspect_layers
from layer_lint.render import text
from layer_lint.runtimes import load_knowledge_base
from layers import EXEC_MODE, build, write_zip
from native import binary
from snippets import readme_snippet

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "fixtures" / "example-layer.zip"
DAY = AS_OF.isoformat()
LIMIT = load_knowledge_base().quotas.unzipped_bytes

# On AS_OF (2026-11-28) no runtime below is create-blocked yet (the deprecated ones are blocked
# from 2027-02-01), so each is a row of the matrix for a layer of its family.
PYTHON = ["python3.8", "python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14"]
NODE = ["nodejs16.x", "nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x"]
JAVA = ["java8.al2", "java11", "java17", "java21", "java25"]
DOTNET = ["dotnet6", "dotnet8", "dotnet10"]
RUBY = ["ruby3.2", "ruby3.3", "ruby3.4", "ruby4.0"]
PROVIDED = ["provided.al2", "provided.al2023"]
# A layer of only bin/ and data is for every family: 26 rows, in the knowledge base's order.
EVERY = NODE + JAVA + PYTHON + DOTNET + RUBY + PROVIDED
# Deprecated on AS_OF (LL105 warns on them): deprecated, but creation is not blocked yet.
DEPRECATED = {"nodejs16.x", "nodejs18.x", "nodejs20.x", "python3.8", "python3.9", "python3.10", "dotnet6", "dotnet8", "ruby3.2", "provided.al2"}

# The 16 current runtimes, newest first: latest deprecation date first, then the higher version.
# 2029-06-30: python3.14, python3.13, provided.al2023, java25, java21; 2029-03-31 ruby4.0;
# 2028-11-14 dotnet10; 2028-10-31 python3.12; 2028-04-30 nodejs24.x; 2028-03-31 ruby3.4;
# 2027-06-30: python3.11, java17, java11, java8.al2; 2027-04-30 nodejs22.x; 2027-03-31 ruby3.3.
CURRENT_NEWEST_FIRST = [
    "python3.14", "python3.13", "provided.al2023", "java25", "java21", "ruby4.0", "dotnet10", "python3.12",
    "nodejs24.x", "ruby3.4", "python3.11", "java17", "java11", "java8.al2", "nodejs22.x", "ruby3.3",
]  # fmt: skip
# The deprecated ones, newest first: dotnet8 2026-11-10, python3.10 2026-10-31, provided.al2 2026-07-31,
# nodejs20.x 2026-04-30, ruby3.2 2026-03-31, python3.9 2025-12-15, nodejs18.x 2025-09-01,
# dotnet6 2024-12-20, python3.8 2024-10-14, nodejs16.x 2024-06-12.
DEPRECATED_NEWEST_FIRST = [
    "dotnet8", "python3.10", "provided.al2", "nodejs20.x", "ruby3.2", "python3.9", "nodejs18.x", "dotnet6", "python3.8", "nodejs16.x",
]  # fmt: skip

OK = ("ok", ())
DEPRECATED_WARNING = ("warning", ("LL105",))
WRONG_ARCH = ("error", ("LL202",))


def _six() -> dict[str, bytes]:
    """six 1.16.0 installed from its py2.py3 wheel (the example layer's files), at python/."""
    site = "python/lib/python3.9/site-packages/"
    with zipfile.ZipFile(EXAMPLE) as archive:
        return {"python/" + name[len(site) :]: archive.read(name) for name in archive.namelist() if name.startswith(site)}


SIX = _six()

# A layer shaped like numpy 2.2.6's cp312 manylinux x86_64 wheel installed at python/: extension
# modules (real x86_64 ELF extension modules from the fixtures, named for CPython 3.12) and a
# dist-info with numpy's own METADATA header and WHEEL file.
_EXTENSION = binary("x86_64/_demo.cpython-311-x86_64-linux-gnu.so")
NUMPY_WHEEL = "Wheel-Version: 1.0\nGenerator: meson\nRoot-Is-Purelib: false\nTag: cp312-cp312-manylinux_2_17_x86_64\nTag: cp312-cp312-manylinux2014_x86_64\n"
NUMPY_LIKE: dict = {
    "python/numpy/__init__.py": "from ._core import *\n",
    "python/numpy/_core/__init__.py": "from . import _multiarray_umath\n",
    "python/numpy/_core/_multiarray_umath.cpython-312-x86_64-linux-gnu.so": _EXTENSION,
    "python/numpy/linalg/_umath_linalg.cpython-312-x86_64-linux-gnu.so": _EXTENSION,
    "python/numpy-2.2.6.dist-info/METADATA": "Metadata-Version: 2.1\nName: numpy\nVersion: 2.2.6\nSummary: Fundamental package for array computing in Python\n\nIt provides:\n",
    "python/numpy-2.2.6.dist-info/WHEEL": NUMPY_WHEEL,
}
NUMPY_LIKE["python/numpy-2.2.6.dist-info/RECORD"] = "".join(f"{name[len('python/'):]},,\n" for name in NUMPY_LIKE) + "numpy-2.2.6.dist-info/RECORD,,\n"

# A Node package whose native addon is a real x86_64 .node built against Node.js 18's ABI
# (NODE_MODULE_VERSION 108), as node-gyp leaves it in build/Release/.
NODE_ADDON = {
    "nodejs/node_modules/x/package.json": '{"name": "x", "version": "1.2.3", "main": "index.js"}',
    "nodejs/node_modules/x/index.js": "module.exports = require('./build/Release/demo.node');\n",
    "nodejs/node_modules/x/build/Release/demo.node": binary("x86_64/demo.node"),
}
# A Node-API addon (loads on every Node.js version) with prebuilds for both architectures.
NODE_NAPI_PREBUILDS = {
    "nodejs/node_modules/y/package.json": '{"name": "y", "version": "2.0.0"}',
    "nodejs/node_modules/y/index.js": "module.exports = require('node-gyp-build')(__dirname);\n",
    "nodejs/node_modules/y/prebuilds/linux-x64/node.napi.node": binary("x86_64/napi.node"),
    "nodejs/node_modules/y/prebuilds/linux-arm64/node.napi.node": binary("arm64/napi.node"),
}
# six plus two x86_64 tools in bin/: `hello` needs GLIBC_2.34 (Amazon Linux 2023 only),
# `hello-old` only GLIBC_2.2.5.
MIXED = {**SIX, "bin/hello": (binary("x86_64/hello"), EXEC_MODE), "bin/hello-old": (binary("x86_64/hello-old"), EXEC_MODE)}
# Only a shell script in bin/ and data: nothing ties it to a family, CPU or glibc.
SCRIPT_AND_DATA = {"bin/report.sh": ("#!/bin/sh\necho ok\n", EXEC_MODE), "data/config.json": '{"level": 1}\n'}
# Only an x86_64 program that runs on every Lambda OS.
PORTABLE_BIN = {"bin/tool": (binary("x86_64/hello-old"), EXEC_MODE)}


@pytest.fixture(params=["zip", "folder"])
def kind(request) -> str:
    return request.param


def view_of(path: Path, *runtimes: str, allow_warnings: bool = False, as_of: datetime.date = AS_OF) -> LayerView:
    inspection = inspect_layers([path], runtimes=runtimes, as_of=as_of, allow_warnings=allow_warnings)
    assert len(inspection.layers) == 1
    view = inspection.layers[0]
    assert view.error is None, view.error
    assert not any("LL000" in cell.codes for cell in view.compatibility), "a rule crashed"
    return view


def matrix(view: LayerView) -> dict[tuple[str, str], tuple[str, tuple[str, ...]]]:
    return {(cell.runtime, cell.arch): (cell.status, cell.codes) for cell in view.compatibility}


def rows(view: LayerView) -> list[str]:
    return list(dict.fromkeys(cell.runtime for cell in view.compatibility))


def expected(runtimes: list[str], x86_64, arm64) -> dict:
    """The matrix for these rows, each column given as one cell for all or a function of the runtime."""
    pick = lambda column, runtime: column(runtime) if callable(column) else column  # noqa: E731
    return {(runtime, arch): pick(column, runtime) for runtime in runtimes for arch, column in (("x86_64", x86_64), ("arm64", arm64))}


def deprecated_warns(runtime: str):
    return DEPRECATED_WARNING if runtime in DEPRECATED else OK


def render(inspection: Inspection, compat_only: bool = False) -> str:
    out = Console(file=io.StringIO(), width=120, color_system=None)
    text.render_inspection(inspection, out, LIMIT, compat_only=compat_only)
    return out.file.getvalue()


def flat(output: str) -> str:
    """The rendered text with every run of whitespace as one space (rich wraps at 120 columns)."""
    return " ".join(output.split())


def row_lines(output: str, runtime: str) -> list[str]:
    """The matrix lines of one runtime (one per layer), whitespace collapsed."""
    return [" ".join(line.split()) for line in output.splitlines() if line.split()[:1] == [runtime]]


def row_line(output: str, runtime: str) -> str:
    lines = row_lines(output, runtime)
    assert len(lines) == 1, output
    return lines[0]


# --- a pure-Python layer -------------------------------------------------------------------------------


def test_pure_python_layer_fits_every_current_python(tmp_path, kind):
    view = view_of(build(tmp_path, kind, SIX))
    assert rows(view) == PYTHON
    assert matrix(view) == expected(PYTHON, deprecated_warns, deprecated_warns)
    assert view.compatible_runtimes == ["python3.14", "python3.13", "python3.12", "python3.11"]
    assert view.left_out == []
    assert view.compatible_architectures == ["x86_64", "arm64"]
    assert view.contents["python_distributions"] == [
        {"name": "six", "version": "1.16.0", "path": "python/six-1.16.0.dist-info/", "tags": ["py2-none-any", "py3-none-any"]}
    ]
    assert view.layout == [{"name": "python/", "files": 6, "unzipped_bytes": view.unzipped_bytes, "runtimes": PYTHON, "note": None}]


def test_allow_warnings_counts_the_deprecated_runtimes_too(tmp_path):
    view = view_of(write_zip(tmp_path / "six.zip", SIX), allow_warnings=True)
    assert view.compatible_runtimes == ["python3.14", "python3.13", "python3.12", "python3.11", "python3.10", "python3.9", "python3.8"]
    assert view.compatible_architectures == ["x86_64", "arm64"]
    # The matrix itself does not change.
    assert matrix(view) == matrix(view_of(write_zip(tmp_path / "again.zip", SIX)))


def test_example_layer_installed_for_python39_fits_only_python39():
    view = view_of(EXAMPLE)
    cells = expected(PYTHON, ("error", ("LL103",)), ("error", ("LL103",)))
    cells.update({("python3.9", "x86_64"): DEPRECATED_WARNING, ("python3.9", "arm64"): DEPRECATED_WARNING})
    assert matrix(view) == cells
    assert view.compatible_runtimes == []
    assert view.compatible_architectures == []
    assert {entry["name"]: entry["runtimes"] for entry in view.layout} == {"python/": PYTHON, "README.md": []}

    lenient = view_of(EXAMPLE, allow_warnings=True)
    assert lenient.compatible_runtimes == ["python3.9"]
    assert lenient.compatible_architectures == ["x86_64", "arm64"]


def test_as_of_drops_the_runtimes_create_blocked_on_that_day(tmp_path):
    # python3.8-3.10 block function creation from 2027-02-01: no longer rows on that day.
    view = view_of(write_zip(tmp_path / "six.zip", SIX), as_of=datetime.date(2027, 2, 1))
    assert rows(view) == ["python3.11", "python3.12", "python3.13", "python3.14"]
    assert view.compatible_runtimes == ["python3.14", "python3.13", "python3.12", "python3.11"]
    # The day before, they are rows (deprecated, so warnings).
    assert rows(view_of(write_zip(tmp_path / "six2.zip", SIX), as_of=datetime.date(2027, 1, 31))) == PYTHON


def test_metadata_gives_the_distribution_name_and_version(tmp_path):
    # Newer wheels name the folder with the normalised name; METADATA keeps the project's spelling.
    layer = write_zip(
        tmp_path / "markupsafe.zip",
        {
            "python/markupsafe/__init__.py": "x = 1\n",
            "python/markupsafe-3.0.2.dist-info/METADATA": "Metadata-Version: 2.1\nName: MarkupSafe\nVersion: 3.0.2\n\nName: not a header\n",
            "python/markupsafe-3.0.2.dist-info/WHEEL": "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        },
    )
    assert view_of(layer).contents["python_distributions"] == [
        {"name": "MarkupSafe", "version": "3.0.2", "path": "python/markupsafe-3.0.2.dist-info/", "tags": ["py3-none-any"]}
    ]


# --- a numpy x86_64 layer ------------------------------------------------------------------------------

# cp312 x86_64 extension modules: python3.12/x86_64 only. The other Pythons cannot import them
# (LL207) nor install the wheel (LL208); arm64 cannot load x86_64 code (LL202).
NUMPY_MATRIX = expected(
    PYTHON,
    lambda runtime: OK if runtime == "python3.12" else ("error", ("LL207", "LL208")),
    ("error", ("LL202", "LL208")),
)


def test_numpy_x86_64_layer_fits_python312_on_x86_64_only(tmp_path, kind):
    view = view_of(build(tmp_path, kind, NUMPY_LIKE))
    assert matrix(view) == NUMPY_MATRIX
    assert view.compatible_runtimes == ["python3.12"]
    assert view.compatible_architectures == ["x86_64"]
    # Warnings do not change that: no other cell is a mere warning.
    assert view_of(build(tmp_path, kind, NUMPY_LIKE, name="again"), allow_warnings=True).compatible_runtimes == ["python3.12"]
    assert view.contents["python_distributions"] == [
        {
            "name": "numpy",
            "version": "2.2.6",
            "path": "python/numpy-2.2.6.dist-info/",
            "tags": ["cp312-cp312-manylinux_2_17_x86_64", "cp312-cp312-manylinux2014_x86_64"],
        }
    ]
    assert [(b.path, b.format, b.arch, b.glibc, b.loaded) for b in view.binaries] == [
        ("python/numpy/_core/_multiarray_umath.cpython-312-x86_64-linux-gnu.so", "elf", "x86_64", "GLIBC_2.2.5", True),
        ("python/numpy/linalg/_umath_linalg.cpython-312-x86_64-linux-gnu.so", "elf", "x86_64", "GLIBC_2.2.5", True),
    ]
    assert [(item.name, item.version) for item in view.sizes] == [("numpy", "2.2.6")]


@pytest.mark.network
def test_real_numpy_wheel_layer_gives_the_same_matrix(tmp_path):
    from pypi import Pinned, fetch

    wheel = fetch(
        Pinned(
            "numpy",
            "2.2.6",
            "numpy-2.2.6-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "fd83c01228a688733f1ded5201c678f0c53ecc1006ffbc404db9f7a899ac6249",
        )
    )
    layer = tmp_path / "numpy.zip"
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(layer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            info.filename = "python/" + info.filename
            out.writestr(info, data)
    view = view_of(layer)
    assert matrix(view) == NUMPY_MATRIX
    assert (view.compatible_runtimes, view.compatible_architectures) == (["python3.12"], ["x86_64"])
    assert [d["name"] for d in view.contents["python_distributions"]] == ["numpy"]
    assert len(view.binaries) > 10 and {(b.format, b.arch) for b in view.binaries} == {("elf", "x86_64")}


# --- Node.js layers with native addons -----------------------------------------------------------------


def test_node_addon_for_node18_on_x86_64(tmp_path, kind):
    view = view_of(build(tmp_path, kind, NODE_ADDON))
    assert rows(view) == NODE
    cells = expected(NODE, ("error", ("LL210",)), ("error", ("LL202", "LL210")))
    # Built for Node.js 18: it loads there, on x86_64, but nodejs18.x is deprecated on AS_OF.
    cells.update({("nodejs18.x", "x86_64"): DEPRECATED_WARNING, ("nodejs18.x", "arm64"): WRONG_ARCH})
    assert matrix(view) == cells
    assert view.compatible_runtimes == [] and view.compatible_architectures == []
    lenient = view_of(build(tmp_path, kind, NODE_ADDON, name="again"), allow_warnings=True)
    assert (lenient.compatible_runtimes, lenient.compatible_architectures) == (["nodejs18.x"], ["x86_64"])
    assert view.contents["node_packages"] == [{"name": "x", "version": "1.2.3", "path": "nodejs/node_modules/x/"}]
    assert [(b.path, b.arch) for b in view.binaries] == [("nodejs/node_modules/x/build/Release/demo.node", "x86_64")]


def test_node_api_addon_with_prebuilds_for_both_architectures(tmp_path):
    view = view_of(write_zip(tmp_path / "y.zip", NODE_NAPI_PREBUILDS))
    assert matrix(view) == expected(NODE, deprecated_warns, deprecated_warns)
    assert view.compatible_runtimes == ["nodejs24.x", "nodejs22.x"]
    assert view.compatible_architectures == ["x86_64", "arm64"]


# --- a mixed layer with bin/ tools ---------------------------------------------------------------------


def test_mixed_layer_with_bin_tools(tmp_path, kind):
    view = view_of(build(tmp_path, kind, MIXED))
    # bin/ is on every runtime's PATH; the Python content decides the family.
    assert rows(view) == PYTHON
    al2 = {"python3.8", "python3.9", "python3.10", "python3.11"}  # glibc 2.26: bin/hello needs GLIBC_2.34
    assert matrix(view) == expected(PYTHON, lambda runtime: ("error", ("LL203",)) if runtime in al2 else OK, WRONG_ARCH)
    assert view.compatible_runtimes == ["python3.14", "python3.13", "python3.12"]
    assert view.compatible_architectures == ["x86_64"]
    assert [entry["name"] for entry in view.layout] == ["bin/", "python/"]
    assert all(entry["runtimes"] == PYTHON for entry in view.layout)
    assert view.contents["executables"] == [{"name": "hello", "path": "bin/hello"}, {"name": "hello-old", "path": "bin/hello-old"}]
    assert {b.path: b.glibc for b in view.binaries} == {"bin/hello": "GLIBC_2.34", "bin/hello-old": "GLIBC_2.2.5"}


def test_other_contents(tmp_path):
    view = view_of(
        write_zip(
            tmp_path / "misc.zip",
            {
                "java/lib/guava-33.0.0-jre.jar": b"PK\x05\x06" + bytes(18),
                "ruby/gems/3.3.0/specifications/rake-13.1.0.gemspec": "# -*- encoding: utf-8 -*-\n",
                "ruby/gems/3.3.0/gems/rake-13.1.0/lib/rake.rb": "module Rake; end\n",
                "extensions/telemetry": (binary("x86_64/hello-old"), EXEC_MODE),
                "bootstrap": (binary("x86_64/hello-old"), EXEC_MODE),
            },
        )
    )
    contents = view.contents
    assert contents["java_jars"] == [{"name": "guava-33.0.0-jre.jar", "path": "java/lib/guava-33.0.0-jre.jar", "unzipped_bytes": 22}]
    assert contents["ruby_gems"] == [{"name": "rake", "version": "13.1.0", "path": "ruby/gems/3.3.0/specifications/rake-13.1.0.gemspec"}]
    assert contents["extensions"] == [{"name": "telemetry", "path": "extensions/telemetry"}]
    assert contents["bootstrap"] == [{"path": "bootstrap"}]
    # Java and Ruby content, and a bootstrap: those families' runtimes (provided.* for the bootstrap).
    assert set(rows(view)) == set(JAVA + RUBY + PROVIDED)
    notes = {entry["name"]: entry["note"] for entry in view.layout}
    assert notes["extensions/"] and "/opt/extensions" in notes["extensions/"]
    assert notes["bootstrap"] and "/opt/bootstrap" in notes["bootstrap"]


# --- a layer for more than 15 runtimes -----------------------------------------------------------------


def test_script_and_data_layer_fits_more_runtimes_than_aws_allows(tmp_path, kind):
    view = view_of(build(tmp_path, kind, SCRIPT_AND_DATA))
    assert rows(view) == EVERY
    assert matrix(view) == expected(EVERY, deprecated_warns, deprecated_warns)
    assert len(view.compatible_runtimes) == MAX_COMPATIBLE_RUNTIMES == 15
    assert view.compatible_runtimes == CURRENT_NEWEST_FIRST[:15]
    assert view.left_out == ["ruby3.3"]
    assert view.compatible_architectures == ["x86_64", "arm64"]


def test_allow_warnings_leaves_out_more(tmp_path):
    view = view_of(write_zip(tmp_path / "tools.zip", SCRIPT_AND_DATA), allow_warnings=True)
    newest_first = CURRENT_NEWEST_FIRST + DEPRECATED_NEWEST_FIRST
    assert view.compatible_runtimes == newest_first[:15]
    assert view.left_out == newest_first[15:]
    assert len(view.left_out) == 26 - 15


def test_portable_x86_64_program_fits_every_runtime_on_x86_64(tmp_path):
    view = view_of(write_zip(tmp_path / "tool.zip", PORTABLE_BIN))
    assert matrix(view) == expected(EVERY, deprecated_warns, WRONG_ARCH)
    assert view.compatible_runtimes == CURRENT_NEWEST_FIRST[:15]
    assert view.left_out == ["ruby3.3"]
    assert view.compatible_architectures == ["x86_64"]


# --- the matrix is the check command's verdicts ----------------------------------------------------------


def test_one_lint_run_per_layer(tmp_path, monkeypatch):
    import layer_lint.inspect as inspect_module

    calls = []
    real = inspect_module.lint_layer

    def counting(layer, targets, *args, **kwargs):
        calls.append(len(targets))
        return real(layer, targets, *args, **kwargs)

    monkeypatch.setattr(inspect_module, "lint_layer", counting)
    inspect_layers([write_zip(tmp_path / "a.zip", SCRIPT_AND_DATA), write_zip(tmp_path / "b.zip", SIX)], as_of=AS_OF)
    # One run per layer over all its cells: 26 runtimes x 2 architectures, 7 x 2.
    assert calls == [52, 14]


@pytest.mark.parametrize("manifest", [MIXED, NODE_ADDON], ids=["mixed", "node-addon"])
def test_each_cell_is_what_check_says_for_that_target(tmp_path, manifest):
    layer = write_zip(tmp_path / "layer.zip", manifest)
    for cell in view_of(layer).compatibility:
        if cell.status in ("unsupported", "unknown"):
            continue
        report = lint(layer, targets=[f"{cell.runtime}/{cell.arch}"], as_of=AS_OF, config=False)
        findings = report.layers[0].findings
        worst = [f for f in findings if f.severity == cell.status]
        assert (cell.status == "ok") == (not report.errors and not report.warnings), cell
        assert cell.status == "ok" or tuple(sorted({f.code for f in worst})) == cell.codes, cell


# --- --runtime rows --------------------------------------------------------------------------------------


def test_runtime_adds_a_row(tmp_path):
    view = view_of(write_zip(tmp_path / "six.zip", SIX), "python3.7", "python3.12")
    # python3.7 is create-blocked on AS_OF (so not a row by itself) and exists on x86_64 only;
    # python3.12 is a row already and is not repeated.
    assert rows(view) == PYTHON + ["python3.7"]
    assert matrix(view)[("python3.7", "x86_64")] == DEPRECATED_WARNING
    assert matrix(view)[("python3.7", "arm64")] == ("unsupported", ())
    assert "python3.7" not in view.compatible_runtimes


def test_a_runtime_whose_architectures_are_unknown_is_unknown_not_unsupported(cli, tmp_path):
    layer = write_zip(tmp_path / "six.zip", SIX)
    view = view_of(layer, "python3.15")  # in botocore's list, with no OS or architectures known yet
    assert matrix(view)[("python3.15", "x86_64")] == matrix(view)[("python3.15", "arm64")] == ("unknown", ())
    assert "python3.15" not in view.compatible_runtimes
    assert view.compatible_architectures == ["x86_64", "arm64"]  # the unknown row takes nothing away
    text = cli("inspect", layer, "--runtime", "python3.15", "--compat", "--as-of", DAY).out
    assert "?: the knowledge base does not know the runtime's architectures" in text


def test_cli_runtime_row_and_unknown_runtime(cli, tmp_path):
    layer = write_zip(tmp_path / "six.zip", SIX)
    result = cli("inspect", layer, "--runtime", "python3.7", "--format", "json", "--as-of", DAY)
    assert result.code == 0, result.err
    cells = result.json()["layers"][0]["compatibility"]
    assert cells[-2:] == [
        {"runtime": "python3.7", "arch": "x86_64", "status": "warning", "codes": ["LL105"]},
        {"runtime": "python3.7", "arch": "arm64", "status": "unsupported", "codes": []},
    ]
    unknown = cli("inspect", layer, "--runtime", "pyhton3.12", "--as-of", DAY)
    assert unknown.code == 2
    assert "unknown runtime 'pyhton3.12'" in unknown.err and "python3.12" in unknown.err


# --- JSON --------------------------------------------------------------------------------------------------

# The keys the issue asks for, plus `error` (as in the check report) and `compatible_runtimes_left_out`.
LAYER_KEYS = [
    "path", "zipped_bytes", "unzipped_bytes", "files", "error", "layout", "contents", "binaries", "sizes",
    "compatibility", "compatible_runtimes", "compatible_runtimes_left_out", "compatible_architectures",
]  # fmt: skip
DETAIL_KEYS = {"layout", "contents", "binaries", "sizes"}


@pytest.fixture(scope="module")
def inspect_schema() -> dict:
    schema = json.loads(files("layer_lint").joinpath("data", "inspect.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def validate(document: dict, schema: dict) -> None:
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)


def test_json_document(cli, tmp_path, inspect_schema):
    layers = [write_zip(tmp_path / "mixed.zip", MIXED), build(tmp_path, "folder", NUMPY_LIKE, name="numpy"), EXAMPLE]
    result = cli("inspect", *layers, "--format", "json", "--as-of", DAY)
    assert result.code == 0 and result.err == ""
    document = result.json()
    validate(document, inspect_schema)
    assert list(document) == ["version", "tool", "as_of", "layers"]
    assert document["version"] == 1 and document["as_of"] == DAY
    assert document["tool"]["name"] == "layer-lint"
    mixed, numpy, example = document["layers"]
    assert all(list(layer) == LAYER_KEYS for layer in document["layers"])
    assert mixed["path"] == str(layers[0]) and mixed["zipped_bytes"] == layers[0].stat().st_size and mixed["files"] == 8
    assert numpy["zipped_bytes"] is None  # a folder
    assert mixed["compatibility"][:2] == [
        {"runtime": "python3.8", "arch": "x86_64", "status": "error", "codes": ["LL203"]},
        {"runtime": "python3.8", "arch": "arm64", "status": "error", "codes": ["LL202"]},
    ]
    assert (mixed["compatible_runtimes"], mixed["compatible_runtimes_left_out"], mixed["compatible_architectures"]) == (
        ["python3.14", "python3.13", "python3.12"],
        [],
        ["x86_64"],
    )
    assert numpy["compatible_runtimes"] == ["python3.12"]
    assert example["compatible_runtimes"] == []
    assert [item["name"] for item in mixed["layout"]] == ["bin/", "python/"]
    assert mixed["contents"]["python_distributions"][0]["name"] == "six"
    assert {binary["path"] for binary in mixed["binaries"]} == {"bin/hello", "bin/hello-old"}
    assert mixed["sizes"][0] == {"name": "six", "kind": "distribution", "version": "1.16.0", "unzipped_bytes": 37959, "files": 6}


def test_json_of_the_many_runtime_layer(cli, tmp_path, inspect_schema):
    result = cli("inspect", write_zip(tmp_path / "tools.zip", SCRIPT_AND_DATA), "--format", "json", "--as-of", DAY, "--allow-warnings")
    assert result.code == 0
    validate(result.json(), inspect_schema)
    layer = result.json()["layers"][0]
    assert len(layer["compatibility"]) == 52
    assert layer["compatible_runtimes"] == (CURRENT_NEWEST_FIRST + DEPRECATED_NEWEST_FIRST)[:15]
    assert len(layer["compatible_runtimes_left_out"]) == 11


def test_compat_json_keeps_the_same_keys_without_the_others(cli, tmp_path, inspect_schema):
    layer = write_zip(tmp_path / "mixed.zip", MIXED)
    full = cli("inspect", layer, "--format", "json", "--as-of", DAY).json()
    compat = cli("inspect", layer, "--format", "json", "--as-of", DAY, "--compat")
    assert compat.code == 0
    validate(compat.json(), inspect_schema)
    assert list(compat.json()) == list(full)
    assert list(compat.json()["layers"][0]) == [key for key in LAYER_KEYS if key not in DETAIL_KEYS]
    trimmed = copy.deepcopy(full)
    for entry in trimmed["layers"]:
        for key in DETAIL_KEYS:
            del entry[key]
    assert compat.json() == trimmed


def test_schema_rejects_what_it_should(inspect_schema, tmp_path):
    document = inspect_layers([write_zip(tmp_path / "six.zip", SIX)], as_of=AS_OF).to_json()
    validate(document, inspect_schema)
    for damage in (
        lambda d: d["layers"][0]["compatibility"][0].update(status="fine"),
        lambda d: d["layers"][0]["compatibility"][0].update(arch="amd64"),
        lambda d: d["layers"][0].pop("compatible_runtimes_left_out"),
        lambda d: d["layers"][0].update(compatible_runtimes=[f"r{i}" for i in range(16)]),
        lambda d: d.update(version=2),
    ):
        broken = copy.deepcopy(document)
        damage(broken)
        with pytest.raises(jsonschema.ValidationError):
            validate(broken, inspect_schema)


def test_schema_ships_with_the_package():
    config = (ROOT / "pyproject.toml").read_text()
    assert 'layer_lint = ["data/*.json"]' in config
    assert (ROOT / "src" / "layer_lint" / "data" / "inspect.schema.json").is_file()


# --- exit codes --------------------------------------------------------------------------------------------


def test_exit_0_even_when_nothing_is_compatible(cli):
    result = cli("inspect", EXAMPLE, "--as-of", DAY)
    assert result.code == 0 and result.err == ""


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_exit_2_for_an_unreadable_layer_and_the_others_still_shown(cli, tmp_path, fmt, inspect_schema):
    good = write_zip(tmp_path / "six.zip", SIX)
    not_zip = tmp_path / "not-a.zip"
    not_zip.write_bytes(b"this is not a zip file\n")
    missing = tmp_path / "missing.zip"
    result = cli("inspect", missing, good, not_zip, "--format", fmt, "--as-of", DAY)
    assert result.code == 2
    assert f"layer-lint: {missing}: " in result.err and f"layer-lint: {not_zip}: not a zip file" in result.err
    if fmt == "json":
        validate(result.json(), inspect_schema)
        first, second, third = result.json()["layers"]
        assert first["error"] and third["error"] and second["error"] is None
        assert first["compatibility"] == [] and first["compatible_runtimes"] == []
        assert second["compatible_runtimes"] == ["python3.14", "python3.13", "python3.12", "python3.11"]
    else:
        assert f"{missing} cannot be read" in flat(result.out)
        assert "--compatible-runtimes python3.14 python3.13 python3.12 python3.11" in flat(result.out)


# --- the terminal view -------------------------------------------------------------------------------------


def test_terminal_view_of_a_mixed_layer(tmp_path):
    layer = write_zip(tmp_path / "mixed.zip", MIXED)
    output = render(inspect_layers([layer], as_of=AS_OF))
    assert "\x1b" not in output
    assert all(len(line) <= 120 for line in output.splitlines())
    words = flat(output)
    # Header: file, sizes, file count and a bar against the 250 MB limit.
    assert re.search(rf"{re.escape(str(layer))} \([\d.]+ KB zipped, 48\.4 KB unzipped, 8 files\) ·+ 0\.0% of 250\.0 MB", words), words
    # Layout, contents, native code, sizes.
    assert "layout bin/ 11.3 KB python3.8, python3.9, python3.10, python3.11, python3.12, python3.13, python3.14" in words
    assert "Python distributions (1) six 1.16.0 [py2-none-any, py3-none-any]" in words
    assert "executables in bin/ (2) hello hello-old" in words
    assert "native code (2 files;" in words
    assert "bin/hello elf x86_64 GLIBC_2.34" in words and "bin/hello-old elf x86_64 GLIBC_2.2.5" in words
    assert "largest (bars: share of the 250.0 MB unzipped limit) six 1.16.0" in words
    # The matrix: a row per runtime, x86_64 then arm64, with the codes behind each failure.
    assert "compatibility runtime x86_64 arm64" in words
    assert row_line(output, "python3.8") == "python3.8 FAIL LL203 FAIL LL202"
    assert row_line(output, "python3.11") == "python3.11 FAIL LL203 FAIL LL202"
    assert row_line(output, "python3.12") == "python3.12 ok FAIL LL202"
    # What to declare, ready to paste.
    assert "aws lambda publish-layer-version ... --compatible-runtimes python3.14 python3.13 python3.12 --compatible-architectures x86_64" in words
    assert "CompatibleRuntimes: [python3.14, python3.13, python3.12]" in output
    assert "CompatibleArchitectures: [x86_64]" in output
    assert "left out" not in words


def test_terminal_view_sections_follow_the_contents(tmp_path):
    numpy = write_zip(tmp_path / "numpy.zip", NUMPY_LIKE)
    node = write_zip(tmp_path / "node.zip", NODE_ADDON)
    many = write_zip(tmp_path / "tools.zip", SCRIPT_AND_DATA)
    output = render(inspect_layers([numpy, many], runtimes=["python3.7"], as_of=AS_OF))
    words = flat(output) + " " + flat(render(inspect_layers([node], as_of=AS_OF)))
    assert "numpy 2.2.6 [cp312-cp312-manylinux_2_17_x86_64, cp312-cp312-manylinux2014_x86_64]" in words
    assert row_lines(output, "python3.12") == ["python3.12 ok FAIL LL202 LL208", "python3.12 ok ok"]
    # python3.7 was asked for: a row in every layer's matrix; no arm64 python3.7 exists.
    assert "python3.7 FAIL LL207 LL208 -" in words
    assert "-: the runtime does not exist on that architecture" in words
    assert "Node packages (1) x 1.2.3" in words
    assert "nodejs18.x warn LL105 FAIL LL202" in words
    assert "no runtime passes cleanly (nodejs18.x only with warnings: --allow-warnings counts them)" in words
    assert "executables in bin/ (1) report.sh" in words
    assert "data/ 13 B on no runtime's search path" in words
    assert "left out (AWS allows 15 runtimes per layer version): ruby3.3" in words
    assert "CompatibleRuntimes: [" + ", ".join(CURRENT_NEWEST_FIRST[:15]) + "]" in words


def test_terminal_view_compat_only(tmp_path):
    inspection = inspect_layers([write_zip(tmp_path / "mixed.zip", MIXED)], as_of=AS_OF)
    words = flat(render(inspection, compat_only=True))
    assert "mixed.zip" in words and "compatibility" in words and "declare when publishing" in words
    for detail in ("layout", "Python distributions", "executables in bin/", "native code", "largest"):
        assert detail not in words


def test_cli_text_and_compat(cli, tmp_path):
    layer = write_zip(tmp_path / "mixed.zip", MIXED)
    full = cli("inspect", layer, "--as-of", DAY)
    compat = cli("inspect", layer, "--as-of", DAY, "--compat")
    assert full.code == compat.code == 0
    assert "layout" in full.out and "layout" not in compat.out
    assert row_line(full.out, "python3.12") == row_line(compat.out, "python3.12") == "python3.12 ok FAIL LL202"
    assert "--compatible-runtimes python3.14 python3.13 python3.12 --compatible-architectures x86_64" in compat.out


def test_cli_allow_warnings(cli):
    strict = cli("inspect", EXAMPLE, "--as-of", DAY, "--compat")
    lenient = cli("inspect", EXAMPLE, "--as-of", DAY, "--compat", "--allow-warnings")
    assert "no runtime passes cleanly" in strict.out and "--compatible-runtimes" not in strict.out
    assert "--compatible-runtimes python3.9 --compatible-architectures x86_64 arm64" in lenient.out


# --- the check command's report, when targets are inferred ---------------------------------------------


def test_check_report_names_the_failed_inferred_targets(cli, tmp_path):
    layer = write_zip(tmp_path / "mixed.zip", MIXED)
    # Inferred: the current Pythons, on x86_64 (from the ELF files); python3.11 runs on Amazon Linux 2.
    inferred = cli(layer, "--as-of", DAY)
    assert inferred.code == 1
    assert "failed targets: python3.11/x86_64 (LL203)" in inferred.out
    # Named targets: the findings say it all.
    named = cli(layer, "--as-of", DAY, "--runtime", "python3.11")
    assert named.code == 1 and "failed targets" not in named.out
    # Nothing failed: no line.
    assert "failed targets" not in cli(write_zip(tmp_path / "six.zip", SIX), "--as-of", DAY).out


# --- the README ------------------------------------------------------------------------------------------


def _readme_json_keys(snippet: str) -> tuple[list[str], list[str], list[str]]:
    document = json.loads(snippet)
    layer = document["layers"][0]
    return list(document), list(layer), list(layer["compatibility"][0])


def test_readme_documents_the_inspect_json_keys(tmp_path):
    top, layer, cell = _readme_json_keys(readme_snippet("inspect-json"))
    inspection = inspect_layers([write_zip(tmp_path / "six.zip", SIX)], as_of=AS_OF)
    document = inspection.to_json()
    assert top == list(document)
    assert layer == list(document["layers"][0]) == LAYER_KEYS
    assert cell == list(document["layers"][0]["compatibility"][0])


def test_readme_inspect_output_is_what_inspect_prints(cli):
    snippet = readme_snippet("inspect-text")
    command, *shown = snippet.strip().splitlines()
    assert command.startswith("$ layer-lint inspect ")
    args = command.split("layer-lint", 1)[1].split()
    result = cli(*[ROOT / arg if arg.startswith("fixtures/") else arg for arg in args], "--as-of", DAY)
    assert result.code == 0
    printed = [line.rstrip() for line in result.out.splitlines()]
    for line in shown:
        # The README shows the file name as written on the command line, so compare what follows it.
        assert any(p.endswith(line.rstrip()) for p in printed), line
