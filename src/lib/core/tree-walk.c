/* Recursion over a directory tree that never follows a symlink below the
 * top and never opens anything but directories: FIFOs, sockets and devices
 * are only named, so a walk cannot block or touch hardware. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Directories nested deeper than this below the top are reported with
 * ELOOP instead of read: bounds both the recursion and the open fds (one
 * per level), as fts bounds its stack. */
#define WALK_MAX_DEPTH 256
/* Longest display path: the top, then per level "/" + a name (d_name holds
 * at most 255 bytes), for the directories and their entries. */
#define WALK_COMPONENT_MAX 256

_Static_assert(sizeof(((struct dirent *)0)->d_name) <= WALK_COMPONENT_MAX,
	       "a name fits one component of the display path");

struct walk {
	ifx_walk_fn visit;
	void *ctx;
	const char *top;  /* the path as the caller gave it */
	char *path;       /* display path being built */
};

struct walk_name {
	unsigned char type;  /* d_type; DT_UNKNOWN on filesystems without it */
	char name[];
};

static int walk_name_cmp(const void *a, const void *b)
{
	const struct walk_name *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

static void walk_names_free(struct walk_name **names, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

/* Read every name of the directory fd (except . and ..), sorted so that
 * the order of visits does not depend on the filesystem. getdents64 on the
 * fd itself: no DIR stream (fdopendir costs an fstat, two fcntl and a
 * 32 KiB buffer per level) and the fd stays usable for openat. Returns 0
 * or an errno; on error the names read so far are still returned. */
static int walk_read_names(int fd, struct walk_name ***out, size_t *count)
{
	struct walk_name **names = NULL, **grown;
	size_t n = 0, cap = 0;
	char buf[16384] __attribute__((aligned(8)));
	ssize_t got;
	int ret = 0;

	while (ret == 0 && (got = getdents64(fd, buf, sizeof(buf))) != 0) {
		if (got < 0) {
			ret = errno;
			break;
		}
		for (ssize_t pos = 0; pos < got && ret == 0;) {
			const struct dirent64 *de = (const struct dirent64 *)(buf + pos);
			struct walk_name *wn;
			size_t len;

			pos += de->d_reclen;
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				grown = reallocarray(names, cap, sizeof(*names));
				if (grown == NULL) {
					ret = ENOMEM;
					break;
				}
				names = grown;
			}
			len = strlen(de->d_name);
			wn = malloc(sizeof(*wn) + len + 1);
			if (wn == NULL) {
				ret = ENOMEM;
				break;
			}
			wn->type = de->d_type;
			memcpy(wn->name, de->d_name, len + 1);
			names[n++] = wn;
		}
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), walk_name_cmp);
	*out = names;
	*count = n;
	return ret;
}

/* The d_type of an entry, from fstatat without following when the
 * filesystem gives none (some network and FUSE ones). Returns 0 or an
 * errno. */
static int walk_entry_type(int fd, const struct walk_name *wn,
			   unsigned char *type)
{
	struct stat sb;

	*type = wn->type;
	if (wn->type != DT_UNKNOWN)
		return 0;
	if (fstatat(fd, wn->name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return errno;
	*type = S_ISREG(sb.st_mode) ? DT_REG :
		S_ISDIR(sb.st_mode) ? DT_DIR :
		S_ISLNK(sb.st_mode) ? DT_LNK : DT_FIFO; /* any other: skipped */
	return 0;
}

static void walk_dir(struct walk *w, int parent, const char *name, int fd,
		     size_t len, int depth);

/* Open the subdirectory name of fd without following a symlink swapped in
 * since readdir, and walk it; failures are reported and the walk goes on. */
static void walk_subdir(struct walk *w, int fd, const char *name, size_t len,
			int depth)
{
	int sub;

	if (depth > WALK_MAX_DEPTH) {
		w->visit(fd, name, w->path, IFX_WALK_ERROR, ELOOP, w->ctx);
		return;
	}
	/* O_DIRECTORY refuses anything else before opening it. */
	sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0) {
		w->visit(fd, name, w->path, IFX_WALK_ERROR, errno, w->ctx);
		return;
	}
	walk_dir(w, fd, name, sub, len, depth);
	close(sub);
}

/* Visit the entries of the directory fd, whose display path is the first
 * len bytes of w->path, at depth levels below the top. */
static void walk_entries(struct walk *w, int fd, size_t len, int depth,
			 struct walk_name **names, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		const char *name = names[i]->name;
		size_t nlen = strlen(name);
		unsigned char type;
		int e;

		w->path[len] = '/';
		memcpy(w->path + len + 1, name, nlen);
		w->path[len + 1 + nlen] = '\0';
		e = walk_entry_type(fd, names[i], &type);
		if (e != 0)
			w->visit(fd, name, w->path, IFX_WALK_ERROR, e, w->ctx);
		else if ((type == DT_REG || type == DT_DIR) && ifx_is_leftover(fd, name))
			w->visit(fd, name, w->path, IFX_WALK_LEFTOVER, 0, w->ctx);
		else if (type == DT_DIR)
			walk_subdir(w, fd, name, len + 1 + nlen, depth + 1);
		else if (type == DT_REG)
			w->visit(fd, name, w->path, IFX_WALK_REGULAR, 0, w->ctx);
		else
			w->visit(fd, name, w->path, IFX_WALK_SKIPPED, 0, w->ctx);
	}
	w->path[len] = '\0';
}

/* Walk the directory fd, which is name in parent. A failed read is
 * reported for the directory, then what was read is still visited. */
static void walk_dir(struct walk *w, int parent, const char *name, int fd,
		     size_t len, int depth)
{
	struct walk_name **names;
	size_t count;
	int e;

	e = walk_read_names(fd, &names, &count);
	if (e != 0)
		w->visit(parent, name, depth == 0 ? w->top : w->path,
			 IFX_WALK_ERROR, e, w->ctx);
	walk_entries(w, fd, len, depth, names, count);
	walk_names_free(names, count);
}

IFX_API enum ifx_status ifx_walk_tree(int dirfd, const char *path, ifx_walk_fn visit,
			  void *ctx, struct ifx_error *err)
{
	struct walk w = { .visit = visit, .ctx = ctx, .top = path };
	enum ifx_status st = IFX_OK;
	size_t len = strlen(path);
	int fd;

	/* The top is named by the user: follow it if it is a symlink.
	 * O_DIRECTORY fails with ENOTDIR before a FIFO would be opened. */
	fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOTDIR)
			return ifx__error_set(err, IFX_ERR_NOT_REGULAR,
					 "is not a directory");
		return ifx__error_set_errno(err, errno, "cannot open directory");
	}
	/* Allocated once for the deepest path, so no visit can fail for
	 * want of memory half way down. */
	w.path = malloc(len + (WALK_MAX_DEPTH + 1) * WALK_COMPONENT_MAX + 1);
	if (w.path == NULL) {
		st = ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
		goto out;
	}
	/* "dir/" and "dir" give the same "dir/name"; "/" gives "/name". */
	while (len > 0 && path[len - 1] == '/')
		len--;
	memcpy(w.path, path, len);
	w.path[len] = '\0';
	walk_dir(&w, dirfd, path, fd, len, 0);
out:
	free(w.path);
	close(fd);
	return st;
}
