"""Tests for the runtime knowledge base (src/layer_lint/data/runtimes.json and layer_lint.runtimes)."""

from __future__ import annotations

import copy
import datetime
import json
from importlib.resources import files

import pytest

from layer_lint.runtimes import (
    ARCHITECTURES,
    KnowledgeBase,
    KnowledgeBaseError,
    build_knowledge_base,
    load_knowledge_base,
)

BOTOCORE_VERSION = "1.44.8"
# Dates are pinned: never today's date, so the tests do not change verdict over time.
KB_DATE = datetime.date(2026, 11, 28)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture()
def raw() -> dict:
    text = (files("layer_lint") / "data" / "runtimes.json").read_text(encoding="utf-8")
    return json.loads(text)


def _botocore_lambda_model() -> dict:
    try:
        import botocore
        import botocore.loaders
    except ImportError:  # pragma: no cover - the test extra pins it
        pytest.fail(
            f"botocore=={BOTOCORE_VERSION} is required by these tests: pip install botocore=={BOTOCORE_VERSION}"
        )
    assert botocore.__version__ == BOTOCORE_VERSION, (
        f"tests expect botocore=={BOTOCORE_VERSION} (the knowledge base mirrors its Lambda Runtime enum); "
        f"installed is {botocore.__version__}: pip install botocore=={BOTOCORE_VERSION}"
    )
    return botocore.loaders.Loader().load_service_model("lambda", "service-2")


def _botocore_runtime_enum() -> list[str]:
    return list(_botocore_lambda_model()["shapes"]["Runtime"]["enum"])


# --- botocore parity -------------------------------------------------------------------------------------------


def test_runtimes_match_botocore_enum_in_order(kb):
    enum = _botocore_runtime_enum()
    assert len(enum) == 52
    assert set(enum) - set(kb.runtimes) == set(), "botocore Runtime values missing from runtimes.json"
    assert set(kb.runtimes) - set(enum) == set(), "runtimes.json has ids that botocore's Runtime enum lacks"
    assert list(kb.runtimes) == enum, "runtimes.json must keep botocore's enum order"


def test_container_only_ids_are_not_zip_runtimes(kb):
    enum = set(_botocore_runtime_enum())
    assert set(kb.container_only) == {"dotnet5.0", "dotnet7", "dotnet9"}
    for rid, note in kb.container_only.items():
        assert rid not in kb.runtimes
        assert rid not in enum
        assert note


def test_architectures_match_botocore_enum():
    model = _botocore_lambda_model()
    assert tuple(model["shapes"]["Architecture"]["enum"]) == ARCHITECTURES


# --- invariants on the shipped data ----------------------------------------------------------------------------


def test_invariants_hold_on_shipped_data(kb, raw):
    assert kb.version == "2026-11-28"
    assert build_knowledge_base(raw).runtimes.keys() == kb.runtimes.keys()
    for rt in kb.runtimes.values():
        assert rt.zip is True
        assert set(rt.architectures) <= set(ARCHITECTURES)
        assert rt.os is None or rt.os in kb.operating_systems
        for folder in rt.layer_paths:
            assert not folder.startswith("/") and not folder.endswith("/") and ".." not in folder.split("/")
        if rt.successor is not None:
            assert rt.successor in kb.runtimes
        # a value that is unknown is recorded as unverified
        if rt.os is None:
            assert "os" in rt.unverified
        if not rt.architectures:
            assert "architectures" in rt.unverified
        if rt.deprecated is None:
            assert "deprecated" in rt.unverified


def test_every_runtime_inherits_the_image_environment(kb):
    for rt in kb.runtimes.values():
        assert rt.path[-1] == "/opt/bin"
        assert rt.ld_library_path[-1] == "/opt/lib"


def test_load_is_cached(kb):
    assert load_knowledge_base() is kb


# --- spot checks against lambda-facts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rid, os_id, glibc",
    [
        ("python3.12", "al2023", "2.34"),
        ("python3.11", "al2", "2.26"),
        ("python3.7", "al1", "2.17"),
        ("nodejs20.x", "al2023", "2.34"),
        ("nodejs18.x", "al2", "2.26"),
        ("java8", "al1", "2.17"),
        ("java8.al2", "al2", "2.26"),
        ("java17.al2023", "al2023", "2.34"),
        ("provided.al2", "al2", "2.26"),
        ("go1.x", "al1", "2.17"),
    ],
)
def test_os_and_glibc(kb, rid, os_id, glibc):
    rt = kb.get(rid)
    assert rt is not None
    assert (rt.os, rt.glibc) == (os_id, glibc)


def test_al1_runtimes_are_x86_64_only(kb):
    al1 = [rt for rt in kb.runtimes.values() if rt.os == "al1"]
    assert len(al1) == 15
    assert all(rt.architectures == ("x86_64",) for rt in al1)
    assert kb.get("python3.7").architectures == ("x86_64",)
    assert kb.get("nodejs10.x").architectures == ("x86_64",)
    assert kb.get("python3.12").architectures == ("x86_64", "arm64")


