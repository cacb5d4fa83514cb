// SPDX-License-Identifier: MIT
/*
 * gcore: an ELF core file of one process, written from a kernel dump, in
 * the layout fs/binfmt_elf.c's elf_core_dump() gives a Linux core:
 *   PT_NOTE first, then one PT_LOAD per VMA (p_filesz = p_memsz: every
 *   page is written, pages that cannot be read (not present, swapped out,
 *   not in the dump) as zeros, except the vDSO's, taken from the kernel's
 *   image of it; VM_IO and VM_DONTDUMP areas with p_filesz 0, as the
 *   kernel leaves them out);
 *   notes: per thread NT_PRSTATUS (the thread leader first), whose pr_reg
 *   are the user registers the kernel saved at the top of the thread's
 *   kernel stack on entry (task_pt_regs(): the struct pt_regs that ends at
 *   stack + THREAD_SIZE) plus, on x86_64, fs_base/gs_base and the segment
 *   selectors from task->thread; NT_PRPSINFO; NT_AUXV from
 *   mm->saved_auxv; NT_FILE from the file-backed VMAs.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "kmem_priv.h"
#include "vmdive/walk.h"

#define GCORE_MAX_THREADS 65536

struct thread_regs {
	int32_t pid;
	uint64_t regs[34];
	uint32_t nregs;
};

struct notes {
	unsigned char *b;
	size_t n, cap;
};

static int
notes_add(struct notes *nb, const char *name, uint32_t type, const void *desc, size_t len)
{
	size_t nlen = strlen(name) + 1;
	size_t need = 12 + ((nlen + 3) & ~3u) + ((len + 3) & ~3u);
	unsigned char *p;
	uint32_t h[3] = { (uint32_t)nlen, (uint32_t)len, type };

	if (nb->n + need > nb->cap) {
		size_t cap = nb->cap ? nb->cap : 4096;

		while (cap < nb->n + need)
			cap *= 2;
		if (!(p = realloc(nb->b, cap)))
			return -1;
		nb->b = p;
		nb->cap = cap;
	}
	p = nb->b + nb->n;
	memset(p, 0, need);
	memcpy(p, h, 12);
	memcpy(p + 12, name, nlen);
	memcpy(p + 12 + ((nlen + 3) & ~3u), desc, len);
	nb->n += need;
	return 0;
}

/* task_pt_regs() of a thread: user registers in pr_reg order. */
static struct vd_error *
user_regs(struct vd_kmem *k, uint64_t task, uint64_t stack_size, struct thread_regs *r)
{
	const struct vd_type *tt, *pt;
	struct kmem_field stack, f;
	uint64_t base, regs_addr;
	unsigned char buf[512];
	struct vd_error *err;

	if ((err = vd_km_type(k, "struct task_struct", &tt)) ||
	    (err = vd_km_need(tt, "struct task_struct", "stack", &stack)) ||
	    (err = vd_km_type(k, "struct pt_regs", &pt)))
		return err;
	if (pt->size > sizeof(buf))
		return vd_error_create(VD_ERR_CORRUPT, "struct pt_regs of %llu bytes",
				       (unsigned long long)pt->size);
	if ((err = vd_km_u64(k, task + stack.off, &base)))
		return err;
	regs_addr = base + stack_size - pt->size;
	if ((err = vd_km_read(k, regs_addr, buf, pt->size)))
		return vd_error_wrap(err, "reading the saved user registers at 0x%llx",
				     (unsigned long long)regs_addr);
	memset(r->regs, 0, sizeof(r->regs));
	if (k->arch == VD_ARCH_X86_64) {
		// struct user_regs_struct order (arch/x86/include/asm/user_64.h)
		static const char *const names[] = { "r15", "r14", "r13", "r12", "bp", "bx",
						     "r11", "r10", "r9", "r8", "ax", "cx", "dx",
						     "si", "di", "orig_ax", "ip", "cs", "flags",
						     "sp", "ss" };
		static const char *const thr[][2] = { { "thread.fsbase", "thread.fs" },
						      { "thread.gsbase", "thread.gs" },
						      { "thread.ds", NULL }, { "thread.es", NULL },
						      { "thread.fsindex", NULL },
						      { "thread.gsindex", NULL } };

		for (size_t i = 0; i < VD_ARRAY_SIZE(names); i++) {
			if ((err = vd_km_need(pt, "struct pt_regs", names[i], &f)))
				return err;
			r->regs[i] = vd_km_get(buf, pt->size, &f);
		}
		for (size_t i = 0; i < VD_ARRAY_SIZE(thr); i++) {
			uint64_t v = 0;

			vd_km_field(tt, thr[i][0], &f);
			if (!f.present && thr[i][1])
				vd_km_field(tt, thr[i][1], &f);
			if (f.present && f.size <= 8 &&
			    (err = vd_km_uint(k, task + f.off, f.size, &v)))
				return err;
			r->regs[21 + i] = v;
		}
		r->nregs = 27;
	} else if (k->arch == VD_ARCH_AARCH64) {
		// struct user_pt_regs: regs[31], sp, pc, pstate
		struct kmem_field regs, sp, pc, pstate;

		if ((err = vd_km_need(pt, "struct pt_regs", "regs", &regs)) ||
		    (err = vd_km_need(pt, "struct pt_regs", "sp", &sp)) ||
		    (err = vd_km_need(pt, "struct pt_regs", "pc", &pc)) ||
		    (err = vd_km_need(pt, "struct pt_regs", "pstate", &pstate)))
			return err;
		for (int i = 0; i < 31; i++) {
			struct kmem_field e = { .off = regs.off + 8ull * i, .size = 8, .present = true };

			r->regs[i] = vd_km_get(buf, pt->size, &e);
		}
		r->regs[31] = vd_km_get(buf, pt->size, &sp);
		r->regs[32] = vd_km_get(buf, pt->size, &pc);
		r->regs[33] = vd_km_get(buf, pt->size, &pstate);
		r->nregs = 34;
	} else {
		return vd_error_create(VD_ERR_NOTIMPL, "gcore: no user registers for this architecture");
	}
	return NULL;
}

