/* libFuzzer target: any bytes as a file that is only read. Inspects them
 * (from a buffer, and as a tree walk's entry without symbols), then, when
 * they are an ELF file, names their facts, audits them (ifx_check_file with
 * --glibc), resolves their libraries, chooses and vets a loader and
 * explains them, all inside a per-process root whose loaders and libc are
 * links to the input itself. Every promise of interpfix.h checked here
 * aborts when broken, not only crashes. Build: make fuzz-smoke (needs clang). */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "interpfix.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)
#define IN_FILE_MAX 64 /* strings per list looked for in the input (memmem) */

/* root/bin/prog is the input; these name it as the loaders and the libc a
 * glibc or musl x86_64 binary looks for (relative: inside the root). */
static const char *const dirs[] = { "bin", "lib", "lib64" };
static const char *const links[][2] = {
	{ "lib64/ld-linux-x86-64.so.2", "../bin/prog" },
	{ "lib64/libc.so.6", "../bin/prog" },
	{ "lib/ld-musl-x86_64.so.1", "../bin/prog" },
};
static char root[PATH_MAX - 64];
static char prog[PATH_MAX];

static void remove_root(void)
{
	char p[PATH_MAX];

	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", root, links[i][0]);
		unlink(p);
	}
	unlink(prog);
	for (size_t i = sizeof(dirs) / sizeof(dirs[0]); i-- > 0;) {
		snprintf(p, sizeof(p), "%s/%s", root, dirs[i]);
		rmdir(p);
	}
	rmdir(root);
}

static void make_root(void)
{
	const char *tmp = getenv("TMPDIR");
	char p[PATH_MAX];

	snprintf(root, sizeof(root), "%s/ifx-fuzz-inspect.XXXXXX",
		 tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	CHECK(mkdtemp(root) != NULL);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", root, dirs[i]);
		CHECK(mkdir(p, 0755) == 0);
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", root, links[i][0]);
		CHECK(symlink(links[i][1], p) == 0);
	}
	snprintf(prog, sizeof(prog), "%s/bin/prog", root);
	atexit(remove_root);
}

static void write_prog(const uint8_t *data, size_t size)
{
	int fd = open(prog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);

	CHECK(fd >= 0);
	CHECK(size == 0 || write(fd, data, size) == (ssize_t)size);
	CHECK(close(fd) == 0);
}

/* ---- promises of every call ---- */

static struct ifx_error fresh_error(void)
{
	struct ifx_error e;

	memset(&e, 0, sizeof(e));
	return e;
}

/* A status from the enum; a failure fills err: its status, and a message
 * that is not empty, ends within the buffer (as does the advice). */
static void check_status(enum ifx_status st, const struct ifx_error *err)
{
	CHECK((unsigned)st <= IFX_ERR_ARCHIVE);
	if (st == IFX_OK)
		return;
	CHECK(err->status == st);
	CHECK(memchr(err->message, '\0', sizeof(err->message)) != NULL);
	CHECK(memchr(err->advice, '\0', sizeof(err->advice)) != NULL);
	CHECK(err->message[0] != '\0');
}

static void check_str(const char *s, size_t max)
{
	CHECK(s != NULL && strnlen(s, max + 1) <= max);
}

/* A string read from the file is in the file, with its NUL. */
static void check_in_file(const char *s, const uint8_t *data, size_t size)
{
	size_t len = strlen(s);

	CHECK(len < size && memmem(data, size, s, len + 1) != NULL);
}

static void check_list(char *const *list, size_t count, const uint8_t *data, size_t size)
{
	CHECK(count == 0 || list != NULL);
	for (size_t i = 0; i < count; i++) {
		check_str(list[i], size);
		if (i < IN_FILE_MAX)
			check_in_file(list[i], data, size);
	}
}

static void check_opt_str(const char *s, const uint8_t *data, size_t size)
{
	if (s != NULL) {
		check_str(s, size);
		check_in_file(s, data, size);
	}
}

/* ---- struct ifx_elf_info ---- */

static unsigned header_half(const uint8_t *data, size_t at)
{
	return data[5] == ELFDATA2MSB ? (unsigned)data[at] << 8 | data[at + 1]
				      : (unsigned)data[at + 1] << 8 | data[at];
}

