"""Targets: --runtime / --arch / --target, and targets inferred from a layer's layout and ELF members.

Layers are real zips or folders built at test time; ELF members are tiny C programs compiled
with gcc (x86_64) and aarch64-linux-gnu-gcc (arm64). A missing compiler skips those tests,
except in CI (CI=true), where it fails them. The reference date is always pinned.
"""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import AS_OF
from coldwarm import lint
from layer_lint.report import LayerReport
from layer_lint.targets import UsageError
from layers import EXEC_MODE, Manifest, build, write_folder, zip_tool

DAY = AS_OF.isoformat()
BOTH = {"x86_64", "arm64"}

# Families' runtimes not deprecated on AS_OF (2026-11-28), from data/runtimes.json:
# python3.10 was deprecated 2026-10-31, python3.11 runs to 2027-06-30;
# nodejs20.x was deprecated 2026-04-30, nodejs22.x runs to 2027-04-30;
# java8 (2024-01-08) is gone, java8.al2/11/17 run to 2027-06-30 (the *.al2023 variants have no dates);
# ruby3.2 was deprecated 2026-03-31; provided.al2 on 2026-07-31.
CURRENT = {
    "python": {"python3.11", "python3.12", "python3.13", "python3.14"},
    "nodejs": {"nodejs22.x", "nodejs24.x"},
    "java": {"java8.al2", "java11", "java17", "java21", "java25"},
    "ruby": {"ruby3.3", "ruby3.4", "ruby4.0"},
    "provided": {"provided.al2023"},
}


@pytest.fixture(params=["zip", "folder"])
def kind(request) -> str:
    return request.param


def layer_report(path: Path, **kwargs) -> LayerReport:
    kwargs.setdefault("as_of", AS_OF)
    kwargs.setdefault("select", ["LL1"])  # findings asserted here are the path rules'
    report = lint(path, **kwargs)
    [layer] = report.layers
    assert layer.error is None, layer.error
    return layer


def runtimes_of(layer: LayerReport) -> set[str]:
    return {t.target.runtime for t in layer.targets}


def pairs(layer: LayerReport) -> set[tuple[str, str]]:
    return {(t.target.runtime, t.target.arch) for t in layer.targets}


def archs_of(layer: LayerReport) -> set[str]:
    return {t.target.arch for t in layer.targets}


# --- ELF members from real compilers ----------------------------------------------------------

HELLO_C = "int main(void) { return 0; }\n"


def _compile(tmp_path_factory, compiler: str) -> bytes:
    if shutil.which(compiler) is None:
        message = f"{compiler} is not installed (apt-get install {'gcc' if compiler == 'gcc' else 'gcc-aarch64-linux-gnu'})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must have it")
        pytest.skip(message)
    folder = tmp_path_factory.mktemp(compiler)
    source = folder / "hello.c"
    source.write_text(HELLO_C)
    subprocess.run([compiler, "-Os", "-o", str(folder / "hello"), str(source)], check=True, capture_output=True)
    return (folder / "hello").read_bytes()


@pytest.fixture(scope="session")
def elf_x86_64(tmp_path_factory) -> bytes:
    return _compile(tmp_path_factory, "gcc")


@pytest.fixture(scope="session")
def elf_arm64(tmp_path_factory) -> bytes:
    return _compile(tmp_path_factory, "aarch64-linux-gnu-gcc")


def test_compiled_programs_are_what_they_claim(elf_x86_64, elf_arm64):
    # e_machine (bytes 18-19, little-endian): 62 is x86-64, 183 is AArch64.
    assert elf_x86_64[:4] == b"\x7fELF" and int.from_bytes(elf_x86_64[18:20], "little") == 62
    assert elf_arm64[:4] == b"\x7fELF" and int.from_bytes(elf_arm64[18:20], "little") == 183


# --- explicit targets ---------------------------------------------------------------------


def test_runtime_without_arch_means_all_its_architectures(tmp_path):
    layer = layer_report(build(tmp_path, "zip", {"python/six.py": "x"}), runtimes=["python3.12"])
    assert pairs(layer) == {("python3.12", "x86_64"), ("python3.12", "arm64")}
    assert all(not t.inferred and t.reason == "--runtime python3.12" for t in layer.targets)
    # python3.7 never ran on arm64: its only target is x86_64, and nothing is "skipped".
    report = lint(build(tmp_path, "folder", {"python/six.py": "x"}), runtimes=["python3.7"], as_of=AS_OF)
    assert pairs(report.layers[0]) == {("python3.7", "x86_64")}
    assert report.skipped_targets == []


