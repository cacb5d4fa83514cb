// SPDX-License-Identifier: MIT
/*
 * vmdive list: follow a linked list in the dump, like crash's list.
 *
 *   list [-o OFFSET] [-s TYPE[.member,...]] ADDR      ADDR is the first entry;
 *                                                     its next pointer, to the next
 *                                                     entry, is at OFFSET
 *   list -h [-o OFFSET] [-s ...] ADDR                 ADDR is the first entry; a
 *                                                     list_head at OFFSET links them
 *   list -H [-o OFFSET] [-s ...] HEAD                 HEAD is a list_head (not an
 *                                                     entry): entries from HEAD->next
 *                                                     until HEAD again
 *
 * OFFSET is a number or TYPE.member ("task_struct.tasks"); entries are
 * printed as the address OFFSET bytes before each link.  The walk stops at
 * NULL, at the start again, at an address seen before (a loop that does not
 * pass the start: reported), at an unreadable link (reported) or after
 * --max entries.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/util.h"
#include "vmdive/walk.h"

#define LIST_MAX_DEFAULT 1000000u

/*
 * Remember a visited link in the library's address set (the one hash
 * table, common/hashtab.h): false when it was seen before, or cannot be
 * kept (0, out of memory), which ends the walk as a loop would.
 */
static bool
seen_add(struct vd_addr_set *s, uint64_t v)
{
	struct vd_error *err;

	if (!v || vd_addr_set_has(s, v))
		return false;
	err = vd_addr_set_add(s, v);
	vd_error_destroy(err);
	return !err;
}

static bool
parse_offset(struct vd_cli *cli, const char *arg, uint64_t *ret)
{
	const char *dot = strchr(arg, '.');
	struct vd_qualified_type qt;
	struct vd_error *err;
	char tname[256];

	if (!dot)
		return vd_parse_u64(arg, 0, ret) ||
		       (vd_cli_error(cli, "-o '%s': not a number or TYPE.member", arg), false);
	snprintf(tname, sizeof(tname), "%.*s", (int)(dot - arg), arg);
	err = vd_session_find_type(cli->session, tname, &qt);
	if (!err)
		err = vd_type_offsetof(vd_type_unqualified(qt.type), dot + 1, ret);
	if (err) {
		vd_cli_report(cli, vd_error_wrap(err, "-o %s", arg));
		return false;
	}
	return true;
}

int
vd_cmd_list(struct vd_cli *cli)
{
	struct vd_struct_spec *sp = NULL;
	struct vd_addr_set seen = { 0 };
	uint64_t off = 0, start, link, max = LIST_MAX_DEFAULT, n = 0;
	const char *stop = NULL;
	char why[512] = "";
	int ret = VD_EXIT_OK;
	enum vd_as as = vd_session_info(cli->session)->kind == VD_DUMP_USER ? VD_AS_UVIRT :
			VD_AS_KVIRT;

	if (cli->list_offset && !parse_offset(cli, cli->list_offset, &off))
		return VD_EXIT_USAGE;
	if (cli->list_max && (!vd_parse_u64(cli->list_max, 0, &max) || !max)) {
		vd_cli_error(cli, "--max '%s': not a positive number", cli->list_max);
		return VD_EXIT_USAGE;
	}
	if (cli->list_struct) {
		sp = calloc(1, sizeof(*sp));
		if (!sp)
			return VD_EXIT_FAIL;
		ret = vd_cli_struct_spec(cli, cli->list_struct, false, sp);
		if (ret != VD_EXIT_OK) {
			free(sp);
			return ret;
		}
		// -s TYPE without -o: crash's default is a "next" member... only
		// when the type has one; list_head walks say -o.
		if (!cli->list_offset && !cli->list_head) {
			struct vd_error *err = vd_type_offsetof(sp->t, "next", &off);

			if (err)
				vd_error_destroy(err);
		}
	}
	if (!vd_cli_addr(cli, cli->args[0], &start)) {
		free(sp);
		return VD_EXIT_USAGE;
	}
	// The first link: the head, or the first entry's link field.  With -h
	// and -H links point at the next entry's list_head (entry = link -
	// OFF); without, at the next entry itself (entry = link, its next
	// pointer at entry + OFF).
	link = cli->list_head ? start : cli->list_embedded ? start + off : start;
	if (cli->json) {
		vd_json_begin_object(&cli->j);
		vd_json_kv_hex(&cli->j, "start", start);
		vd_json_kv_bool(&cli->j, "head", cli->list_head);
		vd_json_kv_uint(&cli->j, "offset", off);
		vd_json_key(&cli->j, "entries");
		vd_json_begin_array(&cli->j);
	}
	if (!cli->list_head && !seen_add(&seen, link))
		stop = "out of memory";
	while (!stop) {
		uint64_t entry, next;
		struct vd_error *err;

		if (cli->list_head) {
			err = vd_session_read_u64(cli->session, as, link, &next);
			if (err) {
				snprintf(why, sizeof(why), "%s", err->msg);
				vd_error_destroy(err);
				stop = "unreadable";
				break;
			}
			if (next == start || !next) {
				stop = next ? "end" : "null";
				break;
			}
			if (!seen_add(&seen, next)) {
				snprintf(why, sizeof(why), "0x%" PRIx64 " comes again after %" PRIu64
					 " entries: the list loops without passing its head", next, n);
				stop = "loop";
				break;
			}
			link = next;
			entry = link - off;
		} else {
			entry = cli->list_embedded ? link - off : link;
		}
		if (n == max) {
			snprintf(why, sizeof(why), "stopped after %" PRIu64 " entries (--max)", max);
			stop = "max";
			break;
		}
		n++;
		if (cli->json) {
			if (sp) {
				vd_cli_struct_show(cli, sp, entry);
			} else {
				vd_json_begin_object(&cli->j);
				vd_json_kv_hex(&cli->j, "address", entry);
				vd_json_end_object(&cli->j);
			}
		} else {
			printf("%" PRIx64 "\n", entry);
			if (sp && vd_cli_struct_show(cli, sp, entry) != VD_EXIT_OK)
				ret = VD_EXIT_FAIL;
		}
		if (!cli->list_head) {
			err = vd_session_read_u64(cli->session, as,
						  cli->list_embedded ? link : link + off, &next);
			if (err) {
				snprintf(why, sizeof(why), "%s", err->msg);
				vd_error_destroy(err);
				stop = "unreadable";
				break;
			}
			if (!next) {
				stop = "null";
				break;
			}
			if (next == (cli->list_embedded ? start + off : start)) {
				stop = "end";
				break;
			}
			if (!seen_add(&seen, next)) {
				snprintf(why, sizeof(why), "0x%" PRIx64 " comes again after %" PRIu64
					 " entries: the list loops without passing its start", next, n);
				stop = "loop";
				break;
			}
			link = next;
		}
	}
	if (cli->json) {
		vd_json_end_array(&cli->j);
		vd_json_kv_uint(&cli->j, "count", n);
		vd_json_kv_string(&cli->j, "stop", stop);
		vd_json_kv_string(&cli->j, "error", *why ? why : NULL);
		vd_json_end_object(&cli->j);
	}
	if (*why) {
		vd_cli_error(cli, "%s", why);
		ret = VD_EXIT_FAIL;
	}
	vd_addr_set_free(&seen);
	free(sp);
	return ret;
}
