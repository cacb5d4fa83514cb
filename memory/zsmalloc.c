// SPDX-License-Identifier: MIT
/*
 * zsmalloc objects (mm/zsmalloc.c), read from a handle, and the
 * decompression of a zram page.  Pure: memory comes through the layout's
 * read callback, so tests and the fuzzer hand it constructed memory.
 *
 * A handle is the address of a word (from the pool's handle cache) that
 * holds the object's location: obj >> OBJ_TAG_BITS (1) is
 * pfn << OBJ_INDEX_BITS | obj_idx, OBJ_INDEX_BITS being BITS_PER_LONG -
 * (MAX_POSSIBLE_PHYSMEM_BITS - PAGE_SHIFT) - OBJ_TAG_BITS; x86_64 has
 * MAX_POSSIBLE_PHYSMEM_BITS 52 whatever the paging mode, arm64 its PA size
 * (48 or 52), so the caller gives candidates and the first whose page
 * leads to a zspage with ZSPAGE_MAGIC (0x58) wins.  The page is the one
 * the object starts in; its zspage (page->private, or zpdesc->zspage since
 * the zpdesc conversion, commit "mm/zsmalloc: convert ... to use zpdesc",
 * 6.14: the same word of the same struct) gives the size class
 * (zspage->class, pool->size_class[]), and the object lies at
 * (class->size * obj_idx) % PAGE_SIZE in that page, running into the next
 * page of the zspage (page->index, zpdesc->next) when it crosses the page
 * end.  An object of a huge zspage (one object of a whole page, the
 * zspage->huge bit, ZsHugePage() since 6.0) holds only data; any other
 * object starts with its handle (ZS_HANDLE_SIZE, a long), which
 * zs_map_object() skips.
 */
#include <lz4.h>
#include <stdio.h>
#include <string.h>
#include <zstd.h>

#include "common/util.h"
#include "vmdive/memory.h"

#define ZSPAGE_MAGIC 0x58
#define ZS_HANDLE_SIZE 8
#define OBJ_TAG_BITS 1

static uint64_t
bits_of(const unsigned char *b, size_t len, const struct vd_zs_bits *f)
{
	uint64_t v = 0;
	uint32_t nbytes;

	if (!f->bits)
		return 0;
	nbytes = (f->shift + f->bits + 7) / 8;
	if (nbytes > 8 || f->off + nbytes > len)
		return 0;
	for (uint32_t i = 0; i < nbytes; i++)
		v |= (uint64_t)b[f->off + i] << (8 * i);
	v >>= f->shift;
	return f->bits < 64 ? v & ((1ull << f->bits) - 1) : v;
}

static struct vd_error *
rd64(const struct vd_zs_layout *l, uint64_t addr, uint64_t *ret)
{
	unsigned char b[8];
	struct vd_error *err = l->read(l->priv, false, addr, b, 8);

	if (!err)
		*ret = vd_get64(b, false);
	return err;
}

/* The zspage of page; false (and why) when it is not one. */
static bool
zspage_of(const struct vd_zs_layout *l, uint64_t pool, uint64_t pfn, struct vd_zs_object *o,
	  struct vd_error **why)
{
	unsigned char zb[16];
	uint64_t page, zspage, cls, v;
	struct vd_error *err;

	if (pfn < l->min_pfn || pfn >= l->max_pfn) {
		*why = vd_error_create(VD_ERR_CORRUPT, "pfn 0x%llx outside the dump's memory",
				       (unsigned long long)pfn);
		return false;
	}
	page = l->vmemmap + pfn * l->page_struct_size;
	if ((err = rd64(l, page + l->page_zspage_off, &zspage))) {
		*why = vd_error_wrap(err, "reading the zspage of page 0x%llx", (unsigned long long)page);
		return false;
	}
	if ((err = l->read(l->priv, false, zspage, zb, sizeof(zb)))) {
		*why = vd_error_wrap(err, "reading zspage 0x%llx of page 0x%llx",
				     (unsigned long long)zspage, (unsigned long long)page);
		return false;
	}
	v = bits_of(zb, sizeof(zb), &l->magic);
	if (v != ZSPAGE_MAGIC) {
		*why = vd_error_create(VD_ERR_CORRUPT, "page 0x%llx: zspage 0x%llx has magic 0x%llx, not 0x%x",
				       (unsigned long long)page, (unsigned long long)zspage,
				       (unsigned long long)v, ZSPAGE_MAGIC);
		return false;
	}
	o->class_idx = (uint32_t)bits_of(zb, sizeof(zb), &l->class_);
	o->huge = bits_of(zb, sizeof(zb), &l->huge) != 0;
	if (o->class_idx >= l->nclasses) {
		*why = vd_error_create(VD_ERR_CORRUPT, "zspage 0x%llx: class %u of %u",
				       (unsigned long long)zspage, o->class_idx, l->nclasses);
		return false;
	}
	if ((err = rd64(l, pool + l->pool_class_off + 8ull * o->class_idx, &cls)) ||
	    (err = l->read(l->priv, false, cls + l->class_size_off, zb, 4))) {
		*why = vd_error_wrap(err, "reading size class %u of pool 0x%llx", o->class_idx,
				     (unsigned long long)pool);
		return false;
	}
	o->class_size = vd_get32(zb, false);
	if (!o->class_size || o->class_size > l->page_size) {
		*why = vd_error_create(VD_ERR_CORRUPT, "size class %u has size %u", o->class_idx,
				       o->class_size);
		return false;
	}
	if (!l->huge.bits && o->class_size == l->page_size)   // before ZsHugePage()
		o->huge = true;
	o->page = page;
	o->zspage = zspage;
	return true;
}

