// SPDX-License-Identifier: MIT
/*
 * mkdiskdump: write a synthetic kdump-compressed file (test-only).
 *
 *   mkdiskdump DESC OUT
 *
 * DESC is a text file (or "-" for stdin), one directive per line; blank
 * lines and lines starting with '#' are ignored.  Numbers are decimal or
 * 0x-hex.
 *
 * Header keys, `key = value`:
 *   version = 6              header_version 0..6 (sub-header fields by
 *                            version; v3 raw VMCOREINFO, v4+ ELF notes)
 *   signature = KDUMP        or DISKDUMP (legacy: no kdump sub header)
 *   compression = zlib       zlib | lzo | snappy | zstd | none
 *   block_size = 4096        also the page size
 *   max_mapnr = 0x100        default: highest page + 1
 *   dump_level = 31          bit 1 makes all-zero pages share one page
 *   status = 0x8             ORed into the status the compression sets
 *   arch = x86_64            x86_64 | aarch64: register layout and the
 *                            default utsname.machine
 *   machine = Unknown        utsname.machine (QEMU arm64 writes Unknown)
 *   endian = little          little | big
 *   sysname/nodename/release/uts_version/domainname = TEXT
 *   timestamp = SEC[.USEC]   phys_base = N   nr_cpus = N
 *   vmcoreinfo = K=V;K=V     ';' becomes a newline
 *   eraseinfo = TEXT         ';' becomes a newline (v5+)
 *   flatten = yes [shuffle] [overwrite-header]   makedumpfile -F layout
 *   flat_chunk = N           record size (default: varied, 1..3 blocks)
 *   split = K/N              write part K of an N-way split by PFN range
 *
 * CPUs (NT_PRSTATUS; v4+):  cpu pid=N [sig=N] [REG=VAL ...]
 *   REG is a pr_reg name (x86_64: r15 ... gs; aarch64: x0..x30 sp pc
 *   pstate); x86_64 cr0/cr2/cr3/cr4 add a QEMU CPU-state note.
 *
 * Pages:  page PFN SPEC...   or   pages FIRST-LAST SPEC... (inclusive)
 *   fill 0xaa | bytes "text" | u64 OFF VAL | pattern [SEED] | random
 *   [SEED] | zero | excluded (RAM not dumped) | lost (descriptor left
 *   zero, as in an incomplete dump) | raw (store uncompressed)
 *   Specs apply in order; later directives on a page add to earlier ones.
 *   Pages no directive names are holes (not RAM).
 *
 * Corruption:  corrupt KNOB
 *   signature | block_size=N | version=N | bitmap-short |
 *   bitmap-blocks-huge | desc-offset-past-eof | csize-gt-block |
 *   desc-size-zero | bad-decompress-length | note-past-eof | truncate=N |
 *   max_mapnr32=N (the header's 32-bit field only) |
 *   flat-negative-size | flat-no-end | flat-record-past-eof
 *
 * The file layout follows makedumpfile (docs/formats.md);
 * this writer keeps its own offsets so that a reader bug cannot hide in a
 * shared header.  Built with MKDD_NO_MAIN, the unit tests use it as a
 * library (mkdd_parse, mkdd_write, mkdd_page_content).
 */
#include <ctype.h>
#include <errno.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define MKDD_MAX_PAGES (1u << 24)
#define VD_MKDD_MIN(a, b) ((a) < (b) ? (a) : (b))
#define MKDD_MAX_DIRS 4                 /* directives per page */
#define MKDD_MAX_CPUS 4096              /* NT_PRSTATUS notes */

enum mkdd_comp { MKDD_NONE = 0, MKDD_ZLIB = 1, MKDD_LZO = 2,
		 MKDD_SNAPPY = 4, MKDD_ZSTD = 0x20 };

enum mkdd_op { OP_FILL, OP_BYTES, OP_U64, OP_PATTERN, OP_RANDOM, OP_ZERO,
	       OP_EXCLUDED, OP_LOST, OP_RAW };

struct mkdd_spec {
	enum mkdd_op op;
	uint64_t a, b;                  /* fill byte / seed / offset, value */
	char *bytes;
	size_t nbytes;
};

struct mkdd_dir {
	uint64_t first, last;
	struct mkdd_spec *specs;
	size_t nspecs;
};

struct mkdd_page {
	uint64_t pfn;
	uint32_t dirs[MKDD_MAX_DIRS];
	uint32_t ndirs;
	bool excluded, lost, raw;
};

struct mkdd_cpu {
	int32_t pid, sig;
	uint64_t regs[34];
	bool have_cr;
	uint64_t cr[5];
};

struct mkdd {
	int version;
	char signature[9];
	uint32_t comp;
	uint32_t block_size;
	uint64_t max_mapnr;
	int32_t dump_level;
	uint32_t status;
	bool aarch64, be;
	char uts[6][65];
	uint64_t tv_sec, tv_usec, phys_base;
	int32_t nr_cpus;
	char *vmcoreinfo, *eraseinfo;
	struct mkdd_cpu cpus[MKDD_MAX_CPUS];
	int ncpus;
	struct mkdd_dir *dirs;
	size_t ndirs;
	struct mkdd_page *pages;        /* sorted by pfn */
	size_t npages;
	bool flatten, shuffle, overwrite_header;
	uint64_t flat_chunk;
	int split_k, split_n;
	/* corruption knobs */
	bool c_signature, c_bitmap_short, c_bitmap_huge, c_desc_eof;
	bool c_csize, c_desc_size_zero, c_bad_len, c_note_eof;
	bool c_flat_neg, c_flat_no_end, c_flat_past_eof;
	int64_t c_block_size, c_version, c_truncate, c_max_mapnr32;
};

/*
 * A growable output buffer, or (fd >= 0) a shared mapping of the output
 * file sized once: bytes never written stay holes, so a bitmap of a
 * 16 TiB machine costs disk and memory only where bits are set.
 */
struct mkdd_buf {
	unsigned char *p;
	size_t len, cap;
	int fd;
};

static const char *const x86_regs[27] = {
	"r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8",
	"rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags",
	"rsp", "ss", "fs_base", "gs_base", "ds", "es", "fs", "gs",
};

