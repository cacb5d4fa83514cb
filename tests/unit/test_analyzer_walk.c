// SPDX-License-Identifier: MIT
/*
 * The bounded list walk every walker uses, on hand-built lists in a fake
 * memory: a good list, an empty one, a loop, NULL and misaligned next
 * pointers, a pointer into unmapped memory, a list longer than the bound,
 * and the recovery of the tail through prev pointers.  Each must end with
 * a clear error and never hang or return a node twice.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "vmdive/walk.h"

#define BASE 0xffff888000000000ull
#define NODES 64

/* struct list_head nodes 0x40 apart; mem[i] = {next, prev} of node i. */
struct fake {
	uint64_t next[NODES + 1], prev[NODES + 1];  /* index NODES is the head */
	uint64_t reads;
};

static uint64_t
addr_of(int i)
{
	return BASE + 0x40ull * (uint64_t)i;
}

static struct vd_error *
fake_read(void *priv, uint64_t addr, uint64_t *ret)
{
	struct fake *f = priv;
	uint64_t off = addr - BASE;
	int i;

	f->reads++;
	if (addr < BASE || off / 0x40 > NODES || (off % 0x40 != 0 && off % 0x40 != 8))
		return vd_error_fault(VD_ERR_FAULT, VD_AS_KVIRT, addr, "0x%llx not mapped",
				      (unsigned long long)addr);
	i = (int)(off / 0x40);
	*ret = off % 0x40 ? f->prev[i] : f->next[i];
	return NULL;
}

/* A well-formed ring: head -> 0 -> 1 -> ... -> n-1 -> head. */
static void
make_ring(struct fake *f, int n)
{
	memset(f, 0, sizeof(*f));
	for (int i = 0; i < n; i++) {
		f->next[i] = i + 1 < n ? addr_of(i + 1) : addr_of(NODES);
		f->prev[i] = i ? addr_of(i - 1) : addr_of(NODES);
	}
	f->next[NODES] = n ? addr_of(0) : addr_of(NODES);
	f->prev[NODES] = n ? addr_of(n - 1) : addr_of(NODES);
}

struct result {
	int nodes[2 * NODES];
	int n, nerrors;
	char last_error[512];
};

/* Walk to the end, calling next() again after each error; bounded here too. */
static void
walk_all(struct fake *f, uint64_t limit, struct result *r)
{
	struct vd_list_walk w;
	struct vd_error *err;
	uint64_t node;

	memset(r, 0, sizeof(*r));
	vd_list_walk_init(&w, addr_of(NODES), limit, fake_read, f);
	for (int steps = 0; steps < 4 * NODES; steps++) {
		err = vd_list_walk_next(&w, &node);
		if (err == &vd_stop)
			break;
		if (err) {
			r->nerrors++;
			snprintf(r->last_error, sizeof(r->last_error), "%s", err->msg);
			vd_error_destroy(err);
			continue;
		}
		if (r->n < 2 * NODES)
			r->nodes[r->n++] = (int)((node - BASE) / 0x40);
	}
	vd_list_walk_deinit(&w);
}

static bool
in_order(const struct result *r, const int *want, int n)
{
	if (r->n != n)
		return false;
	for (int i = 0; i < n; i++)
		if (r->nodes[i] != want[i])
			return false;
	return true;
}

TEST(good_list_in_order)
{
	struct fake f;
	struct result r;
	int want[10];

	make_ring(&f, 10);
	for (int i = 0; i < 10; i++)
		want[i] = i;
	walk_all(&f, 0, &r);
	CHECK(in_order(&r, want, 10));
	CHECK(r.nerrors == 0);
}

TEST(empty_list)
{
	struct fake f;
	struct result r;

	make_ring(&f, 0);
	walk_all(&f, 0, &r);
	CHECK(r.n == 0 && r.nerrors == 0);
}

TEST(loop_is_reported_and_tail_recovered)
{
	struct fake f;
	struct result r;
	int want[10] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };

	make_ring(&f, 10);
	f.next[4] = addr_of(1);          // 4 -> 1: a loop
	walk_all(&f, 0, &r);
	CHECK(r.nerrors == 1);
	CHECK(strstr(r.last_error, "loops") != NULL);
	// 5..9 come back through the prev pointers, in order, once each.
	CHECK(in_order(&r, want, 10));
}

