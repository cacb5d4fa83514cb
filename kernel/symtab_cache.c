// SPDX-License-Identifier: MIT
/*
 * A vmlinux's symbol table kept per build-id and KASLR offset in the
 * cache directory (common/cache.h), kind "symtab", key
 * "BUILDID-OFFSET": reading ~190k ELF symbols and sorting them by address
 * and by name cost 60-100 ms of every command with --vmlinux.  A kept table
 * is used where it lies in the mapped file: a lookup reads the records it
 * reaches (a by-name or by-address search: ~20 of them), each block of the
 * file checked the first time (vd_cache_check()), so a warm command
 * touches a few dozen KiB of the ~12 MB file.
 *
 * Sections (host byte order):
 *   1 header   u64 magic, u64 n, u64 strings_size, u64 offset (KASLR)
 *   2 symbols  n x struct vd_symtab_kept_sym { u64 addr, u64 size, u32 name,
 *              u32 order, u8 type, u8 zero[7] }, sorted by address as
 *              build_indexes() leaves them
 *   3 strings  NUL-terminated names, the last byte a NUL
 *   4 by_name  u32[n]: the by-name index (a permutation of 0..n)
 *   5 max_end  u64[n]: vd_symtab.max_end
 * Checked at open: the header, counts against sizes, the strings' last
 * byte.  Checked when read: the blocks under each record, every name
 * inside the strings, order and by_name entries below n.  A miss at open
 * is a rebuild from the ELF file; a damaged block found later makes the
 * lookup that found it rebuild the table from the ELF file and answer from
 * that (kernel/symtab.c, kept_fallback()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cache.h"
#include "common/util.h"
#include "symtab.h"

#define SYMTAB_CACHE_KIND "symtab"
#define SYMTAB_CACHE_VERSION 2
#define SYMTAB_CACHE_MAGIC 0x42415446544d5953ull

struct cache_header {
	uint64_t magic, n, strings_size, offset;
};

static bool
cache_key(const char *build_id, uint64_t offset, char key[VD_CACHE_KEY_MAX])
{
	if (!build_id || !build_id[0])
		return false;
	return (size_t)snprintf(key, VD_CACHE_KEY_MAX, "%s-%llx", build_id,
				(unsigned long long)offset) < VD_CACHE_KEY_MAX;
}

bool
vd_symtab_cache_load(const char *dir, const char *build_id, uint64_t offset,
		     const char *path, struct vd_symtab *ret)
{
	char key[VD_CACHE_KEY_MAX];
	struct vd_symtab_kept *k;
	const struct cache_header *h;
	size_t hs, ss, bs, ms;
	struct vd_symtab st = { 0 };

	if (!dir || !cache_key(build_id, offset, key) || strlen(build_id) >= sizeof(k->build_id))
		return false;
	k = calloc(1, sizeof(*k));
	if (!k)
		return false;
	if (!vd_cache_open(dir, SYMTAB_CACHE_KIND, SYMTAB_CACHE_VERSION, key, &k->f, NULL)) {
		free(k);
		return false;
	}
	st.kept = k;
	h = vd_cache_get(&k->f, 1, &hs);
	k->cs = vd_cache_section(&k->f, 2, &ss);
	k->strings = vd_cache_section(&k->f, 3, &k->strings_size);
	k->by_name = vd_cache_section(&k->f, 4, &bs);
	k->max_end = vd_cache_section(&k->f, 5, &ms);
	if (!h || hs != sizeof(*h) || h->magic != SYMTAB_CACHE_MAGIC || h->offset != offset ||
	    !h->n || h->n > VD_SYMTAB_MAX || !k->cs || ss != h->n * sizeof(*k->cs) ||
	    !k->strings || k->strings_size != h->strings_size || !k->strings_size ||
	    !vd_cache_check(&k->f, k->strings + k->strings_size - 1, 1) ||
	    k->strings[k->strings_size - 1] || !k->by_name || bs != h->n * sizeof(*k->by_name) ||
	    !k->max_end || ms != h->n * sizeof(*k->max_end))
		goto fail;
	st.n = (size_t)h->n;
	st.source = strdup(path);
	// Filled per entry; calloc()'s fresh pages cost only where touched.
	st.syms = calloc(st.n, sizeof(*st.syms));
	k->cache_dir = strdup(dir);
	if (!st.source || !st.syms || !k->cache_dir)
		goto fail;
	memcpy(k->build_id, build_id, strlen(build_id) + 1);
	k->offset = offset;
	*ret = st;
	return true;
fail:
	vd_symtab_deinit(&st);
	return false;
}

void
vd_symtab_cache_store(const char *dir, const char *build_id, uint64_t offset,
		      const struct vd_symtab *st)
{
	char key[VD_CACHE_KEY_MAX];
	struct cache_header h = { SYMTAB_CACHE_MAGIC, st->n, 0, offset };
	struct vd_symtab_kept_sym *cs;
	char *strings;
	size_t pos = 0;

	if (!dir || !st->n || !st->by_name || !st->max_end || st->kept ||
	    !cache_key(build_id, offset, key))
		return;
	for (size_t i = 0; i < st->n; i++)
		h.strings_size += strlen(st->syms[i].name) + 1;
	cs = calloc(st->n, sizeof(*cs));
	strings = malloc(h.strings_size);
	if (cs && strings && h.strings_size <= UINT32_MAX) {
		for (size_t i = 0; i < st->n; i++) {
			size_t len = strlen(st->syms[i].name) + 1;

			memcpy(strings + pos, st->syms[i].name, len);
			cs[i] = (struct vd_symtab_kept_sym){ .addr = st->syms[i].addr,
						    .size = st->syms[i].size,
						    .name = (uint32_t)pos,
						    .order = st->syms[i].order,
						    .type = (uint8_t)st->syms[i].type };
			pos += len;
		}
		const struct vd_cache_section secs[] = {
			{ 1, &h, sizeof(h) },
			{ 2, cs, st->n * sizeof(*cs) },
			{ 3, strings, h.strings_size },
			{ 4, st->by_name, st->n * sizeof(*st->by_name) },
			{ 5, st->max_end, st->n * sizeof(*st->max_end) },
		};
		// Not kept (read-only or full directory): built again next time.
		vd_error_destroy(vd_cache_write(dir, SYMTAB_CACHE_KIND, SYMTAB_CACHE_VERSION, key,
						secs, VD_ARRAY_SIZE(secs)));
	}
	free(cs);
	free(strings);
}
