/* Archives (interpfix.h, "Archives: zip and tar"): ifx_archive_detect,
 * ifx_archive_scan and ifx_archive_fix on archives made by real tools (zip,
 * GNU tar, Python's zipfile) from the fixtures, and on hostile ones: names
 * that climb out or are absolute or twice, truncation, bad CRCs, encryption,
 * bombs, too many members. Hand-made bytes only for malformed input. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "interpfix.h"
#include "testhelp.h"

#define BREW_LD "/home/linuxbrew/.linuxbrew/lib/ld.so"

/* Archives made by Python, for the names and sizes no real tool writes. */
static const char mk_py[] =
	"import sys, warnings, zipfile\n"
	"warnings.simplefilter('ignore')\n"
	"cmd, out, args = sys.argv[1], sys.argv[2], sys.argv[3:]\n"
	"def info(name):  # a regular file, as zip and unzip record it\n"
	"    i = zipfile.ZipInfo(name); i.external_attr = 0o100644 << 16; return i\n"
	"if cmd == 'names':  # one small member per name, Python escapes decoded\n"
	"    with zipfile.ZipFile(out, 'w') as z:\n"
	"        for n in args: z.writestr(info(n.encode().decode('unicode_escape')), b'x')\n"
	"elif cmd == 'many':  # N empty members\n"
	"    with zipfile.ZipFile(out, 'w') as z:\n"
	"        for i in range(int(args[0])): z.writestr(info('f%d' % i), b'')\n"
	"elif cmd == 'bomb':  # a deflated member whose headers claim SIZE bytes\n"
	"    with zipfile.ZipFile(out, 'w') as z:\n"
	"        z.writestr(info('big'), bytes(4096), zipfile.ZIP_DEFLATED)\n"
	"    d = bytearray(open(out, 'rb').read()); size = int(args[0]).to_bytes(4, 'little')\n"
	"    assert d[:4] == b'PK\\x03\\x04'; d[22:26] = size\n"
	"    c = d.index(b'PK\\x01\\x02'); d[c + 24:c + 28] = size\n"
	"    open(out, 'wb').write(d)\n"
	"elif cmd == 'flip':  # flip the byte OFF bytes past the ELF magic\n"
	"    d = bytearray(open(out, 'rb').read()); i = d.index(b'\\x7fELF') + int(args[0])\n"
	"    d[i] ^= 0xff; open(out, 'wb').write(d)\n";

struct fx {
	char *dir;    /* bin/hello (brew), bin/musl, opt/hello, README, dir/, link, a/ */
	char *host;   /* the host's loader, as gcc-pie names it */
	char paths[8][4096];
	unsigned next;
};

/* dir/name, in one of a few rotating buffers. */
static const char *at(struct fx *f, const char *name)
{
	char *p = f->paths[f->next++ % 8];

	snprintf(p, sizeof(f->paths[0]), "%s/%s", f->dir, name);
	return p;
}

static char *interp_of(const char *fixture)
{
	char *path = th_fixture(fixture), *interp;
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);

	assert_non_null(path);
	assert_int_equal(ifx_inspect_path(AT_FDCWD, path, true, &info, NULL), IFX_OK);
	assert_true(info.has_interp);
	interp = strdup(info.interp);
	ifx_elf_info_free(&info);
	free(path);
	return interp;
}

static void copy_fixture(struct fx *f, const char *fixture, const char *name)
{
	char *src = th_fixture(fixture);

	assert_non_null(src);
	assert_int_equal(th_copy_file(src, at(f, name)), 0);
	assert_int_equal(chmod(at(f, name), 0755), 0);
	free(src);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char *py;

	if (f == NULL || (f->dir = th_tempdir()) == NULL)
		return -1;
	*state = f;
	if (mkdir(at(f, "bin"), 0755) || mkdir(at(f, "opt"), 0755) || mkdir(at(f, "dir"), 0755) ||
	    mkdir(at(f, "a"), 0755) || symlink("bin/hello", at(f, "link")))
		return -1;
	copy_fixture(f, "brew", "bin/hello");
	copy_fixture(f, "brew", "opt/hello");
	copy_fixture(f, "musl", "bin/musl");
	free(th_write_file(f->dir, "README", "hello readme\n", 13));
	py = th_write_file(f->dir, "mk.py", mk_py, sizeof(mk_py) - 1);
	free(py);
	f->host = interp_of("gcc-pie");
	return py != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	th_rmtree(f->dir);
	free(f->dir);
	free(f->host);
	free(f);
	return 0;
}

