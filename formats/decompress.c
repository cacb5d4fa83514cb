// SPDX-License-Identifier: MIT
/*
 * Whole-file zstd, LZ4-frame and xz streams decompressed once into a
 * sparse, unlinked temporary file (decompress.h says where and how much).
 * The input is read with pread in 1 MiB blocks, not mapped: memory use
 * is the two blocks and the decoder's window, whatever the file's size.
 *
 * Magic numbers: zstd frame 0xFD2FB528 little-endian (RFC 8878 §3.1.1);
 * LZ4 frame 0x184D2204 (lz4_Frame_format.md); xz "\xFD" "7zXZ\0" (the .xz
 * file format, §2.1.1.1); legacy LZ4 0x184C2102, gzip 1f 8b, bzip2 "BZh"
 * are recognized only to say they are not read.
 */
#include <errno.h>
#include <fcntl.h>
#include <lz4frame.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <zstd.h>

#include "common/util.h"
#include "decompress.h"

/* Output is produced and written, input read, in blocks of these sizes. */
#define OUT_BLOCK (4u << 20)
#define IN_BLOCK (1u << 20)
/* Zero runs shorter than this are written, not skipped. */
#define HOLE_MIN 4096
/* Decompressed bytes looked at before more is written (see check_head). */
#define HEAD_CHECK 16
/* xz streams may ask for this much decoder memory (xz -9e: 674 MiB). */
#define XZ_MEMLIMIT (1ull << 30)

struct vd_error *
vd_decompress_probe(const char *path, const void *head, size_t len,
		    const char **name_ret)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *name, *tool;
		bool supported;
	} kinds[] = {
		{ "\x28\xb5\x2f\xfd", 4, "zstd", NULL, true },
		{ "\x04\x22\x4d\x18", 4, "lz4", NULL, true },
		{ "\xfd" "7zXZ\0", 6, "xz", NULL, true },
		{ "\x02\x21\x4c\x18", 4, "legacy-format LZ4", "lz4 -d", false },
		{ "\x1f\x8b", 2, "gzip", "gunzip", false },
		{ "BZh", 3, "bzip2", "bunzip2", false },
	};

	*name_ret = NULL;
	for (size_t i = 0; i < VD_ARRAY_SIZE(kinds); i++) {
		if (len < kinds[i].len || memcmp(head, kinds[i].magic, kinds[i].len))
			continue;
		if (kinds[i].supported) {
			*name_ret = kinds[i].name;
			return NULL;
		}
		return vd_error_create(VD_ERR_NOTIMPL,
				       "%s: %s-compressed file: vmdive decompresses zstd, lz4 (frame format) and xz itself; run %s first",
				       path, kinds[i].name, kinds[i].tool);
	}
	return NULL;
}

/* Where decompressed bytes go, and the bound on them. */
struct sink {
	const char *path;       /* the input, for messages */
	const char *name;       /* "zstd" */
	int fd;
	uint64_t size;          /* bytes produced so far */
	uint64_t limit;
	char limit_why[160];
	unsigned char *buf;     /* OUT_BLOCK */
	unsigned char head[HEAD_CHECK];  /* the first bytes produced */
	size_t nhead;
	bool checked;           /* head looked at */
	bool any_content;       /* vd_decompress_opts.any_content */
};

static void
set_limit(struct sink *sk, uint64_t v, const char *why)
{
	if (v >= sk->limit)
		return;
	sk->limit = v;
	snprintf(sk->limit_why, sizeof(sk->limit_why), "%s", why);
}

/* The limit for this output file (decompress.h). */
static struct vd_error *
choose_limit(struct sink *sk, const struct vd_decompress_opts *opts,
	     bool is_memfd)
{
	const char *env = getenv("VMDIVE_DECOMPRESS_LIMIT");
	struct statvfs vfs;
	uint64_t v;

	sk->limit = UINT64_MAX;
	set_limit(sk, VD_DECOMPRESS_MAX, "vmdive's default limit; --decompress-limit SIZE changes it");
	if (env && *env) {
		if (!vd_parse_size(env, &v))
			return vd_error_create(VD_ERR_INVALID_ARG,
					       "VMDIVE_DECOMPRESS_LIMIT=%s is not a size (bytes, or a number with K, M, G or T)",
					       env);
		sk->limit = v;
		snprintf(sk->limit_why, sizeof(sk->limit_why),
			 "VMDIVE_DECOMPRESS_LIMIT=%s", env);
	}
	if (opts && opts->limit) {
		sk->limit = opts->limit;
		snprintf(sk->limit_why, sizeof(sk->limit_why),
			 "--decompress-limit %llu", (unsigned long long)opts->limit);
	}
	if (is_memfd) {
		long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);

		if (pages > 0 && psize > 0)
			set_limit(sk, (uint64_t)pages * (uint64_t)psize / 2,
				  "half of physical memory, for a memfd; set TMPDIR to a directory with space");
	} else if (fstatvfs(sk->fd, &vfs) == 0) {
		v = (uint64_t)vfs.f_bavail * vfs.f_frsize;
		set_limit(sk, v - v / 8,
			  "7/8 of the free space in the temporary directory; set TMPDIR to one with more");
	}
	return NULL;
}

