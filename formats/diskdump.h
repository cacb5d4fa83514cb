/* SPDX-License-Identifier: MIT */
/*
 * Inside the kdump-compressed ("diskdump") reader: the on-disk layout and
 * the parsed state shared by diskdump.c (probe, headers, bitmaps,
 * segments), diskdump_read.c (page descriptors, decompression) and
 * diskdump_set.c (notes, split sets, attrs).  Nothing here is public.
 *
 * Layout facts are from docs/formats.md (makedumpfile's
 * diskdump_mod.h, checked against crash diskdump.c and libkdumpfile
 * diskdump.c): blocks of block_size bytes -- block 0 the main header,
 * sub_hdr_size blocks of sub header (+ the ELF notes), bitmap_blocks
 * blocks of two equal-sized bitmaps, the page_desc table, page data,
 * eraseinfo.  Every integer is in the dumped machine's byte order.
 */
#ifndef VD_FORMATS_DISKDUMP_H
#define VD_FORMATS_DISKDUMP_H

#include <stdbool.h>
#include <stdint.h>

#include "format.h"

/* struct disk_dump_header, 64-bit layout (utsname = 6 x 65 chars). */
#define DDH_SIGNATURE 0
#define DDH_VERSION 8
#define DDH_UTSNAME 12
#define DDH_UTS_LEN 65
#define DDH_TV_SEC 408          /* after 6 bytes of alignment padding */
#define DDH_TV_USEC 416
#define DDH_STATUS 424
#define DDH_BLOCK_SIZE 428
#define DDH_SUB_HDR_SIZE 432
#define DDH_BITMAP_BLOCKS 436
#define DDH_MAX_MAPNR 440       /* 32 bits: truncated on big machines */
#define DDH_TOTAL_RAM_BLOCKS 444
#define DDH_DEVICE_BLOCKS 448
#define DDH_WRITTEN_BLOCKS 452
#define DDH_CURRENT_CPU 456
#define DDH_NR_CPUS 460
#define DDH_SIZE 464

/* struct kdump_sub_header (64-bit), at offset block_size; by version. */
#define KSH_PHYS_BASE 0
#define KSH_DUMP_LEVEL 8        /* v1+ */
#define KSH_SPLIT 12            /* v2+ */
#define KSH_START_PFN 16        /* v2+ */
#define KSH_END_PFN 24          /* v2+ */
#define KSH_OFF_VMCOREINFO 32   /* v3+ */
#define KSH_SIZE_VMCOREINFO 40  /* v3+ */
#define KSH_OFF_NOTE 48         /* v4+ */
#define KSH_SIZE_NOTE 56        /* v4+ */
#define KSH_OFF_ERASEINFO 64    /* v5+ */
#define KSH_SIZE_ERASEINFO 72   /* v5+ */
#define KSH_START_PFN_64 80     /* v6+ */
#define KSH_END_PFN_64 88       /* v6+ */
#define KSH_MAX_MAPNR_64 96     /* v6+ */
#define KSH_SIZE 104

/* disk_dump_header.status and page_desc.flags share these bits. */
#define DD_ZLIB 0x1
#define DD_LZO 0x2
#define DD_SNAPPY 0x4
#define DD_INCOMPLETE 0x8       /* status only: ENOSPC while writing */
#define DD_EXCLUDED_VMEMMAP 0x10 /* status only: makedumpfile -e */
#define DD_ZSTD 0x20
#define DD_COMPRESSED (DD_ZLIB | DD_LZO | DD_SNAPPY | DD_ZSTD)

/* struct page_desc: u64 offset, u32 size, u32 flags, u64 page_flags. */
#define DD_DESC_SIZE 24

/*
 * The bitmaps are never read whole.  Open streams them once, a chunk of
 * DD_CHUNK_PFNS bits at a time (skipping holes of a sparse file), keeping
 * per chunk only the count of dumped pages before it.  A chunk's bytes and
 * its finer index (prefix popcounts every DD_RANK_PFNS PFNs) are read on
 * first use and kept in a small LRU of DD_CHUNK_CACHE chunks, so a page's
 * descriptor is found with one table entry, one index entry and at most 8
 * popcounts whatever the machine's size.
 */
#define DD_CHUNK_SHIFT 18
#define DD_CHUNK_PFNS (1ull << DD_CHUNK_SHIFT)          /* 1 GiB of 4K pages */
#define DD_CHUNK_BYTES (DD_CHUNK_PFNS / 8)              /* 32 KiB a bitmap */
#define DD_CHUNK_CACHE 8
#define DD_RANK_SHIFT 9
#define DD_RANK_PFNS (1u << DD_RANK_SHIFT)
/*
 * PFNs a file may cover: 52 bits of physical address (x86_64 with LA57,
 * arm64 with LPA/LPA2).
 */
