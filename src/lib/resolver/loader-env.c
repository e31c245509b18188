/*
 * What a loader searches, for one kind of binary on a host or in a sysroot:
 * the default directories, what $LIB and $PLATFORM expand to, the
 * capability subdirectories tried below every search directory, and the
 * ld.so.cache flags its libraries carry. These are compiled into ld.so, so
 * they are derived here from the binary and the tree's layout:
 * - Debian and Ubuntu build glibc with multiarch directories first
 *   ("/lib/<triplet>:/usr/lib/<triplet>:/lib:/usr/lib", $LIB = lib/<triplet>);
 *   other distributions use /lib64:/usr/lib64 (64-bit) or /lib:/usr/lib.
 * - glibc 2.33+ tries glibc-hwcaps/<level>/ for the levels this CPU has
 *   (elf/dl-hwcaps.c), and until 2.37 the legacy tls/ and AT_PLATFORM
 *   subdirectories (on x86_64: tls/x86_64/x86_64, tls/x86_64 twice, tls,
 *   x86_64/x86_64, x86_64 twice), then the directory itself. Checked against
 *   LD_DEBUG=libs of Debian 12's ld.so.
 * - musl has no capability subdirectories and no ld.so.cache.
 */
#include "config.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "internal.h"

/* sysdeps/generic/ldconfig.h */
#define FLAG_ELF_LIBC6 0x0003
#define FLAG_X8664_LIB64 0x0300
#define FLAG_S390_LIB64 0x0400
#define FLAG_POWERPC_LIB64 0x0500
#define FLAG_MIPS64_LIBN32 0x0600
#define FLAG_MIPS64_LIBN64 0x0700
#define FLAG_X8664_LIBX32 0x0800
#define FLAG_ARM_LIBHF 0x0900
#define FLAG_AARCH64_LIB64 0x0a00
#define FLAG_MIPS_LIB32_NAN2008 0x0c00
#define FLAG_MIPS64_LIBN32_NAN2008 0x0d00
#define FLAG_MIPS64_LIBN64_NAN2008 0x0e00
#define FLAG_RISCV_FLOAT_ABI_SOFT 0x0f00
#define FLAG_RISCV_FLOAT_ABI_DOUBLE 0x1000
#define FLAG_LARCH_FLOAT_ABI_SOFT 0x1100
#define FLAG_LARCH_FLOAT_ABI_DOUBLE 0x1200

struct arch_row {
	unsigned machine;
	int elf_class;
	int data;             /* 0: either */
	enum ifx_abi abi;     /* IFX_ABI_NONE: any */
	const char *triplet;  /* Debian's multiarch name */
	const char *platform; /* AT_PLATFORM as the kernel sets it */
	int cache_flags;      /* _DL_CACHE_DEFAULT_ID */
};

