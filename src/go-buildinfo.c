/*
 * Go build info, read without running the binary (what `go version -m`
 * prints): the Go version and the build settings, among them CGO_ENABLED,
 * -tags and -ldflags. Layout from go1.19 cmd/link/internal/ld/data.go
 * buildinfo() and debug/buildinfo/buildinfo.go: a 32-byte header
 * "\xff Go buildinf:", pointer size, flags (bit 1: strings inline); inline,
 * two uvarint-prefixed strings follow (version, then modinfo wrapped in
 * 16-byte sentinels); before 1.18, two pointers to Go string headers.
 * Found through .go.buildinfo, or, without section headers, at the start
 * of the first writable, non-executable PT_LOAD.
 */
#include "config.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAGIC "\xff Go buildinf:"
#define MAGIC_LEN 14
#define HEADER_LEN 32
#define SCAN_MAX (64u * 1024)       /* where the header may start in the segment */
#define INFO_MAX (1u << 20)         /* version + modinfo */
#define SENTINEL_LEN 16
#define FLAG_BIG_ENDIAN 1
#define FLAG_INLINE 2

struct cursor {
	const unsigned char *p, *end;
};

static bool uvarint(struct cursor *c, uint64_t *out)
{
	uint64_t v = 0;

	for (unsigned shift = 0; c->p < c->end && shift < 64; shift += 7) {
		unsigned char b = *c->p++;

		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return true;
		}
	}
	return false;
}

static char *take_string(struct cursor *c)
{
	uint64_t len;
	char *s;

	if (!uvarint(c, &len) || len > (uint64_t)(c->end - c->p))
		return NULL;
	s = strndup((const char *)c->p, (size_t)len);
	c->p += len;
	return s;
}

/* Read a Go string header (pointer, length) at vaddr, and the string. */
static char *read_go_string(Elf *elf, uint64_t vaddr, unsigned ptr_size, bool big)
{
	unsigned char hdr[16];
	uint64_t off, avail, str, len;
	Elf_Data *d;

	if (!elf_vaddr_to_offset(elf, vaddr, &off, &avail) || avail < 2u * ptr_size)
		return NULL;
	d = elf_read_chunk(elf, off, 2u * ptr_size, ELF_T_BYTE, "Go string", NULL);
	if (d == NULL)
		return NULL;
	memcpy(hdr, d->d_buf, 2u * ptr_size);
	str = len = 0;
	for (unsigned i = 0; i < ptr_size; i++) {
		unsigned k = big ? i : ptr_size - 1 - i;

		str = str << 8 | hdr[k];
		len = len << 8 | hdr[ptr_size + k];
	}
	if (len > INFO_MAX || !elf_vaddr_to_offset(elf, str, &off, &avail) || len > avail)
		return NULL;
	d = elf_read_chunk(elf, off, len, ELF_T_BYTE, "Go string", NULL);
	return d ? strndup(d->d_buf, (size_t)len) : NULL;
}

static uint64_t read_ptr(const unsigned char *p, unsigned size, bool big)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v = v << 8 | p[big ? i : size - 1 - i];
	return v;
}

/* Go-quoted values ("-s -X main.v=1") lose their quotes and escapes. */
static char *unquote(const char *v, size_t len)
{
	char *out;
	size_t o = 0;

	if (len < 2 || (v[0] != '"' && v[0] != '`') || v[len - 1] != v[0])
		return strndup(v, len);
	out = malloc(len);
	if (out == NULL)
		return NULL;
	for (size_t i = 1; i + 1 < len; i++) {
		if (v[0] == '"' && v[i] == '\\' && i + 2 < len)
			i++;
		out[o++] = v[i];
	}
	out[o] = '\0';
	return out;
}

/* modinfo's lines: "path\tP", "build\tK=V". */
static void parse_modinfo(struct ifx_go_info *go, const char *info)
{
	for (const char *line = info; line && *line;) {
		const char *end = strchr(line, '\n'), *eq;
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (strncmp(line, "path\t", 5) == 0 && go->path == NULL)
			go->path = strndup(line + 5, len - 5);
		if (strncmp(line, "build\t", 6) == 0 &&
		    (eq = memchr(line, '=', len)) != NULL) {
			const char *key = line + 6, *val = eq + 1;
			size_t klen = (size_t)(eq - key), vlen = len - (size_t)(val - line);

			if (klen == 11 && strncmp(key, "CGO_ENABLED", 11) == 0)
				go->cgo_enabled = vlen == 1 && val[0] == '1' ? 1 : 0;
			else if (klen == 5 && strncmp(key, "-tags", 5) == 0 && !go->tags)
				go->tags = unquote(val, vlen);
			else if (klen == 8 && strncmp(key, "-ldflags", 8) == 0 && !go->ldflags)
				go->ldflags = unquote(val, vlen);
		}
		line = end ? end + 1 : NULL;
	}
}

