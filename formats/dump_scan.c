// SPDX-License-Identifier: MIT
/*
 * Scans (vmdive/dump.h): a range of the dump's memory read once, in
 * address order, with the pages of readers that decode (kdump) decoded on
 * worker threads.
 *
 * The caller's thread plans: it walks the range and cuts it into batches
 * kept in a ring of a fixed number of slots.  A batch is either DIRECT (a
 * range of non-paged memory, or of a reader without plan_page: read with
 * vd_dump_read() when the caller reaches it) or PAGED: up to max_pages
 * consecutive pages of one segment, each with its plan (where its bytes
 * are in the file) or the error a read of it gets.  Planning is all the
 * reader's shared state is ever used for (bitmaps, descriptors), so it
 * needs no lock.  Workers take the planned batches in order, read the
 * stored bytes of each run of pages that lie back to back in the file
 * with one read (pages are written in PFN order, so that is file order),
 * and decode each page into the batch's buffer with a decoder of their
 * own.  The caller waits for the oldest batch (decoding the next batch no
 * worker has taken meanwhile, rather than sleeping), hands out its
 * pieces, and frees its slot for the next plan: memory is the ring and one staging
 * buffer per worker, whatever the range.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "dump_priv.h"

/* A batch holds at most this many bytes of pages (and at least one page). */
#define SCAN_BATCH_BYTES (256u << 10)
/* Batches in flight per decoding thread. */
#define SCAN_BATCHES_PER_THREAD 4
/* Non-paged memory is handed out in reads of this size. */
#define SCAN_DIRECT_CHUNK (1u << 20)

enum batch_state { B_FREE, B_READY, B_BUSY, B_DONE };
enum batch_kind { B_DIRECT, B_PAGED };

struct page_ent {
	struct vd_page_plan plan;
	struct vd_error *err;   /* planning or decoding failed */
	uint64_t hole_end;      /* with err: the failure covers up to here */
	bool zero;              /* excluded, read as zeros (--zero-excluded) */
};

struct batch {
	enum batch_state state;
	enum batch_kind kind;
	size_t range;                   /* index of the scan's range */
	uint64_t start, end;            /* [start, end): DIRECT, or PAGED's limit */
	const struct vd_segment *seg;   /* PAGED */
	uint64_t pfn;                   /* PAGED: pages [pfn, pfn + n) */
	size_t n;
	struct page_ent *pages;         /* max_pages */
	unsigned char *buf;             /* max_pages * page size */
};

struct worker {
	struct vd_dump_scan *scan;
	pthread_t th;
	bool started;
	void **decs;                    /* per source, made on first use */
	unsigned char *stage;           /* stored bytes of a run of pages */
};

struct vd_dump_scan {
	struct vd_dump *dump;
	struct vd_scan_range *ranges;   /* the scan's own copy */
	size_t nranges;
	size_t ri;                      /* range being planned */
	uint64_t end;                   /* of ranges[ri] */
	uint64_t cursor;                /* next address to plan, in ranges[ri] */
	bool skip_holes;
	uint32_t psize;
	size_t max_pages;

	struct batch *ring;
	size_t nring;
	uint64_t head, tail;            /* sequence numbers: oldest, next to plan */
	uint64_t next_job;              /* next batch a worker takes */
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	bool stop;
	struct worker *workers;         /* [0] decodes on the caller's thread */
	unsigned nthreads;              /* worker threads running */

	/* The caller's position in the head batch. */
	size_t pos;                     /* PAGED: page index */
	uint64_t dpos;                  /* DIRECT: address */
	struct vd_error *last_err;      /* handed out, freed on the next call */
	unsigned char *dbuf;            /* SCAN_DIRECT_CHUNK */
};

/* VMDIVE_SCAN_THREADS=N, else the CPUs online; 1 to VD_SCAN_THREADS_MAX. */
static unsigned
online_cpus(void)
{
	const char *env = getenv("VMDIVE_SCAN_THREADS");
	long n = env && *env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > VD_SCAN_THREADS_MAX ? VD_SCAN_THREADS_MAX : (unsigned)n;
}

/* Does [start, end) hold memory a reader decodes in parallel? */
static bool
any_planned(const struct vd_dump *dump, uint64_t start, uint64_t end)
{
	for (const struct vd_segment *seg = vd_dump_find_segment(dump, start);
	     seg && seg < dump->segs + dump->nsegs && seg->start < end; seg++)
		if (seg->kind == VD_SEG_PAGED && seg->src->ops->plan_page &&
		    seg->src->ops->decode_page)
			return true;
	return false;
}

