// SPDX-License-Identifier: MIT
/*
 * What the walking commands (mod, vmalloc, ps, dump-module, dump-vmalloc)
 * share: elements skipped with an error go to stderr (the first few) and to
 * the JSON "errors" array, and make the exit status 1; holes met while
 * extracting memory are listed the same way.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_STDERR_ERRORS 20
#define MAX_KEPT_ERRORS 1000

void
vd_walk_errors_add(struct vd_walk_errors *e, struct vd_error *err)
{
	size_t i = e->n++;

	if (i < MAX_STDERR_ERRORS)
		vd_cli_error(e->cli, "skipped: %s", err->msg);
	else if (i == MAX_STDERR_ERRORS)
		vd_cli_error(e->cli, "more elements skipped; see the count at the end");
	if (i < MAX_KEPT_ERRORS) {
		char **p = realloc(e->msgs, (i + 1) * sizeof(*p));

		if (p) {
			e->msgs = p;
			e->msgs[i] = strdup(err->msg);
		}
	}
	vd_error_destroy(err);
}

void
vd_walk_errors_keep(struct vd_walk_errors *e, const char *msg)
{
	size_t i = e->n++;

	if (i < MAX_KEPT_ERRORS) {
		char **p = realloc(e->msgs, (i + 1) * sizeof(*p));

		if (p) {
			e->msgs = p;
			e->msgs[i] = strdup(msg);
		}
	}
}

void
vd_walk_errors_json(struct vd_walk_errors *e)
{
	struct vd_json *j = &e->cli->j;

	vd_json_key(j, "errors");
	vd_json_begin_array(j);
	for (size_t i = 0; i < e->n && i < MAX_KEPT_ERRORS; i++)
		vd_json_string(j, e->msgs && e->msgs[i] ? e->msgs[i] : "(no memory)");
	vd_json_end_array(j);
}

void
vd_walk_errors_finish(struct vd_walk_errors *e, const char *what)
{
	if (e->n > MAX_STDERR_ERRORS)
		vd_cli_error(e->cli, "%zu %s skipped in all", e->n, what);
	for (size_t i = 0; i < e->n && i < MAX_KEPT_ERRORS && e->msgs; i++)
		free(e->msgs[i]);
	free(e->msgs);
	e->msgs = NULL;
}

/* Holes of an extraction ------------------------------------------------------ */

#define MAX_HOLES_KEPT 4096

void
vd_cli_hole(void *priv, uint64_t addr, uint64_t len, bool mapped, const char *why)
{
	struct vd_holes *h = priv;
	struct vd_hole *p;

	if (!h->json && h->n < MAX_STDERR_ERRORS)
		vd_cli_error(h->cli, "0x%" PRIx64 "-0x%" PRIx64 " (%" PRIu64 " bytes) %s: %s",
			     addr, addr + len - 1, len,
			     mapped ? "not in the dump" :
			     "not mapped: skipped (zeros keep the file offsets)", why);
	h->n++;
	if (h->nkept >= MAX_HOLES_KEPT)
		return;
	p = realloc(h->holes, (h->nkept + 1) * sizeof(*p));
	if (!p)
		return;
	h->holes = p;
	p[h->nkept++] = (struct vd_hole){ .addr = addr, .len = len, .mapped = mapped };
	snprintf(p[h->nkept - 1].why, sizeof(p->why), "%s", why);
}

void
vd_cli_holes_json(struct vd_holes *h)
{
	struct vd_json *j = &h->cli->j;

	vd_json_key(j, "holes");
	vd_json_begin_array(j);
	for (size_t i = 0; i < h->nkept; i++) {
		vd_json_begin_object(j);
		vd_json_kv_hex(j, "start", h->holes[i].addr);
		vd_json_kv_hex(j, "end", h->holes[i].addr + h->holes[i].len);
		vd_json_kv_uint(j, "size", h->holes[i].len);
		vd_json_kv_bool(j, "mapped", h->holes[i].mapped);
		vd_json_kv_string(j, "why", h->holes[i].why);
		vd_json_end_object(j);
	}
	vd_json_end_array(j);
}

void
vd_cli_holes_free(struct vd_holes *h)
{
	if (!h->json && h->n > MAX_STDERR_ERRORS)
		vd_cli_error(h->cli, "%zu holes in all", h->n);
	free(h->holes);
	h->holes = NULL;
}
