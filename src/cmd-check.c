/* interpfix check: audit files and trees before they are shipped; never
 * writes. Each finding names the file, the rule and the fix. */
#include "config.h"

#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "internal.h"

struct check_run {
	const char *libc;      /* --libc */
	const char *glibc;     /* --glibc X.Y */
	const char *root;      /* --root */
	struct ifx_dep_cache *cache; /* what the run learnt about libraries */
	char cwd[PATH_MAX];    /* the build directory, for RPATH findings */
	bool json;
	struct json j;
	unsigned long files, elf, flagged, findings, errors;
	int rc;
};

static void finding(struct check_run *run, const char *path, const char *rule,
		    const char *severity, const char *message, const char *advice)
{
	run->findings++;
	run->rc = cli_worst(run->rc, EXIT_FINDINGS);
	if (!run->json) {
		printf("%s: %s: %s\n", path, rule, message);
		if (advice != NULL)
			printf("  fix: %s\n", advice);
		return;
	}
	json_begin_object(&run->j);
	json_key(&run->j, "file");
	json_string(&run->j, path);
	json_key(&run->j, "rule");
	json_string(&run->j, rule);
	json_key(&run->j, "severity");
	json_string(&run->j, severity);
	json_key(&run->j, "message");
	json_string(&run->j, message);
	json_key(&run->j, "advice");
	json_string(&run->j, advice);
	json_end_object(&run->j);
}

static void check_interp(struct check_run *run, const char *path,
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
		finding(run, path, "interp-libc-mismatch", "error", msg, advice);
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
			 go_static_advice(info->go), path);
	else
		snprintf(advice, sizeof(advice), "interpfix fix --portable %s", path);
	finding(run, path, "nonstandard-interp", "error", msg, advice);
}

/* The core case: the kernel needs the interpreter to exist where the file
 * runs (this host, or --root). A standard path missing here is reported
 * too: musl or a foreign architecture's libc is not installed. */
static void check_interp_exists(struct check_run *run, const char *path,
				const struct ifx_elf_info *info)
{
	char msg[IFX_MSG_MAX], advice[IFX_MSG_MAX], *host = NULL;
	const char *std = ifx_standard_loader(info, info->libc == IFX_LIBC_MUSL ? IFX_LIBC_MUSL
										 : IFX_LIBC_GLIBC);
	struct stat sb;
	bool there;

	there = root_path_resolve(run->root, info->interp, &host, NULL) == IFX_OK &&
		stat(host, &sb) == 0 && S_ISREG(sb.st_mode);
	free(host);
	if (there)
		return;
	snprintf(msg, sizeof(msg), "interpreter %s does not exist %s: executing it fails with "
		 "\"No such file or directory\"", info->interp, run->root ? "in the root" : "here");
	if (std != NULL && strcmp(std, info->interp) == 0 && info->libc == IFX_LIBC_MUSL)
		snprintf(advice, sizeof(advice), "install musl (apt install musl)%s",
			 info->go != NULL ? ", or rebuild it static (see interpfix explain)" : "");
	else if (std != NULL && strcmp(std, info->interp) == 0)
		snprintf(advice, sizeof(advice), "install the %s C library for %s",
			 ifx_libc_name(info->libc),
			 ifx_machine_name(info->machine, info->elf_class, info->data));
	else
		snprintf(advice, sizeof(advice), "interpfix fix %s%s%s", run->root ? "--root " : "",
			 run->root ? run->root : "", run->root ? " " : "");
	if (std == NULL || strcmp(std, info->interp) != 0)
		strncat(advice, path, sizeof(advice) - strlen(advice) - 1);
	finding(run, path, "missing-interp", "error", msg, advice);
}

/* Not a Linux program at all: nothing else applies. */
static bool check_os(struct check_run *run, const char *path, const struct ifx_elf_info *info)
{
	struct ifx_error err;

	if (safety_check_os(info, &err) == IFX_OK)
		return true;
	finding(run, path, "non-linux-binary", "error", err.message,
		"use the Linux build of this program");
	return false;
}

static void check_libc(struct check_run *run, const char *path,
		       const struct ifx_elf_info *info)
{
	char msg[IFX_MSG_MAX];

	if (run->libc == NULL || info->libc == IFX_LIBC_NONE ||
	    strcmp(ifx_libc_name(info->libc), run->libc) == 0)
		return;
	snprintf(msg, sizeof(msg), "links %s, the product is %s",
		 ifx_libc_name(info->libc), run->libc);
	finding(run, path, "unexpected-libc", "error", msg,
		info->go != NULL ? go_static_advice(info->go)
				 : "rebuild it with the product's toolchain");
}

