/* interpfix show: the facts of each file, as text or one JSON array. */
#include "config.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

static enum ifx_status inspect_path(const char *path, struct ifx_elf_info *info,
				    struct ifx_error *err)
{
	enum ifx_status st;
	int fd;

	st = ifx_open_regular(AT_FDCWD, path, true, &fd, err);
	if (st != IFX_OK)
		return st;
	st = ifx_inspect_fd(fd, info, err);
	close(fd);
	return st;
}

int cmd_show(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	struct json j;
	int opt, rc = EXIT_OK;

	while ((opt = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j': json = true; break;
		case 'h': return cli_help_option("show");
		default:
			cli_usage_error("show", "unknown option");
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
		struct ifx_elf_info info;
		struct ifx_error err;
		enum ifx_status st = inspect_path(argv[i], &info, &err);

		if (st != IFX_OK) {
			cli_error(argv[i], &err);
			if (json)
				report_json_error(&j, argv[i], &err);
			rc = cli_worst(rc, cli_exit_for(st));
			continue;
		}
		if (json)
			report_json_show(&j, argv[i], &info);
		else
			report_text_show(stdout, argv[i], &info);
		ifx_elf_info_free(&info);
	}
	if (json) {
		json_end_array(&j);
		json_finish(&j);
	}
	return rc;
}