TEST(self_loop)
{
	struct fake f;
	struct result r;

	make_ring(&f, 3);
	f.next[1] = addr_of(1);
	f.prev[NODES] = addr_of(1);      // both directions stuck on node 1
	walk_all(&f, 0, &r);
	CHECK(r.nerrors == 1);
	CHECK(r.n == 2);
}

TEST(null_next)
{
	struct fake f;
	struct result r;
	int want[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };

	make_ring(&f, 8);
	f.next[3] = 0;
	walk_all(&f, 0, &r);
	CHECK(r.nerrors == 1);
	CHECK(strstr(r.last_error, "NULL") != NULL);
	CHECK(in_order(&r, want, 8));
}

TEST(misaligned_next)
{
	struct fake f;
	struct result r;

	make_ring(&f, 4);
	f.next[0] = addr_of(1) + 3;
	walk_all(&f, 0, &r);
	CHECK(r.nerrors == 1);
	CHECK(strstr(r.last_error, "misaligned") != NULL);
	CHECK(r.n == 4);
}

TEST(pointer_into_unmapped_memory)
{
	struct fake f;
	struct result r;
	int want[6] = { 0, 1, 2, 3, 4, 5 };

	make_ring(&f, 6);
	f.next[2] = 0xffffc90000000000ull;
	walk_all(&f, 0, &r);
	CHECK(r.nerrors == 1);
	CHECK(strstr(r.last_error, "not mapped") != NULL);
	CHECK(in_order(&r, want, 6));
}

TEST(both_directions_broken)
{
	struct fake f;
	struct result r;
	int want[4] = { 0, 1, 8, 9 };

	make_ring(&f, 10);
	f.next[1] = 0xdead000000000100ull;   // LIST_POISON1-like
	f.prev[8] = 0;                        // walking back stops after 8
	walk_all(&f, 0, &r);
	CHECK(r.nerrors == 2);
	CHECK(strstr(r.last_error, "NULL") != NULL);
	CHECK(in_order(&r, want, 4));
}

TEST(unreadable_head)
{
	struct result r;
	struct vd_list_walk w;
	struct fake f;
	uint64_t node;
	struct vd_error *err;

	make_ring(&f, 2);
	vd_list_walk_init(&w, 0xffffc90000000000ull, 0, fake_read, &f);
	err = vd_list_walk_next(&w, &node);
	CHECK(err && err != &vd_stop && err->code == VD_ERR_FAULT);
	vd_error_destroy(err);
	CHECK(vd_list_walk_next(&w, &node) == &vd_stop);
	vd_list_walk_deinit(&w);
	(void)r;
}

TEST(bound_stops_a_long_list)
{
	struct fake f;
	struct result r;

	make_ring(&f, 50);
	walk_all(&f, 20, &r);
	CHECK(r.n == 20);
	CHECK(r.nerrors == 1);
	CHECK(strstr(r.last_error, "more than 20") != NULL);
	CHECK(f.reads < 200);
}

TEST(prev_loop_while_recovering)
{
	struct fake f;
	struct result r;

	make_ring(&f, 10);
	f.next[2] = 0;
	f.prev[7] = addr_of(8);          // 9 -> 8 -> 7 -> 8 ...
	walk_all(&f, 0, &r);
	CHECK(r.nerrors == 2);
	CHECK(strstr(r.last_error, "loop") != NULL);
	// 0 1 2 forward, then 7 8 9 recovered; nothing twice.
	CHECK(r.n == 6);
	for (int i = 0; i < r.n; i++)
		for (int k = i + 1; k < r.n; k++)
			CHECK(r.nodes[i] != r.nodes[k]);
}

TEST(addr_set)
{
	struct vd_addr_set s = { 0 };

	for (uint64_t i = 1; i <= 5000; i++)
		CHECK_OK(vd_addr_set_add(&s, BASE + 8 * i));
	CHECK(s.n == 5000);
	CHECK(vd_addr_set_has(&s, BASE + 8 * 4321));
	CHECK(!vd_addr_set_has(&s, BASE + 8 * 5001));
	CHECK_OK(vd_addr_set_add(&s, BASE + 8));     // again: no duplicate
	CHECK(s.n == 5000);
	vd_addr_set_free(&s);
}

int
main(void)
{
	return RUN_TESTS();
}
