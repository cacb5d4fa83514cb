// SPDX-License-Identifier: MIT
/*
 * The man page vmdive(1) and the bash completion, made from the command
 * table (cli/commands.c) and the options every command takes, the same
 * data `vmdive help` prints: a command or option added there appears in
 * all three.  The build runs `vmdive help --man` and `vmdive help
 * --bash-completion` (cmake/library.cmake); tests/lib/test_docs.sh checks
 * the results against `vmdive help`.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/util.h"
#include "vmdive/vmdive.h"

/* One option, as the table gives it. */
struct doc_opt {
	char short_name;           /* 0: long only */
	char word[8];              /* crash's "-16": a whole word, else "" */
	char long_name[32];        /* "" : short only */
	char arg[16];              /* the value's name ("FILE"), "" for a flag */
	char help[640];            /* lines joined by ' ' */
};

#define DOC_OPTS_MAX 32

/*
 * Options from help text: lines "  -o, --output FILE    help", "  --raw  help",
 * continued by lines indented past the option (joined to its help).
 */
static size_t
parse_opts(const char *text, struct doc_opt *out, size_t max)
{
	size_t n = 0;

	while (text && *text) {
		const char *eol = strchr(text, '\n'), *p = text, *help;
		size_t len = eol ? (size_t)(eol - text) : strlen(text);
		char head[96];
		struct doc_opt *o;

		if (len >= 3 && !strncmp(p, "  -", 3) && n < max) {
			o = &out[n++];
			*o = (struct doc_opt){ 0 };
			// The head ends at the first run of two spaces.
			help = strstr(p + 2, "  ");
			if (!help || help > p + len)
				help = p + len;
			snprintf(head, sizeof(head), "%.*s", (int)(help - p - 2), p + 2);
			for (char *tok = strtok(head, ", "); tok; tok = strtok(NULL, ", ")) {
				if (!strncmp(tok, "--", 2))
					snprintf(o->long_name, sizeof(o->long_name), "%s", tok + 2);
				else if (tok[0] == '-' && tok[1] && tok[2])
					snprintf(o->word, sizeof(o->word), "%s", tok);
				else if (tok[0] == '-' && tok[1])
					o->short_name = tok[1];
				else
					snprintf(o->arg, sizeof(o->arg), "%s", tok);
			}
			while (*help == ' ')
				help++;
			snprintf(o->help, sizeof(o->help), "%.*s",
				 (int)(p + len - help), help);
		} else if (n && len > 2 && !strncmp(p, "  ", 2)) {
			struct doc_opt *o2 = &out[n - 1];
			size_t used = strlen(o2->help);

			while (*p == ' ')
				p++;
			snprintf(o2->help + used, sizeof(o2->help) - used, " %.*s",
				 (int)(text + len - p), p);
		}
		text = eol ? eol + 1 : NULL;
	}
	return n;
}

/* The help lines of a command table's options, as `vmdive help` prints them. */
static const char *
opts_text(const struct vd_opt *opts)
{
	// One buffer, replaced on each call: parse_opts copies what it needs.
	static char *buf;
	size_t len = 0;
	FILE *f;

	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	if (!f)
		return "";
	vd_cli_print_opts(opts, f);
	fclose(f);
	return buf ? buf : "";
}

static size_t
command_opts(const struct vd_cmd *cmd, struct doc_opt *out)
{
	return cmd->opts ? parse_opts(opts_text(cmd->opts), out, DOC_OPTS_MAX) : 0;
}

static size_t
common_opts(struct doc_opt *out)
{
	return parse_opts(opts_text(vd_common_opts), out, DOC_OPTS_MAX);
}

/* roff ---------------------------------------------------------------------- */