/* Read the stored bytes of [off, off + len) of the source's file. */
static struct vd_error *
read_stored(const struct vd_file *file, uint64_t off, void *buf, size_t len)
{
	// As the page-by-page path: a flattened file through its records,
	// any other with pread (nothing stays mapped).
	if (file->flat || file->fd < 0)
		return vd_file_read(file, off, buf, len, "page data");
	return vd_file_pread(file, off, buf, len, "page data");
}

static void
decode_one(struct worker *w, struct batch *b, size_t i, void *dec,
	   const unsigned char *data)
{
	const struct vd_segment *seg = b->seg;
	struct vd_dump_scan *s = w->scan;

	b->pages[i].err = seg->src->ops->decode_page(seg->src->priv, dec, b->pfn + i,
						     &b->pages[i].plan, data,
						     b->buf + i * s->psize);
	if (b->pages[i].err)
		b->pages[i].hole_end = VD_MIN((b->pfn + i + 1) * s->psize, b->end);
}

/* Decode every planned page of b (any thread). */
static void
decode_batch(struct worker *w, struct batch *b)
{
	struct vd_dump_scan *s = w->scan;
	const struct vd_source *src = b->seg->src;
	size_t si = (size_t)(src - s->dump->srcs);
	uint64_t stage = (uint64_t)s->max_pages * s->psize;
	void *dec;

	if (!w->decs[si])
		w->decs[si] = src->ops->dec_new ? src->ops->dec_new(src->priv) : NULL;
	dec = w->decs[si];
	for (size_t i = 0; i < b->n;) {
		struct page_ent *e = &b->pages[i];
		size_t j = i + 1;
		uint64_t total;
		struct vd_error *err;

		if (e->zero) {
			memset(b->buf + i * s->psize, 0, s->psize);
			i++;
			continue;
		}
		if (e->err) {
			i++;
			continue;
		}
		if (!dec && src->ops->dec_new) {
			e->err = &vd_enomem;
			e->hole_end = VD_MIN((b->pfn + i + 1) * s->psize, b->end);
			i++;
			continue;
		}
		if (e->plan.raw && e->plan.size == s->psize) {
			// Stored as they are: read straight into the batch.
			total = s->psize;
			while (j < b->n && !b->pages[j].err && !b->pages[j].zero &&
			       b->pages[j].plan.raw && b->pages[j].plan.size == s->psize &&
			       b->pages[j].plan.file_off == e->plan.file_off + total) {
				total += s->psize;
				j++;
			}
			err = read_stored(src->file, e->plan.file_off, b->buf + i * s->psize,
					  (size_t)total);
			for (size_t k = i; err && k < j; k++) {
				struct page_ent *f = &b->pages[k];

				f->err = read_stored(src->file, f->plan.file_off,
						     b->buf + k * s->psize, s->psize);
				if (f->err)
					f->hole_end = VD_MIN((b->pfn + k + 1) * s->psize,
							     b->end);
			}
			vd_error_destroy(err);
			i = j;
			continue;
		}
		if (e->plan.size > stage) {
			e->err = vd_error_create(VD_ERR_CORRUPT,
						 "%s: page 0x%llx: 0x%x bytes of stored data, more than a page",
						 src->file->path,
						 (unsigned long long)(b->pfn + i), e->plan.size);
			e->hole_end = VD_MIN((b->pfn + i + 1) * s->psize, b->end);
			i++;
			continue;
		}
		// The run of pages stored back to back from this one.
		total = e->plan.size;
		while (j < b->n && !b->pages[j].err && !b->pages[j].zero &&
		       b->pages[j].plan.file_off == e->plan.file_off + total &&
		       total + b->pages[j].plan.size <= stage) {
			total += b->pages[j].plan.size;
			j++;
		}
		err = read_stored(src->file, e->plan.file_off, w->stage, (size_t)total);
		if (err) {
			// Each page on its own, for each one's own error.
			vd_error_destroy(err);
			for (size_t k = i; k < j; k++) {
				struct page_ent *f = &b->pages[k];

				f->err = read_stored(src->file, f->plan.file_off, w->stage,
						     f->plan.size);
				if (f->err)
					f->hole_end = VD_MIN((b->pfn + k + 1) * s->psize,
							     b->end);
				else
					decode_one(w, b, k, dec, w->stage);
			}
		} else {
			uint64_t off = 0;

			for (size_t k = i; k < j; k++) {
				decode_one(w, b, k, dec, w->stage + off);
				off += b->pages[k].plan.size;
			}
		}
		i = j;
	}
}

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	struct vd_dump_scan *s = w->scan;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		struct batch *b;

		// Batches the caller went past (DIRECT ones) are not jobs.
		if (s->next_job < s->head)
			s->next_job = s->head;
		while (!s->stop && s->next_job >= s->tail)
			pthread_cond_wait(&s->work, &s->mu);
		if (s->stop)
			break;
		b = &s->ring[s->next_job++ % s->nring];
		if (b->state != B_READY)
			continue;
		b->state = B_BUSY;
		pthread_mutex_unlock(&s->mu);
		decode_batch(w, b);
		pthread_mutex_lock(&s->mu);
		b->state = B_DONE;
		pthread_cond_broadcast(&s->done);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* The failure at the page of pfn covers up to here. */
