/* SPDX-License-Identifier: MIT */
/*
 * A space-separated word list written into a caller's buffer ("PRESENT RW
 * NX"): a word that does not fit ends the list, so output is never cut
 * mid-word and never overflows.
 */
#ifndef VD_COMMON_WORDS_H
#define VD_COMMON_WORDS_H

#include <stdbool.h>
#include <stddef.h>

struct vd_words {
	char *buf;
	size_t size, len;
	bool full;
};

/* buf must have room for at least the NUL (size >= 1). */
void vd_words_init(struct vd_words *w, char *buf, size_t size);
void vd_words_add(struct vd_words *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
