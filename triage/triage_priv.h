/* SPDX-License-Identifier: MIT */
/* Inside triage/. */
#ifndef VD_TRIAGE_PRIV_H
#define VD_TRIAGE_PRIV_H

#include <stdint.h>

#include "vmdive/triage.h"

/* The value of a global expression (jiffies_64, avenrun[1], x.y) as a u64. */
struct vd_error *vd_triage_read_global(struct vd_session *s, const char *expr,
				       uint64_t *ret);

#endif