/* struct elf_prstatus (include/uapi/linux/elfcore.h), 64-bit. */
static size_t
prstatus(unsigned char *d, const struct thread_regs *r, int32_t ppid, int32_t pgrp, int32_t sid)
{
	size_t off = 0;

	memset(d, 0, 512);
	off = 12 + 2 + 2 + 8 + 8;                   // pr_info, pr_cursig, pad, sigpend, sighold
	memcpy(d + off, &r->pid, 4);
	memcpy(d + off + 4, &ppid, 4);
	memcpy(d + off + 8, &pgrp, 4);
	memcpy(d + off + 12, &sid, 4);
	off += 16 + 4 * 16;                         // pids, 4 timevals
	memcpy(d + off, r->regs, 8 * r->nregs);
	off += 8 * r->nregs;
	off += 8;                                   // pr_fpvalid + padding
	return off;
}

/* A task's process group and session ids (signal->pids[PIDTYPE_PGID/SID]
 * ->numbers[0].nr) and real uid/gid (task->cred); 0 when unreadable. */
static void
task_ids(struct vd_kmem *k, uint64_t task, int32_t *pgrp, int32_t *sid, uint32_t *uid,
	 uint32_t *gid)
{
	const struct vd_type *tt, *sg, *pt, *ct;
	struct kmem_field signal, pids, nr, cred, fu, fg;
	uint64_t sp, cp, pid, v;
	int64_t pg = 2, ss = 3;

	*pgrp = *sid = 0;
	*uid = *gid = 0;
	if (!vd_ok_destroy(vd_km_type(k, "struct task_struct", &tt)))
		return;
	vd_km_field(tt, "signal", &signal);
	vd_km_field(tt, "cred", &cred);
	if (signal.present && vd_ok_destroy(vd_km_type(k, "struct signal_struct", &sg)) &&
	    vd_ok_destroy(vd_km_type(k, "struct pid", &pt)) &&
	    vd_ok_destroy(vd_km_u64(k, task + signal.off, &sp)) && sp) {
		vd_km_field(sg, "pids", &pids);
		vd_km_field(pt, "numbers[0].nr", &nr);
		vd_km_enum_value(k, "pid_type", "PIDTYPE_PGID", &pg);
		vd_km_enum_value(k, "pid_type", "PIDTYPE_SID", &ss);
		if (pids.present && nr.present) {
			if (vd_ok_destroy(vd_km_u64(k, sp + pids.off + 8 * (uint64_t)pg, &pid)) && pid &&
			    vd_ok_destroy(vd_km_uint(k, pid + nr.off, 4, &v)))
				*pgrp = (int32_t)v;
			if (vd_ok_destroy(vd_km_u64(k, sp + pids.off + 8 * (uint64_t)ss, &pid)) && pid &&
			    vd_ok_destroy(vd_km_uint(k, pid + nr.off, 4, &v)))
				*sid = (int32_t)v;
		}
	}
	if (cred.present && vd_ok_destroy(vd_km_type(k, "struct cred", &ct)) &&
	    vd_ok_destroy(vd_km_u64(k, task + cred.off, &cp)) && cp) {
		vd_km_field(ct, "uid", &fu);
		vd_km_field(ct, "gid", &fg);
		if (fu.present && vd_ok_destroy(vd_km_uint(k, cp + fu.off, 4, &v)))
			*uid = (uint32_t)v;
		if (fg.present && vd_ok_destroy(vd_km_uint(k, cp + fg.off, 4, &v)))
			*gid = (uint32_t)v;
	}
}