def test_runtime_and_arch_make_a_product(tmp_path):
    layer = layer_report(
        build(tmp_path, "zip", {"python/six.py": "x"}), runtimes=["python3.12", "python3.13"], archs=["arm64"]
    )
    assert pairs(layer) == {("python3.12", "arm64"), ("python3.13", "arm64")}
    assert {t.reason for t in layer.targets} == {"--runtime python3.12 --arch arm64", "--runtime python3.13 --arch arm64"}


def test_impossible_pairs_are_skipped_and_reported_in_json(tmp_path, cli):
    path = build(tmp_path, "zip", {"python/six.py": "x"})
    result = cli(
        "--runtime", "python3.7", "--runtime", "python3.12", "--arch", "x86_64", "--arch", "arm64",
        path, "--format", "json", "--as-of", DAY, "--select", "LL1",
    )  # fmt: skip
    document = result.json()
    targets = {(t["runtime"], t["arch"]) for t in document["layers"][0]["targets"]}
    assert targets == {("python3.7", "x86_64"), ("python3.12", "x86_64"), ("python3.12", "arm64")}
    [skipped] = document["skipped_targets"]
    assert (skipped["runtime"], skipped["arch"]) == ("python3.7", "arm64")
    assert "x86_64" in skipped["reason"]
    # python3.7 is deprecated on AS_OF: the warning is there, and warnings do not fail the run.
    assert [f["code"] for f in document["layers"][0]["findings"]] == ["LL105"]
    assert result.code == 0


def test_only_impossible_pairs_is_a_usage_error(tmp_path, cli):
    result = cli("--runtime", "python3.7", "--arch", "arm64", build(tmp_path, "zip", {"python/six.py": "x"}), "--as-of", DAY)
    assert result.code == 2
    assert "python3.7" in result.err and "x86_64" in result.err


def test_target_pair(tmp_path, cli):
    path = build(tmp_path, "zip", {"python/six.py": "x"})
    layer = layer_report(path, targets=["python3.12/arm64"])
    assert pairs(layer) == {("python3.12", "arm64")}
    assert layer.targets[0].reason == "--target python3.12/arm64" and not layer.targets[0].inferred
    assert cli("--target", "python3.7/arm64", path, "--as-of", DAY).code == 2
    assert cli("--target", "python3.12", path, "--as-of", DAY).code == 2  # not RUNTIME/ARCH


def test_duplicate_targets_collapse(tmp_path):
    layer = layer_report(
        build(tmp_path, "zip", {"python/six.py": "x"}), runtimes=["python3.12", "python3.12"], targets=["python3.12/arm64"]
    )
    assert pairs(layer) == {("python3.12", "x86_64"), ("python3.12", "arm64")}


def test_unknown_runtime_suggests_close_names(tmp_path, cli):
    path = build(tmp_path, "zip", {"python/six.py": "x"})
    result = cli("--runtime", "python3.21", path, "--as-of", DAY)
    assert result.code == 2
    assert "unknown runtime 'python3.21'" in result.err and "did you mean" in result.err and "python3.12" in result.err
    assert result.out == ""
    with pytest.raises(UsageError, match="did you mean.*nodejs22.x"):
        lint(path, runtimes=["nodejs22"], as_of=AS_OF)


def test_container_only_runtime_is_a_usage_error(tmp_path, cli):
    result = cli("--runtime", "dotnet9", build(tmp_path, "zip", {"python/six.py": "x"}), "--as-of", DAY)
    assert result.code == 2
    assert "dotnet9" in result.err and "container" in result.err


def test_unknown_architecture_is_a_usage_error(tmp_path, cli):
    path = build(tmp_path, "zip", {"python/six.py": "x"})
    result = cli("--runtime", "python3.12", "--arch", "aarch64", path, "--as-of", DAY)
    assert result.code == 2 and "did you mean arm64?" in result.err  # the CLI's message, not argparse's list of choices
    assert "did you mean x86_64?" in cli("--arch", "amd64", path, "--as-of", DAY).err
    with pytest.raises(UsageError, match="did you mean arm64"):
        lint(path, runtimes=["python3.12"], archs=["aarch64"], as_of=AS_OF)


# --- inferred targets: runtimes from the layout ---------------------------------------------


