"""The Lambda runtime knowledge base: loads data/runtimes.json and checks its invariants."""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

__all__ = [
    "ARCHITECTURES",
    "FAMILIES",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "OperatingSystem",
    "Runtime",
    "build_knowledge_base",
    "load_knowledge_base",
]

ARCHITECTURES = ("x86_64", "arm64")
FAMILIES = ("python", "nodejs", "java", "ruby", "dotnet", "go", "provided")

_TOP_KEYS = ("version", "sources", "environment", "operating_systems", "node_module_versions", "quotas", "runtimes", "container_only")
_QUOTA_KEYS = ("unzipped_bytes", "direct_upload_zipped_bytes", "layers_per_function", "extensions_per_function")
_RUNTIME_REQUIRED = (
    "runtime",
    "family",
    "version",
    "os",
    "architectures",
    "deprecated",
    "block_create",
    "block_update",
    "successor",
    "zip",
    "layer_paths",
    "unverified",
    "sources",
    "notes",
)
_RUNTIME_OPTIONAL = ("path", "ld_library_path")  # per-runtime overrides of the environment defaults
_CONTAINER_KEYS = ("runtime", "family", "version", "os", "sources", "notes")
_DATE_FIELDS = ("deprecated", "block_create", "block_update")


class KnowledgeBaseError(Exception):
    """The runtime data file is missing, malformed or breaks one of its invariants."""


@dataclass(frozen=True)
class Quotas:
    """Lambda's limits for a function and its layers."""

    unzipped_bytes: int  # function + layers, unzipped; Lambda wants strictly less
    direct_upload_zipped_bytes: int  # a zip uploaded through the API or console
    layers_per_function: int
    extensions_per_function: int


@dataclass(frozen=True)
class Libstdcxx:
    """The system libstdc++'s symbol versions: all images have up to `safe`; current ones up to `newest`."""

    glibcxx_safe: str | None
    glibcxx_newest: str | None
    cxxabi_safe: str | None
    cxxabi_newest: str | None


LIBRARY_TIERS = ("base", "live", "image")


@dataclass(frozen=True)
class OperatingSystem:
    id: str
    name: str
    glibc: str | None
    libstdcxx: Libstdcxx = Libstdcxx(None, None, None, None)
    # Shared libraries in /lib64 and /usr/lib64 by tier and architecture: "base" (glibc and the GCC
    # runtime, always there), "live" (seen in a dump of a running Lambda), "image" (seen only in the
    # container image, which AWS calls similar to, not the same as, the execution environment).
    libraries: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)

    def library_tier(self, soname: str, arch: str) -> str | None:
        """The most reliable tier listing the library for the architecture, or None when no list has it."""
        for tier in LIBRARY_TIERS:
            if soname in self.libraries.get(tier, {}).get(arch, frozenset()):
                return tier
        return None


@dataclass(frozen=True)
class Runtime:
    id: str
    family: str | None
    version: str | None
    os: str | None
    glibc: str | None  # from the operating system
    architectures: tuple[str, ...]  # empty when unknown (then "architectures" is in unverified)
    deprecated: datetime.date | None
    block_create: datetime.date | None
    block_update: datetime.date | None
    successor: str | None
    zip: bool
    layer_paths: tuple[str, ...]
    path: tuple[str, ...]
    ld_library_path: tuple[str, ...]
    unverified: tuple[str, ...]
    notes: str | None

    def is_deprecated(self, as_of: datetime.date) -> bool:
        return self.deprecated is not None and self.deprecated <= as_of

    def status(self, as_of: datetime.date) -> str:
        """One of "supported", "deprecated", "create blocked", "create+update blocked", "unknown".

        Each stage is judged by its own date: some AL1 runtimes were create-blocked before their deprecation date.
        """
        if self.deprecated is None and self.block_create is None and self.block_update is None:
            return "unknown"
        if self.block_update is not None and self.block_update <= as_of:
            return "create+update blocked"
        if self.block_create is not None and self.block_create <= as_of:
            return "create blocked"
        if self.is_deprecated(as_of):
            return "deprecated"
        return "supported"

    def opt_paths(self) -> tuple[str, ...]:
        """Every zip-relative folder this runtime reads from a layer (layer paths, then /opt entries of PATH and LD_LIBRARY_PATH)."""
        result: list[str] = []
        for folder in self.layer_paths:
            if folder not in result:
                result.append(folder)
        for entry in (*self.path, *self.ld_library_path):
            if entry.startswith("/opt/"):
                folder = entry[len("/opt/") :].strip("/")
                if folder and folder not in result:
                    result.append(folder)
        return tuple(result)

    def to_json(self) -> dict[str, Any]:
        def iso(value: datetime.date | None) -> str | None:
            return value.isoformat() if value is not None else None

        return {
            "runtime": self.id,
            "family": self.family,
            "version": self.version,
            "os": self.os,
            "glibc": self.glibc,
            "architectures": list(self.architectures),  # empty when unknown; see "unverified"
            "deprecated": iso(self.deprecated),
            "block_create": iso(self.block_create),
            "block_update": iso(self.block_update),
            "zip": self.zip,
            "layer_paths": list(self.layer_paths),
            "successor": self.successor,
            "path": list(self.path),
            "ld_library_path": list(self.ld_library_path),
            "unverified": list(self.unverified),
        }


