/* ifx_inspect_fd on binaries from real toolchains, checked against what
 * each toolchain is known to produce and against readelf. */
#include "config.h"

#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "interpfix.h"
#include "testhelp.h"

struct expect {
	const char *fixture;
	int elf_class;
	int data;
	const char *machine;
	unsigned type;
	enum ifx_linkage linkage;
	enum ifx_libc libc;
	const char *interp;     /* NULL: none */
	const char *needed0;    /* first NEEDED, or NULL for none */
	bool go;
};

static const struct expect expectations[] = {
	{ "gcc-pie", 64, ELFDATA2LSB, "x86_64", ET_DYN, IFX_LINK_DYNAMIC, IFX_LIBC_GLIBC,
	  "/lib64/ld-linux-x86-64.so.2", "libc.so.6", false },
	{ "gcc-nopie", 64, ELFDATA2LSB, "x86_64", ET_EXEC, IFX_LINK_DYNAMIC, IFX_LIBC_GLIBC,
	  "/lib64/ld-linux-x86-64.so.2", "libc.so.6", false },
	{ "gold", 64, ELFDATA2LSB, "x86_64", ET_DYN, IFX_LINK_DYNAMIC, IFX_LIBC_GLIBC,
	  "/lib64/ld-linux-x86-64.so.2", "libc.so.6", false },
	{ "lld", 64, ELFDATA2LSB, "x86_64", ET_DYN, IFX_LINK_DYNAMIC, IFX_LIBC_GLIBC,
	  "/lib64/ld-linux-x86-64.so.2", "libc.so.6", false },
	{ "lld-nopie", 64, ELFDATA2LSB, "x86_64", ET_EXEC, IFX_LINK_DYNAMIC, IFX_LIBC_GLIBC,
	  "/lib64/ld-linux-x86-64.so.2", "libc.so.6", false },
	{ "mold", 64, ELFDATA2LSB, "x86_64", ET_DYN, IFX_LINK_DYNAMIC, IFX_LIBC_GLIBC,
	  "/lib64/ld-linux-x86-64.so.2", "libc.so.6", false },
	{ "musl", 64, ELFDATA2LSB, "x86_64", ET_DYN, IFX_LINK_DYNAMIC, IFX_LIBC_MUSL,
	  "/lib/ld-musl-x86_64.so.1", "libc.so", false },
	{ "static", 64, ELFDATA2LSB, "x86_64", ET_EXEC, IFX_LINK_STATIC, IFX_LIBC_NONE,
	  NULL, NULL, false },
	{ "static-pie", 64, ELFDATA2LSB, "x86_64", ET_DYN, IFX_LINK_STATIC_PIE, IFX_LIBC_NONE,
	  NULL, NULL, false },
	{ "shared-lib.so", 64, ELFDATA2LSB, "x86_64", ET_DYN, IFX_LINK_SHARED_LIB, IFX_LIBC_NONE,
	  NULL, NULL, false },
	{ "lib-with-interp", 64, ELFDATA2LSB, "x86_64", ET_DYN, IFX_LINK_SHARED_LIB, IFX_LIBC_GLIBC,
	  "/lib64/ld-linux-x86-64.so.2", "ld-linux-x86-64.so.2", false },
	{ "brew", 64, ELFDATA2LSB, "x86_64", ET_DYN, IFX_LINK_DYNAMIC, IFX_LIBC_GLIBC,
	  "/home/linuxbrew/.linuxbrew/lib/ld.so", "libc.so.6", false },
	{ "noshdr", 64, ELFDATA2LSB, "x86_64", ET_DYN, IFX_LINK_DYNAMIC, IFX_LIBC_GLIBC,
	  "/lib64/ld-linux-x86-64.so.2", "libc.so.6", false },
	{ "go-cgo-glibc", 64, ELFDATA2LSB, "x86_64", ET_EXEC, IFX_LINK_DYNAMIC, IFX_LIBC_GLIBC,
	  "/lib64/ld-linux-x86-64.so.2", NULL, true },
	{ "go-cgo-musl", 64, ELFDATA2LSB, "x86_64", ET_EXEC, IFX_LINK_DYNAMIC, IFX_LIBC_MUSL,
	  "/lib/ld-musl-x86_64.so.1", NULL, true },
	{ "go-static", 64, ELFDATA2LSB, "x86_64", ET_EXEC, IFX_LINK_STATIC, IFX_LIBC_NONE,
	  NULL, NULL, true },
	{ "go-extlink", 64, ELFDATA2LSB, "x86_64", ET_EXEC, IFX_LINK_DYNAMIC, IFX_LIBC_GLIBC,
	  "/lib64/ld-linux-x86-64.so.2", NULL, true },
	{ "go-pie", 64, ELFDATA2LSB, "x86_64", ET_DYN, IFX_LINK_DYNAMIC, IFX_LIBC_GLIBC,
	  "/lib64/ld-linux-x86-64.so.2", NULL, true },
	{ "aarch64", 64, ELFDATA2LSB, "aarch64", ET_DYN, IFX_LINK_DYNAMIC, IFX_LIBC_GLIBC,
	  "/lib/ld-linux-aarch64.so.1", "libc.so.6", false },
	{ "s390x", 64, ELFDATA2MSB, "s390x", ET_DYN, IFX_LINK_DYNAMIC, IFX_LIBC_GLIBC,
	  "/lib/ld64.so.1", "libc.so.6", false },
	{ "i386", 32, ELFDATA2LSB, "i386", ET_DYN, IFX_LINK_DYNAMIC, IFX_LIBC_GLIBC,
	  "/lib/ld-linux.so.2", "libc.so.6", false },
};

