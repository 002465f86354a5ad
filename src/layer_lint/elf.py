"""ELF facts from a member's bytes; the only module that uses pyelftools."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Optional

from elftools.common.exceptions import ELFError
from elftools.common.utils import struct_parse
from elftools.elf.elffile import ELFFile


@dataclass(frozen=True)
class ElfFacts:
    elf_type: str  # "ET_EXEC", "ET_DYN", "ET_REL", ...
    interpreter: Optional[str]  # PT_INTERP, e.g. /lib64/ld-linux-x86-64.so.2
    debug_bytes: Optional[int] = None  # bytes in .debug_* sections; None when only the head was read

    @property
    def is_executable(self) -> bool:
        """A program the kernel can exec: ET_EXEC, or a PIE (ET_DYN with an interpreter)."""
        return self.elf_type == "ET_EXEC" or (self.elf_type == "ET_DYN" and self.interpreter is not None)


def read_elf(data: bytes, complete: bool = False) -> Optional[ElfFacts]:
    """Facts about an ELF file; `data` may be only its first bytes unless `complete`.
    None when it cannot be parsed."""
    try:
        elf = ELFFile(io.BytesIO(data))
        return ElfFacts(
            elf_type=str(elf.header["e_type"]),
            interpreter=_interpreter(elf, data),
            debug_bytes=_debug_bytes(elf) if complete else None,
        )
    except (ELFError, ValueError, KeyError, IndexError, EOFError, OSError, UnicodeDecodeError, AttributeError):
        return None  # a damaged ELF is the native-code rules' business, not this module's


def _interpreter(elf: ELFFile, data: bytes) -> Optional[str]:
    """PT_INTERP from the raw program headers. iter_segments() would also build the dynamic
    segment, which reads section headers that a file's first bytes do not include."""
    header = elf.header
    for index in range(header["e_phnum"]):
        offset = header["e_phoff"] + index * header["e_phentsize"]
        if offset + header["e_phentsize"] > len(data):
            return None
        segment = struct_parse(elf.structs.Elf_Phdr, elf.stream, stream_pos=offset)
        if segment["p_type"] == "PT_INTERP":
            raw = data[segment["p_offset"] : segment["p_offset"] + segment["p_filesz"]]
            return raw.split(b"\0", 1)[0].decode("utf-8", "replace")
    return None


def _debug_bytes(elf: ELFFile) -> int:
    """What `strip --strip-debug` would remove: the DWARF sections (.debug_*, compressed .zdebug_*)."""
    total = 0
    for section in elf.iter_sections():
        if section.name.startswith((".debug_", ".zdebug_")) and section["sh_type"] != "SHT_NOBITS":
            total += section["sh_size"]
    return total