/* Text with roff's specials escaped; a line may not start with . or '. */
static void
roff_text(FILE *out, const char *s, size_t len)
{
	bool bol = true;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (bol && (c == '.' || c == '\''))
			fputs("\\&", out);
		if (c == '\\')
			fputs("\\e", out);
		else if (c == '-')
			fputs("\\-", out);
		else
			fputc(c, out);
		bol = c == '\n';
	}
}

static void
roff_str(FILE *out, const char *s)
{
	roff_text(out, s, strlen(s));
}

/* Paragraphs: a blank line in the text starts a new one. */
static void
roff_paragraphs(FILE *out, const char *s)
{
	fputs(".PP\n", out);
	while (*s) {
		const char *eol = strchr(s, '\n');
		size_t len = eol ? (size_t)(eol - s) : strlen(s);

		if (!len)
			fputs(".PP\n", out);
		else {
			roff_text(out, s, len);
			fputc('\n', out);
		}
		s += len + (eol != NULL);
	}
}

static void
roff_opts(FILE *out, const struct doc_opt *opts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct doc_opt *o = &opts[i];

		fputs(".TP\n", out);
		if (o->word[0])
			fprintf(out, "\\fB\\-%s\\fR%s", o->word + 1, o->long_name[0] ? ", " : "");
		else if (o->short_name)
			fprintf(out, "\\fB\\-%c\\fR%s", o->short_name, o->long_name[0] ? ", " : "");
		if (o->long_name[0]) {
			fputs("\\fB\\-\\-", out);
			roff_str(out, o->long_name);
			fputs("\\fR", out);
		}
		if (o->arg[0])
			fprintf(out, " \\fI%s\\fR", o->arg);
		fputc('\n', out);
		roff_str(out, o->help);
		fputc('\n', out);
	}
}

int
vd_cli_write_man(FILE *out)
{
	struct doc_opt opts[DOC_OPTS_MAX];
	size_t n;

	fprintf(out, ".\\\" vmdive(1), made by `vmdive help --man` from the command table.\n");
	fprintf(out, ".TH VMDIVE 1 \"\" \"vmdive %s\" \"User Commands\"\n", vd_version());
	fputs(".SH NAME\nvmdive \\- look into Linux kernel crash dumps and process cores\n", out);
	fputs(".SH SYNOPSIS\n.B vmdive\n.I COMMAND\n"
	      "[\\fIOPTIONS\\fR] \\fIDUMP\\fR [\\fIDUMP\\fR...] [\\fIARGS\\fR...]\n", out);
	fputs(".SH DESCRIPTION\n", out);
	roff_paragraphs(out, vd_cli_about);
	fputs(".PP\nThe commands:\n", out);
	for (size_t i = 0; i < vd_ncommands; i++) {
		fprintf(out, ".TP\n.B %s\n", vd_commands[i].name);
		roff_str(out, vd_commands[i].summary);
		fputc('\n', out);
	}
	fputs(".SH COMMANDS\n", out);
	for (size_t i = 0; i < vd_ncommands; i++) {
		const struct vd_cmd *cmd = &vd_commands[i];

		fputs(".SS ", out);
		roff_str(out, cmd->name);
		fputs("\n.B\n", out);
		roff_str(out, cmd->synopsis);
		fputc('\n', out);
		roff_paragraphs(out, cmd->description);
		n = command_opts(cmd, opts);
		if (n) {
			fputs(".PP\nOptions:\n.RS\n", out);
			roff_opts(out, opts, n);
			fputs(".RE\n", out);
		}
		if (cmd->examples) {
			fputs(".PP\nExamples:\n.RS\n.nf\n", out);
			roff_str(out, cmd->examples);
			fputs(".fi\n.RE\n", out);
		}
	}
	fputs(".SH OPTIONS\nEvery command takes these:\n", out);
	n = common_opts(opts);
	roff_opts(out, opts, n);
	fputs(".SH EXIT STATUS\n"
	      ".TP\n.B 0\nthe command worked\n"
	      ".TP\n.B 1\nit ran, but something failed (an unreadable page, a symbol "
	      "not found, a damaged list element skipped)\n"
	      ".TP\n.B 2\nthe command line is wrong, or the dump cannot be opened\n", out);
	fputs(".SH SEE ALSO\n.BR crash (8),\n.BR drgn (1),\n.BR makedumpfile (8),\n"
	      ".BR gdb (1)\n", out);
	return ferror(out) ? VD_EXIT_FAIL : VD_EXIT_OK;
}

