// SPDX-License-Identifier: MIT
/*
 * The persistent DWARF name index (dwarf/dwarf_names.c) on the type
 * fixtures (tests/unit/fixtures/types_fixture.c as DWARF 2, 4 and 5 and as
 * relocatable objects): built, kept and mapped again; every answer with
 * the index equals the answer of the lazy index alone (member by member);
 * names the file lacks are not found; enumerators are indexed.  Then the
 * kept file is reused (not rewritten), replaced by another file's index
 * (stale: rebuilt), truncated and damaged byte by byte (rebuilt, same
 * answers), and the directory made unwritable (used, not kept).
 *
 * The vmlinux's symbol table kept beside it (kernel/symtab_cache.c) is
 * held to the same cases: the table read back equals the one read from
 * the ELF file, symbol by symbol and lookup by lookup.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "dwarf/dwarf_priv.h"
#include "dwarf/dwarf_source.h"
#include "harness.h"
#include "kernel/symtab.h"

static const char *const fixtures[] = { "types_fixture-dwarf2", "types_fixture-dwarf4",
					"types_fixture-dwarf5", "types_fixture-rel4.o",
					"types_fixture-rel5.o" };
static const char *const type_names[] = {
	"fx_task", "fx_bits", "fx_packed", "fx_union", "fx_list", "fx_color", "fx_neg",
	"fx_wide", "fx_pgd_t", "fx_callback_t", "fx_ulong2", "fx_opaque", "int",
	"unsigned long", "no_such_type_anywhere", "list",
};
static const char *const objects[] = {
	"fx_task_var", "fx_wide_var", "fx_matrix_var", "fx_pgd_var", "fx_function",
	"fx_sized_buf", "fx_static_var", "no_such_variable",
};

static char tmpdir[] = "/tmp/vd-dwarf-index-XXXXXX";

static void
fixture(size_t i, char *path, size_t size)
{
	snprintf(path, size, "%s/%s", VD_FIXTURE_DIR, fixtures[i]);
}

/* A type as text: kind, size, completeness and each member (one level). */
static void
describe(const struct vd_type *t, char *buf, size_t size)
{
	size_t len;

	len = (size_t)snprintf(buf, size, "%d %s %llu %d", t->kind, t->name ? t->name : "-",
			       (unsigned long long)t->size, t->complete);
	vd_type_fill(t);
	for (size_t i = 0; i < t->nmembers && len < size; i++) {
		const struct vd_member *m = &t->members[i];

		len += (size_t)snprintf(buf + len, size - len, " [%s %llu %u %d %llu]",
					m->name ? m->name : "-",
					(unsigned long long)m->bit_offset, m->bit_field_size,
					m->type.type->kind,
					(unsigned long long)m->type.type->size);
	}
	for (size_t i = 0; i < t->nenumerators && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, " {%s}", t->enumerators[i].name);
	if (t->target.type && len < size)
		snprintf(buf + len, size - len, " -> %d %llu", t->target.type->kind,
			 (unsigned long long)t->target.type->size);
}

/* Every answer of src as text, one line per question. */
static char *
answers(struct vd_type_source *src)
{
	size_t cap = 1 << 16, len = 0;
	char *out = calloc(1, cap), line[4096];
	struct vd_qualified_type qt;

	for (size_t i = 0; i < VD_ARRAY_SIZE(type_names); i++) {
		struct vd_error *err = src->find_bare(src, type_names[i], &qt);

		if (err && err->code == VD_ERR_LOOKUP) {
			vd_error_destroy(err);
			err = src->find(src, VD_TYPE_INT, type_names[i], &qt);
		}
		if (err)
			snprintf(line, sizeof(line), "%s: error %d\n", type_names[i], err->code);
		else
			describe(qt.type, line, sizeof(line));
		vd_error_destroy(err);
		len += (size_t)snprintf(out + len, cap - len, "%s: %s\n", type_names[i], line);
	}
	for (size_t i = 0; i < VD_ARRAY_SIZE(objects); i++) {
		struct vd_error *err = src->find_object(src, objects[i], &qt);

		if (err)
			snprintf(line, sizeof(line), "error %d", err->code);
		else
			describe(qt.type, line, sizeof(line));
		vd_error_destroy(err);
		len += (size_t)snprintf(out + len, cap - len, "%s: %s\n", objects[i], line);
	}
	return out;
}