static int mkdd_fail(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
mkdd_fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- byte order ---- */

static void
put32(unsigned char *p, uint32_t v, bool be)
{
	for (int i = 0; i < 4; i++)
		p[be ? 3 - i : i] = v >> (8 * i);
}

static void
put64(unsigned char *p, uint64_t v, bool be)
{
	for (int i = 0; i < 8; i++)
		p[be ? 7 - i : i] = v >> (8 * i);
}

static bool
buf_reserve(struct mkdd_buf *b, size_t len)
{
	if (len <= b->cap)
		return true;
	if (b->fd >= 0)
		return false;
	size_t cap = b->cap ? b->cap : 65536;
	while (cap < len)
		cap *= 2;
	unsigned char *p = realloc(b->p, cap);
	if (!p)
		return false;
	memset(p + b->cap, 0, cap - b->cap);
	b->p = p;
	b->cap = cap;
	return true;
}

/* Write data at off, growing (zero-filled) as needed. */
static bool
buf_put(struct mkdd_buf *b, size_t off, const void *data, size_t len)
{
	if (!buf_reserve(b, off + len))
		return false;
	memcpy(b->p + off, data, len);
	if (off + len > b->len)
		b->len = off + len;
	return true;
}

/* ---- page contents ---- */

static uint64_t
rng_next(uint64_t *s)
{
	/* splitmix64 */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * Memory-like data: per 64-byte line, zeros, a repeated word, small
 * counters or random bytes; compresses about 2:1 like kernel pages.
 */
static void
fill_pattern(unsigned char *buf, uint32_t len, uint64_t seed)
{
	uint64_t s = seed * 0x2545f4914f6cdd1dull + 1;

	for (uint32_t off = 0; off < len; off += 64) {
		uint64_t kind = rng_next(&s) % 4, word = rng_next(&s);

		for (uint32_t i = 0; i < 64 && off + i < len; i += 8) {
			uint64_t v = kind == 0 ? 0 : kind == 1 ? word :
				     kind == 2 ? (word & 0xffff) + i :
				     rng_next(&s);

			memcpy(buf + off + i, &v, VD_MKDD_MIN(8, len - off - i));
		}
	}
}

static void
fill_random(unsigned char *buf, uint32_t len, uint64_t seed)
{
	uint64_t s = seed ^ 0x5bd1e995;

	for (uint32_t i = 0; i < len; i += 8) {
		uint64_t v = rng_next(&s);

		memcpy(buf + i, &v, VD_MKDD_MIN(8, len - i));
	}
}

static void
apply_spec(const struct mkdd *m, const struct mkdd_spec *sp, uint64_t pfn,
	   unsigned char *buf)
{
	uint32_t bs = m->block_size;

	switch (sp->op) {
	case OP_FILL:
		memset(buf, (int)sp->a, bs);
		break;
	case OP_BYTES:
		memcpy(buf, sp->bytes, VD_MKDD_MIN(sp->nbytes, bs));
		break;
	case OP_U64:
		if (sp->a + 8 <= bs)
			put64(buf + sp->a, sp->b, m->be);
		break;
	case OP_PATTERN:
		fill_pattern(buf, bs, sp->a ^ (pfn * 0x9e3779b1));
		break;
	case OP_RANDOM:
		fill_random(buf, bs, sp->a ^ (pfn * 0x85ebca6b));
		break;
	case OP_ZERO:
		memset(buf, 0, bs);
		break;
	default:
		break;
	}
}

/* The bytes page p holds in memory (what a reader must return). */
static void
mkdd_page_content(const struct mkdd *m, const struct mkdd_page *p,
		  unsigned char *buf)
{
	memset(buf, 0, m->block_size);
	for (uint32_t i = 0; i < p->ndirs; i++) {
		const struct mkdd_dir *d = &m->dirs[p->dirs[i]];

		for (size_t j = 0; j < d->nspecs; j++)
			apply_spec(m, &d->specs[j], p->pfn, buf);
	}
}

/* The page entry for pfn, or NULL for a hole (used by the unit tests). */
__attribute__((unused)) static const struct mkdd_page *
mkdd_find_page(const struct mkdd *m, uint64_t pfn)
{
	size_t lo = 0, hi = m->npages;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->pages[mid].pfn < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->npages && m->pages[lo].pfn == pfn ? &m->pages[lo] : NULL;
}

/* ---- parsing ---- */

/* Split line into tokens; "quoted" with \n \t \\ \" \xNN escapes. */
static int
tokenize(char *line, char **tok, int max)
{
	int n = 0;
	char *p = line;

	while (*p && n < max) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		if (*p != '"') {
			tok[n++] = p;
			while (*p && !isspace((unsigned char)*p))
				p++;
			if (*p)
				*p++ = '\0';
			continue;
		}
		char *out = ++p;
		tok[n++] = out;
		while (*p && *p != '"') {
			if (*p == '\\' && p[1]) {
				p++;
				if (*p == 'n')
					*out++ = '\n';
				else if (*p == 't')
					*out++ = '\t';
				else if (*p == 'x' && isxdigit((unsigned char)p[1]) &&
					 isxdigit((unsigned char)p[2])) {
					char hex[3] = { p[1], p[2], 0 };
					*out++ = (char)strtoul(hex, NULL, 16);
					p += 2;
				} else
					*out++ = *p;
				p++;
			} else {
				*out++ = *p++;
			}
		}
		if (*p)
			p++;
		*out = '\0';
	}
	return n;
}

static bool
parse_num(const char *s, uint64_t *v)
{
	char *end;

	if (!s || !*s)
		return false;
	errno = 0;
	if (*s == '-')
		*v = (uint64_t)strtoll(s, &end, 0);
	else
		*v = strtoull(s, &end, 0);
	return !errno && !*end;
}

/* Copy a value, turning ';' into newlines (vmcoreinfo, eraseinfo). */
static char *
semi_lines(const char *v)
{
	size_t n = strlen(v), k = 0;
	char *s = malloc(n + 2);

	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++)
		s[k++] = v[i] == ';' ? '\n' : v[i];
	if (k && s[k - 1] != '\n')
		s[k++] = '\n';
	s[k] = '\0';
	return s;
}

static int
parse_comp(struct mkdd *m, const char *v)
{
	static const struct { const char *name; uint32_t flag; } names[] = {
		{ "none", MKDD_NONE }, { "zlib", MKDD_ZLIB },
		{ "lzo", MKDD_LZO }, { "snappy", MKDD_SNAPPY },
		{ "zstd", MKDD_ZSTD },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(v, names[i].name)) {
			m->comp = names[i].flag;
			return 0;
		}
	return -1;
}

static int
parse_flatten(struct mkdd *m, char *v)
{
	char *tok[8];
	int n = tokenize(v, tok, 8);

	m->flatten = n && !strcmp(tok[0], "yes");
	for (int i = 1; i < n; i++) {
		if (!strcmp(tok[i], "shuffle"))
			m->shuffle = true;
		else if (!strcmp(tok[i], "overwrite-header"))
			m->overwrite_header = true;
		else
			return -1;
	}
	return 0;
}

