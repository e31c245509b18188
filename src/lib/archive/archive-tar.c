/*
 * Tar archives through libarchive, in one streaming pass: each entry is
 * read and, when fixing, written again with the same header facts (name,
 * mode, owner and group ids and names, times including pax ones, link
 * target, hard-link relation, xattrs) in the same tar format, through the
 * same compression filter. Only ELF members are held, and only up to the
 * spool threshold in memory. A sparse member is written out in full.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "internal.h"

#define READ_CHUNK 65536
#define BOMB_SIZE (1ull << 30)
#define BOMB_RATIO 1000

struct tin {
	int fd;
	off_t pos;
	unsigned char buf[READ_CHUNK];
};

static la_ssize_t tin_read(struct archive *a, void *data, const void **out)
{
	struct tin *t = data;
	ssize_t n;

	do
		n = pread(t->fd, t->buf, sizeof(t->buf), t->pos);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(a, errno, "cannot read");
		return -1;
	}
	t->pos += n;
	*out = t->buf;
	return n;
}

static la_int64_t tin_skip(struct archive *a, void *data, la_int64_t request)
{
	struct tin *t = data;

	(void)a;
	t->pos += request;
	return request;
}

static la_ssize_t tout_write(struct archive *a, void *data, const void *buf, size_t len)
{
	const int *fd = data;
	const unsigned char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(*fd, p + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			archive_set_error(a, n < 0 ? errno : EIO, "cannot write the new archive");
			return -1;
		}
		done += (size_t)n;
	}
	return (la_ssize_t)len;
}

struct tar_pass {
	struct archive_job *job;
	struct archive *r, *w;
	int out_fd;
	int write_format;
	unsigned char *chunk;
	/* a fix's first pass: the changes, for tar-splice.c */
	bool collect;
	struct tar_change *changes;
	size_t nchanges, cap;
	bool sizes_kept;
	uint64_t header_pos;
	int filter;          /* the outermost compression filter read */
};

static const char *format_label(int format)
{
	switch (format) {
	case ARCHIVE_FORMAT_TAR_USTAR: return "ustar";
	case ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE:
	case ARCHIVE_FORMAT_TAR_PAX_RESTRICTED: return "pax";
	case ARCHIVE_FORMAT_TAR_GNUTAR: return "gnu";
	default: return "tar";
	}
}

static enum ifx_status damaged(struct tar_pass *p, struct archive *a, const char *what)
{
	return ifx__error_set(p->job->err, IFX_ERR_MALFORMED, "%s: %s", what,
			      archive_error_string(a) ? archive_error_string(a) : "unknown error");
}

/* The writer, once the first header says which format and filter to keep.
 * ustar entries are written by libarchive's restricted pax, which writes
 * plain ustar headers whenever they can hold the entry. */
static enum ifx_status open_writer(struct tar_pass *p)
{
	int format = archive_format(p->r);
	char name[64];

	snprintf(name, sizeof(name), "tar (%s%s%s)", format_label(format),
		 archive_filter_code(p->r, 0) != ARCHIVE_FILTER_NONE ? ", " : "",
		 archive_filter_code(p->r, 0) != ARCHIVE_FILTER_NONE ? archive_filter_name(p->r, 0) : "");
	p->job->out->format_name = strdup(name);
	if (p->job->out->format_name == NULL)
		return ifx__error_set(p->job->err, IFX_ERR_NOMEM, "out of memory");
	if (p->out_fd < 0)
		return IFX_OK;
	p->write_format = format == ARCHIVE_FORMAT_TAR_USTAR ? ARCHIVE_FORMAT_TAR_PAX_RESTRICTED
							     : format;
	p->w = archive_write_new();
	if (p->w == NULL)
		return ifx__error_set(p->job->err, IFX_ERR_NOMEM, "out of memory");
	if (archive_write_set_format(p->w, p->write_format) != ARCHIVE_OK)
		return damaged(p, p->w, "cannot write this tar format");
	for (int i = archive_filter_count(p->r) - 1; i >= 0; i--) {
		int code = archive_filter_code(p->r, i);

		if (code != ARCHIVE_FILTER_NONE && archive_write_add_filter(p->w, code) != ARCHIVE_OK)
			return damaged(p, p->w, "cannot write this compression");
	}
	if (archive_write_open(p->w, &p->out_fd, NULL, tout_write, NULL) != ARCHIVE_OK)
		return damaged(p, p->w, "cannot write the new archive");
	return IFX_OK;
}

