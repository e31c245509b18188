/*
 * The audit rules of `check`, as data the caller renders: each finding has
 * a stable rule id, a severity, a message and the fix. Never writes, never
 * prints; the dependency tree is ifx_resolve_deps', so check, explain and
 * show --deps agree by construction.
 */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "safety/audit.h"
#include "targets/targets.h"


const char *ifx_rule_name(enum ifx_rule rule)
{
	switch (rule) {
	case IFX_RULE_NONSTANDARD_INTERP: return "nonstandard-interp";
	case IFX_RULE_INTERP_LIBC_MISMATCH: return "interp-libc-mismatch";
	case IFX_RULE_UNEXPECTED_LIBC: return "unexpected-libc";
	case IFX_RULE_GLIBC_TOO_NEW: return "glibc-too-new";
	case IFX_RULE_RPATH_BUILD_PREFIX: return "rpath-build-prefix";
	case IFX_RULE_MISSING_LIBRARY: return "missing-library";
	case IFX_RULE_MISSING_INTERP: return "missing-interp";
	case IFX_RULE_NON_LINUX_BINARY: return "non-linux-binary";
	case IFX_RULE_LEFTOVER_TEMPORARY: return "leftover-temporary";
	case IFX_RULE_TARGET_ARCH: return "target-arch";
	case IFX_RULE_TARGET_LIBC: return "target-libc";
	case IFX_RULE_TARGET_INTERP: return "target-interp";
	case IFX_RULE_TARGET_VERSIONS: return "target-versions";
	}
	return "unknown";
}

const char *ifx_severity_name(enum ifx_severity severity)
{
	return severity == IFX_SEVERITY_ERROR ? "error" : "warning";
}

void ifx__audit_finding(struct audit *run, enum ifx_rule rule, enum ifx_severity severity,
		    const char *message, const char *advice)
{
	struct ifx_check_result *r = run->out;
	struct ifx_finding **grown, *f;

	/* room doubles when the count reaches a power of two (the result has
	 * no capacity field): one realloc per finding was quadratic in copies
	 * for an RPATH of thousands of build-prefix entries */
	grown = r->findings;
	if ((r->count & (r->count - 1)) == 0) {
		grown = reallocarray(r->findings, r->count == 0 ? 1 : r->count * 2, sizeof(*grown));
		if (grown == NULL) {
			run->nomem = true;
			return;
		}
		r->findings = grown;
	}
	/* one allocation per finding: struct ifx_finding may grow at its end */
	f = calloc(1, sizeof(*f));
	if (f == NULL) {
		run->nomem = true;
		return;
	}
	f->rule = rule;
	f->severity = severity;
	f->message = strdup(message);
	f->advice = advice != NULL ? strdup(advice) : NULL;
	if (f->message == NULL || (advice != NULL && f->advice == NULL)) {
		free(f->message);
		free(f->advice);
		free(f);
		run->nomem = true;
		return;
	}
	grown[r->count++] = f;
}

/* The last finding, for the structured fields its rule adds. */
struct ifx_finding *ifx__audit_last(struct audit *run)
{
	return run->out->count == 0 || run->nomem ? NULL : run->out->findings[run->out->count - 1];
}

char *ifx__audit_dup(struct audit *run, const char *s)
{
	char *d = s != NULL ? strdup(s) : NULL;

	if (s != NULL && d == NULL)
		run->nomem = true;
	return d;
}

/* An interpreter rule's finding: the interpreter, and what a fix writes. */
void ifx__audit_last_interp(struct audit *run, const char *interp, const char *target)
{
	struct ifx_finding *f = ifx__audit_last(run);

	if (f == NULL)
		return;
	f->interp = ifx__audit_dup(run, interp);
	f->target = ifx__audit_dup(run, target);
}

/* Where the loader looked for a missing library, step by step. */
static void last_searched(struct audit *run, const struct ifx_lib_search *search)
{
	struct ifx_finding *f = ifx__audit_last(run);

	if (f == NULL || search == NULL || search->step_count == 0)
		return;
	f->searched = calloc(search->step_count, sizeof(*f->searched));
	if (f->searched == NULL) {
		run->nomem = true;
		return;
	}
	f->searched_count = search->step_count;
	for (size_t k = 0; k < search->step_count; k++) {
		f->searched[k].path = ifx__audit_dup(run, search->steps[k].path);
		f->searched[k].source = ifx__audit_dup(run, search->steps[k].source);
		f->searched[k].verdict = ifx__audit_dup(run, search->steps[k].verdict);
	}
}

/* The library a missing-library finding is about, and what needs it. */
static void last_names(struct audit *run, const char *library, const char *needed_by)
{
	struct ifx_finding *f;

	if (run->out->count == 0)
		return;
	f = run->out->findings[run->out->count - 1];
	f->library = strdup(library);
	f->needed_by = needed_by != NULL ? strdup(needed_by) : NULL;
	if (f->library == NULL || (needed_by != NULL && f->needed_by == NULL))
		run->nomem = true;
}

