// SPDX-License-Identifier: MIT
/*
 * A bounded, cycle-safe walk of a kernel struct list_head list, under every
 * walker and the image scan.
 *
 * A dump is hostile input, and a crashed kernel's lists are the first
 * thing to be corrupt: a list walk never trusts a pointer it has not read
 * successfully, stops at the first node it has seen before (a set of the
 * nodes returned; exact, unlike a step bound alone), stops after `limit`
 * nodes, and on a broken link recovers the tail of the list through the
 * prev pointers from the head.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hashtab.h"
#include "common/util.h"
#include "session_priv.h"
#include "vmdive/walk.h"

enum { PHASE_FORWARD, PHASE_BACKWARD, PHASE_EMIT, PHASE_DONE };

void
vd_list_walk_init(struct vd_list_walk *w, uint64_t head, uint64_t limit,
		  struct vd_error *(*read_ptr)(void *, uint64_t, uint64_t *),
		  void *priv)
{
	*w = (struct vd_list_walk){
		.head = head, .limit = limit ? limit : VD_WALK_MAX_ELEMENTS,
		.ptr_size = 8, .read_ptr = read_ptr, .priv = priv,
		.phase = PHASE_FORWARD, .cur = head,
	};
	w->cur_next = 0;
}

void
vd_list_walk_deinit(struct vd_list_walk *w)
{
	vd_addr_set_free(&w->seen);
	vd_addr_set_free(&w->back_seen);
	free(w->back);
	w->back = NULL;
}

/* The set's index as the common hash table (common/hashtab.h). */
static struct vd_htab
set_index(const struct vd_addr_set *set)
{
	return (struct vd_htab){ .slot = set->index, .mask = set->index_mask,
				 .n = (uint32_t)set->n };
}

static uint64_t
set_hash(void *priv, uint32_t idx)
{
	return ((const struct vd_addr_set *)priv)->v[idx];
}

bool
vd_addr_set_has(const struct vd_addr_set *set, uint64_t v)
{
	struct vd_htab t = set_index(set);
	struct vd_htab_probe p;

	for (uint32_t i = vd_htab_first(&t, v, &p); i != VD_HTAB_END; i = vd_htab_next(&t, &p))
		if (set->v[i] == v)
			return true;
	return false;
}

struct vd_error *
vd_addr_set_add(struct vd_addr_set *set, uint64_t v)
{
	struct vd_htab t;
	struct vd_error *err;

	if (!v)
		return vd_error_create(VD_ERR_INVALID_ARG, "address 0 in an address set");
	if (vd_addr_set_has(set, v))
		return NULL;
	if (set->n > VD_HTAB_IDX_MAX)
		return vd_error_create(VD_ERR_INVALID_ARG, "address set of %zu members: too many",
				       set->n);
	if (set->n == set->cap) {
		size_t cap = set->cap ? 2 * set->cap : 128;
		uint64_t *p = realloc(set->v, cap * sizeof(*p));

		if (!p)
			return &vd_enomem;
		set->v = p;
		set->cap = cap;
	}
	set->v[set->n] = v;
	t = set_index(set);
	if ((err = vd_htab_add(&t, v, (uint32_t)set->n, set_hash, set)))
		return err;
	set->index = t.slot;
	set->index_mask = t.mask;
	set->n++;
	return NULL;
}

void
vd_addr_set_free(struct vd_addr_set *set)
{
	free(set->v);
	free(set->index);
	*set = (struct vd_addr_set){ 0 };
}

/* Why a pointer read from the list cannot be followed, or NULL. */
static const char *
bad_pointer(const struct vd_list_walk *w, uint64_t p)
{
	if (!p)
		return "NULL";
	if (p & (w->ptr_size - 1))
		return "misaligned";
	return NULL;
}

static struct vd_error *
broken(struct vd_list_walk *w, struct vd_error *err)
{
	w->nbroken++;
	w->phase = w->n < w->limit ? PHASE_BACKWARD : PHASE_DONE;
	return err;
}

