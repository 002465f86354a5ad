"""LL1xx: is the layer's content in folders the target runtimes read?

Precedence, so that one mistake is one finding: LL104 (misnested) over LL103 (another
version's folder) over LL102 (outside every search path); LL101 names the entries it is
about and LL102 stays silent on them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional

from .. import layout
from ..layer import FileFacts, Layer
from ..registry import Context, Hit, Rule
from ..report import Target
from ..runtimes import Runtime
from ..sizes import human_bytes


@dataclass(frozen=True)
class _Group:
    """The targets of one runtime (its architectures share every path fact)."""

    runtime: Runtime
    targets: tuple[Target, ...]


def _groups(ctx: Context) -> list[_Group]:
    by_runtime: dict[str, list[Target]] = defaultdict(list)
    for target in ctx.targets:
        by_runtime[target.runtime].append(target)
    return [_Group(ctx.kb.runtimes[name], tuple(targets)) for name, targets in by_runtime.items()]


def _family(facts: FileFacts) -> Optional[str]:
    """The language a file counts for: its runtime folder's, else its own by name."""
    if facts.placement is not None:
        return facts.placement.family
    return facts.family


def _misnested(layer: Layer) -> dict[str, tuple[layout.Misnesting, list[FileFacts]]]:
    found: dict[str, tuple[layout.Misnesting, list[FileFacts]]] = {}
    for facts in layer.file_facts:
        if facts.misnesting is not None:
            found.setdefault(facts.misnesting.folder, (facts.misnesting, []))[1].append(facts)
    return found


def _versioned_folders(layer: Layer) -> dict[str, list[FileFacts]]:
    """Version-specific runtime folders with content, e.g. python/lib/python3.9/site-packages."""
    found: dict[str, list[FileFacts]] = defaultdict(list)
    for facts in layer.file_facts:
        where = facts.placement
        if where is not None and where.version is not None and facts.misnesting is None:
            found[where.folder].append(facts)
    return found


def _wrong_version(layer: Layer, group: _Group) -> dict[str, list[FileFacts]]:
    """Versioned folders of the group's family that the group's runtime does not read."""
    return {
        folder: files
        for folder, files in _versioned_folders(layer).items()
        if files[0].placement.family == group.runtime.family and folder not in group.runtime.layer_paths
    }


def _is_common(path: str) -> bool:
    return layout.top_level(path) in layout.COMMON_TOP_LEVEL


def _describe(entries: list[FileFacts]) -> str:
    total = sum(facts.entry.size for facts in entries)
    return f"{len(entries)} file{'s' if len(entries) != 1 else ''}, {human_bytes(total)}"


def _runtime_list(groups: Iterable[_Group]) -> str:
    return ", ".join(group.runtime.id for group in groups)


# LL101 ---------------------------------------------------------------------------------


def _is_read(facts: FileFacts, runtime: Runtime) -> bool:
    """Whether `runtime` finds this file where it is: in one of its own folders, or in bin/,
    lib/, extensions/ or bootstrap, which count as read by every runtime."""
    if facts.misnesting is not None:
        return False
    if _is_common(facts.entry.path):
        return True
    return facts.placement is not None and facts.placement.folder in runtime.layer_paths


def _language_files(layer: Layer) -> tuple[list[FileFacts], list[FileFacts]]:
    """The files of some language, and those of them outside bin/, lib/, extensions/ and
    bootstrap: the same for every runtime that LL101 and LL102 judge, so built once a layer."""

    def build() -> tuple[list[FileFacts], list[FileFacts]]:
        packages = [facts for facts in layer.file_facts if _family(facts) is not None]
        return packages, [facts for facts in packages if not _is_common(facts.entry.path)]

    return layer.memo("language files", build)