@pytest.mark.parametrize(
    "manifest, runtime, folder",
    [
        ({"python/lib/python3.12/site-packages/six.py": "x"}, "python3.12", "python/lib/python3.12/site-packages/"),
        ({"nodejs/node22/node_modules/a/package.json": "{}"}, "nodejs22.x", "nodejs/node22/node_modules/"),
        ({"ruby/gems/3.3.0/specifications/rake-13.1.0.gemspec": ""}, "ruby3.3", "ruby/gems/3.3.0/"),
        # A versioned folder names its runtime even when that runtime is deprecated (LL105 then says so).
        ({"python/lib/python3.9/site-packages/six.py": "x"}, "python3.9", "python/lib/python3.9/site-packages/"),
    ],
    ids=["python", "nodejs", "ruby", "deprecated"],
)
def test_versioned_folder_names_its_runtime(tmp_path, kind, manifest, runtime, folder):
    layer = layer_report(build(tmp_path, kind, manifest))
    assert runtimes_of(layer) == {runtime}
    assert archs_of(layer) == BOTH  # no ELF member: both architectures
    assert all(t.inferred and folder in t.reason for t in layer.targets)


def test_multi_version_layer_names_each_version(tmp_path, kind):
    manifest = {
        "python/lib/python3.11/site-packages/six.py": "x",
        "python/lib/python3.12/site-packages/six.py": "x",
        "python/lib/python3.13/site-packages/six.py": "x",
    }
    layer = layer_report(build(tmp_path, kind, manifest))
    assert runtimes_of(layer) == {"python3.11", "python3.12", "python3.13"}
    assert {f.severity for f in layer.findings} == {"info"}  # each runtime has its own folder


@pytest.mark.parametrize(
    "manifest, family, folder",
    [
        ({"python/requests/__init__.py": "x"}, "python", "python/"),
        ({"nodejs/node_modules/left-pad/package.json": "{}"}, "nodejs", "nodejs/node_modules/"),
        ({"java/lib/guava-33.0.jar": b"PK\x03\x04"}, "java", "java/lib/"),
        ({"ruby/lib/helper.rb": "puts 1"}, "ruby", "ruby/lib/"),
    ],
    ids=["python", "nodejs", "java", "ruby"],
)
def test_version_less_content_names_the_familys_current_runtimes(tmp_path, kind, manifest, family, folder):
    layer = layer_report(build(tmp_path, kind, manifest))
    assert runtimes_of(layer) == CURRENT[family]
    for target in layer.targets:
        assert target.inferred
        assert folder in target.reason and DAY in target.reason
    assert layer.findings == []


def test_version_less_inference_follows_as_of(tmp_path, kind):
    path = build(tmp_path, kind, {"python/requests/__init__.py": "x"})
    # On 2027-07-01 python3.11 (deprecated 2027-06-30) is no longer named.
    assert runtimes_of(layer_report(path, as_of=datetime.date(2027, 7, 1))) == {"python3.12", "python3.13", "python3.14"}
    # On 2026-10-01 python3.10 (deprecated 2026-10-31) still is.
    assert "python3.10" in runtimes_of(layer_report(path, as_of=datetime.date(2026, 10, 1)))


def test_misplaced_code_still_names_its_family(tmp_path, kind):
    # requests/ at the root: Python code, so Python runtimes, so LL101 can say "move it under python/".
    layer = layer_report(build(tmp_path, kind, {"requests/__init__.py": "x"}))
    assert runtimes_of(layer) == CURRENT["python"]
    assert "requests" in layer.targets[0].reason
    assert {f.code for f in layer.findings} == {"LL101"}


@pytest.mark.parametrize(
    "manifest",
    [
        {"bin/jq": ("x", EXEC_MODE)},
        {"lib/libjq.so.1": "x"},
        {"extensions/my-extension": ("#!/bin/sh\n", EXEC_MODE)},
        {"bootstrap": ("#!/bin/sh\n", EXEC_MODE)},
    ],
    ids=["bin", "lib", "extensions", "bootstrap"],
)
def test_only_common_folders_names_the_current_provided_runtimes(tmp_path, kind, manifest):
    layer = layer_report(build(tmp_path, kind, manifest))
    assert runtimes_of(layer) == CURRENT["provided"]
    assert all(t.inferred and "bin/" in t.reason for t in layer.targets)
    assert layer.findings == []
    # Before provided.al2's deprecation (2026-07-31) both custom runtimes are current.
    earlier = layer_report(build(tmp_path / "earlier", kind, manifest), as_of=datetime.date(2026, 7, 1))
    assert runtimes_of(earlier) == {"provided.al2", "provided.al2023"}


