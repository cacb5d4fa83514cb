// SPDX-License-Identifier: MIT
/* vmdive rd: read memory as hex+ASCII, or raw bytes into a file. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "common/util.h"
#include "vmdive/memory.h"

/* Reading more than this at once is a mistake, not a dump of memory. */
#define RD_MAX_LEN (1ull << 40)
#define RD_CHUNK (1u << 20)
/* --json without -o carries the bytes as hex: up to this many per address. */
#define RD_JSON_MAX (64u << 10)

struct rd_state {
	struct vd_cli *cli;
	enum vd_as as;
	FILE *file;            /* -o */
	bool sparse;           /* file is a regular file: holes are seeked over */
	unsigned char *keep;   /* --json without -o: the bytes of [base, base + len) */
	uint64_t base;
	uint64_t line_addr;    /* hex dump: pending partial line */
	unsigned char line[16];
	unsigned line_len;
	unsigned width;        /* -8/-16/-32/-64/-s: bytes per value; 0: hex bytes */
	bool symbolic;         /* -s */
	unsigned slab;         /* -S 1, -SS 2: slab objects named by their cache */
	struct vd_kmem *kmem;  /* with slab */
	struct vd_xlat *xlat;
	bool be;               /* the dump's byte order */
	bool any_error;        /* of this address */
	uint64_t nholes, hole_bytes;
	char why[256];         /* why the first unreadable range is */
	struct vd_progress progress;    /* -o FILE: bytes of this address done */
};