#define N_EXPECT (sizeof(expectations) / sizeof(expectations[0]))

static bool has_needed(const struct ifx_elf_info *info, const char *name)
{
	for (size_t i = 0; i < info->needed_count; i++)
		if (strcmp(info->needed[i], name) == 0)
			return true;
	return false;
}

static void check_one(const struct expect *e)
{
	struct ifx_elf_info info;
	struct ifx_error err;
	char *path = th_fixture(e->fixture);
	char *readelf_interp;

	assert_non_null(path);
	assert_int_equal(th_inspect(path, &info, &err), IFX_OK);
	assert_int_equal(info.elf_class, e->elf_class);
	assert_int_equal(info.data, e->data);
	assert_string_equal(ifx_machine_name(info.machine, info.elf_class, info.data),
			    e->machine);
	assert_int_equal(info.type, e->type);
	assert_string_equal(ifx_linkage_name(info.linkage),
			    ifx_linkage_name(e->linkage));
	assert_string_equal(ifx_libc_name(info.libc), ifx_libc_name(e->libc));
	/* readelf is the reference for the interpreter string. */
	readelf_interp = th_command_output(
		"LC_ALL=C readelf -lW '%s' | sed -n 's/.*interpreter: \\(.*\\)]/\\1/p'", path);
	if (e->interp == NULL) {
		assert_false(info.has_interp);
		assert_null(info.interp);
		assert_string_equal(readelf_interp, "");
	} else {
		assert_true(info.has_interp);
		assert_string_equal(info.interp, e->interp);
		assert_string_equal(info.interp, readelf_interp);
		assert_true(info.interp_size >= strlen(e->interp) + 1);
	}
	if (e->needed0 != NULL)
		assert_true(has_needed(&info, e->needed0));
	if (e->libc == IFX_LIBC_GLIBC && e->interp != NULL &&
	    strcmp(e->fixture, "lib-with-interp") != 0)
		assert_true(has_needed(&info, "libc.so.6"));
	if (e->go)
		assert_non_null(info.go);
	else
		assert_null(info.go);
	free(readelf_interp);
	ifx_elf_info_free(&info);
	free(path);
}

static void test_every_fixture_matches_its_toolchain(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_EXPECT; i++) {
		char *path = th_fixture(expectations[i].fixture);

		if (path == NULL) {
			print_message("# fixture %s not built here\n",
				      expectations[i].fixture);
			continue;
		}
		free(path);
		check_one(&expectations[i]);
	}
}

