/*
 * Zip archives through libzip. libzip reads the archive through a source of
 * ours over the original's fd, and writes the new one through the same
 * source into our temporary's fd, so the atomic writer (not libzip) decides
 * when it replaces anything. Unchanged members are copied in compressed
 * form with their extra fields, attributes and comments; a changed one gets
 * its data replaced and keeps its compression method and time.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zip.h>

#include "internal.h"

#define READ_CHUNK 65536
#define BOMB_SIZE (1ull << 30)  /* above this, a ratio beyond BOMB_RATIO is a bomb */
#define BOMB_RATIO 1000

/* ---- the source: read from in_fd, write to out_fd ----------------------- */

struct zio {
	int in_fd;
	zip_uint64_t in_size;
	zip_uint64_t pos;
	int out_fd;
	bool committed;
	zip_error_t error;
};

static zip_int64_t zio_fail(struct zio *z, int ze)
{
	zip_error_set(&z->error, ze, errno);
	return -1;
}

static zip_int64_t zio_write(struct zio *z, const void *data, zip_uint64_t len)
{
	const unsigned char *p = data;
	zip_uint64_t done = 0;

	while (done < len) {
		ssize_t n = write(z->out_fd, p + done, (size_t)(len - done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return zio_fail(z, ZIP_ER_WRITE);
		done += (zip_uint64_t)n;
	}
	return (zip_int64_t)len;
}

static zip_int64_t zio_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct zio *z = ud;
	ssize_t n;

	switch (cmd) {
	case ZIP_SOURCE_OPEN:
		z->pos = 0;
		return 0;
	case ZIP_SOURCE_READ:
		do
			n = pread(z->in_fd, data, (size_t)len, (off_t)z->pos);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return zio_fail(z, ZIP_ER_READ);
		z->pos += (zip_uint64_t)n;
		return n;
	case ZIP_SOURCE_CLOSE:
		return 0;
	case ZIP_SOURCE_STAT: {
		zip_stat_t *st = ZIP_SOURCE_GET_ARGS(zip_stat_t, data, len, &z->error);

		if (st == NULL)
			return -1;
		zip_stat_init(st);
		st->size = z->in_size;
		st->valid |= ZIP_STAT_SIZE;
		return sizeof(*st);
	}
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&z->error, data, len);
	case ZIP_SOURCE_SEEK: {
		zip_int64_t off = zip_source_seek_compute_offset(z->pos, z->in_size, data, len,
								 &z->error);
		if (off < 0)
			return -1;
		z->pos = (zip_uint64_t)off;
		return 0;
	}
	case ZIP_SOURCE_TELL:
		return (zip_int64_t)z->pos;
	case ZIP_SOURCE_FREE:
		return 0; /* z belongs to the caller */
	case ZIP_SOURCE_SUPPORTS:
		if (z->out_fd < 0)
			return ZIP_SOURCE_SUPPORTS_SEEKABLE;
		return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ,
			ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
			ZIP_SOURCE_SEEK, ZIP_SOURCE_TELL, ZIP_SOURCE_SUPPORTS,
			ZIP_SOURCE_BEGIN_WRITE, ZIP_SOURCE_WRITE, ZIP_SOURCE_COMMIT_WRITE,
			ZIP_SOURCE_ROLLBACK_WRITE, ZIP_SOURCE_SEEK_WRITE, ZIP_SOURCE_TELL_WRITE,
			ZIP_SOURCE_REMOVE, -1);
	case ZIP_SOURCE_BEGIN_WRITE:
		if (ftruncate(z->out_fd, 0) < 0 || lseek(z->out_fd, 0, SEEK_SET) < 0)
			return zio_fail(z, ZIP_ER_WRITE);
		return 0;
	case ZIP_SOURCE_WRITE:
		return zio_write(z, data, len);
	case ZIP_SOURCE_SEEK_WRITE: {
		zip_source_args_seek_t *a = ZIP_SOURCE_GET_ARGS(zip_source_args_seek_t, data, len,
								&z->error);
		if (a == NULL)
			return -1;
		if (lseek(z->out_fd, (off_t)a->offset, a->whence) < 0)
			return zio_fail(z, ZIP_ER_SEEK);
		return 0;
	}
	case ZIP_SOURCE_TELL_WRITE: {
		off_t at = lseek(z->out_fd, 0, SEEK_CUR);

		return at < 0 ? zio_fail(z, ZIP_ER_TELL) : (zip_int64_t)at;
	}
	case ZIP_SOURCE_COMMIT_WRITE:
		z->committed = true; /* the rename is the atomic writer's */
		return 0;
	case ZIP_SOURCE_ROLLBACK_WRITE:
		z->committed = false;
		return 0;
	case ZIP_SOURCE_REMOVE: /* an archive emptied: never, we only replace */
	default:
		zip_error_set(&z->error, ZIP_ER_OPNOTSUPP, 0);
		return -1;
	}
}

