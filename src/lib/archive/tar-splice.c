/*
 * Writing a fixed tar without recompressing it. A fix that keeps every
 * changed member's size changes a few bytes of the uncompressed tar stream
 * (a member's interpreter string), so the new archive is the old one with
 * those bytes replaced: for a bare tar, a copy with the members' bytes
 * written over; for a gzip'd one, the original deflate stream with each
 * changed stretch re-deflated between two byte-aligned block boundaries (the
 * one before, and one 32 KiB past the change, which no later back-reference
 * crosses), and a new CRC in the trailer. The result is inflated and checked
 * before it is used; anything unusual (xz, zstd, bzip2, a multi-member gzip,
 * boundaries too far apart) is IFX_ERR_UNSUPPORTED, and the caller rewrites
 * the archive through libarchive instead.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "internal.h"

#define CHUNK 65536
#define WINDOW 32768
#define TAR_BLOCK 512
#define HEADER_SEARCH 2048          /* blocks between an entry's first header and its data */
#define CAPTURE_MAX (64u << 20)     /* old bytes held for one re-deflated stretch */

static enum ifx_status cannot(const char *why, struct ifx_error *err)
{
	return ifx__error_set(err, IFX_ERR_UNSUPPORTED, "%s", why);
}

/* Overwrite buf (the stream's bytes [at, at+len)) with the new bytes of the
 * changed members it overlaps. */
static bool substitute(struct tar_change *c, size_t n, uint64_t at, unsigned char *buf, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t from = c[i].data_pos > at ? c[i].data_pos : at;
		uint64_t to = c[i].data_pos + c[i].size < at + len ? c[i].data_pos + c[i].size : at + len;

		if (!c[i].located || from >= to)
			continue;
		if (ifx__spool_pread(&c[i].bytes, buf + (from - at), (size_t)(to - from),
				     from - c[i].data_pos) != (ssize_t)(to - from))
			return false;
	}
	return true;
}

/* A block of the stream at pos that may be where change c's data starts. */
static void locate(struct tar_change *c, size_t n, uint64_t pos, const unsigned char *block)
{
	for (size_t i = 0; i < n; i++)
		if (!c[i].located && pos > c[i].header_pos &&
		    pos <= c[i].header_pos + (uint64_t)HEADER_SEARCH * TAR_BLOCK &&
		    memcmp(block, c[i].head, c[i].head_len) == 0) {
			c[i].data_pos = pos;
			c[i].located = true;
		}
}

static bool all_located(const struct tar_change *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!c[i].located)
			return false;
	return true;
}

/* ---- a bare tar ------------------------------------------------------------ */

static enum ifx_status splice_bare(int in_fd, int out_fd, uint64_t size, struct tar_change *c,
				   size_t n, struct ifx_error *err)
{
	unsigned char block[TAR_BLOCK];
	enum ifx_status st;

	for (size_t i = 0; i < n; i++)
		for (uint64_t pos = c[i].header_pos + TAR_BLOCK; !c[i].located &&
		     pos <= c[i].header_pos + (uint64_t)HEADER_SEARCH * TAR_BLOCK; pos += TAR_BLOCK) {
			if (pread(in_fd, block, sizeof(block), (off_t)pos) != (ssize_t)sizeof(block))
				break;
			locate(&c[i], 1, pos, block);
		}
	if (!all_located(c, n))
		return cannot("a changed member's data was not found", err);
	st = ifx__file_copy_all(in_fd, out_fd, size, err);
	for (size_t i = 0; st == IFX_OK && i < n; i++) {
		unsigned char buf[CHUNK];

		for (uint64_t off = c[i].diff_from; st == IFX_OK && off < c[i].diff_to;) {
			size_t want = c[i].diff_to - off < sizeof(buf) ? (size_t)(c[i].diff_to - off)
								       : sizeof(buf);
			if (ifx__spool_pread(&c[i].bytes, buf, want, off) != (ssize_t)want ||
			    pwrite(out_fd, buf, want, (off_t)(c[i].data_pos + off)) != (ssize_t)want)
				st = ifx__error_set_errno(err, errno ? errno : EIO, "cannot write the new archive");
			off += want;
		}
	}
	return st;
}

/* ---- a gzip'd tar ------------------------------------------------------------ */

struct boundary {
	uint64_t out;   /* uncompressed offset where a block starts */
	uint64_t in;    /* its byte in the file (a byte-aligned block) */
};

