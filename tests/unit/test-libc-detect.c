/* ifx__libc_detect: NEEDED and GLIBC_* versions outweigh the interpreter name. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "testhelp.h"

static struct ifx_elf_info make(const char *interp, enum ifx_linkage linkage,
				char **needed, size_t n_needed,
				struct ifx_version_need *vn, size_t n_vn)
{
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);

	memset(&info, 0, sizeof(info));
	info.has_interp = interp != NULL;
	info.interp = (char *)interp;
	info.linkage = linkage;
	info.needed = needed;
	info.needed_count = n_needed;
	info.versions_needed = vn;
	info.versions_needed_count = n_vn;
	return info;
}

static void test_interp_alone_decides_when_nothing_else_says(void **state)
{
	struct ifx_elf_info a = make("/lib/ld-musl-aarch64.so.1", IFX_LINK_DYNAMIC, NULL, 0, NULL, 0);
	struct ifx_elf_info b = make("/home/linuxbrew/.linuxbrew/lib/ld.so", IFX_LINK_DYNAMIC, NULL, 0, NULL, 0);
	struct ifx_elf_info c = make("/lib/ld64.so.1", IFX_LINK_DYNAMIC, NULL, 0, NULL, 0);
	struct ifx_elf_info d = make("/opt/weird/loader", IFX_LINK_DYNAMIC, NULL, 0, NULL, 0);

	(void)state;
	assert_int_equal(ifx__libc_detect(&a), IFX_LIBC_MUSL);
	assert_int_equal(ifx__libc_detect(&b), IFX_LIBC_GLIBC);
	assert_int_equal(ifx__libc_detect(&c), IFX_LIBC_GLIBC);
	assert_int_equal(ifx__libc_detect(&d), IFX_LIBC_UNKNOWN);
}

static void test_needed_outweighs_interp(void **state)
{
	char *glibc_needed[] = { "libm.so.6", "libc.so.6" };
	char *alpine_needed[] = { "libc.musl-x86_64.so.1" };
	char *debian_musl_needed[] = { "libc.so" };
	struct ifx_elf_info a = make("/lib/ld-musl-x86_64.so.1", IFX_LINK_DYNAMIC, glibc_needed, 2, NULL, 0);
	struct ifx_elf_info b = make("/lib64/ld-linux-x86-64.so.2", IFX_LINK_DYNAMIC, alpine_needed, 1, NULL, 0);
	struct ifx_elf_info c = make("/lib64/ld-linux-x86-64.so.2", IFX_LINK_DYNAMIC, debian_musl_needed, 1, NULL, 0);

	(void)state;
	assert_int_equal(ifx__libc_detect(&a), IFX_LIBC_GLIBC);
	assert_int_equal(ifx__libc_detect(&b), IFX_LIBC_MUSL);
	assert_int_equal(ifx__libc_detect(&c), IFX_LIBC_MUSL);
}

static void test_glibc_versions_count_as_glibc(void **state)
{
	char *names[] = { "GLIBC_2.34" };
	struct ifx_version_need vn = { "libpthread.so.0", names, 1 };
	struct ifx_elf_info a = make("/lib/ld-musl-x86_64.so.1", IFX_LINK_DYNAMIC, NULL, 0, &vn, 1);

	(void)state;
	assert_int_equal(ifx__libc_detect(&a), IFX_LIBC_GLIBC);
}

static void test_conflicting_needed_falls_back_to_interp(void **state)
{
	char *both[] = { "libc.so.6", "libc.musl-x86_64.so.1" };
	struct ifx_elf_info a = make("/opt/loader", IFX_LINK_DYNAMIC, both, 2, NULL, 0);
	struct ifx_elf_info b = make("/lib/ld-musl-x86_64.so.1", IFX_LINK_DYNAMIC, both, 2, NULL, 0);

	(void)state;
	assert_int_equal(ifx__libc_detect(&a), IFX_LIBC_UNKNOWN);
	/* NEEDED contradicting itself: the interpreter breaks the tie. */
	assert_int_equal(ifx__libc_detect(&b), IFX_LIBC_MUSL);
}

static void test_static_links_no_libc(void **state)
{
	struct ifx_elf_info a = make(NULL, IFX_LINK_STATIC, NULL, 0, NULL, 0);
	struct ifx_elf_info b = make(NULL, IFX_LINK_STATIC_PIE, NULL, 0, NULL, 0);

	(void)state;
	assert_int_equal(ifx__libc_detect(&a), IFX_LIBC_NONE);
	assert_int_equal(ifx__libc_detect(&b), IFX_LIBC_NONE);
}

/* Real binaries: Go cgo against musl records no versions, only NEEDED. */
static void test_real_go_musl_binary(void **state)
{
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
	struct ifx_error err;
	char *path = th_fixture("go-cgo-musl");

	(void)state;
	assert_int_equal(th_inspect(path, &info, &err), IFX_OK);
	assert_int_equal(info.versions_needed_count, 0);
	assert_int_equal(info.libc, IFX_LIBC_MUSL);
	ifx_elf_info_free(&info);
	free(path);
}

int main(void)
{
	static const char *const needed[] = { "go-cgo-musl", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interp_alone_decides_when_nothing_else_says),
		cmocka_unit_test(test_needed_outweighs_interp),
		cmocka_unit_test(test_glibc_versions_count_as_glibc),
		cmocka_unit_test(test_conflicting_needed_falls_back_to_interp),
		cmocka_unit_test(test_static_links_no_libc),
		cmocka_unit_test(test_real_go_musl_binary),
	};

	th_require_fixtures(needed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
