// SPDX-License-Identifier: MIT
/*
 * Symbol lookups for the session, from the best source loaded: a vmlinux
 * or System.map table, else the SYMBOL() lines of VMCOREINFO.
 */
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "session_priv.h"
#include "walk_priv.h"

/*
 * The table that answers symbol queries: a vmlinux/System.map if given,
 * else the kallsyms decoded from the dump.  kallsyms needs kernel virtual
 * reads, so it is not tried while translation itself is being set up
 * (translation asks for symbols and falls back to probing).
 */
static const struct vd_symtab *
best_symtab(struct vd_session *s)
{
	if (s->have_symtab)
		return &s->symtab;
	if (!s->kallsyms_tried && !s->xlat_busy) {
		struct vd_xlat *xlat;
		struct vd_error *err = vd_session_xlat(s, &xlat);

		s->kallsyms_tried = true;
		s->kallsyms_err = err ? err : vd_kallsyms_load(s, &s->kallsyms);
	}
	return s->kallsyms.n ? &s->kallsyms : NULL;
}

bool
vd_session_symbol(struct vd_session *s, const char *name, uint64_t *ret)
{
	const struct vd_symtab *st = best_symtab(s);
	char key[256];

	if (st) {
		const struct vd_symbol *sym = vd_symtab_by_name(st, name);

		if (sym) {
			*ret = sym->addr;
			return true;
		}
	}
	// VMCOREINFO SYMBOL() values are runtime addresses already.
	if (snprintf(key, sizeof(key), "SYMBOL(%s)", name) >= (int)sizeof(key))
		return false;
	if (vd_session_number(s, key, ret))
		return true;
	// Last, a few variables recognizable in the image (no KALLSYMS_ALL).
	return !s->have_symtab && vd_probe_symbol(s, name, ret);
}

struct vd_error *
vd_session_lookup_symbol(struct vd_session *s, const char *name,
			 struct vd_symbol_info *ret)
{
	const struct vd_symtab *st = best_symtab(s);
	const struct vd_symbol *sym = st ? vd_symtab_by_name(st, name) : NULL;
	uint64_t addr;
	char key[256];

	if (sym) {
		*ret = (struct vd_symbol_info){
			.name = sym->name, .addr = sym->addr, .size = sym->size,
			.type = sym->type, .size_guessed = st->sizes_guessed, .source = st->source,
		};
		return NULL;
	}
	snprintf(key, sizeof(key), "SYMBOL(%s)", name);
	if (vd_session_number(s, key, &addr)) {
		*ret = (struct vd_symbol_info){
			.name = name, .addr = addr,
			.type = '?', .source = "VMCOREINFO",
		};
		return NULL;
	}
	// Last, the loaded modules' own symbols ("name" or "module:name").
	if (vd_modsyms_lookup(s, name, ret))
		return NULL;
	if (!st && s->kallsyms_err)
		return vd_error_create(VD_ERR_LOOKUP,
				       "no symbol '%s' (no vmlinux given, and %s)",
				       name, s->kallsyms_err->msg);
	return vd_error_create(VD_ERR_LOOKUP, "no symbol '%s' in %s", name,
			       st ? st->source : "VMCOREINFO");
}

size_t
vd_session_nsymbols(struct vd_session *s)
{
	const struct vd_symtab *st = best_symtab(s);

	return st ? st->n : 0;
}

void
vd_session_symbol_nth(struct vd_session *s, size_t i, struct vd_symbol_info *ret)
{
	const struct vd_symtab *st = best_symtab(s);
	const struct vd_symbol *sym = &st->syms[i];

	*ret = (struct vd_symbol_info){
		.name = sym->name, .addr = sym->addr, .size = sym->size,
		.type = sym->type, .size_guessed = st->sizes_guessed, .source = st->source,
	};
}

/*
 * Where modules may live: the modules region, or vmalloc space (arm64
 * places modules there when the module region is full or randomized).
 */
