/* The loader table against binaries the installed toolchains link: the
 * standard loader we would choose must be the PT_INTERP their linker wrote.
 * gcc's specs pick the loader name from the same target flags the psABI
 * records in e_flags, and -mmusl gives musl's name, so libc-less links
 * check rows whose libc is not installed here. */
#include "config.h"

#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cmocka.h>

#include "internal.h"
#include "testhelp.h"

#ifndef EM_LOONGARCH
#define EM_LOONGARCH 258
#endif

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* One link by a real toolchain and what the result must say. */
struct build {
	const char *cc;
	const char *flags;     /* the variant, on top of the compiler's default */
	enum ifx_libc libc;    /* whose loader name the compiler writes */
	const char *machine;   /* ifx_machine_name we must report */
	enum ifx_abi abi;
	bool nan2008;
	bool no_row;           /* gcc names a loader the libc never built */
};

/* hello against each cross glibc (libc6-dev-*-cross), and musl-gcc. */
static const struct build hellos[] = {
	{ "x86_64-linux-gnu-gcc", "", IFX_LIBC_GLIBC, "x86_64", IFX_ABI_NONE, false, false },
	{ "i686-linux-gnu-gcc", "", IFX_LIBC_GLIBC, "i386", IFX_ABI_NONE, false, false },
	{ "x86_64-linux-gnux32-gcc", "", IFX_LIBC_GLIBC, "x32", IFX_ABI_NONE, false, false },
	{ "aarch64-linux-gnu-gcc", "", IFX_LIBC_GLIBC, "aarch64", IFX_ABI_NONE, false, false },
	{ "arm-linux-gnueabihf-gcc", "", IFX_LIBC_GLIBC, "arm", IFX_ABI_ARM_HARD, false, false },
	{ "arm-linux-gnueabi-gcc", "", IFX_LIBC_GLIBC, "arm", IFX_ABI_ARM_SOFT, false, false },
	{ "riscv64-linux-gnu-gcc", "", IFX_LIBC_GLIBC, "riscv64", IFX_ABI_RISCV_LP64D, false, false },
	{ "powerpc64le-linux-gnu-gcc", "", IFX_LIBC_GLIBC, "ppc64le", IFX_ABI_PPC64_ELFV2, false, false },
	{ "powerpc64-linux-gnu-gcc", "", IFX_LIBC_GLIBC, "ppc64", IFX_ABI_PPC64_ELFV1, false, false },
	{ "s390x-linux-gnu-gcc", "", IFX_LIBC_GLIBC, "s390x", IFX_ABI_NONE, false, false },
	{ "mips64el-linux-gnuabi64-gcc", "", IFX_LIBC_GLIBC, "mips64el", IFX_ABI_MIPS_N64, false, false },
	{ "mipsel-linux-gnu-gcc", "", IFX_LIBC_GLIBC, "mipsel", IFX_ABI_MIPS_O32, false, false },
	{ "musl-gcc", "", IFX_LIBC_MUSL, "x86_64", IFX_ABI_NONE, false, false },
};

#define G IFX_LIBC_GLIBC
#define M IFX_LIBC_MUSL
#define MIPS64 "mips64el-linux-gnuabi64-gcc"

/* Variants linked without a libc (-nostdlib): the loader name is still
 * the one gcc's spec and GNU ld write for these flags. */
