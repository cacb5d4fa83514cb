/* SPDX-License-Identifier: MIT */
/*
 * A loaded module's DWARF for code questions (bt -l's lines and inlined
 * callers): its debug file (--module-debug) with the debug sections
 * relocated to where the module's sections are loaded
 * (modules/module_syms.c, from the placement module_debug.c makes for
 * its symbols), so the DWARF's addresses are the dump's.
 */
#ifndef VD_MODULE_CODE_H
#define VD_MODULE_CODE_H

#include <libdwarf.h>
#include <stdint.h>

#include "vmdive/error.h"
#include "vmdive/session.h"

/*
 * The DWARF (owned by the session) of the module whose memory holds addr;
 * *module names it (NULL: addr is in no module).  VD_ERR_LOOKUP when the
 * module has no usable debug file.
 */
struct vd_error *vd_module_code_dwarf(struct vd_session *s, uint64_t addr, Dwarf_Debug *dbg,
				      const char **module);

#endif