/* Run a shell command in the test directory; it must succeed. */
static void sh(struct fx *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sh(struct fx *f, const char *fmt, ...)
{
	char *cmd, *full;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	assert_true(vasprintf(&cmd, fmt, ap) > 0);
	va_end(ap);
	assert_true(asprintf(&full, "cd '%s' && { %s; } >/dev/null 2>&1", f->dir, cmd) > 0);
	rc = system(full);
	free(full);
	if (rc != 0) {
		print_error("command failed (%d): %s\n", rc, cmd);
		free(cmd);
		fail();
	}
	free(cmd);
}

static void need(const char *tool)
{
	if (!th_have_tool(tool))
		th_skip("needs %s", tool);
}

static void need_gnu_tar(void)
{
	need("tar");
	if (system("tar --version 2>/dev/null | grep -q 'GNU tar'") != 0)
		th_skip("needs GNU tar as tar");
}

static enum ifx_status scan(const char *path, const struct ifx_archive_options *o,
			    struct ifx_archive_result *r, struct ifx_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	enum ifx_status st;

	assert_true(fd >= 0);
	st = ifx_archive_scan(fd, o, r, err);
	close(fd);
	return st;
}

static enum ifx_archive_format detect(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	enum ifx_archive_format format;

	assert_true(fd >= 0);
	format = ifx_archive_detect(fd);
	close(fd);
	return format;
}

static const struct ifx_member *member(const struct ifx_archive_result *r, const char *name)
{
	for (size_t i = 0; i < r->count; i++)
		if (strcmp(r->members[i]->name, name) == 0)
			return r->members[i];
	fail_msg("no member '%s' among %zu", name, r->count);
	return NULL;
}

/* The entries of dir, "." and ".." aside: no temporary is ever left. */
static size_t entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* The interpreter member name of the archive at path now names. */
static void assert_member_interp(const char *path, const char *name, const char *interp)
{
	struct ifx_archive_result r = IFX_INIT(ifx_archive_result);
	struct ifx_archive_options o = IFX_INIT(ifx_archive_options);
	struct ifx_error err;
	const struct ifx_member *m;

	assert_int_equal(scan(path, &o, &r, &err), IFX_OK);
	m = member(&r, name);
	assert_int_equal(m->content, IFX_CONTENT_ELF);
	assert_non_null(m->info);
	assert_string_equal(m->info->interp, interp);
	ifx_archive_result_free(&r);
}

/* The four members of the tree, in this order, as zip and tar record them. */
static void check_tree_members(const struct ifx_archive_result *r, bool zip)
{
	static const char *const names[] = { "bin/hello", "README", "dir/", "link" };
	static const enum ifx_member_type types[] = { IFX_MEMBER_FILE, IFX_MEMBER_FILE,
		IFX_MEMBER_DIRECTORY, IFX_MEMBER_SYMLINK };
	static const enum ifx_member_content contents[] = { IFX_CONTENT_ELF, IFX_CONTENT_OTHER,
		IFX_CONTENT_UNREAD, IFX_CONTENT_UNREAD };
	char *brew = th_fixture("brew");
	struct stat sb;

	assert_non_null(brew);
	assert_int_equal(stat(brew, &sb), 0);
	free(brew);
	assert_int_equal(r->count, 4);
	assert_int_equal(r->elf, 1);
	assert_int_equal(r->changed, 0);
	assert_false(r->written);
	for (size_t i = 0; i < 4; i++) {
		const struct ifx_member *m = r->members[i];

		assert_string_equal(m->name, names[i]);
		assert_int_equal(m->type, types[i]);
		assert_int_equal(m->content, contents[i]);
		assert_true(m->selected);
		assert_int_equal(m->status, IFX_OK);
		assert_null(m->message);
		assert_null(m->report);
		assert_false(m->left);
		if (i != 0)
			assert_null(m->info);
	}
	assert_int_equal(r->members[0]->size, (uint64_t)sb.st_size);
	assert_int_equal(r->members[0]->mode, S_IFREG | 0755);
	assert_int_equal(r->members[1]->size, 13);
	assert_int_equal(r->members[2]->size, 0);
	assert_int_equal(r->members[2]->mode & S_IFMT, S_IFDIR);
	assert_int_equal(r->members[3]->mode & S_IFMT, S_IFLNK);
	/* zip stores the target as the data; tar in the header */
	assert_int_equal(r->members[3]->size, zip ? strlen("bin/hello") : 0);
	if (!zip)
		assert_string_equal(r->members[3]->link_target, "bin/hello");
	assert_non_null(r->members[0]->info);
	assert_true(r->members[0]->info->has_interp);
	assert_string_equal(r->members[0]->info->interp, BREW_LD);
	assert_string_equal(ifx_member_type_name(r->members[3]->type), "symlink");
}

static void test_scan_zip(void **state)
{
	struct fx *f = *state;
	struct ifx_archive_options o = IFX_INIT(ifx_archive_options);
	struct ifx_archive_result r = IFX_INIT(ifx_archive_result);
	struct ifx_error err;

	need("zip");
	sh(f, "zip -q -y a/t.zip bin/hello README dir link");
	assert_int_equal(scan(at(f, "a/t.zip"), &o, &r, &err), IFX_OK);
	assert_int_equal(r.format, IFX_ARCHIVE_ZIP);
	assert_string_equal(r.format_name, "zip");
	check_tree_members(&r, true);
	ifx_archive_result_free(&r);
	assert_int_equal(r.size, sizeof(r)); /* kept for a second fill */
	assert_int_equal(r.count, 0);
}

static void test_scan_tar(void **state)
{
	static const struct { const char *flags, *file, *name; } cases[] = {
		{ "-z", "a/t.tar.gz", "gzip" },
		{ "--zstd", "a/t.tar.zst", "zstd" },
		{ "--format=pax", "a/t.tar", "pax" },
	};
	struct fx *f = *state;
	struct ifx_archive_options o = IFX_INIT(ifx_archive_options);
	struct ifx_error err;

	need_gnu_tar();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ifx_archive_result r = IFX_INIT(ifx_archive_result);

		if (strcmp(cases[i].name, "zstd") == 0 && !th_have_tool("zstd"))
			continue;

		sh(f, "tar %s -cf %s bin/hello README dir link", cases[i].flags, cases[i].file);
		assert_int_equal(scan(at(f, cases[i].file), &o, &r, &err), IFX_OK);
		assert_int_equal(r.format, IFX_ARCHIVE_TAR);
		assert_non_null(r.format_name);
		if (strncmp(r.format_name, "tar (", 5) || !strstr(r.format_name, cases[i].name))
			fail_msg("%s: format_name \"%s\" does not say %s", cases[i].file,
				 r.format_name, cases[i].name);
		check_tree_members(&r, false);
		ifx_archive_result_free(&r);
	}
}