static enum ifx_member_type entry_type(struct archive_entry *e)
{
	if (archive_entry_hardlink(e) != NULL)
		return IFX_MEMBER_HARDLINK;
	switch (archive_entry_filetype(e)) {
	case AE_IFREG: return IFX_MEMBER_FILE;
	case AE_IFDIR: return IFX_MEMBER_DIRECTORY;
	case AE_IFLNK: return IFX_MEMBER_SYMLINK;
	default: return IFX_MEMBER_OTHER;
	}
}

/* A decompression bomb: far more out than in, past a size no binary has. */
static enum ifx_status bomb_check(struct tar_pass *p, const char *name)
{
	la_int64_t in = archive_filter_bytes(p->r, -1), out = archive_filter_bytes(p->r, 0);

	if ((uint64_t)out > BOMB_SIZE && in > 0 && out / in > BOMB_RATIO)
		return ifx__error_set(p->job->err, IFX_ERR_MALFORMED,
				      "member '%s': %lld bytes from %lld compressed: a "
				      "decompression bomb, not read", name, (long long)out,
				      (long long)in);
	return IFX_OK;
}

static enum ifx_status put(struct tar_pass *p, const void *buf, size_t len)
{
	if (p->w == NULL || len == 0)
		return IFX_OK;
	if (archive_write_data(p->w, buf, len) != (la_ssize_t)len)
		return damaged(p, p->w, "cannot write the new archive");
	return IFX_OK;
}

/* The rest of the member's data, copied when writing, else skipped (a
 * bare tar seeks past it; a sparse member's holes are never filled in). */
static enum ifx_status stream_rest(struct tar_pass *p, const char *name)
{
	enum ifx_status st = IFX_OK;
	la_ssize_t n;

	if (p->w == NULL)
		return archive_read_data_skip(p->r) == ARCHIVE_OK ? IFX_OK
								  : damaged(p, p->r, name);
	while (st == IFX_OK && (n = archive_read_data(p->r, p->chunk, READ_CHUNK)) > 0)
		st = put(p, p->chunk, (size_t)n);
	if (st == IFX_OK && n < 0)
		st = damaged(p, p->r, name);
	return st;
}

static enum ifx_status spool_out(struct tar_pass *p, const struct spool *sp)
{
	enum ifx_status st = IFX_OK;
	uint64_t at = 0;

	if (sp->fd < 0)
		return put(p, sp->buf, (size_t)sp->size);
	while (st == IFX_OK && at < sp->size) {
		ssize_t n = pread(sp->fd, p->chunk, READ_CHUNK, (off_t)at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ifx__error_set_errno(p->job->err, n < 0 ? errno : EIO,
						    "cannot read a temporary file");
		st = put(p, p->chunk, (size_t)n);
		at += (uint64_t)n;
	}
	return st;
}

static enum ifx_status write_header(struct tar_pass *p, struct archive_entry *e)
{
	if (p->w != NULL && archive_write_header(p->w, e) < ARCHIVE_WARN)
		return damaged(p, p->w, "cannot write a header");
	return IFX_OK;
}

/* Where two spools differ: [*from, *to) (sizes equal). */
static bool differ(const struct spool *a, const struct spool *b, uint64_t *from, uint64_t *to)
{
	unsigned char x[READ_CHUNK], y[READ_CHUNK];
	bool any = false;

	*from = *to = 0;
	for (uint64_t off = 0; off < a->size;) {
		ssize_t n = ifx__spool_pread(a, x, sizeof(x), off);

		if (n <= 0 || ifx__spool_pread(b, y, (size_t)n, off) != n)
			return false;
		for (ssize_t i = 0; i < n; i++)
			if (x[i] != y[i]) {
				if (!any)
					*from = off + (uint64_t)i;
				*to = off + (uint64_t)i + 1;
				any = true;
			}
		off += (uint64_t)n;
	}
	return true;
}

/* A fix's first pass keeps each change (the new bytes move into it). */
static enum ifx_status collect_change(struct tar_pass *p, struct spool *in, struct spool *out)
{
	struct tar_change *c;

