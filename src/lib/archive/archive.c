/*
 * ifx_archive_scan and ifx_archive_fix: the formats (archive-zip.c,
 * archive-tar.c) walk the members; this file sets up the job, and for a fix
 * writes the new archive to a sibling temporary that replaces the original
 * (or the output) only when every member went right.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define SPOOL_THRESHOLD_DEFAULT (16u << 20)

static enum ifx_status job_init(struct archive_job *job, const struct ifx_archive_options *given,
				bool fixing, struct ifx_archive_result *out, struct ifx_error *err)
{
	enum ifx_status st;

	memset(job, 0, sizeof(*job));
	job->err = err;
	job->out = out;
	job->fixing = fixing;
	job->tmp_dirfd = AT_FDCWD;
	st = IFX__SIZED_OUT(out, err);
	if (st == IFX_OK)
		st = IFX__SIZED_IN(job->opts, given, err);
	if (st == IFX_OK && job->opts.member_count > 0 && job->opts.members == NULL)
		st = ifx__error_set(err, IFX_ERR_USAGE, "member_count without members");
	if (st == IFX_OK && fixing) {
		st = ifx__fix_options_in(&job->fix, job->opts.fix, err);
		if (st == IFX_OK && job->fix.opts.target != NULL)
			st = ifx_check_target_path(job->fix.opts.target, err);
	}
	if (job->opts.spool_threshold == 0)
		job->opts.spool_threshold = SPOOL_THRESHOLD_DEFAULT;
	return st;
}

static enum ifx_status run_format(struct archive_job *job, enum ifx_archive_format format,
				  int in_fd, int out_fd, bool *wrote)
{
	enum ifx_status st;

	job->out->format = format;
	if (format == IFX_ARCHIVE_ZIP)
		st = ifx__zip_run(job, in_fd, out_fd, wrote);
	else
		st = ifx__tar_run(job, in_fd, out_fd, wrote);
	if (st == IFX_OK)
		st = ifx__member_check_names(job);
	return st;
}

static enum ifx_status not_an_archive(struct ifx_error *err)
{
	return ifx__error_set(err, IFX_ERR_NOT_ELF, "neither an ELF file nor a zip or tar archive");
}

IFX_API enum ifx_status ifx_archive_scan(int fd, const struct ifx_archive_options *opts,
					 struct ifx_archive_result *out, struct ifx_error *caller_err)
{
	struct ifx_error local, *err = caller_err != NULL ? caller_err : &local;
	enum ifx_archive_format format;
	struct archive_job job;
	enum ifx_status st;
	bool wrote = false;

	ifx__error_clear(err);
	st = job_init(&job, opts, false, out, err);
	if (st != IFX_OK)
		return st;
	format = ifx_archive_detect(fd);
	if (format == IFX_ARCHIVE_NONE)
		return not_an_archive(err);
	/* on failure the members read so far stay for the caller */
	return run_format(&job, format, fd, -1, &wrote);
}

/* Where the new archive goes: over the original, or at opts->output. */
struct destination {
	int dirfd;
	bool own_dirfd;
	char *name;
};

static enum ifx_status destination_open(int dirfd, const char *path, struct destination *d,
					struct ifx_error *err)
{
	const char *slash = strrchr(path, '/');

	d->dirfd = dirfd;
	d->own_dirfd = false;
	d->name = strdup(slash != NULL ? slash + 1 : path);
	if (d->name == NULL)
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	if (d->name[0] == '\0')
		return ifx__error_set(err, IFX_ERR_USAGE, "the output names a directory");
	if (slash != NULL) {
		char *dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));

		if (dir == NULL)
			return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
		d->dirfd = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		free(dir);
		if (d->dirfd < 0)
			return ifx__error_set_errno(err, errno, "cannot open the directory to write in");
		d->own_dirfd = true;
	}
	return IFX_OK;
}

static void destination_close(struct destination *d)
{
	if (d->own_dirfd)
		close(d->dirfd);
	free(d->name);
}

IFX_API enum ifx_status ifx_archive_fix(int dirfd, const char *path,
					const struct ifx_archive_options *opts,
					struct ifx_archive_result *out, struct ifx_error *caller_err)
{
	struct ifx_error local, *err = caller_err != NULL ? caller_err : &local;
	struct destination dest = { .dirfd = AT_FDCWD };
	enum ifx_archive_format format;
	struct atomic_file af = { .tmp_fd = -1 };
	struct archive_job job;
	enum ifx_status st;
	bool wrote = false;
	int fd = -1;

	ifx__error_clear(err);
	st = job_init(&job, opts, true, out, err);
	if (st != IFX_OK)
		return st;
	st = ifx_open_regular(dirfd, path, true, &fd, err);
	if (st != IFX_OK)
		return st;
	format = ifx_archive_detect(fd);
	if (format == IFX_ARCHIVE_NONE) {
		close(fd);
		return not_an_archive(err);
	}
	if (job.opts.output != NULL) {
		st = destination_open(dirfd, job.opts.output, &dest, err);
	} else {
		/* a symlink stays a link: the archive it points to is replaced */
		struct stat sb;
		char *real = NULL;

		if (fstatat(dirfd, path, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(sb.st_mode)) {
			real = dirfd == AT_FDCWD || path[0] == '/' ? realpath(path, NULL) : NULL;
			if (real == NULL)
				st = ifx__error_set_errno(err, errno ? errno : ENOTSUP,
							  "cannot resolve the symbolic link");
		}
		if (st == IFX_OK)
			st = destination_open(dirfd, real != NULL ? real : path, &dest, err);
		free(real);
	}
	if (st == IFX_OK && job.fix.opts.dry_run) {
		st = run_format(&job, format, fd, -1, &wrote);
		goto out;
	}
	if (st == IFX_OK) {
		job.tmp_dirfd = dest.dirfd;
		st = ifx__atomic_file_create(&af, dest.dirfd, dest.name, fd, job.opts.output != NULL, err);
	}
	if (st == IFX_OK)
		st = run_format(&job, format, fd, af.tmp_fd, &wrote);
	if (st == IFX_OK && wrote) {
		st = ifx__atomic_file_commit(&af, err);
		out->written = st == IFX_OK;
	}
out:
	if (st != IFX_OK)
		out->changed = 0; /* nothing was written */
	ifx__atomic_file_abort(&af);
	destination_close(&dest);
	close(fd);
	return st;
}

void ifx_archive_result_free(struct ifx_archive_result *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->count; i++) {
		struct ifx_member *m = r->members[i];

		free(m->name);
		free(m->link_target);
		free(m->message);
		free(m->advice);
		ifx_elf_info_free(m->info);
		free(m->info);
		ifx_fix_report_free(m->report);
		free(m->report);
		free(m);
	}
	free(r->members);
	free(r->format_name);
	IFX__SIZED_CLEAR(r);
}

IFX_API const char *ifx_member_type_name(enum ifx_member_type type)
{
	switch (type) {
	case IFX_MEMBER_FILE: return "file";
	case IFX_MEMBER_DIRECTORY: return "directory";
	case IFX_MEMBER_SYMLINK: return "symlink";
	case IFX_MEMBER_HARDLINK: return "hardlink";
	case IFX_MEMBER_OTHER: return "other";
	}
	return "unknown";
}