static char *
uts_field(struct mkdd *m, const char *key)
{
	static const char *const keys[] = { "sysname", "nodename", "release",
					    "uts_version", "machine",
					    "domainname" };

	for (int i = 0; i < 6; i++)
		if (!strcmp(key, keys[i]))
			return m->uts[i];
	return NULL;
}

static int
parse_numeric_key(struct mkdd *m, const char *k, const char *v)
{
	uint64_t n;

	if (!parse_num(v, &n))
		return -1;
	if (!strcmp(k, "version"))
		m->version = (int)n;
	else if (!strcmp(k, "block_size"))
		m->block_size = (uint32_t)n;
	else if (!strcmp(k, "max_mapnr"))
		m->max_mapnr = n;
	else if (!strcmp(k, "dump_level"))
		m->dump_level = (int32_t)n;
	else if (!strcmp(k, "status"))
		m->status = (uint32_t)n;
	else if (!strcmp(k, "phys_base"))
		m->phys_base = n;
	else if (!strcmp(k, "nr_cpus"))
		m->nr_cpus = (int32_t)n;
	else if (!strcmp(k, "flat_chunk"))
		m->flat_chunk = n;
	else
		return -2;
	return 0;
}

static int
parse_key(struct mkdd *m, const char *k, char *v)
{
	char *uts = uts_field(m, k);
	int r;

	if (uts) {
		snprintf(uts, 65, "%s", v);
		return 0;
	}
	if (!strcmp(k, "signature")) {
		snprintf(m->signature, sizeof(m->signature), "%-8s", v);
		return 0;
	}
	if (!strcmp(k, "compression"))
		return parse_comp(m, v);
	if (!strcmp(k, "arch")) {
		m->aarch64 = !strcmp(v, "aarch64") || !strcmp(v, "arm64");
		snprintf(m->uts[4], 65, "%s", v);
		return 0;
	}
	if (!strcmp(k, "endian")) {
		m->be = !strcmp(v, "big");
		return 0;
	}
	if (!strcmp(k, "timestamp")) {
		char *dot = strchr(v, '.');

		m->tv_usec = dot ? strtoull(dot + 1, NULL, 10) : 0;
		m->tv_sec = strtoull(v, NULL, 0);
		return 0;
	}
	if (!strcmp(k, "vmcoreinfo") || !strcmp(k, "eraseinfo")) {
		char **dst = k[0] == 'v' ? &m->vmcoreinfo : &m->eraseinfo;

		free(*dst);
		*dst = semi_lines(v);
		return *dst ? 0 : -1;
	}
	if (!strcmp(k, "flatten"))
		return parse_flatten(m, v);
	if (!strcmp(k, "split"))
		return sscanf(v, "%d/%d", &m->split_k, &m->split_n) == 2 &&
		       m->split_k >= 1 && m->split_k <= m->split_n ? 0 : -1;
	r = parse_numeric_key(m, k, v);
	return r;
}

static int
reg_index(const struct mkdd *m, const char *name)
{
	if (!m->aarch64) {
		for (int i = 0; i < 27; i++)
			if (!strcmp(name, x86_regs[i]))
				return i;
		return -1;
	}
	if (name[0] == 'x' && isdigit((unsigned char)name[1])) {
		int i = atoi(name + 1);

		return i <= 30 ? i : -1;
	}
	return !strcmp(name, "sp") ? 31 : !strcmp(name, "pc") ? 32 :
	       !strcmp(name, "pstate") ? 33 : -1;
}

static int
parse_cpu(struct mkdd *m, char **tok, int n, char *err, size_t errlen)
{
	struct mkdd_cpu *cpu;

	if (m->ncpus == MKDD_MAX_CPUS)
		return mkdd_fail(err, errlen, "more than %d cpus", MKDD_MAX_CPUS);
	cpu = &m->cpus[m->ncpus++];
	for (int i = 1; i < n; i++) {
		char *eq = strchr(tok[i], '=');
		uint64_t v;
		int r;

		if (!eq || !parse_num(eq + 1, &v))
			return mkdd_fail(err, errlen, "bad cpu field %s", tok[i]);
		*eq = '\0';
		if (!strcmp(tok[i], "pid"))
			cpu->pid = (int32_t)v;
		else if (!strcmp(tok[i], "sig"))
			cpu->sig = (int32_t)v;
		else if (!m->aarch64 && tok[i][0] == 'c' && tok[i][1] == 'r' &&
			 tok[i][2] >= '0' && tok[i][2] <= '4' && !tok[i][3]) {
			cpu->have_cr = true;
			cpu->cr[tok[i][2] - '0'] = v;
		} else if ((r = reg_index(m, tok[i])) >= 0)
			cpu->regs[r] = v;
		else
			return mkdd_fail(err, errlen, "unknown register %s",
					 tok[i]);
	}
	return 0;
}

static int
parse_spec(char **tok, int n, int *i, struct mkdd_spec *sp)
{
	static const struct { const char *name; enum mkdd_op op; int args; }
	ops[] = {
		{ "fill", OP_FILL, 1 }, { "bytes", OP_BYTES, -1 },
		{ "u64", OP_U64, 2 }, { "pattern", OP_PATTERN, 0 },
		{ "random", OP_RANDOM, 0 }, { "zero", OP_ZERO, 0 },
		{ "excluded", OP_EXCLUDED, 0 }, { "lost", OP_LOST, 0 },
		{ "raw", OP_RAW, 0 },
	};
	const char *w = tok[(*i)++];

	memset(sp, 0, sizeof(*sp));
	for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
		if (strcmp(w, ops[k].name))
			continue;
		sp->op = ops[k].op;
		if (ops[k].args == -1) {
			if (*i >= n)
				return -1;
			sp->nbytes = strlen(tok[*i]);
			sp->bytes = strdup(tok[(*i)++]);
			return sp->bytes ? 0 : -1;
		}
		if (ops[k].args >= 1 && (*i >= n || !parse_num(tok[(*i)++], &sp->a)))
			return -1;
		if (ops[k].args == 2 && (*i >= n || !parse_num(tok[(*i)++], &sp->b)))
			return -1;
		// pattern and random take an optional seed.
		if (!ops[k].args && (sp->op == OP_PATTERN || sp->op == OP_RANDOM) &&
		    *i < n && parse_num(tok[*i], &sp->a))
			(*i)++;
		return 0;
	}
	return -1;
}

