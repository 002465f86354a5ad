"""The two ELF readers in elf.py agree: the struct reader gives exactly what pyelftools gives.

read_elf tries the struct reader first and hands pyelftools (the reference reader) every file
the struct reader does not handle. These tests hold the struct reader to the reference on every
ELF fixture, whole, cut, seen through a Sparse view, and mutated by hypothesis (overwritten
bytes where the headers and tables are, flipped bits anywhere), comparing the facts' JSON so
that even the order of versions and symbols must match. They also check that the fixtures do
take the fast path, and that the names the struct reader gives are pyelftools' names.

200 mutated files by default; LAYER_LINT_FUZZ_EXAMPLES (e.g. 20000) fuzzes longer.
"""

from __future__ import annotations

import json
import os
import struct

import pytest
from elftools.elf import enums
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layer_lint import elf
from layer_lint.elf import Sparse, read_elf
from native import binary, elf_names

EXAMPLES = int(os.environ.get("LAYER_LINT_FUZZ_EXAMPLES", "200"))
SSTRIPPED = "x86_64/hello-sstripped"  # no section headers: pyelftools finds .dynstr through DT_STRTAB


def as_json(facts):
    return None if facts is None else json.dumps(facts.to_json())


def assert_same(data, complete: bool = True) -> None:
    assert as_json(read_elf(data, complete)) == as_json(elf._reference_facts(data, complete))


def names(enum: dict) -> dict:
    """value -> name, as construct's Enum decodes them (the last name of a value wins)."""
    return {value: name for name, value in enum.items() if name != "_default_"}


def test_names_are_pyelftools_names():
    assert {v: names(enums.ENUM_E_TYPE)[v] for v in elf._ELF_TYPES} == elf._ELF_TYPES
    assert {v: names(enums.ENUM_E_MACHINE)[v] for v in elf._MACHINES} == elf._MACHINES


@pytest.mark.parametrize("machine", sorted(elf._MACHINES.values()))
def test_numbers_mean_what_pyelftools_calls_them(machine):
    """The section types, segment types and dynamic tags the struct reader compares by number
    have, for every machine it accepts, the names pyelftools compares by."""
    sh_types = {"EM_ARM": enums.ENUM_SH_TYPE_ARM, "EM_AARCH64": enums.ENUM_SH_TYPE_AARCH64, "EM_X86_64": enums.ENUM_SH_TYPE_AMD64,
                "EM_MIPS": enums.ENUM_SH_TYPE_MIPS, "EM_RISCV": enums.ENUM_SH_TYPE_RISCV}.get(machine, enums.ENUM_SH_TYPE_BASE)
    p_types = {"EM_ARM": enums.ENUM_P_TYPE_ARM, "EM_AARCH64": enums.ENUM_P_TYPE_AARCH64, "EM_MIPS": enums.ENUM_P_TYPE_MIPS,
               "EM_RISCV": enums.ENUM_P_TYPE_RISCV}.get(machine, enums.ENUM_P_TYPE_BASE)
    d_tags = {**enums.ENUM_D_TAG_COMMON, **enums.ENUMMAP_EXTRA_D_TAG_MACHINE.get(machine, {})}
    sections, segments, tags = names(sh_types), names(p_types), names(d_tags)
    expected_sections = {
        elf._SHT_NULL: "SHT_NULL", elf._SHT_SYMTAB: "SHT_SYMTAB", elf._SHT_STRTAB: "SHT_STRTAB", elf._SHT_RELA: "SHT_RELA",
        elf._SHT_HASH: "SHT_HASH", elf._SHT_DYNAMIC: "SHT_DYNAMIC", elf._SHT_NOBITS: "SHT_NOBITS", elf._SHT_REL: "SHT_REL",
        elf._SHT_DYNSYM: "SHT_DYNSYM", elf._SHT_RELR: "SHT_RELR", elf._SHT_GNU_HASH: "SHT_GNU_HASH",
        elf._SHT_SUNW_LDYNSYM: "SHT_SUNW_LDYNSYM", elf._SHT_SUNW_SYMINFO: "SHT_SUNW_syminfo",
        elf._SHT_GNU_VERDEF: "SHT_GNU_verdef", elf._SHT_GNU_VERNEED: "SHT_GNU_verneed", elf._SHT_GNU_VERSYM: "SHT_GNU_versym",
    }
    assert {v: sections.get(v) for v in expected_sections} == expected_sections
    # The attributes sections pyelftools parses share one number, on the machines the struct reader
    # hands such sections over for.
    attributes = {value for value, name in sections.items() if name in ("SHT_ARM_ATTRIBUTES", "SHT_RISCV_ATTRIBUTES")}
    on_machines = {elf._MACHINES[number] for number in elf._ATTRIBUTE_MACHINES}
    assert attributes == ({elf._SHT_ATTRIBUTES} if machine in on_machines else set())
    assert [segments.get(v) for v in (elf._PT_LOAD, elf._PT_DYNAMIC, elf._PT_INTERP)] == ["PT_LOAD", "PT_DYNAMIC", "PT_INTERP"]
    wanted = (elf._DT_NULL, elf._DT_NEEDED, elf._DT_SONAME, elf._DT_RPATH, elf._DT_RUNPATH)
    assert [tags.get(v) for v in wanted] == ["DT_NULL", "DT_NEEDED", "DT_SONAME", "DT_RPATH", "DT_RUNPATH"]
    # pyelftools reads a string for DT_SUNW_FILTER too, but only with Solaris tags, which go to it.
    assert "DT_SUNW_FILTER" not in tags.values()


