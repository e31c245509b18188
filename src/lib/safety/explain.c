/* Why executing a file here would fail, in plain words, then what to do,
 * best option first (libtree's "paths considered" is the model). Never runs
 * the file or its loader; the caller renders the explanation. */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "internal.h"

#define ADVICE_MAX 4

struct story {
	const char *path;
	char *quoted;        /* path as a shell word, for advice */
	bool fails;
	char headline[IFX_MSG_MAX];
	char **why;
	size_t why_count;
	char **advice;
	size_t advice_count;
};

static void fail(struct story *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fail(struct story *s, const char *fmt, ...)
{
	va_list ap;

	if (s->fails)
		return; /* the first cause is the one the kernel or loader hits */
	s->fails = true;
	va_start(ap, fmt);
	vsnprintf(s->headline, sizeof(s->headline), fmt, ap);
	va_end(ap);
}

static void because(struct story *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void because(struct story *s, const char *fmt, ...)
{
	char line[IFX_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ifx__strlist_push(&s->why, &s->why_count, line);
}

static void advise(struct story *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void advise(struct story *s, const char *fmt, ...)
{
	char line[IFX_MSG_MAX];
	va_list ap;

	if (s->advice_count >= ADVICE_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ifx__strlist_push(&s->advice, &s->advice_count, line);
}

/* ---- before the file is read ---- */

static bool explain_link(struct story *s, const char *path)
{
	struct stat lsb, sb;
	char target[PATH_MAX];
	ssize_t n;

	if (lstat(path, &lsb) == 0 && S_ISLNK(lsb.st_mode) && stat(path, &sb) < 0) {
		n = readlink(path, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		fail(s, "it is a dangling symbolic link");
		because(s, "%s points to %s, which does not exist (%s)", path, target,
			strerror(errno));
		advise(s, "point the link at the real file: ln -sf REAL_FILE %s", s->quoted);
		return false;
	}
	return true;
}

/* For a program or a script: may the kernel execute this file at all? */
static bool explain_access(struct story *s, const char *path)
{
	struct statvfs vfs;
	struct stat sb;

	/* noexec first: there, access(X_OK) fails whatever the mode says. */
	if (statvfs(path, &vfs) == 0 && (vfs.f_flag & ST_NOEXEC)) {
		fail(s, "it is on a filesystem mounted noexec");
		because(s, "nothing on a noexec mount can be executed: \"Permission denied\"");
		advise(s, "copy it to a filesystem mounted without noexec, or remount "
		       "with exec (mount -o remount,exec MOUNTPOINT)");
		return false;
	}
	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, X_OK) < 0) {
		fail(s, "it is not executable (mode %04o)", (unsigned)(sb.st_mode & 07777));
		because(s, "the kernel refuses to execute a file without execute "
			"permission: \"Permission denied\"");
		advise(s, "chmod +x %s", s->quoted);
		return false;
	}
	return true;
}

/* ---- files that are not programs ---- */

/* What a file is, by its first bytes, when it is neither ELF nor #!. */
static const char *what_it_is(const unsigned char *h, size_t n)
{
	if (n == 0)
		return "an empty file";
	if (n >= 4 && h[0] == 'P' && h[1] == 'K' && (h[2] == 3 || h[2] == 5 || h[2] == 7))
		return "a zip archive";
	if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b)
		return "a gzip-compressed file (a .tar.gz archive?)";
	if (n >= 6 && memcmp(h, "\xfd" "7zXZ\0", 6) == 0)
		return "an xz-compressed file (a .tar.xz archive?)";
	if (n >= 4 && memcmp(h, "\x28\xb5\x2f\xfd", 4) == 0)
		return "a zstd-compressed file (a .tar.zst archive?)";
	if (n >= 3 && memcmp(h, "BZh", 3) == 0)
		return "a bzip2-compressed file (a .tar.bz2 archive?)";
	if (n >= 262 && memcmp(h + 257, "ustar", 5) == 0)
		return "a tar archive";
	if (n >= 8 && memcmp(h, "!<arch>\n", 8) == 0)
		return "an ar archive (a static library or a .deb)";
	for (size_t i = 0; i < n; i++)
		if (h[i] == 0)
			return "a data file";
	return "a text file without a #! line";
}

static void explain_not_program(struct story *s, const unsigned char *head, size_t n)
{
	const char *what = what_it_is(head, n);

	fail(s, "it is %s, not a program", what);
	because(s, "the kernel runs ELF programs and #! scripts: for anything else "
		"execve fails with \"Exec format error\" (a shell may then try to run "
		"it as a shell script)");
	if (strstr(what, "archive") != NULL)
		advise(s, "unpack it and explain the program inside (interpfix explain DIR/PROGRAM)");
	else if (strstr(what, "text") != NULL)
		advise(s, "if it is a shell script, add a #! line (#!/bin/sh) or run it with sh %s",
		       s->path);
}

/* ---- scripts ---- */

static bool in_path(const char *name)
{
	const char *env = getenv("PATH");
	char *copy = strdup(env ? env : "/usr/local/bin:/usr/bin:/bin"), *save = NULL;
	bool found = false;

	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char full[PATH_MAX];

		snprintf(full, sizeof(full), "%s/%s", d, name);
		found = access(full, X_OK) == 0;
	}
	free(copy);
	return found;
}

static void explain_script(struct story *s, const char *line)
{
	char interp[PATH_MAX] = "", arg[PATH_MAX] = "";
	const char *p = line + 2;
	size_t len;

	p += strspn(p, " \t");
	len = strcspn(p, " \t\n");
	snprintf(interp, sizeof(interp), "%.*s", (int)len, p);
	p += len;
	p += strspn(p, " \t");
	snprintf(arg, sizeof(arg), "%.*s", (int)strcspn(p, " \t\r\n"), p);
	if (interp[0] != '\0' && interp[strlen(interp) - 1] == '\r') {
		interp[strlen(interp) - 1] = '\0';
		fail(s, "its #! line ends in a carriage return (Windows line endings)");
		because(s, "the kernel looks for an interpreter named \"%s\\r\", which does "
			"not exist: \"No such file or directory\"", interp);
		advise(s, "convert the line endings: sed -i 's/\\r$//' %s (or dos2unix)", s->quoted);
		return;
	}
	if (access(interp, X_OK) < 0) {
		fail(s, "its script interpreter %s does not exist here", interp);
		because(s, "the #! line names %s: %s", interp, strerror(errno));
		advise(s, "install %s, or change the #! line to where it is here", interp);
		advise(s, "for portability, use #!/usr/bin/env %s",
		       strrchr(interp, '/') ? strrchr(interp, '/') + 1 : interp);
		return;
	}
	if (strcmp(interp, "/usr/bin/env") == 0 && arg[0] != '\0' && arg[0] != '-' &&
	    strchr(arg, '=') == NULL && !in_path(arg)) {
		if (arg[strlen(arg) - 1] == '\r') {
			fail(s, "its #! line ends in a carriage return (Windows line endings)");
			because(s, "env looks for a program named \"%.*s\\r\"",
				(int)strlen(arg) - 1, arg);
			advise(s, "convert the line endings: sed -i 's/\\r$//' %s", s->quoted);
			return;
		}
		fail(s, "env cannot find %s in PATH", arg);
		because(s, "the #! line runs /usr/bin/env %s; no %s in PATH=%s", arg, arg,
			getenv("PATH") ? getenv("PATH") : "(unset)");
		advise(s, "install %s or add its directory to PATH", arg);
	}
}

/* ---- ELF ---- */

/* The machine this kernel runs natively, as uname -m says (reading our
 * own ELF header instead would be wrong under valgrind or qemu). x86_64
 * kernels also run i386 and x32 code (when built with that support). */
static bool runs_natively(const char *want, const char *host)
{
	if (strcmp(want, host) == 0)
		return true;
	return strcmp(host, "x86_64") == 0 &&
	       (strcmp(want, "i386") == 0 || strcmp(want, "x32") == 0);
}

static bool explain_arch(struct story *s, const struct ifx_elf_info *bin)
{
	const char *want = ifx_machine_name(bin->machine, bin->elf_class, bin->data);
	char binfmt[PATH_MAX];
	struct utsname uts;

	if (uname(&uts) < 0)
		return true;
	snprintf(binfmt, sizeof(binfmt), "/proc/sys/fs/binfmt_misc/qemu-%s", want);
	if (!runs_natively(want, uts.machine) && access(binfmt, F_OK) < 0) {
		fail(s, "it is built for %s; this machine is %s", want, uts.machine);
		because(s, "the kernel cannot run %s code here: \"Exec format error\"", want);
		advise(s, "use the %s build of this program", uts.machine);
		advise(s, "or run it under emulation: qemu-%s -L SYSROOT %s "
		       "(Debian: apt install qemu-user and the %s libc)", want, s->path, want);
	}
	return !s->fails;
}

static void say_producer(struct story *s, const struct ifx_elf_info *bin)
{
	enum ifx_loader_kind kind = ifx_loader_kind(bin);

	if (bin->go != NULL)
		because(s, "it was built by Go %s with CGO_ENABLED=%s%s%s, so it links the C "
			"library dynamically", bin->go->version ? bin->go->version : "(unknown)",
			bin->go->cgo_enabled == 1 ? "1" : bin->go->cgo_enabled == 0 ? "0" : "?",
			bin->go->tags ? " and -tags " : "", bin->go->tags ? bin->go->tags : "");
	if (bin->libc == IFX_LIBC_MUSL)
		because(s, "it is linked against musl (as on Alpine Linux)");
	if (kind == IFX_LOADER_LINUXBREW || kind == IFX_LOADER_BREW_PLACEHOLDER)
		because(s, "the interpreter is Homebrew's (Linuxbrew) loader: it was built "
			"with brew's toolchain");
	else if (kind == IFX_LOADER_NIX)
		because(s, "the interpreter is in the Nix store: it was built by Nix");
	else if (kind == IFX_LOADER_MUSL_PREFIX)
		because(s, "the interpreter is musl's loader under a private prefix: a musl "
			"toolchain built it");
}

static void advise_fix(struct story *s, const struct ifx_elf_info *bin, const char *root)
{
	struct ifx_target_options opts = { .size = sizeof(opts), .root = root };
	struct ifx_choice choice = IFX_INIT(ifx_choice);
	struct ifx_error err;

	if (ifx_choose_loader(bin, &opts, &choice, &err) != IFX_OK)
		return;
	if (strcmp(choice.target, bin->interp) == 0)
		; /* nothing a fix would change */
	else if (ifx_check_swap(bin, choice.target, &opts, &err) == IFX_OK) {
		char *qroot = root ? ifx_shell_quote(root) : NULL;

		advise(s, "repair it: interpfix fix %s%s%s%s  (writes %s)", qroot ? "--root " : "",
		       qroot ? qroot : "", qroot ? " " : "", s->quoted, choice.target);
		free(qroot);
	} else
		because(s, "interpfix fix would refuse: %s", err.message);
	ifx_choice_free(&choice);
}

static void explain_missing_interp(struct story *s, const struct ifx_elf_info *bin,
				   const char *root)
{
	const char *std = ifx_standard_loader(bin, bin->libc == IFX_LIBC_MUSL ? IFX_LIBC_MUSL
									      : IFX_LIBC_GLIBC);
	bool standard = std != NULL && strcmp(std, bin->interp) == 0;

	fail(s, "its program interpreter %s does not exist %s", bin->interp,
	     root ? "in the root" : "here");
	because(s, "the kernel loads %s before the program; when it is missing, "
		"execve fails with ENOENT and the shell says \"No such file or directory\" "
		"about the program itself", bin->interp);
	say_producer(s, bin);
	if (bin->go != NULL)
		advise(s, "%s", ifx__go_static_advice(bin->go));
	if (bin->libc == IFX_LIBC_MUSL)
		advise(s, "install musl: apt install musl (Debian/Ubuntu)");
	/* the standard path is already right: rewriting it changes nothing */
	if (standard && bin->libc != IFX_LIBC_MUSL)
		advise(s, "install the %s C library for %s (it provides %s)",
		       ifx_libc_name(bin->libc),
		       ifx_machine_name(bin->machine, bin->elf_class, bin->data), std);
	else if (!standard)
		advise_fix(s, bin, root);
}

static void explain_interp(struct story *s, const struct ifx_elf_info *bin,
			   const char *root)
{
	struct loader_facts lf;
	struct ifx_error err;
	enum ifx_status st = ifx__loader_check(root, bin->interp, bin, &lf, &err);

	if (st == IFX_ERR_IO && err.sys_errno == ENOENT) {
		explain_missing_interp(s, bin, root);
	} else if (st == IFX_REFUSED) {
		fail(s, "its interpreter exists but is for another architecture or class");
		because(s, "%s", err.message);
		if (bin->elf_class == 32 && bin->machine == EM_386)
			advise(s, "install the 32-bit loader: dpkg --add-architecture i386 && "
			       "apt update && apt install libc6:i386");
		advise_fix(s, bin, root);
	} else if (st == IFX_ERR_UNSUPPORTED) {
		fail(s, "its interpreter %s is not a real loader", bin->interp);
		because(s, "%s", err.message);
		advise_fix(s, bin, root);
	} else if (st == IFX_OK && bin->libc != IFX_LIBC_UNKNOWN && lf.libc != bin->libc) {
		fail(s, "its interpreter is %s's loader, but it links %s",
		     ifx_libc_name(lf.libc), ifx_libc_name(bin->libc));
		because(s, "a libc swap may even seem to run, then fails or misbehaves");
		advise_fix(s, bin, root);
	} else if (st == IFX_OK && bin->libc == IFX_LIBC_GLIBC && lf.libc == IFX_LIBC_GLIBC) {
		char **missing = NULL;
		size_t n = 0;
		unsigned newest = 0;

		if (ifx__loader_missing_versions(root, &lf, bin, &missing, &n, &newest, &err) == IFX_OK &&
		    n > 0) {
			fail(s, "it needs glibc %u.%u or newer; this host's glibc lacks %zu "
			     "symbol version%s", newest / 100, newest % 100, n, n == 1 ? "" : "s");
			for (size_t i = 0; i < n; i++)
				because(s, "%s", missing[i]);
			advise(s, "run it on a system with glibc %u.%u or newer", newest / 100,
			       newest % 100);
			advise(s, "or rebuild it on (or for) an older glibc");
		}
		ifx__strlist_free(missing, n);
	} else if (st != IFX_OK) {
		because(s, "the interpreter could not be checked: %s", err.message);
	}
	ifx__loader_facts_free(&lf);
}

/* What needs a dependency, for people: "the program itself" or its path. */
static const char *needer(const struct ifx_dep_tree *t, const struct ifx_dep *d)
{
	return d->needed_by == 0 ? "the program itself" : t->deps[d->needed_by]->path;
}

static void explain_missing(struct story *s, const struct ifx_dep_tree *t,
			    const struct ifx_dep *d)
{
	if (d->state == IFX_DEP_MISSING) {
		fail(s, "the library %s cannot be found", d->name);
		because(s, "needed by %s", needer(t, d));
		because(s, "the loader would stop with \"error while loading shared "
			"libraries: %s: cannot open shared object file: No such file or "
			"directory\"", d->name);
	} else {
		fail(s, "the library %s cannot be loaded: %s is not loadable (%s)", d->name,
		     d->path, d->problem);
		because(s, "needed by %s", needer(t, d));
		because(s, "the loader stops its search at a file it cannot load: "
			"\"error while loading shared libraries: %s: %s\"", d->name, d->problem);
	}
	because(s, "paths considered, in this order:");
	for (size_t k = 0; k < d->search->step_count; k++)
		because(s, "  %s [%s]: %s", d->search->steps[k].path, d->search->steps[k].source,
			d->search->steps[k].verdict);
	if (d->state == IFX_DEP_BROKEN) {
		advise(s, "remove or replace %s, which shadows the real %s", d->path, d->name);
		return;
	}
	advise(s, "install the package that provides %s", d->name);
	advise(s, "or ship it beside the program and link with "
	       "-Wl,-rpath,'$ORIGIN' (or set LD_LIBRARY_PATH)");
}

/* The whole tree, as the loader maps it: the first missing library is the
 * one the loader stops at; the others are named too. */
static void explain_needed(struct story *s, const struct ifx_elf_info *bin,
			   const char *root)
{
	struct ifx_dep_tree t = IFX_INIT(ifx_dep_tree);
	struct ifx_error err;
	bool first = true;

	if (ifx_resolve_deps(s->path, bin, root, NULL, &t, &err) != IFX_OK) {
		because(s, "the libraries could not be checked: %s", err.message);
		return;
	}
	for (size_t i = 1; i < t.count; i++) {
		const struct ifx_dep *d = t.deps[i];

		if (d->state != IFX_DEP_MISSING && d->state != IFX_DEP_BROKEN)
			continue;
		if (first)
			explain_missing(s, &t, d);
		else
			because(s, "also %s: %s (needed by %s)",
				d->state == IFX_DEP_MISSING ? "missing" : "not loadable", d->name,
				needer(&t, d));
		first = false;
	}
	ifx_dep_tree_free(&t);
}

static bool explain_os(struct story *s, const struct ifx_elf_info *bin)
{
	struct ifx_error err;

	if (ifx__resolve_check_os(bin, &err) == IFX_OK)
		return true;
	fail(s, "it is a %s program, not a Linux one", ifx__resolve_os_title(bin->os));
	because(s, "%s", err.message);
	because(s, "Linux refuses it or runs it wrongly: its system calls and libraries "
		"are %s's", ifx__resolve_os_title(bin->os));
	advise(s, "use the Linux build of this program, or run it on %s",
	       ifx__resolve_os_title(bin->os));
	return false;
}

/* A library is loaded by programs, not run: what matters is whether the
 * loader can map it and what it needs. */
static void explain_library(struct story *s, const struct ifx_elf_info *bin,
			    const char *root)
{
	because(s, "it is a shared library%s%s%s: programs load it, it is not run itself",
		bin->soname ? " (SONAME " : "", bin->soname ? bin->soname : "",
		bin->soname ? ")" : "");
	explain_needed(s, bin, root);
}

static enum ifx_status explain_elf(struct story *s, int fd, const char *root,
				   struct ifx_error *err)
{
	struct ifx_elf_info bin = IFX_INIT(ifx_elf_info);
	enum ifx_status st = ifx_inspect_fd(fd, &bin, err);

	if (st != IFX_OK)
		return st;
	if (!explain_os(s, &bin)) {
		/* nothing else applies */
	} else if (bin.debug_only) {
		fail(s, "it is separate debug information (objcopy --only-keep-debug), not a program");
		because(s, "its segments hold no code: only a debugger reads it");
		advise(s, "run the program it belongs to");
	} else if (bin.linkage == IFX_LINK_SHARED_LIB && !bin.has_interp) {
		explain_library(s, &bin, root);
	} else if (explain_access(s, s->path) && (root != NULL || explain_arch(s, &bin)) &&
		   bin.has_interp) {
		explain_interp(s, &bin, root);
		if (!s->fails)
			explain_needed(s, &bin, root);
	}
	ifx_elf_info_free(&bin);
	return IFX_OK;
}

enum ifx_status ifx_explain(const char *path, const struct ifx_explain_options *given,
			    struct ifx_explanation *out, struct ifx_error *err)
{
	struct ifx_explain_options opts;
	unsigned char head[PATH_MAX + 2] = "";
	struct story s = { 0 };
	const char *root;
	enum ifx_status st;
	int fd;
	ssize_t n;

	st = IFX__SIZED_OUT(out, err);
	if (st == IFX_OK)
		st = IFX__SIZED_IN(opts, given, err);
	if (st != IFX_OK)
		return st;
	root = opts.root;
	s.path = path;
	s.quoted = ifx_shell_quote(path);
	if (s.quoted == NULL)
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	if (explain_link(&s, path)) {
		st = ifx_open_regular(AT_FDCWD, path, true, &fd, err);
		if (st != IFX_OK)
			goto out;
		n = pread(fd, head, sizeof(head) - 1, 0);
		if (n < 0)
			n = 0;
		head[n] = '\0';
		if (n >= 4 && memcmp(head, "\177ELF", 4) == 0) {
			st = explain_elf(&s, fd, root, err);
		} else if (n >= 2 && head[0] == '#' && head[1] == '!') {
			head[strcspn((char *)head, "\n")] = '\0';
			if (explain_access(&s, path))
				explain_script(&s, (char *)head);
		} else {
			explain_not_program(&s, head, (size_t)n);
		}
		close(fd);
	}
out:
	free(s.quoted);
	if (st != IFX_OK) {
		ifx__strlist_free(s.why, s.why_count);
		ifx__strlist_free(s.advice, s.advice_count);
		return st;
	}
	out->fails = s.fails;
	out->headline = s.fails ? strdup(s.headline) : NULL;
	out->why = s.why;
	out->why_count = s.why_count;
	out->advice = s.advice;
	out->advice_count = s.advice_count;
	if (s.fails && out->headline == NULL) {
		ifx_explanation_free(out);
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	}
	return IFX_OK;
}

void ifx_explanation_free(struct ifx_explanation *e)
{
	if (e == NULL)
		return;
	free(e->headline);
	ifx__strlist_free(e->why, e->why_count);
	ifx__strlist_free(e->advice, e->advice_count);
	IFX__SIZED_CLEAR(e);
}

