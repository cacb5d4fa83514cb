#!/usr/bin/python3
"""extract-dbg.py DEB OUTDIR KVER [--vmlinux] [MODULE...]

Writes only what the samples use of a linux-image-KVER-dbg package DEB:
  --vmlinux    OUTDIR/vmlinux and OUTDIR/System.map: usr/lib/debug/boot/{vmlinux,System.map}-KVER
               (Debian 11, 12) or usr/lib/debug/lib/modules/KVER/{vmlinux,System.map} (sid,
               where boot/ holds symlinks to them)
  MODULE       a module's debug file, under OUTDIR/modules-dbg/ at its path below
               usr/lib/debug/lib/modules/KVER/: given as that path (kernel/fs/overlayfs/overlay.ko,
               as the image package has it; a .ko.xz or .ko.zst in the package is the same
               file), or as a bare module name (a '-' of the file name spelled '_': xor_neon
               is xor-neon.ko), which is looked for by reading the archive in order
A -dbg package is 1.2-6 GB of DWARF in one xz stream (280 MB - 1.1 GB of .deb): reading it
in order costs its decompression, ~30 s of CPU for an amd64 6.1 package and 2-4 min for an
arm64 one, and what the samples want lies at its start (boot/), in its middle (the modules)
and, for sid, at its end (lib/modules/KVER/vmlinux).  dpkg-deb compresses the archive in
independent xz blocks (24 MiB of tar each, listed in the stream's index) and writes the tar's
members sorted by path: so only the blocks that hold a wanted member are decompressed.  The
block where a member's header lies is found by a binary search over the first member header
of each block (decompressed up to that header: a few KB to a few MB); the members found are
read from there.  When the package is not made so (one block, another compressor, an order
that is not the sorted one, a wanted vmlinux not where the search leads), the whole archive
is read in order (`dpkg-deb --fsys-tarfile`), as before.
Prints one line per wanted thing not found; exits 1 if the vmlinux or System.map was asked
for and is not there.  Every path written is checked to stay below OUTDIR.
Environment: VD_EXTRACT_STREAM=1 reads the archive in order (for comparisons).
"""
import bisect
import lzma
import os
import shutil
import struct
import subprocess
import sys
import tarfile

KO_SUFFIXES = (".ko", ".ko.xz", ".ko.zst")
# A block's first member header is looked for in its first 4 MiB: a block without one there is
# taken as lying after every name looked for (the walk from an earlier block reaches it).
PROBE = 4 << 20


class Fallback(Exception):
    """The package cannot be read by blocks: read it in order instead."""


def key(path):
    """Sort key of a tar path: its components (dpkg-deb sorts a directory's entries by name
    and writes each directory before what it holds), a module's compression suffix dropped."""
    path = path[2:] if path.startswith("./") else path
    parts = path.rstrip("/").split("/")
    for s in (".xz", ".zst"):
        if parts[-1].endswith(".ko" + s):
            parts[-1] = parts[-1][:-len(s)]
    return [p.encode() for p in parts]


def ar_data_member(f):
    """(offset, size) of data.tar.xz in the .deb (an ar archive), or Fallback."""
    f.seek(0)
    if f.read(8) != b"!<arch>\n":
        raise Fallback("not an ar archive")
    end = os.fstat(f.fileno()).st_size
    off = 8
    while off + 60 <= end:
        f.seek(off)
        h = f.read(60)
        name = h[:16].decode("ascii", "replace").strip().rstrip("/")
        try:
            size = int(h[48:58].decode("ascii").strip())
        except ValueError:
            raise Fallback("bad ar header")
        if name.startswith("data.tar"):
            if name != "data.tar.xz":
                raise Fallback("data member is %s" % name)
            if off + 60 + size > end:
                raise Fallback("data member cut short")
            return off + 60, size
        off += 60 + size + (size & 1)
    raise Fallback("no data.tar member")


def varint(buf, i):
    v = shift = 0
    while True:
        if i >= len(buf) or shift > 63:
            raise Fallback("bad xz index")
        b = buf[i]
        i += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return v, i