_RUNTIME_FIELDS = frozenset(f.name for f in dataclasses.fields(Runtime)) - {"id"}


@dataclass(frozen=True)
class KnowledgeBase:
    version: str
    runtimes: dict[str, Runtime]
    container_only: dict[str, str]
    operating_systems: dict[str, OperatingSystem]
    quotas: Quotas
    node_module_versions: dict[str, int] = field(default_factory=dict)  # Node.js major -> NODE_MODULE_VERSION

    def node_abi(self, runtime: Runtime) -> int | None:
        """The NODE_MODULE_VERSION of a Node.js runtime's major version, when known."""
        return self.node_module_versions.get(runtime.version or "") if runtime.family == "nodejs" else None

    def get(self, runtime_id: str) -> Runtime | None:
        return self.runtimes.get(runtime_id)

    def suggest(self, name: str) -> list[str]:
        """Up to three close matches among the runtime ids, best first (for "did you mean").

        difflib's ratio decides; ties go to the id with the same characters in another order ("python3.21" ->
        "python3.12"), then to the closer length.
        """
        scored = []
        for rid in self.runtimes:
            ratio = difflib.SequenceMatcher(None, name, rid).ratio()
            if ratio < 0.6:
                continue
            anagram = difflib.SequenceMatcher(None, sorted(name), sorted(rid)).ratio()
            scored.append((-ratio, -anagram, abs(len(rid) - len(name)), rid))
        scored.sort()
        return [rid for *_, rid in scored[:3]]

    def family(self, family: str) -> list[Runtime]:
        return [rt for rt in self.runtimes.values() if rt.family == family]

    def successor_of(self, runtime: Runtime, as_of: datetime.date) -> Runtime | None:
        """The runtime to migrate to.

        The data's successor when it is set and not itself deprecated on as_of (the stored successors can be older
        than the dates); otherwise the newest runtime of the same family that has a deprecation date and is not
        deprecated on as_of and not of an older language version (ordered by version where packaging can parse it,
        then file order). None if there is none, or if that newest runtime is this one.
        """
        if runtime.successor is not None:
            named = self.runtimes.get(runtime.successor)
            if named is not None and not named.is_deprecated(as_of):
                return named
        if runtime.family is None:
            return None
        own_version = _parse_version(runtime.version)
        best: tuple[tuple[bool, Version, int], Runtime] | None = None
        for index, candidate in enumerate(self.runtimes.values()):
            if candidate.family != runtime.family:
                continue
            if candidate.deprecated is None or candidate.is_deprecated(as_of):
                continue
            parsed = _parse_version(candidate.version)
            if parsed is not None and own_version is not None and parsed < own_version:
                continue  # never suggest an older language version
            key = (parsed is not None, parsed if parsed is not None else Version("0"), index)
            if best is None or key > best[0]:
                best = (key, candidate)
        if best is None or best[1].id == runtime.id:
            return None
        return best[1]


def _parse_version(value: str | None) -> Version | None:
    if value is None:
        return None
    try:
        return Version(value)
    except InvalidVersion:
        return None


