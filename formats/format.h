/* SPDX-License-Identifier: MIT */
/*
 * The interface between the dump (physical memory layer, formats/dump.c)
 * and the format readers (elf.c, diskdump.c, ...).
 *
 * A reader's open() looks at one file.  If the file is not its format it
 * returns &vd_noprobe and must have changed nothing.  Otherwise it
 * publishes facts into the dump (vd_dump_set_*, vd_dump_add_*) and memory
 * as segments:
 *   VD_SEG_FILE   [start, end) is stored at file_off in the file
 *   VD_SEG_ZERO   [start, end) reads as zeros (ELF p_filesz < p_memsz in
 *                 kernel dumps: makedumpfile -E drops zero pages that way)
 *   VD_SEG_ABSENT [start, end) existed but is not in the file: reads fail
 *                 with VD_ERR_NODATA and the segment's reason
 *   VD_SEG_PAGED  whole pages come from ops->read_page() and are cached;
 *                 read_page() may fail with VD_ERR_NODATA (excluded page,
 *                 with the reason) or VD_ERR_FAULT (not in the dump)
 * Segments of one dump must not overlap; vd_dump_open() checks it.
 */
#ifndef VD_FORMATS_FORMAT_H
#define VD_FORMATS_FORMAT_H

#include <stdbool.h>
#include <stdint.h>

#include "file.h"
#include "vmdive/dump.h"

struct vd_source;

/*
 * Where a page's stored bytes are, for a parallel scan (dump_scan.c):
 * size bytes at file_off of the source's file, inside the file; the rest
 * is the reader's own (flags, the descriptor's offset for messages).
 */
struct vd_page_plan {
	uint64_t file_off;
	uint32_t size;
	uint32_t flags;
	uint64_t desc_off;
	bool raw;               /* the stored bytes are the page (size = page) */
};

struct vd_format_ops {
	const char *name;
	struct vd_error *(*open)(struct vd_dump *dump, struct vd_source *src,
				 struct vd_file *file, void **priv_ret);
	/* Fill buf with page pfn (page_size bytes).  Needed for VD_SEG_PAGED. */
	struct vd_error *(*read_page)(void *priv, uint64_t pfn, void *buf);
	/*
	 * Optional, for VD_SEG_PAGED: the first PFN >= pfn whose page is in
	 * the file (UINT64_MAX when none), so that work over all RAM skips
	 * excluded runs without failing one page at a time.
	 */
	uint64_t (*next_page)(void *priv, uint64_t pfn);
	/*
	 * Optional, for VD_SEG_PAGED, both or neither: parallel scans
	 * (vd_dump_scan_open).  plan_page() is called on the thread that owns
	 * the dump, like read_page(): where page pfn's bytes are, or the
	 * error read_page() would return without reading them.  decode_page()
	 * runs on worker threads at once, each with a decoder state of its
	 * own from dec_new() (NULL: out of memory): it turns the plan's size
	 * bytes at data into the page, with the errors read_page() gives
	 * for bad data, and reads nothing else of priv than what open set.
	 */
	struct vd_error *(*plan_page)(void *priv, uint64_t pfn,
				      struct vd_page_plan *plan);
	struct vd_error *(*decode_page)(void *priv, void *dec, uint64_t pfn,
					const struct vd_page_plan *plan,
					const void *data, void *buf);
	void *(*dec_new)(void *priv);
	void (*dec_free)(void *dec);
	/*
	 * Optional: called once after every file of the dump was opened, with
	 * the privs of all sources read by this reader (split sets).
	 */
	struct vd_error *(*finish)(struct vd_dump *dump, void **privs,
				   size_t nprivs);
	void (*close)(void *priv);
};

enum vd_seg_kind {
	VD_SEG_FILE,
	VD_SEG_ZERO,
	VD_SEG_ABSENT,
	VD_SEG_PAGED,
};

struct vd_segment {
	uint64_t start, end;         /* [start, end) */
	enum vd_seg_kind kind;
	uint64_t file_off;           /* VD_SEG_FILE */
	const char *why;             /* VD_SEG_ABSENT: static reason string */
	struct vd_source *src;       /* set by vd_dump_add_segment() */
};

/* Publish memory; copies seg. */
struct vd_error *vd_dump_add_segment(struct vd_dump *dump,
				     struct vd_source *src,
				     const struct vd_segment *seg);

/* Facts.  Setters copy their strings. */
struct vd_dump_info *vd_dump_info_mut(struct vd_dump *dump);
struct vd_error *vd_dump_set_vmcoreinfo(struct vd_dump *dump, const char *text,
					size_t len);
struct vd_error *vd_dump_add_cpu(struct vd_dump *dump,
				 const struct vd_cpu_state *cpu);
/* A VD_ATTR_TEXT fact. */
struct vd_error *vd_dump_add_attr(struct vd_dump *dump, const char *key,
				  const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A typed fact: its value text made from the number (see enum vd_attr_type). */
struct vd_error *vd_dump_add_fact(struct vd_dump *dump, const char *key,
				  enum vd_attr_type type, uint64_t number);
struct vd_error *vd_dump_add_warning(struct vd_dump *dump, const char *fmt,
				     ...)
	__attribute__((format(printf, 2, 3)));
/*
 * A warning that the file is damaged (truncated, incomplete): also kept
 * as info->damage (the first one), which commands name before any error
 * the damage may have caused.
 */
struct vd_error *vd_dump_add_damage(struct vd_dump *dump, const char *fmt,
				    ...)
	__attribute__((format(printf, 2, 3)));
bool vd_dump_zero_excluded(const struct vd_dump *dump);

/* The readers, in probe order (formats/dump.c). */
extern const struct vd_format_ops vd_elf_format_ops;
extern const struct vd_format_ops vd_diskdump_format_ops;

#endif