/* ---- members ------------------------------------------------------------ */

static enum ifx_member_type member_type(zip_t *za, zip_uint64_t i, const char *name,
					unsigned *mode)
{
	zip_uint8_t opsys = 0;
	zip_uint32_t attr = 0;
	size_t len = strlen(name);

	*mode = 0;
	if (zip_file_get_external_attributes(za, i, 0, &opsys, &attr) == 0 &&
	    opsys == ZIP_OPSYS_UNIX)
		*mode = attr >> 16;
	if (len > 0 && name[len - 1] == '/')
		return IFX_MEMBER_DIRECTORY;
	/* permission bits without a file type (Python's writestr) are a file,
	 * as unzip takes them */
	if ((*mode & S_IFMT) == 0 || S_ISREG(*mode))
		return IFX_MEMBER_FILE;
	if (S_ISLNK(*mode))
		return IFX_MEMBER_SYMLINK;
	if (S_ISDIR(*mode))
		return IFX_MEMBER_DIRECTORY;
	return IFX_MEMBER_OTHER;
}

static enum ifx_status zip_broken(struct archive_job *job, const char *name, zip_file_t *zf)
{
	return ifx__error_set(job->err, IFX_ERR_MALFORMED, "member '%s' cannot be read: %s",
			      name, zip_file_strerror(zf));
}

/* ---- a changed member's data, compressed by us ------------------------------ */

/* A source of bytes already deflated: libzip copies them as they are. */
struct zraw {
	struct spool data;
	uint64_t pos;
	uint64_t size;   /* uncompressed */
	uint32_t crc;
	zip_error_t error;
};

static zip_int64_t zraw_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct zraw *z = ud;
	ssize_t n;

	switch (cmd) {
	case ZIP_SOURCE_OPEN:
		z->pos = 0;
		return 0;
	case ZIP_SOURCE_READ:
		n = ifx__spool_pread(&z->data, data, (size_t)len, z->pos);
		if (n < 0) {
			zip_error_set(&z->error, ZIP_ER_READ, errno);
			return -1;
		}
		z->pos += (uint64_t)n;
		return n;
	case ZIP_SOURCE_CLOSE:
		return 0;
	case ZIP_SOURCE_STAT: {
		zip_stat_t *st = ZIP_SOURCE_GET_ARGS(zip_stat_t, data, len, &z->error);

		if (st == NULL)
			return -1;
		zip_stat_init(st);
		st->size = z->size;
		st->comp_size = z->data.size;
		st->crc = z->crc;
		st->comp_method = ZIP_CM_DEFLATE;
		st->encryption_method = ZIP_EM_NONE;
		st->valid |= ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_CRC |
			     ZIP_STAT_COMP_METHOD | ZIP_STAT_ENCRYPTION_METHOD;
		return sizeof(*st);
	}
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&z->error, data, len);
	case ZIP_SOURCE_FREE:
		ifx__spool_free(&z->data);
		zip_error_fini(&z->error);
		free(z);
		return 0;
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ,
			ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
	default:
		zip_error_set(&z->error, ZIP_ER_OPNOTSUPP, 0);
		return -1;
	}
}