def _stranded(layer: Layer, group: _Group) -> dict[str, list[FileFacts]]:
    """Top-level entries holding language code the group's runtime cannot load, when none of
    the layer's language code is on its search path; empty when LL103 or LL104 already explain it all.
    Each runtime is judged alone, so that the inspector's matrix cells do not depend on each other."""
    runtime = group.runtime
    if not runtime.layer_paths:
        return {}  # custom runtimes choose their own paths; LL102 reports what is outside bin/ and lib/
    packages, code = _language_files(layer)
    # Only language code counts: a console script in bin/ or a library in lib/ (as `pip install
    # --target .` leaves next to the packages) does not make the packages importable.
    if not code or any(_is_read(facts, runtime) for facts in packages):
        return {}
    # With code of the runtime's own language somewhere, only that code is this runtime's
    # business (another language's folders serve other runtimes); without any, the layer is
    # foreign to the runtime and its code is named.
    own = [facts for facts in code if _family(facts) == runtime.family]
    explained = set(_wrong_version(layer, group))
    stranded: dict[str, list[FileFacts]] = defaultdict(list)
    for facts in own or code:
        if facts.misnesting is not None or (facts.placement is not None and facts.placement.folder in explained):
            continue
        stranded[layout.top_level(facts.entry.path)].append(facts)
    return stranded


def check_nothing_on_search_path(layer: Layer, ctx: Context) -> Iterator[Hit]:
    by_entry: dict[tuple[str, str, str], list[_Group]] = defaultdict(list)
    files: dict[tuple[str, str, str], list[FileFacts]] = {}
    for group in _groups(ctx):
        for top, entries in _stranded(layer, group).items():
            families = sorted({_family(facts) for facts in entries})
            # Runtimes of another language get another fix, so a finding of their own.
            key = (top, "/".join(families), group.runtime.family or "")
            by_entry[key].append(group)
            files[key] = entries
    for (top, families, _), groups in sorted(by_entry.items()):
        entries = files[(top, families, _)]
        path = layer.top_level_path(top)
        languages = " and ".join(layout.FAMILY_NAMES[f] for f in families.split("/"))
        runtimes = _runtime_list(groups)
        message = (
            f"{path} holds {languages} code ({_describe(entries)}) but no folder that {runtimes} "
            f"read{'s' if len(groups) == 1 else ''}; none of the layer's language code is on {runtimes}'s search path"
        )
        fix = _stranded_fix(path, families.split("/"), groups) + _installed_at_root(layer, groups)
        yield Hit(
            path=path,
            message=message,
            fix=fix,
            targets=tuple(t for g in groups for t in g.targets),
            data={"entry": path, "languages": families.split("/"), "files": len(entries), "runtimes": [g.runtime.id for g in groups]},
        )


def _installed_at_root(layer: Layer, groups: list[_Group]) -> str:
    """The advice for Python distributions installed at the layer's root: a wheel given as a
    layer, or `pip install --target .` zipped as it is."""
    if groups[0].runtime.family != "python":
        return ""
    if layer.name.endswith(".whl"):
        return f" This is a wheel, not a layer: install it into a layer with pip install --target python {layer.name.rsplit('/', 1)[-1]} and zip -r layer.zip python."
    if any(name.endswith(".dist-info") for name in layer.top_level):
        return " The packages were installed at the layer's root: run pip install --target python (not --target .) and zip the python/ folder."
    return ""


def _stranded_fix(path: str, families: list[str], groups: list[_Group]) -> str:
    family = groups[0].runtime.family
    if family in families:
        folder = {"python": "python/", "nodejs": "nodejs/node_modules/", "java": "java/lib/", "ruby": "ruby/lib/"}[family]
        return f"Move {path} under {folder} (it then lands at /opt/{folder}{path})."
    names = " and ".join(layout.FAMILY_NAMES[f] for f in families)
    return (
        f"{names} code is never loaded by {_runtime_list(groups)}: lint this layer with a "
        f"{names} --runtime, or put {layout.FAMILY_NAMES.get(family or '', family)} packages in "
        f"{groups[0].runtime.layer_paths[-1]}/."
    )


# LL102 ---------------------------------------------------------------------------------


# What the build machine's tools leave at the top of a zip, and how to keep it out.
_SYSTEM_TREE_FIX = (
    "Lambda puts /opt/bin on PATH and /opt/lib on LD_LIBRARY_PATH, not the folders of a copied system tree: "
    "move programs to bin/ and shared libraries (with their symlinks: zip -y) to lib/."
)
_SYSTEM_TREES = ("usr", "lib64", "sbin")
_CLUTTER_FIX = {
    **{name: _SYSTEM_TREE_FIX for name in _SYSTEM_TREES},
    "__MACOSX": "macOS Finder's 'Compress' adds __MACOSX/ (resource forks): zip on the command line (zip -r -X layer.zip python), or drop it with zip -d layer.zip '__MACOSX/*'.",
    ".DS_Store": "Finder's folder settings: leave it out with zip -r layer.zip python -x '*.DS_Store', or drop it with zip -d layer.zip '*.DS_Store'.",
}


