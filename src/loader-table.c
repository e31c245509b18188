/*
 * The psABI-standard program interpreter per machine, class, byte order,
 * ABI and libc. Data only; loader-kind.c looks rows up.
 * glibc: sysdeps/unix/sysv/linux/<arch>/shlib-versions ("ld=" lines) with
 * the directory from LIBC_SLIBDIR_RTLDDIR in sysdeps/.../configure.ac.
 * musl: Makefile LDSO_PATHNAME = /lib/ld-musl-$(ARCH)$(SUBARCH).so.1, with
 * SUBARCH from configure (arch/<arch>/reloc.h LDSO_ARCH).
 * Rows were cross-checked with `gcc -dumpspecs` of Debian's cross
 * compilers and with binaries they link (tests/unit/test-loader-table.c).
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

const struct loader_row loader_table[] = {
	{ EM_X86_64, 64, LSB, ANY, -1, G, "/lib64/ld-linux-x86-64.so.2",
	  "glibc sysdeps/unix/sysv/linux/x86_64/64/shlib-versions" },
	{ EM_X86_64, 64, LSB, ANY, -1, M, "/lib/ld-musl-x86_64.so.1",
	  "musl Makefile, arch/x86_64" },
	{ EM_X86_64, 32, LSB, ANY, -1, G, "/libx32/ld-linux-x32.so.2",
	  "glibc sysdeps/unix/sysv/linux/x86_64/x32/shlib-versions" },
	{ EM_X86_64, 32, LSB, ANY, -1, M, "/lib/ld-musl-x32.so.1",
	  "musl Makefile, arch/x32" },
	{ EM_386, 32, LSB, ANY, -1, G, "/lib/ld-linux.so.2",
	  "glibc sysdeps/unix/sysv/linux/i386/shlib-versions" },
	{ EM_386, 32, LSB, ANY, -1, M, "/lib/ld-musl-i386.so.1",
	  "musl Makefile, arch/i386" },
	{ EM_AARCH64, 64, LSB, ANY, -1, G, "/lib/ld-linux-aarch64.so.1",
	  "glibc sysdeps/unix/sysv/linux/aarch64/shlib-versions" },
	{ EM_AARCH64, 64, MSB, ANY, -1, G, "/lib/ld-linux-aarch64_be.so.1",
	  "glibc sysdeps/unix/sysv/linux/aarch64/shlib-versions" },
	{ EM_AARCH64, 64, LSB, ANY, -1, M, "/lib/ld-musl-aarch64.so.1",
	  "musl Makefile, arch/aarch64/reloc.h" },
	{ EM_AARCH64, 64, MSB, ANY, -1, M, "/lib/ld-musl-aarch64_be.so.1",
	  "musl Makefile, arch/aarch64/reloc.h" },
	{ EM_ARM, 32, LSB, IFX_ABI_ARM_HARD, -1, G, "/lib/ld-linux-armhf.so.3",
	  "glibc sysdeps/unix/sysv/linux/arm/shlib-versions" },
	{ EM_ARM, 32, LSB, IFX_ABI_ARM_SOFT, -1, G, "/lib/ld-linux.so.3",
	  "glibc sysdeps/unix/sysv/linux/arm/shlib-versions" },
	{ EM_ARM, 32, MSB, IFX_ABI_ARM_HARD, -1, G, "/lib/ld-linux-armhf.so.3",
	  "glibc sysdeps/unix/sysv/linux/arm/shlib-versions" },
	{ EM_ARM, 32, MSB, IFX_ABI_ARM_SOFT, -1, G, "/lib/ld-linux.so.3",
	  "glibc sysdeps/unix/sysv/linux/arm/shlib-versions" },
	{ EM_ARM, 32, LSB, IFX_ABI_ARM_HARD, -1, M, "/lib/ld-musl-armhf.so.1",
	  "musl Makefile, arch/arm/reloc.h" },
	{ EM_ARM, 32, LSB, IFX_ABI_ARM_SOFT, -1, M, "/lib/ld-musl-arm.so.1",
	  "musl Makefile, arch/arm/reloc.h" },
	{ EM_ARM, 32, MSB, IFX_ABI_ARM_HARD, -1, M, "/lib/ld-musl-armebhf.so.1",
	  "musl Makefile, arch/arm/reloc.h" },
	{ EM_ARM, 32, MSB, IFX_ABI_ARM_SOFT, -1, M, "/lib/ld-musl-armeb.so.1",
	  "musl Makefile, arch/arm/reloc.h" },
	{ EM_RISCV, 64, LSB, IFX_ABI_RISCV_LP64D, -1, G, "/lib/ld-linux-riscv64-lp64d.so.1",
	  "glibc sysdeps/unix/sysv/linux/riscv/shlib-versions" },
	{ EM_RISCV, 64, LSB, IFX_ABI_RISCV_LP64, -1, G, "/lib/ld-linux-riscv64-lp64.so.1",
	  "glibc sysdeps/unix/sysv/linux/riscv/shlib-versions" },
	{ EM_RISCV, 64, LSB, IFX_ABI_RISCV_LP64D, -1, M, "/lib/ld-musl-riscv64.so.1",
	  "musl Makefile, arch/riscv64/reloc.h" },
	{ EM_RISCV, 64, LSB, IFX_ABI_RISCV_LP64, -1, M, "/lib/ld-musl-riscv64-sf.so.1",
	  "musl Makefile, arch/riscv64/reloc.h" },
	{ EM_RISCV, 64, LSB, IFX_ABI_RISCV_LP64F, -1, M, "/lib/ld-musl-riscv64-sp.so.1",
	  "musl Makefile, arch/riscv64/reloc.h" },
	{ EM_PPC64, 64, MSB, IFX_ABI_PPC64_ELFV1, -1, G, "/lib64/ld64.so.1",
	  "glibc sysdeps/unix/sysv/linux/powerpc/powerpc64/shlib-versions" },
	{ EM_PPC64, 64, MSB, IFX_ABI_PPC64_ELFV2, -1, G, "/lib64/ld64.so.2",
	  "glibc sysdeps/unix/sysv/linux/powerpc/powerpc64/shlib-versions" },
	{ EM_PPC64, 64, LSB, IFX_ABI_PPC64_ELFV2, -1, G, "/lib64/ld64.so.2",
	  "glibc sysdeps/unix/sysv/linux/powerpc/powerpc64/shlib-versions" },
	{ EM_PPC64, 64, MSB, IFX_ABI_PPC64_ELFV2, -1, M, "/lib/ld-musl-powerpc64.so.1",
	  "musl Makefile, arch/powerpc64/reloc.h" },
	{ EM_PPC64, 64, LSB, IFX_ABI_PPC64_ELFV2, -1, M, "/lib/ld-musl-powerpc64le.so.1",
	  "musl Makefile, arch/powerpc64/reloc.h" },
	{ EM_PPC, 32, MSB, ANY, -1, G, "/lib/ld.so.1",
	  "glibc sysdeps/unix/sysv/linux/powerpc/powerpc32/shlib-versions" },
	{ EM_PPC, 32, MSB, ANY, -1, M, "/lib/ld-musl-powerpc.so.1",
	  "musl Makefile, arch/powerpc/reloc.h" },
	{ EM_S390, 64, MSB, ANY, -1, G, "/lib/ld64.so.1",
	  "glibc sysdeps/unix/sysv/linux/s390/s390-64/shlib-versions" },
	{ EM_S390, 64, MSB, ANY, -1, M, "/lib/ld-musl-s390x.so.1",
	  "musl Makefile, arch/s390x" },
	{ EM_S390, 32, MSB, ANY, -1, G, "/lib/ld.so.1",
	  "glibc sysdeps/unix/sysv/linux/s390/s390-32/shlib-versions" },
	{ EM_MIPS, 32, MSB, IFX_ABI_MIPS_O32, 0, G, "/lib/ld.so.1",
	  "glibc sysdeps/unix/sysv/linux/mips/shlib-versions" },
	{ EM_MIPS, 32, LSB, IFX_ABI_MIPS_O32, 0, G, "/lib/ld.so.1",
	  "glibc sysdeps/unix/sysv/linux/mips/shlib-versions" },
	{ EM_MIPS, 32, MSB, IFX_ABI_MIPS_O32, 1, G, "/lib/ld-linux-mipsn8.so.1",
	  "glibc sysdeps/unix/sysv/linux/mips/shlib-versions" },
	{ EM_MIPS, 32, LSB, IFX_ABI_MIPS_O32, 1, G, "/lib/ld-linux-mipsn8.so.1",
	  "glibc sysdeps/unix/sysv/linux/mips/shlib-versions" },
	{ EM_MIPS, 32, MSB, IFX_ABI_MIPS_N32, 0, G, "/lib32/ld.so.1",
	  "glibc sysdeps/unix/sysv/linux/mips/shlib-versions" },
	{ EM_MIPS, 32, LSB, IFX_ABI_MIPS_N32, 0, G, "/lib32/ld.so.1",
	  "glibc sysdeps/unix/sysv/linux/mips/shlib-versions" },
	{ EM_MIPS, 32, MSB, IFX_ABI_MIPS_N32, 1, G, "/lib32/ld-linux-mipsn8.so.1",
	  "glibc sysdeps/unix/sysv/linux/mips/shlib-versions" },
	{ EM_MIPS, 32, LSB, IFX_ABI_MIPS_N32, 1, G, "/lib32/ld-linux-mipsn8.so.1",
	  "glibc sysdeps/unix/sysv/linux/mips/shlib-versions" },
	{ EM_MIPS, 64, MSB, IFX_ABI_MIPS_N64, 0, G, "/lib64/ld.so.1",
	  "glibc sysdeps/unix/sysv/linux/mips/shlib-versions" },
	{ EM_MIPS, 64, LSB, IFX_ABI_MIPS_N64, 0, G, "/lib64/ld.so.1",
	  "glibc sysdeps/unix/sysv/linux/mips/shlib-versions" },
	{ EM_MIPS, 64, MSB, IFX_ABI_MIPS_N64, 1, G, "/lib64/ld-linux-mipsn8.so.1",
	  "glibc sysdeps/unix/sysv/linux/mips/shlib-versions" },
	{ EM_MIPS, 64, LSB, IFX_ABI_MIPS_N64, 1, G, "/lib64/ld-linux-mipsn8.so.1",
	  "glibc sysdeps/unix/sysv/linux/mips/shlib-versions" },
	{ EM_MIPS, 32, MSB, IFX_ABI_MIPS_O32, -1, M, "/lib/ld-musl-mips.so.1",
	  "musl Makefile, arch/mips/reloc.h" },
	{ EM_MIPS, 32, LSB, IFX_ABI_MIPS_O32, -1, M, "/lib/ld-musl-mipsel.so.1",
	  "musl Makefile, arch/mips/reloc.h" },
	{ EM_MIPS, 32, MSB, IFX_ABI_MIPS_N32, -1, M, "/lib/ld-musl-mipsn32.so.1",
	  "musl Makefile, arch/mipsn32/reloc.h" },
	{ EM_MIPS, 32, LSB, IFX_ABI_MIPS_N32, -1, M, "/lib/ld-musl-mipsn32el.so.1",
	  "musl Makefile, arch/mipsn32/reloc.h" },
	{ EM_MIPS, 64, MSB, IFX_ABI_MIPS_N64, -1, M, "/lib/ld-musl-mips64.so.1",
	  "musl Makefile, arch/mips64/reloc.h" },
	{ EM_MIPS, 64, LSB, IFX_ABI_MIPS_N64, -1, M, "/lib/ld-musl-mips64el.so.1",
	  "musl Makefile, arch/mips64/reloc.h" },
	{ EM_LOONGARCH, 64, LSB, IFX_ABI_LOONGARCH_LP64D, -1, G,
	  "/lib64/ld-linux-loongarch-lp64d.so.1",
	  "glibc sysdeps/unix/sysv/linux/loongarch/lp64/shlib-versions" },
	{ EM_LOONGARCH, 64, LSB, IFX_ABI_LOONGARCH_LP64S, -1, G,
	  "/lib64/ld-linux-loongarch-lp64s.so.1",
	  "glibc sysdeps/unix/sysv/linux/loongarch/lp64/shlib-versions" },
	{ EM_LOONGARCH, 64, LSB, IFX_ABI_LOONGARCH_LP64D, -1, M,
	  "/lib/ld-musl-loongarch64.so.1", "musl Makefile, arch/loongarch64/reloc.h" },
	{ EM_LOONGARCH, 64, LSB, IFX_ABI_LOONGARCH_LP64S, -1, M,
	  "/lib/ld-musl-loongarch64-sf.so.1", "musl Makefile, arch/loongarch64/reloc.h" },
};

const size_t loader_table_count = sizeof(loader_table) / sizeof(loader_table[0]);