static void test_detect(void **state)
{
	struct fx *f = *state;
	char *elf = th_fixture("gcc-pie");
	struct ifx_archive_options o = IFX_INIT(ifx_archive_options);
	struct ifx_archive_result r = IFX_INIT(ifx_archive_result);
	struct ifx_error err;

	need("zip");
	need_gnu_tar();
	need("gzip");
	need("xz");
	sh(f, "zip -q a/t.zip README && tar -cf a/t.tar README && tar -czf a/t.tar.gz README && "
	      "tar -cJf a/t.tar.xz README && gzip -c README >a/readme.gz && : >a/empty");
	assert_int_equal(detect(at(f, "a/t.zip")), IFX_ARCHIVE_ZIP);
	assert_int_equal(detect(at(f, "a/t.tar")), IFX_ARCHIVE_TAR);
	assert_int_equal(detect(at(f, "a/t.tar.gz")), IFX_ARCHIVE_TAR);
	assert_int_equal(detect(at(f, "a/t.tar.xz")), IFX_ARCHIVE_TAR);
	/* a compressed text is not a tar, whatever its first bytes */
	assert_int_equal(detect(at(f, "a/readme.gz")), IFX_ARCHIVE_NONE);
	assert_int_equal(detect(at(f, "a/empty")), IFX_ARCHIVE_NONE);
	assert_int_equal(detect(at(f, "README")), IFX_ARCHIVE_NONE);
	assert_non_null(elf);
	assert_int_equal(detect(elf), IFX_ARCHIVE_NONE);
	/* and what is not one is not scanned */
	assert_int_equal(scan(at(f, "a/readme.gz"), &o, &r, &err), IFX_ERR_NOT_ELF);
	assert_int_equal(r.count, 0);
	assert_int_equal(scan(elf, &o, &r, &err), IFX_ERR_NOT_ELF);
	ifx_archive_result_free(&r);
	free(elf);
}

