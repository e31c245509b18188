/*
 * Go build info, read without running the binary (what `go version -m`
 * prints): the Go version and the build settings, among them CGO_ENABLED,
 * -tags and -ldflags. Layout from go1.19 cmd/link/internal/ld/data.go
 * buildinfo() and debug/buildinfo/buildinfo.go: a 16-aligned 32-byte header
 * "\xff Go buildinf:", pointer size, flags (bit 0 big-endian, bit 1 strings
 * inline). Inline (go1.18 on), two uvarint-prefixed strings follow: the
 * version, then modinfo wrapped in 16-byte sentinels. Before 1.18, bytes 16
 * and 16+ptrsize hold the addresses of two Go string headers.
 *
 * Where: the .go.buildinfo section. Without section headers, a scan of the
 * writable, non-executable PT_LOADs. go1.19's reader looks only at the first
 * 64 KiB of the first one, which misses real layouts (checked on go1.19.8
 * with netdemo): internal -buildmode=pie gives .data.rel.ro a first RW
 * segment of its own; external linking places .go.buildinfo after .data,
 * 32 KiB in (bfd, gold), in the second RW segment (lld, mold, whose segment
 * does not even start 16-aligned), or 700 KiB in, after .data.rel.ro (bfd
 * with -buildmode=pie).
 */
#include "config.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAGIC "\xff Go buildinf:"
#define MAGIC_LEN 14
#define HEADER_LEN 32
#define BUILDINFO_ALIGN 16
#define FLAG_BIG_ENDIAN 1
#define FLAG_INLINE 2
#define SENTINEL_LEN 16
#define VERSION_MAX 1024          /* "go1.19.8", "devel go1.22-abc... +0000" */
#define MODINFO_MAX (4u << 20)    /* modinfo lists every dependency */
#define WINDOW (64u << 10)        /* the first look at each RW segment */
#define CHUNK (1u << 20)          /* one read while scanning */
/* libelf keeps every chunk it read until elf_end (and 0.188 looks each new
 * one up in a list of the old ones), so what a scan reads is capped, and
 * never more than the segments' file images span: a hostile file with a
 * thousand RW segments must not cost a thousand windows. Go's linkers
 * write one to three RW segments; 16 first looks cover them all. */
#define SHALLOW_BUDGET (16u * WINDOW)
/* Without section headers the rest of the RW segments is scanned too, up to
 * this much. */
#define DEEP_BUDGET (32u << 20)
/* A program holds one build info, and rarely a stray copy of the magic
 * (debug/buildinfo's own, in a program that imports it): after this many
 * aligned copies that do not decode, the file is one made to keep us
 * reading, and is taken as not Go. */
#define DECODE_TRIES 16

/* A byte string that may hold NULs, NUL-terminated for convenience. */
struct blob {
	char *s;
	size_t len;
};

/* [off, end) of the file, read in bounded pieces through libelf. */
struct span {
	Elf *elf;
	uint64_t off, end;
};

static const unsigned char *span_peek(const struct span *sp, uint64_t len)
{
	Elf_Data *d;

	if (sp->off > sp->end || len > sp->end - sp->off || len == 0)
		return NULL;
	d = ifx__elf_read_chunk(sp->elf, sp->off, len, ELF_T_BYTE, "Go build info", NULL);
	return d != NULL && d->d_size == len ? d->d_buf : NULL;
}

static bool blob_copy(const unsigned char *p, uint64_t len, struct blob *out)
{
	out->s = malloc((size_t)len + 1);
	if (out->s == NULL)
		return false;
	if (len > 0)
		memcpy(out->s, p, (size_t)len);
	out->s[len] = '\0';
	out->len = (size_t)len;
	return true;
}

/* encoding/binary.Uvarint: at most 10 bytes, the 10th at most 1. */
static bool span_uvarint(struct span *sp, uint64_t *out)
{
	uint64_t n = sp->off <= sp->end ? sp->end - sp->off : 0, v = 0;
	const unsigned char *p;

	if (n > 10)
		n = 10;
	p = span_peek(sp, n);
	for (unsigned i = 0; p != NULL && i < n; i++) {
		v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (p[i] & 0x80)
			continue;
		if (i == 9 && p[i] > 1)
			return false;
		sp->off += i + 1;
		*out = v;
		return true;
	}
	return false;
}