/* What the header says, and what the kernel would read as PT_INTERP. */
static void check_header_facts(const struct ifx_elf_info *info, const uint8_t *data, size_t size)
{
	size_t ehsize = info->elf_class == 64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);

	CHECK(info->file_size == size && size >= ehsize);
	CHECK(info->elf_class == (data[EI_CLASS] == ELFCLASS64 ? 64 : 32));
	CHECK(info->data == data[EI_DATA]);
	CHECK(info->osabi == data[EI_OSABI]);
	CHECK(info->type == header_half(data, 16) && info->machine == header_half(data, 18));
	CHECK(info->has_interp == (info->interp != NULL));
	if (!info->has_interp) {
		CHECK(info->interp_offset == 0 && info->interp_size == 0);
		return;
	}
	size_t len = strlen(info->interp);

	CHECK(len > 0 && len < info->interp_size && info->interp_size <= PATH_MAX);
	CHECK(info->interp_offset <= size && info->interp_size <= size - info->interp_offset);
	/* clear of the ELF header (a fix writes there) */
	CHECK(info->interp_offset >= ehsize);
	CHECK(memcmp(data + info->interp_offset, info->interp, len + 1) == 0);
}

/* The linkage as interpfix.h defines each value. */
static void check_linkage(const struct ifx_elf_info *info)
{
	switch (info->linkage) {
	case IFX_LINK_DYNAMIC:
		CHECK(info->has_interp && (info->type == ET_EXEC || info->type == ET_DYN));
		break;
	case IFX_LINK_STATIC:
		CHECK(!info->has_interp && info->type == ET_EXEC);
		break;
	case IFX_LINK_STATIC_PIE:
		CHECK(!info->has_interp && info->type == ET_DYN && (info->dt_flags_1 & DF_1_PIE));
		break;
	case IFX_LINK_SHARED_LIB:
		CHECK(info->type == ET_DYN);
		break;
	case IFX_LINK_OTHER:
		CHECK(info->type != ET_EXEC && info->type != ET_DYN);
		break;
	default:
		abort();
	}
	CHECK((unsigned)info->libc <= IFX_LIBC_BIONIC);
	/* NONE: links no libc dynamically */
	CHECK(!info->has_interp || info->libc != IFX_LIBC_NONE);
	CHECK((unsigned)info->os <= IFX_OS_OTHER); /* UNKNOWN is internal */
	CHECK((unsigned)info->abi <= IFX_ABI_LOONGARCH_LP64S);
}

static void check_go(const struct ifx_go_info *go, const uint8_t *data, size_t size)
{
	if (go == NULL)
		return;
	check_str(go->version, 1024);
	CHECK(go->version[0] != '\0');
	check_in_file(go->version, data, size);
	CHECK(go->cgo_enabled >= -1 && go->cgo_enabled <= 1);
	CHECK(go->own_cgo >= -1 && go->own_cgo <= 1);
	if (go->tags != NULL)
		check_str(go->tags, size);
	if (go->ldflags != NULL)
		check_str(go->ldflags, size);
	if (go->path != NULL)
		check_str(go->path, size);
	CHECK(go->cgo_package_count == 0 || go->cgo_packages != NULL);
	CHECK(go->own_cgo != -1 || go->cgo_package_count == 0);
	for (size_t i = 0; i < go->cgo_package_count; i++)
		check_str(go->cgo_packages[i], 255);
}

static void check_info(const struct ifx_elf_info *info, const uint8_t *data, size_t size)
{
	CHECK(info->size == sizeof(*info));
	check_header_facts(info, data, size);
	check_linkage(info);
	check_list(info->needed, info->needed_count, data, size);
	check_opt_str(info->soname, data, size);
	check_opt_str(info->rpath, data, size);
	check_opt_str(info->runpath, data, size);
	CHECK(info->versions_needed_count == 0 || info->versions_needed != NULL);
	for (size_t i = 0; i < info->versions_needed_count; i++) {
		const struct ifx_version_need *n = &info->versions_needed[i];

		check_opt_str(n->file, data, size);
		CHECK(n->file != NULL);
		check_list(n->names, n->count, data, size);
	}
	check_list(info->versions_defined, info->versions_defined_count, data, size);
	CHECK(info->symbol_versions_count == 0 || info->symbol_versions != NULL);
	for (size_t i = 0; i < info->symbol_versions_count; i++) {
		const struct ifx_symbol_version *v = &info->symbol_versions[i];

		check_str(v->symbol, size);
		check_str(v->version, size);
		check_str(v->file, size);
		if (i < IN_FILE_MAX) {
			check_in_file(v->symbol, data, size);
			check_in_file(v->version, data, size);
		}
	}
	check_go(info->go, data, size);
}