static const struct arch_row arch_rows[] = {
	{ EM_X86_64, 64, 0, IFX_ABI_NONE, "x86_64-linux-gnu", "x86_64", FLAG_ELF_LIBC6 | FLAG_X8664_LIB64 },
	{ EM_X86_64, 32, 0, IFX_ABI_NONE, "x86_64-linux-gnux32", "x86_64", FLAG_ELF_LIBC6 | FLAG_X8664_LIBX32 },
	{ EM_386, 32, 0, IFX_ABI_NONE, "i386-linux-gnu", "i686", FLAG_ELF_LIBC6 },
	{ EM_AARCH64, 64, ELFDATA2LSB, IFX_ABI_NONE, "aarch64-linux-gnu", "aarch64", FLAG_ELF_LIBC6 | FLAG_AARCH64_LIB64 },
	{ EM_AARCH64, 64, ELFDATA2MSB, IFX_ABI_NONE, "aarch64_be-linux-gnu", "aarch64_be", FLAG_ELF_LIBC6 | FLAG_AARCH64_LIB64 },
	{ EM_ARM, 32, 0, IFX_ABI_ARM_HARD, "arm-linux-gnueabihf", "v7l", FLAG_ELF_LIBC6 | FLAG_ARM_LIBHF },
	{ EM_ARM, 32, 0, IFX_ABI_ARM_SOFT, "arm-linux-gnueabi", "v5l", FLAG_ELF_LIBC6 },
	{ EM_S390, 64, 0, IFX_ABI_NONE, "s390x-linux-gnu", "z13", FLAG_ELF_LIBC6 | FLAG_S390_LIB64 },
	{ EM_S390, 32, 0, IFX_ABI_NONE, "s390-linux-gnu", "z13", FLAG_ELF_LIBC6 },
	{ EM_PPC64, 64, ELFDATA2LSB, IFX_ABI_NONE, "powerpc64le-linux-gnu", "power9", FLAG_ELF_LIBC6 | FLAG_POWERPC_LIB64 },
	{ EM_PPC64, 64, ELFDATA2MSB, IFX_ABI_NONE, "powerpc64-linux-gnu", "power8", FLAG_ELF_LIBC6 | FLAG_POWERPC_LIB64 },
	{ EM_PPC, 32, 0, IFX_ABI_NONE, "powerpc-linux-gnu", "ppc", FLAG_ELF_LIBC6 },
	{ EM_RISCV, 64, 0, IFX_ABI_RISCV_LP64D, "riscv64-linux-gnu", "", FLAG_ELF_LIBC6 | FLAG_RISCV_FLOAT_ABI_DOUBLE },
	{ EM_RISCV, 64, 0, IFX_ABI_NONE, "riscv64-linux-gnu", "", FLAG_ELF_LIBC6 | FLAG_RISCV_FLOAT_ABI_SOFT },
	{ EM_MIPS, 64, ELFDATA2LSB, IFX_ABI_MIPS_N64, "mips64el-linux-gnuabi64", "", FLAG_ELF_LIBC6 | FLAG_MIPS64_LIBN64 },
	{ EM_MIPS, 64, ELFDATA2MSB, IFX_ABI_MIPS_N64, "mips64-linux-gnuabi64", "", FLAG_ELF_LIBC6 | FLAG_MIPS64_LIBN64 },
	{ EM_MIPS, 32, ELFDATA2LSB, IFX_ABI_MIPS_N32, "mips64el-linux-gnuabin32", "", FLAG_ELF_LIBC6 | FLAG_MIPS64_LIBN32 },
	{ EM_MIPS, 32, ELFDATA2MSB, IFX_ABI_MIPS_N32, "mips64-linux-gnuabin32", "", FLAG_ELF_LIBC6 | FLAG_MIPS64_LIBN32 },
	{ EM_MIPS, 32, ELFDATA2LSB, IFX_ABI_NONE, "mipsel-linux-gnu", "", FLAG_ELF_LIBC6 },
	{ EM_MIPS, 32, ELFDATA2MSB, IFX_ABI_NONE, "mips-linux-gnu", "", FLAG_ELF_LIBC6 },
	{ EM_LOONGARCH, 64, 0, IFX_ABI_NONE, "loongarch64-linux-gnu", "", FLAG_ELF_LIBC6 | FLAG_LARCH_FLOAT_ABI_DOUBLE },
};

static const struct arch_row *arch_row_for(const struct ifx_elf_info *bin)
{
	for (size_t i = 0; i < sizeof(arch_rows) / sizeof(arch_rows[0]); i++) {
		const struct arch_row *r = &arch_rows[i];

		if (r->machine == bin->machine && r->elf_class == bin->elf_class &&
		    (r->data == 0 || r->data == bin->data) &&
		    (r->abi == IFX_ABI_NONE || r->abi == bin->abi))
			return r;
	}
	return NULL;
}

static bool is_dir(const char *root, const char *path)
{
	char *host = NULL;
	struct stat sb;
	bool yes;

	if (ifx__root_path_resolve(root, path, &host, NULL) != IFX_OK)
		return false;
	yes = stat(host, &sb) == 0 && S_ISDIR(sb.st_mode);
	free(host);
	return yes;
}

/* The x86-64 micro-architecture levels this CPU has, best first, as
 * glibc's sysdeps/x86/dl-hwcaps-subdirs.c decides them. */
static void x86_64_levels(struct dir_list *subdirs)
{
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11
	__builtin_cpu_init();
	if (__builtin_cpu_supports("x86-64-v4"))
		ifx__dir_list_add(subdirs, "glibc-hwcaps/x86-64-v4/");
	if (__builtin_cpu_supports("x86-64-v3"))
		ifx__dir_list_add(subdirs, "glibc-hwcaps/x86-64-v3/");
	if (__builtin_cpu_supports("x86-64-v2"))
		ifx__dir_list_add(subdirs, "glibc-hwcaps/x86-64-v2/");
#else
	(void)subdirs;
#endif
}

/* The glibc release of the loader at path ("2.36" -> 236), read from the
 * version banner ld.so prints for --version ("... release version 2.36"),
 * without running it; 0 when it cannot be told. */
static unsigned loader_release(const char *root, const char *path)
{
	static const char banner[] = "release version 2.";
	unsigned release = 0;
	char *host = NULL, *buf = NULL;
	size_t size = 0;
	FILE *f;

	if (path == NULL || ifx__root_path_resolve(root, path, &host, NULL) != IFX_OK)
		return 0;
	f = fopen(host, "rb");
	free(host);
	if (f == NULL)
		return 0;
	buf = malloc(4u << 20);
	if (buf != NULL)
		size = fread(buf, 1, 4u << 20, f);
	fclose(f);
	for (char *p = buf; p != NULL && (size_t)(p - buf) + sizeof(banner) < size;) {
		char *hit = memmem(p, size - (size_t)(p - buf), banner, sizeof(banner) - 1);
		unsigned minor = 0;

		if (hit == NULL)
			break;
		hit += sizeof(banner) - 1;
		while ((size_t)(hit - buf) < size && *hit >= '0' && *hit <= '9')
			minor = minor * 10 + (unsigned)(*hit++ - '0');
		if (minor > 0 && minor < 100) {
			release = 200 + minor;
			break;
		}
		p = hit;
	}
	free(buf);
	return release;
}

