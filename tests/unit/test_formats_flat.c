// SPDX-License-Identifier: MIT
/*
 * The flattened-format remap (formats/flat.c) through vd_file_open():
 * random record sets with overlaps, checked against a model that applies
 * the records in write order to a byte array; damaged files.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "formats/file.h"
#include "formats/flat.h"
#include "harness.h"

#define LSIZE 20000

static char path[64];

struct rec {
	int64_t off, size;
};

static uint64_t
rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static unsigned char
rec_byte(size_t rec, uint64_t pos)
{
	return (unsigned char)(rec * 31 + pos * 7 + 1);
}

/* Write a flattened file: header, records, optional terminator. */
static void
write_flat(const struct rec *recs, size_t n, bool end, int64_t type)
{
	unsigned char hdr[4096] = "makedumpfile", rh[16];
	FILE *f = fopen(path, "wb");

	vd_put64(hdr + 16, (uint64_t)type, true);
	vd_put64(hdr + 24, 1, true);
	fwrite(hdr, sizeof(hdr), 1, f);
	for (size_t i = 0; i < n; i++) {
		vd_put64(rh, (uint64_t)recs[i].off, true);
		vd_put64(rh + 8, (uint64_t)recs[i].size, true);
		fwrite(rh, 16, 1, f);
		for (int64_t j = 0; j < recs[i].size && recs[i].off >= 0; j++)
			fputc(rec_byte(i, recs[i].off + j), f);
	}
	if (end) {
		memset(rh, 0xff, 16);
		fwrite(rh, 16, 1, f);
	}
	fclose(f);
}

/* Model: data[] as the rearranged file, owner[] = writing record + 1. */
static uint64_t
model(const struct rec *recs, size_t n, unsigned char *data, int *owner)
{
	uint64_t size = 0;

	memset(data, 0, LSIZE);
	memset(owner, 0, LSIZE * sizeof(*owner));
	for (size_t i = 0; i < n; i++) {
		for (int64_t j = 0; j < recs[i].size; j++) {
			data[recs[i].off + j] = rec_byte(i, recs[i].off + j);
			owner[recs[i].off + j] = (int)i + 1;
		}
		size = VD_MAX(size, (uint64_t)(recs[i].off + recs[i].size));
	}
	return size;
}

static bool
one_owner(const int *owner, uint64_t off, size_t len)
{
	for (size_t i = 1; i < len; i++)
		if (owner[off + i] != owner[off])
			return false;
	return owner[off] != 0;
}

static int
check_ranges(struct vd_file *file, const unsigned char *data,
	     const int *owner, uint64_t size, uint64_t *seed)
{
	unsigned char buf[4096];
	int bad = 0;

	for (int k = 0; k < 300; k++) {
		uint64_t off = rng(seed) % size;
		size_t len = 1 + rng(seed) % VD_MIN(sizeof(buf), size - off);
		const unsigned char *p = vd_file_ptr(file, off, len);
		struct vd_error *err = vd_file_read(file, off, buf, len, "x");

		bad += err != NULL || memcmp(buf, data + off, len) != 0;
		vd_error_destroy(err);
		bad += (p != NULL) != one_owner(owner, off, len);
		bad += p && memcmp(p, data + off, len);
	}
	// Past the end: refused.
	bad += vd_file_ptr(file, size - 1, 2) != NULL;
	return bad;
}

TEST(random_overlapping_records)
{
	static unsigned char data[LSIZE];
	static int owner[LSIZE];
	uint64_t seed = 88172645463325252ull;

	for (int trial = 0; trial < 200; trial++) {
		struct rec recs[64];
		size_t n = 1 + rng(&seed) % 64;
		struct vd_file *file = NULL;
		uint64_t size;

		for (size_t i = 0; i < n; i++) {
			recs[i].size = 1 + rng(&seed) % 3000;
			recs[i].off = rng(&seed) % (LSIZE - recs[i].size);
		}
		// Sometimes in order and disjoint: the fast path.
		if (trial % 4 == 0)
			for (size_t i = 0; i < n; i++)
				recs[i] = (struct rec){ i * 300, 1 + i % 299 };
		write_flat(recs, n, true, 1);
		size = model(recs, n, data, owner);
		CHECK_OK(vd_file_open(path, &file));
		if (!file)
			continue;
		CHECK(file->flat != NULL);
		CHECK_EQ_U64(file->size, size);
		CHECK_EQ_U64(vd_flat_nrecords(file->flat), n);
		CHECK(vd_flat_warning(file->flat) == NULL);
		CHECK(check_ranges(file, data, owner, size, &seed) == 0);
		vd_file_close(file);
	}
}