@functools.cache
def load_knowledge_base() -> KnowledgeBase:
    """Read the packaged data/runtimes.json and build the checked knowledge base (cached)."""
    # Beside this module, as pip installs it (importlib.resources would cost a run ~6 ms of imports).
    resource = Path(__file__).resolve().parent / "data" / "runtimes.json"
    try:
        text = resource.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeBaseError(f"cannot read the runtime data file {resource}: {exc}") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise KnowledgeBaseError(f"the runtime data file is not valid JSON: {exc}") from exc
    return build_knowledge_base(data)


def build_knowledge_base(data: dict) -> KnowledgeBase:
    """Build a KnowledgeBase from the parsed JSON, raising KnowledgeBaseError on the first broken invariant."""
    _require(isinstance(data, dict), "the top level must be an object")
    for key in _TOP_KEYS:
        _require(key in data, f"missing top-level key {key!r}")

    kb_version = data["version"]
    _require(isinstance(kb_version, str), "'version' must be a string")
    _parse_date(kb_version, "'version'")

    source_ids = data["sources"]
    _require(
        isinstance(source_ids, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in source_ids.items()),
        "'sources' must map source ids to one-line descriptions",
    )

    env = data["environment"]
    _require(isinstance(env, dict), "'environment' must be an object")
    default_path = _abs_paths(env.get("path"), "environment.path")
    default_ld = _abs_paths(env.get("ld_library_path"), "environment.ld_library_path")
    _check_source_list(env.get("sources", []), source_ids, "environment.sources")

    operating_systems: dict[str, OperatingSystem] = {}
    _require(isinstance(data["operating_systems"], dict), "'operating_systems' must be an object")
    for os_id, entry in data["operating_systems"].items():
        where = f"operating_systems.{os_id}"
        _require(isinstance(entry, dict), f"{where} must be an object")
        name = entry.get("name")
        _require(isinstance(name, str) and name != "", f"{where}.name must be a non-empty string")
        glibc = entry.get("glibc")
        _require(
            glibc is None or _is_dotted_version(glibc), f"{where}.glibc must be like '2.26' or null, got {glibc!r}"
        )
        _check_sources(entry.get("sources", {}), source_ids, f"{where}.sources")
        operating_systems[os_id] = OperatingSystem(
            id=os_id,
            name=name,
            glibc=glibc,
            libstdcxx=_build_libstdcxx(entry.get("libstdcxx", {}), source_ids, where),
            libraries=_build_libraries(entry.get("libraries", {}), source_ids, where),
        )

    _require(isinstance(data["runtimes"], list), "'runtimes' must be a list")
    _require(isinstance(data["container_only"], list), "'container_only' must be a list")

    container_only: dict[str, str] = {}
    for index, entry in enumerate(data["container_only"]):
        where = f"container_only[{index}]"
        _require(isinstance(entry, dict), f"{where} must be an object")
        missing = [k for k in _CONTAINER_KEYS if k not in entry]
        _require(not missing, f"{where}: missing keys {missing}")
        unknown = sorted(set(entry) - set(_CONTAINER_KEYS))
        _require(not unknown, f"{where}: unknown keys {unknown}")
        rid = entry["runtime"]
        _require(isinstance(rid, str) and rid != "", f"{where}.runtime must be a non-empty string")
        where = f"container_only[{index}] ({rid})"
        _require(rid not in container_only, f"{where}: duplicate container-only id {rid!r}")
        _require(
            entry["os"] is None or entry["os"] in operating_systems,
            f"{where}: os {entry['os']!r} is not a key of operating_systems",
        )
        _check_family(entry["family"], where)
        _require(isinstance(entry["notes"], str) and entry["notes"], f"{where}.notes must be a non-empty string")
        _check_sources(entry["sources"], source_ids, f"{where}.sources")
        container_only[rid] = entry["notes"]

    runtimes: dict[str, Runtime] = {}
    successors: list[tuple[str, str]] = []
    for index, entry in enumerate(data["runtimes"]):
        where = f"runtimes[{index}]"
        _require(isinstance(entry, dict), f"{where} must be an object")
        rid = entry.get("runtime")
        _require(isinstance(rid, str) and rid != "", f"{where}.runtime must be a non-empty string")
        where = f"runtimes[{index}] ({rid})"
        missing = [k for k in _RUNTIME_REQUIRED if k not in entry]
        _require(not missing, f"{where}: missing keys {missing}")
        unknown = sorted(set(entry) - set(_RUNTIME_REQUIRED) - set(_RUNTIME_OPTIONAL))
        _require(not unknown, f"{where}: unknown keys {unknown}")
        _require(rid not in runtimes, f"{where}: duplicate runtime id {rid!r}")
        _require(rid not in container_only, f"{where}: {rid!r} is listed both as a zip runtime and as container-only")

        _check_family(entry["family"], where)
        _require(
            entry["version"] is None or isinstance(entry["version"], str), f"{where}.version must be a string or null"
        )
        os_id = entry["os"]
        _require(
            os_id is None or os_id in operating_systems, f"{where}: os {os_id!r} is not a key of operating_systems"
        )

        archs = entry["architectures"]
        if archs is None:
            archs = []
        _require(isinstance(archs, list), f"{where}.architectures must be a list or null")
        bad = [a for a in archs if a not in ARCHITECTURES]
        _require(not bad, f"{where}: architectures {bad} are not in {list(ARCHITECTURES)}")
        _require(len(set(archs)) == len(archs), f"{where}: duplicate architectures {archs}")

        dates = {name: _parse_optional_date(entry[name], f"{where}.{name}") for name in _DATE_FIELDS}

        successor = entry["successor"]
        _require(successor is None or isinstance(successor, str), f"{where}.successor must be a string or null")
        if successor is not None:
            _require(successor != rid, f"{where}: a runtime cannot be its own successor")
            successors.append((where, successor))

        _require(isinstance(entry["zip"], bool), f"{where}.zip must be true or false")
        layer_paths = entry["layer_paths"]
        _require(isinstance(layer_paths, list), f"{where}.layer_paths must be a list")
        for folder in layer_paths:
            _check_relative(folder, f"{where}.layer_paths")
        _require(len(set(layer_paths)) == len(layer_paths), f"{where}: duplicate layer_paths {layer_paths}")

        unverified = entry["unverified"]
        _require(isinstance(unverified, list), f"{where}.unverified must be a list")
        wrong = [name for name in unverified if name not in _RUNTIME_FIELDS]
        _require(not wrong, f"{where}: unverified names {wrong} are not Runtime fields ({sorted(_RUNTIME_FIELDS)})")

        _check_sources(entry["sources"], source_ids, f"{where}.sources")
        notes = entry["notes"]
        _require(
            notes is None or (isinstance(notes, str) and notes), f"{where}.notes must be a non-empty string or null"
        )

        path = _abs_paths(entry["path"], f"{where}.path") if "path" in entry else default_path
        ld_path = (
            _abs_paths(entry["ld_library_path"], f"{where}.ld_library_path")
            if "ld_library_path" in entry
            else default_ld
        )
        runtimes[rid] = Runtime(
            id=rid,
            family=entry["family"],
            version=entry["version"],
            os=os_id,
            glibc=operating_systems[os_id].glibc if os_id is not None else None,
            architectures=tuple(archs),
            deprecated=dates["deprecated"],
            block_create=dates["block_create"],
            block_update=dates["block_update"],
            successor=successor,
            zip=entry["zip"],
            layer_paths=tuple(layer_paths),
            path=path,
            ld_library_path=ld_path,
            unverified=tuple(unverified),
            notes=notes,
        )

    for where, successor in successors:
        _require(successor in runtimes, f"{where}: successor {successor!r} is not a runtime id")

    return KnowledgeBase(
        version=kb_version,
        runtimes=runtimes,
        container_only=container_only,
        operating_systems=operating_systems,
        quotas=_build_quotas(data["quotas"], set(data["sources"])),
        node_module_versions=_build_node_abi(data["node_module_versions"], set(data["sources"])),
    )


