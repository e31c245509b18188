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

enum check_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_SARIF, FORMAT_GITHUB };

/* A missing-library finding kept for the text's grouping: on a big tree
 * the same library is missing for many files (a JVM's libjvm.so). */
struct missing {
	char *library, *shown, *message, *advice;
};

/* Text: a file's deploy-target findings that say the same of several
 * targets ("on TARGET: BODY", BODY equal), printed once naming them all. */
struct target_group {
	enum ifx_rule rule;
	const char *body;      /* the message after "on TARGET: " (borrowed) */
	const char *advice;    /* the first target's (borrowed) */
	const char *needed_by;
	char *targets;         /* "a, b, c" */
};

struct check_run {
	const char *libc;      /* --libc */
	const char *glibc;     /* --glibc X.Y */
	const char *root;      /* --root */
	struct ifx_context *cache; /* what the run learnt about libraries */
	char cwd[PATH_MAX];    /* the build directory, for RPATH findings */
	enum check_format format;   /* --format (--json is json) */
	enum ifx_severity fail_on;  /* findings at least this severe exit 1; 0: never */
	bool quiet;                 /* -q: the summary only (text) */
	bool verbose;               /* -v: also a tree's skipped files (text) */
	bool ignored[16];           /* --ignore RULE, by rule id */
	struct json j;
	struct cli_members members; /* --member */
	struct cli_targets targets; /* --target, --target-file */
	bool archives;              /* --archives: look into a tree's archives */
	struct cli_errors errlist;  /* for json and sarif, which list them at the end */
	struct missing *missing;    /* text: missing-library findings, grouped at the end */
	size_t missing_count;
	unsigned long files, elf, flagged, findings, errors;
	int rc;
	struct target_group *groups; /* text: the current file's target findings */
	size_t group_count;
};

/* The body of "on TARGET: BODY" when f is a target rule's finding. */
static const char *target_body(const struct ifx_finding *f)
{
	size_t n;

	if (f->deploy_target == NULL || strncmp(f->message, "on ", 3) != 0)
		return NULL;
	n = strlen(f->deploy_target);
	if (strncmp(f->message + 3, f->deploy_target, n) != 0 || strncmp(f->message + 3 + n, ": ", 2) != 0)
		return NULL;
	return f->message + 3 + n + 2;
}

static bool same_opt(const char *a, const char *b)
{
	return (a == NULL) == (b == NULL) && (a == NULL || strcmp(a, b) == 0);
}

static void group_target(struct check_run *run, const struct ifx_finding *f, const char *body)
{
	struct target_group *g;
	size_t len;

	for (size_t i = 0; i < run->group_count; i++) {
		g = &run->groups[i];
		if (g->rule != f->rule || strcmp(g->body, body) != 0 ||
		    !same_opt(g->needed_by, f->needed_by))
			continue;
		len = strlen(g->targets);
		g->targets = cli_xreallocarray(g->targets, len + strlen(f->deploy_target) + 3, 1);
		memcpy(g->targets + len, ", ", 2);
		strcpy(g->targets + len + 2, f->deploy_target);
		return;
	}
	run->groups = cli_xreallocarray(run->groups, run->group_count + 1, sizeof(*run->groups));
	run->groups[run->group_count++] = (struct target_group){
		.rule = f->rule, .body = body, .advice = f->advice, .needed_by = f->needed_by,
		.targets = cli_xstrdup(f->deploy_target),
	};
}

/* The file's grouped target findings, in the order first seen. */
static void print_groups(struct check_run *run, const char *shown)
{
	for (size_t i = 0; i < run->group_count; i++) {
		const struct target_group *g = &run->groups[i];

		printf("%s: %s: on %s: %s\n", shown, ifx_rule_name(g->rule), cli_safe(g->targets),
		       cli_safe(g->body));
		if (g->advice != NULL)
			printf("  fix: %s\n", cli_safe_advice(g->advice));
		free(g->targets);
	}
	free(run->groups);
	run->groups = NULL;
	run->group_count = 0;
}

/* A file that could not be audited: stderr always, and the format's own
 * record (an annotation; a JSON or SARIF entry at the end). */
static void report_error(struct check_run *run, const char *path, const char *member,
			 const char *shown, const struct ifx_error *err)
{
	cli_progress_clear();
	run->errors++;
	run->rc = cli_worst(run->rc, cli_exit_for(err->status));
	cli_error_shown(shown, err);
	if (run->format == FORMAT_GITHUB)
		github_error(stdout, path, member, err->message,
			     err->advice[0] != '\0' ? err->advice : NULL);
	else if (run->format != FORMAT_TEXT)
		cli_errors_add(&run->errlist, path, member, err->status, err->message, err->advice);
}

