/* ifx__go_buildinfo_read against `go version -m`, the reference reader, on Go
 * binaries built by the fixtures: as linked, without section headers (the
 * PT_LOAD scan), in the pre-1.18 pointer format, and damaged. Hand-made
 * bytes only where no toolchain here makes them: old formats and lies. */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "internal.h"
#include "testhelp.h"

static const char *const go_fixtures[] = { "go-cgo-glibc", "go-cgo-musl", "go-static",
					   "go-extlink", "go-pie", "go-tags" };
#define N_GO_FIXTURES (sizeof(go_fixtures) / sizeof(go_fixtures[0]))


/* ---- the reference: go version -m ---------------------------------------- */

/* What `go version -m` printed: the version from "FILE: go1.x" and the
 * settings as it writes them (re-quoted by strconv.Quote when needed). */
struct ref {
	char *version, *path, *cgo, *tags, *ldflags;
};

static void ref_free(struct ref *r)
{
	free(r->version);
	free(r->path);
	free(r->cgo);
	free(r->tags);
	free(r->ldflags);
	memset(r, 0, sizeof(*r));
}

static void ref_line(struct ref *r, const char *line)
{
	static const struct {
		const char *prefix;
		size_t off;
	} keys[] = {
		{ "\tpath\t", offsetof(struct ref, path) },
		{ "\tbuild\tCGO_ENABLED=", offsetof(struct ref, cgo) },
		{ "\tbuild\t-tags=", offsetof(struct ref, tags) },
		{ "\tbuild\t-ldflags=", offsetof(struct ref, ldflags) },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t n = strlen(keys[i].prefix);
		char **field = (char **)((char *)r + keys[i].off);

		if (strncmp(line, keys[i].prefix, n) == 0 && *field == NULL)
			*field = strdup(line + n);
	}
}