static struct vd_error *
too_big(const struct sink *sk, const char *how)
{
	return vd_error_create(VD_ERR_INVALID_ARG,
			       "%s: %s stream %s more than %llu bytes, the most vmdive decompresses here (%s)",
			       sk->path, sk->name, how,
			       (unsigned long long)sk->limit, sk->limit_why);
}

static bool
all_zero(const unsigned char *p, size_t n)
{
	return !n || (!p[0] && !memcmp(p, p + 1, n - 1));
}

/*
 * Only dumps are decompressed: the first bytes must start an ELF file
 * (vmcores and process cores), a kdump-compressed file (KDUMP, or the old
 * DISKDUMP signature) or a makedumpfile flattened file.  Anything else is
 * refused after HEAD_CHECK bytes, before the limit is ever near: a bomb of
 * zeros or text does not fill the disk first.
 */
static struct vd_error *
check_head(struct sink *sk)
{
	static const struct {
		const char *magic;
		size_t len;
	} dumps[] = {
		{ "\x7f" "ELF", 4 },
		{ "KDUMP   ", 8 },
		{ "DISKDUMP", 8 },
		{ "makedumpfile", 12 },
	};
	char hex[3 * HEAD_CHECK + 1] = "";
	size_t len = 0;

	sk->checked = true;
	if (sk->any_content)
		return NULL;
	for (size_t i = 0; i < VD_ARRAY_SIZE(dumps); i++)
		if (sk->nhead >= dumps[i].len &&
		    !memcmp(sk->head, dumps[i].magic, dumps[i].len))
			return NULL;
	for (size_t i = 0; i < VD_MIN(sk->nhead, (size_t)8); i++)
		len += (size_t)snprintf(hex + len, sizeof(hex) - len, "%s%02x",
					i ? " " : "", sk->head[i]);
	return vd_error_create(VD_ERR_INVALID_ARG,
			       "%s: the %s stream does not hold a dump: its decompressed data starts with %s%s, not an ELF, kdump or flattened header; refused before decompressing the rest",
			       sk->path, sk->name, sk->nhead ? "bytes " : "nothing",
			       hex);
}

/* Keep the first bytes and check them once there are enough. */
static struct vd_error *
sink_look(struct sink *sk, size_t n)
{
	size_t k = VD_MIN(n, HEAD_CHECK - sk->nhead);

	if (sk->checked)
		return NULL;
	memcpy(sk->head + sk->nhead, sk->buf, k);
	sk->nhead += k;
	return sk->nhead == HEAD_CHECK ? check_head(sk) : NULL;
}

static struct vd_error *
write_run(struct sink *sk, size_t from, size_t to)
{
	while (from < to) {
		ssize_t w = pwrite(sk->fd, sk->buf + from, to - from,
				   (off_t)(sk->size + from));

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return vd_error_os(w < 0 ? errno : ENOSPC,
					   "%s: writing the decompressed %s data to a temporary file",
					   sk->path, sk->name);
		from += (size_t)w;
	}
	return NULL;
}

/*
 * Append n bytes of sk->buf to the file: each run of blocks with data in
 * one write, all-zero blocks left as holes.
 */
static struct vd_error *
sink_write(struct sink *sk, size_t n)
{
	size_t run = 0;
	struct vd_error *err;

	if (n > sk->limit - sk->size)
		return too_big(sk, "decompresses to");
	err = sink_look(sk, n);
	if (err)
		return err;
	for (size_t pos = 0; pos < n;) {
		size_t k = VD_MIN((size_t)HOLE_MIN, n - pos);

		if (all_zero(sk->buf + pos, k)) {
			err = write_run(sk, run, pos);
			if (err)
				return err;
			run = pos + k;
		}
		pos += k;
	}
	err = write_run(sk, run, n);
	if (err)
		return err;
	sk->size += n;
	return NULL;
}

static struct vd_error *
truncated(const struct sink *sk, uint64_t len)
{
	return vd_error_create(VD_ERR_CORRUPT,
			       "%s: truncated %s stream: the file ends (after %llu bytes, %llu decompressed) before the end of the compressed stream",
			       sk->path, sk->name, (unsigned long long)len,
			       (unsigned long long)sk->size);
}

