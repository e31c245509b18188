/* go_buildinfo_read against `go version -m`, the reference reader, on Go
 * binaries built by the fixtures, with and without section headers. */
#include "config.h"

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

/* The value of "build\tKEY=VALUE" in go version -m's output, or "". */
static char *go_setting(const char *path, const char *key)
{
	return th_command_output("go version -m '%s' | sed -n 's/^[[:space:]]*build[[:space:]]*%s=//p' | "
				 "sed 's/^\"\\(.*\\)\"$/\\1/'", path, key);
}

static void check_against_go(const char *path)
{
	struct ifx_elf_info info;
	struct ifx_error err;
	char *version = th_command_output("go version '%s' | awk '{print $2}'", path);
	char *cgo = go_setting(path, "CGO_ENABLED");
	char *tags = go_setting(path, "-tags");
	char *ldflags = go_setting(path, "-ldflags");

	assert_int_equal(th_inspect(path, &info, &err), IFX_OK);
	assert_non_null(info.go);
	assert_string_equal(info.go->version, version);
	assert_int_equal(info.go->cgo_enabled, atoi(cgo));
	assert_string_equal(info.go->tags ? info.go->tags : "", tags);
	assert_string_equal(info.go->ldflags ? info.go->ldflags : "", ldflags);
	ifx_elf_info_free(&info);
	free(version);
	free(cgo);
	free(tags);
	free(ldflags);
}

static void test_every_go_fixture_matches_go_version_m(void **state)
{
	static const char *const names[] = { "go-cgo-glibc", "go-cgo-musl", "go-static",
					     "go-extlink", "go-pie", "go-tags" };

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *path = th_fixture(names[i]);

		assert_non_null(path);
		check_against_go(path);
		free(path);
	}
}

/* -ldflags with spaces comes Go-quoted and is unquoted. */
static void test_quoted_ldflags(void **state)
{
	struct ifx_elf_info info;
	struct ifx_error err;
	char *path = th_fixture("go-tags");

	(void)state;
	assert_int_equal(th_inspect(path, &info, &err), IFX_OK);
	assert_string_equal(info.go->ldflags, "-s -X main.v=1");
	assert_string_equal(info.go->tags, "netcgo,osusergo");
	ifx_elf_info_free(&info);
	free(path);
}

/* Without section headers, the first RW segment is scanned. */
static void test_found_without_section_headers(void **state)
{
	char *src = th_fixture("go-cgo-glibc"), *dir = th_tempdir(), *copy, *out;
	struct ifx_elf_info info;
	struct ifx_error err;

	(void)state;
	assert_int_equal(asprintf(&copy, "%s/noshdr", dir) > 0, 1);
	assert_int_equal(th_copy_file(src, copy), 0);
	out = th_command_output("printf '\\000\\000\\000\\000\\000\\000\\000\\000' | dd of='%s' bs=1 seek=40 conv=notrunc 2>/dev/null;"
				"printf '\\000\\000\\000\\000' | dd of='%s' bs=1 seek=60 conv=notrunc 2>/dev/null", copy, copy);
	free(out);
	assert_int_equal(th_inspect(copy, &info, &err), IFX_OK);
	assert_false(info.has_section_headers);
	assert_non_null(info.go);
	assert_int_equal(info.go->cgo_enabled, 1);
	{
		char *version = th_command_output("go version '%s' | awk '{print $2}'", src);

		assert_string_equal(info.go->version, version);
		free(version);
	}
	ifx_elf_info_free(&info);
	th_rmtree(dir);
	free(dir);
	free(copy);
	free(src);
}

/* A lying length after the header: no crash, no read past the data. */
static void test_lying_length_is_absent_not_a_crash(void **state)
{
	char *src = th_fixture("go-static"), *dir = th_tempdir(), *copy, *off, *out;
	struct ifx_elf_info info;
	struct ifx_error err;

	(void)state;
	assert_int_equal(asprintf(&copy, "%s/lying", dir) > 0, 1);
	assert_int_equal(th_copy_file(src, copy), 0);
	off = th_command_output("LC_ALL=C grep -obUaP '\\xff Go buildinf:' '%s' | head -n1 | cut -d: -f1", copy);
	assert_true(strlen(off) > 0);
	/* The version length byte sits right after the 32-byte header. */
	out = th_command_output("printf '\\377\\377\\377\\377\\017' | dd of='%s' bs=1 seek=$((%s + 32)) conv=notrunc 2>/dev/null",
				copy, off);
	free(out);
	assert_int_equal(th_inspect(copy, &info, &err), IFX_OK);
	assert_null(info.go);
	ifx_elf_info_free(&info);
	th_rmtree(dir);
	free(dir);
	free(copy);
	free(off);
	free(src);
}

static void test_not_go(void **state)
{
	struct ifx_elf_info info;
	struct ifx_error err;
	char *path = th_fixture("gcc-pie");

	(void)state;
	assert_int_equal(th_inspect(path, &info, &err), IFX_OK);
	assert_null(info.go);
	ifx_elf_info_free(&info);
	free(path);
}

int main(void)
{
	static const char *const needed[] = { "go-cgo-glibc", "go-cgo-musl", "go-static",
					      "go-extlink", "go-pie", "go-tags", "gcc-pie", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_go_fixture_matches_go_version_m),
		cmocka_unit_test(test_quoted_ldflags),
		cmocka_unit_test(test_found_without_section_headers),
		cmocka_unit_test(test_lying_length_is_absent_not_a_crash),
		cmocka_unit_test(test_not_go),
	};

	th_require_fixtures(needed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
