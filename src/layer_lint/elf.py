"""ELF facts from a member's bytes; the only module that uses pyelftools.

The interpreter and dynamic tags come from the program headers (PT_INTERP, PT_DYNAMIC), so
stripped files work; symbol versions come from the .gnu.version_r section, as readelf -V shows.
"""

from __future__ import annotations

import array
import dataclasses
import io
import re
import struct
import sys
from dataclasses import dataclass, field
from typing import Optional, Union

from elftools.common.exceptions import ELFError
from elftools.common.utils import struct_parse
from elftools.elf.elffile import ELFFile

# vna_flags bit for a version the object can do without (readelf: "Flags: WEAK").
_VER_FLG_WEAK = 0x2
# How many symbol names to keep per version, for messages.
_SYMBOLS_PER_VERSION = 5
_NODE_ABI = re.compile(rb"node_register_module_v(\d+)")


@dataclass(frozen=True)
class ElfFacts:
    elf_type: str  # "ET_EXEC", "ET_DYN", "ET_REL", ...
    interpreter: Optional[str]  # PT_INTERP, e.g. /lib64/ld-linux-x86-64.so.2
    debug_bytes: Optional[int] = None  # bytes in .debug_* sections; None when only the head was read
    bits: int = 64
    big_endian: bool = False
    machine: str = ""  # e_machine as pyelftools names it, e.g. "EM_X86_64", "EM_AARCH64"
    needed: tuple[str, ...] = ()  # DT_NEEDED, in order
    soname: Optional[str] = None
    rpath: tuple[str, ...] = ()  # DT_RPATH entries, unexpanded ($ORIGIN kept)
    runpath: tuple[str, ...] = ()  # DT_RUNPATH entries
    # Required (non-weak) versions by library, from the verneed section: {"libc.so.6": ("GLIBC_2.2.5", ...)}.
    version_needs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # A few undefined symbols per required version: {"GLIBC_2.28": ("fcntl64",)}.
    symbols: dict[str, tuple[str, ...]] = field(default_factory=dict)
    node_abi: Optional[int] = None  # N of an exported node_register_module_vN (non-N-API addons)
    napi: bool = False  # uses Node-API, which is stable across Node versions
    error: Optional[str] = None  # why the dynamic facts could not be read (a damaged file)

    @property
    def is_executable(self) -> bool:
        """A program the kernel can exec: ET_EXEC, or a PIE (ET_DYN with an interpreter)."""
        return self.elf_type == "ET_EXEC" or (self.elf_type == "ET_DYN" and self.interpreter is not None)

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "ElfFacts":
        """The inverse of to_json (JSON turns tuples into lists)."""
        values = dict(data)
        for key in ("needed", "rpath", "runpath"):
            values[key] = tuple(values[key])
        for key in ("version_needs", "symbols"):
            values[key] = {name: tuple(items) for name, items in values[key].items()}
        return cls(**values)

    def versions(self, prefix: str) -> list[str]:
        """Every required version starting with `prefix` (e.g. "GLIBC_"), any library."""
        return sorted({v for versions in self.version_needs.values() for v in versions if v.startswith(prefix)})


# OverflowError: a damaged offset too large to seek to.
_PARSE_ERRORS = (ELFError, ValueError, KeyError, IndexError, EOFError, OSError, OverflowError, UnicodeDecodeError, AttributeError, TypeError, AssertionError)


class Sparse:
    """A file known only in parts: the byte ranges captured while streaming a big member
    (its start, with the headers, the dynamic segment and the symbol tables, and its end, with
    the section headers). Reads elsewhere give zeros; nothing the facts need lies there."""

    def __init__(self, size: int, pieces: list[tuple[int, bytes]]) -> None:
        self._size = size
        self._pieces = sorted(pieces)
        self._position = 0

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, key: slice) -> bytes:
        start, stop, _ = key.indices(self._size)
        return self._range(start, stop)

    def _range(self, start: int, stop: int) -> bytes:
        out = bytearray(max(0, stop - start))
        for offset, data in self._pieces:
            low, high = max(start, offset), min(stop, offset + len(data))
            if low < high:
                out[low - start : high - start] = data[low - offset : high - offset]
        return bytes(out)

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._position, 2: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def read(self, count: int = -1) -> bytes:
        stop = self._size if count is None or count < 0 else min(self._size, self._position + count)
        data = self._range(self._position, stop)
        self._position = max(self._position, stop)
        return data