static void test_member_globs(void **state)
{
	static const char *const globs[] = { "bin/*" };
	static const char *const files[] = { "a/t.zip", "a/t.tar.gz" };
	struct fx *f = *state;
	struct ifx_archive_options o = IFX_INIT(ifx_archive_options);
	struct ifx_error err;

	need("zip");
	need_gnu_tar();
	sh(f, "zip -q a/t.zip bin/hello opt/hello README && tar -czf a/t.tar.gz bin/hello opt/hello README");
	o.members = globs;
	o.member_count = 1;
	for (size_t i = 0; i < 2; i++) {
		struct ifx_archive_result r = IFX_INIT(ifx_archive_result);
		const struct ifx_member *m;

		assert_int_equal(scan(at(f, files[i]), &o, &r, &err), IFX_OK);
		assert_int_equal(r.count, 3);
		assert_int_equal(r.elf, 1);
		m = member(&r, "bin/hello");
		assert_true(m->selected);
		assert_int_equal(m->content, IFX_CONTENT_ELF);
		assert_non_null(m->info);
		assert_string_equal(m->info->interp, BREW_LD);
		m = member(&r, "opt/hello"); /* the same ELF bytes, not selected */
		assert_false(m->selected);
		assert_int_equal(m->content, IFX_CONTENT_UNREAD);
		assert_null(m->info);
		assert_int_equal(m->status, IFX_OK);
		m = member(&r, "README");
		assert_false(m->selected);
		assert_int_equal(m->content, IFX_CONTENT_UNREAD);
		ifx_archive_result_free(&r);
	}
	/* a count without the globs is the caller's mistake */
	o.members = NULL;
	{
		struct ifx_archive_result r = IFX_INIT(ifx_archive_result);

		assert_int_equal(scan(at(f, "a/t.zip"), &o, &r, &err), IFX_ERR_USAGE);
		ifx_archive_result_free(&r);
	}
}

