/* interpfix show: the facts of each file, as text or one JSON document. A
 * directory is walked as check and fix walk it: its ELF files are shown,
 * everything else is counted. */
#include "config.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* The interpreter judged here: does it exist, what kind, what would fix do. */
static void judge_loader(const struct ifx_elf_info *info, const char *root,
			 struct ifx_context *ctx, struct show_loader *l,
			 struct ifx_choice *choice, struct ifx_error *err)
{
	struct ifx_target_options opts = { .size = sizeof(opts), .root = root, .context = ctx };
	enum ifx_libc libc = info->libc == IFX_LIBC_MUSL ? IFX_LIBC_MUSL : IFX_LIBC_GLIBC;
	struct stat sb;
	char *host = NULL;

	memset(l, 0, sizeof(*l));
	l->kind = ifx_loader_kind(info);
	l->standard = ifx_standard_loader(info, libc);
	if (!info->has_interp)
		return;
	if (ifx_root_path(root, info->interp, &host, NULL) == IFX_OK)
		l->exists = stat(host, &sb) == 0 && S_ISREG(sb.st_mode);
	free(host);
	if (ifx_choose_loader(info, &opts, choice, err) == IFX_OK &&
	    (strcmp(choice->target, info->interp) == 0 ||
	     ifx_check_swap(info, choice->target, &opts, err) == IFX_OK)) {
		l->choice = choice->target;
		l->host_specific = choice->host_specific;
	} else {
		l->why_not = err->message;
	}
}

struct show_run {
	const char *root;
	struct ifx_context *cache;
	bool json, deps;
	struct json j;
	struct cli_members members;
	struct cli_targets targets; /* where each file can run; --target-file */
	unsigned long files, elf, errors;
	int rc;
};

static void show_error(struct show_run *run, const char *path, const char *member,
		       const char *shown, const struct ifx_error *err)
{
	run->errors++;
	cli_error_shown(shown, err);
	if (run->json)
		report_json_error(&run->j, path, member, err);
	run->rc = cli_worst(run->rc, cli_exit_for(err->status));
}

/* The ELF members of an archive, each as a file of its own would be shown
 * (without --deps: a member is not on disk). false: not an archive. */
static bool show_archive(struct show_run *run, const char *path)
{
	struct ifx_archive_options opts = { .size = sizeof(opts), .members = run->members.globs,
					    .member_count = run->members.count };
	struct ifx_archive_result res = IFX_INIT(ifx_archive_result);
	struct ifx_error err;
	enum ifx_status st;

	if (!cli_scan_archive(AT_FDCWD, path, true, &opts, &res, &err, &st))
		return false;
	if (st != IFX_OK)
		show_error(run, path, NULL, cli_safe(path), &err);
	for (size_t i = 0; st == IFX_OK && i < res.count; i++) {
		const struct ifx_member *m = res.members[i];
		char *shown = cli_member_display(path, m->name);
		struct ifx_choice choice = IFX_INIT(ifx_choice);
		struct show_loader loader;

		if (m->status != IFX_OK) {
			cli_fill_error(&err, m->status, 0, m->message);
			show_error(run, path, m->name, shown, &err);
		} else if (m->content == IFX_CONTENT_ARCHIVE) {
			fprintf(stderr, "interpfix: %s: note: an archive inside the archive, "
				"not entered\n", shown);
		} else if (m->info != NULL) {
			run->elf++;
			if (run->cache == NULL)
				run->cache = ifx_context_new(run->root);
			judge_loader(m->info, run->root, run->cache, &loader, &choice, &err);
			loader.targets = run->targets.set;
			if (run->json)
				report_json_show(&run->j, path, m->name, m->info, &loader, NULL);
			else
				report_text_show(stdout, shown, m->info, &loader, NULL);
			ifx_choice_free(&choice);
		}
		free(shown);
	}
	ifx_archive_result_free(&res);
	return true;
}

/* One file: an operand (errors and non-ELF files said) or a file in a
 * walked tree (only ELF files and archives shown, with --archives...
 * not here: show enters an archive only when it is named). */
