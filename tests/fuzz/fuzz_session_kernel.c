// SPDX-License-Identifier: MIT
/*
 * A kernel dump through a whole session: VMCOREINFO, address translation
 * set up from the dump's numbers and page tables, kallsyms tables, BTF in
 * the dump, and the walkers (tasks, modules, vmap areas, the printk ring
 * or log_buf) over whatever memory the input holds.  Seeds are ELF
 * vmcores whose VMCOREINFO names symbols inside their own PT_LOADs.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "vmdive/session.h"
#include "vmdive/walk.h"

#define STEPS 256

static void
walk(struct vd_session *s)
{
	struct vd_task_iter ti;
	struct vd_module_iter mi;
	struct vd_vmalloc_iter vi;
	struct vd_printk_iter pi;
	struct vd_symbol_info sym;
	struct vd_error *err;
	uint64_t v;
	int n;

	if (!(err = vd_task_iter_init(&ti, s, true))) {
		const struct vd_task *t;

		for (n = 0; n < STEPS; n++) {
			struct vd_error *e = vd_task_iter_next(&ti, &t);

			if (e == &vd_stop)
				break;
			fz_drop(e);
		}
		vd_task_iter_deinit(&ti);
	} else {
		fz_drop(err);
	}
	if (!(err = vd_module_iter_init(&mi, s))) {
		const struct vd_module *m;

		for (n = 0; n < STEPS; n++) {
			struct vd_error *e = vd_module_iter_next(&mi, &m);

			if (e == &vd_stop)
				break;
			if (!e) {
				const struct vd_module_symbol *ms;
				size_t nms;

				fz_drop(vd_module_symbols(s, m, &ms, &nms));
			}
			fz_drop(e);
		}
		vd_module_iter_deinit(&mi);
	} else {
		fz_drop(err);
	}
	if (!(err = vd_vmalloc_iter_init(&vi, s))) {
		const struct vd_vmap_area *a;

		for (n = 0; n < STEPS; n++) {
			struct vd_error *e = vd_vmalloc_iter_next(&vi, &a);

			if (e == &vd_stop)
				break;
			fz_drop(e);
		}
		vd_vmalloc_iter_deinit(&vi);
	} else {
		fz_drop(err);
	}
	if (!(err = vd_printk_iter_init(&pi, s))) {
		const struct vd_printk_record *r;

		for (n = 0; n < STEPS; n++) {
			struct vd_error *e = vd_printk_iter_next(&pi, &r);

			if (e == &vd_stop)
				break;
			fz_drop(e);
		}
		vd_printk_iter_deinit(&pi);
	} else {
		fz_drop(err);
	}
	if (vd_session_symbol(s, "init_task", &v))
		vd_session_symbolize(s, v + 8, &sym);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	// A 16-page cache: its 16 MiB default, allocated at every open, was most
	// of a kdump or flattened input's time (fuzz_dump.inc).
	struct vd_session_opts opts = { .dump.decompress_limit = 16u << 20,
					.dump.cache_pages = 16 };
	struct vd_session *s;
	struct vd_error *err;
	char path[64];
	const char *p = path;
	int fd = fz_file(data, size, path);

	if (fd < 0)
		return 0;
	err = vd_session_open(&p, 1, &opts, &s);
	if (!err) {
		walk(s);
		vd_session_close(s);
	}
	fz_drop(err);
	close(fd);
	return 0;
}