static void test_fix(void **state)
{
	struct fx *f = *state;
	struct ifx_fix_options fix = IFX_INIT(ifx_fix_options);
	struct ifx_archive_options o = IFX_INIT(ifx_archive_options);
	struct ifx_archive_result r = IFX_INIT(ifx_archive_result);
	struct ifx_error err;
	char *readme;

	need("zip");
	need("unzip");
	need_gnu_tar();
	fix.target = f->host;
	o.fix = &fix;
	sh(f, "zip -q a/t.zip bin/hello README && cp a/t.zip saved.zip");

	/* in place */
	assert_int_equal(ifx_archive_fix(AT_FDCWD, at(f, "a/t.zip"), &o, &r, &err), IFX_OK);
	assert_true(r.written);
	assert_int_equal(r.changed, 1);
	assert_int_equal(r.left, 0);
	assert_int_equal(member(&r, "bin/hello")->report->result, IFX_FIX_CHANGED);
	assert_string_equal(member(&r, "bin/hello")->report->old_interp, BREW_LD);
	ifx_archive_result_free(&r);
	assert_false(th_same_bytes(at(f, "a/t.zip"), at(f, "saved.zip")));
	assert_member_interp(at(f, "a/t.zip"), "bin/hello", f->host);
	assert_int_equal(entries(at(f, "a")), 1);
	sh(f, "unzip -tq a/t.zip"); /* CRCs right for unzip too */
	readme = th_command_output("unzip -p '%s' README", at(f, "a/t.zip"));
	assert_non_null(readme);
	assert_string_equal(readme, "hello readme");
	free(readme);
	/* fixed already: nothing to write */
	assert_int_equal(ifx_archive_fix(AT_FDCWD, at(f, "a/t.zip"), &o, &r, &err), IFX_OK);
	assert_false(r.written);
	assert_int_equal(r.changed, 0);
	assert_int_equal(member(&r, "bin/hello")->report->result, IFX_FIX_ALREADY);
	ifx_archive_result_free(&r);

	/* to an output: the original byte for byte */
	sh(f, "cp saved.zip a/t.zip");
	o.output = at(f, "a/out.zip");
	assert_int_equal(ifx_archive_fix(AT_FDCWD, at(f, "a/t.zip"), &o, &r, &err), IFX_OK);
	assert_true(r.written);
	assert_int_equal(r.changed, 1);
	ifx_archive_result_free(&r);
	assert_true(th_same_bytes(at(f, "a/t.zip"), at(f, "saved.zip")));
	assert_member_interp(at(f, "a/out.zip"), "bin/hello", f->host);
	assert_int_equal(entries(at(f, "a")), 2);
	o.output = NULL;
	sh(f, "rm a/out.zip");

	/* a dry run says what it would do and writes nothing */
	fix.dry_run = true;
	assert_int_equal(ifx_archive_fix(AT_FDCWD, at(f, "a/t.zip"), &o, &r, &err), IFX_OK);
	assert_false(r.written);
	assert_int_equal(r.changed, 1);
	assert_non_null(member(&r, "bin/hello")->report);
	assert_int_equal(member(&r, "bin/hello")->report->result, IFX_FIX_CHANGED);
	assert_string_equal(member(&r, "bin/hello")->report->new_interp, f->host);
	ifx_archive_result_free(&r);
	assert_true(th_same_bytes(at(f, "a/t.zip"), at(f, "saved.zip")));
	assert_int_equal(entries(at(f, "a")), 1);
	fix.dry_run = false;

	/* a tar.gz through spools on disk: still a gzip'd GNU tar */
	sh(f, "rm a/t.zip && tar -czf a/t.tar.gz bin/hello README");
	o.spool_threshold = 4096;
	assert_int_equal(ifx_archive_fix(AT_FDCWD, at(f, "a/t.tar.gz"), &o, &r, &err), IFX_OK);
	assert_true(r.written);
	assert_int_equal(r.changed, 1);
	ifx_archive_result_free(&r);
	assert_int_equal(entries(at(f, "a")), 1);
	assert_member_interp(at(f, "a/t.tar.gz"), "bin/hello", f->host);
	readme = th_command_output("tar -xzOf '%s' README", at(f, "a/t.tar.gz"));
	assert_non_null(readme);
	assert_string_equal(readme, "hello readme");
	free(readme);
	/* options NULL: the defaults; the format and filter are kept */
	assert_int_equal(scan(at(f, "a/t.tar.gz"), NULL, &r, &err), IFX_OK);
	assert_string_equal(r.format_name, "tar (gnu, gzip)");
	ifx_archive_result_free(&r);
}

