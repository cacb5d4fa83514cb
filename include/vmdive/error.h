/* SPDX-License-Identifier: MIT */
/*
 * vmdive error objects.
 *
 * Invariants:
 * - Every function that can fail returns struct vd_error *; NULL means success.
 * - Errors are heap objects owned by whoever receives them, except the static
 *   singletons vd_enomem, vd_stop and vd_noprobe, which vd_error_destroy()
 *   ignores.  Constructors never fail: on allocation failure they return
 *   &vd_enomem.
 * - Wrapping prepends context ("reading task_struct.comm at 0x...: ") to the
 *   message and keeps code, errnum, address and address space, so the
 *   outermost caller prints one line that reads from the general to the
 *   specific.
 */
#ifndef VMDIVE_ERROR_H
#define VMDIVE_ERROR_H

#include <stdarg.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vd_error_code {
	VD_ERR_NOMEM = 1,
	VD_ERR_OS,          /* a system call failed; errnum holds errno */
	VD_ERR_FAULT,       /* address not backed by anything in the dump */
	VD_ERR_NODATA,      /* page exists but was excluded from the dump */
	VD_ERR_NOTPRESENT,  /* page-table entry not present */
	VD_ERR_CORRUPT,     /* the file or the dumped memory is inconsistent */
	VD_ERR_LOOKUP,      /* symbol/type/member/key not found */
	VD_ERR_TYPE,        /* wrong kind of type for the operation */
	VD_ERR_NOTIMPL,     /* a real but unsupported variant */
	VD_ERR_INVALID_ARG, /* the caller asked for something impossible */
	VD_ERR_STOP,        /* end of an iteration (vd_stop) */
	VD_ERR_NOPROBE,     /* a format reader: "this file is not mine" */
};

/* Address space named by a fault. */
enum vd_as {
	VD_AS_NONE = 0,
	VD_AS_PHYS,   /* physical address */
	VD_AS_KVIRT,  /* kernel virtual address */
	VD_AS_UVIRT,  /* user (process) virtual address */
	VD_AS_FILE,   /* offset in the dump file */
};

struct vd_error {
	enum vd_error_code code;
	int errnum;           /* errno for VD_ERR_OS, else 0 */
	enum vd_as as;        /* for faults */
	uint64_t addr;        /* for faults */
	char *msg;            /* never NULL */
};

extern struct vd_error vd_enomem;
extern struct vd_error vd_stop;
extern struct vd_error vd_noprobe;

struct vd_error *vd_error_create(enum vd_error_code code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), returns_nonnull));
struct vd_error *vd_error_vcreate(enum vd_error_code code, const char *fmt,
				  va_list ap)
	__attribute__((format(printf, 2, 0), returns_nonnull));
/* VD_ERR_OS with errno; the message gets ": strerror(errnum)" appended. */
struct vd_error *vd_error_os(int errnum, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), returns_nonnull));
/* A fault of the given code (FAULT, NODATA, NOTPRESENT, CORRUPT) at addr. */
struct vd_error *vd_error_fault(enum vd_error_code code, enum vd_as as,
				uint64_t addr, const char *fmt, ...)
	__attribute__((format(printf, 4, 5), returns_nonnull));
/*
 * Prepend "context: " to err's message.  Takes ownership of err and returns
 * the wrapped error (a copy when err is a static singleton other than
 * vd_enomem, which is returned unchanged).  err must not be NULL.
 */
struct vd_error *vd_error_wrap(struct vd_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), returns_nonnull));
void vd_error_destroy(struct vd_error *err);

/* Name of an address space for messages: "physical", "kernel virtual", ... */
const char *vd_as_name(enum vd_as as);
/* Short name of an error code ("fault", "excluded", ...). */
const char *vd_error_code_name(enum vd_error_code code);

#ifdef __cplusplus
}
#endif
#endif
