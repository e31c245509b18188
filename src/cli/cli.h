/* The interpfix command line: commands, exit statuses and printing. */
#ifndef IFX_CLI_H
#define IFX_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "interpfix.h"

/* Exit statuses, worst first: 2 > 3 > 1 > 0 (see cli_worst). */
enum cli_exit {
	EXIT_OK = 0,
	EXIT_FINDINGS = 1, /* a dry run would change something */
	EXIT_ERROR = 2,    /* usage, I/O or malformed input */
	EXIT_REFUSED = 3,  /* the safety checker said no */
};

struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
	const char *help;
};

/* main.c */
const struct cli_command *cli_find_command(const char *name);
void cli_print_help(FILE *out, const struct cli_command *cmd);

/* cli-util.c */
int cli_exit_for(enum ifx_status status);
int cli_worst(int a, int b);
/* As cli_error, for a name already in display form (cli_member_display). */
void cli_error_shown(const char *shown, const struct ifx_error *err);
void cli_error(const char *path, const struct ifx_error *err);
/* Fill an error struct for what the CLI itself met (errnum 0: no errno). */
void cli_fill_error(struct ifx_error *err, enum ifx_status status, int errnum,
		    const char *what);
void cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int cli_help_option(const char *cmd);
/* After getopt_long returned '?': one line naming the option. */
void cli_bad_option(const char *cmd, char **argv);
/* Usage checks shared by the commands: a usage error said, and false. */
bool cli_root_ok(const char *cmd, const char *root);   /* --root is a directory */
bool cli_glibc_ok(const char *cmd, const char *glibc); /* --glibc is "X.Y" */

/* cli-util.c: allocation that exits on no memory, as the CLI may (the
 * library never does); cli_xstrdup(NULL) is NULL. */
void cli_out_of_memory(void) __attribute__((noreturn));
void *cli_xmalloc(size_t size);
void *cli_xreallocarray(void *p, size_t n, size_t size);
char *cli_xstrdup(const char *s);

/* cli-progress.c: "interpfix: checked N files, M ELF ..." on a terminal's
 * stderr for runs over a second; _clear before printing anything else. */
void cli_progress_start(bool for_people);
void cli_progress(const char *verb, unsigned long files, unsigned long elf);
void cli_progress_clear(void);

/* cli-escape.c: names are data. In text, every byte that is not printable
 * UTF-8 (controls, DEL, C1 controls, invalid sequences) is written \xNN and
 * a backslash \\; _escape's result is malloc'd (exits on no memory),
 * _safe's lives until 16 more calls (for several names in one printf;
 * NULL gives "-"). */
size_t cli_utf8_len(const unsigned char *s, size_t n); /* 0: invalid */
bool cli_utf8_valid(const char *s);
char *cli_escape(const char *s);
const char *cli_safe(const char *s);
/* As cli_safe, backslashes kept: for advice, whose names are shell-quoted. */
const char *cli_safe_advice(const char *s);
/* ifx_shell_quote, exiting on no memory. */
char *cli_shell_quote(const char *s);

/* cli-archive.c: archive members in output and options */
/* "ARCHIVE!MEMBER", the member's bytes escaped (\xNN for control bytes,
 * DEL, backslash and invalid UTF-8), so a name cannot start a line or move
 * the cursor. Never NULL (exits on no memory, as the CLI may). */
char *cli_member_display(const char *path, const char *member);
/* How advice names a member: "--member GLOB ARCHIVE", shell-quoted, the
 * member's glob characters escaped. */
char *cli_member_operand(const char *path, const char *member);
/* Member globs from repeated --member options. */
struct cli_members {
	const char **globs;
	size_t count;
};
bool cli_members_add(struct cli_members *m, const char *glob);
void cli_members_free(struct cli_members *m);
/* Scan the archive at dirfd/name (a regular file: no FIFO, no device) into
 * res, *st the scan's status; false when it is not an archive. */
