// SPDX-License-Identifier: MIT
/*
 * The kallsyms decoder (ksyms/kallsyms.c) alone, over a memory image
 * (fuzz_image.h): the tables where the SYMBOL() keys of the text put
 * them (kallsyms_num_syms, _names, _markers, _token_table, _token_index,
 * _offsets or _addresses, _relative_base, _seqs_of_names, _stext), or
 * found by scanning the image from _stext when the text lists none.  Every
 * lookup kind runs: in order, by address, by name (scans, then the hash
 * index from the third lookup), and the decoded table exported and
 * imported into a second decoder, as the cache does.  Seeds (seeds.sh)
 * are tables laid out as scripts/kallsyms.c writes them.
 */
#include "fuzz_image.h"
#include "ksyms/kallsyms.h"

#define BASE 0xffffffff81000000ull
#define STEPS 512

static struct vd_error *
map(void *ctx, uint64_t addr, size_t len, const void **ret, void **owned)
{
	const struct fz_img *m = ctx;
	uint64_t off = addr - m->base;

	*owned = NULL;
	if (addr < m->base || off > m->n || len > m->n - off)
		return vd_error_fault(VD_ERR_FAULT, VD_AS_KVIRT, addr, "not in the image");
	*ret = m->mem + off;
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_img m;
	struct vd_ksyms *ks = NULL, *ks2 = NULL;
	struct vd_ksyms_mem mem = { .map = map, .symbol = fz_img_symbol, .ptr_size = 8 };
	struct vd_ksyms_layout lay;
	struct vd_ksyms_table t;
	struct vd_ksym k;
	const char *names[4] = { "_stext", "no_such_symbol", NULL, NULL };
	uint32_t n;

	if (!fz_img_init(&m, data, size, BASE))
		return 0;
	mem.ctx = &m;
	mem.big_endian = m.be;
	if (vd_vmcoreinfo_number(&m.vi, "PTR_SIZE", &(uint64_t){ 0 }))
		mem.ptr_size = 4;
	if (fz_vd_ok(vd_ksyms_open(&mem, &ks))) {
		vd_ksyms_layout(ks, &lay);
		n = vd_ksyms_count(ks);
		for (uint32_t i = 0; i < n && i < STEPS; i++) {
			struct vd_error *err = vd_ksyms_nth(ks, i, &k);

			if (err) {
				fz_drop(err);
				break;
			}
			if (i == n / 2 && k.name)
				names[2] = k.name;
			if (i == n - 1 && k.name)
				names[3] = k.name;
			vd_ksyms_by_addr(ks, k.addr + k.size / 2, &k);
		}
		vd_ksyms_by_addr(ks, BASE, &k);
		vd_ksyms_by_addr(ks, UINT64_MAX, &k);
		// Four rounds: the third lookup on builds the hash index.
		for (int r = 0; r < 4; r++)
			for (size_t i = 0; i < 4; i++)
				if (names[i])
					vd_ksyms_by_name(ks, names[i], &k);
		vd_ksyms_cacheable(ks);
		vd_ksyms_wants_index(ks);
		if (fz_vd_ok(vd_ksyms_export(ks, &t)) && fz_vd_ok(vd_ksyms_open(&mem, &ks2)) &&
		    vd_ksyms_import(ks2, &t)) {
			for (size_t i = 0; i < 4; i++)
				if (names[i])
					vd_ksyms_by_name(ks2, names[i], &k);
			vd_ksyms_by_addr(ks2, BASE + 0x100, &k);
		}
	}
	vd_ksyms_destroy(ks2);
	vd_ksyms_destroy(ks);
	vd_vmcoreinfo_deinit(&m.vi);
	return 0;
}