static const struct build variants[] = {
	{ "x86_64-linux-gnu-gcc", "-mmusl", M, "x86_64", IFX_ABI_NONE, false, false },
	{ "x86_64-linux-gnu-gcc", "-mx32 -mmusl", M, "x32", IFX_ABI_NONE, false, false },
	{ "x86_64-linux-gnu-gcc", "-m32 -mmusl", M, "i386", IFX_ABI_NONE, false, false },
	{ "aarch64-linux-gnu-gcc", "-mbig-endian", G, "aarch64_be", IFX_ABI_NONE, false, false },
	{ "aarch64-linux-gnu-gcc", "-mmusl", M, "aarch64", IFX_ABI_NONE, false, false },
	{ "aarch64-linux-gnu-gcc", "-mmusl -mbig-endian", M, "aarch64_be", IFX_ABI_NONE, false, false },
	{ "arm-linux-gnueabihf-gcc", "-mbig-endian", G, "armeb", IFX_ABI_ARM_HARD, false, false },
	{ "arm-linux-gnueabi-gcc", "-mbig-endian", G, "armeb", IFX_ABI_ARM_SOFT, false, false },
	{ "arm-linux-gnueabihf-gcc", "-mmusl", M, "arm", IFX_ABI_ARM_HARD, false, false },
	{ "arm-linux-gnueabi-gcc", "-mmusl", M, "arm", IFX_ABI_ARM_SOFT, false, false },
	{ "arm-linux-gnueabihf-gcc", "-mmusl -mbig-endian", M, "armeb", IFX_ABI_ARM_HARD, false, false },
	{ "arm-linux-gnueabi-gcc", "-mmusl -mbig-endian", M, "armeb", IFX_ABI_ARM_SOFT, false, false },
	{ "riscv64-linux-gnu-gcc", "-march=rv64imac -mabi=lp64", G, "riscv64", IFX_ABI_RISCV_LP64, false, false },
	/* gcc names /lib/ld-linux-riscv64-lp64f.so.1, which glibc's
	 * riscv/shlib-versions has never built */
	{ "riscv64-linux-gnu-gcc", "-march=rv64imafc -mabi=lp64f", G, "riscv64", IFX_ABI_RISCV_LP64F, false, true },
	{ "riscv64-linux-gnu-gcc", "-mmusl", M, "riscv64", IFX_ABI_RISCV_LP64D, false, false },
	{ "riscv64-linux-gnu-gcc", "-mmusl -march=rv64imac -mabi=lp64", M, "riscv64", IFX_ABI_RISCV_LP64, false, false },
	{ "riscv64-linux-gnu-gcc", "-mmusl -march=rv64imafc -mabi=lp64f", M, "riscv64", IFX_ABI_RISCV_LP64F, false, false },
	{ "powerpc64-linux-gnu-gcc", "-mabi=elfv2", G, "ppc64", IFX_ABI_PPC64_ELFV2, false, false },
	{ "powerpc64-linux-gnu-gcc", "-mabi=elfv2 -mmusl", M, "ppc64", IFX_ABI_PPC64_ELFV2, false, false },
	{ "powerpc64le-linux-gnu-gcc", "-mmusl", M, "ppc64le", IFX_ABI_PPC64_ELFV2, false, false },
	{ "powerpc64-linux-gnu-gcc", "-m32", G, "ppc", IFX_ABI_NONE, false, false },
	{ "powerpc64-linux-gnu-gcc", "-m32 -mmusl", M, "ppc", IFX_ABI_NONE, false, false },
	{ "s390x-linux-gnu-gcc", "-m31", G, "s390", IFX_ABI_NONE, false, false },
	{ "s390x-linux-gnu-gcc", "-mmusl", M, "s390x", IFX_ABI_NONE, false, false },
	{ "mipsel-linux-gnu-gcc", "-EB", G, "mips", IFX_ABI_MIPS_O32, false, false },
	{ "mipsel-linux-gnu-gcc", "-mnan=2008", G, "mipsel", IFX_ABI_MIPS_O32, true, false },
	{ "mipsel-linux-gnu-gcc", "-EB -mnan=2008", G, "mips", IFX_ABI_MIPS_O32, true, false },
	{ "mipsel-linux-gnu-gcc", "-mmusl", M, "mipsel", IFX_ABI_MIPS_O32, false, false },
	{ "mipsel-linux-gnu-gcc", "-EB -mmusl", M, "mips", IFX_ABI_MIPS_O32, false, false },
	{ MIPS64, "-mabi=n32", G, "mipsel", IFX_ABI_MIPS_N32, false, false },
	{ MIPS64, "-mabi=n32 -EB", G, "mips", IFX_ABI_MIPS_N32, false, false },
	{ MIPS64, "-mabi=n32 -mnan=2008", G, "mipsel", IFX_ABI_MIPS_N32, true, false },
	{ MIPS64, "-mabi=n32 -EB -mnan=2008", G, "mips", IFX_ABI_MIPS_N32, true, false },
	{ MIPS64, "-mabi=n32 -mmusl", M, "mipsel", IFX_ABI_MIPS_N32, false, false },
	{ MIPS64, "-mabi=n32 -EB -mmusl", M, "mips", IFX_ABI_MIPS_N32, false, false },
	{ MIPS64, "-EB", G, "mips64", IFX_ABI_MIPS_N64, false, false },
	{ MIPS64, "-mnan=2008", G, "mips64el", IFX_ABI_MIPS_N64, true, false },
	{ MIPS64, "-EB -mnan=2008", G, "mips64", IFX_ABI_MIPS_N64, true, false },
	{ MIPS64, "-mmusl", M, "mips64el", IFX_ABI_MIPS_N64, false, false },
	{ MIPS64, "-EB -mmusl", M, "mips64", IFX_ABI_MIPS_N64, false, false },
};

