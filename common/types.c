// SPDX-License-Identifier: MIT
#include "vmdive/types.h"

const char *
vd_arch_name(enum vd_arch arch)
{
	switch (arch) {
	case VD_ARCH_X86_64: return "x86_64";
	case VD_ARCH_AARCH64: return "aarch64";
	default: return "unknown";
	}
}
