/* show's "where it can run": what a binary needs of a system, and the
 * deploy targets that have it, condensed per family ("ubuntu-22.04+"). */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Appends to a growing line; names are data (escaped). */
struct line {
	char *buf;
	size_t len;
};

static void add(struct line *l, const char *s)
{
	size_t n = strlen(s);

	l->buf = cli_xreallocarray(l->buf, l->len + n + 1, 1);
	memcpy(l->buf + l->len, s, n + 1);
	l->len += n;
}

static void add_item(struct line *l, const char *s)
{
	if (l->len > 0)
		add(l, ", ");
	add(l, s);
}

/* Whether target i is of the group (family, and base when base is not
 * NULL) and may be listed at all (a target without its arch never is). */
static bool in_group(const struct ifx_target_set *set, const struct ifx_requirements *req,
		     size_t i, const char *family, const char *base)
{
	const struct ifx_target *t = ifx_target_set_at(set, i);

	return strcmp(t->family, family) == 0 && (base == NULL || strcmp(t->base, base) == 0) &&
	       req->fit[i] != IFX_FIT_ARCH;
}

/* The runtimes on one base (Lambda's on amzn-2023): one item when all of
 * them fit ("lambda on amzn-2023 (8 runtimes)"), else their names. */
static void condense_base(struct line *l, const struct ifx_target_set *set,
			  const struct ifx_requirements *req, const char *family,
			  const char *base, enum ifx_fit want)
{
	size_t n = ifx_target_set_count(set), all = 0, fit = 0;
	char item[160];

	for (size_t k = 0; k < n; k++)
		if (in_group(set, req, k, family, base)) {
			all++;
			fit += req->fit[k] == want;
		}
	if (fit == all && all > 1) {
		snprintf(item, sizeof(item), "%s on %s (%zu runtimes)", family,
			 base[0] ? base : "its own", all);
		add_item(l, cli_safe(item));
		return;
	}
	for (size_t k = 0; k < n; k++)
		if (in_group(set, req, k, family, base) && req->fit[k] == want)
			add_item(l, cli_safe(ifx_target_set_at(set, k)->name));
}

/* The targets of one family, in table order, that fit as wanted. A family
 * whose targets run on bases (Lambda) is "lambda (all 16)" when all fit,
 * else one condense_base per base; otherwise a newest-releases suffix is
 * "first+" and anything else is listed. */
