// SPDX-License-Identifier: MIT
/*
 * Typed objects in the dump: a type and an address, read through the
 * session's one read path.  Member paths may cross pointers ("mm->pgd"),
 * which costs one read per "->".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "kernel/session_priv.h"
#include "types/ctype_priv.h"

#define PATH_STEPS_MAX 64

struct vd_error *
vd_object_at(struct vd_session *s, const char *type_name, uint64_t addr,
	     struct vd_object *ret)
{
	struct vd_qualified_type qt;
	struct vd_error *err = vd_session_find_type(s, type_name, &qt);

	if (err)
		return err;
	*ret = (struct vd_object){ .session = s, .type = qt, .as = VD_AS_KVIRT,
				   .addr = addr };
	return NULL;
}

static const char *
kind_word(const struct vd_type *t)
{
	static const char *const words[] = {
		[VD_TYPE_VOID] = "void", [VD_TYPE_INT] = "integer",
		[VD_TYPE_FLOAT] = "floating-point", [VD_TYPE_POINTER] = "pointer",
		[VD_TYPE_ARRAY] = "array", [VD_TYPE_STRUCT] = "struct",
		[VD_TYPE_UNION] = "union", [VD_TYPE_ENUM] = "enum",
		[VD_TYPE_TYPEDEF] = "typedef", [VD_TYPE_FUNCTION] = "function",
	};

	return t && t->kind < VD_ARRAY_SIZE(words) ? words[t->kind] : "unknown";
}

struct vd_error *
vd_object_read_u64(const struct vd_object *obj, uint64_t *ret)
{
	const struct vd_type *t = vd_type_unqualified(obj->type.type);
	bool be = vd_session_info(obj->session)->big_endian;
	unsigned char buf[16] = { 0 };
	struct vd_error *err;
	uint64_t v = 0, nbytes;

	if (!t || (t->kind != VD_TYPE_INT && t->kind != VD_TYPE_ENUM &&
		   t->kind != VD_TYPE_POINTER) || !t->size || t->size > 8)
		return vd_error_create(VD_ERR_TYPE, "cannot read a %s (%llu bytes) as a number",
				       kind_word(t), (unsigned long long)(t ? t->size : 0));
	if (obj->bit_field_size) {
		// Bit fields: read the bytes that hold them (LE bit numbering;
		// the kernels read here are little-endian).
		nbytes = (obj->bit_offset + obj->bit_field_size + 7) / 8;
		if (nbytes > 9 || be)
			return vd_error_create(VD_ERR_NOTIMPL, "bit field layout not supported");
		err = vd_session_read(obj->session, obj->as, obj->addr, buf, nbytes, NULL);
		if (err)
			return err;
		for (uint64_t i = 0; i < nbytes && i < 8; i++)
			v |= (uint64_t)buf[i] << (8 * i);
		v >>= obj->bit_offset;   // bit_offset < 8
		if (nbytes == 9 && obj->bit_offset)
			v |= (uint64_t)buf[8] << (64 - obj->bit_offset);
		if (obj->bit_field_size < 64)
			v &= (1ull << obj->bit_field_size) - 1;
		*ret = v;
		return NULL;
	}
	err = vd_session_read(obj->session, obj->as, obj->addr, buf, t->size, NULL);
	if (err)
		return err;
	switch (t->size) {
	case 1: v = buf[0]; break;
	case 2: v = vd_get16(buf, be); break;
	case 4: v = vd_get32(buf, be); break;
	case 8: v = vd_get64(buf, be); break;
	default:
		return vd_error_create(VD_ERR_TYPE, "%llu-byte integers are not supported",
				       (unsigned long long)t->size);
	}
	*ret = v;
	return NULL;
}

struct vd_error *
vd_object_read_s64(const struct vd_object *obj, int64_t *ret)
{
	const struct vd_type *t = vd_type_unqualified(obj->type.type);
	unsigned bits;
	uint64_t v;
	struct vd_error *err = vd_object_read_u64(obj, &v);

	if (err)
		return err;
	bits = obj->bit_field_size ? obj->bit_field_size : (unsigned)t->size * 8;
	if (t->is_signed && bits < 64 && (v >> (bits - 1)) & 1)
		v |= ~0ull << bits;
	*ret = (int64_t)v;
	return NULL;
}

/*
 * A pointer's target as the compilation unit that used it saw it: maybe
 * only declared ("struct mm_struct;").  Complete it by name then: DWARF
 * looks definitions up lazily, so only pointers actually followed cost a
 * lookup.
 */
static struct vd_qualified_type
complete_target(struct vd_session *s, struct vd_qualified_type qt)
{
	const struct vd_type *t = vd_type_unqualified(qt.type);
	struct vd_qualified_type full;
	struct vd_error *err;
	char name[300];

	if (!t || t->complete || !t->name ||
	    (t->kind != VD_TYPE_STRUCT && t->kind != VD_TYPE_UNION && t->kind != VD_TYPE_ENUM))
		return qt;
	snprintf(name, sizeof(name), "%s %s", t->kind == VD_TYPE_STRUCT ? "struct" :
		 t->kind == VD_TYPE_UNION ? "union" : "enum", t->name);
	err = vd_session_find_type(s, name, &full);
	if (err) {
		vd_error_destroy(err);
		return qt;
	}
	if (qt.type == t)   // no typedef in between: keep the qualifiers
		full.qualifiers |= qt.qualifiers;
	return full.type->complete ? full : qt;
}

