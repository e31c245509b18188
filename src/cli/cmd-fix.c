/* interpfix fix: rewrite PT_INTERP of files and trees. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

struct fix_run {
	struct ifx_fix_options opts;    /* --to in opts.target, the rest in vet */
	struct ifx_target_options vet; /* opts.vet points here */
	struct cli_targets targets;    /* --target, --target-file: vet.deploy */
	bool json;
	bool github;                /* --format github: workflow commands */
	bool sarif;                 /* --format sarif */
	struct cli_errors errlist;  /* sarif: files that could not be read */
	struct json j;
	struct fix_summary sum;
	struct cli_members members; /* --member */
	bool keep_going;            /* --keep-going */
	bool archives;              /* --archives: also a tree's archives */
	bool remove_leftovers;      /* --remove-leftovers */
	const char *output;         /* -o: the new archive goes here */
	int verbosity;              /* -q: -1 (the summary only), -v: 1 (skips too) */
	bool operand;               /* the file now is a command-line operand */
	int rc;
};

static const char *no_interp_reason(const struct ifx_elf_info *info)
{
	if (info->debug_only)
		return "separate debug info, not a program";
	switch (info->linkage) {
	case IFX_LINK_STATIC: return "static executable, no PT_INTERP";
	case IFX_LINK_STATIC_PIE: return "static-pie executable, no PT_INTERP";
	case IFX_LINK_SHARED_LIB: return "shared library without PT_INTERP";
	default: return "no PT_INTERP";
	}
}

/* Whether stdout is text for people (not JSON, SARIF or annotations). */
static bool text_out(const struct fix_run *run)
{
	return !run->json && !run->sarif && !run->github;
}

/* --format github: what changed (or would) and what could not be, as
 * annotations; what needs nothing is not annotated. */
static void annotate(const char *path, const char *member, enum fix_outcome outcome,
		     const struct ifx_fix_report *rep, const struct ifx_error *err)
{
	char change[2 * PATH_MAX + 8];

	if (outcome == FIX_FIXED || outcome == FIX_WOULD_FIX) {
		snprintf(change, sizeof(change), "%s -> %s", rep->old_interp, rep->new_interp);
		github_annotation(stdout, outcome == FIX_FIXED ? "notice" : "warning", path, member,
				  fix_outcome_name(outcome), change, NULL);
	} else if ((outcome == FIX_REFUSED || outcome == FIX_ERROR) && err != NULL) {
		github_annotation(stdout, "error", path, member, fix_outcome_name(outcome),
				  err->message, err->advice[0] != '\0' ? err->advice : NULL);
	}
}

/* One file's (or one archive member's) outcome: text or a JSON object. */
static void emit_named(struct fix_run *run, const char *path, const char *member,
		       enum fix_outcome outcome, const struct ifx_fix_report *rep,
		       const struct ifx_error *err, const char *why)
{
	char *shown = member != NULL ? cli_member_display(path, member) : NULL;
	const char *name = shown != NULL ? shown : cli_safe(path);
	/* a tree's skips only with -v; an operand's unless -q; -q: none */
	bool listed = run->verbosity > 0 ||
		      (run->verbosity == 0 && (outcome != FIX_SKIPPED || run->operand));

	cli_progress_clear();
	if (err != NULL)
		cli_error_shown(name, err);
	if (run->json)
		report_json_fix(&run->j, path, member, outcome, rep, err, why);
	else if (run->sarif && outcome == FIX_ERROR && err != NULL)
		cli_errors_add(&run->errlist, path, member, err->status, err->message, err->advice);
	else if (run->sarif)
		sarif_fix_result(&run->j, path, member, outcome, rep, err);
	else if (run->github)
		annotate(path, member, outcome, rep, err);
	else if (listed && outcome == FIX_WOULD_FIX)
		report_text_diff(stdout, name, rep);
	else if (listed)
		report_text_fix(stdout, name, outcome, rep, why);
	free(shown);
}

static void emit(struct fix_run *run, const char *path, enum fix_outcome outcome,
		 const struct ifx_fix_report *rep, const struct ifx_error *err,
		 const char *why)
{
	emit_named(run, path, NULL, outcome, rep, err, why);
}

