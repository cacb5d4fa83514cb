/* SPDX-License-Identifier: MIT */
/*
 * Dump files: the formats layer.
 *
 * A struct vd_dump is one dump opened from one or more files (a split
 * makedumpfile set has several).  It publishes what the files say (arch,
 * page size, VMCOREINFO, per-CPU registers, reader facts) and reads the
 * dump's memory: physical memory for a kernel dump, process virtual memory
 * for a user-space core.  It knows nothing of page tables or symbols.
 *
 * Reads tell apart three failures, each a struct vd_error with the address:
 *   VD_ERR_FAULT   the address is not in the dump at all
 *   VD_ERR_NODATA  the page existed but the dump left it out (filtered by
 *                  makedumpfile, not dumped in a core), with the reason
 *   VD_ERR_CORRUPT the file's data for that page is broken
 * and report how many bytes were read before the failure.
 */
#ifndef VMDIVE_DUMP_H
#define VMDIVE_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmdive/error.h"
#include "vmdive/types.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vd_dump;
struct vd_core_info;    /* vmdive/core.h */

enum vd_dump_kind {
	VD_DUMP_KERNEL,   /* vmcore: memory is physical */
	VD_DUMP_USER,     /* process core: memory is user virtual */
};

/* Registers and state of one CPU (kernel dump) or thread (user core). */
struct vd_cpu_state {
	int32_t pid;            /* NT_PRSTATUS pr_pid (QEMU: vCPU index + 1) */
	int32_t signal;         /* pr_cursig */
	bool have_regs;
	uint32_t nregs;         /* entries of regs[] used, in pr_reg order */
	uint64_t regs[34];      /* x86_64: 27 user_regs_struct; arm64: 34 */
	bool have_cr;           /* x86_64 control registers (QEMU CPU note) */
	uint64_t cr0, cr2, cr3, cr4;
};

/* What a reader's fact is (docs/json.md: how --json writes each). */
enum vd_attr_type {
	VD_ATTR_TEXT,     /* a word, name or list: value only */
	VD_ATTR_COUNT,    /* a count or size: number, value in decimal */
	VD_ATTR_HEX,      /* an address, offset, mask or flags: number, value in hex */
	VD_ATTR_BOOL,     /* number 0 or 1, value "no" or "yes" */
	VD_ATTR_TIME,     /* seconds since 1970 UTC: number, value the date ("not set" for 0) */
};

/*
 * One fact a reader wants `info` to show: one fact per key, never a
 * sentence ("compression" = "zlib", "pages_in_dump" = 12345).
 */
struct vd_attr {
	char *key;                /* snake_case */
	char *value;              /* as `info` prints it */
	enum vd_attr_type type;
	uint64_t number;          /* all but VD_ATTR_TEXT */
};

struct vd_dump_info {
	const char *format;      /* short id: "elf", "kdump" */
	enum vd_dump_kind kind;
	enum vd_arch arch;
	bool big_endian;
	uint32_t ptr_size;       /* bytes */
	uint32_t page_size;      /* 0 when the files do not say */
	char *vmcoreinfo;        /* NUL-terminated copy, or NULL */
	size_t vmcoreinfo_len;
	struct vd_cpu_state *cpus;
	size_t ncpus;
	struct vd_attr *attrs;   /* reader-specific facts, in display order */
	size_t nattrs;
	char **warnings;         /* things wrong with the file that did not */
	size_t nwarnings;        /* stop it from opening */
	/* The first warning that the files are damaged (truncated,
	 * incomplete), one of warnings[]; NULL when they are whole. */
	const char *damage;
	const char *path;        /* first file */
	/* A process core's notes (vmdive/core.h); NULL for kernel dumps. */
	const struct vd_core_info *core;
};

struct vd_dump_opts {
	bool zero_excluded;      /* excluded pages read as zeros (crash -z) */
	size_t cache_pages;      /* page-cache capacity at most (0: no limit
	                            but the default 16 MiB of pages) */
	uint64_t decompress_limit; /* bytes a .zst/.lz4/.xz file may expand
	                            to; 0: VMDIVE_DECOMPRESS_LIMIT, else 64 GiB
	                            (formats/decompress.h) */
};

struct vd_cache_stats {
	uint64_t hits, misses, evictions;
	size_t capacity, used;
};

/*
 * Open a dump made of the given files.  Every file is probed with every
 * reader in turn; the first that recognizes it reads it.
 */
struct vd_error *vd_dump_open(const char *const *paths, size_t npaths,
			      const struct vd_dump_opts *opts,
			      struct vd_dump **ret);
void vd_dump_close(struct vd_dump *dump);

const struct vd_dump_info *vd_dump_info(const struct vd_dump *dump);

