// SPDX-License-Identifier: MIT
/* SHA-1 (FIPS 180-4, section 6.1), for the ABRT-compatible duphash. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vmdive/triage.h"

static uint32_t
rol(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

static void
block(uint32_t h[5], const uint8_t *p)
{
	uint32_t w[80], a, b, c, d, e;

	for (int t = 0; t < 16; t++)
		w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
		       (uint32_t)p[4 * t + 2] << 8 | p[4 * t + 3];
	for (int t = 16; t < 80; t++)
		w[t] = rol(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
	a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
	for (int t = 0; t < 80; t++) {
		uint32_t f, k, tmp;

		if (t < 20)
			f = (b & c) | (~b & d), k = 0x5a827999;
		else if (t < 40)
			f = b ^ c ^ d, k = 0x6ed9eba1;
		else if (t < 60)
			f = (b & c) | (b & d) | (c & d), k = 0x8f1bbcdc;
		else
			f = b ^ c ^ d, k = 0xca62c1d6;
		tmp = rol(a, 5) + f + e + k + w[t];
		e = d, d = c, c = rol(b, 30), b = a, a = tmp;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
}

void
vd_sha1_hex(const void *data, size_t len, char out[41])
{
	uint32_t h[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 };
	const uint8_t *p = data;
	uint8_t last[128];
	size_t rest = len % 64, nlast;
	uint64_t bits = (uint64_t)len * 8;

	for (size_t i = 0; i + 64 <= len; i += 64)
		block(h, p + i);
	memset(last, 0, sizeof(last));
	if (rest)
		memcpy(last, p + len - rest, rest);
	last[rest] = 0x80;
	nlast = rest + 1 + 8 <= 64 ? 64 : 128;
	for (int i = 0; i < 8; i++)
		last[nlast - 1 - i] = (uint8_t)(bits >> (8 * i));
	block(h, last);
	if (nlast == 128)
		block(h, last + 64);
	for (int i = 0; i < 5; i++)
		snprintf(out + 8 * i, 9, "%08x", h[i]);
}
