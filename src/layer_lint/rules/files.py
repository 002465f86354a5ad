"""LL403-LL405, LL409: can the runtime user read, run and follow what the layer holds?"""

from __future__ import annotations

import posixpath
import re
import stat
from collections import defaultdict
from typing import Callable, Iterator, Optional

from .. import layout
from ..layer import Layer
from ..linkage import link_step
from ..registry import Context, Hit, Rule
from ..report import Target
from ..source import Entry

_EXAMPLES = 10

# Interpreter paths that exist only on a build machine, never in a Lambda environment.
_BUILD_MACHINE = re.compile(r"^(/home/|/Users/|/root/|/tmp/|/private/|/var/folders/|/usr/local/Cellar/|/usr/local/opt/|/nix/|[A-Za-z]:[\\/])")
_LAMBDA_PYTHON = re.compile(r"^/var/lang/bin/python(\d+\.\d+)$")


def _examples(paths: list[str]) -> str:
    shown = ", ".join(paths[:_EXAMPLES])
    return shown + (f" and {len(paths) - _EXAMPLES} more" if len(paths) > _EXAMPLES else "")


# LL403 ---------------------------------------------------------------------------------


def check_not_world_readable(layer: Layer, ctx: Context) -> Iterator[Hit]:
    unreadable: dict[str, list[Entry]] = defaultdict(list)
    modeless = []
    for entry in layer.files:
        if entry.is_symlink:
            continue
        if entry.mode is None:
            modeless.append(entry.path)
        elif not entry.mode & stat.S_IROTH:
            unreadable[layout.top_level(entry.path)].append(entry)
    for top, entries in sorted(unreadable.items()):
        paths = [entry.path for entry in entries]
        single = len(entries) == 1
        modes = sorted({oct(stat.S_IMODE(entry.mode or 0))[2:] for entry in entries})
        yield Hit(
            path=paths[0] if single else layer.top_level_path(top),
            message=(
                f"{len(entries)} file{'s' if not single else ''} without read permission for others "
                f"(mode {', '.join(modes)}): {_examples(paths)}; Lambda runs your code as a user that does not own "
                "the files, so reading them fails with 'Permission denied'"
            ),
            fix=f"chmod -R o+rX {'.' if not single else paths[0]} in the layer folder before zipping (Lambda needs 644 for files, 755 for executables).",
            targets=ctx.targets,
            data={"members": paths, "modes": modes},
        )
    if modeless:
        yield Hit(
            path=None,
            message=(
                f"{len(modeless)} member{'s' if len(modeless) != 1 else ''} record no Unix permissions (zipped on Windows "
                f"or by a tool that drops them): {_examples(modeless)}; Lambda unpacks them readable but never executable"
            ),
            fix="Zip the layer on Linux or macOS, in CI, or with a tool that records Unix modes (zip -r, or Python's zipfile with external_attr).",
            targets=ctx.targets,
            data={"members": modeless[:100], "count": len(modeless)},
            severity="info",
        )


# LL404 ---------------------------------------------------------------------------------


def check_not_executable(layer: Layer, ctx: Context) -> Iterator[Hit]:
    for entry in layer.files:
        if entry.is_symlink or (entry.mode is not None and entry.mode & stat.S_IXOTH):
            continue
        targets = _running(entry.path, ctx)
        required = bool(targets)
        if not required and not _is_elf_program(layer, entry):
            continue
        mode = "no recorded mode (Lambda unpacks it without execute bits)" if entry.mode is None else f"mode {oct(stat.S_IMODE(entry.mode))[2:]}"
        what = "Lambda runs it" if required else "it is an ELF program that code may start"
        yield Hit(
            path=entry.path,
            message=f"{entry.path} is not executable by others ({mode}), but {what}: it fails with 'Permission denied'",
            fix=f"chmod 755 {entry.path} before zipping, and zip on Linux/macOS so the mode is recorded.",
            targets=targets or ctx.targets,
            data={"member": entry.path, "mode": None if entry.mode is None else oct(stat.S_IMODE(entry.mode))},
            severity=None if required else "warning",
        )


