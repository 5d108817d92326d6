// SPDX-License-Identifier: GPL-2.0
/*
 * Which BPF program each probe gets on the running kernel: the typed
 * tracepoint, the raw one, the classic one, or the classic one for an older
 * event layout (with its separate <event>_node tracepoint), chosen from the
 * kernel's BTF, tracefs and a verifier probe before anything is loaded.
 * Kernel differences are found, never inferred from a version number.
 */
#include "source/probe_select.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "model/meta.h"

/*
 * Every probe with its BPF programs: the BTF-typed variant where one is
 * cheaper or richer, and the classic tracepoint that works everywhere.
 * btf_args is the typed tracepoint's argument count (with its leading
 * void *): a kernel whose prototype differs gets the classic variant, a
 * kernel whose verifier cannot read the typed arguments the raw tracepoint
 * variant (raw_prog: the same arguments, untyped) where there is one.
 * A kernel whose BTF lacks the classic program's event struct (tp_struct)
 * gets compat_prog, a raw tracepoint program for the older arguments
 * (bpf/slab.bpf.c), and with it compat_node_prog on the separate
 * <event>_node tracepoint of that layout.  order0_vmstat_prog is the
 * typed variant loaded instead of btf_prog when the kernel's pgalloc
 * counters count successful order-0 allocations (tracer_order0_traced_by()).
 */
static const struct probe_def {
	const char *btf_prog, *tp_prog, *raw_prog;
	int btf_args;
	const char *btf_arg3_struct; /* the struct the 3rd argument must point to, if any */
	const char *tp_struct, *compat_prog, *compat_node_prog;
	const char *tp_via; /* what tp_prog is, if not a classic tracepoint */
	const char *order0_vmstat_prog;
} probe_defs[FS_PROBES] = {
	[FS_PROBE_PAGE_ALLOC] = { "page_alloc_btf", "page_alloc_tp", NULL, 5,
				  .order0_vmstat_prog = "page_above0_btf" },
	[FS_PROBE_EXTFRAG] = { NULL, "extfrag_tp" },
	[FS_PROBE_KMALLOC] = { "kmalloc_btf", "kmalloc_tp", "kmalloc_raw", 7, NULL,
			       "trace_event_raw_kmalloc", "kmalloc_tp_compat", "kmalloc_node_tp_compat" },
	[FS_PROBE_KMEM_CACHE_ALLOC] = { "kmem_cache_alloc_btf", "kmem_cache_alloc_tp", "kmem_cache_alloc_raw",
					6, "kmem_cache",
					"trace_event_raw_kmem_cache_alloc", "kmem_cache_alloc_tp_compat",
					"kmem_cache_alloc_node_tp_compat" },
	[FS_PROBE_COMPACT_TRY] = { NULL, "compact_try_tp" },
	[FS_PROBE_COMPACT_BEGIN] = { NULL, "compact_begin_tp" },
	[FS_PROBE_COMPACT_END] = { NULL, "compact_end_tp" },
	[FS_PROBE_COMPACT_DEFERRED] = { NULL, "compact_deferred_tp" },
	[FS_PROBE_KCOMPACTD_WAKE] = { NULL, "kcompactd_wake_tp" },
	[FS_PROBE_VMAP_AREA] = { NULL, "alloc_vmap_area_tp" },
	[FS_PROBE_DIRECT_RECLAIM_BEGIN] = { NULL, "direct_reclaim_begin_tp" },
	[FS_PROBE_DIRECT_RECLAIM_END] = { NULL, "direct_reclaim_end_tp" },
	[FS_PROBE_MEMCG_RECLAIM_BEGIN] = { NULL, "memcg_reclaim_begin_tp" },
	[FS_PROBE_MEMCG_RECLAIM_END] = { NULL, "memcg_reclaim_end_tp" },
	[FS_PROBE_OOM_VICTIM] = { NULL, "mark_victim_tp" },
	[FS_PROBE_SYSCALL_EXIT] = { NULL, "sys_exit", .tp_via = "raw_tp" },
	[FS_PROBE_TASK_EXIT] = { NULL, "request_task_exit" },
};