static void condense(struct line *l, const struct ifx_target_set *set,
		     const struct ifx_requirements *req, const char *family, enum ifx_fit want)
{
	size_t n = ifx_target_set_count(set), total = 0, hit = 0, first = n, last_miss = n;
	bool based = false;
	char item[160];

	for (size_t i = 0; i < n; i++) {
		if (!in_group(set, req, i, family, NULL))
			continue;
		total++;
		based = based || ifx_target_set_at(set, i)->base[0] != '\0';
		if (req->fit[i] == want) {
			hit++;
			first = first == n ? i : first;
		} else {
			last_miss = i;
		}
	}
	if (hit == 0)
		return;
	if (based && hit == total && total > 1) {
		snprintf(item, sizeof(item), "%s (all %zu)", family, total);
		add_item(l, cli_safe(item));
		return;
	}
	if (based) {
		/* each base once, where its first runtime is */
		for (size_t i = 0; i < n; i++) {
			const char *base = ifx_target_set_at(set, i)->base;
			bool seen = false;

			if (!in_group(set, req, i, family, NULL))
				continue;
			for (size_t k = 0; k < i && !seen; k++)
				seen = in_group(set, req, k, family, base);
			if (!seen)
				condense_base(l, set, req, family, base, want);
		}
		return;
	}
	/* the newest releases fit: "ubuntu-22.04+" (a suffix of the family) */
	if (hit > 1 && (last_miss == n || last_miss < first)) {
		snprintf(item, sizeof(item), "%s+", ifx_target_set_at(set, first)->name);
		add_item(l, cli_safe(item));
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (in_group(set, req, i, family, NULL) && req->fit[i] == want)
			add_item(l, cli_safe(ifx_target_set_at(set, i)->name));
}

/* Each family once, in table order. */
static void families(struct line *l, const struct ifx_target_set *set,
		     const struct ifx_requirements *req, enum ifx_fit want)
{
	size_t n = ifx_target_set_count(set);

	for (size_t i = 0; i < n; i++) {
		const char *family = ifx_target_set_at(set, i)->family;
		bool seen = false;

		for (size_t k = 0; k < i && !seen; k++)
			seen = strcmp(ifx_target_set_at(set, k)->family, family) == 0;
		if (!seen)
			condense(l, set, req, family, want);
	}
}

/* Whether a target it runs on has another loader than its interpreter
 * (brew's, a target file's own): a fix comes first there. */
static bool interp_fix_needed(const struct ifx_elf_info *info, const struct ifx_target_set *set,
			      const struct ifx_requirements *req)
{
	for (size_t i = 0; info->has_interp && i < req->target_count; i++) {
		char buf[PATH_MAX];
		const char *ld;

		if (req->fit[i] != IFX_FIT_RUNS)
			continue;
		ld = ifx_target_loader(ifx_target_set_at(set, i), info, buf, sizeof(buf));
		if (ld != NULL && strcmp(ld, info->interp) != 0)
			return true;
	}
	return false;
}

static void needs_line(struct line *l, const struct ifx_requirements *req)
{
	char item[160];

	if (req->glibc != NULL) {
		snprintf(item, sizeof(item), "glibc %s", req->glibc);
		add_item(l, cli_safe(item));
	}
	if (req->glibcxx != NULL) {
		snprintf(item, sizeof(item), "libstdc++ GLIBCXX_%s%s%s%s", req->glibcxx,
			 req->glibcxx_since ? " (" : "", req->glibcxx_since ? req->glibcxx_since : "",
			 req->glibcxx_since ? ")" : "");
		add_item(l, cli_safe(item));
	}
	if (req->cxxabi != NULL) {
		snprintf(item, sizeof(item), "CXXABI_%s", req->cxxabi);
		add_item(l, cli_safe(item));
	}
	if (req->gcc != NULL) {
		snprintf(item, sizeof(item), "libgcc_s GCC_%s", req->gcc);
		add_item(l, cli_safe(item));
	}
}

/* What the file needs, with the libraries shipped with it when it is on
 * disk (an archive member's are not). */
static enum ifx_status requirements_of(const struct ifx_elf_info *info,
				       const struct show_loader *l, struct ifx_requirements *req)
{
	if (l->path != NULL)
		return ifx_target_requirements_path(l->path, info, l->root, l->context, l->targets,
						    req, NULL);
	return ifx_target_requirements(info, l->targets, req, NULL);
}

void report_text_deploy(FILE *out, const struct ifx_elf_info *info, const struct show_loader *l)
{
	const struct ifx_target_set *set = l->targets;
	struct ifx_requirements req = IFX_INIT(ifx_requirements);
	struct line needs = { NULL, 0 }, runs = { NULL, 0 }, old = { NULL, 0 }, libc = { NULL, 0 };

	if (requirements_of(info, l, &req) != IFX_OK)
		return;
	needs_line(&needs, &req);
	families(&runs, set, &req, IFX_FIT_RUNS);
	families(&old, set, &req, IFX_FIT_VERSIONS);
	families(&libc, set, &req, IFX_FIT_LIBC);
	if (needs.len && req.shipped_count > 0) {
		char with[96];

		snprintf(with, sizeof(with), " (with %zu librar%s shipped with it)",
			 req.shipped_count, req.shipped_count == 1 ? "y" : "ies");
		add(&needs, with);
	}
	fprintf(out, "  %-12s %s\n", "needs", needs.len ? needs.buf
			: req.libc == IFX_LIBC_NONE ? "nothing of the system (static)"
			: "no versioned glibc, libstdc++ or libgcc_s symbols");
	if (runs.len == 0 && req.arch == NULL)
		fprintf(out, "  %-12s none of the targets (none offers %s binaries)\n", "runs on",
			ifx_machine_name(info->machine, info->elf_class, info->data));
	else
		fprintf(out, "  %-12s %s%s\n", "runs on", runs.len ? runs.buf : "none of the targets",
			runs.len && interp_fix_needed(info, set, &req)
				? "; once its interpreter is fixed (interpfix fix --target NAME)" : "");
	if (old.len)
		fprintf(out, "  %-12s %s (they lack versions it needs)\n", "not on", old.buf);
	if (libc.len)
		fprintf(out, "  %-12s %s (their libc is not %s)\n", "not on", libc.buf,
			ifx_libc_name(req.libc));
	free(needs.buf);
	free(runs.buf);
	free(old.buf);
	free(libc.buf);
	ifx_requirements_free(&req);
}

void report_json_deploy(struct json *j, const struct ifx_elf_info *info, const struct show_loader *l)
{
	const struct ifx_target_set *set = l->targets;
	struct ifx_requirements req = IFX_INIT(ifx_requirements);
	size_t n = ifx_target_set_count(set);

	json_key(j, "deploy");
	if (requirements_of(info, l, &req) != IFX_OK) {
		json_null(j);
		return;
	}
	json_begin_object(j);
	json_key(j, "arch");
	json_string(j, req.arch);
	json_key(j, "needs");
	json_begin_object(j);
	json_key(j, "glibc");
	json_string(j, req.glibc);
	json_key(j, "glibcxx");
	json_string(j, req.glibcxx);
	json_key(j, "glibcxx_since");
	json_string(j, req.glibcxx_since);
	json_key(j, "cxxabi");
	json_string(j, req.cxxabi);
	json_key(j, "gcc");
	json_string(j, req.gcc);
	json_end_object(j);
	json_key(j, "shipped_libraries");
	json_uint(j, req.shipped_count);
	json_key(j, "interp_fix_needed");
	json_bool(j, interp_fix_needed(info, set, &req));
	json_key(j, "runs_on");
	json_begin_array(j);
	for (size_t i = 0; i < n; i++)
		if (req.fit[i] == IFX_FIT_RUNS)
			json_string(j, ifx_target_set_at(set, i)->name);
	json_end_array(j);
	json_key(j, "not_on");
	json_begin_array(j);
	for (size_t i = 0; i < n; i++) {
		if (req.fit[i] == IFX_FIT_RUNS || req.fit[i] == IFX_FIT_ARCH)
			continue;
		json_begin_object(j);
		json_name(j, "name", ifx_target_set_at(set, i)->name);
		json_key(j, "why");
		json_string(j, ifx_fit_name(req.fit[i]));
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
	ifx_requirements_free(&req);
}