class XzBlocks:
    """The uncompressed bytes of a one-stream .xz, block by block (from the stream's index)."""

    def __init__(self, f, off, size):
        self.f = f
        f.seek(off)
        self.header = f.read(12)
        if self.header[:6] != b"\xfd7zXZ\x00":
            raise Fallback("not xz")
        f.seek(off + size - 12)
        foot = f.read(12)
        if foot[10:] != b"YZ":                   # stream padding or a second stream
            raise Fallback("no xz stream footer at the end")
        isize = (struct.unpack_from("<I", foot, 4)[0] + 1) * 4
        if isize > size - 24:
            raise Fallback("bad xz index size")
        f.seek(off + size - 12 - isize)
        idx = f.read(isize)
        if idx[0] != 0:
            raise Fallback("no xz index")
        n, i = varint(idx, 1)
        self.coff, self.csize, self.ustart, self.usize = [], [], [], []
        c, u = off + 12, 0
        for _ in range(n):
            unpadded, i = varint(idx, i)
            usz, i = varint(idx, i)
            self.coff.append(c)
            self.csize.append((unpadded + 3) & ~3)
            self.ustart.append(u)
            self.usize.append(usz)
            c += (unpadded + 3) & ~3
            u += usz
        if c != off + size - 12 - isize:
            raise Fallback("xz index does not cover the stream")
        if n < 2:
            raise Fallback("one xz block")
        self.n, self.total = n, u
        self.cache = {}                          # block -> bytes (the last few)
        self.decoded = 0                         # bytes decompressed, for the report

    def decoder(self, k):
        self.f.seek(self.coff[k])
        d = lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
        return d, self.header + self.f.read(self.csize[k])

    def block(self, k):
        if k not in self.cache:
            d, data = self.decoder(k)
            out = d.decompress(data)
            if len(out) != self.usize[k]:
                raise Fallback("block %d: %d bytes, the index says %d" % (k, len(out), self.usize[k]))
            self.decoded += len(out)
            if len(self.cache) >= 3:
                del self.cache[next(iter(self.cache))]
            self.cache[k] = out
        return self.cache[k]

    def block_of(self, pos):
        return bisect.bisect_right(self.ustart, pos) - 1

    def read(self, pos, n):
        out = bytearray()
        while n > 0:
            if pos >= self.total:
                raise Fallback("read past the end of the archive")
            k = self.block_of(pos)
            b = self.block(k)
            o = pos - self.ustart[k]
            chunk = b[o:o + n]
            out += chunk
            pos += len(chunk)
            n -= len(chunk)
        return bytes(out)

    def copy(self, pos, n, dst):
        while n > 0:
            k = self.block_of(pos)
            b = self.block(k)
            o = pos - self.ustart[k]
            chunk = b[o:o + n]
            dst.write(chunk)
            pos += len(chunk)
            n -= len(chunk)


def header_ok(h):
    if len(h) < 512 or h[257:262] != b"ustar":
        return False
    try:
        want = int(h[148:156].split(b"\0")[0].strip() or b"x", 8)
    except ValueError:
        return False
    return sum(h[:148]) + 8 * 32 + sum(h[156:512]) == want


def octal(field):
    if field[:1] == b"\x80":                     # GNU base-256
        return int.from_bytes(field[1:], "big")
    return int(field.split(b"\0")[0].strip() or b"0", 8)


def pad(n):
    return (n + 511) & ~511


