// SPDX-License-Identifier: MIT
/*
 * vmdive log: the dead kernel's printk log, formatted like crash's `log`
 * (crash 8.0.2 printk.c dump_record()): "[%5lu.%06lu] " before the text,
 * "<%x>" for the level with -l, the lines of a multi-line record indented
 * by the width of that prefix, and a byte that is neither printable nor
 * white space shown as '.'.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "vmdive/walk.h"

#define MAX_STDERR_ERRORS 20    /* then only a count */
#define MAX_JSON_ERRORS 1000

struct log_ctx {
	struct vd_cli *cli;
	int64_t boot;           /* -T: wall-clock seconds at boot */
	const char *boot_source;
	char **errors;          /* --json: messages, printed at the end */
	size_t nerrors;         /* errors seen */
};

/* "[    1.234567] " or, with -T, "[Sun Nov 22 01:41:27 UTC 2026] " as crash's ctime_tz(). */
static size_t
format_time(const struct log_ctx *c, uint64_t ts, char *buf, size_t len)
{
	uint64_t sec = ts / 1000000000u;

	if (c->cli->ctime) {
		time_t t = (time_t)(c->boot + (int64_t)sec);
		struct tm tm;
		char when[64];

		if (!localtime_r(&t, &tm) ||
		    !strftime(when, sizeof(when), "%a %b %e %T %Z %Y", &tm))
			snprintf(when, sizeof(when), "%lld", (long long)t);
		return (size_t)snprintf(buf, len, "[%s] ", when);
	}
	return (size_t)snprintf(buf, len, "[%5" PRIu64 ".%06" PRIu64 "] ", sec,
				ts % 1000000000u / 1000u);
}

/* Text bytes as crash prints them; '\n' starts an indented line. */
static void
put_text(FILE *out, const char *text, size_t len, size_t indent)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];

		if (ch == '\n')
			fprintf(out, "\n%*s", (int)indent, "");
		else if (ch < 0x80 && (isprint(ch) || isspace(ch)))
			putc(ch, out);
		else
			putc('.', out);
	}
}

static void
print_text_record(const struct log_ctx *c, const struct vd_printk_record *r)
{
	FILE *out = c->cli->out;
	char prefix[128];
	size_t n = 0;

	// crash prints a record stored without a data block as a bare line.
	if (r->dataless) {
		putc('\n', out);
		return;
	}
	prefix[0] = '\0';
	if (!c->cli->no_time)
		n = format_time(c, r->ts_nsec, prefix, sizeof(prefix));
	if (c->cli->list && r->level >= 0)
		n += (size_t)snprintf(prefix + n, sizeof(prefix) - n, "<%x>", r->level);
	fputs(prefix, out);
	put_text(out, r->text, r->text_len, n);
	if (c->cli->dict && r->subsystem[0])
		fprintf(out, "\n%*sSUBSYSTEM=%s", (int)n, "", r->subsystem);
	if (c->cli->dict && r->device[0])
		fprintf(out, "\n%*sDEVICE=%s", (int)n, "", r->device);
	putc('\n', out);
}

static void
json_int_or_null(struct vd_json *j, const char *key, int v)
{
	vd_json_key(j, key);
	if (v < 0)
		vd_json_null(j);
	else
		vd_json_uint(j, (uint64_t)v);
}

static void
print_json_record(const struct log_ctx *c, const struct vd_printk_record *r)
{
	struct vd_json *j = &c->cli->j;
	char caller[16];

	vd_json_begin_object(j);
	vd_json_kv_uint(j, "seq", r->seq);
	vd_json_kv_uint(j, "ts_nsec", r->ts_nsec);
	if (c->cli->ctime)
		vd_json_kv_int(j, "time", c->boot + (int64_t)(r->ts_nsec / 1000000000u));
	json_int_or_null(j, "level", r->level);
	json_int_or_null(j, "facility", r->facility);
	snprintf(caller, sizeof(caller), "%c%" PRIu32, r->caller_is_cpu ? 'C' : 'T',
		 r->caller);
	vd_json_kv_string(j, "caller", r->have_caller ? caller : NULL);
	vd_json_key(j, "text");
	vd_json_string_len(j, r->text, r->text_len);
	vd_json_kv_string(j, "subsystem", r->subsystem);
	vd_json_kv_string(j, "device", r->device);
	vd_json_kv_bool(j, "truncated", r->truncated);
	vd_json_end_object(j);
}

