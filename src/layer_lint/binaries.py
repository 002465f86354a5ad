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
_ET_REL = 1

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
    arch: Optional[str] = None  # "x86_64", "arm64", another machine name, or "unknown"; Mach-O fat: "x86_64+arm64"
    bits: Optional[int] = None  # ELF only: 32 or 64
    big_endian: bool = False
    relocatable: bool = False  # ELF object file (ET_REL, a .o): only a linker reads it

    def describe(self) -> str:
        names = {"elf": "ELF", "mach-o": "Mach-O", "pe": "PE"}
        return f"{names[self.format]} {self.arch or 'unknown'}"


def sniff(head: bytes) -> Optional[BinaryHead]:
    """The native-code format of a file starting with `head`, or None for anything else."""
    if head[:4] == ELF_MAGIC:
        return _elf_head(head)
    if head[:4] in _MACHO_THIN and len(head) >= 8:
        order = "<" if head[:4] in (b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe") else ">"
        return BinaryHead("mach-o", arch=_MACHO_CPUS.get(struct.unpack(order + "i", head[4:8])[0], "unknown"))
    if head[:4] in _MACHO_FAT and len(head) >= 8 and 0 < struct.unpack(">I", head[4:8])[0] <= _MAX_FAT_ARCHS:
        return BinaryHead("mach-o", arch=_fat_archs(head))
    if head[:2] == b"MZ":
        return _pe_head(head)
    return None


# Mach-O cputype values (mach/machine.h): CPU_TYPE_X86, CPU_TYPE_X86_64, CPU_TYPE_ARM, CPU_TYPE_ARM64.
_MACHO_CPUS = {7: "i386", 0x01000007: "x86_64", 12: "arm", 0x0100000C: "arm64", 18: "ppc", 0x01000012: "ppc64"}
# PE machine values (winnt.h): IMAGE_FILE_MACHINE_I386, AMD64, ARM64, ARMNT.
_PE_MACHINES = {0x14C: "i386", 0x8664: "x86_64", 0xAA64: "arm64", 0x1C4: "arm"}
_CLR_DIRECTORY = 14  # IMAGE_DIRECTORY_ENTRY_COM_DESCRIPTOR: present in .NET assemblies
_COMIMAGE_FLAGS_ILONLY = 0x1


def _fat_archs(head: bytes) -> str:
    count = struct.unpack(">I", head[4:8])[0]
    step = 32 if head[:4] == b"\xca\xfe\xba\xbf" else 20  # fat_arch_64 entries are larger
    archs = []
    for index in range(count):
        offset = 8 + index * step
        if offset + 4 > len(head):
            break
        archs.append(_MACHO_CPUS.get(struct.unpack(">i", head[offset : offset + 4])[0], "unknown"))
    return "+".join(archs) or "unknown"


def _pe_head(head: bytes) -> Optional[BinaryHead]:
    """A PE file (an MZ stub alone is not native code we can name); None for .NET IL-only
    assemblies, which carry no native code."""
    if len(head) < 0x40:
        return BinaryHead("pe", arch="unknown")
    offset = struct.unpack("<I", head[0x3C:0x40])[0]
    if head[offset : offset + 4] != b"PE\0\0" or offset + 24 > len(head):
        return BinaryHead("pe", arch="unknown")
    machine = struct.unpack("<H", head[offset + 4 : offset + 6])[0]
    optional = offset + 24
    magic = struct.unpack("<H", head[optional : optional + 2])[0] if optional + 2 <= len(head) else 0
    directories = optional + (96 if magic == 0x10B else 112)
    clr = directories + 8 * _CLR_DIRECTORY
    if clr + 8 <= len(head):
        rva, size = struct.unpack("<II", head[clr : clr + 8])
        if size and _il_only(head, offset, optional, rva):
            return None
    return BinaryHead("pe", arch=_PE_MACHINES.get(machine, f"machine 0x{machine:x}"))


def _il_only(head: bytes, pe: int, optional: int, rva: int) -> bool:
    """Whether the CLI header at `rva` says the assembly is IL-only (no native code)."""
    sections = struct.unpack("<H", head[pe + 6 : pe + 8])[0]
    table = optional + struct.unpack("<H", head[pe + 20 : pe + 22])[0]
    for index in range(sections):
        entry = table + 40 * index
        if entry + 40 > len(head):
            return True  # the CLR header exists; a managed assembly is IL-only unless it says otherwise
        size, address, _, raw = struct.unpack("<IIII", head[entry + 8 : entry + 24])
        if address <= rva < address + max(size, 1):
            flags_at = raw + (rva - address) + 16
            if flags_at + 4 > len(head):
                return True
            return bool(struct.unpack("<I", head[flags_at : flags_at + 4])[0] & _COMIMAGE_FLAGS_ILONLY)
    return True


def _elf_head(head: bytes) -> BinaryHead:
    bits = {1: 32, 2: 64}.get(head[4]) if len(head) > 4 else None
    big_endian = len(head) > 5 and head[5] == 2
    arch = "unknown"
    relocatable = False
    if len(head) >= 20:
        order = ">H" if big_endian else "<H"
        machine = struct.unpack(order, head[18:20])[0]
        arch = ELF_MACHINES.get(machine, f"e_machine {machine}")
        relocatable = struct.unpack(order, head[16:18])[0] == _ET_REL
    return BinaryHead("elf", arch=arch, bits=bits, big_endian=big_endian, relocatable=relocatable)