static void keep_missing(struct check_run *run, const char *shown, const struct ifx_finding *f)
{
	struct missing *grown = cli_xreallocarray(run->missing, run->missing_count + 1,
						  sizeof(*grown));

	run->missing = grown;
	grown[run->missing_count++] = (struct missing){
		.library = cli_xstrdup(f->library), .shown = cli_xstrdup(shown),
		.message = cli_xstrdup(f->message), .advice = cli_xstrdup(f->advice),
	};
}

/* Each missing library once, in the order first seen: the files that need
 * it (each with where the loader looked), then the advice, once when it is
 * the same for all. */
static void print_missing(struct check_run *run)
{
	bool *done = cli_xmalloc((run->missing_count + 1) * sizeof(*done));

	memset(done, 0, (run->missing_count + 1) * sizeof(*done));
	for (size_t i = 0; i < run->missing_count; i++) {
		const struct missing *m = &run->missing[i];
		size_t n = 0;
		bool same_advice = true;

		if (done[i])
			continue;
		for (size_t k = i; k < run->missing_count; k++)
			if (strcmp(run->missing[k].library, m->library) == 0) {
				n++;
				same_advice = same_advice && (m->advice == NULL) == (run->missing[k].advice == NULL) &&
					      (m->advice == NULL || strcmp(m->advice, run->missing[k].advice) == 0);
			}
		if (n == 1) {
			printf("%s: missing-library: %s\n", m->shown, cli_safe(m->message));
			if (m->advice != NULL)
				printf("  fix: %s\n", cli_safe_advice(m->advice));
			done[i] = true;
			continue;
		}
		printf("missing-library: %s is missing for %zu files:\n", cli_safe(m->library), n);
		for (size_t k = i; k < run->missing_count; k++) {
			const struct missing *o = &run->missing[k];

			if (done[k] || strcmp(o->library, m->library) != 0)
				continue;
			done[k] = true;
			printf("  %s: %s\n", o->shown, cli_safe(o->message));
			if (!same_advice && o->advice != NULL)
				printf("    fix: %s\n", cli_safe_advice(o->advice));
		}
		if (same_advice && m->advice != NULL)
			printf("  fix: %s\n", cli_safe_advice(m->advice));
	}
	for (size_t i = 0; i < run->missing_count; i++) {
		free(run->missing[i].library);
		free(run->missing[i].shown);
		free(run->missing[i].message);
		free(run->missing[i].advice);
	}
	free(run->missing);
	free(done);
}

/* One finding, unless its rule is ignored. shown: the name in text,
 * path!member for a member. info: the file's facts (SARIF's fix), or NULL.
 * false when ignored. */
static bool render(struct check_run *run, const char *path, const char *member,
		   const char *shown, const struct ifx_finding *f,
		   const struct ifx_elf_info *info)
{
	if ((size_t)f->rule < sizeof(run->ignored) && run->ignored[f->rule])
		return false;
	run->findings++;
	if (run->fail_on != 0 && f->severity >= run->fail_on)
		run->rc = cli_worst(run->rc, EXIT_FINDINGS);
	cli_progress_clear();
	switch (run->format) {
	case FORMAT_TEXT:
		if (run->quiet)
			break;
		if (f->rule == IFX_RULE_MISSING_LIBRARY && f->library != NULL) {
			keep_missing(run, member ? shown : cli_safe(shown), f);
			break;
		}
		if (target_body(f) != NULL) {
			group_target(run, f, target_body(f));
			break;
		}
		printf("%s: %s: %s\n", member ? shown : cli_safe(shown), ifx_rule_name(f->rule),
		       cli_safe(f->message));
		if (f->advice != NULL)
			printf("  fix: %s\n", cli_safe_advice(f->advice));
		break;
	case FORMAT_GITHUB:
		github_finding(stdout, path, member, f);
		break;
	case FORMAT_SARIF:
		sarif_result(&run->j, path, member, f, info);
		break;
	case FORMAT_JSON:
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
		report_json_finding_facts(&run->j, f);
		json_end_object(&run->j);
		break;
	}
	return true;
}

/* Every finding of one file; counts it as flagged when one was shown. */
static void render_all(struct check_run *run, const char *path, const char *member,
		       const char *shown, const struct ifx_check_result *result,
		       const struct ifx_elf_info *info)
{
	bool any = false;

	for (size_t i = 0; i < result->count; i++)
		any = render(run, path, member, shown, result->findings[i], info) || any;
	/* the findings are alive until the caller frees them: printed now */
	print_groups(run, member ? shown : cli_safe(shown));
	if (any)
		run->flagged++;
}

