// SPDX-License-Identifier: MIT
/* The walkers' one iterator shape (walk_priv.h). */
#include <stdlib.h>
#include <string.h>

#include "walk_priv.h"

struct vd_error *
vd_walk_yield(struct vd_error *err, uint64_t *nrecords, uint64_t *ncorrupt)
{
	if (!err)
		(*nrecords)++;
	else if (err != &vd_stop)
		(*ncorrupt)++;
	return err;
}

void *
vd_walk_buf_push(struct vd_walk_buf *b)
{
	void *e;

	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 256;
		void *p = cap <= SIZE_MAX / b->size ? realloc(b->e, cap * b->size) : NULL;

		if (!p)
			return NULL;
		b->e = p;
		b->cap = cap;
	}
	e = (char *)b->e + b->n++ * b->size;
	memset(e, 0, b->size);
	return e;
}

struct vd_error *
vd_walk_buf_next(struct vd_walk_buf *b, uint64_t *nrecords, uint64_t *ncorrupt,
		 const void **entry)
{
	struct vd_error **errp;
	struct vd_error *err;

	if (b->pos >= b->n)
		return &vd_stop;
	errp = (struct vd_error **)((char *)b->e + b->pos++ * b->size);
	err = *errp;
	*errp = NULL;
	if (!err)
		*entry = errp;
	return vd_walk_yield(err, nrecords, ncorrupt);
}

void
vd_walk_buf_free(struct vd_walk_buf *b)
{
	for (size_t i = 0; i < b->n; i++)
		vd_error_destroy(*(struct vd_error **)((char *)b->e + i * b->size));
	free(b->e);
	*b = (struct vd_walk_buf){ .size = b->size };
}
