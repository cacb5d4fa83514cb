// SPDX-License-Identifier: MIT
/*
 * The flattened-format remap (see flat.h).
 *
 * Building it: read every record header (a walk over the file that touches
 * only the 16-byte headers), then resolve overlaps by write order with a
 * sweep over the sorted record boundaries and a max-heap of the records
 * that cover the current position, keyed by write order.  O(n log n) for n
 * records; no data is copied.  Makedumpfile writes records in file order
 * except for header rewrites at the end, so the common case of
 * non-overlapping records in ascending order skips the sweep.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "common/util.h"
#include "flat.h"

/* makedumpfile.h: MAKEDUMPFILE_SIGNATURE, TYPE_FLAT_HEADER, VERSION_FLAT_HEADER */
#define FLAT_SIGNATURE "makedumpfile"
#define FLAT_SIG_LEN 16
#define FLAT_TYPE 1
#define FLAT_VERSION 1
#define FLAT_REC_HDR 16
#define FLAT_END_FLAG UINT64_MAX        /* offset = buf_size = -1 */
#define FLAT_DROP_EVERY (16ull << 20)
/* Rewrites after the ordered records laid over them one by one. */
#define FLAT_TAIL_MAX 16

/* One record, or one resolved piece: logical [start, end) at phys. */
struct flat_range {
	uint64_t start, end, phys;
	size_t order;                   /* write order (records only) */
};

struct vd_flat {
	const unsigned char *map;
	uint64_t size;                  /* logical size */
	struct flat_range *pieces;      /* sorted, non-overlapping */
	size_t npieces;
	size_t nrecords;
	char *warning;
};

bool
vd_flat_detect(const unsigned char *map, uint64_t size)
{
	static const char sig[FLAT_SIG_LEN] = FLAT_SIGNATURE;

	return map && size >= FLAT_SIG_LEN && !memcmp(map, sig, FLAT_SIG_LEN);
}