/* Versions through DT_VERNEED, as readelf -V lists them, in both byte orders. */
static void check_versions_against_readelf(const char *fixture)
{
	struct ifx_elf_info info;
	struct ifx_error err;
	char *path = th_fixture(fixture);
	char *ref, *ours = NULL;
	size_t size = 0;
	FILE *mem;

	assert_non_null(path);
	assert_int_equal(th_inspect(path, &info, &err), IFX_OK);
	ref = th_command_output(
		"LC_ALL=C readelf -VW '%s' | sed -n 's/.*Name: \\([^ ]*\\)  *Flags.*/\\1/p' | sort", path);
	mem = open_memstream(&ours, &size);
	for (size_t i = 0; i < info.versions_needed_count; i++)
		for (size_t k = 0; k < info.versions_needed[i].count; k++)
			fprintf(mem, "%s\n", info.versions_needed[i].names[k]);
	fclose(mem);
	{
		char *sorted = th_command_output("printf '%%s' '%s' | sort", ours);
		assert_string_equal(sorted, ref);
		free(sorted);
	}
	assert_true(info.versions_needed_count > 0);
	free(ours);
	free(ref);
	free(path);
	ifx_elf_info_free(&info);
}

static void test_versions_little_endian(void **state)
{
	(void)state;
	check_versions_against_readelf("gcc-pie");
}

static void test_versions_big_endian(void **state)
{
	(void)state;
	check_versions_against_readelf("s390x");
}

/* Without section headers the same facts come from the program headers. */
static void test_no_section_headers_same_facts(void **state)
{
	struct ifx_elf_info a, b;
	struct ifx_error err;
	char *pa = th_fixture("gcc-pie"), *pb = th_fixture("noshdr");

	(void)state;
	assert_int_equal(th_inspect(pa, &a, &err), IFX_OK);
	assert_int_equal(th_inspect(pb, &b, &err), IFX_OK);
	assert_true(a.has_section_headers);
	assert_false(b.has_section_headers);
	assert_string_equal(a.interp, b.interp);
	assert_int_equal(a.needed_count, b.needed_count);
	assert_int_equal(a.versions_needed_count, b.versions_needed_count);
	assert_int_equal(a.versions_needed[0].count, b.versions_needed[0].count);
	ifx_elf_info_free(&a);
	ifx_elf_info_free(&b);
	free(pa);
	free(pb);
}

/* libc.so.6 defines the GLIBC_* versions the safety checker needs. */
static void test_verdef_of_libc(void **state)
{
	struct ifx_elf_info info;
	struct ifx_error err;
	char *path = th_fixture("lib-with-interp");
	bool has_225 = false, has_234 = false;

	(void)state;
	assert_int_equal(th_inspect(path, &info, &err), IFX_OK);
	assert_string_equal(info.soname, "libc.so.6");
	for (size_t i = 0; i < info.versions_defined_count; i++) {
		has_225 |= strcmp(info.versions_defined[i], "GLIBC_2.2.5") == 0;
		has_234 |= strcmp(info.versions_defined[i], "GLIBC_2.34") == 0;
		assert_string_not_equal(info.versions_defined[i], "libc.so.6");
	}
	assert_true(has_225 && has_234);
	ifx_elf_info_free(&info);
	free(path);
}

