// SPDX-License-Identifier: MIT
/*
 * The kernel's taint flags (include/vmdive/walk.h): one table for a
 * module's taints (mod) and the kernel's tainted_mask (sys, triage).
 * TAINT_* are #defines, absent from BTF, so the table is fixed: kernel/
 * panic.c's taint_flags[] (TAINT_TEST 'N' since 6.0, commit 2852ca7fba9f
 * "panic: Taint kernel if tests are run").
 */
#include <stddef.h>
#include <stdint.h>

#include "common/util.h"
#include "vmdive/walk.h"

const struct vd_taint_flag vd_taint_flags[] = {
	{ 0, 'P', "TAINT_PROPRIETARY_MODULE", "proprietary module was loaded" },
	{ 1, 'F', "TAINT_FORCED_MODULE", "module was force loaded" },
	{ 2, 'S', "TAINT_CPU_OUT_OF_SPEC", "kernel running on an out of specification system" },
	{ 3, 'R', "TAINT_FORCED_RMMOD", "module was force unloaded" },
	{ 4, 'M', "TAINT_MACHINE_CHECK", "processor reported a Machine Check Exception" },
	{ 5, 'B', "TAINT_BAD_PAGE", "bad page referenced or some unexpected page flags" },
	{ 6, 'U', "TAINT_USER", "taint requested by userspace application" },
	{ 7, 'D', "TAINT_DIE", "kernel died recently, i.e. there was an OOPS or BUG" },
	{ 8, 'A', "TAINT_OVERRIDDEN_ACPI_TABLE", "ACPI table overridden by user" },
	{ 9, 'W', "TAINT_WARN", "kernel issued warning" },
	{ 10, 'C', "TAINT_CRAP", "staging driver was loaded" },
	{ 11, 'I', "TAINT_FIRMWARE_WORKAROUND", "workaround for bug in platform firmware applied" },
	{ 12, 'O', "TAINT_OOT_MODULE", "externally-built (out-of-tree) module was loaded" },
	{ 13, 'E', "TAINT_UNSIGNED_MODULE", "unsigned module was loaded" },
	{ 14, 'L', "TAINT_SOFTLOCKUP", "soft lockup occurred" },
	{ 15, 'K', "TAINT_LIVEPATCH", "kernel has been live patched" },
	{ 16, 'X', "TAINT_AUX", "auxiliary taint, defined for and used by distros" },
	{ 17, 'T', "TAINT_RANDSTRUCT", "kernel was built with the struct randomization plugin" },
	{ 18, 'N', "TAINT_TEST", "an in-kernel test has been run" },
	{ 19, 'J', "TAINT_FWCTL", "userspace used a mutating debug operation in fwctl" },
};
const size_t vd_ntaint_flags = VD_ARRAY_SIZE(vd_taint_flags);

void
vd_taint_letters(uint64_t mask, char *buf, size_t size)
{
	size_t n = 0;

	if (!size)
		return;
	for (unsigned bit = 0; bit < 64 && n + 1 < size; bit++) {
		if (!(mask & (1ull << bit)))
			continue;
		buf[n++] = bit < vd_ntaint_flags ? vd_taint_flags[bit].letter : '?';
	}
	buf[n] = '\0';
}

