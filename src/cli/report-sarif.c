/* --format sarif: SARIF 2.1.0, what GitHub code scanning, GitLab and Azure
 * DevOps ingest. One run; the rules with their descriptions; one result per
 * finding of check (or per file fix changes, would change or refuses) with
 * its location (the file; an archive member as a logical location) and,
 * where the repair is a byte replacement of the interpreter slot, a fix
 * with that replacement; errors (files that could not be read) as tool
 * execution notifications. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

const struct cli_rule cli_rules[] = {
	{ IFX_RULE_NONSTANDARD_INTERP, IFX_SEVERITY_ERROR, "NonstandardInterp",
	  "The interpreter is not the standard (psABI) loader for the binary's machine and libc",
	  "A Linuxbrew, Nix store, musl-prefix, relative or other machine's loader path exists "
	  "only where it was built; executing the file elsewhere fails with \"No such file or "
	  "directory\". Run the advice, or link with the standard --dynamic-linker.", NULL, NULL },
	{ IFX_RULE_INTERP_LIBC_MISMATCH, IFX_SEVERITY_ERROR, "InterpLibcMismatch",
	  "The interpreter belongs to another libc than the binary",
	  "A glibc binary naming musl's loader (or the reverse) cannot run: the loader cannot "
	  "provide the libc the binary was linked against.", NULL, NULL },
	{ IFX_RULE_UNEXPECTED_LIBC, IFX_SEVERITY_ERROR, "UnexpectedLibc",
	  "The binary links a libc other than the product's (--libc)",
	  "Go programs importing net or os/user use cgo and link the build host's libc; build "
	  "with CGO_ENABLED=0 or -tags netgo,osusergo, or on the product's libc.", NULL, NULL },
	{ IFX_RULE_GLIBC_TOO_NEW, IFX_SEVERITY_ERROR, "GlibcTooNew",
	  "The binary needs symbol versions beyond the oldest glibc it must run on (--glibc)",
	  "Each symbol@VERSION beyond the target is named; rebuild against an older glibc.", NULL, NULL },
	{ IFX_RULE_RPATH_BUILD_PREFIX, IFX_SEVERITY_WARNING, "RpathBuildPrefix",
	  "RPATH or RUNPATH points into a build or package prefix",
	  "Entries in /home/linuxbrew, the Nix store, /tmp or the build directory exist only at "
	  "build time.", NULL, NULL },
	{ IFX_RULE_MISSING_LIBRARY, IFX_SEVERITY_ERROR, "MissingLibrary",
	  "A library of the dependency tree would not be found by the loader",
	  "The loader's search (RPATH, LD_LIBRARY_PATH, RUNPATH, ld.so.cache, default paths) "
	  "finds no such library here or in --root.", NULL, NULL },
	{ IFX_RULE_MISSING_INTERP, IFX_SEVERITY_ERROR, "MissingInterp",
	  "The interpreter does not exist here (or in --root)",
	  "execve fails with ENOENT, which the shell reports as \"No such file or directory\" "
	  "although the file is there.", NULL, NULL },
	{ IFX_RULE_NON_LINUX_BINARY, IFX_SEVERITY_ERROR, "NonLinuxBinary",
	  "The binary is for another operating system",
	  "A FreeBSD, NetBSD, OpenBSD, Solaris or Hurd program does not run on Linux.", NULL, NULL },
	{ IFX_RULE_LEFTOVER_TEMPORARY, IFX_SEVERITY_WARNING, "LeftoverTemporary",
	  "A temporary file an interrupted interpfix fix left behind",
	  "interpfix fix --remove-leftovers DIR removes it (recognised by name, owner and "
	  "marker together).", NULL, NULL },
	{ IFX_RULE_TARGET_ARCH, IFX_SEVERITY_ERROR, "TargetArch",
	  "The deploy target does not offer the binary's architecture",
	  "Build it for one of the architectures the target offers (interpfix targets NAME "
	  "lists them).", NULL, NULL },
	{ IFX_RULE_TARGET_LIBC, IFX_SEVERITY_ERROR, "TargetLibc",
	  "The binary links the other C library family than the deploy target's",
	  "A musl binary does not run on a glibc system, nor the reverse, without that "
	  "libc installed: rebuild it against the target's libc or link it statically "
	  "(Go: CGO_ENABLED=0, or -tags netgo,osusergo).", NULL, NULL },
	{ IFX_RULE_TARGET_INTERP, IFX_SEVERITY_ERROR, "TargetInterp",
	  "The program interpreter is not the deploy target's loader",
	  "Executing it there fails with \"No such file or directory\": interpfix fix "
	  "--target NAME writes the target's loader.", NULL, NULL },
	{ IFX_RULE_TARGET_VERSIONS, IFX_SEVERITY_ERROR, "TargetVersions",
	  "The binary needs symbol versions the deploy target's glibc, libstdc++ or "
	  "libgcc_s lack",
	  "The loader there stops with \"version `X' not found\": build it against the "
	  "target's runtime (its image, or a manylinux container), link libstdc++ and "
	  "libgcc statically, or ship them beside it. Each symbol is named with the "
	  "library it is needed from and the oldest release that has it.", NULL, NULL },
};
const size_t cli_rule_count = sizeof(cli_rules) / sizeof(cli_rules[0]);

/* fix's results, one rule per outcome */
const struct cli_rule cli_fix_rules[] = {
	{ .id = "would-fix", .level = "warning", .name = "WouldFix",
	  .summary = "A dry run would rewrite the program interpreter",
	  .help = "interpfix fix without --dry-run writes it: the new path over the old one, or "
		  "into a grown layout (the result's layout_changes say where)." },
	{ .id = "fixed", .level = "note", .name = "Fixed",
	  .summary = "The program interpreter was rewritten",
	  .help = "The file was replaced crash-safely (or written in place with --in-place)." },
	{ .id = "refused", .level = "error", .name = "Refused",
	  .summary = "The safety checker refused the new interpreter",
	  .help = "The message says why and the advice what to do; --force overrides only the "
		  "refusals that allow it." },
};
const size_t cli_fix_rule_count = sizeof(cli_fix_rules) / sizeof(cli_fix_rules[0]);