static int
parse_page(struct mkdd *m, char **tok, int n, char *err, size_t errlen)
{
	struct mkdd_dir d = { 0 };
	void *p;
	int i = 2;

	if (n < 3)
		return mkdd_fail(err, errlen, "%s needs a PFN and a spec", tok[0]);
	if (!strcmp(tok[0], "pages")) {
		char *dash = strchr(tok[1], '-');

		if (!dash)
			return mkdd_fail(err, errlen, "pages needs FIRST-LAST");
		*dash = '\0';
		if (!parse_num(tok[1], &d.first) || !parse_num(dash + 1, &d.last) ||
		    d.last < d.first || d.last - d.first >= MKDD_MAX_PAGES)
			return mkdd_fail(err, errlen, "bad page range");
	} else if (!parse_num(tok[1], &d.first)) {
		return mkdd_fail(err, errlen, "bad PFN %s", tok[1]);
	} else {
		d.last = d.first;
	}
	d.specs = calloc(n, sizeof(*d.specs));
	if (!d.specs)
		return mkdd_fail(err, errlen, "out of memory");
	while (i < n)
		if (parse_spec(tok, n, &i, &d.specs[d.nspecs++]))
			return mkdd_fail(err, errlen, "bad page spec near %s",
					 tok[i - 1]);
	p = realloc(m->dirs, (m->ndirs + 1) * sizeof(*m->dirs));
	if (!p)
		return mkdd_fail(err, errlen, "out of memory");
	m->dirs = p;
	m->dirs[m->ndirs++] = d;
	return 0;
}

static int
parse_corrupt(struct mkdd *m, const char *k)
{
	static const struct { const char *name; size_t off; } flags[] = {
#define F(n, f) { n, offsetof(struct mkdd, f) }
		F("signature", c_signature), F("bitmap-short", c_bitmap_short),
		F("bitmap-blocks-huge", c_bitmap_huge),
		F("desc-offset-past-eof", c_desc_eof),
		F("csize-gt-block", c_csize), F("desc-size-zero", c_desc_size_zero),
		F("bad-decompress-length", c_bad_len),
		F("note-past-eof", c_note_eof),
		F("flat-negative-size", c_flat_neg),
		F("flat-no-end", c_flat_no_end),
		F("flat-record-past-eof", c_flat_past_eof),
#undef F
	};
	uint64_t v;

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (!strcmp(k, flags[i].name)) {
			*(bool *)((char *)m + flags[i].off) = true;
			return 0;
		}
	if (!strncmp(k, "block_size=", 11) && parse_num(k + 11, &v))
		m->c_block_size = (int64_t)v;
	else if (!strncmp(k, "version=", 8) && parse_num(k + 8, &v))
		m->c_version = (int64_t)v;
	else if (!strncmp(k, "truncate=", 9) && parse_num(k + 9, &v))
		m->c_truncate = (int64_t)v;
	else if (!strncmp(k, "max_mapnr32=", 12) && parse_num(k + 12, &v))
		m->c_max_mapnr32 = (int64_t)v;
	else
		return -1;
	return 0;
}

static int
parse_line(struct mkdd *m, char *line, char *err, size_t errlen)
{
	char *tok[64], *eq, *k;
	int n;

	while (isspace((unsigned char)*line))
		line++;
	if (!*line || *line == '#')
		return 0;
	k = line;
	if (!strncmp(k, "cpu ", 4) || !strncmp(k, "page ", 5) ||
	    !strncmp(k, "pages ", 6) || !strncmp(k, "corrupt ", 8)) {
		n = tokenize(line, tok, 64);
		if (!strcmp(tok[0], "cpu"))
			return parse_cpu(m, tok, n, err, errlen);
		if (!strcmp(tok[0], "corrupt"))
			return n == 2 && !parse_corrupt(m, tok[1]) ? 0 :
			       mkdd_fail(err, errlen, "bad corrupt knob");
		return parse_page(m, tok, n, err, errlen);
	}
	eq = strchr(line, '=');
	if (!eq)
		return mkdd_fail(err, errlen, "expected key = value: %s", line);
	*eq = '\0';
	for (char *e = eq; e > k && isspace((unsigned char)e[-1]); )
		*--e = '\0';
	eq++;
	while (isspace((unsigned char)*eq))
		eq++;
	for (char *e = eq + strlen(eq); e > eq && isspace((unsigned char)e[-1]); )
		*--e = '\0';
	if (parse_key(m, k, eq))
		return mkdd_fail(err, errlen, "bad value for %s: %s", k, eq);
	return 0;
}

struct page_ref {
	uint64_t pfn;
	uint32_t dir;
};

static int
ref_cmp(const void *a, const void *b)
{
	const struct page_ref *x = a, *y = b;

	if (x->pfn != y->pfn)
		return x->pfn < y->pfn ? -1 : 1;
	return x->dir < y->dir ? -1 : x->dir > y->dir;
}

static void
fold_dir(struct mkdd *m, struct mkdd_page *pg, uint32_t dir)
{
	const struct mkdd_dir *d = &m->dirs[dir];

	if (pg->ndirs < MKDD_MAX_DIRS)
		pg->dirs[pg->ndirs++] = dir;
	for (size_t j = 0; j < d->nspecs; j++) {
		if (d->specs[j].op == OP_EXCLUDED)
			pg->excluded = true, pg->lost = false;
		else if (d->specs[j].op == OP_LOST)
			pg->lost = true, pg->excluded = false;
		else if (d->specs[j].op == OP_RAW)
			pg->raw = true;
	}
}

/* Expand the page directives into one sorted entry per PFN. */
static int
build_pages(struct mkdd *m, char *err, size_t errlen)
{
	size_t n = 0, k = 0;
	struct page_ref *refs;

	for (size_t i = 0; i < m->ndirs; i++)
		n += m->dirs[i].last - m->dirs[i].first + 1;
	if (n > MKDD_MAX_PAGES)
		return mkdd_fail(err, errlen, "too many pages");
	refs = malloc((n ? n : 1) * sizeof(*refs));
	m->pages = calloc(n ? n : 1, sizeof(*m->pages));
	if (!refs || !m->pages) {
		free(refs);
		return mkdd_fail(err, errlen, "out of memory");
	}
	for (size_t i = 0; i < m->ndirs; i++)
		for (uint64_t p = m->dirs[i].first; p <= m->dirs[i].last; p++)
			refs[k++] = (struct page_ref){ p, (uint32_t)i };
	qsort(refs, n, sizeof(*refs), ref_cmp);
	for (size_t i = 0; i < n; i++) {
		if (!m->npages || m->pages[m->npages - 1].pfn != refs[i].pfn)
			m->pages[m->npages++].pfn = refs[i].pfn;
		fold_dir(m, &m->pages[m->npages - 1], refs[i].dir);
	}
	free(refs);
	return 0;
}

