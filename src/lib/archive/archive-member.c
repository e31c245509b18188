/*
 * What every archive format shares: the list of members, the checks on
 * their names, telling ELF files apart, and fixing one ELF member with
 * exactly the plan a file would get (ifx_plan_*: resolver and safety
 * checker included). The bytes come and go through spools, so a member
 * larger than the threshold never sits in memory.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* ---- spools ------------------------------------------------------------- */

void ifx__spool_init(struct spool *sp, uint64_t threshold, int tmp_dirfd)
{
	memset(sp, 0, sizeof(*sp));
	sp->fd = -1;
	sp->threshold = threshold;
	sp->tmp_dirfd = tmp_dirfd;
}

/* An unlinked temporary file: O_TMPFILE where the archive is (same
 * filesystem, never visible), else mkstemp in TMPDIR, unlinked at once. */
static int spool_tmpfile(int dirfd)
{
	const char *tmpdir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (dirfd != AT_FDCWD) {
		fd = openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (fd >= 0)
			return fd;
	}
	fd = open(tmpdir != NULL && tmpdir[0] == '/' ? tmpdir : "/tmp",
		  O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	snprintf(path, sizeof(path), "%s/interpfix-spool-XXXXXX",
		 tmpdir != NULL && tmpdir[0] == '/' ? tmpdir : "/tmp");
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	return fd;
}

static enum ifx_status write_all(int fd, const void *bytes, size_t len, off_t at,
				 struct ifx_error *err)
{
	const unsigned char *p = bytes;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ifx__error_set_errno(err, n < 0 ? errno : EIO,
						    "cannot write a temporary file");
		p += n;
		at += n;
		len -= (size_t)n;
	}
	return IFX_OK;
}

enum ifx_status ifx__spool_write(struct spool *sp, const void *bytes, size_t len,
				 struct ifx_error *err)
{
	enum ifx_status st;

	if (sp->fd < 0 && sp->size + len > sp->threshold) {
		/* too big for memory: move what we have to a file */
		sp->fd = spool_tmpfile(sp->tmp_dirfd);
		if (sp->fd < 0)
			return ifx__error_set_errno(err, errno, "cannot create a temporary file");
		st = write_all(sp->fd, sp->buf, (size_t)sp->size, 0, err);
		free(sp->buf);
		sp->buf = NULL;
		sp->cap = 0;
		if (st != IFX_OK)
			return st;
	}
	if (sp->fd >= 0) {
		st = write_all(sp->fd, bytes, len, (off_t)sp->size, err);
		if (st == IFX_OK)
			sp->size += len;
		return st;
	}
	if (sp->size + len > sp->cap) {
		size_t cap = sp->cap ? sp->cap : 65536;
		unsigned char *grown;

		while (cap < sp->size + len)
			cap *= 2;
		grown = realloc(sp->buf, cap);
		if (grown == NULL)
			return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
		sp->buf = grown;
		sp->cap = cap;
	}
	memcpy(sp->buf + sp->size, bytes, len);
	sp->size += len;
	return IFX_OK;
}

ssize_t ifx__spool_pread(const struct spool *sp, void *buf, size_t len, uint64_t off)
{
	ssize_t n;

	if (off >= sp->size)
		return 0;
	if (len > sp->size - off)
		len = (size_t)(sp->size - off);
	if (sp->fd < 0) {
		memcpy(buf, sp->buf + off, len);
		return (ssize_t)len;
	}
	do
		n = pread(sp->fd, buf, len, (off_t)off);
	while (n < 0 && errno == EINTR);
	return n;
}

void ifx__spool_free(struct spool *sp)
{
	free(sp->buf);
	if (sp->fd >= 0)
		close(sp->fd);
	ifx__spool_init(sp, sp->threshold, sp->tmp_dirfd);
}

/* ---- members ------------------------------------------------------------ */

/* Absolute, or a ".." component: no real tool writes such a name, and an
 * extractor that trusts it writes outside its directory. */
static bool unsafe_name(const char *name)
{
	const char *p = name;

	if (name[0] == '/' || name[0] == '\0')
		return true;
	while (*p != '\0') {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return true;
		p += n;
		if (*p == '/')
			p++;
	}
	return false;
}

