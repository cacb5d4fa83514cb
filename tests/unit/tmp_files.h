/*
 * A unit test's scratch files: tmp_path(NAME) is a fresh path in one
 * directory made on first use under $TMPDIR (TMP_FILES_PREFIX-XXXXXX) and
 * removed at exit unless $VD_KEEP_TMP is set.  Include once per test.
 */
#ifndef VMDIVE_TESTS_TMP_FILES_H
#define VMDIVE_TESTS_TMP_FILES_H

#include <stdio.h>
#include <stdlib.h>

#ifndef TMP_FILES_PREFIX
#define TMP_FILES_PREFIX "vd-test"
#endif

static char tmpdir[64];
static unsigned file_seq;

static void
cleanup_tmpdir(void)
{
	char cmd[128];

	if (!tmpdir[0] || getenv("VD_KEEP_TMP"))
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

static const char *
tmp_path(const char *name, char *buf, size_t len)
{
	if (!tmpdir[0]) {
		const char *t = getenv("TMPDIR");

		snprintf(tmpdir, sizeof(tmpdir), "%s/" TMP_FILES_PREFIX "-XXXXXX", t ? t : "/tmp");
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			exit(99);
		}
		atexit(cleanup_tmpdir);
	}
	snprintf(buf, len, "%s/%u-%s", tmpdir, file_seq++, name);
	return buf;
}

#endif
