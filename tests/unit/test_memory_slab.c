// SPDX-License-Identifier: MIT
/*
 * SLUB freelists on a hand-built slab in a fake memory: free pointers
 * stored plain and as CONFIG_SLAB_FREELIST_HARDENED stores them
 * (ptr ^ s->random ^ swab(&ptr)), with the states of every object; then
 * broken lists: a pointer outside the slab, one between objects, a loop,
 * an unreadable free pointer.  Each must end with a clear error.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "vmdive/memory.h"

#define BASE 0xffff888004200000ull
#define NOBJ 16
#define SIZE 64
#define OFFSET 32            /* the free pointer in the middle, as SLUB puts it */
#define RANDOM 0x5a17c3e9b0d24f61ull

struct fake {
	uint64_t word[NOBJ * SIZE / 8];
	int unreadable;           /* object index whose free pointer faults, or -1 */
};

static struct vd_error *
fake_read(void *priv, uint64_t addr, uint64_t *ret)
{
	struct fake *f = priv;

	if (addr < BASE || addr + 8 > BASE + NOBJ * SIZE || (addr - BASE) % 8 ||
	    (f->unreadable >= 0 && (addr - BASE) / SIZE == (uint64_t)f->unreadable))
		return vd_error_fault(VD_ERR_FAULT, VD_AS_KVIRT, addr, "0x%llx not mapped",
				      (unsigned long long)addr);
	*ret = f->word[(addr - BASE) / 8];
	return NULL;
}

static uint64_t
obj(int i)
{
	return BASE + (uint64_t)i * SIZE;
}

/* Store next as object i's free pointer, encoded if hardened. */
static void
set_next(struct fake *f, int i, uint64_t next, bool hardened)
{
	uint64_t at = obj(i) + OFFSET;

	f->word[(at - BASE) / 8] = hardened ? next ^ RANDOM ^ __builtin_bswap64(at) : next;
}

static struct vd_freelist_walk
walker(struct fake *f, bool hardened)
{
	return (struct vd_freelist_walk){ .cache = "test-64", .base = BASE, .objects = NOBJ,
					  .size = SIZE, .offset = OFFSET, .hardened = hardened,
					  .random = RANDOM, .read_ptr = fake_read, .priv = f };
}

/* Free objects 3 -> 7 -> 0 -> 15 -> NULL. */
static void
build(struct fake *f, bool hardened)
{
	memset(f, 0xcc, sizeof(*f));
	f->unreadable = -1;
	set_next(f, 3, obj(7), hardened);
	set_next(f, 7, obj(0), hardened);
	set_next(f, 0, obj(15), hardened);
	set_next(f, 15, 0, hardened);
}

static void
check_states(const enum vd_obj_state *st)
{
	for (int i = 0; i < NOBJ; i++) {
		bool is_free = i == 3 || i == 7 || i == 0 || i == 15;

		CHECK(st[i] == (is_free ? VD_OBJ_FREE : VD_OBJ_ALLOCATED));
	}
}

TEST(decode_is_an_involution)
{
	uint64_t p = obj(5), at = obj(2) + OFFSET;
	uint64_t stored = p ^ RANDOM ^ __builtin_bswap64(at);

	CHECK_EQ_U64(vd_slab_freeptr_decode(true, RANDOM, stored, at), p);
	CHECK_EQ_U64(vd_slab_freeptr_decode(false, RANDOM, p, at), p);
	// The swab is of the pointer's address: 0x0102...08 -> 0x0807...01.
	CHECK_EQ_U64(vd_slab_freeptr_decode(true, 0, 0, 0x0102030405060708ull),
		     0x0807060504030201ull);
	// NULL is stored encoded too: decoding gives NULL back.
	CHECK_EQ_U64(vd_slab_freeptr_decode(true, RANDOM, RANDOM ^ __builtin_bswap64(at), at), 0);
}

