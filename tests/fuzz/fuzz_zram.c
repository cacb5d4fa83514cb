// SPDX-License-Identifier: MIT
/*
 * zram's decoders on hostile memory: the zsmalloc object walk from a handle
 * (vd_zs_read) and the page decompressors (LZO1X with lzo-rle's zero runs,
 * lz4, zstd).  The input is a memory image (fuzz_image.h) that serves both
 * kernel-virtual reads at BASE and physical reads at 0; keys: HANDLE and
 * POOL (addresses), LEN (bytes to read), CLASS_SIZE_OFF, NEXT_OFF, ZSPAGE_OFF,
 * PFN_BITS, PAGE_STRUCT, VMEMMAP (the layout; the defaults are 6.1's), and
 * COMP_OFF/COMP_LEN, a slice of the image given to each decompressor.
 */
#include <stdlib.h>

#include "fuzz_image.h"
#include "vmdive/memory.h"

static struct vd_error *
rd(void *priv, bool phys, uint64_t addr, void *buf, size_t len)
{
	const struct fz_img *m = priv;
	size_t done;

	if (phys) {
		if (addr >= m->n || len > m->n - addr)
			return vd_error_fault(VD_ERR_FAULT, VD_AS_PHYS, addr, "not in the image");
		memcpy(buf, m->mem + addr, len);
		return NULL;
	}
	return fz_img_read(priv, addr, buf, len, &done);
}

static uint64_t
num(const struct fz_img *m, const char *key, uint64_t dflt)
{
	uint64_t v;

	return vd_vmcoreinfo_number(&m->vi, key, &v) ? v : dflt;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char out[65536], obj[65536];
	struct fz_img m;
	struct vd_zs_layout l;
	struct vd_zs_object o;
	uint64_t len, off, clen;
	size_t n;
	static const char *const algs[] = { "lzo-rle", "lzo", "lz4", "zstd", "842" };

	if (!fz_img_init(&m, data, size, 0xffff888000000000ull))
		return 0;
	memset(&l, 0, sizeof(l));
	l.page_size = num(&m, "PAGESIZE", 4096);
	l.vmemmap = num(&m, "VMEMMAP", m.base);
	l.page_struct_size = num(&m, "PAGE_STRUCT", 64);
	l.min_pfn = 0;
	l.max_pfn = num(&m, "MAX_PFN", 1u << 20);
	l.page_zspage_off = (uint32_t)num(&m, "ZSPAGE_OFF", 40);
	l.page_next_off = (uint32_t)num(&m, "NEXT_OFF", 32);
	l.huge = (struct vd_zs_bits){ 0, 0, 1 };
	l.class_ = (struct vd_zs_bits){ 0, 3, (uint32_t)num(&m, "CLASS_BITS", 9) % 65 };
	l.magic = (struct vd_zs_bits){ 0, 15, 8 };
	l.pool_class_off = 8;
	l.nclasses = (uint32_t)num(&m, "NCLASSES", 255);
	l.class_size_off = (uint32_t)num(&m, "CLASS_SIZE_OFF", 64);
	l.pfn_bits[0] = (unsigned)num(&m, "PFN_BITS", 52);
	l.pfn_bits[1] = 46;
	l.npfn_bits = 2;
	l.read = rd;
	l.priv = &m;
	len = num(&m, "LEN", 100);
	if (len <= sizeof(obj))
		fz_drop(vd_zs_read(&l, num(&m, "POOL", m.base), num(&m, "HANDLE", m.base), obj,
				   (size_t)len, &o));
	off = num(&m, "COMP_OFF", 0);
	clen = num(&m, "COMP_LEN", m.n);
	if (off <= m.n && clen <= m.n - off)
		for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
			fz_drop(vd_zram_decompress(algs[i], m.mem + off, (size_t)clen, out,
						   (size_t)num(&m, "OUT", 4096) % sizeof(out), &n));
	vd_vmcoreinfo_deinit(&m.vi);
	return 0;
}
