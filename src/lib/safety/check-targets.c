/*
 * The deploy-target rules of check: what would stop the file on each
 * target of opts->targets (its arch, libc family, interpreter, and every
 * symbol version the target's glibc, libstdc++ or libgcc_s lack), for the
 * file and for the libraries shipped with it. The judgement is
 * target-judge.c's; this file words it as findings.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "safety/audit.h"
#include "targets/targets.h"

static void last_target(struct audit *run, const struct ifx_target *t)
{
	struct ifx_finding *f = ifx__audit_last(run);

	if (f != NULL)
		f->deploy_target = ifx__audit_dup(run, t->name);
}

/* Messages are "on TARGET: ..." and name the target nowhere else (it is
 * "the target"), so text output can say one thing of many targets. */

/* The gaps of one runtime as a finding: every symbol in the JSON, as
 * many as fit in the message. */
static void target_versions(struct audit *run, const struct ifx_target *t,
			    const struct ifx__target_verdict *v, enum ifx__runtime rt,
			    const char *shipped, const struct ifx_go_info *go)
{
	static const char *const what[] = { [IFX__RT_GLIBC] = "glibc",
		[IFX__RT_GLIBCXX] = "libstdc++", [IFX__RT_CXXABI] = "libstdc++ (C++ ABI)",
		[IFX__RT_GCC] = "libgcc_s" };
	char msg[IFX_MSG_MAX], adv[IFX_MSG_MAX], buf[32], node[64], who[IFX_MSG_MAX / 2] = "";
	const char *has = ifx__target_ceiling(t, rt, v->arch, buf, sizeof(buf)), *need = NULL;
	char *has_release = NULL, *need_release = NULL;
	size_t n = 0, used;
	struct ifx_finding *f;

	for (size_t i = 0; i < v->gap_count; i++) {
		const char *number;

		if (ifx__runtime_of(v->gaps[i].version, &number) != rt)
			continue;
		n++;
		if (need == NULL || ifx__version_compare(number, need) > 0)
			need = number;
	}
	if (n == 0 || has == NULL)
		return;
	/* a library shipped with the file: named, and the finding's needed_by */
	if (shipped != NULL)
		snprintf(who, sizeof(who), "%s (loaded through its RPATH/RUNPATH) ", shipped);
	switch (rt) {
	case IFX__RT_GLIBC:
		used = (size_t)snprintf(msg, sizeof(msg), "on %s: %sneeds glibc %s, the target "
					"has %s:", t->name, who, need, has);
		/* a Go program's glibc needs go with cgo: a static build needs none */
		snprintf(adv, sizeof(adv), "%s%sbuild it against glibc %s or older (in %s's own "
			 "image, or a manylinux container of that glibc), or deploy it where glibc "
			 "%s is", go != NULL ? ifx__go_static_advice(go) : "", go != NULL ? "; or " : "",
			 has, t->base[0] ? t->base : t->name, need);
		break;
	case IFX__RT_GLIBCXX:
	case IFX__RT_CXXABI:
		snprintf(node, sizeof(node), "%s%s", rt == IFX__RT_GLIBCXX ? "GLIBCXX_" : "CXXABI_",
			 has);
		has_release = ifx__release_with(node);
		snprintf(node, sizeof(node), "%s%s", rt == IFX__RT_GLIBCXX ? "GLIBCXX_" : "CXXABI_",
			 need);
		need_release = ifx__release_with(node);
		used = (size_t)snprintf(msg, sizeof(msg), "on %s: %sneeds %s %s%s%s%s, the target "
					"has %s%s:", t->name, who, what[rt], node,
					need_release ? " (" : "", need_release ? need_release : "",
					need_release ? ")" : "",
					rt == IFX__RT_GLIBCXX ? "GLIBCXX_" : "CXXABI_", has);
		snprintf(adv, sizeof(adv), "link libstdc++ statically (-static-libstdc++), ship "
			 "libstdc++.so.6 beside it with an $ORIGIN rpath, or build it in %s's own "
			 "image (its libstdc++ stops at %s%s%s%s%s)", t->base[0] ? t->base : t->name,
			 rt == IFX__RT_GLIBCXX ? "GLIBCXX_" : "CXXABI_", has,
			 has_release ? ", first in " : "", has_release ? has_release : "",
			 has_release ? "" : "");
		break;
	default:
		used = (size_t)snprintf(msg, sizeof(msg), "on %s: %sneeds libgcc_s GCC_%s, the "
					"target has GCC_%s:", t->name, who, need, has);
		snprintf(node, sizeof(node), "GCC_%s", need);
		snprintf(adv, sizeof(adv), "link libgcc statically (-static-libgcc), or ship "
			 "libgcc_s.so.1 beside it with an $ORIGIN rpath; %s has GCC_%s, it needs %s",
			 t->name, has, node);
		break;
	}
	for (size_t i = 0, k = 0; i < v->gap_count && used < sizeof(msg) - 1; i++) {
		const struct ifx_version_gap *g = &v->gaps[i];

		if (ifx__runtime_of(g->version, NULL) != rt)
			continue;
		used += (size_t)snprintf(msg + used, sizeof(msg) - used, "%s %s%s%s (%s%s%s)",
					 k++ ? "," : "",
					 g->symbol ? g->symbol : "version ", g->symbol ? "@" : "", g->version,
					 g->library, g->since ? ", since " : "",
					 g->since ? g->since : "");
	}
	free(has_release);
	free(need_release);
	ifx__audit_finding(run, IFX_RULE_TARGET_VERSIONS, IFX_SEVERITY_ERROR, msg, adv);
	last_target(run, t);
	if ((f = ifx__audit_last(run)) == NULL)
		return;
	f->needed_by = ifx__audit_dup(run, shipped);
	f->gaps = calloc(n, sizeof(*f->gaps));
	f->symbols = calloc(n, sizeof(*f->symbols));
	if (f->gaps == NULL || f->symbols == NULL) {
		run->nomem = true;
		return;
	}
	for (size_t i = 0; i < v->gap_count; i++) {
		const struct ifx_version_gap *g = &v->gaps[i];
		struct ifx_version_gap *c = &f->gaps[f->gap_count];

		if (ifx__runtime_of(g->version, NULL) != rt)
			continue;
		f->gap_count++;
		c->symbol = ifx__audit_dup(run, g->symbol);
		c->version = ifx__audit_dup(run, g->version);
		c->library = ifx__audit_dup(run, g->library);
		c->since = ifx__audit_dup(run, g->since);
		/* a version needed with no symbol bound to it is named alone */
		if (asprintf(&f->symbols[f->symbol_count], "%s%s%s", g->symbol ? g->symbol : "",
			     g->symbol ? "@" : "", g->version) < 0) {
			run->nomem = true;
			return;
		}
		f->symbol_count++;
	}
}