/* The member's original compressed bytes, for the splice. */
static bool read_compressed(struct archive_job *job, zip_t *za, zip_uint64_t i,
			    struct spool *comp)
{
	unsigned char buf[READ_CHUNK];
	zip_file_t *zf = zip_fopen_index(za, i, ZIP_FL_COMPRESSED);
	zip_int64_t n = 0;
	bool ok = zf != NULL;

	while (ok && (n = zip_fread(zf, buf, sizeof(buf))) > 0)
		ok = ifx__spool_write(comp, buf, (size_t)n, job->err) == IFX_OK;
	if (zf != NULL)
		zip_fclose(zf);
	return ok && n == 0;
}

static zip_source_t *deflated_source(struct archive_job *job, zip_t *za, zip_uint64_t i,
				     const struct spool *old_bytes, const struct spool *new_bytes,
				     enum ifx_status *status)
{
	struct zraw *z = calloc(1, sizeof(*z));
	struct spool comp;
	zip_source_t *zs;
	zip_error_t ze;
	bool spliced;

	if (z == NULL) {
		*status = ifx__error_set(job->err, IFX_ERR_NOMEM, "out of memory");
		return NULL;
	}
	zip_error_init(&z->error);
	ifx__spool_init(&z->data, job->opts.spool_threshold, job->tmp_dirfd);
	ifx__spool_init(&comp, job->opts.spool_threshold, job->tmp_dirfd);
	z->size = new_bytes->size;
	*status = IFX_OK;
	/* the splice needs the old stream, and only pays when the size stays */
	if (old_bytes->size == new_bytes->size && !read_compressed(job, za, i, &comp))
		ifx__spool_free(&comp);
	*status = ifx__zip_deflate(job, comp.size > 0 ? &comp : NULL, old_bytes, new_bytes,
				   &z->data, &z->crc, &spliced);
	ifx__spool_free(&comp);
	zip_error_init(&ze);
	zs = *status == IFX_OK ? zip_source_function_create(zraw_cb, z, &ze) : NULL;
	zip_error_fini(&ze);
	if (zs == NULL) {
		if (*status == IFX_OK)
			*status = ifx__error_set(job->err, IFX_ERR_NOMEM, "out of memory");
		ifx__spool_free(&z->data);
		zip_error_fini(&z->error);
		free(z);
	}
	return zs;
}

/* A stored (or other-method) member's new bytes, for libzip to write. */
static zip_source_t *plain_source(struct archive_job *job, zip_t *za, struct spool *sp,
				  enum ifx_status *status)
{
	zip_source_t *zs;

	*status = IFX_OK;
	if (sp->fd >= 0) {
		FILE *f = fdopen(sp->fd, "rb");

		if (f == NULL) {
			*status = ifx__error_set_errno(job->err, errno, "cannot read a temporary file");
			return NULL;
		}
		sp->fd = -1; /* the FILE and then libzip own it */
		zs = zip_source_filep(za, f, 0, -1);
		if (zs == NULL)
			fclose(f);
	} else {
		zs = zip_source_buffer(za, sp->buf, sp->size, 1);
		if (zs != NULL)
			sp->buf = NULL; /* libzip frees it */
	}
	if (zs == NULL)
		*status = ifx__error_set(job->err, IFX_ERR_NOMEM, "%s", zip_strerror(za));
	return zs;
}

/* The new bytes of member i replace its data; the method and time stay. */
static enum ifx_status replace(struct archive_job *job, zip_t *za, zip_uint64_t i,
			       const zip_stat_t *st, const struct spool *old_bytes,
			       struct spool *sp)
{
	bool deflated = st->comp_method == ZIP_CM_DEFLATE;
	enum ifx_status status;
	zip_source_t *zs;