def _build_node_abi(raw: Any, source_ids: set[str]) -> dict[str, int]:
    _require(isinstance(raw, dict), "node_module_versions must be an object")
    _check_source_list(raw.get("sources", []), source_ids, "node_module_versions.sources")
    versions = {major: abi for major, abi in raw.items() if major != "sources"}
    _require(all(major.isdigit() and isinstance(abi, int) for major, abi in versions.items()), "node_module_versions maps majors to integers")
    return versions


def _build_libstdcxx(raw: Any, source_ids: set[str], where: str) -> Libstdcxx:
    _require(isinstance(raw, dict), f"{where}.libstdcxx must be an object")
    values = {}
    for key in ("glibcxx_safe", "glibcxx_newest", "cxxabi_safe", "cxxabi_newest"):
        value = raw.get(key)
        _require(value is None or _is_dotted_version(value), f"{where}.libstdcxx.{key} must be like '3.4.24' or null")
        values[key] = value
    if raw:
        _check_source_list(raw.get("sources", []), source_ids, f"{where}.libstdcxx.sources")
    return Libstdcxx(**values)


def _build_libraries(raw: Any, source_ids: set[str], where: str) -> dict[str, dict[str, frozenset[str]]]:
    _require(isinstance(raw, dict), f"{where}.libraries must be an object")
    tiers: dict[str, dict[str, frozenset[str]]] = {}
    for tier, by_arch in raw.items():
        if tier == "sources":
            _check_sources(by_arch, source_ids, f"{where}.libraries.sources")
            continue
        _require(tier in LIBRARY_TIERS, f"{where}.libraries: unknown tier {tier!r}")
        _require(isinstance(by_arch, dict) and set(by_arch) <= set(ARCHITECTURES), f"{where}.libraries.{tier} must map architectures to lists")
        tiers[tier] = {arch: frozenset(names) for arch, names in by_arch.items()}
        _require(tier in raw.get("sources", {}), f"{where}.libraries.{tier} needs sources")
    return tiers


