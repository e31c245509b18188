/*
 * The new bytes of a changed zip member, compressed by us, for libzip to
 * copy raw (a source whose stat names the method, sizes and CRC is not
 * recompressed). Two reasons. libzip 1.7 recompresses a replaced member at
 * level 9 whatever level is asked (zip_set_file_compression drops the level
 * when the method stays), three times slower than the "normal" level 6 that
 * zip, Python and Go write. And a fix changes only the first bytes of a
 * binary when the new interpreter is not longer: then the original deflate
 * stream is reused from a block boundary 32 KiB past the last changed byte
 * (no back-reference after it reaches the change) that falls on a byte (a
 * stored block's padding depends on where it starts, so the rest cannot be
 * shifted by bits), behind a prefix we deflate again: a 100 MiB member
 * costs an inflate, not a deflate. The
 * result is inflated and compared with the new bytes before it is used; on
 * any doubt the whole member is deflated instead.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "internal.h"

#define CHUNK 65536
#define WINDOW 32768
#define SPLICE_MAX_CHANGE (1u << 20) /* changes past this: deflate it all */
#define SPLICE_SEARCH (16u << 20)    /* how far to look for a byte-aligned boundary */

/* ---- reading spools ------------------------------------------------------ */

/* The end of the last byte where a and b differ (0: none); false on error
 * or different sizes. */
static bool change_end(const struct spool *a, const struct spool *b, uint64_t *end)
{
	unsigned char x[CHUNK], y[CHUNK];

	*end = 0;
	if (a->size != b->size)
		return false;
	for (uint64_t off = 0; off < a->size;) {
		ssize_t n = ifx__spool_pread(a, x, sizeof(x), off), m = ifx__spool_pread(b, y, sizeof(y), off);

		if (n <= 0 || n != m)
			return false;
		for (ssize_t i = n - 1; i >= 0; i--) {
			if (x[i] != y[i]) {
				*end = off + (uint64_t)i + 1;
				break;
			}
		}
		off += (uint64_t)n;
	}
	return true;
}

/* ---- writing the output ---------------------------------------------------- */

struct sink {
	struct spool *out;
	struct ifx_error *err;
	enum ifx_status st;
};

static void sink_put(struct sink *s, const void *bytes, size_t len)
{
	if (s->st == IFX_OK && len > 0)
		s->st = ifx__spool_write(s->out, bytes, len, s->err);
}

/* Deflate new[from, to) into the sink; flush Z_FINISH or Z_SYNC_FLUSH. */
static bool deflate_range(z_stream *z, const struct spool *new_bytes, uint64_t from, uint64_t to,
			  int flush, struct sink *s)
{
	unsigned char in[CHUNK], out[CHUNK];

	for (uint64_t off = from;;) {
		size_t want = to - off < sizeof(in) ? (size_t)(to - off) : sizeof(in);
		ssize_t n = want > 0 ? ifx__spool_pread(new_bytes, in, want, off) : 0;
		int last, rc;

		if (n < 0 || (want > 0 && n == 0))
			return false;
		off += (uint64_t)n;
		last = off >= to;
		z->next_in = in;
		z->avail_in = (uInt)n;
		do {
			z->next_out = out;
			z->avail_out = sizeof(out);
			rc = deflate(z, last ? flush : Z_NO_FLUSH);
			if (rc == Z_STREAM_ERROR)
				return false;
			sink_put(s, out, sizeof(out) - z->avail_out);
		} while (z->avail_out == 0);
		if (last)
			return s->st == IFX_OK;
	}
}

static bool deflate_all(const struct spool *new_bytes, struct sink *s)
{
	z_stream z;
	bool ok;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return false;
	ok = deflate_range(&z, new_bytes, 0, new_bytes->size, Z_FINISH, s);
	deflateEnd(&z);
	return ok;
}

/* ---- the splice -------------------------------------------------------------- */

/* The first block boundary of the raw deflate stream in comp on a byte,
 * after which at least `after` bytes are out: *out_at the uncompressed
 * offset, *byte where the next block starts. */
struct boundary_search {
	uint64_t after, out_at, byte;
	bool found;
};