/* Run go version -m on path; false when it cannot read the file. */
static bool go_reference(const char *path, struct ref *r)
{
	char *cmd, *line = NULL;
	size_t cap = 0, plen = strlen(path);
	ssize_t n;
	FILE *p;
	int status;

	memset(r, 0, sizeof(*r));
	assert_true(asprintf(&cmd, "GOTOOLCHAIN=local GOFLAGS= go version -m '%s' 2>/dev/null",
			     path) > 0);
	p = popen(cmd, "r");
	free(cmd);
	assert_non_null(p);
	while ((n = getline(&line, &cap, p)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (r->version == NULL && strncmp(line, path, plen) == 0 &&
		    strncmp(line + plen, ": ", 2) == 0)
			r->version = strdup(line + plen + 2);
		else
			ref_line(r, line);
	}
	free(line);
	status = pclose(p);
	if (status != 0 || r->version == NULL) {
		ref_free(r);
		return false;
	}
	return true;
}

/* strconv.Quote for what our fixtures and hand-made values hold (printable
 * text, tabs, newlines): what go version -m prints for a parsed value. */
static char *go_quote(const char *s)
{
	char *out, *o;

	if (strpbrk(s, " \t\r\n\"`") == NULL)
		return strdup(s);
	out = o = malloc(2 * strlen(s) + 3);
	assert_non_null(out);
	*o++ = '"';
	for (; *s != '\0'; s++) {
		const char *esc = *s == '"' ? "\\\"" : *s == '\\' ? "\\\\" : *s == '\t' ? "\\t"
				: *s == '\n' ? "\\n" : *s == '\r' ? "\\r" : NULL;

		if (esc != NULL) {
			memcpy(o, esc, 2);
			o += 2;
		} else {
			*o++ = *s;
		}
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

static void assert_setting(const char *ours, const char *printed)
{
	char *quoted;

	if (printed == NULL) {
		assert_null(ours);
		return;
	}
	assert_non_null(ours);
	quoted = go_quote(ours);
	assert_string_equal(quoted, printed);
	free(quoted);
}

/* Every fact we read agrees with what go version -m printed. */
static void assert_matches(const struct ifx_go_info *go, const struct ref *r)
{
	assert_non_null(go);
	assert_string_equal(go->version, r->version);
	assert_setting(go->path, r->path);
	if (r->cgo == NULL)
		assert_int_equal(go->cgo_enabled, -1);
	else
		assert_int_equal(go->cgo_enabled, atoi(r->cgo));
	assert_setting(go->tags, r->tags);
	assert_setting(go->ldflags, r->ldflags);
}

/* ---- files --------------------------------------------------------------- */

/* ifx__go_buildinfo_read on path opened with libelf as cmd says: the map (as
 * the brief for callers has it) or ELF_C_READ, whose malloc'd chunks let
 * ASan see a read past what was asked for. */
static struct ifx_go_info *read_go_with(const char *path, Elf_Cmd cmd)
{
	struct ifx_go_info *go;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *elf;

	assert_true(fd >= 0);
	assert_int_not_equal(elf_version(EV_CURRENT), EV_NONE);
	elf = elf_begin(fd, cmd, NULL);
	assert_non_null(elf);
	go = ifx__go_buildinfo_read(elf);
	elf_end(elf);
	close(fd);
	return go;
}

static struct ifx_go_info *read_go(const char *path)
{
	struct ifx_go_info *go = read_go_with(path, ELF_C_READ_MMAP);
	struct ifx_go_info *again = read_go_with(path, ELF_C_READ);

	/* Both ways of reading must see the same thing. */
	if (go == NULL || again == NULL) {
		assert_true(go == again);
	} else {
		assert_string_equal(go->version, again->version);
		assert_int_equal(go->cgo_enabled, again->cgo_enabled);
	}
	ifx__go_info_free(again);
	return go;
}

static void put_ptr(unsigned char *p, uint64_t v, unsigned size, bool big)
{
	for (unsigned i = 0; i < size; i++)
		p[big ? size - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

static void write_at(const char *path, uint64_t off, const void *bytes, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, bytes, len, (off_t)off), (ssize_t)len);
	close(fd);
}

/* Zero e_shoff, e_shnum and e_shstrndx, as sstrip leaves a file. */
static void strip_section_headers(const char *path)
{
	static const unsigned char zero[8];
	unsigned char ident[EI_NIDENT];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, ident, sizeof(ident), 0), (ssize_t)sizeof(ident));
	close(fd);
	if (ident[EI_CLASS] == ELFCLASS64) {
		write_at(path, offsetof(Elf64_Ehdr, e_shoff), zero, 8);
		write_at(path, offsetof(Elf64_Ehdr, e_shnum), zero, 4);
	} else {
		write_at(path, offsetof(Elf32_Ehdr, e_shoff), zero, 4);
		write_at(path, offsetof(Elf32_Ehdr, e_shnum), zero, 4);
	}
}

/* Where the build info sits in a file with section headers. */
struct where {
	uint64_t off, addr, size;  /* .go.buildinfo */
	GElf_Phdr seg;             /* the PT_LOAD holding it */
	int rw_index;              /* which writable, non-executable PT_LOAD (0: first) */
	uint64_t shdr_off;         /* where its section header is in the file */
	bool elf64, big;
};

static void locate(const char *path, struct where *w)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rw = 0;
	Elf_Scn *scn = NULL;
	size_t shstrndx, phnum;
	bool found = false;
	GElf_Ehdr eh;
	GElf_Shdr sh;
	Elf *elf;

	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	assert_non_null(elf);
	memset(w, 0, sizeof(*w));
	assert_non_null(gelf_getehdr(elf, &eh));
	w->elf64 = eh.e_ident[EI_CLASS] == ELFCLASS64;
	w->big = eh.e_ident[EI_DATA] == ELFDATA2MSB;
	assert_int_equal(elf_getshdrstrndx(elf, &shstrndx), 0);
	while (!found && (scn = elf_nextscn(elf, scn)) != NULL) {
		assert_non_null(gelf_getshdr(scn, &sh));
		found = strcmp(elf_strptr(elf, shstrndx, sh.sh_name), ".go.buildinfo") == 0;
	}
	assert_true(found);
	w->shdr_off = eh.e_shoff + elf_ndxscn(scn) * eh.e_shentsize;
	w->off = sh.sh_offset;
	w->addr = sh.sh_addr;
	w->size = sh.sh_size;
	w->rw_index = -1;
	assert_int_equal(elf_getphdrnum(elf, &phnum), 0);
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		assert_non_null(gelf_getphdr(elf, (int)i, &ph));
		if (ph.p_type != PT_LOAD || (ph.p_flags & (PF_W | PF_X)) != PF_W)
			continue;
		if (w->addr >= ph.p_vaddr && w->addr - ph.p_vaddr < ph.p_filesz) {
			w->seg = ph;
			w->rw_index = rw;
		}
		rw++;
	}
	assert_true(w->rw_index >= 0);
	elf_end(elf);
	close(fd);
}

