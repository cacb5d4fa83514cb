// SPDX-License-Identifier: MIT
#include <inttypes.h>
#include <string.h>

#include "json.h"

void
vd_json_init(struct vd_json *j, FILE *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
}

/* Separator before a value: a comma unless first, nothing after a key. */
bool vd_json_wrote_stdout;

static void
value_prefix(struct vd_json *j)
{
	if (j->out == stdout)
		vd_json_wrote_stdout = true;
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->need_comma[j->depth])
		fputc(',', j->out);
	j->need_comma[j->depth] = true;
}

static void
open_scope(struct vd_json *j, char c)
{
	value_prefix(j);
	fputc(c, j->out);
	if (j->depth < 63)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void
close_scope(struct vd_json *j, char c)
{
	if (j->depth > 0)
		j->depth--;
	fputc(c, j->out);
	if (j->depth == 0)
		fputc('\n', j->out);
}

void vd_json_begin_object(struct vd_json *j) { open_scope(j, '{'); }
void vd_json_end_object(struct vd_json *j) { close_scope(j, '}'); }
void vd_json_begin_array(struct vd_json *j) { open_scope(j, '['); }
void vd_json_end_array(struct vd_json *j) { close_scope(j, ']'); }

static void
write_escaped(FILE *out, const char *s, size_t len)
{
	fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c >= 0x7f)
			// Dumped bytes are not UTF-8: escape everything outside ASCII.
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

void
vd_json_key(struct vd_json *j, const char *key)
{
	value_prefix(j);
	write_escaped(j->out, key, strlen(key));
	fputc(':', j->out);
	j->after_key = true;
}

void
vd_json_string_len(struct vd_json *j, const char *s, size_t len)
{
	value_prefix(j);
	write_escaped(j->out, s, len);
}

void
vd_json_string(struct vd_json *j, const char *s)
{
	if (!s) {
		vd_json_null(j);
		return;
	}
	vd_json_string_len(j, s, strlen(s));
}

void
vd_json_hex(struct vd_json *j, uint64_t v)
{
	value_prefix(j);
	fprintf(j->out, "\"0x%" PRIx64 "\"", v);
}

void
vd_json_uint(struct vd_json *j, uint64_t v)
{
	value_prefix(j);
	fprintf(j->out, "%" PRIu64, v);
}

void
vd_json_int(struct vd_json *j, int64_t v)
{
	value_prefix(j);
	fprintf(j->out, "%" PRId64, v);
}

void
vd_json_bool(struct vd_json *j, bool v)
{
	value_prefix(j);
	fputs(v ? "true" : "false", j->out);
}

void
vd_json_null(struct vd_json *j)
{
	value_prefix(j);
	fputs("null", j->out);
}

void
vd_json_kv_string(struct vd_json *j, const char *key, const char *s)
{
	vd_json_key(j, key);
	vd_json_string(j, s);
}

void
vd_json_kv_hex(struct vd_json *j, const char *key, uint64_t v)
{
	vd_json_key(j, key);
	vd_json_hex(j, v);
}

void
vd_json_kv_uint(struct vd_json *j, const char *key, uint64_t v)
{
	vd_json_key(j, key);
	vd_json_uint(j, v);
}

void
vd_json_kv_int(struct vd_json *j, const char *key, int64_t v)
{
	vd_json_key(j, key);
	vd_json_int(j, v);
}

void
vd_json_kv_bool(struct vd_json *j, const char *key, bool v)
{
	vd_json_key(j, key);
	vd_json_bool(j, v);
}
