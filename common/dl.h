/* SPDX-License-Identifier: MIT */
/*
 * A shared library loaded when it is first needed (dlopen), for the
 * libraries whose loading every command would otherwise pay at start
 * (Capstone's relocations, snappy's C++ runtime).  The caller runs the load
 * once (pthread_once) and keeps its outcome.
 */
#ifndef VD_COMMON_DL_H
#define VD_COMMON_DL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Load soname and set *fns[i] to its function names[i], for i < n.  On
 * failure: false, and why (whylen bytes) says what failed, the loader's
 * message or "SONAME has no NAME" (the first function missing).
 */
bool vd_dl_load(const char *soname, const char *const *names, void **const *fns, size_t n,
		char *why, size_t whylen);

#endif
