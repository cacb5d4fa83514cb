// SPDX-License-Identifier: MIT
/*
 * Names for the numbers in process cores: auxv types, signals and their
 * si_code values, note types, registers.  Tables of our own (not <elf.h>
 * or <signal.h>), so that a core reads the same on any host: the numbers
 * are the target's ABI, and x86_64 and arm64 share them.
 */
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "vmdive/core.h"

struct name_num {
	int64_t num;
	const char *name;
};

static const char *
find_name(const struct name_num *t, size_t n, int64_t num)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].num == num)
			return t[i].name;
	return NULL;
}

/* include/uapi/linux/auxvec.h, arch/x86/include/uapi/asm/auxvec.h. */
static const struct name_num auxv_names[] = {
	{ 0, "AT_NULL" }, { 1, "AT_IGNORE" }, { 2, "AT_EXECFD" },
	{ 3, "AT_PHDR" }, { 4, "AT_PHENT" }, { 5, "AT_PHNUM" },
	{ 6, "AT_PAGESZ" }, { 7, "AT_BASE" }, { 8, "AT_FLAGS" },
	{ 9, "AT_ENTRY" }, { 10, "AT_NOTELF" }, { 11, "AT_UID" },
	{ 12, "AT_EUID" }, { 13, "AT_GID" }, { 14, "AT_EGID" },
	{ 15, "AT_PLATFORM" }, { 16, "AT_HWCAP" }, { 17, "AT_CLKTCK" },
	{ 23, "AT_SECURE" }, { 24, "AT_BASE_PLATFORM" }, { 25, "AT_RANDOM" },
	{ 26, "AT_HWCAP2" }, { 27, "AT_RSEQ_FEATURE_SIZE" },
	{ 28, "AT_RSEQ_ALIGN" }, { 29, "AT_HWCAP3" }, { 30, "AT_HWCAP4" },
	{ 31, "AT_EXECFN" }, { 32, "AT_SYSINFO" }, { 33, "AT_SYSINFO_EHDR" },
	{ 51, "AT_MINSIGSTKSZ" },
};

const char *
vd_core_auxv_name(uint64_t type)
{
	if (type > 1000)
		return NULL;
	return find_name(auxv_names, VD_ARRAY_SIZE(auxv_names), (int64_t)type);
}

/* include/uapi/asm-generic/signal.h (x86 uses the same numbers). */
static const char *const signal_names[] = {
	NULL, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
	"SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2",
	"SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
	"SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
	"SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR",
	"SIGSYS",
};

const char *
vd_core_signal_name(int32_t signo)
{
	if (signo <= 0 || (size_t)signo >= VD_ARRAY_SIZE(signal_names))
		return NULL;
	return signal_names[signo];
}

/* include/uapi/asm-generic/siginfo.h: codes common to every signal. */
static const struct name_num si_any[] = {
	{ 0, "SI_USER" }, { 0x80, "SI_KERNEL" }, { -1, "SI_QUEUE" },
	{ -2, "SI_TIMER" }, { -3, "SI_MESGQ" }, { -4, "SI_ASYNCIO" },
	{ -5, "SI_SIGIO" }, { -6, "SI_TKILL" }, { -7, "SI_DETHREAD" },
	{ -60, "SI_ASYNCNL" },
};

/* The same header: per-signal codes, numbered from 1. */
static const char *const si_ill[] = {
	"ILL_ILLOPC", "ILL_ILLOPN", "ILL_ILLADR", "ILL_ILLTRP", "ILL_PRVOPC",
	"ILL_PRVREG", "ILL_COPROC", "ILL_BADSTK", "ILL_BADIADDR", "ILL_BREAK",
	"ILL_BNDMOD",
};
static const char *const si_fpe[] = {
	"FPE_INTDIV", "FPE_INTOVF", "FPE_FLTDIV", "FPE_FLTOVF", "FPE_FLTUND",
	"FPE_FLTRES", "FPE_FLTINV", "FPE_FLTSUB", "FPE_DECOVF", "FPE_DECDIV",
	"FPE_DECERR", "FPE_INVASC", "FPE_INVDEC", "FPE_FLTUNK", "FPE_CONDTRAP",
};
static const char *const si_segv[] = {
	"SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR", "SEGV_PKUERR",
	"SEGV_ACCADI", "SEGV_ADIDERR", "SEGV_ADIPERR", "SEGV_MTEAERR",
	"SEGV_MTESERR", "SEGV_CPERR",
};
static const char *const si_bus[] = {
	"BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR", "BUS_MCEERR_AR",
	"BUS_MCEERR_AO",
};
static const char *const si_trap[] = {
	"TRAP_BRKPT", "TRAP_TRACE", "TRAP_BRANCH", "TRAP_HWBKPT", "TRAP_UNK",
	"TRAP_PERF",
};

