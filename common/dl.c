// SPDX-License-Identifier: MIT
#include "dl.h"

#include <dlfcn.h>
#include <stdio.h>

bool
vd_dl_load(const char *soname, const char *const *names, void **const *fns, size_t n,
	   char *why, size_t whylen)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		const char *e = dlerror();

		snprintf(why, whylen, "%s", e ? e : soname);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (!(*fns[i] = dlsym(h, names[i]))) {
			snprintf(why, whylen, "%s has no %s", soname, names[i]);
			return false;
		}
	return true;
}