struct gz {
	int fd;
	uint64_t file_size;
	uint64_t start;    /* first byte of the deflate data */
	uint64_t end;      /* one past its last byte (the trailer follows) */
	uint64_t total;    /* uncompressed bytes */
	uint64_t pad;      /* zeros after the trailer (libarchive fills its last block) */
	struct boundary *b;
	size_t nb, cap;
};

/* The gzip member header: its length (0: not one we splice). */
static uint64_t gzip_header_len(int fd)
{
	unsigned char h[4096];
	ssize_t n = pread(fd, h, sizeof(h), 0);
	size_t at = 10;
	unsigned flags;

	if (n < 18 || h[0] != 0x1f || h[1] != 0x8b || h[2] != 8)
		return 0;
	flags = h[3];
	if (flags & 4) { /* FEXTRA */
		if ((size_t)n < at + 2)
			return 0;
		at += 2 + (size_t)(h[at] | h[at + 1] << 8);
	}
	for (unsigned f = 8; f <= 16; f <<= 1) /* FNAME, FCOMMENT */
		if (flags & f) {
			while (at < (size_t)n && h[at] != 0)
				at++;
			at++;
		}
	if (flags & 2) /* FHCRC */
		at += 2;
	return at < (size_t)n ? at : 0;
}

/* One inflate of the stream: the byte-aligned block boundaries, where the
 * changes' data is, and where the deflate data ends. */
struct survey {
	struct gz *g;
	struct tar_change *c;
	size_t n;
	unsigned char carry[TAR_BLOCK]; /* tar blocks of the output, split across pieces */
	uint64_t out_pos;
	bool nomem;
};

static bool survey_piece(const unsigned char *out, size_t len, const z_stream *z, void *ctx)
{
	struct survey *v = ctx;
	struct gz *g = v->g;

	for (size_t k = 0; k < len; k++) {
		uint64_t at = v->out_pos + k;

		v->carry[at % TAR_BLOCK] = out[k];
		if ((at + 1) % TAR_BLOCK == 0)
			locate(v->c, v->n, at + 1 - TAR_BLOCK, v->carry);
	}
	v->out_pos += len;
	if ((z->data_type & 128) && !(z->data_type & 64) && (z->data_type & 7) == 0 &&
	    v->out_pos > 0) {
		if (g->nb == g->cap) {
			size_t cap = g->cap ? g->cap * 2 : 1024;
			struct boundary *grown = reallocarray(g->b, cap, sizeof(*grown));

			if (grown == NULL) {
				v->nomem = true;
				return false;
			}
			g->b = grown;
			g->cap = cap;
		}
		g->b[g->nb++] = (struct boundary){ v->out_pos, g->start + z->total_in };
	}
	return true;
}

static bool zeros(int fd, uint64_t from, uint64_t len)
{
	unsigned char buf[CHUNK];

	if (len == 0)
		return true;
	if (pread(fd, buf, (size_t)len, (off_t)from) != (ssize_t)len)
		return false;
	for (uint64_t i = 0; i < len; i++)
		if (buf[i] != 0)
			return false;
	return true;
}

static bool gz_survey(struct gz *g, struct tar_change *c, size_t n)
{
	struct inflate_source src = { .fd = g->fd, .from = g->start };
	struct survey v = { .g = g, .c = c, .n = n };
	struct inflate_end end;
	int rc = ifx__inflate_walk(&src, -MAX_WBITS, Z_BLOCK, survey_piece, &v, &end);

	g->end = g->start + end.total_in;
	g->total = v.out_pos;
	/* one gzip member: the 8-byte trailer, then the end of the file or
	 * zeros to the end of a block */
	if (rc != Z_STREAM_END || v.nomem || g->end + 8 > g->file_size || !all_located(c, n))
		return false;
	g->pad = g->file_size - (g->end + 8);
	return g->pad <= CHUNK && zeros(g->fd, g->end + 8, g->pad);
}

static bool boundary_before(const struct gz *g, uint64_t pos, uint64_t not_before, struct boundary *out)
{
	bool found = false;

	for (size_t i = 0; i < g->nb && g->b[i].out <= pos; i++)
		if (g->b[i].out >= not_before) {
			*out = g->b[i];
			found = true;
		}
	return found;
}

static bool boundary_after(const struct gz *g, uint64_t pos, struct boundary *out)
{
	for (size_t i = 0; i < g->nb; i++)
		if (g->b[i].out >= pos) {
			*out = g->b[i];
			return true;
		}
	return false;
}

/* The old stream's bytes [from, to): one more inflate up to `to`. */
struct capture {
	uint64_t from, to, out_pos;
	unsigned char *buf;
};

