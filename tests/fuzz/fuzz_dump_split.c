// SPDX-License-Identifier: MIT
/*
 * Split kdump sets (makedumpfile --split): the input is two files joined
 * by the fz_split() separator, opened as one dump.
 */
#define LLVMFuzzerTestOneInput fz_single_unused
#include "fuzz_dump.inc"
#undef LLVMFuzzerTestOneInput

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vd_dump_opts opts = { .decompress_limit = FZ_DECOMPRESS_LIMIT,
				     .cache_pages = FZ_CACHE_PAGES };
	const uint8_t *a, *b;
	size_t na, nb;
	char pa[64], pb[64];
	const char *paths[2] = { pa, pb };
	struct vd_dump *d;
	struct vd_error *err;
	int fa, fb;

	fz_split(data, size, &a, &na, &b, &nb);
	fa = fz_file(a, na, pa);
	fb = fz_file(b, nb, pb);
	if (fa >= 0 && fb >= 0) {
		err = vd_dump_open(paths, 2, &opts, &d);
		if (!err) {
			fz_exercise_dump(d);
			vd_dump_close(d);
		}
		fz_drop(err);
	}
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return 0;
}
