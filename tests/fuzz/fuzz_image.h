/* SPDX-License-Identifier: MIT */
/*
 * A memory image for the in-dump parser targets: the input is VMCOREINFO
 * text ("KEY=VALUE" lines: the numbers and symbols the parser asks for),
 * the fz_split() separator, then bytes of memory at address BASE (a key of
 * the text; default 0xffff888000000000 for kernel-virtual images, 0 for
 * physical ones).  Reads outside the bytes fault, as a hole in a dump does.
 */
#ifndef VD_TESTS_FUZZ_IMAGE_H
#define VD_TESTS_FUZZ_IMAGE_H

#include "common/vmcoreinfo.h"
#include "fuzz.h"

struct fz_img {
	struct vd_vmcoreinfo vi;
	const uint8_t *mem;
	size_t n;
	uint64_t base;
	bool be;
};

static inline bool
fz_img_init(struct fz_img *m, const uint8_t *data, size_t size, uint64_t base)
{
	const uint8_t *text;
	size_t ntext;
	uint64_t v;
	struct vd_error *err;

	fz_split(data, size, &text, &ntext, &m->mem, &m->n);
	err = vd_vmcoreinfo_parse((const char *)text, ntext, &m->vi);
	if (err) {
		fz_drop(err);
		return false;
	}
	m->base = vd_vmcoreinfo_number(&m->vi, "BASE", &v) ? v : base;
	m->be = vd_vmcoreinfo_number(&m->vi, "BIG_ENDIAN", &v) && v;
	return true;
}

static inline struct vd_error *
fz_img_read(void *priv, uint64_t addr, void *buf, size_t len, size_t *done)
{
	const struct fz_img *m = priv;
	uint64_t off = addr - m->base;

	*done = 0;
	if (addr < m->base || off >= m->n)
		return vd_error_fault(VD_ERR_FAULT, VD_AS_KVIRT, addr, "not in the image");
	*done = m->n - off < len ? m->n - off : len;
	memcpy(buf, m->mem + off, *done);
	if (*done < len)
		return vd_error_fault(VD_ERR_FAULT, VD_AS_KVIRT, addr + *done,
				      "not in the image");
	return NULL;
}

static inline bool
fz_img_number(void *priv, const char *key, uint64_t *ret)
{
	const struct fz_img *m = priv;

	return vd_vmcoreinfo_number(&m->vi, key, ret);
}

/* "SYMBOL(name)" keys answer symbol lookups. */
static inline bool
fz_img_symbol(void *priv, const char *name, uint64_t *ret)
{
	const struct fz_img *m = priv;
	char key[160];

	snprintf(key, sizeof(key), "SYMBOL(%s)", name);
	return vd_vmcoreinfo_number(&m->vi, key, ret);
}

#endif
