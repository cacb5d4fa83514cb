/* SPDX-License-Identifier: MIT */
/*
 * A fake x86_64 kernel for the walkers (fake_mem.h underneath): where
 * things lie, a BTF blob made with libbpf's btf__add_*() describing the
 * structs the walkers read (list_head, task_struct, module_layout,
 * module, vmap_area, vm_struct), and the page tables, VMCOREINFO numbers
 * and symbols every fake kernel has (fake_kernel_base()).  Used by
 * test_walkers_fake_kernel.c, the modules_vmap fuzz target and
 * tests/gen/mkfakekernel.c.
 */
#ifndef VD_TEST_FAKE_KERNEL_H
#define VD_TEST_FAKE_KERNEL_H

#include <bpf/btf.h>

#define FAKE_MEM_ARCH VD_ARCH_X86_64
#include "fake_mem.h"

/* Physical layout; kernel image VA = 0xffffffff80000000 + PA (phys_base 0). */
#define KIMG 0xffffffff80000000ULL
#define DMAP 0xffff888000000000ULL   /* direct map of PA 0 */
#define ROOT 0x100000ULL             /* init_top_pgt */
#define BTF_PA 0x200000ULL
#define INIT_TASK_PA 0x300000ULL
#define MODULES_PA 0x310000ULL       /* the `modules` list_head */
#define TASK_PA(i) (0x400000ULL + (i) * 0x1000)
#define MOD_PA(i) (0x500000ULL + (i) * 0x1000)
#define VMAP_LIST_PA 0x320000ULL     /* the `vmap_area_list` list_head */
#define VA_PA(i) (0x600000ULL + (i) * 0x100)    /* struct vmap_area */
#define VM_PA(i) (0x600080ULL + (i) * 0x100)    /* its struct vm_struct */

/* Member offsets of the structs described in BTF below. */
enum {
	LH_NEXT = 0, LH_PREV = 8, LH_SIZE = 16,
	TS_STATE = 0, TS_FLAGS = 4, TS_PID = 8, TS_TGID = 12, TS_TASKS = 16,
	TS_PARENT = 32, TS_COMM = 40, TS_CPU = 56, TS_SIZE = 64,
	RQ_CURR = 0, RQ_IDLE = 8, RQ_CPU = 16, RQ_SIZE = 24,
	ML_BASE = 0, ML_SIZE = 8, ML_TEXT = 12, ML_RO = 16, ML_LSIZE = 24,
	MOD_STATE = 0, MOD_LIST = 8, MOD_NAME = 24, MOD_CORE = 80, MOD_INIT = 104,
	MOD_SIZE = 128,
	VA_START = 0, VA_END = 8, VA_LIST = 16, VA_VM = 32, VA_SIZE = 40,
	VM_NEXT = 0, VM_ADDR = 8, VM_VSIZE = 16, VM_FLAGS = 24, VM_PAGES = 32,
	VM_NR_PAGES = 40, VM_PHYS = 48, VM_CALLER = 56, VM_SIZE = 64,
};

/* The structs, as BTF (the caller frees *btfp after copying the bytes). */
/*
 * deep: also struct deep0 .. deep11, each made of 16 anonymous members of
 * the next (deep11 of 16 ints), all at offset 0: 16^12 lines if printed
 * in full, as hostile BTF in a dump may be.
 */
