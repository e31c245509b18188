/* libFuzzer target: any bytes as a target file (ifx_target_set_load; the
 * file rewritten each run in one private directory, removed at exit).
 * Besides crashes, aborts when a promise breaks: an error leaves the set
 * as it was and names the file; a load adds targets whose fields are all
 * set and well formed (arches from the fixed set, libc glibc or musl, own
 * loaders absolute and only for the target's arches), each found again
 * by its name and by its family, and judged against a fixed binary
 * without trouble. Build: make fuzz-smoke (needs clang). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static char dir[PATH_MAX - 64], file[PATH_MAX];
static struct ifx_elf_info probe = { .size = sizeof(probe) };
static bool have_probe;

static void remove_dir(void)
{
	unlink(file);
	rmdir(dir);
	if (have_probe)
		ifx_elf_info_free(&probe);
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/ifx-fuzz-targets.XXXXXX",
		 tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(file, sizeof(file), "%s/targets.json", dir);
	/* a real binary to judge the loaded targets against */
	have_probe = ifx_inspect_path(AT_FDCWD, "/bin/true", true, &probe, NULL) == IFX_OK;
	atexit(remove_dir);
}

static bool word_ok(const char *w, size_t n)
{
	static const char *const arches[] = { "x86_64", "i386", "aarch64", "armhf", "armel",
		"ppc64le", "ppc64", "s390x", "riscv64", "mips64el", "mipsel", "mips", "loongarch64" };

	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (strlen(arches[i]) == n && strncmp(arches[i], w, n) == 0)
			return true;
	return false;
}

static void check_target(const struct ifx_target_set *set, const struct ifx_target *t)
{
	const struct ifx_target **got;
	size_t n;
	bool found = false;

	CHECK(t->name != NULL && t->name[0] != '\0' && t->family != NULL && t->family[0] != '\0');
	CHECK(t->base != NULL && t->libc_version != NULL && t->glibcxx != NULL &&
	      t->cxxabi != NULL && t->gcc != NULL && t->loaders != NULL && t->note != NULL &&
	      t->source != NULL);
	CHECK(t->libc == IFX_LIBC_GLIBC || t->libc == IFX_LIBC_MUSL);
	CHECK(t->arches[0] != '\0');
	for (const char *p = t->arches; *p != '\0';) {
		size_t len = strcspn(p, " ");
		char arch[32], path[PATH_MAX];
		const char *ld;

		CHECK(word_ok(p, len));
		snprintf(arch, sizeof(arch), "%.*s", (int)len, p);
		CHECK(ifx_target_offers(t, arch));
		ld = ifx_target_arch_loader(t, arch, path, sizeof(path));
		CHECK(ld == NULL || ld[0] == '/');
		p += len;
		p += *p == ' ';
	}
	CHECK(ifx_target_select(set, t->name, &got, &n, NULL) == IFX_OK && n == 1 && got[0] == t);
	free(got);
	CHECK(ifx_target_select(set, t->family, &got, &n, NULL) == IFX_OK);
	for (size_t i = 0; i < n; i++)
		found = found || got[i] == t;
	free(got);
	CHECK(found);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ifx_target_set *set;
	struct ifx_error err;
	size_t before;
	int fd;

	if (dir[0] == '\0')
		setup();
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	CHECK(fd >= 0);
	CHECK(size == 0 || write(fd, data, size) == (ssize_t)size);
	CHECK(close(fd) == 0);
	CHECK((set = ifx_target_set_new()) != NULL);
	before = ifx_target_set_count(set);
	if (ifx_target_set_load(set, file, &err) != IFX_OK) {
		CHECK(err.status != IFX_OK);
		CHECK(strstr(err.message, file) != NULL || err.status == IFX_ERR_NOMEM);
		CHECK(ifx_target_set_count(set) == before);
	} else {
		CHECK(ifx_target_set_count(set) >= before);
		for (size_t i = before; i < ifx_target_set_count(set); i++)
			check_target(set, ifx_target_set_at(set, i));
		if (have_probe) {
			struct ifx_requirements req = IFX_INIT(ifx_requirements);

			CHECK(ifx_target_requirements(&probe, set, &req, NULL) == IFX_OK);
			CHECK(req.target_count == ifx_target_set_count(set));
			ifx_requirements_free(&req);
		}
	}
	ifx_target_set_free(set);
	return 0;
}
