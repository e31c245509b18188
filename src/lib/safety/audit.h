/* Inside the safety module: the state of one ifx_check_file run and the
 * helpers that add its findings, shared by check.c (the rules about the
 * file and this host) and check-targets.c (the deploy-target rules). */
#ifndef IFX_SAFETY_AUDIT_H
#define IFX_SAFETY_AUDIT_H

#include "interpfix.h"

struct audit {
	const struct ifx_check_options *opts;
	struct ifx_context *cache;
	struct ifx_check_result *out;
	bool nomem;
};

/* Append a finding (message and advice copied); on no memory run->nomem. */
void ifx__audit_finding(struct audit *run, enum ifx_rule rule, enum ifx_severity severity,
			const char *message, const char *advice);
/* The last finding, for the structured fields its rule adds; NULL when
 * none was added (or memory ran out). */
struct ifx_finding *ifx__audit_last(struct audit *run);
/* strdup that flags run->nomem; NULL stays NULL. */
char *ifx__audit_dup(struct audit *run, const char *s);
/* An interpreter rule's interp and target fields on the last finding. */
void ifx__audit_last_interp(struct audit *run, const char *interp, const char *target);

/* check-targets.c: every opts->targets rule on the file (path as read,
 * named as advice names it), with the libraries shipped with it. */
void ifx__audit_targets(struct audit *run, const char *path, const char *named,
			const struct ifx_elf_info *info);

#endif
