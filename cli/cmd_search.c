// SPDX-License-Identifier: MIT
/*
 * vmdive search: find values or strings in the dumped memory, like crash's
 * search.  Kernel virtual memory (-k, the default) is searched through the
 * RAM the dump holds, each hit reported at its direct-map address (where
 * all of RAM is mapped), or within -s START -e END through the page tables;
 * physical memory with -p.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/util.h"

#define SEARCH_CHUNK (1u << 20)
#define SEARCH_MAX_TERMS 16
#define SEARCH_MAX_DEFAULT 10000u

struct term {
	const char *arg;
	uint64_t value;            /* values */
	const char *str;           /* -c */
	size_t len;
};

struct matchers;

struct search {
	struct vd_cli *cli;
	struct matchers *m;        /* matching on threads, while a scan decodes */
	struct vd_xlat *xlat;
	struct term terms[SEARCH_MAX_TERMS];
	int nterms;
	unsigned width;            /* bytes of a value */
	uint64_t mask;             /* bits compared */
	bool strings, be, phys_report;
	uint64_t max, nhits;
	bool truncated;
	struct vd_progress progress;    /* over all RAM: bytes before this range */
	uint64_t progress_base;
};

static void
hit(struct search *s, uint64_t addr, uint64_t pa, bool have_pa, const struct term *t,
    uint64_t value)
{
	struct vd_cli *cli = s->cli;

	if (s->nhits == s->max) {
		s->truncated = true;
		return;
	}
	s->nhits++;
	if (cli->json) {
		vd_json_begin_object(&cli->j);
		vd_json_kv_hex(&cli->j, "address", addr);
		if (have_pa)
			vd_json_kv_hex(&cli->j, "pa", pa);
		if (t->str)
			vd_json_kv_string(&cli->j, "string", t->str);
		else
			vd_json_kv_hex(&cli->j, "value", value);
		vd_json_end_object(&cli->j);
		return;
	}
	if (t->str)
		printf("%" PRIx64 ": %s\n", addr, t->str);
	else
		printf("%" PRIx64 ": %0*" PRIx64 "\n", addr, (int)(2 * s->width), value);
}

/* The kernel address to report for a physical hit: its direct-map address. */
static bool
report_va(struct search *s, uint64_t pa, uint64_t *va)
{
	const struct vd_region *regions[4];
	uint64_t vas[4];
	size_t n = vd_xlat_ptov(s->xlat, pa, vas, regions, 4);

	for (size_t i = 0; i < n; i++)
		if (regions[i] && !strcmp(regions[i]->name, "direct map")) {
			*va = vas[i];
			return true;
		}
	if (n)
		*va = vas[0];
	return n > 0;
}

/* A value of width bytes at p. */
static inline uint64_t
load_value(const unsigned char *p, unsigned width, bool be)
{
	switch (width) {
	case 8:
		return vd_get64(p, be);
	case 4:
		return vd_get32(p, be);
	case 2:
		return vd_get16(p, be);
	case 1:
		return p[0];
	default: {
		uint64_t v = 0;

		for (unsigned b = 0; b < width; b++)
			v |= (uint64_t)p[b] << (8 * (be ? width - 1 - b : b));
		return v;
	}
	}
}

/* One match: false stops the matching. */
typedef bool (*found_fn)(void *ctx, const struct term *t, uint64_t at, uint64_t value);

/*
 * Every match of buf (at base), term by term, each term's in address
 * order: the order the hits are printed in.  Reads only the terms and
 * the value format (any thread).
 */
static void
match(const struct search *s, const unsigned char *buf, size_t len, uint64_t base,
      found_fn fn, void *ctx)
{
	for (int k = 0; k < s->nterms; k++) {
		const struct term *t = &s->terms[k];

		if (t->str) {
			const unsigned char *p = buf, *q;

			while ((q = memmem(p, len - (size_t)(p - buf), t->str, t->len))) {
				if (!fn(ctx, t, base + (uint64_t)(q - buf), 0))
					return;
				p = q + 1;
				if ((size_t)(p - buf) >= len)
					break;
			}
			continue;
		}
		uint64_t want = t->value & s->mask;

		for (size_t off = (size_t)((s->width - base % s->width) % s->width);
		     off + s->width <= len; off += s->width) {
			uint64_t v = load_value(buf + off, s->width, s->be);

			if ((v & s->mask) == want && !fn(ctx, t, base + off, v))
				return;
		}
	}
}