static uint64_t
hole_end(const struct vd_dump_scan *s, uint64_t pfn, uint64_t limit)
{
	uint64_t next = (pfn + 1) * s->psize;

	if (s->skip_holes && next < limit)
		next = vd_dump_next_data(s->dump, next);
	return VD_MIN(next, limit);
}

/*
 * Plan the batch at s->cursor into b (the caller's thread, b not shared):
 * returns the state to publish it with.
 */
static enum batch_state
plan_batch(struct vd_dump_scan *s, struct batch *b)
{
	const struct vd_segment *seg = vd_dump_find_segment(s->dump, s->cursor);
	uint64_t limit;

	b->n = 0;
	b->seg = seg;
	if (!seg || seg->start > s->cursor || seg->kind != VD_SEG_PAGED ||
	    !seg->src->ops->plan_page || !seg->src->ops->decode_page || !s->psize) {
		b->kind = B_DIRECT;
		b->start = s->cursor;
		b->end = !seg ? s->end : VD_MIN(seg->start > s->cursor ? seg->start : seg->end,
						s->end);
		s->cursor = b->end;
		return B_DONE;
	}
	b->kind = B_PAGED;
	b->pfn = s->cursor / s->psize;
	limit = VD_MIN(seg->end, s->end);
	b->start = s->cursor;
	b->end = limit;
	while (b->n < s->max_pages && (b->pfn + b->n) * s->psize < limit) {
		uint64_t pfn = b->pfn + b->n;
		struct page_ent *e = &b->pages[b->n++];
		struct vd_error *err = seg->src->ops->plan_page(seg->src->priv, pfn, &e->plan);

		e->zero = false;
		e->err = NULL;
		if (err && err->code == VD_ERR_NODATA && s->dump->opts.zero_excluded) {
			vd_error_destroy(err);
			e->zero = true;
			err = NULL;
		}
		if (!err)
			continue;
		e->err = err;
		e->hole_end = hole_end(s, pfn, limit);
		if (e->hole_end > (pfn + 1) * s->psize) {
			// A run left out: the batch ends with it.
			s->cursor = e->hole_end;
			return B_READY;
		}
	}
	s->cursor = VD_MIN((b->pfn + b->n) * s->psize, limit);
	return B_READY;
}

/* Plan batches into every free slot. */
static void
plan_more(struct vd_dump_scan *s)
{
	bool any = false;

	for (;;) {
		struct batch *b = &s->ring[s->tail % s->nring];
		enum batch_state st;

		// The next range once this one is planned (empty ones skipped).
		while (s->cursor >= s->end && s->ri + 1 < s->nranges) {
			s->ri++;
			s->cursor = s->ranges[s->ri].start;
			s->end = s->ranges[s->ri].end;
		}
		if (s->tail - s->head >= s->nring || s->cursor >= s->end)
			break;
		b->range = s->ri;
		st = plan_batch(s, b);

		pthread_mutex_lock(&s->mu);
		b->state = st;
		s->tail++;
		pthread_mutex_unlock(&s->mu);
		any = true;
	}
	if (any && s->nthreads) {
		pthread_mutex_lock(&s->mu);
		pthread_cond_broadcast(&s->work);
		pthread_mutex_unlock(&s->mu);
	}
}

unsigned
vd_dump_scan_threads(const struct vd_dump_scan *s)
{
	return s->nthreads;
}

static void
free_batch_errors(struct batch *b)
{
	if (b->kind != B_PAGED)
		return;
	for (size_t i = 0; i < b->n; i++) {
		vd_error_destroy(b->pages[i].err);
		b->pages[i].err = NULL;
	}
	b->n = 0;
}

