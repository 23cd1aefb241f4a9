#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write the seed images of the multiboot loader's fuzz target into
host/tests/corpus/mbload/ (run from the top directory).  Only needed to
regenerate the committed seeds: small ELF32 multiboot images, valid ones
and one of each kind of defect host/kvmrun/mbload.c must refuse."""
import os
import struct

OUT = "host/tests/corpus/mbload"
MAGIC = 0x1BADB002
PT_LOAD, PT_NOTE, PT_GNU_STACK = 1, 4, 0x6474E551


def ehdr(entry, phoff, phnum, cls=1, data=1, ver=1, etype=2, mach=3, phentsize=32):
    ident = b"\x7fELF" + bytes([cls, data, ver]) + bytes(9)
    return ident + struct.pack("<HHIIIIIHHHHHH", etype, mach, ver, entry, phoff,
                               0, 0, 52, phentsize, phnum, 40, 0, 0)


def phdr(ptype, off, paddr, filesz, memsz, flags=7):
    return struct.pack("<IIIIIIII", ptype, off, paddr, paddr, filesz, memsz, flags, 0x1000)


def mbh(flags=3, checksum=None):
    if checksum is None:
        checksum = (-(MAGIC + flags)) & 0xFFFFFFFF
    return struct.pack("<III", MAGIC, flags, checksum)


def image(phdrs, entry, size, mb_off=84, mb=None, **kw):
    buf = bytearray(size)
    eh = ehdr(entry, 52, len(phdrs), **kw)
    buf[0:52] = eh
    for i, p in enumerate(phdrs):
        buf[52 + 32 * i:84 + 32 * i] = p
    if mb_off is not None:
        buf[mb_off:mb_off + 12] = mb if mb is not None else mbh()
    code = b"\xb0\x01\xe6\xf4\xf4\xeb\xfd"  # mov al,1; out 0xf4,al; hlt; jmp $
    c = 128 if mb_off is None or mb_off < 128 else mb_off + 12
    buf[c:c + len(code)] = code
    return bytes(buf)


def simple(**kw):
    size = kw.pop("size", 256)
    return image([phdr(PT_LOAD, 0, 0x100000, size, size + kw.pop("bss", 0))],
                 0x100000 + 128, size, **kw)


seeds = {
    "valid-minimal": simple(),
    "valid-bss": simple(bss=0x1000),
    "valid-flags0": simple(mb=mbh(0)),
    "valid-three-phdrs": image([
        phdr(PT_LOAD, 0, 0x100000, 0x200, 0x200),
        phdr(PT_NOTE, 0x180, 0, 0x10, 0x10),
        phdr(PT_LOAD, 0x200, 0x101000, 0x40, 0x3000),
    ], 0x100000 + 128, 0x240),
    "valid-real-shape": image([
        phdr(PT_LOAD, 0x1000, 0x100000, 0x400, 0x400, 5),
        phdr(PT_LOAD, 0x1400, 0x101000, 0x10, 0x8000, 6),
        phdr(PT_GNU_STACK, 0, 0, 0, 0, 6),
    ], 0x10000c, 0x1410, mb_off=0x1000),
    "valid-empty-load": image([
        phdr(PT_LOAD, 0, 0x100000, 0x100, 0x100),
        phdr(PT_LOAD, 0, 0, 0, 0),
    ], 0x100000 + 128, 0x100),
    "bad-magic": b"\x7fELG" + simple()[4:],
    "bad-class64": simple(cls=2),
    "bad-bigendian": simple(data=2),
    "bad-version": simple(ver=0),
    "bad-type-dyn": simple(etype=3),
    "bad-machine": simple(mach=62),
    "bad-phentsize": simple(phentsize=56),
    "bad-no-phdrs": image([], 0x100080, 256),
    "bad-phdrs-beyond": simple()[:60],
    "bad-truncated": simple()[:40],
    "bad-no-mbheader": simple(mb_off=None),
    "bad-checksum": simple(mb=mbh(3, 0x12345678)),
    "bad-video-flag": simple(mb=mbh(7)),
    "bad-aout-flag": simple(mb=mbh(0x10003)),
    "bad-unknown-flag": simple(mb=mbh(0x8003)),
    "bad-filesz-over-memsz": image([phdr(PT_LOAD, 0, 0x100000, 256, 128)], 0x100080, 256),
    "bad-file-beyond": image([phdr(PT_LOAD, 0x80, 0x100000, 256, 256)], 0x100080, 256),
    "bad-low-paddr": image([phdr(PT_LOAD, 0, 0x8000, 256, 256)], 0x8080, 256),
    "bad-wrap": image([phdr(PT_LOAD, 0, 0xfffff000, 256, 0x2000)], 0xfffff080, 256),
    "bad-beyond-ram": image([phdr(PT_LOAD, 0, 0x7ff00000, 256, 256)], 0x7ff00080, 256),
    "bad-overlap": image([
        phdr(PT_LOAD, 0, 0x100000, 256, 256),
        phdr(PT_LOAD, 0, 0x100080, 256, 256),
    ], 0x100080, 256),
    "bad-entry-outside": image([phdr(PT_LOAD, 0, 0x100000, 256, 256)], 0x200000, 256),
    "bad-no-load": image([phdr(PT_NOTE, 0, 0x100000, 256, 256)], 0x100080, 256),
    "bad-17-segments": image([phdr(PT_LOAD, 0, 0x100000 + 0x1000 * i, 0x10, 0x10)
                              for i in range(17)], 0x100000, 0x300, mb_off=0x260),
    "bad-header-past-8k": image([phdr(PT_LOAD, 0, 0x100000, 0x2100, 0x2100)],
                                0x100000 + 0x2010, 0x2100, mb_off=0x2004),
    "empty": b"",
}

os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
