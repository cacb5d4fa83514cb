/* SPDX-License-Identifier: MIT */
/*
 * A fake physical memory: page-table pages, numbers (VMCOREINFO keys) and
 * symbols.  The arch unit tests put it behind the struct vd_xlat_cb
 * callbacks, so translation is tested with no dump at all; the walker
 * tests write it out as an x86_64 ELF vmcore (fake_write_vmcore()) and
 * open a session on it, so walkers run with no VM.  Define FAKE_MEM_ARCH
 * (a VD_ARCH_* value) before including.
 */
#ifndef VD_TEST_FAKE_MEM_H
#define VD_TEST_FAKE_MEM_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmdive/error.h"
#include "vmdive/xlat.h"

#define SLOTS 4096

/* A range of the fake kernel's physical memory. */
struct fake_region {
	uint64_t pa, len;
};

struct fake {
	struct {
		uint64_t pfn;
		uint64_t *q;
	} slot[SLOTS];
	struct {
		const char *key;
		uint64_t v;
	} num[64], sym[32];
	size_t nnum, nsym;
	uint64_t next_table;  /* bump allocator for fake_map() */
	unsigned long reads;
};

static inline uint64_t *
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

static inline void
put(struct fake *f, uint64_t pa, uint64_t v)
{
	fake_page(f, pa >> 12, true)[(pa & 0xfff) / 8] = v;
}

/* Entry idx of the table at PA table. */
static inline void
set(struct fake *f, uint64_t table, unsigned idx, uint64_t v)
{
	put(f, table + 8ULL * idx, v);
}

static inline void
num(struct fake *f, const char *key, uint64_t v)
{
	for (size_t i = 0; i < f->nnum; i++)
		if (!strcmp(f->num[i].key, key)) {
			f->num[i].v = v;
			return;
		}
	if (f->nnum == sizeof(f->num) / sizeof(f->num[0]))
		abort();
	f->num[f->nnum].key = key;
	f->num[f->nnum++].v = v;
}

static inline void
unnum(struct fake *f, const char *key)
{
	for (size_t i = 0; i < f->nnum; i++)
		if (!strcmp(f->num[i].key, key))
			f->num[i] = f->num[--f->nnum];
}

static inline void
sym(struct fake *f, const char *name, uint64_t v)
{
	if (f->nsym == sizeof(f->sym) / sizeof(f->sym[0]))
		abort();
	f->sym[f->nsym].key = name;
	f->sym[f->nsym++].v = v;
}

static inline struct vd_error *
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

static inline bool
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

static inline bool
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

static inline struct fake *
fake_new(void)
{
	struct fake *f = calloc(1, sizeof(*f));

	f->next_table = 0x20000000;
	return f;
}

static inline void
fake_free(struct fake *f)
{
	for (size_t i = 0; i < SLOTS; i++)
		free(f->slot[i].q);
	free(f);
}

/* Bytes at pa (any alignment), page by page. */
static inline void
put_bytes(struct fake *f, uint64_t pa, const void *src, size_t len)
{
	const unsigned char *b = src;

	for (size_t i = 0; i < len; i++, pa++) {
		unsigned char *page = (unsigned char *)fake_page(f, pa >> 12, true);

		page[pa & 0xfff] = b[i];
	}
}

#if FAKE_MEM_ARCH == VD_ARCH_X86_64
#define FAKE_T 0x63ULL            /* table: PRESENT RW ACCESSED DIRTY */

/*
 * Map [va, va + size) to pa with one x86_64 entry of that size (4 KiB,
 * 2 MiB or 1 GiB), allocating missing tables from f->next_table.
 */
static inline void
fake_map(struct fake *f, uint64_t root, unsigned levels, uint64_t va,
	 uint64_t pa, uint64_t size, uint64_t flags)
{
	static const unsigned sh4[] = { 39, 30, 21, 12 };
	static const unsigned sh5[] = { 48, 39, 30, 21, 12 };
	const unsigned *sh = levels == 5 ? sh5 : sh4;
	uint64_t table = root;

	for (unsigned i = 0; i < levels; i++) {
		unsigned idx = (va >> sh[i]) & 511;
		uint64_t *q = fake_page(f, table >> 12, true);

		if ((1ULL << sh[i]) == size) {
			q[idx] = pa | flags | (size > 4096 ? 0x80 : 0);
			return;
		}
		if (!(q[idx] & 1)) {
			q[idx] = f->next_table | FAKE_T;
			fake_page(f, f->next_table >> 12, true);
			f->next_table += 4096;
		}
		table = q[idx] & 0x000ffffffffff000ULL;
	}
}
#endif