static void check_glibc(struct check_run *run, const char *path,
			const struct ifx_elf_info *info)
{
	unsigned major, minor;
	char msg[IFX_MSG_MAX];
	size_t used = 0, n = 0;

	if (run->glibc == NULL || sscanf(run->glibc, "%u.%u", &major, &minor) != 2)
		return;
	used = (size_t)snprintf(msg, sizeof(msg), "needs more than glibc %s:", run->glibc);
	for (size_t i = 0; i < info->symbol_versions_count; i++) {
		const struct ifx_symbol_version *sv = &info->symbol_versions[i];

		if (glibc_version_number(sv->version) <= major * 100 + minor)
			continue;
		n++;
		if (used < sizeof(msg) - 1)
			used += (size_t)snprintf(msg + used, sizeof(msg) - used, " %s@%s",
						 sv->symbol, sv->version);
	}
	if (n > 0)
		finding(run, path, "glibc-too-new", "error", msg,
			"rebuild against an older glibc (or in an older distribution)");
}

/* RPATH/RUNPATH entries that only exist on the build machine. */
static bool build_only(const struct check_run *run, const char *dir)
{
	static const char *const prefixes[] = { "/home/linuxbrew", "@@HOMEBREW_PREFIX@@",
						 "/nix/store/", "/tmp/", "/var/tmp/" };

	if (strstr(dir, "/.linuxbrew") != NULL)
		return true;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(dir, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return run->cwd[0] != '\0' && strcmp(run->cwd, "/") != 0 &&
	       strncmp(dir, run->cwd, strlen(run->cwd)) == 0;
}

static void check_rpath(struct check_run *run, const char *path, const char *tag,
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
		finding(run, path, "rpath-build-prefix", "warning", msg,
			"relink with -Wl,-rpath,'$ORIGIN/../lib' or remove it "
			"(patchelf --remove-rpath)");
	}
	free(copy);
}

/* Every library missing anywhere in the tree, naming what needs it. */
static void check_needed(struct check_run *run, const char *path,
			 const struct ifx_elf_info *info)
{
	struct ifx_dep_tree t;
	char msg[IFX_MSG_MAX];

	if (ifx_resolve_deps(path, info, run->root, run->cache, &t, NULL) != IFX_OK)
		return;
	for (size_t i = 1; i < t.count; i++) {
		const struct ifx_dep *d = &t.deps[i];
		size_t used;

		if (d->state != IFX_DEP_MISSING && d->state != IFX_DEP_BROKEN)
			continue;
		char by[PATH_MAX + 16] = "";

		if (d->needed_by != 0)
			snprintf(by, sizeof(by), " (needed by %s)", t.deps[d->needed_by].path);
		if (d->state == IFX_DEP_MISSING)
			used = (size_t)snprintf(msg, sizeof(msg), "%s not found%s; looked in:",
						d->name, by);
		else
			used = (size_t)snprintf(msg, sizeof(msg), "%s cannot be loaded%s: %s: %s;"
						" looked in:", d->name, by, d->path, d->problem);
		for (size_t k = 0; k < d->search.step_count && used < sizeof(msg) - 1; k++)
			used += (size_t)snprintf(msg + used, sizeof(msg) - used, " %s (%s)",
						 d->search.steps[k].path, d->search.steps[k].source);
		finding(run, path, "missing-library", "error", msg,
			"ship the library beside the binary with an $ORIGIN rpath, or "
			"install it; see interpfix explain");
	}
	ifx_dep_tree_free(&t);
}

static void check_file(struct check_run *run, int dirfd, const char *name,
		       const char *path, bool operand)
{
	unsigned long before = run->findings;
	struct ifx_elf_info info;
	struct ifx_error err;
	enum ifx_status st;

	run->files++;
	st = operand ? ifx_inspect_path(dirfd, name, true, &info, &err)
		     : inspect_regular_at(dirfd, name, &info, &err);
	if (st == IFX_ERR_NOT_ELF && !operand)
		return;
	if (st != IFX_OK) {
		run->errors++;
		run->rc = cli_worst(run->rc, cli_exit_for(st));
		cli_error(path, &err);
		return;
	}
	run->elf++;
	if (!check_os(run, path, &info))
		goto out;
	if (info.has_interp) {
		check_interp(run, path, &info);
		/* another machine's standard loader is not missing: it is on
		 * the machine the file is for (--root checks that machine) */
		if (run->root != NULL || loader_env_native(&info))
			check_interp_exists(run, path, &info);
	}
	check_libc(run, path, &info);
	check_glibc(run, path, &info);
	check_rpath(run, path, "DT_RPATH", info.rpath);
	check_rpath(run, path, "DT_RUNPATH", info.runpath);
	/* This host's loader never loads another machine's libraries: where
	 * they are found depends on the system they are for (--root says). */
	if (info.linkage != IFX_LINK_STATIC && info.linkage != IFX_LINK_STATIC_PIE &&
	    (run->root != NULL || loader_env_native(&info)))
		check_needed(run, path, &info);
out:
	if (run->findings > before)
		run->flagged++;
	ifx_elf_info_free(&info);
}