def test_dates_from_cfn(kb):
    rt = kb.get("python3.12")
    assert (rt.deprecated, rt.block_create, rt.block_update) == (
        datetime.date(2028, 10, 31),
        datetime.date(2028, 11, 30),
        datetime.date(2029, 1, 10),
    )


def test_unverified_runtimes(kb):
    ruby4 = kb.get("ruby4.0")
    assert ruby4.layer_paths == ("ruby/gems/4.0.0", "ruby/lib")
    assert "layer_paths" in ruby4.unverified
    assert "layer_paths" not in kb.get("ruby3.4").unverified

    node26 = kb.get("nodejs26.x")
    assert node26.layer_paths == ("nodejs/node26/node_modules", "nodejs/node_modules")
    assert {"layer_paths", "os", "architectures", "deprecated"} <= set(node26.unverified)
    assert node26.os is None and node26.glibc is None and node26.architectures == ()

    custom = kb.get("custom")
    assert custom.family is None and custom.version is None and custom.os is None
    assert "family" in custom.unverified

    assert "os" in kb.get("python3.14").unverified


def test_families_and_versions(kb):
    expected = {
        "python3.12": ("python", "3.12"),
        "nodejs20.x": ("nodejs", "20"),
        "nodejs4.3": ("nodejs", "4.3"),
        "nodejs4.3-edge": ("nodejs", "4.3"),
        "nodejs": ("nodejs", None),
        "java8": ("java", "8"),
        "java8.al2": ("java", "8"),
        "java8.al2023": ("java", "8"),
        "dotnetcore3.1": ("dotnet", "3.1"),
        "dotnet10": ("dotnet", "10"),
        "go1.x": ("go", "1.x"),
        "provided.al2023": ("provided", None),
        "ruby4.0": ("ruby", "4.0"),
        "custom": (None, None),
    }
    for rid, (family, version) in expected.items():
        rt = kb.get(rid)
        assert (rt.family, rt.version) == (family, version), rid
    assert [rt.id for rt in kb.family("go")] == ["go1.x"]
    assert len(kb.family("python")) == 11


def test_layer_paths_per_family(kb):
    assert kb.get("python2.7").layer_paths == ("python/lib/python2.7/site-packages", "python")
    assert kb.get("nodejs22.x").layer_paths == ("nodejs/node22/node_modules", "nodejs/node_modules")
    assert kb.get("java21").layer_paths == ("java/lib",)
    assert kb.get("ruby3.3").layer_paths == ("ruby/gems/3.3.0", "ruby/lib")
    for rid in ("dotnet8", "go1.x", "provided", "provided.al2023"):
        assert kb.get(rid).layer_paths == ()


# --- query API ----------------------------------------------------------------------------------------------------


def test_opt_paths(kb):
    assert kb.get("python3.12").opt_paths() == ("python/lib/python3.12/site-packages", "python", "bin", "lib")
    assert kb.get("provided.al2023").opt_paths() == ("bin", "lib")


def test_is_deprecated_and_status(kb):
    py310 = kb.get("python3.10")  # deprecated 2026-10-31, create blocked 2027-02-01, update blocked 2027-03-03
    assert not py310.is_deprecated(datetime.date(2026, 10, 30))
    assert py310.is_deprecated(datetime.date(2026, 10, 31))
    assert py310.status(datetime.date(2026, 10, 30)) == "supported"
    assert py310.status(datetime.date(2026, 10, 31)) == "deprecated"
    assert py310.status(datetime.date(2027, 2, 1)) == "create blocked"
    assert py310.status(datetime.date(2027, 3, 3)) == "create+update blocked"
    # create blocked before the deprecation date (AL1 data)
    edge = kb.get("nodejs4.3-edge")
    assert edge.status(datetime.date(2019, 4, 1)) == "create blocked"
    assert not edge.is_deprecated(datetime.date(2019, 4, 1))
    assert kb.get("nodejs26.x").status(KB_DATE) == "unknown"
    assert not kb.get("nodejs26.x").is_deprecated(KB_DATE)


@pytest.mark.parametrize(
    "rid, status",
    [
        ("nodejs", "create+update blocked"),
        ("nodejs14.x", "create blocked"),
        ("nodejs20.x", "deprecated"),
        ("python3.12", "supported"),
        ("dotnet8", "deprecated"),
        ("java8", "create blocked"),
        ("custom", "unknown"),
    ],
)
def test_status_table_at_kb_date(kb, rid, status):
    assert kb.get(rid).status(KB_DATE) == status


def test_suggest(kb):
    assert kb.suggest("python3.21")[0] == "python3.12"
    assert len(kb.suggest("python3.21")) == 3
    assert kb.suggest("nodejs20")[0] == "nodejs20.x"
    assert kb.suggest("zzzzzzz") == []


def test_get_unknown(kb):
    assert kb.get("python3.99") is None
    assert kb.get("dotnet9") is None  # container-only