static void check_interp(struct audit *run, const char *path,
			 const struct ifx_elf_info *info)
{
	enum ifx_loader_kind kind = ifx_loader_kind(info);
	enum ifx_libc by_name = ifx_loader_libc_by_name(info->interp);
	char msg[IFX_MSG_MAX], advice[IFX_MSG_MAX];
	const char *std;

	if ((info->libc == IFX_LIBC_GLIBC || info->libc == IFX_LIBC_MUSL) &&
	    by_name != IFX_LIBC_UNKNOWN && by_name != info->libc) {
		std = ifx_standard_loader(info, info->libc);
		snprintf(msg, sizeof(msg), "links %s but names %s's loader %s",
			 ifx_libc_name(info->libc), ifx_libc_name(by_name), info->interp);
		snprintf(advice, sizeof(advice), "interpfix fix --to %s %s",
			 std ? std : "LOADER", path);
		ifx__audit_finding(run, IFX_RULE_INTERP_LIBC_MISMATCH, IFX_SEVERITY_ERROR, msg, advice);
		ifx__audit_last_interp(run, info->interp, std);
		return;
	}
	if (kind == IFX_LOADER_STANDARD)
		return;
	std = ifx_standard_loader(info, info->libc == IFX_LIBC_MUSL ? IFX_LIBC_MUSL
								  : IFX_LIBC_GLIBC);
	snprintf(msg, sizeof(msg), "interpreter %s is %s, not the standard %s",
		 info->interp, ifx_loader_kind_name(kind), std ? std : "(none known)");
	if (info->go != NULL && info->libc == IFX_LIBC_MUSL)
		snprintf(advice, sizeof(advice), "%s; or: interpfix fix --portable %s",
			 ifx__go_static_advice(info->go), path);
	else
		snprintf(advice, sizeof(advice), "interpfix fix --portable %s", path);
	ifx__audit_finding(run, IFX_RULE_NONSTANDARD_INTERP, IFX_SEVERITY_ERROR, msg, advice);
	ifx__audit_last_interp(run, info->interp, std);
}

/* The core case: the kernel needs the interpreter to exist where the file
 * runs (this host, or --root). A standard path missing here is reported
 * too: musl or a foreign architecture's libc is not installed. */
static void check_interp_exists(struct audit *run, const char *path,
				const struct ifx_elf_info *info)
{
	char msg[IFX_MSG_MAX], advice[IFX_MSG_MAX], *host = NULL;
	const char *std = ifx_standard_loader(info, info->libc == IFX_LIBC_MUSL ? IFX_LIBC_MUSL
										 : IFX_LIBC_GLIBC);
	struct stat sb;
	bool there;

	there = ifx__root_path_resolve(run->opts->root, info->interp, &host, NULL) == IFX_OK &&
		stat(host, &sb) == 0 && S_ISREG(sb.st_mode);
	free(host);
	if (there)
		return;
	snprintf(msg, sizeof(msg), "interpreter %s does not exist %s: executing it fails with "
		 "\"No such file or directory\"", info->interp, run->opts->root ? "in the root" : "here");
	if (std != NULL && strcmp(std, info->interp) == 0 && info->libc == IFX_LIBC_MUSL)
		snprintf(advice, sizeof(advice), "install musl (apt install musl)%s",
			 info->go != NULL ? ", or rebuild it static (see interpfix explain)" : "");
	else if (std != NULL && strcmp(std, info->interp) == 0)
		snprintf(advice, sizeof(advice), "install the %s C library for %s",
			 ifx_libc_name(info->libc),
			 ifx_machine_name(info->machine, info->elf_class, info->data));
	else
		snprintf(advice, sizeof(advice), "interpfix fix %s%s%s", run->opts->root ? "--root " : "",
			 run->opts->root ? run->opts->root : "", run->opts->root ? " " : "");
	if (std == NULL || strcmp(std, info->interp) != 0)
		strncat(advice, path, sizeof(advice) - strlen(advice) - 1);
	ifx__audit_finding(run, IFX_RULE_MISSING_INTERP, IFX_SEVERITY_ERROR, msg, advice);
	ifx__audit_last_interp(run, info->interp, std != NULL && strcmp(std, info->interp) != 0 ? std : NULL);
}

/* Not a Linux program at all: nothing else applies. */
static bool check_os(struct audit *run, const struct ifx_elf_info *info)
{
	struct ifx_error err;

	if (ifx__resolve_check_os(info, &err) == IFX_OK)
		return true;
	ifx__audit_finding(run, IFX_RULE_NON_LINUX_BINARY, IFX_SEVERITY_ERROR, err.message,
		"use the Linux build of this program");
	return false;
}