/*
 * The vDSO's pages the process never touched have no PTE; they are the
 * kernel's image of it: x86_64's vdso_image_64.data (size bytes), arm64's
 * vdso_start..vdso_end.  Returns the image's address and size, or false.
 */
static bool
vdso_image(struct vd_kmem *k, uint64_t *addr, uint64_t *size)
{
	const struct vd_type *t;
	struct kmem_field data, sz;
	uint64_t img, end;

	if (vd_session_symbol(k->s, "vdso_image_64", &img) &&
	    vd_ok_destroy(vd_km_type(k, "struct vdso_image", &t))) {
		vd_km_field(t, "data", &data);
		vd_km_field(t, "size", &sz);
		return data.present && sz.present && vd_ok_destroy(vd_km_u64(k, img + data.off, addr)) &&
		       vd_ok_destroy(vd_km_u64(k, img + sz.off, size)) && *addr && *size &&
		       *size < (64u << 20);
	}
	if (vd_session_symbol(k->s, "vdso_start", addr) && vd_session_symbol(k->s, "vdso_end", &end) &&
	    end > *addr && end - *addr < (64u << 20)) {
		*size = end - *addr;
		return true;
	}
	return false;
}

/* One core being written. */
struct gcore_ctx {
	struct vd_kmem *k;
	struct vd_utask t;
	struct vd_vma *v;
	size_t nv;
	struct thread_regs *thr;      /* the thread leader first */
	size_t nthreads;
	int32_t ppid, pgrp, sid;      /* the leader's */
	uint32_t uid, gid;
	struct notes nb;
	struct vd_gcore_stats *st;
};

static struct vd_error *
write_all(FILE *f, const void *p, size_t n, const char *path)
{
	if (n && fwrite(p, 1, n, f) != n)
		return vd_error_os(errno, "writing %s", path);
	return NULL;
}

/* The thread group's user registers, the leader first, and its ids. */
static struct vd_error *
collect_threads(struct gcore_ctx *g)
{
	uint64_t stack_size = vd_km_thread_size(g->k);
	size_t cap = 0;
	struct vd_task_iter it;
	const struct vd_task *task;
	struct vd_error *err;

	if ((err = vd_task_iter_init(&it, g->k->s, true)))
		return err;
	while ((err = vd_task_iter_next(&it, &task)) != &vd_stop) {
		struct thread_regs r;

		if (err) {
			vd_error_destroy(err);
			continue;
		}
		if (task->tgid != g->t.tgid || task->idle)
			continue;
		if (g->nthreads >= GCORE_MAX_THREADS)
			break;
		if ((err = user_regs(g->k, task->addr, stack_size, &r))) {
			vd_task_iter_deinit(&it);
			return vd_error_wrap(err, "thread %d", task->pid);
		}
		r.pid = task->pid;
		if (task->pid == task->tgid) {
			g->ppid = task->ppid;
			task_ids(g->k, task->addr, &g->pgrp, &g->sid, &g->uid, &g->gid);
		}
		if (g->nthreads == cap) {
			struct thread_regs *p = realloc(g->thr, (cap = cap ? 2 * cap : 8) * sizeof(*p));

			if (!p) {
				vd_task_iter_deinit(&it);
				return &vd_enomem;
			}
			g->thr = p;
		}
		if (task->pid == task->tgid && g->nthreads) {
			g->thr[g->nthreads] = g->thr[0];
			g->thr[0] = r;
		} else {
			g->thr[g->nthreads] = r;
		}
		g->nthreads++;
	}
	vd_task_iter_deinit(&it);
	return NULL;
}

/*
 * NT_PRPSINFO, struct elf_prpsinfo: state, sname, zomb, nice, flag, uid,
 * gid, pid, ppid, pgrp, sid, fname[16], psargs[80] (the command line, its
 * NULs as spaces).
 */