def test_data_only_layer(tmp_path, kind):
    layer = layer_report(build(tmp_path, kind, {"data/words.txt": "a\nb\n", "config.yaml": "a: 1\n"}))
    # No language and no common folder: the OS-only runtimes, which any function's layer data can serve.
    assert runtimes_of(layer) == CURRENT["provided"]
    assert all(t.inferred and "no runtime-specific folders" in t.reason for t in layer.targets)
    assert "LL101" not in {f.code for f in layer.findings}
    assert {f.severity for f in layer.findings} == {"info"}


def test_several_families_in_one_layer(tmp_path, kind):
    manifest = {"python/lib/python3.12/site-packages/six.py": "x", "nodejs/node_modules/a/package.json": "{}"}
    layer = layer_report(build(tmp_path, kind, manifest))
    assert runtimes_of(layer) == {"python3.12"} | CURRENT["nodejs"]
    assert layer.findings == []


def test_inferred_targets_in_json(tmp_path, kind, cli):
    path = build(tmp_path, kind, {"nodejs/node22/node_modules/a/package.json": "{}"})
    result = cli(path, "--format", "json", "--as-of", DAY, "--select", "LL1")
    assert result.code == 0
    targets = result.json()["layers"][0]["targets"]
    assert {(t["runtime"], t["arch"]) for t in targets} == {("nodejs22.x", "x86_64"), ("nodejs22.x", "arm64")}
    assert all(t["inferred"] is True and "nodejs/node22/node_modules/" in t["reason"] for t in targets)


def test_explicit_targets_are_not_inferred_even_when_the_layout_says_otherwise(tmp_path, kind):
    layer = layer_report(build(tmp_path, kind, {"python/lib/python3.9/site-packages/six.py": "x"}), runtimes=["python3.12"])
    assert runtimes_of(layer) == {"python3.12"}
    assert not any(t.inferred for t in layer.targets)


def test_arch_flag_alone_narrows_inferred_targets(tmp_path, kind):
    layer = layer_report(build(tmp_path, kind, {"python/six.py": "x"}), archs=["arm64"])
    assert runtimes_of(layer) == CURRENT["python"]
    assert archs_of(layer) == {"arm64"}


# --- inferred targets: architectures from ELF members -----------------------------------------


def test_arch_from_an_x86_64_executable(tmp_path, kind, elf_x86_64):
    layer = layer_report(build(tmp_path, kind, {"bin/hello": (elf_x86_64, EXEC_MODE)}))
    assert pairs(layer) == {(runtime, "x86_64") for runtime in CURRENT["provided"]}
    assert all("x86_64 from ELF bin/hello" in t.reason for t in layer.targets)


def test_arch_from_an_arm64_executable(tmp_path, kind, elf_arm64):
    layer = layer_report(build(tmp_path, kind, {"bin/hello": (elf_arm64, EXEC_MODE)}))
    assert pairs(layer) == {(runtime, "arm64") for runtime in CURRENT["provided"]}
    assert all("arm64 from ELF bin/hello" in t.reason for t in layer.targets)


def test_arch_from_elf_of_both_kinds(tmp_path, kind, elf_x86_64, elf_arm64):
    manifest = {"bin/hello-x86": (elf_x86_64, EXEC_MODE), "bin/hello-arm": (elf_arm64, EXEC_MODE)}
    layer = layer_report(build(tmp_path, kind, manifest))
    assert archs_of(layer) == BOTH
    assert all("x86_64 from ELF bin/hello-x86" in t.reason and "arm64 from ELF bin/hello-arm" in t.reason for t in layer.targets)


def test_arch_from_elf_by_content_not_name(tmp_path, kind, elf_arm64):
    # An extension module named like any other file: the magic bytes decide, not the name.
    manifest = {
        "python/lib/python3.12/site-packages/fast/__init__.py": "x",
        "python/lib/python3.12/site-packages/fast/_speedups": elf_arm64,
    }
    layer = layer_report(build(tmp_path, kind, manifest))
    assert pairs(layer) == {("python3.12", "arm64")}


def test_runtime_without_arch_takes_the_elf_architectures(tmp_path, kind, elf_x86_64):
    path = build(tmp_path, kind, {"bin/hello": (elf_x86_64, EXEC_MODE)})
    layer = layer_report(path, runtimes=["provided.al2023"])
    assert archs_of(layer) == {"x86_64"}  # --runtime without --arch: the architectures of the ELF files
    assert layer.targets[0].reason == "--runtime provided.al2023; x86_64 from ELF bin/hello"
    assert archs_of(layer_report(path, runtimes=["provided.al2023"], archs=["arm64"])) == {"arm64"}  # --arch wins
    assert pairs(layer_report(path, targets=["provided.al2023/arm64"])) == {("provided.al2023", "arm64")}  # so does --target