static void show_file(struct show_run *run, int dirfd, const char *name, const char *path,
		      bool operand)
{
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
	struct ifx_dep_tree tree = IFX_INIT(ifx_dep_tree);
	struct ifx_choice choice = IFX_INIT(ifx_choice);
	struct show_loader loader;
	struct ifx_error err;
	bool have_tree = false;
	enum ifx_status st;

	run->files++;
	st = operand ? ifx_inspect_path(dirfd, name, true, &info, &err)
		     : ifx_inspect_entry(dirfd, name, IFX_INSPECT_NO_SYMBOLS, &info, &err);
	if (operand && st == IFX_ERR_NOT_ELF && show_archive(run, path))
		return;
	if (!operand && (st == IFX_ERR_NOT_ELF || st == IFX_ERR_ARCHIVE))
		return; /* a tree's other files are not errors */
	if (st != IFX_OK) {
		show_error(run, path, NULL, cli_safe(path), &err);
		return;
	}
	run->elf++;
	if (run->cache == NULL)
		run->cache = ifx_context_new(run->root);
	judge_loader(&info, run->root, run->cache, &loader, &choice, &err);
	loader.targets = run->targets.set;
	loader.path = path;
	loader.root = run->root;
	loader.context = run->cache;
	if (run->deps && info.linkage != IFX_LINK_STATIC && info.linkage != IFX_LINK_STATIC_PIE &&
	    run->cache != NULL &&
	    ifx_resolve_deps(path, &info, run->root, run->cache, &tree, NULL) == IFX_OK)
		have_tree = true;
	if (run->json)
		report_json_show(&run->j, path, NULL, &info, &loader, have_tree ? &tree : NULL);
	else
		report_text_show(stdout, cli_safe(path), &info, &loader, have_tree ? &tree : NULL);
	ifx_dep_tree_free(&tree);
	ifx_choice_free(&choice);
	ifx_elf_info_free(&info);
}

static void visit(int dirfd, const char *name, const char *path,
		  enum ifx_walk_entry kind, int errnum, void *ctx)
{
	struct show_run *run = ctx;
	struct ifx_error err;

	if (kind == IFX_WALK_REGULAR) {
		show_file(run, dirfd, name, path, false);
	} else if (kind == IFX_WALK_SKIPPED || kind == IFX_WALK_LEFTOVER) {
		run->files++; /* counted as check and fix count them */
	} else if (kind == IFX_WALK_ERROR) {
		cli_fill_error(&err, IFX_ERR_IO, errnum, "cannot read directory");
		show_error(run, path, NULL, cli_safe(path), &err);
	}
}

int cmd_show(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "root", required_argument, NULL, 'r' },
		{ "deps", no_argument, NULL, 'd' },
		{ "member", required_argument, NULL, 'm' },
		{ "target-file", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct show_run run = { .rc = EXIT_OK };
	struct ifx_error err;
	struct stat sb;
	int opt;

	while ((opt = getopt_long(argc, argv, "jr:dm:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j': run.json = true; break;
		case 'd': run.deps = true; break;
		case 'r': run.root = optarg; break;
		case 'T': cli_targets_add_file(&run.targets, optarg); break;
		case 'm':
			if (!cli_members_add(&run.members, optarg))
				return EXIT_ERROR;
			break;
		case 'h':
			cli_targets_free(&run.targets);
			cli_members_free(&run.members);
			return cli_help_option("show");
		default:
			cli_bad_option("show", argv);
			cli_targets_free(&run.targets);
			cli_members_free(&run.members);
			return EXIT_ERROR;
		}
	}
	if (optind >= argc || !cli_targets_resolve(&run.targets, "show")) {
		if (optind >= argc)
			cli_usage_error("show", "no file given");
		cli_targets_free(&run.targets);
		cli_members_free(&run.members);
		return EXIT_ERROR;
	}
	json_init(&run.j, stdout);
	if (run.json) {
		report_json_begin(&run.j, "show");
		json_key(&run.j, "files");
		json_begin_array(&run.j);
	}
	for (int i = optind; i < argc; i++) {
		if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
			if (ifx_walk_tree(AT_FDCWD, argv[i], visit, &run, &err) != IFX_OK)
				show_error(&run, argv[i], NULL, cli_safe(argv[i]), &err);
		} else {
			show_file(&run, AT_FDCWD, argv[i], argv[i], true);
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
		json_key(&run.j, "errors");
		json_uint(&run.j, run.errors);
		json_end_object(&run.j);
		report_json_end(&run.j, run.rc);
	}
	ifx_context_free(run.cache);
	cli_members_free(&run.members);
	cli_targets_free(&run.targets);
	return run.rc;
}
