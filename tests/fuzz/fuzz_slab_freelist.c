// SPDX-License-Identifier: MIT
/*
 * SLUB freelists (memory/slab.c vd_slab_freelist(), what kmem -s and
 * kmem ADDRESS follow for every slab, CPU freelist and partial slab) over
 * a fake slab: free pointers stored plain or as
 * CONFIG_SLAB_FREELIST_HARDENED stores them (ptr ^ s->random ^
 * swab(&ptr)).  The input is little-endian:
 *   0    u16 objects (15 bits: struct slab's objects bit field holds no
 *        more), u8 flags (1 hardened, 2 count only: no state array, as
 *        the statistics walk), u8 pad
 *   4    u32 size, offset (of the free pointer in an object)
 *   12   u64 random, first (the head of the freelist), base (the first
 *        object; 0: BASE)
 *   36   the slab's bytes at BASE; nothing else can be read.
 * Every object's state is checked after: at most objects of them free.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "vmdive/memory.h"

#define HDR 36
#define BASE 0xffff888004200000ull

struct fz_slab {
	const uint8_t *mem;
	size_t n;
};

static struct vd_error *
read_ptr(void *priv, uint64_t addr, uint64_t *ret)
{
	const struct fz_slab *s = priv;

	if (addr < BASE || addr - BASE > s->n || s->n - (addr - BASE) < 8)
		return vd_error_fault(VD_ERR_FAULT, VD_AS_KVIRT, addr, "not in the fake slab");
	memcpy(ret, s->mem + (addr - BASE), 8);
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_slab s;
	struct vd_freelist_walk w;
	enum vd_obj_state *state = NULL;
	uint32_t n = 0, nfree = 0;
	uint64_t base;
	struct vd_error *err;

	if (size < HDR)
		return 0;
	s = (struct fz_slab){ data + HDR, size - HDR };
	base = fz_u64(data, size, 28);
	w = (struct vd_freelist_walk){
		.cache = "fuzz-cache", .base = base ? base : BASE,
		.objects = (uint32_t)(fz_u64(data, size, 0) & 0x7fff),
		.size = (uint32_t)fz_u64(data, size, 4), .offset = (uint32_t)fz_u64(data, size, 8),
		.hardened = data[2] & 1, .random = fz_u64(data, size, 12),
		.read_ptr = read_ptr, .priv = &s,
	};
	if (!(data[2] & 2) && w.objects && !(state = calloc(w.objects, sizeof(*state))))
		return 0;
	for (uint32_t i = 0; state && i < w.objects; i++)
		state[i] = VD_OBJ_ALLOCATED;
	err = vd_slab_freelist(&w, fz_u64(data, size, 20), VD_OBJ_FREE, state, &n);
	for (uint32_t i = 0; state && i < w.objects; i++)
		nfree += state[i] == VD_OBJ_FREE;
	if (n > w.objects + 1 || nfree > w.objects || (!err && state && nfree != n))
		abort();            // a count past the slab, or marks that disagree
	fz_drop(err);
	free(state);
	return 0;
}
