/* Helpers shared by the unit tests. */
#include "config.h"

#include <fcntl.h>
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

#include "testhelp.h"

bool th_require_all(void)
{
	const char *r = getenv("IFX_REQUIRE_FIXTURES");

	return r != NULL && strcmp(r, "1") == 0;
}

void th_skip_reason(const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	print_message("# SKIP: %s\n", reason);
}

/* A command name found on PATH, as the shell's `command -v` finds it. */
static bool on_path(const char *tool)
{
	const char *path = getenv("PATH");
	char dir[4096];

	if (strchr(tool, '/') != NULL)
		return access(tool, X_OK) == 0;
	while (path != NULL && *path != '\0') {
		size_t n = strcspn(path, ":");
		char full[8192];

		snprintf(dir, sizeof(dir), "%.*s", (int)n, path);
		snprintf(full, sizeof(full), "%s/%s", n ? dir : ".", tool);
		if (access(full, X_OK) == 0)
			return true;
		path += n;
		if (*path == ':')
			path++;
	}
	return false;
}

bool th_have_tool(const char *tool)
{
	if (on_path(tool))
		return true;
	print_message("# needs %s, which is not installed (scripts/install-deps.sh --with-tests)\n", tool);
	if (th_require_all())
		fail_msg("%s is required (IFX_REQUIRE_FIXTURES=1)", tool);
	return false;
}

void th_require_tools(const char *const *tools)
{
	for (; *tools != NULL; tools++) {
		if (on_path(*tools))
			continue;
		if (th_require_all()) {
			printf("Bail out! needs %s, which is not installed\n", *tools);
			exit(1);
		}
		printf("1..0 # SKIP needs %s, which is not installed\n", *tools);
		exit(0);
	}
}

void th_require_host_machine(const char *machine)
{
	struct utsname u;

	if (uname(&u) == 0 && strcmp(u.machine, machine) == 0)
		return;
	printf("1..0 # SKIP expects an %s host (this is %s)\n", machine, u.machine);
	exit(0);
}

char *th_fixture(const char *name)
{
	const char *dir = getenv("IFX_FIXTURES");
	char manifest[4096], line[4096], *path = NULL;
	size_t len = strlen(name);
	FILE *f;

	if (dir == NULL)
		return NULL;
	snprintf(manifest, sizeof(manifest), "%s/MANIFEST", dir);
	f = fopen(manifest, "r");
	if (f == NULL)
		return NULL;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, name, len) == 0 && line[len] == '\t') {
			if (asprintf(&path, "%s/%s", dir, name) < 0)
				path = NULL;
			break;
		}
	}
	fclose(f);
	return path;
}

void th_require_fixtures(const char *const *names)
{
	for (; *names != NULL; names++) {
		char *path = th_fixture(*names);

		if (path != NULL) {
			free(path);
			continue;
		}
		if (th_require_all()) {
			printf("Bail out! fixture %s missing\n", *names);
			exit(1);
		}
		printf("1..0 # SKIP fixture %s not built here\n", *names);
		exit(0);
	}
}

enum ifx_status th_inspect(const char *path, struct ifx_elf_info *info,
			   struct ifx_error *err)
{
	info->size = sizeof(*info); /* the caller's struct is one of ours */
	return ifx_inspect_path(AT_FDCWD, path, true, info, err);
}

char *th_command_output(const char *fmt, ...)
{
	char *cmd, *out = NULL;
	size_t size = 0;
	va_list ap;
	FILE *p, *mem;
	int c;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		cmd = NULL;
	va_end(ap);
	if (cmd == NULL)
		return NULL;
	p = popen(cmd, "r");
	free(cmd);
	if (p == NULL)
		return NULL;
	mem = open_memstream(&out, &size);
	while ((c = fgetc(p)) != EOF)
		fputc(c, mem);
	pclose(p);
	fclose(mem);
	while (size > 0 && out[size - 1] == '\n')
		out[--size] = '\0';
	return out;
}

char *th_tempdir(void)
{
	char *dir = strdup("/tmp/ifx-unit.XXXXXX");

	if (dir == NULL || mkdtemp(dir) == NULL) {
		free(dir);
		return NULL;
	}
	return dir;
}

void th_rmtree(const char *dir)
{
	char *out = th_command_output("rm -rf '%s'", dir);

	free(out);
}

char *th_write_file(const char *dir, const char *name, const void *bytes,
		    size_t len)
{
	char *path;
	FILE *f;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return NULL;
	f = fopen(path, "wb");
	if (f == NULL) {
		free(path);
		return NULL;
	}
	fwrite(bytes, 1, len, f);
	fclose(f);
	return path;
}

int th_copy_file(const char *from, const char *to)
{
	char buf[65536];
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	size_t n;
	int rc = 0;

	if (in == NULL || out == NULL)
		rc = -1;
	while (rc == 0 && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = -1;
	if (in)
		fclose(in);
	if (out && fclose(out) != 0)
		rc = -1;
	return rc;
}

bool th_same_bytes(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	bool same = fa != NULL && fb != NULL;
	int ca, cb;

	while (same) {
		ca = fgetc(fa);
		cb = fgetc(fb);
		if (ca != cb)
			same = false;
		if (ca == EOF)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

bool th_is_version(const char *v)
{
	bool need_digit = true;

	if (v == NULL || *v == '\0')
		return false;
	for (; *v != '\0'; v++) {
		if (*v >= '0' && *v <= '9')
			need_digit = false;
		else if (*v == '.' && !need_digit)
			need_digit = true;
		else
			return false;
	}
	return !need_digit;
}

static unsigned long next_component(const char **p)
{
	char *end;
	unsigned long n;

	if (**p == '\0')
		return 0;
	n = strtoul(*p, &end, 10);
	*p = *end == '.' ? end + 1 : end;
	return n;
}

int th_version_cmp(const char *a, const char *b)
{
	while (*a != '\0' || *b != '\0') {
		unsigned long x = next_component(&a);
		unsigned long y = next_component(&b);

		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

bool th_word_at(const char *list, size_t i, char *buf, size_t size)
{
	const char *p = list;

	for (;;) {
		size_t len = strcspn(p, " ");

		if (len == 0 && *p == '\0')
			return false;
		if (len == 0 || len >= size)
			fail_msg("bad word list \"%s\"", list);
		if (i-- == 0) {
			memcpy(buf, p, len);
			buf[len] = '\0';
			return true;
		}
		p += len + (p[len] == ' ');
	}
}