/* A uvarint length and that many bytes; the length is only believed when
 * the bytes are there. */
static bool span_string(struct span *sp, uint64_t max, struct blob *out)
{
	const unsigned char *p = (const unsigned char *)"";
	uint64_t len;

	if (!span_uvarint(sp, &len) || len > max || len > sp->end - sp->off)
		return false;
	if (len > 0 && (p = span_peek(sp, len)) == NULL)
		return false;
	sp->off += len;
	return blob_copy(p, len, out);
}

static uint64_t read_ptr(const unsigned char *p, unsigned size, bool big)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v = v << 8 | p[big ? i : size - 1 - i];
	return v;
}

/* Pre-1.18: the Go string header (data pointer, length) at vaddr, and its
 * bytes, all inside one PT_LOAD's file image (debug/buildinfo readString). */
static bool read_go_string(Elf *elf, uint64_t vaddr, unsigned ptr_size, bool big,
			   uint64_t max, struct blob *out)
{
	uint64_t off, avail, str, len;
	Elf_Data *d;

	if (!ifx__elf_vaddr_to_offset(elf, vaddr, &off, &avail) || avail < 2u * ptr_size)
		return false;
	d = ifx__elf_read_chunk(elf, off, 2u * ptr_size, ELF_T_BYTE, "Go string", NULL);
	if (d == NULL || d->d_size != 2u * ptr_size)
		return false;
	str = read_ptr(d->d_buf, ptr_size, big);
	len = read_ptr((const unsigned char *)d->d_buf + ptr_size, ptr_size, big);
	if (len == 0 || len > max || !ifx__elf_vaddr_to_offset(elf, str, &off, &avail) ||
	    len > avail)
		return false;
	d = ifx__elf_read_chunk(elf, off, len, ELF_T_BYTE, "Go string", NULL);
	return d != NULL && d->d_size == len && blob_copy(d->d_buf, len, out);
}

static int hex_digit(char c, unsigned base)
{
	int d = c >= '0' && c <= '9' ? c - '0'
		: c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;

	return d < (int)base ? d : -1;
}