static struct vd_error *
forward(struct vd_list_walk *w, uint64_t *node)
{
	uint64_t cand, cand_next;
	const char *why;
	struct vd_error *err;

	if (w->cur == w->head && !w->n) {
		err = w->read_ptr(w->priv, w->head, &w->cur_next);
		if (err) {
			w->phase = PHASE_DONE;
			return vd_error_wrap(err, "list head at 0x%llx unreadable",
					     (unsigned long long)w->head);
		}
	}
	cand = w->cur_next;
	if (cand == w->head) {
		w->phase = PHASE_DONE;
		return &vd_stop;
	}
	if ((why = bad_pointer(w, cand)))
		return broken(w, vd_error_create(VD_ERR_CORRUPT,
			"list at 0x%llx broken after %llu elements: next pointer of 0x%llx is %s (0x%llx)",
			(unsigned long long)w->head, (unsigned long long)w->n,
			(unsigned long long)w->cur, why, (unsigned long long)cand));
	if (vd_addr_set_has(&w->seen, cand))
		return broken(w, vd_error_create(VD_ERR_CORRUPT,
			"list at 0x%llx loops after %llu elements: 0x%llx points back to 0x%llx",
			(unsigned long long)w->head, (unsigned long long)w->n,
			(unsigned long long)w->cur, (unsigned long long)cand));
	if (w->n >= w->limit) {
		w->phase = PHASE_DONE;
		w->nbroken++;
		return vd_error_create(VD_ERR_CORRUPT,
				       "list at 0x%llx has more than %llu elements: stopped",
				       (unsigned long long)w->head,
				       (unsigned long long)w->limit);
	}
	err = w->read_ptr(w->priv, cand, &cand_next);
	if (err)
		return broken(w, vd_error_wrap(err,
			"list at 0x%llx broken after %llu elements: element 0x%llx (next of 0x%llx)",
			(unsigned long long)w->head, (unsigned long long)w->n,
			(unsigned long long)cand, (unsigned long long)w->cur));
	if ((err = vd_addr_set_add(&w->seen, cand)))
		return err;
	w->cur = cand;
	w->cur_next = cand_next;
	w->n++;
	*node = cand;
	return NULL;
}

/*
 * Collect the nodes after a break: from head->prev backwards until a node
 * already returned (or the head).  They are returned in list order.
 */
static struct vd_error *
collect_backward(struct vd_list_walk *w)
{
	uint64_t p, budget = w->limit - w->n;
	struct vd_error *err;
	const char *why;

	err = w->read_ptr(w->priv, w->head + w->ptr_size, &p);
	while (!err && p != w->head && !vd_addr_set_has(&w->seen, p)) {
		if ((why = bad_pointer(w, p)))
			return vd_error_create(VD_ERR_CORRUPT,
					       "list at 0x%llx: walking back from its head, a prev pointer is %s (0x%llx): elements between are lost",
					       (unsigned long long)w->head, why,
					       (unsigned long long)p);
		if (w->nback >= budget)
			return vd_error_create(VD_ERR_CORRUPT,
					       "list at 0x%llx: more than %llu elements walking back: stopped",
					       (unsigned long long)w->head,
					       (unsigned long long)w->limit);
		if (vd_addr_set_has(&w->back_seen, p))
			return vd_error_create(VD_ERR_CORRUPT,
					       "list at 0x%llx: prev pointers loop at 0x%llx",
					       (unsigned long long)w->head,
					       (unsigned long long)p);
		if ((err = vd_addr_set_add(&w->back_seen, p)))
			return err;
		if (w->nback == w->back_cap) {
			size_t cap = w->back_cap ? 2 * w->back_cap : 64;
			uint64_t *q = realloc(w->back, cap * sizeof(*q));

			if (!q)
				return &vd_enomem;
			w->back = q;
			w->back_cap = cap;
		}
		w->back[w->nback++] = p;
		err = w->read_ptr(w->priv, p + w->ptr_size, &p);
	}
	if (err)
		return vd_error_wrap(err, "list at 0x%llx: walking back from its head",
				     (unsigned long long)w->head);
	return NULL;
}

struct vd_error *
vd_list_walk_next(struct vd_list_walk *w, uint64_t *node)
{
	struct vd_error *err;

	switch (w->phase) {
	case PHASE_FORWARD:
		return forward(w, node);
	case PHASE_BACKWARD:
		// Even when the backward walk breaks too, what it collected
		// is good: return the error first, then those nodes.
		w->phase = PHASE_EMIT;
		err = collect_backward(w);
		if (err) {
			w->nbroken++;
			return err;
		}
		/* fall through */
	case PHASE_EMIT:
		if (!w->nback) {
			w->phase = PHASE_DONE;
			return &vd_stop;
		}
		// back[0] is head->prev, the tail: pop from the end for list
		// order.  collect_backward() kept out nodes already returned.
		*node = w->back[--w->nback];
		w->n++;
		return NULL;
	default:
		return &vd_stop;
	}
}

/* Pointers ----------------------------------------------------------------- */

struct vd_error *
vd_walk_read_kptr(void *session, uint64_t addr, uint64_t *ret)
{
	struct vd_session *s = session;

	if (!vd_walk_kptr_ok(addr))
		return vd_error_fault(VD_ERR_FAULT, VD_AS_KVIRT, addr,
				      "0x%llx is not a kernel address",
				      (unsigned long long)addr);
	return vd_session_read_u64(s, VD_AS_KVIRT, addr, ret);
}

bool
vd_walk_kptr_ok(uint64_t p)
{
	// Every kernel vmdive reads maps itself in the upper half.
	return (p >> 63) && !(p & 7);
}