static bool
in_module_space(struct vd_session *s, uint64_t addr)
{
	const struct vd_region *r;
	struct vd_xlat *xlat;

	if (s->xlat_busy)
		return false;
	if (!s->xlat) {
		vd_error_destroy(vd_session_xlat(s, &xlat));
		if (!s->xlat)
			return false;
	}
	r = vd_xlat_region(s->xlat, addr);
	return r && (r->kind == VD_REGION_MODULES || r->kind == VD_REGION_VMALLOC);
}

bool
vd_session_symbolize(struct vd_session *s, uint64_t addr,
		     struct vd_symbol_info *ret)
{
	const struct vd_symtab *st = best_symtab(s);
	const struct vd_symbol *sym;

	// Kernel symbols live in the upper half; the small absolute values
	// of per-CPU symbols must not name user addresses.
	if (!(addr >> 63))
		return false;
	// Module memory is named by the module's own symbols, loaded on the
	// first address that falls there.
	if (in_module_space(s, addr) && vd_modsyms_symbolize(s, addr, ret))
		return true;
	if (!st)
		return false;
	sym = vd_symtab_by_addr(st, addr);
	if (!sym || !(sym->addr >> 63))
		return false;
	// A sized symbol claims only its bytes; an unsized one (assembly
	// labels) claims up to 1 MiB past it, not the rest of the address space.
	if (sym->size ? addr - sym->addr >= sym->size
		      : addr - sym->addr >= 0x100000)
		return false;
	*ret = (struct vd_symbol_info){
		.name = sym->name, .addr = sym->addr, .offset = addr - sym->addr,
		.size = sym->size, .type = sym->type, .size_guessed = st->sizes_guessed,
		.source = st->source,
	};
	return true;
}

/*
 * The dump's identity for messages: "OSRELEASE 6.1.0-57-cloud-amd64,
 * BUILD-ID 1234..." as far as VMCOREINFO tells.
 */
static void
dump_identity(struct vd_session *s, char *buf, size_t size)
{
	const char *rel = vd_session_vmcoreinfo(s, "OSRELEASE");
	const char *id = vd_session_vmcoreinfo(s, "BUILD-ID");

	snprintf(buf, size, "%s%s%s%s%s", rel ? "OSRELEASE " : "", rel ? rel : "",
		 rel && id ? ", " : "", id ? "BUILD-ID " : "", id ? id : "");
	if (!buf[0])
		snprintf(buf, size, "no OSRELEASE or BUILD-ID in VMCOREINFO");
}

/*
 * Every SYMBOL(name) of VMCOREINFO against the side file's table (KASLR
 * shift applied at load): a table of the dumped kernel agrees on all of
 * them.  SYMBOL(mem_section) is the pointer's value with
 * CONFIG_SPARSEMEM_EXTREME (VMCOREINFO_SYMBOL_ARRAY of a pointer), not an
 * address, so it is not compared; nor are names the table lacks:
 * VMCOREINFO names macros too (node_online_map is node_states[N_ONLINE]).
 * Returns NULL, or the refusal naming
 * both sides: the first symbol that differs, where each puts it, how many
 * differ, and the dump's release and build-id.
 */
static struct vd_error *
check_symbol_values(struct vd_session *s, const struct vd_symtab *st,
		    const char *what, const char *path, const char *force,
		    size_t *ncompared)
{
	size_t nsame = 0, ndiff = 0;
	const char *first = NULL;
	uint64_t first_dump = 0, first_file = 0;
	char ident[256];

	for (size_t i = 0; i < s->vmcoreinfo.n; i++) {
		const char *key = s->vmcoreinfo.entries[i].key;
		size_t len = strlen(key);
		char name[128];
		const struct vd_symbol *sym;
		uint64_t want;

		if (strncmp(key, "SYMBOL(", 7) || key[len - 1] != ')' || len - 8 >= sizeof(name))
			continue;
		memcpy(name, key + 7, len - 8);
		name[len - 8] = '\0';
		if (!strcmp(name, "mem_section") || !vd_session_number(s, key, &want))
			continue;
		sym = vd_symtab_by_name(st, name);
		if (!sym)
			continue;
		if (sym->addr == want) {
			nsame++;
			continue;
		}
		// _stext, the start of the kernel's text, names it best.
		if (!ndiff++ || !strcmp(name, "_stext")) {
			first = s->vmcoreinfo.entries[i].key;
			first_dump = want;
			first_file = sym->addr;
		}
	}
	*ncompared = nsame + ndiff;
	if (!ndiff)
		return NULL;
	dump_identity(s, ident, sizeof(ident));
	return vd_error_create(VD_ERR_INVALID_ARG,
			       "%s: not the dumped kernel's %s: it puts %.*s at 0x%llx, the dump (%s) at 0x%llx; %zu of %zu SYMBOL() values of VMCOREINFO differ (use %s to use it anyway)",
			       path, what, (int)strlen(first) - 8, first + 7,
			       (unsigned long long)first_file, ident,
			       (unsigned long long)first_dump, ndiff, nsame + ndiff, force);
}

