// SPDX-License-Identifier: MIT
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define CHUNK_SIZE (64u << 10)

struct vd_arena_chunk {
	struct vd_arena_chunk *next;
	size_t size;
	_Alignas(16) unsigned char data[];
};

void *
vd_arena_alloc(struct vd_arena *arena, size_t size)
{
	struct vd_arena_chunk *c = arena->head;
	size_t need = (size + 15) & ~(size_t)15;
	void *p;

	if (need < size)
		return NULL;
	if (!c || c->size - arena->used < need) {
		size_t csize = need > CHUNK_SIZE ? need : CHUNK_SIZE;

		c = malloc(sizeof(*c) + csize);
		if (!c)
			return NULL;
		c->size = csize;
		c->next = arena->head;
		arena->head = c;
		arena->used = 0;
		arena->total += csize;
	}
	p = c->data + arena->used;
	arena->used += need;
	memset(p, 0, size);
	return p;
}

char *
vd_arena_strdup(struct vd_arena *arena, const char *s)
{
	size_t len = strlen(s) + 1;
	char *p = vd_arena_alloc(arena, len);

	if (p)
		memcpy(p, s, len);
	return p;
}

void
vd_arena_deinit(struct vd_arena *arena)
{
	struct vd_arena_chunk *c = arena->head;

	while (c) {
		struct vd_arena_chunk *next = c->next;

		free(c);
		c = next;
	}
	memset(arena, 0, sizeof(*arena));
}
