/*
 * Fixes without paths: plan on an fd or a buffer, describe the plan, apply
 * it from one fd to another or into a caller's buffer. What repairing a
 * member of an archive needs. The plan is exactly what ifx_fix_path would
 * do (the same resolver and safety checker, ifx__fix_plan); buffers go
 * through memfd_create, so one code path reads and writes every form.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

struct ifx_plan {
	struct patch_plan bytes;
	struct ifx_fix_report report;
	uint64_t in_size;       /* the input the plan was made for */
	struct stat in_st;      /* ... as it was then: a file written since is refused */
	bool from_memfd;
};

/* An anonymous file holding buf: the fd forms then serve buffers too. */
static enum ifx_status memfd_of(const void *buf, size_t size, int *fd_out,
				struct ifx_error *err)
{
	const unsigned char *p = buf;
	size_t done = 0;
	int fd = memfd_create("interpfix", MFD_CLOEXEC);

	*fd_out = -1;
	if (fd < 0)
		return ifx__error_set_errno(err, errno, "cannot create a memory file");
	while (done < size) {
		ssize_t n = write(fd, p + done, size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int saved = n < 0 ? errno : EIO;

			close(fd);
			return ifx__error_set_errno(err, saved, "cannot fill a memory file");
		}
		done += (size_t)n;
	}
	*fd_out = fd;
	return IFX_OK;
}

IFX_API enum ifx_status ifx_inspect_buffer(const void *buf, size_t size,
					   struct ifx_elf_info *info, struct ifx_error *err)
{
	enum ifx_status st;
	int fd;

	st = IFX__SIZED_OUT(info, err);
	if (st != IFX_OK)
		return st;
	st = memfd_of(buf, size, &fd, err);
	if (st != IFX_OK)
		return st;
	st = ifx_inspect_fd(fd, info, err);
	close(fd);
	return st;
}

IFX_API enum ifx_status ifx_plan_fd(int fd, const struct ifx_fix_options *opts,
				    struct ifx_plan **out, struct ifx_error *err)
{
	struct fix_options_in in;
	struct ifx_plan *plan;
	enum ifx_status st;
	struct stat sb;

	*out = NULL;
	ifx__error_clear(err);
	st = ifx__fix_options_in(&in, opts, err);
	if (st != IFX_OK)
		return st;
	if (in.opts.target != NULL && (st = ifx_check_target_path(in.opts.target, err)) != IFX_OK)
		return st;
	if (fstat(fd, &sb) < 0)
		return ifx__error_set_errno(err, errno, "cannot stat");
	if (!S_ISREG(sb.st_mode))
		return ifx__error_set(err, IFX_ERR_NOT_REGULAR, "is not a regular file");
	plan = calloc(1, sizeof(*plan));
	if (plan == NULL)
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	plan->in_size = (uint64_t)sb.st_size;
	plan->in_st = sb;
	plan->report.size = sizeof(plan->report);
	st = ifx__fix_plan(fd, &in.opts, &plan->report, &plan->bytes, err);
	/* a write while planning moved ctime: the plan may be of mixed bytes */
	if (st == IFX_OK && (fstat(fd, &sb) < 0 || !ifx__atomic_same_content_stat(&sb, &plan->in_st)))
		st = ifx__error_set(err, IFX_ERR_IO, "file changed while being planned");
	if (st != IFX_OK) {
		ifx_plan_free(plan);
		return st;
	}
	*out = plan;
	return IFX_OK;
}

IFX_API enum ifx_status ifx_plan_buffer(const void *buf, size_t size,
					const struct ifx_fix_options *opts,
					struct ifx_plan **out, struct ifx_error *err)
{
	enum ifx_status st;
	int fd;

	*out = NULL;
	st = memfd_of(buf, size, &fd, err);
	if (st != IFX_OK)
		return st;
	st = ifx_plan_fd(fd, opts, out, err);
	if (*out != NULL)
		(*out)->from_memfd = true;
	close(fd);
	return st;
}