/* "On failure info is left zeroed" (size kept). */
static void check_zeroed(const struct ifx_elf_info *info)
{
	struct ifx_elf_info zero;

	memset(&zero, 0, sizeof(zero));
	zero.size = sizeof(zero);
	CHECK(memcmp(info, &zero, sizeof(zero)) == 0);
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void check_same_list(char *const *a, size_t na, char *const *b, size_t nb)
{
	CHECK(na == nb);
	for (size_t i = 0; i < na; i++)
		CHECK(same_str(a[i], b[i]));
}

/* A tree walk's inspection without symbols: the same facts, no symbols. */
static void check_same_info(const struct ifx_elf_info *a, const struct ifx_elf_info *e)
{
	CHECK(a->elf_class == e->elf_class && a->data == e->data && a->machine == e->machine);
	CHECK(a->type == e->type && a->osabi == e->osabi && a->os == e->os);
	CHECK(a->flags == e->flags && a->abi == e->abi && a->mips_nan2008 == e->mips_nan2008);
	CHECK(a->file_size == e->file_size && a->has_section_headers == e->has_section_headers);
	CHECK(a->debug_only == e->debug_only && a->linkage == e->linkage);
	CHECK(a->has_interp == e->has_interp && same_str(a->interp, e->interp));
	CHECK(a->interp_offset == e->interp_offset && a->interp_size == e->interp_size);
	check_same_list(a->needed, a->needed_count, e->needed, e->needed_count);
	CHECK(same_str(a->soname, e->soname) && same_str(a->rpath, e->rpath));
	CHECK(same_str(a->runpath, e->runpath) && a->dt_flags_1 == e->dt_flags_1);
	CHECK(a->versions_needed_count == e->versions_needed_count);
	for (size_t i = 0; i < a->versions_needed_count; i++) {
		CHECK(same_str(a->versions_needed[i].file, e->versions_needed[i].file));
		check_same_list(a->versions_needed[i].names, a->versions_needed[i].count,
				e->versions_needed[i].names, e->versions_needed[i].count);
	}
	check_same_list(a->versions_defined, a->versions_defined_count,
			e->versions_defined, e->versions_defined_count);
	CHECK(e->symbol_versions_count == 0 && e->symbol_versions == NULL);
	CHECK(a->libc == e->libc && (a->go == NULL) == (e->go == NULL));
	CHECK(a->go == NULL || same_str(a->go->version, e->go->version));
}

static void inspect_as_entry(const struct ifx_elf_info *full, enum ifx_status full_st,
			     const uint8_t *data, size_t size)
{
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
	struct ifx_error err = fresh_error();
	int dirfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	enum ifx_status st;

	CHECK(dirfd >= 0);
	st = ifx_inspect_entry(dirfd, "bin/prog", IFX_INSPECT_NO_SYMBOLS | IFX_INSPECT_ARCHIVES,
			       &info, &err);
	close(dirfd);
	check_status(st, &err);
	if (st == IFX_OK) {
		check_info(&info, data, size);
		ifx_elf_info_free(&info);
	} else {
		check_zeroed(&info);
	}
	/* the same reader, less to read: what reads in full reads without symbols */
	if (full_st == IFX_OK) {
		CHECK(st == IFX_OK);
		st = ifx_inspect_entry(AT_FDCWD, prog, IFX_INSPECT_NO_SYMBOLS, &info, &err);
		CHECK(st == IFX_OK);
		check_same_info(full, &info);
		ifx_elf_info_free(&info);
	} else if (full_st == IFX_ERR_NOT_ELF) {
		CHECK(st == IFX_ERR_NOT_ELF || st == IFX_ERR_ARCHIVE);
	}
	CHECK(st != IFX_ERR_ARCHIVE || size < 4 || memcmp(data, ELFMAG, SELFMAG) != 0);
}

/* ---- names, loaders ---- */

static void check_names(const struct ifx_elf_info *info)
{
	enum ifx_loader_kind kind = ifx_loader_kind(info);
	const char *std[2] = { ifx_standard_loader(info, IFX_LIBC_GLIBC),
			       ifx_standard_loader(info, IFX_LIBC_MUSL) };

	CHECK(ifx_machine_name(info->machine, info->elf_class, info->data) != NULL);
	CHECK(ifx_type_name(info->type) != NULL && ifx_linkage_name(info->linkage) != NULL);
	CHECK(ifx_libc_name(info->libc) != NULL && ifx_os_name(info->os) != NULL);
	CHECK((ifx_abi_name(info->abi) == NULL) == (info->abi == IFX_ABI_NONE));
	CHECK(ifx_loader_kind_name(kind) != NULL);
	CHECK((unsigned)kind <= IFX_LOADER_CUSTOM);
	CHECK((kind == IFX_LOADER_NONE) == !info->has_interp);
	for (int i = 0; i < 2; i++)
		CHECK(std[i] == NULL || (std[i][0] == '/' && ifx_check_target_path(std[i], NULL) == IFX_OK));
	if (kind == IFX_LOADER_STANDARD)
		CHECK(same_str(info->interp, std[0]) || same_str(info->interp, std[1]));
	if (kind == IFX_LOADER_RELATIVE)
		CHECK(info->interp[0] != '/');
	if (info->has_interp && info->interp[0] != '/')
		CHECK(kind == IFX_LOADER_RELATIVE || kind == IFX_LOADER_BREW_PLACEHOLDER);
	CHECK((unsigned)ifx_loader_libc_by_name(info->interp) <= IFX_LIBC_BIONIC);
}

/* ifx_check_swap's status and err agree (this found a target that exists
 * but is no loader refused with err->status left at IFX_ERR_UNSUPPORTED;
 * test-fix-safety.c has the regression test). */
static void check_swap(const struct ifx_elf_info *info, const char *target,
		       const struct ifx_target_options *opts)
{
	struct ifx_error err = fresh_error();
	enum ifx_status st = ifx_check_swap(info, target, opts, &err);

	check_status(st, &err);
}

static void check_choice(const struct ifx_elf_info *info, struct ifx_context *ctx)
{
	struct ifx_target_options opts = { .size = sizeof(opts), .root = root, .context = ctx };
	struct ifx_choice choice = IFX_INIT(ifx_choice);
	struct ifx_error err = fresh_error();
	enum ifx_status st = ifx_choose_loader(info, &opts, &choice, &err);

	check_status(st, &err);
	check_swap(info, "/lib64/ld-linux-x86-64.so.2", &opts);
	if (st != IFX_OK) {
		/* on failure the caller owns nothing */
		CHECK(choice.target == NULL && choice.standard == NULL);
		return;
	}
	CHECK(choice.target != NULL && ifx_check_target_path(choice.target, NULL) == IFX_OK);
	CHECK(choice.standard != NULL && choice.standard[0] == '/');
	CHECK(choice.libc == IFX_LIBC_GLIBC || choice.libc == IFX_LIBC_MUSL);
	if (choice.host_specific)
		CHECK(choice.exists && strcmp(choice.target, choice.standard) != 0);
	else
		CHECK(strcmp(choice.target, choice.standard) == 0);
	check_swap(info, choice.target, &opts);
	ifx_choice_free(&choice);
}

/* ---- audit, dependencies, explanation ---- */

static void check_audit(const struct ifx_elf_info *info, struct ifx_context *ctx)
{
	struct ifx_check_options opts = { .size = sizeof(opts), .root = root, .libc = "glibc",
					  .glibc = "2.17", .build_dir = "/build" };
	struct ifx_check_result res = IFX_INIT(ifx_check_result);
	struct ifx_error err = fresh_error();
	enum ifx_status st = ifx_check_file(prog, info, &opts, ctx, &res, &err);

	check_status(st, &err);
	CHECK(st == IFX_OK || st == IFX_ERR_NOMEM); /* findings are not an error */
	CHECK(res.count == 0 || res.findings != NULL);
	for (size_t i = 0; i < res.count; i++) {
		const struct ifx_finding *f = res.findings[i];

		CHECK(f != NULL && f->rule >= IFX_RULE_NONSTANDARD_INTERP &&
		      f->rule <= IFX_RULE_LEFTOVER_TEMPORARY);
		CHECK(f->severity == IFX_SEVERITY_WARNING || f->severity == IFX_SEVERITY_ERROR);
		CHECK(f->message != NULL && f->message[0] != '\0');
		CHECK(f->rule != IFX_RULE_MISSING_LIBRARY || f->library != NULL);
		CHECK(ifx_rule_name(f->rule) != NULL && ifx_severity_name(f->severity) != NULL);
	}
	ifx_check_result_free(&res);
}

static void check_search(const struct ifx_lib_search *s)
{
	CHECK(s != NULL && (s->step_count == 0 || s->steps != NULL));
	for (size_t i = 0; i < s->step_count; i++)
		CHECK(s->steps[i].path != NULL && s->steps[i].source != NULL &&
		      s->steps[i].verdict != NULL);
}

static bool is_needed(const struct ifx_elf_info *info, const char *name)
{
	for (size_t i = 0; i < info->needed_count; i++)
		if (strcmp(info->needed[i], name) == 0)
			return true;
	return false;
}

/* The tree as interpfix.h describes it: [0] the file, then breadth first,
 * each object after the one that needed it, one level deeper. */
static void check_tree(const struct ifx_dep_tree *t, const struct ifx_elf_info *info)
{
	size_t missing = 0;

	CHECK(t->count >= 1 && t->deps != NULL && t->deps[0] != NULL);
	CHECK(t->deps[0]->depth == 0 && same_str(t->deps[0]->name, prog));
	for (size_t i = 0; i < t->count; i++) {
		const struct ifx_dep *d = t->deps[i];

		CHECK(d != NULL && d->name != NULL && (unsigned)d->state <= IFX_DEP_BROKEN);
		check_search(d->search);
		CHECK(d->state != IFX_DEP_FOUND || d->path != NULL);
		CHECK(d->state != IFX_DEP_MISSING || d->path == NULL);
		CHECK(d->state != IFX_DEP_BROKEN || d->problem != NULL);
		missing += d->state == IFX_DEP_MISSING || d->state == IFX_DEP_BROKEN;
		if (i == 0)
			continue;
		CHECK(d->needed_by < i && d->depth == t->deps[d->needed_by]->depth + 1);
		CHECK(d->depth >= t->deps[i - 1]->depth);
		/* level 1: what it needs, after the interpreter (provided) */
		CHECK(d->depth != 1 || is_needed(info, d->name) ||
		      (i == 1 && d->state == IFX_DEP_PROVIDED &&
		       same_str(d->name, info->has_interp ? info->interp
							   : ifx_standard_loader(info, t->libc))));
	}
	CHECK(t->missing == missing);
}

static void check_deps(const struct ifx_elf_info *info, struct ifx_context *ctx)
{
	struct ifx_dep_tree tree = IFX_INIT(ifx_dep_tree);
	struct ifx_error err = fresh_error();
	enum ifx_status st = ifx_resolve_deps(prog, info, root, ctx, &tree, &err);

	check_status(st, &err);
	if (st == IFX_OK)
		check_tree(&tree, info);
	ifx_dep_tree_free(&tree);
	for (size_t i = 0; i < info->needed_count && i < 2; i++) {
		struct ifx_lib_search s = IFX_INIT(ifx_lib_search);

		err = fresh_error();
		st = ifx_find_library(info, prog, info->needed[i], root, &s, &err);
		check_status(st, &err);
		if (st == IFX_OK)
			check_search(&s);
		ifx_lib_search_free(&s);
	}
}

static void check_explain(enum ifx_status inspect_st, const uint8_t *data, size_t size)
{
	struct ifx_explain_options opts = { .size = sizeof(opts), .root = root };
	struct ifx_explanation ex = IFX_INIT(ifx_explanation);
	struct ifx_error err = fresh_error();
	enum ifx_status st = ifx_explain(prog, &opts, &ex, &err);
	bool elf = size >= SELFMAG && memcmp(data, ELFMAG, SELFMAG) == 0;

	check_status(st, &err);
	/* an error only when the file is a malformed ELF file: the inspection's */
	CHECK(st == (elf ? inspect_st : IFX_OK));
	if (st != IFX_OK)
		return;
	CHECK(ex.fails == (ex.headline != NULL));
	CHECK(ex.headline == NULL || ex.headline[0] != '\0');
	CHECK(ex.why_count == 0 || ex.why != NULL);
	for (size_t i = 0; i < ex.why_count; i++)
		CHECK(ex.why[i] != NULL);
	CHECK(ex.advice_count == 0 || ex.advice != NULL);
	for (size_t i = 0; i < ex.advice_count; i++)
		CHECK(ex.advice[i] != NULL);
	ifx_explanation_free(&ex);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
	struct ifx_error err = fresh_error();
	enum ifx_status st;

	if (root[0] == '\0')
		make_root();
	write_prog(data, size);
	st = ifx_inspect_buffer(data, size, &info, &err);
	check_status(st, &err);
	if (st == IFX_OK)
		check_info(&info, data, size);
	else
		check_zeroed(&info);
	inspect_as_entry(&info, st, data, size);
	check_explain(st, data, size);
	if (st == IFX_OK) {
		struct ifx_context *ctx = ifx_context_new(root);

		CHECK(ctx != NULL);
		check_names(&info);
		check_audit(&info, ctx);
		check_deps(&info, ctx);
		check_choice(&info, ctx);
		ifx_context_free(ctx);
	}
	ifx_elf_info_free(&info);
	return 0;
}