struct report_ctx {
	struct search *s;
	bool phys;
};

/* A match reported: at its direct-map address when physical unless -p. */
static bool
report(void *ctx, const struct term *t, uint64_t at, uint64_t value)
{
	struct report_ctx *c = ctx;
	struct search *s = c->s;
	uint64_t va = at;

	if (!c->phys || s->phys_report || report_va(s, at, &va))
		hit(s, c->phys && !s->phys_report ? va : at, at, c->phys, t, value);
	return !s->truncated;
}

/* Scan buf (at base, in the searched space) for every term. */
static void
scan(struct search *s, const unsigned char *buf, size_t len, uint64_t base, bool phys)
{
	struct report_ctx c = { s, phys };

	if (!s->truncated)
		match(s, buf, len, base, report, &c);
}

/*
 * Matching on threads: while a scan decodes pages on every CPU, the
 * chunks search_scan() cuts are matched on as many threads, each chunk's
 * matches kept in a list, and printed on the caller's thread in chunk
 * order (the physical hits' direct-map addresses found there too): the
 * same output as scan() chunk after chunk.  A chunk with more matches
 * than a list holds is scanned again by scan() when its turn comes.
 */
#define SEARCH_JOBS_PER_THREAD 3
#define SEARCH_JOB_FOUND 65536u

struct found {
	uint64_t at, value;
	const struct term *t;
};

enum job_state { J_FREE, J_READY, J_BUSY, J_DONE };

struct job {
	enum job_state state;
	uint64_t base;
	size_t len;
	unsigned char *buf;             /* SEARCH_CHUNK */
	struct found *found;
	size_t nfound, cap;
	bool overflow;
};

struct matchers {
	struct search *s;
	pthread_t th[VD_SCAN_THREADS_MAX];
	unsigned n;
	struct job *jobs;
	size_t njobs;
	uint64_t head, tail, next;      /* oldest, the one being filled, next to match */
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	bool stop;
};

static bool
keep_found(void *ctx, const struct term *t, uint64_t at, uint64_t value)
{
	struct job *j = ctx;

	if (j->nfound == j->cap) {
		j->overflow = true;
		return false;
	}
	j->found[j->nfound++] = (struct found){ at, value, t };
	return true;
}

static void *
matcher_run(void *arg)
{
	struct matchers *m = arg;

	pthread_mutex_lock(&m->mu);
	for (;;) {
		struct job *j;

		while (!m->stop && m->next >= m->tail)
			pthread_cond_wait(&m->work, &m->mu);
		if (m->stop)
			break;
		j = &m->jobs[m->next++ % m->njobs];
		j->state = J_BUSY;
		pthread_mutex_unlock(&m->mu);
		j->nfound = 0;
		j->overflow = false;
		match(m->s, j->buf, j->len, j->base, keep_found, j);
		pthread_mutex_lock(&m->mu);
		j->state = J_DONE;
		pthread_cond_broadcast(&m->done);
	}
	pthread_mutex_unlock(&m->mu);
	return NULL;
}

static void
matchers_free(struct matchers *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->mu);
	m->stop = true;
	pthread_cond_broadcast(&m->work);
	pthread_mutex_unlock(&m->mu);
	for (unsigned i = 0; i < m->n; i++)
		pthread_join(m->th[i], NULL);
	for (size_t i = 0; m->jobs && i < m->njobs; i++) {
		free(m->jobs[i].buf);
		free(m->jobs[i].found);
	}
	free(m->jobs);
	pthread_mutex_destroy(&m->mu);
	pthread_cond_destroy(&m->work);
	pthread_cond_destroy(&m->done);
	free(m);
}

