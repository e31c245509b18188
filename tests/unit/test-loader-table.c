/* The loader table against binaries Debian's cross compilers link: the
 * standard loader we would choose must be the PT_INTERP their linker wrote. */
#include "config.h"

#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "testhelp.h"

struct cross {
	const char *compiler;
	const char *machine;  /* uname -m name we must report */
	enum ifx_abi abi;
};

static const struct cross crosses[] = {
	{ "x86_64-linux-gnu-gcc", "x86_64", IFX_ABI_NONE },
	{ "i686-linux-gnu-gcc", "i386", IFX_ABI_NONE },
	{ "x86_64-linux-gnux32-gcc", "x32", IFX_ABI_NONE },
	{ "aarch64-linux-gnu-gcc", "aarch64", IFX_ABI_NONE },
	{ "arm-linux-gnueabihf-gcc", "arm", IFX_ABI_ARM_HARD },
	{ "arm-linux-gnueabi-gcc", "arm", IFX_ABI_ARM_SOFT },
	{ "riscv64-linux-gnu-gcc", "riscv64", IFX_ABI_RISCV_LP64D },
	{ "powerpc64le-linux-gnu-gcc", "ppc64le", IFX_ABI_PPC64_ELFV2 },
	{ "powerpc64-linux-gnu-gcc", "ppc64", IFX_ABI_PPC64_ELFV1 },
	{ "s390x-linux-gnu-gcc", "s390x", IFX_ABI_NONE },
	{ "mips64el-linux-gnuabi64-gcc", "mips64el", IFX_ABI_MIPS_N64 },
	{ "mipsel-linux-gnu-gcc", "mipsel", IFX_ABI_MIPS_O32 },
};

static bool require_all(void)
{
	const char *r = getenv("IFX_REQUIRE_FIXTURES");

	return r != NULL && strcmp(r, "1") == 0;
}

/* Link hello with compiler; check what we say against what it wrote. */
static void check_compiler(const char *dir, const struct cross *c, enum ifx_libc libc)
{
	char *out, *interp, *path;
	struct ifx_elf_info info;
	struct ifx_error err;

	assert_int_equal(asprintf(&path, "%s/%s", dir, c->compiler) > 0, 1);
	out = th_command_output("%s -o '%s' '%s/samples/hello.c' 2>&1 && echo ok",
				c->compiler, path, getenv("IFX_SRCDIR"));
	assert_non_null(strstr(out, "ok"));
	interp = th_command_output("LC_ALL=C readelf -lW '%s' | sed -n 's/.*interpreter: \\(.*\\)]/\\1/p'",
				   path);
	assert_int_equal(th_inspect(path, &info, &err), IFX_OK);
	assert_string_equal(ifx_machine_name(info.machine, info.elf_class, info.data),
			    c->machine);
	assert_int_equal(info.abi, c->abi);
	assert_non_null(ifx_standard_loader(&info, libc));
	assert_string_equal(ifx_standard_loader(&info, libc), interp);
	assert_int_equal(ifx_loader_kind(&info), IFX_LOADER_STANDARD);
	print_message("# %s: %s\n", c->compiler, interp);
	ifx_elf_info_free(&info);
	free(out);
	free(interp);
	free(path);
}

static void test_cross_compilers_agree(void **state)
{
	char *dir = th_tempdir();
	int tried = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(crosses) / sizeof(crosses[0]); i++) {
		char *found = th_command_output("command -v %s", crosses[i].compiler);

		if (found[0] == '\0') {
			print_message("# %s not installed\n", crosses[i].compiler);
			assert_false(require_all());
		} else {
			check_compiler(dir, &crosses[i], IFX_LIBC_GLIBC);
			tried++;
		}
		free(found);
	}
	assert_true(tried > 0);
	th_rmtree(dir);
	free(dir);
}

static void test_musl_gcc_agrees(void **state)
{
	static const struct cross musl = { "musl-gcc", "x86_64", IFX_ABI_NONE };
	char *dir = th_tempdir(), *found = th_command_output("command -v musl-gcc");

	(void)state;
	if (found[0] != '\0')
		check_compiler(dir, &musl, IFX_LIBC_MUSL);
	else
		assert_false(require_all());
	th_rmtree(dir);
	free(dir);
	free(found);
}

