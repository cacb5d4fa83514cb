#!/usr/bin/python3
"""Copy a QEMU ELF vmcore with its program headers right after the ELF header.

    samples/fix-qemu-elf.py IN OUT

QEMU 7.2's dump-guest-memory puts a section header at offset 64 and the program headers at
e_phoff = 0xc0, and writes e_ehsize = 8.  makedumpfile 1.7.2 assumes the program headers
start at 64 ("get_elf_info: Can't get the number of PT_LOAD").  The phdr table moves down by
128 bytes into space nothing else uses, so no data offset changes: the output is a byte copy
with only the first 64 + e_phnum * 56 bytes rewritten (e_phoff = 64, no section headers,
e_ehsize = 64).  The input is never written.
"""
import os
import shutil
import struct
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().split("\n\n")[1].strip())
    src, dst = sys.argv[1:]
    with open(src, "rb") as f:
        eh = bytearray(f.read(64))
        if eh[:4] != b"\x7fELF" or eh[4] != 2 or eh[5] != 1:
            sys.exit("%s: not a little-endian ELF64 file" % src)
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        if phentsize != 56 or phnum in (0, 0xffff):
            sys.exit("%s: unexpected program headers (size %d, count %d)" % (src, phentsize,
                                                                              phnum))
        f.seek(phoff)
        ph = f.read(56 * phnum)
    if len(ph) != 56 * phnum:
        sys.exit("%s: truncated program headers" % src)
    first_data = min(struct.unpack_from("<Q", ph, i * 56 + 8)[0] for i in range(phnum))
    if first_data < 64 + len(ph):
        sys.exit("%s: data at offset %d leaves no room for the headers" % (src, first_data))
    struct.pack_into("<Q", eh, 32, 64)                       # e_phoff
    struct.pack_into("<Q", eh, 40, 0)                        # e_shoff
    struct.pack_into("<H", eh, 52, 64)                       # e_ehsize
    struct.pack_into("<HHH", eh, 58, 0, 0, 0)                # e_shentsize, e_shnum, e_shstrndx
    tmp = dst + ".tmp"
    shutil.copyfile(src, tmp)                                # copy_file_range/sendfile: fast
    with open(tmp, "r+b") as f:
        f.write(eh + ph + bytes(first_data - 64 - len(ph)))  # zero the old headers' bytes
    os.chmod(tmp, 0o644)
    os.replace(tmp, dst)


if __name__ == "__main__":
    main()
