#!/bin/bash
# kmem -s, kmem -S and kmem ADDR on SLUB's sheaves (7.2), through the vmdive
# binary: the fake kernel of tests/unit/fake_slub.h (fake_slub_sheaves_new():
# two caches, CPU main/spare/rcu_free sheaves, barns with full and empty
# sheaves, full slabs on no list holding sheaf objects), written by
# tests/gen/mkfakekernel with what the construction says each must show
# (OUT.expect: every cache's counts, the slabs -S lists, every object's
# state and CPU).  test_memory_slub checks the library on the same state.
#   bash kmem_sheaves.sh VMDIVE TESTS_BUILD_DIR
set -u
VMDIVE=${1:?usage: kmem_sheaves.sh VMDIVE TESTS_BUILD_DIR}
BUILD=${2:?usage: kmem_sheaves.sh VMDIVE TESTS_BUILD_DIR}
GEN=$BUILD/mkfakekernel
[[ -x $GEN ]] || { echo "kmem_sheaves: no $GEN"; exit 99; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$GEN" sheaves "$T/sheaves.elf" || { echo "kmem_sheaves: mkfakekernel failed"; exit 99; }
D=$T/sheaves.elf
"$VMDIVE" kmem -s --json "$D" >"$T/s.json" || { echo "FAIL: kmem -s exit $?"; exit 1; }
for c in fuzz-64 fuzz-512; do
	"$VMDIVE" kmem -S --json "$D" "$c" >"$T/S-$c.json" || { echo "FAIL: kmem -S $c exit $?"; exit 1; }
done
# kmem ADDR: every object, 8 bytes in
while read -r kind a _; do
	[[ $kind == object ]] && printf '0x%x\n' $((a + 8))
done <"$D.expect" >"$T/addrs"
xargs "$VMDIVE" kmem --json "$D" <"$T/addrs" >"$T/addr.json" || { echo "FAIL: kmem ADDR exit $?"; exit 1; }
"$VMDIVE" kmem -s "$D" >"$T/s.txt" || { echo "FAIL: kmem -s (text) exit $?"; exit 1; }
exec python3 - "$T" "$D.expect" <<'PY'
import json, sys
t, exp = sys.argv[1], sys.argv[2]
h = lambda x: int(x, 16) if isinstance(x, str) else x
fails, n = [], 0
def check(ok, what):
    global n
    n += 1
    if not ok:
        fails.append(what)
caches, slabs, objects = {}, {}, {}
for line in open(exp):
    w = line.split()
    if w[0] == "cache":
        caches[w[1]] = dict(address=h(w[2]), allocated=int(w[4]), total=int(w[6]),
                            free=int(w[8]), slabs=int(w[10]), node_partial_slabs=int(w[12]))
    elif w[0] == "slab":
        slabs[h(w[1])] = dict(cache=w[2], where=w[4], node=int(w[6]), inuse=int(w[8]),
                              free=int(w[10]))
    elif w[0] == "object":
        objects[h(w[1])] = dict(cache=w[2], state=w[3], cpu=int(w[4]))
# kmem -s: every cache's counts, --json and text
s = json.load(open(f"{t}/s.json"))
got = {c["name"]: c for c in s["caches"]}
check(sorted(got) == sorted(caches), f"kmem -s caches {sorted(got)}")
for name, x in caches.items():
    c = got.get(name, {})
    for k, v in x.items():
        check(h(c.get(k)) == v, f"kmem -s {name} {k}: {c.get(k)} != {v}")
    check(c.get("cpu_slabs") == 0 and c.get("cpu_partial_slabs") == 0, f"kmem -s {name}: CPU slabs")
text = {l.split()[-1]: l.split() for l in open(f"{t}/s.txt") if not l.startswith("CACHE")}
for name, x in caches.items():
    row = text.get(name, [])
    check(row[2:5] == [str(x["allocated"]), str(x["total"]), str(x["slabs"])],
          f"kmem -s text {name}: {row}")
# kmem -S: the slabs listed, where, and each object's state
for name in caches:
    j = json.load(open(f"{t}/S-{name}.json"))
    check(not j["errors"], f"kmem -S {name} errors {j['errors']}")
    want = {a: x for a, x in slabs.items() if x["cache"] == name}
    listed = {h(sl["slab"]): sl for sl in j["slabs"]}
    check(sorted(listed) == sorted(want), f"kmem -S {name} slabs {sorted(map(hex, listed))}")
    for a, x in want.items():
        sl = listed.get(a)
        if not sl:
            continue
        check(sl["where"] == x["where"] and sl["node"] == x["node"] and sl["inuse"] == x["inuse"]
              and sl["free"] == x["free"], f"kmem -S {name} slab {a:#x}: {sl['where']} "
              f"node {sl['node']} inuse {sl['inuse']} free {sl['free']} != {x}")
        for o in sl["allocated_objects"]:
            check(objects[h(o)]["state"] == "allocated", f"kmem -S {name}: {o} listed allocated")
        for o in sl["free_objects"]:
            check(objects[h(o)]["state"] != "allocated", f"kmem -S {name}: {o} listed free")
    check(j["listed_free"] == sum(x["free"] for x in want.values()), f"kmem -S {name} listed_free")
# kmem ADDR: cache, object, allocated, CPU of a CPU sheaf's object
addr = json.load(open(f"{t}/addr.json"))
check(len(addr) == len(objects), f"kmem ADDR: {len(addr)} answers for {len(objects)} objects")
for a in addr:
    o = h(a["object"]) if a.get("object") else None
    x = objects.get(o)
    if not x or a.get("kind") != "slab":
        check(False, f"kmem {a['address']}: {a.get('kind')} object {a.get('object')}")
        continue
    check(a["cache"]["name"] == x["cache"] and h(a["address"]) == o + 8,
          f"kmem {a['address']}: cache {a['cache']['name']}")
    check(a["allocated"] == (x["state"] == "allocated"), f"kmem {a['address']}: allocated "
          f"{a['allocated']}, constructed {x['state']}")
    if x["state"] == "cpu":
        check(a.get("freelist_cpu") == x["cpu"], f"kmem {a['address']}: CPU {a.get('freelist_cpu')} "
              f"!= {x['cpu']}")
for f in fails[:20]:
    print("FAIL:", f)
print(f"kmem_sheaves: {n - len(fails)} passed, {len(fails)} failed")
sys.exit(1 if fails else 0)
PY