struct vd_error *
vd_object_deref(const struct vd_object *obj, struct vd_object *ret)
{
	const struct vd_type *t = vd_type_unqualified(obj->type.type);
	struct vd_error *err;
	uint64_t addr;

	if (!t || t->kind != VD_TYPE_POINTER)
		return vd_error_create(VD_ERR_TYPE, "cannot dereference a %s", kind_word(t));
	err = vd_object_read_u64(obj, &addr);
	if (err)
		return err;
	if (!addr)
		return vd_error_fault(VD_ERR_FAULT, VD_AS_KVIRT, 0, "NULL pointer");
	*ret = (struct vd_object){ .session = obj->session,
				   .type = complete_target(obj->session, t->target),
				   .as = obj->as, .addr = addr };
	return NULL;
}

/* Apply one "name[..]" chain of member steps without "->". */
static struct vd_error *
member_run(const struct vd_object *obj, const char *path, size_t len,
	   struct vd_object *ret)
{
	struct vd_member_info m;
	struct vd_error *err;
	char buf[256];

	if (len >= sizeof(buf))
		return vd_error_create(VD_ERR_INVALID_ARG, "member path too long");
	memcpy(buf, path, len);
	buf[len] = '\0';
	err = vd_type_member(obj->type.type, buf, &m);
	if (err)
		return err;
	*ret = (struct vd_object){
		.session = obj->session, .type = m.type, .as = obj->as,
		.addr = obj->addr + m.bit_offset / 8,
		.bit_offset = m.bit_field_size ? m.bit_offset % 8 : 0,
		.bit_field_size = m.bit_field_size,
	};
	return NULL;
}

struct vd_error *
vd_object_member(const struct vd_object *obj, const char *path,
		 struct vd_object *ret)
{
	struct vd_object cur = *obj;

	for (int steps = 0; *path; steps++) {
		const char *arrow = strstr(path, "->");
		size_t len = arrow ? (size_t)(arrow - path) : strlen(path);
		struct vd_error *err;

		if (steps > PATH_STEPS_MAX)
			return vd_error_create(VD_ERR_INVALID_ARG, "member path too deep");
		if (len) {
			err = member_run(&cur, path, len, &cur);
			if (err)
				return err;
		}
		if (!arrow)
			break;
		err = vd_object_deref(&cur, &cur);
		if (err)
			return vd_error_wrap(err, "following '%.*s'", (int)(arrow - path), path);
		path = arrow + 2;
	}
	*ret = cur;
	return NULL;
}

struct vd_error *
vd_object_read_string(const struct vd_object *obj, char *buf, size_t size)
{
	const struct vd_type *t = vd_type_unqualified(obj->type.type);
	uint64_t addr = obj->addr, max;
	struct vd_error *err;

	if (!size)
		return vd_error_create(VD_ERR_INVALID_ARG, "no room for a string");
	if (t && t->kind == VD_TYPE_ARRAY) {
		max = t->size ? t->size : size - 1;
	} else if (t && t->kind == VD_TYPE_POINTER) {
		err = vd_object_read_u64(obj, &addr);
		if (err)
			return err;
		if (!addr)
			return vd_error_fault(VD_ERR_FAULT, VD_AS_KVIRT, 0, "NULL string pointer");
		max = size - 1;
	} else {
		return vd_error_create(VD_ERR_TYPE, "a %s is not a string", kind_word(t));
	}
	max = VD_MIN(max, (uint64_t)size - 1);
	// Read up to max bytes, but tolerate the page after the NUL missing.
	for (uint64_t done = 0; done < max;) {
		uint64_t chunk = VD_MIN(max - done, 4096 - ((addr + done) & 4095));
		char *nul;

		err = vd_session_read(obj->session, obj->as, addr + done, buf + done,
				      chunk, NULL);
		if (err)
			return err;
		nul = memchr(buf + done, '\0', chunk);
		done += chunk;
		if (nul || done == max) {
			buf[nul ? (size_t)(nul - buf) : done] = '\0';
			return NULL;
		}
	}
	buf[0] = '\0';
	return NULL;
}

struct vd_error *
vd_object_container_of(struct vd_session *s, const char *type_name,
		       const char *member_path, uint64_t member_addr,
		       struct vd_object *ret)
{
	struct vd_qualified_type qt;
	struct vd_error *err;
	uint64_t off;

	err = vd_session_find_type(s, type_name, &qt);
	if (!err)
		err = vd_type_offsetof(qt.type, member_path, &off);
	if (err)
		return err;
	*ret = (struct vd_object){ .session = s, .type = qt, .as = VD_AS_KVIRT,
				   .addr = member_addr - off };
	return NULL;
}