IFX_API const struct ifx_fix_report *ifx_plan_report(const struct ifx_plan *plan)
{
	return &plan->report;
}

struct ifx_fix_report *ifx__plan_take_report(struct ifx_plan *plan)
{
	struct ifx_fix_report *report = malloc(sizeof(*report));

	if (report == NULL)
		return NULL;
	*report = plan->report;
	memset(&plan->report, 0, sizeof(plan->report));
	plan->report.size = sizeof(plan->report);
	return report;
}

IFX_API uint64_t ifx_plan_output_size(const struct ifx_plan *plan)
{
	return plan->report.result == IFX_FIX_CHANGED ? plan->bytes.new_size : plan->in_size;
}

/* in must be the input the plan was made for, still the same size (and,
 * for a real file, the same inode): a plan for other bytes is refused. */
static enum ifx_status check_input(const struct ifx_plan *plan, int in, struct ifx_error *err)
{
	struct stat sb;

	if (fstat(in, &sb) < 0)
		return ifx__error_set_errno(err, errno, "cannot stat the input");
	if ((uint64_t)sb.st_size != plan->in_size ||
	    (!plan->from_memfd && !ifx__atomic_same_content_stat(&sb, &plan->in_st)))
		return ifx__error_set(err, IFX_ERR_USAGE,
				      "the input is not the file the plan was made for");
	return IFX_OK;
}

IFX_API enum ifx_status ifx_plan_apply_fd(const struct ifx_plan *plan, int in, int out,
					  struct ifx_error *err)
{
	enum ifx_status st;

	ifx__error_clear(err);
	st = check_input(plan, in, err);
	if (st != IFX_OK)
		return st;
	if (ftruncate(out, 0) < 0 || lseek(out, 0, SEEK_SET) < 0)
		return ifx__error_set_errno(err, errno, "cannot write the output");
	st = ifx__file_copy_all(in, out, plan->in_size, err);
	if (st != IFX_OK)
		return st;
	if (plan->report.result != IFX_FIX_CHANGED)
		return IFX_OK; /* nothing to change: the output is the input */
	return ifx__patch_apply(out, in, &plan->bytes, err);
}

IFX_API enum ifx_status ifx_plan_apply_buffer(const struct ifx_plan *plan,
					      const void *in, size_t in_size,
					      void *out, size_t out_size, size_t *out_len,
					      struct ifx_error *err)
{
	uint64_t need = ifx_plan_output_size(plan);
	enum ifx_status st;
	int in_fd, out_fd;
	ssize_t n;

	*out_len = 0;
	if (need > out_size)
		return ifx__error_set(err, IFX_ERR_USAGE, "the output buffer holds %zu bytes, "
				      "the result needs %llu", out_size, (unsigned long long)need);
	st = memfd_of(in, in_size, &in_fd, err);
	if (st != IFX_OK)
		return st;
	out_fd = memfd_create("interpfix-out", MFD_CLOEXEC);
	if (out_fd < 0) {
		close(in_fd);
		return ifx__error_set_errno(err, errno, "cannot create a memory file");
	}
	st = in_size == plan->in_size ? ifx_plan_apply_fd(plan, in_fd, out_fd, err)
		: ifx__error_set(err, IFX_ERR_USAGE, "the input is not the buffer the plan was made for");
	if (st == IFX_OK) {
		n = pread(out_fd, out, (size_t)need, 0);
		if (n < 0 || (uint64_t)n != need)
			st = ifx__error_set_errno(err, n < 0 ? errno : EIO, "cannot read the result");
		else
			*out_len = (size_t)n;
	}
	close(in_fd);
	close(out_fd);
	return st;
}

IFX_API void ifx_plan_free(struct ifx_plan *plan)
{
	if (plan == NULL)
		return;
	ifx__patch_writes_free(&plan->bytes);
	ifx_fix_report_free(&plan->report);
	free(plan);
}
