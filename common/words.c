// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "words.h"

void
vd_words_init(struct vd_words *w, char *buf, size_t size)
{
	*w = (struct vd_words){ .buf = buf, .size = size };
	if (size)
		buf[0] = '\0';
	else
		w->full = true;
}

void
vd_words_add(struct vd_words *w, const char *fmt, ...)
{
	char word[64];
	size_t n;
	va_list ap;

	if (w->full)
		return;
	va_start(ap, fmt);
	vsnprintf(word, sizeof(word), fmt, ap);
	va_end(ap);
	n = strlen(word) + (w->len ? 1 : 0);
	if (w->len + n >= w->size) {
		w->full = true;
		return;
	}
	snprintf(w->buf + w->len, w->size - w->len, "%s%s", w->len ? " " : "",
		 word);
	w->len += n;
}
