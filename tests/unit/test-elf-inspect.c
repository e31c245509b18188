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
#include <sys/utsname.h>
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

/* The path of fixture name; a missing one fails under
 * IFX_REQUIRE_FIXTURES=1 and skips the test otherwise. */
static char *fixture_or_skip(const char *name)
{
	char *path = th_fixture(name);

	if (path == NULL) {
		if (th_require_all())
			fail_msg("fixture %s missing (IFX_REQUIRE_FIXTURES=1)", name);
		th_skip("fixture %s not built here", name);
	}
	return path;
}

/* readelf is the reference: skip without it (fail under
 * IFX_REQUIRE_FIXTURES=1, which th_have_tool does). */
static void need_readelf(void)
{
	if (!th_have_tool("readelf"))
		th_skip("needs readelf");
}

static bool host_is(const char *machine)
{
	struct utsname u;

	return uname(&u) == 0 && strcmp(u.machine, machine) == 0;
}

static bool has_needed(const struct ifx_elf_info *info, const char *name)
{
	for (size_t i = 0; i < info->needed_count; i++)
		if (strcmp(info->needed[i], name) == 0)
			return true;
	return false;
}

/* items one per line, as the reference commands print lists. */
static char *lines_of(char *const *items, size_t n)
{
	char *out = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&out, &size);

	assert_non_null(mem);
	for (size_t i = 0; i < n; i++)
		fprintf(mem, "%s%s", i ? "\n" : "", items[i]);
	fclose(mem);
	return out;
}

static void assert_lines_equal(char *const *items, size_t n, const char *ref)
{
	char *ours = lines_of(items, n);

	assert_non_null(ref);
	assert_string_equal(ours, ref);
	free(ours);
}

static void assert_same_string(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		assert_true(a == b);
	else
		assert_string_equal(a, b);
}

static void assert_same_list(char *const *a, size_t na, char *const *b, size_t nb)
{
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++)
		assert_string_equal(a[i], b[i]);
}

static void check_one(const struct expect *e, const char *path)
{
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
	struct ifx_error err;
	char *readelf_interp, *ref;

	assert_int_equal(th_inspect(path, &info, &err), IFX_OK);
	assert_int_equal(info.elf_class, e->elf_class);
	assert_int_equal(info.data, e->data);
	assert_string_equal(ifx_machine_name(info.machine, info.elf_class, info.data),
			    e->machine);
	assert_int_equal(info.type, e->type);
	assert_string_equal(ifx_linkage_name(info.linkage),
			    ifx_linkage_name(e->linkage));
	assert_string_equal(ifx_libc_name(info.libc), ifx_libc_name(e->libc));
	/* readelf is the reference for the interpreter string... */
	readelf_interp = th_command_output(
		"LC_ALL=C readelf -lW '%s' | sed -n 's/.*interpreter: \\(.*\\)]/\\1/p'", path);
	assert_non_null(readelf_interp);
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
	/* ... and for every NEEDED, in order, and the SONAME. */
	ref = th_command_output(
		"LC_ALL=C readelf -dW '%s' | sed -n 's/.*(NEEDED).*Shared library: \\[\\(.*\\)\\]$/\\1/p'",
		path);
	assert_lines_equal(info.needed, info.needed_count, ref);
	free(ref);
	ref = th_command_output(
		"LC_ALL=C readelf -dW '%s' | sed -n 's/.*(SONAME).*Library soname: \\[\\(.*\\)\\]$/\\1/p'",
		path);
	assert_non_null(ref);
	assert_string_equal(info.soname != NULL ? info.soname : "", ref);
	free(ref);
	if (e->needed0 != NULL)
		assert_true(has_needed(&info, e->needed0));
	else if (!e->go)
		assert_int_equal(info.needed_count, 0);
	if (e->libc == IFX_LIBC_GLIBC && e->interp != NULL &&
	    strcmp(e->fixture, "lib-with-interp") != 0)
		assert_true(has_needed(&info, "libc.so.6"));
	if (e->go)
		assert_non_null(info.go);
	else
		assert_null(info.go);
	free(readelf_interp);
	ifx_elf_info_free(&info);
}

/* One test per fixture (named after it in main), so that each one built
 * is checked and each one missing says so. */
static void test_fixture_matches_its_toolchain(void **state)
{
	const struct expect *e = *state;
	char *path;

	need_readelf();
	/* What the native toolchain makes is written down for x86_64. */
	if (strcmp(e->machine, "x86_64") == 0 && !host_is("x86_64"))
		th_skip("%s: expects an x86_64 host", e->fixture);
	path = fixture_or_skip(e->fixture);
	check_one(e, path);
	free(path);
}

/* Versions through DT_VERNEED, as readelf -V lists them (file and
 * version), in both byte orders. */