def section_table_offset(head: bytes) -> Optional[int]:
    """e_shoff from an ELF header: where the section headers start (near the end of the file)."""
    if len(head) < 0x30 or head[:4] != b"\x7fELF":
        return None
    order = ">" if head[5] == 2 else "<"
    if head[4] == 2:
        return struct.unpack(order + "Q", head[0x28:0x30])[0]
    return struct.unpack(order + "I", head[0x20:0x24])[0]


def read_elf(data: Union[bytes, Sparse], complete: bool = False) -> Optional[ElfFacts]:
    """Facts about an ELF file; `data` may be only its first bytes unless `complete`.
    None when not even the ELF header can be parsed."""
    try:
        elf = ELFFile(data if isinstance(data, Sparse) else io.BytesIO(data))
        header = elf.header
        basic = dict(
            elf_type=str(header["e_type"]),
            interpreter=_interpreter(elf, data),
            bits=elf.elfclass,
            big_endian=not elf.little_endian,
            machine=str(header["e_machine"]),
        )
    except _PARSE_ERRORS:
        return None
    if not complete:
        return ElfFacts(**basic)
    try:
        return ElfFacts(**basic, **_dynamic_facts(elf, data), error=_load_problem(elf, data))
    except _PARSE_ERRORS as exc:  # pyelftools raises many kinds of errors on damaged files
        return ElfFacts(**basic, error=f"{type(exc).__name__}: {exc}"[:200])
    except RecursionError:
        return ElfFacts(**basic, error="damaged ELF structures (recursion)")


def _interpreter(elf: ELFFile, data: bytes) -> Optional[str]:
    """PT_INTERP from the raw program headers. iter_segments() would also build the dynamic
    segment, which reads section headers that a file's first bytes do not include."""
    segment = _segment_header(elf, data, "PT_INTERP")
    if segment is None:
        return None
    raw = data[segment["p_offset"] : segment["p_offset"] + segment["p_filesz"]]
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace")


def _segment_header(elf: ELFFile, data: bytes, wanted: str):
    header = elf.header
    for index in range(header["e_phnum"]):
        offset = header["e_phoff"] + index * header["e_phentsize"]
        if offset + header["e_phentsize"] > len(data):
            return None
        segment = struct_parse(elf.structs.Elf_Phdr, elf.stream, stream_pos=offset)
        if segment["p_type"] == wanted:
            return segment
    return None


def _load_problem(elf: ELFFile, data: bytes) -> Optional[str]:
    """Why the loader would refuse a file whose dynamic facts still parse: a program or library
    with no PT_LOAD segment ("object file has no loadable segments": damaged program headers), or
    a PT_LOAD segment reaching past the end of the file ("ELF load command past end of file").
    Cut-off files with section headers fail to parse before this; files without them (sstrip)
    get here."""
    header = elf.header
    loads = 0
    for index in range(header["e_phnum"]):
        offset = header["e_phoff"] + index * header["e_phentsize"]
        segment = struct_parse(elf.structs.Elf_Phdr, elf.stream, stream_pos=offset)
        if segment["p_type"] != "PT_LOAD":
            continue
        loads += 1
        end = segment["p_offset"] + segment["p_filesz"]
        if end > len(data):
            return f"truncated: a PT_LOAD segment ends at byte {end}, but the file has {len(data)} bytes"
    if loads == 0 and header["e_type"] in ("ET_DYN", "ET_EXEC"):
        return "no loadable segment (PT_LOAD): the program headers are damaged"
    return None