class Tar:
    """Member headers of the tar in an XzBlocks, by position."""

    def __init__(self, xz):
        self.xz = xz
        self.probes = {}

    def member(self, pos):
        """(name, type, data position, size, next header position) of the member whose
        (first) header is at pos, or None at the end of the archive."""
        name = None
        while True:
            h = self.xz.read(pos, 512)
            if h == bytes(512):
                return None
            if not header_ok(h):
                raise Fallback("no tar header at %d" % pos)
            typ, size = h[156:157], octal(h[124:136])
            if typ == b"L":                      # GNU long name of the next member
                name = self.xz.read(pos + 512, size).split(b"\0")[0].decode()
                pos += 512 + pad(size)
                continue
            if typ == b"x":                      # pax header: path=
                for rec in self.xz.read(pos + 512, size).split(b"\n"):
                    if b" path=" in rec:
                        name = rec.split(b" path=", 1)[1].decode()
                pos += 512 + pad(size)
                continue
            if typ == b"g":
                pos += 512 + pad(size)
                continue
            if name is None:
                name = h[:100].split(b"\0")[0].decode()
                if h[257:263] == b"ustar\0" and h[345] != 0:
                    name = h[345:500].split(b"\0")[0].decode() + "/" + name
            return name, typ, pos + 512, size, pos + 512 + pad(size)

    def probe(self, k):
        """(position, name) of the first member header that starts in block k and whose name
        is known in full there, or None: none in the first PROBE bytes of the block (it lies
        inside one member's data, or that member is large).  Block k is decompressed only up
        to there."""
        if k in self.probes:
            return self.probes[k]
        xz = self.xz
        d, data = xz.decoder(k)
        out = bytearray(d.decompress(data, 1 << 20))

        def have(n):                             # out holds n bytes, or the block is done
            while len(out) < min(n, PROBE) and not d.eof and not d.needs_input:
                out.extend(d.decompress(b"", 1 << 20))
            return len(out) >= n

        p = (-xz.ustart[k]) % 512
        res = None
        while p + 512 <= PROBE and have(p + 512):
            h = bytes(out[p:p + 512])
            if not header_ok(h):
                p += 512
                continue
            typ, size = h[156:157], octal(h[124:136])
            if typ == b"L" and have(p + 512 + size):
                res = (xz.ustart[k] + p, out[p + 512:p + 512 + size].split(b"\0")[0].decode())
            elif typ == b"x" and have(p + 512 + size):
                for rec in bytes(out[p + 512:p + 512 + size]).split(b"\n"):
                    if b" path=" in rec:
                        res = (xz.ustart[k] + p, rec.split(b" path=", 1)[1].decode())
            elif typ not in (b"L", b"x", b"g") and 0 in h[:100]:
                res = (xz.ustart[k] + p, h[:100].split(b"\0")[0].decode())
            if res:
                break
            p += 512 + pad(size)                 # a name cut at 100 characters: the next one
        xz.decoded += len(out)
        self.probes[k] = res
        return res

    def jump(self, pos, want):
        """The header position from which to look for want: the first header of the last
        block after pos's whose first known name sorts at or before want, else pos."""
        lo, hi, best = self.xz.block_of(pos) + 1, self.xz.n - 1, None
        # Only when the next block starts at or before want: else want is in reach of the walk
        # (through a large member's data, the walk decompresses nothing).
        p = self.probe(lo) if lo <= hi else None
        if p is None or key(p[1]) > want:
            return pos
        while lo <= hi:
            mid = (lo + hi) // 2
            p = self.probe(mid)
            if p is not None and key(p[1]) <= want:
                best, lo = p[0], mid + 1
            else:                                # None is taken as after want
                hi = mid - 1
        return best if best is not None and best > pos else pos


def write(out, dest, fill):
    path = os.path.join(out, dest)
    if os.path.relpath(path, out).startswith(".."):
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "wb") as fh:
        fill(fh)
    os.replace(path + ".tmp", path)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    deb, out, kver = sys.argv[1:4]
    args = sys.argv[4:]
    want_vmlinux = "--vmlinux" in args
    prefix = "usr/lib/debug/lib/modules/%s/" % kver
    targets, names = [], set()
    if want_vmlinux:
        for f in ("vmlinux", "System.map"):
            for path in ("usr/lib/debug/boot/%s-%s" % (f, kver), prefix + f):
                targets.append({"key": key(path), "match": lambda n: True, "dest": f, "id": f})
    for a in args:
        if a == "--vmlinux":
            continue
        if "/" not in a:
            names.add(a.replace("-", "_"))
            continue
        rel = os.path.normpath(a)
        for s in KO_SUFFIXES[1:]:
            rel = rel[:-len(s)] + ".ko" if rel.endswith(s) else rel
        if rel.startswith("..") or os.path.isabs(rel) or not rel.endswith(".ko"):
            sys.exit("extract-dbg: bad module path %s" % a)
        mod = os.path.basename(rel)[:-3].replace("-", "_")
        targets.append({"key": key(prefix + rel), "dest": None, "id": "mod:" + mod,
                        "match": lambda n: n.endswith(KO_SUFFIXES)})
    found = set()
    mode = "blocks"
    if names or os.environ.get("VD_EXTRACT_STREAM") == "1":
        mode = "order"
    if mode == "blocks":
        try:
            found = by_blocks(deb, out, targets, prefix)
            if want_vmlinux and {"vmlinux", "System.map"} - found:
                raise Fallback("vmlinux or System.map not found by blocks")
        except (Fallback, lzma.LZMAError, OSError, UnicodeDecodeError) as e:
            print("extract-dbg: reading the whole archive in order (%s)" % e, file=sys.stderr)
            mode = "order"
    if mode == "order":
        found = in_order(deb, out, targets, names, prefix)
    need = {t["id"] for t in targets} | {"mod:" + n for n in names}
    for k in sorted(need - found):
        print("extract-dbg: %s not in the package" % k.replace("mod:", "debug file of module "),
              file=sys.stderr)
    sys.exit(1 if want_vmlinux and {"vmlinux", "System.map"} - found else 0)