static void warn_hard_links(const char *path, const struct ifx_fix_report *rep)
{
	cli_progress_clear();
	fprintf(stderr,
		"interpfix: warning: %s has %lu hard links; only this name now "
		"refers to the fixed file (use --in-place to fix every name)\n",
		cli_safe(path), rep->hard_links);
}

static void count_done(struct fix_run *run, const char *path,
		       const struct ifx_fix_report *rep)
{
	run->sum.elf++;
	switch (rep->result) {
	case IFX_FIX_CHANGED:
		run->sum.fixed++;
		if (rep->warning != NULL) {
			cli_progress_clear();
			fprintf(stderr, "interpfix: %s: warning: %s\n", cli_safe(path),
				cli_safe(rep->warning));
		}
		if (run->opts.dry_run) {
			run->rc = cli_worst(run->rc, EXIT_FINDINGS);
			emit(run, path, FIX_WOULD_FIX, rep, NULL, NULL);
			break;
		}
		if (run->opts.mode == IFX_WRITE_ATOMIC && rep->hard_links > 1)
			warn_hard_links(path, rep);
		emit(run, path, FIX_FIXED, rep, NULL, NULL);
		break;
	case IFX_FIX_ALREADY:
		run->sum.already++;
		if (run->json)
			emit(run, path, FIX_ALREADY, rep, NULL, NULL);
		break;
	case IFX_FIX_NOT_DYNAMIC:
		run->sum.skipped++;
		emit(run, path, FIX_SKIPPED, rep, NULL, no_interp_reason(rep->info));
		break;
	}
}

/* One member's outcome, counted as a file's would be. */
static void archive_member_done(struct fix_run *run, const char *path,
				const struct ifx_member *m, bool written)
{
	struct ifx_error err;

	run->sum.scanned++;
	if (m->status != IFX_OK) {
		if (m->info != NULL || m->content == IFX_CONTENT_ELF)
			run->sum.elf++;
		cli_fill_error(&err, m->status, 0, m->message);
		if (m->advice != NULL)
			snprintf(err.advice, sizeof(err.advice), "%s", m->advice);
		if (m->status == IFX_REFUSED) {
			run->sum.refused++;
			run->rc = cli_worst(run->rc, EXIT_REFUSED);
		} else {
			run->sum.errors++;
			run->rc = cli_worst(run->rc, cli_exit_for(m->status));
		}
		emit_named(run, path, m->name, m->status == IFX_REFUSED ? FIX_REFUSED : FIX_ERROR,
			   m->report, &err, m->left ? "left as it was (--keep-going)" : NULL);
		return;
	}
	if (m->content == IFX_CONTENT_ARCHIVE) {
		char *shown = cli_member_display(path, m->name);

		cli_progress_clear();
		fprintf(stderr, "interpfix: %s: note: an archive inside the archive, "
			"not entered\n", shown);
		free(shown);
	}
	if (m->report == NULL) {
		run->sum.skipped++;
		return;
	}
	run->sum.elf++;
	switch (m->report->result) {
	case IFX_FIX_CHANGED:
		if (run->opts.dry_run) {
			run->sum.fixed++;
			run->rc = cli_worst(run->rc, EXIT_FINDINGS);
			emit_named(run, path, m->name, FIX_WOULD_FIX, m->report, NULL, NULL);
		} else if (written) {
			run->sum.fixed++;
			emit_named(run, path, m->name, FIX_FIXED, m->report, NULL, NULL);
		}
		break;
	case IFX_FIX_ALREADY:
		run->sum.already++;
		if (run->json)
			emit_named(run, path, m->name, FIX_ALREADY, m->report, NULL, NULL);
		break;
	case IFX_FIX_NOT_DYNAMIC:
		run->sum.skipped++;
		if (run->json)
			emit_named(run, path, m->name, FIX_SKIPPED, m->report, NULL,
				   "no PT_INTERP");
		break;
	}
}

/* A file that is not ELF may be an archive: its ELF members are fixed with
 * the same rules, and the archive rewritten once. false: not an archive. */
