// SPDX-License-Identifier: MIT
/*
 * Whole-file decompression (formats/decompress.c): round trips through
 * zstd, LZ4 frames and xz made here with the libraries' own encoders,
 * streams cut short or damaged, the output bound (a small file that
 * decompresses to far more), concatenated frames, and the fallbacks.
 */
#include <errno.h>
#include <fcntl.h>
#include <lz4frame.h>
#include <lzma.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "common/util.h"
#include "formats/decompress.h"
#include "formats/file.h"
#include "harness.h"

#define DATA_LEN (6u << 20)      /* a third noise: several input blocks */

static unsigned char *data;       /* DATA_LEN bytes: text, zeros, noise */

static void
make_data(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;

	data = malloc(DATA_LEN);
	for (size_t i = 0; i < DATA_LEN; i++) {
		if (i < DATA_LEN / 3) {
			data[i] = "vmdive core "[i % 12];
		} else if (i < 2 * (DATA_LEN / 3)) {
			data[i] = 0;
		} else {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			data[i] = (unsigned char)x;
		}
	}
}

/* Compress src with the named method; *len_ret bytes, caller frees. */
static unsigned char *
compress(const char *name, const void *src, size_t len, size_t *len_ret)
{
	size_t cap = len + len / 2 + (1 << 16);
	unsigned char *out = malloc(cap);
	size_t n = 0;

	if (!strcmp(name, "zstd")) {
		n = ZSTD_compress(out, cap, src, len, 3);
		if (ZSTD_isError(n))
			n = 0;
	} else if (!strcmp(name, "lz4")) {
		n = LZ4F_compressFrame(out, cap, src, len, NULL);
		if (LZ4F_isError(n))
			n = 0;
	} else if (lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, src, len,
					   out, &n, cap) != LZMA_OK) {
		n = 0;
	}
	*len_ret = n;
	return out;
}

/* Decompress and compare with want[0, want_len); NULL on success. */
static struct vd_error *
run(const char *name, const unsigned char *in, size_t len,
    const struct vd_decompress_opts *opts, const void *want, size_t want_len)
{
	int in_fd = memfd_create("test.in", MFD_CLOEXEC), fd = -1;
	struct vd_decompress_opts o = { 0 };
	struct vd_error *err;
	uint64_t size = 0;
	unsigned char *got;

	// These streams hold test patterns, not dumps (but see not_a_dump).
	if (opts)
		o = *opts;
	o.any_content = true;
	if (in_fd < 0 || write(in_fd, in, len) != (ssize_t)len)
		return vd_error_os(errno, "test input");
	err = vd_decompress("test.in", name, in_fd, len, &o, &fd, &size);
	close(in_fd);
	if (err)
		return err;
	got = malloc(want_len + 1);
	if (size != want_len || pread(fd, got, want_len, 0) != (ssize_t)want_len ||
	    memcmp(got, want, want_len))
		err = vd_error_create(VD_ERR_CORRUPT, "output differs (size %llu)",
				      (unsigned long long)size);
	free(got);
	close(fd);
	return err;
}

static const char *const methods[] = { "zstd", "lz4", "xz" };

TEST(round_trips)
{
	for (size_t m = 0; m < VD_ARRAY_SIZE(methods); m++) {
		size_t n;
		unsigned char *z = compress(methods[m], data, DATA_LEN, &n);
		const char *probed;

		CHECK(n > 0);
		CHECK_OK(vd_decompress_probe("x", z, n, &probed));
		CHECK_STR(probed, methods[m]);
		CHECK_OK(run(methods[m], z, n, NULL, data, DATA_LEN));
		free(z);
	}
}

