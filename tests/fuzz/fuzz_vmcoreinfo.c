// SPDX-License-Identifier: MIT
/* VMCOREINFO text: parsing, lookups and the value decoder. */
#include "common/vmcoreinfo.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {
		"PAGESIZE", "KERNELOFFSET", "SYMBOL(init_top_pgt)", "NUMBER(phys_base)",
		"OFFSET(list_head.next)", "SIZE(printk_ringbuffer)", "LENGTH(mem_section)",
		"OSRELEASE", "CRASHTIME", "NUMBER(VA_BITS)", "BUILD-ID",
	};
	struct vd_vmcoreinfo vi;
	struct vd_error *err = vd_vmcoreinfo_parse((const char *)data, size, &vi);
	uint64_t v;

	if (err) {
		fz_drop(err);
		return 0;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		(void)vd_vmcoreinfo_get(&vi, keys[i]);
		(void)vd_vmcoreinfo_number(&vi, keys[i], &v);
	}
	for (size_t i = 0; i < vi.n; i++)
		(void)vd_vmcoreinfo_decode(vi.entries[i].key, vi.entries[i].value, &v);
	vd_vmcoreinfo_deinit(&vi);
	return 0;
}