	zs = deflated ? deflated_source(job, za, i, old_bytes, sp, &status)
		      : plain_source(job, za, sp, &status);
	if (zs == NULL)
		return status;
	if (zip_file_replace(za, i, zs, 0) < 0) {
		zip_source_free(zs);
		return ifx__error_set(job->err, IFX_ERR_IO, "cannot replace member '%s': %s",
				      st->name, zip_strerror(za));
	}
	if (!deflated && zip_set_file_compression(za, i, (zip_int32_t)st->comp_method, 0) < 0)
		return ifx__error_set(job->err, IFX_ERR_UNSUPPORTED,
				      "member '%s': cannot write its compression method %u: %s",
				      st->name, st->comp_method, zip_strerror(za));
	if ((st->valid & ZIP_STAT_MTIME) && zip_file_set_mtime(za, i, st->mtime, 0) < 0)
		return ifx__error_set(job->err, IFX_ERR_IO, "member '%s': cannot keep its time: %s",
				      st->name, zip_strerror(za));
	return IFX_OK;
}

/* A symlink member's content is its target (NULL: unreadable or absurd). */
static char *link_target(zip_t *za, zip_uint64_t i, const zip_stat_t *st)
{
	zip_file_t *zf;
	char *target;
	zip_int64_t n;

	if (st->size == 0 || st->size >= 4096 || (zf = zip_fopen_index(za, i, 0)) == NULL)
		return NULL;
	target = malloc((size_t)st->size + 1);
	n = target != NULL ? zip_fread(zf, target, st->size) : -1;
	zip_fclose(zf);
	if (n != (zip_int64_t)st->size || memchr(target, '\0', (size_t)n) != NULL) {
		free(target);
		return NULL;
	}
	target[n] = '\0';
	return target;
}

/* Read a selected file member: sniff it, and an ELF one whole. */
static enum ifx_status read_member(struct archive_job *job, zip_t *za, zip_uint64_t i,
				   const zip_stat_t *st, struct ifx_member *m, bool *changed)
{
	unsigned char *chunk = NULL;
	struct spool in, out;
	enum ifx_status status = IFX_OK;
	zip_int64_t n, head_len = 0;
	zip_file_t *zf;

	*changed = false;
	if ((st->valid & ZIP_STAT_ENCRYPTION_METHOD) && st->encryption_method != ZIP_EM_NONE) {
		ifx__member_fail(m, IFX_ERR_UNSUPPORTED, "encrypted: it cannot be read without "
				 "the password", "decrypt the archive, fix it, encrypt it again");
		return ifx__member_failed(job, m);
	}
	if (st->size > BOMB_SIZE && st->size / (st->comp_size ? st->comp_size : 1) > BOMB_RATIO)
		return ifx__error_set(job->err, IFX_ERR_MALFORMED, "member '%s' claims %llu bytes "
				      "from %llu compressed: a zip bomb, not read", st->name,
				      (unsigned long long)st->size,
				      (unsigned long long)st->comp_size);
	zf = zip_fopen_index(za, i, 0);
	if (zf == NULL)
		return ifx__error_set(job->err, IFX_ERR_MALFORMED, "member '%s' cannot be read: %s",
				      st->name, zip_strerror(za));
	chunk = malloc(READ_CHUNK);
	ifx__spool_init(&in, job->opts.spool_threshold, job->tmp_dirfd);
	ifx__spool_init(&out, job->opts.spool_threshold, job->tmp_dirfd);
	if (chunk == NULL) {
		status = ifx__error_set(job->err, IFX_ERR_NOMEM, "out of memory");
		goto done;
	}
	while (head_len < IFX_ARCHIVE_SNIFF &&
	       (n = zip_fread(zf, chunk + head_len, IFX_ARCHIVE_SNIFF - (zip_uint64_t)head_len)) > 0)
		head_len += n;
	if (head_len < IFX_ARCHIVE_SNIFF && n < 0) {
		status = zip_broken(job, st->name, zf);
		goto done;
	}
	m->content = ifx__member_sniff(chunk, (size_t)head_len);
	if (m->content != IFX_CONTENT_ELF)
		goto done;
	status = ifx__spool_write(&in, chunk, (size_t)head_len, job->err);
	/* to the end, where libzip checks the size and the CRC */
	while (status == IFX_OK && (n = zip_fread(zf, chunk, READ_CHUNK)) > 0) {
		if (in.size + (zip_uint64_t)n > st->size) {
			status = ifx__error_set(job->err, IFX_ERR_MALFORMED,
						"member '%s' holds more than its size", st->name);
			break;
		}
		status = ifx__spool_write(&in, chunk, (size_t)n, job->err);
	}
	if (status == IFX_OK && n < 0)
		status = zip_broken(job, st->name, zf);
	if (status == IFX_OK)
		status = ifx__member_elf(job, m, &in, &out, changed);
	if (status == IFX_OK && *changed)
		status = replace(job, za, i, st, &in, &out);
done:
	zip_fclose(zf);
	free(chunk);
	ifx__spool_free(&in);
	ifx__spool_free(&out);
	return status;
}

