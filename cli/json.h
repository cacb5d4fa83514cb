/* SPDX-License-Identifier: MIT */
/*
 * A streaming JSON writer.  Addresses are written as "0x..." strings: JSON
 * numbers lose precision above 2^53 in most consumers.
 */
#ifndef VD_CLI_JSON_H
#define VD_CLI_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct vd_json {
	FILE *out;
	int depth;
	bool need_comma[64];
	bool after_key;
};

/*
 * Set once any writer has written to stdout: a failed command that wrote
 * nothing there gets its error as the JSON document (cli/main.c).
 */
extern bool vd_json_wrote_stdout;

void vd_json_init(struct vd_json *j, FILE *out);
void vd_json_begin_object(struct vd_json *j);
void vd_json_end_object(struct vd_json *j);
void vd_json_begin_array(struct vd_json *j);
void vd_json_end_array(struct vd_json *j);
void vd_json_key(struct vd_json *j, const char *key);
void vd_json_string(struct vd_json *j, const char *s);
void vd_json_string_len(struct vd_json *j, const char *s, size_t len);
void vd_json_hex(struct vd_json *j, uint64_t v);
void vd_json_uint(struct vd_json *j, uint64_t v);
void vd_json_int(struct vd_json *j, int64_t v);
void vd_json_bool(struct vd_json *j, bool v);
void vd_json_null(struct vd_json *j);

/* key + value shorthands */
void vd_json_kv_string(struct vd_json *j, const char *key, const char *s);
void vd_json_kv_hex(struct vd_json *j, const char *key, uint64_t v);
void vd_json_kv_uint(struct vd_json *j, const char *key, uint64_t v);
void vd_json_kv_int(struct vd_json *j, const char *key, int64_t v);
void vd_json_kv_bool(struct vd_json *j, const char *key, bool v);

#endif