/* Hand-made bytes: each bad header gets its own status and leaves info empty. */
static void test_malformed_headers(void **state)
{
	static const unsigned char not_elf[] = "#!/bin/sh\necho hi\n";
	static const unsigned char short_magic[] = { 0x7f, 'E', 'L' };
	unsigned char bad_class[64] = { 0x7f, 'E', 'L', 'F', 3, 1, 1 };
	unsigned char bad_data[64] = { 0x7f, 'E', 'L', 'F', 2, 0, 1 };
	unsigned char short_hdr[20] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	struct { const void *bytes; size_t len; enum ifx_status st; const char *msg; } cases[] = {
		{ "", 0, IFX_ERR_NOT_ELF, "empty file" },
		{ not_elf, sizeof(not_elf) - 1, IFX_ERR_NOT_ELF, "not an ELF file" },
		{ short_magic, sizeof(short_magic), IFX_ERR_NOT_ELF, "not an ELF file" },
		{ bad_class, sizeof(bad_class), IFX_ERR_MALFORMED, "class" },
		{ bad_data, sizeof(bad_data), IFX_ERR_MALFORMED, "data encoding" },
		{ short_hdr, sizeof(short_hdr), IFX_ERR_MALFORMED, "truncated" },
	};
	char *dir = th_tempdir();

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[16];
		char *path;
		struct ifx_elf_info info;
		struct ifx_error err;

		snprintf(name, sizeof(name), "case%zu", i);
		path = th_write_file(dir, name, cases[i].bytes, cases[i].len);
		assert_int_equal(th_inspect(path, &info, &err), cases[i].st);
		assert_non_null(strstr(err.message, cases[i].msg));
		assert_null(info.interp);
		free(path);
	}
	th_rmtree(dir);
	free(dir);
}

/* A program header table cut short, and a PT_INTERP without its NUL. */
static void test_truncated_and_unterminated(void **state)
{
	struct ifx_elf_info info;
	struct ifx_error err;
	char *src = th_fixture("gcc-pie"), *dir = th_tempdir();
	char *cut, *open_str, *cmd;

	(void)state;
	assert_int_equal(th_inspect(src, &info, &err), IFX_OK);
	uint64_t off = info.interp_offset, size = info.interp_size;
	ifx_elf_info_free(&info);

	cut = th_command_output("head -c 100 '%s' > '%s/cut' && echo '%s/cut'", src, dir, dir);
	assert_int_equal(th_inspect(cut, &info, &err), IFX_ERR_MALFORMED);
	assert_non_null(strstr(err.message, "program header table"));

	open_str = th_command_output("cp '%s' '%s/open' && echo '%s/open'", src, dir, dir);
	cmd = th_command_output("printf 'X%%.0s' $(seq %llu) | dd of='%s' bs=1 seek=%llu conv=notrunc 2>/dev/null",
				(unsigned long long)size, open_str, (unsigned long long)off);
	assert_int_equal(th_inspect(open_str, &info, &err), IFX_ERR_MALFORMED);
	assert_non_null(strstr(err.message, "not NUL-terminated"));
	free(cmd);
	free(cut);
	free(open_str);
	th_rmtree(dir);
	free(dir);
	free(src);
}

static void test_fifo_and_directory_are_not_opened(void **state)
{
	struct ifx_elf_info info;
	struct ifx_error err;
	char *dir = th_tempdir(), *fifo;

	(void)state;
	assert_int_equal(th_inspect(dir, &info, &err), IFX_ERR_NOT_REGULAR);
	assert_string_equal(err.message, "is a directory");
	fifo = th_command_output("mkfifo '%s/p' && echo '%s/p'", dir, dir);
	alarm(10); /* a FIFO opened for reading would block forever */
	assert_int_equal(th_inspect(fifo, &info, &err), IFX_ERR_NOT_REGULAR);
	alarm(0);
	assert_string_equal(err.message, "is a FIFO");
	free(fifo);
	th_rmtree(dir);
	free(dir);
}

int main(void)
{
	static const char *const needed[] = { "gcc-pie", "s390x", "noshdr",
					      "lib-with-interp", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_fixture_matches_its_toolchain),
		cmocka_unit_test(test_versions_little_endian),
		cmocka_unit_test(test_versions_big_endian),
		cmocka_unit_test(test_no_section_headers_same_facts),
		cmocka_unit_test(test_verdef_of_libc),
		cmocka_unit_test(test_malformed_headers),
		cmocka_unit_test(test_truncated_and_unterminated),
		cmocka_unit_test(test_fifo_and_directory_are_not_opened),
	};

	th_require_fixtures(needed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