static void
hex_line(uint64_t addr, const unsigned char *p, unsigned n)
{
	printf("%016" PRIx64 ":  ", addr);
	for (unsigned i = 0; i < 16; i++) {
		if (i < n)
			printf("%02x ", p[i]);
		else
			printf("   ");
		if (i == 7)
			putchar(' ');
	}
	putchar(' ');
	for (unsigned i = 0; i < n; i++)
		putchar(p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.');
	putchar('\n');
}

/*
 * What rd -s/-S prints for a value instead of its hex: the kernel symbol
 * that contains it (no module name, as crash), else with -S a value in a
 * slab object of the direct map as "[cache]" (-SS "[VALUE:cache]", as
 * crash's rd -SS).  "" when neither.
 */
static void
value_label(struct rd_state *st, uint64_t v, char *buf, size_t len)
{
	struct vd_kmem_addr *a;
	const struct vd_region *reg;
	struct vd_error *err;

	vd_cli_symbolize(st->cli, v, buf, len);
	buf[strcspn(buf, " ")] = '\0';     // crash names no module here
	if (*buf || !st->slab || !st->kmem)
		return;
	reg = st->xlat ? vd_xlat_region(st->xlat, v) : NULL;
	if (!reg || reg->kind != VD_REGION_DIRECTMAP)
		return;
	a = malloc(sizeof(*a));
	if (!a)
		return;
	err = vd_kmem_identify(st->kmem, v, a);
	if (!err && a->kind == VD_ADDR_SLAB) {
		if (st->slab > 1)
			snprintf(buf, len, "[%" PRIx64 ":%s]", v, a->cache.name);
		else
			snprintf(buf, len, "[%s]", a->cache.name);
	}
	vd_error_destroy(err);
	free(a);
}

/* crash's rd -16/-32/-64 (values, then the ASCII) and -s (symbols, no ASCII). */
static void
value_line(struct rd_state *st, uint64_t addr, const unsigned char *p, unsigned n)
{
	unsigned w = st->width, nvals = n / w, col = 0;

	printf("%016" PRIx64 ":  ", addr);
	for (unsigned i = 0; i < nvals; i++) {
		uint64_t v = 0;
		char sym[256];

		for (unsigned k = 0; k < w; k++)
			v |= (uint64_t)p[i * w + k] << (8 * (st->be ? w - 1 - k : k));
		if (st->symbolic) {
			value_label(st, v, sym, sizeof(sym));
			if (*sym)
				col += (unsigned)printf("%-16s ", sym);
			else
				col += (unsigned)printf("%016" PRIx64 " ", v);
			continue;
		}
		col += (unsigned)printf("%0*" PRIx64 " ", (int)(2 * w), v);
	}
	if (st->symbolic) {
		putchar('\n');
		return;
	}
	// The ASCII column where a full line's would start.
	printf("%*s  ", (int)((16 / w) * (2 * w + 1) - col), "");
	for (unsigned i = 0; i < n; i++)
		putchar(p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.');
	putchar('\n');
}

static void
flush_line(struct rd_state *st)
{
	if (st->line_len && st->width)
		value_line(st, st->line_addr, st->line, st->line_len);
	else if (st->line_len)
		hex_line(st->line_addr, st->line, st->line_len);
	st->line_len = 0;
}

/* Feed readable bytes to the output. */
static int
emit_bytes(struct rd_state *st, uint64_t addr, const unsigned char *p, size_t n)
{
	if (st->keep) {
		memcpy(st->keep + (addr - st->base), p, n);
		return 0;
	}
	if (st->file) {
		if (fwrite(p, 1, n, st->file) != n)
			return -1;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (st->line_len && st->line_addr + st->line_len != addr + i)
			flush_line(st);
		if (!st->line_len)
			st->line_addr = addr + i;
		st->line[st->line_len++] = p[i];
		if (st->line_len == 16)
			flush_line(st);
	}
	return 0;
}

/* After this many unreadable ranges, only count them. */
#define RD_MAX_HOLE_LINES 16

/*
 * Report [addr, addr + n) unreadable; files get zeros to keep offsets: a
 * hole in a regular file (an excluded terabyte costs no disk), written
 * zeros into a pipe.
 */
static int
emit_hole(struct rd_state *st, uint64_t addr, uint64_t n, const char *why)
{
	static const unsigned char zeros[4096];

	if (!st->any_error)
		snprintf(st->why, sizeof(st->why), "%s", why);
	st->any_error = true;
	st->nholes++;
	st->hole_bytes += n;
	if (st->keep)          /* reported in the JSON; the buffer holds zeros */
		return 0;
	if (st->nholes <= RD_MAX_HOLE_LINES) {
		if (!st->file) {
			flush_line(st);
			printf("%016" PRIx64 ":  <%" PRIu64 " bytes unreadable: %s>\n",
			       addr, n, why);
		} else {
			vd_cli_error(st->cli, "%s 0x%" PRIx64 "-0x%" PRIx64 " unreadable, written as zeros: %s",
				     vd_as_name(st->as), addr, addr + n - 1, why);
		}
	}
	if (st->file && st->sparse)
		return fseeko(st->file, (off_t)n, SEEK_CUR) ? -1 : 0;
	while (st->file && n) {
		size_t k = (size_t)VD_MIN(n, sizeof(zeros));

		if (fwrite(zeros, 1, k, st->file) != k)
			return -1;
		n -= k;
	}
	return 0;
}

/*
 * Read [addr, addr + len) in chunks; on a failure skip to the next page
 * boundary.  Consecutive failures of the same kind (not mapped, not in
 * the dump, excluded) merge into one range named by the first message.
 */
static int
rd_range(struct rd_state *st, uint64_t addr, uint64_t len, unsigned char *buf)
{
	uint64_t psize = vd_session_page_size(st->cli->session);
	uint64_t end = addr + len, hole_start = 0, hole_len = 0;
	enum vd_error_code hole_code = 0;
	char hole_why[512] = "";
	uint64_t start = addr;

	while (addr < end) {
		vd_progress_update(&st->progress, addr - start);
		size_t want = (size_t)VD_MIN(end - addr, (uint64_t)RD_CHUNK), got = 0;
		struct vd_error *err = vd_cli_read(st->cli, st->as, addr, buf,
						   want, &got);
		uint64_t skip;

		if (got && hole_len) {
			if (emit_hole(st, hole_start, hole_len, hole_why))
				return -1;
			hole_len = 0;
		}
		if (got && emit_bytes(st, addr, buf, got))
			return -1;
		addr += got;
		if (!err)
			continue;
		skip = VD_MIN((addr | (psize - 1)) + 1, end) - addr;
		if (hole_len && hole_code != err->code) {
			if (emit_hole(st, hole_start, hole_len, hole_why))
				return -1;
			hole_len = 0;
		}
		if (!hole_len) {
			hole_start = addr;
			hole_code = err->code;
			snprintf(hole_why, sizeof(hole_why), "%s", err->msg);
		}
		hole_len += skip;
		addr += skip;
		vd_error_destroy(err);
	}
	if (hole_len && emit_hole(st, hole_start, hole_len, hole_why))
		return -1;
	return 0;
}

/*
 * rd -p -o FILE of a range this long goes through a scan (pages decoded on
 * every CPU): the same bytes and unreadable ranges as rd_range().
 */
#define RD_SCAN_MIN (4u << 20)

/*
 * Unreadable bytes met in order, merged as rd_range() merges them: a run
 * of failures of one kind is one range, named by its first message.
 */
struct rd_holes {
	uint64_t start, len;
	enum vd_error_code code;
	char why[512];
};

static int
holes_flush(struct rd_state *st, struct rd_holes *h)
{
	int r = h->len ? emit_hole(st, h->start, h->len, h->why) : 0;

	h->len = 0;
	return r;
}

/* [addr, addr + n) unreadable with err's code; msg names it (printf). */
static int __attribute__((format(printf, 6, 7)))
holes_add(struct rd_state *st, struct rd_holes *h, uint64_t addr, uint64_t n,
	  enum vd_error_code code, const char *fmt, ...)
{
	va_list ap;

	if (h->len && h->code != code && holes_flush(st, h))
		return -1;
	if (!h->len) {
		h->start = addr;
		h->code = code;
		va_start(ap, fmt);
		vsnprintf(h->why, sizeof(h->why), fmt, ap);
		va_end(ap);
	}
	h->len += n;
	return 0;
}

static int
rd_scan(struct rd_state *st, uint64_t addr, uint64_t len, unsigned char *buf)
{
	struct vd_dump_scan *scan = NULL;
	struct vd_scan_piece p;
	struct rd_holes h = { 0 };
	struct vd_error *err;
	int r = 0;

	err = vd_dump_scan_open(vd_session_dump(st->cli->session), addr, addr + len, NULL,
				&scan);
	if (err) {
		vd_error_destroy(err);
		return rd_range(st, addr, len, buf);
	}
	while (!r && vd_dump_scan_next(scan, &p)) {
		vd_progress_update(&st->progress, p.addr - addr);
		if (p.data)
			r = holes_flush(st, &h) || emit_bytes(st, p.addr, p.data, p.len) ? -1 : 0;
		else
			r = holes_add(st, &h, p.addr, p.len, p.err->code, "%s", p.err->msg);
	}
	vd_dump_scan_close(scan);
	return r || holes_flush(st, &h) ? -1 : 0;
}

/*
 * rd -o FILE of a long kernel virtual range: translated first, a window
 * at a time, into the physical runs it maps (one per physically
 * contiguous stretch), which one scan reads in the range's order; what
 * does not translate is unreadable with the translation's error, page by
 * page as rd_range() tries it.  The same bytes, unreadable ranges and
 * messages as rd_range() reading through read_kvirt().
 */
#define RD_KVIRT_RUNS 4096

struct kv_run {
	uint64_t va, pa, len;
	struct vd_error *err;   /* not translated: [va, va + len) */
};

static int
rd_kvirt_window(struct rd_state *st, const struct kv_run *runs, size_t n,
		const struct vd_scan_range *ranges, size_t nranges,
		struct rd_holes *h, uint64_t start)
{
	struct vd_dump_scan *scan = NULL;
	struct vd_scan_piece p;
	struct vd_error *err;
	int r = 0;

	err = vd_dump_scan_open_ranges(vd_session_dump(st->cli->session), ranges, nranges,
				       NULL, &scan);
	if (err)
		return -2;      // nothing done: the caller reads page by page
	for (size_t i = 0; !r && i < n; i++) {
		const struct kv_run *k = &runs[i];
		uint64_t done = 0;

		if (k->err) {
			r = holes_add(st, h, k->va, k->len, k->err->code, "%s", k->err->msg);
			continue;
		}
		while (!r && done < k->len && vd_dump_scan_next(scan, &p)) {
			uint64_t va = k->va + (p.addr - k->pa);

			vd_progress_update(&st->progress, va - start);
			if (p.data)
				r = holes_flush(st, h) || emit_bytes(st, va, p.data, p.len) ? -1 : 0;
			else
				r = holes_add(st, h, va, p.len, p.err->code,
					      "kernel virtual 0x%llx -> physical 0x%llx: %s",
					      (unsigned long long)va, (unsigned long long)p.addr,
					      p.err->msg);
			done += p.len;
		}
	}
	vd_dump_scan_close(scan);
	return r;
}

static int
rd_kvirt_scan(struct rd_state *st, uint64_t addr, uint64_t len, unsigned char *buf)
{
	uint64_t psize = vd_session_page_size(st->cli->session);
	uint64_t va = addr, end = addr + len;
	struct kv_run *runs = malloc(RD_KVIRT_RUNS * sizeof(*runs));
	struct vd_scan_range *ranges = malloc(RD_KVIRT_RUNS * sizeof(*ranges));
	struct rd_holes h = { 0 };
	struct vd_xlat *xlat;
	struct vd_error *err = NULL;
	int r = 0;

	if (!runs || !ranges || (err = vd_session_xlat(st->cli->session, &xlat))) {
		vd_error_destroy(err);
		free(runs);
		free(ranges);
		return rd_range(st, addr, len, buf);
	}
	while (!r && va < end) {
		uint64_t wstart = va;
		size_t n = 0, nranges = 0;

		while (va < end && n < RD_KVIRT_RUNS) {
			struct kv_run *last = n ? &runs[n - 1] : NULL;
			uint64_t pa, msize, step;

			err = vd_xlat_translate(xlat, va, &pa, &msize);
			if (err) {
				// As rd_range: the next try at the next page.
				step = VD_MIN((va | (psize - 1)) + 1, end) - va;
				if (last && last->err && last->err->code == err->code) {
					vd_error_destroy(err);
					last->len += step;
				} else {
					runs[n++] = (struct kv_run){ .va = va, .len = step, .err = err };
				}
				va += step;
				continue;
			}
			step = VD_MIN(msize - (va & (msize - 1)), end - va);
			if (last && !last->err && last->pa + last->len == pa) {
				last->len += step;
				ranges[nranges - 1].end += step;
			} else {
				runs[n++] = (struct kv_run){ .va = va, .pa = pa, .len = step };
				ranges[nranges++] = (struct vd_scan_range){ pa, pa + step };
			}
			va += step;
		}
		r = rd_kvirt_window(st, runs, n, ranges, nranges, &h, addr);
		for (size_t i = 0; i < n; i++)
			vd_error_destroy(runs[i].err);
		if (r == -2) {
			// The scan could not start: this window page by page.
			r = holes_flush(st, &h) || rd_range(st, wstart, va - wstart, buf) ? -1 : 0;
		}
	}
	free(runs);
	free(ranges);
	return r || holes_flush(st, &h) ? -1 : 0;
}

static bool
parse_len(const char *s, uint64_t *ret)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return vd_parse_u64(s, 16, ret);
	return vd_parse_u64(s, 10, ret);
}

/* One address: read, print or write, and describe it in the JSON. */
static int
rd_one(struct rd_state *st, uint64_t addr, uint64_t len, unsigned char *buf)
{
	struct vd_cli *cli = st->cli;
	int r;

	st->base = addr;
	st->line_len = 0;
	st->any_error = false;
	st->nholes = st->hole_bytes = 0;
	st->why[0] = '\0';
	memset(&cli->core_rd, 0, sizeof(cli->core_rd));
	if (st->keep)
		memset(st->keep, 0, (size_t)len);
	// Only when the bytes go to a file: a hex dump on the terminal
	// shows its own progress.
	if (st->file && st->file != stdout)
		vd_progress_begin(&st->progress, "rd", len);
	if (st->file && len >= RD_SCAN_MIN && addr + len > addr && !getenv("VMDIVE_NO_SCAN") &&
	    st->as == VD_AS_PHYS)
		r = rd_scan(st, addr, len, buf);
	else if (st->file && len >= RD_SCAN_MIN && addr + len > addr &&
		 !getenv("VMDIVE_NO_SCAN") && st->as == VD_AS_KVIRT)
		r = rd_kvirt_scan(st, addr, len, buf);
	else
		r = rd_range(st, addr, len, buf);
	vd_progress_end(&st->progress);
	flush_line(st);
	vd_cli_core_rd_report(cli);
	if (st->nholes > RD_MAX_HOLE_LINES && !st->keep)
		vd_cli_error(cli, "%" PRIu64 " unreadable ranges in all (%" PRIu64 " bytes); the first %d are shown",
			     st->nholes, st->hole_bytes, RD_MAX_HOLE_LINES);
	if (!cli->json)
		return r;
	vd_json_begin_object(&cli->j);
	vd_json_kv_hex(&cli->j, "addr", addr);
	vd_json_kv_string(&cli->j, "space", vd_as_name(st->as));
	vd_json_kv_uint(&cli->j, "length", len);
	vd_json_kv_string(&cli->j, "output", cli->output);
	vd_json_kv_bool(&cli->j, "complete", !st->any_error);
	vd_json_kv_uint(&cli->j, "unreadable_ranges", st->nholes);
	vd_json_kv_uint(&cli->j, "unreadable_bytes", st->hole_bytes);
	vd_json_kv_string(&cli->j, "error", st->any_error ? st->why : NULL);
	if (st->keep) {
		// Unreadable bytes read as zeros here; "complete" tells.
		static const char digits[] = "0123456789abcdef";
		char *hex = (char *)buf;   /* RD_CHUNK >= 2 * RD_JSON_MAX + 1 */

		for (uint64_t i = 0; i < len; i++) {
			hex[2 * i] = digits[st->keep[i] >> 4];
			hex[2 * i + 1] = digits[st->keep[i] & 15];
		}
		hex[2 * len] = '\0';
		vd_json_kv_string(&cli->j, "hex", hex);
		if (st->width) {
			vd_json_kv_uint(&cli->j, "width", st->width);
			vd_json_key(&cli->j, "values");
			vd_json_begin_array(&cli->j);
			for (uint64_t i = 0; i + st->width <= len; i += st->width) {
				uint64_t v = 0;

				for (unsigned k = 0; k < st->width; k++)
					v |= (uint64_t)st->keep[i + k] <<
					     (8 * (st->be ? st->width - 1 - k : k));
				vd_json_hex(&cli->j, v);
			}
			vd_json_end_array(&cli->j);
			if (st->symbolic) {
				// -s/-S: what the text shows for each value, null for none.
				vd_json_key(&cli->j, "symbols");
				vd_json_begin_array(&cli->j);
				for (uint64_t i = 0; i + 8 <= len; i += 8) {
					char sym[256];
					uint64_t v = 0;

					for (unsigned k = 0; k < 8; k++)
						v |= (uint64_t)st->keep[i + k] <<
						     (8 * (st->be ? 7 - k : k));
					value_label(st, v, sym, sizeof(sym));
					vd_json_string(&cli->j, *sym ? sym : NULL);
				}
				vd_json_end_array(&cli->j);
			}
		}
	}
	vd_cli_core_rd_json(cli);
	vd_json_end_object(&cli->j);
	return r;
}

/* rd -a: the string at addr, 60 characters a line, up to NUL or max bytes. */
static int
rd_ascii(struct rd_state *st, uint64_t addr, uint64_t max)
{
	struct vd_cli *cli = st->cli;
	unsigned char buf[256];
	char line[61];
	unsigned n = 0;
	uint64_t done = 0, line_addr = addr;
	bool nul = false;

	while (done < max && !nul) {
		size_t want = (size_t)VD_MIN(max - done, sizeof(buf)), got = 0;
		struct vd_error *err = vd_cli_read(cli, st->as, addr + done, buf, want, &got);

		for (size_t i = 0; i < got && !nul; i++) {
			if (!buf[i]) {
				nul = true;
				break;
			}
			if (buf[i] == '\n')      // crash shows none for a newline
				continue;
			line[n++] = buf[i] >= 0x20 && buf[i] < 0x7f ? (char)buf[i] : '.';
			if (n == 60) {
				printf("%016" PRIx64 ":  %.*s\n", line_addr, (int)n, line);
				line_addr += n;
				n = 0;
			}
		}
		done += got;
		if (err) {
			if (n)
				printf("%016" PRIx64 ":  %.*s\n", line_addr, (int)n, line);
			n = 0;
			printf("%016" PRIx64 ":  <unreadable: %s>\n", addr + done, err->msg);
			vd_error_destroy(err);
			st->any_error = true;
			return 0;
		}
	}
	if (n)
		printf("%016" PRIx64 ":  %.*s\n", line_addr, (int)n, line);
	return 0;
}

/*
 * rd DUMP ADDR [LEN], or with --len LEN every argument an address (one
 * process for thousands of reads: a JSON array, hex dumps one after the
 * other, or the bytes back to back in the -o file).
 */
int
vd_cmd_rd(struct vd_cli *cli)
{
	struct rd_state st = { .cli = cli };
	uint64_t len = 64, *addrs;
	int naddrs = cli->len ? cli->nargs : 1, r = 0;
	unsigned char *buf;
	bool any_error = false;

	st.as = cli->physical ? VD_AS_PHYS :
		vd_session_info(cli->session)->kind == VD_DUMP_USER || cli->upid ? VD_AS_UVIRT :
		VD_AS_KVIRT;
	if (cli->upid && (r = vd_cli_utask_open(cli)))   // rd -u PID
		return r;
	st.be = vd_session_info(cli->session)->big_endian;
	st.width = cli->symbolic ? 8 : cli->rd_width;
	st.symbolic = cli->symbolic;
	st.slab = cli->rd_slab;
	if (st.slab && (cli->physical || cli->upid ||
			vd_session_info(cli->session)->kind != VD_DUMP_KERNEL)) {
		vd_cli_error(cli, "-S names slab objects of a kernel dump's kernel memory "
			     "(not with -p or -u)");
		return VD_EXIT_USAGE;
	}
	if ((cli->rd_width || cli->symbolic || cli->ascii || cli->end_arg) && cli->len) {
		vd_cli_error(cli, "-n/--len reads bytes at several addresses; it does not take "
			     "-8/-16/-32/-64/-s/-a/-e");
		return VD_EXIT_USAGE;
	}
	if ((cli->rd_width || cli->symbolic || cli->ascii) && !cli->len) {
		// crash's forms: COUNT values of the width (default 1); -a: bytes.
		uint64_t count = cli->ascii ? 4096 : 1, w = cli->symbolic ? 8 :
				 cli->rd_width ? cli->rd_width : 1;

		if (cli->nargs > 1 && (!parse_len(cli->args[1], &count) || !count ||
				       count > RD_MAX_LEN / w)) {
			vd_cli_error(cli, "'%s' is not a usable count", cli->args[1]);
			return VD_EXIT_USAGE;
		}
		len = cli->ascii ? count : count * w;
		if (cli->nargs > 2) {
			vd_cli_error(cli, "unexpected argument '%s'", cli->args[2]);
			return VD_EXIT_USAGE;
		}
		if (cli->ascii && (cli->output || cli->json)) {
			vd_cli_error(cli, "-a prints text; it takes neither -o nor --json");
			return VD_EXIT_USAGE;
		}
	} else if (cli->len ? !parse_len(cli->len, &len) || !len || len > RD_MAX_LEN :
	    cli->nargs > 1 && (!parse_len(cli->args[1], &len) || !len || len > RD_MAX_LEN)) {
		vd_cli_error(cli, "'%s' is not a usable length", cli->len ? cli->len : cli->args[1]);
		return VD_EXIT_USAGE;
	}
	if (cli->end_arg) {
		uint64_t start, end;

		if (cli->nargs > 1) {
			vd_cli_error(cli, "-e END and a length: give one of them");
			return VD_EXIT_USAGE;
		}
		if (!vd_cli_addr(cli, cli->args[0], &start) || !vd_cli_addr(cli, cli->end_arg, &end))
			return VD_EXIT_USAGE;
		if (end <= start || end - start > RD_MAX_LEN) {
			vd_cli_error(cli, "-e 0x%" PRIx64 " is not after 0x%" PRIx64, end, start);
			return VD_EXIT_USAGE;
		}
		len = end - start;
		if (st.width && len % st.width)
			len += st.width - len % st.width;
	}
	if (!cli->len && cli->nargs > 2) {
		vd_cli_error(cli, "unexpected argument '%s' (several addresses: --len LEN ADDR...)",
			     cli->args[2]);
		return VD_EXIT_USAGE;
	}
	if (cli->json && !cli->output && len > RD_JSON_MAX) {
		vd_cli_error(cli, "--json without -o FILE carries at most %u bytes per address",
			     RD_JSON_MAX);
		return VD_EXIT_USAGE;
	}
	addrs = calloc((size_t)naddrs, sizeof(*addrs));
	if (!addrs) {
		vd_cli_error(cli, "out of memory");
		return VD_EXIT_FAIL;
	}
	for (int i = 0; i < naddrs; i++) {
		if (!vd_cli_addr(cli, cli->args[i], &addrs[i])) {
			free(addrs);
			return VD_EXIT_USAGE;
		}
		if (addrs[i] + len - 1 < addrs[i]) {
			vd_cli_error(cli, "0x%" PRIx64 " + %" PRIu64 " bytes wraps around the address space",
				     addrs[i], len);
			free(addrs);
			return VD_EXIT_USAGE;
		}
	}
	if (cli->output && !strcmp(cli->output, "-")) {
		if (cli->json) {
			vd_cli_error(cli, "-o - writes the bytes to stdout; --json cannot share it");
			free(addrs);
			return VD_EXIT_USAGE;
		}
		st.file = stdout;
	} else if (cli->output) {
		struct stat sb;

		st.file = fopen(cli->output, "wbe");
		if (!st.file) {
			vd_cli_error(cli, "%s: cannot create: %s", cli->output, strerror(errno));
			free(addrs);
			return VD_EXIT_FAIL;
		}
		st.sparse = !fstat(fileno(st.file), &sb) && S_ISREG(sb.st_mode);
	}
	buf = malloc(RD_CHUNK);
	if (cli->json && !cli->output)
		st.keep = malloc(RD_JSON_MAX);
	if (!buf || (cli->json && !cli->output && !st.keep)) {
		if (st.file && st.file != stdout)
			fclose(st.file);
		free(buf);
		free(st.keep);
		free(addrs);
		vd_cli_error(cli, "out of memory");
		return VD_EXIT_FAIL;
	}
	if (st.slab) {
		struct vd_error *err = vd_session_xlat(cli->session, &st.xlat);

		// Without slab information -S is -s: say why once.
		if (!err)
			err = vd_kmem_open(cli->session, &st.kmem);
		if (err) {
			vd_cli_report(cli, vd_error_wrap(err, "rd -S: no slab cache names"));
			st.kmem = NULL;
		}
	}
	if (cli->json && cli->len)
		vd_json_begin_array(&cli->j);
	for (int i = 0; i < naddrs && !r; i++) {
		if (i && !cli->json && !st.file)
			putchar('\n');
		if (cli->ascii) {
			st.any_error = false;
			r = rd_ascii(&st, addrs[i], len);
		} else {
			r = rd_one(&st, addrs[i], len, buf);
		}
		any_error |= st.any_error;
	}
	if (cli->json && cli->len)
		vd_json_end_array(&cli->j);
	free(buf);
	free(st.keep);
	free(addrs);
	vd_kmem_close(st.kmem);
	// A hole at the end exists only once the file is that long.
	if (!r && st.sparse && (fflush(st.file) || ftruncate(fileno(st.file), ftello(st.file))))
		r = -1;
	if (st.file == stdout ? fflush(stdout) != 0 : st.file && fclose(st.file) != 0)
		r = -1;
	if (r) {
		vd_cli_error(cli, "%s: write failed: %s", cli->output ? cli->output : "stdout",
			     strerror(errno));
		return VD_EXIT_FAIL;
	}
	return any_error ? VD_EXIT_FAIL : VD_EXIT_OK;
}