/* n matching threads, or NULL (then scan() matches on the caller's thread). */
static struct matchers *
matchers_new(struct search *s, unsigned n)
{
	struct matchers *m = calloc(1, sizeof(*m));
	size_t cap = (size_t)VD_MIN(s->max + 1, (uint64_t)SEARCH_JOB_FOUND);

	if (!m)
		return NULL;
	m->s = s;
	m->njobs = (size_t)n * SEARCH_JOBS_PER_THREAD + 1;
	pthread_mutex_init(&m->mu, NULL);
	pthread_cond_init(&m->work, NULL);
	pthread_cond_init(&m->done, NULL);
	m->jobs = calloc(m->njobs, sizeof(*m->jobs));
	for (size_t i = 0; m->jobs && i < m->njobs; i++) {
		m->jobs[i].buf = malloc(SEARCH_CHUNK);
		m->jobs[i].found = malloc(cap * sizeof(*m->jobs[i].found));
		m->jobs[i].cap = cap;
		if (!m->jobs[i].buf || !m->jobs[i].found)
			goto fail;
	}
	if (!m->jobs)
		goto fail;
	for (; m->n < n && m->n < VD_SCAN_THREADS_MAX; m->n++)
		if (pthread_create(&m->th[m->n], NULL, matcher_run, m))
			break;
	if (m->n)
		return m;
fail:
	matchers_free(m);
	return NULL;
}

/* Print the oldest job's matches (waiting for them) and free its slot. */
static void
matchers_pop(struct matchers *m)
{
	struct search *s = m->s;
	struct job *j = &m->jobs[m->head % m->njobs];

	pthread_mutex_lock(&m->mu);
	while (j->state != J_DONE)
		pthread_cond_wait(&m->done, &m->mu);
	pthread_mutex_unlock(&m->mu);
	if (j->overflow) {
		scan(s, j->buf, j->len, j->base, true);
	} else {
		struct report_ctx c = { s, true };

		for (size_t i = 0; i < j->nfound && !s->truncated; i++)
			report(&c, j->found[i].t, j->found[i].at, j->found[i].value);
	}
	j->state = J_FREE;
	m->head++;
}

/* The buffer of the job to fill next (a slot freed if none is). */
static unsigned char *
matchers_buf(struct matchers *m)
{
	if (m->tail - m->head == m->njobs)
		matchers_pop(m);
	return m->jobs[m->tail % m->njobs].buf;
}

/* The job being filled, [base, base + len) of physical memory, to match. */
static void
matchers_push(struct matchers *m, uint64_t base, size_t len)
{
	struct job *j = &m->jobs[m->tail % m->njobs];

	j->base = base;
	j->len = len;
	pthread_mutex_lock(&m->mu);
	j->state = J_READY;
	m->tail++;
	pthread_cond_signal(&m->work);
	pthread_mutex_unlock(&m->mu);
}

/* Print every job's matches, in order. */
static void
matchers_drain(struct matchers *m)
{
	while (m && m->head < m->tail)
		matchers_pop(m);
}

/* [start, end) of a space, in chunks that overlap by the longest string. */
static void
search_range(struct search *s, enum vd_as as, uint64_t start, uint64_t end,
	     unsigned char *buf, size_t overlap)
{
	uint64_t psize = vd_session_page_size(s->cli->session);
	uint64_t addr = start;

	matchers_drain(s->m);      // their hits come first
	while (addr < end && !s->truncated) {
		size_t want = (size_t)VD_MIN(end - addr, (uint64_t)SEARCH_CHUNK), got = 0;
		struct vd_error *err = vd_session_read(s->cli->session, as, addr, buf, want, &got);

		if (got)
			scan(s, buf, got, addr, as == VD_AS_PHYS);
		if (err) {
			vd_error_destroy(err);
			// Skip the unreadable page, and in physical memory every
			// page after it the dump leaves out (a big machine's
			// excluded RAM is most of it).
			addr = ((addr + got) | (psize - 1)) + 1;
			if (as == VD_AS_PHYS && addr < end)
				addr = VD_MIN(VD_MAX(addr, vd_dump_next_data(vd_session_dump(s->cli->session),
										 addr)), end);
			vd_progress_update(&s->progress, s->progress_base + (addr - start));
			continue;
		}
		if (addr + got >= end)
			break;
		addr += got > overlap ? got - overlap : got;
		vd_progress_update(&s->progress, s->progress_base + (addr - start));
	}
	s->progress_base += end - start;
}

/*
 * [start, end) of physical memory through a scan (pages decoded on every
 * CPU), cut into the same chunks as search_range() reads: SEARCH_CHUNK
 * bytes overlapping by the longest string, a new chunk after each
 * unreadable run.  The chunks are matched on threads (struct matchers)
 * when the scan decodes on threads.
 */
