/* libFuzzer target: any bytes as an ELF image in memory (elf_memory), read
 * for Go build info (ifx__go_buildinfo_read) and, whatever it finds, for
 * the packages that call C (ifx__go_cgo_read). Besides crashes, what the
 * readers promise aborts when broken: a version of printable ASCII copied
 * from the file, settings and packages within bounds, own_cgo agreeing
 * with the packages found. Build: make fuzz-smoke (needs clang). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)
#define VERSION_MAX 1024        /* go-buildinfo.c */
#define CGO_PACKAGES_MAX 16     /* go-cgo.c */
#define PACKAGE_NAME_MAX 255    /* go-cgo.c: a name is cut to fit 256 bytes */

static bool standard_cgo_user(const char *pkg)
{
	return strcmp(pkg, "net") == 0 || strcmp(pkg, "os/user") == 0 ||
	       strcmp(pkg, "plugin") == 0 || strcmp(pkg, "runtime/cgo") == 0;
}

/* What ifx__go_cgo_read leaves: -1 without .symtab (and then no package),
 * else 1 exactly when a package other than the standard cgo users calls C. */
static void check_cgo(const struct ifx_go_info *go)
{
	bool own = false;

	CHECK(go->own_cgo >= -1 && go->own_cgo <= 1);
	CHECK(go->cgo_package_count <= CGO_PACKAGES_MAX);
	CHECK(go->cgo_package_count == 0 || go->cgo_packages != NULL);
	for (size_t i = 0; i < go->cgo_package_count; i++) {
		const char *p = go->cgo_packages[i];

		CHECK(p != NULL && strnlen(p, PACKAGE_NAME_MAX + 1) <= PACKAGE_NAME_MAX);
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(go->cgo_packages[j], p) != 0); /* no duplicates */
		own |= !standard_cgo_user(p);
	}
	if (go->own_cgo == -1)
		CHECK(go->cgo_package_count == 0);
	else
		CHECK(go->own_cgo == own);
	CHECK(ifx__go_static_advice(go) != NULL);
}

static void check_setting(const char *s, size_t size)
{
	/* unquoting never lengthens: at most the file's bytes */
	CHECK(s == NULL || strnlen(s, size + 1) <= size);
}

static void check_go(const struct ifx_go_info *go, const uint8_t *data, size_t size)
{
	size_t len;

	CHECK(go->version != NULL);
	len = strnlen(go->version, VERSION_MAX + 1);
	CHECK(len > 0 && len <= VERSION_MAX);
	for (size_t i = 0; i < len; i++)
		CHECK(go->version[i] >= 0x20 && go->version[i] <= 0x7e);
	/* copied from the file, not made up: inline or behind a Go string */
	CHECK(memmem(data, size, go->version, len) != NULL);
	CHECK(go->cgo_enabled >= -1 && go->cgo_enabled <= 1);
	check_setting(go->tags, size);
	check_setting(go->ldflags, size);
	check_setting(go->path, size);
	if (go->path != NULL)
		CHECK(memmem(data, size, go->path, strlen(go->path)) != NULL);
	check_cgo(go);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy of exactly size bytes: libelf may convert in place, and ASan
	 * sees a read past the end */
	char *image = malloc(size ? size : 1);
	struct ifx_go_info *go;
	Elf *elf;

	CHECK(image != NULL);
	memcpy(image, data, size);
	CHECK(elf_version(EV_CURRENT) != EV_NONE);
	elf = elf_memory(image, size);
	if (elf != NULL && elf_kind(elf) == ELF_K_ELF) {
		go = ifx__go_buildinfo_read(elf);
		if (go != NULL) {
			check_go(go, data, size);
			ifx__go_info_free(go);
		}
		/* the symbol table of any file, build info or not */
		go = calloc(1, sizeof(*go));
		CHECK(go != NULL);
		ifx__go_cgo_read(elf, go);
		check_cgo(go);
		ifx__go_info_free(go);
	}
	elf_end(elf);
	free(image);
	return 0;
}
