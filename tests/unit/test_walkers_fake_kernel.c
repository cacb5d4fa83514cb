// SPDX-License-Identifier: MIT
/*
 * The task and module walkers on a fake kernel: x86_64 page tables, a BTF
 * blob made here with libbpf's btf__add_*() describing the structs the
 * walkers read, tasks and modules laid out by hand, and VMCOREINFO
 * SYMBOL() lines as the only symbols -- written as an ELF vmcore
 * (fake_mem.h) and opened as a session.  No VM, no dump download.
 * Expected values are the ones built here; the corrupt cases break one
 * link and check that the walk reports it, keeps what it can, and ends.
 */
#include <bpf/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "vmdive/session.h"
#include "vmdive/walk.h"

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

/* Member offsets of the structs described in BTF below. */
enum {
	LH_NEXT = 0, LH_PREV = 8, LH_SIZE = 16,
	TS_STATE = 0, TS_FLAGS = 4, TS_PID = 8, TS_TGID = 12, TS_TASKS = 16,
	TS_PARENT = 32, TS_COMM = 40, TS_SIZE = 56,
	ML_BASE = 0, ML_SIZE = 8, ML_TEXT = 12, ML_RO = 16, ML_LSIZE = 24,
	MOD_STATE = 0, MOD_LIST = 8, MOD_NAME = 24, MOD_CORE = 80, MOD_INIT = 104,
	MOD_SIZE = 128,
};

/* struct list_head, task_struct, module_layout and module, as BTF. */
static const void *
make_btf(struct btf **btfp, uint32_t *size)
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
	(void)u64;
	(void)ts;
	return btf__raw_data(b, size);
}

static void
put32(struct fake *f, uint64_t pa, uint32_t v)
{
	put_bytes(f, pa, &v, 4);
}

static void
put64(struct fake *f, uint64_t pa, uint64_t v)
{
	put_bytes(f, pa, &v, 8);
}

/* A task at pa (its VA is va), linked to next/prev through tasks. */
static void
task(struct fake *f, uint64_t pa, int pid, const char *comm, uint64_t parent,
     uint64_t next_va, uint64_t prev_va)
{
	char c[16] = "";

	strncpy(c, comm, sizeof(c) - 1);
	put32(f, pa + TS_PID, (uint32_t)pid);
	put32(f, pa + TS_TGID, (uint32_t)pid);
	put32(f, pa + TS_STATE, 1);                  /* TASK_INTERRUPTIBLE */
	put32(f, pa + TS_FLAGS, pid == 0 || pid == 2 ? 0x00200000 : 0);  /* PF_KTHREAD */
	put64(f, pa + TS_TASKS + LH_NEXT, next_va + TS_TASKS);
	put64(f, pa + TS_TASKS + LH_PREV, prev_va + TS_TASKS);
	put64(f, pa + TS_PARENT, parent);
	put_bytes(f, pa + TS_COMM, c, sizeof(c));
}

