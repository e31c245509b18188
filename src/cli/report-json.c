/* JSON output for programs: the keys are documented in README.md. */
#include "config.h"

#include <elf.h>

#include "cli.h"

static void json_string_list(struct json *j, char **items, size_t n)
{
	json_begin_array(j);
	for (size_t i = 0; i < n; i++)
		json_string(j, items[i]);
	json_end_array(j);
}

static void json_go(struct json *j, const struct ifx_go_info *go)
{
	if (go == NULL) {
		json_null(j);
		return;
	}
	json_begin_object(j);
	json_key(j, "version");
	json_string(j, go->version);
	json_key(j, "cgo_enabled");
	if (go->cgo_enabled < 0)
		json_null(j);
	else
		json_bool(j, go->cgo_enabled == 1);
	json_key(j, "tags");
	json_string(j, go->tags);
	json_key(j, "ldflags");
	json_string(j, go->ldflags);
	json_key(j, "path");
	json_string(j, go->path);
	json_key(j, "own_cgo");
	if (go->own_cgo < 0)
		json_null(j);
	else
		json_bool(j, go->own_cgo == 1);
	json_key(j, "cgo_packages");
	json_string_list(j, go->cgo_packages, go->cgo_package_count);
	json_end_object(j);
}

static void json_deps(struct json *j, const struct ifx_dep_tree *t)
{
	if (t == NULL) {
		json_null(j);
		return;
	}
	json_begin_array(j);
	for (size_t i = 1; i < t->count; i++) {
		const struct ifx_dep *d = t->deps[i];

		json_begin_object(j);
		json_name(j, "name", d->name);
		json_name(j, "path", d->path);
		json_key(j, "state");
		json_string(j, ifx_dep_state_name(d->state));
		json_name(j, "needed_by", t->deps[d->needed_by]->path);
		json_key(j, "depth");
		json_uint(j, d->depth);
		json_key(j, "problem");
		json_string(j, d->problem);
		json_end_object(j);
	}
	json_end_array(j);
}

/* Every object names its file: the path, and for an archive member the
 * member (null for a file of its own). */
static void json_file(struct json *j, const char *path, const char *member)
{
	json_name(j, "path", path);
	json_name(j, "member", member);
}

void report_json_show(struct json *j, const char *path, const char *member,
		      const struct ifx_elf_info *info, const struct show_loader *l,
		      const struct ifx_dep_tree *deps)
{
	json_begin_object(j);
	json_file(j, path, member);
	json_key(j, "class");
	json_int(j, info->elf_class);
	json_key(j, "data");
	json_string(j, info->data == ELFDATA2MSB ? "MSB" : "LSB");
	json_key(j, "machine");
	json_string(j, ifx_machine_name(info->machine, info->elf_class, info->data));
	json_key(j, "e_machine");
	json_uint(j, info->machine);
	json_key(j, "abi");
	json_string(j, ifx_abi_name(info->abi));
	json_key(j, "os");
	json_string(j, ifx_os_name(info->os));
	json_key(j, "osabi");
	json_uint(j, info->osabi);
	json_key(j, "type");
	json_string(j, ifx_type_name(info->type));
	json_key(j, "linkage");
	json_string(j, ifx_linkage_name(info->linkage));
	json_key(j, "libc");
	json_string(j, ifx_libc_name(info->libc));
	json_name(j, "interp", info->has_interp ? info->interp : NULL);
	json_key(j, "interp_offset");
	if (info->has_interp)
		json_uint(j, info->interp_offset);
	else
		json_null(j);
	json_key(j, "interp_size");
	if (info->has_interp)
		json_uint(j, info->interp_size);
	else
		json_null(j);
	json_key(j, "interp_kind");
	json_string(j, ifx_loader_kind_name(l->kind));
	json_key(j, "interp_exists");
	if (info->has_interp)
		json_bool(j, l->exists);
	else
		json_null(j);
	json_key(j, "standard_interp");
	json_string(j, l->standard);
	json_key(j, "fix_target");
	json_string(j, l->choice);
	json_key(j, "fix_refusal");
	json_string(j, l->why_not);
	json_name_list(j, "needed", info->needed, info->needed_count);
	json_name(j, "soname", info->soname);
	json_name(j, "rpath", info->rpath);
	json_name(j, "runpath", info->runpath);
	json_key(j, "versions_needed");
	json_begin_object(j);
	for (size_t i = 0; i < info->versions_needed_count; i++) {
		json_key(j, info->versions_needed[i].file);
		json_string_list(j, info->versions_needed[i].names,
				 info->versions_needed[i].count);
	}
	json_end_object(j);
	if (l->targets != NULL)
		report_json_deploy(j, info, l);
	json_key(j, "versions_defined");
	json_string_list(j, info->versions_defined, info->versions_defined_count);
	json_key(j, "section_headers");
	json_bool(j, info->has_section_headers);
	json_key(j, "go");
	json_go(j, info->go);
	json_key(j, "dependencies");
	json_deps(j, deps);
	json_end_object(j);
}

void report_json_error(struct json *j, const char *path, const char *member,
		       const struct ifx_error *err)
{
	json_begin_object(j);
	json_file(j, path, member);
	json_key(j, "error");
	json_string(j, err->message);
	json_key(j, "status");
	json_string(j, ifx_status_name(err->status));
	json_end_object(j);
}