static bool fix_archive(struct fix_run *run, int dirfd, const char *name, const char *path)
{
	struct ifx_archive_options opts = {
		.size = sizeof(opts), .members = run->members.globs,
		.member_count = run->members.count, .fix = &run->opts,
		.keep_going = run->keep_going, .output = run->output,
	};
	struct ifx_archive_result res = IFX_INIT(ifx_archive_result);
	bool member_said = false;
	struct ifx_error err;
	enum ifx_status st;

	st = ifx_archive_fix(dirfd, name, &opts, &res, &err);
	if (st == IFX_ERR_NOT_ELF) {
		ifx_archive_result_free(&res);
		return false;
	}
	for (size_t i = 0; i < res.count; i++) {
		archive_member_done(run, path, res.members[i], res.written);
		member_said = member_said || res.members[i]->status != IFX_OK;
	}
	if (st != IFX_OK && !member_said) {
		/* the archive itself: damaged, hostile, or not writable */
		run->sum.errors++;
		run->rc = cli_worst(run->rc, cli_exit_for(st));
		emit(run, path, st == IFX_REFUSED ? FIX_REFUSED : FIX_ERROR, NULL, &err, NULL);
	} else if (st != IFX_OK) {
		run->rc = cli_worst(run->rc, cli_exit_for(st));
	}
	cli_progress_clear();
	if (!run->json && res.left > 0)
		fprintf(stderr, "interpfix: %s: %zu member%s left as %s (--keep-going)\n", cli_safe(path),
			res.left, res.left == 1 ? "" : "s", res.left == 1 ? "it was" : "they were");
	if (text_out(run) && res.written)
		printf("wrote %s (%s): %zu member%s changed\n", cli_safe(run->output ? run->output : path),
		       res.format_name, res.changed, res.changed == 1 ? "" : "s");
	ifx_archive_result_free(&res);
	return true;
}

/* One file. Inside a tree, a file that is not ELF is skipped quietly; named
 * on the command line, it is an error. */
static void fix_one(struct fix_run *run, int dirfd, const char *name,
		    const char *path, bool operand)
{
	struct ifx_fix_report rep = IFX_INIT(ifx_fix_report);
	struct ifx_error err;
	enum ifx_status st;

	run->operand = operand;
	st = ifx_fix_path(dirfd, name, operand, &run->opts, &rep, &err);
	/* an archive's members are counted one by one */
	if (st == IFX_ERR_NOT_ELF && (operand || run->archives) &&
	    fix_archive(run, dirfd, name, path)) {
		ifx_fix_report_free(&rep);
		return;
	}
	run->sum.scanned++;
	if (rep.standard_missing || rep.host_specific)
		cli_progress_clear();
	if (rep.standard_missing)
		fprintf(stderr, "interpfix: %s: note: already names the standard loader %s, "
			"which this host%s does not have: nothing to change here\n",
			cli_safe(path), cli_safe(rep.new_interp), run->vet.root ? " root" : "");
	if (rep.host_specific && st != IFX_REFUSED)
		fprintf(stderr, "interpfix: %s: note: %s is not the standard path "
			"(%s); the result runs only where the loader is there too\n",
			cli_safe(path), cli_safe(rep.new_interp), cli_safe(rep.standard));
	if (st == IFX_OK) {
		count_done(run, path, &rep);
	} else if (st == IFX_ERR_NOT_ELF && !operand) {
		run->sum.skipped++;
	} else if (st == IFX_REFUSED) {
		run->sum.elf++;
		run->sum.refused++;
		run->rc = cli_worst(run->rc, EXIT_REFUSED);
		emit(run, path, FIX_REFUSED, &rep, &err, NULL);
	} else {
		if (rep.info != NULL)
			run->sum.elf++;
		run->sum.errors++;
		run->rc = cli_worst(run->rc, cli_exit_for(st));
		emit(run, path, FIX_ERROR, &rep, &err, NULL);
	}
	ifx_fix_report_free(&rep);
}

static void visit(int dirfd, const char *name, const char *path,
		  enum ifx_walk_entry kind, int errnum, void *ctx)
{
	struct fix_run *run = ctx;
	struct ifx_error err;

