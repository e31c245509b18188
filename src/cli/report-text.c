/* Text output for people: show blocks, fix lines, dry-run diffs, summary. */
#include "config.h"

#include <elf.h>

#include "cli.h"

static void print_list(FILE *out, const char *label, char **items, size_t n)
{
	fprintf(out, "  %-12s", label);
	if (n == 0)
		fputs(" -", out);
	for (size_t i = 0; i < n; i++)
		fprintf(out, " %s", cli_safe(items[i]));
	fputc('\n', out);
}

static void print_opt(FILE *out, const char *label, const char *value)
{
	fprintf(out, "  %-12s %s\n", label, cli_safe(value));
}

static void print_go(FILE *out, const struct ifx_go_info *go)
{
	if (go == NULL) {
		print_opt(out, "go", NULL);
		return;
	}
	fprintf(out, "  %-12s %s", "go", go->version ? cli_safe(go->version) : "unknown version");
	if (go->cgo_enabled >= 0)
		fprintf(out, ", CGO_ENABLED=%d", go->cgo_enabled);
	if (go->tags)
		fprintf(out, ", -tags=%s", cli_safe(go->tags));
	if (go->ldflags)
		fprintf(out, ", -ldflags=%s", cli_safe(go->ldflags));
	fputc('\n', out);
	if (go->cgo_package_count > 0)
		print_list(out, "calls C", go->cgo_packages, go->cgo_package_count);
}

static void print_loader(FILE *out, const struct ifx_elf_info *info,
			 const struct show_loader *l)
{
	if (!info->has_interp)
		return;
	fprintf(out, "  %-12s %s, %s here\n", "interp kind", ifx_loader_kind_name(l->kind),
		l->exists ? "exists" : "missing");
	print_opt(out, "standard", l->standard);
	if (l->choice != NULL)
		fprintf(out, "  %-12s %s%s\n", "fix would", cli_safe(l->choice),
			l->host_specific ? " (host-specific)" : "");
	else
		fprintf(out, "  %-12s refuse: %s\n", "fix would", cli_safe(l->why_not));
}

/* As ldd prints them, one per object in load order, with who needs it. */
static void print_deps(FILE *out, const struct ifx_dep_tree *t)
{
	fprintf(out, "  %-12s %zu object%s, %zu missing (as the loader maps them):\n", "dependencies",
		t->count - 1, t->count == 2 ? "" : "s", t->missing);
	for (size_t i = 1; i < t->count; i++) {
		const struct ifx_dep *d = t->deps[i];
		const char *by = d->needed_by == 0 ? "" : t->deps[d->needed_by]->name;

		switch (d->state) {
		case IFX_DEP_FOUND:
			fprintf(out, "    %*s%s => %s", (int)(d->depth - 1) * 2, "", cli_safe(d->name), cli_safe(d->path));
			break;
		case IFX_DEP_PROVIDED:
			fprintf(out, "    %*s%s => %s (the loader itself)", (int)(d->depth - 1) * 2, "",
				cli_safe(d->name), d->path ? cli_safe(d->path) : "");
			break;
		case IFX_DEP_MISSING:
			fprintf(out, "    %*s%s => not found", (int)(d->depth - 1) * 2, "", cli_safe(d->name));
			break;
		case IFX_DEP_BROKEN:
			fprintf(out, "    %*s%s => %s: %s", (int)(d->depth - 1) * 2, "", d->name,
				cli_safe(d->path), cli_safe(d->problem));
			break;
		}
		fprintf(out, "%s%s%s\n", by[0] ? " (needed by " : "", cli_safe(by), by[0] ? ")" : "");
	}
}

