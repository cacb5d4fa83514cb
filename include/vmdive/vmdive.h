/* SPDX-License-Identifier: MIT */
/*
 * libvmdive: the one header to include.
 *
 *   #include <vmdive/vmdive.h>
 *   cc prog.c $(pkg-config --cflags --libs vmdive)
 *
 * What each part does (every header says more at its top):
 *   vmdive/error.h    errors: the contract every function follows (who owns
 *                     what, how failures read); read it first
 *   vmdive/types.h    architectures, number parsing
 *   vmdive/dump.h     dump files: formats, what the writer recorded,
 *                     physical (or process) memory
 *   vmdive/xlat.h     address translation: page tables, memory layout
 *   vmdive/session.h  a session: one dump and what is learned about it
 *                     (VMCOREINFO, translation, symbols, reads); start here
 *   vmdive/ctype.h    C types of the dumped kernel, typed memory
 *   vmdive/walk.h     walkers: printk log, modules, vmalloc areas, tasks,
 *                     kernel lists; extraction of memory to files
 *   vmdive/core.h     process (user-space) cores
 *
 * Only names starting with vd_ (functions, variables) and VD_ / VMDIVE_
 * (macros, enumerators) belong to the library; libvmdive.so exports the
 * functions and variables these headers declare and nothing else.  The
 * API is not stable before 1.0: the SONAME (libvmdive.so.0) changes when
 * it breaks.  docs/library.md explains how to use it.
 *
 * A new public header goes in include/vmdive/ and is included below; being
 * declared there is what exports a function (the linker's export list is
 * made from these headers, cmake/version_script.cmake).
 */
#ifndef VMDIVE_VMDIVE_H
#define VMDIVE_VMDIVE_H

#include "vmdive/version.h"

#include "vmdive/error.h"
#include "vmdive/types.h"
#include "vmdive/dump.h"
#include "vmdive/xlat.h"
#include "vmdive/session.h"
#include "vmdive/ctype.h"
#include "vmdive/walk.h"
#include "vmdive/core.h"
#include "vmdive/expr.h"
#include "vmdive/disasm.h"
#include "vmdive/unwind.h"
#include "vmdive/memory.h"
#include "vmdive/triage.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The library's version as "MAJOR.MINOR.PATCH": the one running, which may
 * be newer than VMDIVE_VERSION_STRING, the headers' a program was built with.
 */
const char *vd_version(void);

#ifdef __cplusplus
}
#endif
#endif