static inline int
fake_pfn_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * Write the memory as an ELF vmcore (ET_CORE, p_paddr = p_vaddr as QEMU
 * writes them, one PT_LOAD per run of pages) with a VMCOREINFO note made of
 * the numbers (SYMBOL() and KERNELOFFSET in hex, the rest in decimal, as
 * the kernel prints them) and the symbols as SYMBOL(name) lines.
 */
static inline bool
fake_write_vmcore(struct fake *f, const char *path)
{
	uint64_t pfns[SLOTS];
	size_t npfn = 0, nload = 0;
	char text[8192];
	size_t tlen = 0;
	FILE *out;

	for (size_t i = 0; i < f->nnum; i++) {
		bool hex = !strncmp(f->num[i].key, "SYMBOL(", 7) ||
			   !strcmp(f->num[i].key, "KERNELOFFSET");

		tlen += (size_t)snprintf(text + tlen, sizeof(text) - tlen,
					 hex ? "%s=%" PRIx64 "\n" : "%s=%" PRId64 "\n",
					 f->num[i].key, f->num[i].v);
	}
	for (size_t i = 0; i < f->nsym; i++)
		tlen += (size_t)snprintf(text + tlen, sizeof(text) - tlen,
					 "SYMBOL(%s)=%" PRIx64 "\n", f->sym[i].key,
					 f->sym[i].v);
	if (tlen >= sizeof(text))
		return false;
	for (size_t i = 0; i < SLOTS; i++)
		if (f->slot[i].q)
			pfns[npfn++] = f->slot[i].pfn;
	qsort(pfns, npfn, sizeof(*pfns), fake_pfn_cmp);
	for (size_t i = 0; i < npfn; i++)
		nload += !i || pfns[i] != pfns[i - 1] + 1;
	if (!(out = fopen(path, "wb")))
		return false;
	{
		uint32_t namesz = 11, descsz = (uint32_t)tlen, type = 0;
		size_t notesz = 12 + 12 + ((tlen + 3) & ~(size_t)3);
		uint64_t phoff = 64, data = phoff + 56 * (1 + nload);
		uint64_t off = data + notesz;
		unsigned char eh[64] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
		static const char zeros[4096];

		eh[16] = 4;                                  /* ET_CORE */
		eh[18] = 62;                                 /* EM_X86_64 */
		eh[20] = 1;                                  /* EV_CURRENT */
		memcpy(eh + 32, &phoff, 8);
		eh[52] = 64;                                 /* e_ehsize */
		eh[54] = 56;                                 /* e_phentsize */
		eh[56] = (unsigned char)(1 + nload);
		eh[57] = (unsigned char)((1 + nload) >> 8);
		fwrite(eh, 1, 64, out);
		{
			uint32_t pt = 4, fl = 0;
			uint64_t z = 0, sz = notesz, al = 4;

			fwrite(&pt, 4, 1, out); fwrite(&fl, 4, 1, out);
			fwrite(&data, 8, 1, out); fwrite(&z, 8, 1, out); fwrite(&z, 8, 1, out);
			fwrite(&sz, 8, 1, out); fwrite(&sz, 8, 1, out); fwrite(&al, 8, 1, out);
		}
		for (size_t i = 0; i < npfn;) {
			size_t j = i + 1;
			uint32_t pt = 1, fl = 7;
			uint64_t pa = pfns[i] << 12, sz, al = 4096;

			while (j < npfn && pfns[j] == pfns[j - 1] + 1)
				j++;
			sz = (uint64_t)(j - i) << 12;
			fwrite(&pt, 4, 1, out); fwrite(&fl, 4, 1, out);
			fwrite(&off, 8, 1, out); fwrite(&pa, 8, 1, out); fwrite(&pa, 8, 1, out);
			fwrite(&sz, 8, 1, out); fwrite(&sz, 8, 1, out); fwrite(&al, 8, 1, out);
			off += sz;
			i = j;
		}
		fwrite(&namesz, 4, 1, out); fwrite(&descsz, 4, 1, out); fwrite(&type, 4, 1, out);
		fwrite("VMCOREINFO\0\0", 1, 12, out);
		fwrite(text, 1, tlen, out);
		fwrite(zeros, 1, ((tlen + 3) & ~(size_t)3) - tlen, out);
		for (size_t i = 0; i < npfn; i++)
			fwrite(fake_page(f, pfns[i], false), 1, 4096, out);
	}
	return fclose(out) == 0;
}

static inline struct vd_error *
create(struct fake *f, struct vd_xlat **ret)
{
	struct vd_xlat_cb cb = {
		.priv = f, .read_phys64 = fake_read, .number = fake_number,
		.symbol = fake_symbol,
	};

	return vd_xlat_create(FAKE_MEM_ARCH, &cb, ret);
}

#endif