static const char hello_c[] =
	"#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n";
static const char start_c[] = "void _start(void) { for (;;) ; }\n";

/* One link test: a build, hello or a libc-less variant, in its own
 * directory (made by the setup). */
struct link_test {
	const struct build *b;
	bool variant;
	char *dir;
	char name[128];
};

static int make_dir(void **state)
{
	struct link_test *t = *state;

	t->dir = th_tempdir();
	return t->dir == NULL ? -1 : 0;
}

static int remove_dir(void **state)
{
	struct link_test *t = *state;

	th_rmtree(t->dir);
	free(t->dir);
	t->dir = NULL;
	return 0;
}

/* Link src with b into dir; check what we say against the PT_INTERP. */
static void check_build(const char *dir, const char *src, const char *link_flags,
			const struct build *b)
{
	char *path, *out, *interp;
	const char *standard;
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
	struct ifx_error err;

	assert_true(asprintf(&path, "%s/a.out", dir) > 0);
	out = th_command_output("%s %s %s -o '%s' '%s' 2>&1 || echo FAILED",
				b->cc, b->flags, link_flags, path, src);
	assert_non_null(out);
	if (strstr(out, "FAILED") != NULL)
		fail_msg("%s %s: %s", b->cc, b->flags, out);
	interp = th_command_output("LC_ALL=C readelf -lW '%s' | sed -n 's/.*interpreter: \\(.*\\)]$/\\1/p'",
				   path);
	assert_non_null(interp);
	assert_int_equal(th_inspect(path, &info, &err), IFX_OK);
	print_message("# %s%s%s: %s\n", b->cc, b->flags[0] ? " " : "", b->flags, interp);
	assert_true(info.has_interp);
	assert_string_equal(info.interp, interp);
	assert_string_equal(ifx_machine_name(info.machine, info.elf_class, info.data),
			    b->machine);
	assert_int_equal(info.abi, b->abi);
	assert_int_equal(info.mips_nan2008, b->nan2008);
	standard = ifx_standard_loader(&info, b->libc);
	if (b->no_row) {
		assert_null(standard);
		assert_int_equal(ifx_loader_kind(&info), IFX_LOADER_CUSTOM);
	} else {
		assert_non_null(standard);
		assert_string_equal(standard, interp);
		assert_int_equal(ifx_loader_kind(&info), IFX_LOADER_STANDARD);
	}
	assert_int_equal(ifx_loader_libc_by_name(interp), b->libc);
	ifx_elf_info_free(&info);
	unlink(path);
	free(out);
	free(interp);
	free(path);
}

/* The compiler and readelf must be here: a skip naming the missing one,
 * or a failure under IFX_REQUIRE_FIXTURES=1 (th_have_tool's). */