const char *
vd_core_sigcode_name(int32_t signo, int32_t code)
{
	const char *const *t = NULL;
	size_t n = 0;

	switch (signo) {
	case 4: t = si_ill; n = VD_ARRAY_SIZE(si_ill); break;
	case 8: t = si_fpe; n = VD_ARRAY_SIZE(si_fpe); break;
	case 11: t = si_segv; n = VD_ARRAY_SIZE(si_segv); break;
	case 7: t = si_bus; n = VD_ARRAY_SIZE(si_bus); break;
	case 5: t = si_trap; n = VD_ARRAY_SIZE(si_trap); break;
	}
	if (t && code > 0 && (size_t)code <= n)
		return t[code - 1];
	return find_name(si_any, VD_ARRAY_SIZE(si_any), code);
}

/*
 * include/uapi/linux/elf.h.  The kernel names NT_PRSTATUS, NT_PRFPREG
 * (elfutils says NT_FPREGSET), NT_PRPSINFO, NT_SIGINFO, NT_AUXV and
 * NT_FILE "CORE" and every other register set "LINUX"
 * (fs/binfmt_elf.c fill_thread_core_info()).
 */
static const struct name_num core_notes[] = {
	{ 1, "NT_PRSTATUS" }, { 2, "NT_PRFPREG" }, { 3, "NT_PRPSINFO" },
	{ 4, "NT_TASKSTRUCT" }, { 6, "NT_AUXV" }, { 0x53494749, "NT_SIGINFO" },
	{ 0x46494c45, "NT_FILE" },
};
static const struct name_num linux_notes[] = {
	{ 0x46e62b7f, "NT_PRXFPREG" }, { 0x200, "NT_386_TLS" },
	{ 0x201, "NT_386_IOPERM" }, { 0x202, "NT_X86_XSTATE" },
	{ 0x204, "NT_X86_SHSTK" }, { 0x205, "NT_X86_XSAVE_LAYOUT" },
	{ 0x400, "NT_ARM_VFP" }, { 0x401, "NT_ARM_TLS" },
	{ 0x402, "NT_ARM_HW_BREAK" }, { 0x403, "NT_ARM_HW_WATCH" },
	{ 0x404, "NT_ARM_SYSTEM_CALL" }, { 0x405, "NT_ARM_SVE" },
	{ 0x406, "NT_ARM_PAC_MASK" }, { 0x407, "NT_ARM_PACA_KEYS" },
	{ 0x408, "NT_ARM_PACG_KEYS" }, { 0x409, "NT_ARM_TAGGED_ADDR_CTRL" },
	{ 0x40a, "NT_ARM_PAC_ENABLED_KEYS" }, { 0x40b, "NT_ARM_SSVE" },
	{ 0x40c, "NT_ARM_ZA" }, { 0x40d, "NT_ARM_ZT" }, { 0x40e, "NT_ARM_FPMR" },
	{ 0x40f, "NT_ARM_POE" }, { 0x410, "NT_ARM_GCS" },
};

const char *
vd_core_note_name(const char *owner, uint32_t type)
{
	if (!strcmp(owner, "CORE"))
		return find_name(core_notes, VD_ARRAY_SIZE(core_notes), type);
	if (!strcmp(owner, "LINUX"))
		return find_name(linux_notes, VD_ARRAY_SIZE(linux_notes), type);
	return NULL;
}

/* pr_reg: x86_64 struct user_regs_struct (arch/x86/include/asm/user_64.h). */
static const char *const x86_64_regs[] = {
	"r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8",
	"rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags",
	"rsp", "ss", "fs_base", "gs_base", "ds", "es", "fs", "gs",
};

/* arm64 struct user_pt_regs (arch/arm64/include/uapi/asm/ptrace.h). */
static const char *const aarch64_regs[] = {
	"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10",
	"x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20",
	"x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "x29", "x30",
	"sp", "pc", "pstate",
};

size_t
vd_core_reg_names(enum vd_arch arch, const char *const **ret)
{
	switch (arch) {
	case VD_ARCH_X86_64:
		*ret = x86_64_regs;
		return VD_ARRAY_SIZE(x86_64_regs);
	case VD_ARCH_AARCH64:
		*ret = aarch64_regs;
		return VD_ARRAY_SIZE(aarch64_regs);
	default:
		*ret = NULL;
		return 0;
	}
}

int
vd_core_reg_index(enum vd_arch arch, const char *name)
{
	const char *const *names;
	size_t n = vd_core_reg_names(arch, &names);

	if (arch == VD_ARCH_X86_64 && !strcmp(name, "pc"))
		name = "rip";
	else if (arch == VD_ARCH_X86_64 && !strcmp(name, "sp"))
		name = "rsp";
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return (int)i;
	return -1;
}