/* Copies live in one directory that the group teardown removes, so that a
 * failed assertion (which jumps out of the test) leaves nothing behind. */
static char *tmpdir;

static int make_tmpdir(void **state)
{
	(void)state;
	tmpdir = th_tempdir();
	return tmpdir == NULL ? -1 : 0;
}

static int remove_tmpdir(void **state)
{
	(void)state;
	th_rmtree(tmpdir);
	free(tmpdir);
	return 0;
}

/* A private, executable copy of fixture name. */
static char *copy_fixture(const char *name)
{
	static unsigned serial;
	char *src = th_fixture(name), *copy;

	assert_non_null(src);
	assert_true(asprintf(&copy, "%s/%s.%u", tmpdir, name, serial++) > 0);
	assert_int_equal(th_copy_file(src, copy), 0);
	/* go version -m passes over files that are not executable. */
	assert_int_equal(chmod(copy, 0755), 0);
	free(src);
	return copy;
}

static void remove_copy(char *copy)
{
	unlink(copy);
	free(copy);
}

/* ---- as linked ----------------------------------------------------------- */

static void check_fixture(const char *name)
{
	char *path = th_fixture(name);
	struct ifx_go_info *go;
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
	struct ifx_error err;
	struct ref r;

	assert_non_null(path);
	assert_true(go_reference(path, &r));
	go = read_go(path);
	assert_matches(go, &r);
	/* The same through ifx_inspect_path, which callers use. */
	assert_int_equal(th_inspect(path, &info, &err), IFX_OK);
	assert_matches(info.go, &r);
	ifx_elf_info_free(&info);
	ifx__go_info_free(go);
	ref_free(&r);
	free(path);
}

static void test_every_go_fixture_agrees_with_go_version_m(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_GO_FIXTURES; i++)
		check_fixture(go_fixtures[i]);
}

/* go build quotes a value with spaces (-ldflags="-s -X main.v=1"); we hold
 * it as the flags themselves. */
static void test_quoted_ldflags_are_unquoted(void **state)
{
	char *path = th_fixture("go-tags");
	struct ifx_go_info *go;
	struct ref r;

	(void)state;
	assert_true(go_reference(path, &r));
	assert_string_equal(r.ldflags, "\"-s -X main.v=1\"");
	go = read_go(path);
	assert_non_null(go);
	assert_string_equal(go->ldflags, "-s -X main.v=1");
	assert_string_equal(go->tags, "netcgo,osusergo");
	assert_int_equal(go->cgo_enabled, 1);
	ifx__go_info_free(go);
	ref_free(&r);
	free(path);
}

static void test_c_program_has_none(void **state)
{
	static const char *const names[] = { "gcc-pie", "noshdr", "static" };

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *path = th_fixture(names[i]);

		assert_non_null(path);
		assert_null(read_go(path));
		free(path);
	}
}

/* ---- without section headers --------------------------------------------- */