/* bash ---------------------------------------------------------------------- */

static void
bash_words(FILE *out, const struct doc_opt *opts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (opts[i].word[0])
			fprintf(out, " %s", opts[i].word);
		else if (opts[i].short_name)
			fprintf(out, " -%c", opts[i].short_name);
		if (opts[i].long_name[0])
			fprintf(out, " --%s", opts[i].long_name);
	}
}

/* What an option's value is: 0 a file, 1 a directory, 2 anything else; -1 none. */
static int
arg_kind(const struct doc_opt *o)
{
	if (!o->arg[0])
		return -1;
	return !strcmp(o->arg, "FILE") ? 0 : !strcmp(o->arg, "DIR") ? 1 : 2;
}

/*
 * The options whose value is of the given kind, of every command, as a case
 * pattern: "--vmlinux|--system-map|-o|--output".  An option several commands
 * take is named once.
 */
static void
bash_valued(FILE *out, const struct doc_opt *common, size_t ncommon, int kind)
{
	struct doc_opt opts[DOC_OPTS_MAX];
	char seen[1024] = "|";
	bool first = true;

	for (size_t c = 0; c <= vd_ncommands; c++) {
		const struct doc_opt *o = c ? opts : common;
		size_t n = c ? command_opts(&vd_commands[c - 1], opts) : ncommon;

		for (size_t i = 0; i < n; i++) {
			char names[2][40], key[96];

			if (arg_kind(&o[i]) != kind)
				continue;
			snprintf(names[0], sizeof(names[0]), "%s%c", o[i].short_name ? "-" : "",
				 o[i].short_name);
			snprintf(names[1], sizeof(names[1]), "%s%.32s", o[i].long_name[0] ? "--" : "",
				 o[i].long_name);
			for (int k = 0; k < 2; k++) {
				snprintf(key, sizeof(key), "|%s|", names[k]);
				if (!names[k][0] || strstr(seen, key))
					continue;
				fprintf(out, "%s%s", first ? "" : "|", names[k]);
				first = false;
				snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%s|",
					 names[k]);
			}
		}
	}
	if (first)
		fputs("--vd-none", out);     // a pattern nothing matches
}