static inline const void *
make_btf(struct btf **btfp, uint32_t *size, bool deep)
{
	struct btf *b = btf__new_empty();
	int i32, u32, u64, chr, vp, lh, lhp, ts, tsp, arr16, arr56, ml;

	*btfp = b;
	i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	u32 = btf__add_int(b, "unsigned int", 4, 0);
	u64 = btf__add_int(b, "long unsigned int", 8, 0);
	chr = btf__add_int(b, "char", 1, BTF_INT_CHAR);
	vp = btf__add_ptr(b, 0);
	lh = btf__add_struct(b, "list_head", LH_SIZE);
	lhp = btf__add_ptr(b, lh);
	btf__add_field(b, "next", lhp, LH_NEXT * 8, 0);
	btf__add_field(b, "prev", lhp, LH_PREV * 8, 0);
	arr16 = btf__add_array(b, u32, chr, 16);
	arr56 = btf__add_array(b, u32, chr, 56);
	// real_parent points at a task_struct: through a forward declaration,
	// as fields go to the type added last.
	tsp = btf__add_ptr(b, btf__add_fwd(b, "task_struct", BTF_FWD_STRUCT));
	ts = btf__add_struct(b, "task_struct", TS_SIZE);
	btf__add_field(b, "__state", u32, TS_STATE * 8, 0);
	btf__add_field(b, "flags", u32, TS_FLAGS * 8, 0);
	btf__add_field(b, "pid", i32, TS_PID * 8, 0);
	btf__add_field(b, "tgid", i32, TS_TGID * 8, 0);
	btf__add_field(b, "tasks", lh, TS_TASKS * 8, 0);
	btf__add_field(b, "real_parent", tsp, TS_PARENT * 8, 0);
	btf__add_field(b, "comm", arr16, TS_COMM * 8, 0);
	btf__add_field(b, "cpu", u32, TS_CPU * 8, 0);
	{
		btf__add_struct(b, "rq", RQ_SIZE);
		btf__add_field(b, "curr", tsp, RQ_CURR * 8, 0);
		btf__add_field(b, "idle", tsp, RQ_IDLE * 8, 0);
		btf__add_field(b, "cpu", i32, RQ_CPU * 8, 0);
	}
	ml = btf__add_struct(b, "module_layout", ML_LSIZE);
	btf__add_field(b, "base", vp, ML_BASE * 8, 0);
	btf__add_field(b, "size", u32, ML_SIZE * 8, 0);
	btf__add_field(b, "text_size", u32, ML_TEXT * 8, 0);
	btf__add_field(b, "ro_size", u32, ML_RO * 8, 0);
	btf__add_struct(b, "module", MOD_SIZE);
	btf__add_field(b, "state", i32, MOD_STATE * 8, 0);
	btf__add_field(b, "list", lh, MOD_LIST * 8, 0);
	btf__add_field(b, "name", arr56, MOD_NAME * 8, 0);
	btf__add_field(b, "core_layout", ml, MOD_CORE * 8, 0);
	btf__add_field(b, "init_layout", ml, MOD_INIT * 8, 0);
	{
		int vm_fwd = btf__add_ptr(b, btf__add_fwd(b, "vm_struct", BTF_FWD_STRUCT));
		int pgpp = btf__add_ptr(b, vp);

		btf__add_struct(b, "vmap_area", VA_SIZE);
		btf__add_field(b, "va_start", u64, VA_START * 8, 0);
		btf__add_field(b, "va_end", u64, VA_END * 8, 0);
		btf__add_field(b, "list", lh, VA_LIST * 8, 0);
		btf__add_field(b, "vm", vm_fwd, VA_VM * 8, 0);
		btf__add_struct(b, "vm_struct", VM_SIZE);
		btf__add_field(b, "next", vm_fwd, VM_NEXT * 8, 0);
		btf__add_field(b, "addr", vp, VM_ADDR * 8, 0);
		btf__add_field(b, "size", u64, VM_VSIZE * 8, 0);
		btf__add_field(b, "flags", u64, VM_FLAGS * 8, 0);
		btf__add_field(b, "pages", pgpp, VM_PAGES * 8, 0);
		btf__add_field(b, "nr_pages", u32, VM_NR_PAGES * 8, 0);
		btf__add_field(b, "phys_addr", u64, VM_PHYS * 8, 0);
		btf__add_field(b, "caller", vp, VM_CALLER * 8, 0);
	}
	if (deep) {
		int inner = i32;

		for (int d = 11; d >= 0; d--) {
			char name[16];
			int t;

			snprintf(name, sizeof(name), "deep%d", d);
			t = btf__add_struct(b, name, 4);
			for (int k = 0; k < 16; k++) {
				char member[8];

				snprintf(member, sizeof(member), "m%d", k);
				btf__add_field(b, d == 11 ? member : NULL, inner, 0, 0);
			}
			inner = t;
		}
	}
	(void)ts;
	return btf__raw_data(b, size);
}

static inline void
put32(struct fake *f, uint64_t pa, uint32_t v)
{
	put_bytes(f, pa, &v, 4);
}

static inline void
put64(struct fake *f, uint64_t pa, uint64_t v)
{
	put_bytes(f, pa, &v, 8);
}

#define ITASK (KIMG + INIT_TASK_PA)
#define TASK(i) (DMAP + TASK_PA(i))
#define MHEAD (KIMG + MODULES_PA)
#define MOD(i) (DMAP + MOD_PA(i) + MOD_LIST)
#define VHEAD (KIMG + VMAP_LIST_PA)
#define VA(i) (DMAP + VA_PA(i))
#define VM(i) (DMAP + VM_PA(i))