static struct ifx_elf_info made(unsigned machine, int cls, int data, enum ifx_abi abi,
				bool nan2008, const char *interp)
{
	struct ifx_elf_info info;

	memset(&info, 0, sizeof(info));
	info.machine = machine;
	info.elf_class = cls;
	info.data = data;
	info.abi = abi;
	info.mips_nan2008 = nan2008;
	info.has_interp = interp != NULL;
	info.interp = (char *)interp;
	info.libc = IFX_LIBC_UNKNOWN;
	return info;
}

/* Rows no compiler here can check: these only guard against edits. */
static void test_rows_without_a_compiler(void **state)
{
	struct ifx_elf_info la = made(258, 64, ELFDATA2LSB, IFX_ABI_LOONGARCH_LP64D, false, NULL);
	struct ifx_elf_info n32 = made(EM_MIPS, 32, ELFDATA2MSB, IFX_ABI_MIPS_N32, true, NULL);
	struct ifx_elf_info be = made(EM_AARCH64, 64, ELFDATA2MSB, IFX_ABI_NONE, false, NULL);
	struct ifx_elf_info v1 = made(EM_PPC64, 64, ELFDATA2MSB, IFX_ABI_PPC64_ELFV1, false, NULL);
	struct ifx_elf_info rvf = made(EM_RISCV, 64, ELFDATA2LSB, IFX_ABI_RISCV_LP64F, false, NULL);

	(void)state;
	assert_string_equal(ifx_standard_loader(&la, IFX_LIBC_GLIBC),
			    "/lib64/ld-linux-loongarch-lp64d.so.1");
	assert_string_equal(ifx_standard_loader(&n32, IFX_LIBC_GLIBC),
			    "/lib32/ld-linux-mipsn8.so.1");
	assert_string_equal(ifx_standard_loader(&be, IFX_LIBC_MUSL),
			    "/lib/ld-musl-aarch64_be.so.1");
	assert_null(ifx_standard_loader(&v1, IFX_LIBC_MUSL));   /* musl: no ELFv1 */
	assert_null(ifx_standard_loader(&rvf, IFX_LIBC_GLIBC)); /* glibc: no lp64f */
}

static void test_loader_kinds(void **state)
{
	static const struct { const char *interp; enum ifx_loader_kind kind; } cases[] = {
		{ "/lib64/ld-linux-x86-64.so.2", IFX_LOADER_STANDARD },
		{ "/home/linuxbrew/.linuxbrew/lib/ld.so", IFX_LOADER_LINUXBREW },
		{ "/home/me/.linuxbrew/lib/ld.so", IFX_LOADER_LINUXBREW },
		{ "/opt/homebrew/opt/glibc/lib/ld-linux-x86-64.so.2", IFX_LOADER_LINUXBREW },
		{ "@@HOMEBREW_PREFIX@@/lib/ld.so", IFX_LOADER_BREW_PLACEHOLDER },
		{ "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-glibc-2.40-66/lib/ld-linux-x86-64.so.2",
		  IFX_LOADER_NIX },
		/* 'e' is not in Nix's base-32 alphabet */
		{ "/nix/store/e123456789abcdfghijklmnpqrsvwxyz-glibc-2.40-66/lib/ld-linux-x86-64.so.2",
		  IFX_LOADER_CUSTOM },
		{ "/usr/local/musl/lib/ld-musl-x86_64.so.1", IFX_LOADER_MUSL_PREFIX },
		{ "lib/ld-linux-x86-64.so.2", IFX_LOADER_RELATIVE },
		{ "/lib/ld-linux-aarch64.so.1", IFX_LOADER_OTHER_STANDARD },
		{ "/opt/loader", IFX_LOADER_CUSTOM },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ifx_elf_info info = made(EM_X86_64, 64, ELFDATA2LSB, IFX_ABI_NONE,
						false, cases[i].interp);

		assert_string_equal(ifx_loader_kind_name(ifx_loader_kind(&info)),
				    ifx_loader_kind_name(cases[i].kind));
	}
}

static void test_no_duplicate_keys(void **state)
{
	(void)state;
	for (size_t i = 0; i < loader_table_count; i++)
		for (size_t k = i + 1; k < loader_table_count; k++) {
			const struct loader_row *a = &loader_table[i], *b = &loader_table[k];

			assert_false(a->machine == b->machine && a->elf_class == b->elf_class &&
				     a->data == b->data && a->abi == b->abi &&
				     a->nan2008 == b->nan2008 && a->libc == b->libc);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cross_compilers_agree),
		cmocka_unit_test(test_musl_gcc_agrees),
		cmocka_unit_test(test_rows_without_a_compiler),
		cmocka_unit_test(test_loader_kinds),
		cmocka_unit_test(test_no_duplicate_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