def _running(path: str, ctx: Context) -> tuple[Target, ...]:
    """The targets on which Lambda itself runs the file: a bootstrap only under the OS-only
    (provided) runtimes, bin/* and extensions/* under every runtime."""
    if not layout.lambda_runs(path):
        return ()
    if path == "bootstrap":
        return tuple(t for t in ctx.targets if ctx.kb.runtimes[t.runtime].family == "provided")
    return ctx.targets


def _is_elf_program(layer: Layer, entry: Entry) -> bool:
    facts = layer.elf(entry)
    return facts is not None and facts.is_executable


# LL405 ---------------------------------------------------------------------------------


def check_unsafe_symlink(layer: Layer, ctx: Context) -> Iterator[Hit]:
    for entry in layer.files:
        if not entry.is_symlink or entry.link_target is None:
            continue
        target = entry.link_target
        problem = _link_problem(entry.path, target, _present_paths(layer))  # built on the first link only
        if problem is None and _loops(entry.path, _links(layer)):
            problem = ("warning", "following it comes back to a link already followed, so opening it fails with 'Too many levels of symbolic links'",
                       "Point one of the links in the loop at the real file.")
        if problem is None:
            continue
        severity, message, fix = problem
        yield Hit(
            path=entry.path,
            message=f"symlink {entry.path} -> {target}: {message}",
            fix=fix,
            targets=ctx.targets,
            data={"member": entry.path, "target": target},
            severity=severity,
        )


def _present_paths(layer: Layer) -> set[str]:
    """Every path in the layer and every folder above one; two rules need it, built once."""
    return layer.memo("present paths", lambda: _all_paths(layer))


def _all_paths(layer: Layer) -> set[str]:
    present = set()
    for entry in layer.entries:
        parts = entry.parts
        for depth in range(1, len(parts) + 1):
            present.add("/".join(parts[:depth]))
    return present


def _links(layer: Layer) -> dict[str, str]:
    return layer.memo("links", lambda: {e.path: e.link_target for e in layer.files if e.is_symlink and e.link_target is not None})


def _loops(path: str, links: dict[str, str]) -> bool:
    """Whether following the link at `path` through the layer's other links never ends (Linux
    gives up after 40 links)."""
    seen: set[str] = set()
    for _ in range(40):
        if path in seen:
            return True
        seen.add(path)
        target = links.get(path)
        if target is None:
            return False
        path = link_step(path, target)
        if path.startswith("/"):
            return False  # out of the layer
    return True


def _link_problem(path: str, target: str, present: set[str]) -> Optional[tuple[Optional[str], str, str]]:
    if not target:
        return ("warning", "the link's target is empty, which resolves to nothing ('No such file or directory')", "Give the link a target, or remove it.")
    if target.startswith("/"):
        # Normalised first: /opt/../etc/passwd is outside /opt, and /opt itself is the layer root.
        absolute = posixpath.normpath(target)
        if absolute != "/opt" and not absolute.startswith("/opt/"):
            return ("warning", "an absolute target outside /opt exists only if the Lambda OS happens to have it",
                    "Bundle the target in the layer and link to it relatively, or check that every target OS has it.")
        inside = posixpath.relpath(absolute, "/opt")
    else:
        inside = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
        if inside == ".." or inside.startswith("../"):
            return (None, "the target climbs above the layer root, out of /opt",
                    "Point the link at a file inside the layer, or copy the file into the layer.")
    if inside != "." and inside not in present:  # "." is the layer root, which always exists
        return ("warning", f"the target /opt/{inside} is not in the layer (dangling link)",
                "Add the target to the layer or remove the link; zip with `zip -y` only after checking the links resolve.")
    return None


# LL409 ---------------------------------------------------------------------------------

_BOM = b"\xef\xbb\xbf"