def module_dest(name, prefix):
    name = name[2:] if name.startswith("./") else name
    return os.path.join("modules-dbg", os.path.normpath(name[len(prefix):]))


def by_blocks(deb, out, targets, prefix):
    """Extracts the targets by blocks; returns the ids found.  Fallback when the package is
    not made as expected."""
    found = set()
    with open(deb, "rb") as f:
        off, size = ar_data_member(f)
        xz = XzBlocks(f, off, size)
        tar = Tar(xz)
        pos, last = 0, None
        for t in sorted(targets, key=lambda t: t["key"]):
            if t["id"] in found:
                continue
            while True:
                pos = tar.jump(pos, t["key"])
                m = tar.member(pos)
                if m is None:
                    break
                name, typ, dpos, dsize, nxt = m
                k = key(name)
                if last is not None and k < last:
                    raise Fallback("members not sorted: %s after %s"
                                   % (name, b"/".join(last).decode()))
                last = k
                if k > t["key"]:
                    break
                pos = nxt
                if k == t["key"] and typ in (b"0", b"\0") and t["match"](name):
                    dest = t["dest"] or module_dest(name, prefix)
                    write(out, dest, lambda fh: xz.copy(dpos, dsize, fh))
                    found.add(t["id"])
                    break
        if os.environ.get("VD_EXTRACT_VERBOSE"):
            print("extract-dbg: by blocks: %.0f of %.0f MB of tar decompressed, %d blocks of %d probed"
                  % (xz.decoded / 1e6, xz.total / 1e6, len(tar.probes), xz.n), file=sys.stderr)
    return found


def in_order(deb, out, ts, names, prefix):
    """One pass over the whole archive in order (dpkg-deb --fsys-tarfile), ended after the
    last wanted member; names: bare module names, looked for by name alone."""
    found = set()
    need = {t["id"] for t in ts} | {"mod:" + n for n in names}
    p = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    try:
        with tarfile.open(fileobj=p.stdout, mode="r|") as tar:
            for m in tar:
                if not need - found:
                    break
                if not m.isfile():              # sid's boot/vmlinux-KVER is a symlink
                    continue
                name = m.name[2:] if m.name.startswith("./") else m.name
                k = key(name)
                dest = ident = None
                for t in ts:
                    if t["key"] == k and t["id"] not in found and t["match"](name):
                        dest = t["dest"] or module_dest(name, prefix)
                        ident = t["id"]
                        break
                if dest is None and name.startswith(prefix) and "/" in name[len(prefix):]:
                    base = name.rsplit("/", 1)[1]
                    stem = base.split(".ko", 1)[0]
                    mod = stem.replace("-", "_")
                    if base[len(stem):] in KO_SUFFIXES and mod in names and \
                            "mod:" + mod not in found:
                        dest, ident = module_dest(name, prefix), "mod:" + mod
                if dest is None:
                    continue
                src = tar.extractfile(m)
                write(out, dest, lambda fh: shutil.copyfileobj(src, fh, 1 << 20))
                found.add(ident)
    finally:
        p.stdout.close()                         # dpkg-deb's broken pipe is expected
        p.kill()
        p.wait()
    return found


if __name__ == "__main__":
    main()