static void test_link_names_the_standard_loader(void **state)
{
	struct link_test *t = *state;
	struct utsname u;
	char *src;

	if (!th_have_tool(t->b->cc))
		th_skip("needs %s", t->b->cc);
	if (!th_have_tool("readelf"))
		th_skip("needs readelf");
	/* musl-gcc targets the host, which its row says is x86_64 */
	if (strcmp(t->b->cc, "musl-gcc") == 0 && (uname(&u) != 0 || strcmp(u.machine, "x86_64") != 0))
		th_skip("musl-gcc: expects an x86_64 host");
	if (t->variant) {
		src = th_write_file(t->dir, "start.c", start_c, sizeof(start_c) - 1);
		assert_non_null(src);
		/* -pie makes GNU ld emit the dynamic sections, so PT_INTERP */
		check_build(t->dir, src, "-nostdlib -fPIE -pie", t->b);
	} else {
		src = th_write_file(t->dir, "hello.c", hello_c, sizeof(hello_c) - 1);
		assert_non_null(src);
		check_build(t->dir, src, "", t->b);
	}
	free(src);
}

static struct ifx_elf_info made(unsigned machine, int cls, int data, enum ifx_abi abi,
				bool nan2008, const char *interp, enum ifx_libc libc)
{
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);

	memset(&info, 0, sizeof(info));
	info.machine = machine;
	info.elf_class = cls;
	info.data = data;
	info.abi = abi;
	info.mips_nan2008 = nan2008;
	info.has_interp = interp != NULL;
	info.interp = (char *)interp;
	info.libc = libc;
	return info;
}

/* loongarch64 has no cross compiler in Debian 12, and some keys have no
 * loader at all. These repeat the table's data, so they only guard
 * against accidental edits (the rows come from glibc's loongarch
 * shlib-versions and musl's configure). */
static void test_rows_without_a_compiler(void **state)
{
	static const struct {
		unsigned machine;
		int cls, data;
		enum ifx_abi abi;
		enum ifx_libc libc;
		const char *path;  /* NULL: that libc has no loader there */
	} rows[] = {
		{ EM_LOONGARCH, 64, ELFDATA2LSB, IFX_ABI_LOONGARCH_LP64D, G,
		  "/lib64/ld-linux-loongarch-lp64d.so.1" },
		{ EM_LOONGARCH, 64, ELFDATA2LSB, IFX_ABI_LOONGARCH_LP64S, G,
		  "/lib64/ld-linux-loongarch-lp64s.so.1" },
		{ EM_LOONGARCH, 64, ELFDATA2LSB, IFX_ABI_LOONGARCH_LP64F, G, NULL },
		{ EM_LOONGARCH, 64, ELFDATA2LSB, IFX_ABI_LOONGARCH_LP64D, M,
		  "/lib/ld-musl-loongarch64.so.1" },
		{ EM_LOONGARCH, 64, ELFDATA2LSB, IFX_ABI_LOONGARCH_LP64S, M,
		  "/lib/ld-musl-loongarch64-sf.so.1" },
		{ EM_LOONGARCH, 64, ELFDATA2LSB, IFX_ABI_LOONGARCH_LP64F, M,
		  "/lib/ld-musl-loongarch64-sp.so.1" },
		{ EM_PPC64, 64, ELFDATA2MSB, IFX_ABI_PPC64_ELFV1, M, NULL },
		{ EM_S390, 32, ELFDATA2MSB, IFX_ABI_NONE, M, NULL },
		{ EM_RISCV, 64, ELFDATA2LSB, IFX_ABI_RISCV_LP64F, G, NULL },
		{ EM_SPARCV9, 64, ELFDATA2MSB, IFX_ABI_NONE, G, NULL },
		{ EM_X86_64, 64, ELFDATA2MSB, IFX_ABI_NONE, G, NULL },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct ifx_elf_info info = made(rows[i].machine, rows[i].cls, rows[i].data,
						rows[i].abi, false, NULL, IFX_LIBC_UNKNOWN);
		const char *got = ifx_standard_loader(&info, rows[i].libc);

		if (rows[i].path == NULL)
			assert_null(got);
		else
			assert_string_equal(got, rows[i].path);
	}
}