/*
 * Read len bytes at addr of the dump's memory (physical for kernel dumps).
 * On failure *done_ret (if not NULL) is the number of bytes copied before
 * the failure; on success it is len.
 */
struct vd_error *vd_dump_read(struct vd_dump *dump, uint64_t addr, void *buf,
			      size_t len, size_t *done_ret);

/* Memory ranges the dump holds, in address order (for `info`, search). */
/*
 * The dump's own bytes for [addr, addr + len) when its file holds them as
 * they are (uncompressed, mapped), valid until vd_dump_close(); else NULL
 * (compressed, excluded or spanning records): read with vd_dump_read().
 */
const void *vd_dump_ptr(struct vd_dump *dump, uint64_t addr, size_t len);

/*
 * The first address >= addr from which a read may succeed: addr itself
 * when it may, the start of the next range or of the next page the file
 * holds when the dump leaves [addr, result) out (not in the dump, or
 * excluded pages unless --zero-excluded), UINT64_MAX when nothing
 * follows.  For work over all memory (search): a read that fails at addr
 * continues here instead of page by page.
 */
uint64_t vd_dump_next_data(struct vd_dump *dump, uint64_t addr);

/*
 * Scans: [start, end) of the dump's memory read once, in address order,
 * for work that reads every page (search, rd -o of a large range).  A
 * kdump-compressed file's pages are read in file order in batches and
 * decompressed on worker threads (as many as online CPUs, at most
 * VD_SCAN_THREADS_MAX), a fixed window of batches ahead of the caller;
 * other memory is read as vd_dump_read() reads it.  The pieces, in
 * order, cover [start, end) and hold exactly what vd_dump_read() gives:
 * the same bytes, the same errors (excluded pages, data past the end of
 * a truncated file, corrupt pages), the same zeros with --zero-excluded.
 * The page cache is neither used nor filled.  The dump stays the
 * caller's thread's: other reads of it on that thread may come between
 * the pieces (the worker threads touch only the scan's own state, the
 * files and what the readers fixed at open), never on another thread.
 */
#define VD_SCAN_THREADS_MAX 16

struct vd_scan_opts {
	unsigned threads;       /* decoding threads; 0: $VMDIVE_SCAN_THREADS,
	                           else online CPUs; 1: none (the caller's
	                           thread decodes) */
	bool skip_holes;        /* a failure covers [addr, vd_dump_next_data()
	                           after its page), within the scan's window,
	                           not one page */
};

struct vd_scan_piece {
	size_t range;           /* vd_dump_scan_open_ranges(): the range it
	                           is of (0 for vd_dump_scan_open()) */
	uint64_t addr;
	size_t len;
	/* [addr, addr + len), valid until the next call; NULL: a failure */
	const unsigned char *data;
	/* When data is NULL: what a read at addr fails with, owned by the
	 * scan (valid until the next call); nothing of [addr, addr + len)
	 * was read. */
	const struct vd_error *err;
};

struct vd_dump_scan;

struct vd_error *vd_dump_scan_open(struct vd_dump *dump, uint64_t start,
				   uint64_t end, const struct vd_scan_opts *opts,
				   struct vd_dump_scan **ret);
/*
 * A scan of several ranges, one after the other in the order given (a
 * kernel virtual range's physical runs, in virtual order): the pieces of
 * each range as vd_dump_scan_open() gives them, each naming its range.
 * The ranges are copied.
 */
struct vd_scan_range {
	uint64_t start, end;    /* [start, end) */
};

struct vd_error *vd_dump_scan_open_ranges(struct vd_dump *dump,
					  const struct vd_scan_range *ranges,
					  size_t n, const struct vd_scan_opts *opts,
					  struct vd_dump_scan **ret);
/* The next piece; false when every range is done. */
bool vd_dump_scan_next(struct vd_dump_scan *scan, struct vd_scan_piece *piece);
/* Decoding threads the scan runs (0: it decodes on the caller's thread). */
unsigned vd_dump_scan_threads(const struct vd_dump_scan *scan);
void vd_dump_scan_close(struct vd_dump_scan *scan);

struct vd_mem_range {
	uint64_t start, end;    /* [start, end) */
	const char *kind;       /* "file", "zero", "paged", "absent" */
};
size_t vd_dump_ranges(const struct vd_dump *dump,
		      const struct vd_mem_range **ret);
/* Whether some of the dump's memory is held as is in its file (a range of kind "file", as in
 * an ELF vmcore): such pages cost a read, not a decompression. */
bool vd_dump_has_file_pages(const struct vd_dump *dump);

void vd_dump_cache_stats(const struct vd_dump *dump,
			 struct vd_cache_stats *ret);

#ifdef __cplusplus
}
#endif
#endif