def test_runtime_without_arch_on_a_layer_without_elf_files_takes_both(tmp_path, kind):
    layer = layer_report(build(tmp_path, kind, {"python/six.py": "x = 1\n"}), runtimes=["python3.12"])
    assert archs_of(layer) == BOTH


def test_runtime_without_arch_whose_runtime_lacks_the_elf_architecture(tmp_path, kind, elf_arm64):
    # python3.7 ran only on x86_64: checked there, so that the arm64 binary shows up as the mistake.
    layer = layer_report(build(tmp_path, kind, {"python/fast.so": elf_arm64}), runtimes=["python3.7", "python3.12"])
    assert pairs(layer) == {("python3.7", "x86_64"), ("python3.12", "arm64")}


def test_wheels_for_a_deprecated_python_name_it(tmp_path, kind):
    # cp39 wheels under python/: python3.9 is deprecated on AS_OF but functions can still be updated.
    wheel = "Wheel-Version: 1.0\nTag: cp39-cp39-manylinux_2_17_x86_64\n"
    layer = layer_report(build(tmp_path, kind, {"python/fast/__init__.py": "", "python/fast-1.0.dist-info/WHEEL": wheel}))
    assert {t.target.runtime for t in layer.targets} == {"python3.9"}
    assert "wheels for cp39" in layer.targets[0].reason


def test_elf_arch_the_named_runtime_lacks(tmp_path, kind, elf_arm64):
    # nodejs/node10/ names nodejs10.x, which only ever ran on x86_64. The arm64 binary is the
    # mistake; the layer is still checked, on x86_64, and the reason says why.
    manifest = {"nodejs/node10/node_modules/a/package.json": "{}", "bin/hello": (elf_arm64, EXEC_MODE)}
    layer = layer_report(build(tmp_path, kind, manifest))
    assert pairs(layer) == {("nodejs10.x", "x86_64")}
    reason = layer.targets[0].reason
    assert "arm64 from ELF bin/hello" in reason and "nodejs10.x runs only on x86_64" in reason


def test_runtime_of_unknown_architectures_gets_both(tmp_path, kind, cli):
    # python3.15 is in the knowledge base without verified architectures: neither can be ruled out.
    path = build(tmp_path, kind, {"python/lib/python3.15/site-packages/six.py": "x"})
    assert pairs(layer_report(path)) == {("python3.15", "x86_64"), ("python3.15", "arm64")}
    result = cli("--runtime", "python3.15", path, "--format", "json", "--as-of", DAY, "--select", "LL1")
    assert result.code == 0
    assert {t["arch"] for t in result.json()["layers"][0]["targets"]} == BOTH
    assert result.json()["layers"][0]["findings"] == []


def test_zip_tool_layer_with_elf(tmp_path, elf_x86_64):
    folder = write_folder(tmp_path / "src", {"python/lib/python3.12/site-packages/fast/_speedups.so": (elf_x86_64, EXEC_MODE)})
    layer = layer_report(zip_tool(tmp_path / "layer.zip", folder))
    assert pairs(layer) == {("python3.12", "x86_64")}
    assert "x86_64 from ELF python/lib/python3.12/site-packages/fast/_speedups.so" in layer.targets[0].reason


def test_same_targets_from_zip_and_folder(tmp_path, elf_x86_64):
    manifest: Manifest = {
        "python/requests/__init__.py": "x",
        "nodejs/node20/node_modules/a/package.json": "{}",
        "lib/libhello.so": elf_x86_64,
    }
    as_zip = layer_report(build(tmp_path, "zip", manifest))
    as_folder = layer_report(build(tmp_path, "folder", manifest))
    assert as_zip.targets == as_folder.targets
    assert runtimes_of(as_zip) == CURRENT["python"] | {"nodejs20.x"}
    assert archs_of(as_zip) == {"x86_64"}


def test_a_target_pair_is_kept_beside_the_same_runtime_named_with_runtime(tmp_path, kind, elf_x86_64):
    path = build(tmp_path, kind, {"bin/hello": (elf_x86_64, EXEC_MODE)})
    layer = layer_report(path, runtimes=["provided.al2023"], targets=["provided.al2023/arm64"])
    assert pairs(layer) == {("provided.al2023", "x86_64"), ("provided.al2023", "arm64")}
    assert {t.reason for t in layer.targets if t.target.arch == "arm64"} == {"--target provided.al2023/arm64"}