/* Every row is what a lookup with its own key returns (no earlier row
 * shadows it), its path names its libc, and it cites a source. */
static void test_every_row_is_reachable(void **state)
{
	(void)state;
	assert_true(ifx__loader_table_count > 0);
	for (size_t i = 0; i < ifx__loader_table_count; i++) {
		const struct loader_row *r = &ifx__loader_table[i];
		struct ifx_elf_info info = made(r->machine, r->elf_class, r->data, r->abi,
						r->nan2008 == 1, r->path, r->libc);

		assert_true(r->libc == IFX_LIBC_GLIBC || r->libc == IFX_LIBC_MUSL);
		assert_ptr_equal(ifx_standard_loader(&info, r->libc), r->path);
		assert_int_equal(ifx_loader_libc_by_name(r->path), r->libc);
		assert_int_equal(ifx_loader_kind(&info), IFX_LOADER_STANDARD);
		assert_true(r->path[0] == '/');
		assert_true(strncmp(r->source, "glibc ", 6) == 0 ||
			    strncmp(r->source, "musl ", 5) == 0);
	}
}

static void test_other_libcs_have_no_standard_loader(void **state)
{
	struct ifx_elf_info info = made(EM_X86_64, 64, ELFDATA2LSB, IFX_ABI_NONE, false,
					NULL, IFX_LIBC_UNKNOWN);

	(void)state;
	assert_null(ifx_standard_loader(&info, IFX_LIBC_UNKNOWN));
	assert_null(ifx_standard_loader(&info, IFX_LIBC_NONE));
	assert_null(ifx_standard_loader(NULL, IFX_LIBC_GLIBC));
}

static void test_libc_by_name(void **state)
{
	(void)state;
	assert_int_equal(ifx_loader_libc_by_name("/home/linuxbrew/.linuxbrew/lib/ld.so"),
			 IFX_LIBC_GLIBC);
	assert_int_equal(ifx_loader_libc_by_name("/usr/local/musl/lib/ld-musl-x86_64.so.1"),
			 IFX_LIBC_MUSL);
	assert_int_equal(ifx_loader_libc_by_name("ld64.so.2"), IFX_LIBC_GLIBC);
	assert_int_equal(ifx_loader_libc_by_name("/system/bin/linker64"), IFX_LIBC_UNKNOWN);
	assert_int_equal(ifx_loader_libc_by_name("/lib/ld-uClibc.so.0"), IFX_LIBC_UNKNOWN);
	assert_int_equal(ifx_loader_libc_by_name(NULL), IFX_LIBC_UNKNOWN);
}

struct kind_case {
	unsigned machine;
	int cls, data;
	enum ifx_abi abi;
	enum ifx_libc libc;
	const char *interp;
	enum ifx_loader_kind kind;
};

#define X86 EM_X86_64, 64, ELFDATA2LSB, IFX_ABI_NONE
#define NIX_HASH "0123456789abcdfghijklmnpqrsvwxyz"