/* A shipped library's versions beyond the target, as the file's findings. */
static void shipped_versions(struct audit *run, const struct ifx_target *t,
			     const struct ifx__shipped_lib *l)
{
	struct ifx__target_verdict v;

	if (ifx__target_judge(&l->info, t, &v) != IFX_OK) {
		run->nomem = true;
		return;
	}
	/* another arch or libc is the loader's own refusal (missing-library) */
	if (v.arch_offered && !v.libc_differs) {
		target_versions(run, t, &v, IFX__RT_GLIBC, l->path, NULL);
		target_versions(run, t, &v, IFX__RT_GLIBCXX, l->path, NULL);
		target_versions(run, t, &v, IFX__RT_CXXABI, l->path, NULL);
		target_versions(run, t, &v, IFX__RT_GCC, l->path, NULL);
	}
	ifx__target_verdict_free(&v);
}

static void check_target(struct audit *run, const char *path, const struct ifx_elf_info *info,
			 const struct ifx_target *t, const struct ifx__shipped *ship)
{
	struct ifx__target_verdict v;
	char msg[IFX_MSG_MAX], advice[IFX_MSG_MAX];

	if (ifx__target_judge(info, t, &v) != IFX_OK) {
		run->nomem = true;
		return;
	}
	if (!v.arch_offered) {
		snprintf(msg, sizeof(msg), "on %s: this %s binary cannot run: the target offers %s",
			 t->name, ifx_machine_name(info->machine, info->elf_class, info->data),
			 t->arches);
		snprintf(advice, sizeof(advice), "build it for one of: %s", t->arches);
		ifx__audit_finding(run, IFX_RULE_TARGET_ARCH, IFX_SEVERITY_ERROR, msg, advice);
		last_target(run, t);
	} else if (v.libc_differs) {
		snprintf(msg, sizeof(msg), "on %s: links %s, and the target's C library is %s %s",
			 t->name, ifx_libc_name(info->libc), ifx_libc_name(t->libc),
			 t->libc_version);
		if (info->go != NULL)
			snprintf(advice, sizeof(advice), "%s", ifx__go_static_advice(info->go));
		else
			snprintf(advice, sizeof(advice), "rebuild it against %s (in %s's own image), "
				 "or link it statically", ifx_libc_name(t->libc),
				 t->base[0] ? t->base : t->name);
		ifx__audit_finding(run, IFX_RULE_TARGET_LIBC, IFX_SEVERITY_ERROR, msg, advice);
		last_target(run, t);
	} else {
		if (v.interp_differs) {
			snprintf(msg, sizeof(msg), "on %s: interpreter %s is not the target's loader "
				 "%s: executing it there fails with \"No such file or directory\"",
				 t->name, info->interp, v.loader);
			snprintf(advice, sizeof(advice), "interpfix fix --target %s %s", t->name, path);
			ifx__audit_finding(run, IFX_RULE_TARGET_INTERP, IFX_SEVERITY_ERROR, msg, advice);
			ifx__audit_last_interp(run, info->interp, v.loader);
			last_target(run, t);
		}
		target_versions(run, t, &v, IFX__RT_GLIBC, NULL, info->go);
		target_versions(run, t, &v, IFX__RT_GLIBCXX, NULL, info->go);
		target_versions(run, t, &v, IFX__RT_CXXABI, NULL, info->go);
		target_versions(run, t, &v, IFX__RT_GCC, NULL, info->go);
		for (size_t i = 0; i < ship->count; i++)
			shipped_versions(run, t, &ship->libs[i]);
	}
	ifx__target_verdict_free(&v);
}

void ifx__audit_targets(struct audit *run, const char *path, const char *named,
			const struct ifx_elf_info *info)
{
	const struct ifx_check_options *opts = run->opts;
	struct ifx__shipped ship = { NULL, 0 };

	if (opts->target_count == 0)
		return;
	if (!opts->archive_member &&
	    ifx__shipped_read(path, info, opts->root, run->cache, &ship) != IFX_OK)
		run->nomem = true;
	for (size_t i = 0; i < opts->target_count; i++)
		check_target(run, named, info, opts->targets[i], &ship);
	ifx__shipped_free(&ship);
}
