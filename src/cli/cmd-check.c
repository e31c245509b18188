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

struct check_run {
	const char *libc;      /* --libc */
	const char *glibc;     /* --glibc X.Y */
	const char *root;      /* --root */
	struct ifx_context *cache; /* what the run learnt about libraries */
	char cwd[PATH_MAX];    /* the build directory, for RPATH findings */
	bool json;
	struct json j;
	struct cli_members members; /* --member */
	bool archives;              /* --archives: look into a tree's archives */
	unsigned long files, elf, flagged, findings, errors;
	int rc;
};

/* shown: the name in text, path!member for a member */
static void render(struct check_run *run, const char *path, const char *member,
		   const char *shown, const struct ifx_finding *f)
{
	run->findings++;
	run->rc = cli_worst(run->rc, EXIT_FINDINGS);
	if (!run->json) {
		printf("%s: %s: %s\n", cli_safe(shown), ifx_rule_name(f->rule), cli_safe(f->message));
		if (f->advice != NULL)
			printf("  fix: %s\n", cli_safe_advice(f->advice));
		return;
	}
	json_begin_object(&run->j);
	json_name(&run->j, "file", path);
	json_name(&run->j, "member", member);
	json_key(&run->j, "rule");
	json_string(&run->j, ifx_rule_name(f->rule));
	json_key(&run->j, "severity");
	json_string(&run->j, ifx_severity_name(f->severity));
	json_key(&run->j, "message");
	json_string(&run->j, f->message);
	json_key(&run->j, "advice");
	json_string(&run->j, f->advice);
	json_name(&run->j, "library", f->library);
	json_name(&run->j, "needed_by", f->needed_by);
	json_end_object(&run->j);
}

static void check_options(const struct check_run *run, struct ifx_check_options *opts)
{
	*opts = (struct ifx_check_options){ .size = sizeof(*opts), .root = run->root,
					    .libc = run->libc, .glibc = run->glibc,
					    .build_dir = run->cwd };
}

/* The ELF members of an archive, audited as files are (without the rules
 * that look beside a file on disk). false: not an archive. */
static bool check_archive(struct check_run *run, int dirfd, const char *name, const char *path)
{
	struct ifx_archive_options opts = {
		.size = sizeof(opts), .members = run->members.globs,
		.member_count = run->members.count,
		.inspect_flags = run->glibc != NULL ? 0 : IFX_INSPECT_NO_SYMBOLS,
	};
	struct ifx_archive_result res = IFX_INIT(ifx_archive_result);
	struct ifx_check_options copts;
	struct ifx_error err;
	enum ifx_status st;

	if (!cli_scan_archive(dirfd, name, dirfd == AT_FDCWD, &opts, &res, &err, &st))
		return false;
	check_options(run, &copts);
	copts.archive_member = true;
	if (st != IFX_OK) {
		run->errors++;
		run->rc = cli_worst(run->rc, cli_exit_for(st));
		cli_error(path, &err);
	}
	for (size_t i = 0; st == IFX_OK && i < res.count; i++) {
		const struct ifx_member *m = res.members[i];
		struct ifx_check_result result = IFX_INIT(ifx_check_result);
		char *shown = cli_member_display(path, m->name);
		char *operand = cli_member_operand(path, m->name);

		if (m->status != IFX_OK) {
			run->errors++;
			run->rc = cli_worst(run->rc, cli_exit_for(m->status));
			cli_fill_error(&err, m->status, 0, m->message);
			cli_error_shown(shown, &err);
		} else if (m->content == IFX_CONTENT_ARCHIVE) {
			fprintf(stderr, "interpfix: %s: note: an archive inside the archive, "
				"not entered\n", shown);
		} else if (m->info != NULL) {
			run->elf++;
			copts.advice_operand = operand;
			if (ifx_check_file(shown, m->info, &copts, run->cache, &result, &err) != IFX_OK) {
				run->errors++;
				run->rc = cli_worst(run->rc, cli_exit_for(err.status));
				cli_error_shown(shown, &err);
			}
			for (size_t k = 0; k < result.count; k++)
				render(run, path, m->name, shown, result.findings[k]);
			if (result.count > 0)
				run->flagged++;
			ifx_check_result_free(&result);
		}
		free(operand);
		free(shown);
	}
	ifx_archive_result_free(&res);
	return true;
}

static void check_file(struct check_run *run, int dirfd, const char *name,
		       const char *path, bool operand)
{
	struct ifx_check_options opts;
	struct ifx_check_result result = IFX_INIT(ifx_check_result);
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
	struct ifx_error err;
	enum ifx_status st;

	check_options(run, &opts);
	run->files++;
	st = operand ? ifx_inspect_path(dirfd, name, true, &info, &err)
		     : ifx_inspect_entry(dirfd, name, (run->archives ? IFX_INSPECT_ARCHIVES : 0) |
					 (run->glibc != NULL ? 0 : IFX_INSPECT_NO_SYMBOLS),
					 &info, &err);
	/* in a tree, only what starts like an archive is opened again */
	if ((st == IFX_ERR_ARCHIVE || (st == IFX_ERR_NOT_ELF && operand)) &&
	    check_archive(run, dirfd, name, path))
		return;
	if ((st == IFX_ERR_NOT_ELF || st == IFX_ERR_ARCHIVE) && !operand)
		return;
	if (st == IFX_OK) {
		run->elf++;
		st = ifx_check_file(path, &info, &opts, run->cache, &result, &err);
		ifx_elf_info_free(&info);
	}
	if (st != IFX_OK) {
		run->errors++;
		run->rc = cli_worst(run->rc, cli_exit_for(st));
		cli_error(path, &err);
		return;
	}
	for (size_t i = 0; i < result.count; i++)
		render(run, path, NULL, path, result.findings[i]);
	if (result.count > 0)
		run->flagged++;
	ifx_check_result_free(&result);
}

static void visit(int dirfd, const char *name, const char *path,
		  enum ifx_walk_entry kind, int errnum, void *ctx)
{
	struct check_run *run = ctx;
	struct ifx_error err;

	if (kind == IFX_WALK_REGULAR) {
		check_file(run, dirfd, name, path, false);
	} else if (kind == IFX_WALK_LEFTOVER) {
		struct ifx_finding f = { .rule = IFX_RULE_LEFTOVER_TEMPORARY,
					 .severity = IFX_SEVERITY_WARNING,
					 .message = "a temporary an interrupted interpfix fix left "
						    "behind (its name, owner and marker say so)",
					 .advice = "interpfix fix --remove-leftovers DIR" };

		run->files++;
		render(run, path, NULL, path, &f);
	} else if (kind == IFX_WALK_ERROR) {
		run->errors++;
		run->rc = cli_worst(run->rc, EXIT_ERROR);
		cli_fill_error(&err, IFX_ERR_IO, errnum, "cannot read directory");
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
		{ "member", required_argument, NULL, 'm' },
		{ "archives", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "jl:g:r:m:ah", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a': run->archives = true; break;
		case 'm':
			if (!cli_members_add(&run->members, optarg))
				return EXIT_ERROR;
			break;
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
	if (!cli_glibc_ok("check", run->glibc) || !cli_root_ok("check", run->root))
		return EXIT_ERROR;
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
	run.cache = ifx_context_new(run.root);
	if (run.cache == NULL) {
		cli_fill_error(&err, IFX_ERR_NOMEM, 0, "out of memory");
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
			if (ifx_walk_tree(AT_FDCWD, argv[i], visit, &run, &err) != IFX_OK) {
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
	ifx_context_free(run.cache);
	cli_members_free(&run.members);
	return run.rc;
}