static void check_libc(struct audit *run, const struct ifx_elf_info *info)
{
	char msg[IFX_MSG_MAX];

	if (run->opts->libc == NULL || info->libc == IFX_LIBC_NONE ||
	    strcmp(ifx_libc_name(info->libc), run->opts->libc) == 0)
		return;
	snprintf(msg, sizeof(msg), "links %s, the product is %s",
		 ifx_libc_name(info->libc), run->opts->libc);
	ifx__audit_finding(run, IFX_RULE_UNEXPECTED_LIBC, IFX_SEVERITY_ERROR, msg,
		info->go != NULL ? ifx__go_static_advice(info->go)
				 : "rebuild it with the product's toolchain");
}

/* --glibc X.Y: every glibc node needed beyond it (DT_VERNEED, what the
 * loader checks), each symbol bound to it named; a feature node
 * (GLIBC_ABI_DT_RELR) counts as the release that brought it. */
static void check_glibc(struct audit *run, const struct ifx_elf_info *info)
{
	struct ifx_version_gap *gaps;
	char msg[IFX_MSG_MAX];
	size_t used, n;
	unsigned limit;
	struct ifx_finding *f;

	if (run->opts->glibc == NULL || !ifx_parse_glibc_release(run->opts->glibc, &limit))
		return;
	if (ifx__glibc_gaps(info, run->opts->glibc, &gaps, &n) != IFX_OK) {
		run->nomem = true;
		return;
	}
	if (n == 0) {
		free(gaps);
		return;
	}
	used = (size_t)snprintf(msg, sizeof(msg), "needs more than glibc %s:", run->opts->glibc);
	for (size_t i = 0; i < n && used < sizeof(msg) - 1; i++)
		used += (size_t)snprintf(msg + used, sizeof(msg) - used, " %s%s%s",
					 gaps[i].symbol ? gaps[i].symbol : "version ",
					 gaps[i].symbol ? "@" : "", gaps[i].version);
	ifx__audit_finding(run, IFX_RULE_GLIBC_TOO_NEW, IFX_SEVERITY_ERROR, msg,
			   "rebuild against an older glibc (or in an older distribution)");
	/* every symbol, also those the one-line message had no room for */
	if ((f = ifx__audit_last(run)) != NULL &&
	    (f->symbols = calloc(n, sizeof(*f->symbols))) == NULL)
		run->nomem = true;
	for (size_t i = 0; f != NULL && f->symbols != NULL && i < n; i++) {
		if (asprintf(&f->symbols[f->symbol_count], "%s%s%s",
			     gaps[i].symbol ? gaps[i].symbol : "", gaps[i].symbol ? "@" : "",
			     gaps[i].version) < 0) {
			run->nomem = true;
			break;
		}
		f->symbol_count++;
	}
	ifx__version_gaps_free(gaps, n);
}