void report_json_fix(struct json *j, const char *path, const char *member,
		     enum fix_outcome outcome, const struct ifx_fix_report *rep,
		     const struct ifx_error *err, const char *why)
{
	json_begin_object(j);
	json_file(j, path, member);
	json_key(j, "result");
	json_string(j, fix_outcome_name(outcome));
	json_name(j, "old_interp", rep ? rep->old_interp : NULL);
	json_name(j, "new_interp", rep ? rep->new_interp : NULL);
	if (rep != NULL && (outcome == FIX_FIXED || outcome == FIX_WOULD_FIX)) {
		json_key(j, "interp_offset");
		json_uint(j, rep->interp_offset);
		json_key(j, "old_size");
		json_uint(j, rep->old_size);
		json_key(j, "new_size");
		json_uint(j, rep->new_size);
		json_key(j, "hard_links");
		json_uint(j, rep->hard_links);
		json_key(j, "layout_changed");
		json_bool(j, rep->layout_changed);
		json_key(j, "layout_changes");
		json_begin_array(j);
		for (size_t i = 0; i < rep->layout_change_count; i++)
			json_string(j, rep->layout_changes[i]);
		json_end_array(j);
		json_key(j, "old_file_size");
		json_uint(j, rep->old_file_size);
		json_key(j, "new_file_size");
		json_uint(j, rep->new_file_size);
	}
	json_key(j, "warning");
	json_string(j, rep ? rep->warning : NULL);
	/* a refusal's why is its reason; error is for what went wrong */
	json_key(j, "reason");
	json_string(j, outcome == FIX_REFUSED && err ? err->message : why);
	json_key(j, "error");
	json_string(j, outcome != FIX_REFUSED && err ? err->message : NULL);
	json_key(j, "advice");
	json_string(j, err && err->advice[0] ? err->advice : NULL);
	json_end_object(j);
}

void report_json_summary(struct json *j, const struct fix_summary *s)
{
	json_begin_object(j);
	json_key(j, "scanned");
	json_uint(j, s->scanned);
	json_key(j, "elf");
	json_uint(j, s->elf);
	json_key(j, "fixed");
	json_uint(j, s->fixed);
	json_key(j, "already");
	json_uint(j, s->already);
	json_key(j, "skipped");
	json_uint(j, s->skipped);
	json_key(j, "refused");
	json_uint(j, s->refused);
	json_key(j, "errors");
	json_uint(j, s->errors);
	json_end_object(j);
}

void report_json_begin(struct json *j, const char *command)
{
	json_begin_object(j);
	json_key(j, "schema_version");
	json_uint(j, REPORT_SCHEMA_VERSION);
	json_key(j, "tool");
	json_begin_object(j);
	json_key(j, "name");
	json_string(j, PACKAGE_NAME);
	json_key(j, "version");
	json_string(j, PACKAGE_VERSION);
	json_end_object(j);
	json_key(j, "command");
	json_string(j, command);
}

void report_json_error_entry(struct json *j, const char *path_key,
			     const struct cli_error_entry *e)
{
	json_begin_object(j);
	json_name(j, path_key, e->path);
	json_name(j, "member", e->member);
	json_key(j, "status");
	json_string(j, ifx_status_name(e->status));
	json_key(j, "error");
	json_string(j, e->message);
	json_key(j, "advice");
	json_string(j, e->advice);
	json_end_object(j);
}

void report_json_finding_facts(struct json *j, const struct ifx_finding *f)
{
	json_name(j, "library", f->library);
	json_name(j, "needed_by", f->needed_by);
	json_name(j, "interp", f->interp);
	json_name(j, "target", f->target);
	if (f->symbols == NULL) {
		json_key(j, "symbols");
		json_null(j);
	} else {
		json_name_list(j, "symbols", f->symbols, f->symbol_count);
	}
	json_key(j, "searched");
	if (f->searched == NULL) {
		json_null(j);
	} else {
		json_begin_array(j);
		for (size_t i = 0; i < f->searched_count; i++) {
			json_begin_object(j);
			json_name(j, "path", f->searched[i].path);
			json_key(j, "source");
			json_string(j, f->searched[i].source);
			json_key(j, "verdict");
			json_string(j, f->searched[i].verdict);
			json_end_object(j);
		}
		json_end_array(j);
	}
	/* the target rules: which deploy target, and each version it lacks */
	json_name(j, "deploy_target", f->deploy_target);
	json_key(j, "gaps");
	if (f->gaps == NULL) {
		json_null(j);
	} else {
		json_begin_array(j);
		for (size_t i = 0; i < f->gap_count; i++) {
			json_begin_object(j);
			json_name(j, "symbol", f->gaps[i].symbol);
			json_name(j, "version", f->gaps[i].version);
			json_name(j, "library", f->gaps[i].library);
			json_key(j, "since");
			json_string(j, f->gaps[i].since);
			json_end_object(j);
		}
		json_end_array(j);
	}
}

void report_json_end(struct json *j, int exit_status)
{
	json_key(j, "exit_status");
	json_int(j, exit_status);
	json_end_object(j);
	json_finish(j);
}