/*
 * Can this kernel's verifier read every argument of a typed tracepoint?
 * Older verifiers (6.1's, for one) refuse a typed read of a pointer to
 * anything but a struct, `const void *` included ("func 'kmalloc' arg1 type
 * UNKNOWN is not a struct"), and kmalloc and kmem_cache_alloc pass the
 * object they return as one; 6.18's reads it as a scalar.  The prototype
 * cannot tell, so ask the verifier: a program of a few instructions that
 * reads each argument.  A typed variant it refuses gets the classic
 * tracepoint, for that probe only.
 */
static bool btf_args_readable(int typedef_id, int nr_args)
{
	struct bpf_insn insns[16] = {};
	int n = 0, fd;
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_RAW_TP,
		    .attach_btf_id = typedef_id);

	/* The prototype's first argument is the tracepoint's void *__data, not in ctx. */
	for (int i = 0; i < nr_args - 1 && n < 14; i++)
		insns[n++] = (struct bpf_insn){ .code = BPF_LDX | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_0,
						.src_reg = BPF_REG_1, .off = (short)(8 * i) };
	insns[n++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 };
	insns[n++] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns, n, &opts);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * Does this kernel's typed tracepoint have the prototype our program
 * expects?  Returns its BTF typedef's id, or -1 with the reason in why.
 */
static int btf_prototype_fits(const struct btf *btf, int probe, char *why, size_t len)
{
	const struct probe_def *d = &probe_defs[probe];
	char name[128];
	const struct btf_type *t;
	const struct btf_param *params;
	int id;

	snprintf(name, sizeof(name), "btf_trace_%s", fs_probe_event(probe));
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id < 0) {
		snprintf(why, len, "no BTF type %s", name);
		return -1;
	}
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type); /* pointer */
	t = t ? btf__type_by_id(btf, t->type) : NULL;             /* function prototype */
	if (!t || !btf_is_func_proto(t) || btf_vlen(t) != d->btf_args) {
		snprintf(why, len, "typed tracepoint prototype differs (%d arguments, expected %d)",
			 t ? btf_vlen(t) : -1, d->btf_args);
		return -1;
	}
	if (!d->btf_arg3_struct)
		return id;
	params = btf_params(t);
	t = btf__type_by_id(btf, params[3].type);
	t = t && btf_is_ptr(t) ? btf__type_by_id(btf, t->type) : NULL;
	if (!t || !btf_is_struct(t) || strcmp(btf__name_by_offset(btf, t->name_off), d->btf_arg3_struct)) {
		snprintf(why, len, "typed tracepoint's 3rd argument is not struct %s *", d->btf_arg3_struct);
		return -1;
	}
	return id;
}

bool probe_order0_from_vmstat(const struct probe_status *page_alloc)
{
	return page_alloc->state == PROBE_ATTACHED && page_alloc->prog &&
	       !strcmp(page_alloc->prog, probe_defs[FS_PROBE_PAGE_ALLOC].order0_vmstat_prog);
}

struct bpf_program *probe_program(struct bpf_object *obj, const char *name)
{
	return name ? bpf_object__find_program_by_name(obj, name) : NULL;
}

static bool tracepoint_exists(const char *tracefs, const char *category, const char *event)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/events/%s/%s/id", tracefs, category, event);
	return !access(path, R_OK);
}