def check_bad_shebang(layer: Layer, ctx: Context) -> Iterator[Hit]:
    def present() -> set[str]:  # only an interpreter under /opt/ needs them
        return _present_paths(layer)

    for entry in layer.files:
        head = layer.head(entry)
        if head is None:
            continue
        severity = None if _running(entry.path, ctx) else "info" if _console_script(entry.path) else "warning"
        if head.startswith(_BOM + b"#!"):
            if severity is not None and not (entry.mode is not None and entry.mode & stat.S_IXOTH):
                continue  # only exec trips on it; Python and Node read past a BOM
            yield Hit(
                path=entry.path,
                message=f"{entry.path} starts with a UTF-8 byte-order mark before its #! line, so the kernel does not see the #! and refuses it: 'Exec format error'",
                fix=f"Save {entry.path} as UTF-8 without a BOM (most editors: 'UTF-8' rather than 'UTF-8 with BOM'), or strip it: sed -i '1s/^\\xEF\\xBB\\xBF//' {entry.path}",
                targets=_running(entry.path, ctx) or ctx.targets,
                data={"member": entry.path, "interpreter": _interpreter(head[len(_BOM):].split(b"\n", 1)[0].rstrip(b"\r")), "crlf": False},
                severity=severity,
            )
            continue
        if not head.startswith(b"#!"):
            continue
        line = head.split(b"\n", 1)[0]
        if line.endswith(b"\r"):
            yield Hit(
                path=entry.path,
                message=f"{entry.path}: the #! line ends in a carriage return (Windows line endings), so the kernel looks for an interpreter named '{_interpreter(line[:-1])}\\r': 'bad interpreter'",
                fix=f"Convert it to Unix line endings (dos2unix {entry.path}, or git config core.autocrlf input) before zipping.",
                targets=_running(entry.path, ctx) or ctx.targets,
                data={"member": entry.path, "interpreter": _interpreter(line[:-1]), "crlf": True},
                severity=severity,
            )
            continue
        interpreter = _interpreter(line)
        missing = _missing_on(interpreter, present, ctx)
        running = _running(entry.path, ctx)
        if missing is not None and running:
            missing = [t for t in missing if t in running] or None  # a bootstrap fails only where it runs
        if missing is not None:
            yield Hit(
                path=entry.path,
                message=f"{entry.path} runs with #!{interpreter}, which does not exist on {_targets_text(missing)}",
                fix=_shebang_fix(interpreter, entry.path),
                targets=tuple(missing),
                data={"member": entry.path, "interpreter": interpreter, "crlf": False},
                severity=severity,
            )


def _console_script(path: str) -> bool:
    """A script pip installed with --target: bin/ of a Python search folder (python/bin/,
    python/lib/python3.12/site-packages/bin/) is not on PATH, so nothing runs it unless code
    names it."""
    where = layout.placement(path)
    if where is None or where.family != "python":
        return False
    below = path[len(where.folder) + 1 :] if where.folder else path
    return below.startswith("bin/") and below.count("/") == 1


def _interpreter(line: bytes) -> str:
    text = line[2:].decode("utf-8", "replace").strip()
    return text.split()[0] if text else ""


def _missing_on(interpreter: str, present: Callable[[], set[str]], ctx: Context) -> Optional[list[Target]]:
    """The targets on which the interpreter certainly does not exist; None when it exists or is
    not known. A build machine's path, or one under /opt that the layer lacks, exists on no
    Lambda at all, so it is missing even when the layer has no targets (all runtimes retired)."""
    if _BUILD_MACHINE.match(interpreter):
        return list(ctx.targets)
    if interpreter.startswith("/opt/"):
        return None if posixpath.normpath(interpreter[len("/opt/"):]) in present() else list(ctx.targets)
    python = _LAMBDA_PYTHON.match(interpreter)
    if python:
        runtimes = ctx.kb.runtimes
        other = [t for t in ctx.targets if runtimes[t.runtime].family == "python" and runtimes[t.runtime].version != python.group(1)]
        return other or None
    return None


def _shebang_fix(interpreter: str, path: str) -> str:
    if "python" in interpreter:
        return f"Start {path} with #!/usr/bin/env python3 (pip writes the build machine's interpreter path into scripts it installs), or drop the script if nothing runs it."
    return f"Start {path} with #!/bin/sh, #!/bin/bash or #!/usr/bin/env NAME, or point it at an interpreter shipped in the layer under /opt/."