	if (out->size != in->size) {
		p->sizes_kept = false; /* the archive is rewritten: keep nothing */
		return IFX_OK;
	}
	if (p->nchanges == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		struct tar_change *grown = reallocarray(p->changes, cap, sizeof(*grown));

		if (grown == NULL)
			return ifx__error_set(p->job->err, IFX_ERR_NOMEM, "out of memory");
		p->changes = grown;
		p->cap = cap;
	}
	c = &p->changes[p->nchanges];
	memset(c, 0, sizeof(*c));
	c->header_pos = p->header_pos;
	c->size = in->size;
	c->head_len = in->size < sizeof(c->head) ? (size_t)in->size : sizeof(c->head);
	if (ifx__spool_pread(in, c->head, c->head_len, 0) != (ssize_t)c->head_len ||
	    !differ(in, out, &c->diff_from, &c->diff_to))
		return ifx__error_set_errno(p->job->err, errno ? errno : EIO,
					    "cannot read a temporary file");
	c->bytes = *out;
	ifx__spool_init(out, out->threshold, out->tmp_dirfd); /* moved */
	p->nchanges++;
	return IFX_OK;
}

/* A selected regular file: sniffed; an ELF one read whole and fixed. */
static enum ifx_status file_member(struct tar_pass *p, struct archive_entry *e,
				   struct ifx_member *m, bool *changed)
{
	struct archive_job *job = p->job;
	struct spool in, out;
	enum ifx_status st = IFX_OK;
	size_t head = 0;
	la_ssize_t n = 0;

	*changed = false;
	while (head < IFX_ARCHIVE_SNIFF &&
	       (n = archive_read_data(p->r, p->chunk + head, IFX_ARCHIVE_SNIFF - head)) > 0)
		head += (size_t)n;
	if (n < 0)
		return damaged(p, p->r, m->name);
	m->content = ifx__member_sniff(p->chunk, head);
	if (m->content != IFX_CONTENT_ELF) {
		st = write_header(p, e);
		if (st == IFX_OK)
			st = put(p, p->chunk, head);
		return st == IFX_OK ? stream_rest(p, m->name) : st;
	}
	ifx__spool_init(&in, job->opts.spool_threshold, job->tmp_dirfd);
	ifx__spool_init(&out, job->opts.spool_threshold, job->tmp_dirfd);
	st = ifx__spool_write(&in, p->chunk, head, job->err);
	while (st == IFX_OK && (n = archive_read_data(p->r, p->chunk, READ_CHUNK)) > 0) {
		st = ifx__spool_write(&in, p->chunk, (size_t)n, job->err);
		if (st == IFX_OK)
			st = bomb_check(p, m->name);
	}
	if (st == IFX_OK && n < 0)
		st = damaged(p, p->r, m->name);
	if (st == IFX_OK)
		st = ifx__member_elf(job, m, &in, &out, changed);
	if (st == IFX_OK && *changed && p->collect)
		st = collect_change(p, &in, &out);
	if (st == IFX_OK && *changed)
		archive_entry_set_size(e, (la_int64_t)out.size);
	if (st == IFX_OK)
		st = write_header(p, e);
	if (st == IFX_OK)
		st = spool_out(p, *changed ? &out : &in);
	ifx__spool_free(&in);
	ifx__spool_free(&out);
	return st;
}

static enum ifx_status one_entry(struct tar_pass *p, struct archive_entry *e, bool *changed)
{
	const char *name = archive_entry_pathname(e);
	enum ifx_member_type type = entry_type(e);
	const char *link = type == IFX_MEMBER_HARDLINK ? archive_entry_hardlink(e)
			   : type == IFX_MEMBER_SYMLINK ? archive_entry_symlink(e) : NULL;
	struct ifx_member *m;
	enum ifx_status st;

	*changed = false;
	if (name == NULL)
		return ifx__error_set(p->job->err, IFX_ERR_MALFORMED, "a member without a name");
	/* written again, its holes would be data: a 16 GiB sparse file stays
	 * a few blocks only if the writer keeps the map, which ours cannot */
	if (p->w != NULL && archive_entry_sparse_count(e) > 0)
		return ifx__error_set(p->job->err, IFX_ERR_UNSUPPORTED, "member '%s' is a sparse "
				      "file: rewriting the archive would fill in its holes", name);
	p->header_pos = (uint64_t)archive_read_header_position(p->r);
	m = ifx__member_add(p->job, name, type, (uint64_t)archive_entry_size(e),
			    (unsigned)archive_entry_mode(e), link, &st);
	if (m == NULL)
		return st;
	if (type == IFX_MEMBER_FILE && m->selected)
		return file_member(p, e, m, changed);
	st = write_header(p, e);
	return st == IFX_OK ? stream_rest(p, name) : st;
}

/* One pass over the archive: a scan, a fix's first pass (collect: plan
 * only, no writer), or a rewrite through libarchive (out_fd). */
static enum ifx_status tar_pass(struct tar_pass *pp, int in_fd, bool *wrote)
{
	struct tar_pass p = *pp;
	struct archive_job *job = p.job;
	struct tin *t = calloc(1, sizeof(*t));
	enum ifx_status st = IFX_OK;
	struct archive_entry *e;
	bool any_change = false;

