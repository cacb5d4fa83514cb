// SPDX-License-Identifier: MIT
/*
 * The list walker every kernel list goes through (tasks, modules, vmap
 * areas): loops, broken links, recovery through prev pointers, over a
 * memory image (fuzz_image.h).  LIST_HEAD is the anchor (default the
 * image's first word), LIMIT the node bound.
 */
#include "fuzz_image.h"
#include "vmdive/walk.h"

static struct vd_error *
read_ptr(void *priv, uint64_t addr, uint64_t *ret)
{
	const struct fz_img *m = priv;
	unsigned char b[8];
	size_t done;
	struct vd_error *err = fz_img_read(priv, addr, b, 8, &done);

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
	struct vd_list_walk w;
	uint64_t head, limit, node;

	if (!fz_img_init(&m, data, size, 0xffff888000000000ull))
		return 0;
	if (!vd_vmcoreinfo_number(&m.vi, "LIST_HEAD", &head))
		head = m.base;
	if (!vd_vmcoreinfo_number(&m.vi, "LIMIT", &limit) || limit > 100000)
		limit = 100000;
	vd_list_walk_init(&w, head, limit, read_ptr, &m);
	for (int n = 0; n < 200000; n++) {
		struct vd_error *err = vd_list_walk_next(&w, &node);

		if (err == &vd_stop)
			break;
		fz_drop(err);
	}
	vd_list_walk_deinit(&w);
	vd_vmcoreinfo_deinit(&m.vi);
	return 0;
}