def _holds_native_code(layer: Layer, top: str) -> bool:
    return any(path.startswith(top + "/") for path in layer.binaries)


def check_outside_search_path(layer: Layer, ctx: Context) -> Iterator[Hit]:
    groups = _groups(ctx)
    if not groups:
        return  # "on no search path" means nothing without a runtime to search
    read = {layout.top_level(path) for group in groups for path in group.runtime.opt_paths()}
    skip = set(read) | set(layout.COMMON_TOP_LEVEL)
    for group in groups:
        skip |= set(_stranded(layer, group))
        skip |= {layout.top_level(folder) for folder in _wrong_version(layer, group)}
    skip |= {layout.top_level(folder) for folder in _misnested(layer)}
    for name, entry in layer.top_level.items():
        if name in skip or entry.files == 0:
            continue
        path = layer.top_level_path(name)
        yield Hit(
            path=path,
            message=(
                f"{path} ({entry.files} file{'s' if entry.files != 1 else ''}, {human_bytes(entry.unzipped_bytes)}) "
                f"is on no search path of {_runtime_list(groups)}; code can still open it by name at /opt/{path}"
            ),
            fix=_CLUTTER_FIX.get(name, f"Nothing to do if your code opens /opt/{path} itself; otherwise move it into a runtime folder or leave it out of the layer."),
            targets=ctx.targets,
            data={"entry": path, "files": entry.files, "unzipped_bytes": entry.unzipped_bytes, "opt_path": f"/opt/{path}"},
            # Programs and libraries in a copied system tree are meant to run, and cannot be found.
            severity="warning" if name in _SYSTEM_TREES and _holds_native_code(layer, name) else None,
        )


# LL103 ---------------------------------------------------------------------------------


def check_wrong_runtime_version_path(layer: Layer, ctx: Context) -> Iterator[Hit]:
    versioned = _versioned_folders(layer)
    for group in _groups(ctx):
        runtime = group.runtime
        own = [folder for folder in versioned if folder in runtime.layer_paths]
        for folder, files in sorted(_wrong_version(layer, group).items()):
            readers = [r.id for r in ctx.kb.runtimes.values() if folder in r.layer_paths]
            compiled = [f.entry.path for f in files if layout.is_compiled(f.entry.path)]
            read_by = f"read only by {', '.join(readers)}" if readers else "read by no Lambda runtime"
            message = (
                f"{folder}/ ({_describe(files)}) is {read_by}; {runtime.id} does not read it"
                + (f", and uses {own[0]}/ instead" if own else ", so none of it can be loaded")
            )
            yield Hit(
                path=folder + "/",
                message=message,
                fix=_version_fix(folder, files, compiled, group),
                targets=group.targets,
                data={
                    "folder": folder + "/",
                    "read_by": readers,
                    "runtime": runtime.id,
                    "expected": runtime.layer_paths[0] + "/",
                    "compiled": compiled[:20],
                },
                severity="info" if own else None,
            )


def _version_fix(folder: str, files: list[FileFacts], compiled: list[str], group: _Group) -> str:
    runtime = group.runtime
    expected = runtime.layer_paths[0] + "/"
    if not compiled:
        return f"Move the contents of {folder}/ to {expected}" + (
            f" (or to {runtime.layer_paths[-1]}/, which every {runtime.family} version reads)." if len(runtime.layer_paths) > 1 else "."
        )
    example = compiled[0].rsplit("/", 1)[-1]
    rebuild = {
        "python": _pip_command(files, group, expected),
        "nodejs": f"run `npm ci` (or `npm rebuild`) with Node.js {runtime.version} and put node_modules/ in {expected}",
        "ruby": f"run `bundle install` with Ruby {runtime.version} and put the gems in {expected}",
    }.get(runtime.family or "", f"rebuild it for {runtime.id} into {expected}")
    return (
        f"It holds {len(compiled)} compiled file{'s' if len(compiled) != 1 else ''} (e.g. {example}) built for another "
        f"version, so moving is not enough: rebuild for {layout.FAMILY_NAMES.get(runtime.family or '', '')} {runtime.version}: {rebuild}"
    )