static size_t utf8_put(uint32_t r, char *out)
{
	if (r < 0x80) {
		out[0] = (char)r;
		return 1;
	}
	if (r < 0x800) {
		out[0] = (char)(0xc0 | r >> 6);
		out[1] = (char)(0x80 | (r & 0x3f));
		return 2;
	}
	if (r < 0x10000) {
		out[0] = (char)(0xe0 | r >> 12);
		out[1] = (char)(0x80 | (r >> 6 & 0x3f));
		out[2] = (char)(0x80 | (r & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | r >> 18);
	out[1] = (char)(0x80 | (r >> 12 & 0x3f));
	out[2] = (char)(0x80 | (r >> 6 & 0x3f));
	out[3] = (char)(0x80 | (r & 0x3f));
	return 4;
}

/* The escape after a backslash in a Go "..." literal (strconv.UnquoteChar):
 * the bytes it stands for go to out (*olen of them); returns how many bytes
 * of p it used, 0 when it is not a valid escape. */
static size_t unescape(const char *p, size_t n, char *out, size_t *olen)
{
	static const char simple[] = "a\ab\bf\fn\nr\rt\tv\v\\\\\"\"";
	unsigned digits, base = 16, skip = 1;
	uint32_t r = 0;

	if (n == 0)
		return 0;
	for (const char *s = simple; *s != '\0'; s += 2)
		if (p[0] == s[0]) {
			out[0] = s[1];
			*olen = 1;
			return 1;
		}
	if (p[0] == 'x' || p[0] == 'u' || p[0] == 'U')
		digits = p[0] == 'x' ? 2 : p[0] == 'u' ? 4 : 8;
	else if (p[0] >= '0' && p[0] <= '7') {
		digits = 3;  /* \101: three octal digits, the first is p[0] */
		base = 8;
		skip = 0;
	} else {
		return 0;
	}
	if (n < skip + digits)
		return 0;
	for (unsigned i = 0; i < digits; i++) {
		int d = hex_digit(p[skip + i], base);

		if (d < 0)
			return 0;
		r = r * base + (uint32_t)d;
	}
	if (p[0] == 'x' || base == 8) {
		if (r > 0xff)
			return 0;
		out[0] = (char)r;
		*olen = 1;
	} else {
		if (r > 0x10ffff || (r >= 0xd800 && r < 0xe000))
			return 0;
		*olen = utf8_put(r, out);
	}
	return skip + digits;
}

/* strconv.Unquote of a "..." or `...` value, as runtime/debug.ParseBuildInfo
 * does for build settings that `go build` quoted (-ldflags="-s -X a=b").
 * NULL when it is not a valid literal or would hold a NUL. The result is
 * never longer than the literal: every escape is at least as long as the
 * bytes it stands for. */
static char *unquote(const char *v, size_t len)
{
	size_t o = 0, i = 1, used, olen;
	char *buf, *ret = NULL;

	if (len < 2 || v[len - 1] != v[0] || (v[0] != '"' && v[0] != '`'))
		return NULL;
	buf = malloc(len);
	if (buf == NULL)
		return NULL;
	while (i + 1 < len) {
		char c = v[i];

		if (c == '\0' || c == v[0] || (v[0] == '"' && c == '\n'))
			goto out;
		if (v[0] == '`' || c != '\\') {
			if (c != '\r' || v[0] == '"')  /* raw strings drop \r */
				buf[o++] = c;
			i++;
			continue;
		}
		used = unescape(v + i + 1, len - 2 - i, buf + o, &olen);
		if (used == 0 || memchr(buf + o, '\0', olen) != NULL)
			goto out;
		o += olen;
		i += 1 + used;
	}
	buf[o] = '\0';
	ret = buf;
	buf = NULL;
out:
	free(buf);
	return ret;
}

/* A setting's value: unquoted when quoted, kept as written when the quoting
 * is broken (it still says something). */
static char *setting_value(const char *v, size_t len)
{
	char *s = NULL;

	if (len > 0 && (v[0] == '"' || v[0] == '`'))
		s = unquote(v, len);
	return s != NULL ? s : strndup(v, len);
}

static void parse_build_line(struct ifx_go_info *go, const char *kv, size_t len)
{
	const char *eq = memchr(kv, '=', len), *val;
	size_t klen, vlen;

	/* A quoted key (never one of ours) or no '=': not a setting we read. */
	if (eq == NULL || len == 0 || kv[0] == '"' || kv[0] == '`')
		return;
	klen = (size_t)(eq - kv);
	val = eq + 1;
	vlen = len - klen - 1;
	if (klen == 11 && memcmp(kv, "CGO_ENABLED", 11) == 0) {
		if (vlen == 1 && (val[0] == '0' || val[0] == '1'))
			go->cgo_enabled = val[0] - '0';
	} else if (klen == 5 && memcmp(kv, "-tags", 5) == 0 && go->tags == NULL) {
		go->tags = setting_value(val, vlen);
	} else if (klen == 8 && memcmp(kv, "-ldflags", 8) == 0 && go->ldflags == NULL) {
		go->ldflags = setting_value(val, vlen);
	}
}

/* modinfo's lines (runtime/debug.ParseBuildInfo): "path\tP", "build\tK=V". */
static void parse_modinfo(struct ifx_go_info *go, const char *p, size_t len)
{
	while (len > 0) {
		const char *nl = memchr(p, '\n', len);
		size_t n = nl != NULL ? (size_t)(nl - p) : len;

		if (n > 5 && memcmp(p, "path\t", 5) == 0 && go->path == NULL)
			go->path = strndup(p + 5, n - 5);
		else if (n > 6 && memcmp(p, "build\t", 6) == 0)
			parse_build_line(go, p + 6, n - 6);
		p += n;
		len -= n;
		if (len > 0) {
			p++;
			len--;
		}
	}
}

/* Versions are short printable ASCII: anything else is not build info
 * (a stray copy of the magic, a damaged header). */
static bool version_ok(const struct blob *v)
{
	if (v->s == NULL || v->len == 0)
		return false;
	for (size_t i = 0; i < v->len; i++)
		if ((unsigned char)v->s[i] < 0x20 || (unsigned char)v->s[i] > 0x7e)
			return false;
	return true;
}

/* The build info whose header is at file offset off, its strings before
 * end (inline format); NULL when it does not decode. */
static struct ifx_go_info *decode(Elf *elf, uint64_t off, uint64_t end)
{
	struct span sp = { elf, off, end };
	struct blob vers = { NULL, 0 }, mod = { NULL, 0 };
	struct ifx_go_info *go = NULL;
	const unsigned char *h = span_peek(&sp, HEADER_LEN);
	unsigned ptr_size;

	if (h == NULL || memcmp(h, MAGIC, MAGIC_LEN) != 0)
		return NULL;
	ptr_size = h[14];
	if ((ptr_size != 4 && ptr_size != 8) || (h[15] & ~(FLAG_BIG_ENDIAN | FLAG_INLINE)))
		return NULL;
	sp.off += HEADER_LEN;
	/* The version is judged before modinfo (up to MODINFO_MAX) is read:
	 * a copy of the magic that is no build info costs a few bytes. A lying
	 * modinfo length leaves the version, as with go version -m. */
	if (h[15] & FLAG_INLINE) {
		if (span_string(&sp, VERSION_MAX, &vers) && version_ok(&vers))
			span_string(&sp, MODINFO_MAX, &mod);
	} else {
		bool big = h[15] & FLAG_BIG_ENDIAN;

		if (read_go_string(elf, read_ptr(h + 16, ptr_size, big), ptr_size, big,
				   VERSION_MAX, &vers) && version_ok(&vers))
			read_go_string(elf, read_ptr(h + 16 + ptr_size, ptr_size, big),
				       ptr_size, big, MODINFO_MAX, &mod);
	}
	if (!version_ok(&vers) || (go = calloc(1, sizeof(*go))) == NULL)
		goto out;
	go->version = vers.s;
	vers.s = NULL;
	go->cgo_enabled = -1;
	/* The sentinels, as debug/buildinfo strips them. */
	if (mod.len >= 2 * SENTINEL_LEN + 1 && mod.s[mod.len - SENTINEL_LEN - 1] == '\n')
		parse_modinfo(go, mod.s + SENTINEL_LEN, mod.len - 2 * SENTINEL_LEN);
out:
	free(vers.s);
	free(mod.s);
	return go;
}

/* The .go.buildinfo section's file range. */
static bool find_section(Elf *elf, uint64_t *off, uint64_t *size)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr sh;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return false;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		const char *name;

		if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (name != NULL && strcmp(name, ".go.buildinfo") == 0 &&
		    sh.sh_size <= UINT64_MAX - sh.sh_offset) {
			*off = sh.sh_offset;
			*size = sh.sh_size;
			return true;
		}
	}
	return false;
}

