/* SPDX-License-Identifier: MIT */
/* The session's insides, shared by the analyzer's files. */
#ifndef VD_ANALYZER_SESSION_PRIV_H
#define VD_ANALYZER_SESSION_PRIV_H

#include "ctypes_priv.h"
#include "symtab.h"
#include "vmcoreinfo.h"
#include "vmdive/session.h"

struct vd_session {
	struct vd_dump *dump;
	struct vd_vmcoreinfo vmcoreinfo;
	struct vd_xlat *xlat;          /* set up on first use */
	struct vd_error *xlat_err;     /* why it could not be, kept */
	bool xlat_busy;                /* being set up: no kallsyms yet */
	struct vd_symtab symtab;       /* vmlinux or System.map */
	bool have_symtab;
	char build_id[65];             /* of the vmlinux */
	struct vd_symtab kallsyms;     /* decoded from the dump on first use */
	bool kallsyms_tried;
	struct vd_error *kallsyms_err; /* why decoding failed, kept */
	char symbol_source[4096 + 32];
	struct vd_types types;         /* set up on first type lookup */
};

/* Decode the kernel's kallsyms tables from the dump (analyzer/kallsyms.c). */
struct vd_error *vd_kallsyms_load(struct vd_session *s, struct vd_symtab *ret);

/* Refuse a vmlinux that is not the dumped kernel (analyzer/symbols.c). */
struct vd_error *vd_session_check_vmlinux(struct vd_session *s,
					  const struct vd_session_opts *opts);

#endif