#define DD_MAX_PHYS_BITS 52
/* And at most 2^40 PFNs (4 PiB of 4 KiB pages): 2^22 chunks, 32 MiB. */
#define DD_MAX_PFNS (1ull << 40)

struct dd_chunk {
	uint64_t index;                 /* chunk number; UINT64_MAX: empty */
	uint64_t used;                  /* LRU clock */
	unsigned char *ram, *dump;      /* DD_CHUNK_BYTES each (dump may = ram) */
	uint32_t sub[DD_CHUNK_PFNS / DD_RANK_PFNS]; /* dump bits before i*512 */
};

/* Decoder state; one per thread that decodes pages. */
struct dd_dec {
	void *zstream;                  /* z_stream */
	void *zstd;                     /* ZSTD_DCtx */
};

struct dd_desc {
	uint64_t offset;
	uint32_t size;
	uint32_t flags;
};

/* One file of the dump (a whole dump, or one part of a split set). */
struct diskdump {
	struct vd_file *file;
	bool be;
	bool legacy;                    /* "DISKDUMP": no kdump sub header */
	int32_t version;
	char uts[6][DDH_UTS_LEN + 1];
	uint64_t tv_sec, tv_usec;
	uint32_t status, block_size, sub_hdr_blocks, bitmap_blocks;
	uint32_t written_blocks, current_cpu;
	int32_t nr_cpus;
	enum vd_arch arch;
	const char *arch_how;           /* how arch was decided (static) */

	/* Sub header; zeros when the version lacks a field. */
	uint64_t phys_base;
	int32_t dump_level;
	bool has_dump_level;
	bool split;
	uint64_t start_pfn, end_pfn;    /* PFNs this file holds */
	uint64_t max_mapnr;
	uint64_t off_vmcoreinfo, size_vmcoreinfo;
	uint64_t off_note, size_note;
	uint64_t off_eraseinfo, size_eraseinfo;

	/* Bitmaps: bit n = byte n / 8, bit n % 8 (LSB first). */
	uint64_t ram_bm_off, dump_bm_off;       /* file offsets (may be equal) */
	uint64_t bitmap_bytes;                  /* bytes of one bitmap */
	bool single_bitmap;
	uint64_t nchunks;               /* chunks covering [0, end_pfn) */
	uint64_t *chunk_rank;           /* dump bits in [0, c * DD_CHUNK_PFNS) */
	struct dd_chunk chunks[DD_CHUNK_CACHE];
	uint64_t chunk_clock;
	uint64_t base_rank;             /* dump bits below start_pfn */
	uint64_t ram_pages, dumped_pages;
	uint64_t desc_off;
	uint64_t desc_avail;            /* descriptors inside the file */

	/* Decoding state, made on first use. */
	unsigned char *cbuf;            /* block_size bytes */
	struct dd_dec dec;              /* of the page-by-page path */
	uint32_t seen_flags;            /* compression of sampled pages */
	bool seen_raw;

	/* Notes, published for the whole set by finish(). */
	char *vmcoreinfo;
	size_t vmcoreinfo_len;
	struct vd_cpu_state *cpus;
	size_t ncpus;
	size_t nnotes;
	char *eraseinfo;
	size_t eraseinfo_len;
};

/* diskdump_read.c */
struct vd_error *vd_diskdump_read_page(void *priv, uint64_t pfn, void *buf);
/* Parallel scans (vd_format_ops, format.h). */
struct vd_error *vd_diskdump_plan_page(void *priv, uint64_t pfn,
				       struct vd_page_plan *plan);
struct vd_error *vd_diskdump_decode_page(void *priv, void *dec, uint64_t pfn,
					 const struct vd_page_plan *plan,
					 const void *data, void *buf);
void *vd_diskdump_dec_new(void *priv);
void vd_diskdump_dec_free(void *dec);
/* The cached chunk holding pfn (pfn < nchunks * DD_CHUNK_PFNS). */
struct vd_error *vd_diskdump_chunk(struct diskdump *dd, uint64_t pfn,
				   const struct dd_chunk **ret);
/* The first dumped PFN >= pfn in this file, or UINT64_MAX. */
uint64_t vd_diskdump_next_page(void *priv, uint64_t pfn);
/* Dumped pages in [0, pfn) with pfn inside chunk c. */
uint64_t vd_diskdump_rank(const struct diskdump *dd, const struct dd_chunk *c,
			  uint64_t pfn);
bool vd_diskdump_bit(const unsigned char *bitmap, uint64_t bit);
void vd_diskdump_sample_flags(struct diskdump *dd);
void vd_diskdump_free_decoders(struct diskdump *dd);

/* diskdump_set.c */
struct vd_error *vd_diskdump_parse_notes(struct vd_dump *dump,
					 struct diskdump *dd);
struct vd_error *vd_diskdump_finish(struct vd_dump *dump, void **privs,
				    size_t nprivs);
const char *vd_diskdump_level_text(int32_t level, char *buf, size_t len);

#endif
