"""File rules: LL403 not-world-readable, LL404 not-executable, LL405 unsafe-symlink, LL409 bad-shebang.

Layers are real zips (Python's zipfile with raw create_system / external_attr, Info-ZIP's
`zip -y` for symlinks) and real folders with real permissions and symlinks; the ELF files are
compiled here with gcc. Nothing is mocked.
"""

from __future__ import annotations

import os
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import AS_OF
from findings import lint, of, only
from layers import build, write_folder, write_zip, zip_tool
from native import require

DAY = AS_OF.isoformat()


# --- helpers ----------------------------------------------------------------------------------------------------


def file_rules(findings: list[dict]) -> list[dict]:
    return [f for f in findings if f["code"] in ("LL403", "LL404", "LL405", "LL409")]


def windows_zip(path: Path, manifest: dict[str, bytes]) -> Path:
    """A zip as Windows tools write it: made-by system 0 (MS-DOS), only the archive attribute."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in manifest.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.create_system = 0
            info.external_attr = 0x20
            archive.writestr(info, content)
    return path


@pytest.fixture(params=["zip", "folder"])
def kind(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def elves(tmp_path_factory) -> dict[str, bytes]:
    """Real ELF files from gcc: a PIE program, a non-PIE program and a shared library."""
    require("gcc")
    folder = tmp_path_factory.mktemp("elf")
    (folder / "main.c").write_text("int main(void) { return 0; }\n")
    (folder / "lib.c").write_text("int answer(void) { return 42; }\n")
    subprocess.run(["gcc", "-pie", "-fPIE", "-o", "pie", "main.c"], cwd=folder, check=True)
    subprocess.run(["gcc", "-no-pie", "-o", "nopie", "main.c"], cwd=folder, check=True)
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", "libanswer.so", "lib.c"], cwd=folder, check=True)
    return {name: (folder / name).read_bytes() for name in ("pie", "nopie", "libanswer.so")}


# --- LL403 not-world-readable -----------------------------------------------------------------------------------


def test_ll403_file_without_read_for_others(tmp_path, cli, kind):
    layer = build(tmp_path, kind, {"python/app/__init__.py": "", "python/app/settings.py": ("SECRET = 1\n", 0o600)})
    code, findings = lint(cli, layer)
    assert code == 1
    finding = only(findings, "LL403")
    assert (finding["name"], finding["severity"], finding["path"]) == ("not-world-readable", "error", "python/app/settings.py")
    assert "mode 600" in finding["message"] and "python/app/settings.py" in finding["message"]
    assert finding["data"] == {"members": ["python/app/settings.py"], "modes": ["600"]}


def test_ll403_several_files_are_one_finding_per_top_level_folder(tmp_path, cli, kind):
    manifest = {
        "python/a.py": ("a = 1\n", 0o640),
        "python/b.py": ("b = 1\n", 0o600),
        "python/c.py": "c = 1\n",
        "lib/libx.so.txt": ("x", 0o600),
    }
    _, findings = lint(cli, build(tmp_path, kind, manifest))
    hits = {f["path"]: f for f in of(findings, "LL403")}
    assert set(hits) == {"python/", "lib/libx.so.txt"}
    assert "2 files" in hits["python/"]["message"]
    assert hits["python/"]["data"]["members"] == ["python/a.py", "python/b.py"]
    assert hits["python/"]["data"]["modes"] == ["600", "640"]
    assert all(f["severity"] == "error" for f in hits.values())


def test_ll403_owner_and_group_read_is_not_enough(tmp_path, cli):
    _, findings = lint(cli, write_zip(tmp_path / "l.zip", {"python/a.py": ("a = 1\n", 0o770)}))
    assert only(findings, "LL403")["data"]["modes"] == ["770"]


def test_ll403_folders_are_not_checked(tmp_path, cli):
    path = tmp_path / "l.zip"
    with zipfile.ZipFile(path, "w") as archive:
        folder = zipfile.ZipInfo("python/", date_time=(2024, 1, 1, 0, 0, 0))
        folder.create_system = 3
        folder.external_attr = (stat.S_IFDIR | 0o700) << 16 | 0x10
        archive.writestr(folder, b"")
        info = zipfile.ZipInfo("python/a.py", date_time=(2024, 1, 1, 0, 0, 0))
        info.create_system = 3
        info.external_attr = (stat.S_IFREG | 0o644) << 16
        archive.writestr(info, b"a = 1\n")
    code, findings = lint(cli, path)
    assert code == 0 and findings == []


def test_ll403_zip_without_modes_gets_one_info_finding(tmp_path, cli):
    path = windows_zip(tmp_path / "l.zip", {"python/a.py": b"a = 1\n", "python/b.py": b"b = 1\n"})
    code, findings = lint(cli, path)
    assert code == 0
    finding = only(findings, "LL403")
    assert (finding["severity"], finding["path"]) == ("info", None)
    assert "2 members record no Unix permissions" in finding["message"]
    assert finding["data"]["count"] == 2


def test_ll403_unix_zip_with_mode_zero_counts_as_no_mode(tmp_path, cli):
    path = write_zip(tmp_path / "l.zip", {"python/a.py": "a = 1\n"}, dirs=False)
    # zipfile writes 600 for an external_attr of 0, so the zero goes into the central directory's bytes
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    data[central + 38 : central + 42] = bytes(4)
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as archive:
        assert [(i.create_system, i.external_attr) for i in archive.infolist()] == [(3, 0)]
    _, findings = lint(cli, path)
    assert only(findings, "LL403")["severity"] == "info"


def test_ll403_silent_on_readable_files(tmp_path, cli, kind):
    manifest = {"python/a.py": ("a = 1\n", 0o644), "python/b.py": ("b = 1\n", 0o444), "bin/tool": ("#!/bin/sh\n", 0o755)}
    code, findings = lint(cli, build(tmp_path, kind, manifest))
    assert code == 0 and findings == []


# --- LL404 not-executable ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["bootstrap", "bin/tool", "extensions/my-extension"])
@pytest.mark.parametrize("mode", [0o644, 0o744])
def test_ll404_files_lambda_runs_without_x_for_others(tmp_path, cli, kind, name, mode):
    layer = build(tmp_path, kind, {name: ("#!/bin/sh\necho hi\n", mode), "python/a.py": "a = 1\n"})
    code, findings = lint(cli, layer, runtime="provided.al2023" if name == "bootstrap" else "python3.12")
    assert code == 1
    finding = only(findings, "LL404")
    assert (finding["name"], finding["severity"], finding["path"]) == ("not-executable", "error", name)
    assert f"mode {mode:o}" in finding["message"]
    assert finding["data"]["mode"] == oct(mode)


def test_ll404_zip_without_modes_cannot_hold_an_executable_bootstrap(tmp_path, cli):
    path = windows_zip(tmp_path / "l.zip", {"bootstrap": b"#!/bin/sh\nexec ./app\n", "bin/tool": b"#!/bin/sh\n", "python/a.py": b"a = 1\n"})
    code, findings = lint(cli, path, runtime="provided.al2023")
    assert code == 1
    hits = of(findings, "LL404")
    assert [(f["path"], f["severity"]) for f in hits] == [("bin/tool", "error"), ("bootstrap", "error")]
    assert all("no recorded mode" in f["message"] for f in hits)
    assert all(f["data"]["mode"] is None for f in hits)
    assert only(findings, "LL403")["severity"] == "info"  # and the zip is said to record no modes


def test_ll404_a_bootstrap_runs_only_under_os_only_runtimes(tmp_path, cli, kind):
    layer = build(tmp_path, kind, {"bootstrap": ("#!/bin/sh\nexec ./app\n", 0o644), "python/a.py": "a = 1\n"})
    _, findings = lint(cli, layer)  # python3.12 runs its own runtime, never /opt/bootstrap
    assert of(findings, "LL404") == []
    _, findings = lint(cli, layer, "--runtime", "provided.al2023", "--arch", "x86_64")
    finding = only(findings, "LL404")
    assert finding["severity"] == "error"
    assert finding["targets"] == [{"runtime": "provided.al2023", "arch": "x86_64"}]


def test_ll404_elf_program_elsewhere_without_x_is_a_warning(tmp_path, cli, kind, elves):
    manifest = {
        "python/pkg/__init__.py": "",
        "python/pkg/bin/helper": (elves["pie"], 0o644),
        "python/pkg/bin/static-helper": (elves["nopie"], 0o444),
    }
    code, findings = lint(cli, build(tmp_path, kind, manifest), "--fail-on", "warning")
    hits = {f["path"]: f for f in of(findings, "LL404")}
    assert set(hits) == {"python/pkg/bin/helper", "python/pkg/bin/static-helper"}
    assert all(f["severity"] == "warning" for f in hits.values())
    assert "ELF program" in hits["python/pkg/bin/helper"]["message"]
    assert code == 1


def test_ll404_shared_library_without_x_is_fine(tmp_path, cli, kind, elves):
    manifest = {"python/pkg/__init__.py": "", "python/pkg/_native.so": (elves["libanswer.so"], 0o644), "lib/libanswer.so": (elves["libanswer.so"], 0o644)}
    _, findings = lint(cli, build(tmp_path, kind, manifest))
    assert of(findings, "LL404") == []


def test_ll404_executable_elf_and_scripts_are_fine(tmp_path, cli, kind, elves):
    manifest = {
        "bootstrap": ("#!/bin/sh\nexec /opt/bin/app\n", 0o755),
        "bin/app": (elves["pie"], 0o755),
        "extensions/ext": (elves["nopie"], 0o555),
        "python/pkg/bin/helper": (elves["pie"], 0o755),
        "python/pkg/data.txt": "not a program\n",
    }
    _, findings = lint(cli, build(tmp_path, kind, manifest))
    assert file_rules(findings) == []


def test_ll404_silent_for_files_in_subfolders_of_bin_that_are_not_programs(tmp_path, cli):
    _, findings = lint(cli, write_zip(tmp_path / "l.zip", {"bin/share/readme.txt": "docs\n", "extensions/conf/settings.json": "{}"}))
    assert of(findings, "LL404") == []


# --- LL405 unsafe-symlink ---------------------------------------------------------------------------------------


def links_folder(root: Path) -> Path:
    """A layer folder with real files and every kind of symlink."""
    write_folder(root, {"lib/libfoo.so.1.2": "ELF-ish\n", "python/pkg/__init__.py": "", "bin/real": ("#!/bin/sh\n", 0o755)})
    os.symlink("libfoo.so.1.2", root / "lib" / "libfoo.so.1")  # fine: inside
    os.symlink("../lib/libfoo.so.1", root / "bin" / "chained")  # fine: a link to a link inside
    os.symlink("/opt/bin/real", root / "bin" / "tool")  # fine: absolute, inside /opt, present
    os.symlink("../python/pkg", root / "lib" / "pkgdir")  # fine: a folder inside
    os.symlink("../../etc/passwd", root / "lib" / "escape")  # error: climbs above the layer root
    os.symlink("/usr/bin/python3", root / "python" / "python3")  # warning: absolute, outside /opt
    os.symlink("missing.so", root / "lib" / "dangling.so")  # warning: target not in the layer
    os.symlink("/opt/lib/missing.so", root / "lib" / "gone.so")  # warning: under /opt but not in the layer
    return root


EXPECTED_LINKS = {
    "lib/escape": ("error", "../../etc/passwd", "climbs above the layer root"),
    "python/python3": ("warning", "/usr/bin/python3", "outside /opt"),
    "lib/dangling.so": ("warning", "missing.so", "/opt/lib/missing.so is not in the layer"),
    "lib/gone.so": ("warning", "/opt/lib/missing.so", "/opt/lib/missing.so is not in the layer"),
}


def _check_links(findings: list[dict]) -> None:
    hits = {f["path"]: f for f in of(findings, "LL405")}
    assert set(hits) == set(EXPECTED_LINKS)
    for path, (severity, target, why) in EXPECTED_LINKS.items():
        finding = hits[path]
        assert (finding["name"], finding["severity"]) == ("unsafe-symlink", severity)
        assert f"{path} -> {target}" in finding["message"] and why in finding["message"]
        assert finding["data"] == {"member": path, "target": target}


def test_ll405_zip_made_by_zip_y(tmp_path, cli):
    require("zip")
    path = zip_tool(tmp_path / "l.zip", links_folder(tmp_path / "src"), "-y")
    with zipfile.ZipFile(path) as archive:
        links = [i.filename for i in archive.infolist() if stat.S_ISLNK(i.external_attr >> 16)]
    assert len(links) == 8  # zip -y stored the links as links
    code, findings = lint(cli, path)
    assert code == 1
    _check_links(findings)


def test_ll405_folder_with_real_symlinks(tmp_path, cli):
    _, findings = lint(cli, links_folder(tmp_path / "layer"))
    _check_links(findings)


def test_ll405_zip_symlink_written_by_zipfile(tmp_path, cli):
    path = tmp_path / "l.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, target in [("lib/libz.so", "libz.so.1"), ("lib/up", "../../../root/.ssh/id_rsa")]:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
        archive.writestr("lib/libz.so.1", "lib")
    _, findings = lint(cli, path)
    finding = only(findings, "LL405")
    assert (finding["path"], finding["severity"]) == ("lib/up", "error")


def test_ll405_silent_without_bad_links(tmp_path, cli):
    require("zip")
    root = write_folder(tmp_path / "src", {"lib/libfoo.so.1.2": "x", "bin/real": ("#!/bin/sh\n", 0o755)})
    os.symlink("libfoo.so.1.2", root / "lib" / "libfoo.so.1")
    os.symlink("/opt/bin/real", root / "bin" / "alias")
    _, from_zip = lint(cli, zip_tool(tmp_path / "l.zip", root, "-y"))
    _, from_folder = lint(cli, root)
    assert of(from_zip, "LL405") == [] and of(from_folder, "LL405") == []


def test_ll405_a_folders_symlinks_are_never_followed_out_of_it(tmp_path, cli):
    """Links in a layer folder point at a script with a CRLF #! line and mode 600, and at a
    folder of such files, all outside the layer: were any followed, LL409 or LL403 would
    report what is behind it. Only the links themselves are reported."""
    outside = tmp_path / "outside"
    write_folder(outside, {"evil.sh": ("#!/bin/sh\r\necho pwned\r\n", 0o600), "pkg/evil.py": ("#!/home/me/.venv/bin/python\n", 0o600)})
    layer = write_folder(tmp_path / "layer", {"python/ok.py": "ok = 1\n", "bin/fine": ("#!/bin/sh\n", 0o755)})
    os.symlink(outside / "evil.sh", layer / "bin" / "x")  # absolute, outside /opt
    os.symlink("../../outside/evil.sh", layer / "bin" / "y")  # relative, climbs out
    os.symlink(outside / "pkg", layer / "python" / "pkg")  # a folder outside
    code, findings = lint(cli, layer)
    assert code == 1
    assert {(f["code"], f["path"], f["severity"]) for f in findings} == {
        ("LL405", "bin/x", "warning"),
        ("LL405", "bin/y", "error"),
        ("LL405", "python/pkg", "warning"),
    }
    document = cli(layer, "--runtime", "python3.12", "--as-of", DAY, "--format", "json").json()
    assert document["layers"][0]["files"] == 5  # python/ok.py, bin/fine and the three links, nothing behind them


# --- LL409 bad-shebang ------------------------------------------------------------------------------------------


def test_ll409_crlf_shebang(tmp_path, cli, kind):
    manifest = {"bootstrap": ("#!/bin/sh\r\nexec ./app\r\n", 0o755), "python/pkg/run.sh": ("#!/bin/bash\r\necho\r\n", 0o755)}
    code, findings = lint(cli, build(tmp_path, kind, manifest), runtime="provided.al2023")
    assert code == 1
    hits = {f["path"]: f for f in of(findings, "LL409")}
    assert set(hits) == {"bootstrap", "python/pkg/run.sh"}
    assert (hits["bootstrap"]["name"], hits["bootstrap"]["severity"]) == ("bad-shebang", "error")
    assert hits["python/pkg/run.sh"]["severity"] == "warning"
    assert "carriage return" in hits["bootstrap"]["message"] and "/bin/sh" in hits["bootstrap"]["message"]
    assert hits["bootstrap"]["data"] == {"member": "bootstrap", "interpreter": "/bin/sh", "crlf": True}
    assert hits["python/pkg/run.sh"]["data"]["interpreter"] == "/bin/bash"


@pytest.mark.parametrize("folder", ["python", "python/lib/python3.12/site-packages"])
def test_ll409_console_scripts_pip_put_in_python_bin_are_info(tmp_path, cli, kind, folder):
    # pip install --target writes its console scripts in bin/ there, with the build machine's interpreter.
    manifest = {f"{folder}/bin/normalizer": ("#!/home/runner/work/app/.venv/bin/python\nimport sys\n", 0o755), f"{folder}/six.py": "x = 1\n"}
    code, findings = lint(cli, build(tmp_path, kind, manifest))
    assert code == 0
    assert only(findings, "LL409")["severity"] == "info"


def test_ll409_byte_order_mark_before_the_shebang(tmp_path, cli, kind):
    bom = b"\xef\xbb\xbf"
    manifest = {
        "bin/tool": (bom + b"#!/bin/sh\necho hi\n", 0o755),
        "python/pkg/tool.sh": (bom + b"#!/bin/sh\necho hi\n", 0o755),
        "python/pkg/module.py": (bom + b"#!/usr/bin/env python3\nx = 1\n", 0o644),  # imported, never exec'd
    }
    code, findings = lint(cli, build(tmp_path, kind, manifest))
    assert code == 1
    hits = {f["path"]: f for f in of(findings, "LL409")}
    assert {path: f["severity"] for path, f in hits.items()} == {"bin/tool": "error", "python/pkg/tool.sh": "warning"}
    assert "byte-order mark" in hits["bin/tool"]["message"] and "Exec format error" in hits["bin/tool"]["message"]
    assert hits["bin/tool"]["data"]["interpreter"] == "/bin/sh"


@pytest.mark.parametrize(
    "interpreter",
    ["/home/runner/work/app/.venv/bin/python", "/Users/me/venv/bin/python3", "/tmp/build/bin/python", "C:\\Python39\\python.exe"],
)
def test_ll409_build_machine_interpreter(tmp_path, cli, kind, interpreter):
    manifest = {"bin/normalizer": (f"#!{interpreter}\nimport sys\n", 0o755), "python/pkg/bin/tool": (f"#!{interpreter}\n", 0o755)}
    _, findings = lint(cli, build(tmp_path, kind, manifest))
    hits = {f["path"]: f for f in of(findings, "LL409")}
    assert {path: f["severity"] for path, f in hits.items()} == {"bin/normalizer": "error", "python/pkg/bin/tool": "warning"}
    finding = hits["bin/normalizer"]
    assert f"#!{interpreter}" in finding["message"]
    assert finding["data"] == {"member": "bin/normalizer", "interpreter": interpreter, "crlf": False}
    assert "/usr/bin/env python3" in finding["fix"] or "#!/bin/sh" in finding["fix"]


def test_ll409_interpreter_under_opt_missing_from_the_layer(tmp_path, cli, kind):
    manifest = {"bin/tool": ("#!/opt/bin/interp --flag\n", 0o755), "bin/other": ("#!/opt/python/bin/python3\n", 0o755)}
    _, findings = lint(cli, build(tmp_path, kind, manifest))
    hits = {f["path"]: f for f in of(findings, "LL409")}
    assert set(hits) == {"bin/tool", "bin/other"}
    assert hits["bin/tool"]["data"]["interpreter"] == "/opt/bin/interp"
    assert all(f["severity"] == "error" for f in hits.values())


def test_ll409_lambda_python_of_another_version(tmp_path, cli, kind):
    layer = build(tmp_path, kind, {"bin/tool": ("#!/var/lang/bin/python3.11\nprint(1)\n", 0o755)})
    _, findings = lint(cli, layer, runtime="python3.12")
    finding = only(findings, "LL409")
    assert (finding["path"], finding["severity"]) == ("bin/tool", "error")
    assert "/var/lang/bin/python3.11" in finding["message"] and "python3.12" in finding["message"]
    assert {t["runtime"] for t in finding["targets"]} == {"python3.12"}
    # on python3.11 itself the interpreter exists
    _, findings = lint(cli, layer, runtime="python3.11")
    assert of(findings, "LL409") == []


def test_ll409_silent_on_interpreters_that_exist(tmp_path, cli, kind):
    manifest = {
        "bootstrap": ("#!/bin/sh\nexec /opt/bin/tool\n", 0o755),
        "bin/tool": ("#!/usr/bin/env python3\nprint(1)\n", 0o755),
        "bin/wrapper": ("#!/opt/bin/tool\n", 0o755),
        "bin/b": ("#!/bin/bash\n", 0o755),
        "bin/spaced": ("#! /bin/sh -e\n", 0o755),
        "python/pkg/run.py": ("#!/var/lang/bin/python3.12\n", 0o644),
        "python/pkg/notes.txt": "pip wrote #!/home/me/.venv/bin/python, but only a first line starting with #! counts\n",
    }
    code, findings = lint(cli, build(tmp_path, kind, manifest))
    assert file_rules(findings) == []
    assert code == 0


def test_ll409_zip_tool_layer(tmp_path, cli):
    require("zip")
    folder = write_folder(tmp_path / "src", {"bin/ok": ("#!/bin/sh\n", 0o755), "bin/bad": ("#!/home/runner/.venv/bin/python\n", 0o755)})
    _, findings = lint(cli, zip_tool(tmp_path / "l.zip", folder))
    assert [(f["path"], f["severity"]) for f in of(findings, "LL409")] == [("bin/bad", "error")]


def test_ll409_build_machine_interpreter_is_missing_even_with_no_targets(tmp_path):
    """A layer can end up with no targets (every runtime it could run on retired): a build
    machine's interpreter, or one under /opt that the layer lacks, is still missing on Lambda."""
    from layer_lint.layer import Layer
    from layer_lint.registry import Context
    from layer_lint.rules.files import check_bad_shebang
    from layer_lint.runtimes import load_knowledge_base
    from layer_lint.source import open_layer

    path = write_zip(tmp_path / "l.zip", {"bin/a": ("#!/home/me/.venv/bin/python\n", 0o755), "bin/b": ("#!/opt/bin/none\n", 0o755), "bin/c": ("#!/var/lang/bin/python3.11\n", 0o755)})
    source = open_layer(path)
    try:
        hits = list(check_bad_shebang(Layer(str(path), source), Context((), load_knowledge_base(), AS_OF)))
    finally:
        source.close()
    assert [(hit.path, hit.targets) for hit in hits] == [("bin/a", ()), ("bin/b", ())]
    assert all("does not exist on Lambda" in hit.message for hit in hits)


