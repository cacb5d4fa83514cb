// SPDX-License-Identifier: MIT
/*
 * The task, module, vmalloc and printk walkers and kallsyms on a fake kernel: x86_64 page tables, a BTF
 * blob made here with libbpf's btf__add_*() describing the structs the
 * walkers read, tasks and modules laid out by hand, and VMCOREINFO
 * SYMBOL() lines as the only symbols -- written as an ELF vmcore
 * (fake_mem.h) and opened as a session.  No VM, no dump download.
 * Expected values are the ones built here; the corrupt cases break one
 * link and check that the walk reports it, keeps what it can, and ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "vmdive/ctype.h"
#include "vmdive/session.h"
#include "vmdive/walk.h"

#include "fake_kernel.h"

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

/*
 * kallsyms tables in the kernel image at PA KS_PA, as scripts/kallsyms.c
 * lays them out (num_syms, names with 1- and 2-byte lengths, markers,
 * token table and index, offsets from kallsyms_relative_base), listed
 * by VMCOREINFO SYMBOL() lines.  Symbols: _stext, then ks_sym_N every
 * 0x40 bytes (tokens "ks_" and "sym_" compress them), a 200-character
 * name, and "dup" twice (the lowest index answers).  num_syms may lie.
 */
#define KS_PA 0x800000ULL
#define KS_N 44
#define STEXT (KIMG + 0x1000000)

static void
ks_name(int i, char *buf, size_t size, uint64_t *addr)
{
	*addr = STEXT + (i ? 0x100 + 0x40ULL * (uint64_t)i : 0);
	if (!i)
		snprintf(buf, size, "T_stext");
	else if (i == 20)
		snprintf(buf, size, "t%0200d", 7);
	else if (i == 30 || i == 31)
		snprintf(buf, size, "%cdup", i == 30 ? 'T' : 'd');
	else
		snprintf(buf, size, "%cks_sym_%d", i % 2 ? 't' : 'T', i);
}

static void
kallsyms_tables(struct fake *f, uint32_t num)
{
	static const char *const tok[] = { "ks_", "sym_" };
	uint64_t at = KS_PA, names, pos = 0;
	unsigned char tbl[1024];
	size_t tlen = 0;
	uint16_t index[256];

	for (int i = 0; i < KS_N; i++) {
		char n[256];
		uint64_t a;

		ks_name(i, n, sizeof(n), &a);
		put32(f, at + 4 * (uint64_t)i, (uint32_t)(a - STEXT));
	}
	sym(f, "kallsyms_offsets", KIMG + at);
	at += 4 * KS_N;
	put64(f, at, STEXT);
	sym(f, "kallsyms_relative_base", KIMG + at);
	at += 8;
	put32(f, at, num);
	sym(f, "kallsyms_num_syms", KIMG + at);
	names = at += 8;
	for (int i = 0; i < KS_N; i++) {
		char n[256];
		unsigned char enc[256];
		size_t len = 0;
		uint64_t a;

		ks_name(i, n, sizeof(n), &a);
		for (const char *p = n; *p;) {
			size_t k;

			for (k = 0; k < 2 && strncmp(p, tok[k], strlen(tok[k])); k++)
				;
			enc[len++] = k < 2 ? (unsigned char)(k + 1) : (unsigned char)*p;
			p += k < 2 ? strlen(tok[k]) : 1;
		}
		if (len > 0x7f) {
			unsigned char l2[2] = { (unsigned char)(0x80 | (len & 0x7f)),
						(unsigned char)(len >> 7) };

			put_bytes(f, names + pos, l2, 2);
			pos += 2;
		} else {
			unsigned char l1 = (unsigned char)len;

			put_bytes(f, names + pos, &l1, 1);
			pos++;
		}
		put_bytes(f, names + pos, enc, len);
		pos += len;
	}
	sym(f, "kallsyms_names", KIMG + names);
	at = (names + pos + 7) & ~7ULL;
	put32(f, at, 0);                         /* one marker: symbol 0 */
	sym(f, "kallsyms_markers", KIMG + at);
	at += 8;
	for (int d = 0; d < 256; d++) {
		char one[2] = { (char)(d >= 0x20 && d < 0x7f ? d : 'A' + d % 26), 0 };
		const char *t = d >= 1 && d <= 2 ? tok[d - 1] : one;

		index[d] = (uint16_t)tlen;
		memcpy(tbl + tlen, t, strlen(t) + 1);
		tlen += strlen(t) + 1;
	}
	put_bytes(f, at, tbl, tlen);
	sym(f, "kallsyms_token_table", KIMG + at);
	at = (at + tlen + 7) & ~7ULL;
	put_bytes(f, at, index, sizeof(index));
	sym(f, "kallsyms_token_index", KIMG + at);
}