struct vd_error *
vd_zs_read(const struct vd_zs_layout *l, uint64_t pool, uint64_t handle, void *buf, size_t len,
	   struct vd_zs_object *ret)
{
	struct vd_zs_object o = { .handle = handle };
	struct vd_error *err, *why = NULL;
	uint64_t obj, start, first, next;
	unsigned idx_bits = 0;
	size_t n1;
	bool found = false;

	memset(ret, 0, sizeof(*ret));
	if (l->page_size < 512 || (l->page_size & (l->page_size - 1)) || !l->page_struct_size)
		return vd_error_create(VD_ERR_INVALID_ARG, "zsmalloc layout: page size %llu",
				       (unsigned long long)l->page_size);
	if ((err = rd64(l, handle, &obj)))
		return vd_error_wrap(err, "reading zsmalloc handle 0x%llx", (unsigned long long)handle);
	o.obj = obj;
	for (unsigned i = 0; i < l->npfn_bits && !found; i++) {
		unsigned shift = (unsigned)__builtin_ctzll(l->page_size);

		if (l->pfn_bits[i] <= shift || l->pfn_bits[i] - shift + OBJ_TAG_BITS >= 64)
			continue;
		idx_bits = 64 - (l->pfn_bits[i] - shift) - OBJ_TAG_BITS;
		o.pfn = (obj >> OBJ_TAG_BITS) >> idx_bits;
		o.obj_idx = (uint32_t)((obj >> OBJ_TAG_BITS) & ((1ull << idx_bits) - 1));
		idx_bits += OBJ_TAG_BITS;   // the unshifted reading's index width
		vd_error_destroy(why);
		why = NULL;
		found = zspage_of(l, pool, o.pfn, &o, &why);
	}
	if (!found) {
		if (!why)
			why = vd_error_create(VD_ERR_INVALID_ARG, "no PFN width to try");
		return vd_error_wrap(why, "zsmalloc handle 0x%llx (object 0x%llx)",
				     (unsigned long long)handle, (unsigned long long)obj);
	}
	// The object index: below the tag bit (obj <<= OBJ_TAG_BITS after
	// the index was put in) until commit "mm/zsmalloc: don't need to save
	// tag bit in handle" (Chengming Zhou, 2024; Debian's 6.12 and sid's 7.2
	// have it, 6.1 not) stored obj unshifted, the index taking that bit
	// (the PFN stays obj >> (BITS_PER_LONG - PFN bits) either way; the
	// change left no type or symbol behind).  No type tells the two apart: an object of a
	// non-huge zspage begins with its handle | OBJ_ALLOCATED_TAG, so the
	// index whose object begins so is the one (a huge zspage has object
	// 0 only, the same both ways).
	if (!o.huge) {
		uint64_t cand[2] = { o.obj_idx, obj & ((1ull << idx_bits) - 1) };

		for (unsigned i = 0; i < 2; i++) {
			uint32_t off = (uint32_t)(((uint64_t)o.class_size * cand[i]) & (l->page_size - 1));
			unsigned char hb[8];
			struct vd_error *e;

			if (cand[i] > UINT32_MAX || off + 8 > l->page_size)
				continue;
			if ((e = l->read(l->priv, true, o.pfn * l->page_size + off, hb, 8))) {
				vd_error_destroy(e);
				continue;
			}
			if (vd_get64(hb, false) == (handle | 1)) {
				o.obj_idx = (uint32_t)cand[i];
				break;
			}
		}
	}
	start = (uint64_t)o.class_size * o.obj_idx;
	o.offset = (uint32_t)(start & (l->page_size - 1));
	if (o.huge) {
		if (o.obj_idx) {
			err = vd_error_create(VD_ERR_CORRUPT, "object %u of a huge zspage", o.obj_idx);
			goto fail;
		}
	} else {
		o.offset += ZS_HANDLE_SIZE;
		if (o.class_size < ZS_HANDLE_SIZE) {
			err = vd_error_create(VD_ERR_CORRUPT, "size class of %u bytes", o.class_size);
			goto fail;
		}
	}
	if (len > o.class_size - (o.huge ? 0 : ZS_HANDLE_SIZE)) {
		err = vd_error_create(VD_ERR_CORRUPT, "%zu bytes asked of an object of class size %u",
				      len, o.class_size);
		goto fail;
	}
	// The handle word may itself end the first page (offset + 8 crossing it).
	first = o.pfn;
	if (o.offset >= l->page_size) {
		o.offset -= (uint32_t)l->page_size;
		o.pfn2_only = true;
	}
	n1 = o.pfn2_only ? 0 : VD_MIN(len, l->page_size - o.offset);
	if (n1 && (err = l->read(l->priv, true, first * l->page_size + o.offset, buf, n1)))
		goto fail;
	if (n1 < len || o.pfn2_only) {
		if (o.huge) {
			err = vd_error_create(VD_ERR_CORRUPT, "a huge object crosses its page");
			goto fail;
		}
		if ((err = rd64(l, o.page + l->page_next_off, &next)))
			goto fail;
		if (next < l->vmemmap || (next - l->vmemmap) % l->page_struct_size) {
			err = vd_error_create(VD_ERR_CORRUPT, "next page 0x%llx of page 0x%llx is no struct page",
					      (unsigned long long)next, (unsigned long long)o.page);
			goto fail;
		}
		o.pfn2 = (next - l->vmemmap) / l->page_struct_size;
		o.spans = true;
		if (o.pfn2 < l->min_pfn || o.pfn2 >= l->max_pfn) {
			err = vd_error_create(VD_ERR_CORRUPT, "next pfn 0x%llx outside the dump's memory",
					      (unsigned long long)o.pfn2);
			goto fail;
		}
		if ((err = l->read(l->priv, true, o.pfn2 * l->page_size + (o.pfn2_only ? o.offset : 0),
				   (unsigned char *)buf + n1, len - n1)))
			goto fail;
	}
	*ret = o;
	return NULL;
fail:
	return vd_error_wrap(err, "zsmalloc object of handle 0x%llx (pfn 0x%llx, index %u, class %u of %u bytes)",
			     (unsigned long long)handle, (unsigned long long)o.pfn, o.obj_idx,
			     o.class_idx, o.class_size);
}

