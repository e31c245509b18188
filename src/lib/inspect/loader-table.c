/*
 * The psABI-standard program interpreter per machine, class, byte order,
 * ABI and libc. Data only; loader-kind.c looks rows up.
 *
 * glibc: the "ld=" line of sysdeps/unix/sysv/linux/<arch>/shlib-versions
 * (the top-level shlib-versions default "ld=ld.so.1" where an arch has
 * none), in the directory LIBC_SLIBDIR_RTLDDIR names in that arch's
 * configure.ac (/lib unless it says otherwise: sysdeps/gnu/configure.ac).
 * musl: Makefile LDSO_PATHNAME = /lib/ld-musl-$(ARCH)$(SUBARCH).so.1, with
 * ARCH and SUBARCH from configure (the same as arch/<arch>/reloc.h
 * LDSO_ARCH). Read at bminor/glibc 04e750e and bminor/musl 86373b4.
 *
 * Only variants e_flags can tell apart have rows: musl's mips and powerpc
 * soft-float (-sf) and mips r6 loaders need .MIPS.abiflags or
 * .gnu.attributes, so the hard-float names stand for them.
 * tests/unit/test-loader-table.c checks every row but loongarch64 against
 * what Debian's cross gcc and GNU ld write (gcc -mmusl gives musl's names).
 */
#include "config.h"

#include <elf.h>

#include "internal.h"

#ifndef EM_LOONGARCH
#define EM_LOONGARCH 258
#endif

#define LSB ELFDATA2LSB
#define MSB ELFDATA2MSB
#define G IFX_LIBC_GLIBC
#define M IFX_LIBC_MUSL
#define ANY IFX_ABI_NONE

#define GLIBC_LINUX "glibc sysdeps/unix/sysv/linux/"