static const char *rule_id(const struct cli_rule *r)
{
	return r->id != NULL ? r->id : ifx_rule_name(r->rule);
}

static size_t rule_index(const struct cli_rule *rules, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rule_id(&rules[i]), id) == 0)
			return i;
	return 0;
}

/* A URI reference for a path: relative stays relative (GitHub resolves it
 * against the checkout), absolute becomes file://; every byte but the
 * unreserved ones and / percent-encoded, so any name is a valid URI. */
static char *path_uri(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)path;
	size_t n = strlen(path), at = 0;
	char *out = malloc(3 * n + 8);

	if (out == NULL)
		cli_out_of_memory();
	if (p[0] == '/') {
		memcpy(out, "file://", 7);
		at = 7;
	}
	for (size_t i = 0; i < n; i++) {
		if ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		    (p[i] >= '0' && p[i] <= '9') || strchr("-._~/", p[i]) != NULL) {
			out[at++] = (char)p[i];
		} else {
			out[at++] = '%';
			out[at++] = hex[p[i] >> 4];
			out[at++] = hex[p[i] & 15];
		}
	}
	out[at] = '\0';
	return out;
}

static void text_object(struct json *j, const char *key, const char *text)
{
	json_key(j, key);
	json_begin_object(j);
	json_key(j, "text");
	json_string(j, text);
	json_end_object(j);
}

void sarif_begin(struct json *j, const struct cli_rule *rules, size_t n)
{
	json_begin_object(j);
	json_key(j, "$schema");
	json_string(j, SARIF_SCHEMA);
	json_key(j, "version");
	json_string(j, "2.1.0");
	json_key(j, "runs");
	json_begin_array(j);
	json_begin_object(j);
	json_key(j, "tool");
	json_begin_object(j);
	json_key(j, "driver");
	json_begin_object(j);
	json_key(j, "name");
	json_string(j, PACKAGE_NAME);
	json_key(j, "version");
	json_string(j, PACKAGE_VERSION);
	json_key(j, "rules");
	json_begin_array(j);
	for (size_t i = 0; i < n; i++) {
		const struct cli_rule *r = &rules[i];

		json_begin_object(j);
		json_key(j, "id");
		json_string(j, rule_id(r));
		json_key(j, "name");
		json_string(j, r->name);
		text_object(j, "shortDescription", r->summary);
		text_object(j, "fullDescription", r->help);
		text_object(j, "help", r->help);
		json_key(j, "defaultConfiguration");
		json_begin_object(j);
		json_key(j, "level");
		json_string(j, r->level != NULL ? r->level : ifx_severity_name(r->severity));
		json_end_object(j);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j); /* driver */
	json_end_object(j); /* tool */
	json_key(j, "results");
	json_begin_array(j);
}