static void test_refusal(void **state)
{
	struct fx *f = *state;
	char *musl_ld = interp_of("musl");
	struct ifx_fix_options fix = IFX_INIT(ifx_fix_options);
	struct ifx_archive_options o = IFX_INIT(ifx_archive_options);
	struct ifx_archive_result r = IFX_INIT(ifx_archive_result);
	struct ifx_error err;
	const struct ifx_member *m;

	need("zip");
	fix.target = f->host;
	o.fix = &fix;
	sh(f, "zip -q a/t.zip bin/hello bin/musl README && cp a/t.zip saved.zip");
	assert_int_equal(ifx_archive_fix(AT_FDCWD, at(f, "a/t.zip"), &o, &r, &err), IFX_REFUSED);
	assert_non_null(strstr(err.message, "bin/musl"));
	assert_false(r.written);
	assert_int_equal(member(&r, "bin/musl")->status, IFX_REFUSED);
	ifx_archive_result_free(&r);
	assert_true(th_same_bytes(at(f, "a/t.zip"), at(f, "saved.zip")));
	assert_int_equal(entries(at(f, "a")), 1);

	o.keep_going = true;
	assert_int_equal(ifx_archive_fix(AT_FDCWD, at(f, "a/t.zip"), &o, &r, &err), IFX_OK);
	assert_true(r.written);
	assert_int_equal(r.elf, 2);
	assert_int_equal(r.changed, 1);
	assert_int_equal(r.left, 1);
	m = member(&r, "bin/musl");
	assert_true(m->left);
	assert_int_equal(m->status, IFX_REFUSED);
	assert_non_null(m->message);
	m = member(&r, "bin/hello");
	assert_false(m->left);
	assert_int_equal(m->status, IFX_OK);
	assert_int_equal(m->report->result, IFX_FIX_CHANGED);
	ifx_archive_result_free(&r);
	assert_int_equal(entries(at(f, "a")), 1);
	assert_member_interp(at(f, "a/t.zip"), "bin/hello", f->host);
	assert_member_interp(at(f, "a/t.zip"), "bin/musl", musl_ld);
	free(musl_ld);
}

/* scan must fail with MALFORMED and a message saying `says`. */
static void assert_malformed(const char *path, const char *says)
{
	struct ifx_archive_options o = IFX_INIT(ifx_archive_options);
	struct ifx_archive_result r = IFX_INIT(ifx_archive_result);
	struct ifx_error err;
	enum ifx_status st = scan(path, &o, &r, &err);

	ifx_archive_result_free(&r);
	if (st != IFX_ERR_MALFORMED || strstr(err.message, says) == NULL)
		fail_msg("%s: status %s, \"%s\"; wanted malformed saying \"%s\"", path,
			 ifx_status_name(st), err.message, says);
}

/* ifx_archive_fix fails with `want`, leaving the archive as saved and alone. */
static void assert_fix_leaves(struct fx *f, const char *path, const char *saved,
			      enum ifx_status want)
{
	struct ifx_fix_options fix = IFX_INIT(ifx_fix_options);
	struct ifx_archive_options o = IFX_INIT(ifx_archive_options);
	struct ifx_archive_result r = IFX_INIT(ifx_archive_result);
	struct ifx_error err;

	fix.target = f->host;
	o.fix = &fix;
	assert_int_equal(ifx_archive_fix(AT_FDCWD, at(f, path), &o, &r, &err), want);
	assert_false(r.written);
	ifx_archive_result_free(&r);
	assert_true(th_same_bytes(at(f, path), at(f, saved)));
	assert_int_equal(entries(at(f, "a")), 1);
}

