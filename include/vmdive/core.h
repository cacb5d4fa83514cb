/* SPDX-License-Identifier: MIT */
/*
 * User-space process cores: what the file says, and what vmdive derives
 * from it.
 *
 * A Linux process core (fs/binfmt_elf.c elf_core_dump(), or gdb's gcore)
 * is an ET_CORE ELF file: one PT_LOAD per VMA of the process (p_filesz <
 * p_memsz when coredump_filter left pages out: "not dumped", never zeros)
 * and notes: per thread NT_PRSTATUS plus its register-set notes
 * (NT_PRFPREG, NT_X86_XSTATE, NT_ARM_*), and once per process NT_PRPSINFO,
 * NT_SIGINFO, NT_AUXV and NT_FILE (the file-backed mappings).
 * systemd-coredump stores the same file compressed as a whole (.zst, .lz4,
 * .xz) with its metadata in user.coredump.* extended attributes.
 *
 * Two parts:
 *  1. struct vd_core_info, published by the formats layer in
 *     vd_dump_info()->core (NULL for kernel dumps).  Plain data decoded
 *     from the notes, bounds-checked; it lives as long as the dump.
 *  2. vd_session_core_*(), served by the analyzer: reads that fall back to
 *     the mapped files still on disk (checked by build-id), the executable
 *     and libraries' symbols with their load bias, strings from memory.
 *     What they return is borrowed until the session closes.
 */
#ifndef VMDIVE_CORE_H
#define VMDIVE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmdive/dump.h"
#include "vmdive/error.h"
#include "vmdive/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 1. What the core file says ---------------------------------------------- */

/* A register-set note of one thread, shown by name and size only. */
struct vd_core_regset {
	char name[40];          /* "NT_FPREGSET", "NT_X86_XSTATE", "LINUX/0x4ff" */
	uint32_t type;
	uint32_t size;          /* descriptor bytes */
};

/* One thread: its NT_PRSTATUS and the register-set notes that follow it. */
struct vd_core_thread {
	struct vd_cpu_state cpu;        /* pid, pr_cursig, pr_reg */
	int32_t ppid, pgrp, sid;
	int32_t info_signo, info_code, info_errno;  /* pr_info */
	uint64_t sigpend, sighold;      /* signal masks, bit n-1 = signal n */
	uint64_t utime_us, stime_us;    /* CPU time used */
	bool fpvalid;
	struct vd_core_regset *regsets;
	size_t nregsets;
};

/* NT_PRPSINFO: struct elf_prpsinfo (include/linux/elfcore.h). */
struct vd_core_psinfo {
	bool present;
	int8_t state;           /* pr_state: index into "RSDTtXZPI" */
	char sname;             /* pr_sname: that letter, as the kernel wrote it */
	int8_t zomb, nice;
	uint64_t flag;          /* task flags (PF_*) */
	uint32_t uid, gid;
	int32_t pid, ppid, pgrp, sid;
	char fname[17];         /* comm; unprintable bytes shown as '?' */
	char psargs[81];        /* first 80 bytes of the command line */
};

/* NT_SIGINFO: the siginfo_t of the signal that killed the process. */
struct vd_core_siginfo {
	bool present;
	int32_t signo, errnum, code;
	bool has_addr;          /* a fault (SEGV/BUS/ILL/FPE/TRAP, code > 0) */
	uint64_t addr;          /* si_addr */
	bool has_sender;        /* sent by a process (code <= 0: kill, tgkill) */
	int32_t sender_pid;
	uint32_t sender_uid;
};

struct vd_core_auxv {
	uint64_t type;          /* AT_* */
	uint64_t value;
};

/* One NT_FILE entry: a file-backed mapping. */
struct vd_core_file {
	uint64_t start, end;    /* [start, end) virtual */
	uint64_t offset;        /* byte offset in the file */
	const char *path;       /* as the kernel printed it, maybe " (deleted)" */
};

/* One PT_LOAD: a VMA of the process. */
struct vd_core_load {
	uint64_t start, end;    /* [start, end) virtual */
	uint64_t filesz;        /* p_filesz: bytes dumped, from start */
	uint64_t avail;         /* of those, bytes the file holds (fewer */
	uint32_t flags;         /* when truncated); PF_R | PF_W | PF_X */
};

/* One user.coredump.* extended attribute of the input file. */
struct vd_core_xattr {
	const char *name;       /* without the prefix: "pid", "exe", ... */
	const char *value;      /* unprintable bytes shown as '?' */
};

struct vd_core_info {
	struct vd_core_thread *threads;  /* in note order: the first is the */
	size_t nthreads;                 /* one that took the signal */
	struct vd_core_psinfo psinfo;
	struct vd_core_siginfo siginfo;
	struct vd_core_auxv *auxv;       /* up to AT_NULL, which is left out */
	size_t nauxv;
	struct vd_core_file *files;      /* NT_FILE order (address order) */
	size_t nfiles;
	uint64_t file_page_size;         /* NT_FILE's page size (the unit of
					    its offsets; gdb writes 1), 0 if none */
	struct vd_core_load *loads;      /* address order */
	size_t nloads;
	struct vd_core_xattr *xattrs;
	size_t nxattrs;
	const char *compression;         /* "zstd", "lz4", "xz" or NULL */
	uint64_t compressed_size;        /* bytes of the input file */
	uint64_t size;                   /* bytes of the (decompressed) core */
};

