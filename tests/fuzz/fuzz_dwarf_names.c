// SPDX-License-Identifier: MIT
/*
 * The persistent DWARF name index (dwarf/dwarf_names.c), both ways:
 *
 * - an ELF file (the seeds are the type fixtures): its index is built with
 *   one thread and with three, which must agree entry for entry, and must
 *   pass the checker; then copies of its five parts with one byte changed
 *   (64 places chosen from the input) go through the checker, and every
 *   name of each one that passes is looked up;
 * - anything else: the parts as a kept file holds them, one after the other
 *   (header first; its counts give the other parts' sizes), through the
 *   checker and the lookups.
 *
 * Nothing is written to the disk: the kept file's own checks (common/cache.c)
 * are the cache's target; this one is what a file that passes them meets.
 */
#include <stdlib.h>

#include "dwarf/dwarf_priv.h"
#include "fuzz.h"

#define NPARTS 5

static const char *const probes[] = { "task_struct", "fx_task", "int", "FX_GREEN", "", "x" };

/* Look names up; strict: every entry must be found (an index as built). */
static void
lookups(const struct vd_dwarf_names *n, bool strict)
{
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		for (unsigned ns = 0; ns < VD_DWARF_NNS; ns++)
			vd_dwarf_names_find(n, (enum vd_dwarf_ns)ns, probes[i], NULL);
	for (uint64_t i = 0; i < n->meta.nentries && i < 256; i++) {
		const struct vd_dwarf_names_entry *e = &n->entries[i];
		uint64_t off = 0;

		// A changed name no longer matches its hash: not found, harmless.
		if (vd_dwarf_names_find(n, (enum vd_dwarf_ns)e->ns, n->names + e->name, &off) ==
		    VD_DWARF_NONE && strict)
			abort();
	}
}

/* Check parts[0..NPARTS) (copied to aligned buffers by the caller). */
static bool
check(void *const parts[NPARTS], const size_t sizes[NPARTS], uint64_t info_size,
      struct vd_dwarf_names *ret)
{
	const char *why;

	return vd_dwarf_names_check(parts[0], sizes[0], parts[1], sizes[1], parts[2], sizes[2],
				    parts[3], sizes[3], parts[4], sizes[4], info_size, ret, &why);
}

static void
from_parts(const uint8_t *data, size_t size)
{
	struct vd_dwarf_names_meta m;
	void *parts[NPARTS] = { NULL };
	size_t sizes[NPARTS], pos = sizeof(m);
	struct vd_dwarf_names n;

	if (size < sizeof(m))
		return;
	memcpy(&m, data, sizeof(m));
	sizes[0] = sizeof(m);
	sizes[1] = m.nbuckets < (1u << 20) ? (size_t)(m.nbuckets + 1) * 4 : 0;
	sizes[2] = m.nentries < (1u << 20) ? (size_t)m.nentries * sizeof(struct vd_dwarf_names_entry) : 0;
	sizes[3] = m.names_size < (1u << 24) ? (size_t)m.names_size : 0;
	sizes[4] = m.nunits < (1u << 20) ? (size_t)m.nunits * sizeof(struct vd_dwarf_names_unit) : 0;
	parts[0] = malloc(sizeof(m));
	if (parts[0])
		memcpy(parts[0], &m, sizeof(m));
	for (int i = 1; i < NPARTS; i++) {
		size_t take = sizes[i] < size - pos ? sizes[i] : size - pos;

		parts[i] = calloc(1, sizes[i] ? sizes[i] : 1);
		if (parts[i])
			memcpy(parts[i], data + pos, take);
		pos += take;
	}
	if (parts[0] && parts[1] && parts[2] && parts[3] && parts[4] &&
	    check(parts, sizes, m.info_size, &n))
		lookups(&n, false);
	for (int i = 0; i < NPARTS; i++)
		free(parts[i]);
}

static bool
same(const struct vd_dwarf_names *a, const struct vd_dwarf_names *b)
{
	return a->meta.nentries == b->meta.nentries && a->meta.nbuckets == b->meta.nbuckets &&
	       a->meta.names_size == b->meta.names_size && a->meta.nunits == b->meta.nunits &&
	       !memcmp(a->buckets, b->buckets, (a->meta.nbuckets + 1) * 4) &&
	       !memcmp(a->units, b->units, a->meta.nunits * sizeof(*a->units));
}

static void
from_elf(const uint8_t *data, size_t size)
{
	struct vd_dwarf_index *ix = NULL;
	struct vd_dwarf_names one, three, n;
	char path[64];
	int fd = fz_file(data, size, path);
	struct vd_error *err;

	if (fd < 0)
		return;
	err = vd_dwarf_index_open(path, &ix);
	if (err)
		goto out;
	err = vd_dwarf_index_build_names(ix, 1, &one);
	if (err)
		goto out;
	if (vd_dwarf_index_build_names(ix, 3, &three) == NULL) {
		if (!same(&one, &three))
			abort();     // the threads' merge must not change the answer
		vd_dwarf_names_deinit(&three);
	}
	{
		void *parts[NPARTS];
		size_t sizes[NPARTS] = {
			sizeof(one.meta), (one.meta.nbuckets + 1) * 4,
			one.meta.nentries * sizeof(*one.entries), one.meta.names_size,
			one.meta.nunits * sizeof(*one.units),
		};
		const void *src[NPARTS] = { &one.meta, one.buckets, one.entries, one.names,
					    one.units };

		for (int i = 0; i < NPARTS; i++)
			parts[i] = malloc(sizes[i] ? sizes[i] : 1);
		for (int i = 0; i < NPARTS; i++)
			if (parts[i])
				memcpy(parts[i], src[i], sizes[i]);
		if (parts[0] && parts[1] && parts[2] && parts[3] && parts[4]) {
			if (!check(parts, sizes, one.meta.info_size, &n))
				abort();     // what was built must pass
			lookups(&n, true);
			for (size_t k = 0; k < 64; k++) {
				uint64_t h = (k + 1) * 0x9e3779b97f4a7c15ull ^ size;
				int j = (int)(h % NPARTS);

				if (!sizes[j])
					continue;
				((unsigned char *)parts[j])[(h >> 8) % sizes[j]] ^= (unsigned char)(h >> 40 | 1);
				if (check(parts, sizes, one.meta.info_size, &n))
					lookups(&n, false);
				memcpy(parts[j], src[j], sizes[j]);
			}
		}
		for (int i = 0; i < NPARTS; i++)
			free(parts[i]);
	}
	vd_dwarf_names_deinit(&one);
out:
	fz_drop(err);
	vd_dwarf_index_close(ix);
	close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 4 && !memcmp(data, "\x7f" "ELF", 4))
		from_elf(data, size);
	else
		from_parts(data, size);
	return 0;
}
