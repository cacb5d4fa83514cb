// SPDX-License-Identifier: MIT
/*
 * Kernel data symbols found in the kernel image when no symbol table names
 * them: the one scan of the image.
 *
 * A kernel built without CONFIG_KALLSYMS_ALL (Debian's arm64 kernels)
 * keeps only text symbols in kallsyms, and VMCOREINFO names only a few
 * variables: without a vmlinux there is no __start_BTF (so no types),
 * init_task or modules.  The kernel image itself holds all three, and each
 * is recognizable with certainty once found:
 * - the .BTF blob starts with struct btf_header (magic 0xeB9F, version 1,
 *   hdr_len 24, type section first, strings right after it);
 * - init_task is the task whose comm is "swapper/0" (init_idle() names
 *   it), with pid 0, whose tasks list is consistent;
 * - `modules` is a list_head in the image whose nodes are struct module
 *   lists in module memory and whose walk comes back to it;
 * - `btf_modules` (kernel/bpf/btf.c, the modules' BTF) is a list_head in
 *   the image whose nodes (kmalloc'ed struct btf_module) each name a
 *   loaded module and a struct btf called as that module is.
 * One pass over the mapped pages of the image (this file) finds the BTF
 * blob and collects candidates for the others, which need the kernel's
 * types to be recognized: walkers/scan_lists.c checks them, asked through
 * the session's typed_symbol hook.  Only asked for when every symbol table
 * lacks the name.
 *
 * The scan reads the whole image (~55 ms on an arm64 6.1 kernel, 6x a bare
 * `info`), so it comes last.  First, what an earlier session found (the
 * cache per kernel build-id, offsets from _stext); then the addresses the
 * code of a few text symbols, which kallsyms does name, forms
 * (vd_scan_code_refs(): btf_parse_vmlinux() loads __start_BTF,
 * show_state_filter() walks from &init_task, find_module_all() and
 * print_modules() walk `modules`, btf_module_notify() `btf_modules`):
 * a few KiB read instead of the image.  Every address from either source
 * is checked the way the scan checks a candidate (a BTF header; the task,
 * list or module checks of walkers/scan_lists.c), and the image is
 * scanned only when no address passes.  What the code or the scan found
 * is kept in the cache for the next session.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coderefs/coderefs.h"
#include "common/cache.h"
#include "common/util.h"
#include "symbols_priv.h"
#include "vmdive/walk.h"

#define SCAN_MAX (256ull << 20)       /* a kernel image is far smaller */
#define CHUNK (1u << 20)
#define BTF_MIN (64u << 10)
#define BTF_MAX (256u << 20)
#define LIST_CANDIDATES_MAX 100000
#define SCAN_CACHE_KIND "imagescan"
#define SCAN_CACHE_VERSION 1
#define CODE_MAX 4096                 /* bytes of one function decoded */
#define CODE_REFS_MAX 512

/* The cache's one section: offsets from _stext, 0 for not found. */
struct scan_cache {
	uint64_t btf, btf_size, init_task, modules, btf_modules;
};

static void
scan_destroy(struct vd_scan *p)
{
	if (!p)
		return;
	vd_error_destroy(p->err);
	free(p->comm_hits);
	free(p->lists);
	free(p->dlists);
	free(p);
}

static bool
push(uint64_t **v, size_t *n, uint64_t x)
{
	uint64_t *q;

	if (*n >= LIST_CANDIDATES_MAX)
		return false;
	if (!(*n & (*n + 1)) || !*v) {
		q = realloc(*v, (2 * *n + 2) * sizeof(*q));
		if (!q)
			return false;
		*v = q;
	}
	(*v)[(*n)++] = x;
	return true;
}

/* The kernel image: the KTEXT region that holds _stext, bounded. */
static struct vd_error *
image_range(struct vd_session *s, struct vd_xlat *xlat, struct vd_scan *p)
{
	const struct vd_region *r;
	uint64_t stext;

	if (!vd_session_number(s, "SYMBOL(_stext)", &stext))
		return vd_error_create(VD_ERR_LOOKUP, "VMCOREINFO has no SYMBOL(_stext)");
	r = vd_xlat_region(xlat, stext);
	p->img_start = stext & ~0xfffffull;
	p->img_end = r && r->kind == VD_REGION_KTEXT ? r->end + 1 : p->img_start + SCAN_MAX;
	if (p->img_end - p->img_start > SCAN_MAX)
		p->img_end = p->img_start + SCAN_MAX;
	return NULL;
}

/* Where a pointer out of the image goes: module space, the direct map, or neither. */
enum { SPACE_NONE, SPACE_MODULE, SPACE_DIRECT };