static void
mkdd_free(struct mkdd *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->ndirs; i++) {
		for (size_t j = 0; j < m->dirs[i].nspecs; j++)
			free(m->dirs[i].specs[j].bytes);
		free(m->dirs[i].specs);
	}
	free(m->dirs);
	free(m->pages);
	free(m->vmcoreinfo);
	free(m->eraseinfo);
	free(m);
}

/* Parse a description; NULL with err set on failure. */
static struct mkdd *
mkdd_parse(const char *text, char *err, size_t errlen)
{
	struct mkdd *m = calloc(1, sizeof(*m));
	char *copy = strdup(text), *line, *save;
	int lineno = 0;

	if (!m || !copy)
		goto fail;
	m->version = 6;
	strcpy(m->signature, "KDUMP   ");
	m->block_size = 4096;
	strcpy(m->uts[0], "Linux");
	strcpy(m->uts[4], "x86_64");
	m->c_block_size = m->c_version = m->c_truncate = -1;
	m->c_max_mapnr32 = -1;
	for (save = copy; (line = strsep(&save, "\n")); ) {
		char msg[200];

		lineno++;
		if (parse_line(m, line, msg, sizeof(msg))) {
			snprintf(err, errlen, "line %d: %s", lineno, msg);
			goto fail;
		}
	}
	if (build_pages(m, err, errlen))
		goto fail;
	if (!m->max_mapnr && m->npages)
		m->max_mapnr = m->pages[m->npages - 1].pfn + 1;
	free(copy);
	return m;
fail:
	free(copy);
	mkdd_free(m);
	return NULL;
}

/* ---- the kdump-compressed image ---- */

struct mkdd_layout {
	uint32_t bs, sub_blocks, bitmap_blocks;
	uint64_t bitmap_len;            /* bytes of one bitmap */
	uint64_t start_pfn, end_pfn;    /* this part */
	uint64_t desc_off, data_off, ndesc;
	uint64_t off_vmci, size_vmci, off_note, size_note;
	uint64_t off_erase, size_erase;
	int64_t csize_patch, desc_eof_patch;    /* descriptor indices */
	uint32_t max_mapnr_hdr;
	uint64_t max_mapnr_64;
};

static bool
note_add(struct mkdd_buf *b, bool be, const char *name, uint32_t type,
	 const void *desc, uint32_t descsz, uint64_t *desc_at)
{
	unsigned char hdr[12];
	uint32_t namesz = (uint32_t)strlen(name) + 1;
	size_t off = b->len;

	put32(hdr, namesz, be);
	put32(hdr + 4, descsz, be);
	put32(hdr + 8, type, be);
	if (!buf_put(b, off, hdr, 12) || !buf_put(b, off + 12, name, namesz))
		return false;
	off += 12 + ((namesz + 3) & ~3u);
	if (desc_at)
		*desc_at = off;
	if (!buf_put(b, off, desc, descsz))
		return false;
	b->len = off + ((descsz + 3) & ~3u);
	return buf_reserve(b, b->len);
}

/* NT_PRSTATUS per CPU, QEMU CPU-state notes, then VMCOREINFO. */
static bool
build_notes(const struct mkdd *m, struct mkdd_buf *b, uint64_t *vmci_at)
{
	uint32_t size = m->aarch64 ? 392 : 336, nregs = m->aarch64 ? 34 : 27;
	unsigned char desc[440];

	for (int i = 0; i < m->ncpus; i++) {
		const struct mkdd_cpu *c = &m->cpus[i];

		memset(desc, 0, sizeof(desc));
		desc[m->be ? 13 : 12] = (unsigned char)c->sig;  /* pr_cursig */
		put32(desc + 32, (uint32_t)c->pid, m->be);
		for (uint32_t r = 0; r < nregs; r++)
			put64(desc + 112 + 8 * r, c->regs[r], m->be);
		if (!note_add(b, m->be, "CORE", 1, desc, size, NULL))
			return false;
	}
	for (int i = 0; i < m->ncpus; i++) {
		if (!m->cpus[i].have_cr)
			continue;
		memset(desc, 0, sizeof(desc));
		put32(desc, 1, m->be);          /* QEMUCPUState version */
		put32(desc + 4, 440, m->be);
		for (int r = 0; r < 5; r++)
			put64(desc + 392 + 8 * r, m->cpus[i].cr[r], m->be);
		if (!note_add(b, m->be, "QEMU", 0, desc, 440, NULL))
			return false;
	}
	if (m->vmcoreinfo &&
	    !note_add(b, m->be, "VMCOREINFO", 0, m->vmcoreinfo,
		      (uint32_t)strlen(m->vmcoreinfo), vmci_at))
		return false;
	return true;
}

#define SUB_HDR_SIZE 104        /* sizeof(struct kdump_sub_header), 64-bit */

/* Sub-header payload (notes or raw VMCOREINFO), sizes, bitmaps, part. */
static bool
plan_layout(const struct mkdd *m, struct mkdd_layout *l, struct mkdd_buf *blob)
{
	uint64_t vmci_at = 0, bits = 8ull * m->block_size;
	bool kdump = !memcmp(m->signature, "KDUMP", 5);

	memset(l, 0, sizeof(*l));
	l->bs = m->block_size;
	l->csize_patch = l->desc_eof_patch = -1;
	if (kdump && m->version >= 4) {
		if (!build_notes(m, blob, &vmci_at))
			return false;
		l->off_note = l->bs + SUB_HDR_SIZE;
		l->size_note = blob->len;
		if (m->vmcoreinfo) {
			l->off_vmci = l->off_note + vmci_at;
			l->size_vmci = strlen(m->vmcoreinfo);
		}
	} else if (kdump && m->version == 3 && m->vmcoreinfo) {
		l->size_vmci = strlen(m->vmcoreinfo);
		l->off_vmci = l->bs + SUB_HDR_SIZE;
		if (!buf_put(blob, 0, m->vmcoreinfo, l->size_vmci))
			return false;
	}
	l->sub_blocks = (uint32_t)((SUB_HDR_SIZE + blob->len + l->bs - 1) / l->bs);
	l->bitmap_len = (m->max_mapnr + bits - 1) / bits * l->bs;
	l->bitmap_blocks = (uint32_t)(2 * l->bitmap_len / l->bs);
	l->start_pfn = 0;
	l->end_pfn = m->max_mapnr;
	if (m->split_n) {
		l->start_pfn = m->max_mapnr * (m->split_k - 1) / m->split_n;
		l->end_pfn = m->max_mapnr * m->split_k / m->split_n;
	}
	l->desc_off = (1ull + l->sub_blocks + l->bitmap_blocks) * l->bs;
	for (size_t i = 0; i < m->npages; i++)
		l->ndesc += !m->pages[i].excluded &&
			    m->pages[i].pfn >= l->start_pfn &&
			    m->pages[i].pfn < l->end_pfn;
	l->data_off = l->desc_off + l->ndesc * 24;
	l->max_mapnr_64 = m->max_mapnr;
	l->max_mapnr_hdr = m->max_mapnr > UINT32_MAX ? UINT32_MAX :
			   (uint32_t)m->max_mapnr;
	return true;
}