static struct vd_error *
corrupt(const struct sink *sk, uint64_t off, const char *why)
{
	return vd_error_fault(VD_ERR_CORRUPT, VD_AS_FILE, off,
			      "%s: corrupt %s stream near compressed offset 0x%llx (%llu bytes decompressed): %s",
			      sk->path, sk->name, (unsigned long long)off,
			      (unsigned long long)sk->size, why);
}

/* The compressed input, read IN_BLOCK bytes at a time. */
struct source {
	int fd;
	uint64_t size;          /* bytes in the file */
	uint64_t base;          /* file offset of buf[0] */
	unsigned char *buf;     /* IN_BLOCK */
	size_t len, pos;        /* bytes in buf, bytes of them consumed */
};

/* Read the next block once buf is used up (nothing at the end). */
static struct vd_error *
refill(const struct sink *sk, struct source *in)
{
	size_t want;

	if (in->pos < in->len)
		return NULL;
	in->base += in->len;
	in->len = in->pos = 0;
	want = (size_t)VD_MIN((uint64_t)IN_BLOCK, in->size - VD_MIN(in->base, in->size));
	while (in->len < want) {
		ssize_t r = pread(in->fd, in->buf + in->len, want - in->len,
				  (off_t)(in->base + in->len));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return vd_error_os(r < 0 ? errno : EIO, "%s: reading the %s stream at 0x%llx",
					   sk->path, sk->name,
					   (unsigned long long)(in->base + in->len));
		in->len += (size_t)r;
	}
	return NULL;
}

/* Everything read and consumed. */
static bool
at_end(const struct source *in)
{
	return in->pos == in->len && in->base + in->len >= in->size;
}

static uint64_t
at(const struct source *in)
{
	return in->base + in->pos;
}

static struct vd_error *
run_zstd(struct sink *sk, struct source *in)
{
	unsigned long long declared = ZSTD_getFrameContentSize(in->buf, in->len);
	ZSTD_DCtx *dctx;
	struct vd_error *err = NULL;
	size_t ret;

	if (declared != ZSTD_CONTENTSIZE_UNKNOWN &&
	    declared != ZSTD_CONTENTSIZE_ERROR && declared > sk->limit)
		return too_big(sk, "declares");
	dctx = ZSTD_createDCtx();
	if (!dctx)
		return &vd_enomem;
	while (!(err = refill(sk, in))) {
		ZSTD_inBuffer src = { in->buf, in->len, in->pos };
		ZSTD_outBuffer dst = { sk->buf, OUT_BLOCK, 0 };

		ret = ZSTD_decompressStream(dctx, &dst, &src);
		if (ZSTD_isError(ret)) {
			err = corrupt(sk, at(in), ZSTD_getErrorName(ret));
			break;
		}
		in->pos = src.pos;
		err = sink_write(sk, dst.pos);
		// ret is 0 exactly when a frame is complete and flushed.
		if (err || (at_end(in) && ret == 0))
			break;
		// The frame wants input there is no more of.
		if (at_end(in) && dst.pos < dst.size) {
			err = truncated(sk, in->size);
			break;
		}
	}
	ZSTD_freeDCtx(dctx);
	return err;
}

static struct vd_error *
run_lz4(struct sink *sk, struct source *in)
{
	LZ4F_frameInfo_t fi = { 0 };
	LZ4F_dctx *dctx;
	struct vd_error *err = NULL;
	size_t used = in->len, ret;

	if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)))
		return &vd_enomem;
	// Reads the frame header only, for its optional content size.
	ret = LZ4F_getFrameInfo(dctx, &fi, in->buf, &used);
	in->pos = LZ4F_isError(ret) ? 0 : used;
	if (LZ4F_isError(ret))
		err = in->size < 19 ? truncated(sk, in->size) :
		      corrupt(sk, 0, LZ4F_getErrorName(ret));
	else if (fi.contentSize > sk->limit)
		err = too_big(sk, "declares");
	while (!err && !(ret == 0 && at_end(in)) && !(err = refill(sk, in))) {
		size_t out = OUT_BLOCK;

		used = in->len - in->pos;
		ret = LZ4F_decompress(dctx, sk->buf, &out, in->buf + in->pos, &used, NULL);
		if (LZ4F_isError(ret)) {
			err = corrupt(sk, at(in), LZ4F_getErrorName(ret));
			break;
		}
		in->pos += used;
		err = sink_write(sk, out);
		// Input used up and no output: the frame wants more bytes.
		if (!err && ret != 0 && at_end(in) && out < OUT_BLOCK)
			err = truncated(sk, in->size);
		else if (!err && !used && !out)
			err = corrupt(sk, at(in), "the decoder makes no progress");
	}
	LZ4F_freeDecompressionContext(dctx);
	return err;
}

