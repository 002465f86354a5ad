"""ELF facts from a member's bytes; the only module that parses ELF.

The interpreter and dynamic tags come from the program headers (PT_INTERP, PT_DYNAMIC), so
stripped files work; symbol versions come from the .gnu.version_r section, as readelf -V shows.

Two readers give the same facts. A small one built on struct reads what linkers write: the ELF
and program headers, the section header table, the dynamic segment, .gnu.version_r,
.gnu.version, .dynsym and .dynstr. It is several times faster than pyelftools, which builds an
object for every header it reads and walks the section headers three times per file. Whatever
the struct reader does not expect (a damaged or unusual file: headers out of bounds, odd entry
sizes, compressed sections, no section headers, links that do not lead where the format says,
machines it has no name for) goes to pyelftools, the reference reader, which gives the facts,
or the error that says what is damaged, exactly as it always has. So the fast reader only has
to be right on the files it accepts, and pyelftools is imported only when one needs it.
"""

from __future__ import annotations

import array
import dataclasses
import io
import re
import struct
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator, NamedTuple, Optional, Union

if TYPE_CHECKING:
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

    def newest(self, prefix: str, library: Optional[str] = None) -> Optional[str]:
        """The newest numbered version starting with `prefix` required of `library` (any library
        when None): "GLIBC_2.28"; None when there is none (GLIBC_PRIVATE has no number)."""
        versions = self.versions(prefix) if library is None else self.version_needs.get(library, ())
        numbered = [v for v in versions if v.startswith(prefix) and v[len(prefix):][:1].isdigit()]
        return max(numbered, key=version_key) if numbered else None


def version_key(version: str) -> tuple[int, ...]:
    """A symbol version as numbers to compare: "GLIBC_2.2.5" and "2.2.5" give (2, 2, 5); (0,) when
    it has no number."""
    try:
        return tuple(int(part) for part in version.split("_", 1)[-1].split("."))
    except ValueError:
        return (0,)


# What pyelftools raises on damaged files besides its own ELFError (OverflowError: a damaged
# offset too large to seek to).
_OTHER_PARSE_ERRORS = (ValueError, KeyError, IndexError, EOFError, OSError, OverflowError, UnicodeDecodeError, AttributeError, TypeError, AssertionError)


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


_MAX_DYNAMIC_BYTES = 1 << 20


def dynamic_range(head: bytes) -> Optional[tuple[int, int]]:
    """(start, end) in the file of the dynamic segment (PT_DYNAMIC: DT_NEEDED, RPATH, ...), from
    the program headers in `head`; None when they are not all there or there is none. A big
    library may keep it far from both its start and its end."""
    if len(head) < 16 or head[:4] != b"\x7fELF" or head[4] not in (1, 2) or head[5] not in (1, 2):
        return None
    image = _Image(head)
    formats = _FORMATS[(32 if head[4] == 1 else 64, "<" if head[5] == 1 else ">")]
    try:
        e_phoff, e_phentsize, e_phnum = (image.unpack(formats.header, 16)[i] for i in (4, 8, 9))
        if e_phentsize != formats.segment.size:
            return None
        for p_type, offset, filesz in _segment_fields(image, formats, e_phoff, e_phnum):
            if p_type == 2:  # PT_DYNAMIC
                # Real dynamic segments are a few KiB; a damaged size must not make the read keep
                # a whole big member.
                return (offset, offset + filesz) if filesz <= _MAX_DYNAMIC_BYTES else None
    except _Unusual:  # program headers beyond the bytes at hand
        return None
    return None


def read_elf(data: Union[bytes, Sparse], complete: bool = False) -> Optional[ElfFacts]:
    """Facts about an ELF file; `data` may be only its first bytes unless `complete`.
    None when not even the ELF header can be parsed."""
    try:
        return _fast_facts(data, complete)
    except _Unusual:
        return _reference_facts(data, complete)


# ---------------------------------------------------------------------------------------------
# The struct reader


class _Unusual(Exception):
    """A file the struct reader does not handle exactly as pyelftools does: pyelftools reads it."""


