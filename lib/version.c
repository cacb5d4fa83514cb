// SPDX-License-Identifier: MIT
/* The one source file of libvmdive.so itself: the rest is the layers'. */
#include "vmdive/vmdive.h"

const char *
vd_version(void)
{
	return VMDIVE_VERSION_STRING;
}