/* Every cut must fail with "truncated" or "corrupt", never succeed or crash. */
TEST(truncated_streams)
{
	for (size_t m = 0; m < VD_ARRAY_SIZE(methods); m++) {
		size_t n, cuts[] = { 1, 4, 11, 100, 0, 0, 0 };
		unsigned char *z = compress(methods[m], data, DATA_LEN, &n);

		cuts[4] = n / 2;
		cuts[5] = n - 1;
		cuts[6] = n - 4;
		for (size_t i = 0; i < VD_ARRAY_SIZE(cuts); i++) {
			struct vd_error *err = run(methods[m], z, cuts[i], NULL,
						   data, DATA_LEN);

			CHECK(err && err->code == VD_ERR_CORRUPT &&
			      strstr(err->msg, "test.in"));
			if (err && i >= 4 && !strstr(err->msg, "truncated"))
				fprintf(stderr, "  %s cut at %zu: %s\n", methods[m],
					cuts[i], err->msg);
			if (i >= 4)
				CHECK(err && strstr(err->msg, "truncated"));
			vd_error_destroy(err);
		}
		free(z);
	}
}

TEST(damaged_streams_do_not_crash)
{
	for (size_t m = 0; m < VD_ARRAY_SIZE(methods); m++) {
		size_t n;
		unsigned char *z = compress(methods[m], data, DATA_LEN, &n);

		for (size_t at = 4; at < n; at += n / 37 + 1) {
			struct vd_error *err;

			z[at] ^= 0x5a;
			err = run(methods[m], z, n, NULL, data, DATA_LEN);
			CHECK(!err || err->code == VD_ERR_CORRUPT);
			vd_error_destroy(err);
			z[at] ^= 0x5a;
		}
		free(z);
	}
}

/* 16 MiB of zeros compress to a few KiB: the bound must stop them. */
TEST(bomb_is_bounded)
{
	struct vd_decompress_opts opts = { .limit = 1u << 20 };
	size_t big = 16u << 20;
	void *zeros = calloc(1, big);

	for (size_t m = 0; m < VD_ARRAY_SIZE(methods); m++) {
		size_t n;
		unsigned char *z = compress(methods[m], zeros, big, &n);
		struct vd_error *err = run(methods[m], z, n, &opts, zeros, big);

		CHECK(n < big / 100);
		CHECK(err && err->code == VD_ERR_INVALID_ARG &&
		      strstr(err->msg, "more than 1048576 bytes"));
		vd_error_destroy(err);
		// Within the bound it works, and the zeros are not written.
		opts.limit = big;
		CHECK_OK(run(methods[m], z, n, &opts, zeros, big));
		opts.limit = 1u << 20;
		free(z);
	}
	free(zeros);
}

/*
 * 64 MiB of zeros under the default limit: refused after the first block
 * because they are no dump, not after writing them all.  The same zeros
 * behind an ELF identification decompress (sparse) fine.
 */
TEST(not_a_dump_refused_early)
{
	size_t big = 64u << 20;
	unsigned char *buf = calloc(1, big);

	for (size_t m = 0; m < VD_ARRAY_SIZE(methods); m++) {
		int in_fd = memfd_create("bomb", MFD_CLOEXEC), fd = -1;
		size_t n;
		unsigned char *z = compress(methods[m], buf, big, &n);
		struct vd_error *err;
		uint64_t size = 0;

		CHECK(in_fd >= 0 && write(in_fd, z, n) == (ssize_t)n);
		err = vd_decompress("bomb.zst", methods[m], in_fd, n, NULL, &fd, &size);
		CHECK(err && err->code == VD_ERR_INVALID_ARG &&
		      strstr(err->msg, "does not hold a dump") &&
		      strstr(err->msg, "bytes 00 00 00 00"));
		if (err)
			fprintf(stderr, "  %s\n", err->msg);
		vd_error_destroy(err);
		free(z);
		memcpy(buf, "\x7f" "ELF\x02\x01\x01", 7);
		z = compress(methods[m], buf, big, &n);
		CHECK(ftruncate(in_fd, 0) == 0 && pwrite(in_fd, z, n, 0) == (ssize_t)n);
		CHECK_OK(vd_decompress("core.zst", methods[m], in_fd, n, NULL, &fd, &size));
		CHECK(size == big);
		close(fd);
		close(in_fd);
		memset(buf, 0, 7);
		free(z);
	}
	free(buf);
}