/* A skipped element: on stderr now, or kept for the JSON "errors". */
static void
report(struct log_ctx *c, struct vd_error *err)
{
	size_t i = c->nerrors++;

	if (c->cli->json) {
		if (i < MAX_JSON_ERRORS && c->errors)
			c->errors[i] = strdup(err->msg);
		vd_error_destroy(err);
	} else if (i < MAX_STDERR_ERRORS) {
		vd_cli_report(c->cli, err);
	} else {
		vd_error_destroy(err);
	}
}

static void
print_json_tail(struct log_ctx *c, const struct vd_printk_iter *it)
{
	struct vd_json *j = &c->cli->j;

	vd_json_end_array(j);
	vd_json_kv_uint(j, "lost", it->nlost);
	vd_json_key(j, "errors");
	vd_json_begin_array(j);
	for (size_t i = 0; i < c->nerrors && i < MAX_JSON_ERRORS; i++)
		vd_json_string(j, c->errors[i] ? c->errors[i] : "(no memory)");
	vd_json_end_array(j);
	vd_json_kv_uint(j, "nerrors", c->nerrors);
	vd_json_end_object(j);
}

static void
print_json_head(struct log_ctx *c, const struct vd_printk_iter *it)
{
	struct vd_json *j = &c->cli->j;

	vd_json_begin_object(j);
	vd_json_kv_string(j, "format", it->format == VD_PRINTK_LOCKLESS ?
			  "lockless" : "log_buf");
	vd_json_kv_bool(j, "seq_known", it->seq_known);
	if (c->cli->ctime) {
		vd_json_kv_int(j, "boot_time", c->boot);
		vd_json_kv_string(j, "boot_time_from", c->boot_source);
	}
	vd_json_key(j, "records");
	vd_json_begin_array(j);
}

static int
walk(struct log_ctx *c, struct vd_printk_iter *it)
{
	const struct vd_printk_record *r;
	struct vd_error *err;

	if (c->cli->json)
		print_json_head(c, it);
	while ((err = vd_printk_iter_next(it, &r)) != &vd_stop) {
		if (err)
			report(c, err);
		else if (c->cli->json)
			print_json_record(c, r);
		else
			print_text_record(c, r);
	}
	if (c->cli->json)
		print_json_tail(c, it);
	else if (c->nerrors > MAX_STDERR_ERRORS)
		vd_cli_error(c->cli, "%zu more damaged records skipped",
			     c->nerrors - MAX_STDERR_ERRORS);
	return c->nerrors ? VD_EXIT_FAIL : VD_EXIT_OK;
}

int
vd_cmd_log(struct vd_cli *cli)
{
	struct log_ctx c = { .cli = cli };
	struct vd_printk_iter it;
	struct vd_error *err;
	int ret;

	if (cli->ctime && cli->no_time) {
		vd_cli_error(cli, "-t and -T do not go together");
		return VD_EXIT_USAGE;
	}
	if (cli->ctime) {
		err = vd_printk_boot_time(cli->session, &c.boot, &c.boot_source);
		if (err) {
			vd_cli_error(cli, "-T: %s", err->msg);
			vd_error_destroy(err);
			return VD_EXIT_FAIL;
		}
	}
	err = vd_printk_iter_init(&it, cli->session);
	if (err) {
		vd_cli_report(cli, err);
		return VD_EXIT_FAIL;
	}
	if (cli->json)
		c.errors = calloc(MAX_JSON_ERRORS, sizeof(*c.errors));
	ret = walk(&c, &it);
	vd_printk_iter_deinit(&it);
	for (size_t i = 0; c.errors && i < c.nerrors && i < MAX_JSON_ERRORS; i++)
		free(c.errors[i]);
	free(c.errors);
	return ret;
}
