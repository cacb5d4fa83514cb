// SPDX-License-Identifier: MIT
/*
 * The weakest type source: VMCOREINFO's OFFSET(struct.member) and
 * SIZE(struct) lines (kernel/vmcore_info.c and the arch files add ~100
 * of them for the structures dump tools need: page, list_head,
 * printk_ringbuffer, ...).  They give offsets, not member types, so the
 * structs made here have members of unknown (void) type: good for
 * offsetof, not for typed reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "ctype_priv.h"
#include "kernel/session_priv.h"

struct vi_source {
	struct vd_type_source base;
	struct vd_session *s;
	struct vd_arena arena;
	struct vd_type void_type;
	struct vd_type **made;
	size_t nmade;
};

static struct vd_error *
vi_find(struct vd_type_source *src, enum vd_type_kind kind, const char *name,
	struct vd_qualified_type *ret)
{
	struct vi_source *v = (struct vi_source *)src;
	const struct vd_vmcoreinfo *vi = &v->s->vmcoreinfo;
	size_t nlen = strlen(name), n = 0;
	struct vd_member *m;
	struct vd_type *t;
	char key[256];
	uint64_t size = 0;
	void *p;

	if (kind != VD_TYPE_STRUCT)
		return vd_error_create(VD_ERR_LOOKUP, "VMCOREINFO has only structs");
	for (size_t i = 0; i < v->nmade; i++)
		if (!strcmp(v->made[i]->name, name)) {
			*ret = (struct vd_qualified_type){ v->made[i], 0 };
			return NULL;
		}
	for (size_t i = 0; i < vi->n; i++)
		n += !strncmp(vi->entries[i].key, "OFFSET(", 7) &&
		     !strncmp(vi->entries[i].key + 7, name, nlen) &&
		     vi->entries[i].key[7 + nlen] == '.';
	snprintf(key, sizeof(key), "SIZE(%s)", name);
	if (!n && !vd_vmcoreinfo_number(vi, key, &size))
		return vd_error_create(VD_ERR_LOOKUP, "no struct '%s' in VMCOREINFO", name);
	vd_vmcoreinfo_number(vi, key, &size);
	t = vd_arena_alloc(&v->arena, sizeof(*t));
	m = vd_arena_alloc(&v->arena, (n ? n : 1) * sizeof(*m));
	p = realloc(v->made, (v->nmade + 1) * sizeof(*v->made));
	if (!t || !m || !p)
		return &vd_enomem;
	v->made = p;
	n = 0;
	for (size_t i = 0; i < vi->n; i++) {
		const struct vd_vmcoreinfo_entry *e = &vi->entries[i];
		uint64_t off;
		char *member;

		if (strncmp(e->key, "OFFSET(", 7) || strncmp(e->key + 7, name, nlen) ||
		    e->key[7 + nlen] != '.' || !vd_vmcoreinfo_decode(e->key, e->value, &off))
			continue;
		member = vd_arena_strdup(&v->arena, e->key + 8 + nlen);
		if (!member)
			return &vd_enomem;
		member[strcspn(member, ")")] = '\0';
		m[n++] = (struct vd_member){ .name = member, .bit_offset = off * 8,
					     .type = { &v->void_type, 0 } };
	}
	*t = (struct vd_type){ .kind = VD_TYPE_STRUCT, .size = size,
			       .complete = true, .members = m, .nmembers = n,
			       .source = "VMCOREINFO" };
	t->name = vd_arena_strdup(&v->arena, name);
	if (!t->name)
		return &vd_enomem;
	v->made[v->nmade++] = t;
	*ret = (struct vd_qualified_type){ t, 0 };
	return NULL;
}

static void
vi_destroy(struct vd_type_source *src)
{
	struct vi_source *v = (struct vi_source *)src;

	free(v->made);
	vd_arena_deinit(&v->arena);
	free(v);
}

struct vd_error *
vd_vmcoreinfo_source_create(struct vd_session *s, struct vd_type_source **ret)
{
	struct vi_source *v;

	if (!s->vmcoreinfo.n)
		return &vd_noprobe;
	v = calloc(1, sizeof(*v));
	if (!v)
		return &vd_enomem;
	v->s = s;
	v->void_type = (struct vd_type){ .kind = VD_TYPE_VOID, .name = "void",
					 .complete = true, .source = "VMCOREINFO" };
	v->base.name = "VMCOREINFO OFFSET/SIZE lines";
	v->base.find = vi_find;
	v->base.destroy = vi_destroy;
	*ret = &v->base;
	return NULL;
}