void
vd_dump_scan_close(struct vd_dump_scan *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_broadcast(&s->work);
	pthread_mutex_unlock(&s->mu);
	for (unsigned i = 0; s->workers && i <= s->nthreads; i++) {
		struct worker *w = &s->workers[i];

		if (w->started)
			pthread_join(w->th, NULL);
		for (size_t k = 0; w->decs && k < s->dump->nsrcs; k++)
			if (w->decs[k])
				s->dump->srcs[k].ops->dec_free(w->decs[k]);
		free(w->decs);
		free(w->stage);
	}
	for (size_t i = 0; s->ring && i < s->nring; i++) {
		free_batch_errors(&s->ring[i]);
		free(s->ring[i].pages);
		free(s->ring[i].buf);
	}
	vd_error_destroy(s->last_err);
	free(s->ranges);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->work);
	pthread_cond_destroy(&s->done);
	free(s->workers);
	free(s->ring);
	free(s->dbuf);
	free(s);
}

struct vd_error *
vd_dump_scan_open_ranges(struct vd_dump *dump, const struct vd_scan_range *ranges,
			 size_t n, const struct vd_scan_opts *opts,
			 struct vd_dump_scan **ret)
{
	struct vd_dump_scan *s;
	unsigned want = opts && opts->threads ? opts->threads : online_cpus();
	bool paged = false;

	for (size_t i = 0; i < n; i++)
		if (ranges[i].end < ranges[i].start)
			return vd_error_create(VD_ERR_INVALID_ARG,
					       "scan of [0x%llx, 0x%llx): the end is before the start",
					       (unsigned long long)ranges[i].start,
					       (unsigned long long)ranges[i].end);
	s = calloc(1, sizeof(*s));
	if (!s)
		return &vd_enomem;
	s->dump = dump;
	s->nranges = n;
	s->ranges = n ? malloc(n * sizeof(*ranges)) : NULL;
	if (n && !s->ranges) {
		free(s);
		return &vd_enomem;
	}
	if (n) {
		memcpy(s->ranges, ranges, n * sizeof(*ranges));
		s->cursor = ranges[0].start;
		s->end = ranges[0].end;
	}
	s->skip_holes = opts && opts->skip_holes;
	s->psize = dump->info.page_size;
	s->max_pages = s->psize ? VD_MAX(SCAN_BATCH_BYTES / s->psize, 1u) : 1;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->work, NULL);
	pthread_cond_init(&s->done, NULL);
	want = VD_MIN(want, (unsigned)VD_SCAN_THREADS_MAX);
	for (size_t i = 0; s->psize && !paged && i < n; i++)
		paged = any_planned(dump, ranges[i].start, ranges[i].end);
	if (!paged || want < 2)
		want = 0;
	s->nring = want ? (size_t)want * SCAN_BATCHES_PER_THREAD : 2;
	s->ring = calloc(s->nring, sizeof(*s->ring));
	s->workers = calloc((size_t)want + 1, sizeof(*s->workers));
	s->dbuf = malloc(SCAN_DIRECT_CHUNK);
	if (!s->ring || !s->workers || !s->dbuf)
		goto nomem;
	for (size_t i = 0; paged && i < s->nring; i++) {
		s->ring[i].pages = calloc(s->max_pages, sizeof(*s->ring[i].pages));
		s->ring[i].buf = malloc(s->max_pages * s->psize);
		if (!s->ring[i].pages || !s->ring[i].buf)
			goto nomem;
	}
	// workers[0] is the caller's: for decoding when no thread runs, or
	// while it waits for the head batch (head_batch()).
	for (unsigned i = 0; paged && i <= want; i++) {
		s->workers[i].scan = s;
		s->workers[i].decs = calloc(dump->nsrcs, sizeof(void *));
		s->workers[i].stage = malloc(s->max_pages * s->psize);
		if (!s->workers[i].decs || !s->workers[i].stage)
			goto nomem;
	}
	for (unsigned i = 1; i <= want; i++) {
		s->workers[i].started = !pthread_create(&s->workers[i].th, NULL, worker_run,
							&s->workers[i]);
		if (!s->workers[i].started)
			break;          // the threads that did start do the work
		s->nthreads = i;
	}
	*ret = s;
	return NULL;
nomem:
	vd_dump_scan_close(s);
	return &vd_enomem;
}

struct vd_error *
vd_dump_scan_open(struct vd_dump *dump, uint64_t start, uint64_t end,
		  const struct vd_scan_opts *opts, struct vd_dump_scan **ret)
{
	struct vd_scan_range r = { .start = start, .end = end };

	return vd_dump_scan_open_ranges(dump, &r, 1, opts, ret);
}

