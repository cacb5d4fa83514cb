// SPDX-License-Identifier: MIT
/*
 * A process core through a session: its notes (NT_PRSTATUS, NT_PRPSINFO,
 * NT_SIGINFO, NT_AUXV, NT_FILE), the file mappings, the dynamic linker's
 * link_map (from the auxv's AT_PHDR/AT_BASE, r_debug in memory) when no
 * NT_FILE names them, strings and symbols at addresses the core names.
 * Mapped files named by the input are looked up where it says (read-only;
 * the sysroot /proc/self/fdinfo holds no such paths).
 */
#include "fuzz.h"
#include "vmdive/core.h"
#include "vmdive/session.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vd_session_opts opts = { .dump.decompress_limit = 16u << 20,
					.dump.cache_pages = 16,       // fuzz_dump.inc
					.sysroot = "/proc/self/fdinfo" };
	struct vd_session *s;
	struct vd_error *err;
	char path[64];
	const char *p = path;
	int fd = fz_file(data, size, path);

	if (fd < 0)
		return 0;
	err = vd_session_open(&p, 1, &opts, &s);
	if (!err) {
		const struct vd_dump_info *info = vd_session_info(s);
		const struct vd_core_files *fs = vd_session_core_files(s);
		char buf[256];

		for (size_t i = 0; fs && i < fs->n && i < 64; i++)
			(void)vd_session_core_object_nth(s, i);
		for (size_t i = 0; info->core && i < info->core->nauxv && i < 64; i++) {
			struct vd_core_symbol sym;

			fz_drop(vd_session_core_string(s, info->core->auxv[i].value, buf,
						       sizeof(buf)));
			fz_drop(vd_session_core_symbolize(s, info->core->auxv[i].value, &sym));
		}
		for (size_t i = 0; i < info->ncpus && i < 16; i++) {
			struct vd_core_symbol sym;

			for (uint32_t r = 0; r < info->cpus[i].nregs && r < 40; r += 8)
				fz_drop(vd_session_core_symbolize(s, info->cpus[i].regs[r],
								  &sym));
		}
		vd_session_close(s);
	}
	fz_drop(err);
	close(fd);
	return 0;
}