/* Headers starting in [from, to) of a segment's file image, at 16-aligned
 * addresses (the linker aligns the section, not the segment: mold's RW
 * segment may start anywhere). A copy of the magic that does not decode,
 * such as debug/buildinfo's own in a program that imports it, is skipped. */
static struct ifx_go_info *scan_range(Elf *elf, const GElf_Phdr *ph, uint64_t from,
				      uint64_t to, unsigned *tries)
{
	for (uint64_t at = from; at < to; at += CHUNK) {
		uint64_t n = to - at < CHUNK ? to - at : CHUNK, len;
		const unsigned char *base, *p, *q;
		Elf_Data *d;

		/* Overlap the next chunk so a magic across the cut is seen. */
		len = n + MAGIC_LEN - 1 < ph->p_filesz - at ? n + MAGIC_LEN - 1
							    : ph->p_filesz - at;
		d = ifx__elf_read_chunk(elf, ph->p_offset + at, len, ELF_T_BYTE,
				   "Go build info", NULL);
		if (d == NULL || d->d_size != len)
			return NULL;
		base = d->d_buf;
		for (p = base; (q = memmem(p, len - (size_t)(p - base), MAGIC,
					   MAGIC_LEN)) != NULL && (uint64_t)(q - base) < n;
		     p = q + 1) {
			uint64_t k = at + (uint64_t)(q - base);
			struct ifx_go_info *go;

			if ((ph->p_vaddr + k) % BUILDINFO_ALIGN != 0)
				continue;
			if (*tries == 0)
				return NULL;
			(*tries)--;
			go = decode(elf, ph->p_offset + k, ph->p_offset + ph->p_filesz);
			if (go != NULL)
				return go;
		}
	}
	return NULL;
}

