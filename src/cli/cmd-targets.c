/* interpfix targets: the deploy targets check, fix and show know, as a
 * table, in full for the ones named, or as JSON. */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* "3.4.24" as the node it is, or what "none" and "" mean. */
static const char *figure(const char *v, const char *prefix, char *buf, size_t size)
{
	if (v == NULL || v[0] == '\0')
		return "not known";
	if (strcmp(v, "none") == 0)
		return "none (not a system library there)";
	snprintf(buf, size, "%s%s", prefix, v);
	return buf;
}

/* The next word of a target's space-separated arch list into arch; *p
 * moves past it. false at the end. (Arch names are short: longer words
 * cannot be one a target offers and come out empty.) */
static bool next_arch(const char **p, char *arch, size_t size)
{
	size_t n;

	*p += strspn(*p, " ");
	if (**p == '\0')
		return false;
	n = strcspn(*p, " ");
	snprintf(arch, size, "%.*s", (int)(n < size ? n : 0), *p);
	*p += n;
	return true;
}

/* A node with the release that brought it: "GLIBCXX_3.4.24 (GCC 7.2.0)". */
static void print_node(const char *node)
{
	char *since = ifx_version_release(node);

	printf("%s", cli_safe(node));
	if (since != NULL)
		printf(" (%s)", since);
	free(since);
}

static void print_row(const struct ifx_target *t)
{
	char libc[48];

	snprintf(libc, sizeof(libc), "%s %s", ifx_libc_name(t->libc), t->libc_version);
	printf("%-24s %-12s %-8s %-8s %s", cli_safe(t->name), cli_safe(libc),
	       cli_safe(t->glibcxx[0] ? t->glibcxx : "?"), cli_safe(t->cxxabi[0] ? t->cxxabi : "?"),
	       cli_safe(t->arches));
	if (t->base[0] != '\0')
		printf("  (on %s)", cli_safe(t->base));
	putchar('\n');
}

static void print_full(const struct ifx_target *t)
{
	char buf[64], gcc[32], arch[32], path[PATH_MAX];

	printf("%s (family %s", cli_safe(t->name), cli_safe(t->family));
	if (t->base[0] != '\0')
		printf(", the system libraries of %s", cli_safe(t->base));
	printf(")\n  libc:      %s %s\n", ifx_libc_name(t->libc), cli_safe(t->libc_version));
	printf("  libstdc++: ");
	if (strcmp(t->glibcxx, "none") == 0 && strcmp(t->cxxabi, "none") == 0) {
		printf("%s\n", figure(t->glibcxx, "", buf, sizeof(buf)));
	} else {
		print_node(figure(t->glibcxx, "GLIBCXX_", buf, sizeof(buf)));
		printf(", ");
		print_node(figure(t->cxxabi, "CXXABI_", buf, sizeof(buf)));
		putchar('\n');
	}
	for (const char *p = t->arches; next_arch(&p, arch, sizeof(arch));) {
		const char *ld = ifx_target_arch_loader(t, arch, path, sizeof(path));

		printf("  %-10s loader %s", arch, ld ? cli_safe(ld) : "(none known)");
		if (ifx_target_arch_gcc(t, arch, gcc, sizeof(gcc)))
			printf(", libgcc_s GCC_%s", cli_safe(gcc));
		putchar('\n');
	}
	if (t->note[0] != '\0')
		printf("  note:      %s\n", cli_safe(t->note));
	printf("  source:    %s\n", cli_safe(t->source));
}

static void json_target(struct json *j, const struct ifx_target *t)
{
	char gcc[32], arch[32], path[PATH_MAX];

	json_begin_object(j);
	json_name(j, "name", t->name);
	json_name(j, "family", t->family);
	json_name(j, "base", t->base[0] ? t->base : NULL);
	json_key(j, "arches");
	json_begin_array(j);
	for (const char *p = t->arches; next_arch(&p, arch, sizeof(arch));)
		json_string(j, arch);
	json_end_array(j);
	json_key(j, "libc");
	json_string(j, ifx_libc_name(t->libc));
	json_name(j, "libc_version", t->libc_version);
	json_name(j, "glibcxx", t->glibcxx[0] ? t->glibcxx : NULL);
	json_name(j, "cxxabi", t->cxxabi[0] ? t->cxxabi : NULL);
	/* per arch: the loader and libgcc_s's newest node */
	json_key(j, "per_arch");
	json_begin_object(j);
	for (const char *p = t->arches; next_arch(&p, arch, sizeof(arch));) {
		json_key(j, arch);
		json_begin_object(j);
		json_name(j, "loader", ifx_target_arch_loader(t, arch, path, sizeof(path)));
		json_name(j, "gcc", ifx_target_arch_gcc(t, arch, gcc, sizeof(gcc)) ? gcc : NULL);
		json_end_object(j);
	}
	json_end_object(j);
	json_name(j, "note", t->note[0] ? t->note : NULL);
	json_name(j, "source", t->source);
	json_end_object(j);
}

int cmd_targets(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "target-file", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_targets t;
	bool json = false;
	const char *alias, *to;
	struct json j;
	int opt;

	memset(&t, 0, sizeof(t));
	while ((opt = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j': json = true; break;
		case 'T': cli_targets_add_file(&t, optarg); break;
		case 'h':
			cli_targets_free(&t);
			return cli_help_option("targets");
		default:
			cli_bad_option("targets", argv);
			cli_targets_free(&t);
			return EXIT_ERROR;
		}
	}
	for (int i = optind; i < argc; i++)
		cli_targets_add_name(&t, argv[i]);
	if (!cli_targets_resolve(&t, "targets")) {
		cli_targets_free(&t);
		return EXIT_ERROR;
	}
	if (json) {
		size_t n = t.name_count ? t.count : ifx_target_set_count(t.set);

		json_init(&j, stdout);
		report_json_begin(&j, "targets");
		json_key(&j, "targets");
		json_begin_array(&j);
		for (size_t i = 0; i < n; i++)
			json_target(&j, t.name_count ? t.chosen[i] : ifx_target_set_at(t.set, i));
		json_end_array(&j);
		json_key(&j, "aliases");
		json_begin_object(&j);
		for (size_t i = 0; (alias = ifx_target_set_alias(t.set, i, &to)) != NULL; i++) {
			json_key(&j, alias);
			json_string(&j, to);
		}
		json_end_object(&j);
		report_json_end(&j, EXIT_OK);
	} else if (t.name_count > 0) {
		for (size_t i = 0; i < t.count; i++) {
			if (i > 0)
				putchar('\n');
			print_full(t.chosen[i]);
		}
	} else {
		printf("%-24s %-12s %-8s %-8s %s\n", "NAME", "LIBC", "GLIBCXX", "CXXABI", "ARCHES");
		for (size_t i = 0; i < ifx_target_set_count(t.set); i++)
			print_row(ifx_target_set_at(t.set, i));
		printf("\nAliases:");
		for (size_t i = 0; (alias = ifx_target_set_alias(t.set, i, &to)) != NULL; i++)
			printf("%s %s = %s", i ? "," : "", alias, to);
		printf("\n%zu targets; 'interpfix targets NAME' shows one in full (a family "
		       "name shows all of it)\n", ifx_target_set_count(t.set));
	}
	cli_targets_free(&t);
	return EXIT_OK;
}
