#!/usr/bin/python3
"""Lets an x86-64 ELF shared library load against an older libstdc++ when it asks for a newer
GLIBCXX version only nominally.

TorchSharp 0.107's libLibTorchSharp.so was linked with GCC 13, which makes every object using
<iostream> reference the marker std::ios_base_library_init() at version GLIBCXX_3.4.32. Debian 12's
libstdc++ (GCC 12) stops at GLIBCXX_3.4.30, so ld.so refuses the library although no relocation
uses that symbol. This tool reads the library's dynamic segment, finds every version requirement
(Vernaux) on a library that the given system library does not define, checks that no dynamic
relocation binds a symbol of that version, and marks the requirement VER_FLG_WEAK: ld.so then
accepts its absence. Everything else in the file is left as it was. Run it on the copy in a build
output, never on the NuGet cache.

usage: relax_version_needs.py LIBRARY [SYSTEM_LIB=/usr/lib/x86_64-linux-gnu/libstdc++.so.6]
exit status: 0 patched or nothing to do; 1 a missing version is really used (not patched).
"""
import struct
import sys

PT_LOAD, PT_DYNAMIC = 1, 2
DT_NULL, DT_STRTAB, DT_SYMTAB, DT_RELA, DT_RELASZ, DT_JMPREL, DT_PLTRELSZ = 0, 5, 6, 7, 8, 23, 2
DT_VERSYM, DT_VERDEF, DT_VERDEFNUM, DT_VERNEED, DT_VERNEEDNUM = 0x6FFFFFF0, 0x6FFFFFFC, 0x6FFFFFFD, 0x6FFFFFFE, 0x6FFFFFFF
VER_FLG_WEAK = 0x2


class Elf:
    def __init__(self, data):
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            raise SystemExit("not a little-endian ELF64 file")
        self.data = data
        phoff, = struct.unpack_from("<Q", data, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
        self.loads = []
        dynamic = None
        for i in range(phnum):
            p_type, _, p_offset, p_vaddr, _, p_filesz, _, _ = struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize)
            if p_type == PT_LOAD:
                self.loads.append((p_vaddr, p_offset, p_filesz))
            elif p_type == PT_DYNAMIC:
                dynamic = (p_offset, p_filesz)
        self.dyn = {}
        if dynamic:
            off, size = dynamic
            for o in range(off, off + size, 16):
                tag, val = struct.unpack_from("<qQ", data, o)
                if tag == DT_NULL:
                    break
                self.dyn.setdefault(tag, val)

    def offset(self, vaddr):
        for start, off, size in self.loads:
            if start <= vaddr < start + size:
                return off + vaddr - start
        raise ValueError(f"address {vaddr:#x} is in no loaded segment")

    def string(self, index):
        start = self.offset(self.dyn[DT_STRTAB]) + index
        return bytes(self.data[start:self.data.index(b"\0", start)]).decode()

    def defined_versions(self):
        names, at = set(), self.offset(self.dyn[DT_VERDEF]) if DT_VERDEF in self.dyn else None
        for _ in range(self.dyn.get(DT_VERDEFNUM, 0)):
            _, _, _, cnt, _, aux, nxt = struct.unpack_from("<HHHHIII", self.data, at)
            if cnt:
                name, = struct.unpack_from("<I", self.data, at + aux)
                names.add(self.string(name))
            at += nxt
        return names

    def needs(self):
        """(needed file, version name, version index, file offset of vna_flags) for every Vernaux."""
        out, at = [], self.offset(self.dyn[DT_VERNEED]) if DT_VERNEED in self.dyn else None
        for _ in range(self.dyn.get(DT_VERNEEDNUM, 0)):
            _, cnt, file, aux, nxt = struct.unpack_from("<HHIII", self.data, at)
            a = at + aux
            for _ in range(cnt):
                _, flags, other, name, anext = struct.unpack_from("<IHHII", self.data, a)
                out.append((self.string(file), self.string(name), other, a + 4, flags))
                a += anext
            at += nxt
        return out

    def version_indices_bound_by_relocations(self):
        """Version indices of the symbols that dynamic relocations refer to."""
        versym = self.offset(self.dyn[DT_VERSYM])
        used = set()
        for table, size in ((DT_RELA, DT_RELASZ), (DT_JMPREL, DT_PLTRELSZ)):
            if table not in self.dyn:
                continue
            start = self.offset(self.dyn[table])
            for o in range(start, start + self.dyn[size], 24):
                _, info, _ = struct.unpack_from("<QQq", self.data, o)
                sym = info >> 32
                if sym:
                    idx, = struct.unpack_from("<H", self.data, versym + 2 * sym)
                    used.add(idx & 0x7FFF)
        return used


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    path = argv[0]
    system = argv[1] if len(argv) > 1 else "/usr/lib/x86_64-linux-gnu/libstdc++.so.6"
    with open(system, "rb") as f:
        sys_elf = Elf(bytearray(f.read()))
    available = sys_elf.defined_versions()
    soname = system.rsplit("/", 1)[-1]
    with open(path, "rb") as f:
        data = bytearray(f.read())
    elf = Elf(data)
    missing = [n for n in elf.needs() if n[0] == soname and n[1] not in available]
    if not missing:
        print(f"{path}: every {soname} version it needs is there; nothing to do")
        return 0
    bound = elf.version_indices_bound_by_relocations()
    status, changed = 0, False
    for file, name, index, flags_at, flags in missing:
        if flags & VER_FLG_WEAK:
            print(f"{path}: {name} from {file} is already weak")
        elif index in bound:
            print(f"{path}: {name} from {file} is missing here and a relocation uses it; not patched", file=sys.stderr)
            status = 1
        else:
            struct.pack_into("<H", data, flags_at, flags | VER_FLG_WEAK)
            print(f"{path}: {name} from {file} (missing from {system}, used by no relocation) marked weak")
            changed = True
    if changed:
        with open(path, "r+b") as f:
            f.write(data)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