void report_text_show(FILE *out, const char *path, const struct ifx_elf_info *info,
		      const struct show_loader *loader, const struct ifx_dep_tree *deps)
{
	const char *abi = ifx_abi_name(info->abi);

	fprintf(out, "%s:\n", path);
	fprintf(out, "  %-12s ELF%d %s\n", "class", info->elf_class,
		info->data == ELFDATA2MSB ? "MSB (big-endian)" : "LSB (little-endian)");
	fprintf(out, "  %-12s %s%s%s%s\n", "machine",
		ifx_machine_name(info->machine, info->elf_class, info->data),
		abi ? " (" : "", abi ? abi : "", abi ? ")" : "");
	fprintf(out, "  %-12s %s (EI_OSABI %u)\n", "os", ifx_os_name(info->os), info->osabi);
	fprintf(out, "  %-12s %s\n", "type", ifx_type_name(info->type));
	fprintf(out, "  %-12s %s\n", "linkage", ifx_linkage_name(info->linkage));
	fprintf(out, "  %-12s %s\n", "libc", ifx_libc_name(info->libc));
	if (info->has_interp)
		fprintf(out, "  %-12s %s (offset 0x%llx, %llu bytes)\n", "interp",
			cli_safe(info->interp), (unsigned long long)info->interp_offset,
			(unsigned long long)info->interp_size);
	else
		print_opt(out, "interp", NULL);
	print_loader(out, info, loader);
	print_list(out, "needed", info->needed, info->needed_count);
	print_opt(out, "soname", info->soname);
	print_opt(out, "rpath", info->rpath);
	print_opt(out, "runpath", info->runpath);
	if (info->versions_needed_count == 0)
		print_opt(out, "versions", NULL);
	for (size_t i = 0; i < info->versions_needed_count; i++) {
		const struct ifx_version_need *vn = &info->versions_needed[i];

		fprintf(out, "  %-12s %s:", i == 0 ? "versions" : "", cli_safe(vn->file));
		for (size_t k = 0; k < vn->count; k++)
			fprintf(out, " %s", cli_safe(vn->names[k]));
		fputc('\n', out);
	}
	if (info->versions_defined_count > 0)
		print_list(out, "defines", info->versions_defined,
			   info->versions_defined_count);
	print_go(out, info->go);
	if (loader->targets != NULL)
		report_text_deploy(out, info, loader);
	if (deps != NULL)
		print_deps(out, deps);
}

void report_text_fix(FILE *out, const char *path, enum fix_outcome outcome,
		     const struct ifx_fix_report *rep, const char *why)
{
	switch (outcome) {
	case FIX_FIXED:
		fprintf(out, "fixed %s: %s -> %s\n", path, cli_safe(rep->old_interp),
			cli_safe(rep->new_interp));
		break;
	case FIX_SKIPPED:
		fprintf(out, "skipped %s: %s\n", path, cli_safe(why));
		break;
	default:
		break;
	}
}

void report_text_diff(FILE *out, const char *path, const struct ifx_fix_report *rep)
{
	const char *sep = path[0] == '/' ? "" : "/";

	fprintf(out, "--- a%s%s\n+++ b%s%s\n@@ PT_INTERP @@\n-%s\n+%s\n", sep, path,
		sep, path, cli_safe(rep->old_interp), cli_safe(rep->new_interp));
	if (!rep->layout_changed)
		return;
	fputs("@@ layout @@\n", out);
	for (size_t i = 0; i < rep->layout_change_count; i++)
		fprintf(out, "%s\n", cli_safe(rep->layout_changes[i]));
	if (rep->old_file_size != rep->new_file_size)
		fprintf(out, "@@ file size @@\n-%llu\n+%llu\n",
			(unsigned long long)rep->old_file_size,
			(unsigned long long)rep->new_file_size);
}

void report_text_summary(FILE *out, const struct fix_summary *s, bool dry_run)
{
	fprintf(out, "%lu scanned, %lu ELF, %lu %s, %lu already correct, "
		"%lu skipped, %lu refused, %lu errors\n",
		s->scanned, s->elf, s->fixed, dry_run ? "would fix" : "fixed",
		s->already, s->skipped, s->refused, s->errors);
}
