/* SPDX-License-Identifier: MIT */
/* Small vocabulary shared by every layer. */
#ifndef VMDIVE_TYPES_H
#define VMDIVE_TYPES_H

#ifdef __cplusplus
extern "C" {
#endif

enum vd_arch {
	VD_ARCH_UNKNOWN = 0,
	VD_ARCH_X86_64,
	VD_ARCH_AARCH64,
};

/* "x86_64", "aarch64", "unknown" */
const char *vd_arch_name(enum vd_arch arch);

#ifdef __cplusplus
}
#endif
#endif