/* The version and modinfo strings at the header at file offset off. */
static struct ifx_go_info *decode(Elf *elf, uint64_t off, uint64_t avail)
{
	struct ifx_go_info *go;
	char *version = NULL, *modinfo = NULL;
	const unsigned char *h;
	unsigned ptr_size;
	Elf_Data *d;
	bool big;

	d = elf_read_chunk(elf, off, avail < INFO_MAX ? avail : INFO_MAX, ELF_T_BYTE,
			   "Go build info", NULL);
	if (d == NULL || d->d_size < HEADER_LEN)
		return NULL;
	h = d->d_buf;
	ptr_size = h[14];
	big = h[15] & FLAG_BIG_ENDIAN;
	if (h[15] & FLAG_INLINE) {
		struct cursor c = { h + HEADER_LEN, h + d->d_size };

		version = take_string(&c);
		modinfo = take_string(&c);
	} else if (ptr_size == 4 || ptr_size == 8) {
		version = read_go_string(elf, read_ptr(h + 16, ptr_size, big), ptr_size, big);
		modinfo = read_go_string(elf, read_ptr(h + 16 + ptr_size, ptr_size, big),
					 ptr_size, big);
	}
	if (version == NULL || strncmp(version, "go", 2) != 0) {
		free(version);
		free(modinfo);
		return NULL;
	}
	go = calloc(1, sizeof(*go));
	if (go == NULL) {
		free(version);
		free(modinfo);
		return NULL;
	}
	go->version = version;
	go->cgo_enabled = -1;
	if (modinfo != NULL && strlen(modinfo) >= 2 * SENTINEL_LEN) {
		modinfo[strlen(modinfo) - SENTINEL_LEN] = '\0';
		parse_modinfo(go, modinfo + SENTINEL_LEN);
	}
	free(modinfo);
	return go;
}

/* Where the header is: .go.buildinfo, else a scan of the first RW segment. */
static bool find_header(Elf *elf, uint64_t *off, uint64_t *avail)
{
	size_t shstrndx, phnum;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	GElf_Phdr ph;

	if (elf_getshdrstrndx(elf, &shstrndx) == 0) {
		while ((scn = elf_nextscn(elf, scn)) != NULL) {
			const char *name;

			if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type == SHT_NOBITS)
				continue;
			name = elf_strptr(elf, shstrndx, sh.sh_name);
			if (name != NULL && strcmp(name, ".go.buildinfo") == 0) {
				*off = sh.sh_offset;
				*avail = sh.sh_size;
				return true;
			}
		}
	}
	if (elf_getphdrnum(elf, &phnum) != 0)
		return false;
	for (size_t i = 0; i < phnum; i++) {
		Elf_Data *d;

		if (gelf_getphdr(elf, (int)i, &ph) == NULL || ph.p_type != PT_LOAD ||
		    !(ph.p_flags & PF_W) || (ph.p_flags & PF_X))
			continue;
		d = elf_read_chunk(elf, ph.p_offset,
				   ph.p_filesz < SCAN_MAX ? ph.p_filesz : SCAN_MAX,
				   ELF_T_BYTE, "Go build info", NULL);
		for (size_t k = 0; d != NULL && k + HEADER_LEN <= d->d_size; k += 16)
			if (memcmp((char *)d->d_buf + k, MAGIC, MAGIC_LEN) == 0) {
				*off = ph.p_offset + k;
				*avail = ph.p_filesz - k;
				return true;
			}
		return false;
	}
	return false;
}

struct ifx_go_info *go_buildinfo_read(Elf *elf)
{
	uint64_t off, avail;
	Elf_Data *d;

	if (!find_header(elf, &off, &avail) || avail < HEADER_LEN)
		return NULL;
	d = elf_read_chunk(elf, off, MAGIC_LEN, ELF_T_BYTE, "Go build info", NULL);
	if (d == NULL || memcmp(d->d_buf, MAGIC, MAGIC_LEN) != 0)
		return NULL;
	return decode(elf, off, avail);
}

void go_info_free(struct ifx_go_info *go)
{
	if (go == NULL)
		return;
	free(go->version);
	free(go->tags);
	free(go->ldflags);
	free(go->path);
	free(go);
}
