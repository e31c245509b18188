/* Names for ELF facts, as users know them (uname -m, readelf's type names). */
#include "config.h"

#include <elf.h>
#include <stddef.h>
#include <string.h>

#include "internal.h"

#ifndef EM_LOONGARCH
#define EM_LOONGARCH 258
#endif

/* uname -m names. Where one e_machine covers several, class and byte order
 * decide, as the kernel's own utsname does (arch/<arch>/Makefile UTS_MACHINE). */
const char *ifx_machine_name(unsigned machine, int elf_class, int data)
{
	bool is64 = elf_class == 64;
	bool be = data == ELFDATA2MSB;

	switch (machine) {
	case EM_X86_64: return is64 ? "x86_64" : "x32";
	case EM_386: return "i386";
	case EM_AARCH64: return be ? "aarch64_be" : "aarch64";
	case EM_ARM: return be ? "armeb" : "arm";
	case EM_RISCV: return is64 ? "riscv64" : "riscv32";
	case EM_PPC64: return be ? "ppc64" : "ppc64le";
	case EM_PPC: return be ? "ppc" : "ppcle";
	case EM_S390: return is64 ? "s390x" : "s390";
	case EM_MIPS:
		if (is64)
			return be ? "mips64" : "mips64el";
		return be ? "mips" : "mipsel";
	case EM_LOONGARCH: return is64 ? "loongarch64" : "loongarch32";
	case EM_SPARCV9: return "sparc64";
	case EM_SPARC: return "sparc";
	case EM_IA_64: return "ia64";
	case EM_ALPHA: return "alpha";
	case EM_PARISC: return "parisc";
	case EM_SH: return "sh";
	case EM_68K: return "m68k";
	default: return "unknown";
	}
}

const char *ifx_type_name(unsigned type)
{
	switch (type) {
	case ET_NONE: return "NONE";
	case ET_REL: return "REL";
	case ET_EXEC: return "EXEC";
	case ET_DYN: return "DYN";
	case ET_CORE: return "CORE";
	default: return "unknown";
	}
}

const char *ifx_linkage_name(enum ifx_linkage linkage)
{
	switch (linkage) {
	case IFX_LINK_DYNAMIC: return "dynamic";
	case IFX_LINK_STATIC: return "static";
	case IFX_LINK_STATIC_PIE: return "static-pie";
	case IFX_LINK_SHARED_LIB: return "shared-lib";
	case IFX_LINK_OTHER: return "other";
	}
	return "unknown";
}

const char *ifx_libc_name(enum ifx_libc libc)
{
	switch (libc) {
	case IFX_LIBC_NONE: return "none";
	case IFX_LIBC_GLIBC: return "glibc";
	case IFX_LIBC_MUSL: return "musl";
	case IFX_LIBC_UNKNOWN: return "unknown";
	case IFX_LIBC_BIONIC: return "bionic";
	}
	return "unknown";
}

const char *ifx_abi_name(enum ifx_abi abi)
{
	switch (abi) {
	case IFX_ABI_NONE: return NULL;
	case IFX_ABI_ARM_HARD: return "hard-float";
	case IFX_ABI_ARM_SOFT: return "soft-float";
	case IFX_ABI_RISCV_LP64D: return "lp64d";
	case IFX_ABI_RISCV_LP64F: return "lp64f";
	case IFX_ABI_RISCV_LP64: return "lp64";
	case IFX_ABI_PPC64_ELFV1: return "elfv1";
	case IFX_ABI_PPC64_ELFV2: return "elfv2";
	case IFX_ABI_MIPS_O32: return "o32";
	case IFX_ABI_MIPS_N32: return "n32";
	case IFX_ABI_MIPS_N64: return "n64";
	case IFX_ABI_LOONGARCH_LP64D: return "lp64d";
	case IFX_ABI_LOONGARCH_LP64F: return "lp64f";
	case IFX_ABI_LOONGARCH_LP64S: return "lp64s";
	}
	return NULL;
}

const char *ifx_loader_kind_name(enum ifx_loader_kind kind)
{
	switch (kind) {
	case IFX_LOADER_NONE: return "none";
	case IFX_LOADER_STANDARD: return "standard";
	case IFX_LOADER_OTHER_STANDARD: return "other-standard";
	case IFX_LOADER_LINUXBREW: return "linuxbrew";
	case IFX_LOADER_BREW_PLACEHOLDER: return "brew-placeholder";
	case IFX_LOADER_NIX: return "nix";
	case IFX_LOADER_MUSL_PREFIX: return "musl-prefix";
	case IFX_LOADER_RELATIVE: return "relative";
	case IFX_LOADER_CUSTOM: return "custom";
	}
	return "unknown";
}

const char *ifx__names_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

bool ifx__names_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ".<name>.interpfix-XXXXXX": the mark must be the last thing before the
 * suffix (a name may itself contain the mark) and <name> cannot be empty. */
IFX_API bool ifx_is_temp_name(const char *name)
{
	size_t len = strlen(name), mark_len = strlen(IFX_TEMP_MARK);
	const char *suffix;

	if (name[0] != '.' || len < 2 + mark_len + IFX_TEMP_SUFFIX_LEN)
		return false;
	suffix = name + len - IFX_TEMP_SUFFIX_LEN;
	if (memcmp(suffix - mark_len, IFX_TEMP_MARK, mark_len) != 0)
		return false;
	for (size_t i = 0; i < IFX_TEMP_SUFFIX_LEN; i++)
		if (suffix[i] == '\0' || strchr(IFX_TEMP_SUFFIX_CHARS, suffix[i]) == NULL)
			return false;
	return true;
}