@pytest.mark.parametrize("name", elf_names())
def test_every_fixture_takes_the_fast_path_and_agrees(name):
    data = binary(name)
    for complete, head in ((True, data), (False, data), (False, data[:4096])):
        assert_same(head, complete)
        if name != SSTRIPPED or not complete:
            elf._fast_facts(head, complete)  # raises _Unusual if the file went to pyelftools
    if name == SSTRIPPED:
        with pytest.raises(elf._Unusual):
            elf._fast_facts(data, True)


@pytest.mark.parametrize("name", elf_names())
def test_cut_fixtures_agree(name):
    data = binary(name)
    for size in range(0, len(data), max(61, len(data) // 100)):  # about 100 cuts of each file
        assert_same(data[:size])
        assert_same(data[:size], complete=False)


@pytest.mark.parametrize("name", ["x86_64/libcxx.so", "arm64/libstatx.so", "i386/lib32.so"])
def test_sparse_views_agree(name):
    """A big member is parsed through a Sparse view of its start and end; a hole in between
    reads as zeros to both readers."""
    data = binary(name)
    for hole in (range(3000, 3500), range(len(data) // 2, len(data) // 2 + 64), range(1200, len(data) - 1500)):
        pieces = [(0, data[: hole.start]), (hole.stop, data[hole.stop :])]
        assert as_json(read_elf(Sparse(len(data), pieces), True)) == as_json(elf._reference_facts(Sparse(len(data), pieces), True))


def test_looping_version_needs_stop_the_struct_reader_too():
    """A vn_next of 0 with a huge count: the struct reader stops at the section's size and hands
    the file to pyelftools, which reports it; neither loops."""
    data = bytearray(binary("x86_64/libstatx.so"))
    facts = elf._fast_facts(bytes(data), True)
    assert facts.version_needs
    e_shoff = int.from_bytes(data[0x28:0x30], "little")
    shstr = int.from_bytes(data[0x3E:0x40], "little")
    table = e_shoff + 64 * shstr
    names_at = int.from_bytes(data[table + 24 : table + 32], "little")
    for index in range(int.from_bytes(data[0x3C:0x3E], "little")):
        header = e_shoff + 64 * index
        name_at = names_at + int.from_bytes(data[header : header + 4], "little")
        if data[name_at : name_at + 15] == b".gnu.version_r\0":
            data[header + 44 : header + 48] = (0xFFFFFFFF).to_bytes(4, "little")  # sh_info
            offset = int.from_bytes(data[header + 24 : header + 32], "little")
            data[offset + 12 : offset + 16] = bytes(4)  # vn_next
    with pytest.raises(elf._Unusual):
        elf._fast_facts(bytes(data), True)
    assert "version needs" in read_elf(bytes(data), True).error


@st.composite
def mutated_fixture(draw):
    data = bytearray(binary(draw(st.sampled_from(elf_names()))))
    for _ in range(draw(st.integers(1, 8))):
        if draw(st.booleans()):  # headers and tables: the first KiB and the last 2 KiB
            where = draw(st.one_of(st.integers(0, 1023), st.integers(len(data) - 2048, len(data) - 1)))
            data[where] = draw(st.integers(0, 255))
        else:
            where = draw(st.integers(0, len(data) - 1))
            data[where] ^= 1 << draw(st.integers(0, 7))
    return bytes(data)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_fixture())
def test_mutated_fixtures_agree(data):
    assert_same(data)


def test_dynamic_range_of_a_real_library_and_of_one_whose_size_lies():
    from layer_lint.elf import dynamic_range

    data = bytearray(binary("x86_64/libgood.so"))
    start, end = dynamic_range(bytes(data))
    assert 0 < start < end <= len(data) and end - start < 4096
    # p_filesz of PT_DYNAMIC made huge: the read must not keep a whole big member for it.
    phoff, (entsize, count) = struct.unpack_from("<Q", data, 0x20)[0], struct.unpack_from("<HH", data, 0x36)
    for index in range(count):
        at = phoff + index * entsize
        if struct.unpack_from("<I", data, at)[0] == 2:
            struct.pack_into("<Q", data, at + 32, 1 << 40)
    assert dynamic_range(bytes(data)) is None