	cli_progress("scanned", run->sum.scanned, run->sum.elf);
	switch (kind) {
	case IFX_WALK_REGULAR:
		fix_one(run, dirfd, name, path, false);
		break;
	case IFX_WALK_SKIPPED:
		run->sum.scanned++;
		run->sum.skipped++;
		break;
	case IFX_WALK_ERROR:
		run->sum.errors++;
		run->rc = cli_worst(run->rc, EXIT_ERROR);
		cli_fill_error(&err, IFX_ERR_IO, errnum, "cannot read directory");
		emit(run, path, FIX_ERROR, NULL, &err, NULL);
		break;
	case IFX_WALK_LEFTOVER:
		run->sum.scanned++;
		run->sum.skipped++;
		cli_progress_clear();
		if (!run->remove_leftovers) {
			static const char why[] = "a leftover temporary of an interrupted fix "
						  "(--remove-leftovers removes it)";

			fprintf(stderr, "interpfix: %s: %s\n", cli_safe(path), why);
			if (run->json)
				report_json_fix(&run->j, path, NULL, FIX_SKIPPED, NULL, NULL, why);
		} else if (run->opts.dry_run || ifx_remove_leftover(dirfd, name, &err) == IFX_OK) {
			enum fix_outcome done = run->opts.dry_run ? FIX_WOULD_REMOVE : FIX_REMOVED;

			if (run->json)
				report_json_fix(&run->j, path, NULL, done, NULL, NULL,
						"a leftover temporary of an interrupted fix");
			else if (text_out(run) && run->verbosity >= 0)
				printf("%s leftover %s\n", done == FIX_REMOVED ? "removed" : "would remove",
				       cli_safe(path));
		} else {
			run->sum.errors++;
			run->rc = cli_worst(run->rc, cli_exit_for(err.status));
			emit(run, path, FIX_ERROR, NULL, &err, NULL);
		}
		break;
	}
}

static void fix_operand(struct fix_run *run, const char *path)
{
	struct ifx_error err;
	struct stat sb;

	if (run->output != NULL) {
		/* -o never touches the operand: only an archive is written anew */
		if (!fix_archive(run, AT_FDCWD, path, path)) {
			cli_fill_error(&err, IFX_ERR_USAGE, 0, "not a zip or tar archive "
				       "(-o writes a new archive; fix a file in place)");
			run->sum.errors++;
			run->rc = cli_worst(run->rc, EXIT_ERROR);
			emit(run, path, FIX_ERROR, NULL, &err, NULL);
		}
		return;
	}
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		if (ifx_walk_tree(AT_FDCWD, path, visit, run, &err) != IFX_OK) {
			run->sum.errors++;
			run->rc = cli_worst(run->rc, cli_exit_for(err.status));
			emit(run, path, FIX_ERROR, NULL, &err, NULL);
		}
		return;
	}
	fix_one(run, AT_FDCWD, path, path, true);
}

