/* interpfix explain: prints what ifx_explain says, "would fail" or "would
 * run", then the reasons and what to do, best option first. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void print_story(const char *path, const struct ifx_explanation *s)
{
	if (!s->fails) {
		printf("%s: would run, as far as static analysis can tell\n", cli_safe(path));
		for (size_t i = 0; i < s->why_count; i++)
			printf("  note: %s\n", cli_safe(s->why[i]));
		return;
	}
	printf("%s: would fail: %s\n", cli_safe(path), cli_safe(s->headline));
	for (size_t i = 0; i < s->why_count; i++)
		printf("  %s\n", cli_safe(s->why[i]));
	if (s->advice_count > 0)
		printf("What to do:\n");
	for (size_t i = 0; i < s->advice_count; i++)
		printf("  %zu. %s\n", i + 1, cli_safe_advice(s->advice[i]));
}

int cmd_explain(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ifx_explain_options opts = IFX_INIT(ifx_explain_options);
	struct ifx_explanation e = IFX_INIT(ifx_explanation);
	struct ifx_error err;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "r:h", longopts, NULL)) != -1) {
		if (opt == 'h')
			return cli_help_option("explain");
		if (opt == 'r') {
			opts.root = optarg;
			continue;
		}
		cli_bad_option("explain", argv);
		return EXIT_ERROR;
	}
	if (optind + 1 != argc) {
		cli_usage_error("explain", "give exactly one file");
		return EXIT_ERROR;
	}
	if (!cli_root_ok("explain", opts.root))
		return EXIT_ERROR;
	if (ifx_explain(argv[optind], &opts, &e, &err) != IFX_OK) {
		cli_error(argv[optind], &err);
		return EXIT_ERROR;
	}
	print_story(argv[optind], &e);
	rc = e.fails ? EXIT_FINDINGS : EXIT_OK;
	ifx_explanation_free(&e);
	return rc;
}
