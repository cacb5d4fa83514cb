// SPDX-License-Identifier: MIT
/*
 * BTF blobs (vmlinux BTF as the dump holds it), and a module's split BTF
 * over it: the input is the base blob, the fz_split() separator, the
 * module's blob (may be empty).  Then every struct a kernel walker asks
 * for is looked up, member paths resolved (the anonymous-member search)
 * and every type formatted as a declaration.
 */
#include "types/ctype_priv.h"
#include "fuzz.h"
#include "vmdive/ctype.h"

static void
probe(struct vd_type_source *src)
{
	static const char *const names[] = {
		"task_struct", "list_head", "module", "vmap_area", "printk_ringbuffer",
		"prb_desc", "printk_info", "mm_struct", "fx_task", "s", "a", "",
	};
	static const char *const paths[] = {
		"next", "tasks.next", "a.b.c", "x[3]", "mem[1].base", "nope", "a",
	};
	static const enum vd_type_kind kinds[] = {
		VD_TYPE_STRUCT, VD_TYPE_UNION, VD_TYPE_TYPEDEF, VD_TYPE_ENUM, VD_TYPE_INT,
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			struct vd_qualified_type qt;
			char buf[512];
			struct vd_error *e = src->find(src, kinds[k], names[i], &qt);

			if (e) {
				fz_drop(e);
				continue;
			}
			vd_type_format(qt, buf, sizeof(buf));
			vd_type_format_decl(qt, "x", buf, sizeof(buf));
			for (size_t p = 0; p < sizeof(paths) / sizeof(paths[0]); p++) {
				struct vd_member_info mi;
				struct vd_error *err = vd_type_member(qt.type, paths[p], &mi);

				if (!err)
					vd_type_format_decl(mi.type, paths[p], buf, sizeof(buf));
				fz_drop(err);
			}
			for (size_t m = 0; qt.type && m < qt.type->nmembers && m < 64; m++)
				vd_type_format_decl(qt.type->members[m].type,
						    qt.type->members[m].name, buf, sizeof(buf));
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *a, *b;
	size_t na, nb;
	struct vd_type_source *base = NULL, *mod = NULL;
	struct vd_error *err;

	fz_split(data, size, &a, &na, &b, &nb);
	err = vd_btf_source_from_blob(a, na, 8, &base);
	if (err) {
		fz_drop(err);
		return 0;
	}
	probe(base);
	if (nb) {
		err = vd_btf_source_split(base, "fuzzmod", b, nb, 0, 0, &mod);
		if (!err) {
			probe(mod);
			mod->destroy(mod);
		}
		fz_drop(err);
	}
	base->destroy(base);
	return 0;
}