static bool
write_bitmaps(const struct mkdd *m, const struct mkdd_layout *l,
	      struct mkdd_buf *out)
{
	uint64_t off1 = (1ull + l->sub_blocks) * l->bs, off2 = off1 + l->bitmap_len;

	if (!buf_reserve(out, off2 + l->bitmap_len))
		return false;
	for (size_t i = 0; i < m->npages; i++) {
		uint64_t pfn = m->pages[i].pfn;

		out->p[off1 + pfn / 8] |= 1u << (pfn % 8);
		if (!m->pages[i].excluded)
			out->p[off2 + pfn / 8] |= 1u << (pfn % 8);
	}
	if (out->len < off2 + l->bitmap_len)
		out->len = off2 + l->bitmap_len;
	return true;
}

/* Compress one page as makedumpfile does; 0 when it would not shrink. */
static size_t
compress_page(uint32_t comp, const unsigned char *src, size_t len,
	      unsigned char *dst, size_t cap)
{
	static ZSTD_CCtx *cctx;
	static unsigned char wrk[LZO1X_1_MEM_COMPRESS];
	uLongf zl = cap;
	lzo_uint ll = cap;
	size_t sl = cap, r;

	switch (comp) {
	case MKDD_ZLIB:
		return compress2(dst, &zl, src, len, Z_BEST_SPEED) == Z_OK ? zl : 0;
	case MKDD_LZO:
		return lzo1x_1_compress(src, len, dst, &ll, wrk) == LZO_E_OK ? ll : 0;
	case MKDD_SNAPPY:
		return snappy_compress((const char *)src, len, (char *)dst, &sl) ==
		       SNAPPY_OK ? sl : 0;
	case MKDD_ZSTD:
		if (!cctx && !(cctx = ZSTD_createCCtx()))
			return 0;
		r = ZSTD_compressCCtx(cctx, dst, cap, src, len, 1);
		return ZSTD_isError(r) ? 0 : r;
	default:
		return 0;
	}
}

struct data_ctx {
	const struct mkdd *m;
	struct mkdd_layout *l;
	struct mkdd_buf *out;
	uint64_t cur, zero_off, idx;
	unsigned char *page, *cbuf;
	bool bad_len_done;
};

static bool
put_desc(struct data_ctx *c, uint64_t off, uint32_t size, uint32_t flags)
{
	unsigned char d[24] = { 0 };

	put64(d, off, c->m->be);
	put32(d + 8, size, c->m->be);
	put32(d + 12, flags, c->m->be);
	return buf_put(c->out, c->l->desc_off + 24 * c->idx++, d, 24);
}

static bool
is_zero(const unsigned char *p, size_t len)
{
	return !len || (!p[0] && !memcmp(p, p + 1, len - 1));
}

static bool
write_one_page(struct data_ctx *c, const struct mkdd_page *pg)
{
	const struct mkdd *m = c->m;
	uint32_t bs = m->block_size, size = bs, flags = 0;
	size_t clen = 0, in = bs;
	const unsigned char *src = c->page;

	if (pg->lost)
		return put_desc(c, 0, 0, 0);
	mkdd_page_content(m, pg, c->page);
	if ((m->dump_level & 1) && is_zero(c->page, bs))
		return put_desc(c, c->zero_off, bs, 0);
	if (m->c_bad_len && !c->bad_len_done && m->comp && !pg->raw) {
		in = bs / 2;            /* a valid stream of half a page */
		c->bad_len_done = true;
	}
	if (m->comp && !pg->raw)
		clen = compress_page(m->comp, c->page, in, c->cbuf, 2 * bs + 64);
	if (clen && clen < bs) {
		src = c->cbuf;
		size = (uint32_t)clen;
		flags = m->comp;
		if (c->l->csize_patch < 0)
			c->l->csize_patch = (int64_t)c->idx;
	}
	if (c->l->desc_eof_patch < 0)
		c->l->desc_eof_patch = (int64_t)c->idx;
	if (!buf_put(c->out, c->cur, src, size))
		return false;
	c->cur += size;
	return put_desc(c, c->cur - size, size, flags);
}

/* Descriptors and data; the shared zero page first (dump level bit 1). */
static bool
write_pages(const struct mkdd *m, struct mkdd_layout *l, struct mkdd_buf *out)
{
	struct data_ctx c = { m, l, out, l->data_off, 0, 0, NULL, NULL, false };
	bool ok = true;

	c.page = calloc(1, m->block_size);
	c.cbuf = malloc(2 * m->block_size + 64);
	if (!c.page || !c.cbuf)
		ok = false;
	if (ok && (m->dump_level & 1)) {
		c.zero_off = c.cur;
		ok = buf_put(out, c.cur, c.page, m->block_size);
		c.cur += m->block_size;
	}
	for (size_t i = 0; ok && i < m->npages; i++) {
		const struct mkdd_page *pg = &m->pages[i];

		if (pg->excluded || pg->pfn < l->start_pfn || pg->pfn >= l->end_pfn)
			continue;
		ok = write_one_page(&c, pg);
	}
	if (ok && out->len < c.cur)
		ok = buf_reserve(out, c.cur), out->len = c.cur;
	free(c.page);
	free(c.cbuf);
	return ok;
}

