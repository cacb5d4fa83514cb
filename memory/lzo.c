// SPDX-License-Identifier: MIT
/*
 * LZO1X decompression, bounded, for the pages zram stores with "lzo" and
 * "lzo-rle" (the kernel's lib/lzo).  liblzo2 reads only the original
 * bitstream; zram's default since 5.1 is lzo-rle (commit 45ec975efb52
 * "lib/lzo: separate lzo-rle from lzo"), bitstream version 1, which adds
 * runs of zeros (commit 5ee4014af99f "lib/lzo: implement run-length
 * encoding").  The format as the kernel reads it is described in its
 * Documentation/staging/lzo.rst; in short:
 *
 *   - a stream that starts with byte 17 and has at least 5 bytes carries
 *     its version in the next byte (1: lzo-rle);
 *   - a first byte 18..255 copies byte - 17 literals;
 *   - then instructions: 0..15 a long literal run (after no literals), or a
 *     2-byte match within 1 KiB (after 1..3 literals), or a 3-byte match at
 *     2049..3072 (after 4+ literals); 16..31 a match at 16..48 KiB, its
 *     distance 16384 being the end of the stream, and in version 1 the
 *     instruction 0x18..0x1f with all distance bits set a zero run of
 *     ((X << 3) | (byte & 7)) + 4 bytes, X the fourth byte; 32..63 a match
 *     within 16 KiB; 64..255 a 3..8-byte match within 2 KiB.  Matches and
 *     the 2-bit state of a distance operand copy 0..3 literals after them.
 *
 * Every read and write is bounds-checked; a length made of zero bytes is
 * bounded by the input it consumes.
 */
#include <string.h>

#include "vmdive/memory.h"

struct lzo_in {
	const unsigned char *p, *end;
};

/* A length continued in zero bytes: base + 255 per zero byte + the next. */
static bool
lzo_len(struct lzo_in *in, size_t base, size_t *ret)
{
	size_t n = base;

	while (in->p < in->end && *in->p == 0) {
		n += 255;
		in->p++;
	}
	if (in->p >= in->end)
		return false;
	*ret = n + *in->p++;
	return true;
}

/*
 * An M3/M4 match's operands: the length in the instruction's low bits
 * (mask; 0: continued in the bytes after) plus 2, then the 16-bit
 * little-endian distance word.  An error string, or NULL.
 */
static const char *
lzo_match(struct lzo_in *in, size_t t, size_t mask, size_t *len, size_t *word)
{
	*len = t & mask;
	if (!*len && !lzo_len(in, mask, len))
		return "match length past the end of the input";
	*len += 2;
	if (in->end - in->p < 2)
		return "match distance past the end of the input";
	*word = in->p[0] | (size_t)in->p[1] << 8;
	in->p += 2;
	return NULL;
}

static const char *
lit(struct lzo_in *in, unsigned char *out, size_t cap, size_t *op, size_t n)
{
	if ((size_t)(in->end - in->p) < n)
		return "literal run past the end of the input";
	if (cap - *op < n)
		return "literal run past the end of the output";
	memcpy(out + *op, in->p, n);
	in->p += n;
	*op += n;
	return NULL;
}

static const char *
copy_match(unsigned char *out, size_t cap, size_t *op, size_t dist, size_t len)
{
	if (dist == 0 || dist > *op)
		return "match reaches before the start of the output";
	if (cap - *op < len)
		return "match past the end of the output";
	for (size_t i = 0; i < len; i++, (*op)++)   // overlapping copies repeat
		out[*op] = out[*op - dist];
	return NULL;
}

const char *
vd_lzo1x_decompress(const void *src, size_t src_len, void *dst, size_t dst_cap,
		    size_t *dst_len)
{
	struct lzo_in in = { src, (const unsigned char *)src + src_len };
	unsigned char *out = dst;
	size_t op = 0, t, state = 0, next, dist, len;
	unsigned version = 0;
	const char *why;

	*dst_len = 0;
	if (src_len < 3)
		return "input shorter than 3 bytes";
	if (src_len >= 5 && in.p[0] == 17) {
		version = in.p[1];
		in.p += 2;
		if (version > 1)
			return "unknown bitstream version";
	}
	if (*in.p > 17) {
		t = *in.p++ - 17u;
		if ((why = lit(&in, out, dst_cap, &op, t)))
			goto fail;
		state = t < 4 ? t : 4;
	}
	for (;;) {
		if (in.p >= in.end) {
			why = "input ends without an end-of-stream marker";
			goto fail;
		}
		t = *in.p++;
		if (t < 16) {
			if (state == 0) {        // long literal run
				len = t;
				if (!len && !lzo_len(&in, 15, &len)) {
					why = "literal length past the end of the input";
					goto fail;
				}
				if ((why = lit(&in, out, dst_cap, &op, len + 3)))
					goto fail;
				state = 4;
				continue;
			}
			if (in.p >= in.end) {
				why = "match operand past the end of the input";
				goto fail;
			}
			next = t & 3;
			if (state < 4) {         // 2 bytes within 1 KiB
				dist = ((size_t)*in.p++ << 2) + (t >> 2) + 1;
				len = 2;
			} else {                 // 3 bytes at 2049..3072
				dist = ((size_t)*in.p++ << 2) + (t >> 2) + 2049;
				len = 3;
			}
		} else if (t >= 64) {
			if (in.p >= in.end) {
				why = "match operand past the end of the input";
				goto fail;
			}
			next = t & 3;
			dist = ((size_t)*in.p++ << 3) + ((t >> 2) & 7) + 1;
			len = (t >> 5) + 1;
		} else if (t >= 32) {
			if ((why = lzo_match(&in, t, 31, &len, &next)))
				goto fail;
			dist = (next >> 2) + 1;
			next &= 3;
		} else {
			if (in.end - in.p < 2) {
				why = "match distance past the end of the input";
				goto fail;
			}
			next = in.p[0] | (size_t)in.p[1] << 8;
			if (version == 1 && (t & 0xf8) == 0x18 && (next & 0xfffc) == 0xfffc) {
				// lzo-rle: a run of zeros
				if (in.end - in.p < 3) {
					why = "zero run past the end of the input";
					goto fail;
				}
				len = ((t & 7) | (size_t)in.p[2] << 3) + 4;
				in.p += 3;
				if (dst_cap - op < len) {
					why = "zero run past the end of the output";
					goto fail;
				}
				memset(out + op, 0, len);
				op += len;
				next &= 3;
				goto trailing;
			}
			if ((why = lzo_match(&in, t, 7, &len, &next)))
				goto fail;
			dist = ((t & 8) << 11) + (next >> 2);
			next &= 3;
			if (dist == 0) {         // end of stream
				if (len != 3) {
					why = "end-of-stream marker of a wrong length";
					goto fail;
				}
				if (in.p != in.end) {
					why = "input left after the end-of-stream marker";
					goto fail;
				}
				*dst_len = op;
				return NULL;
			}
			dist += 0x4000;
		}
		if ((why = copy_match(out, dst_cap, &op, dist, len)))
			goto fail;
trailing:
		state = next;
		if ((why = lit(&in, out, dst_cap, &op, next)))
			goto fail;
	}
fail:
	*dst_len = op;
	return why;
}