bool cli_scan_archive(int dirfd, const char *name, bool follow,
		      const struct ifx_archive_options *opts, struct ifx_archive_result *res,
		      struct ifx_error *err, enum ifx_status *st);

/* cli-targets.c: --target NAME (a target, an alias or a family) and
 * --target-file FILE, collected while parsing, then resolved: the set
 * (built-in plus the files', which are loaded first) and the targets
 * chosen, each once, in the order named. A bad file or an unknown name is
 * said (one line and the advice) and false. */
struct cli_targets {
	struct ifx_target_set *set;
	const struct ifx_target **chosen;
	size_t count;
	const char **names;
	size_t name_count;
	const char **files;
	size_t file_count;
};
void cli_targets_add_name(struct cli_targets *t, const char *name);
void cli_targets_add_file(struct cli_targets *t, const char *path);
bool cli_targets_resolve(struct cli_targets *t, const char *cmd);
void cli_targets_free(struct cli_targets *t);

/* cmd-*.c */
int cmd_show(int argc, char **argv);
int cmd_fix(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_targets(int argc, char **argv);

/* json-writer.c: streaming JSON with commas and escaping handled */
struct json {
	FILE *out;
	int depth;
	bool need_comma[64];
	bool after_key;
};
void json_init(struct json *j, FILE *out);
void json_begin_object(struct json *j);
void json_end_object(struct json *j);
void json_begin_array(struct json *j);
void json_end_array(struct json *j);
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s); /* NULL writes null */
/* "key": s, and when s is not valid UTF-8 also "key_bytes": its bytes in
 * lowercase hex (the string shows each invalid byte as U+FFFD). */
void json_name(struct json *j, const char *key, const char *s);
/* "key": [items], and when one is not valid UTF-8 also "key_bytes": the
 * same positions, null for a valid item, else its bytes in hex. */