struct ifx_member *ifx__member_add(struct archive_job *job, const char *name,
				   enum ifx_member_type type, uint64_t size, unsigned mode,
				   const char *link_target, enum ifx_status *st)
{
	struct ifx_archive_result *r = job->out;
	struct ifx_member *m;

	if (r->count >= IFX_ARCHIVE_MAX_MEMBERS) {
		*st = ifx__error_set(job->err, IFX_ERR_MALFORMED,
				     "more than %d members: not an archive to trust",
				     IFX_ARCHIVE_MAX_MEMBERS);
		return NULL;
	}
	if (unsafe_name(name)) {
		*st = ifx__error_set(job->err, IFX_ERR_MALFORMED, "member name '%s' is %s",
				     name, name[0] == '/' ? "absolute" :
				     name[0] == '\0' ? "empty" : "climbing out with '..'");
		ifx__error_advise(job->err, "rebuild the archive with relative names; "
				  "interpfix never extracts, but an unpacker would write outside");
		return NULL;
	}
	if (r->count == job->cap) {
		size_t cap = job->cap ? job->cap * 2 : 64;
		struct ifx_member **grown = reallocarray(r->members, cap, sizeof(*grown));

		if (grown == NULL)
			goto nomem;
		r->members = grown;
		job->cap = cap;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		goto nomem;
	m->name = strdup(name);
	m->link_target = link_target != NULL ? strdup(link_target) : NULL;
	if (m->name == NULL || (link_target != NULL && m->link_target == NULL)) {
		free(m->name);
		free(m->link_target);
		free(m);
		goto nomem;
	}
	m->type = type;
	m->size = size;
	m->mode = mode;
	m->selected = ifx__member_selected(job, name);
	r->members[r->count++] = m;
	*st = IFX_OK;
	return m;
nomem:
	*st = ifx__error_set(job->err, IFX_ERR_NOMEM, "out of memory");
	return NULL;
}

bool ifx__member_selected(const struct archive_job *job, const char *name)
{
	if (job->opts.member_count == 0)
		return true;
	for (size_t i = 0; i < job->opts.member_count; i++)
		if (fnmatch(job->opts.members[i], name, 0) == 0)
			return true;
	return false;
}

enum ifx_member_content ifx__member_sniff(const unsigned char *head, size_t len)
{
	bool compressed;

	if (len >= 4 && memcmp(head, "\177ELF", 4) == 0)
		return IFX_CONTENT_ELF;
	/* a compressed file inside is only an archive when it is a tar, which
	 * takes decompressing to tell: report only what is certain */
	if (ifx__archive_magic(head, len, &compressed) != IFX_ARCHIVE_NONE && !compressed)
		return IFX_CONTENT_ARCHIVE;
	return IFX_CONTENT_OTHER;
}

void ifx__member_fail(struct ifx_member *m, enum ifx_status status, const char *message,
		      const char *advice)
{
	if (m->status != IFX_OK)
		return;
	m->status = status;
	m->message = strdup(message);
	m->advice = advice != NULL && advice[0] != '\0' ? strdup(advice) : NULL;
}

static enum ifx_status member_inspect(struct archive_job *job, struct ifx_member *m,
				      struct spool *in)
{
	struct ifx_error e;
	enum ifx_status st;

	m->info = calloc(1, sizeof(*m->info));
	if (m->info == NULL)
		return ifx__error_set(job->err, IFX_ERR_NOMEM, "out of memory");
	m->info->size = sizeof(*m->info);
	st = in->fd >= 0 ? ifx_inspect_fd(in->fd, m->info, &e)
			 : ifx_inspect_buffer(in->buf, (size_t)in->size, m->info, &e);
	if (st == IFX_OK)
		return IFX_OK;
	free(m->info);
	m->info = NULL;
	ifx__member_fail(m, st, e.message, e.advice);
	return st;
}

/* A refusal or error of one member (m->status): recorded; it stops a fix
 * unless keep_going, and then job->err says which member. */
enum ifx_status ifx__member_failed(struct archive_job *job, struct ifx_member *m)
{
	if (m->status == IFX_ERR_NOMEM)
		return ifx__error_set(job->err, IFX_ERR_NOMEM, "out of memory");
	if (!job->fixing)
		return IFX_OK; /* a scan reports it */
	if (job->opts.keep_going) {
		m->left = true;
		job->out->left++;
		return IFX_OK;
	}
	ifx__error_set(job->err, m->status, "%s: %s", m->name, m->message);
	if (m->advice != NULL)
		ifx__error_advise(job->err, "%s", m->advice);
	return m->status;
}

/* The plan's result into out: a buffer for a buffer, a file for a file. */
static enum ifx_status member_apply(const struct ifx_plan *plan, struct spool *in,
				    struct spool *out, struct ifx_error *e)
{
	uint64_t need = ifx_plan_output_size(plan);
	size_t len = 0;
	enum ifx_status st;

	if (in->fd >= 0) {
		out->fd = spool_tmpfile(out->tmp_dirfd);
		if (out->fd < 0)
			return ifx__error_set_errno(e, errno, "cannot create a temporary file");
		st = ifx_plan_apply_fd(plan, in->fd, out->fd, e);
		if (st == IFX_OK)
			out->size = need;
		return st;
	}
	out->buf = malloc(need ? (size_t)need : 1);
	if (out->buf == NULL)
		return ifx__error_set(e, IFX_ERR_NOMEM, "out of memory");
	out->cap = (size_t)need;
	st = ifx_plan_apply_buffer(plan, in->buf, (size_t)in->size, out->buf, (size_t)need, &len, e);
	if (st == IFX_OK)
		out->size = len;
	return st;
}

enum ifx_status ifx__member_elf(struct archive_job *job, struct ifx_member *m,
				struct spool *in, struct spool *out, bool *changed)
{
	struct ifx_plan *plan = NULL;
	struct ifx_error e;
	enum ifx_status st;

	*changed = false;
	m->content = IFX_CONTENT_ELF;
	job->out->elf++;
	if (!job->fixing) {
		st = member_inspect(job, m, in);
		return st == IFX_ERR_NOMEM ? ifx__member_failed(job, m) : IFX_OK;
	}
	st = in->fd >= 0 ? ifx_plan_fd(in->fd, &job->fix.opts, &plan, &e)
			 : ifx_plan_buffer(in->buf, (size_t)in->size, &job->fix.opts, &plan, &e);
	if (st == IFX_OK) {
		const struct ifx_fix_report *rep = ifx_plan_report(plan);

		if (rep->result == IFX_FIX_CHANGED && !job->fix.opts.dry_run) {
			ifx__spool_init(out, in->threshold, in->tmp_dirfd);
			st = member_apply(plan, in, out, &e);
			*changed = st == IFX_OK;
		}
		if (rep->result == IFX_FIX_CHANGED && st == IFX_OK)
			job->out->changed++;
		/* the report, and the member's facts as the plan read them */
		m->report = ifx__plan_take_report(plan);
		if (m->report == NULL && st == IFX_OK)
			st = ifx__error_set(&e, IFX_ERR_NOMEM, "out of memory");
		if (m->report != NULL) {
			m->info = m->report->info;
			m->report->info = NULL;
		}
	}
	if (st != IFX_OK) {
		ifx__member_fail(m, st, e.message, e.advice);
		ifx__spool_free(out);
		*changed = false;
	}
	ifx_plan_free(plan);
	return st == IFX_OK ? IFX_OK : ifx__member_failed(job, m);
}

static int by_name(const void *a, const void *b)
{
	const struct ifx_member *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

enum ifx_status ifx__member_check_names(struct archive_job *job)
{
	struct ifx_archive_result *r = job->out;
	struct ifx_member **sorted;
	enum ifx_status st = IFX_OK;

	if (r->count < 2)
		return IFX_OK;
	sorted = reallocarray(NULL, r->count, sizeof(*sorted));
	if (sorted == NULL)
		return ifx__error_set(job->err, IFX_ERR_NOMEM, "out of memory");
	memcpy(sorted, r->members, r->count * sizeof(*sorted));
	qsort(sorted, r->count, sizeof(*sorted), by_name);
	for (size_t i = 1; i < r->count; i++) {
		if (strcmp(sorted[i - 1]->name, sorted[i]->name) == 0) {
			st = ifx__error_set(job->err, IFX_ERR_MALFORMED,
					    "member name '%s' appears twice: which one an "
					    "unpacker keeps is up to it", sorted[i]->name);
			break;
		}
	}
	free(sorted);
	return st;
}