static int
space_of(struct vd_xlat *xlat, const struct vd_scan *p, uint64_t v)
{
	const struct vd_region *r;

	if (!vd_walk_kptr_ok(v) || (v >= p->img_start && v < p->img_end))
		return SPACE_NONE;
	r = vd_xlat_region(xlat, v);
	if (r && (r->kind == VD_REGION_MODULES || r->kind == VD_REGION_VMALLOC))
		return SPACE_MODULE;
	return r && r->kind == VD_REGION_DIRECTMAP ? SPACE_DIRECT : SPACE_NONE;
}

/* A struct btf_header (include/uapi/linux/btf.h) of vmlinux-like shape. */
static uint64_t
btf_size_at(const unsigned char *b)
{
	uint32_t type_off = vd_get32(b + 8, false), type_len = vd_get32(b + 12, false);
	uint32_t str_off = vd_get32(b + 16, false), str_len = vd_get32(b + 20, false);
	uint64_t total = 24ull + str_off + str_len;

	if (vd_get16(b, false) != 0xeb9f || b[2] != 1 || vd_get32(b + 4, false) != 24 ||
	    type_off || str_off != type_len || total < BTF_MIN || total > BTF_MAX)
		return 0;
	return total;
}

static void
scan_chunk(struct vd_scan *p, struct vd_xlat *xlat, uint64_t va,
	   const unsigned char *b, size_t n)
{
	static const char comm[] = "swapper/0";

	for (size_t i = 0; i + 24 <= n; i += 4) {
		uint64_t size;

		if (b[i] == 0x9f && b[i + 1] == 0xeb && (size = btf_size_at(b + i)) &&
		    size > p->btf_stop - p->btf_start) {
			p->btf_start = va + i;
			p->btf_stop = va + i + size;
		}
		if (b[i] == 's' && !memcmp(b + i, comm, sizeof(comm)))
			push(&p->comm_hits, &p->ncomm, va + i);
		if (!(i & 7)) {
			int next = space_of(xlat, p, vd_get64(b + i, false));

			if (next != SPACE_NONE && space_of(xlat, p, vd_get64(b + i + 8, false)) == next)
				push(next == SPACE_MODULE ? &p->lists : &p->dlists,
				     next == SPACE_MODULE ? &p->nlists : &p->ndlists, va + i);
		}
	}
}

/*
 * Where the unreadable part at va ends: the span of the page-table entry
 * the translation of va stopped at (not present, corrupt, or pointing to
 * a table the dump lacks: every address under that entry fails alike),
 * else (translated: the page itself is missing) the 4 KiB page.  0: the
 * span reaches the end of the address space.
 */
static uint64_t
unreadable_end(struct vd_xlat *xlat, uint64_t va)
{
	struct vd_xlat_walk w = { 0 };
	struct vd_error *err = vd_xlat_walk(xlat, 0, va, &w);
	uint64_t mask = 4095;

	if (err && w.nsteps && w.nsteps <= VD_ARRAY_SIZE(w.steps) &&
	    w.steps[w.nsteps - 1].va_shift > 12 && w.steps[w.nsteps - 1].va_shift < 64)
		mask = (1ull << w.steps[w.nsteps - 1].va_shift) - 1;
	vd_error_destroy(err);
	return (va | mask) + 1;
}

static struct vd_error *
scan(struct vd_session *s, struct vd_scan *p)
{
	unsigned char *buf;
	struct vd_xlat *xlat;
	struct vd_error *err;

	if ((err = vd_session_xlat(s, &xlat)) || (err = image_range(s, xlat, p)))
		return err;
	buf = malloc(CHUNK + 64);
	if (!buf)
		return &vd_enomem;
	// Chunks overlap by 64 bytes so that nothing straddles unseen;
	// unmapped parts (the image has holes) are skipped a page-table
	// entry's span at a time: a page at a time, a sparse or hostile
	// image made 65536 failed reads of a 256 MiB range.
	for (uint64_t va = p->img_start, next; va < p->img_end; va = next) {
		size_t want = (size_t)VD_MIN((uint64_t)CHUNK + 64, p->img_end - va), done = 0;

		next = va + CHUNK;
		while (done < want) {
			size_t got = 0;
			uint64_t end;

			err = vd_session_read(s, VD_AS_KVIRT, va + done, buf + done,
					      want - done, &got);
			vd_error_destroy(err);
			if (got)
				scan_chunk(p, xlat, va + done, buf + done, got);
			done += got;
			if (!err)
				continue;
			end = unreadable_end(xlat, va + done);
			if (!end || end >= p->img_end) {
				next = p->img_end;
				break;
			}
			if (end - va >= want) {
				next = VD_MAX(next, end);
				break;
			}
			done = (size_t)(end - va);
		}
	}
	free(buf);
	return NULL;
}

