"""A run makes Python's cyclic garbage collector run seldom (engine._fewer_collections), puts
its thresholds back afterwards, and still collects: pyelftools leaves objects in cycles for
every file it reads, and a layer of many damaged ELF files must not pile them up."""

from __future__ import annotations

import gc

from layer_lint import elf, engine
from layer_lint.engine import Options, run
from layers import write_zip
from native import binary


def test_the_thresholds_are_put_back(tmp_path):
    layer = write_zip(tmp_path / "layer.zip", {"python/demo/__init__.py": ""})
    before = gc.get_threshold()
    run([layer], Options(cache=False))
    assert gc.get_threshold() == before and gc.isenabled()


def test_cycles_are_still_collected_during_a_run(tmp_path):
    cut = binary("x86_64/libgood.so")[:3000]  # damaged: the struct reader hands it to pyelftools
    layer = write_zip(tmp_path / "layer.zip", {f"lib/cut{i}.so": cut for i in range(300)})
    gc.collect()
    run([layer], Options(cache=False))
    left = gc.collect()
    assert left < 300 * 400 / 2, f"{left} objects in cycles were left to the end of the run"


def test_the_collector_stays_on_during_a_run(tmp_path, monkeypatch):
    seen = []
    original = elf._reference_facts

    def spy(data, complete):
        seen.append((gc.isenabled(), gc.get_threshold()))
        return original(data, complete)

    monkeypatch.setattr(elf, "_reference_facts", spy)
    layer = write_zip(tmp_path / "layer.zip", {"lib/cut.so": binary("x86_64/libgood.so")[:3000]})
    run([layer], Options(cache=False))
    assert seen and all(state == (True, engine._RUN_THRESHOLDS) for state in seen)
