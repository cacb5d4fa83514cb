// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "decompress.h"
#include "file.h"
#include "flat.h"

/* Replace the compressed mapping with one of its decompressed data. */
static struct vd_error *
open_decompressed(struct vd_file *file, const char *name, uint64_t limit)
{
	struct vd_decompress_opts opts = { .limit = limit };
	struct vd_error *err;
	uint64_t size;
	void *map;
	int fd;

	// The stream is read, not mapped: its pages need not stay resident.
	munmap((void *)file->map, file->map_size);
	file->map = NULL;
	err = vd_decompress(file->path, name, file->fd, file->map_size, &opts,
			    &fd, &size);
	if (err)
		return err;
	close(file->fd);
	file->compression = name;
	file->compressed_size = file->map_size;
	file->fd = fd;
	file->size = file->map_size = size;
	if (!size)
		return NULL;
	map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return vd_error_os(errno, "%s: cannot map the decompressed data",
				   file->path);
	file->map = map;
	return NULL;
}

const char *
vd_file_type_name(unsigned mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "a regular file";
	case S_IFDIR: return "a directory";
	case S_IFIFO: return "a FIFO";
	case S_IFSOCK: return "a socket";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFLNK: return "a symbolic link";
	default: return "a special file";
	}
}

struct vd_error *
vd_file_open(const char *path, struct vd_file **ret)
{
	return vd_file_open_limited(path, 0, ret);
}

struct vd_error *
vd_file_open_limited(const char *path, uint64_t decompress_limit,
		     struct vd_file **ret)
{
	struct vd_file *file;
	struct stat st;

	file = calloc(1, sizeof(*file));
	if (!file)
		return &vd_enomem;
	file->fd = -1;
	file->path = strdup(path);
	if (!file->path)
		goto enomem;
	// O_NONBLOCK: opening a FIFO with no writer (or some devices) would
	// block; the type is checked on the descriptor, so nothing can swap
	// the file between the check and the open.
	file->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (file->fd < 0) {
		int e = errno;
		struct vd_error *err;

		// A socket cannot be opened at all (ENXIO): say what it is.
		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
			err = vd_error_create(VD_ERR_INVALID_ARG,
					      "%s: is %s, not a regular file", path,
					      vd_file_type_name(st.st_mode));
		else
			err = vd_error_os(e, "%s: cannot open", path);
		vd_file_close(file);
		return err;
	}
	if (fstat(file->fd, &st) < 0) {
		struct vd_error *err = vd_error_os(errno, "%s: cannot stat", path);

		vd_file_close(file);
		return err;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		const char *what = vd_file_type_name(st.st_mode);

		vd_file_close(file);
		if (S_ISDIR(st.st_mode))
			return vd_error_os(EISDIR, "%s: cannot read", path);
		return vd_error_create(VD_ERR_INVALID_ARG,
				       "%s: is %s, not a regular file", path, what);
	}
	if (fcntl(file->fd, F_SETFL, 0) < 0) {
		struct vd_error *err = vd_error_os(errno, "%s: cannot open", path);

		vd_file_close(file);
		return err;
	}
	file->size = file->map_size = (uint64_t)st.st_size;
	if (file->size) {
		void *map = mmap(NULL, file->size, PROT_READ, MAP_PRIVATE,
				 file->fd, 0);

		if (map == MAP_FAILED) {
			struct vd_error *err =
				vd_error_os(errno, "%s: cannot map", path);

			vd_file_close(file);
			return err;
		}
		file->map = map;
	}
	if (file->map) {
		const char *name;
		struct vd_error *err = vd_decompress_probe(path, file->map,
							   file->map_size,
							   &name);

		if (!err && name)
			err = open_decompressed(file, name, decompress_limit);
		if (err) {
			vd_file_close(file);
			return err;
		}
	}
	if (vd_flat_detect(file->map, file->map_size)) {
		struct vd_error *err = vd_flat_open(path, file->map,
						    file->map_size, &file->flat);

		if (err) {
			vd_file_close(file);
			return err;
		}
		file->size = vd_flat_size(file->flat);
	}
	*ret = file;
	return NULL;
enomem:
	vd_file_close(file);
	return &vd_enomem;
}

void
vd_file_close(struct vd_file *file)
{
	if (!file)
		return;
	vd_flat_destroy(file->flat);
	if (file->map)
		munmap((void *)file->map, file->map_size);
	if (file->fd >= 0)
		close(file->fd);
	free(file->path);
	free(file);
}

const void *
vd_file_ptr(const struct vd_file *file, uint64_t off, size_t len)
{
	if (!vd_range_ok(off, len, file->size) || !file->map)
		return len == 0 ? "" : NULL;
	if (file->flat)
		return len == 0 ? "" : vd_flat_ptr(file->flat, off, len);
	return file->map + off;
}

struct vd_error *
vd_file_read(const struct vd_file *file, uint64_t off, void *buf, size_t len,
	     const char *what)
{
	const void *p = vd_file_ptr(file, off, len);

	if (!p && file->flat && vd_range_ok(off, len, file->size)) {
		vd_flat_read(file->flat, off, buf, len);
		return NULL;
	}
	if (!p)
		return vd_error_fault(VD_ERR_CORRUPT, VD_AS_FILE, off,
				      "%s: truncated file: %s at offset 0x%llx (%zu bytes) lies past its end (size 0x%llx)",
				      file->path, what,
				      (unsigned long long)off, len,
				      (unsigned long long)file->size);
	memcpy(buf, p, len);
	return NULL;
}

struct vd_error *
vd_file_pread(const struct vd_file *file, uint64_t off, void *buf, size_t len,
	      const char *what)
{
	unsigned char *out = buf;

	if (file->flat || file->fd < 0 || !vd_range_ok(off, len, file->size))
		return vd_file_read(file, off, buf, len, what);
	while (len) {
		ssize_t n = pread(file->fd, out, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vd_error_os(errno, "%s: cannot read %s at offset 0x%llx",
					   file->path, what, (unsigned long long)off);
		if (n == 0)
			// The file shrank under us: what the mapping would read.
			return vd_error_fault(VD_ERR_CORRUPT, VD_AS_FILE, off,
					      "%s: truncated file: %s at offset 0x%llx lies past its end",
					      file->path, what, (unsigned long long)off);
		out += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return NULL;
}

uint64_t
vd_file_next_data(const struct vd_file *file, uint64_t off)
{
	off_t r;

	if (off >= file->size)
		return file->size;
	if (file->flat)
		return vd_flat_next_data(file->flat, off);
	if (file->fd < 0)
		return off;
	r = lseek(file->fd, (off_t)off, SEEK_DATA);
	if (r < 0)
		// ENXIO: nothing but a hole up to the end; anything else
		// (no SEEK_DATA support): no knowledge, so read everything.
		return errno == ENXIO ? file->size : off;
	return VD_MIN((uint64_t)r, file->size);
}

struct vd_error *
vd_file_corrupt(const struct vd_file *file, uint64_t off, const char *fmt, ...)
{
	struct vd_error *err;
	va_list ap;

	va_start(ap, fmt);
	err = vd_error_vcreate(VD_ERR_CORRUPT, fmt, ap);
	va_end(ap);
	err = vd_error_wrap(err, "%s: at offset 0x%llx", file->path,
			    (unsigned long long)off);
	if (err != &vd_enomem) {
		err->as = VD_AS_FILE;
		err->addr = off;
	}
	return err;
}