static bool name_in_list(const char *list, const char *category, const char *event)
{
	char full[96];
	const char *p = list;
	size_t n;

	if (!list)
		return false;
	snprintf(full, sizeof(full), "%s:%s", category, event);
	while (*p) {
		n = strcspn(p, ",");
		if ((n == strlen(event) && !strncmp(p, event, n)) || (n == strlen(full) && !strncmp(p, full, n)))
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

bool probe_masked(const struct tracer_config *cfg, int probe)
{
	return name_in_list(cfg->mask_probes, fs_probe_category(probe), fs_probe_event(probe));
}

void probe_select(struct bpf_object *obj, struct probe_status probes[FS_PROBES], const struct tracer_config *cfg,
		  const struct btf *btf, const char *tracefs)
{
	const char *order0_traced_by = tracer_order0_traced_by(cfg);

	for (int i = 0; i < FS_PROBES; i++) {
		const struct probe_def *d = &probe_defs[i];
		struct probe_status *s = &probes[i];
		/* The typed program for this run; the other typed variant, if any, stays unloaded. */
		const char *btf_name = d->order0_vmstat_prog && !order0_traced_by ? d->order0_vmstat_prog : d->btf_prog;
		const char *unused_btf_name = btf_name == d->btf_prog ? d->order0_vmstat_prog : d->btf_prog;
		struct bpf_program *btf_prog = probe_program(obj, btf_name), *tp_prog = probe_program(obj, d->tp_prog);
		struct bpf_program *unused_btf_prog = probe_program(obj, unused_btf_name);
		struct bpf_program *raw_prog = probe_program(obj, d->raw_prog);
		struct bpf_program *compat_prog = probe_program(obj, d->compat_prog);
		struct bpf_program *node_prog = probe_program(obj, d->compat_node_prog);
		char node_event[64], why[160] = "";
		bool use_btf = false, use_raw = false, compat, exists, masked;
		int typedef_id;

		s->name = fs_probe_name(i);
		s->via = "-";
		exists = tracepoint_exists(tracefs, fs_probe_category(i), fs_probe_event(i));
		masked = probe_masked(cfg, i);
		if (btf_prog && !cfg->classic_only && exists && btf &&
		    (typedef_id = btf_prototype_fits(btf, i, why, sizeof(why))) > 0) {
			use_btf = btf_args_readable(typedef_id, d->btf_args);
			use_raw = !use_btf && raw_prog;
			if (!use_btf)
				snprintf(why, sizeof(why), "the verifier cannot read the typed tracepoint's "
							   "arguments (a typed pointer to a non-struct)");
		}
		compat = !use_btf && !use_raw && d->tp_struct && btf &&
			 btf__find_by_name_kind(btf, d->tp_struct, BTF_KIND_STRUCT) < 0;
		snprintf(node_event, sizeof(node_event), "%s_node", fs_probe_event(i));
		s->prog = compat ? d->compat_prog : use_btf ? btf_name : use_raw ? d->raw_prog : d->tp_prog;
		s->node_prog = compat && tracepoint_exists(tracefs, fs_probe_category(i), node_event)
				       ? d->compat_node_prog : NULL;
		if (btf_prog)
			bpf_program__set_autoload(btf_prog, !masked && use_btf);
		if (unused_btf_prog)
			bpf_program__set_autoload(unused_btf_prog, false);
		if (raw_prog)
			bpf_program__set_autoload(raw_prog, !masked && use_raw);
		bpf_program__set_autoload(tp_prog, !masked && exists && !use_btf && !use_raw && !compat);
		if (compat_prog)
			bpf_program__set_autoload(compat_prog, !masked && exists && compat);
		if (node_prog)
			bpf_program__set_autoload(node_prog, !masked && exists && s->node_prog);

		if (masked) {
			s->state = PROBE_MASKED;
			snprintf(s->why, sizeof(s->why), "masked by --mask-probes");
		} else if (!exists) {
			s->state = PROBE_MISSING;
			snprintf(s->why, sizeof(s->why), "this kernel has no tracepoint %s", s->name);
		} else {
			s->state = PROBE_FAILED; /* until attached */
			s->via = use_btf ? "tp_btf" : use_raw || compat ? "raw_tp" : d->tp_via ? d->tp_via : "tracepoint";
			if (compat)
				snprintf(s->why, sizeof(s->why), "raw tracepoint, older event layout (no %s)%s%s%s",
					 d->tp_struct, s->node_prog ? "; with " : "", s->node_prog ? node_event : "",
					 i == FS_PROBE_KMEM_CACHE_ALLOC ? "; failures carry no cache name" : "");
			else if (use_raw)
				snprintf(s->why, sizeof(s->why), "raw tracepoint: %s", why);
			else if (btf_prog && !use_btf)
				snprintf(s->why, sizeof(s->why), "classic tracepoint: %s%s",
					 cfg->classic_only ? "--classic-tracepoints" : why,
					 d->order0_vmstat_prog ? "; every order-0 allocation traced" : "");
			else if (d->order0_vmstat_prog && !order0_traced_by)
				snprintf(s->why, sizeof(s->why), "successful order-0 allocations not traced: "
								 "counted from /proc/vmstat pgalloc (--order0 vmstat)");
			else if (d->order0_vmstat_prog)
				snprintf(s->why, sizeof(s->why), "every order-0 allocation traced (%s)", order0_traced_by);
		}
	}
}
