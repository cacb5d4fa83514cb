// SPDX-License-Identifier: MIT
/*
 * The maple tree walk on hand-built nodes in a fake memory, laid out as
 * the 6.1 kernel's struct maple_node (256 bytes: parent, then for
 * maple_range_64/leaf_64 15 pivots and 16 slots with struct
 * maple_metadata over the last slot; for maple_arange_64 9 pivots, 10
 * slots, 10 gaps and the metadata): an arange_64 root over three leaves,
 * one full (its last slot used), one with metadata in its last slot, one
 * whose last pivot is the node's maximum; then a loop, a bad node type, an
 * unreadable node, and a single-entry root.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "vmdive/memory.h"

#define NODE(i) (0xffff888010000000ull + 0x100ull * (i))
#define NNODES 8

/* Offsets in struct maple_node (6.1 x86_64, from its BTF). */
#define R64_PIVOT 8
#define R64_SLOT 128
#define R64_META_END 248       /* slot[15] = pad[15] + meta {end, gap} */
#define A64_PIVOT 8
#define A64_SLOT 80
#define A64_META_END 240

struct fake {
	unsigned char node[NNODES][256];
	int unreadable;
};

static struct vd_error *
read_node(void *priv, uint64_t addr, void *buf, size_t len)
{
	struct fake *f = priv;
	uint64_t i = (addr - NODE(0)) / 0x100;

	if (addr < NODE(0) || (addr - NODE(0)) % 0x100 || i >= NNODES || len > 256 ||
	    (int)i == f->unreadable)
		return vd_error_fault(VD_ERR_FAULT, VD_AS_KVIRT, addr, "0x%llx not mapped",
				      (unsigned long long)addr);
	memcpy(buf, f->node[i], len);
	return NULL;
}

static void
put64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/*
 * An encoded node pointer as lib/maple_tree.c makes it: bits 3-6 the type,
 * bit 2 set (mte_mk_node()); the root (mt_mk_root()) also has bit 1, the
 * xarray internal-entry bit, which a child in a slot does not (seen in a
 * 6.1 dump: root 0x...1e, its leaves 0x...0c).
 */
static uint64_t
enode(int i, unsigned type)
{
	return NODE(i) | (type << 3) | 4;
}

#define LEAF 1
#define RANGE 2
#define ARANGE 3

struct got {
	uint64_t e[64];
	size_t n;
	size_t stop_after;
};

static bool
entry(void *priv, uint64_t e)
{
	struct got *g = priv;

	if (g->n < 64)
		g->e[g->n++] = e;
	return !g->stop_after || g->n < g->stop_after;
}

static struct vd_maple_walk
walker(struct fake *f, struct got *g)
{
	return (struct vd_maple_walk){ .slot_off64 = R64_SLOT, .nslots64 = 16,
				       .pivot_off64 = R64_PIVOT, .meta_end_off64 = R64_META_END,
				       .slot_offa = A64_SLOT, .nslotsa = 10,
				       .pivot_offa = A64_PIVOT, .meta_end_offa = A64_META_END,
				       .read_node = read_node, .priv = f, .entry = entry,
				       .entry_priv = g };
}

static uint64_t
vma(int leaf, int slot)
{
	return 0xffff888020000000ull + 0x1000ull * (uint64_t)leaf + 0xc8ull * (uint64_t)slot;
}

/*
 * Root (arange_64, node 0, end 2) -> leaves 1, 2, 3 with pivots 0x1fff,
 * 0x3fff; max of leaf 3 = ULONG_MAX.
 * Leaf 1: full, 16 used slots (last pivot set, below its max 0x1fff).
 * Leaf 2: 4 slots used, meta.end = 3 in the last slot's bytes, stale
 *         slots after the end.
 * Leaf 3: last pivot = its max (ULONG_MAX): 15 slots used, slot 15 stale.
 */