/* RPATH/RUNPATH entries that only exist on the build machine. */
static bool build_only(const struct audit *run, const char *dir)
{
	static const char *const prefixes[] = { "/home/linuxbrew", "@@HOMEBREW_PREFIX@@",
						 "/nix/store/", "/tmp/", "/var/tmp/" };

	if (strstr(dir, "/.linuxbrew") != NULL)
		return true;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(dir, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	/* the build directory and below it, by whole components */
	return run->opts->build_dir != NULL && run->opts->build_dir[0] != '\0' &&
	       strcmp(run->opts->build_dir, "/") != 0 &&
	       strncmp(dir, run->opts->build_dir, strlen(run->opts->build_dir)) == 0 &&
	       (dir[strlen(run->opts->build_dir)] == '\0' || dir[strlen(run->opts->build_dir)] == '/');
}

static void check_rpath(struct audit *run, const char *tag,
			const char *list)
{
	char *copy, *save = NULL, msg[IFX_MSG_MAX];

	if (list == NULL || (copy = strdup(list)) == NULL)
		return;
	for (char *d = strtok_r(copy, ":", &save); d != NULL; d = strtok_r(NULL, ":", &save)) {
		if (!build_only(run, d))
			continue;
		snprintf(msg, sizeof(msg), "%s entry %s points into a build or "
			 "package-manager prefix", tag, d);
		ifx__audit_finding(run, IFX_RULE_RPATH_BUILD_PREFIX, IFX_SEVERITY_WARNING, msg,
			"relink with -Wl,-rpath,'$ORIGIN/../lib' or remove it "
			"(patchelf --remove-rpath)");
	}
	free(copy);
}

/* Every library missing anywhere in the tree, naming what needs it. */
static void check_needed(struct audit *run, const char *path,
			 const struct ifx_elf_info *info)
{
	struct ifx_dep_tree t = IFX_INIT(ifx_dep_tree);
	char msg[IFX_MSG_MAX];

	if (ifx_resolve_deps(path, info, run->opts->root, run->cache, &t, NULL) != IFX_OK)
		return;
	for (size_t i = 1; i < t.count; i++) {
		const struct ifx_dep *d = t.deps[i];
		size_t used;

		if (d->state != IFX_DEP_MISSING && d->state != IFX_DEP_BROKEN)
			continue;
		char by[PATH_MAX + 16] = "";

		if (d->needed_by != 0)
			snprintf(by, sizeof(by), " (needed by %s)", t.deps[d->needed_by]->path);
		if (d->state == IFX_DEP_MISSING)
			used = (size_t)snprintf(msg, sizeof(msg), "%s not found%s; looked in:",
						d->name, by);
		else
			used = (size_t)snprintf(msg, sizeof(msg), "%s cannot be loaded%s: %s: %s;"
						" looked in:", d->name, by, d->path, d->problem);
		for (size_t k = 0; k < d->search->step_count && used < sizeof(msg) - 1; k++)
			used += (size_t)snprintf(msg + used, sizeof(msg) - used, " %s (%s)",
						 d->search->steps[k].path, d->search->steps[k].source);
		ifx__audit_finding(run, IFX_RULE_MISSING_LIBRARY, IFX_SEVERITY_ERROR, msg,
			"ship the library beside the binary with an $ORIGIN rpath, or "
			"install it; see interpfix explain");
		last_names(run, d->name, d->needed_by == 0 ? NULL : t.deps[d->needed_by]->path);
		last_searched(run, d->search);
	}
	ifx_dep_tree_free(&t);
}

enum ifx_status ifx_check_file(const char *path, const struct ifx_elf_info *info,
			       const struct ifx_check_options *given,
			       struct ifx_context *cache, struct ifx_check_result *out,
			       struct ifx_error *err)
{
	struct ifx_check_options local, *opts = &local;
	struct ifx_context *own = NULL;
	const char *named; /* the file as advice names it */
	char *quoted;
	enum ifx_status st;
	struct audit run;
	bool host;

	st = IFX__SIZED_OUT(out, err);
	if (st == IFX_OK)
		st = IFX__SIZED_IN(local, given, err);
	if (st != IFX_OK)
		return st;
	if (cache == NULL && (cache = own = ifx_context_new(opts->root)) == NULL)
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	run = (struct audit){ opts, cache, out, false };
	/* advice is pasted into a shell: the path as one shell word */
	quoted = opts->advice_operand != NULL ? NULL : ifx_shell_quote(path);
	if (opts->advice_operand == NULL && quoted == NULL) {
		ifx_context_free(own);
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	}
	named = opts->advice_operand != NULL ? opts->advice_operand : quoted;
	/* for a target, this host's loader and libraries say nothing, unless
	 * root is that target's image */
	host = opts->target_count == 0 || opts->root != NULL;
	if (check_os(&run, info)) {
		ifx__audit_targets(&run, path, named, info);
		if (info->has_interp && host) {
			check_interp(&run, named, info);
			/* another machine's standard loader is not missing: it is on
			 * the machine the file is for (--root checks that machine) */
			if (opts->root != NULL || ifx__loader_env_native(info))
				check_interp_exists(&run, named, info);
		}
		check_libc(&run, info);
		check_glibc(&run, info);
		check_rpath(&run, "DT_RPATH", info->rpath);
		check_rpath(&run, "DT_RUNPATH", info->runpath);
		/* This host's loader never loads another machine's libraries:
		 * where they are found depends on the system they are for. */
		if (info->linkage != IFX_LINK_STATIC && info->linkage != IFX_LINK_STATIC_PIE &&
		    !opts->archive_member && host &&
		    (opts->root != NULL || ifx__loader_env_native(info)))
			check_needed(&run, path, info);
	}
	ifx_context_free(own);
	free(quoted);
	if (run.nomem) {
		ifx_check_result_free(out);
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	}
	return IFX_OK;
}

void ifx_check_result_free(struct ifx_check_result *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->count; i++) {
		struct ifx_finding *f = r->findings[i];

		free(f->message);
		free(f->advice);
		free(f->library);
		free(f->needed_by);
		free(f->interp);
		free(f->target);
		for (size_t k = 0; k < f->symbol_count; k++)
			free(f->symbols[k]);
		free(f->symbols);
		for (size_t k = 0; k < f->searched_count; k++) {
			free(f->searched[k].path);
			free(f->searched[k].source);
			free(f->searched[k].verdict);
		}
		free(f->searched);
		free(f->deploy_target);
		ifx__version_gaps_free(f->gaps, f->gap_count);
		free(f);
	}
	free(r->findings);
	IFX__SIZED_CLEAR(r);
}
