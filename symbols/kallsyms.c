// SPDX-License-Identifier: MIT
/*
 * The kernel's own symbol table from the dump, no vmlinux needed: the
 * session's side of ksyms/kallsyms.c (which decodes the tables where they
 * lie, only as far as a question needs).
 *
 * Here: the decoder's callbacks (tables mapped without copying by
 * vd_session_map_kvirt(), kernel/read.c; scanned pages given back), and the cache of the
 * decoded table per kernel build-id (common/cache.h) for kernels without
 * kallsyms_seqs_of_names (where a name lookup has no order to search):
 * written when a session had to decode every name anyway (an index for
 * many lookups, or a full listing), and used by the sessions after it.
 * With kallsyms_seqs_of_names, reading the tables in place is as fast as
 * reading a cache (a lookup decodes ~17 names).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/util.h"
#include "symbols_priv.h"

/* The cache file's kind and format version (bump on any change). */
#define KSYMS_CACHE_KIND "kallsyms"
#define KSYMS_CACHE_VERSION 2
enum { SEC_META = 1, SEC_NAMES, SEC_NAME_OFF, SEC_HASH };

struct ksyms_cache_meta {
	uint32_t num;
	uint32_t hash_size;
	uint64_t index_rel;    /* found by scanning: token index - _stext */
};

/*
 * The kallsyms tables VMCOREINFO lists are read-only bytes of the kernel
 * image: the same in every dump of a build, at the same place relative
 * to the image under KASLR.  A dump that holds no memory as is (kdump)
 * decodes them out of ~470 compressed pages at every command that needs
 * a symbol (~15 ms: most of what `struct DUMP no_such_type` cost, for
 * the address of `modules`).  The large ones are kept per build-id,
 * place and size (kind "ksymtab"), read back whole-checked; any miss
 * reads the dump.
 */
#define KTAB_CACHE_KIND "ksymtab"
#define KTAB_CACHE_VERSION 1
#define KTAB_MIN (64u << 10)

static struct vd_error *
mem_map(void *ctx, uint64_t addr, size_t len, const void **ret, void **owned_ret)
{
	struct vd_session *s = ctx;
	const char *id = vd_session_cache_key(s);
	uint64_t off = 0, listed;
	char key[192];
	struct vd_cache_file f;
	struct vd_error *err;
	bool keep;

	// Only the tables VMCOREINFO names (not the chunks a scan for them
	// reads on older kernels).
	keep = len >= KTAB_MIN && s->cache_dir && id &&
	       vd_session_number(s, "SYMBOL(kallsyms_names)", &listed) &&
	       !vd_dump_has_file_pages(vd_session_dump(s));
	if (keep) {
		vd_session_number(s, "KERNELOFFSET", &off);
		snprintf(key, sizeof(key), "%s-%llx-%zx", id, (unsigned long long)(addr - off), len);
		// Handed out in place: the file stays mapped until the
		// decoder is destroyed (vd_kallsyms_close()); a copy cost more
		// than the check (~2 MiB of fresh pages faulted in and filled).
		// The tables VMCOREINFO lists are at most VD_ARRAY_SIZE(s->ktab).
		struct vd_cache_file *fp = s->nktab < VD_ARRAY_SIZE(s->ktab) ? &s->ktab[s->nktab] : &f;

		memset(fp, 0, sizeof(*fp));
		if (vd_cache_open(s->cache_dir, KTAB_CACHE_KIND, KTAB_CACHE_VERSION, key, fp, NULL)) {
			size_t n;
			const void *d = vd_cache_get(fp, 1, &n);
			void *copy = d && n == len && fp == &f ? malloc(len) : NULL;

			if (d && n == len && fp != &f) {
				s->nktab++;
				*ret = d;
				*owned_ret = NULL;
				return NULL;
			}
			if (copy)
				memcpy(copy, d, len);
			vd_cache_close(fp);
			if (copy) {
				*ret = copy;
				*owned_ret = copy;
				return NULL;
			}
		}
	}
	err = vd_session_map_kvirt(ctx, addr, len, ret, owned_ret);
	if (!err && keep) {
		const struct vd_cache_section sec = { 1, *ret, len };

		// A read-only or full cache directory only costs speed.
		vd_error_destroy(vd_cache_write(s->cache_dir, KTAB_CACHE_KIND, KTAB_CACHE_VERSION,
						key, &sec, 1));
	}
	return err;
}

static bool
mem_symbol(void *ctx, const char *name, uint64_t *ret)
{
	char key[128];

	if (snprintf(key, sizeof(key), "SYMBOL(%s)", name) >= (int)sizeof(key))
		return false;
	return vd_session_number(ctx, key, ret);
}

/*
 * Scanned bytes of the dump's own mapping: dropped from this process's
 * memory (the page cache keeps them), so a scan of the kernel image does
 * not count against the command's footprint.
 */