/* The same facts as go version -m reads from the intact file. */
static void check_without_section_headers(const char *name)
{
	char *copy = copy_fixture(name), *orig = th_fixture(name);
	struct ifx_go_info *go;
	struct ref r;
	size_t shnum = 1;
	Elf *elf;
	int fd;

	assert_true(go_reference(orig, &r));
	strip_section_headers(copy);
	fd = open(copy, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	assert_non_null(elf);
	assert_int_equal(elf_getshdrnum(elf, &shnum), 0);
	assert_int_equal(shnum, 0);
	elf_end(elf);
	close(fd);
	go = read_go(copy);
	assert_matches(go, &r);
	ifx__go_info_free(go);
	ref_free(&r);
	free(orig);
	remove_copy(copy);
}

/* Internal linking: .go.buildinfo opens the RW segment, as go version -m
 * expects. */
static void test_found_without_section_headers(void **state)
{
	struct where w;
	char *path = th_fixture("go-cgo-glibc");

	(void)state;
	locate(path, &w);
	assert_int_equal(w.rw_index, 0);
	assert_int_equal(w.addr, w.seg.p_vaddr);
	check_without_section_headers("go-cgo-glibc");
	check_without_section_headers("go-static");
	free(path);
}

/* -buildmode=pie: .data.rel.ro gets a first RW segment of its own and the
 * build info opens the second, which go1.19's reader never looks at. */
static void test_pie_found_in_second_rw_segment(void **state)
{
	struct where w;
	char *path = th_fixture("go-pie");

	(void)state;
	locate(path, &w);
	assert_int_equal(w.rw_index, 1);
	check_without_section_headers("go-pie");
	free(path);
}

/* External linking: the system linker places .go.buildinfo after .data. */
static void test_extlink_found_after_data(void **state)
{
	struct where w;
	char *path = th_fixture("go-extlink");

	(void)state;
	locate(path, &w);
	assert_true(w.addr > w.seg.p_vaddr);
	check_without_section_headers("go-extlink");
	free(path);
}

/* Other linkers, byte orders and classes: each fixture is the layout its
 * name says (machine NULL: the host's, as gcc-pie has it; linker: a word
 * the linker writes in .comment), and is read as linked and without
 * section headers. */
struct layout {
	const char *fixture;
	const char *machine;
	int elf_class, data;
	unsigned type;
	enum ifx_linkage linkage;
	const char *linker;
};

/* Whether section .comment of path holds text. */
static bool comment_has(const char *path, const char *text)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf_Scn *scn = NULL;
	bool found = false;
	size_t shstrndx;
	Elf *elf;

	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	assert_non_null(elf);
	assert_int_equal(elf_getshdrstrndx(elf, &shstrndx), 0);
	while (!found && (scn = elf_nextscn(elf, scn)) != NULL) {
		Elf_Data *d = NULL;
		GElf_Shdr sh;

		assert_non_null(gelf_getshdr(scn, &sh));
		if (strcmp(elf_strptr(elf, shstrndx, sh.sh_name), ".comment") != 0)
			continue;
		while (!found && (d = elf_getdata(scn, d)) != NULL)
			found = d->d_buf != NULL &&
				memmem(d->d_buf, d->d_size, text, strlen(text)) != NULL;
	}
	elf_end(elf);
	close(fd);
	return found;
}

/* The machine the native toolchain builds for (gcc-pie's). */
static char *host_machine(void)
{
	char *path = th_fixture("gcc-pie"), *name;
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
	struct ifx_error err;

	assert_non_null(path);
	assert_int_equal(th_inspect(path, &info, &err), IFX_OK);
	name = strdup(ifx_machine_name(info.machine, info.elf_class, info.data));
	assert_non_null(name);
	ifx_elf_info_free(&info);
	free(path);
	return name;
}