/* Whether this kernel runs bin's machine natively (uname -m, not our own
 * ELF header, which is wrong under valgrind or qemu); x86_64 kernels also
 * run i386 and x32 code. */
bool ifx__loader_env_native(const struct ifx_elf_info *bin)
{
	const char *want = ifx_machine_name(bin->machine, bin->elf_class, bin->data);
	struct utsname u;

	if (uname(&u) < 0 || want == NULL)
		return true;
	if (strcmp(want, u.machine) == 0)
		return true;
	return strcmp(u.machine, "x86_64") == 0 &&
	       (strcmp(want, "i386") == 0 || strcmp(want, "x32") == 0);
}

void ifx__loader_env_init(struct loader_env *env, const char *root,
		     const struct ifx_elf_info *bin, enum ifx_libc libc)
{
	const struct arch_row *row = arch_row_for(bin);
	struct utsname u;
	bool native = false;
	char dir[128];

	memset(env, 0, sizeof(*env));
	env->root = root != NULL && strcmp(root, "/") != 0 ? root : "";
	env->libc = libc;
	env->cache_flags = row != NULL ? row->cache_flags : -1;
	if (row != NULL) {
		snprintf(dir, sizeof(dir), "/lib/%s", row->triplet);
		if (is_dir(env->root, dir) ||
		    (snprintf(dir, sizeof(dir), "/usr/lib/%s", row->triplet), is_dir(env->root, dir)))
			snprintf(env->triplet, sizeof(env->triplet), "%s", row->triplet);
		snprintf(env->platform, sizeof(env->platform), "%s", row->platform);
	}
	if (libc == IFX_LIBC_MUSL)
		return; /* musl: see lib-search.c; none of the below applies */

	if (env->triplet[0] != '\0') {
		snprintf(env->lib, sizeof(env->lib), "lib/%s", env->triplet);
		snprintf(dir, sizeof(dir), "/lib/%s", env->triplet);
		ifx__dir_list_add(&env->system_dirs, dir);
		snprintf(dir, sizeof(dir), "/usr/lib/%s", env->triplet);
		ifx__dir_list_add(&env->system_dirs, dir);
		ifx__dir_list_add(&env->system_dirs, "/lib");
		ifx__dir_list_add(&env->system_dirs, "/usr/lib");
	} else if (bin->elf_class == 64 && is_dir(env->root, "/lib64") &&
		   bin->machine != EM_AARCH64 && bin->machine != EM_RISCV) {
		snprintf(env->lib, sizeof(env->lib), "lib64");
		ifx__dir_list_add(&env->system_dirs, "/lib64");
		ifx__dir_list_add(&env->system_dirs, "/usr/lib64");
	} else {
		snprintf(env->lib, sizeof(env->lib), "lib");
		ifx__dir_list_add(&env->system_dirs, "/lib");
		ifx__dir_list_add(&env->system_dirs, "/usr/lib");
	}

	/* Capability subdirectories depend on the CPU that runs the binary:
	 * known for the host's own machine only. The legacy ones went away
	 * in glibc 2.37. */
	env->release = loader_release(env->root, bin->interp != NULL ? bin->interp
						: ifx_standard_loader(bin, IFX_LIBC_GLIBC));
	env->legacy_hwcaps = env->release == 0 || env->release < 237;
	native = uname(&u) == 0 && bin->machine == EM_X86_64 && bin->elf_class == 64 &&
		 strcmp(u.machine, "x86_64") == 0;
	if (native)
		x86_64_levels(&env->hwcaps);
	for (size_t i = 0; i < env->hwcaps.count; i++)
		ifx__dir_list_add_dup(&env->subdirs, env->hwcaps.items[i]);
	if (native && env->legacy_hwcaps) {
		static const char *const legacy[] = { "tls/x86_64/x86_64/", "tls/x86_64/", "tls/x86_64/",
						      "tls/", "x86_64/x86_64/", "x86_64/", "x86_64/" };

		for (size_t i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++)
			ifx__dir_list_add_dup(&env->subdirs, legacy[i]);
	}
	ifx__dir_list_add_dup(&env->subdirs, "");
}

void ifx__loader_env_free(struct loader_env *env)
{
	ifx__dir_list_free(&env->system_dirs);
	ifx__dir_list_free(&env->subdirs);
	ifx__dir_list_free(&env->hwcaps);
}