TEST(damaged_files)
{
	struct rec ok[2] = { { 0, 100 }, { 200, 50 } };
	struct rec neg[2] = { { 0, 100 }, { 300, -7 } };
	struct rec negoff[1] = { { -5, 10 } };
	struct vd_file *file = NULL;
	struct vd_error *err;
	FILE *f;

	write_flat(ok, 2, false, 1);
	CHECK_OK(vd_file_open(path, &file));
	if (file) {
		CHECK(vd_flat_warning(file->flat) &&
		      strstr(vd_flat_warning(file->flat), "no end marker"));
		CHECK_EQ_U64(file->size, 250);
		vd_file_close(file);
	}
	write_flat(neg, 2, true, 1);
	err = vd_file_open(path, &file);
	CHECK(err && err->code == VD_ERR_CORRUPT && strstr(err->msg, path) &&
	      strstr(err->msg, "record 1"));
	vd_error_destroy(err);
	write_flat(negoff, 1, true, 1);
	CHECK_ERR(vd_file_open(path, &file), VD_ERR_CORRUPT);
	write_flat(ok, 2, true, 2);
	CHECK_ERR(vd_file_open(path, &file), VD_ERR_NOTIMPL);
	// A record that claims more than the file holds.
	write_flat(ok, 2, false, 1);
	CHECK(truncate(path, 4096 + 16 + 100 + 16 + 20) == 0);
	CHECK_OK(vd_file_open(path, &file));
	if (file) {
		CHECK(strstr(vd_flat_warning(file->flat), "truncated"));
		CHECK_EQ_U64(file->size, 220);
		vd_file_close(file);
	}
	// The signature, but no room for the 4096-byte header.
	f = fopen(path, "wb");
	fwrite("makedumpfile\0\0\0\0\0\0\0\0\0\0\0\1", 24, 1, f);
	fclose(f);
	CHECK_ERR(vd_file_open(path, &file), VD_ERR_CORRUPT);
}

/* ~130k records (a 512 MiB makedumpfile -F file's worth), shuffled. */
TEST(many_records_are_fast)
{
	size_t n = 131072;
	struct rec *recs = malloc(n * sizeof(*recs));
	struct vd_file *file = NULL;
	struct timespec t0, t1;
	uint64_t seed = 7;

	for (size_t i = 0; i < n; i++)
		recs[i] = (struct rec){ (int64_t)i * 4, 4 };
	for (size_t i = n; i > 1; i--) {
		size_t j = rng(&seed) % i;
		struct rec t = recs[i - 1];

		recs[i - 1] = recs[j];
		recs[j] = t;
	}
	recs[n - 1] = (struct rec){ 0, 16 };    /* a header rewrite */
	write_flat(recs, n, true, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_OK(vd_file_open(path, &file));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (file) {
		unsigned char b[8];

		CHECK_EQ_U64(file->size, n * 4);
		CHECK_OK(vd_file_read(file, 4 * (n / 2) - 2, b, 8, "x"));
		printf("flat remap of %zu shuffled records: %.1f ms, %zu pieces\n",
		       n, (t1.tv_sec - t0.tv_sec) * 1e3 +
		       (t1.tv_nsec - t0.tv_nsec) / 1e6,
		       vd_flat_npieces(file->flat));
		vd_file_close(file);
	}
	free(recs);
}

int
main(void)
{
	const char *t = getenv("TMPDIR");
	int fd, r;

	snprintf(path, sizeof(path), "%s/vd-flat-XXXXXX", t ? t : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		return 99;
	close(fd);
	r = RUN_TESTS();
	unlink(path);
	return r;
}
