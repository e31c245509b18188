/* ifx_fix_path: inspect, decide, plan, then write atomically or in place. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "internal.h"
#include "targets/targets.h"

/* Where the file really is: the directory that holds it and its name
 * there. A followed symlink resolves to its target, so the target is
 * replaced and the link stays a link. */
struct located {
	int dirfd;   /* owned when != AT_FDCWD and != the caller's */
	bool own_dirfd;
	char *name;  /* owned */
};

static enum ifx_status open_parent(int dirfd, const char *path,
				   struct located *loc, struct ifx_error *err)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	loc->dirfd = dirfd;
	loc->own_dirfd = false;
	if (slash == NULL) {
		loc->name = strdup(path);
		return loc->name ? IFX_OK : ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	}
	dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
	loc->name = strdup(slash + 1);
	if (dir == NULL || loc->name == NULL) {
		free(dir);
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	}
	loc->dirfd = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (loc->dirfd < 0)
		return ifx__error_set_errno(err, errno, "cannot open its directory");
	loc->own_dirfd = true;
	return IFX_OK;
}

static enum ifx_status locate(int dirfd, const char *path, bool follow,
			      struct located *loc, struct ifx_error *err)
{
	char fdpath[64], *real;
	enum ifx_status st;
	struct stat sb;

	memset(loc, 0, sizeof(*loc));
	loc->dirfd = -1;
	if (!follow || fstatat(dirfd, path, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISLNK(sb.st_mode))
		return open_parent(dirfd, path, loc, err);
	if (dirfd != AT_FDCWD && path[0] != '/') {
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", dirfd);
		real = NULL;
		char *joined = malloc(strlen(fdpath) + strlen(path) + 2);
		if (joined != NULL) {
			sprintf(joined, "%s/%s", fdpath, path);
			real = realpath(joined, NULL);
			free(joined);
		}
	} else {
		real = realpath(path, NULL);
	}
	if (real == NULL)
		return ifx__error_set_errno(err, errno, "cannot resolve symbolic link");
	st = open_parent(AT_FDCWD, real, loc, err);
	free(real);
	return st;
}

static void located_free(struct located *loc)
{
	if (loc->own_dirfd && loc->dirfd >= 0)
		close(loc->dirfd);
	free(loc->name);
	loc->dirfd = -1;
	loc->name = NULL;
}

/* The parts of the file the plan read are still what it read (with the
 * stat, which ctime makes hard to fool, this is the content check). */
static bool same_fingerprint(int fd, const struct stat *sb, const struct patch_plan *plan)
{
	uint32_t now;

	return ifx__file_fingerprint(fd, (uint64_t)sb->st_size, &now) && now == plan->fingerprint;
}

static bool in_group(gid_t gid)
{
	gid_t groups[256];
	int n = getgroups(256, groups);

	if (getegid() == gid)
		return true;
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

static enum ifx_status write_in_place(const struct located *loc, int read_fd,
				      const struct stat *orig,
				      const struct patch_plan *plan,
				      struct ifx_error *err)
{
	unsigned char caps[256];
	struct stat sb, now;
	ssize_t caps_len;
	enum ifx_status st;
	int fd;

	fd = openat(loc->dirfd, loc->name, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	/* orig is the file as the plan read it */
	if (fd < 0 && errno == ETXTBSY) {
		ifx__error_set_errno(err, errno, "cannot write in place");
		ifx__error_advise(err, "it is a running program; without --in-place the "
			     "file is replaced atomically, which works while it runs");
		return IFX_ERR_IO;
	}
	if (fd < 0)
		return ifx__error_set_errno(err, errno, "cannot open for writing");
	if (fstat(fd, &sb) < 0 || !ifx__atomic_same_content_stat(&sb, orig) ||
	    !same_fingerprint(read_fd, &sb, plan)) {
		close(fd);
		return ifx__error_set(err, IFX_ERR_IO, "file changed while being fixed "
				      "(left as the other writer made it)");
	}
	/* The kernel drops file capabilities (and, for a writer without
	 * CAP_FSETID, set-id bits) when the file is written: they are given
	 * back after, and a user who could not do that is refused before. */
	caps_len = fgetxattr(fd, "security.capability", caps, sizeof(caps));
	if (caps_len > 0 && fsetxattr(fd, "security.capability", caps, (size_t)caps_len,
				      XATTR_REPLACE) < 0) {
		close(fd);
		ifx__error_set_errno(err, errno, "--in-place would drop its file capabilities, "
				     "which this user cannot set again");
		ifx__error_advise(err, "run as root (CAP_SETFCAP), or drop --in-place");
		return IFX_REFUSED;
	}
	if ((sb.st_mode & S_ISGID) && geteuid() != 0 && !in_group(sb.st_gid)) {
		close(fd);
		ifx__error_set(err, IFX_REFUSED, "--in-place would drop its set-group-ID bit, which "
			       "this user (not in group %u) cannot set again", (unsigned)sb.st_gid);
		ifx__error_advise(err, "run as root, or drop --in-place");
		return IFX_REFUSED;
	}
	st = ifx__patch_apply_in_place(fd, plan, err);
	if (st == IFX_OK && caps_len > 0 &&
	    fsetxattr(fd, "security.capability", caps, (size_t)caps_len, 0) < 0)
		st = ifx__error_set_errno(err, errno, "written, but its file capabilities, which "
					  "the kernel dropped, cannot be set again");
	if (st == IFX_OK && (fstat(fd, &now) < 0 ||
			     ((now.st_mode & 07777) != (sb.st_mode & 07777) &&
			      (fchmod(fd, sb.st_mode & 07777) < 0 || fstat(fd, &now) < 0 ||
			       (now.st_mode & 07777) != (sb.st_mode & 07777)))))
		st = ifx__error_set(err, IFX_ERR_IO, "written, but its mode %04o, which the kernel "
				    "changed, cannot be set again", (unsigned)(sb.st_mode & 07777));
	if (st == IFX_OK && fsync(fd) < 0)
		st = ifx__error_set_errno(err, errno, "cannot sync");
	close(fd);
	return st;
}

/* Warnings add up: "first; second". */
static int add_warning(struct ifx_fix_report *report, const char *text)
{
	char *joined;

	if (report->warning == NULL)
		return (report->warning = strdup(text)) == NULL ? -1 : 0;
	if (asprintf(&joined, "%s; %s", report->warning, text) < 0)
		return -1;
	free(report->warning);
	report->warning = joined;
	return 0;
}

static enum ifx_status write_atomic(const struct located *loc, int fd,
				    const struct stat *planned,
				    const struct patch_plan *plan, bool allow_loss,
				    struct ifx_fix_report *report, struct ifx_error *err)
{
	struct atomic_file af;
	enum ifx_status st;

	st = ifx__atomic_file_begin(&af, loc->dirfd, loc->name, fd, err);
	if (st != IFX_OK)
		return st;
	af.allow_loss = allow_loss;
	/* the copy must be of the bytes the plan was made for */
	if (!ifx__atomic_same_content_stat(&af.orig_st, planned) ||
	    !same_fingerprint(af.tmp_fd, planned, plan)) {
		ifx__atomic_file_abort(&af);
		return ifx__error_set(err, IFX_ERR_IO, "file changed while being fixed "
				      "(left as the other writer made it)");
	}
	st = ifx__patch_apply(af.tmp_fd, fd, plan, err);
	if (st == IFX_OK)
		st = ifx__atomic_file_commit(&af, err);
	ifx__atomic_file_abort(&af);
	if (st == IFX_OK && af.lost[0] != '\0' && add_warning(report, af.lost) < 0)
		st = ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	return st;
}

/* The target and its vetting, the same for every caller: opts->target or
 * the resolver's choice, and every swap through the safety checker (only
 * opts->vet.force relaxes it, and only the rules that allow it). Safety is
 * not something a caller has to ask for. */
static enum ifx_status choose_target(const struct ifx_fix_options *opts,
				     const struct ifx_elf_info *info,
				     struct ifx_fix_report *report, struct ifx_error *err)
{
	struct ifx_choice choice = IFX_INIT(ifx_choice);
	enum ifx_status st;

	const char *deployed = NULL;
	char loader[PATH_MAX];

	/* deploy targets: their loader, wherever the binary is fixed */
	if (opts->target == NULL && opts->vet->deploy_count > 0) {
		st = ifx__deploy_loader(info, opts->vet, loader, sizeof(loader), err);
		if (st != IFX_OK)
			return st;
		deployed = loader;
	}
	if (opts->target != NULL || deployed != NULL) {
		report->new_interp = strdup(opts->target != NULL ? opts->target : deployed);
		if (report->new_interp == NULL)
			return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	} else {
		st = ifx_choose_loader(info, opts->vet, &choice, err);
		if (st != IFX_OK)
			return st;
		report->new_interp = choice.target;
		report->standard = choice.standard;
		report->host_specific = choice.host_specific &&
					strcmp(choice.target, info->interp) != 0;
		report->standard_missing = !choice.exists && !opts->vet->portable &&
					   strcmp(choice.target, info->interp) == 0;
	}
	/* a target that cannot run it is refused even when the path is
	 * already right: "already" would say it is ready to deploy */
	if (strcmp(report->new_interp, info->interp) == 0)
		return opts->vet->deploy_count > 0 ? ifx__deploy_vet(info, opts->vet, err) : IFX_OK;
	return ifx_check_swap(info, report->new_interp, opts->vet, err);
}

/* The caller's options as this version reads them (the `size` rule), the
 * vetting options included; opts->vet then points into in. */
enum ifx_status ifx__fix_options_in(struct fix_options_in *in,
				    const struct ifx_fix_options *given,
				    struct ifx_error *err)
{
	enum ifx_status st = IFX__SIZED_IN(in->opts, given, err);

	if (st == IFX_OK)
		st = IFX__SIZED_IN(in->vet, in->opts.vet, err);
	in->opts.vet = &in->vet;
	return st;
}

/* Inspect the file open on fd, choose and vet its target, and plan the
 * bytes: everything a fix decides, nothing written. report->result says
 * what the plan does (CHANGED, ALREADY, NOT_DYNAMIC). opts come from
 * ifx__fix_options_in (vet is never NULL). */
enum ifx_status ifx__fix_plan(int fd, const struct ifx_fix_options *opts,
			      struct ifx_fix_report *report, struct patch_plan *plan,
			      struct ifx_error *err)
{
	struct ifx_elf_info *info;
	const char *target;
	enum ifx_status st;
	struct stat sb;

	memset(plan, 0, sizeof(*plan));
	if (fstat(fd, &sb) < 0)
		return ifx__error_set_errno(err, errno, "cannot stat");
	report->hard_links = (unsigned long)sb.st_nlink;
	info = calloc(1, sizeof(*info));
	if (info == NULL)
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	info->size = sizeof(*info);
	st = ifx_inspect_fd(fd, info, err);
	if (st != IFX_OK) {
		free(info);
		return st;
	}
	report->info = info;
	if (!info->has_interp) {
		report->result = IFX_FIX_NOT_DYNAMIC;
		return IFX_OK;
	}
	report->old_interp = strdup(info->interp);
	report->interp_offset = info->interp_offset;
	report->old_size = report->new_size = info->interp_size;
	report->old_file_size = report->new_file_size = (uint64_t)sb.st_size;
	/* report->new_interp is set also when refused: reports name it */
	st = choose_target(opts, info, report, err);
	if (st != IFX_OK)
		return st;
	target = report->new_interp;
	if (strcmp(target, info->interp) == 0) {
		report->result = IFX_FIX_ALREADY;
		return IFX_OK;
	}
	st = ifx__patch_plan_make(fd, info, target, plan, err);
	if (st == IFX_OK && !ifx__file_fingerprint(fd, (uint64_t)sb.st_size, &plan->fingerprint))
		st = ifx__error_set_errno(err, errno ? errno : EIO, "cannot read");
	if (st != IFX_OK)
		return st;
	report->result = IFX_FIX_CHANGED;
	report->layout_changed = plan->relocated;
	report->old_file_size = plan->old_size;
	report->new_file_size = plan->new_size;
	report->new_size = plan->relocated ? strlen(target) + 1 : report->old_size;
	if (plan->warning != NULL && (report->warning = strdup(plan->warning)) == NULL)
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	report->layout_changes = plan->changes;
	report->layout_change_count = plan->change_count;
	plan->changes = NULL;
	plan->change_count = 0;
	return IFX_OK;
}

static enum ifx_status fix_open_file(const struct located *loc, int fd,
				     const struct ifx_fix_options *opts,
				     struct ifx_fix_report *report,
				     struct ifx_error *err)
{
	struct patch_plan plan;
	enum ifx_status st;
	struct stat sb;

	/* the file as the plan reads it: any write after this is detected */
	if (fstat(fd, &sb) < 0)
		return ifx__error_set_errno(err, errno, "cannot stat");
	st = ifx__fix_plan(fd, opts, report, &plan, err);
	if (st != IFX_OK || report->result != IFX_FIX_CHANGED)
		goto out;
	if (plan.relocated && opts->mode == IFX_WRITE_IN_PLACE) {
		st = ifx__error_set(err, IFX_ERR_UNSUPPORTED,
				    "the new path does not fit in PT_INTERP's %llu bytes, and "
				    "--in-place cannot add the segment a longer path needs",
				    (unsigned long long)report->old_size);
		ifx__error_advise(err, "drop --in-place to replace the file atomically");
		goto out;
	}
	if (opts->dry_run)
		goto out;
	if (opts->mode == IFX_WRITE_IN_PLACE)
		st = write_in_place(loc, fd, &sb, &plan, err);
	else
		st = write_atomic(loc, fd, &sb, &plan, opts->vet->force, report, err);
out:
	ifx__patch_writes_free(&plan);
	return st;
}

enum ifx_status ifx_fix_path(int dirfd, const char *path, bool follow,
			     const struct ifx_fix_options *given,
			     struct ifx_fix_report *report,
			     struct ifx_error *err)
{
	const struct ifx_fix_options *opts;
	struct fix_options_in in;
	struct located loc;
	enum ifx_status st;
	int fd = -1;

	ifx__error_clear(err);
	st = IFX__SIZED_OUT(report, err);
	if (st == IFX_OK)
		st = ifx__fix_options_in(&in, given, err);
	if (st != IFX_OK)
		return st;
	opts = &in.opts;
	if (opts->target != NULL) {
		st = ifx_check_target_path(opts->target, err);
		if (st != IFX_OK)
			return st;
	}
	st = locate(dirfd, path, follow, &loc, err);
	if (st != IFX_OK)
		return st;
	st = ifx_open_regular(loc.dirfd, loc.name, false, &fd, err);
	if (st == IFX_OK)
		st = fix_open_file(&loc, fd, opts, report, err);
	if (fd >= 0)
		close(fd);
	located_free(&loc);
	return st;
}

void ifx_fix_report_free(struct ifx_fix_report *report)
{
	if (report == NULL)
		return;
	free(report->old_interp);
	free(report->new_interp);
	free(report->standard);
	free(report->warning);
	ifx__strlist_free(report->layout_changes, report->layout_change_count);
	ifx_elf_info_free(report->info);
	free(report->info);
	IFX__SIZED_CLEAR(report);
}