static void check_layout(const struct layout *l)
{
	char *path = th_fixture(l->fixture), *host = NULL;
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
	struct ifx_error err;

	if (path == NULL) {
		if (th_require_all())
			fail_msg("fixture %s missing (IFX_REQUIRE_FIXTURES=1)", l->fixture);
		th_skip("fixture %s not built here", l->fixture);
	}
	assert_int_equal(th_inspect(path, &info, &err), IFX_OK);
	if (l->machine == NULL)
		host = host_machine();
	assert_string_equal(ifx_machine_name(info.machine, info.elf_class, info.data),
			    l->machine != NULL ? l->machine : host);
	assert_int_equal(info.elf_class, l->elf_class);
	assert_int_equal(info.data, l->data);
	assert_int_equal(info.type, l->type);
	assert_string_equal(ifx_linkage_name(info.linkage), ifx_linkage_name(l->linkage));
	if (l->linker != NULL)
		assert_true(comment_has(path, l->linker));
	ifx_elf_info_free(&info);
	check_fixture(l->fixture);
	check_without_section_headers(l->fixture);
	free(host);
	free(path);
}

static void test_external_pie_layout(void **state)
{
	static const struct layout l = { "go-extpie", NULL, 64, ELFDATA2LSB, ET_DYN,
					 IFX_LINK_DYNAMIC, NULL };

	(void)state;
	check_layout(&l);
}

static void test_external_lld_layout(void **state)
{
	static const struct layout l = { "go-extlink-lld", NULL, 64, ELFDATA2LSB, ET_EXEC,
					 IFX_LINK_DYNAMIC, "LLD" };

	(void)state;
	check_layout(&l);
}

static void test_external_mold_layout(void **state)
{
	static const struct layout l = { "go-extlink-mold", NULL, 64, ELFDATA2LSB, ET_EXEC,
					 IFX_LINK_DYNAMIC, "mold" };

	(void)state;
	check_layout(&l);
}

static void test_big_endian_64_bit_layout(void **state)
{
	static const struct layout l = { "go-s390x", "s390x", 64, ELFDATA2MSB, ET_EXEC,
					 IFX_LINK_STATIC, NULL };

	(void)state;
	check_layout(&l);
}

static void test_little_endian_32_bit_layout(void **state)
{
	static const struct layout l = { "go-386", "i386", 32, ELFDATA2LSB, ET_EXEC,
					 IFX_LINK_STATIC, NULL };

	(void)state;
	check_layout(&l);
}

static void test_big_endian_32_bit_layout(void **state)
{
	static const struct layout l = { "go-mips", "mips", 32, ELFDATA2MSB, ET_EXEC,
					 IFX_LINK_STATIC, NULL };

	(void)state;
	check_layout(&l);
}

/* Move the build info of a go-extlink copy past the first 64 KiB of its RW
 * segment (where an external PIE link puts it, after .data.rel.ro) and
 * leave a copy of the magic that does not decode where it was. Returns the
 * copy; w describes the original. */
static char *moved_deep(struct where *w, uint64_t *to_out)
{
	static const unsigned char bad_ptr_size[] = "\xff Go buildinf:\x07\x02";
	char *orig = th_fixture("go-extlink"), *copy = copy_fixture("go-extlink");
	unsigned char *blob;
	uint64_t to;
	FILE *f;

	locate(orig, w);
	to = w->seg.p_offset + (((w->seg.p_vaddr + (80u << 10)) & ~(uint64_t)15) - w->seg.p_vaddr);
	assert_true(to + w->size <= w->seg.p_offset + w->seg.p_filesz);
	blob = malloc(w->size);
	assert_non_null(blob);
	f = fopen(orig, "rb");
	assert_non_null(f);
	assert_int_equal(fseeko(f, (off_t)w->off, SEEK_SET), 0);
	assert_int_equal(fread(blob, 1, w->size, f), w->size);
	fclose(f);
	write_at(copy, to, blob, w->size);
	write_at(copy, w->off, bad_ptr_size, 16);
	free(blob);
	free(orig);
	if (to_out != NULL)
		*to_out = to;
	return copy;
}

static void test_deep_in_segment_found_without_section_headers(void **state)
{
	char *orig = th_fixture("go-extlink"), *copy;
	struct ifx_go_info *go;
	struct where w;
	struct ref r;

	(void)state;
	copy = moved_deep(&w, NULL);
	assert_true(go_reference(orig, &r));
	strip_section_headers(copy);
	go = read_go(copy);
	assert_matches(go, &r);
	ifx__go_info_free(go);
	ref_free(&r);
	free(orig);
	remove_copy(copy);
}