static void
mem_release(void *ctx, const void *p, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = ((uintptr_t)p + page - 1) & ~(page - 1);
	uintptr_t end = ((uintptr_t)p + len) & ~(page - 1);

	if (end > start)
		madvise((void *)start, end - start, MADV_DONTNEED);
}

/* The cache file's meta section, when the file is open and has one. */
static const struct ksyms_cache_meta *
cache_meta(struct vd_session *s)
{
	size_t msize;
	const struct ksyms_cache_meta *meta =
		s->ksyms_cache.map ? vd_cache_get(&s->ksyms_cache, SEC_META, &msize) : NULL;

	return meta && msize == sizeof(*meta) ? meta : NULL;
}

/* The cached table of this kernel, if there is a good one. */
static void
load_cache(struct vd_session *s)
{
	const struct ksyms_cache_meta *meta = cache_meta(s);
	struct vd_ksyms_table t;
	size_t nsize, osize, hsize;
	const void *names, *off, *hash;

	names = vd_cache_get(&s->ksyms_cache, SEC_NAMES, &nsize);
	off = vd_cache_get(&s->ksyms_cache, SEC_NAME_OFF, &osize);
	hash = vd_cache_get(&s->ksyms_cache, SEC_HASH, &hsize);
	if (!meta || !names || !off || !hash ||
	    meta->num != vd_ksyms_count(s->ksyms) ||
	    osize != (size_t)meta->num * sizeof(uint32_t) ||
	    hsize != (size_t)meta->hash_size * sizeof(uint32_t)) {
		vd_cache_close(&s->ksyms_cache);
		return;
	}
	t = (struct vd_ksyms_table){
		.names = names, .names_len = nsize, .name_off = off,
		.hash = hash, .hash_size = meta->hash_size,
	};
	if (!vd_ksyms_import(s->ksyms, &t))
		vd_cache_close(&s->ksyms_cache);
}

struct vd_ksyms *
vd_session_ksyms(struct vd_session *s)
{
	struct vd_xlat *xlat;

	if (!s->kallsyms_tried) {
		struct vd_ksyms_mem mem = {
			.ctx = s, .big_endian = vd_session_info(s)->big_endian,
			.ptr_size = vd_session_info(s)->ptr_size,
			.map = mem_map, .symbol = mem_symbol, .release = mem_release,
		};
		const char *key = vd_session_cache_key(s);
		const struct ksyms_cache_meta *meta;
		struct vd_error *err = vd_session_xlat(s, &xlat);

		s->kallsyms_tried = true;
		// An earlier session's table, and where it found the tables
		// when VMCOREINFO does not list them.
		if (!err && s->cache_dir && key &&
		    vd_cache_open(s->cache_dir, KSYMS_CACHE_KIND, KSYMS_CACHE_VERSION, key,
				  &s->ksyms_cache, NULL) && (meta = cache_meta(s)))
			mem.index_hint = meta->index_rel;
		s->kallsyms_err = err ? err : vd_ksyms_open(&mem, &s->ksyms);
		if (s->ksyms && vd_ksyms_cacheable(s->ksyms) && s->ksyms_cache.map)
			load_cache(s);
		else
			vd_cache_close(&s->ksyms_cache);
	}
	return s->ksyms;
}

void
vd_kallsyms_close(struct vd_session *s)
{
	const char *key = vd_session_cache_key(s);
	struct vd_ksyms_table t;
	struct vd_error *err = NULL;

	// This session built what the next one would: keep it.
	if (s->ksyms && s->cache_dir && key && !s->ksyms_cache.map &&
	    vd_ksyms_wants_index(s->ksyms) && !(err = vd_ksyms_export(s->ksyms, &t))) {
		struct vd_ksyms_layout lay;
		struct ksyms_cache_meta meta;
		struct vd_cache_section secs[] = {
			{ SEC_META, &meta, sizeof(meta) },
			{ SEC_NAMES, t.names, t.names_len },
			{ SEC_NAME_OFF, t.name_off, (size_t)vd_ksyms_count(s->ksyms) * sizeof(uint32_t) },
			{ SEC_HASH, t.hash, (size_t)t.hash_size * sizeof(uint32_t) },
		};

		vd_ksyms_layout(s->ksyms, &lay);
		meta = (struct ksyms_cache_meta){ vd_ksyms_count(s->ksyms), t.hash_size,
						  lay.located ? lay.index_rel : 0 };

		// A read-only or full cache directory only costs speed.
		vd_error_destroy(vd_cache_write(s->cache_dir, KSYMS_CACHE_KIND,
						KSYMS_CACHE_VERSION, key, secs,
						VD_ARRAY_SIZE(secs)));
	}
	vd_error_destroy(err);
	vd_ksyms_destroy(s->ksyms);
	s->ksyms = NULL;
	vd_cache_close(&s->ksyms_cache);
	while (s->nktab)
		vd_cache_close(&s->ktab[--s->nktab]);
}
