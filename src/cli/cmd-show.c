/* interpfix show: the facts of each file, as text or one JSON array. */
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

int cmd_show(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "root", required_argument, NULL, 'r' },
		{ "deps", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = NULL;
	struct ifx_context *cache = NULL;
	bool json = false, deps = false;
	struct json j;
	int opt, rc = EXIT_OK;

	while ((opt = getopt_long(argc, argv, "jr:dh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j': json = true; break;
		case 'd': deps = true; break;
		case 'r': root = optarg; break;
		case 'h': return cli_help_option("show");
		default:
			cli_bad_option("show", argv);
			return EXIT_ERROR;
		}
	}
	if (optind >= argc) {
		cli_usage_error("show", "no file given");
		return EXIT_ERROR;
	}
	json_init(&j, stdout);
	if (json)
		json_begin_array(&j);
	for (int i = optind; i < argc; i++) {
		struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
		struct show_loader loader;
		struct ifx_choice choice = IFX_INIT(ifx_choice);
		struct ifx_error err;
		enum ifx_status st = ifx_inspect_path(AT_FDCWD, argv[i], true, &info, &err);

		if (st != IFX_OK) {
			cli_error(argv[i], &err);
			if (json)
				report_json_error(&j, argv[i], &err);
			rc = cli_worst(rc, cli_exit_for(st));
			continue;
		}
		struct ifx_dep_tree tree = IFX_INIT(ifx_dep_tree);
		bool have_tree = false;

		if (cache == NULL)
			cache = ifx_context_new(root);
		judge_loader(&info, root, cache, &loader, &choice, &err);
		if (deps && info.linkage != IFX_LINK_STATIC && info.linkage != IFX_LINK_STATIC_PIE &&
		    cache != NULL && ifx_resolve_deps(argv[i], &info, root, cache, &tree, NULL) == IFX_OK)
			have_tree = true;
		if (json)
			report_json_show(&j, argv[i], &info, &loader, have_tree ? &tree : NULL);
		else
			report_text_show(stdout, argv[i], &info, &loader, have_tree ? &tree : NULL);
		ifx_dep_tree_free(&tree);
		ifx_choice_free(&choice);
		ifx_elf_info_free(&info);
	}
	if (json) {
		json_end_array(&j);
		json_finish(&j);
	}
	ifx_context_free(cache);
	return rc;
}
