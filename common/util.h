/* SPDX-License-Identifier: MIT */
/*
 * Small helpers shared by every layer: byte order, bounds arithmetic,
 * scope-based cleanup.  Header-only, apart from vd_parse_u64() (public:
 * vmdive/types.h).
 */
#ifndef VD_COMMON_UTIL_H
#define VD_COMMON_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define VD_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define VD_MIN(a, b) ((a) < (b) ? (a) : (b))
#define VD_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Scope guards (GNU C). */
static inline void
vd_freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ __attribute__((cleanup(vd_freep)))

/* Take ownership out of a _cleanup_ variable. */
#define vd_steal(pp)                        \
	({                                  \
		__typeof__(*(pp)) tmp_ = *(pp); \
		*(pp) = NULL;               \
		tmp_;                       \
	})

/*
 * Make room for element n of the array *arrp (n elements in use, each
 * elem bytes), growing it geometrically: it is reallocated only when n is
 * 0 or a power of two, to twice n.  Only for arrays grown by this alone,
 * from NULL.  A file that declares a million of something then costs
 * O(n) copies, not O(n^2).  False when out of memory (*arrp unchanged).
 */
static inline bool
vd_grow(void *arrp, size_t n, size_t elem)
{
	size_t cap = n ? 2 * n : 1;
	void *old, *p;

	if (n & (n - 1))
		return true;
	if (n > SIZE_MAX / 2 / elem)
		return false;
	// Through memcpy: *arrp is a T *, not a void *.
	memcpy(&old, arrp, sizeof(old));
	p = realloc(old, cap * elem);
	if (!p)
		return false;
	memcpy(arrp, &p, sizeof(p));
	return true;
}

/* Unaligned loads in a given byte order. */
static inline uint16_t
vd_get16(const void *p, bool be)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return be ? __builtin_bswap16(v) : v;
}

static inline uint32_t
vd_get32(const void *p, bool be)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return be ? __builtin_bswap32(v) : v;
}

static inline uint64_t
vd_get64(const void *p, bool be)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return be ? __builtin_bswap64(v) : v;
}

static inline void
vd_put32(void *p, uint32_t v, bool be)
{
	if (be)
		v = __builtin_bswap32(v);
	memcpy(p, &v, sizeof(v));
}

static inline void
vd_put64(void *p, uint64_t v, bool be)
{
	if (be)
		v = __builtin_bswap64(v);
	memcpy(p, &v, sizeof(v));
}

/* True when [off, off + len) lies inside [0, size); never overflows. */
static inline bool
vd_range_ok(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* Round up to a power of two; returns false on overflow. */
static inline bool
vd_align_up(uint64_t v, uint64_t align, uint64_t *ret)
{
	uint64_t r;

	if (__builtin_add_overflow(v, align - 1, &r))
		return false;
	*ret = r & ~(align - 1);
	return true;
}

static inline bool
vd_is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static inline unsigned
vd_log2(uint64_t v)
{
	return 63 - __builtin_clzll(v);
}

/* vd_parse_u64() is public API (the CLI parses addresses with it). */
#include "vmdive/types.h"

#endif