TEST(plain_freelist)
{
	struct fake f;
	enum vd_obj_state st[NOBJ];
	struct vd_freelist_walk w;
	uint32_t n = 99;

	build(&f, false);
	w = walker(&f, false);
	for (int i = 0; i < NOBJ; i++)
		st[i] = VD_OBJ_ALLOCATED;
	CHECK_OK(vd_slab_freelist(&w, obj(3), VD_OBJ_FREE, st, &n));
	CHECK_EQ_U64(n, 4);
	check_states(st);
}

TEST(hardened_freelist)
{
	struct fake f;
	enum vd_obj_state st[NOBJ];
	struct vd_freelist_walk w;
	uint32_t n = 0;

	build(&f, true);
	w = walker(&f, true);
	for (int i = 0; i < NOBJ; i++)
		st[i] = VD_OBJ_ALLOCATED;
	CHECK_OK(vd_slab_freelist(&w, obj(3), VD_OBJ_FREE, st, &n));
	CHECK_EQ_U64(n, 4);
	check_states(st);
	// Read as if not hardened, the first stored pointer is garbage: a
	// clear error, not a wild walk.
	w.hardened = false;
	for (int i = 0; i < NOBJ; i++)
		st[i] = VD_OBJ_ALLOCATED;
	CHECK_ERR(vd_slab_freelist(&w, obj(3), VD_OBJ_FREE, st, &n), VD_ERR_CORRUPT);
}

TEST(empty_freelist)
{
	struct fake f;
	struct vd_freelist_walk w;
	uint32_t n = 7;

	build(&f, true);
	w = walker(&f, true);
	CHECK_OK(vd_slab_freelist(&w, 0, VD_OBJ_FREE, NULL, &n));
	CHECK_EQ_U64(n, 0);
}

TEST(bad_pointers)
{
	struct fake f;
	enum vd_obj_state st[NOBJ];
	struct vd_freelist_walk w;
	uint32_t n;

	// Outside the slab.
	build(&f, true);
	set_next(&f, 7, BASE + NOBJ * SIZE, true);
	w = walker(&f, true);
	for (int i = 0; i < NOBJ; i++)
		st[i] = VD_OBJ_ALLOCATED;
	CHECK_ERR(vd_slab_freelist(&w, obj(3), VD_OBJ_FREE, st, &n), VD_ERR_CORRUPT);
	// Between two objects.
	build(&f, true);
	set_next(&f, 7, obj(4) + 8, true);
	for (int i = 0; i < NOBJ; i++)
		st[i] = VD_OBJ_ALLOCATED;
	CHECK_ERR(vd_slab_freelist(&w, obj(3), VD_OBJ_FREE, st, &n), VD_ERR_CORRUPT);
	// A loop back to the first free object: caught with states...
	build(&f, true);
	set_next(&f, 15, obj(3), true);
	for (int i = 0; i < NOBJ; i++)
		st[i] = VD_OBJ_ALLOCATED;
	CHECK_ERR(vd_slab_freelist(&w, obj(3), VD_OBJ_FREE, st, &n), VD_ERR_CORRUPT);
	// ... and without them, by the slab's object count.
	CHECK_ERR(vd_slab_freelist(&w, obj(3), VD_OBJ_FREE, NULL, &n), VD_ERR_CORRUPT);
	CHECK(n <= NOBJ + 1);
	// An unreadable free pointer: the read's error, with the cache named.
	build(&f, true);
	f.unreadable = 7;
	{
		struct vd_error *err = vd_slab_freelist(&w, obj(3), VD_OBJ_FREE, NULL, &n);

		CHECK(err && err->code == VD_ERR_FAULT && strstr(err->msg, "test-64"));
		vd_error_destroy(err);
	}
	// A first pointer that is not in the slab at all.
	build(&f, true);
	CHECK_ERR(vd_slab_freelist(&w, 0xdead000000000000ull, VD_OBJ_FREE, NULL, &n),
		  VD_ERR_CORRUPT);
}

int
main(void)
{
	return RUN_TESTS();
}
