// SPDX-License-Identifier: MIT
/*
 * aarch64 page-table walks over fake physical memory: the image
 * (fuzz_image.h) is physical memory at BASE (default 0), its VMCOREINFO
 * keys the numbers translation starts from; then the layout, a few
 * translations (VA keys, else addresses in every region) and full walks.
 */
#include "fuzz_image.h"
#include "vmdive/xlat.h"

static struct vd_error *
read_phys64(void *priv, uint64_t pa, uint64_t *ret)
{
	const struct fz_img *m = priv;
	unsigned char b[8];
	size_t done;
	struct vd_error *err = fz_img_read(priv, pa, b, 8, &done);

	if (err)
		return err;
	memcpy(ret, b, 8);
	if (m->be)
		*ret = __builtin_bswap64(*ret);
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_img m;
	struct vd_xlat_cb cb;
	struct vd_xlat *x;
	struct vd_error *err;

	if (!fz_img_init(&m, data, size, 0))
		return 0;
	cb = (struct vd_xlat_cb){ .priv = &m, .read_phys64 = read_phys64,
				  .number = fz_img_number, .symbol = fz_img_symbol };
	err = vd_xlat_create(VD_ARCH_AARCH64, &cb, &x);
	if (!err) {
		const struct vd_region *r;
		size_t n = vd_xlat_layout(x, &r);
		const struct vd_xlat_param *params;
		uint64_t vas[24], pa, psize;
		size_t nva = 0;
		char key[16], flags[256];

		(void)vd_xlat_params(x, &params);
		for (int i = 0; i < 8; i++) {
			snprintf(key, sizeof(key), "VA%d", i);
			if (vd_vmcoreinfo_number(&m.vi, key, &vas[nva]))
				nva++;
		}
		for (size_t i = 0; i < n && nva < 24; i++)
			vas[nva++] = r[i].start + (r[i].end - r[i].start) / 3;
		for (size_t i = 0; i < nva; i++) {
			struct vd_xlat_walk w = { 0 };

			fz_drop(vd_xlat_translate(x, vas[i], &pa, &psize));
			err = vd_xlat_walk(x, 0, vas[i], &w);
			fz_drop(err);
			for (size_t k = 0; k < w.nsteps && k < 8; k++)
				vd_xlat_entry_flags(x, &w.steps[k], flags, sizeof(flags));
			(void)vd_xlat_region(x, vas[i]);
		}
		err = NULL;
		vd_xlat_destroy(x);
	}
	fz_drop(err);
	vd_vmcoreinfo_deinit(&m.vi);
	return 0;
}
