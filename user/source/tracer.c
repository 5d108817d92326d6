// SPDX-License-Identifier: GPL-2.0
#include "source/tracer.h"
#include "source/probe_select.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "fragscope.skel.h"
#include "kernel/gfp.h"
#include "kernel/kernel_info.h"
#include "model/meta.h"
#include "util/clock.h"
#include "util/exit_codes.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static const char *const tracefs_dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };

const char *probe_state_name(enum probe_state s)
{
	switch (s) {
	case PROBE_ATTACHED: return "attached";
	case PROBE_MISSING: return "missing";
	case PROBE_MASKED: return "masked";
	case PROBE_FAILED: return "failed";
	}
	return "?";
}

void tracer_config_defaults(struct tracer_config *c)
{
	memset(c, 0, sizeof(*c));
	c->min_order = 4; /* per process: the costly orders, as stacks; orders 1-3 cost every skb frag and slab refill a keyed update */
	c->stack_order = 4; /* above PAGE_ALLOC_COSTLY_ORDER: the orders that fail */
	c->extfrag_stacks = true;
	c->ringbuf_bytes = 4 << 20;
	c->stack_map_entries = 16384;
}

const char *tracer_order0_traced_by(const struct tracer_config *c)
{
	if (c->order0 == ORDER0_TRACED)
		return "--order0 traced";
	if (!c->min_order)
		return "--min-order 0"; /* per-process counts of order 0 */
	if (!c->stack_order)
		return "--stack-order 0";
	/* The kernel's counters are the whole machine's: a filtered trace must see each event. */
	if (c->pid)
		return "-p";
	if (c->comm[0])
		return "--comm";
	if (c->cgroup_path)
		return "--cgroup";
	return NULL;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG || !getenv("FRAGSCOPE_VERBOSE"))
		return 0;
	return vfprintf(stderr, fmt, args);
}

static bool has_caps(uint64_t mask)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};
	uint64_t effective;

	if (syscall(SYS_capget, &hdr, data))
		return false;
	effective = data[0].effective | (uint64_t)data[1].effective << 32;
	return (effective & mask) == mask;
}

static const char *tracefs_dir(void)
{
	struct statfs st;

	for (size_t i = 0; i < sizeof(tracefs_dirs) / sizeof(*tracefs_dirs); i++)
		if (!statfs(tracefs_dirs[i], &st) && st.f_type == TRACEFS_MAGIC)
			return tracefs_dirs[i];
	return NULL;
}

int tracer_preflight(char *err, size_t errlen)
{
	bool bpf_caps = has_caps(1ULL << CAP_BPF | 1ULL << CAP_PERFMON);

	if (!bpf_caps && !has_caps(1ULL << CAP_SYS_ADMIN)) {
		snprintf(err, errlen,
			 "tracing needs root, or the capabilities CAP_BPF and CAP_PERFMON (missing:%s%s); "
			 "run it with sudo",
			 has_caps(1ULL << CAP_BPF) ? "" : " CAP_BPF",
			 has_caps(1ULL << CAP_PERFMON) ? "" : " CAP_PERFMON");
		return FS_EXIT_PRIVILEGE;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		snprintf(err, errlen,
			 "this kernel exposes no BTF (/sys/kernel/btf/vmlinux: %s); fragscope's CO-RE "
			 "programs need a kernel built with CONFIG_DEBUG_INFO_BTF=y",
			 strerror(errno));
		return FS_EXIT_UNSUPPORTED;
	}
	if (!tracefs_dir() && mount("nodev", tracefs_dirs[0], "tracefs", 0, NULL)) {
		snprintf(err, errlen, "tracefs is not mounted and mounting it at %s failed: %s",
			 tracefs_dirs[0], strerror(errno));
		return FS_EXIT_UNSUPPORTED;
	}
	return FS_EXIT_OK;
}

static int resolve_cgroup(const char *path, uint64_t *id, uint32_t *level, char *err, size_t errlen)
{
	char cur[4096], probe[4200];
	struct stat st;
	struct statfs fs;

	if (stat(path, &st) || statfs(path, &fs)) {
		snprintf(err, errlen, "--cgroup %s: %s", path, strerror(errno));
		return FS_EXIT_USAGE;
	}
	if (fs.f_type != CGROUP_SUPER_MAGIC && fs.f_type != CGROUP2_SUPER_MAGIC) {
		snprintf(err, errlen, "--cgroup %s: not a cgroup directory", path);
		return FS_EXIT_USAGE;
	}
	snprintf(probe, sizeof(probe), "%s/memory.usage_in_bytes", path);
	if (access(probe, F_OK)) {
		snprintf(probe, sizeof(probe), "%s/memory.current", path);
		if (access(probe, F_OK) && fs.f_type == CGROUP_SUPER_MAGIC) {
			snprintf(err, errlen, "--cgroup %s: not in the memory controller's hierarchy", path);
			return FS_EXIT_USAGE;
		}
	}
	*id = st.st_ino;
	/* The level is the number of cgroup directories above it on the same mount. */
	*level = 0;
	snprintf(cur, sizeof(cur), "%s", path);
	for (;;) {
		char *slash = strrchr(cur, '/');
		struct stat parent;

		if (!slash || slash == cur)
			break;
		*slash = 0;
		if (stat(cur, &parent) || parent.st_dev != st.st_dev)
			break;
		(*level)++;
	}
	return FS_EXIT_OK;
}