/* Names, or NULL when unknown: "AT_ENTRY", "SIGSEGV", "SEGV_MAPERR". */
const char *vd_core_auxv_name(uint64_t type);
const char *vd_core_signal_name(int32_t signo);
const char *vd_core_sigcode_name(int32_t signo, int32_t code);
/* NT_* name of a core note ("NT_X86_XSTATE"), by owner name and type. */
const char *vd_core_note_name(const char *owner, uint32_t type);
/* The names of pr_reg's registers in order; 0 for an unknown arch. */
size_t vd_core_reg_names(enum vd_arch arch, const char *const **ret);
/* Index in pr_reg of "pc"/"sp" (rip/rsp on x86_64), or -1. */
int vd_core_reg_index(enum vd_arch arch, const char *name);

/* 2. What the session derives (ucore/ucore*.c) ------------------------- */

struct vd_session;

/* How a mapped file on disk compares with the one the process had. */
enum vd_core_check {
	VD_CORE_FILE_MATCH,      /* build-ids in the core and the file agree */
	VD_CORE_FILE_UNCHECKED,  /* no build-id on one side: cannot tell
				    (why says if its .dynamic agrees) */
	VD_CORE_FILE_MISMATCH,   /* the file changed since the crash, or is
				    for another machine: unused */
	VD_CORE_FILE_MISSING,    /* the file cannot be opened */
};

/* A file mapped by the process, as found on disk now. */
struct vd_core_object {
	const char *path;           /* as the mapping list says (see below) */
	const char *file;           /* the file opened: path, or the copy
				       under --sysroot */
	enum vd_core_check check;
	const char *why;            /* for UNCHECKED/MISMATCH/MISSING */
	char core_build_id[65];     /* from its ELF header page in the core */
	char file_build_id[65];     /* from the file on disk */
	bool is_elf;
	uint64_t bias;              /* load bias (PIE, shared objects) */
	bool have_bias;
	uint64_t lo, hi;            /* [lo, hi): its PT_LOADs in memory */
};

/*
 * The process's file mappings.  NT_FILE's when the core has one.  Cores
 * without it (qemu-user's, gdb's gcore through a gdbstub) get them from
 * the dynamic linker's list in the process's memory, as gdb does:
 * AT_ENTRY and AT_PHDR place the executable (--exe, else AT_EXECFN's
 * path), its .dynamic's DT_DEBUG leads to struct r_debug and the
 * link_map chain: each library's load bias and path, whose file's
 * PT_LOADs give the mappings.  Paths are tried under --sysroot first.
 */
struct vd_core_files {
	const struct vd_core_file *files;
	size_t n;
	const char *source;     /* "NT_FILE", "link_map", or NULL: none */
	const char *note;       /* what could not be found, or NULL */
};

/* The file mappings (made on first use), or NULL for a kernel dump. */
const struct vd_core_files *vd_session_core_files(struct vd_session *s);

/* The mapped file of the file mapping that holds addr, or NULL. */
const struct vd_core_object *vd_session_core_object(struct vd_session *s,
						    uint64_t addr);
/* The object for file mapping i (vd_session_core_files()->files[i]). */
const struct vd_core_object *vd_session_core_object_nth(struct vd_session *s,
							size_t i);

/* Where vd_session_core_read_step() got its bytes. */
struct vd_core_source {
	bool from_file;             /* else from the core */
	const struct vd_core_object *object;   /* from_file */
	uint64_t file_off;          /* from_file: offset of the first byte */
};

/*
 * Read a prefix of [addr, addr + len) of the process's memory from one
 * source: the core, or, where the core has no data, the file mapped there
 * if it is on disk and not known to have changed.  *got (> 0 on success)
 * says how much; the caller loops.  Fails, with the reason, only when not
 * one byte at addr can be read.
 */
struct vd_error *vd_session_core_read_step(struct vd_session *s,
					   uint64_t addr, void *buf,
					   size_t len, size_t *got,
					   struct vd_core_source *src);
/* All of [addr, addr + len) by read_step(); *done_ret on failure. */
struct vd_error *vd_session_core_read(struct vd_session *s, uint64_t addr,
				      void *buf, size_t len,
				      size_t *done_ret);
/* A NUL-terminated string at addr (at most max - 1 bytes) into buf. */
struct vd_error *vd_session_core_string(struct vd_session *s, uint64_t addr,
					char *buf, size_t max);

/* A symbol of a mapped executable or library. */
struct vd_core_symbol {
	const char *name;
	uint64_t addr;              /* runtime address (bias applied) */
	uint64_t offset;            /* queried address - addr */
	uint64_t size;
	char type;                  /* nm-style letter */
	const struct vd_core_object *object;
	const char *table;          /* ".symtab", ".dynsym", or a debug file */
};

/* The symbol containing addr; VD_ERR_LOOKUP says why there is none. */
struct vd_error *vd_session_core_symbolize(struct vd_session *s,
					   uint64_t addr,
					   struct vd_core_symbol *ret);
/* A symbol by name: the executable first, then the libraries in order. */
struct vd_error *vd_session_core_lookup(struct vd_session *s,
					const char *name,
					struct vd_core_symbol *ret);

#ifdef __cplusplus
}
#endif
#endif
