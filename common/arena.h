/* SPDX-License-Identifier: MIT */
/*
 * A bump allocator for objects that live as long as their owner (types,
 * names): no per-object free, one free for all.  Allocations are 16-byte
 * aligned and zeroed.
 */
#ifndef VD_COMMON_ARENA_H
#define VD_COMMON_ARENA_H

#include <stddef.h>

struct vd_arena_chunk;

struct vd_arena {
	struct vd_arena_chunk *head;
	size_t used;                 /* bytes used in head */
	size_t total;                /* bytes allocated in all chunks */
};

/* NULL on allocation failure. */
void *vd_arena_alloc(struct vd_arena *arena, size_t size);
char *vd_arena_strdup(struct vd_arena *arena, const char *s);
void vd_arena_deinit(struct vd_arena *arena);

#endif