static const struct kind_case kinds[] = {
	{ X86, G, NULL, IFX_LOADER_NONE },
	{ X86, G, "/lib64/ld-linux-x86-64.so.2", IFX_LOADER_STANDARD },
	{ X86, M, "/lib/ld-musl-x86_64.so.1", IFX_LOADER_STANDARD },
	/* a binary that does not say which libc: either loader is standard */
	{ X86, IFX_LIBC_UNKNOWN, "/lib/ld-musl-x86_64.so.1", IFX_LOADER_STANDARD },
	{ X86, IFX_LIBC_UNKNOWN, "/lib64/ld-linux-x86-64.so.2", IFX_LOADER_STANDARD },
	{ X86, G, "/lib/ld-musl-x86_64.so.1", IFX_LOADER_OTHER_STANDARD },
	{ X86, M, "/lib64/ld-linux-x86-64.so.2", IFX_LOADER_OTHER_STANDARD },
	{ X86, G, "/lib/ld-linux-aarch64.so.1", IFX_LOADER_OTHER_STANDARD },
	{ X86, G, "/lib/ld-musl-aarch64.so.1", IFX_LOADER_OTHER_STANDARD },
	/* go1.19 Linuxdynld defaults fall where the rules put them */
	{ EM_RISCV, 64, ELFDATA2LSB, IFX_ABI_RISCV_LP64D, G, "/lib/ld.so.1",
	  IFX_LOADER_OTHER_STANDARD },
	{ EM_S390, 64, ELFDATA2MSB, IFX_ABI_NONE, G, "/lib64/ld64.so.1",
	  IFX_LOADER_OTHER_STANDARD },
	{ EM_MIPS, 64, ELFDATA2LSB, IFX_ABI_MIPS_N64, G, "/lib64/ld64.so.1",
	  IFX_LOADER_OTHER_STANDARD },
	{ EM_LOONGARCH, 64, ELFDATA2LSB, IFX_ABI_LOONGARCH_LP64D, G, "/lib64/ld.so.1",
	  IFX_LOADER_OTHER_STANDARD },
	{ X86, G, "/home/linuxbrew/.linuxbrew/lib/ld.so", IFX_LOADER_LINUXBREW },
	{ X86, G, "/home/me/.linuxbrew/lib/ld.so", IFX_LOADER_LINUXBREW },
	{ X86, G, "/opt/HomeBrew/lib/ld.so", IFX_LOADER_LINUXBREW },
	{ X86, G, "/home/linuxbrew/.linuxbrew/opt/glibc/lib/ld-linux-x86-64.so.2",
	  IFX_LOADER_LINUXBREW },
	{ X86, G, "/home/me/.linuxbrew/opt/glibc/bin/ld.so", IFX_LOADER_LINUXBREW },
	{ X86, G, "/home/linuxbrew/.linuxbrew/Cellar/glibc/2.39/lib/ld-linux-x86-64.so.2",
	  IFX_LOADER_LINUXBREW },
	/* brew's words must be in the prefix, and the rest brew's layout */
	{ X86, G, "/usr/lib/ld.so", IFX_LOADER_CUSTOM },
	{ X86, G, "/opt/glibc/lib/ld-linux-x86-64.so.2", IFX_LOADER_CUSTOM },
	{ X86, G, "/srv/homebrew-notes/ld-linux-x86-64.so.2", IFX_LOADER_CUSTOM },
	{ X86, G, "/srv/lib/ld.so/linuxbrew", IFX_LOADER_CUSTOM },
	{ X86, G, "@@HOMEBREW_PREFIX@@/lib/ld.so", IFX_LOADER_BREW_PLACEHOLDER },
	{ X86, G, "@@HOMEBREW_PREFIX@@/opt/glibc/lib/ld-linux-x86-64.so.2",
	  IFX_LOADER_BREW_PLACEHOLDER },
	{ X86, G, "/nix/store/" NIX_HASH "-glibc-2.40-66/lib/ld-linux-x86-64.so.2",
	  IFX_LOADER_NIX },
	{ X86, M, "/nix/store/" NIX_HASH "-musl-1.2.5/lib/ld-musl-x86_64.so.1",
	  IFX_LOADER_NIX },
	/* e, o, t and u are not in nix-base32; the hash is 32 long; a name
	 * and a directory follow it */
	{ X86, G, "/nix/store/e123456789abcdfghijklmnpqrsvwxyz-glibc-2.40-66/lib/ld-linux-x86-64.so.2",
	  IFX_LOADER_CUSTOM },
	{ X86, G, "/nix/store/0123456789abcdfghijklmnpqrsvwxyo-glibc-2.40-66/lib/ld-linux-x86-64.so.2",
	  IFX_LOADER_CUSTOM },
	{ X86, G, "/nix/store/0123456789ABCDFGHIJKLMNPQRSVWXYZ-glibc-2.40-66/lib/ld-linux-x86-64.so.2",
	  IFX_LOADER_CUSTOM },
	{ X86, G, "/nix/store/123456789abcdfghijklmnpqrsvwxyz-glibc-2.40-66/lib/ld-linux-x86-64.so.2",
	  IFX_LOADER_CUSTOM },
	{ X86, G, "/nix/store/" NIX_HASH "0-glibc-2.40-66/lib/ld-linux-x86-64.so.2",
	  IFX_LOADER_CUSTOM },
	{ X86, G, "/nix/store/" NIX_HASH "-/lib/ld-linux-x86-64.so.2", IFX_LOADER_CUSTOM },
	{ X86, G, "/nix/store/" NIX_HASH "-ld-linux-x86-64.so.2", IFX_LOADER_CUSTOM },
	{ X86, M, "/usr/local/musl/lib/ld-musl-x86_64.so.1", IFX_LOADER_MUSL_PREFIX },
	{ X86, G, "/opt/musl/lib/ld-musl-aarch64.so.1", IFX_LOADER_MUSL_PREFIX },
	{ X86, M, "/opt/musl/lib/ld-musl-x86_64.so.2", IFX_LOADER_CUSTOM },
	{ X86, G, "lib/ld-linux-x86-64.so.2", IFX_LOADER_RELATIVE },
	{ X86, G, "./ld.so", IFX_LOADER_RELATIVE },
	{ X86, G, "", IFX_LOADER_RELATIVE },
	{ X86, G, "/opt/loader", IFX_LOADER_CUSTOM },
	{ X86, G, "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", IFX_LOADER_CUSTOM },
};

