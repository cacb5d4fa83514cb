#!/usr/bin/python3
"""drgn's answers for the kmem tests (test_kmem.sh), about one ELF vmcore.

    /usr/bin/python3 tests/real/kmem_oracle.py --vmcore F --vmlinux V --arch x86_64|aarch64
            --json OUT [--seed N]

Opens the dump as tests/oracle/drgn_oracle.py (x86_64) or drgn_oracle_arm64.py does, then
computes from the kernel's structures, with the vmlinux's DWARF:
  meminfo:  the lines meminfo_proc_show() prints (fs/proc/meminfo.c of 6.1 and 6.12), each
            from the kernel's counters read through drgn (vm_zone_stat/vm_node_stat by enum
            value, totalram, si_mem_available() over every zone, swap, hstates, ...)
  caches:   every cache on slab_caches (drgn.helpers.linux.slab.for_each_slab_cache) with
            what a walk of the whole memory map finds, independently of SLUB's lists: slabs =
            the slab pages whose slab_cache is the cache, total = the sum of their objects,
            allocated = total minus the objects on each slab's freelist and on the lockless
            freelist of the CPU whose slab it is (free pointers decoded with s->random when
            the kernel has CONFIG_SLAB_FREELIST_HARDENED)
  addrs:    up to 200 addresses: slab objects (random objects of random slab pages, at a
            random offset inside the object: cache, object start, allocated; checked against
            drgn's slab_object_info() where 0.0.22 can run it, i.e. kernels with PG_slab, and
            the object is not free on the freelist of a CPU the panic took offline: drgn reads
            the online CPUs' freelists only),
            pages (random direct-map pages: struct page, flags, _refcount, mapping), task
            stacks (random tasks, random offset: pid, task), per-CPU areas (runqueues of
            each CPU: the CPU), modules' text, kernel text symbols, vmalloc'ed areas that are
            no stacks (the area)
"""
import argparse
import json
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "oracle"))
import drgn                                          # noqa: E402
from drgn import FaultError, Object, cast            # noqa: E402
from drgn.helpers.linux.mm import page_to_virt, pfn_to_page, virt_to_page  # noqa: E402
from drgn.helpers.linux.cpumask import for_each_possible_cpu  # noqa: E402
from drgn.helpers.linux.list import list_for_each_entry  # noqa: E402
from drgn.helpers.linux.percpu import per_cpu_ptr    # noqa: E402
from drgn.helpers.linux.pid import for_each_task     # noqa: E402
from drgn.helpers.linux.slab import for_each_slab_cache  # noqa: E402
import drgn_oracle as base                           # noqa: E402

hx = base.hx


def const(prog, name):
    try:
        return prog.constant(name).value_()
    except (LookupError, ValueError):
        try:
            return prog[name].value_()
        except (LookupError, ValueError):
            return None


def has_sym(prog, name):
    try:
        prog.symbol(name)
        return True
    except LookupError:
        return False


# --- meminfo -----------------------------------------------------------------------------