/* With section headers, a damaged .go.buildinfo gets only go version -m's
 * short look, not a scan of every writable byte. */
static void test_damaged_section_is_not_chased_through_the_segment(void **state)
{
	char *copy;
	struct where w;

	(void)state;
	copy = moved_deep(&w, NULL);
	assert_null(read_go(copy));
	remove_copy(copy);
}

/* With section headers, .go.buildinfo is read wherever it lies. */
static void test_section_is_read_wherever_it_lies(void **state)
{
	unsigned char addr[8], off[8];
	struct ifx_go_info *go;
	uint64_t to;
	struct where w;
	struct ref r;
	char *copy;

	(void)state;
	copy = moved_deep(&w, &to);
	put_ptr(addr, w.seg.p_vaddr + (to - w.seg.p_offset), w.elf64 ? 8 : 4, w.big);
	put_ptr(off, to, w.elf64 ? 8 : 4, w.big);
	if (w.elf64) {
		write_at(copy, w.shdr_off + offsetof(Elf64_Shdr, sh_addr), addr, 8);
		write_at(copy, w.shdr_off + offsetof(Elf64_Shdr, sh_offset), off, 8);
	} else {
		write_at(copy, w.shdr_off + offsetof(Elf32_Shdr, sh_addr), addr, 4);
		write_at(copy, w.shdr_off + offsetof(Elf32_Shdr, sh_offset), off, 4);
	}
	assert_true(go_reference(copy, &r));
	go = read_go(copy);
	assert_matches(go, &r);
	ifx__go_info_free(go);
	ref_free(&r);
	remove_copy(copy);
}

/* A 16-aligned copy of the magic earlier in the segment than the real one
 * (debug/buildinfo's own, in a program that imports it) is passed over. */
static void test_stray_magic_is_skipped(void **state)
{
	static const unsigned char strays[][48] = {
		"\xff Go buildinf:\x07\x02",          /* no such pointer size */
		"\xff Go buildinf:\x08\x06",          /* unknown flag */
		/* inline, but the version is four NULs */
		"\xff Go buildinf:\x08\x02\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x04",
	};
	char *copy = copy_fixture("go-extlink"), *orig = th_fixture("go-extlink");
	struct ifx_go_info *go;
	struct where w;
	struct ref r;

	(void)state;
	locate(copy, &w);
	assert_true(go_reference(orig, &r));
	strip_section_headers(copy);
	for (size_t i = 0; i < sizeof(strays) / sizeof(strays[0]); i++) {
		uint64_t at = (w.seg.p_vaddr + 15 + 48 * i) & ~(uint64_t)15;

		assert_true(at + 48 <= w.addr);
		write_at(copy, w.seg.p_offset + (at - w.seg.p_vaddr), strays[i], 48);
	}
	go = read_go(copy);
	assert_matches(go, &r);
	ifx__go_info_free(go);
	ref_free(&r);
	free(orig);
	remove_copy(copy);
}

/* ---- the pre-1.18 pointer format ----------------------------------------- */

static const char old_version[] = "go1.17.13";
/* modinfo as go1.17 wrote it, with a quoted -ldflags using every kind of
 * escape strconv.Unquote knows. */
static const char old_modinfo[] =
	"\x30\x77\xaf\x0c\x92\x74\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6"
	"path\texample.com/old\n"
	"mod\texample.com/old\t(devel)\t\n"
	"build\t-tags=netgo\n"
	"build\t-ldflags=\"-X \\\"main.v=a b\\\" -s\\t\\x41\\u00e9\\101\"\n"
	"build\tCGO_ENABLED=0\n"
	"\xf9\x32\x43\x31\x86\x18\x20\x72\x00\x82\x42\x10\x41\x16\xd8\xf2";

/* Rewrite a go-static copy's header into the pointer format: two pointers
 * to Go string headers, placed with the strings after the section. */
