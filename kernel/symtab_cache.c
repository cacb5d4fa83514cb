// SPDX-License-Identifier: MIT
/*
 * A vmlinux's symbol table kept per build-id and KASLR offset in the
 * cache directory (common/cache.h), kind "symtab", key
 * "BUILDID-OFFSET": reading ~190k ELF symbols and sorting them by address
 * and by name cost 60-100 ms of every command with --vmlinux; a kept
 * table is mapped and copied in a few.
 *
 * Sections (host byte order):
 *   1 header   u64 magic, u64 n, u64 strings_size, u64 offset (KASLR)
 *   2 symbols  n x { u64 addr, u64 size, u32 name, u32 order, u8 type, u8 zero[7] },
 *              sorted by address as build_indexes() leaves them
 *   3 strings  NUL-terminated names, the last byte a NUL
 *   4 by_name  u32[n]: the by-name index (a permutation of 0..n)
 * Checked before use: counts against sizes, every name inside the strings,
 * addresses ascending, by_name a permutation, order below n; any miss is a
 * rebuild from the ELF file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cache.h"
#include "common/util.h"
#include "symtab.h"

#define SYMTAB_CACHE_KIND "symtab"
#define SYMTAB_CACHE_VERSION 1
#define SYMTAB_CACHE_MAGIC 0x42415446544d5953ull

struct cache_header {
	uint64_t magic, n, strings_size, offset;
};

struct cache_sym {
	uint64_t addr, size;
	uint32_t name, order;
	uint8_t type, zero[7];
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
	struct vd_cache_file f;
	const struct cache_header *h;
	const struct cache_sym *cs;
	const uint32_t *by_name;
	const char *strings;
	size_t hs, ss, ns, bs;
	struct vd_symtab st = { 0 };
	unsigned char *seen = NULL;
	bool ok = false;

	if (!dir || !cache_key(build_id, offset, key) ||
	    !vd_cache_open(dir, SYMTAB_CACHE_KIND, SYMTAB_CACHE_VERSION, key, &f, NULL))
		return false;
	h = vd_cache_get(&f, 1, &hs);
	cs = vd_cache_get(&f, 2, &ss);
	strings = vd_cache_get(&f, 3, &ns);
	by_name = vd_cache_get(&f, 4, &bs);
	if (!h || hs != sizeof(*h) || h->magic != SYMTAB_CACHE_MAGIC || h->offset != offset ||
	    !h->n || h->n > VD_SYMTAB_MAX || !cs || ss != h->n * sizeof(*cs) || !strings ||
	    ns != h->strings_size || !ns || strings[ns - 1] || !by_name ||
	    bs != h->n * sizeof(*by_name))
		goto out;
	st.n = (size_t)h->n;
	st.source = strdup(path);
	st.strings = malloc(ns);
	st.syms = malloc(st.n * sizeof(*st.syms));
	st.by_name = malloc(st.n * sizeof(*st.by_name));
	st.max_end = malloc(st.n * sizeof(*st.max_end));
	seen = calloc(st.n, 1);
	if (!st.source || !st.strings || !st.syms || !st.by_name || !st.max_end || !seen)
		goto out;
	memcpy(st.strings, strings, ns);
	for (size_t i = 0; i < st.n; i++) {
		if (cs[i].name >= ns || cs[i].order >= st.n ||
		    (i && cs[i].addr < cs[i - 1].addr))
			goto out;
		st.syms[i] = (struct vd_symbol){ .name = st.strings + cs[i].name,
						 .addr = cs[i].addr, .size = cs[i].size,
						 .type = (char)cs[i].type, .order = cs[i].order };
	}
	for (size_t i = 0; i < st.n; i++) {
		if (by_name[i] >= st.n || seen[by_name[i]])
			goto out;
		seen[by_name[i]] = 1;
		st.by_name[i] = by_name[i];
	}
	vd_symtab_update_extents(&st);
	ok = true;
out:
	free(seen);
	vd_cache_close(&f);
	if (ok)
		*ret = st;
	else
		vd_symtab_deinit(&st);
	return ok;
}

void
vd_symtab_cache_store(const char *dir, const char *build_id, uint64_t offset,
		      const struct vd_symtab *st)
{
	char key[VD_CACHE_KEY_MAX];
	struct cache_header h = { SYMTAB_CACHE_MAGIC, st->n, 0, offset };
	struct cache_sym *cs;
	char *strings;
	size_t pos = 0;

	if (!dir || !st->n || !st->by_name || !cache_key(build_id, offset, key))
		return;
	for (size_t i = 0; i < st->n; i++)
		h.strings_size += strlen(st->syms[i].name) + 1;
	cs = calloc(st->n, sizeof(*cs));
	strings = malloc(h.strings_size);
	if (cs && strings && h.strings_size <= UINT32_MAX) {
		for (size_t i = 0; i < st->n; i++) {
			size_t len = strlen(st->syms[i].name) + 1;

			memcpy(strings + pos, st->syms[i].name, len);
			cs[i] = (struct cache_sym){ .addr = st->syms[i].addr,
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
		};
		// Not kept (read-only or full directory): built again next time.
		vd_error_destroy(vd_cache_write(dir, SYMTAB_CACHE_KIND, SYMTAB_CACHE_VERSION, key,
						secs, VD_ARRAY_SIZE(secs)));
	}
	free(cs);
	free(strings);
}