static void test_loader_kinds(void **state)
{
	int wrong = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
		const struct kind_case *c = &kinds[i];
		struct ifx_elf_info info = made(c->machine, c->cls, c->data, c->abi, false,
						c->interp, c->libc);
		enum ifx_loader_kind got = ifx_loader_kind(&info);

		if (got != c->kind) {
			print_message("# %s: %s, expected %s\n",
				      c->interp ? c->interp : "(no interpreter)",
				      ifx_loader_kind_name(got), ifx_loader_kind_name(c->kind));
			wrong++;
		}
	}
	assert_int_equal(wrong, 0);
}

static void test_no_duplicate_keys(void **state)
{
	(void)state;
	for (size_t i = 0; i < ifx__loader_table_count; i++)
		for (size_t k = i + 1; k < ifx__loader_table_count; k++) {
			const struct loader_row *a = &ifx__loader_table[i], *b = &ifx__loader_table[k];

			if (a->machine == b->machine && a->elf_class == b->elf_class &&
			    a->data == b->data && a->abi == b->abi &&
			    a->nan2008 == b->nan2008 && a->libc == b->libc)
				fail_msg("rows %zu and %zu share a key (%s)", i, k, b->path);
		}
}

#define N_LINKS (ARRAY_LEN(hellos) + ARRAY_LEN(variants))

int main(void)
{
	static struct link_test links[N_LINKS];
	struct CMUnitTest tests[N_LINKS + 6] = {
		[N_LINKS] = cmocka_unit_test(test_rows_without_a_compiler),
		cmocka_unit_test(test_every_row_is_reachable),
		cmocka_unit_test(test_other_libcs_have_no_standard_loader),
		cmocka_unit_test(test_libc_by_name),
		cmocka_unit_test(test_loader_kinds),
		cmocka_unit_test(test_no_duplicate_keys),
	};

	/* One test per link, named after it, so that each compiler missing
	 * is a skip of its own. */
	for (size_t i = 0; i < N_LINKS; i++) {
		struct link_test *t = &links[i];
		bool variant = i >= ARRAY_LEN(hellos);

		t->b = variant ? &variants[i - ARRAY_LEN(hellos)] : &hellos[i];
		t->variant = variant;
		snprintf(t->name, sizeof(t->name), "test_%s_names_the_standard_loader(%s%s%s)",
			 variant ? "variant" : "hello", t->b->cc, t->b->flags[0] ? " " : "",
			 t->b->flags);
		tests[i] = (struct CMUnitTest){
			.name = t->name,
			.test_func = test_link_names_the_standard_loader,
			.setup_func = make_dir,
			.teardown_func = remove_dir,
			.initial_state = t,
		};
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