static void
module(struct fake *f, uint64_t pa, const char *name, uint64_t next, uint64_t prev,
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

enum { GOOD, TASK_LOOP, MOD_WILD };

#define ITASK (KIMG + INIT_TASK_PA)
#define TASK(i) (DMAP + TASK_PA(i))
#define MHEAD (KIMG + MODULES_PA)
#define MOD(i) (DMAP + MOD_PA(i) + MOD_LIST)

/*
 * Three tasks (swapper/0 -> init -> kthreadd) and two modules (alpha,
 * beta); variant breaks one link.
 */
static char *
build(int variant)
{
	static char path[64];
	struct fake *f = fake_new();
	struct btf *btf;
	uint32_t bsize;
	const void *raw = make_btf(&btf, &bsize);

	// Kernel image: 16 MiB of 2 MiB pages; the direct map: 1 GiB page.
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
	sym(f, "init_task", ITASK);
	sym(f, "modules", MHEAD);
	put_bytes(f, BTF_PA, raw, bsize);
	btf__free(btf);

	task(f, INIT_TASK_PA, 0, "swapper/0", ITASK, TASK(1), TASK(2));
	task(f, TASK_PA(1), 1, "init", ITASK, TASK(2), ITASK);
	// kthreadd's next goes back to init, not to the head: a loop.
	task(f, TASK_PA(2), 2, "kthreadd", ITASK, variant == TASK_LOOP ? TASK(1) : ITASK,
	     TASK(1));

	put64(f, MODULES_PA + LH_NEXT, MOD(1));
	put64(f, MODULES_PA + LH_PREV, MOD(2));
	module(f, MOD_PA(1), "alpha", variant == MOD_WILD ? 0xffffc90000dead00ULL : MOD(2),
	       MHEAD, 0xffffffffc0001000ULL, 0x3000);
	module(f, MOD_PA(2), "beta", MHEAD, MOD(1), 0xffffffffc0010000ULL, 0x5000);

	snprintf(path, sizeof(path), "fake-kernel-%d-%d.elf", variant, (int)getpid());
	if (!fake_write_vmcore(f, path)) {
		fake_free(f);
		return NULL;
	}
	fake_free(f);
	return path;
}

static struct vd_session *
open_fake(int variant)
{
	const char *path = build(variant);
	struct vd_session *s = NULL;

	CHECK(path);
	if (!path)
		return NULL;
	CHECK_OK(vd_session_open(&path, 1, NULL, &s));
	unlink(path);
	return s;
}

struct seen {
	int n, errors;
	int pid[8];
	char comm[8][64];
};

static struct vd_error *
tasks(struct vd_session *s, struct seen *r)
{
	struct vd_task_iter it;
	const struct vd_task *t;
	struct vd_error *err;

	memset(r, 0, sizeof(*r));
	err = vd_task_iter_init(&it, s, false);
	if (err)
		return err;
	// Bounded: a walk that does not end would fail here, not hang.
	for (int steps = 0; steps < 100; steps++) {
		err = vd_task_iter_next(&it, &t);
		if (err == &vd_stop)
			break;
		if (err) {
			r->errors++;
			vd_error_destroy(err);
			continue;
		}
		if (r->n < 8) {
			r->pid[r->n] = t->pid;
			memcpy(r->comm[r->n], t->comm, sizeof(t->comm));
		}
		r->n++;
	}
	vd_task_iter_deinit(&it);
	return NULL;
}

TEST(tasks_from_init_task)
{
	struct vd_session *s = open_fake(GOOD);
	struct seen r;

	if (!s)
		return;
	CHECK_OK(tasks(s, &r));
	CHECK_EQ_U64(r.n, 3);
	CHECK_EQ_U64(r.errors, 0);
	CHECK_EQ_U64(r.pid[0], 0);
	CHECK_STR(r.comm[0], "swapper/0");
	CHECK_EQ_U64(r.pid[1], 1);
	CHECK_STR(r.comm[1], "init");
	CHECK_EQ_U64(r.pid[2], 2);
	CHECK_STR(r.comm[2], "kthreadd");
	vd_session_close(s);
}

TEST(task_list_loop_is_reported_and_bounded)
{
	struct vd_session *s = open_fake(TASK_LOOP);
	struct seen r;
	struct vd_error *err;

	if (!s)
		return;
	err = tasks(s, &r);
	// The broken link is one error; the walk ends, lists no task twice,
	// and finds kthreadd all the same, back from the head through prev.
	CHECK_OK(err);
	CHECK_EQ_U64(r.errors, 1);
	CHECK_EQ_U64(r.n, 3);
	for (int i = 0; i < r.n && i < 8; i++)
		for (int j = 0; j < i; j++)
			CHECK(r.pid[i] != r.pid[j]);
	vd_session_close(s);
}

static void
modules(struct vd_session *s, struct seen *r, uint64_t *base, uint64_t *size)
{
	struct vd_module_iter it;
	const struct vd_module *m;
	struct vd_error *err;

	memset(r, 0, sizeof(*r));
	err = vd_module_iter_init(&it, s);
	CHECK_OK(err);
	if (err)
		return;
	for (int steps = 0; steps < 100; steps++) {
		err = vd_module_iter_next(&it, &m);
		if (err == &vd_stop)
			break;
		if (err) {
			r->errors++;
			vd_error_destroy(err);
			continue;
		}
		if (r->n < 8) {
			snprintf(r->comm[r->n], sizeof(r->comm[0]), "%s", m->name);
			base[r->n] = m->base;
			size[r->n] = m->size;
		}
		r->n++;
	}
	vd_module_iter_deinit(&it);
}

TEST(modules_in_list_order)
{
	struct vd_session *s = open_fake(GOOD);
	uint64_t base[8] = { 0 }, size[8] = { 0 };
	struct seen r;

	if (!s)
		return;
	modules(s, &r, base, size);
	CHECK_EQ_U64(r.n, 2);
	CHECK_EQ_U64(r.errors, 0);
	CHECK_STR(r.comm[0], "alpha");
	CHECK_EQ_U64(base[0], 0xffffffffc0001000ULL);
	CHECK_EQ_U64(size[0], 0x3000);
	CHECK_STR(r.comm[1], "beta");
	CHECK_EQ_U64(base[1], 0xffffffffc0010000ULL);
	CHECK_EQ_U64(size[1], 0x5000);
	vd_session_close(s);
}

TEST(wild_module_link_is_reported_and_the_rest_kept)
{
	struct vd_session *s = open_fake(MOD_WILD);
	uint64_t base[8] = { 0 }, size[8] = { 0 };
	struct seen r;
	bool beta = false;

	if (!s)
		return;
	modules(s, &r, base, size);
	// alpha's next points at unmapped memory: one error, and beta is
	// still found walking back from the head through prev.
	CHECK(r.errors >= 1);
	for (int i = 0; i < r.n && i < 8; i++)
		beta |= !strcmp(r.comm[i], "beta");
	CHECK(beta);
	vd_session_close(s);
}

int
main(void)
{
	return RUN_TESTS();
}