static int parse_fix_options(struct fix_run *run, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "portable", no_argument, NULL, 'p' },
		{ "root", required_argument, NULL, 'r' },
		{ "glibc", required_argument, NULL, 'g' },
		{ "target", required_argument, NULL, 'D' },
		{ "target-file", required_argument, NULL, 'T' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "in-place", no_argument, NULL, 'i' },
		{ "force", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "format", required_argument, NULL, 'F' },
		{ "member", required_argument, NULL, 'm' },
		{ "keep-going", no_argument, NULL, 'k' },
		{ "archives", no_argument, NULL, 'a' },
		{ "remove-leftovers", no_argument, NULL, 'L' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ifx_error err;
	int opt;

	while ((opt = getopt_long(argc, argv, "t:pr:g:nifjm:ko:aLqvh", longopts, NULL)) != -1) {
		switch (opt) {
		case 't': run->opts.target = optarg; break;
		case 'p': run->vet.portable = true; break;
		case 'r': run->vet.root = optarg; break;
		case 'g': run->vet.glibc = optarg; break;
		case 'D': cli_targets_add_name(&run->targets, optarg); break;
		case 'T': cli_targets_add_file(&run->targets, optarg); break;
		case 'n': run->opts.dry_run = true; break;
		case 'i': run->opts.mode = IFX_WRITE_IN_PLACE; break;
		case 'f': run->vet.force = true; break;
		case 'j': run->json = true; break;
		case 'F':
			run->json = strcmp(optarg, "json") == 0;
			run->github = strcmp(optarg, "github") == 0;
			run->sarif = strcmp(optarg, "sarif") == 0;
			if (!run->json && !run->github && !run->sarif && strcmp(optarg, "text") != 0) {
				cli_usage_error("fix", "--format is text, json, sarif or github, not '%s'",
						optarg);
				return EXIT_ERROR;
			}
			break;
		case 'm':
			if (!cli_members_add(&run->members, optarg))
				return EXIT_ERROR;
			break;
		case 'k': run->keep_going = true; break;
		case 'a': run->archives = true; break;
		case 'L': run->remove_leftovers = true; break;
		case 'o': run->output = optarg; break;
		case 'q': run->verbosity = -1; break;
		case 'v': run->verbosity = 1; break;
		case 'h': return cli_help_option("fix") + 100;
		default:
			cli_bad_option("fix", argv);
			return EXIT_ERROR;
		}
	}
	if (run->opts.target != NULL && ifx_check_target_path(run->opts.target, &err) != IFX_OK) {
		cli_usage_error("fix", "%s", err.message);
		return EXIT_ERROR;
	}
	if (!cli_glibc_ok("fix", run->vet.glibc))
		return EXIT_ERROR;
	if (run->vet.glibc != NULL && !run->vet.portable) {
		cli_usage_error("fix", "--glibc goes with --portable (otherwise the "
				"target's own glibc is read)");
		return EXIT_ERROR;
	}
	if (!cli_root_ok("fix", run->vet.root))
		return EXIT_ERROR;
	if (optind >= argc) {
		cli_usage_error("fix", "no file given");
		return EXIT_ERROR;
	}
	if (run->output != NULL && (optind + 1 != argc || run->output[0] == '\0')) {
		cli_usage_error("fix", "-o takes one archive operand and a file name for the "
				"new archive");
		return EXIT_ERROR;
	}
	if (run->targets.name_count > 0 && run->opts.target != NULL) {
		cli_usage_error("fix", "--target writes the target's own loader: not with --to");
		return EXIT_ERROR;
	}
	if (run->targets.file_count > 0 && run->targets.name_count == 0) {
		cli_usage_error("fix", "--target-file adds targets: name one with --target");
		return EXIT_ERROR;
	}
	if (!cli_targets_resolve(&run->targets, "fix"))
		return EXIT_ERROR;
	run->vet.deploy = run->targets.chosen;
	run->vet.deploy_count = run->targets.count;
	return EXIT_OK;
}

int cmd_fix(int argc, char **argv)
{
	struct fix_run run;
	int rc;

	memset(&run, 0, sizeof(run));
	run.opts.size = sizeof(run.opts);
	run.vet.size = sizeof(run.vet);
	run.opts.vet = &run.vet;
	run.opts.mode = IFX_WRITE_ATOMIC;
	rc = parse_fix_options(&run, argc, argv);
	if (rc != EXIT_OK) {
		cli_targets_free(&run.targets);
		cli_members_free(&run.members);
		return rc >= 100 ? rc - 100 : rc;
	}
	/* one context for the run: ld.so.cache and ld.so.conf read once */
	run.vet.context = ifx_context_new(run.vet.root);
	json_init(&run.j, stdout);
	if (run.json) {
		report_json_begin(&run.j, "fix");
		json_key(&run.j, "files");
		json_begin_array(&run.j);
	} else if (run.sarif) {
		sarif_begin(&run.j, cli_fix_rules, cli_fix_rule_count);
	}
	cli_progress_start(text_out(&run));
	for (int i = optind; i < argc; i++)
		fix_operand(&run, argv[i]);
	cli_progress_clear();
	if (run.json) {
		json_end_array(&run.j);
		json_key(&run.j, "summary");
		report_json_summary(&run.j, &run.sum);
		json_key(&run.j, "dry_run");
		json_bool(&run.j, run.opts.dry_run);
		report_json_end(&run.j, run.rc);
	} else if (run.sarif) {
		sarif_end(&run.j, &run.errlist, run.rc);
	} else {
		report_text_summary(stdout, &run.sum, run.opts.dry_run);
	}
	cli_errors_free(&run.errlist);
	ifx_context_free(run.vet.context);
	cli_members_free(&run.members);
	cli_targets_free(&run.targets);
	return run.rc;
}