def meminfo(prog, arch, page):
    shift = page.bit_length() - 1
    ks = shift - 10

    def zs(name):
        c = prog.constant(name)
        assert c.type_.type_name() == "enum zone_stat_item", name
        v = prog["vm_zone_stat"][c.value_()].counter.value_()
        return max(v, 0)

    def ns(name):
        c = prog.constant(name)
        if c.type_.type_name() == "enum zone_stat_item":      # moved to the nodes later
            return zs(name)
        v = prog["vm_node_stat"][c.value_()].counter.value_()
        return max(v, 0)

    def have_enum(name):
        try:
            prog.constant(name)
            return True
        except LookupError:
            return False

    lines = []

    def kb(name, pages):
        lines.append([name, pages << ks, "kB"])

    try:
        totalram = prog["_totalram_pages"].counter.value_()
    except KeyError:
        totalram = prog["totalram_pages"].value_()
    free = zs("NR_FREE_PAGES")
    # nr_blockdev_pages()
    sb = prog["blockdev_superblock"]
    buffers = 0
    for inode in base.walk(sb.s_inodes, "struct inode", "i_sb_list"):
        buffers += inode.i_mapping.nrpages.value_()
    unused = 0
    for i in range(prog["nr_swapfiles"].value_()):
        si = prog["swap_info"][i]
        if si and (si.flags & 1) and not (si.flags & 2):
            unused += si.inuse_pages.value_()
    swap_free = prog["nr_swap_pages"].counter.value_() + unused
    swap_total = prog["total_swap_pages"].value_() + unused
    lru = {n: ns(n) for n in ("NR_INACTIVE_ANON", "NR_ACTIVE_ANON", "NR_INACTIVE_FILE",
                              "NR_ACTIVE_FILE", "NR_UNEVICTABLE")}
    if have_enum("NR_SWAPCACHE"):
        swapcache = ns("NR_SWAPCACHE")
    else:                                   # before 5.13: the swap address spaces' pages
        swapcache = 0
        for i in range(prog["nr_swapfiles"].value_()):
            sp = prog["swapper_spaces"][i]
            for j in range(prog["nr_swapper_spaces"][i].value_() if sp else 0):
                swapcache += sp[j].nrpages.value_()
    cached = max(ns("NR_FILE_PAGES") - swapcache - buffers, 0)
    srecl, sunrecl = ns("NR_SLAB_RECLAIMABLE_B"), ns("NR_SLAB_UNRECLAIMABLE_B")
    misc = ns("NR_KERNEL_MISC_RECLAIMABLE")
    # si_mem_available(): for_each_zone over the online nodes
    wmark = 0
    wlow = prog.constant("WMARK_LOW").value_()
    nodes = []
    try:
        from drgn.helpers.linux.nodemask import for_each_online_node
        for nid in for_each_online_node(prog):
            nodes.append(prog["node_data"][nid])
    except (KeyError, LookupError):
        nodes.append(prog["contig_page_data"].address_of_())
    for pgdat in nodes:
        for z in pgdat.node_zones:
            wmark += z._watermark[wlow].value_() + z.watermark_boost.value_()
    avail = free - prog["totalreserve_pages"].value_()
    pc = lru["NR_ACTIVE_FILE"] + lru["NR_INACTIVE_FILE"]
    pc -= min(pc // 2, wmark)
    avail += pc
    recl = srecl + misc
    avail += recl - min(recl // 2, wmark)
    avail = max(avail, 0)
    # hstates
    hs = None
    if has_sym(prog, "hstates"):
        hs = {"total_pages": 0, "total_bytes": 0}
        d = prog["default_hstate_idx"].value_()
        for i in range(prog["hugetlb_max_hstate"].value_()):
            h = prog["hstates"][i]
            o, n = h.order.value_(), h.nr_huge_pages.value_()
            hs["total_pages"] += n << o
            hs["total_bytes"] += (page << o) * n
            if i == d:
                hs.update(count=n, free=h.free_huge_pages.value_(),
                          resv=h.resv_huge_pages.value_(),
                          surp=h.surplus_huge_pages.value_(), size=page << o)

    kb("MemTotal", totalram)
    kb("MemFree", free)
    kb("MemAvailable", avail)
    kb("Buffers", buffers)
    kb("Cached", cached)
    kb("SwapCached", swapcache)
    kb("Active", lru["NR_ACTIVE_ANON"] + lru["NR_ACTIVE_FILE"])
    kb("Inactive", lru["NR_INACTIVE_ANON"] + lru["NR_INACTIVE_FILE"])
    kb("Active(anon)", lru["NR_ACTIVE_ANON"])
    kb("Inactive(anon)", lru["NR_INACTIVE_ANON"])
    kb("Active(file)", lru["NR_ACTIVE_FILE"])
    kb("Inactive(file)", lru["NR_INACTIVE_FILE"])
    kb("Unevictable", lru["NR_UNEVICTABLE"])
    kb("Mlocked", zs("NR_MLOCK"))
    kb("SwapTotal", swap_total)
    kb("SwapFree", swap_free)
    if has_sym(prog, "zswap_stored_pages") and have_enum("ZSWPOUT"):
        if has_sym(prog, "zswap_pool_total_size"):
            lines.append(["Zswap", prog["zswap_pool_total_size"].value_() >> 10, "kB"])
        else:
            tot = 0
            for pool in base.walk(prog["zswap_pools"], "struct zswap_pool", "list"):
                zsp = cast("struct zs_pool *", pool.zpool.pool)
                tot += zsp.pages_allocated.counter.value_()
            kb("Zswap", tot)
        kb("Zswapped", prog["zswap_stored_pages"].counter.value_())
    kb("Dirty", ns("NR_FILE_DIRTY"))
    kb("Writeback", ns("NR_WRITEBACK"))
    kb("AnonPages", ns("NR_ANON_MAPPED"))
    kb("Mapped", ns("NR_FILE_MAPPED"))
    kb("Shmem", ns("NR_SHMEM"))
    kb("KReclaimable", srecl + misc)
    kb("Slab", srecl + sunrecl)
    kb("SReclaimable", srecl)
    kb("SUnreclaim", sunrecl)
    lines.append(["KernelStack", ns("NR_KERNEL_STACK_KB"), "kB"])
    if have_enum("NR_KERNEL_SCS_KB"):
        lines.append(["ShadowCallStack", ns("NR_KERNEL_SCS_KB"), "kB"])
    kb("PageTables", ns("NR_PAGETABLE"))
    if have_enum("NR_SECONDARY_PAGETABLE"):
        kb("SecPageTables", ns("NR_SECONDARY_PAGETABLE"))
    kb("NFS_Unstable", 0)
    # 7.x prints both as 0 once their counters are gone.
    kb("Bounce", zs("NR_BOUNCE") if have_enum("NR_BOUNCE") else 0)
    kb("WritebackTmp", ns("NR_WRITEBACK_TEMP") if have_enum("NR_WRITEBACK_TEMP") else 0)
    okb = prog["sysctl_overcommit_kbytes"].value_()
    if okb:
        allowed = okb >> ks
    else:
        allowed = (totalram - (hs["total_pages"] if hs else 0)) * \
            prog["sysctl_overcommit_ratio"].value_() // 100
    allowed += prog["total_swap_pages"].value_()
    kb("CommitLimit", allowed)
    # vm_memory_committed(): the counter's sum (5.9's "mm/util.c: make
    # vm_memory_committed() more accurate"), over the possible CPUs: the
    # panic took the others offline without folding their deltas, so
    # drgn's percpu_counter_sum() (online CPUs) would drop them.
    vca = prog["vm_committed_as"]
    committed = vca.count.value_() + sum(per_cpu_ptr(vca.counters, cpu)[0].value_()
                                         for cpu in for_each_possible_cpu(prog))
    kb("Committed_AS", max(committed, 0))
    if arch == "x86_64":
        try:
            l5 = prog["__pgtable_l5_enabled"].value_()
        except KeyError:
            l5 = 0
        tb = 12800 if l5 else 32
        lines.append(["VmallocTotal", ((tb << 40) - 1) >> 10, "kB"])
    else:
        lines.append(["VmallocTotal", None, "kB"])     # not computed for arm64
    if have_enum("NR_VMALLOC"):                  # 7.x: a node counter
        kb("VmallocUsed", ns("NR_VMALLOC"))
    else:
        kb("VmallocUsed", prog["nr_vmalloc_pages"].counter.value_())
    kb("VmallocChunk", 0)
    kb("Percpu", prog["pcpu_nr_populated"].value_() * prog["pcpu_nr_units"].value_())
    if has_sym(prog, "early_memtest_done") and prog["early_memtest_done"].value_():
        bad = prog["early_memtest_bad_size"].value_()
        lines.append(["EarlyMemtestBad", 1 if bad and not bad >> 10 else bad >> 10, "kB"])
    if has_sym(prog, "num_poisoned_pages"):
        kb("HardwareCorrupted", prog["num_poisoned_pages"].counter.value_())
    if has_sym(prog, "transparent_hugepage_flags"):
        for n, e in (("AnonHugePages", "NR_ANON_THPS"), ("ShmemHugePages", "NR_SHMEM_THPS"),
                     ("ShmemPmdMapped", "NR_SHMEM_PMDMAPPED"), ("FileHugePages", "NR_FILE_THPS"),
                     ("FilePmdMapped", "NR_FILE_PMDMAPPED")):
            kb(n, ns(e))
    if has_sym(prog, "totalcma_pages"):
        kb("CmaTotal", prog["totalcma_pages"].value_())
        kb("CmaFree", zs("NR_FREE_CMA_PAGES"))
    if have_enum("NR_UNACCEPTED"):
        kb("Unaccepted", zs("NR_UNACCEPTED"))
    for n, e in (("Balloon", "NR_BALLOON_PAGES"), ("GPUActive", "NR_GPU_ACTIVE"),
                 ("GPUReclaim", "NR_GPU_RECLAIM")):
        if have_enum(e):
            kb(n, ns(e))
    if hs is not None:
        lines += [["HugePages_Total", hs.get("count", 0), ""],
                  ["HugePages_Free", hs.get("free", 0), ""],
                  ["HugePages_Rsvd", hs.get("resv", 0), ""],
                  ["HugePages_Surp", hs.get("surp", 0), ""],
                  ["Hugepagesize", hs.get("size", 0) >> 10, "kB"],
                  ["Hugetlb", hs["total_bytes"] >> 10, "kB"]]
    if arch == "x86_64" and has_sym(prog, "direct_pages_count"):
        dpc = prog["direct_pages_count"]
        lines.append(["DirectMap4k", dpc[prog.constant("PG_LEVEL_4K")].value_() << 2, "kB"])
        lines.append(["DirectMap2M", dpc[prog.constant("PG_LEVEL_2M")].value_() << 11, "kB"])
        if prog["direct_gbpages"].value_():
            lines.append(["DirectMap1G", dpc[prog.constant("PG_LEVEL_1G")].value_() << 20,
                          "kB"])
    return lines


# --- slab --------------------------------------------------------------------------------

class Slab:
    def __init__(self, prog, page):
        self.prog = prog
        self.page = page
        try:
            self.slab_type = prog.type("struct slab")
            self.slab_type.member("slab_cache")
        except LookupError:
            self.slab_type = prog.type("struct page")
        ptype = prog.type("struct page")
        self.psize = ptype.size
        self.flags_off = drgn.offsetof(ptype, "flags")
        self.pg_slab = const(prog, "PG_slab")
        self.pg_head = const(prog, "PG_head")
        self.pgty_slab = const(prog, "PGTY_slab")
        try:
            self.type_off = drgn.offsetof(ptype, "page_type")
        except LookupError:
            self.type_off = None
        self.cache_off = drgn.offsetof(self.slab_type, "slab_cache")
        self.vmemmap = pfn_to_page(prog, 0).value_()
        self.caches = {}        # cache address -> helper info

    def is_slab(self, raw):
        flags, = struct.unpack_from("<Q", raw, self.flags_off)
        if self.pg_slab is not None:
            return (flags >> self.pg_slab) & 1
        pt, = struct.unpack_from("<I", raw, self.type_off)
        return (pt >> 24) == self.pgty_slab

    def cache_info(self, cache_addr):
        if cache_addr in self.caches:
            return self.caches[cache_addr]
        prog = self.prog
        s = Object(prog, "struct kmem_cache", address=cache_addr)
        try:
            rnd = s.random.value_()
        except AttributeError:
            rnd = None
        try:
            rlp = s.red_left_pad.value_()
        except AttributeError:
            rlp = 0
        info = {"name": s.name.string_().decode(), "size": s.size.value_(),
                "offset": s.offset.value_(), "random": rnd, "red_left_pad": rlp,
                "cpu": {}, "sheaves": set(), "sheaf_cpu": {}}
        try:
            cpu_slab = s.cpu_slab                   # gone in 7.0 (sheaves only)
        except AttributeError:
            cpu_slab = None
        for cpu in for_each_possible_cpu(prog) if cpu_slab is not None else ():
            c = per_cpu_ptr(cpu_slab, cpu)
            try:
                sl = c.slab.value_()
            except AttributeError:
                sl = c.page.value_()
            if sl:
                info["cpu"][sl] = (cpu, c.freelist.value_())
        # 6.18+: objects in the per-CPU sheaves (main, spare) and in the barns'
        # full sheaves are free for the cache.  Every possible CPU: a CPU the
        # panic stopped is offline in the dump and its sheaves still hold objects.
        try:
            pcs_ptr = s.cpu_sheaves.value_()
        except AttributeError:
            pcs_ptr = 0
        if pcs_ptr:
            def take(sheaf, cpu=-1):
                if sheaf:
                    for o in sheaf.objects[:sheaf.size.value_()]:
                        info["sheaves"].add(o.value_())
                        info["sheaf_cpu"][o.value_()] = cpu
            for cpu in for_each_possible_cpu(prog):
                pcs = per_cpu_ptr(s.cpu_sheaves, cpu)
                take(pcs.main, cpu)
                take(pcs.spare, cpu)
            try:
                barns = [pn.barn for pn in s.per_node[:prog["nr_node_ids"].value_()]]
            except AttributeError:
                barns = [n.barn for n in s.node[:prog["nr_node_ids"].value_()] if n]
            for b in barns:
                if b:
                    for sh in list_for_each_entry("struct slab_sheaf",
                                                  b.sheaves_full.address_of_(), "barn_list"):
                        take(sh)
        self.caches[cache_addr] = info
        return info

    def chain(self, info, first, limit):
        out = []
        p = first
        while p and len(out) <= limit:
            out.append(p)
            a = p + info["offset"]
            v = self.prog.read_u64(a)
            if info["random"] is not None:
                v ^= info["random"] ^ int.from_bytes(a.to_bytes(8, "little"), "big")
            p = v
        return out

    def objects(self, page_addr):
        """(cache address, [(object, allocated)]) of one slab page."""
        slab = Object(self.prog, self.slab_type, address=page_addr)
        cache = slab.slab_cache.value_()
        info = self.cache_info(cache)
        n = slab.objects.value_()
        base_va = page_to_virt(Object(self.prog, "struct page *", value=page_addr)).value_() \
            + info["red_left_pad"]
        free = set(self.chain(info, slab.freelist.value_(), n))
        if page_addr in info["cpu"]:
            free |= set(self.chain(info, info["cpu"][page_addr][1], n))
        free |= info["sheaves"]
        objs = [(base_va + i * info["size"], base_va + i * info["size"] not in free)
                for i in range(n)]
        return cache, objs, info


def scan_pages(prog, sl, max_pfn):
    """{head page address: raw struct page bytes} of slab heads, and [non-slab page addrs]."""
    slabs, others = {}, []
    chunk = 512
    for pfn0 in range(0, max_pfn, chunk):
        n = min(chunk, max_pfn - pfn0)
        addr = sl.vmemmap + pfn0 * sl.psize
        try:
            raw = prog.read(addr, n * sl.psize)
        except FaultError:
            continue
        for i in range(n):
            r = raw[i * sl.psize:(i + 1) * sl.psize]
            pa = addr + i * sl.psize
            ch, = struct.unpack_from("<Q", r, 8)
            if ch & 1:                      # tail page
                continue
            if sl.is_slab(r):
                slabs[pa] = r
            else:
                others.append(pa)
    return slabs, others


# --- processes ---------------------------------------------------------------------------

def maple_entries(prog, root, depth=0, mx=(1 << 64) - 1):
    """Entries of a maple tree (include/linux/maple_tree.h, lib/maple_tree.c), in slot
    order: only each node's used slots (ma_data_end())."""
    if not root:
        return []
    if not ((root & 3) == 2 and root > 4096):
        return [] if (root & 3) == 2 else [root]
    if depth > 32:
        raise RuntimeError("maple tree too deep")
    typ = (root >> 3) & 0xf
    node = Object(prog, "struct maple_node", address=root & ~0xff)
    if typ == 3:
        part = node.ma64
        end = part.meta.end.value_()
    else:
        part = node.mr64
        npiv = len(part.pivot)
        last = part.pivot[npiv - 1].value_()
        end = part.meta.end.value_() if not last else npiv - 1 if last == mx else npiv
    slots, pivots = part.slot, part.pivot
    out = []
    for i in range(end + 1):
        e = slots[i].value_()
        cmax = pivots[i].value_() if i < len(pivots) else mx
        if not cmax and i:
            cmax = mx
        if not e:
            continue
        if typ >= 2:
            if (e & 3) == 2 and e > 4096:
                out += maple_entries(prog, e, depth + 1, cmax)
        elif (e & 3) != 2:
            out.append(e)
    return out


def task_vmas(prog, mm):
    try:
        root = mm.mm_mt.ma_root.value_()
        addrs = maple_entries(prog, root)
    except AttributeError:
        addrs, v = [], mm.mmap
        while v and len(addrs) < 100000:
            addrs.append(v.value_())
            v = v.vm_next
    from drgn.helpers.linux.fs import d_path
    out = []
    for a in addrs:
        v = Object(prog, "struct vm_area_struct", address=a)
        path = ""
        if v.vm_file:
            path = d_path(v.vm_file.f_path).decode(errors="replace")
        out.append({"vma": hx(a), "start": hx(v.vm_start.value_()), "end": hx(v.vm_end.value_()),
                    "flags": hx(v.vm_flags.value_()), "pgoff": hx(v.vm_pgoff.value_()),
                    "path": path})
    out.sort(key=lambda x: int(x["start"], 16))
    return out


def map_root(o, prog, va, page):
    """The QEMU-dump bootstrap again (see drgn_oracle.py): map the page of a process's root
    page table linearly, or drgn's read of it would need a walk inside a walk."""
    pa, err = o.translate(va)
    if pa is None:
        raise RuntimeError("cannot translate mm->pgd 0x%x: %s" % (va, err))
    base_pa, base_va = pa & ~(page - 1), va & ~(page - 1)
    prog.add_memory_segment(base_va, page,
                            lambda addr, count, offset, physical:
                            prog.read(base_pa + offset, count, True), False)


def processes(o, prog, names, page, arch):
    from drgn.helpers.linux.mm import access_process_vm, cmdline, environ
    from drgn.helpers.linux.fs import d_path, for_each_file
    import hashlib
    out = []
    for t in for_each_task(prog):
        comm = t.comm.string_().decode(errors="replace")
        if not t.mm or (comm not in names and t.pid.value_() != 1):
            continue
        mm = t.mm
        map_root(o, prog, mm.pgd.value_(), page)
        vmas = task_vmas(prog, mm)
        reads = []
        for v in vmas:
            start, end = int(v["start"], 16), int(v["end"], 16)
            for va in (start, end - 4096):
                try:
                    data = access_process_vm(t, va, 64)
                    reads.append({"va": hx(va), "sha256": hashlib.sha256(data).hexdigest()})
                except FaultError:
                    reads.append({"va": hx(va), "sha256": None})
        files = []
        for fd, f in for_each_file(t):
            files.append({"fd": fd, "file": hx(f.value_()),
                          "path": d_path(f.f_path).decode(errors="replace")})
        # The user registers saved on entry at the top of each thread's kernel stack
        # (task_pt_regs), as gdb must show them in a core gcore writes.
        threads = []
        from drgn.helpers.linux.pid import for_each_task as _fet
        for th in _fet(prog):
            if th.tgid.value_() != t.tgid.value_():
                continue
            ptr = prog.type("struct pt_regs")
            regs = Object(prog, ptr, address=th.stack.value_() + 16384 - ptr.size)
            if arch == "x86_64":
                r = {n: regs.member_(m).value_() for n, m in (
                    ("rip", "ip"), ("rsp", "sp"), ("rax", "ax"), ("rbx", "bx"), ("rcx", "cx"),
                    ("rdx", "dx"), ("rsi", "si"), ("rdi", "di"), ("rbp", "bp"), ("r8", "r8"),
                    ("r9", "r9"), ("r10", "r10"), ("r11", "r11"), ("r12", "r12"),
                    ("r13", "r13"), ("r14", "r14"), ("r15", "r15"), ("eflags", "flags"))}
                r["fs_base"] = th.thread.fsbase.value_()
            else:
                r = {"x%d" % i: regs.regs[i].value_() for i in range(31)}
                r.update(sp=regs.sp.value_(), pc=regs.pc.value_(), cpsr=regs.pstate.value_())
            threads.append({"pid": th.pid.value_(), "regs": {k: hx(v) for k, v in r.items()}})
        out.append({"pid": t.pid.value_(), "comm": comm, "task": hx(t.value_()),
                    "threads": threads,
                    "mm": hx(mm.value_()), "map_count": mm.map_count.value_(),
                    "argv": [a.decode(errors="replace") for a in cmdline(t)],
                    "environ": [e.decode(errors="replace") for e in environ(t)],
                    "vmas": vmas, "reads": reads, "files": files})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vmcore", required=True)
    ap.add_argument("--vmlinux", required=True)
    ap.add_argument("--arch", default="x86_64")
    ap.add_argument("--json", required=True)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--procs", default="vd-sleeper-a vd-sleeper-b vd-worker-c")
    a = ap.parse_args()
    if a.arch == "aarch64":
        import drgn_oracle_arm64 as arm
        o = arm.Arm64Oracle(a.vmcore, a.vmlinux)
        page = o.page
    else:
        o = base.Oracle(a.vmcore, a.vmlinux)
        page = 4096
    prog = o.prog
    rng = random.Random(a.seed)
    doc = {"tool": "drgn", "drgn_version": drgn.__version__, "vmcore": a.vmcore,
           "arch": a.arch, "meminfo": meminfo(prog, a.arch, page)}
    sl = Slab(prog, page)
    max_pfn = prog["max_pfn"].value_()
    slabs, others = scan_pages(prog, sl, max_pfn)
    caches = {}
    for s in for_each_slab_cache(prog):
        caches[s.value_()] = {"address": hx(s.value_()), "name": s.name.string_().decode(),
                              "object_size": s.object_size.value_(), "slabs": 0, "total": 0,
                              "allocated": 0}
    per_slab = {}
    for pa in slabs:
        try:
            cache, objs, info = sl.objects(pa)
        except FaultError:
            continue
        per_slab[pa] = (cache, objs, info)
        c = caches.get(cache)
        if c is None:
            continue
        c["slabs"] += 1
        c["total"] += len(objs)
        c["allocated"] += sum(1 for _, al in objs if al)
        if c["name"] == "kmalloc-1k":         # each object's state, for kmem -S
            for o_, al in objs:
                doc.setdefault("objects_kmalloc_1k", {})[hx(o_)] = al
    doc["caches"] = list(caches.values())
    # addresses
    addrs = []
    slab_keys = [k for k, v in per_slab.items() if v[1]]
    try:
        from drgn.helpers.linux.slab import slab_object_info
        soi = slab_object_info if sl.pg_slab is not None else None
    except ImportError:
        soi = None
    nsoi = 0
    from drgn.helpers.linux.cpumask import for_each_online_cpu
    online = set(for_each_online_cpu(prog))
    for pa in rng.sample(slab_keys, min(100, len(slab_keys))):
        cache, objs, info = per_slab[pa]
        obj, allocated = rng.choice(objs)
        addr = obj + rng.randrange(info["size"])
        ent = {"va": hx(addr), "kind": "slab", "cache": info["name"], "cache_address": hx(cache),
               "object": hx(obj), "allocated": allocated, "slab": hx(pa)}
        # drgn 0.0.22's helper reads the lockless freelists of online CPUs only, and a panic
        # takes the other CPUs offline (smp_send_stop): an object on a stopped CPU's freelist
        # reads as allocated to it.  Those are not asked.
        cpu_of = info["cpu"].get(pa)
        offline_free = (not allocated and cpu_of is not None and cpu_of[0] not in online and
                        obj in set(sl.chain(info, cpu_of[1], len(objs))))
        # drgn reads the online CPUs' sheaves only, as their freelists.
        offline_free = offline_free or (not allocated and
                                        info["sheaf_cpu"].get(obj, -1) not in online | {-1})
        if soi and not offline_free:
            r = soi(prog, addr)
            ent["drgn_slab_object_info"] = r is not None and \
                r.address == obj and r.allocated == allocated and \
                r.slab_cache.value_() == cache
            nsoi += 1
        addrs.append(ent)
    for pa in rng.sample(others, min(60, len(others))):
        p = Object(prog, "struct page *", value=pa)
        try:
            va = page_to_virt(p).value_() + rng.randrange(page)
            try:
                flags = p.flags.f.value_()     # memdesc_flags_t (7.x)
            except AttributeError:
                flags = p.flags.value_()
            ref = p._refcount.counter.value_()
            mapping = p.mapping.value_()
            prog.read(va, 1)
        except FaultError:
            continue
        addrs.append({"va": hx(va), "kind": "page", "page": hx(pa), "flags": hx(flags),
                      "refcount": ref, "mapping": hx(mapping)})
    tsize = 16384   # THREAD_SIZE of x86_64 (PAGE_SIZE << 2) and arm64 (1 << 14), no KASAN
    tasks = [t for t in for_each_task(prog)]
    for t in rng.sample(tasks, min(40, len(tasks))):
        stack = t.stack.value_()
        va = stack + rng.randrange(tsize)
        try:
            prog.read(va, 1)
        except FaultError:
            continue
        addrs.append({"va": hx(va), "kind": "stack", "pid": t.pid.value_(),
                      "task": hx(t.value_()), "stack": hx(stack)})
    # Per-CPU areas, modules, the kernel's text, vmalloc areas (not stacks).
    from drgn.helpers.linux.cpumask import for_each_online_cpu as _online
    rq = prog["runqueues"].address_of_()
    for cpu in list(for_each_possible_cpu(prog))[:4]:
        va = per_cpu_ptr(rq, cpu).value_() + rng.randrange(64)
        addrs.append({"va": hx(va), "kind": "percpu", "cpu": cpu})
    mods = list(base.walk(prog["modules"], "struct module", "list"))
    for m in rng.sample(mods, min(6, len(mods))):
        try:
            b, size = m.mem[0].base.value_(), m.mem[0].size.value_()      # 6.4+: MOD_TEXT
        except AttributeError:
            b, size = m.core_layout.base.value_(), m.core_layout.text_size.value_()
        if size:
            addrs.append({"va": hx(b + rng.randrange(size)), "kind": "module",
                          "module": m.name.string_().decode()})
    for name in ("schedule", "do_sys_open", "vfs_read", "panic"):
        try:
            sym = prog.symbol(name)
        except LookupError:
            continue
        addrs.append({"va": hx(sym.address + 1), "kind": "kernel", "section": ".text"})
    stacks = {t.stack.value_() for t in tasks}
    from drgn.helpers.linux.sched import idle_task                   # CPUs' idle tasks too
    for cpu in for_each_possible_cpu(prog):
        stacks.add(idle_task(prog, cpu).stack.value_())
    try:
        areas = list(base.walk(prog["vmap_area_list"], "struct vmap_area", "list"))
    except KeyError:
        areas = []
        for i in range(prog["nr_vmap_nodes"].value_()):
            areas += list(base.walk(prog["vmap_nodes"][i].busy.head, "struct vmap_area", "list"))
    modranges = []
    for m in mods:
        try:
            modranges += [(r.base.value_(), r.size.value_()) for r in m.mem]
        except AttributeError:
            modranges += [(m.core_layout.base.value_(), m.core_layout.size.value_()),
                          (m.init_layout.base.value_(), m.init_layout.size.value_())]

    def in_module(start, end):
        return any(b < end and start < b + sz for b, sz in modranges if sz)
    areas = [va for va in areas if va.vm and va.va_start.value_() not in stacks and
             va.vm.flags.value_() & 2 and                          # VM_ALLOC
             not in_module(va.va_start.value_(), va.va_end.value_())]
    for va in rng.sample(areas, min(10, len(areas))):
        size = va.vm.size.value_() - page                            # guard page excluded
        if size <= 0:
            continue
        x = va.va_start.value_() + rng.randrange(size)
        addrs.append({"va": hx(x), "kind": "vmalloc", "start": hx(va.va_start.value_()),
                      "end": hx(va.va_end.value_())})
    doc["addrs"] = addrs
    doc["processes"] = processes(o, prog, a.procs.split(), page, a.arch)
    doc["slab_object_info_checked"] = nsoi
    with open(a.json, "w") as f:
        json.dump(doc, f, indent=1)
    print("kmem_oracle: %d meminfo lines, %d caches, %d slab pages, %d addresses" % (
        len(doc["meminfo"]), len(caches), len(slabs), len(addrs)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