static bool data_segment(Elf *elf, size_t i, GElf_Phdr *ph)
{
	return gelf_getphdr(elf, (int)i, ph) != NULL && ph->p_type == PT_LOAD &&
	       (ph->p_flags & (PF_W | PF_X)) == PF_W && ph->p_filesz > 0 &&
	       ph->p_filesz <= UINT64_MAX - ph->p_offset;
}

/* How far into the file the RW segments' images reach: no scan reads more
 * than that, however many segments share the bytes. */
static uint64_t data_extent(Elf *elf, size_t phnum)
{
	uint64_t end = 0;
	GElf_Phdr ph;

	for (size_t i = 0; i < phnum; i++)
		if (data_segment(elf, i, &ph) && ph.p_offset + ph.p_filesz > end)
			end = ph.p_offset + ph.p_filesz;
	return end;
}

/* First the start of every RW segment, where Go's own linker puts the
 * section; then, when deep, the rest of them; each pass within its budget. */
static struct ifx_go_info *scan_segments(Elf *elf, bool deep)
{
	struct ifx_go_info *go = NULL;
	unsigned tries = DECODE_TRIES;
	uint64_t extent;
	size_t phnum;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &phnum) != 0)
		return NULL;
	extent = data_extent(elf, phnum);
	for (int pass = 0; pass < (deep ? 2 : 1) && go == NULL && tries > 0; pass++) {
		uint64_t budget = pass == 0 ? SHALLOW_BUDGET : DEEP_BUDGET;

		if (budget > extent)
			budget = extent;
		for (size_t i = 0; i < phnum && go == NULL && budget > 0 && tries > 0; i++) {
			uint64_t from = pass == 0 ? 0 : WINDOW, to;

			if (!data_segment(elf, i, &ph) || ph.p_filesz <= from)
				continue;
			to = pass == 0 ? WINDOW : ph.p_filesz;
			if (to > ph.p_filesz)
				to = ph.p_filesz;
			if (to - from > budget)
				to = from + budget;
			budget -= to - from;
			go = scan_range(elf, &ph, from, to, &tries);
		}
	}
	return go;
}

struct ifx_go_info *ifx__go_buildinfo_read(Elf *elf)
{
	struct ifx_go_info *go = NULL;
	uint64_t off, size;
	size_t shnum;

	if (find_section(elf, &off, &size))
		go = decode(elf, off, off + size);
	/* Scanning every RW byte is kept for files whose section headers are
	 * gone; with them, a file without .go.buildinfo (any C program) gets
	 * only the look go version -m takes. */
	if (go == NULL)
		go = scan_segments(elf, elf_getshdrnum(elf, &shnum) != 0 || shnum == 0);
	if (go != NULL)
		ifx__go_cgo_read(elf, go);
	return go;
}

void ifx__go_info_free(struct ifx_go_info *go)
{
	if (go == NULL)
		return;
	free(go->version);
	free(go->tags);
	free(go->ldflags);
	free(go->path);
	ifx__strlist_free(go->cgo_packages, go->cgo_package_count);
	free(go);
}