static void make_pointer_format(const char *copy, const struct where *w, unsigned ptr,
				bool big, uint64_t version_len, uint64_t bad_addr)
{
	unsigned char hdr[32] = "\xff Go buildinf:", strhdr[32] = { 0 };
	uint64_t data = w->addr + 0x100, mod_len = sizeof(old_modinfo) - 1;

	assert_true(data + 0x200 - w->seg.p_vaddr <= w->seg.p_filesz);
	assert_true(ptr == 8 || data + 0x200 < UINT64_C(1) << 32);
	hdr[14] = (unsigned char)ptr;
	hdr[15] = big ? 1 : 0;
	put_ptr(hdr + 16, bad_addr ? bad_addr : data, ptr, big);
	put_ptr(hdr + 16 + ptr, data + 0x20, ptr, big);
	put_ptr(strhdr, data + 0x40, ptr, big);
	put_ptr(strhdr + ptr, version_len, ptr, big);
	write_at(copy, w->off, hdr, sizeof(hdr));
	write_at(copy, w->off + 0x100, strhdr, sizeof(strhdr));
	put_ptr(strhdr, data + 0x60, ptr, big);
	put_ptr(strhdr + ptr, mod_len, ptr, big);
	write_at(copy, w->off + 0x120, strhdr, sizeof(strhdr));
	write_at(copy, w->off + 0x140, old_version, sizeof(old_version) - 1);
	write_at(copy, w->off + 0x160, old_modinfo, mod_len);
}

/* Both pointer sizes and byte orders; go version -m reads the same copy. */
static void test_pointer_format_before_go1_18(void **state)
{
	static const struct {
		unsigned ptr;
		bool big;
	} forms[] = { { 8, false }, { 8, true }, { 4, false }, { 4, true } };
	char *copy = copy_fixture("go-static");
	struct where w;

	(void)state;
	locate(copy, &w);
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct ifx_go_info *go;
		struct ref r;

		make_pointer_format(copy, &w, forms[i].ptr, forms[i].big,
				    sizeof(old_version) - 1, 0);
		assert_true(go_reference(copy, &r));
		assert_string_equal(r.version, old_version);
		go = read_go(copy);
		assert_matches(go, &r);
		assert_string_equal(go->path, "example.com/old");
		assert_string_equal(go->tags, "netgo");
		assert_string_equal(go->ldflags, "-X \"main.v=a b\" -s\tA\xc3\xa9" "A");
		assert_int_equal(go->cgo_enabled, 0);
		ifx__go_info_free(go);
		ref_free(&r);
	}
	remove_copy(copy);
}

/* A pointer to nowhere, or a string longer than its segment: absent. */
static void test_pointer_format_lies_are_absent(void **state)
{
	char *copy = copy_fixture("go-static");
	struct where w;

	(void)state;
	locate(copy, &w);
	make_pointer_format(copy, &w, 8, false, sizeof(old_version) - 1, 0x10);
	assert_null(read_go_with(copy, ELF_C_READ));
	make_pointer_format(copy, &w, 8, false, UINT64_C(0xffffffffffff), 0);
	assert_null(read_go_with(copy, ELF_C_READ));
	make_pointer_format(copy, &w, 4, true, w.seg.p_filesz, 0);
	assert_null(read_go_with(copy, ELF_C_READ));
	remove_copy(copy);
}

/* ---- damaged inline data -------------------------------------------------- */

/* Overwrite bytes at `at` past the header of a go-static copy. */
static char *damaged(const char *bytes, size_t len, uint64_t at, struct where *w)
{
	char *copy = copy_fixture("go-static");

	locate(copy, w);
	write_at(copy, w->off + at, bytes, len);
	return copy;
}