static void
search_scan(struct search *s, uint64_t start, uint64_t end, unsigned char *buf,
	    size_t overlap)
{
	struct vd_scan_opts opts = { .skip_holes = true };
	struct vd_dump_scan *ds = NULL;
	struct vd_scan_piece p;
	struct vd_error *err;
	uint64_t base = start;
	size_t have = 0, kept = 0;     /* buf: [base, base + have), kept scanned */
	struct matchers *m;

	err = getenv("VMDIVE_NO_SCAN") ? &vd_noprobe :
	      vd_dump_scan_open(vd_session_dump(s->cli->session), start, end, &opts, &ds);
	if (err) {
		vd_error_destroy(err);
		search_range(s, VD_AS_PHYS, start, end, buf, overlap);
		return;
	}
	if (!s->m && vd_dump_scan_threads(ds) && !getenv("VMDIVE_SEARCH_INLINE"))
		s->m = matchers_new(s, vd_dump_scan_threads(ds));
	m = vd_dump_scan_threads(ds) ? s->m : NULL;
	if (m)
		buf = matchers_buf(m);
	else
		matchers_drain(s->m);
	// Matching: on the threads, or here.
#define CHUNK_DONE(b, n, at)							\
	do {									\
		if (m) {							\
			matchers_push(m, at, n);				\
			buf = matchers_buf(m);					\
		} else {							\
			scan(s, b, n, at, true);				\
		}								\
	} while (0)
	while (!s->truncated && vd_dump_scan_next(ds, &p)) {
		size_t off = 0;

		if (!p.data) {
			if (have > kept)
				CHUNK_DONE(buf, have, base);
			have = kept = 0;
			vd_progress_update(&s->progress, s->progress_base + (p.addr + p.len - start));
			continue;
		}
		if (!have)
			base = p.addr;
		while (off < p.len && !s->truncated) {
			size_t k = VD_MIN(p.len - off, (size_t)SEARCH_CHUNK - have), keep;
			unsigned char *full = buf;

			memcpy(buf + have, p.data + off, k);
			have += k;
			off += k;
			if (have < SEARCH_CHUNK)
				continue;
			keep = VD_MIN(overlap, have);
			CHUNK_DONE(full, have, base);
			// The next chunk starts with the last one's tail (a job's
			// buffer stays until its matches are printed).
			memmove(buf, full + have - keep, keep);
			base += have - keep;
			have = kept = keep;
			vd_progress_update(&s->progress, s->progress_base + (base - start));
		}
	}
	// The last chunk, unless it is only the overlap kept after a full
	// chunk that ended with the range (search_range stops there too).
	if (have > kept && !s->truncated)
		CHUNK_DONE(buf, have, base);
#undef CHUNK_DONE
	vd_dump_scan_close(ds);
	s->progress_base += end - start;
}