def _dynamic_facts(elf: ELFFile, data: bytes) -> dict:
    facts: dict = {"debug_bytes": 0}
    needed: list[str] = []
    for segment in elf.iter_segments(type="PT_DYNAMIC"):
        for tag in segment.iter_tags():
            kind = tag.entry.d_tag
            if kind == "DT_NEEDED":
                needed.append(tag.needed)
            elif kind == "DT_SONAME":
                facts["soname"] = tag.soname
            elif kind == "DT_RPATH":
                facts["rpath"] = tuple(p for p in tag.rpath.split(":") if p)
            elif kind == "DT_RUNPATH":
                facts["runpath"] = tuple(p for p in tag.runpath.split(":") if p)
        break
    facts["needed"] = tuple(needed)
    version_needs: dict[str, list[str]] = {}
    by_index: dict[int, str] = {}
    for section in elf.iter_sections():
        name = section.name
        if name.startswith((".debug_", ".zdebug_")) and section["sh_type"] != "SHT_NOBITS":
            facts["debug_bytes"] += section["sh_size"]
        if section["sh_type"] == "SHT_GNU_verneed":
            _read_verneed(section, len(data), version_needs, by_index)
    facts["version_needs"] = {lib: tuple(versions) for lib, versions in version_needs.items()}
    facts["symbols"] = _symbols_by_version(elf, by_index, facts["version_needs"])
    dynstr = elf.get_section_by_name(".dynstr")
    strings = dynstr.data() if dynstr is not None else b""
    abi = _NODE_ABI.search(strings)
    facts["node_abi"] = int(abi.group(1)) if abi else None
    facts["napi"] = b"napi_register_module_v1" in strings or b"\0napi_" in strings
    return facts


# Elf32/Elf64_Verneed and _Vernaux records are both 16 bytes.
_VERNEED_RECORD = 16


def _read_verneed(section, file_size: int, version_needs: dict[str, list[str]], by_index: dict[int, str]) -> None:
    """The version needs of a .gnu.version_r section. pyelftools follows the counts and links
    the file gives (sh_info, vn_cnt, vn_next); a damaged file can make them loop for billions
    of steps, so reading stops, as damage, after more records than the section has room for."""
    budget = min(section["sh_size"], file_size) // _VERNEED_RECORD
    for verneed, auxiliaries in section.iter_versions():
        budget -= 1
        for aux in auxiliaries:
            budget -= 1
            if budget < 0:
                raise ELFError("the version needs section runs past its own size")
            by_index[aux["vna_other"]] = aux.name
            if not aux["vna_flags"] & _VER_FLG_WEAK:
                version_needs.setdefault(verneed.name, []).append(aux.name)
        if budget < 0:
            raise ELFError("the version needs section runs past its own size")


def _symbols_by_version(elf: ELFFile, by_index: dict[int, str], needs: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Some undefined symbols for each required version. Reads the .gnu.version array directly
    (a plain uint16 array) so that only the matching symbols are decoded, not the whole table."""
    versym = elf.get_section_by_name(".gnu.version")
    dynsym = elf.get_section_by_name(".dynsym")
    wanted = {index for index, name in by_index.items() if any(name in versions for versions in needs.values())}
    if versym is None or dynsym is None or not wanted:
        return {}
    indexes = array.array("H")
    indexes.frombytes(versym.data()[: len(versym.data()) // 2 * 2])
    if elf.little_endian != (sys.byteorder == "little"):
        indexes.byteswap()
    found: dict[str, list[str]] = {}
    for position, raw in enumerate(indexes):
        name = by_index.get(raw & 0x7FFF)
        if raw & 0x7FFF not in wanted or name is None or len(found.get(name, ())) >= _SYMBOLS_PER_VERSION:
            continue
        if position >= dynsym.num_symbols():
            break
        symbol = dynsym.get_symbol(position)
        if symbol["st_shndx"] == "SHN_UNDEF" and symbol.name:
            found.setdefault(name, []).append(symbol.name)
    return {name: tuple(symbols) for name, symbols in found.items()}