static void visit(int dirfd, const char *name, const char *path,
		  enum walk_entry kind, int errnum, void *ctx)
{
	struct check_run *run = ctx;
	struct ifx_error err;

	if (kind == WALK_REGULAR) {
		check_file(run, dirfd, name, path, false);
	} else if (kind == WALK_ERROR) {
		run->errors++;
		run->rc = cli_worst(run->rc, EXIT_ERROR);
		error_set_errno(&err, errnum, "cannot read directory");
		cli_error(path, &err);
	}
}

static int parse_check_options(struct check_run *run, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "libc", required_argument, NULL, 'l' },
		{ "glibc", required_argument, NULL, 'g' },
		{ "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned major, minor;
	struct stat sb;
	int opt;

	while ((opt = getopt_long(argc, argv, "jl:g:r:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j': run->json = true; break;
		case 'l': run->libc = optarg; break;
		case 'g': run->glibc = optarg; break;
		case 'r': run->root = optarg; break;
		case 'h': return cli_help_option("check") + 100;
		default:
			cli_bad_option("check", argv);
			return EXIT_ERROR;
		}
	}
	if (run->libc != NULL && strcmp(run->libc, "glibc") != 0 &&
	    strcmp(run->libc, "musl") != 0) {
		cli_usage_error("check", "--libc is glibc or musl, not '%s'", run->libc);
		return EXIT_ERROR;
	}
	if (run->glibc != NULL && sscanf(run->glibc, "%u.%u", &major, &minor) != 2) {
		cli_usage_error("check", "--glibc wants a release like 2.31, not '%s'",
				run->glibc);
		return EXIT_ERROR;
	}
	if (run->root != NULL && (stat(run->root, &sb) < 0 || !S_ISDIR(sb.st_mode))) {
		cli_usage_error("check", "--root %s is not a directory", run->root);
		return EXIT_ERROR;
	}
	if (optind >= argc) {
		cli_usage_error("check", "no file given");
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

int cmd_check(int argc, char **argv)
{
	struct check_run run;
	struct ifx_error err;
	struct stat sb;
	int rc;

	memset(&run, 0, sizeof(run));
	rc = parse_check_options(&run, argc, argv);
	if (rc != EXIT_OK)
		return rc >= 100 ? rc - 100 : rc;
	if (getcwd(run.cwd, sizeof(run.cwd)) == NULL)
		run.cwd[0] = '\0';
	run.cache = ifx_dep_cache_new(run.root);
	if (run.cache == NULL) {
		error_set(&err, IFX_ERR_NOMEM, "out of memory");
		cli_error("check", &err);
		return EXIT_ERROR;
	}
	json_init(&run.j, stdout);
	if (run.json) {
		json_begin_object(&run.j);
		json_key(&run.j, "findings");
		json_begin_array(&run.j);
	}
	for (int i = optind; i < argc; i++) {
		if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
			if (tree_walk(AT_FDCWD, argv[i], visit, &run, &err) != IFX_OK) {
				run.errors++;
				run.rc = cli_worst(run.rc, cli_exit_for(err.status));
				cli_error(argv[i], &err);
			}
		} else {
			check_file(&run, AT_FDCWD, argv[i], argv[i], true);
		}
	}
	if (run.json) {
		json_end_array(&run.j);
		json_key(&run.j, "summary");
		json_begin_object(&run.j);
		json_key(&run.j, "files");
		json_uint(&run.j, run.files);
		json_key(&run.j, "elf");
		json_uint(&run.j, run.elf);
		json_key(&run.j, "with_findings");
		json_uint(&run.j, run.flagged);
		json_key(&run.j, "findings");
		json_uint(&run.j, run.findings);
		json_key(&run.j, "errors");
		json_uint(&run.j, run.errors);
		json_end_object(&run.j);
		json_key(&run.j, "exit_status");
		json_int(&run.j, run.rc);
		json_end_object(&run.j);
		json_finish(&run.j);
	} else {
		printf("%lu files, %lu ELF, %lu with findings, %lu findings, %lu errors\n",
		       run.files, run.elf, run.flagged, run.findings, run.errors);
	}
	ifx_dep_cache_free(run.cache);
	return run.rc;
}