static struct vd_error *
note_prpsinfo(struct gcore_ctx *g)
{
	unsigned char ps[136];
	char args[81] = "";
	size_t done = 0;

	memset(ps, 0, sizeof(ps));
	ps[1] = 'S';
	memcpy(ps + 16, &g->uid, 4);
	memcpy(ps + 20, &g->gid, 4);
	memcpy(ps + 24, &g->thr[0].pid, 4);
	memcpy(ps + 28, &g->ppid, 4);
	memcpy(ps + 32, &g->pgrp, 4);
	memcpy(ps + 36, &g->sid, 4);
	memcpy(ps + 40, g->t.comm, VD_MIN(strlen(g->t.comm), 16));
	if (g->t.arg_end > g->t.arg_start) {
		vd_error_destroy(vd_kmem_uread(g->k, &g->t, g->t.arg_start, args,
					       VD_MIN(80, g->t.arg_end - g->t.arg_start), &done));
		for (size_t c = 0; c + 1 < done; c++)
			if (!args[c])
				args[c] = ' ';
	}
	memcpy(ps + 56, args, VD_MIN(done, 80));
	return notes_add(&g->nb, "CORE", NT_PRPSINFO, ps, sizeof(ps)) ? &vd_enomem : NULL;
}

/* NT_AUXV: mm->saved_auxv up to and with AT_NULL (none if unreadable). */
static struct vd_error *
note_auxv(struct gcore_ctx *g)
{
	uint64_t *aux;
	size_t na = 0;
	int bad = 0;

	if (!g->t.saved_auxv || !g->t.saved_auxv_len)
		return NULL;
	if (!(aux = calloc(g->t.saved_auxv_len, 8)))
		return &vd_enomem;
	if (!vd_km_read(g->k, g->t.saved_auxv, aux, 8ull * g->t.saved_auxv_len)) {
		while (na + 1 < g->t.saved_auxv_len && aux[na])
			na += 2;
		na = VD_MIN(na + 2, g->t.saved_auxv_len);   // AT_NULL too
		g->st->nauxv = na / 2;
		bad = notes_add(&g->nb, "CORE", NT_AUXV, aux, 8 * na);
	}
	free(aux);
	return bad ? &vd_enomem : NULL;
}

/* NT_FILE: count, page size, {start, end, pgoff} per file VMA, the names. */
static struct vd_error *
note_file(struct gcore_ctx *g)
{
	size_t nf = 0, names = 0, len, o = 16;
	unsigned char *b;
	int bad;

	for (size_t i = 0; i < g->nv; i++)
		if (g->v[i].file) {
			nf++;
			names += strlen(g->v[i].path) + 1;
		}
	if (!nf)
		return NULL;
	len = 16 + 24 * nf + names;
	if (!(b = malloc(len)))
		return &vd_enomem;
	memcpy(b, (uint64_t[2]){ nf, g->k->psz }, 16);
	for (size_t i = 0; i < g->nv; i++)
		if (g->v[i].file) {
			memcpy(b + o, (uint64_t[3]){ g->v[i].start, g->v[i].end, g->v[i].pgoff }, 24);
			o += 24;
		}
	for (size_t i = 0; i < g->nv; i++)
		if (g->v[i].file) {
			size_t l = strlen(g->v[i].path) + 1;

			memcpy(b + o, g->v[i].path, l);
			o += l;
		}
	g->st->nfiles = nf;
	bad = notes_add(&g->nb, "CORE", 0x46494c45 /* NT_FILE */, b, len);
	free(b);
	return bad ? &vd_enomem : NULL;
}

/* Per thread NT_PRSTATUS; after the leader's, the process's notes. */
static struct vd_error *
write_notes(struct gcore_ctx *g)
{
	unsigned char d[512];
	struct vd_error *err;

	for (size_t i = 0; i < g->nthreads; i++) {
		size_t n = prstatus(d, &g->thr[i], g->ppid, g->pgrp, g->sid);

		if (notes_add(&g->nb, "CORE", NT_PRSTATUS, d, n))
			return &vd_enomem;
		if (i == 0 && ((err = note_prpsinfo(g)) || (err = note_auxv(g)) ||
			       (err = note_file(g))))
			return err;
	}
	return NULL;
}