static void check_options(const struct check_run *run, struct ifx_check_options *opts)
{
	*opts = (struct ifx_check_options){ .size = sizeof(*opts), .root = run->root,
					    .libc = run->libc, .glibc = run->glibc,
					    .build_dir = run->cwd,
					    .targets = run->targets.chosen,
					    .target_count = run->targets.count };
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
	if (st != IFX_OK)
		report_error(run, path, NULL, cli_safe(path), &err);
	for (size_t i = 0; st == IFX_OK && i < res.count; i++) {
		const struct ifx_member *m = res.members[i];
		struct ifx_check_result result = IFX_INIT(ifx_check_result);
		char *shown = cli_member_display(path, m->name);
		char *operand = cli_member_operand(path, m->name);

		if (m->status != IFX_OK) {
			cli_fill_error(&err, m->status, 0, m->message);
			report_error(run, path, m->name, shown, &err);
		} else if (m->content == IFX_CONTENT_ARCHIVE) {
			fprintf(stderr, "interpfix: %s: note: an archive inside the archive, "
				"not entered\n", shown);
		} else if (m->info != NULL) {
			run->elf++;
			copts.advice_operand = operand;
			if (ifx_check_file(shown, m->info, &copts, run->cache, &result, &err) != IFX_OK)
				report_error(run, path, m->name, shown, &err);
			render_all(run, path, m->name, shown, &result, m->info);
			ifx_check_result_free(&result);
		}
		free(operand);
		free(shown);
	}
	ifx_archive_result_free(&res);
	return true;
}

/* -v, text: a tree's file that was not audited, and why. */
static void note_skip(const struct check_run *run, const char *path, const char *why)
{
	if (run->verbose && run->format == FORMAT_TEXT) {
		cli_progress_clear();
		printf("skipped %s: %s\n", cli_safe(path), why);
	}
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
	if ((st == IFX_ERR_NOT_ELF || st == IFX_ERR_ARCHIVE) && !operand) {
		note_skip(run, path, st == IFX_ERR_ARCHIVE ? "an archive (--archives looks into it)"
							  : "not an ELF file");
		return;
	}
	if (st == IFX_OK) {
		run->elf++;
		st = ifx_check_file(path, &info, &opts, run->cache, &result, &err);
	}
	if (st != IFX_OK) {
		report_error(run, path, NULL, cli_safe(path), &err);
		ifx_elf_info_free(&info);
		return;
	}
	render_all(run, path, NULL, path, &result, &info);
	ifx_check_result_free(&result);
	ifx_elf_info_free(&info);
}

static void visit(int dirfd, const char *name, const char *path,
		  enum ifx_walk_entry kind, int errnum, void *ctx)
{
	struct check_run *run = ctx;
	struct ifx_error err;

	cli_progress("checked", run->files, run->elf);
	if (kind == IFX_WALK_REGULAR) {
		check_file(run, dirfd, name, path, false);
	} else if (kind == IFX_WALK_SKIPPED) {
		run->files++; /* counted as fix counts it: every entry but directories */
		note_skip(run, path, "not a regular file (a symlink, FIFO, device or socket; "
			  "never followed in a tree)");
	} else if (kind == IFX_WALK_LEFTOVER) {
		struct ifx_finding f = { .rule = IFX_RULE_LEFTOVER_TEMPORARY,
					 .severity = IFX_SEVERITY_WARNING,
					 .message = "a temporary an interrupted interpfix fix left "
						    "behind (its name, owner and marker say so)",
					 .advice = "interpfix fix --remove-leftovers DIR" };

		struct ifx_check_result one = { .size = sizeof(one), .findings = (struct ifx_finding *[]){ &f },
						.count = 1 };

		run->files++;
		render_all(run, path, NULL, path, &one, NULL);
	} else if (kind == IFX_WALK_ERROR) {
		cli_fill_error(&err, IFX_ERR_IO, errnum, "cannot read directory");
		report_error(run, path, NULL, cli_safe(path), &err);
	}
}

static bool parse_format(struct check_run *run, const char *name)
{
	static const char *const names[] = { "text", "json", "sarif", "github" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0) {
			run->format = (enum check_format)i;
			return true;
		}
	cli_usage_error("check", "--format is text, json, sarif or github, not '%s'", name);
	return false;
}

static bool parse_ignore(struct check_run *run, const char *name)
{
	for (size_t i = 0; i < cli_rule_count; i++)
		if (strcmp(name, ifx_rule_name(cli_rules[i].rule)) == 0 &&
		    (size_t)cli_rules[i].rule < sizeof(run->ignored)) {
			run->ignored[cli_rules[i].rule] = true;
			return true;
		}
	cli_usage_error("check", "--ignore takes a rule id (see interpfix help check), "
			"not '%s'", name);
	return false;
}