/* An address kept as an offset from _stext, for this dump; 0 for none. */
static uint64_t
unrel(uint64_t stext, uint64_t rel)
{
	return rel && stext + rel > stext ? stext + rel : 0;
}

static uint64_t
rel(uint64_t stext, uint64_t addr)
{
	return addr > stext ? addr - stext : 0;
}

static void
load_hints(struct vd_session *s, struct vd_scan *p)
{
	const char *key = vd_session_cache_key(s);
	struct vd_cache_file f = { 0 };
	const struct scan_cache *c;
	uint64_t stext;
	size_t n;

	if (!s->cache_dir || !key || !vd_session_number(s, "SYMBOL(_stext)", &stext) ||
	    !vd_cache_open(s->cache_dir, SCAN_CACHE_KIND, SCAN_CACHE_VERSION, key, &f, NULL))
		return;
	if ((c = vd_cache_get(&f, 1, &n)) && n == sizeof(*c)) {
		p->hint_btf_start = unrel(stext, c->btf);
		if (p->hint_btf_start && c->btf_size >= BTF_MIN && c->btf_size <= BTF_MAX)
			p->hint_btf_stop = p->hint_btf_start + c->btf_size;
		else
			p->hint_btf_start = 0;
		p->hint_init_task = unrel(stext, c->init_task);
		p->hint_modules = unrel(stext, c->modules);
		p->hint_btf_modules = unrel(stext, c->btf_modules);
	}
	vd_cache_close(&f);
}

struct vd_scan *
vd_scan_state(struct vd_session *s)
{
	if (!s->scan) {
		if (!(s->scan = calloc(1, sizeof(*s->scan))))
			return NULL;
		load_hints(s, s->scan);
	}
	return s->scan;
}

/*
 * The scan, made once on first use.  It reads through translation and
 * VMCOREINFO only, so nothing it calls asks for symbols again.
 */
struct vd_scan *
vd_scan_get(struct vd_session *s)
{
	struct vd_scan *p = vd_scan_state(s);

	if (p && !p->scanned) {
		p->scanned = true;
		p->err = scan(s, p);
	}
	return p;
}

/*
 * The addresses the code of the text symbols funcs (NULL-terminated) forms,
 * and the pointers it loads from 8-byte slots (a weak symbol's address is
 * loaded from a literal), that lie in the kernel image: candidates for a
 * variable kallsyms does not name.  arm64 only (coderefs/); at most max,
 * without repeats.
 */
size_t
vd_scan_code_refs(struct vd_session *s, const char *const *funcs, uint64_t *out, size_t max)
{
	const struct vd_dump_info *info = vd_session_info(s);
	struct vd_ksyms *ks = s->have_symtab ? NULL : vd_session_ksyms(s);
	struct vd_coderef *refs;
	struct vd_scan img = { 0 };
	struct vd_xlat *xlat;
	unsigned char *code;
	size_t n = 0;

	if (!info || info->arch != VD_ARCH_AARCH64 || !ks ||
	    !vd_ok(vd_session_xlat(s, &xlat)) || !vd_ok(image_range(s, xlat, &img)))
		return 0;
	code = malloc(CODE_MAX);
	refs = malloc(CODE_REFS_MAX * sizeof(*refs));
	for (size_t f = 0; code && refs && funcs[f]; f++) {
		struct vd_ksym k;
		size_t len = CODE_MAX, got = 0, nrefs;

		// A text symbol inside the image; its size is a guess (the next
		// symbol's start), the read stops where the memory does.
		if (!vd_ksyms_by_name(ks, funcs[f], &k) || !strchr("tT", k.type) ||
		    k.addr < img.img_start || k.addr >= img.img_end)
			continue;
		if (k.size && k.size < len)
			len = (size_t)k.size;
		vd_error_destroy(vd_session_read(s, VD_AS_KVIRT, k.addr, code, len, &got));
		nrefs = vd_coderefs_aarch64(code, got, k.addr, refs, CODE_REFS_MAX);
		for (size_t i = 0; i < nrefs && n < max; i++) {
			uint64_t c[2] = { refs[i].addr, 0 };
			unsigned char slot[8];

			// The pointer in the slot (arm64 kernels are little-endian).
			if (refs[i].load64 &&
			    vd_ok(vd_session_read(s, VD_AS_KVIRT, refs[i].addr, slot, 8, NULL)))
				c[1] = vd_get64(slot, false);
			for (size_t j = 0; j < 2 && n < max; j++) {
				bool seen = false;

				if (c[j] < img.img_start || c[j] >= img.img_end)
					continue;
				for (size_t m = 0; m < n && !seen; m++)
					seen = out[m] == c[j];
				if (!seen)
					out[n++] = c[j];
			}
		}
	}
	free(code);
	free(refs);
	return n;
}