def _build_quotas(raw: Any, source_ids: set[str]) -> Quotas:
    _require(isinstance(raw, dict), "quotas must be an object")
    for key in _QUOTA_KEYS:
        value = raw.get(key)
        _require(isinstance(value, int) and not isinstance(value, bool) and value > 0, f"quotas.{key} must be a positive integer")
        cited = raw.get("sources", {}).get(key)
        _require(bool(cited) and set(cited) <= source_ids, f"quotas.{key} needs sources from the top-level sources")
    return Quotas(**{key: raw[key] for key in _QUOTA_KEYS})


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise KnowledgeBaseError(f"runtimes.json: {message}")


def _parse_date(value: str, where: str) -> datetime.date:
    try:
        parsed = datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        parsed = None
    # fromisoformat accepts other forms on newer Pythons; insist on YYYY-MM-DD
    _require(parsed is not None and parsed.isoformat() == value, f"{where}: {value!r} is not a YYYY-MM-DD date")
    assert parsed is not None
    return parsed


def _parse_optional_date(value: Any, where: str) -> datetime.date | None:
    if value is None:
        return None
    _require(isinstance(value, str), f"{where}: {value!r} is not a YYYY-MM-DD date or null")
    return _parse_date(value, where)


def _is_dotted_version(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = value.split(".")
    return len(parts) >= 2 and all(part.isdigit() for part in parts)


def _check_family(family: Any, where: str) -> None:
    _require(family is None or family in FAMILIES, f"{where}: family {family!r} is not one of {list(FAMILIES)} or null")


def _check_relative(folder: Any, where: str) -> None:
    _require(isinstance(folder, str) and folder != "", f"{where}: {folder!r} must be a non-empty string")
    _require(not folder.startswith("/"), f"{where}: {folder!r} must be relative (no leading '/')")
    _require(not folder.endswith("/"), f"{where}: {folder!r} must not end with '/'")
    _require("\\" not in folder, f"{where}: {folder!r} must use '/' separators")
    parts = folder.split("/")
    _require(".." not in parts, f"{where}: {folder!r} must not contain '..'")
    _require(all(part not in ("", ".") for part in parts), f"{where}: {folder!r} has an empty or '.' component")


def _abs_paths(value: Any, where: str) -> tuple[str, ...]:
    _require(isinstance(value, list), f"{where} must be a list of absolute paths")
    for entry in value:
        _require(isinstance(entry, str) and entry.startswith("/"), f"{where}: {entry!r} is not an absolute path")
    return tuple(value)


def _check_source_list(value: Any, source_ids: dict, where: str) -> None:
    _require(isinstance(value, list), f"{where} must be a list of source ids")
    unknown = [s for s in value if s not in source_ids]
    _require(not unknown, f"{where}: source ids {unknown} are not keys of the top-level 'sources'")


def _check_sources(value: Any, source_ids: dict, where: str) -> None:
    _require(isinstance(value, dict), f"{where} must map field names to lists of source ids")
    for field_name, ids in value.items():
        _check_source_list(ids, source_ids, f"{where}.{field_name}")