/* A live module at pa, linked through list, its core memory at base. */
static inline void
fake_module(struct fake *f, uint64_t pa, const char *name, uint64_t next, uint64_t prev,
       uint64_t base, uint32_t size)
{
	char n[56] = "";

	strncpy(n, name, sizeof(n) - 1);
	put32(f, pa + MOD_STATE, 0);                 /* MODULE_STATE_LIVE */
	put64(f, pa + MOD_LIST + LH_NEXT, next);
	put64(f, pa + MOD_LIST + LH_PREV, prev);
	put_bytes(f, pa + MOD_NAME, n, sizeof(n));
	put64(f, pa + MOD_CORE + ML_BASE, base);
	put32(f, pa + MOD_CORE + ML_SIZE, size);
	put32(f, pa + MOD_CORE + ML_TEXT, size / 2);
	put32(f, pa + MOD_CORE + ML_RO, size);
}

/* A vmap_area and its vm_struct at VA_PA(i)/VM_PA(i), linked through list. */
static inline void
fake_vmap_area(struct fake *f, int i, uint64_t start, uint64_t size, uint64_t next,
	  uint64_t prev, uint64_t vm)
{
	put64(f, VA_PA(i) + VA_START, start);
	put64(f, VA_PA(i) + VA_END, start + size);
	put64(f, VA_PA(i) + VA_LIST + LH_NEXT, next);
	put64(f, VA_PA(i) + VA_LIST + LH_PREV, prev);
	put64(f, VA_PA(i) + VA_VM, vm);
	put64(f, VM_PA(i) + VM_ADDR, start);
	put64(f, VM_PA(i) + VM_VSIZE, size);
	put64(f, VM_PA(i) + VM_FLAGS, 0x22);                 /* VM_ALLOC | VM_UNINITIALIZED */
	put64(f, VM_PA(i) + VM_PAGES, 0xffff888000700000ULL + 0x100ULL * i);
	put32(f, VM_PA(i) + VM_NR_PAGES, (uint32_t)(size / 4096 - 1));
	put64(f, VM_PA(i) + VM_CALLER, 0xffffffff81234000ULL + 0x10ULL * i);
}

/*
 * A new fake kernel: 16 MiB of kernel image in 2 MiB pages and a 1 GiB
 * direct map, the VMCOREINFO numbers translation needs, the BTF at
 * __start_BTF, and the symbols init_task, modules and vmap_area_list.
 */
/*
 * The image any fake kernel starts from: the kernel image and the direct map
 * mapped, the VMCOREINFO numbers translation needs, _stext, init_top_pgt and
 * the BTF RAW (BSIZE bytes) at __start_BTF.
 */
static inline void
fake_kernel_image(struct fake *f, const void *raw, uint32_t bsize)
{
	for (uint64_t off = 0; off < 16 << 20; off += 1 << 21)
		fake_map(f, ROOT, 4, KIMG + off, off, 1 << 21, 0x163);
	fake_map(f, ROOT, 4, DMAP, 0, 1ULL << 30, 0x8000000000000063ULL);
	num(f, "PAGESIZE", 4096);
	num(f, "NUMBER(phys_base)", 0);
	num(f, "KERNELOFFSET", 0);
	num(f, "NUMBER(pgtable_l5_enabled)", 0);
	num(f, "NUMBER(KERNEL_IMAGE_SIZE)", 1ULL << 30);
	sym(f, "init_top_pgt", KIMG + ROOT);
	sym(f, "_stext", KIMG + 0x1000000);
	sym(f, "__start_BTF", KIMG + BTF_PA);
	sym(f, "__stop_BTF", KIMG + BTF_PA + bsize);
	put_bytes(f, BTF_PA, raw, bsize);
}

/*
 * fake_kernel_image() with make_btf()'s types and the symbols init_task,
 * modules and vmap_area_list.
 */
static inline struct fake *
fake_kernel_new(bool deep)
{
	struct fake *f = fake_new();
	struct btf *btf;
	uint32_t bsize;
	const void *raw = make_btf(&btf, &bsize, deep);

	fake_kernel_image(f, raw, bsize);
	sym(f, "init_task", ITASK);
	sym(f, "modules", MHEAD);
	sym(f, "vmap_area_list", VHEAD);
	btf__free(btf);
	return f;
}

static inline struct fake *
fake_kernel_base(void)
{
	return fake_kernel_new(false);
}

#endif
