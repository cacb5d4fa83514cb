// SPDX-License-Identifier: MIT
/*
 * The printk ring (lockless, 5.10+) and the older log_buf records, over a
 * memory image (fuzz_image.h): the VMCOREINFO keys say which and where
 * (SYMBOL(prb) or SYMBOL(log_buf), their OFFSET/SIZE keys).
 */
#include "walkers/printk.h"
#include "fuzz_image.h"
#include "vmdive/walk.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_img m;
	struct vd_printk_source src;
	struct vd_printk_iter it;
	struct vd_error *err;
	int64_t boot;

	if (!fz_img_init(&m, data, size, 0xffffffff82000000ull))
		return 0;
	src = (struct vd_printk_source){ .priv = &m, .read = fz_img_read,
					 .number = fz_img_number,
					 .symbol = fz_img_symbol, .big_endian = m.be };
	err = vd_printk_iter_init_source(&it, &src);
	if (!err) {
		const struct vd_printk_record *r;

		for (int n = 0; n < 4096; n++) {
			struct vd_error *e = vd_printk_iter_next(&it, &r);

			if (e == &vd_stop)
				break;
			fz_drop(e);
		}
		vd_printk_iter_deinit(&it);
	}
	fz_drop(err);
	fz_drop(vd_printk_boot_time_source(&src, 1700000000ull * 1000000000ull, &boot));
	vd_vmcoreinfo_deinit(&m.vi);
	return 0;
}