/* The BTF blob loaded by the code that parses or exports it. */
static void
btf_from_code(struct vd_session *s, struct vd_scan *p)
{
	// kernel/bpf/btf.c btf_parse_vmlinux(), kernel/bpf/sysfs_btf.c.
	static const char *const funcs[] = {
		"btf_parse_vmlinux", "btf_vmlinux_read", "btf_vmlinux_init", NULL,
	};
	uint64_t cand[64];
	size_t n;

	p->btf_code_tried = true;
	n = vd_scan_code_refs(s, funcs, cand, VD_ARRAY_SIZE(cand));
	for (size_t i = 0; i < n; i++) {
		unsigned char b[24];
		uint64_t size;

		if (vd_ok(vd_session_read(s, VD_AS_KVIRT, cand[i], b, sizeof(b), NULL)) &&
		    (size = btf_size_at(b)) && size > p->btf_stop - p->btf_start) {
			p->btf_start = cand[i];
			p->btf_stop = cand[i] + size;
		}
	}
}

/* The kept BTF blob's header is still one, of the same size. */
static bool
btf_hint_ok(struct vd_session *s, const struct vd_scan *p)
{
	unsigned char b[24];

	return p->hint_btf_start &&
	       vd_ok(vd_session_read(s, VD_AS_KVIRT, p->hint_btf_start, b, sizeof(b), NULL)) &&
	       btf_size_at(b) == p->hint_btf_stop - p->hint_btf_start;
}

bool
vd_scan_symbol(struct vd_session *s, const char *name, uint64_t *ret)
{
	struct vd_scan *p;

	if (strcmp(name, "__start_BTF") && strcmp(name, "__stop_BTF"))
		return false;
	if (!(p = vd_scan_state(s)))
		return false;
	if (!p->btf_start && !p->scanned && btf_hint_ok(s, p)) {
		p->btf_start = p->hint_btf_start;
		p->btf_stop = p->hint_btf_stop;
	}
	if (!p->btf_start && !p->scanned && !p->btf_code_tried)
		btf_from_code(s, p);
	if (!p->btf_start && (!(p = vd_scan_get(s)) || p->err))
		return false;
	*ret = !strcmp(name, "__start_BTF") ? p->btf_start : p->btf_stop;
	return p->btf_start != 0;
}

/* Something was found (from code) that the cache did not hold. */
static bool
found_new(const struct vd_scan *p)
{
	return (p->btf_start && p->btf_start != p->hint_btf_start) ||
	       (p->init_task && p->init_task != p->hint_init_task) ||
	       (p->modules && p->modules != p->hint_modules) ||
	       (p->btf_modules && p->btf_modules != p->hint_btf_modules);
}

void
vd_scan_close(struct vd_session *s)
{
	struct vd_scan *p = s->scan;
	const char *key = vd_session_cache_key(s);
	struct scan_cache c;
	uint64_t stext;

	if (!p)
		return;
	// A scan ran or the code named something new: what was found, with
	// the kept hints this session did not need (they stay until a check
	// fails and another is found), for the next session.
	if (((p->scanned && !p->err) || found_new(p)) && s->cache_dir && key &&
	    vd_session_number(s, "SYMBOL(_stext)", &stext)) {
		c = (struct scan_cache){
			.btf = rel(stext, p->btf_start ? p->btf_start : p->hint_btf_start),
			.btf_size = p->btf_start ? p->btf_stop - p->btf_start
						 : p->hint_btf_stop - p->hint_btf_start,
			.init_task = rel(stext, p->task_done ? p->init_task : p->hint_init_task),
			.modules = rel(stext, p->mod_done ? p->modules : p->hint_modules),
			.btf_modules = rel(stext, p->btfmod_done ? p->btf_modules
								 : p->hint_btf_modules),
		};
		if (!c.btf)
			c.btf_size = 0;
		if (c.btf || c.init_task || c.modules || c.btf_modules) {
			struct vd_cache_section sec = { 1, &c, sizeof(c) };

			// A read-only or full cache directory only costs speed.
			vd_error_destroy(vd_cache_write(s->cache_dir, SCAN_CACHE_KIND,
							SCAN_CACHE_VERSION, key, &sec, 1));
		}
	}
	scan_destroy(p);
	s->scan = NULL;
}
