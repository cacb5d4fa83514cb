// SPDX-License-Identifier: MIT
/*
 * vmdive complete-names: type names by prefix for the bash completion,
 * from the per-kernel cache (vd_type_names_complete()), so that a Tab
 * after `vmdive struct DUMP task_` opens the dump only the first time.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "vmdive/ctype.h"

static const struct {
	const char *word;
	unsigned kinds;
} kind_words[] = {
	{ "struct", 1u << VD_TYPE_STRUCT },
	{ "union", 1u << VD_TYPE_UNION },
	{ "enum", 1u << VD_TYPE_ENUM },
	{ "typedef", 1u << VD_TYPE_TYPEDEF },
	{ "any", 1u << VD_TYPE_STRUCT | 1u << VD_TYPE_UNION | 1u << VD_TYPE_ENUM |
		 1u << VD_TYPE_TYPEDEF },
};

static const char *
kind_word(enum vd_type_kind kind)
{
	for (size_t i = 0; i < 4; i++)
		if (kind_words[i].kinds == 1u << kind)
			return kind_words[i].word;
	return "type";
}

/* "struct,union" -> the mask; 0 on a word it does not know. */
static unsigned
parse_kinds(const char *s)
{
	unsigned kinds = 0;

	while (*s) {
		size_t len = strcspn(s, ","), i;

		for (i = 0; i < sizeof(kind_words) / sizeof(kind_words[0]); i++)
			if (strlen(kind_words[i].word) == len &&
			    !strncmp(s, kind_words[i].word, len))
				break;
		if (i == sizeof(kind_words) / sizeof(kind_words[0]))
			return 0;
		kinds |= kind_words[i].kinds;
		s += len + (s[len] == ',');
	}
	return kinds;
}

struct out {
	struct vd_cli *cli;
	const char *last;      /* a name printed once whatever its kinds (text) */
	bool begun;            /* --json: the document is open */
};

static void
begin(struct out *o)
{
	if (o->cli->json && !o->begun) {
		vd_json_begin_object(&o->cli->j);
		vd_json_key(&o->cli->j, "names");
		vd_json_begin_array(&o->cli->j);
	}
	o->begun = true;
}

static bool
print_name(void *priv, enum vd_type_kind kind, const char *name)
{
	struct out *o = priv;

	begin(o);
	if (o->cli->json) {
		vd_json_begin_object(&o->cli->j);
		vd_json_kv_string(&o->cli->j, "kind", kind_word(kind));
		vd_json_kv_string(&o->cli->j, "name", name);
		vd_json_end_object(&o->cli->j);
	} else if (!o->last || strcmp(o->last, name)) {
		fprintf(o->cli->out, "%s\n", name);
	}
	o->last = name;
	return !ferror(o->cli->out);
}

int
vd_cmd_complete_names(struct vd_cli *cli)
{
	unsigned kinds = parse_kinds(cli->name_kind ? cli->name_kind : "any");
	struct out o = { cli, NULL, false };
	struct vd_error *err;

	if (!kinds) {
		vd_cli_error(cli, "--kind %s: not struct, union, enum, typedef or any (comma-separated)",
			     cli->name_kind);
		return VD_EXIT_USAGE;
	}
	err = vd_type_names_complete(cli->dumps, cli->session ? 0 : (size_t)cli->ndumps,
				     &cli->session_opts, cli->session, kinds,
				     cli->nargs ? cli->args[0] : "", print_name, &o);
	if (err && !o.begun) {
		// No document yet: the error is the command's JSON.
		vd_cli_report(cli, err);
		return VD_EXIT_FAIL;
	}
	begin(&o);
	if (cli->json) {
		vd_json_end_array(&cli->j);
		vd_json_end_object(&cli->j);
	}
	if (err) {
		vd_cli_report(cli, err);
		return VD_EXIT_FAIL;
	}
	return VD_EXIT_OK;
}