/* Wait for the head batch to be decoded (or decode it here). */
static struct batch *
head_batch(struct vd_dump_scan *s)
{
	struct batch *b = &s->ring[s->head % s->nring];

	if (!s->nthreads) {
		if (b->state == B_READY) {
			decode_batch(&s->workers[0], b);
			b->state = B_DONE;
		}
		return b;
	}
	pthread_mutex_lock(&s->mu);
	while (b->state != B_DONE) {
		struct batch *j;

		// Rather than sleep until a worker is done with the head (a
		// wake-up per batch: ~20 % of the CPU of a scan of pages
		// stored as they are, whose batch is one 256 KiB read), the
		// caller decodes the next batch no worker has taken.
		if (s->next_job < s->head)
			s->next_job = s->head;
		if (s->next_job >= s->tail) {
			pthread_cond_wait(&s->done, &s->mu);
			continue;
		}
		j = &s->ring[s->next_job++ % s->nring];
		if (j->state != B_READY)
			continue;
		j->state = B_BUSY;
		pthread_mutex_unlock(&s->mu);
		decode_batch(&s->workers[0], j);
		pthread_mutex_lock(&s->mu);
		j->state = B_DONE;
	}
	pthread_mutex_unlock(&s->mu);
	return b;
}

static void
release_head(struct vd_dump_scan *s, struct batch *b)
{
	free_batch_errors(b);
	pthread_mutex_lock(&s->mu);
	b->state = B_FREE;
	s->head++;
	pthread_mutex_unlock(&s->mu);
	s->pos = 0;
	s->dpos = 0;
}

/* A piece of a DIRECT batch, as vd_dump_read() gives it; false: done. */
static bool
direct_piece(struct vd_dump_scan *s, struct batch *b, struct vd_scan_piece *piece)
{
	uint64_t a = s->dpos ? s->dpos : b->start, next;
	size_t want, got = 0;
	const void *p;
	struct vd_error *err;

	if (a >= b->end)
		return false;
	want = (size_t)VD_MIN(b->end - a, (uint64_t)SCAN_DIRECT_CHUNK);
	p = vd_dump_ptr(s->dump, a, want);
	if (p) {
		*piece = (struct vd_scan_piece){ .range = b->range, .addr = a, .len = want, .data = p };
		s->dpos = a + want;
		return true;
	}
	err = vd_dump_read(s->dump, a, s->dbuf, want, &got);
	if (got) {
		// The failure, if any, comes again on the next call.
		vd_error_destroy(err);
		*piece = (struct vd_scan_piece){ .range = b->range, .addr = a, .len = got, .data = s->dbuf };
		s->dpos = a + got;
		return true;
	}
	if (!err)       // nothing read and no error: cannot happen, but end it
		err = vd_error_fault(VD_ERR_FAULT, VD_AS_PHYS, a, "0x%llx: nothing read",
				     (unsigned long long)a);
	next = s->psize ? (a | (s->psize - 1)) + 1 : a + 1;
	if (next < a)
		next = UINT64_MAX;
	if (s->skip_holes && next < b->end)
		next = VD_MAX(next, vd_dump_next_data(s->dump, next));
	next = VD_MIN(next, b->end);
	s->last_err = err;
	*piece = (struct vd_scan_piece){ .range = b->range, .addr = a, .len = (size_t)(next - a), .err = err };
	s->dpos = next;
	return true;
}

/* A piece of a PAGED batch; false: done. */
static bool
paged_piece(struct vd_dump_scan *s, struct batch *b, struct vd_scan_piece *piece)
{
	size_t i = s->pos, j;
	uint64_t page, lo, hi;

	if (i >= b->n)
		return false;
	page = (b->pfn + i) * s->psize;
	lo = VD_MAX(page, b->start);
	if (b->pages[i].err) {
		s->last_err = b->pages[i].err;
		b->pages[i].err = NULL;
		*piece = (struct vd_scan_piece){ .range = b->range, .addr = lo,
						 .len = (size_t)(b->pages[i].hole_end - lo),
						 .err = s->last_err };
		s->pos = i + 1;
		return true;
	}
	for (j = i; j < b->n && !b->pages[j].err; j++)
		;
	hi = VD_MIN((b->pfn + j) * s->psize, b->end);
	*piece = (struct vd_scan_piece){ .range = b->range, .addr = lo, .len = (size_t)(hi - lo),
					 .data = b->buf + (size_t)(i * s->psize) + (lo - page) };
	s->pos = j;
	return true;
}

bool
vd_dump_scan_next(struct vd_dump_scan *s, struct vd_scan_piece *piece)
{
	vd_error_destroy(s->last_err);
	s->last_err = NULL;
	for (;;) {
		struct batch *b;

		plan_more(s);
		if (s->head == s->tail)
			return false;
		b = head_batch(s);
		if (b->kind == B_DIRECT ? direct_piece(s, b, piece) :
		    paged_piece(s, b, piece))
			return true;
		release_head(s, b);
	}
}