def _targets_text(targets: list[Target]) -> str:
    runtimes = sorted({target.runtime for target in targets})
    return "Lambda" if not runtimes or len(runtimes) > 3 else ", ".join(runtimes)


RULES = [
    Rule(
        code="LL403",
        name="not-world-readable",
        severity="error",
        check=check_not_world_readable,
        summary="Files that the Lambda runtime user cannot read.",
        what="Finds regular files without the read bit for others, in zips that record Unix modes. Folders are not checked (Lambda sets them to 755). A zip that records no modes gets one info finding.",
        why="Lambda runs your code as a user that does not own the layer's files: a file with mode 600 or 640 gives 'Permission denied' or 'Unable to import module' at invoke time.",
        example="python/app/settings.py with mode 600, zipped from a home folder with umask 077.",
        fix="chmod -R o+rX the layer folder before zipping (644 for files, 755 for executables and folders).",
        severity_note="info for the one finding about a zip that records no Unix modes at all.",
    ),
    Rule(
        code="LL404",
        name="not-executable",
        severity="error",
        check=check_not_executable,
        summary="A file Lambda runs (bootstrap, bin/*, extensions/*) without execute bits.",
        what="Checks that every file directly in bin/ and in extensions/, and bootstrap when a target is an OS-only (provided.*) runtime, is executable by others, including in zips that record no modes (Lambda then unpacks files without execute bits). ELF programs elsewhere without execute bits are a warning.",
        why="Lambda execs each extension, and a layer's bootstrap under provided.* runtimes (other runtimes never run it), and bin/ is on PATH: without the execute bit the function fails with 'Permission denied' or 'fork/exec ...: permission denied'.",
        example="extensions/my-extension with mode 644, or a bootstrap from a zip made on Windows.",
        fix="chmod 755 the file before zipping, on Linux or macOS so the mode is recorded.",
        severity_note="warning for ELF programs outside bootstrap, bin/ and extensions/ (e.g. a package's bundled helper binary).",
    ),
    Rule(
        code="LL405",
        name="unsafe-symlink",
        severity="error",
        check=check_unsafe_symlink,
        summary="A symlink that escapes the layer, points outside /opt, or dangles.",
        what="Resolves every symlink as Lambda would see it under /opt: a target that climbs above the layer root is an error; an absolute target outside /opt, a target missing from the layer, an empty target, or a chain of links that loops is a warning.",
        why="Links that leave the layer point at whatever the Lambda OS has there, usually nothing; dangling links fail when code opens them.",
        example="lib/libfoo.so -> ../../usr/lib/libfoo.so, or python/bin/python -> /usr/local/bin/python3.",
        fix="Point links at files inside the layer with relative targets, or copy the files in.",
        severity_note="warning for an absolute target outside /opt, a dangling or empty link, and a loop.",
    ),
    Rule(
        code="LL409",
        name="bad-shebang",
        severity="error",
        check=check_bad_shebang,
        summary="A script whose #! interpreter does not exist on Lambda, whose #! line ends in CR, or that starts with a byte-order mark.",
        what="Reads the #! line of every script: a Windows line ending, a UTF-8 byte-order mark before the #! (in files that are executed), an interpreter under /opt that the layer lacks, a build machine's path (/home, /Users, /tmp, ...), or /var/lang/bin/pythonX.Y for another Python version. Interpreters whose presence on Lambda is not known are not reported.",
        why="The kernel cannot start the script: 'bad interpreter: No such file or directory' (or '/bin/bash^M'), or 'Exec format error' when a BOM hides the #!. pip writes the build machine's interpreter path into the console scripts it installs.",
        example="python/bin/normalizer starting with #!/home/runner/work/app/.venv/bin/python.",
        fix="Use #!/usr/bin/env python3, #!/bin/sh or an interpreter inside the layer, with Unix line endings.",
        severity_note="warning for scripts outside bin/ and extensions/ (and outside bootstrap on provided.* targets); info for the console scripts pip puts in python/bin/, which nothing runs unless code names them.",
    ),
]