void json_name_list(struct json *j, const char *key, char **items, size_t n);
void json_uint(struct json *j, uint64_t v);
void json_int(struct json *j, long long v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
void json_finish(struct json *j); /* trailing newline */

/* What show adds to the facts: the interpreter judged on this host. */
struct show_loader {
	enum ifx_loader_kind kind;
	bool exists;             /* the current interpreter is a file here */
	const char *standard;    /* psABI path for this binary's libc, or NULL */
	const char *choice;      /* what fix would choose, or NULL */
	const char *why_not;     /* why fix would not choose, or NULL */
	bool host_specific;
	const struct ifx_target_set *targets; /* where it can run is judged
				    against these; NULL: not shown */
	const char *path;        /* the file on disk, to count in the libraries
				    shipped with it; NULL: an archive member */
	const char *root;        /* --root */
	struct ifx_context *context;
};

/* report-deploy.c: show's "needs", "runs on" and "not on" lines, and its
 * JSON "deploy" member */
void report_text_deploy(FILE *out, const struct ifx_elf_info *info,
			const struct show_loader *l);
void report_json_deploy(struct json *j, const struct ifx_elf_info *info,
			const struct show_loader *l);

/* report-text.c and report-json.c: the facts of one file (text: path in
 * display form, cli_safe or cli_member_display; JSON: the raw path) */
void report_text_show(FILE *out, const char *path, const struct ifx_elf_info *info,
		      const struct show_loader *loader, const struct ifx_dep_tree *deps);
void report_json_show(struct json *j, const char *path, const char *member,
		      const struct ifx_elf_info *info, const struct show_loader *loader,
		      const struct ifx_dep_tree *deps);
/* Every JSON document is one object that begins with schema_version (of
 * docs/interpfix-report.schema.json), tool {name, version} and command;
 * the caller adds its members and closes it. */
#define REPORT_SCHEMA_VERSION 1
void report_json_begin(struct json *j, const char *command);
/* "exit_status", and the document closed. */
void report_json_end(struct json *j, int exit_status);
void report_json_error(struct json *j, const char *path, const char *member,
		       const struct ifx_error *err);

/* Errors of a run (files that could not be read), kept for the formats
 * that list them at the end (JSON "errors", SARIF notifications). */
struct cli_error_entry {
	char *path;
	char *member;          /* NULL for a file of its own */
	enum ifx_status status;
	char *message;
	char *advice;          /* NULL when none */
};
struct cli_errors {
	struct cli_error_entry *entries;
	size_t count;
};
void cli_errors_add(struct cli_errors *e, const char *path, const char *member,
		    enum ifx_status status, const char *message, const char *advice);
void cli_errors_free(struct cli_errors *e);
/* A finding's structured facts: library, needed_by, interp, target,
 * symbols and searched (each null when the rule has none). */
void report_json_finding_facts(struct json *j, const struct ifx_finding *f);
void report_json_error_entry(struct json *j, const char *path_key,
			     const struct cli_error_entry *e);

/* report-sarif.c: the rules as SARIF describes them, and the document */
struct cli_rule {
	enum ifx_rule rule;
	enum ifx_severity severity; /* as ifx_check_file reports it */
	const char *name;      /* PascalCase, SARIF's rule name */
	const char *summary;   /* one sentence */
	const char *help;      /* what it means and what to do */
	const char *id;        /* NULL: ifx_rule_name(rule) */
	const char *level;     /* NULL: from severity */
};
extern const struct cli_rule cli_rules[];
extern const size_t cli_rule_count;
extern const struct cli_rule cli_fix_rules[]; /* would-fix, fixed, refused */
extern const size_t cli_fix_rule_count;
void sarif_begin(struct json *j, const struct cli_rule *rules, size_t n);
void sarif_result(struct json *j, const char *path, const char *member,
		  const struct ifx_finding *f, const struct ifx_elf_info *info);
void sarif_end(struct json *j, const struct cli_errors *errors, int exit_status);

/* report-github.c: GitHub Actions workflow commands (annotations): level
 * "error", "warning" or "notice"; advice (may be NULL) after the message */
void github_annotation(FILE *out, const char *level, const char *path, const char *member,
		       const char *title, const char *message, const char *advice);
void github_finding(FILE *out, const char *path, const char *member,
		    const struct ifx_finding *f);
void github_error(FILE *out, const char *path, const char *member, const char *message,
		  const char *advice);

/* The outcome of fix for one file, and the totals. */
enum fix_outcome {
	FIX_FIXED,
	FIX_WOULD_FIX,
	FIX_ALREADY,
	FIX_SKIPPED,
	FIX_REFUSED,
	FIX_ERROR,
	FIX_REMOVED,      /* --remove-leftovers: a leftover temporary removed */
	FIX_WOULD_REMOVE, /* ... and with --dry-run */
};
/* report-sarif.c: a fix outcome as a SARIF result (would-fix, fixed or
 * refused; nothing for the others), in a document begun with cli_fix_rules */
void sarif_fix_result(struct json *j, const char *path, const char *member,
		      enum fix_outcome outcome, const struct ifx_fix_report *rep,
		      const struct ifx_error *err);
struct fix_summary {
	unsigned long scanned, elf, fixed, already, skipped, refused, errors;
};
const char *fix_outcome_name(enum fix_outcome outcome);
void report_text_fix(FILE *out, const char *path, enum fix_outcome outcome,
		     const struct ifx_fix_report *rep, const char *why);
void report_text_diff(FILE *out, const char *path, const struct ifx_fix_report *rep);
void report_text_summary(FILE *out, const struct fix_summary *sum, bool dry_run);
void report_json_fix(struct json *j, const char *path, const char *member,
		     enum fix_outcome outcome, const struct ifx_fix_report *rep,
		     const struct ifx_error *err, const char *why);
void report_json_summary(struct json *j, const struct fix_summary *sum);

#endif /* IFX_CLI_H */
