// SPDX-License-Identifier: MIT
/*
 * The persistent cache's files (common/cache.c): a file written is read
 * back section by section; one of another key (build-id), kind or format
 * version is a miss; so is every truncation and every damaged byte
 * (header, section table, contents) -- a miss, never a crash; a
 * read-only or missing directory makes writing fail with an error the
 * caller may ignore, and reading miss; the directory comes from the
 * option, then VMDIVE_CACHE_DIR, XDG_CACHE_HOME, HOME.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cache.h"
#include "common/util.h"
#include "harness.h"

#define KEY "01d2640d3a13145ee314eb05b155f141b7b7058b"

static char dir[256];
static uint32_t numbers[1000];
static const char text[] = "abc\0defgh\0";

static void
make_dir(void)
{
	if (dir[0])
		return;
	snprintf(dir, sizeof(dir), "/tmp/vmdive-cache-test.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(99);
	}
	for (uint32_t i = 0; i < VD_ARRAY_SIZE(numbers); i++)
		numbers[i] = i * 2654435761u;
}

static struct vd_error *
write_sample(const char *d, const char *key, uint32_t version)
{
	struct vd_cache_section secs[] = {
		{ 7, numbers, sizeof(numbers) },
		{ 9, text, sizeof(text) },       // not a multiple of 8
		{ 3, NULL, 0 },
	};

	return vd_cache_write(d, "test", version, key, secs, VD_ARRAY_SIZE(secs));
}

static bool
read_sample(const char *key, uint32_t version, const char **why)
{
	struct vd_cache_file f;
	const void *p;
	size_t n;
	bool ok;

	if (!vd_cache_open(dir, "test", version, key, &f, why))
		return false;
	p = vd_cache_get(&f, 7, &n);
	ok = p && n == sizeof(numbers) && !memcmp(p, numbers, n);
	p = vd_cache_get(&f, 9, &n);
	ok = ok && p && n == sizeof(text) && !memcmp(p, text, n);
	p = vd_cache_get(&f, 3, &n);
	ok = ok && p && n == 0 && !vd_cache_get(&f, 4, &n);
	vd_cache_close(&f);
	return ok;
}

static char *
path_of(const char *key)
{
	return vd_cache_path(dir, "test", key);
}

static unsigned char *
slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

static void
spit(const char *path, const unsigned char *buf, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(buf, 1, size, f) != size)
		exit(99);
	fclose(f);
}

TEST(written_then_reused)
{
	const char *why = NULL;

	make_dir();
	CHECK_OK(write_sample(dir, KEY, 1));
	CHECK(read_sample(KEY, 1, &why));
	// Rewriting replaces it atomically: still readable.
	CHECK_OK(write_sample(dir, KEY, 1));
	CHECK(read_sample(KEY, 1, &why));
}

TEST(stale_key_kind_or_version_is_a_miss)
{
	const char *why = NULL;
	struct vd_cache_file f;

	make_dir();
	CHECK_OK(write_sample(dir, KEY, 1));
	CHECK(!read_sample(KEY, 2, &why));
	CHECK_STR(why, "another format version");
	CHECK(!vd_cache_open(dir, "other", 1, KEY, &f, &why));
	// Another build-id has its own file: none yet.
	CHECK(!read_sample("ebc52e2876d4430baf9b7b6f3226b56fe99c2d5f", 1, &why));
	// A file renamed to another key is caught by the key inside.
	{
		_cleanup_free_ char *a = path_of(KEY);
		_cleanup_free_ char *b = path_of("ffff");

		CHECK(!link(a, b));
		CHECK(!read_sample("ffff", 1, &why));
		CHECK_STR(why, "another key (build-id)");
		unlink(b);
	}
}

TEST(every_truncation_is_a_miss)
{
	_cleanup_free_ char *path = NULL;
	unsigned char *good;
	size_t size, misses = 0;

	make_dir();
	CHECK_OK(write_sample(dir, KEY, 1));
	path = path_of(KEY);
	good = slurp(path, &size);
	CHECK(good != NULL);
	if (!good)
		return;
	for (size_t cut = 0; cut < size; cut++) {
		spit(path, good, cut);
		misses += !read_sample(KEY, 1, NULL);
	}
	CHECK_EQ_U64(misses, size);
	// Extended by a byte: a miss too.
	{
		unsigned char *longer = calloc(1, size + 1);

		memcpy(longer, good, size);
		spit(path, longer, size + 1);
		CHECK(!read_sample(KEY, 1, NULL));
		free(longer);
	}
	spit(path, good, size);
	CHECK(read_sample(KEY, 1, NULL));
	free(good);
}

TEST(every_damaged_byte_is_a_miss)
{
	_cleanup_free_ char *path = NULL;
	unsigned char *good;
	size_t size, misses = 0, tried = 0;

	make_dir();
	CHECK_OK(write_sample(dir, KEY, 1));
	path = path_of(KEY);
	good = slurp(path, &size);
	if (!good)
		return;
	// Every byte of the header and section table, and a spread of
	// the contents, each flipped alone.
	for (size_t i = 0; i < size; i += i < 512 ? 1 : 61) {
		good[i] ^= 0x5a;
		spit(path, good, size);
		good[i] ^= 0x5a;
		tried++;
		misses += !read_sample(KEY, 1, NULL);
	}
	// Padding after the 11-byte section is covered by the checksum too;
	// the kind/key strings' bytes after their NUL are not compared, so
	// those flips may still read: count only what must miss.
	CHECK(misses >= tried - 96);
	spit(path, good, size);
	CHECK(read_sample(KEY, 1, NULL));
	// A section offset pointing past the end: a miss, not a read.
	{
		uint64_t off = size + 4096;

		memcpy(good + 136 + 8, &off, 8);
		spit(path, good, size);
		CHECK(!read_sample(KEY, 1, NULL));
	}
	free(good);
}

/*
 * Contents are checked per block when used: a damaged byte in one block of
 * a section leaves the file openable and the other blocks readable; the
 * damaged block, any range over it and the whole section are refused.
 */
