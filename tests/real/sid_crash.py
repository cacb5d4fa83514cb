#!/usr/bin/python3
"""One session of sid's crash 9.0.2 per x86_64 6.12 and 7.2 sample dump, shared by the tests
that hold vmdive to it (test_types.sh's `struct -o`, bt_check.py's `bt -a`, kmem_check.py's
`kmem -i` and `kmem -s`), kept beside the dump (vdcheck.cache_dir).

    sid_crash.py META_ENV      prints the transcript (made if missing)

crash 9.0.2 reads Debian 12's 6.12 whole; sid's 7.2 only with --no_modules ("invalid structure
member offset: module_num_gpl_syms"), which leaves bt and kmem intact.  Debian 12's crash 8.0.2
reads neither (mod->mem[] is crash 8.0.3).  Its start costs ~22 CPU-s (gdb reads the vmlinux's
DWARF), the questions little: every question of every test is asked in the one session, under
a lock so that two tests started together do not both start crash.
"""
import fcntl
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vdcheck as vc                                 # noqa: E402

VARIANTS = ("kaslr-6.12", "kaslr-sid")
# test_types.sh's types (6.4 replaced module_layout with module_memory, commit ac3b43283923).
TYPES = ("task_struct", "module", "mm_struct", "page", "vmap_area", "vm_struct", "list_head",
         "module_memory", "printk_ringbuffer", "prb_desc_ring", "pid", "upid", "kobject",
         "mod_kallsyms", "uts_namespace", "new_utsname", "rq")
CMDS = "".join("struct -o %s\n" % t for t in TYPES) + "bt -a\nkmem -i\nkmem -s\n"


def crash_for(meta):
    """(sid's crash, its options) for this dump, or None (no such crash, not a dump it reads)."""
    if meta.get("VARIANT") not in VARIANTS or meta.get("ARCH", "x86_64") != "x86_64":
        return None
    crash = os.path.join(vc.SID_ORACLES, "crash")
    if not os.access(crash, os.X_OK):
        return None
    return crash, "--no_modules" if meta.get("SUITE") == "sid" else ""


def transcript(meta):
    """crash's output for CMDS on the dump (text), or None (said on stderr)."""
    cr = crash_for(meta)
    if cr is None:
        return None
    dump = meta["VMCORE_ELF"]
    dumpdir = os.path.dirname(os.path.abspath(dump))
    cdir = vc.cache_dir(dumpdir, meta["VARIANT"])
    path = os.path.join(cdir, "sidcrash-%s-%s.out" % (vc.dump_key(dump),
                                                       vc.content_key(CMDS.encode(), cr[1].encode())))
    with open(os.path.join(cdir, "sidcrash.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(path):
            with tempfile.TemporaryDirectory() as tmp:
                cf, out = os.path.join(tmp, "cmds"), os.path.join(tmp, "out")
                with open(cf, "w") as f:
                    f.write(CMDS)
                p = subprocess.run([os.path.join(vc.ORACLE_DIR, "crash_oracle.sh"), dump,
                                    meta["VMLINUX"], cf, out], capture_output=True, text=True,
                                   timeout=vc.TIMEOUT,
                                   env=dict(os.environ, CRASH=cr[0], CRASH_OPTS=cr[1]))
                if p.returncode != 0:
                    print("sid_crash: crash failed (exit %d): %s" % (p.returncode,
                                                                     vc.short(p.stderr, 600)),
                          file=sys.stderr)
                    return None
                vc.atomic_write(path, open(out, "rb").read())
                vc.drop_stale(path, "sidcrash-", ".out")
    with open(path, errors="replace") as f:
        return f.read()


if __name__ == "__main__":
    text = transcript(vc.load_env(sys.argv[1]))
    if text is None:
        sys.exit(1)
    sys.stdout.write(text)