/* struct disk_dump_header, 64-bit: laid out field by field. */
static void
write_header(const struct mkdd *m, const struct mkdd_layout *l,
	     unsigned char *h)
{
	bool be = m->be;
	size_t p = 0;
	uint32_t u32s[10];

	memcpy(h, m->c_signature ? "XDUMP   " : m->signature, 8);
	put32(h + 8, (uint32_t)(m->c_version >= 0 ? m->c_version : m->version),
	      be);
	p = 12;
	for (int i = 0; i < 6; i++, p += 65)
		memcpy(h + p, m->uts[i], 65);
	p = (p + 7) & ~(size_t)7;        /* struct timeval is 8-aligned */
	put64(h + p, m->tv_sec, be);
	put64(h + p + 8, m->tv_usec, be);
	p += 16;
	u32s[0] = m->comp | m->status;
	u32s[1] = m->c_block_size >= 0 ? (uint32_t)m->c_block_size : l->bs;
	u32s[2] = l->sub_blocks;
	u32s[3] = m->c_bitmap_huge ? 0x7ffffffe : l->bitmap_blocks;
	u32s[4] = m->c_max_mapnr32 >= 0 ? (uint32_t)m->c_max_mapnr32 :
		  l->max_mapnr_hdr;
	u32s[5] = u32s[6] = u32s[7] = 0;        /* ram, device, written */
	u32s[8] = 0;                            /* current_cpu */
	u32s[9] = (uint32_t)(m->nr_cpus ? m->nr_cpus :
			     m->ncpus ? m->ncpus : 1);
	for (int i = 0; i < 10; i++, p += 4)
		put32(h + p, u32s[i], be);
}

/* struct kdump_sub_header: only the fields the version defines. */
static void
write_sub_header(const struct mkdd *m, const struct mkdd_layout *l,
		 unsigned char *s)
{
	bool be = m->be;
	int v = m->version;

	put64(s, m->phys_base, be);
	put32(s + 8, (uint32_t)m->dump_level, be);
	if (v >= 2 && m->split_n) {
		put32(s + 12, 1, be);
		put64(s + 16, l->start_pfn, be);
		put64(s + 24, l->end_pfn, be);
	}
	if (v >= 3) {
		put64(s + 32, l->off_vmci, be);
		put64(s + 40, l->size_vmci, be);
	}
	if (v >= 4) {
		put64(s + 48, l->off_note, be);
		put64(s + 56, l->size_note, be);
	}
	if (v >= 5) {
		put64(s + 64, l->off_erase, be);
		put64(s + 72, l->size_erase, be);
	}
	if (v >= 6) {
		if (m->split_n) {
			put64(s + 80, l->start_pfn, be);
			put64(s + 88, l->end_pfn, be);
		}
		put64(s + 96, l->max_mapnr_64, be);
	}
}

static void
patch_desc(const struct mkdd *m, const struct mkdd_layout *l,
	   struct mkdd_buf *out, int64_t idx, int field, uint64_t v)
{
	unsigned char *d;

	if (idx < 0)
		return;
	d = out->p + l->desc_off + 24 * (uint64_t)idx;
	if (field == 0)
		put64(d, v, m->be);
	else
		put32(d + 8, (uint32_t)v, m->be);
}

static void
apply_corruptions(const struct mkdd *m, struct mkdd_layout *l,
		  struct mkdd_buf *out)
{
	if (m->c_bitmap_short) {
		// One PFN more than one bitmap covers.
		l->max_mapnr_64 = l->bitmap_len * 8 + 1;
		l->max_mapnr_hdr = (uint32_t)l->max_mapnr_64;
	}
	if (m->c_note_eof)
		l->off_note = out->len + 0x1000;
	if (m->c_desc_eof)
		patch_desc(m, l, out, l->desc_eof_patch, 0, out->len + 0x10000);
	if (m->c_csize)
		patch_desc(m, l, out, l->csize_patch, 1, l->bs + 1);
	if (m->c_desc_size_zero)
		patch_desc(m, l, out, l->csize_patch, 1, 0);
}

/*
 * For a file-backed buffer: size the file for the largest image this
 * layout can make (every page stored raw) and map it shared.  Untouched
 * blocks stay holes; the caller truncates to out->len.
 */
static bool
map_output(const struct mkdd *m, const struct mkdd_layout *l, size_t blob,
	   struct mkdd_buf *out)
{
	uint64_t bound;
	void *p;

	if (out->fd < 0)
		return true;
	bound = l->data_off + (l->ndesc + 1) * (uint64_t)l->bs + blob +
		(m->eraseinfo ? strlen(m->eraseinfo) : 0) + 2ull * l->bs +
		(1u << 21) + 4096;
	if (bound > SIZE_MAX || ftruncate(out->fd, (off_t)bound))
		return false;
	p = mmap(NULL, (size_t)bound, PROT_READ | PROT_WRITE, MAP_SHARED,
		 out->fd, 0);
	if (p == MAP_FAILED)
		return false;
	out->p = p;
	out->cap = (size_t)bound;
	return true;
}

static bool
build_image(const struct mkdd *m, struct mkdd_buf *out)
{
	struct mkdd_layout l;
	struct mkdd_buf blob = { .fd = -1 };
	bool ok;

	ok = plan_layout(m, &l, &blob) && map_output(m, &l, blob.len, out) &&
	     (!blob.len || buf_put(out, l.bs + SUB_HDR_SIZE, blob.p, blob.len)) &&
	     write_bitmaps(m, &l, out) && write_pages(m, &l, out);
	free(blob.p);
	if (ok && m->eraseinfo && m->version >= 5) {
		l.off_erase = out->len;
		l.size_erase = strlen(m->eraseinfo);
		ok = buf_put(out, out->len, m->eraseinfo, l.size_erase);
	}
	if (!ok || !buf_reserve(out, VD_MKDD_MIN(2 * (size_t)l.bs, 1 << 21) + 512))
		return false;
	apply_corruptions(m, &l, out);
	write_header(m, &l, out->p);
	if (!memcmp(m->signature, "KDUMP", 5) && m->version >= 1)
		write_sub_header(m, &l, out->p + l.bs);
	return true;
}

/* ---- flattened output (makedumpfile -F) ---- */

struct flat_rec {
	uint64_t off, len;
	int fill;                       /* -1: real data, else garbage byte */
};

static bool
flat_emit(FILE *f, const struct mkdd_buf *img, const struct flat_rec *r,
	  int64_t size_override)
{
	unsigned char h[16];
	static unsigned char junk[4096];

	put64(h, r->off, true);
	put64(h + 8, size_override ? (uint64_t)size_override : r->len, true);
	if (fwrite(h, 16, 1, f) != 1)
		return false;
	if (r->fill < 0)
		return fwrite(img->p + r->off, 1, r->len, f) == r->len;
	memset(junk, r->fill, sizeof(junk));
	for (uint64_t done = 0; done < r->len; ) {
		size_t n = VD_MKDD_MIN(sizeof(junk), r->len - done);

		if (fwrite(junk, 1, n, f) != n)
			return false;
		done += n;
	}
	return true;
}