TEST(declared_size_refused_before_work)
{
	struct vd_decompress_opts opts = { .limit = 4096 };
	size_t n;
	unsigned char *z = compress("zstd", data, DATA_LEN, &n);
	struct vd_error *err = run("zstd", z, n, &opts, data, DATA_LEN);

	CHECK(err && strstr(err->msg, "declares more than 4096"));
	vd_error_destroy(err);
	free(z);
}

TEST(concatenated_frames_and_garbage)
{
	for (size_t m = 0; m < 2; m++) {
		size_t n1, n2;
		unsigned char *a = compress(methods[m], data, 1000, &n1);
		unsigned char *b = compress(methods[m], data + 1000, 5000, &n2);
		unsigned char *ab = malloc(n1 + n2 + 16);
		struct vd_error *err;

		memcpy(ab, a, n1);
		memcpy(ab + n1, b, n2);
		CHECK_OK(run(methods[m], ab, n1 + n2, NULL, data, 6000));
		memcpy(ab + n1, "garbage after the frame", 16);
		err = run(methods[m], ab, n1 + 16, NULL, data, 1000);
		CHECK(err && err->code == VD_ERR_CORRUPT);
		vd_error_destroy(err);
		free(a);
		free(b);
		free(ab);
	}
}

TEST(probe_names_what_it_cannot_read)
{
	static const struct {
		const char *head, *needle;
	} cases[] = {
		{ "\x1f\x8b\x08\x00", "gzip-compressed file" },
		{ "BZh91AY", "run bunzip2" },
		{ "\x02\x21\x4c\x18", "legacy-format LZ4" },
	};
	const char *name;

	for (size_t i = 0; i < VD_ARRAY_SIZE(cases); i++) {
		struct vd_error *err = vd_decompress_probe("f.core", cases[i].head,
							   strlen(cases[i].head), &name);

		CHECK(err && err->code == VD_ERR_NOTIMPL &&
		      strstr(err->msg, cases[i].needle) && strstr(err->msg, "f.core"));
		vd_error_destroy(err);
	}
	CHECK_OK(vd_decompress_probe("f", "\x7f" "ELF", 4, &name));
	CHECK(!name);
	CHECK_OK(vd_decompress_probe("f", "\x28\xb5", 2, &name));
	CHECK(!name);
}

/* No usable TMPDIR: a memfd takes the data. */
TEST(memfd_fallback)
{
	struct vd_decompress_opts opts = { .tmpdir = "/nonexistent/dir" };
	size_t n;
	unsigned char *z = compress("lz4", data, DATA_LEN, &n);

	CHECK_OK(run("lz4", z, n, &opts, data, DATA_LEN));
	free(z);
}

/* Through vd_file_open(): readers see the decompressed bytes. */
TEST(file_open_decompresses)
{
	char path[] = "/tmp/vd-test-decomp-XXXXXX";
	int fd = mkstemp(path);
	size_t n;
	unsigned char *z, save[4];
	struct vd_file *file = NULL;
	unsigned char buf[64];

	// Only dumps are decompressed: make it start like an ELF file.
	memcpy(save, data, 4);
	memcpy(data, "\x7f" "ELF", 4);
	z = compress("xz", data, DATA_LEN, &n);
	CHECK(fd >= 0 && write(fd, z, n) == (ssize_t)n);
	close(fd);
	CHECK_OK(vd_file_open(path, &file));
	if (file) {
		CHECK_STR(file->compression, "xz");
		CHECK_EQ_U64(file->size, DATA_LEN);
		CHECK_EQ_U64(file->compressed_size, n);
		CHECK_OK(vd_file_read(file, DATA_LEN - 64, buf, 64, "tail"));
		CHECK(!memcmp(buf, data + DATA_LEN - 64, 64));
		CHECK_OK(vd_file_read(file, 0, buf, 4, "head"));
		CHECK(!memcmp(buf, "\x7f" "ELF", 4));
	}
	memcpy(data, save, 4);
	vd_file_close(file);
	unlink(path);
	free(z);
}

int
main(void)
{
	int r;

	make_data();
	r = RUN_TESTS();
	free(data);
	return r;
}