static int configure(struct tracer *t, const struct tracer_config *cfg, const struct kernel_info *ki,
		     char *err, size_t errlen)
{
	struct fragscope_bpf *s = t->skel;
	int rc;

	s->rodata->filter_tgid = cfg->pid;
	s->rodata->self_tgid = getpid();
	memcpy((char *)s->rodata->filter_comm, cfg->comm, FS_COMM_LEN);
	if (cfg->cgroup_path) {
		rc = resolve_cgroup(cfg->cgroup_path, (uint64_t *)&s->rodata->filter_cgroup_id,
				    (uint32_t *)&s->rodata->filter_cgroup_level, err, errlen);
		if (rc)
			return rc;
	}
	s->rodata->min_order = cfg->min_order;
	s->rodata->stack_order = cfg->stack_order;
	s->rodata->extfrag_stacks = cfg->extfrag_stacks;
	s->rodata->ringbuf_wakeup_bytes = cfg->ringbuf_bytes / 4;
	s->rodata->gfp_direct_reclaim = gfp_mask(&ki->gfp, "__GFP_DIRECT_RECLAIM");
	s->rodata->gfp_high = gfp_mask(&ki->gfp, "__GFP_HIGH");
	s->rodata->gfp_mayfail = gfp_mask(&ki->gfp, "__GFP_NORETRY") | gfp_mask(&ki->gfp, "__GFP_RETRY_MAYFAIL");
	/* Without the helper (5.10) the current task is read by CO-RE reads. */
	s->rodata->has_current_task_btf = libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT,
								   BPF_FUNC_get_current_task_btf, NULL) > 0;
	if (!s->rodata->gfp_direct_reclaim)
		fprintf(stderr, "fragscope: warning: this kernel's __GFP_DIRECT_RECLAIM bit is unknown; "
				"gfp classes will all read 'nowait'\n");
	/* Requests close at syscall exit: without that probe they would only fill open_requests. */
	s->rodata->track_requests = !probe_masked(cfg, FS_PROBE_SYSCALL_EXIT);
	s->rodata->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	bpf_map__set_max_entries(s->maps.events, cfg->ringbuf_bytes);
	bpf_map__set_max_entries(s->maps.stacks, cfg->stack_map_entries);
	bpf_map__set_max_entries(s->maps.stack_counts, cfg->stack_map_entries);
	return FS_EXIT_OK;
}

/*
 * The vmlinux BTF (*btf) is only needed to choose the programs: it is freed
 * before the load, in which libbpf parses its own copy, so the two parsed
 * copies (several MiB each) never coexist and fragscope's peak RSS holds one.
 */
static int open_and_load(struct tracer *t, const struct tracer_config *cfg, const struct kernel_info *ki,
			 struct btf **btf, const char *tracefs, char *err, size_t errlen)
{
	int rc;

	t->skel = fragscope_bpf__open();
	if (!t->skel) {
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		return FS_EXIT_RUNTIME;
	}
	rc = configure(t, cfg, ki, err, errlen);
	if (rc)
		return rc;
	probe_select(t->skel->obj, t->probes, cfg, *btf, tracefs);
	btf__free(*btf);
	*btf = NULL;
	rc = fragscope_bpf__load(t->skel);
	if (rc) {
		snprintf(err, errlen, "the kernel refused fragscope's BPF programs: %s%s", strerror(-rc),
			 rc == -EPERM ? " (missing CAP_BPF/CAP_PERFMON, or locked down)" : "");
		return rc == -EPERM ? FS_EXIT_PRIVILEGE : FS_EXIT_UNSUPPORTED;
	}
	return FS_EXIT_OK;
}

static void attach_all(struct tracer *t)
{
	for (int i = 0; i < FS_PROBES; i++) {
		struct probe_status *s = &t->probes[i];

		if (s->state != PROBE_FAILED)
			continue;
		t->links[i] = bpf_program__attach(probe_program(t->skel->obj, s->prog));
		if (t->links[i] && s->node_prog)
			t->node_links[i] = bpf_program__attach(probe_program(t->skel->obj, s->node_prog));
		if (!t->links[i] || (s->node_prog && !t->node_links[i])) {
			snprintf(s->why, sizeof(s->why), "attach failed: %s", strerror(errno));
			continue;
		}
		s->state = PROBE_ATTACHED;
	}
}

int tracer_start(struct tracer *t, const struct tracer_config *cfg, const struct kernel_info *ki,
		 struct btf *btf, tracer_event_fn on_event, void *ctx, char *err, size_t errlen)
{
	uint64_t begin = clock_ns(CLOCK_MONOTONIC);
	struct tracer_config resolved = *cfg;
	const char *tracefs, *traced_by = tracer_order0_traced_by(cfg);
	uint64_t pgalloc;
	int rc;