/*
 * No SYMBOL() to compare (a dump without VMCOREINFO): the kernel's
 * linux_banner where the table puts it must read "Linux version
 * OSRELEASE" -- the string /proc/version shows.  Unreadable: no verdict.
 */
static struct vd_error *
check_banner(struct vd_session *s, const struct vd_symtab *st, const char *what,
	     const char *path, const char *force)
{
	const struct vd_symbol *sym = vd_symtab_by_name(st, "linux_banner");
	const char *rel = vd_session_vmcoreinfo(s, "OSRELEASE");
	char banner[160], want[128];
	struct vd_error *err;

	if (!sym)
		return NULL;
	err = vd_session_read(s, VD_AS_KVIRT, sym->addr, banner, sizeof(banner) - 1, NULL);
	if (err) {
		vd_error_destroy(err);
		return NULL;
	}
	banner[sizeof(banner) - 1] = '\0';
	banner[strcspn(banner, "\n")] = '\0';
	snprintf(want, sizeof(want), "Linux version %s", rel ? rel : "");
	if (!strncmp(banner, want, strlen(want)))
		return NULL;
	for (char *c = banner; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			*c = '.';
	return vd_error_create(VD_ERR_INVALID_ARG,
			       "%s: not the dumped kernel's %s: the dump holds \"%.60s\" where it puts linux_banner (0x%llx), not \"%s\" (use %s to use it anyway)",
			       path, what, banner, (unsigned long long)sym->addr, want, force);
}

struct vd_error *
vd_session_check_system_map(struct vd_session *s,
			    const struct vd_session_opts *opts)
{
	size_t n;
	struct vd_error *err;

	if (opts->force_system_map)
		return NULL;
	err = check_symbol_values(s, &s->symtab, "System.map", opts->system_map,
				  "--force-system-map", &n);
	if (err || n)
		return err;
	return check_banner(s, &s->symtab, "System.map", opts->system_map,
			    "--force-system-map");
}

/*
 * A vmlinux matches the dump when the BUILD-ID notes agree, or (no build
 * id on either side) when the dump's SYMBOL(_stext)/SYMBOL(init_uts_ns)
 * land where the KASLR-shifted vmlinux puts them.
 */
struct vd_error *
vd_session_check_vmlinux(struct vd_session *s,
			 const struct vd_session_opts *opts)
{
	const char *dump_id = vd_session_vmcoreinfo(s, "BUILD-ID");
	const char *path = opts->vmlinux;

	if (opts->force_vmlinux)
		return NULL;
	if (dump_id && s->build_id[0]) {
		if (!strncmp(dump_id, s->build_id, strlen(s->build_id)))
			return NULL;
		return vd_error_create(VD_ERR_INVALID_ARG,
				       "%s: vmlinux build-id %s does not match the dump's BUILD-ID %s (use --force-vmlinux to use it anyway)",
				       path, s->build_id, dump_id);
	}
	{
		size_t n;
		struct vd_error *err = check_symbol_values(s, &s->symtab, "vmlinux", path,
							   "--force-vmlinux", &n);

		if (err || n)
			return err;
	}
	return check_banner(s, &s->symtab, "vmlinux", path, "--force-vmlinux");
}