static int parse_check_options(struct check_run *run, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "format", required_argument, NULL, 'F' },
		{ "fail-on", required_argument, NULL, 'f' },
		{ "ignore", required_argument, NULL, 'i' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "libc", required_argument, NULL, 'l' },
		{ "glibc", required_argument, NULL, 'g' },
		{ "root", required_argument, NULL, 'r' },
		{ "member", required_argument, NULL, 'm' },
		{ "archives", no_argument, NULL, 'a' },
		{ "target", required_argument, NULL, 't' },
		{ "target-file", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	run->fail_on = IFX_SEVERITY_WARNING;
	while ((opt = getopt_long(argc, argv, "jl:g:r:m:aqvh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'F':
			if (!parse_format(run, optarg))
				return EXIT_ERROR;
			break;
		case 'f':
			if (strcmp(optarg, "error") == 0) {
				run->fail_on = IFX_SEVERITY_ERROR;
			} else if (strcmp(optarg, "warning") == 0) {
				run->fail_on = IFX_SEVERITY_WARNING;
			} else if (strcmp(optarg, "never") == 0) {
				run->fail_on = 0;
			} else {
				cli_usage_error("check", "--fail-on is error, warning or never, not '%s'",
						optarg);
				return EXIT_ERROR;
			}
			break;
		case 'i':
			if (!parse_ignore(run, optarg))
				return EXIT_ERROR;
			break;
		case 'a': run->archives = true; break;
		case 'q': run->quiet = true; break;
		case 'v': run->verbose = true; break;
		case 'm':
			if (!cli_members_add(&run->members, optarg))
				return EXIT_ERROR;
			break;
		case 'j': run->format = FORMAT_JSON; break;
		case 'l': run->libc = optarg; break;
		case 'g': run->glibc = optarg; break;
		case 'r': run->root = optarg; break;
		case 't': cli_targets_add_name(&run->targets, optarg); break;
		case 'T': cli_targets_add_file(&run->targets, optarg); break;
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
	if (run->targets.file_count > 0 && run->targets.name_count == 0) {
		cli_usage_error("check", "--target-file adds targets: name one with --target");
		return EXIT_ERROR;
	}
	if (!cli_targets_resolve(&run->targets, "check"))
		return EXIT_ERROR;
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
	if (rc != EXIT_OK) {
		cli_targets_free(&run.targets);
		cli_members_free(&run.members);
		return rc >= 100 ? rc - 100 : rc;
	}
	if (getcwd(run.cwd, sizeof(run.cwd)) == NULL)
		run.cwd[0] = '\0';
	run.cache = ifx_context_new(run.root);
	if (run.cache == NULL) {
		cli_fill_error(&err, IFX_ERR_NOMEM, 0, "out of memory");
		cli_error("check", &err);
		return EXIT_ERROR;
	}
	json_init(&run.j, stdout);
	if (run.format == FORMAT_JSON) {
		report_json_begin(&run.j, "check");
		json_key(&run.j, "findings");
		json_begin_array(&run.j);
	} else if (run.format == FORMAT_SARIF) {
		sarif_begin(&run.j, cli_rules, cli_rule_count);
	}
	cli_progress_start(run.format == FORMAT_TEXT);
	for (int i = optind; i < argc; i++) {
		if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
			if (ifx_walk_tree(AT_FDCWD, argv[i], visit, &run, &err) != IFX_OK)
				report_error(&run, argv[i], NULL, cli_safe(argv[i]), &err);
		} else {
			check_file(&run, AT_FDCWD, argv[i], argv[i], true);
		}
	}
	cli_progress_clear();
	if (run.format == FORMAT_JSON) {
		json_end_array(&run.j);
		json_key(&run.j, "errors");
		json_begin_array(&run.j);
		for (size_t i = 0; i < run.errlist.count; i++)
			report_json_error_entry(&run.j, "file", &run.errlist.entries[i]);
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
		report_json_end(&run.j, run.rc);
	} else if (run.format == FORMAT_SARIF) {
		sarif_end(&run.j, &run.errlist, run.rc);
	} else {
		print_missing(&run);
		printf("%lu files, %lu ELF, %lu with findings, %lu findings, %lu errors\n",
		       run.files, run.elf, run.flagged, run.findings, run.errors);
	}
	cli_errors_free(&run.errlist);
	ifx_context_free(run.cache);
	cli_members_free(&run.members);
	cli_targets_free(&run.targets);
	return run.rc;
}
