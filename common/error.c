// SPDX-License-Identifier: MIT
/* Error objects: see include/vmdive/error.h for the rules. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmdive/error.h"

struct vd_error vd_enomem = { .code = VD_ERR_NOMEM, .msg = "out of memory" };
struct vd_error vd_stop = { .code = VD_ERR_STOP, .msg = "end of iteration" };
struct vd_error vd_noprobe = { .code = VD_ERR_NOPROBE,
			       .msg = "not this format" };

static int
is_static(const struct vd_error *err)
{
	return err == &vd_enomem || err == &vd_stop || err == &vd_noprobe;
}

struct vd_error *
vd_error_vcreate(enum vd_error_code code, const char *fmt, va_list ap)
{
	struct vd_error *err = calloc(1, sizeof(*err));

	if (!err)
		return &vd_enomem;
	if (vasprintf(&err->msg, fmt, ap) < 0) {
		free(err);
		return &vd_enomem;
	}
	err->code = code;
	return err;
}

struct vd_error *
vd_error_create(enum vd_error_code code, const char *fmt, ...)
{
	struct vd_error *err;
	va_list ap;

	va_start(ap, fmt);
	err = vd_error_vcreate(code, fmt, ap);
	va_end(ap);
	return err;
}

struct vd_error *
vd_error_os(int errnum, const char *fmt, ...)
{
	struct vd_error *err;
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	err = vd_error_vcreate(VD_ERR_OS, fmt, ap);
	va_end(ap);
	if (err == &vd_enomem)
		return err;
	err->errnum = errnum;
	if (asprintf(&msg, "%s: %s", err->msg, strerror(errnum)) >= 0) {
		free(err->msg);
		err->msg = msg;
	}
	return err;
}

struct vd_error *
vd_error_fault(enum vd_error_code code, enum vd_as as, uint64_t addr,
	       const char *fmt, ...)
{
	struct vd_error *err;
	va_list ap;

	va_start(ap, fmt);
	err = vd_error_vcreate(code, fmt, ap);
	va_end(ap);
	if (err != &vd_enomem) {
		err->as = as;
		err->addr = addr;
	}
	return err;
}

struct vd_error *
vd_error_wrap(struct vd_error *err, const char *fmt, ...)
{
	char *ctx, *msg;
	va_list ap;

	if (err == &vd_enomem)
		return err;
	va_start(ap, fmt);
	if (vasprintf(&ctx, fmt, ap) < 0) {
		va_end(ap);
		vd_error_destroy(err);
		return &vd_enomem;
	}
	va_end(ap);
	if (asprintf(&msg, "%s: %s", ctx, err->msg) < 0) {
		free(ctx);
		vd_error_destroy(err);
		return &vd_enomem;
	}
	free(ctx);
	if (is_static(err)) {
		struct vd_error *copy = calloc(1, sizeof(*copy));

		if (!copy) {
			free(msg);
			return &vd_enomem;
		}
		*copy = *err;
		err = copy;
	} else {
		free(err->msg);
	}
	err->msg = msg;
	return err;
}

void
vd_error_destroy(struct vd_error *err)
{
	if (!err || is_static(err))
		return;
	free(err->msg);
	free(err);
}

const char *
vd_as_name(enum vd_as as)
{
	switch (as) {
	case VD_AS_PHYS: return "physical";
	case VD_AS_KVIRT: return "kernel virtual";
	case VD_AS_UVIRT: return "user virtual";
	case VD_AS_FILE: return "file offset";
	default: return "";
	}
}

const char *
vd_error_code_name(enum vd_error_code code)
{
	switch (code) {
	case VD_ERR_NOMEM: return "no memory";
	case VD_ERR_OS: return "os";
	case VD_ERR_FAULT: return "fault";
	case VD_ERR_NODATA: return "excluded";
	case VD_ERR_NOTPRESENT: return "not present";
	case VD_ERR_CORRUPT: return "corrupt";
	case VD_ERR_LOOKUP: return "lookup";
	case VD_ERR_TYPE: return "type";
	case VD_ERR_NOTIMPL: return "not implemented";
	case VD_ERR_INVALID_ARG: return "invalid argument";
	case VD_ERR_STOP: return "stop";
	case VD_ERR_NOPROBE: return "no probe";
	}
	return "unknown";
}