static void check_versions_against_readelf(const char *fixture)
{
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
	struct ifx_error err;
	char *path, *ref, *ours = NULL, *sorted;
	size_t size = 0;
	FILE *mem;

	need_readelf();
	path = fixture_or_skip(fixture);
	assert_int_equal(th_inspect(path, &info, &err), IFX_OK);
	assert_true(info.versions_needed_count > 0);
	ref = th_command_output(
		"LC_ALL=C readelf -VW '%s' | awk '/^Version needs/ { n = 1; next } /^Version / { n = 0 }"
		" n { for (i = 1; i < NF; i++) { if ($i == \"File:\") f = $(i + 1);"
		" if ($i == \"Name:\") print f \" \" $(i + 1) } }' | LC_ALL=C sort", path);
	assert_non_null(ref);
	mem = open_memstream(&ours, &size);
	for (size_t i = 0; i < info.versions_needed_count; i++) {
		assert_true(info.versions_needed[i].count > 0);
		for (size_t k = 0; k < info.versions_needed[i].count; k++)
			fprintf(mem, "%s %s\n", info.versions_needed[i].file,
				info.versions_needed[i].names[k]);
	}
	fclose(mem);
	sorted = th_command_output("printf '%%s' '%s' | LC_ALL=C sort", ours);
	assert_string_equal(sorted, ref);
	free(sorted);
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

/* Without section headers the same facts come from the program headers:
 * the same names, one by one, not just as many. */
static void test_no_section_headers_same_facts(void **state)
{
	struct ifx_elf_info a, b;
	struct ifx_error err;
	char *pa = fixture_or_skip("gcc-pie"), *pb = fixture_or_skip("noshdr");

	(void)state;
	assert_int_equal(th_inspect(pa, &a, &err), IFX_OK);
	assert_int_equal(th_inspect(pb, &b, &err), IFX_OK);
	assert_true(a.has_section_headers);
	assert_false(b.has_section_headers);
	assert_int_equal(a.machine, b.machine);
	assert_int_equal(a.type, b.type);
	assert_int_equal(a.linkage, b.linkage);
	assert_int_equal(a.libc, b.libc);
	assert_int_equal(a.dt_flags_1, b.dt_flags_1);
	assert_true(a.has_interp && b.has_interp);
	assert_string_equal(a.interp, b.interp);
	assert_int_equal(a.interp_offset, b.interp_offset);
	assert_int_equal(a.interp_size, b.interp_size);
	assert_true(a.needed_count > 0);
	assert_same_list(a.needed, a.needed_count, b.needed, b.needed_count);
	assert_same_string(a.soname, b.soname);
	assert_same_string(a.rpath, b.rpath);
	assert_same_string(a.runpath, b.runpath);
	assert_true(a.versions_needed_count > 0);
	assert_int_equal(a.versions_needed_count, b.versions_needed_count);
	for (size_t i = 0; i < a.versions_needed_count; i++) {
		assert_string_equal(a.versions_needed[i].file, b.versions_needed[i].file);
		assert_true(a.versions_needed[i].count > 0);
		assert_same_list(a.versions_needed[i].names, a.versions_needed[i].count,
				 b.versions_needed[i].names, b.versions_needed[i].count);
	}
	assert_same_list(a.versions_defined, a.versions_defined_count,
			 b.versions_defined, b.versions_defined_count);
	assert_true(a.symbol_versions_count > 0);
	assert_int_equal(a.symbol_versions_count, b.symbol_versions_count);
	for (size_t i = 0; i < a.symbol_versions_count; i++) {
		assert_string_equal(a.symbol_versions[i].symbol, b.symbol_versions[i].symbol);
		assert_string_equal(a.symbol_versions[i].version, b.symbol_versions[i].version);
		assert_string_equal(a.symbol_versions[i].file, b.symbol_versions[i].file);
	}
	ifx_elf_info_free(&a);
	ifx_elf_info_free(&b);
	free(pa);
	free(pb);
}

/* libc.so.6 defines the GLIBC_* versions the safety checker needs: the
 * DT_VERDEF names readelf -V lists, in order, the base entry (the file's
 * own name) left out. */
static void test_verdef_of_libc(void **state)
{
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
	struct ifx_error err;
	char *path, *ref;
	bool has_234 = false;

	(void)state;
	need_readelf();
	path = fixture_or_skip("lib-with-interp");
	assert_int_equal(th_inspect(path, &info, &err), IFX_OK);
	assert_string_equal(info.soname, "libc.so.6");
	ref = th_command_output(
		"LC_ALL=C readelf -VW '%s' | awk '/^Version definition/ { d = 1; next } /^Version / { d = 0 }"
		" d && /Rev:/ && !/Flags: BASE/ { sub(/.*Name: /, \"\"); print }'", path);
	assert_lines_equal(info.versions_defined, info.versions_defined_count, ref);
	for (size_t i = 0; i < info.versions_defined_count; i++) {
		has_234 |= strcmp(info.versions_defined[i], "GLIBC_2.34") == 0;
		assert_string_not_equal(info.versions_defined[i], "libc.so.6");
	}
	assert_true(has_234);
	free(ref);
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
		struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
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
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
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
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
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
	static char names[N_EXPECT][96];
	struct CMUnitTest tests[N_EXPECT + 7] = {
		[N_EXPECT] = cmocka_unit_test(test_versions_little_endian),
		cmocka_unit_test(test_versions_big_endian),
		cmocka_unit_test(test_no_section_headers_same_facts),
		cmocka_unit_test(test_verdef_of_libc),
		cmocka_unit_test(test_malformed_headers),
		cmocka_unit_test(test_truncated_and_unterminated),
		cmocka_unit_test(test_fifo_and_directory_are_not_opened),
	};

	for (size_t i = 0; i < N_EXPECT; i++) {
		snprintf(names[i], sizeof(names[i]), "test_fixture_matches_its_toolchain(%s)",
			 expectations[i].fixture);
		tests[i] = (struct CMUnitTest){
			.name = names[i],
			.test_func = test_fixture_matches_its_toolchain,
			.initial_state = (void *)(uintptr_t)&expectations[i],
		};
	}
	th_require_fixtures(needed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