static struct vd_type_source *
open_src(size_t i)
{
	struct vd_type_source *src = NULL;
	char path[512];
	struct vd_error *err;

	fixture(i, path, sizeof(path));
	err = vd_dwarf_source_from_file(path, &src);
	if (err) {
		fprintf(stderr, "%s: %s\n", path, err->msg);
		vd_error_destroy(err);
		exit(99);
	}
	return src;
}

/* The answers of fixture i with the index in dir; *how says what happened. */
static char *
answers_cached(size_t i, const char *dir, const char **how)
{
	struct vd_type_source *src = open_src(i);
	char *out;

	*how = vd_dwarf_source_use_cache(src, dir);
	out = answers(src);
	src->destroy(src);
	return out;
}

static char *
answers_lazy(size_t i)
{
	struct vd_type_source *src = open_src(i);
	char *out = answers(src);

	src->destroy(src);
	return out;
}

/* The kept file of fixture i (its build-id), or NULL when it has none. */
static char *
kept_file(const char *dir)
{
	char cmd[600], *line = NULL;
	size_t n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls -t %s/dwarf-*.vdc 2>/dev/null | head -1", dir);
	p = popen(cmd, "r");
	if (!p)
		return NULL;
	if (getline(&line, &n, p) <= 0) {
		free(line);
		line = NULL;
	} else {
		line[strcspn(line, "\n")] = '\0';
	}
	pclose(p);
	return line;
}