# pyelftools' names (elftools.elf.enums) for the values the struct reader accepts; any other
# e_type or e_machine goes to pyelftools, which knows them all. A test checks these names.
_ELF_TYPES = {0: "ET_NONE", 1: "ET_REL", 2: "ET_EXEC", 3: "ET_DYN", 4: "ET_CORE"}
_MACHINES = {
    3: "EM_386", 8: "EM_MIPS", 20: "EM_PPC", 21: "EM_PPC64", 22: "EM_S390", 40: "EM_ARM",
    62: "EM_X86_64", 183: "EM_AARCH64", 243: "EM_RISCV", 258: "EM_LOONGARCH",
}
_ELFOSABI_SOLARIS = 6  # pyelftools reads Solaris dynamic tags (DT_SUNW_FILTER is a string)
_PT_LOAD, _PT_DYNAMIC, _PT_INTERP = 1, 2, 3
_DT_NULL, _DT_NEEDED, _DT_SONAME, _DT_RPATH, _DT_RUNPATH = 0, 1, 14, 15, 29
_SHT_NULL, _SHT_SYMTAB, _SHT_STRTAB, _SHT_RELA, _SHT_HASH, _SHT_DYNAMIC = 0, 2, 3, 4, 5, 6
_SHT_NOBITS, _SHT_REL, _SHT_DYNSYM, _SHT_RELR = 8, 9, 11, 19
_SHT_GNU_HASH, _SHT_SUNW_LDYNSYM, _SHT_SUNW_SYMINFO = 0x6FFFFFF6, 0x6FFFFFF3, 0x6FFFFFFC
_SHT_GNU_VERDEF, _SHT_GNU_VERNEED, _SHT_GNU_VERSYM = 0x6FFFFFFD, 0x6FFFFFFE, 0x6FFFFFFF
_SHT_SYMBOL_TABLES = (_SHT_SYMTAB, _SHT_DYNSYM, _SHT_SUNW_LDYNSYM)
# 0x70000003 is SHT_ARM_ATTRIBUTES on ARM and SHT_RISCV_ATTRIBUTES on RISC-V, which pyelftools parses.
_SHT_ATTRIBUTES, _ATTRIBUTE_MACHINES = 0x70000003, (40, 243)
_SHF_COMPRESSED = 0x800
_PN_XNUM = 0xFFFF  # e_phnum: the real count is in section 0
_SHN_XINDEX = 0xFFFF  # e_shstrndx: the real index is in section 0
# Elf32/Elf64_Verneed and _Vernaux records are both 16 bytes.
_VERNEED_RECORD = 16


class _Formats(NamedTuple):
    """struct layouts of one ELF class and byte order."""

    header: struct.Struct  # the ELF header after e_ident: e_type .. e_shstrndx
    segment: struct.Struct  # Elf_Phdr
    section: struct.Struct  # Elf_Shdr
    dynamic: struct.Struct  # Elf_Dyn: d_tag (signed), d_val
    symbol_size: int  # Elf_Sym
    symbol_head: struct.Struct  # the start of Elf_Sym, up to st_shndx: st_name, st_shndx
    version_need: struct.Struct  # Elf_Verneed: vn_version, vn_cnt, vn_file, vn_aux, vn_next
    version_aux: struct.Struct  # Elf_Vernaux: vna_hash, vna_flags, vna_other, vna_name, vna_next
    words: struct.Struct  # two 32-bit words (hash table headers)
    gnu_hash: struct.Struct  # nbuckets, symoffset, bloom_size, bloom_shift
    word: int  # bytes in an address-sized word (Elf_addr, Elf_xword)
    relocation_sizes: dict[int, int]  # sh_type of REL, RELA, RELR -> the sh_entsize pyelftools asserts
    little_endian: bool


def _formats(bits: int, order: str) -> _Formats:
    wide = bits == 64
    word = 8 if wide else 4
    return _Formats(
        header=struct.Struct(order + ("HHIQQQIHHHHHH" if wide else "HHIIIIIHHHHHH")),
        segment=struct.Struct(order + ("IIQQQQQQ" if wide else "IIIIIIII")),
        section=struct.Struct(order + ("IIQQQQIIQQ" if wide else "IIIIIIIIII")),
        dynamic=struct.Struct(order + ("qQ" if wide else "iI")),
        symbol_size=24 if wide else 16,
        symbol_head=struct.Struct(order + ("I2xH" if wide else "I10xH")),
        version_need=struct.Struct(order + "HHIII"),
        version_aux=struct.Struct(order + "IHHII"),
        words=struct.Struct(order + "II"),
        gnu_hash=struct.Struct(order + "IIII"),
        word=word,
        relocation_sizes={_SHT_REL: 2 * word, _SHT_RELA: 3 * word, _SHT_RELR: word},
        little_endian=order == "<",
    )