/*
 * A printk ring buffer (lockless, 5.10+) found from VMCOREINFO alone: the
 * SIZE/OFFSET keys of a Debian 6.1 x86_64 kernel, 8 descriptors and a
 * 128-byte text ring.  Descriptor ids 5..10 (tail..head): four records,
 * the fourth (id 8) wrapping past the ring's end (its block begins at
 * index 120 of one wrap, its data at index 0 of the next); id 9's text
 * was lost (FAILED_LPOS), id 10 is an empty line (NO_LPOS).  PK_WILD
 * points the printk_info array into unmapped memory.
 */
#define PRB_PA 0x330000ULL          /* the pointer variable prb */
#define RB_PA 0x330100ULL           /* struct printk_ringbuffer */
#define DESCS_PA 0x340000ULL
#define INFOS_PA 0x341000ULL
#define TEXT_PA 0x342000ULL
#define PK_RING 128

static const char pk_text40[] = "forty bytes of text in the third record.";

static void
printk_keys(struct fake *f)
{
	static const struct { const char *k; uint64_t v; } keys[] = {
		{ "SIZE(printk_ringbuffer)", 80 },
		{ "OFFSET(printk_ringbuffer.desc_ring)", 0 },
		{ "OFFSET(printk_ringbuffer.text_data_ring)", 48 },
		{ "OFFSET(printk_ringbuffer.fail)", 72 },
		{ "SIZE(prb_desc_ring)", 48 },
		{ "OFFSET(prb_desc_ring.count_bits)", 0 },
		{ "OFFSET(prb_desc_ring.descs)", 8 },
		{ "OFFSET(prb_desc_ring.infos)", 16 },
		{ "OFFSET(prb_desc_ring.head_id)", 24 },
		{ "OFFSET(prb_desc_ring.tail_id)", 32 },
		{ "SIZE(prb_desc)", 24 },
		{ "OFFSET(prb_desc.state_var)", 0 },
		{ "OFFSET(prb_desc.text_blk_lpos)", 8 },
		{ "SIZE(prb_data_blk_lpos)", 16 },
		{ "OFFSET(prb_data_blk_lpos.begin)", 0 },
		{ "OFFSET(prb_data_blk_lpos.next)", 8 },
		{ "SIZE(printk_info)", 88 },
		{ "OFFSET(printk_info.seq)", 0 },
		{ "OFFSET(printk_info.ts_nsec)", 8 },
		{ "OFFSET(printk_info.text_len)", 16 },
		{ "OFFSET(printk_info.caller_id)", 20 },
		{ "OFFSET(printk_info.dev_info)", 24 },
		{ "SIZE(dev_printk_info)", 64 },
		{ "OFFSET(dev_printk_info.subsystem)", 0 },
		{ "LENGTH(printk_info_subsystem)", 16 },
		{ "OFFSET(dev_printk_info.device)", 16 },
		{ "LENGTH(printk_info_device)", 48 },
		{ "SIZE(prb_data_ring)", 32 },
		{ "OFFSET(prb_data_ring.size_bits)", 0 },
		{ "OFFSET(prb_data_ring.data)", 8 },
		{ "OFFSET(prb_data_ring.head_lpos)", 16 },
		{ "OFFSET(prb_data_ring.tail_lpos)", 24 },
		{ "SIZE(atomic_long_t)", 8 },
		{ "OFFSET(atomic_long_t.counter)", 0 },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		num(f, keys[i].k, keys[i].v);
}

/* Descriptor id: state finalized, its text block, its printk_info. */
static void
pk_record(struct fake *f, uint64_t id, uint64_t begin, uint64_t next, const char *text,
	  int level)
{
	uint64_t slot = id & 7, len = text ? strlen(text) : 0;

	put64(f, DESCS_PA + 24 * slot, id | 2ULL << 62);       /* desc_finalized */
	put64(f, DESCS_PA + 24 * slot + 8, begin);
	put64(f, DESCS_PA + 24 * slot + 16, next);
	put64(f, INFOS_PA + 88 * slot, id);                    /* seq = id */
	put64(f, INFOS_PA + 88 * slot + 8, 1000000ULL * id);   /* ts_nsec */
	put_bytes(f, INFOS_PA + 88 * slot + 16, &(uint16_t){ (uint16_t)len }, 2);
	put_bytes(f, INFOS_PA + 88 * slot + 19, &(uint8_t){ (uint8_t)(level << 5) }, 1);
	put32(f, INFOS_PA + 88 * slot + 20, 0x80000000u | (uint32_t)id % 2);  /* CPU */
	if (text && !(begin & 1)) {
		// The block: the id, then the text; a wrapping one at index 0.
		uint64_t at = (next & (PK_RING - 1)) < (begin & (PK_RING - 1)) ? 0
			      : begin & (PK_RING - 1);

		put64(f, TEXT_PA + at, id);
		put_bytes(f, TEXT_PA + at + 8, text, len);
	}
}

static void
printk_ring(struct fake *f, bool wild)
{
	printk_keys(f);
	sym(f, "prb", KIMG + PRB_PA);
	put64(f, PRB_PA, KIMG + RB_PA);
	put32(f, RB_PA + 0, 3);                                 /* count_bits */
	put64(f, RB_PA + 8, KIMG + DESCS_PA);
	put64(f, RB_PA + 16, wild ? 0xffffc9ffdead0000ULL : KIMG + INFOS_PA);
	put64(f, RB_PA + 24, 10);                               /* head_id */
	put64(f, RB_PA + 32, 5);                                /* tail_id */
	put32(f, RB_PA + 48, 7);                                /* size_bits: 128 */
	put64(f, RB_PA + 56, KIMG + TEXT_PA);
	put64(f, RB_PA + 64, 272);                              /* head_lpos */
	put64(f, RB_PA + 72, 160);                              /* tail_lpos */
	// Blocks: 8 bytes of id + text, rounded up to 8; in wrap 1 (lpos
	// 128..255) from index 32, then one wrapping into wrap 2.
	pk_record(f, 5, 160, 176, "first", 6);
	pk_record(f, 6, 176, 200, "second line", 4);
	pk_record(f, 7, 200, 248, pk_text40, 0);
	pk_record(f, 8, 248, 272, "wrapped!", 3);
	pk_record(f, 9, 1, 1, "lost", 6);
	pk_record(f, 10, 3, 3, NULL, 6);
}

enum { GOOD, TASK_LOOP, MOD_WILD, VA_LOOP, VA_WILD, KS_GOOD, KS_HUGE, PK_WILD, MANY_CPUS,
       BTF_SCAN };


/*
 * A machine of MANY_NCPUS CPUs: __per_cpu_offset[], nr_cpu_ids, the
 * possible mask (every CPU but MANY_GONE), panic_cpu, and per CPU a struct
 * rq whose idle task is swapper/N (init_task for CPU 0).  Each CPU runs its
 * idle task but MANY_INIT_CPU (init, which panicked) and MANY_KTHREADD_CPU
 * (kthreadd).  MANY_GONE's runqueue is garbage nobody may read.
 */
#define MANY_NCPUS 1024
#define MANY_GONE 5
#define MANY_INIT_CPU 700
#define MANY_KTHREADD_CPU 1023
#define PCPU_OFF_PA 0x1000000ULL
#define NR_CPU_IDS_PA 0x1002000ULL
#define POSSIBLE_PA 0x1002100ULL
#define PANIC_CPU_PA 0x1002200ULL
#define RQ_LINK (KIMG + 0xf00000ULL)               /* runqueues' link address */
#define RQ_PA(c) (0x1010000ULL + (uint64_t)(c) * 0x20)
#define IDLE_PA(c) (0x1100000ULL + (uint64_t)(c) * 0x100)
#define IDLE(c) ((c) ? DMAP + IDLE_PA(c) : ITASK)

static void
many_cpus(struct fake *f)
{
	uint64_t mask[MANY_NCPUS / 64];

	put32(f, INIT_TASK_PA + TS_CPU, 0);
	put32(f, TASK_PA(1) + TS_CPU, MANY_INIT_CPU);
	put32(f, TASK_PA(2) + TS_CPU, MANY_KTHREADD_CPU);
	for (int c = 0; c < MANY_NCPUS; c++) {
		uint64_t curr = c == MANY_INIT_CPU ? TASK(1) :
				c == MANY_KTHREADD_CPU ? TASK(2) : IDLE(c);
		char comm[16];

		if (c) {
			snprintf(comm, sizeof(comm), "swapper/%d", c);
			task(f, IDLE_PA(c), 0, comm, ITASK, IDLE(c), IDLE(c));
			put32(f, IDLE_PA(c) + TS_CPU, (uint32_t)c);
		}
		put64(f, PCPU_OFF_PA + 8ULL * c, DMAP + RQ_PA(c) - RQ_LINK);
		put64(f, RQ_PA(c) + RQ_CURR, c == MANY_GONE ? 0xffffc9ffdead0000ULL : curr);
		put64(f, RQ_PA(c) + RQ_IDLE, c == MANY_GONE ? 0xffffc9ffdead0000ULL : IDLE(c));
		put32(f, RQ_PA(c) + RQ_CPU, (uint32_t)c);
	}
	memset(mask, 0xff, sizeof(mask));
	mask[MANY_GONE / 64] &= ~(1ULL << (MANY_GONE % 64));
	put_bytes(f, POSSIBLE_PA, mask, sizeof(mask));
	put32(f, NR_CPU_IDS_PA, MANY_NCPUS);
	put32(f, PANIC_CPU_PA, MANY_INIT_CPU);
	sym(f, "__per_cpu_offset", DMAP + PCPU_OFF_PA);
	sym(f, "nr_cpu_ids", DMAP + NR_CPU_IDS_PA);
	sym(f, "__cpu_possible_mask", DMAP + POSSIBLE_PA);
	sym(f, "panic_cpu", DMAP + PANIC_CPU_PA);
	sym(f, "runqueues", RQ_LINK);
}

/* The 8 bytes at pa of the fake memory (0 where it has no page). */
static uint64_t
get64(struct fake *f, uint64_t pa)
{
	const uint64_t *q = fake_page(f, pa >> 12, false);

	return q ? q[(pa & 0xfff) / 8] : 0;
}

/*
 * No __start_BTF/__stop_BTF: the BTF is found by scanning the image from
 * _stext, here its start; the image's first 2 MiB are a hole (PMD entry
 * not present) right before the BTF at KIMG + BTF_PA: the scan must skip
 * the hole, a page-table entry's span at once, and no further.  The scan
 * wants a vmlinux-sized blob (64 KiB at least): strings pad it.
 */
static void
btf_by_scan(struct fake *f)
{
	const uint64_t mask = 0x000ffffffffff000ULL;
	uint64_t pud = get64(f, ROOT + 8 * 511) & mask;        /* PGD[511]: KIMG */
	uint64_t pmd = get64(f, pud + 8 * 510) & mask;         /* PUD[510] */
	struct btf *b;
	uint32_t size;
	const void *raw;

	put64(f, pmd, 0);                                      /* PMD[0]: KIMG + 0 */
	make_btf(&b, &size, false);
	for (int i = 0; i < 1600; i++) {
		char pad[64];

		snprintf(pad, sizeof(pad), "padding_string_%04d_of_a_vmlinux_sized_blob", i);
		btf__add_str(b, pad);
	}
	raw = btf__raw_data(b, &size);
	put_bytes(f, BTF_PA, raw, size);
	btf__free(b);
	for (size_t i = 0; i < f->nsym; i++) {
		if (!strcmp(f->sym[i].key, "__start_BTF") || !strcmp(f->sym[i].key, "__stop_BTF"))
			f->sym[i--] = f->sym[--f->nsym];
		else if (!strcmp(f->sym[i].key, "_stext"))
			f->sym[i].v = KIMG;
	}
}

/*
 * Three tasks (swapper/0 -> init -> kthreadd) and two modules (alpha,
 * beta); variant breaks one link.
 */
static char *
build(int variant)
{
	static char path[64];
	struct fake *f = fake_kernel_base();

	task(f, INIT_TASK_PA, 0, "swapper/0", ITASK, TASK(1), TASK(2));
	task(f, TASK_PA(1), 1, "init", ITASK, TASK(2), ITASK);
	// kthreadd's next goes back to init, not to the head: a loop.
	task(f, TASK_PA(2), 2, "kthreadd", ITASK, variant == TASK_LOOP ? TASK(1) : ITASK,
	     TASK(1));

	put64(f, MODULES_PA + LH_NEXT, MOD(1));
	put64(f, MODULES_PA + LH_PREV, MOD(2));
	fake_module(f, MOD_PA(1), "alpha", variant == MOD_WILD ? 0xffffc90000dead00ULL : MOD(2),
	       MHEAD, 0xffffffffc0001000ULL, 0x3000);
	fake_module(f, MOD_PA(2), "beta", MHEAD, MOD(1), 0xffffffffc0010000ULL, 0x5000);

	// Three vmalloc areas, linked out of address order (the walker sorts).
	put64(f, VMAP_LIST_PA + LH_NEXT, VA(1) + VA_LIST);
	put64(f, VMAP_LIST_PA + LH_PREV, VA(3) + VA_LIST);
	fake_vmap_area(f, 1, 0xffffc90000000000ULL, 0x5000, VA(2) + VA_LIST, VHEAD, VM(1));
	// Area 2's vm_struct pointer leads into unmapped memory (VA_WILD).
	fake_vmap_area(f, 2, 0xffffc90000010000ULL, 0x3000, VA(3) + VA_LIST, VA(1) + VA_LIST,
		  variant == VA_WILD ? 0xffffc9ffdead0000ULL : VM(2));
	// Area 3's next loops back to area 1 instead of the head (VA_LOOP).
	fake_vmap_area(f, 3, 0xffffc90000008000ULL, 0x2000,
		  variant == VA_LOOP ? VA(1) + VA_LIST : VHEAD, VA(2) + VA_LIST, VM(3));

	printk_ring(f, variant == PK_WILD);
	if (variant == MANY_CPUS)
		many_cpus(f);
	if (variant == KS_GOOD || variant == KS_HUGE)
		kallsyms_tables(f, variant == KS_HUGE ? 0xfffffff0u : KS_N);
	if (variant == BTF_SCAN)
		btf_by_scan(f);

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

/*
 * 1024 CPUs: every possible CPU's idle task listed once as swapper/N with
 * its CPU, the impossible one's runqueue never read, each task that runs
 * marked active, the panicking task and CPU from panic_cpu.
 */
TEST(tasks_of_1024_cpus)
{
	struct vd_session *s = open_fake(MANY_CPUS);
	struct vd_task_iter it;
	const struct vd_task *t;
	struct vd_error *err;
	int n = 0, nidle = 0, nactive = 0, errors = 0, next_cpu = 0;
	bool order_ok = true, idle_ok = true;

	if (!s)
		return;
	CHECK_OK(vd_task_iter_init(&it, s, false));
	CHECK_EQ_U64(it.ncpus, MANY_NCPUS);
	CHECK_EQ_U64(it.panic_cpu, MANY_INIT_CPU);
	CHECK_EQ_U64(it.panic_task, TASK(1));
	while ((err = vd_task_iter_next(&it, &t)) != &vd_stop) {
		char comm[17];

		if (err) {
			errors++;
			vd_error_destroy(err);
			continue;
		}
		n++;
		nactive += t->active;
		if (t->pid != 0) {
			CHECK(t->active);
			CHECK_EQ_U64(t->panic, t->pid == 1);
			CHECK_EQ_U64(t->cpu, t->pid == 1 ? MANY_INIT_CPU : MANY_KTHREADD_CPU);
			continue;
		}
		// Idle tasks in CPU order, skipping the impossible CPU.
		if (next_cpu == MANY_GONE)
			next_cpu++;
		order_ok &= t->cpu == next_cpu;
		snprintf(comm, sizeof(comm), "swapper/%d", t->cpu);
		idle_ok &= t->idle && !t->panic && !strcmp(t->comm, comm) &&
			   t->active == (t->cpu != MANY_INIT_CPU && t->cpu != MANY_KTHREADD_CPU);
		next_cpu++;
		nidle++;
	}
	vd_task_iter_deinit(&it);
	CHECK_EQ_U64(errors, 0);
	CHECK_EQ_U64(nidle, MANY_NCPUS - 1);
	CHECK_EQ_U64(n, MANY_NCPUS - 1 + 2);
	CHECK_EQ_U64(nactive, MANY_NCPUS - 1 - 2 + 2);
	CHECK(order_ok);
	CHECK(idle_ok);
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

TEST(btf_found_by_scanning_past_a_hole_in_the_image)
{
	struct vd_session *s = open_fake(BTF_SCAN);
	uint64_t base[8], size[8];
	struct seen r;

	if (!s)
		return;
	// struct module comes from the scanned BTF only.
	modules(s, &r, base, size);
	CHECK_EQ_U64(r.n, 2);
	CHECK_STR(r.comm[0], "alpha");
	CHECK(strstr(vd_session_type_source(s), "BTF"));
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

struct areas {
	int n, errors;
	struct vd_vmap_area a[8];
};

static void
areas(struct vd_session *s, struct areas *r)
{
	struct vd_vmalloc_iter it;
	const struct vd_vmap_area *a;
	struct vd_error *err;

	memset(r, 0, sizeof(*r));
	err = vd_vmalloc_iter_init(&it, s);
	CHECK_OK(err);
	if (err)
		return;
	CHECK_STR(it.source, "vmap_area_list");
	for (int steps = 0; steps < 100; steps++) {
		err = vd_vmalloc_iter_next(&it, &a);
		if (err == &vd_stop)
			break;
		if (err) {
			r->errors++;
			vd_error_destroy(err);
			continue;
		}
		if (r->n < 8)
			r->a[r->n] = *a;
		r->n++;
	}
	CHECK_EQ_U64(it.nrecords, r->n);
	CHECK_EQ_U64(it.ncorrupt, r->errors);
	vd_vmalloc_iter_deinit(&it);
}

TEST(vmalloc_areas_in_address_order)
{
	struct vd_session *s = open_fake(GOOD);
	struct areas r;
	static const uint64_t start[] = { 0xffffc90000000000ULL, 0xffffc90000008000ULL,
					  0xffffc90000010000ULL };
	static const uint64_t size[] = { 0x5000, 0x2000, 0x3000 };
	static const int idx[] = { 1, 3, 2 };

	if (!s)
		return;
	areas(s, &r);
	CHECK_EQ_U64(r.n, 3);
	CHECK_EQ_U64(r.errors, 0);
	for (int i = 0; i < 3 && i < r.n; i++) {
		const struct vd_vmap_area *a = &r.a[i];

		CHECK_EQ_U64(a->addr, VA(idx[i]));
		CHECK_EQ_U64(a->start, start[i]);
		CHECK_EQ_U64(a->end, start[i] + size[i]);
		CHECK_EQ_U64(a->vm, VM(idx[i]));
		CHECK_EQ_U64(a->vm_addr, start[i]);
		CHECK_EQ_U64(a->vm_size, size[i]);
		CHECK_EQ_U64(a->flags, 0x22);
		CHECK_EQ_U64(a->pages, 0xffff888000700000ULL + 0x100ULL * idx[i]);
		CHECK_EQ_U64(a->nr_pages, size[i] / 4096 - 1);
		CHECK_EQ_U64(a->caller, 0xffffffff81234000ULL + 0x10ULL * idx[i]);
		CHECK_EQ_U64(a->node, (uint64_t)-1);
	}
	vd_session_close(s);
}

TEST(vmalloc_vm_in_unmapped_memory_is_one_error)
{
	struct vd_session *s = open_fake(VA_WILD);
	struct areas r;

	if (!s)
		return;
	areas(s, &r);
	// Area 2's vm_struct cannot be read: that area is the error, the
	// two others are intact.
	CHECK_EQ_U64(r.errors, 1);
	CHECK_EQ_U64(r.n, 2);
	CHECK_EQ_U64(r.a[0].start, 0xffffc90000000000ULL);
	CHECK_EQ_U64(r.a[1].start, 0xffffc90000008000ULL);
	vd_session_close(s);
}

TEST(vmalloc_list_loop_is_reported_and_bounded)
{
	struct vd_session *s = open_fake(VA_LOOP);
	struct areas r;

	if (!s)
		return;
	areas(s, &r);
	// The loop back to area 1 is one error; every area once, in order.
	CHECK_EQ_U64(r.errors, 1);
	CHECK_EQ_U64(r.n, 3);
	for (int i = 1; i < r.n && i < 8; i++)
		CHECK(r.a[i].start > r.a[i - 1].start);
	vd_session_close(s);
}

TEST(kallsyms_names_and_addresses)
{
	struct vd_session *s = open_fake(KS_GOOD);
	struct vd_symbol_info si;
	char want[256];
	uint64_t a;

	if (!s)
		return;
	// Every symbol by name (first lookups scan, later ones use the hash
	// index) and back by address, inside it.
	for (int round = 0; round < 2; round++)
		for (int i = 1; i < KS_N; i++) {
			ks_name(i, want, sizeof(want), &a);
			if (i == 31)
				continue;               /* the second "dup" */
			CHECK_OK(vd_session_lookup_symbol(s, want + 1, &si));
			CHECK_EQ_U64(si.addr, a);
			CHECK_EQ_U64(si.type, want[0]);
		}
	CHECK_OK(vd_session_lookup_symbol(s, "dup", &si));
	CHECK_EQ_U64(si.addr, STEXT + 0x100 + 0x40 * 30);   /* the lowest index */
	CHECK(vd_session_symbolize(s, STEXT + 0x100 + 0x40 * 7 + 0x12, &si));
	CHECK_STR(si.name, "ks_sym_7");
	CHECK_EQ_U64(si.offset, 0x12);
	CHECK(vd_session_symbolize(s, STEXT + 0x100 + 0x40 * 20 + 1, &si));
	ks_name(20, want, sizeof(want), &a);
	CHECK_STR(si.name, want + 1);
	CHECK(!vd_session_symbol(s, "ks_sym_999", &a));
	CHECK_EQ_U64(vd_session_nsymbols(s), KS_N);
	vd_session_close(s);
}

TEST(kallsyms_with_a_lying_count_is_refused_not_trusted)
{
	struct vd_session *s = open_fake(KS_HUGE);
	struct vd_symbol_info si;
	uint64_t a;

	if (!s)
		return;
	// num_syms says 2^32 - 16: the tables cannot hold them.  No kallsyms
	// name resolves, and VMCOREINFO's own SYMBOL() lines still do.
	CHECK(!vd_session_symbol(s, "ks_sym_3", &a));
	CHECK(!vd_session_symbolize(s, STEXT + 0x100 + 0x40 * 3, &si) ||
	      strcmp(si.name, "ks_sym_3"));
	CHECK(vd_session_symbol(s, "init_task", &a));
	CHECK_EQ_U64(a, ITASK);
	vd_session_close(s);
}

TEST(printk_records_with_a_wrapping_one)
{
	struct vd_session *s = open_fake(GOOD);
	struct vd_printk_iter it;
	const struct vd_printk_record *r;
	struct vd_error *err;
	static const struct { uint64_t seq; const char *text; int level; } want[] = {
		{ 5, "first", 6 }, { 6, "second line", 4 }, { 7, pk_text40, 0 },
		{ 8, "wrapped!", 3 }, { 10, "", 6 },
	};
	int n = 0, errors = 0;

	if (!s)
		return;
	CHECK_OK(err = vd_printk_iter_init(&it, s));
	if (err) {
		vd_session_close(s);
		return;
	}
	CHECK_EQ_U64(it.format, VD_PRINTK_LOCKLESS);
	for (int steps = 0; steps < 100; steps++) {
		err = vd_printk_iter_next(&it, &r);
		if (err == &vd_stop)
			break;
		if (err) {
			errors++;
			vd_error_destroy(err);
			continue;
		}
		if (n < 5) {
			CHECK_EQ_U64(r->seq, want[n].seq);
			CHECK_STR(r->text, want[n].text);
			CHECK_EQ_U64(r->text_len, strlen(want[n].text));
			CHECK_EQ_U64(r->level, want[n].level);
			CHECK_EQ_U64(r->ts_nsec, 1000000ULL * want[n].seq);
			CHECK(r->have_caller && r->caller_is_cpu);
			CHECK_EQ_U64(r->caller, want[n].seq % 2);
			CHECK(!r->truncated);
			CHECK(r->dataless == (want[n].seq == 10));
		}
		n++;
	}
	CHECK_EQ_U64(n, 5);
	CHECK_EQ_U64(errors, 0);
	CHECK_EQ_U64(it.nlost, 1);                 /* id 9 */
	vd_printk_iter_deinit(&it);
	vd_session_close(s);
}

TEST(printk_info_array_in_unmapped_memory_is_refused)
{
	struct vd_session *s = open_fake(PK_WILD);
	struct vd_printk_iter it;
	struct vd_error *err;

	if (!s)
		return;
	err = vd_printk_iter_init(&it, s);
	// One clear error at init, not one per descriptor.
	CHECK(err && err->code == VD_ERR_NOTPRESENT);     /* no page table maps it */
	if (err) {
		CHECK(strstr(err->msg, "printk_info"));
		vd_error_destroy(err);
	} else {
		vd_printk_iter_deinit(&it);
	}
	vd_session_close(s);
}

int
main(void)
{
	return RUN_TESTS();
}