static void flat_warn(struct vd_flat *flat, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
flat_warn(struct vd_flat *flat, const char *fmt, ...)
{
	va_list ap;

	if (flat->warning)
		return;
	va_start(ap, fmt);
	if (vasprintf(&flat->warning, fmt, ap) < 0)
		flat->warning = NULL;
	va_end(ap);
}

static int
range_cmp(const void *a, const void *b)
{
	const struct flat_range *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Read the record headers into *recs.  Damage that leaves the records
 * read so far usable (a truncated tail, a missing terminator) becomes a
 * warning; impossible values are errors.
 */
static struct vd_error *
flat_scan(struct vd_flat *flat, const char *path, uint64_t fsize,
	  struct flat_range **recs_ret, size_t *n_ret)
{
	const unsigned char *map = flat->map;
	size_t cap = 0, n = 0;
	struct flat_range *recs = NULL;
	uint64_t pos = VD_FLAT_HEADER_SIZE, dropped = 0;

	for (;;) {
		uint64_t off, sz;

		// The walk touches every page of a file of small records: give
		// back what lies behind it (file pages, read again on demand),
		// so that its memory stays bounded whatever the file's size.
		if (pos - dropped >= FLAT_DROP_EVERY) {
			uint64_t to = pos & ~(FLAT_DROP_EVERY - 1);

			madvise((void *)(map + dropped), to - dropped, MADV_DONTNEED);
			dropped = to;
		}
		if (fsize - pos < FLAT_REC_HDR) {
			flat_warn(flat, "%s: flattened file has no end marker after record %zu at 0x%llx: it is truncated",
				  path, n, (unsigned long long)pos);
			break;
		}
		off = vd_get64(map + pos, true);
		sz = vd_get64(map + pos + 8, true);
		if (off == FLAT_END_FLAG)
			break;
		if ((int64_t)off < 0 || (int64_t)sz < 0 ||
		    sz > (uint64_t)INT64_MAX - off) {
			free(recs);
			return vd_error_fault(VD_ERR_CORRUPT, VD_AS_FILE, pos,
					      "%s: flattened record %zu at 0x%llx has an impossible offset 0x%llx / size 0x%llx",
					      path, n, (unsigned long long)pos,
					      (unsigned long long)off,
					      (unsigned long long)sz);
		}
		pos += FLAT_REC_HDR;
		if (sz > fsize - pos) {
			flat_warn(flat, "%s: flattened record %zu at 0x%llx claims 0x%llx bytes but the file ends 0x%llx bytes later: it is truncated",
				  path, n, (unsigned long long)(pos - FLAT_REC_HDR),
				  (unsigned long long)sz,
				  (unsigned long long)(fsize - pos));
			sz = fsize - pos;
		}
		if (sz) {
			if (n == cap) {
				void *p;

				cap = cap ? 2 * cap : 1024;
				p = realloc(recs, cap * sizeof(*recs));
				if (!p) {
					free(recs);
					return &vd_enomem;
				}
				recs = p;
			}
			recs[n] = (struct flat_range){ off, off + sz, pos, n };
			n++;
		}
		pos += sz;
	}
	*recs_ret = recs;
	*n_ret = n;
	return NULL;
}

/* Max-heap of indices into the sorted records, keyed by write order. */
struct flat_heap {
	size_t *v;
	size_t n;
	const struct flat_range *recs;
};

static bool
heap_less(const struct flat_heap *h, size_t a, size_t b)
{
	return h->recs[h->v[a]].order < h->recs[h->v[b]].order;
}

static void
heap_swap(struct flat_heap *h, size_t a, size_t b)
{
	size_t t = h->v[a];

	h->v[a] = h->v[b];
	h->v[b] = t;
}

static void
heap_push(struct flat_heap *h, size_t idx)
{
	size_t i = h->n++;

	h->v[i] = idx;
	while (i && heap_less(h, (i - 1) / 2, i)) {
		heap_swap(h, (i - 1) / 2, i);
		i = (i - 1) / 2;
	}
}

static void
heap_pop(struct flat_heap *h)
{
	size_t i = 0;

	h->v[0] = h->v[--h->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < h->n && heap_less(h, m, l))
			m = l;
		if (r < h->n && heap_less(h, m, r))
			m = r;
		if (m == i)
			break;
		heap_swap(h, i, m);
		i = m;
	}
}

static void
emit_piece(struct vd_flat *flat, const struct flat_range *rec, uint64_t start,
	   uint64_t end)
{
	struct flat_range *last = flat->npieces ?
				  &flat->pieces[flat->npieces - 1] : NULL;
	uint64_t phys = rec->phys + (start - rec->start);

	if (last && last->end == start && last->phys + (last->end -
	    last->start) == phys) {
		last->end = end;
		return;
	}
	flat->pieces[flat->npieces++] = (struct flat_range){ start, end, phys,
							     rec->order };
}

/*
 * Resolve overlaps: between consecutive boundaries the piece belongs to
 * the latest-written record covering it.  recs is sorted by start.
 */
static struct vd_error *
flat_sweep(struct vd_flat *flat, const struct flat_range *recs, size_t n)
{
	_cleanup_free_ uint64_t *bounds = malloc(2 * n * sizeof(*bounds));
	_cleanup_free_ size_t *heapv = malloc(n * sizeof(*heapv));
	struct flat_heap heap = { heapv, 0, recs };
	size_t nb = 0, j = 0;

	flat->pieces = malloc(2 * n * sizeof(*flat->pieces));
	if (!bounds || !heapv || !flat->pieces)
		return &vd_enomem;
	for (size_t i = 0; i < n; i++) {
		bounds[nb++] = recs[i].start;
		bounds[nb++] = recs[i].end;
	}
	qsort(bounds, nb, sizeof(*bounds), u64_cmp);
	for (size_t k = 0; k + 1 < nb; k++) {
		uint64_t b = bounds[k];

		if (bounds[k + 1] == b)
			continue;
		while (j < n && recs[j].start <= b)
			heap_push(&heap, j++);
		while (heap.n && recs[heap.v[0]].end <= b)
			heap_pop(&heap);
		if (heap.n)
			emit_piece(flat, &recs[heap.v[0]], b, bounds[k + 1]);
	}
	return NULL;
}

/* Records [0, k) are sorted and do not overlap: the largest such k. */
static size_t
flat_in_order(const struct flat_range *recs, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (recs[i].start < recs[i - 1].end)
			return i;
	return n;
}

static size_t flat_find(const struct vd_flat *flat, uint64_t off);

/*
 * Lay record r over the pieces (sorted, non-overlapping, with room for
 * two more): what it covers is now its.  Whatever r overlaps lies in
 * pieces [i, j); their parts left of and right of r stay.
 */
static void
flat_overwrite(struct vd_flat *flat, const struct flat_range *r)
{
	struct flat_range *p = flat->pieces, repl[3];
	size_t i = flat_find(flat, r->start), j = i, nr = 0;

	while (j < flat->npieces && p[j].start < r->end)
		j++;
	if (i < j && p[i].start < r->start)
		repl[nr++] = (struct flat_range){ p[i].start, r->start, p[i].phys, p[i].order };
	repl[nr++] = *r;
	if (i < j && p[j - 1].end > r->end)
		repl[nr++] = (struct flat_range){ r->end, p[j - 1].end,
						  p[j - 1].phys + (r->end - p[j - 1].start),
						  p[j - 1].order };
	memmove(p + i + nr, p + j, (flat->npieces - j) * sizeof(*p));
	memcpy(p + i, repl, nr * sizeof(*p));
	flat->npieces = flat->npieces - (j - i) + nr;
}

/*
 * recs sorted by start.  When at most FLAT_TAIL_MAX records overlap any
 * other (makedumpfile and QEMU rewrite the dump header at the end; the
 * descriptor and data areas are written alternately, so the records are
 * out of order but do not overlap), the others are the pieces as they
 * are and the few are laid over them in write order: no second array of
 * the records (a file of millions of records).  Returns false, changing
 * nothing, when there are more.
 */
static bool
flat_few_overlaps(struct vd_flat *flat, struct flat_range **recsp, size_t n,
		  struct vd_error **err)
{
	struct flat_range *recs = *recsp, few[FLAT_TAIL_MAX];
	size_t nfew = 0, w = 0;
	uint64_t maxend = 0;
	void *grown;

	*err = NULL;
	for (int pass = 0; pass < 2; pass++) {
		maxend = 0;
		nfew = w = 0;
		for (size_t i = 0; i < n; i++) {
			struct flat_range r = recs[i];
			bool hit = (i && r.start < maxend) ||
				   (i + 1 < n && recs[i + 1].start < r.end);

			maxend = VD_MAX(maxend, r.end);
			if (!hit) {
				if (pass)
					recs[w] = r;
				w++;
				continue;
			}
			if (nfew == FLAT_TAIL_MAX)
				return false;
			if (pass)
				few[nfew] = r;
			nfew++;
		}
		if (pass)
			break;
	}
	// Write order among the few (insertion sort: at most 16).
	for (size_t i = 1; i < nfew; i++)
		for (size_t j = i; j && few[j].order < few[j - 1].order; j--) {
			struct flat_range t = few[j];

			few[j] = few[j - 1];
			few[j - 1] = t;
		}
	grown = realloc(recs, (w + 2 * nfew + 1) * sizeof(*recs));
	if (!grown) {
		*err = &vd_enomem;
		return true;
	}
	*recsp = NULL;
	flat->pieces = grown;
	flat->npieces = w;
	for (size_t i = 0; i < nfew; i++)
		flat_overwrite(flat, &few[i]);
	return true;
}

static struct vd_error *
flat_check_header(const char *path, const unsigned char *map, uint64_t size)
{
	uint64_t type, version;

	if (size < VD_FLAT_HEADER_SIZE)
		return vd_error_fault(VD_ERR_CORRUPT, VD_AS_FILE, 0,
				      "%s: truncated file: flattened header needs %u bytes, the file has %llu",
				      path, VD_FLAT_HEADER_SIZE,
				      (unsigned long long)size);
	type = vd_get64(map + FLAT_SIG_LEN, true);
	version = vd_get64(map + FLAT_SIG_LEN + 8, true);
	if (type != FLAT_TYPE || version != FLAT_VERSION)
		return vd_error_create(VD_ERR_NOTIMPL,
				       "%s: flattened file of type %lld version %lld (vmdive knows type 1 version 1)",
				       path, (long long)type, (long long)version);
	return NULL;
}

struct vd_error *
vd_flat_open(const char *path, const unsigned char *map, uint64_t size,
	     struct vd_flat **ret)
{
	struct vd_flat *flat;
	struct flat_range *recs = NULL;
	struct vd_error *err;
	size_t n = 0, k;

	err = flat_check_header(path, map, size);
	if (err)
		return err;
	flat = calloc(1, sizeof(*flat));
	if (!flat)
		return &vd_enomem;
	flat->map = map;
	err = flat_scan(flat, path, size, &recs, &n);
	if (err)
		goto fail;
	flat->nrecords = n;
	k = flat_in_order(recs, n);
	if (k == n) {
		flat->pieces = vd_steal(&recs);
		flat->npieces = n;
	} else {
		qsort(recs, n, sizeof(*recs), range_cmp);
		if (!flat_few_overlaps(flat, &recs, n, &err)) {
			err = flat_sweep(flat, recs, n);
		}
		if (err)
			goto fail;
	}
	if (flat->npieces)
		flat->size = flat->pieces[flat->npieces - 1].end;
	free(recs);
	*ret = flat;
	return NULL;
fail:
	free(recs);
	vd_flat_destroy(flat);
	return err;
}

void
vd_flat_destroy(struct vd_flat *flat)
{
	if (!flat)
		return;
	free(flat->pieces);
	free(flat->warning);
	free(flat);
}

uint64_t
vd_flat_size(const struct vd_flat *flat)
{
	return flat->size;
}

size_t
vd_flat_nrecords(const struct vd_flat *flat)
{
	return flat->nrecords;
}

size_t
vd_flat_npieces(const struct vd_flat *flat)
{
	return flat->npieces;
}

const char *
vd_flat_warning(const struct vd_flat *flat)
{
	return flat->warning;
}

/* Index of the first piece whose end lies above off (npieces if none). */
static size_t
flat_find(const struct vd_flat *flat, uint64_t off)
{
	size_t lo = 0, hi = flat->npieces;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (flat->pieces[mid].end <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint64_t
vd_flat_next_data(const struct vd_flat *flat, uint64_t off)
{
	size_t i = flat_find(flat, off);

	if (i == flat->npieces)
		return flat->size;
	return VD_MAX(off, flat->pieces[i].start);
}

const void *
vd_flat_ptr(const struct vd_flat *flat, uint64_t off, size_t len)
{
	size_t i = flat_find(flat, off);
	const struct flat_range *p;

	if (i == flat->npieces)
		return NULL;
	p = &flat->pieces[i];
	if (p->start > off || len > p->end - off)
		return NULL;
	return flat->map + p->phys + (off - p->start);
}

void
vd_flat_read(const struct vd_flat *flat, uint64_t off, void *buf, size_t len)
{
	unsigned char *out = buf;
	size_t i = flat_find(flat, off);

	while (len) {
		const struct flat_range *p;
		size_t n;

		if (i == flat->npieces) {
			memset(out, 0, len);    /* beyond the last record */
			return;
		}
		p = &flat->pieces[i];
		if (p->start > off) {
			/* A hole no record wrote: zeros, as in makedumpfile -R. */
			n = (size_t)VD_MIN((uint64_t)len, p->start - off);
			memset(out, 0, n);
		} else {
			n = (size_t)VD_MIN((uint64_t)len, p->end - off);
			memcpy(out, flat->map + p->phys + (off - p->start), n);
			i++;
		}
		out += n;
		off += n;
		len -= n;
	}
}