static bool capture_piece(const unsigned char *out, size_t len, const z_stream *z, void *ctx)
{
	struct capture *c = ctx;
	uint64_t lo = c->out_pos > c->from ? c->out_pos : c->from;
	uint64_t hi = c->out_pos + len < c->to ? c->out_pos + len : c->to;

	(void)z;
	if (lo < hi)
		memcpy(c->buf + (lo - c->from), out + (lo - c->out_pos), (size_t)(hi - lo));
	c->out_pos += len;
	return c->out_pos < c->to;
}

static bool gz_capture(const struct gz *g, uint64_t from, uint64_t to, unsigned char *buf)
{
	struct inflate_source src = { .fd = g->fd, .from = g->start };
	struct capture c = { .from = from, .to = to, .buf = buf };
	struct inflate_end end;

	ifx__inflate_walk(&src, -MAX_WBITS, Z_NO_FLUSH, capture_piece, &c, &end);
	return c.out_pos >= to;
}

static bool put(int fd, const void *bytes, size_t len)
{
	const unsigned char *p = bytes;

	while (len > 0) {
		ssize_t k = write(fd, p, len);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		p += k;
		len -= (size_t)k;
	}
	return true;
}

static bool copy_span(int in_fd, int out_fd, uint64_t from, uint64_t to)
{
	unsigned char buf[CHUNK];

	while (from < to) {
		size_t want = to - from < sizeof(buf) ? (size_t)(to - from) : sizeof(buf);
		ssize_t k = pread(in_fd, buf, want, (off_t)from);

		if (k <= 0 || !put(out_fd, buf, (size_t)k))
			return false;
		from += (uint64_t)k;
	}
	return true;
}

/* Deflate new[s.out, e.out) (dict: the 32 KiB before it), ending on a
 * byte (more blocks follow) or, for the stream's last stretch, final. */
static bool reflate(int out_fd, const unsigned char *dict, size_t dict_len,
		    const unsigned char *data, size_t len, bool last)
{
	int flush = last ? Z_FINISH : Z_SYNC_FLUSH;

	unsigned char out[CHUNK];
	bool ok = true;
	z_stream z;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return false;
	if (dict_len > 0 && deflateSetDictionary(&z, dict, (uInt)dict_len) != Z_OK)
		ok = false;
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)len;
	while (ok) {
		z.next_out = out;
		z.avail_out = sizeof(out);
		if (deflate(&z, flush) == Z_STREAM_ERROR ||
		    !put(out_fd, out, sizeof(out) - z.avail_out))
			ok = false;
		if (z.avail_out != 0)
			break;
	}
	deflateEnd(&z);
	return ok;
}

/* The new stream's CRC: the old bytes with the changes in, one inflate. */
struct crc_sum {
	struct tar_change *c;
	size_t n;
	uint64_t out_pos;
	uLong sum;
	bool ok;
};

static bool crc_piece(const unsigned char *out, size_t len, const z_stream *z, void *ctx)
{
	struct crc_sum *v = ctx;
	unsigned char buf[CHUNK];

	(void)z;
	memcpy(buf, out, len);
	if (!substitute(v->c, v->n, v->out_pos, buf, len)) {
		v->ok = false;
		return false;
	}
	v->sum = crc32(v->sum, buf, (uInt)len);
	v->out_pos += len;
	return true;
}

static bool new_crc(const struct gz *g, struct tar_change *c, size_t n, uint32_t *crc)
{
	struct inflate_source src = { .fd = g->fd, .from = g->start };
	struct crc_sum v = { .c = c, .n = n, .sum = crc32(0, Z_NULL, 0), .ok = true };
	struct inflate_end end;
	int rc = ifx__inflate_walk(&src, -MAX_WBITS, Z_NO_FLUSH, crc_piece, &v, &end);

	*crc = (uint32_t)v.sum;
	return v.ok && rc == Z_STREAM_END;
}

/* Whether the gzip file on fd inflates to its end with a right CRC. */
static bool keep_going(const unsigned char *out, size_t len, const z_stream *z, void *ctx)
{
	(void)out;
	(void)len;
	(void)z;
	(void)ctx;
	return true;
}

static bool gz_sound(int fd, uint64_t size)
{
	struct inflate_source src = { .fd = fd };
	struct inflate_end end;

	return ifx__inflate_walk(&src, 16 + MAX_WBITS, Z_NO_FLUSH, keep_going, NULL, &end) ==
		       Z_STREAM_END && end.total_in == size;
}