static void
clear_dir(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf %s/*.vdc %s/*.tmp* 2>/dev/null", dir, dir);
	CHECK(system(cmd) == 0);
}

TEST(same_answers_with_and_without_the_index)
{
	for (size_t i = 0; i < VD_ARRAY_SIZE(fixtures); i++) {
		const char *how;
		char *lazy = answers_lazy(i), *built, *mapped;

		clear_dir(tmpdir);
		// The relocatable objects have no build-id to key an index
		// by (a module's .ko has one).
		built = answers_cached(i, tmpdir, &how);
		CHECK_STR(how, i < 3 ? "built and kept" : "no build-id");
		mapped = answers_cached(i, tmpdir, &how);
		CHECK_STR(how, i < 3 ? "mapped" : "no build-id");
		CHECK_STR(built, lazy);
		CHECK_STR(mapped, lazy);
		// Not vacuous: the fixture's types are there.
		CHECK(strstr(lazy, "fx_task: 5 fx_task 2384 1 [state 0 0 1 8]") != NULL);
		CHECK(strstr(lazy, "no_such_type_anywhere: error") != NULL);
		free(lazy);
		free(built);
		free(mapped);
	}
}

TEST(enumerators_and_ranks)
{
	struct vd_type_source *src = open_src(2);
	struct vd_dwarf_source *ds = (struct vd_dwarf_source *)src;
	Dwarf_Off off = 0;

	clear_dir(tmpdir);
	CHECK_STR(vd_dwarf_source_use_cache(src, tmpdir), "built and kept");
	CHECK(vd_dwarf_index_peek(ds->ix, VD_DWARF_ENUMERATOR, "FX_GREEN", NULL) ==
	      VD_DWARF_GOOD);
	CHECK(vd_dwarf_index_peek(ds->ix, VD_DWARF_ENUMERATOR, "FX_WIDE_BIG", NULL) ==
	      VD_DWARF_GOOD);
	CHECK(vd_dwarf_index_peek(ds->ix, VD_DWARF_ENUMERATOR, "FX_NOPE", NULL) ==
	      VD_DWARF_NONE);
	// An external object is good or better; a static is weak, a
	// declared-only struct too.
	CHECK(vd_dwarf_index_peek(ds->ix, VD_DWARF_OBJECT, "fx_task_var", &off) >=
	      VD_DWARF_GOOD);
	CHECK(off != 0);
	CHECK(vd_dwarf_index_peek(ds->ix, VD_DWARF_OBJECT, "fx_static_var", NULL) ==
	      VD_DWARF_WEAK);
	CHECK(vd_dwarf_index_peek(ds->ix, VD_DWARF_STRUCT, "fx_opaque", NULL) == VD_DWARF_WEAK);
	CHECK(vd_dwarf_index_peek(ds->ix, VD_DWARF_BASE, "unsigned long", NULL) ==
	      VD_DWARF_GOOD);
	src->destroy(src);
}

/*
 * A kept index whose entries span many cache blocks: a damaged entry block
 * opens (only the header, tables and unit list are checked at open), the
 * lookup that reaches it finds the damage, the index is built again and
 * kept, and the answer is right.
 */
TEST(damaged_entry_found_by_the_lookup)
{
	struct vd_type_source *src;
	struct vd_dwarf_source *ds;
	struct vd_cache_file f;
	char path[512], *file;
	const char *base, *buckets, *entries;
	size_t bsize, esize, victim = SIZE_MAX;
	struct stat st1, st2;
	Dwarf_Off off = 0, want = 0;
	struct vd_error *err;
	unsigned char b;
	int fd;

	snprintf(path, sizeof(path), "%s/many_symbols.so", VD_FIXTURE_DIR);
	clear_dir(tmpdir);
	CHECK_OK(err = vd_dwarf_source_from_file(path, &src));
	if (err)
		return;
	ds = (struct vd_dwarf_source *)src;
	CHECK_STR(vd_dwarf_source_use_cache(src, tmpdir), "built and kept");
	CHECK(vd_dwarf_index_peek(ds->ix, VD_DWARF_OBJECT, "fx_many_1234", &want) >= VD_DWARF_GOOD);
	src->destroy(src);
	file = kept_file(tmpdir);
	CHECK(file != NULL && stat(file, &st1) == 0);
	if (!file)
		return;
	// The entry of fx_many_1234, in a block of its own (not the buckets').
	{
		char key[100];
		const char *slash = strrchr(file, '/') + 1;

		snprintf(key, sizeof(key), "%.*s", (int)(strlen(slash) - 10), slash + 6);
		CHECK(vd_cache_open(tmpdir, "dwarf", VD_DWARF_NAMES_VERSION, key, &f, NULL));
	}
	base = f.map;
	buckets = vd_cache_section(&f, 2, &bsize);
	entries = vd_cache_section(&f, 3, &esize);
	for (size_t i = 0; entries && i < esize / sizeof(struct vd_dwarf_names_entry); i++) {
		const struct vd_dwarf_names_entry *e = (const void *)(entries + i * sizeof(*e));
		size_t blk = ((size_t)((const char *)e - base) - f.data_off) / VD_CACHE_BLOCK;

		if (e->off == want &&
		    blk != ((size_t)(buckets - base) - f.data_off) / VD_CACHE_BLOCK &&
		    blk != ((size_t)(buckets + bsize - 1 - base) - f.data_off) / VD_CACHE_BLOCK)
			victim = (size_t)((const char *)&e->off - base);
	}
	vd_cache_close(&f);
	CHECK(victim != SIZE_MAX);
	if (victim == SIZE_MAX)
		goto out;
	fd = open(file, O_RDWR);
	CHECK(fd >= 0 && pread(fd, &b, 1, (off_t)victim) == 1);
	b ^= 0x40;                                                    // its DIE offset
	CHECK(pwrite(fd, &b, 1, (off_t)victim) == 1);
	close(fd);
	CHECK_OK(err = vd_dwarf_source_from_file(path, &src));
	if (err)
		goto out;
	ds = (struct vd_dwarf_source *)src;
	CHECK_STR(vd_dwarf_source_use_cache(src, tmpdir), "mapped");  // opens
	CHECK(vd_dwarf_index_peek(ds->ix, VD_DWARF_OBJECT, "fx_many_1234", &off) >= VD_DWARF_GOOD);
	CHECK_EQ_U64(off, want);                                      // found, rebuilt
	src->destroy(src);
	CHECK(stat(file, &st2) == 0);
	CHECK(st1.st_ino != st2.st_ino);                              // kept again
out:
	free(file);
}

TEST(reuse_stale_corrupt_readonly)
{
	const char *how;
	char *lazy = answers_lazy(2), *out, *file, *other;
	struct stat st1, st2;
	size_t size;

	clear_dir(tmpdir);
	free(answers_cached(2, tmpdir, &how));
	CHECK_STR(how, "built and kept");
	file = kept_file(tmpdir);
	CHECK(file != NULL);
	if (!file)
		return;
	// Reused: the same file, not rewritten.
	CHECK(stat(file, &st1) == 0);
	out = answers_cached(2, tmpdir, &how);
	CHECK_STR(how, "mapped");
	CHECK_STR(out, lazy);
	free(out);
	CHECK(stat(file, &st2) == 0);
	CHECK_EQ_U64(st1.st_ino, st2.st_ino);
	size = (size_t)st1.st_size;

	// Stale: another file's index under this build-id's name.
	{
		char cmd[1200];

		rename(file, "/tmp/vd-dwarf-index-keep.vdc");
		free(answers_cached(1, tmpdir, &how));      // DWARF 4: its own build-id
		other = kept_file(tmpdir);
		CHECK(other != NULL && strcmp(other, file));
		snprintf(cmd, sizeof(cmd), "mv %s %s", other ? other : "/nonexistent", file);
		CHECK(system(cmd) == 0);
		free(other);
		unlink("/tmp/vd-dwarf-index-keep.vdc");
		out = answers_cached(2, tmpdir, &how);
		CHECK_STR(how, "built and kept");
		CHECK_STR(out, lazy);
		free(out);
	}

	// Truncated at several lengths, and bytes flipped all over: rebuilt.
	for (size_t cut = 0; cut < size; cut += size / 7 + 1) {
		CHECK(truncate(file, (off_t)cut) == 0);
		out = answers_cached(2, tmpdir, &how);
		CHECK_STR(how, "built and kept");
		CHECK_STR(out, lazy);
		free(out);
	}
	for (size_t at = 0; at < size; at += size / 13 + 1) {
		int fd = open(file, O_RDWR);
		unsigned char b = 0;

		CHECK(fd >= 0);
		CHECK(pread(fd, &b, 1, (off_t)at) == 1);
		b ^= 0x5a;
		CHECK(pwrite(fd, &b, 1, (off_t)at) == 1);
		close(fd);
		out = answers_cached(2, tmpdir, &how);
		CHECK_STR(how, "built and kept");
		CHECK_STR(out, lazy);
		free(out);
	}

	// A directory that cannot be made (under a regular file): used, not kept.
	{
		char ro[600];

		snprintf(ro, sizeof(ro), "%s/file", tmpdir);
		FILE *f = fopen(ro, "w");

		CHECK(f != NULL);
		if (f)
			fclose(f);
		strcat(ro, "/sub");
		out = answers_cached(2, ro, &how);
		CHECK_STR(how, "built, not kept");
		CHECK_STR(out, lazy);
		free(out);
	}
	// No directory at all (--no-cache): the lazy index alone.
	out = answers_cached(2, NULL, &how);
	CHECK_STR(how, "no cache directory");
	CHECK_STR(out, lazy);
	free(out);
	free(file);
	free(lazy);
}

/* The checker's own answers: another .debug_info, no header, bad magic. */
TEST(check_says_why)
{
	struct vd_type_source *src = open_src(2);
	struct vd_dwarf_names got;
	struct vd_dwarf_names_meta meta;
	const char *why = NULL;
	char *file, key[100];
	const char *base;

	clear_dir(tmpdir);
	CHECK_STR(vd_dwarf_source_use_cache(src, tmpdir), "built and kept");
	src->destroy(src);
	file = kept_file(tmpdir);
	CHECK(file != NULL);
	if (!file)
		return;
	base = strrchr(file, '/') + 1;            // dwarf-KEY.vdc
	snprintf(key, sizeof(key), "%.*s", (int)(strlen(base) - 10), base + 6);
	CHECK(vd_dwarf_names_load(tmpdir, key, 12345, &got, &why) == false);
	CHECK_STR(why, "made for another .debug_info (size)");
	CHECK(vd_dwarf_names_load(tmpdir, "0123", 12345, &got, &why) == false);
	CHECK_STR(why, "no cache file");
	memset(&meta, 0, sizeof(meta));
	CHECK(!vd_dwarf_names_check(&meta, sizeof(meta), NULL, 0, NULL, 0, NULL, 0, NULL, 0, 0,
				    &got, &why));
	CHECK_STR(why, "bad magic");
	CHECK(!vd_dwarf_names_check(&meta, 3, NULL, 0, NULL, 0, NULL, 0, NULL, 0, 0, &got, &why));
	CHECK_STR(why, "no header");
	free(file);
}

/* Two symbol tables are the same: every symbol, and every name looked up. */
static bool
same_symtab(const struct vd_symtab *a, const struct vd_symtab *b)
{
	if (a->n != b->n || !a->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct vd_symbol *x = vd_symtab_nth(a, i), *y = vd_symtab_nth(b, i);

		if (strcmp(x->name, y->name) || x->addr != y->addr || x->size != y->size ||
		    x->type != y->type || x->order != y->order ||
		    vd_symtab_by_name(a, x->name) - a->syms != vd_symtab_by_name(b, x->name) - b->syms ||
		    vd_symtab_by_addr(a, x->addr + 1) != (vd_symtab_by_addr(b, x->addr + 1) ?
			    a->syms + (vd_symtab_by_addr(b, x->addr + 1) - b->syms) : NULL))
			return false;
	}
	return !vd_symtab_by_name(b, "no_such_symbol_anywhere");
}

static char *
symtab_file(const char *dir)
{
	char cmd[600], *line = NULL;
	size_t n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls %s/symtab-*.vdc 2>/dev/null | head -1", dir);
	p = popen(cmd, "r");
	if (p && getline(&line, &n, p) > 0)
		line[strcspn(line, "\n")] = '\0';
	else {
		free(line);
		line = NULL;
	}
	if (p)
		pclose(p);
	return line;
}

/*
 * A damaged record in a block no open check reads: the table opens (its
 * blocks are checked when read), the lookup reaching the record finds the
 * damage, rebuilds the table from the ELF file, answers from it and keeps
 * it again.  The type fixtures' tables fit in one block: this uses a
 * shared object of 3,000 functions (tests/CMakeLists.txt), ~6 blocks.
 */
static void
damaged_record_found_when_read(void)
{
	char self[512], id[65], key[100];
	struct vd_symtab ref, got;
	struct vd_cache_file f;
	struct stat st1, st2;
	const char *base, *sec, *strings;
	size_t ssize, strsize, hsize, victim = SIZE_MAX;
	const struct vd_symbol *x;
	unsigned char b = 0;
	char *file;
	off_t at = 0;
	int fd;

	snprintf(self, sizeof(self), "%s/many_symbols.so", VD_FIXTURE_DIR);
	clear_dir(tmpdir);
	CHECK_OK(vd_symtab_load_elf(self, 0x1000000, NULL, id, &ref));
	CHECK_OK(vd_symtab_load_elf(self, 0x1000000, tmpdir, id, &got));   // built, kept
	vd_symtab_deinit(&got);
	file = symtab_file(tmpdir);
	snprintf(key, sizeof(key), "%s-1000000", id);
	CHECK(file && vd_cache_open(tmpdir, "symtab", 2, key, &f, NULL));
	if (!file || !f.map)
		goto out;
	base = f.map;
	sec = vd_cache_section(&f, 2, &ssize);
	strings = vd_cache_section(&f, 3, &strsize);
	CHECK(vd_cache_section(&f, 1, &hsize) != NULL);
	CHECK(sec && ssize == ref.n * sizeof(struct vd_symtab_kept_sym) && strings && strsize);
	for (size_t i = ref.n; sec && strings && i-- > 0;) {
		size_t blk = (size_t)(sec - base) - f.data_off + i * sizeof(struct vd_symtab_kept_sym);

		blk /= VD_CACHE_BLOCK;
		if (blk != 0 && blk != ((size_t)(strings - base) - f.data_off + strsize - 1) /
					      VD_CACHE_BLOCK) {
			victim = i;
			at = (off_t)(sec - base) + (off_t)(i * sizeof(struct vd_symtab_kept_sym));
			break;
		}
	}
	vd_cache_close(&f);
	CHECK(victim != SIZE_MAX);
	if (victim == SIZE_MAX)
		goto out;
	CHECK(stat(file, &st1) == 0);
	fd = open(file, O_RDWR);
	CHECK(fd >= 0 && pread(fd, &b, 1, at) == 1);
	b ^= 0x10;                                                           // its address
	CHECK(pwrite(fd, &b, 1, at) == 1);
	close(fd);
	CHECK(vd_symtab_cache_load(tmpdir, id, 0x1000000, self, &got));      // opens
	CHECK(got.kept != NULL);
	x = vd_symtab_nth(&got, victim);
	CHECK(got.kept == NULL);                                             // found, rebuilt
	CHECK(x->addr == vd_symtab_nth(&ref, victim)->addr &&
	      !strcmp(x->name, vd_symtab_nth(&ref, victim)->name));
	CHECK(same_symtab(&ref, &got));
	vd_symtab_deinit(&got);
	CHECK(stat(file, &st2) == 0);
	CHECK(st1.st_ino != st2.st_ino);                                     // kept again
	CHECK(vd_symtab_cache_load(tmpdir, id, 0x1000000, self, &got));
	CHECK(got.kept != NULL);
	CHECK(same_symtab(&ref, &got));
	CHECK(got.kept != NULL);                                             // whole again
	vd_symtab_deinit(&got);
out:
	free(file);
	vd_symtab_deinit(&ref);
}

TEST(symtab_kept_beside_the_index)
{
	char path[512], id[65], ro[600];
	struct vd_symtab ref, got;
	struct stat st1, st2;
	char *file;
	size_t size;

	fixture(2, path, sizeof(path));
	clear_dir(tmpdir);
	CHECK_OK(vd_symtab_load_elf(path, 0x1000000, NULL, id, &ref));
	CHECK(id[0] != '\0');
	CHECK_OK(vd_symtab_load_elf(path, 0x1000000, tmpdir, id, &got));    // built, kept
	CHECK(same_symtab(&ref, &got));
	vd_symtab_deinit(&got);
	file = symtab_file(tmpdir);
	CHECK(file != NULL);
	if (!file)
		goto out;
	CHECK(stat(file, &st1) == 0);
	CHECK(vd_symtab_cache_load(tmpdir, id, 0x1000000, path, &got));       // read back
	CHECK(same_symtab(&ref, &got));
	vd_symtab_deinit(&got);
	CHECK(!vd_symtab_cache_load(tmpdir, id, 0x2000000, path, &got));     // another offset
	CHECK_OK(vd_symtab_load_elf(path, 0x1000000, tmpdir, id, &got));
	CHECK(same_symtab(&ref, &got));
	vd_symtab_deinit(&got);
	CHECK(stat(file, &st2) == 0);
	CHECK_EQ_U64(st1.st_ino, st2.st_ino);                              // reused
	size = (size_t)st1.st_size;
	for (size_t at = 0; at < size; at += size / 11 + 1) {                // damaged: rebuilt
		int fd = open(file, O_RDWR);
		unsigned char b = 0;

		CHECK(fd >= 0 && pread(fd, &b, 1, (off_t)at) == 1);
		b ^= 0x81;
		CHECK(pwrite(fd, &b, 1, (off_t)at) == 1);
		close(fd);
		// Found at open (header, tables) or by the lookup that reads the
		// damaged block: the same answers either way.
		CHECK_OK(vd_symtab_load_elf(path, 0x1000000, tmpdir, id, &got));
		CHECK(same_symtab(&ref, &got));
		vd_symtab_deinit(&got);
		unlink(file);                                            // restore
		CHECK_OK(vd_symtab_load_elf(path, 0x1000000, tmpdir, id, &got));
		vd_symtab_deinit(&got);
	}
	CHECK(truncate(file, (off_t)(size / 2)) == 0);                      // cut short
	CHECK_OK(vd_symtab_load_elf(path, 0x1000000, tmpdir, id, &got));
	CHECK(same_symtab(&ref, &got));
	vd_symtab_deinit(&got);
	CHECK(stat(file, &st2) == 0);
	CHECK_EQ_U64((uint64_t)st2.st_size, size);
	free(file);
	file = NULL;
	damaged_record_found_when_read();
	snprintf(ro, sizeof(ro), "%s/plain", tmpdir);                        // unwritable
	{
		FILE *f = fopen(ro, "w");

		if (f)
			fclose(f);
	}
	strcat(ro, "/sub");
	CHECK_OK(vd_symtab_load_elf(path, 0x1000000, ro, id, &got));
	CHECK(same_symtab(&ref, &got));
	vd_symtab_deinit(&got);
	free(file);
out:
	vd_symtab_deinit(&ref);
}

/*
 * Type units (gcc -fdebug-types-section) and dwz's supplementary files
 * are not read: the file is refused with one line naming what it has,
 * not answered without the types that live there (before, every struct
 * of the DWARF 4 fixture was "no type").
 */
TEST(type_units_and_dwz_refused)
{
	static const struct {
		const char *file, *says;
		bool at_open;
	} cases[] = {
		{ "types_fixture-types4", "DWARF 4 type units (.debug_types", true },
		{ "types_fixture-types5", "a DWARF 5 type unit (DW_UT_type", false },
		{ "types_fixture-dwz", "compressed by dwz", true },
	};

	for (size_t i = 0; i < VD_ARRAY_SIZE(cases); i++) {
		struct vd_type_source *src = NULL;
		struct vd_qualified_type qt;
		struct vd_error *err;
		char path[512];

		snprintf(path, sizeof(path), "%s/%s", VD_FIXTURE_DIR, cases[i].file);
		if (access(path, R_OK)) {
			// dwz is optional (tests/install-deps.sh installs it).
			CHECK(!strcmp(cases[i].file, "types_fixture-dwz"));
			fprintf(stderr, "  %s: not built (no dwz)\n", cases[i].file);
			continue;
		}
		err = vd_dwarf_source_from_file(path, &src);
		if (!err) {
			CHECK(!cases[i].at_open);
			CHECK_STR(vd_dwarf_source_use_cache(src, tmpdir),
				  "not built: the DWARF could not be read in one pass");
			err = src->find_bare(src, "fx_task", &qt);
			src->destroy(src);
		}
		CHECK(err != NULL);
		if (!err)
			continue;
		CHECK(err->code == VD_ERR_NOTIMPL);
		CHECK(strstr(err->msg, cases[i].says) != NULL);
		CHECK(strstr(err->msg, cases[i].file) != NULL);
		CHECK(!strchr(err->msg, '\n'));
		if (!strstr(err->msg, cases[i].says))
			fprintf(stderr, "  %s: %s\n", cases[i].file, err->msg);
		vd_error_destroy(err);
	}
}

int
main(void)
{
	int rc;

	if (!mkdtemp(tmpdir))
		return 99;
	rc = RUN_TESTS();
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd))
			rc = rc ? rc : 99;
	}
	return rc;
}
