// SPDX-License-Identifier: MIT
/*
 * ELF identification checks, in the order of the ELF specification's
 * e_ident (System V ABI, "ELF Identification"): EI_MAG0..3, EI_CLASS,
 * EI_DATA, EI_VERSION, then the header that class implies.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "elf_why.h"

#define EI_NIDENT 16
#define EHDR32_SIZE 52
#define EHDR64_SIZE 64

const char *
vd_elf_why_not(int fd, char *buf, size_t size)
{
	unsigned char h[EHDR64_SIZE];
	ssize_t n;

	do
		n = pread(fd, h, sizeof(h), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		snprintf(buf, size, "cannot read it: %s", strerror(errno));
		return buf;
	}
	if (n == 0) {
		snprintf(buf, size, "the file is empty");
		return buf;
	}
	if (n < 4 || memcmp(h, "\x7f" "ELF", 4)) {
		char text[5] = "", hex[16] = "";
		size_t k = (size_t)(n < 4 ? n : 4), len = 0;

		for (size_t i = 0; i < k; i++) {
			text[i] = isprint(h[i]) ? (char)h[i] : '.';
			len += (size_t)snprintf(hex + len, sizeof(hex) - len, "%s%02x",
						i ? " " : "", h[i]);
		}
		text[k] = '\0';
		snprintf(buf, size, "the first %zu bytes are \"%s\" (%s), not the ELF magic 7f 45 4c 46",
			 k, text, hex);
		return buf;
	}
	if (n < EI_NIDENT) {
		snprintf(buf, size, "the file ends after %zd bytes, inside the ELF identification",
			 n);
		return buf;
	}
	if (h[4] != 1 && h[4] != 2) {
		snprintf(buf, size, "ELF class (byte 4) is %u, neither 1 (32-bit) nor 2 (64-bit)",
			 h[4]);
		return buf;
	}
	if (h[5] != 1 && h[5] != 2) {
		snprintf(buf, size, "ELF data encoding (byte 5) is %u, neither 1 (little-endian) nor 2 (big-endian)",
			 h[5]);
		return buf;
	}
	if (h[6] != 1) {
		snprintf(buf, size, "ELF version (byte 6) is %u, not 1", h[6]);
		return buf;
	}
	if (n < (h[4] == 2 ? EHDR64_SIZE : EHDR32_SIZE)) {
		snprintf(buf, size, "the file ends after %zd bytes, inside the %d-bit ELF header",
			 n, h[4] == 2 ? 64 : 32);
		return buf;
	}
	return NULL;
}
