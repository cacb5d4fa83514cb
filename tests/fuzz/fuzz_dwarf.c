// SPDX-License-Identifier: MIT
/*
 * DWARF in an ELF file (--vmlinux, --module-debug): section checks, the
 * unit headers (v2-v5), the name index, DIEs converted to types, and for
 * a relocatable object (.ko) the relocations of its debug sections.
 */
#include "dwarf/dwarf_source.h"
#include "dwarf/dwarf_source.h"
#include "types/ctype_priv.h"
#include "fuzz.h"
#include "vmdive/ctype.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"fx_task", "list_head", "task_struct", "fx_union", "int", "unsigned long",
	};
	static const enum vd_type_kind kinds[] = {
		VD_TYPE_STRUCT, VD_TYPE_UNION, VD_TYPE_TYPEDEF, VD_TYPE_INT,
	};
	struct vd_type_source *src;
	struct vd_error *err;
	char path[64];
	int fd = fz_file(data, size, path);

	if (fd < 0)
		return 0;
	err = vd_dwarf_source_from_file(path, &src);
	if (!err) {
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
				struct vd_qualified_type qt;
				char buf[512];
				struct vd_error *e = src->find(src, kinds[k], names[i], &qt);

				if (!e)
					vd_type_format_decl(qt, "x", buf, sizeof(buf));
				fz_drop(e);
			}
		if (src->find_object) {
			struct vd_qualified_type qt;

			fz_drop(src->find_object(src, "fx_global", &qt));
		}
		src->destroy(src);
	}
	fz_drop(err);
	close(fd);
	return 0;
}