def test_successor_of(kb):
    # stored successor, still supported
    assert kb.successor_of(kb.get("python3.8"), KB_DATE).id == "python3.13"
    assert kb.successor_of(kb.get("go1.x"), KB_DATE).id == "provided.al2023"
    # stored successor ruby3.2 is itself deprecated on KB_DATE: fall back to the newest supported ruby
    assert kb.successor_of(kb.get("ruby2.7"), KB_DATE).id == "ruby4.0"
    assert kb.successor_of(kb.get("ruby2.7"), datetime.date(2025, 1, 1)).id == "ruby3.2"
    assert kb.successor_of(kb.get("dotnet6"), KB_DATE).id == "dotnet10"
    # no stored successor: newest dated, not deprecated runtime of the family
    assert kb.successor_of(kb.get("python3.10"), KB_DATE).id == "python3.14"
    assert kb.successor_of(kb.get("nodejs20.x"), KB_DATE).id == "nodejs24.x"
    assert kb.successor_of(kb.get("java17"), KB_DATE).id == "java25"
    assert kb.successor_of(kb.get("provided.al2"), KB_DATE).id == "provided.al2023"
    assert kb.successor_of(kb.get("python3.14"), KB_DATE) is None  # it is the newest
    assert kb.successor_of(kb.get("custom"), KB_DATE) is None
    assert kb.successor_of(kb.get("nodejs26.x"), KB_DATE) is None  # never an older version
    assert kb.successor_of(kb.get("java8.al2023"), KB_DATE).id == "java25"


def test_to_json(kb):
    doc = kb.get("python3.12").to_json()
    assert set(doc) == {
        "runtime",
        "family",
        "version",
        "os",
        "glibc",
        "architectures",
        "deprecated",
        "block_create",
        "block_update",
        "zip",
        "layer_paths",
        "successor",
        "path",
        "ld_library_path",
        "unverified",
    }
    assert doc["deprecated"] == "2028-10-31"
    assert doc["glibc"] == "2.34"
    assert doc["architectures"] == ["x86_64", "arm64"]
    assert kb.get("nodejs26.x").to_json()["architectures"] == []  # unknown: listed in "unverified"
    json.dumps([rt.to_json() for rt in kb.runtimes.values()])


# --- invariants fail on broken copies -------------------------------------------------------------------------


def _runtime(data: dict, rid: str) -> dict:
    return next(r for r in data["runtimes"] if r["runtime"] == rid)


def _dup(data):
    data["runtimes"].append(copy.deepcopy(data["runtimes"][0]))


BREAKAGES = {
    "duplicate runtime id": (_dup, "duplicate runtime id"),
    "unknown os": (lambda d: _runtime(d, "python3.12").update(os="al3"), "not a key of operating_systems"),
    "bad architecture": (lambda d: _runtime(d, "python3.12").update(architectures=["x86_64", "i386"]), "i386"),
    "bad date": (lambda d: _runtime(d, "python3.12").update(deprecated="2028-13-01"), "YYYY-MM-DD"),
    "date in another format": (lambda d: _runtime(d, "python3.12").update(deprecated="Oct 31, 2028"), "YYYY-MM-DD"),
    "absolute layer path": (lambda d: _runtime(d, "java21").update(layer_paths=["/opt/java/lib"]), "leading '/'"),
    "trailing slash": (lambda d: _runtime(d, "java21").update(layer_paths=["java/lib/"]), "end with '/'"),
    "dot-dot": (lambda d: _runtime(d, "java21").update(layer_paths=["java/../lib"]), "'..'"),
    "unverified not a field": (lambda d: _runtime(d, "ruby4.0").update(unverified=["gem_path"]), "gem_path"),
    "successor not a runtime": (lambda d: _runtime(d, "python3.8").update(successor="python4.0"), "python4.0"),
    "container-only also zip": (
        lambda d: d["runtimes"].append(dict(copy.deepcopy(_runtime(d, "dotnet8")), runtime="dotnet9")),
        "both as a zip runtime and as container-only",
    ),
    "unknown source id": (lambda d: _runtime(d, "python3.12")["sources"].update(os=["AWSBLOG"]), "AWSBLOG"),
    "unknown os source id": (lambda d: d["operating_systems"]["al2"]["sources"].update(glibc=["X"]), "'X'"),
    "unknown family": (lambda d: _runtime(d, "python3.12").update(family="cobol"), "cobol"),
    "missing key": (lambda d: _runtime(d, "python3.12").pop("layer_paths"), "missing keys"),
    "unknown key": (lambda d: _runtime(d, "python3.12").update(glibc="2.34"), "unknown keys"),
    "zip not bool": (lambda d: _runtime(d, "python3.12").update(zip="yes"), "zip"),
    "missing top-level key": (lambda d: d.pop("operating_systems"), "operating_systems"),
}


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_broken_copy_fails(raw, name):
    breaker, message = BREAKAGES[name]
    broken = copy.deepcopy(raw)
    breaker(broken)
    with pytest.raises(KnowledgeBaseError) as excinfo:
        build_knowledge_base(broken)
    assert message in str(excinfo.value)


def test_block_dates_before_deprecation_are_allowed(raw):
    data = copy.deepcopy(raw)
    _runtime(data, "python3.12").update(block_create="2020-01-01")
    build_knowledge_base(data)  # no ordering invariant: real AL1 data has block_create < deprecated
