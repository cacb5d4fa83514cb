// SPDX-License-Identifier: MIT
/* System.map text ("ffffffff81000000 T _text" lines) and lookups in it. */
#include "kernel/symtab.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vd_symtab st;
	struct vd_error *err;
	char path[64];
	int fd = fz_file(data, size, path);

	if (fd < 0)
		return 0;
	err = vd_symtab_load_system_map(path, 0x1000000, &st);
	if (!err) {
		(void)vd_symtab_by_name(&st, "_stext");
		(void)vd_symtab_by_name(&st, "panic");
		for (size_t i = 0; i < st.n && i < 64; i++)
			(void)vd_symtab_by_name(&st, st.syms[i].name);
		for (size_t i = 0; i < st.n && i < 64; i++)
			(void)vd_symtab_by_addr(&st, st.syms[i].addr + 3);
		vd_symtab_deinit(&st);
	}
	fz_drop(err);
	close(fd);
	return 0;
}
