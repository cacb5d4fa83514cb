/* SPDX-License-Identifier: MIT */
/* Inside symbols/: kallsyms decoding and the image scan. */
#ifndef VD_SYMBOLS_SYMBOLS_PRIV_H
#define VD_SYMBOLS_SYMBOLS_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/session_priv.h"
#include "ksyms/kallsyms.h"

/*
 * The dump's kallsyms tables, opened on first use (kallsyms.c): NULL when
 * they cannot be (s->kallsyms_err says why).
 */
struct vd_ksyms *vd_session_ksyms(struct vd_session *s);
/* Write the decoded kallsyms to the cache if this session built it; free it. */
void vd_kallsyms_close(struct vd_session *s);

/*
 * One scan of the kernel image (scan_image.c), for kernels whose kallsyms
 * lacks data symbols: the BTF blob, and candidates for init_task, modules
 * and btf_modules, which walkers/scan_lists.c checks with the kernel's
 * types and records here.
 */
struct vd_scan {
	struct vd_error *err;          /* why the scan could not run */
	uint64_t img_start, img_end;
	uint64_t btf_start, btf_stop;
	uint64_t *comm_hits;           /* "swapper/0" strings */
	size_t ncomm;
	uint64_t *lists;               /* list_heads pointing out of the image */
	size_t nlists;
	uint64_t *dlists;              /* list_heads pointing into the direct map */
	size_t ndlists;
	/* Filled by walkers/scan_lists.c. */
	bool task_done, mod_done, btfmod_done;
	uint64_t init_task, modules, btf_modules;
	/*
	 * What an earlier session's scan of this kernel found (the cache,
	 * per build-id), as addresses for this dump's _stext (the objects
	 * are in the image: KASLR moves them together); 0 when unknown.
	 * Each is checked as the scan's candidates are before it is used
	 * (vd_scan_hint_btf(), walkers/scan_lists.c); a failed check means
	 * the scan.  scanned: the image was read in this session.
	 */
	bool scanned;
	bool btf_code_tried;           /* vd_scan_code_refs() asked for the BTF blob */
	uint64_t hint_btf_start, hint_btf_stop, hint_init_task, hint_modules, hint_btf_modules;
};

/*
 * The session's scan state with the cached hints, without reading the
 * image; NULL when out of memory.
 */
struct vd_scan *vd_scan_state(struct vd_session *s);
/* The state, the image scanned on first use; NULL when out of memory. */
struct vd_scan *vd_scan_get(struct vd_session *s);
/* __start_BTF or __stop_BTF as the hint (checked) or the scan found them. */
bool vd_scan_symbol(struct vd_session *s, const char *name, uint64_t *ret);
/*
 * Candidates for a variable kallsyms lacks: the addresses the code of the
 * text symbols funcs (NULL-terminated) forms, or loads as pointers, in the
 * kernel image (arm64; 0 elsewhere).  At most max, without repeats.
 */
size_t vd_scan_code_refs(struct vd_session *s, const char *const *funcs, uint64_t *out,
			 size_t max);
/* Keep what this session's scan found for the next one (the cache); free the scan. */
void vd_scan_close(struct vd_session *s);

#endif