int
vd_cmd_search(struct vd_cli *cli)
{
	struct search s = { .cli = cli, .max = SEARCH_MAX_DEFAULT };
	const struct vd_dump_info *info = vd_session_info(cli->session);
	struct vd_expr_env env;
	struct vd_error *err;
	unsigned char *buf;
	uint64_t start = 0, end = UINT64_MAX;
	size_t overlap = 0;
	bool phys = cli->physical;

	s.width = cli->rd_width ? cli->rd_width : info->ptr_size ? info->ptr_size : 8;
	s.mask = s.width == 8 ? UINT64_MAX : (1ull << (8 * s.width)) - 1;
	s.be = info->big_endian;
	s.strings = cli->search_strings;
	if (info->kind != VD_DUMP_KERNEL) {
		vd_cli_error(cli, "search works on kernel dumps (a process core: use rd)");
		return VD_EXIT_USAGE;
	}
	if (cli->nargs > SEARCH_MAX_TERMS) {
		vd_cli_error(cli, "at most %d values at once", SEARCH_MAX_TERMS);
		return VD_EXIT_USAGE;
	}
	if (cli->search_mask) {
		uint64_t m;

		if (!vd_parse_u64(cli->search_mask, 16, &m)) {
			vd_cli_error(cli, "-m '%s': not a hex mask", cli->search_mask);
			return VD_EXIT_USAGE;
		}
		// crash: the mask's 1 bits are ignored.
		s.mask &= ~m;
	}
	if (cli->list_max && (!vd_parse_u64(cli->list_max, 0, &s.max) || !s.max)) {
		vd_cli_error(cli, "--max '%s': not a positive number", cli->list_max);
		return VD_EXIT_USAGE;
	}
	vd_cli_expr_env(cli, VD_EXPR_VALUE, &env);
	for (int i = 0; i < cli->nargs; i++) {
		struct term *t = &s.terms[s.nterms++];

		t->arg = cli->args[i];
		if (s.strings) {
			t->str = cli->args[i];
			t->len = strlen(t->str);
			if (!t->len) {
				vd_cli_error(cli, "an empty string");
				return VD_EXIT_USAGE;
			}
			overlap = VD_MAX(overlap, t->len - 1);
			continue;
		}
		// Values: hex as crash reads them, or an expression.
		if (!vd_cli_parse_addr(t->arg, &t->value)) {
			struct vd_value v;

			err = vd_expr_eval(cli->session, t->arg, &env, &v);
			if (!err)
				err = vd_value_read_u64(cli->session, &v, &t->value);
			if (err) {
				vd_cli_report(cli, vd_error_wrap(err, "'%s'", t->arg));
				return VD_EXIT_USAGE;
			}
		}
	}
	if ((cli->search_start && !vd_cli_addr(cli, cli->search_start, &start)) ||
	    (cli->end_arg && !vd_cli_addr(cli, cli->end_arg, &end)))
		return VD_EXIT_USAGE;
	if (cli->search_length) {
		uint64_t l;

		if (!vd_parse_u64(cli->search_length, 0, &l) || !l || start + l < start) {
			vd_cli_error(cli, "-l '%s': not a usable length", cli->search_length);
			return VD_EXIT_USAGE;
		}
		end = start + l;
	}
	if (end <= start) {
		vd_cli_error(cli, "-e 0x%" PRIx64 " is not after -s 0x%" PRIx64, end, start);
		return VD_EXIT_USAGE;
	}
	// -p reports physical addresses: translation only for the others.
	err = vd_session_xlat(cli->session, &s.xlat);
	if (err && !phys) {
		vd_cli_report(cli, err);
		return VD_EXIT_FAIL;
	}
	vd_error_destroy(err);
	buf = malloc(SEARCH_CHUNK);
	if (!buf)
		return VD_EXIT_FAIL;
	if (cli->json) {
		vd_json_begin_object(&cli->j);
		vd_json_kv_string(&cli->j, "space", phys ? "physical" : "kernel virtual");
		vd_json_kv_uint(&cli->j, "width", s.strings ? 0 : s.width);
		vd_json_key(&cli->j, "matches");
		vd_json_begin_array(&cli->j);
	}
	if (!phys && (cli->search_start || cli->end_arg || cli->search_length)) {
		// A kernel virtual range, through the page tables.
		if (end == UINT64_MAX || end - start > (64ull << 30)) {
			vd_cli_error(cli, "a kernel virtual range needs -e or -l, at most 64 GiB");
			free(buf);
			return VD_EXIT_USAGE;
		}
		search_range(&s, VD_AS_KVIRT, start, end, buf, overlap);
	} else {
		// All RAM the dump holds (in -s/-e when physical).
		const struct vd_mem_range *r;
		size_t n = vd_dump_ranges(vd_session_dump(cli->session), &r);

		uint64_t total = 0;

		s.phys_report = phys;
		for (size_t i = 0; i < n; i++) {
			uint64_t a = VD_MAX(r[i].start, start), b = VD_MIN(r[i].end, end);

			if (a < b && strcmp(r[i].kind, "absent"))
				total += b - a;
		}
		vd_progress_begin(&s.progress, "search", total);
		for (size_t i = 0; i < n && !s.truncated; i++) {
			uint64_t a = VD_MAX(r[i].start, start), b = VD_MIN(r[i].end, end);

			if (a < b && strcmp(r[i].kind, "absent"))
				search_scan(&s, a, b, buf, overlap);
		}
		matchers_drain(s.m);
		matchers_free(s.m);
		vd_progress_end(&s.progress);
	}
	free(buf);
	if (cli->json) {
		vd_json_end_array(&cli->j);
		vd_json_kv_uint(&cli->j, "count", s.nhits);
		vd_json_kv_bool(&cli->j, "truncated", s.truncated);
		vd_json_end_object(&cli->j);
	}
	if (s.truncated)
		vd_cli_error(cli, "stopped after %" PRIu64 " matches (--max)", s.max);
	return s.nhits ? VD_EXIT_OK : VD_EXIT_FAIL;
}