TEST(damage_found_per_block_when_used)
{
	static uint32_t big[4 * VD_CACHE_BLOCK / 4];      // four blocks
	struct vd_cache_section secs[] = { { 1, text, sizeof(text) }, { 2, big, sizeof(big) } };
	_cleanup_free_ char *path = NULL;
	struct vd_cache_file f;
	const unsigned char *p;
	unsigned char *raw;
	size_t n, size, at;

	make_dir();
	for (size_t i = 0; i < VD_ARRAY_SIZE(big); i++)
		big[i] = (uint32_t)i * 2654435761u;
	CHECK_OK(vd_cache_write(dir, "blocks", 1, KEY, secs, VD_ARRAY_SIZE(secs)));
	CHECK(vd_cache_open(dir, "blocks", 1, KEY, &f, NULL));
	p = vd_cache_section(&f, 2, &n);
	CHECK(p && n == sizeof(big));
	if (!p)
		return;
	at = (size_t)(p - (const unsigned char *)f.map) + 2 * VD_CACHE_BLOCK + 100;
	vd_cache_close(&f);
	path = vd_cache_path(dir, "blocks", KEY);
	raw = slurp(path, &size);
	if (!raw)
		return;
	raw[at] ^= 0x40;                                  // in the section's third 4 KiB
	spit(path, raw, size);
	free(raw);
	CHECK(vd_cache_open(dir, "blocks", 1, KEY, &f, NULL));   // header and tables fine
	p = vd_cache_section(&f, 2, &n);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(vd_cache_check(&f, p, 16));                 // the first block
	CHECK(vd_cache_check(&f, p + n - 16, 16));        // the last
	CHECK(!vd_cache_check(&f, (const unsigned char *)f.map + at, 1));
	CHECK(!vd_cache_check(&f, p, n));                 // a range over it
	CHECK(!vd_cache_check(&f, p + n - 8, 16));        // past the end
	CHECK(vd_cache_get(&f, 2, &n) == NULL && n == 0); // the whole section
	CHECK(vd_cache_get(&f, 1, &n) != NULL && n == sizeof(text));
	vd_cache_close(&f);
}

TEST(read_only_or_missing_directory)
{
	char ro[400];
	const char *why = NULL;

	make_dir();
	snprintf(ro, sizeof(ro), "%s/ro", dir);
	CHECK(!mkdir(ro, 0500));
	if (geteuid() == 0) {
		// root writes anywhere: a directory that is a file instead.
		snprintf(ro, sizeof(ro), "%s/file", dir);
		spit(ro, (const unsigned char *)"x", 1);
	}
	{
		struct vd_error *err = write_sample(ro, KEY, 1);

		CHECK(err != NULL);
		vd_error_destroy(err);
	}
	{
		struct vd_cache_file f;

		CHECK(!vd_cache_open(ro, "test", 1, KEY, &f, &why));
		CHECK(!vd_cache_open("/nonexistent/vmdive", "test", 1, KEY, &f, &why));
	}
	// A directory that does not exist yet is created.
	{
		char sub[400];
		struct vd_cache_file f;

		snprintf(sub, sizeof(sub), "%s/a/b/c", dir);
		CHECK_OK(write_sample(sub, KEY, 1));
		CHECK(vd_cache_open(sub, "test", 1, KEY, &f, &why));
		vd_cache_close(&f);
	}
	// Keys that would leave the directory are refused.
	CHECK(!vd_cache_path(dir, "test", "../x"));
	CHECK(!vd_cache_path(dir, "test", "a/b"));
	CHECK(!vd_cache_path(dir, "test", ""));
}

TEST(directory_from_option_then_environment)
{
	char *d;

	unsetenv("VMDIVE_CACHE_DIR");
	setenv("XDG_CACHE_HOME", "/xdg", 1);
	setenv("HOME", "/home/u", 1);
	d = vd_cache_dir("/opt");
	CHECK_STR(d, "/opt");
	free(d);
	d = vd_cache_dir(NULL);
	CHECK_STR(d, "/xdg/vmdive");
	free(d);
	setenv("VMDIVE_CACHE_DIR", "/env", 1);
	d = vd_cache_dir(NULL);
	CHECK_STR(d, "/env");
	free(d);
	unsetenv("VMDIVE_CACHE_DIR");
	setenv("XDG_CACHE_HOME", "relative", 1);   // ignored, as the spec says
	d = vd_cache_dir(NULL);
	CHECK_STR(d, "/home/u/.cache/vmdive");
	free(d);
	unsetenv("HOME");
	unsetenv("XDG_CACHE_HOME");
	CHECK(vd_cache_dir(NULL) == NULL);
}

int
main(void)
{
	int ret = RUN_TESTS();
	char cmd[600];

	if (dir[0]) {
		snprintf(cmd, sizeof(cmd), "chmod -R u+w '%s'; rm -rf '%s'", dir, dir);
		if (system(cmd))
			ret = ret ? ret : 99;
	}
	return ret;
}