static bool at_boundary(const unsigned char *out, size_t len, const z_stream *z, void *ctx)
{
	struct boundary_search *b = ctx;

	(void)out;
	(void)len;
	/* 128: right after an end-of-block code; the low bits: those left
	 * unused in the last byte read (0: the next block starts on a byte);
	 * 64: the last block, after which nothing follows */
	if ((z->data_type & 128) && !(z->data_type & 64) && (z->data_type & 7) == 0 &&
	    z->total_out >= b->after) {
		b->out_at = z->total_out;
		b->byte = z->total_in;
		b->found = true;
		return false;
	}
	return z->total_out < b->after + SPLICE_SEARCH;
}

static bool find_boundary(const struct spool *comp, uint64_t after, uint64_t *out_at, uint64_t *byte)
{
	struct inflate_source src = { .spool = comp };
	struct boundary_search b = { .after = after };
	struct inflate_end end;

	ifx__inflate_walk(&src, -MAX_WBITS, Z_BLOCK, at_boundary, &b, &end);
	*out_at = b.out_at;
	*byte = b.byte;
	return b.found;
}

/* comp from byte `from` on. */
static bool copy_rest(const struct spool *comp, uint64_t from, struct sink *s)
{
	unsigned char buf[CHUNK];

	for (uint64_t off = from; off < comp->size;) {
		ssize_t n = ifx__spool_pread(comp, buf, sizeof(buf), off);

		if (n <= 0)
			return false;
		sink_put(s, buf, (size_t)n);
		off += (uint64_t)n;
	}
	return s->st == IFX_OK;
}

/* Whether the raw deflate stream in got inflates to exactly new_bytes. */
struct compare {
	const struct spool *want;
	uint64_t at;
	bool same;
};

static bool same_as_wanted(const unsigned char *out, size_t len, const z_stream *z, void *ctx)
{
	struct compare *c = ctx;
	unsigned char want[CHUNK];

	(void)z;
	if (len > 0 && (ifx__spool_pread(c->want, want, len, c->at) != (ssize_t)len ||
			memcmp(out, want, len) != 0))
		c->same = false;
	c->at += len;
	return c->same;
}

static bool inflates_to(const struct spool *got, const struct spool *new_bytes)
{
	struct inflate_source src = { .spool = got };
	struct compare c = { .want = new_bytes, .same = true };
	struct inflate_end end;
	int rc = ifx__inflate_walk(&src, -MAX_WBITS, Z_NO_FLUSH, same_as_wanted, &c, &end);

	return c.same && rc == Z_STREAM_END && c.at == new_bytes->size;
}

static bool splice(const struct spool *comp, const struct spool *old_bytes,
		   const struct spool *new_bytes, struct sink *s)
{
	uint64_t end, at, byte;
	z_stream z;
	bool ok;

	if (!change_end(old_bytes, new_bytes, &end) || end > SPLICE_MAX_CHANGE ||
	    !find_boundary(comp, end + WINDOW, &at, &byte))
		return false;
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return false;
	/* the prefix ends byte-aligned (an empty stored block), not final */
	ok = deflate_range(&z, new_bytes, 0, at, Z_SYNC_FLUSH, s);
	deflateEnd(&z);
	return ok && copy_rest(comp, byte, s);
}

/* ---- the result -------------------------------------------------------------- */

static bool crc_of(const struct spool *sp, uint32_t *crc)
{
	unsigned char buf[CHUNK];
	uLong c = crc32(0, Z_NULL, 0);

	for (uint64_t off = 0; off < sp->size;) {
		ssize_t n = ifx__spool_pread(sp, buf, sizeof(buf), off);

		if (n <= 0)
			return false;
		c = crc32(c, buf, (uInt)n);
		off += (uint64_t)n;
	}
	*crc = (uint32_t)c;
	return true;
}

enum ifx_status ifx__zip_deflate(struct archive_job *job, const struct spool *comp,
				 const struct spool *old_bytes, const struct spool *new_bytes,
				 struct spool *out, uint32_t *crc, bool *spliced)
{
	struct sink s = { out, job->err, IFX_OK };

	*spliced = false;
	if (!crc_of(new_bytes, crc))
		return ifx__error_set_errno(job->err, errno ? errno : EIO, "cannot read a temporary file");
	if (comp != NULL && splice(comp, old_bytes, new_bytes, &s) && inflates_to(out, new_bytes)) {
		*spliced = true;
		return IFX_OK;
	}
	if (s.st != IFX_OK)
		return s.st;
	ifx__spool_free(out);
	if (!deflate_all(new_bytes, &s) && s.st == IFX_OK)
		s.st = ifx__error_set(job->err, IFX_ERR_IO, "cannot compress the fixed member");
	return s.st;
}