/* "artifactLocation": {"uri": ...} for a path */
static void artifact_location(struct json *j, const char *path)
{
	char *uri = path_uri(path);

	json_key(j, "artifactLocation");
	json_begin_object(j);
	json_key(j, "uri");
	json_string(j, uri);
	json_end_object(j);
	free(uri);
}

static void location(struct json *j, const char *path, const char *member)
{
	json_begin_object(j);
	json_key(j, "physicalLocation");
	json_begin_object(j);
	artifact_location(j, path);
	json_end_object(j);
	if (member != NULL) {
		json_key(j, "logicalLocations");
		json_begin_array(j);
		json_begin_object(j);
		json_key(j, "name");
		json_string(j, member);
		json_key(j, "kind");
		json_string(j, "module");
		json_end_object(j);
		json_end_array(j);
	}
	json_end_object(j);
}

static char *base64(const unsigned char *b, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc(4 * ((n + 2) / 3) + 1), *o = out;

	if (out == NULL)
		cli_out_of_memory();
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)b[i] << 16 | (i + 1 < n ? (unsigned)b[i + 1] << 8 : 0) |
			     (i + 2 < n ? b[i + 2] : 0);

		*o++ = tab[v >> 18 & 63];
		*o++ = tab[v >> 12 & 63];
		*o++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? tab[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

/* "fixes": one replacement of the interpreter slot at offset (size bytes)
 * by path, NUL-padded; described by description. */
static void slot_fix(struct json *j, const char *path, const char *description,
		     uint64_t offset, uint64_t size, const char *new_path)
{
	unsigned char *slot = calloc(1, (size_t)size);
	char *b64;

	if (slot == NULL)
		cli_out_of_memory();
	memcpy(slot, new_path, strlen(new_path));
	b64 = base64(slot, (size_t)size);
	json_key(j, "fixes");
	json_begin_array(j);
	json_begin_object(j);
	text_object(j, "description", description);
	json_key(j, "artifactChanges");
	json_begin_array(j);
	json_begin_object(j);
	artifact_location(j, path);
	json_key(j, "replacements");
	json_begin_array(j);
	json_begin_object(j);
	json_key(j, "deletedRegion");
	json_begin_object(j);
	json_key(j, "byteOffset");
	json_uint(j, offset);
	json_key(j, "byteLength");
	json_uint(j, size);
	json_end_object(j);
	json_key(j, "insertedContent");
	json_begin_object(j);
	json_key(j, "binary");
	json_string(j, b64);
	json_end_object(j);
	json_end_object(j);
	json_end_array(j);
	json_end_object(j);
	json_end_array(j);
	json_end_object(j);
	json_end_array(j);
	free(b64);
	free(slot);
}

/* The repair as bytes, when it is one: the standard loader written over the
 * interpreter slot (the rest NUL), for a file of its own whose slot holds it. */
static void fixes(struct json *j, const char *path, const char *member,
		  const struct ifx_finding *f, const struct ifx_elf_info *info)
{
	enum ifx_libc libc;
	const char *standard;

	if (f->advice == NULL || member != NULL || info == NULL || !info->has_interp ||
	    (f->rule != IFX_RULE_NONSTANDARD_INTERP && f->rule != IFX_RULE_INTERP_LIBC_MISMATCH))
		return;
	libc = info->libc == IFX_LIBC_MUSL ? IFX_LIBC_MUSL : IFX_LIBC_GLIBC;
	standard = ifx_standard_loader(info, libc);
	if (standard == NULL || strlen(standard) + 1 > info->interp_size)
		return;
	slot_fix(j, path, f->advice, info->interp_offset, info->interp_size, standard);
}

void sarif_result(struct json *j, const char *path, const char *member,
		  const struct ifx_finding *f, const struct ifx_elf_info *info)
{
	json_begin_object(j);
	json_key(j, "ruleId");
	json_string(j, ifx_rule_name(f->rule));
	json_key(j, "ruleIndex");
	json_uint(j, rule_index(cli_rules, cli_rule_count, ifx_rule_name(f->rule)));
	json_key(j, "level");
	json_string(j, ifx_severity_name(f->severity));
	text_object(j, "message", f->message);
	json_key(j, "locations");
	json_begin_array(j);
	location(j, path, member);
	json_end_array(j);
	fixes(j, path, member, f, info);
	json_key(j, "properties");
	json_begin_object(j);
	json_name(j, "path", path);
	json_name(j, "member", member);
	json_key(j, "advice");
	json_string(j, f->advice);
	report_json_finding_facts(j, f);
	json_end_object(j);
	json_end_object(j);
}

void sarif_fix_result(struct json *j, const char *path, const char *member,
		      enum fix_outcome outcome, const struct ifx_fix_report *rep,
		      const struct ifx_error *err)
{
	const char *id = outcome == FIX_WOULD_FIX ? "would-fix"
		       : outcome == FIX_FIXED ? "fixed" : "refused";
	char change[2 * 4096 + 8];
	size_t index = rule_index(cli_fix_rules, cli_fix_rule_count, id);

	if (outcome != FIX_WOULD_FIX && outcome != FIX_FIXED && outcome != FIX_REFUSED)
		return;
	if (outcome == FIX_REFUSED)
		snprintf(change, sizeof(change), "%s", err != NULL ? err->message : "refused");
	else
		snprintf(change, sizeof(change), "%s -> %s", rep->old_interp, rep->new_interp);
	json_begin_object(j);
	json_key(j, "ruleId");
	json_string(j, id);
	json_key(j, "ruleIndex");
	json_uint(j, index);
	json_key(j, "level");
	json_string(j, cli_fix_rules[index].level);
	text_object(j, "message", change);
	json_key(j, "locations");
	json_begin_array(j);
	location(j, path, member);
	json_end_array(j);
	/* a dry run's in-place change is a byte replacement; a grown layout
	 * is not one region, so it has none */
	if (outcome == FIX_WOULD_FIX && member == NULL && !rep->layout_changed)
		slot_fix(j, path, "interpfix fix", rep->interp_offset, rep->old_size,
			 rep->new_interp);
	json_key(j, "properties");
	json_begin_object(j);
	json_name(j, "path", path);
	json_name(j, "member", member);
	json_name(j, "old_interp", rep != NULL ? rep->old_interp : NULL);
	json_name(j, "new_interp", rep != NULL ? rep->new_interp : NULL);
	json_key(j, "advice");
	json_string(j, err != NULL && err->advice[0] != '\0' ? err->advice : NULL);
	json_end_object(j);
	json_end_object(j);
}

void sarif_end(struct json *j, const struct cli_errors *errors, int exit_status)
{
	json_end_array(j); /* results */
	json_key(j, "invocations");
	json_begin_array(j);
	json_begin_object(j);
	json_key(j, "executionSuccessful");
	json_bool(j, errors->count == 0);
	json_key(j, "exitCode");
	json_int(j, exit_status);
	json_key(j, "toolExecutionNotifications");
	json_begin_array(j);
	for (size_t i = 0; i < errors->count; i++) {
		const struct cli_error_entry *e = &errors->entries[i];

		json_begin_object(j);
		json_key(j, "level");
		json_string(j, "error");
		text_object(j, "message", e->message);
		json_key(j, "locations");
		json_begin_array(j);
		location(j, e->path, e->member);
		json_end_array(j);
		json_key(j, "properties");
		json_begin_object(j);
		json_key(j, "status");
		json_string(j, ifx_status_name(e->status));
		json_key(j, "advice");
		json_string(j, e->advice);
		json_end_object(j);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
	json_end_array(j); /* invocations */
	json_end_object(j); /* the run */
	json_end_array(j); /* runs */
	json_end_object(j);
	json_finish(j);
}