static void test_lying_version_length_is_absent(void **state)
{
	static const struct {
		const char *bytes;
		size_t len;
	} lies[] = {
		{ "\xff\xff\xff\xff\x0f", 5 },   /* 4 GiB */
		{ "\xd1\x01", 2 },               /* 209: just past the section */
		{ "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 11 },  /* 11-byte uvarint */
		{ "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x02", 10 },      /* overflows 64 bits */
		{ "\x00", 1 },                   /* empty version */
		{ "\x02\x07\x01", 3 },           /* control bytes */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		char *copy;
		struct where w;

		copy = damaged(lies[i].bytes, lies[i].len, 32, &w);
		assert_null(read_go_with(copy, ELF_C_READ));
		strip_section_headers(copy);
		assert_null(read_go_with(copy, ELF_C_READ));
		remove_copy(copy);
	}
}

/* A lying modinfo length leaves the version alone, as go version -m shows. */
static void test_lying_modinfo_length_keeps_the_version(void **state)
{
	char *orig = th_fixture("go-static"), *copy;
	struct ifx_go_info *go;
	unsigned char len_byte;
	struct where w;
	struct ref r;
	size_t vlen;
	int fd;

	(void)state;
	/* After the 32-byte header: the version's length (one uvarint byte
	 * for any go1.x), the version, then modinfo's length. */
	assert_true(go_reference(orig, &r));
	vlen = strlen(r.version);
	assert_true(vlen > 0 && vlen < 128);
	ref_free(&r);
	copy = damaged("\xff\xff\x03", 3, 32 + 1 + vlen, &w);
	fd = open(copy, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &len_byte, 1, (off_t)(w.off + 32)), 1);
	close(fd);
	assert_int_equal(len_byte, vlen);
	assert_true(go_reference(copy, &r));
	assert_null(r.path);
	go = read_go(copy);
	assert_matches(go, &r);
	assert_null(go->path);
	assert_int_equal(go->cgo_enabled, -1);
	ifx__go_info_free(go);
	ref_free(&r);
	free(orig);
	remove_copy(copy);
}

/* A file cut off in the middle of the build info. */
static void test_truncated_file_is_absent(void **state)
{
	char *copy = copy_fixture("go-static");
	struct where w;

	(void)state;
	locate(copy, &w);
	strip_section_headers(copy);
	assert_int_equal(truncate(copy, (off_t)(w.off + 36)), 0);
	assert_null(read_go_with(copy, ELF_C_READ));
	remove_copy(copy);
}

int main(void)
{
	/* go version -m is the reference reader. */
	static const char *const tools[] = { "go", NULL };
	static const char *const needed[] = { "go-cgo-glibc", "go-cgo-musl", "go-static",
					      "go-extlink", "go-pie", "go-tags", "gcc-pie",
					      "noshdr", "static", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_go_fixture_agrees_with_go_version_m),
		cmocka_unit_test(test_quoted_ldflags_are_unquoted),
		cmocka_unit_test(test_c_program_has_none),
		cmocka_unit_test(test_found_without_section_headers),
		cmocka_unit_test(test_pie_found_in_second_rw_segment),
		cmocka_unit_test(test_extlink_found_after_data),
		cmocka_unit_test(test_external_pie_layout),
		cmocka_unit_test(test_external_lld_layout),
		cmocka_unit_test(test_external_mold_layout),
		cmocka_unit_test(test_big_endian_64_bit_layout),
		cmocka_unit_test(test_little_endian_32_bit_layout),
		cmocka_unit_test(test_big_endian_32_bit_layout),
		cmocka_unit_test(test_deep_in_segment_found_without_section_headers),
		cmocka_unit_test(test_damaged_section_is_not_chased_through_the_segment),
		cmocka_unit_test(test_section_is_read_wherever_it_lies),
		cmocka_unit_test(test_stray_magic_is_skipped),
		cmocka_unit_test(test_pointer_format_before_go1_18),
		cmocka_unit_test(test_pointer_format_lies_are_absent),
		cmocka_unit_test(test_lying_version_length_is_absent),
		cmocka_unit_test(test_lying_modinfo_length_keeps_the_version),
		cmocka_unit_test(test_truncated_file_is_absent),
	};

	th_require_tools(tools);
	th_require_fixtures(needed);
	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
