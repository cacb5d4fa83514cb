/* SPDX-License-Identifier: MIT */
/*
 * A fake physical memory for the arch unit tests: page-table pages and
 * numbers (VMCOREINFO keys) and symbols behind the struct vd_xlat_cb
 * callbacks, so translation is tested with no dump at all.  Define
 * FAKE_MEM_ARCH (a VD_ARCH_* value) before including.
 */
#ifndef VD_TEST_FAKE_MEM_H
#define VD_TEST_FAKE_MEM_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "vmdive/xlat.h"

#define SLOTS 4096

struct fake {
	struct {
		uint64_t pfn;
		uint64_t *q;
	} slot[SLOTS];
	struct {
		const char *key;
		uint64_t v;
	} num[32], sym[16];
	size_t nnum, nsym;
	uint64_t next_table;  /* bump allocator for fake_map() */
	unsigned long reads;
};

static uint64_t *
fake_page(struct fake *f, uint64_t pfn, bool create)
{
	size_t h = (pfn * 0x9e3779b97f4a7c15ULL) >> 52;

	for (size_t n = 0; n < SLOTS; n++, h = (h + 1) % SLOTS) {
		if (f->slot[h].q && f->slot[h].pfn == pfn)
			return f->slot[h].q;
		if (!f->slot[h].q) {
			if (!create)
				return NULL;
			f->slot[h].pfn = pfn;
			f->slot[h].q = calloc(512, 8);
			return f->slot[h].q;
		}
	}
	abort();
}

static void
put(struct fake *f, uint64_t pa, uint64_t v)
{
	fake_page(f, pa >> 12, true)[(pa & 0xfff) / 8] = v;
}

/* Entry idx of the table at PA table. */
static void
set(struct fake *f, uint64_t table, unsigned idx, uint64_t v)
{
	put(f, table + 8ULL * idx, v);
}

static void
num(struct fake *f, const char *key, uint64_t v)
{
	for (size_t i = 0; i < f->nnum; i++)
		if (!strcmp(f->num[i].key, key)) {
			f->num[i].v = v;
			return;
		}
	f->num[f->nnum].key = key;
	f->num[f->nnum++].v = v;
}

static void
unnum(struct fake *f, const char *key)
{
	for (size_t i = 0; i < f->nnum; i++)
		if (!strcmp(f->num[i].key, key))
			f->num[i] = f->num[--f->nnum];
}

static void
sym(struct fake *f, const char *name, uint64_t v)
{
	f->sym[f->nsym].key = name;
	f->sym[f->nsym++].v = v;
}

static struct vd_error *
fake_read(void *priv, uint64_t pa, uint64_t *ret)
{
	struct fake *f = priv;
	uint64_t *q = fake_page(f, pa >> 12, false);

	f->reads++;
	if (!q || (pa & 7))
		return vd_error_fault(VD_ERR_FAULT, VD_AS_PHYS, pa,
				      "PA 0x%" PRIx64 " is not in the fake dump", pa);
	*ret = q[(pa & 0xfff) / 8];
	return NULL;
}

static bool
fake_number(void *priv, const char *key, uint64_t *ret)
{
	struct fake *f = priv;

	for (size_t i = 0; i < f->nnum; i++)
		if (!strcmp(f->num[i].key, key)) {
			*ret = f->num[i].v;
			return true;
		}
	return false;
}

static bool
fake_symbol(void *priv, const char *name, uint64_t *ret)
{
	struct fake *f = priv;

	for (size_t i = 0; i < f->nsym; i++)
		if (!strcmp(f->sym[i].key, name)) {
			*ret = f->sym[i].v;
			return true;
		}
	return false;
}

static struct fake *
fake_new(void)
{
	struct fake *f = calloc(1, sizeof(*f));

	f->next_table = 0x20000000;
	return f;
}

static void
fake_free(struct fake *f)
{
	for (size_t i = 0; i < SLOTS; i++)
		free(f->slot[i].q);
	free(f);
}

static struct vd_error *
create(struct fake *f, struct vd_xlat **ret)
{
	struct vd_xlat_cb cb = {
		.priv = f, .read_phys64 = fake_read, .number = fake_number,
		.symbol = fake_symbol,
	};

	return vd_xlat_create(FAKE_MEM_ARCH, &cb, ret);
}

#endif
