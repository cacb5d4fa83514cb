/* SPDX-License-Identifier: MIT */
/*
 * The command-line front end.  Only this layer prints.
 *
 * Shape: vmdive COMMAND [OPTIONS] DUMP [DUMP...] [ARGS...]
 * Options may come anywhere (GNU getopt permutes).  Leading positional
 * arguments that name existing files are the dump's files (several for a
 * split makedumpfile set); the rest are the command's arguments.
 */
#ifndef VD_CLI_CLI_H
#define VD_CLI_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "vmdive/session.h"

/* Exit statuses. */
enum {
	VD_EXIT_OK = 0,
	VD_EXIT_FAIL = 1,     /* the command ran but something failed */
	VD_EXIT_USAGE = 2,    /* bad command line, or the dump cannot be opened */
};

struct vd_cli {
	const struct vd_cmd *cmd;
	struct vd_session *session;
	struct vd_session_opts session_opts;
	bool json;
	bool stats;
	/* command options */
	bool physical;             /* rd -p */
	const char *output;        /* rd -o FILE */
	bool list;                 /* sym -l */
	/* positional arguments after the dump files */
	char **args;
	int nargs;
	const char *const *dumps;
	int ndumps;
	struct vd_json j;
	FILE *out;
};

enum vd_cmd_needs {
	VD_NEEDS_NOTHING = 0,
	VD_NEEDS_DUMP = 1 << 0,    /* opens a session */
};

struct vd_cmd {
	const char *name;
	int (*run)(struct vd_cli *cli);
	unsigned needs;
	const char *summary;
	const char *synopsis;
	const char *description;
	const char *options;       /* command-specific option help, or NULL */
	const char *examples;
	const char *shortopts;     /* command-specific short options */
	int min_args, max_args;    /* positional args after the dumps; -1 = any */
};

extern const struct vd_cmd vd_commands[];
extern const size_t vd_ncommands;

/* Helpers shared by the commands (cli/main.c). */
void vd_cli_error(const struct vd_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print err ("vmdive: CMD: msg") and destroy it. */
void vd_cli_report(const struct vd_cli *cli, struct vd_error *err);
bool vd_cli_parse_addr(const char *s, uint64_t *ret);
/* "4 KiB", "2 MiB", "1.5 GiB" */
void vd_cli_format_size(uint64_t size, char *buf, size_t len);
/* "sym+0x12" or "" when unknown. */
void vd_cli_symbolize(struct vd_cli *cli, uint64_t addr, char *buf,
		      size_t len);

int vd_cmd_info(struct vd_cli *cli);
int vd_cmd_vtop(struct vd_cli *cli);
int vd_cmd_ptov(struct vd_cli *cli);
int vd_cmd_rd(struct vd_cli *cli);
int vd_cmd_vmcoreinfo(struct vd_cli *cli);
int vd_cmd_sym(struct vd_cli *cli);
int vd_cmd_struct(struct vd_cli *cli);
int vd_cmd_whatis(struct vd_cli *cli);

#endif