static void test_hostile_names(void **state)
{
	struct fx *f = *state;

	need("python3");
	sh(f, "python3 mk.py names a/t.zip ok ../escape && cp a/t.zip saved.zip");
	assert_malformed(at(f, "a/t.zip"), "'..'");
	assert_fix_leaves(f, "a/t.zip", "saved.zip", IFX_ERR_MALFORMED);
	sh(f, "python3 mk.py names a/t.zip 'dir/../../up'");
	assert_malformed(at(f, "a/t.zip"), "'..'");
	sh(f, "python3 mk.py names a/t.zip /etc/x");
	assert_malformed(at(f, "a/t.zip"), "absolute");
	sh(f, "python3 mk.py names a/t.zip a b a");
	assert_malformed(at(f, "a/t.zip"), "twice");
	/* a tar appended to (tar -r) holds a name twice too; no fix is written */
	need_gnu_tar();
	sh(f, "rm a/t.zip && tar -cf a/t.tar bin/hello README && tar -rf a/t.tar bin/hello && "
	      "cp a/t.tar saved.tar");
	assert_malformed(at(f, "a/t.tar"), "'bin/hello' appears twice");
	assert_fix_leaves(f, "a/t.tar", "saved.tar", IFX_ERR_MALFORMED);
}

static void test_truncated(void **state)
{
	struct fx *f = *state;

	need("zip");
	need_gnu_tar();
	sh(f, "zip -q s.zip bin/hello README && head -c $(($(stat -c %%s s.zip) / 2)) s.zip >a/t.zip"
	      " && cp a/t.zip saved.zip");
	assert_malformed(at(f, "a/t.zip"), "damaged zip");
	assert_fix_leaves(f, "a/t.zip", "saved.zip", IFX_ERR_MALFORMED);
	/* cut inside the data of noise, its first member: err names it */
	sh(f, "rm a/t.zip && head -c 200000 /dev/urandom >noise && tar -czf s.tar.gz noise bin/hello &&"
	      " head -c $(($(stat -c %%s s.tar.gz) / 2)) s.tar.gz >a/t.tar.gz && cp a/t.tar.gz saved.tgz");
	assert_int_equal(detect(at(f, "a/t.tar.gz")), IFX_ARCHIVE_TAR);
	assert_malformed(at(f, "a/t.tar.gz"), "noise");
	assert_fix_leaves(f, "a/t.tar.gz", "saved.tgz", IFX_ERR_MALFORMED);
}

static void test_encrypted(void **state)
{
	struct fx *f = *state;
	struct ifx_archive_options o = IFX_INIT(ifx_archive_options);
	struct ifx_archive_result r = IFX_INIT(ifx_archive_result);
	struct ifx_error err;
	const struct ifx_member *m;

	need("zip");
	sh(f, "zip -q -P secret a/t.zip bin/hello && cp a/t.zip saved.zip");
	assert_int_equal(scan(at(f, "a/t.zip"), &o, &r, &err), IFX_OK);
	m = member(&r, "bin/hello");
	assert_int_equal(m->status, IFX_ERR_UNSUPPORTED);
	assert_non_null(m->message);
	assert_non_null(strstr(m->message, "encrypted"));
	assert_null(m->info);
	ifx_archive_result_free(&r);
	assert_fix_leaves(f, "a/t.zip", "saved.zip", IFX_ERR_UNSUPPORTED);
}

static void test_bad_crc(void **state)
{
	struct fx *f = *state;

	need("zip");
	need("python3");
	sh(f, "zip -q -0 a/t.zip bin/hello && python3 mk.py flip a/t.zip 200 && cp a/t.zip saved.zip");
	assert_malformed(at(f, "a/t.zip"), "CRC");
	assert_fix_leaves(f, "a/t.zip", "saved.zip", IFX_ERR_MALFORMED);
}

/* 0xF0000000 bytes (3.75 GiB, above BOMB_SIZE 1 GiB) claimed from a few
 * dozen compressed (a ratio far above BOMB_RATIO 1000). */
static void test_zip_bomb(void **state)
{
	struct fx *f = *state;
	struct rusage before, after;
	time_t t;

	need("python3");
	sh(f, "python3 mk.py bomb a/t.zip %u", 0xF0000000u);
	assert_int_equal(getrusage(RUSAGE_SELF, &before), 0);
	t = time(NULL);
	assert_malformed(at(f, "a/t.zip"), "bomb");
	assert_true(time(NULL) - t < 5);
	assert_int_equal(getrusage(RUSAGE_SELF, &after), 0);
	assert_true(after.ru_maxrss - before.ru_maxrss < 64 * 1024); /* KiB */
}