static void
build(struct fake *f)
{
	unsigned char *r = f->node[0], *l1 = f->node[1], *l2 = f->node[2], *l3 = f->node[3];

	memset(f, 0, sizeof(*f));
	f->unreadable = -1;
	put64(r + A64_PIVOT + 0, 0x1fff);
	put64(r + A64_PIVOT + 8, 0x3fff);
	put64(r + A64_SLOT + 0, enode(1, LEAF));
	put64(r + A64_SLOT + 8, enode(2, LEAF));
	put64(r + A64_SLOT + 16, enode(3, LEAF));
	put64(r + A64_SLOT + 24, enode(4, LEAF));   // stale, past end
	r[A64_META_END] = 2;
	for (int i = 0; i < 15; i++)
		put64(l1 + R64_PIVOT + 8 * i, 0x100 + 0x10 * (uint64_t)i);
	for (int i = 0; i < 16; i++)
		put64(l1 + R64_SLOT + 8 * i, vma(1, i));
	for (int i = 0; i < 3; i++)
		put64(l2 + R64_PIVOT + 8 * i, 0x2100 + 0x10 * (uint64_t)i);
	for (int i = 0; i < 4; i++)
		put64(l2 + R64_SLOT + 8 * i, vma(2, i));
	put64(l2 + R64_SLOT + 8 * 6, vma(2, 6));           // stale
	l2[R64_META_END] = 3;
	l2[R64_META_END + 1] = 0;
	for (int i = 0; i < 15; i++)
		put64(l3 + R64_PIVOT + 8 * i, i == 14 ? ~0ull : 0x4100 + 0x10 * (uint64_t)i);
	for (int i = 0; i < 15; i++)
		put64(l3 + R64_SLOT + 8 * i, i == 5 ? 0 : vma(3, i));   // slot 5 empty
	put64(l3 + R64_SLOT + 8 * 15, 0xd);                // metadata-like garbage
}

TEST(walk_in_order)
{
	struct fake f;
	struct got g = { 0 };
	struct vd_maple_walk w;
	size_t k = 0;

	build(&f);
	w = walker(&f, &g);
	CHECK_OK(vd_maple_walk(&w, enode(0, ARANGE) | 2));
	CHECK_EQ_U64(g.n, 16 + 4 + 14);
	for (int i = 0; i < 16; i++)
		CHECK_EQ_U64(g.e[k++], vma(1, i));
	for (int i = 0; i < 4; i++)
		CHECK_EQ_U64(g.e[k++], vma(2, i));
	for (int i = 0; i < 15; i++)
		if (i != 5)
			CHECK_EQ_U64(g.e[k++], vma(3, i));
}

TEST(stop_early)
{
	struct fake f;
	struct got g = { .stop_after = 3 };
	struct vd_maple_walk w;

	build(&f);
	w = walker(&f, &g);
	CHECK_OK(vd_maple_walk(&w, enode(0, ARANGE) | 2));
	CHECK_EQ_U64(g.n, 3);
}

TEST(single_entry_and_empty)
{
	struct fake f;
	struct got g = { 0 };
	struct vd_maple_walk w;

	build(&f);
	w = walker(&f, &g);
	CHECK_OK(vd_maple_walk(&w, 0));
	CHECK_EQ_U64(g.n, 0);
	CHECK_OK(vd_maple_walk(&w, vma(9, 0)));
	CHECK_EQ_U64(g.n, 1);
	CHECK_EQ_U64(g.e[0], vma(9, 0));
}

TEST(broken_trees)
{
	struct fake f;
	struct got g = { 0 };
	struct vd_maple_walk w;

	// A child that points back at the root: bounded by the height.
	build(&f);
	w = walker(&f, &g);
	put64(f.node[0] + A64_SLOT + 8, enode(0, ARANGE));
	CHECK_ERR(vd_maple_walk(&w, enode(0, ARANGE) | 2), VD_ERR_CORRUPT);
	// A node of no known type.
	build(&f);
	g.n = 0;
	put64(f.node[0] + A64_SLOT + 8, NODE(2) | (9u << 3) | 4);
	CHECK_ERR(vd_maple_walk(&w, enode(0, ARANGE) | 2), VD_ERR_CORRUPT);
	// A data end past the slots.
	build(&f);
	g.n = 0;
	f.node[0][A64_META_END] = 40;
	CHECK_ERR(vd_maple_walk(&w, enode(0, ARANGE) | 2), VD_ERR_CORRUPT);
	// An unreadable leaf: the read's error.
	build(&f);
	g.n = 0;
	f.unreadable = 2;
	CHECK_ERR(vd_maple_walk(&w, enode(0, ARANGE) | 2), VD_ERR_FAULT);
}

int
main(void)
{
	return RUN_TESTS();
}