def _pip_command(files: list[FileFacts], group: _Group, expected: str) -> str:
    dists = sorted(
        {
            part[: -len(".dist-info")].replace("-", "==", 1)
            for facts in files
            for part in facts.entry.path.split("/")
            if part.endswith(".dist-info")
        }
    )
    requirements = " ".join(dists) if dists and len(dists) <= 6 else "-r requirements.txt"
    archs = sorted({target.arch for target in group.targets})
    platform = "manylinux2014_aarch64" if archs == ["arm64"] else "manylinux2014_x86_64"
    other = " (manylinux2014_aarch64 for arm64)" if len(archs) > 1 else ""
    return (
        f"`pip install --only-binary=:all: --python-version {group.runtime.version} --platform {platform} "
        f"--target {expected} {requirements}`{other}"
    )


# LL104 ---------------------------------------------------------------------------------


def check_misnested_folder(layer: Layer, ctx: Context) -> Iterator[Hit]:
    for folder, (nesting, files) in sorted(_misnested(layer).items()):
        is_file = len(files) == 1 and files[0].entry.path == folder
        path = folder if is_file else folder + "/"
        targets = tuple(t for t in ctx.targets if ctx.kb.runtimes[t.runtime].family == nesting.family) or ctx.targets
        language = layout.FAMILY_NAMES[nesting.family]
        where = "at the layer root" if "/" not in folder else f"directly in {folder.rsplit('/', 1)[0]}/"
        message = (
            f"{path} ({_describe(files)}) is misnested: no {language} runtime searches it"
            + (f" (a .jar {where} is not on the class path)" if is_file else "")
        )
        fix = f"Move {path} into {nesting.belongs}" if is_file else f"Move the contents of {path} into {nesting.belongs}"
        yield Hit(
            path=path,
            message=message,
            fix=fix + ".",
            targets=targets,
            data={"folder": path, "belongs": nesting.belongs, "language": nesting.family, "files": len(files)},
        )


# LL106 ---------------------------------------------------------------------------------


def check_empty_layer(layer: Layer, ctx: Context) -> Iterator[Hit]:
    if layer.files or layer.unlisted:
        return
    folders = sum(1 for entry in layer.entries if entry.is_dir)
    holds = f"only {folders} folder{'s' if folders != 1 else ''}" if folders else "nothing at all"
    yield Hit(
        path=None,
        message=f"the layer holds no files ({holds}): it adds nothing to /opt for any function that uses it",
        fix="Check which folder the build zips and that it is filled before zipping (e.g. pip install --target python first, then zip -r layer.zip python).",
        targets=ctx.targets,
        data={"folders": folders},
    )


# LL105 ---------------------------------------------------------------------------------


def check_deprecated_runtime(layer: Layer, ctx: Context) -> Iterator[Hit]:
    for group in _groups(ctx):
        runtime = group.runtime
        if not runtime.is_deprecated(ctx.as_of):
            continue
        successor = ctx.kb.successor_of(runtime, ctx.as_of)
        dates = [f"deprecated since {runtime.deprecated}"]
        for label, day in (("function creation", runtime.block_create), ("function updates", runtime.block_update)):
            if day is not None:
                dates.append(f"{label} {'blocked since' if day <= ctx.as_of else 'blocked from'} {day}")
        yield Hit(
            path=None,
            message=f"{runtime.id} is {', '.join(dates)} (as of {ctx.as_of}); it gets no security patches",
            fix=f"Move the function and this layer to {successor.id}." if successor else f"Move to a supported {runtime.family} runtime.",
            targets=group.targets,
            data={
                "runtime": runtime.id,
                "deprecated": runtime.deprecated.isoformat() if runtime.deprecated else None,
                "block_create": runtime.block_create.isoformat() if runtime.block_create else None,
                "block_update": runtime.block_update.isoformat() if runtime.block_update else None,
                "successor": successor.id if successor else None,
            },
        )