_FORMATS = {(bits, order): _formats(bits, order) for bits in (32, 64) for order in "<>"}


class _Section(NamedTuple):
    name: str
    type: int
    flags: int
    offset: int
    size: int
    link: int
    info: int
    entsize: int


class _Segment(NamedTuple):
    type: int
    offset: int
    filesz: int


class _Image:
    """Bounds-checked reads from the file's bytes (whole, or the captured parts of a Sparse).
    A read past the end is something pyelftools reports as damage: _Unusual."""

    def __init__(self, data: Union[bytes, Sparse]) -> None:
        self.data = data
        self.size = len(data)
        self._sparse = isinstance(data, Sparse)

    def unpack(self, layout: struct.Struct, offset: int) -> tuple:
        if offset + layout.size > self.size:
            raise _Unusual
        if self._sparse:
            return layout.unpack(self.data[offset : offset + layout.size])
        return layout.unpack_from(self.data, offset)

    def table(self, layout: struct.Struct, offset: int, count: int) -> Iterator[tuple]:
        if count == 0:
            return iter(())
        end = offset + layout.size * count
        if end > self.size:
            raise _Unusual
        return layout.iter_unpack(self.data[offset:end])

    def bytes(self, offset: int, size: int) -> bytes:
        if offset + size > self.size:
            raise _Unusual
        return self.data[offset : offset + size]

    def string(self, offset: int) -> str:
        """What pyelftools' get_string gives: the bytes up to a NUL ('' with no NUL before the end)."""
        if offset >= self.size:
            raise _Unusual  # pyelftools gives '' or, far enough out, OverflowError: let it decide
        if self._sparse:
            return self._sparse_string(offset)
        end = self.data.find(b"\0", offset)
        return self.data[offset:end].decode("utf-8", "replace") if end >= 0 else ""

    def _sparse_string(self, offset: int) -> str:
        start = offset
        while offset < self.size:
            piece = self.data[offset : offset + 4096]
            end = piece.find(b"\0")
            if end >= 0:
                return self.data[start : offset + end].decode("utf-8", "replace")
            offset += len(piece)
        return ""


def _fast_facts(data: Union[bytes, Sparse], complete: bool) -> ElfFacts:
    image = _Image(data)
    ident = data[:16]
    if len(ident) < 16 or ident[:4] != b"\x7fELF" or ident[4] not in (1, 2) or ident[5] not in (1, 2):
        raise _Unusual
    if ident[7] == _ELFOSABI_SOLARIS:
        raise _Unusual
    bits = 32 if ident[4] == 1 else 64
    formats = _FORMATS[(bits, "<" if ident[5] == 1 else ">")]
    (e_type, e_machine, _, _, e_phoff, e_shoff, _, _, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx) = image.unpack(formats.header, 16)
    if e_type not in _ELF_TYPES or e_machine not in _MACHINES:
        raise _Unusual
    if e_phnum and e_phentsize != formats.segment.size:
        raise _Unusual  # pyelftools reads a smaller entry size as damage, a larger one differently
    basic = dict(
        elf_type=_ELF_TYPES[e_type],
        interpreter=_fast_interpreter(image, formats, e_phoff, e_phnum),
        bits=bits,
        big_endian=ident[5] == 2,
        machine=_MACHINES[e_machine],
    )
    if not complete:
        return ElfFacts(**basic)
    if e_phnum == _PN_XNUM:
        raise _Unusual  # pyelftools takes the count from section 0 here, and e_phnum elsewhere
    segments = [_Segment(*fields) for fields in _segment_fields(image, formats, e_phoff, e_phnum)]
    sections = _fast_sections(image, formats, e_machine, e_shoff, e_shentsize, e_shnum, e_shstrndx)
    facts = _fast_dynamic(image, formats, segments, sections)
    facts.update(_fast_section_facts(image, formats, sections))
    return ElfFacts(**basic, **facts, error=_fast_load_problem(image, segments, basic["elf_type"]))