int
vd_cli_write_bash_completion(FILE *out)
{
	struct doc_opt common[DOC_OPTS_MAX], opts[DOC_OPTS_MAX];
	size_t ncommon = common_opts(common), n;

	fputs("# bash completion for vmdive, made by `vmdive help --bash-completion`\n"
	      "# from its command table: commands, each command's options, and\n"
	      "# file or directory names where a DUMP or an option's FILE/DIR goes.\n"
	      "_vmdive()\n{\n"
	      "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	      "\tlocal cmd='' opts='' i w\n"
	      "\tlocal commands='help", out);
	for (size_t i = 0; i < vd_ncommands; i++)
		fprintf(out, " %s", vd_commands[i].name);
	fputs("'\n\tlocal common='", out);
	bash_words(out, common, ncommon);
	fputs(" --version'\n"
	      "\t# The command: the first word that is neither an option nor an\n"
	      "\t# option's value.\n"
	      "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	      "\t\tw=${COMP_WORDS[i]}\n"
	      "\t\tcase $w in\n", out);
	for (int kind = 0; kind < 3; kind++) {
		fputs("\t\t", out);
		bash_valued(out, common, ncommon, kind);
		fputs(") ((i++)) ;;\n", out);
	}
	fputs("\t\t-*) ;;\n"
	      "\t\t*) cmd=$w; break ;;\n"
	      "\t\tesac\n"
	      "\tdone\n"
	      "\tcase $cmd in\n", out);
	for (size_t c = 0; c < vd_ncommands; c++) {
		n = command_opts(&vd_commands[c], opts);
		fprintf(out, "\t%s) opts='", vd_commands[c].name);
		bash_words(out, opts, n);
		fputs("' ;;\n", out);
	}
	fputs("\tesac\n"
	      "\t# A type name: after struct, union and whatis in the TYPE's place\n"
	      "\t# (every word before it a file: the dump), after list's -s; from\n"
	      "\t# `vmdive complete-names`, which keeps each kernel's names in its\n"
	      "\t# cache and opens the dump only the first time.\n"
	      "\tlocal kind='' files=() skip=0 j last=$COMP_CWORD\n"
	      "\tcase $cmd in\n"
	      "\tstruct|union) kind=$cmd ;;\n"
	      "\twhatis) kind=any ;;\n"
	      "\tlist) [[ $prev == -s || $prev == --struct ]] && kind=struct,union\n"
	      "\t\tlast=${#COMP_WORDS[@]} ;;\n"
	      "\tesac\n"
	      "\tif [[ -n $cmd && -n $kind && $cur != -* ]]; then\n"
	      "\t\tfor ((j = i + 1; j < last; j++)); do\n"
	      "\t\t\tw=${COMP_WORDS[j]}\n"
	      "\t\t\tif ((skip)) || ((j == COMP_CWORD)); then skip=0; continue; fi\n"
	      "\t\t\tcase $w in\n"
	      "\t\t\t", out);
	for (int kind = 0; kind < 3; kind++) {
		fputs(kind ? "|" : "", out);
		bash_valued(out, common, ncommon, kind);
	}
	fputs(") skip=1 ;;\n"
	      "\t\t\t-*) ;;\n"
	      "\t\t\t*) if [[ -f $w ]]; then files+=(\"$w\")\n"
	      "\t\t\t   elif [[ $cmd != list ]]; then kind=''; break; fi ;;\n"
	      "\t\t\tesac\n"
	      "\t\tdone\n"
	      "\t\tif [[ -n $kind && ${#files[@]} -gt 0 ]]; then\n"
	      "\t\t\tCOMPREPLY=($(\"${COMP_WORDS[0]}\" complete-names --kind \"$kind\" \\\n"
	      "\t\t\t\t\"${files[@]}\" -- \"$cur\" 2>/dev/null))\n"
	      "\t\t\treturn\n"
	      "\t\tfi\n"
	      "\tfi\n"
	      "\tcase $prev in\n", out);
	for (int kind = 0; kind < 3; kind++) {
		fputs("\t", out);
		bash_valued(out, common, ncommon, kind);
		if (kind == 0)
			fputs(")\n\t\tcompopt -o filenames 2>/dev/null\n"
			      "\t\tCOMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", out);
		else if (kind == 1)
			fputs(")\n\t\tcompopt -o filenames 2>/dev/null\n"
			      "\t\tCOMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n", out);
		else
			fputs(") COMPREPLY=(); return ;;\n", out);
	}
	fputs("\tesac\n"
	      "\tif [[ -z $cmd ]]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W \"$commands $common\" -- \"$cur\"))\n"
	      "\telif [[ $cur == -* ]]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W \"$opts $common\" -- \"$cur\"))\n"
	      "\telif [[ $cmd == help ]]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W \"$commands\" -- \"$cur\"))\n"
	      "\telse\n"
	      "\t\tcompopt -o filenames 2>/dev/null\n"
	      "\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
	      "\tfi\n"
	      "}\n"
	      "complete -F _vmdive vmdive\n", out);
	return ferror(out) ? VD_EXIT_FAIL : VD_EXIT_OK;
}
