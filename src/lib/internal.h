/* Cross-file helpers of libinterpfix, grouped by the file that defines them. */
#ifndef IFX_INTERNAL_H
#define IFX_INTERNAL_H

#include <gelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <zlib.h>

#include "interpfix.h"

/* Our temporary files: ".<name>.interpfix-XXXXXX" (atomic-file.c makes
 * them, names.c's ifx_is_temp_name tells them, so walkers need not know
 * the patcher). */
#define IFX_TEMP_MARK ".interpfix-"
#define IFX_TEMP_SUFFIX_LEN 6
/* On a named temporary (no O_TMPFILE here) until it is complete: what
 * tells a leftover of ours from a file that only looks like one. */
#define IFX_TEMP_XATTR "user.interpfix.temp"
#define IFX_TEMP_INNER "f"
#define IFX_TEMP_SUFFIX_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

/* error.c */
enum ifx_status ifx__error_set(struct ifx_error *err, enum ifx_status status,
			  const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
enum ifx_status ifx__error_set_errno(struct ifx_error *err, int errnum,
				const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ifx__error_advise(struct ifx_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ifx__error_clear(struct ifx_error *err);

/* sized.c: the `size` rule of public structs. _out checks a result struct
 * the caller hands in and zeroes it (size kept); _in copies options into
 * local, a full struct of ours (defaults when given is NULL); _clear zeroes
 * a struct but its size, for the ifx_*_free calls. */
enum ifx_status ifx__sized_out(void *out, size_t ours, const char *what,
			       struct ifx_error *err);
enum ifx_status ifx__sized_in(void *local, size_t ours, const void *given,
			      const char *what, struct ifx_error *err);
void ifx__sized_clear(void *obj, size_t ours);
#define IFX__SIZED_OUT(p, err) ifx__sized_out((p), sizeof(*(p)), ifx__sized_name_of(p), (err))
#define IFX__SIZED_IN(local, given, err) \
	ifx__sized_in(&(local), sizeof(local), (given), ifx__sized_name_of(&(local)), (err))
#define IFX__SIZED_CLEAR(p) ifx__sized_clear((p), sizeof(*(p)))
#define ifx__sized_name_of(p) _Generic((p), \
	struct ifx_elf_info *: "ifx_elf_info", \
	struct ifx_target_options *: "ifx_target_options", \
	struct ifx_choice *: "ifx_choice", \
	struct ifx_lib_search *: "ifx_lib_search", \
	struct ifx_dep_tree *: "ifx_dep_tree", \
	struct ifx_check_result *: "ifx_check_result", \
	struct ifx_check_options *: "ifx_check_options", \
	struct ifx_explanation *: "ifx_explanation", \
	struct ifx_explain_options *: "ifx_explain_options", \
	struct ifx_fix_options *: "ifx_fix_options", \
	struct ifx_fix_report *: "ifx_fix_report", \
	struct ifx_archive_options *: "ifx_archive_options", \
	struct ifx_archive_result *: "ifx_archive_result", \
	struct ifx_requirements *: "ifx_requirements")

/* names.c: the last component of a path; whether s begins with prefix */
const char *ifx__names_base(const char *path);
bool ifx__names_starts_with(const char *s, const char *prefix);

/* strlist.c: growable NULL-free arrays of owned strings */
int ifx__strlist_push(char ***list, size_t *count, const char *s);
void ifx__strlist_free(char **list, size_t count);

#define IFX_ARCHIVE_SNIFF 512 /* bytes of content that tell ELF and archives apart */
#define IFX_ARCHIVE_HEAD 4096 /* bytes of a file read for that (gzip'd: 512 inflated) */
/* archive-magic.c: 1 when gzip bytes begin a tar, 0 when not, -1 when
 * they are too few to tell */
int ifx__gzip_holds_tar(const unsigned char *head, size_t len);

/* archive-magic.c: what the first bytes of a file say (*compressed: a
 * gzip, xz, zstd or bzip2 stream, IFX_ARCHIVE_TAR only if a tar is inside) */
enum ifx_archive_format ifx__archive_magic(const unsigned char *head, size_t len,
					   bool *compressed);

/* elf-open.c */
/* Check the identification bytes and open fd with libelf (reading lazily,
 * never the whole file). size is the file's size from fstat. */
enum ifx_status ifx__elf_open_fd(int fd, uint64_t size, Elf **elf_out,
			    struct ifx_error *err);
/* Read [off, off+len) through libelf, converted to host byte order as type;
 * NULL with IFX_ERR_MALFORMED naming `what` when it is not inside the file. */
Elf_Data *ifx__elf_read_chunk(Elf *elf, uint64_t off, uint64_t len, Elf_Type type,
			 const char *what, struct ifx_error *err);
/* Map a virtual address to a file offset through the PT_LOADs. */
bool ifx__elf_vaddr_to_offset(Elf *elf, uint64_t vaddr, uint64_t *off,
			 uint64_t *avail);

/* elf-dynamic.c: NEEDED, SONAME, RPATH, RUNPATH, verneed, verdef, flags */
/* How much to read: NEEDED, SONAME, RPATH and RUNPATH (what the loader
 * needs to find dependencies); and the version records; and which version
 * each undefined symbol needs (the dynamic symbol table: the costly part). */
enum dyn_depth { DYN_NAMES, DYN_VERSIONS, DYN_ALL };
enum ifx_status ifx__elf_dynamic_read(Elf *elf, struct ifx_elf_info *info,
				 uint64_t *flags_1, enum dyn_depth depth,
				 struct ifx_error *err);

/* elf-symbols.c: which version each undefined dynamic symbol needs */
struct version_index {
	unsigned index;        /* vna_other, as .gnu.version refers to it */
	const char *file;      /* borrowed from ifx_elf_info */
	const char *name;
};
struct dyn_symbol_source {
	uint64_t symtab, versym, hash, gnu_hash; /* DT_* addresses, 0 if absent */
	const char *strtab;
	size_t strsz;
	const struct version_index *versions;
	size_t versions_count;
};
enum ifx_status ifx__elf_symbols_read(Elf *elf, const struct dyn_symbol_source *src,
				 struct ifx_elf_info *info,
				 struct ifx_error *err);

/* resolve.c: the non-Linux rule (no Linux loader runs it), for the
 * resolver and every caller above it */
enum ifx_status ifx__resolve_check_os(const struct ifx_elf_info *bin, struct ifx_error *err);
const char *ifx__resolve_os_title(enum ifx_os os); /* "FreeBSD", for people */

/* elf-osabi.c: info->os from EI_OSABI and the PT_NOTE ABI notes */
void ifx__elf_os_classify(Elf *elf, struct ifx_elf_info *info);

/* elf-abi.c */
void ifx__elf_abi_classify(Elf *elf, struct ifx_elf_info *info);

/* libc-detect.c */
enum ifx_libc ifx__libc_detect(const struct ifx_elf_info *info);

/* go-buildinfo.c: NULL when the file has no Go build info; never fails hard
 * (a damaged build info is reported as absent). */
struct ifx_go_info *ifx__go_buildinfo_read(Elf *elf);
void ifx__go_info_free(struct ifx_go_info *go);
/* go-cgo.c: which packages call C (own_cgo, cgo_packages) */
void ifx__go_cgo_read(Elf *elf, struct ifx_go_info *go);
const char *ifx__go_static_advice(const struct ifx_go_info *go);

/* loader-table.c: one row per psABI loader (data only) */
struct loader_row {
	unsigned machine;     /* e_machine */
	int elf_class;        /* 32 or 64 */
	int data;             /* ELFDATA2LSB or ELFDATA2MSB */
	enum ifx_abi abi;     /* IFX_ABI_NONE: any */
	int nan2008;          /* MIPS only: 1, 0; -1 any */
	enum ifx_libc libc;   /* glibc or musl */
	const char *path;
	const char *source;   /* where the row comes from */
};
extern const struct loader_row ifx__loader_table[];
extern const size_t ifx__loader_table_count;

/* root-path.c: a path inside a sysroot ("" or NULL: the host), symlinks
 * followed relative to the root; *host_out is the real path (malloc'd).
 * IFX_ERR_IO with sys_errno ENOENT when a component is missing. */
/* The same, showing seen every directory, symlink and file the walk
 * lstat()s (the root directory first), as the kernel walks them; seen
 * returns false (err filled) to stop the walk with IFX_REFUSED. */
typedef bool (*ifx__root_path_seen_fn)(const char *host, const struct stat *sb, void *ctx,
				       struct ifx_error *err);
enum ifx_status ifx__root_path_walk(const char *root, const char *path,
				    ifx__root_path_seen_fn seen, void *ctx,
				    char **host_out, struct ifx_error *err);
enum ifx_status ifx__root_path_resolve(const char *root, const char *path,
				  char **host_out, struct ifx_error *err);

/* ld-conf.c: directory lists of the loaders' configuration files */
struct dir_list {
	char **items;
	size_t count;
};
void ifx__dir_list_add(struct dir_list *d, const char *dir); /* no duplicates */
void ifx__dir_list_add_dup(struct dir_list *d, const char *dir); /* duplicates kept */
void ifx__dir_list_free(struct dir_list *d);
void ifx__ld_conf_glibc_dirs(const char *root, struct dir_list *d);
void ifx__ld_conf_musl_dirs(const char *root, const char *prefix, const char *arch,
		       struct dir_list *d);

/* loader-env.c: what a loader searches for one kind of binary */
struct loader_env {
	const char *root;          /* "" for the host (borrowed) */
	enum ifx_libc libc;        /* whose loader's rules */
	char triplet[64];          /* Debian multiarch triplet, "" when none */
	char lib[80];              /* $LIB */
	char platform[32];         /* $PLATFORM */
	unsigned release;          /* glibc release of the loader (236), 0 unknown */
	bool legacy_hwcaps;        /* tls/ and platform subdirectories (< 2.37) */
	int cache_flags;           /* ld.so.cache flags of its libraries, -1 any */
	struct dir_list system_dirs; /* glibc's default directories */
	struct dir_list hwcaps;    /* "glibc-hwcaps/x86-64-v3/", ... best first */
	struct dir_list subdirs;   /* tried below each directory, "" last */
};
void ifx__loader_env_init(struct loader_env *env, const char *root,
		     const struct ifx_elf_info *bin, enum ifx_libc libc);
void ifx__loader_env_free(struct loader_env *env);
bool ifx__loader_env_native(const struct ifx_elf_info *bin);

/* ld-cache.c: the paths root's /etc/ld.so.cache gives for a library name
 * (any architecture: callers check the files); false without a cache. */
struct ld_cache;
struct ld_cache *ifx__ld_cache_load(const char *root);
void ifx__ld_cache_free(struct ld_cache *cache);
bool ifx__ld_cache_lookup(const struct ld_cache *cache, const char *name, struct dir_list *paths);
/* The one path glibc's loader takes from the cache for name: 1 found
 * (*path malloc'd), 0 no usable entry, -1 no cache. flags: the entry flags
 * of this kind of binary (-1: any); hwcaps: the active glibc-hwcaps
 * subdirectories, best first. */
int ifx__ld_cache_best(const struct ld_cache *cache, const char *name, int flags,
		       const struct dir_list *hwcaps, char **path);

/* dep-cache.c: directory listings and judged files, per run */
struct dep_candidate {
	int open_errno;            /* 0: opened; else why not (ENOENT, EACCES, ...) */
	char *problem;             /* opened but not loadable as ELF: the loader's words */
	char *host;                /* the file on the host, symlinks resolved */
	dev_t dev;
	ino_t ino;
	unsigned char ident[EI_NIDENT];
	unsigned e_type, e_machine, e_phentsize;
	struct ifx_elf_info info;  /* class, machine, abi, NEEDED, SONAME, RPATH, RUNPATH */
};
const char *ifx__context_root(const struct ifx_context *c);
/* The root's ld.so.cache and ld.so.conf directories, read once per
 * context (NULL / empty when absent or out of memory). */
const struct ld_cache *ifx__context_ld_cache(struct ifx_context *c);
const struct dir_list *ifx__context_glibc_conf(struct ifx_context *c);
/* The loader environment for this kind of binary (the cache's); NULL: no memory. */
const struct loader_env *ifx__context_env(struct ifx_context *c, const struct ifx_elf_info *bin,
				      enum ifx_libc libc);
bool ifx__context_may_exist(struct ifx_context *c, const char *dir, const char *name);
const struct dep_candidate *ifx__context_lookup(struct ifx_context *c, const char *path);
/* Keep cand (the cache owns it from now on); NULL when out of memory. */
const struct dep_candidate *ifx__context_keep(struct ifx_context *c, const char *path,
					   struct dep_candidate *cand);

/* lib-search.c: one name, searched as the loader searches it */
struct search_obj {
	const struct ifx_elf_info *info;
	char *origin;              /* $ORIGIN of this object, loader view */
	size_t loader;             /* the object that loaded it; SIZE_MAX for [0] */
	/* dep-tree.c's own bookkeeping (the search reads only the above) */
	const struct dep_candidate *file; /* its file (the context's), or NULL */
	char **names;              /* names it answers to (NEEDED names, SONAME) */
	size_t name_count;
};
struct search_ctx {
	struct ifx_context *cache;
	const struct loader_env *env;
	const struct ifx_elf_info *bin;   /* the root object: class, machine, ABI */
	const struct search_obj *objs;
	size_t count;
};
struct search_result {
	enum ifx_dep_state state;  /* FOUND, MISSING or BROKEN */
	char *path;                /* FOUND: loader view; BROKEN: the file */
	char *problem;             /* BROKEN: why */
	const struct dep_candidate *file; /* FOUND: its facts (the cache's) */
};
void ifx__lib_search(const struct search_ctx *ctx, size_t requester, const char *name,
		struct ifx_lib_search *steps, struct search_result *result);
/* The candidate at a loader-view path, judged (cached); NULL: no memory. */
const struct dep_candidate *ifx__lib_candidate(struct ifx_context *cache, const char *path);
/* $ORIGIN (both loaders), $LIB and $PLATFORM (glibc) expanded in a search
 * directory or a NEEDED path (malloc'd); NULL when glibc would drop it. */
char *ifx__lib_expand_tokens(const char *dir, const char *origin, const struct loader_env *env);
/* Whether musl's loader answers name itself (libc.so, libpthread.so.0, ...). */
bool ifx__lib_musl_reserved(const char *name);

/* loader-check.c: is the file at root/path a real loader for this binary? */
struct loader_facts {
	char *host_path;          /* where it really is (symlinks resolved) */
	enum ifx_libc libc;       /* whose loader it is; gcompat counts as musl */
	bool gcompat;             /* a glibc-named stub that runs musl */
	struct ifx_elf_info info; /* the loader's own facts */
};
/* IFX_OK: a loader of the binary's machine, class, byte order and ABI
 * (its libc is reported, not judged). IFX_ERR_IO with sys_errno ENOENT: not
 * there. IFX_REFUSED: a loader for another machine or ABI. IFX_ERR_UNSUPPORTED:
 * there, but not a loader (a NixOS stub, a script). */
enum ifx_status ifx__loader_check(const char *root, const char *path,
			     const struct ifx_elf_info *bin,
			     struct loader_facts *out, struct ifx_error *err);
void ifx__loader_facts_free(struct loader_facts *facts);
/* The symbol@version needs of bin that the glibc beside the loader does not
 * define (set membership, as ld.so checks). Appends "sym@VER (file)" lines
 * to *missing; *newest is the highest GLIBC_2.x among them (e.g. 238). */
enum ifx_status ifx__loader_missing_versions(const char *root,
					const struct loader_facts *loader,
					const struct ifx_elf_info *bin,
					char ***missing, size_t *count,
					unsigned *newest, struct ifx_error *err);
/* A glibc release "X.Y" as a number (2.31 -> 231); false when s is not one. */
bool ifx__glibc_release_parse(const char *s, unsigned *number);
/* "GLIBC_2.38" -> 238 (major*100+minor), 0 when not a GLIBC_2.x name. */
unsigned ifx__glibc_version_number(const char *name);

/* elf-layout.c: what a relocation must respect */
struct file_range {
	uint64_t start, end;
};
struct elf_layout {
	GElf_Ehdr eh;
	uint64_t file_size;
	GElf_Phdr *ph;
	size_t phnum;
	size_t entsize;        /* file size of one program header */
	GElf_Shdr *shdr;       /* NULL without section headers */
	size_t shnum;
	struct file_range *used; /* headers, segments and sections in the file */
	size_t used_count;
	uint64_t image_end;    /* end of all of them: trailing data starts here */
	uint64_t align;        /* largest PT_LOAD p_align, at least 4 KiB */
	uint64_t delta;        /* first PT_LOAD's p_vaddr - p_offset */
	uint64_t mem_end;      /* highest p_vaddr + p_memsz */
	int last_load;         /* index of the PT_LOAD with the highest p_vaddr */
};
enum ifx_status ifx__elf_layout_read(Elf *elf, uint64_t file_size,
				struct elf_layout *layout, struct ifx_error *err);
/* Whether [start, end) of the file is used by nothing, ranges lying wholly
 * inside [ignore_start, ignore_end) not counted. */
bool ifx__elf_layout_is_free(const struct elf_layout *layout, uint64_t start,
			uint64_t end, uint64_t ignore_start, uint64_t ignore_end);
void ifx__elf_layout_free(struct elf_layout *layout);

/* patch-plan.c: the bytes a fix writes, decided from headers only */
struct patch_write {
	uint64_t offset;
	size_t len;
	unsigned char *bytes;
};
struct patch_plan {
	bool relocated;          /* the string moved: program headers change */
	bool grows;              /* the file is restructured (see the fields below) */
	uint64_t truncate_to;    /* when grows: cut the copy here first */
	uint64_t move_from;      /* when grows: data after the ELF image ... */
	uint64_t move_to;        /* ... is copied from the original to here */
	uint64_t move_len;
	uint64_t old_size, new_size;
	struct patch_write *writes;
	size_t count;
	char **changes;          /* for people: what moves, one line each */
	size_t change_count;
	uint32_t fingerprint;    /* of the bytes the plan read (file-copy.c) */
	const char *warning;     /* static: where the result may not run */
};
/* fd is the file inspected as info, open for reading. */
enum ifx_status ifx__patch_plan_make(int fd, const struct ifx_elf_info *info,
				const char *target, struct patch_plan *plan,
				struct ifx_error *err);
/* patch-writes.c */
void ifx__patch_writes_free(struct patch_plan *plan);
int ifx__patch_writes_add(struct patch_plan *plan, uint64_t offset,
			 const void *bytes, size_t len);

/* patch-grow.c: a path longer than PT_INTERP's bytes */
enum ifx_status ifx__patch_grow_plan(int fd, const struct ifx_elf_info *info,
				const char *target, struct patch_plan *plan,
				struct ifx_error *err);

/* patch-apply.c: writes into fd; a growing plan copies data from orig_fd */
enum ifx_status ifx__patch_apply(int fd, int orig_fd, const struct patch_plan *plan,
			    struct ifx_error *err);
/* In place: the plan's one write (the slot) in one pwrite, read back; on
 * failure the old bytes are written back, or the error says what the
 * slot holds. */
enum ifx_status ifx__patch_apply_in_place(int fd, const struct patch_plan *plan,
					  struct ifx_error *err);

/* fix.c: what a fix decides (inspect, choose, vet, plan), nothing written */
/* file-copy.c: bytes between files (copy_file_range, then a bounded
 * buffer), holes kept, into a destination that reads as zeros there;
 * _all clones the whole file first (FICLONE) */
enum ifx_status ifx__file_copy_range(int src, uint64_t from, int dst, uint64_t to,
				     uint64_t len, struct ifx_error *err);
enum ifx_status ifx__file_copy_all(int src, int dst, uint64_t size, struct ifx_error *err);
/* A CRC of the parts of a file a plan reads (its first and last 64 KiB:
 * the ELF header, program headers, the interpreter, section headers);
 * false when they cannot be read. */
bool ifx__file_fingerprint(int fd, uint64_t size, uint32_t *out);

/* plan.c: move the report out of a plan (the plan keeps an empty one);
 * NULL: out of memory. Take it after the last apply. */
struct ifx_fix_report *ifx__plan_take_report(struct ifx_plan *plan);

struct fix_options_in {
	struct ifx_fix_options opts;
	struct ifx_target_options vet;
};
enum ifx_status ifx__fix_options_in(struct fix_options_in *in,
				    const struct ifx_fix_options *given,
				    struct ifx_error *err);
enum ifx_status ifx__fix_plan(int fd, const struct ifx_fix_options *opts,
			      struct ifx_fix_report *report, struct patch_plan *plan,
			      struct ifx_error *err);

/* atomic-file.c: crash-safe replace of one file through a sibling temp */
struct atomic_file {
	int dirfd;         /* the directory holding the file (borrowed) */
	const char *name;  /* the file's name in dirfd (borrowed) */
	int orig_fd;       /* the original, open for reading (borrowed) */
	struct stat orig_st;
	int tmp_fd;        /* -1 when no temp exists */
	bool new_name;     /* name is not the original's (an output path): the
			      rename does not check it still holds the original */
	bool unnamed;      /* O_TMPFILE: tmp_name is set only when linked */
	int priv_fd;       /* no O_TMPFILE: the 0700 directory tmp_name, holding
			      the temporary IFX_TEMP_INNER; else -1 */
	bool kept_setid;   /* the temp got the original's set-id bits */
	bool allow_loss;   /* force: an owner or group that cannot be kept is a
			      warning (lost), not a refusal */
	char lost[256];    /* what could not be kept, or "" */
	char tmp_name[256 + 32];
};
/* Create ".NAME.interpfix-XXXXXX" beside name, empty: the caller writes it
 * whole; commit gives it orig_fd's owner, mode and xattrs. */
enum ifx_status ifx__atomic_file_create(struct atomic_file *af, int dirfd,
					const char *name, int orig_fd, bool new_name,
					struct ifx_error *err);
/* Create ".NAME.interpfix-XXXXXX" beside the original and copy it there
 * (FICLONE, else copy_file_range, else read/write). */
enum ifx_status ifx__atomic_file_begin(struct atomic_file *af, int dirfd,
				  const char *name, int orig_fd,
				  struct ifx_error *err);
/* Owner and group, then mode, then xattrs; fsync; renameat; fsync dirfd. */
enum ifx_status ifx__atomic_file_commit(struct atomic_file *af,
				   struct ifx_error *err);
/* Same inode, size, mtime and ctime: nobody wrote to it in between. */
bool ifx__atomic_same_content_stat(const struct stat *a, const struct stat *b);
/* Unlink and close the temp if it still exists. Safe to call twice. */
void ifx__atomic_file_abort(struct atomic_file *af);

/* ---- archive/: zip and tar members, fed by the format files to one job ---- */

#define IFX_ARCHIVE_MAX_MEMBERS 100000

/* A member's bytes: in memory up to a threshold, then in an unlinked
 * temporary file (O_TMPFILE beside the archive, else in TMPDIR). */
struct spool {
	unsigned char *buf;
	size_t cap;
	int fd;            /* -1 while in memory */
	uint64_t size;     /* bytes held */
	uint64_t threshold;
	int tmp_dirfd;     /* where a temporary file goes (borrowed; AT_FDCWD: TMPDIR) */
};
void ifx__spool_init(struct spool *sp, uint64_t threshold, int tmp_dirfd);
enum ifx_status ifx__spool_write(struct spool *sp, const void *bytes, size_t len,
				 struct ifx_error *err);
/* Up to len bytes from offset off (0 at the end, -1 with errno). */
ssize_t ifx__spool_pread(const struct spool *sp, void *buf, size_t len, uint64_t off);
void ifx__spool_free(struct spool *sp);

struct archive_job {
	struct ifx_archive_options opts;  /* the caller's, as this version reads them */
	struct fix_options_in fix;        /* fixing: opts.fix as read */
	bool fixing;
	int tmp_dirfd;                    /* spools go here */
	struct ifx_archive_result *out;
	struct ifx_error *err;            /* never NULL */
	size_t cap;
};

/* archive-member.c */
/* Record the next member (NULL: out of memory or too many, job->err set).
 * Names that are absolute or climb out ("..") are malformed. */
struct ifx_member *ifx__member_add(struct archive_job *job, const char *name,
				   enum ifx_member_type type, uint64_t size, unsigned mode,
				   const char *link_target, enum ifx_status *st);
enum ifx_member_content ifx__member_sniff(const unsigned char *head, size_t len);
/* A member's status and message (the first one wins). */
void ifx__member_fail(struct ifx_member *m, enum ifx_status status, const char *message,
		      const char *advice);
/* An ELF member's bytes are in `in`: inspect it (scan) or plan its fix and
 * write the result into `out` (fixing; *changed says whether it differs).
 * IFX_OK, or what must stop the whole archive (out of memory; a refusal or
 * error when not keep_going: job->err then names the member). */
enum ifx_status ifx__member_elf(struct archive_job *job, struct ifx_member *m,
				struct spool *in, struct spool *out, bool *changed);
/* After ifx__member_fail: a fix stops here unless keep_going (the member
 * is then left); a scan only reports it. */
enum ifx_status ifx__member_failed(struct archive_job *job, struct ifx_member *m);
/* After the last member: duplicate names are malformed. */
enum ifx_status ifx__member_check_names(struct archive_job *job);
bool ifx__member_selected(const struct archive_job *job, const char *name);


/* archive-zip.c and archive-tar.c: one pass over the archive on in_fd;
 * fixing writes the new archive to out_fd (-1: scan only), and sets
 * *wrote when something changed. */
enum ifx_status ifx__zip_run(struct archive_job *job, int in_fd, int out_fd, bool *wrote);
/* inflate-walk.c: inflate a stream (window_bits as inflateInit2 takes them)
 * read from a spool or from fd at `from`, handing each piece of output and
 * the stream's state (data_type tells block boundaries under Z_BLOCK) to
 * visit until it returns false. The last inflate's result (Z_STREAM_END at
 * the stream's end; Z_BUF_ERROR: the input was cut short; Z_ERRNO: it could
 * not be read); *end says how much went in and out. */
struct inflate_source {
	const struct spool *spool; /* or, when NULL: */
	int fd;
	uint64_t from;
};
struct inflate_end {
	uint64_t total_in, total_out;
};
typedef bool (*inflate_visit)(const unsigned char *out, size_t len, const z_stream *z,
			      void *ctx);
int ifx__inflate_walk(const struct inflate_source *src, int window_bits, int flush,
		      inflate_visit visit, void *ctx, struct inflate_end *end);

/* zip-deflate.c: new_bytes as a raw deflate stream into out (level 6), and
 * its CRC; with comp (the member's original compressed bytes) the original
 * stream is reused after the change when it can be (*spliced). */
enum ifx_status ifx__zip_deflate(struct archive_job *job, const struct spool *comp,
				 const struct spool *old_bytes, const struct spool *new_bytes,
				 struct spool *out, uint32_t *crc, bool *spliced);
enum ifx_status ifx__tar_run(struct archive_job *job, int in_fd, int out_fd, bool *wrote);

/* tar-splice.c: a fixed tar written without recompressing (sizes kept) */
struct tar_change {
	uint64_t header_pos;      /* the entry's first header in the tar stream */
	uint64_t size;            /* its data, the same before and after */
	unsigned char head[512];  /* the old data's first bytes */
	size_t head_len;
	uint64_t diff_from, diff_to; /* where old and new data differ */
	struct spool bytes;       /* the new data */
	bool located;             /* data_pos found in the stream */
	uint64_t data_pos;
};
/* in_fd's tar (bare, or gzip: filter) to out_fd with the changes applied;
 * IFX_ERR_UNSUPPORTED: it cannot be done this way (rewrite it instead). */
enum ifx_status ifx__tar_splice(int in_fd, int out_fd, bool gzip, struct tar_change *c, size_t n,
				struct ifx_error *err);

#endif /* IFX_INTERNAL_H */