	*wrote = false;
	p.r = archive_read_new();
	p.chunk = malloc(READ_CHUNK);
	if (t == NULL || p.r == NULL || p.chunk == NULL) {
		st = ifx__error_set(job->err, IFX_ERR_NOMEM, "out of memory");
		goto out;
	}
	t->fd = in_fd;
	archive_read_support_filter_gzip(p.r);
	archive_read_support_filter_xz(p.r);
	archive_read_support_filter_zstd(p.r);
	archive_read_support_filter_bzip2(p.r);
	archive_read_support_format_tar(p.r);
	archive_read_support_format_gnutar(p.r);
	if (archive_read_open2(p.r, t, NULL, tin_read, tin_skip, NULL) != ARCHIVE_OK) {
		st = damaged(&p, p.r, "a damaged tar archive");
		goto out;
	}
	for (bool first = true; st == IFX_OK; first = false) {
		int rc = archive_read_next_header(p.r, &e);
		bool changed;

		if (rc == ARCHIVE_EOF)
			break;
		if (rc < ARCHIVE_WARN) {
			st = damaged(&p, p.r, "a damaged tar archive");
			break;
		}
		if (first)
			st = open_writer(&p);
		if (st == IFX_OK)
			st = one_entry(&p, e, &changed);
		/* after each member: a bomb is stopped at the next one */
		if (st == IFX_OK)
			st = bomb_check(&p, archive_entry_pathname(e) ? archive_entry_pathname(e) : "");
		any_change = any_change || changed;
	}
	if (st == IFX_OK && job->out->format_name == NULL) /* no entry at all */
		st = open_writer(&p);
	if (st == IFX_OK && p.w != NULL && archive_write_close(p.w) != ARCHIVE_OK)
		st = damaged(&p, p.w, "cannot write the new archive");
	*wrote = st == IFX_OK && any_change;
	if (p.collect && st == IFX_OK) {
		int code = archive_filter_code(p.r, 0);

		/* only a bare tar or one gzip stream is spliced */
		if (archive_filter_count(p.r) > 2 ||
		    (code != ARCHIVE_FILTER_NONE && code != ARCHIVE_FILTER_GZIP))
			p.sizes_kept = false;
		pp->filter = code;
	}
out:
	if (p.w != NULL)
		archive_write_free(p.w);
	if (p.r != NULL)
		archive_read_free(p.r);
	free(p.chunk);
	free(t);
	pp->changes = p.changes;
	pp->nchanges = p.nchanges;
	pp->sizes_kept = p.sizes_kept;
	return st;
}

static void changes_free(struct tar_pass *p)
{
	for (size_t i = 0; i < p->nchanges; i++)
		ifx__spool_free(&p->changes[i].bytes);
	free(p->changes);
	p->changes = NULL;
	p->nchanges = p->cap = 0;
}

/*
 * A scan is one pass. A fix plans everything first without writing (so an
 * archive with nothing to change, or a refusal, costs no rewrite), then
 * splices the changes into a copy when their sizes stay (tar-splice.c), or
 * else rewrites the archive through libarchive in a second pass.
 */
enum ifx_status ifx__tar_run(struct archive_job *job, int in_fd, int out_fd, bool *wrote)
{
	struct tar_pass p = { .job = job, .out_fd = -1, .collect = out_fd >= 0, .sizes_kept = true };
	struct ifx_error local;
	enum ifx_status st;

	st = tar_pass(&p, in_fd, wrote);
	if (st != IFX_OK || out_fd < 0 || !*wrote) {
		changes_free(&p);
		return st;
	}
	if (p.sizes_kept && p.nchanges > 0) {
		st = ifx__tar_splice(in_fd, out_fd, p.filter == ARCHIVE_FILTER_GZIP,
				     p.changes, p.nchanges, &local);
		if (st != IFX_ERR_UNSUPPORTED) {
			if (st != IFX_OK && job->err != NULL)
				*job->err = local;
			changes_free(&p);
			*wrote = st == IFX_OK;
			return st;
		}
	}
	changes_free(&p);
	if (ftruncate(out_fd, 0) < 0 || lseek(out_fd, 0, SEEK_SET) < 0)
		return ifx__error_set_errno(job->err, errno, "cannot write the new archive");
	/* the second pass lists the members again */
	ifx_archive_result_free(job->out);
	job->cap = 0;
	p = (struct tar_pass){ .job = job, .out_fd = out_fd };
	return tar_pass(&p, in_fd, wrote);
}