	memset(t, 0, sizeof(*t));
	u64map_init(&t->stack_cache);
	libbpf_set_print(libbpf_quiet);
	if (cfg->order0 == ORDER0_VMSTAT && traced_by) {
		btf__free(btf);
		snprintf(err, errlen, "--order0 vmstat conflicts with %s, which needs every order-0 allocation traced",
			 traced_by);
		return FS_EXIT_USAGE;
	}
	/* A filter on no process would trace nothing and look like a quiet machine. */
	if (cfg->pid && kill((pid_t)cfg->pid, 0) && errno == ESRCH) {
		btf__free(btf);
		snprintf(err, errlen, "-p %u: no such process", cfg->pid);
		return FS_EXIT_USAGE;
	}
	rc = tracer_preflight(err, errlen);
	if (rc) {
		btf__free(btf);
		return rc;
	}
	tracefs = tracefs_dir();
	if (!btf)
		btf = btf__load_vmlinux_btf();
	if (!btf) {
		snprintf(err, errlen, "cannot read the kernel's BTF: %s", strerror(errno));
		return FS_EXIT_UNSUPPORTED;
	}
	if (!traced_by && !tracer_read_pgalloc(t, &pgalloc)) {
		fprintf(stderr, "fragscope: warning: no pgalloc counters in /proc/vmstat: tracing every order-0 "
				"allocation\n");
		resolved.order0 = ORDER0_TRACED;
	}
	cfg = &resolved;
	rc = open_and_load(t, cfg, ki, &btf, tracefs, err, errlen);
	if (rc == FS_EXIT_UNSUPPORTED && !cfg->classic_only) {
		/* A typed tracepoint the verifier rejects: classic ones are the portable fallback. */
		struct tracer_config classic = *cfg;

		fprintf(stderr, "fragscope: warning: %s; retrying with classic tracepoints\n", err);
		classic.classic_only = true;
		fragscope_bpf__destroy(t->skel);
		rc = open_and_load(t, &classic, ki, &btf, tracefs, err, errlen);
	}
	btf__free(btf);
	if (rc) {
		tracer_stop(t);
		return rc;
	}
	t->ncpus = libbpf_num_possible_cpus();
	t->percpu_buf = calloc(t->ncpus, sizeof(struct fs_callsite_value));
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), (ring_buffer_sample_fn)on_event, ctx, NULL);
	if (!t->percpu_buf || !t->rb) {
		snprintf(err, errlen, "cannot set up the ring buffer: %s", strerror(errno));
		tracer_stop(t);
		return FS_EXIT_RUNTIME;
	}
	attach_all(t);
	t->order0_from_vmstat = probe_order0_from_vmstat(&t->probes[FS_PROBE_PAGE_ALLOC]);
	if (t->order0_from_vmstat) {
		/*
		 * After the attach, so that no page allocated before the probe
		 * counts; one of order >= 1 between the two is traced but not in
		 * the difference, and comes off order 0: a few pages at most.
		 */
		tracer_read_pgalloc(t, &t->pgalloc_at_attach);
		t->pgalloc_last = t->pgalloc_at_attach;
	}
	t->start_ns = clock_ns(CLOCK_MONOTONIC);
	t->attach_ns = t->start_ns - begin;
	for (int i = 0; i < FS_PROBES; i++)
		if (t->probes[i].state != PROBE_ATTACHED)
			fprintf(stderr, "fragscope: warning: %s not traced: %s\n", t->probes[i].name, t->probes[i].why);
	return FS_EXIT_OK;
}

void tracer_set_interrupt_text(struct tracer *t, const uint64_t range[4])
{
	memcpy(t->skel->bss->interrupt_text, range, sizeof(t->skel->bss->interrupt_text));
}

int tracer_poll(struct tracer *t, int timeout_ms)
{
	int n = ring_buffer__poll(t->rb, timeout_ms);

	/* Events are submitted without wakeups below a threshold: drain regardless. */
	if (n >= 0)
		n = ring_buffer__consume(t->rb);
	return n;
}

void tracer_stop(struct tracer *t)
{
	for (int i = 0; i < FS_PROBES; i++) {
		bpf_link__destroy(t->links[i]);
		bpf_link__destroy(t->node_links[i]);
	}
	ring_buffer__free(t->rb);
	fragscope_bpf__destroy(t->skel);
	free(t->percpu_buf);
	free(t->cached_stacks);
	free(t->cached_nr);
	free(t->vmstat);
	t->vmstat = NULL;
	u64map_free(&t->stack_cache);
	memset(t->links, 0, sizeof(t->links));
	memset(t->node_links, 0, sizeof(t->node_links));
	t->rb = NULL;
	t->skel = NULL;
	t->percpu_buf = NULL;
	t->cached_stacks = NULL;
	t->cached_nr = NULL;
}