/* Real records: chunks of the image, all-zero ones left out as holes. */
static struct flat_rec *
flat_chunks(const struct mkdd *m, const struct mkdd_buf *img, size_t *n_ret)
{
	uint64_t seed = 42, off = 0;
	size_t n = 0, cap = 1024;
	struct flat_rec *r = malloc(cap * sizeof(*r));

	while (r && off < img->len) {
		uint64_t len = m->flat_chunk ? m->flat_chunk :
			       1 + rng_next(&seed) % (3 * m->block_size);

		len = VD_MKDD_MIN(len, img->len - off);
		if (off + len < img->len && is_zero(img->p + off, len)) {
			off += len;
			continue;
		}
		if (n == cap) {
			struct flat_rec *p = realloc(r, 2 * cap * sizeof(*r));

			if (!p) {
				free(r);
				return NULL;
			}
			r = p;
			cap *= 2;
		}
		r[n++] = (struct flat_rec){ off, len, -1 };
		off += len;
	}
	if (r && m->shuffle) {
		for (size_t i = n; i > 1; i--) {
			size_t j = rng_next(&seed) % i;
			struct flat_rec t = r[i - 1];

			r[i - 1] = r[j];
			r[j] = t;
		}
	}
	*n_ret = n;
	return r;
}

static bool
write_flat(const struct mkdd *m, const struct mkdd_buf *img, FILE *f)
{
	unsigned char hdr[4096] = "makedumpfile";
	uint64_t bs = m->block_size;
	struct flat_rec junk[2] = { { 0, VD_MKDD_MIN(2 * bs, img->len), 0xee },
				    { bs / 2, VD_MKDD_MIN(3 * bs, img->len - bs / 2), 0xdd } };
	struct flat_rec dup = { bs, VD_MKDD_MIN(bs, img->len - bs), -1 };
	size_t n = 0;
	struct flat_rec *recs = flat_chunks(m, img, &n);
	bool ok = recs != NULL;

	put64(hdr + 16, 1, true);
	put64(hdr + 24, 1, true);
	ok = ok && fwrite(hdr, sizeof(hdr), 1, f) == 1;
	if (ok && m->c_flat_neg)
		ok = flat_emit(f, img, &junk[0], -5);
	// Garbage first: the real records written later must win.
	for (int i = 0; ok && m->overwrite_header && i < 2; i++)
		ok = flat_emit(f, img, &junk[i], 0);
	for (size_t i = 0; ok && i < n; i++)
		ok = flat_emit(f, img, &recs[i], m->c_flat_past_eof && i + 1 == n ?
			       (int64_t)(recs[i].len + 0x10000) : 0);
	if (ok && m->overwrite_header && !m->c_flat_past_eof)
		ok = flat_emit(f, img, &dup, 0);
	if (ok && !m->c_flat_no_end && !m->c_flat_past_eof) {
		memset(hdr, 0xff, 16);
		ok = fwrite(hdr, 16, 1, f) == 1;
	}
	free(recs);
	return ok;
}

static int
check_desc(const struct mkdd *m, char *err, size_t errlen)
{
	if (m->block_size < 512 || (m->block_size & (m->block_size - 1)))
		return mkdd_fail(err, errlen, "block_size %u is not a power of two >= 512",
				 m->block_size);
	if (m->version < 0 || m->version > 6)
		return mkdd_fail(err, errlen, "version %d is not 0..6", m->version);
	if (!m->max_mapnr)
		return mkdd_fail(err, errlen, "no pages and no max_mapnr");
	if (m->npages && m->pages[m->npages - 1].pfn >= m->max_mapnr)
		return mkdd_fail(err, errlen, "page 0x%llx beyond max_mapnr",
				 (unsigned long long)m->pages[m->npages - 1].pfn);
	return 0;
}

/* Write the file m describes to path; -1 with err set on failure. */
static int
mkdd_write(const struct mkdd *m, const char *path, char *err, size_t errlen)
{
	struct mkdd_buf img = { .fd = -1 };
	FILE *f, *tmp = NULL;
	bool ok;

	if (check_desc(m, err, errlen))
		return -1;
	f = fopen(path, "w+b");
	if (!f)
		return mkdd_fail(err, errlen, "%s: %s", path, strerror(errno));
	// The image is built in a mapped file: in the output itself, or in
	// an unlinked temporary file that the flattened records are cut from.
	if (m->flatten)
		tmp = tmpfile();
	img.fd = fileno(m->flatten ? tmp : f);
	if ((m->flatten && !tmp) || !build_image(m, &img)) {
		if (img.p)
			munmap(img.p, img.cap);
		if (tmp)
			fclose(tmp);
		fclose(f);
		return mkdd_fail(err, errlen, "cannot build the image (out of memory or disk)");
	}
	ok = true;
	if (m->flatten)
		ok = write_flat(m, &img, f);
	munmap(img.p, img.cap);
	if (tmp)
		fclose(tmp);
	else
		ok = ftruncate(fileno(f), (off_t)img.len) == 0;
	ok = fflush(f) == 0 && ok;
	if (ok && m->c_truncate >= 0)
		ok = ftruncate(fileno(f), m->c_truncate) == 0;
	ok = fclose(f) == 0 && ok;
	return ok ? 0 : mkdd_fail(err, errlen, "%s: write failed", path);
}

#ifndef MKDD_NO_MAIN
static char *
read_all(FILE *f)
{
	size_t len = 0, cap = 4096;
	char *s = malloc(cap);

	while (s) {
		size_t n = fread(s + len, 1, cap - len - 1, f);

		len += n;
		if (len + 1 < cap)
			break;
		char *p = realloc(s, cap *= 2);
		if (!p)
			free(s);
		s = p;
	}
	if (s)
		s[len] = '\0';
	return s;
}

int
main(int argc, char **argv)
{
	char err[256];
	struct mkdd *m;
	FILE *f;
	char *text;

	if (argc != 3) {
		fprintf(stderr, "usage: mkdiskdump DESC OUT\n");
		return 2;
	}
	f = strcmp(argv[1], "-") ? fopen(argv[1], "r") : stdin;
	if (!f) {
		fprintf(stderr, "mkdiskdump: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	text = read_all(f);
	if (f != stdin)
		fclose(f);
	m = text ? mkdd_parse(text, err, sizeof(err)) : NULL;
	free(text);
	if (!m || mkdd_write(m, argv[2], err, sizeof(err))) {
		fprintf(stderr, "mkdiskdump: %s: %s\n", argv[1], err);
		mkdd_free(m);
		return 1;
	}
	mkdd_free(m);
	return 0;
}
#endif