/* Layout: header, phdrs (PT_NOTE, a PT_LOAD per VMA), notes, page-aligned segments. */
static void
elf_headers(const struct gcore_ctx *g, Elf64_Ehdr *eh, Elf64_Phdr *ph)
{
	struct vd_kmem *k = g->k;
	uint64_t off;

	memset(eh, 0, sizeof(*eh));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh->e_type = ET_CORE;
	eh->e_machine = k->arch == VD_ARCH_AARCH64 ? EM_AARCH64 : EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = (Elf64_Half)(g->nv + 1);
	off = sizeof(*eh) + (g->nv + 1) * sizeof(Elf64_Phdr);
	ph[0] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = off, .p_filesz = g->nb.n, .p_align = 4 };
	off = (off + g->nb.n + k->psz - 1) & ~(k->psz - 1);
	for (size_t i = 0; i < g->nv; i++) {
		const struct vd_vma *v = &g->v[i];
		// VM_IO (0x4000) and VM_DONTDUMP (0x04000000): not dumped
		bool skip = v->flags & (0x4000 | 0x04000000);
		uint64_t size = v->end - v->start;

		ph[i + 1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = off, .p_vaddr = v->start,
					  .p_filesz = skip ? 0 : size, .p_memsz = size,
					  .p_align = k->psz,
					  .p_flags = (v->flags & 1 ? PF_R : 0) |
						     (v->flags & 2 ? PF_W : 0) |
						     (v->flags & 4 ? PF_X : 0) };
		off += ph[i + 1].p_filesz;
	}
}

/*
 * The PT_LOAD segments' pages: unreadable ones as zeros, but the vDSO's
 * from the kernel's image of it.
 */
static struct vd_error *
write_segments(struct gcore_ctx *g, FILE *f, const Elf64_Phdr *ph, const char *path)
{
	struct vd_kmem *k = g->k;
	uint64_t vdso_addr = 0, vdso_size = 0;
	bool vdso_ok = vdso_image(k, &vdso_addr, &vdso_size);
	unsigned char *page = malloc(k->psz);
	struct vd_error *err = NULL;

	if (!page)
		return &vd_enomem;
	for (size_t i = 0; i < g->nv && !err; i++) {
		const struct vd_vma *v = &g->v[i];

		if (fseeko(f, (off_t)ph[i + 1].p_offset, SEEK_SET)) {
			err = vd_error_os(errno, "seeking in %s", path);
			break;
		}
		for (uint64_t a = v->start; a < v->start + ph[i + 1].p_filesz && !err; a += k->psz) {
			size_t done = 0;
			struct vd_error *re = vd_kmem_uread(k, &g->t, a, page, k->psz, &done);

			if (re && !strcmp(v->path, "[vdso]") && vdso_ok &&
			    a - v->start + k->psz <= vdso_size &&
			    vd_ok_destroy(vd_km_read(k, vdso_addr + (a - v->start), page, k->psz))) {
				vd_error_destroy(re);
				g->st->pages++;
				g->st->vdso_pages++;
			} else if (re) {
				memset(page, 0, k->psz);
				g->st->missing_pages++;
				vd_error_destroy(re);
			} else {
				g->st->pages++;
			}
			err = write_all(f, page, k->psz, path);
		}
	}
	free(page);
	return err;
}

/* The file: headers, notes, segments. */
static struct vd_error *
write_core(struct gcore_ctx *g, const char *path)
{
	Elf64_Phdr *ph = calloc(g->nv + 1, sizeof(*ph));
	struct vd_error *err;
	Elf64_Ehdr eh;
	FILE *f;

	if (!ph)
		return &vd_enomem;
	elf_headers(g, &eh, ph);
	if (!(f = fopen(path, "wb"))) {
		err = vd_error_os(errno, "creating %s", path);
		free(ph);
		return err;
	}
	if (!(err = write_all(f, &eh, sizeof(eh), path)) &&
	    !(err = write_all(f, ph, (g->nv + 1) * sizeof(*ph), path)) &&
	    !(err = write_all(f, g->nb.b, g->nb.n, path)) &&
	    !(err = write_segments(g, f, ph, path)) && (fflush(f) || ferror(f)))
		err = vd_error_os(errno, "writing %s", path);
	if (fclose(f) && !err)
		err = vd_error_os(errno, "closing %s", path);
	if (err)
		remove(path);
	free(ph);
	return err;
}

struct vd_error *
vd_kmem_gcore(struct vd_kmem *k, int32_t pid, const char *path, struct vd_gcore_stats *st)
{
	struct gcore_ctx g = { .k = k, .st = st };
	struct vd_error *err;

	memset(st, 0, sizeof(*st));
	if ((err = vd_kmem_utask(k, pid, &g.t)))
		return err;
	if ((err = vd_kmem_vmas(k, &g.t, &g.v, &g.nv)))
		return err;
	if (!(err = collect_threads(&g)) && !g.nthreads)
		err = vd_error_create(VD_ERR_LOOKUP, "pid %d: no threads", pid);
	if (!err && !(err = write_notes(&g))) {
		st->nthreads = g.nthreads;
		st->nvmas = g.nv;
		err = write_core(&g, path);
	}
	free(g.nb.b);
	free(g.thr);
	free(g.v);
	return err;
}