struct vd_error *
vd_zram_decompress(const char *alg, const void *src, size_t len, void *dst, size_t cap,
		   size_t *ret)
{
	const char *why;
	size_t n = 0;

	*ret = 0;
	if (!strcmp(alg, "lzo") || !strcmp(alg, "lzo-rle")) {
		if ((why = vd_lzo1x_decompress(src, len, dst, cap, &n)))
			return vd_error_create(VD_ERR_CORRUPT, "%s: %s (after %zu bytes out)", alg, why, n);
	} else if (!strcmp(alg, "lz4") || !strcmp(alg, "lz4hc")) {
		int r;

		// The kernel's LZ4 (lz4 and lz4hc) writes raw LZ4 blocks, no frame.
		if (len > INT32_MAX || cap > INT32_MAX)
			return vd_error_create(VD_ERR_INVALID_ARG, "%s: %zu bytes", alg, len);
		r = LZ4_decompress_safe(src, dst, (int)len, (int)cap);
		if (r < 0)
			return vd_error_create(VD_ERR_CORRUPT, "%s: LZ4_decompress_safe: error %d", alg, r);
		n = (size_t)r;
	} else if (!strcmp(alg, "zstd")) {
		size_t r = ZSTD_decompress(dst, cap, src, len);

		if (ZSTD_isError(r))
			return vd_error_create(VD_ERR_CORRUPT, "zstd: %s", ZSTD_getErrorName(r));
		n = r;
	} else {
		return vd_error_create(VD_ERR_NOTIMPL,
				       "pages compressed with '%s' are not read (lzo, lzo-rle, lz4, lz4hc and zstd are)",
				       alg);
	}
	*ret = n;
	return NULL;
}