def test_ll405_links_judged_after_normalising(tmp_path, cli):
    """/opt/../etc/passwd is outside /opt, not a file missing from the layer; a link to the
    layer root (.. from a top-level folder, or /opt itself) is not dangling."""
    require("zip")
    root = write_folder(tmp_path / "src", {"python/pkg/__init__.py": ""})
    os.symlink("/opt/../etc/passwd", root / "python" / "sneaky")
    os.symlink("..", root / "python" / "root")
    os.symlink("/opt", root / "python" / "opt")
    os.symlink("/opt/python/./pkg/", root / "python" / "pkg2")
    for layer in (root, zip_tool(tmp_path / "l.zip", root, "-y")):
        _, findings = lint(cli, layer)
        finding = only(findings, "LL405")
        assert (finding["path"], finding["severity"]) == ("python/sneaky", "warning")
        assert "outside /opt" in finding["message"]


def test_ll405_links_that_loop_or_point_nowhere(tmp_path, cli):
    path = tmp_path / "links.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, target in [("lib/liba.so", "libb.so"), ("lib/libb.so", "/opt/lib/liba.so"), ("lib/libempty.so", ""), ("lib/libok.so", "libreal.so.1")]:
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
        info = zipfile.ZipInfo("lib/libreal.so.1")
        info.create_system = 3
        info.external_attr = (stat.S_IFREG | 0o644) << 16
        archive.writestr(info, "not really a library")
    _, findings = lint(cli, path, runtime="provided.al2023")
    hits = {f["path"]: f for f in of(findings, "LL405")}
    assert set(hits) == {"lib/liba.so", "lib/libb.so", "lib/libempty.so"}
    assert "Too many levels of symbolic links" in hits["lib/liba.so"]["message"]
    assert "target is empty" in hits["lib/libempty.so"]["message"]
    assert all(f["severity"] == "warning" for f in hits.values())


def test_ll409_a_bootstrap_fails_only_on_the_runtimes_that_run_it(tmp_path, cli):
    layer = build(tmp_path, "zip", {"bootstrap": ("#!/bin/sh\r\nexec ./app\r\n", 0o755), "python/a.py": "a = 1\n"})
    _, findings = lint(cli, layer, "--runtime", "provided.al2023", "--arch", "x86_64", runtime="python3.12")
    finding = only(findings, "LL409")
    assert finding["severity"] == "error" and finding["targets"] == [{"runtime": "provided.al2023", "arch": "x86_64"}]