enum ifx_status ifx__zip_run(struct archive_job *job, int in_fd, int out_fd, bool *wrote)
{
	struct zio io = { .in_fd = in_fd, .out_fd = out_fd };
	enum ifx_status status = IFX_OK;
	bool any_change = false;
	zip_source_t *src;
	zip_int64_t count;
	zip_error_t ze;
	struct stat sb;
	zip_t *za;

	*wrote = false;
	if (fstat(in_fd, &sb) < 0)
		return ifx__error_set_errno(job->err, errno, "cannot stat");
	io.in_size = (zip_uint64_t)sb.st_size;
	zip_error_init(&io.error);
	zip_error_init(&ze);
	job->out->format_name = strdup("zip");
	src = zip_source_function_create(zio_cb, &io, &ze);
	if (src == NULL || job->out->format_name == NULL) {
		zip_source_free(src);
		return ifx__error_set(job->err, IFX_ERR_NOMEM, "out of memory");
	}
	/* not ZIP_CHECKCONS: it rejects the data descriptors bsdtar writes */
	za = zip_open_from_source(src, out_fd < 0 ? ZIP_RDONLY : 0, &ze);
	if (za == NULL) {
		status = ifx__error_set(job->err, IFX_ERR_MALFORMED, "a damaged zip archive: %s",
					zip_error_strerror(&ze));
		zip_source_free(src);
		zip_error_fini(&ze);
		zip_error_fini(&io.error);
		return status;
	}
	count = zip_get_num_entries(za, 0);
	if (count > IFX_ARCHIVE_MAX_MEMBERS)
		status = ifx__error_set(job->err, IFX_ERR_MALFORMED, "%lld members: more than %d, "
					"not an archive to trust", (long long)count,
					IFX_ARCHIVE_MAX_MEMBERS);
	for (zip_int64_t i = 0; i < count && status == IFX_OK; i++) {
		struct ifx_member *m;
		unsigned mode;
		bool changed;
		zip_stat_t st;

		if (zip_stat_index(za, (zip_uint64_t)i, ZIP_FL_ENC_RAW, &st) < 0) {
			status = ifx__error_set(job->err, IFX_ERR_MALFORMED,
						"member %lld cannot be read: %s", (long long)i,
						zip_strerror(za));
			break;
		}
		enum ifx_member_type type = member_type(za, (zip_uint64_t)i, st.name, &mode);

		char *target = type == IFX_MEMBER_SYMLINK ? link_target(za, (zip_uint64_t)i, &st) : NULL;

		m = ifx__member_add(job, st.name, type, st.size, mode, target, &status);
		free(target);
		if (m == NULL || type != IFX_MEMBER_FILE || !m->selected)
			continue;
		status = read_member(job, za, (zip_uint64_t)i, &st, m, &changed);
		any_change = any_change || changed;
	}
	if (status == IFX_OK)
		status = ifx__member_check_names(job);
	if (status == IFX_OK && out_fd >= 0 && any_change) {
		if (zip_close(za) < 0) {
			status = ifx__error_set(job->err, IFX_ERR_IO, "cannot write the new archive: %s",
						zip_strerror(za));
			zip_discard(za);
		}
		*wrote = status == IFX_OK && io.committed;
	} else {
		zip_discard(za);
	}
	zip_error_fini(&ze);
	zip_error_fini(&io.error);
	return status;
}