RULES = [
    Rule(
        code="LL101",
        check=check_nothing_on_search_path,
        name="nothing-on-search-path",
        severity="error",
        summary="The layer holds language packages, but none in a folder the target runtime reads.",
        what="Finds layers whose Python modules, *.dist-info, package.json, .jar or gem files all sit outside the folders the target runtime searches. Language code in bin/, lib/, extensions/ or bootstrap counts as read by every runtime; other files there (console scripts, shared libraries) do not.",
        why="Lambda unpacks the layer into /opt and the runtime imports only from its own folders (python/, nodejs/node_modules/, java/lib/, ruby/lib/ and their versioned forms). Everything else is dead weight, and the function fails at invoke time with \"Unable to import module\" or \"Cannot find module\".",
        example="requests/__init__.py at the zip root, linted for python3.12.",
        fix="Move the package under the runtime's folder: requests/ -> python/requests/.",
    ),
    Rule(
        code="LL102",
        check=check_outside_search_path,
        name="outside-search-path",
        severity="info",
        summary="A top-level entry that no target runtime puts on a search path.",
        what="Lists top-level files and folders that no target runtime searches, with their sizes and the /opt path where code can still open them.",
        why="Data files that your code opens by path are fine anywhere; anything meant to be imported is not found. The sizes show what the layer carries for nothing if no code opens it.",
        example="assets/ (3 files, 1.2 MB) in a python3.12 layer.",
        fix="Nothing, if code opens /opt/assets/ by path; otherwise move it into a runtime folder or drop it.",
        severity_note="warning for a copied system tree (usr/, lib64/, sbin/) that holds native code: programs and libraries meant to run, which neither PATH nor the loader finds there.",
    ),
    Rule(
        code="LL103",
        check=check_wrong_runtime_version_path,
        name="wrong-runtime-version-path",
        severity="error",
        summary="Content in another runtime version's folder, which the target does not read.",
        what="Finds version-specific folders (python/lib/pythonX.Y/site-packages/, nodejs/nodeNN/node_modules/, ruby/gems/X.Y.0/) whose version is not the target runtime's.",
        why="Each runtime reads only its own versioned folder: python3.12 never looks in python/lib/python3.9/site-packages/. Compiled modules built for another version would not load even if moved.",
        example="python/lib/python3.9/site-packages/numpy/ linted for python3.12.",
        fix="Move pure-Python content to the target's folder (python/lib/python3.12/site-packages/ or python/); rebuild compiled packages for the target version.",
        severity_note="info when the layer also has the target's own versioned folder, as multi-version layers do.",
    ),
    Rule(
        code="LL104",
        check=check_misnested_folder,
        name="misnested-folder",
        severity="error",
        summary="A well-known nesting mistake: a runtime folder one level too deep or too shallow.",
        what="Finds python/site-packages/, python/lib/site-packages/, python/python/, site-packages/ or node_modules/ at the root, nodejs/node_modules/node_modules/, .jar files at the root or directly in java/, and ruby/gems/ without a version folder.",
        why="These come from zipping the wrong folder. The runtime searches one exact level, so everything below a misnested folder is invisible to it.",
        example="python/site-packages/requests/__init__.py",
        fix="Move the folder's contents to where the runtime looks: python/site-packages/requests/ -> python/requests/.",
    ),
    Rule(
        code="LL105",
        check=check_deprecated_runtime,
        name="deprecated-runtime",
        severity="warning",
        summary="A target runtime is deprecated on the reference date.",
        what="Reports target runtimes past their deprecation date (see --as-of), with the dates on which Lambda blocks function creation and updates, and the successor.",
        why="Deprecated runtimes get no security patches; after the block dates you can no longer create or update functions that use them.",
        example="A layer with python/lib/python3.8/site-packages/, checked on 2026-11-28.",
        fix="Move to the successor runtime and rebuild the layer for it.",
    ),
    Rule(
        code="LL106",
        check=check_empty_layer,
        name="empty-layer",
        severity="warning",
        summary="A layer that holds no files, only folders or nothing at all.",
        what="Counts the files and symlinks the layer would add to /opt (folders alone add nothing).",
        why="Lambda publishes it, and every function that uses it gets nothing from it: usually a build step zipped the wrong folder or ran before the dependencies were installed.",
        example="A zip made with `zip -r layer.zip build/` before `pip install --target build/python` ran.",
        fix="Check which folder the build zips and that it is filled before zipping.",
    ),
]