static enum ifx_status splice_gzip(int in_fd, int out_fd, uint64_t size, struct tar_change *c,
				   size_t n, struct ifx_error *err)
{
	struct gz g = { .fd = in_fd, .file_size = size };
	unsigned char trailer[8];
	uint64_t copied_to, prev_end = 0;
	enum ifx_status st = IFX_OK;
	uint32_t crc;

	g.start = gzip_header_len(in_fd);
	/* the deflate data's start is a block start on a byte */
	g.b = malloc(sizeof(*g.b));
	if (g.b == NULL)
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	g.b[0] = (struct boundary){ 0, g.start };
	g.nb = g.cap = 1;
	if (g.start == 0 || !gz_survey(&g, c, n) || !new_crc(&g, c, n, &crc) ||
	    pread(in_fd, trailer, 8, (off_t)g.end) != 8) {
		free(g.b);
		return cannot("not a gzip stream that can be spliced", err);
	}
	if (ftruncate(out_fd, 0) < 0 || lseek(out_fd, 0, SEEK_SET) < 0 ||
	    !copy_span(in_fd, out_fd, 0, g.start))
		st = ifx__error_set_errno(err, errno ? errno : EIO, "cannot write the new archive");
	copied_to = g.start;
	for (size_t i = 0; st == IFX_OK && i < n;) {
		uint64_t from = c[i].data_pos + c[i].diff_from, to = c[i].data_pos + c[i].diff_to;
		struct boundary s, e;
		bool last = false;
		unsigned char *buf;
		size_t dict, j = i;

		/* one stretch for the changes closer together than its end;
		 * none far enough after: re-deflate to the end */
		for (;;) {
			if (!boundary_after(&g, to + WINDOW, &e)) {
				e = (struct boundary){ g.total, g.end };
				last = true;
			}
			if (j + 1 >= n || c[j + 1].data_pos + c[j + 1].diff_from >= e.out)
				break;
			j++;
			if (c[j].data_pos + c[j].diff_to > to)
				to = c[j].data_pos + c[j].diff_to;
		}
		if (!boundary_before(&g, from, prev_end, &s) || e.out - s.out > CAPTURE_MAX) {
			st = cannot("no block boundaries close enough to a change", err);
			break;
		}
		dict = s.out < WINDOW ? (size_t)s.out : WINDOW;
		buf = malloc((size_t)(e.out - s.out) + dict);
		if (buf == NULL) {
			st = ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
			break;
		}
		if (!gz_capture(&g, s.out - dict, e.out, buf) ||
		    !substitute(c, n, s.out - dict, buf, (size_t)(e.out - s.out) + dict) ||
		    !copy_span(in_fd, out_fd, copied_to, s.in) ||
		    !reflate(out_fd, buf, dict, buf + dict, (size_t)(e.out - s.out), last))
			st = ifx__error_set_errno(err, errno ? errno : EIO, "cannot write the new archive");
		free(buf);
		copied_to = e.in;
		prev_end = e.out;
		i = j + 1;
	}
	/* the rest, then the trailer: the new CRC, the same length */
	trailer[0] = (unsigned char)crc;
	trailer[1] = (unsigned char)(crc >> 8);
	trailer[2] = (unsigned char)(crc >> 16);
	trailer[3] = (unsigned char)(crc >> 24);
	if (st == IFX_OK && (!copy_span(in_fd, out_fd, copied_to, g.end) || !put(out_fd, trailer, 8) ||
			     !copy_span(in_fd, out_fd, g.end + 8, g.file_size)))
		st = ifx__error_set_errno(err, errno ? errno : EIO, "cannot write the new archive");
	free(g.b);
	if (st == IFX_OK) {
		off_t written = lseek(out_fd, 0, SEEK_CUR);

		if (written < 0 || (uint64_t)written < g.pad ||
		    !gz_sound(out_fd, (uint64_t)written - g.pad))
			st = cannot("the spliced stream did not check out", err);
	}
	return st;
}

enum ifx_status ifx__tar_splice(int in_fd, int out_fd, bool gzip, struct tar_change *c, size_t n,
				struct ifx_error *err)
{
	struct stat sb;

	if (fstat(in_fd, &sb) < 0)
		return ifx__error_set_errno(err, errno, "cannot stat");
	return gzip ? splice_gzip(in_fd, out_fd, (uint64_t)sb.st_size, c, n, err)
		    : splice_bare(in_fd, out_fd, (uint64_t)sb.st_size, c, n, err);
}