static const char *
lzma_why(lzma_ret r)
{
	switch (r) {
	case LZMA_MEM_ERROR: return "out of memory";
	case LZMA_MEMLIMIT_ERROR: return "needs more than 1 GiB of decoder memory";
	case LZMA_FORMAT_ERROR: return "not an xz stream";
	case LZMA_OPTIONS_ERROR: return "unsupported compression options";
	case LZMA_DATA_ERROR: return "compressed data is corrupt";
	default: return "decoder error";
	}
}

static struct vd_error *
run_xz(struct sink *sk, struct source *in)
{
	lzma_stream strm = LZMA_STREAM_INIT;
	struct vd_error *err = NULL;
	lzma_ret r = LZMA_OK;

	if (lzma_stream_decoder(&strm, XZ_MEMLIMIT, LZMA_CONCATENATED) != LZMA_OK)
		return &vd_enomem;
	while (r == LZMA_OK && !(err = refill(sk, in))) {
		// LZMA_FINISH once the rest of the file is in the buffer.
		bool last = in->base + in->len >= in->size;

		strm.next_in = in->buf + in->pos;
		strm.avail_in = in->len - in->pos;
		strm.next_out = sk->buf;
		strm.avail_out = OUT_BLOCK;
		r = lzma_code(&strm, last ? LZMA_FINISH : LZMA_RUN);
		in->pos = in->len - strm.avail_in;
		err = sink_write(sk, OUT_BLOCK - strm.avail_out);
		if (err)
			break;
		// LZMA_FINISH with the input used up: the stream is cut short.
		if (r == LZMA_BUF_ERROR)
			err = truncated(sk, in->size);
		else if (r != LZMA_OK && r != LZMA_STREAM_END)
			err = r == LZMA_MEM_ERROR ? &vd_enomem :
			      corrupt(sk, at(in), lzma_why(r));
	}
	lzma_end(&strm);
	return err;
}

/* An unlinked file in the temporary directory, else a memfd. */
static struct vd_error *
make_output(const char *path, const struct vd_decompress_opts *opts,
	    int *fd_ret, bool *memfd_ret)
{
	const char *dir = opts && opts->tmpdir ? opts->tmpdir : getenv("TMPDIR");
	char tmpl[4096];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	*memfd_ret = false;
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0 && snprintf(tmpl, sizeof(tmpl), "%s/vmdive-core-XXXXXX",
			       dir) < (int)sizeof(tmpl)) {
		fd = mkostemp(tmpl, O_CLOEXEC);
		if (fd >= 0)
			unlink(tmpl);
	}
	if (fd < 0) {
		*memfd_ret = true;
		fd = memfd_create("vmdive-decompressed", MFD_CLOEXEC);
	}
	if (fd < 0)
		return vd_error_os(errno, "%s: no temporary file in %s (TMPDIR) nor memfd for the decompressed data",
				   path, dir);
	*fd_ret = fd;
	return NULL;
}

struct vd_error *
vd_decompress(const char *path, const char *name, int in_fd, uint64_t in_size,
	      const struct vd_decompress_opts *opts, int *fd_ret,
	      uint64_t *size_ret)
{
	struct sink sk = { .path = path, .name = name, .fd = -1,
			   .any_content = opts && opts->any_content };
	struct source in = { .fd = in_fd, .size = in_size };
	struct vd_error *err;
	bool is_memfd;

	err = make_output(path, opts, &sk.fd, &is_memfd);
	if (!err)
		err = choose_limit(&sk, opts, is_memfd);
	if (!err && (!(sk.buf = malloc(OUT_BLOCK)) || !(in.buf = malloc(IN_BLOCK))))
		err = &vd_enomem;
	if (!err)
		err = refill(&sk, &in);
	if (!err && !strcmp(name, "zstd"))
		err = run_zstd(&sk, &in);
	else if (!err && !strcmp(name, "lz4"))
		err = run_lz4(&sk, &in);
	else if (!err && !strcmp(name, "xz"))
		err = run_xz(&sk, &in);
	else if (!err)
		err = vd_error_create(VD_ERR_INVALID_ARG, "%s: no %s decoder",
				      path, name);
	// A stream shorter than HEAD_CHECK bytes: check what there is.
	if (!err && !sk.checked)
		err = check_head(&sk);
	// Holes at the end are not written: give the file its full size.
	if (!err && ftruncate(sk.fd, (off_t)sk.size) < 0)
		err = vd_error_os(errno, "%s: sizing the decompressed data", path);
	free(sk.buf);
	free(in.buf);
	if (err) {
		if (sk.fd >= 0)
			close(sk.fd);
		return err;
	}
	*fd_ret = sk.fd;
	*size_ret = sk.size;
	return NULL;
}