static void test_too_many_members(void **state)
{
	struct fx *f = *state;

	need("python3");
	sh(f, "python3 mk.py many a/t.zip 100001");
	assert_malformed(at(f, "a/t.zip"), "more than 100000");
}

/* A name is any bytes but NUL: a newline and an ESC come back exactly;
 * ".." inside a name is not a ".." component. */
static void test_control_bytes_in_names(void **state)
{
	struct fx *f = *state;
	struct ifx_archive_options o = IFX_INIT(ifx_archive_options);
	struct ifx_archive_result r = IFX_INIT(ifx_archive_result);
	struct ifx_error err;

	need("python3");
	sh(f, "python3 mk.py names a/t.zip 'a\\nb\\x1bc' 'a..b' '..c/d..'");
	assert_int_equal(scan(at(f, "a/t.zip"), &o, &r, &err), IFX_OK);
	assert_int_equal(r.count, 3);
	assert_string_equal(r.members[0]->name, "a\nb\033c");
	assert_int_equal(r.members[0]->content, IFX_CONTENT_OTHER);
	assert_string_equal(r.members[2]->name, "..c/d..");
	ifx_archive_result_free(&r);

	need_gnu_tar();
	free(th_write_file(f->dir, "x\ny\033z", "z", 1));
	sh(f, "tar -cf a/t.tar x?y?z");
	assert_int_equal(scan(at(f, "a/t.tar"), &o, &r, &err), IFX_OK);
	assert_int_equal(r.count, 1);
	assert_string_equal(r.members[0]->name, "x\ny\033z");
	assert_int_equal(r.members[0]->content, IFX_CONTENT_OTHER);
	ifx_archive_result_free(&r);
}

/* The size rule: a result or options whose size was not set. */
static void test_unset_size(void **state)
{
	struct fx *f = *state;
	struct ifx_fix_options fix = IFX_INIT(ifx_fix_options);
	struct ifx_archive_options o = IFX_INIT(ifx_archive_options), unset;
	struct ifx_archive_result r;
	struct ifx_error err;

	need("zip");
	sh(f, "zip -q a/t.zip bin/hello && cp a/t.zip saved.zip");
	memset(&r, 0, sizeof(r));
	memset(&unset, 0, sizeof(unset));
	assert_int_equal(scan(at(f, "a/t.zip"), &o, &r, &err), IFX_ERR_USAGE);
	assert_int_equal(r.count, 0);
	assert_null(r.format_name);
	r.size = sizeof(r);
	assert_int_equal(scan(at(f, "a/t.zip"), &unset, &r, &err), IFX_ERR_USAGE);
	assert_int_equal(r.count, 0);
	fix.target = f->host;
	o.fix = &fix;
	r.size = 0;
	assert_int_equal(ifx_archive_fix(AT_FDCWD, at(f, "a/t.zip"), &o, &r, &err), IFX_ERR_USAGE);
	r.size = sizeof(r);
	fix.size = 0;
	assert_int_equal(ifx_archive_fix(AT_FDCWD, at(f, "a/t.zip"), &o, &r, &err), IFX_ERR_USAGE);
	assert_true(th_same_bytes(at(f, "a/t.zip"), at(f, "saved.zip")));
	ifx_archive_result_free(&r);
}

int main(void)
{
	static const char *const needed[] = { "brew", "gcc-pie", "musl", NULL };
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_scan_zip),
		T(test_scan_tar),
		T(test_detect),
		T(test_member_globs),
		T(test_fix),
		T(test_refusal),
		T(test_hostile_names),
		T(test_truncated),
		T(test_encrypted),
		T(test_bad_crc),
		T(test_zip_bomb),
		T(test_too_many_members),
		T(test_control_bytes_in_names),
		T(test_unset_size),
	};
#undef T

	th_require_fixtures(needed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
