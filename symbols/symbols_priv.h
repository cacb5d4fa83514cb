/* SPDX-License-Identifier: MIT */
/* Inside symbols/: kallsyms decoding and the image scan. */
#ifndef VD_SYMBOLS_SYMBOLS_PRIV_H
#define VD_SYMBOLS_SYMBOLS_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/session_priv.h"

/* Decode the kernel's kallsyms tables from the dump (kallsyms.c). */
struct vd_error *vd_kallsyms_load(struct vd_session *s, struct vd_symtab *ret);

/*
 * __start_BTF, __stop_BTF, init_task or modules found by scanning the
 * kernel image, for kernels whose kallsyms lacks data symbols
 * (probe_syms.c).
 */
bool vd_probe_symbol(struct vd_session *s, const char *name, uint64_t *ret);
void vd_probe_destroy(struct vd_probe *p);

#endif