const struct loader_row ifx__loader_table[] = {
	/* x86: x32 is EM_X86_64 in ELFCLASS32 */
	{ EM_X86_64, 64, LSB, ANY, -1, G, "/lib64/ld-linux-x86-64.so.2",
	  GLIBC_LINUX "x86_64/64/shlib-versions, x86_64/64/configure.ac (lib64)" },
	{ EM_X86_64, 64, LSB, ANY, -1, M, "/lib/ld-musl-x86_64.so.1",
	  "musl Makefile LDSO_PATHNAME, arch/x86_64/reloc.h" },
	{ EM_X86_64, 32, LSB, ANY, -1, G, "/libx32/ld-linux-x32.so.2",
	  GLIBC_LINUX "x86_64/x32/shlib-versions, x86_64/x32/configure.ac (libx32)" },
	{ EM_X86_64, 32, LSB, ANY, -1, M, "/lib/ld-musl-x32.so.1",
	  "musl Makefile LDSO_PATHNAME, configure (__ILP32__), arch/x32/reloc.h" },
	{ EM_386, 32, LSB, ANY, -1, G, "/lib/ld-linux.so.2",
	  GLIBC_LINUX "i386/shlib-versions" },
	{ EM_386, 32, LSB, ANY, -1, M, "/lib/ld-musl-i386.so.1",
	  "musl Makefile LDSO_PATHNAME, arch/i386/reloc.h" },

	/* aarch64 */
	{ EM_AARCH64, 64, LSB, ANY, -1, G, "/lib/ld-linux-aarch64.so.1",
	  GLIBC_LINUX "aarch64/shlib-versions, aarch64/configure.ac (rtld lib)" },
	{ EM_AARCH64, 64, MSB, ANY, -1, G, "/lib/ld-linux-aarch64_be.so.1",
	  GLIBC_LINUX "aarch64/shlib-versions (HAVE_AARCH64_BE)" },
	{ EM_AARCH64, 64, LSB, ANY, -1, M, "/lib/ld-musl-aarch64.so.1",
	  "musl Makefile LDSO_PATHNAME, arch/aarch64/reloc.h" },
	{ EM_AARCH64, 64, MSB, ANY, -1, M, "/lib/ld-musl-aarch64_be.so.1",
	  "musl Makefile LDSO_PATHNAME, arch/aarch64/reloc.h (ENDIAN_SUFFIX)" },

	/* arm EABI5: the name follows the float ABI, not the byte order in
	 * glibc (armeb is one of scripts/build-many-glibcs.py's configs) */
	{ EM_ARM, 32, LSB, IFX_ABI_ARM_HARD, -1, G, "/lib/ld-linux-armhf.so.3",
	  GLIBC_LINUX "arm/shlib-versions (HAVE_ARM_PCS_VFP)" },
	{ EM_ARM, 32, LSB, IFX_ABI_ARM_SOFT, -1, G, "/lib/ld-linux.so.3",
	  GLIBC_LINUX "arm/shlib-versions" },
	{ EM_ARM, 32, MSB, IFX_ABI_ARM_HARD, -1, G, "/lib/ld-linux-armhf.so.3",
	  GLIBC_LINUX "arm/shlib-versions (HAVE_ARM_PCS_VFP)" },
	{ EM_ARM, 32, MSB, IFX_ABI_ARM_SOFT, -1, G, "/lib/ld-linux.so.3",
	  GLIBC_LINUX "arm/shlib-versions" },
	{ EM_ARM, 32, LSB, IFX_ABI_ARM_HARD, -1, M, "/lib/ld-musl-armhf.so.1",
	  "musl Makefile LDSO_PATHNAME, arch/arm/reloc.h (FP_SUFFIX)" },
	{ EM_ARM, 32, LSB, IFX_ABI_ARM_SOFT, -1, M, "/lib/ld-musl-arm.so.1",
	  "musl Makefile LDSO_PATHNAME, arch/arm/reloc.h" },
	{ EM_ARM, 32, MSB, IFX_ABI_ARM_HARD, -1, M, "/lib/ld-musl-armebhf.so.1",
	  "musl Makefile LDSO_PATHNAME, arch/arm/reloc.h (ENDIAN_SUFFIX FP_SUFFIX)" },
	{ EM_ARM, 32, MSB, IFX_ABI_ARM_SOFT, -1, M, "/lib/ld-musl-armeb.so.1",
	  "musl Makefile LDSO_PATHNAME, arch/arm/reloc.h (ENDIAN_SUFFIX)" },

	/* riscv64: glibc builds lp64d and lp64 only (no lp64f loader) */
	{ EM_RISCV, 64, LSB, IFX_ABI_RISCV_LP64D, -1, G, "/lib/ld-linux-riscv64-lp64d.so.1",
	  GLIBC_LINUX "riscv/shlib-versions, riscv/configure.ac (rtld lib)" },
	{ EM_RISCV, 64, LSB, IFX_ABI_RISCV_LP64, -1, G, "/lib/ld-linux-riscv64-lp64.so.1",
	  GLIBC_LINUX "riscv/shlib-versions, riscv/configure.ac (rtld lib)" },
	{ EM_RISCV, 64, LSB, IFX_ABI_RISCV_LP64D, -1, M, "/lib/ld-musl-riscv64.so.1",
	  "musl Makefile LDSO_PATHNAME, arch/riscv64/reloc.h" },
	{ EM_RISCV, 64, LSB, IFX_ABI_RISCV_LP64, -1, M, "/lib/ld-musl-riscv64-sf.so.1",
	  "musl Makefile LDSO_PATHNAME, configure (__riscv_float_abi_soft)" },
	{ EM_RISCV, 64, LSB, IFX_ABI_RISCV_LP64F, -1, M, "/lib/ld-musl-riscv64-sp.so.1",
	  "musl Makefile LDSO_PATHNAME, configure (__riscv_float_abi_single)" },

	/* powerpc: musl's configure refuses ppc64 ELFv1 */
	{ EM_PPC64, 64, MSB, IFX_ABI_PPC64_ELFV1, -1, G, "/lib64/ld64.so.1",
	  GLIBC_LINUX "powerpc/powerpc64/shlib-versions, powerpc64/configure.ac (lib64)" },
	{ EM_PPC64, 64, MSB, IFX_ABI_PPC64_ELFV2, -1, G, "/lib64/ld64.so.2",
	  GLIBC_LINUX "powerpc/powerpc64/shlib-versions (HAVE_ELFV2_ABI)" },
	{ EM_PPC64, 64, LSB, IFX_ABI_PPC64_ELFV2, -1, G, "/lib64/ld64.so.2",
	  GLIBC_LINUX "powerpc/powerpc64/shlib-versions (HAVE_ELFV2_ABI)" },
	{ EM_PPC64, 64, MSB, IFX_ABI_PPC64_ELFV2, -1, M, "/lib/ld-musl-powerpc64.so.1",
	  "musl Makefile LDSO_PATHNAME, arch/powerpc64/reloc.h" },
	{ EM_PPC64, 64, LSB, IFX_ABI_PPC64_ELFV2, -1, M, "/lib/ld-musl-powerpc64le.so.1",
	  "musl Makefile LDSO_PATHNAME, arch/powerpc64/reloc.h (ENDIAN_SUFFIX)" },
	{ EM_PPC, 32, MSB, ANY, -1, G, "/lib/ld.so.1",
	  "glibc shlib-versions (default ld=ld.so.1), sysdeps/gnu/configure.ac (lib)" },
	{ EM_PPC, 32, MSB, ANY, -1, M, "/lib/ld-musl-powerpc.so.1",
	  "musl Makefile LDSO_PATHNAME, arch/powerpc/reloc.h" },

	/* s390: the 64-bit loader is in /lib, not /lib64; musl has no s390 */
	{ EM_S390, 64, MSB, ANY, -1, G, "/lib/ld64.so.1",
	  GLIBC_LINUX "s390/s390-64/shlib-versions, s390-64/configure.ac (rtld lib)" },
	{ EM_S390, 64, MSB, ANY, -1, M, "/lib/ld-musl-s390x.so.1",
	  "musl Makefile LDSO_PATHNAME, arch/s390x/reloc.h" },
	{ EM_S390, 32, MSB, ANY, -1, G, "/lib/ld.so.1",
	  "glibc shlib-versions (default ld=ld.so.1; s390-32 sets none)" },

	/* mips: one name per NaN encoding, directory per ABI (o32 /lib) */
	{ EM_MIPS, 32, MSB, IFX_ABI_MIPS_O32, 0, G, "/lib/ld.so.1",
	  GLIBC_LINUX "mips/shlib-versions" },
	{ EM_MIPS, 32, LSB, IFX_ABI_MIPS_O32, 0, G, "/lib/ld.so.1",
	  GLIBC_LINUX "mips/shlib-versions" },
	{ EM_MIPS, 32, MSB, IFX_ABI_MIPS_O32, 1, G, "/lib/ld-linux-mipsn8.so.1",
	  GLIBC_LINUX "mips/shlib-versions (HAVE_MIPS_NAN2008)" },
	{ EM_MIPS, 32, LSB, IFX_ABI_MIPS_O32, 1, G, "/lib/ld-linux-mipsn8.so.1",
	  GLIBC_LINUX "mips/shlib-versions (HAVE_MIPS_NAN2008)" },
	{ EM_MIPS, 32, MSB, IFX_ABI_MIPS_N32, 0, G, "/lib32/ld.so.1",
	  GLIBC_LINUX "mips/shlib-versions, mips/configure.ac (n32: lib32)" },
	{ EM_MIPS, 32, LSB, IFX_ABI_MIPS_N32, 0, G, "/lib32/ld.so.1",
	  GLIBC_LINUX "mips/shlib-versions, mips/configure.ac (n32: lib32)" },
	{ EM_MIPS, 32, MSB, IFX_ABI_MIPS_N32, 1, G, "/lib32/ld-linux-mipsn8.so.1",
	  GLIBC_LINUX "mips/shlib-versions (HAVE_MIPS_NAN2008), mips/configure.ac (lib32)" },
	{ EM_MIPS, 32, LSB, IFX_ABI_MIPS_N32, 1, G, "/lib32/ld-linux-mipsn8.so.1",
	  GLIBC_LINUX "mips/shlib-versions (HAVE_MIPS_NAN2008), mips/configure.ac (lib32)" },
	{ EM_MIPS, 64, MSB, IFX_ABI_MIPS_N64, 0, G, "/lib64/ld.so.1",
	  GLIBC_LINUX "mips/shlib-versions, mips/configure.ac (n64: lib64)" },
	{ EM_MIPS, 64, LSB, IFX_ABI_MIPS_N64, 0, G, "/lib64/ld.so.1",
	  GLIBC_LINUX "mips/shlib-versions, mips/configure.ac (n64: lib64)" },
	{ EM_MIPS, 64, MSB, IFX_ABI_MIPS_N64, 1, G, "/lib64/ld-linux-mipsn8.so.1",
	  GLIBC_LINUX "mips/shlib-versions (HAVE_MIPS_NAN2008), mips/configure.ac (lib64)" },
	{ EM_MIPS, 64, LSB, IFX_ABI_MIPS_N64, 1, G, "/lib64/ld-linux-mipsn8.so.1",
	  GLIBC_LINUX "mips/shlib-versions (HAVE_MIPS_NAN2008), mips/configure.ac (lib64)" },
	{ EM_MIPS, 32, MSB, IFX_ABI_MIPS_O32, -1, M, "/lib/ld-musl-mips.so.1",
	  "musl Makefile LDSO_PATHNAME, arch/mips/reloc.h" },
	{ EM_MIPS, 32, LSB, IFX_ABI_MIPS_O32, -1, M, "/lib/ld-musl-mipsel.so.1",
	  "musl Makefile LDSO_PATHNAME, arch/mips/reloc.h (ENDIAN_SUFFIX)" },
	{ EM_MIPS, 32, MSB, IFX_ABI_MIPS_N32, -1, M, "/lib/ld-musl-mipsn32.so.1",
	  "musl Makefile LDSO_PATHNAME, configure (_MIPS_SIM), arch/mipsn32/reloc.h" },
	{ EM_MIPS, 32, LSB, IFX_ABI_MIPS_N32, -1, M, "/lib/ld-musl-mipsn32el.so.1",
	  "musl Makefile LDSO_PATHNAME, arch/mipsn32/reloc.h (ENDIAN_SUFFIX)" },
	{ EM_MIPS, 64, MSB, IFX_ABI_MIPS_N64, -1, M, "/lib/ld-musl-mips64.so.1",
	  "musl Makefile LDSO_PATHNAME, arch/mips64/reloc.h" },
	{ EM_MIPS, 64, LSB, IFX_ABI_MIPS_N64, -1, M, "/lib/ld-musl-mips64el.so.1",
	  "musl Makefile LDSO_PATHNAME, arch/mips64/reloc.h (ENDIAN_SUFFIX)" },

	/* loongarch64: glibc has no lp64f loader; musl has all three */
	{ EM_LOONGARCH, 64, LSB, IFX_ABI_LOONGARCH_LP64D, -1, G,
	  "/lib64/ld-linux-loongarch-lp64d.so.1",
	  GLIBC_LINUX "loongarch/shlib-versions, loongarch/configure.ac (rtld lib64)" },
	{ EM_LOONGARCH, 64, LSB, IFX_ABI_LOONGARCH_LP64S, -1, G,
	  "/lib64/ld-linux-loongarch-lp64s.so.1",
	  GLIBC_LINUX "loongarch/shlib-versions, loongarch/configure.ac (rtld lib64)" },
	{ EM_LOONGARCH, 64, LSB, IFX_ABI_LOONGARCH_LP64D, -1, M,
	  "/lib/ld-musl-loongarch64.so.1",
	  "musl Makefile LDSO_PATHNAME, arch/loongarch64/reloc.h" },
	{ EM_LOONGARCH, 64, LSB, IFX_ABI_LOONGARCH_LP64S, -1, M,
	  "/lib/ld-musl-loongarch64-sf.so.1",
	  "musl Makefile LDSO_PATHNAME, configure (__loongarch_soft_float)" },
	{ EM_LOONGARCH, 64, LSB, IFX_ABI_LOONGARCH_LP64F, -1, M,
	  "/lib/ld-musl-loongarch64-sp.so.1",
	  "musl Makefile LDSO_PATHNAME, configure (__loongarch_single_float)" },
};

const size_t ifx__loader_table_count = sizeof(ifx__loader_table) / sizeof(ifx__loader_table[0]);
