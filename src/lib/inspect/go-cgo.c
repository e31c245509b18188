/*
 * Which Go packages of a binary call C. cgo names the Go side of every C
 * call <package>._Cfunc_<name> (or _C2func_, _Cmacro_), so the symbol
 * table says who uses cgo: net and os/user do only for the C resolver and
 * passwd lookups, and have pure-Go versions (CGO_ENABLED=0 builds them);
 * any other package has C code of its own, which no flag makes pure Go.
 * Needs .symtab: `go build -ldflags=-s` strips it, and then it cannot be
 * told.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define CGO_PACKAGES_MAX 16

static bool standard_cgo_user(const char *pkg, size_t len)
{
	static const char *const std[] = { "net", "os/user", "plugin", "runtime/cgo" };

	for (size_t i = 0; i < sizeof(std) / sizeof(std[0]); i++)
		if (strlen(std[i]) == len && strncmp(pkg, std[i], len) == 0)
			return true;
	return false;
}

/* The package of a cgo wrapper symbol ("main._Cfunc_puts" -> "main"), or
 * NULL when the symbol is not one. */
static const char *cgo_package(const char *sym, size_t *len)
{
	static const char *const marks[] = { "._Cfunc_", "._C2func_", "._Cmacro_" };

	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		const char *m = strstr(sym, marks[i]);

		if (m != NULL && m > sym && strncmp(sym, "_cgo_", 5) != 0) {
			*len = (size_t)(m - sym);
			return sym;
		}
	}
	return NULL;
}

static void add_package(struct ifx_go_info *go, const char *pkg, size_t len)
{
	char name[256];

	snprintf(name, sizeof(name), "%.*s", (int)len, pkg);
	for (size_t i = 0; i < go->cgo_package_count; i++)
		if (strcmp(go->cgo_packages[i], name) == 0)
			return;
	if (go->cgo_package_count < CGO_PACKAGES_MAX)
		ifx__strlist_push(&go->cgo_packages, &go->cgo_package_count, name);
}

void ifx__go_cgo_read(Elf *elf, struct ifx_go_info *go)
{
	bool symtab = false;
	Elf_Scn *scn = NULL;

	go->own_cgo = -1;
	/* The first SHT_SYMTAB only: the gABI allows one, and each one read is
	 * kept by libelf (a hostile file could list the same bytes thousands
	 * of times). */
	while (!symtab && (scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type != SHT_SYMTAB ||
		    sh.sh_entsize == 0 || (data = elf_getdata(scn, NULL)) == NULL)
			continue;
		symtab = true;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *name;
			size_t len;

			if (gelf_getsym(data, (int)i, &sym) == NULL ||
			    (name = elf_strptr(elf, sh.sh_link, sym.st_name)) == NULL)
				continue;
			if (cgo_package(name, &len) != NULL)
				add_package(go, name, len);
		}
	}
	if (!symtab)
		return;
	go->own_cgo = 0;
	for (size_t i = 0; i < go->cgo_package_count; i++)
		if (!standard_cgo_user(go->cgo_packages[i], strlen(go->cgo_packages[i])))
			go->own_cgo = 1;
}

/* How to rebuild a Go program so that it needs no C library loader, for
 * what the binary shows of its cgo use. */
const char *ifx__go_static_advice(const struct ifx_go_info *go)
{
	if (go == NULL || go->own_cgo == 0)
		return "rebuild it static with CGO_ENABLED=0 go build (net and os/user, "
		       "its only cgo users, have pure-Go versions)";
	if (go->own_cgo == 1)
		return "it has C code of its own, so CGO_ENABLED=0 cannot build it: link it "
		       "statically against musl (CC=musl-gcc go build -ldflags '-linkmode "
		       "external -extldflags -static'), or build it on a glibc system";
	return "if only net and os/user use cgo: CGO_ENABLED=0 go build; if it has C code "
	       "of its own (its symbol table is stripped, so this cannot be told): "
	       "CC=musl-gcc go build -ldflags '-linkmode external -extldflags -static', "
	       "or build it on a glibc system";
}
