"""Layers made from real PyPI wheels: the issue's "Done when" checks for the native rules.

Every test here needs PyPI (marked `network`; deselect offline with -m "not network"). Wheels are
pinned by exact file name and sha256 and downloaded once into the test cache (tests/pypi.py);
each layer is the wheel unpacked under python/, as `pip install --target python` leaves it.
"pass" means what the CLI means by it: exit status 0 with the default --fail-on error, all
rules selected.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import AS_OF
from coldwarm import lint
from layer_lint.report import Report
from pypi import Pinned, fetch

pytestmark = pytest.mark.network

NUMPY_226 = "numpy-2.2.6-cp312-cp312-"
WHEELS = {
    "numpy-2.2.6-manylinux2014": Pinned(
        "numpy", "2.2.6", NUMPY_226 + "manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "fd83c01228a688733f1ded5201c678f0c53ecc1006ffbc404db9f7a899ac6249"
    ),
    "numpy-2.2.6-macos": Pinned("numpy", "2.2.6", NUMPY_226 + "macosx_14_0_arm64.whl", "894b3a42502226a1cac872f840030665f33326fc3dac8e57c607905773cdcde3"),
    "numpy-2.2.6-musllinux": Pinned("numpy", "2.2.6", NUMPY_226 + "musllinux_1_2_x86_64.whl", "fe27749d33bb772c80dcd84ae7e8df2adc920ae8297400dabec45f0dedb3f6de"),
    # numpy 2.3 builds for x86_64 only as manylinux_2_28: they need glibc 2.27 or newer.
    "numpy-2.3.1-cp311": Pinned("numpy", "2.3.1", "numpy-2.3.1-cp311-cp311-manylinux_2_28_x86_64.whl", "afed2ce4a84f6b0fc6c1ce734ff368cbf5a5e24e8954a338f3bdffa0718adffb"),
    "numpy-2.3.1-cp312": Pinned("numpy", "2.3.1", "numpy-2.3.1-cp312-cp312-manylinux_2_28_x86_64.whl", "e7cbf5a5eafd8d230a3ce356d892512185230e4781a361229bd902ff403bc660"),
    "setuptools": Pinned("setuptools", "80.9.0", "setuptools-80.9.0-py3-none-any.whl", "062d34222ad13e0cc312a4c02d73f059e86a4acbfbdea8f8f76b28c99f306922"),
}


@pytest.fixture(scope="module")
def layer(tmp_path_factory):
    """The layer zip of a wheel in WHEELS, by key: the wheel's files under python/."""
    made: dict[str, Path] = {}

    def make(key: str) -> Path:
        if key not in made:
            path = tmp_path_factory.mktemp("wheels") / f"{key}.zip"
            with zipfile.ZipFile(fetch(WHEELS[key])) as wheel, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
                for info in wheel.infolist():
                    data = wheel.read(info)
                    info.filename = "python/" + info.filename
                    out.writestr(info, data)
            made[key] = path
        return made[key]

    return make


def run(path: Path, *targets: str) -> Report:
    report = lint(path, targets=targets, as_of=AS_OF)
    assert report.layers[0].error is None
    assert not [f for f in report.layers[0].findings if f.code == "LL000"], "a rule crashed"
    return report


def errors(report: Report) -> dict[str, list[str]]:
    """Error findings by code, with their paths."""
    found: dict[str, list[str]] = {}
    for finding in report.layers[0].findings:
        if finding.severity == "error":
            found.setdefault(finding.code, []).append(finding.path or "")
    return found


def test_numpy_manylinux2014_passes_on_python312_x86_64(layer):
    report = run(layer("numpy-2.2.6-manylinux2014"), "python3.12/x86_64")
    assert report.exit_code() == 0, errors(report)


def test_numpy_manylinux2014_x86_64_fails_ll202_on_arm64(layer):
    report = run(layer("numpy-2.2.6-manylinux2014"), "python3.12/arm64")
    found = errors(report)
    assert "LL202" in found and report.exit_code() == 1
    assert "LL201" not in found and "LL204" not in found
    wrong = next(f for f in report.layers[0].findings if f.code == "LL202")
    assert "ELF for x86_64" in wrong.message and wrong.data["wanted"] == ["arm64"]


def test_numpy_macos_wheel_gives_ll201(layer):
    report = run(layer("numpy-2.2.6-macos"), "python3.12/x86_64", "python3.12/arm64")
    found = errors(report)
    assert "LL201" in found and "LL202" not in found and "LL209" not in found
    finding = next(f for f in report.layers[0].findings if f.code == "LL201")
    assert "Mach-O arm64: built on macOS" in finding.message


def test_numpy_musllinux_wheel_gives_ll204(layer):
    report = run(layer("numpy-2.2.6-musllinux"), "python3.12/x86_64")
    found = errors(report)
    assert "LL204" in found and "LL202" not in found
    # One module needs no library at all, so only its tag says musl: CPython on Lambda does not
    # import a -linux-musl module (LL207). Every other module is one LL204, not an LL207 too.
    assert found.get("LL207") == ["python/numpy/_core/_operand_flag_tests.cpython-312-x86_64-linux-musl.so"]
    finding = next(f for f in report.layers[0].findings if f.code == "LL204")
    assert "libc.musl-x86_64.so.1" in finding.message


def test_numpy_23_manylinux_2_28_fails_ll203_on_python311(layer):
    report = run(layer("numpy-2.3.1-cp311"), "python3.11/x86_64")
    found = errors(report)
    assert "LL203" in found and "LL207" not in found
    finding = next(f for f in report.layers[0].findings if f.code == "LL203")
    assert finding.data["needed"] == "GLIBC_2.27" and finding.data["available"] == "GLIBC_2.26"
    # A cp311 build: python3.12 has the glibc but never imports it, so no runtime is named.
    assert finding.data["loads_on"] == [] and finding.data["symbols"]
    assert "no current runtime that imports this build has that glibc" in finding.message


def test_numpy_23_manylinux_2_28_passes_on_python312(layer):
    report = run(layer("numpy-2.3.1-cp312"), "python3.12/x86_64")
    assert report.exit_code() == 0, errors(report)


@pytest.mark.parametrize("runtime", ["python3.11", "python3.12"])
def test_setuptools_layer_gives_no_error(layer, runtime):
    # setuptools ships Windows launchers (cli-64.exe, gui-arm64.exe, ...): never loaded on Lambda.
    report = run(layer("setuptools"), f"{runtime}/x86_64", f"{runtime}/arm64")
    assert report.exit_code() == 0, errors(report)
    assert not [f for f in report.layers[0].findings if f.code == "LL201"]


def test_ll208_pip_command_runs_against_pypi(layer, tmp_path):
    """The LL208 fix for numpy 2.2.6 (a cp312 wheel) in a python3.11 x86_64 layer is a pip command
    that finds a wheel on PyPI: run as `pip download` into a temporary folder."""
    report = run(layer("numpy-2.2.6-manylinux2014"), "python3.11/x86_64")
    finding = next(f for f in report.layers[0].findings if f.code == "LL208")
    command = shlex.split(finding.fix.split(": ", 1)[1].rstrip("."))
    assert command[:2] == ["pip", "install"] and command[-1] == "numpy==2.2.6"
    target = command.index("--target")
    assert command[target + 1] == "python"
    download = [sys.executable, "-m", "pip", "download", *command[2:target], *command[target + 2 :], "--no-deps", "--dest", str(tmp_path)]
    result = subprocess.run(download, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert [path.name for path in tmp_path.glob("*.whl")] == ["numpy-2.2.6-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"]