def _segment_fields(image: _Image, formats: _Formats, e_phoff: int, e_phnum: int) -> Iterator[tuple[int, int, int]]:
    """(p_type, p_offset, p_filesz) of the first e_phnum program headers."""
    if formats.word == 8:  # Elf64_Phdr: p_type, p_flags, p_offset, p_vaddr, p_paddr, p_filesz, ...
        for fields in image.table(formats.segment, e_phoff, e_phnum):
            yield fields[0], fields[2], fields[5]
    else:  # Elf32_Phdr: p_type, p_offset, p_vaddr, p_paddr, p_filesz, ...
        for fields in image.table(formats.segment, e_phoff, e_phnum):
            yield fields[0], fields[1], fields[4]


def _fast_interpreter(image: _Image, formats: _Formats, e_phoff: int, e_phnum: int) -> Optional[str]:
    """PT_INTERP, read like _interpreter: headers that do not fit in the bytes at hand end the search."""
    fits = max(0, min(e_phnum, (image.size - e_phoff) // formats.segment.size)) if e_phnum else 0
    for kind, offset, filesz in _segment_fields(image, formats, e_phoff, fits):
        if kind == _PT_INTERP:
            return _interpreter_name(image.data, offset, filesz)
    return None


def _fast_sections(image: _Image, formats: _Formats, machine: int, e_shoff: int, e_shentsize: int, e_shnum: int, e_shstrndx: int) -> list[_Section]:
    """Every section header, named, after the checks pyelftools makes when it builds each section."""
    if e_shoff == 0:
        return []
    if e_shnum == 0 or e_shentsize != formats.section.size or e_shstrndx == _SHN_XINDEX or e_shstrndx >= e_shnum:
        raise _Unusual  # a count or name table kept in section 0, or an odd entry size
    raw = list(image.table(formats.section, e_shoff, e_shnum))
    names_at = raw[e_shstrndx][4]  # sh_offset of the section name table
    sections = [
        _Section(image.string(names_at + name), kind, flags, offset, size, link, info, entsize)
        for name, kind, flags, _, offset, size, link, info, _, entsize in raw
    ]
    for section in sections:
        _check_section(image, formats, machine, section, sections)
    return sections


def _check_section(image: _Image, formats: _Formats, machine: int, section: _Section, sections: list[_Section]) -> None:
    """What pyelftools checks when it builds a section object: anything it would refuse, and
    every kind of section it parses further, goes to it."""
    kind = section.type
    if section.flags & _SHF_COMPRESSED or kind == _SHT_SUNW_SYMINFO or (kind == _SHT_ATTRIBUTES and machine in _ATTRIBUTE_MACHINES):
        raise _Unusual
    if kind in _SHT_SYMBOL_TABLES:
        _linked(section, sections, (_SHT_STRTAB,))
        if section.entsize <= 0 or section.size % section.entsize:
            raise _Unusual
    elif kind in (_SHT_GNU_VERNEED, _SHT_GNU_VERDEF):
        _linked(section, sections, (_SHT_STRTAB,))
    elif kind in (_SHT_GNU_VERSYM, _SHT_HASH, _SHT_GNU_HASH):
        _linked(section, sections, (_SHT_SYMTAB, _SHT_DYNSYM))
        _check_hash_table(image, formats, section)
    elif kind in formats.relocation_sizes:
        if section.entsize != formats.relocation_sizes[kind]:
            raise _Unusual
    elif kind == _SHT_DYNAMIC:
        _linked(section, sections, (_SHT_STRTAB, _SHT_NOBITS, _SHT_NULL))


def _linked(section: _Section, sections: list[_Section], kinds: tuple[int, ...]) -> _Section:
    if section.link >= len(sections) or sections[section.link].type not in kinds:
        raise _Unusual
    return sections[section.link]


def _check_hash_table(image: _Image, formats: _Formats, section: _Section) -> None:
    """pyelftools parses a hash table's header and arrays when it builds the section."""
    if section.type == _SHT_HASH and section.size:
        buckets, chains = image.unpack(formats.words, section.offset)
        length = 8 + 4 * (buckets + chains)
    elif section.type == _SHT_GNU_HASH:
        buckets, _, bloom, _ = image.unpack(formats.gnu_hash, section.offset)
        length = 16 + bloom * formats.word + 4 * buckets
    else:
        return
    if section.offset + length > image.size:
        raise _Unusual


def _fast_dynamic(image: _Image, formats: _Formats, segments: list[_Segment], sections: list[_Section]) -> dict:
    """DT_NEEDED, DT_SONAME, DT_RPATH and DT_RUNPATH from the first PT_DYNAMIC segment, with the
    strings of the SHT_DYNAMIC section at the same offset, as pyelftools reads them."""
    facts: dict = {}
    needed: list[str] = []
    segment = next((s for s in segments if s.type == _PT_DYNAMIC), None)
    if segment is not None and segment.filesz:
        dynamic = next((s for s in sections if s.type == _SHT_DYNAMIC and s.offset == segment.offset), None)
        if dynamic is None:
            raise _Unusual  # no section headers: pyelftools finds the strings through DT_STRTAB
        strings = _linked(dynamic, sections, (_SHT_STRTAB,)).offset
        step = formats.dynamic.size
        # Bounded by the segment's size: a table without DT_NULL in it goes to pyelftools.
        for offset in range(segment.offset, segment.offset + segment.filesz - step + 1, step):
            tag, value = image.unpack(formats.dynamic, offset)
            if tag == _DT_NULL:
                break
            if tag == _DT_NEEDED:
                needed.append(image.string(strings + value))
            elif tag == _DT_SONAME:
                facts["soname"] = image.string(strings + value)
            elif tag == _DT_RPATH:
                facts["rpath"] = tuple(p for p in image.string(strings + value).split(":") if p)
            elif tag == _DT_RUNPATH:
                facts["runpath"] = tuple(p for p in image.string(strings + value).split(":") if p)
        else:
            raise _Unusual
    facts["needed"] = tuple(needed)
    return facts


def _fast_section_facts(image: _Image, formats: _Formats, sections: list[_Section]) -> dict:
    debug_bytes = 0
    version_needs: dict[str, list[str]] = {}
    by_index: dict[int, str] = {}
    for section in sections:
        if section.name.startswith((".debug_", ".zdebug_")) and section.type != _SHT_NOBITS:
            debug_bytes += section.size
        if section.type == _SHT_GNU_VERNEED:
            _fast_verneed(image, formats, section, sections[section.link], version_needs, by_index)
    needs = {lib: tuple(versions) for lib, versions in version_needs.items()}
    by_name = {section.name: section for section in sections}  # the last of a name, as pyelftools maps them
    dynstr = by_name.get(".dynstr")
    strings = _section_bytes(image, dynstr) if dynstr is not None else b""
    abi = _NODE_ABI.search(strings)
    return {
        "debug_bytes": debug_bytes,
        "version_needs": needs,
        "symbols": _fast_symbols(image, formats, sections, by_name, by_index, needs),
        "node_abi": int(abi.group(1)) if abi else None,
        "napi": b"napi_register_module_v1" in strings or b"\0napi_" in strings,
    }


def _section_bytes(image: _Image, section: _Section) -> bytes:
    """A section's bytes, as pyelftools' section.data() gives them for a section inside the file."""
    if section.type == _SHT_NOBITS or section.offset + section.size > image.size:
        # pyelftools makes sh_size zero bytes up, or reads past the end: whatever it does with
        # that (a short read, OverflowError, MemoryError), it decides.
        raise _Unusual
    return image.bytes(section.offset, section.size)


def _fast_verneed(image: _Image, formats: _Formats, section: _Section, strtab: _Section, version_needs: dict[str, list[str]], by_index: dict[int, str]) -> None:
    """The version needs of a .gnu.version_r section, following the same counts and links as
    _read_verneed and stopping (for pyelftools to report) after more records than the section
    has room for: a vn_next of 0 with a huge count ends here, not after billions of steps."""
    budget = min(section.size, image.size) // _VERNEED_RECORD
    offset = section.offset
    for _ in range(section.info):
        _, count, file, aux, next_need = image.unpack(formats.version_need, offset)
        if count == 0:
            raise _Unusual  # pyelftools asserts at least one auxiliary entry
        library = image.string(strtab.offset + file)
        budget -= 1
        aux_offset = offset + aux
        for _ in range(count):
            _, flags, other, name_at, next_aux = image.unpack(formats.version_aux, aux_offset)
            name = image.string(strtab.offset + name_at)
            budget -= 1
            if budget < 0:
                raise _Unusual
            by_index[other] = name
            if not flags & _VER_FLG_WEAK:
                version_needs.setdefault(library, []).append(name)
            aux_offset += next_aux
        if budget < 0:
            raise _Unusual
        offset += next_need


def _fast_symbols(image: _Image, formats: _Formats, sections: list[_Section], by_name: dict[str, _Section], by_index: dict[int, str], needs: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """A few undefined symbols for each required version, as _symbols_by_version picks them."""
    versym, dynsym = by_name.get(".gnu.version"), by_name.get(".dynsym")
    wanted = {index for index, name in by_index.items() if any(name in versions for versions in needs.values())}
    if versym is None or dynsym is None or not wanted:
        return {}
    if dynsym.type not in _SHT_SYMBOL_TABLES:
        raise _Unusual
    raw = _section_bytes(image, versym)
    indexes = array.array("H")
    indexes.frombytes(raw[: len(raw) // 2 * 2])
    if formats.little_endian != (sys.byteorder == "little"):
        indexes.byteswap()
    count = dynsym.size // dynsym.entsize
    if len(indexes) > count:
        raise _Unusual  # more versions than symbols: pyelftools stops at the first one past the end
    strtab = sections[dynsym.link].offset
    names = {by_index[index] for index in wanted}
    found: dict[str, list[str]] = {}  # in the order of each version's first symbol, as pyelftools' reader adds them
    for position, value in enumerate(indexes):
        index = value & 0x7FFF
        if index not in wanted or len(found.get(by_index[index], ())) >= _SYMBOLS_PER_VERSION:
            continue
        at = dynsym.offset + position * dynsym.entsize
        if at + formats.symbol_size > image.size:
            raise _Unusual
        st_name, st_shndx = image.unpack(formats.symbol_head, at)
        symbol = image.string(strtab + st_name)
        if st_shndx == 0 and symbol:  # SHN_UNDEF
            symbols = found.setdefault(by_index[index], [])
            symbols.append(symbol)
            if len(symbols) == _SYMBOLS_PER_VERSION and all(len(found.get(n, ())) >= _SYMBOLS_PER_VERSION for n in names):
                break  # every version has its examples: the rest of the table cannot add any
    return {name: tuple(symbols) for name, symbols in found.items()}


def _fast_load_problem(image: _Image, segments: list[_Segment], elf_type: str) -> Optional[str]:
    """_load_problem on the parsed program headers."""
    loads = 0
    for segment in segments:
        if segment.type != _PT_LOAD:
            continue
        loads += 1
        end = segment.offset + segment.filesz
        if end > image.size:
            return f"truncated: a PT_LOAD segment ends at byte {end}, but the file has {image.size} bytes"
    if loads == 0 and elf_type in ("ET_DYN", "ET_EXEC"):
        return "no loadable segment (PT_LOAD): the program headers are damaged"
    return None


def _interpreter_name(data: Union[bytes, Sparse], offset: int, size: int) -> str:
    raw = data[offset : offset + size]
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace")


# ---------------------------------------------------------------------------------------------
# The reference reader: pyelftools, for every file the struct reader hands over


def _reference_facts(data: Union[bytes, Sparse], complete: bool) -> Optional[ElfFacts]:
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile

    errors = (ELFError, *_OTHER_PARSE_ERRORS)
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
    except errors:
        return None
    if not complete:
        return ElfFacts(**basic)
    try:
        return ElfFacts(**basic, **_dynamic_facts(elf, data), error=_load_problem(elf, data))
    except errors as exc:  # pyelftools raises many kinds of errors on damaged files
        return ElfFacts(**basic, error=f"{type(exc).__name__}: {exc}"[:200])
    except RecursionError:
        return ElfFacts(**basic, error="damaged ELF structures (recursion)")


def _interpreter(elf: ELFFile, data: bytes) -> Optional[str]:
    """PT_INTERP from the raw program headers. iter_segments() would also build the dynamic
    segment, which reads section headers that a file's first bytes do not include."""
    segment = _segment_header(elf, data, "PT_INTERP")
    if segment is None:
        return None
    return _interpreter_name(data, segment["p_offset"], segment["p_filesz"])


def _segment_header(elf: ELFFile, data: bytes, wanted: str):
    from elftools.common.utils import struct_parse

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
    from elftools.common.utils import struct_parse

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


def _read_verneed(section, file_size: int, version_needs: dict[str, list[str]], by_index: dict[int, str]) -> None:
    """The version needs of a .gnu.version_r section. pyelftools follows the counts and links
    the file gives (sh_info, vn_cnt, vn_next); a damaged file can make them loop for billions
    of steps, so reading stops, as damage, after more records than the section has room for."""
    from elftools.common.exceptions import ELFError

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
