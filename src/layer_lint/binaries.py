"""Native-code sniffing by magic bytes (ELF, Mach-O, PE) for files of any name.

Only the first bytes of a member are needed; full ELF parsing lives in elf.py.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Optional

# Enough for the ELF, Mach-O and MZ headers, and for the program headers that follow
# an ELF header in every linker's output (elf.py reads the interpreter from them).
HEAD_BYTES = 4096

ELF_MAGIC = b"\x7fELF"

ELF_MACHINES = {3: "i386", 8: "mips", 20: "ppc", 21: "ppc64", 22: "s390", 40: "arm", 62: "x86_64", 183: "arm64", 243: "riscv"}

_MACHO_THIN = {b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe"}
_MACHO_FAT = {b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf"}
# Java class files share the fat Mach-O magic; their next word is a class-file version (>= 45),
# while a universal binary's is its (small) number of architectures.
_MAX_FAT_ARCHS = 30


@dataclass(frozen=True)
class BinaryHead:
    """What the first bytes of a member say about it."""

    format: str  # "elf", "mach-o" or "pe"
    arch: Optional[str] = None  # ELF only: "x86_64", "arm64", another machine name, or "unknown"
    bits: Optional[int] = None  # ELF only: 32 or 64
    big_endian: bool = False


def sniff(head: bytes) -> Optional[BinaryHead]:
    """The native-code format of a file starting with `head`, or None for anything else."""
    if head[:4] == ELF_MAGIC:
        return _elf_head(head)
    if head[:4] in _MACHO_THIN:
        return BinaryHead("mach-o")
    if head[:4] in _MACHO_FAT and len(head) >= 8 and 0 < struct.unpack(">I", head[4:8])[0] <= _MAX_FAT_ARCHS:
        return BinaryHead("mach-o")
    if head[:2] == b"MZ":
        return BinaryHead("pe")
    return None


def _elf_head(head: bytes) -> BinaryHead:
    bits = {1: 32, 2: 64}.get(head[4]) if len(head) > 4 else None
    big_endian = len(head) > 5 and head[5] == 2
    arch = "unknown"
    if len(head) >= 20:
        machine = struct.unpack(">H" if big_endian else "<H", head[18:20])[0]
        arch = ELF_MACHINES.get(machine, f"e_machine {machine}")
    return BinaryHead("elf", arch=arch, bits=bits, big_endian=big_endian)
