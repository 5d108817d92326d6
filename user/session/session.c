// SPDX-License-Identifier: GPL-2.0
#include "session/session.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "decode/event.h"
#include "format/event_line.h"
#include "kernel/ksyms.h"
#include "model/log_requests.h"
#include "record/recorder.h"
#include "state/cgroup.h"
#include "util/clock.h"
#include "util/exit_codes.h"

volatile sig_atomic_t session_stop_requested;

static void request_stop(int sig)
{
	(void)sig;
	session_stop_requested = 1;
}

void session_install_signal_handlers(void)
{
	struct sigaction sa = { .sa_handler = request_stop };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = 0;
	if (f) {
		if (fgets(buf, len, f))
			buf[strcspn(buf, "\n")] = 0;
		fclose(f);
	}
}

/*
 * Requests name their memory cgroup by path: look a new id up while the
 * cgroup still exists, and record it before the event that names it.
 */
static void learn_cgroup(struct session *s, uint64_t id)
{
	char path[REQUEST_CGROUP_LEN];
	int err;

	if (!id || requests_cgroup_path(&s->model.requests, id))
		return;
	if (cgroup_path_by_id("/", id, path, sizeof(path)))
		snprintf(path, sizeof(path), "cgroup id %llu (removed)", (unsigned long long)id);
	err = model_set_cgroup_path(&s->model, id, path);
	if (!err && s->recorder)
		err = recorder_write_cgroup(s->recorder, id, path);
	if (err && !s->error)
		s->error = err;
}

/* Every ring-buffer record passes here: decode once, then feed each sink. */
static int on_ring_event(void *ctx, const void *data, size_t len)
{
	struct session *s = ctx;
	int err;

	if (decode_event(data, len, s->ksyms, &s->scratch)) {
		s->decode_errors++;
		return 0;
	}
	learn_cgroup(s, s->scratch.hdr.cgroup_id);
	if (s->recorder) {
		err = recorder_write_event(s->recorder, data, len);
		if (err && !s->error)
			s->error = err;
	}
	err = model_add_event(&s->model, &s->scratch);
	if (err && !s->error)
		s->error = err;
	if (s->event_lines)
		event_line_print(&s->report, &s->scratch, s->failure_event_lines, s->event_lines);
	return 0;
}

/* A report of the kernel log: the request it belongs to shows the kernel's line. */
static void on_log_report(const struct klog_report *rep, void *ctx)
{
	struct session *s = ctx;

	model_add_log_report(&s->model, rep);
}

/* Enough for a few hundred reports with their Mem-Info dumps; a log flood beyond it is not the trace's. */
#define KLOG_RECORD_BYTES_MAX (4u << 20)

static void record_held_kmsg(struct session *s)
{
	int err;

	if (!s->recorder || !s->kmsg_held_len || s->kmsg_held_written ||
	    s->klog_bytes_written + s->kmsg_held_len > KLOG_RECORD_BYTES_MAX)
		return;
	err = recorder_write_klog(s->recorder, s->kmsg_held, s->kmsg_held_len);
	if (err && !s->error)
		s->error = err;
	s->kmsg_held_written = true;
	s->klog_bytes_written += s->kmsg_held_len;
}

/*
 * The kernel log since the last call, into the parser; the records of
 * allocation-failure reports also into the record file, so a replay feeds
 * the same parser the same lines at the same place among the events.  The
 * parser judges a line when the next one comes: feeding a record tells
 * whether the one before belonged to a report (or announced one), and a
 * record that made a report complete is written too, so the replay
 * completes it at the same point.
 */
static void read_kernel_log(struct session *s)
{
	char rec[KMSG_RECORD_MAX];
	size_t n;

	while ((n = kmsg_next(&s->kmsg, rec))) {
		const struct klog_parser *p = &s->klog;
		uint64_t reports = p->reports, vmap_line = p->vmap_line, suppressed_line = p->suppressed_line;

		klog_feed(&s->klog, rec, n);
		if (p->open || p->reports != reports || p->vmap_line != vmap_line || p->suppressed_line != suppressed_line)
			record_held_kmsg(s);
		memcpy(s->kmsg_held, rec, n);
		s->kmsg_held_len = n;
		s->kmsg_held_written = false;
		if (p->reports != reports)
			record_held_kmsg(s);
	}
}

/* The end of the log: the held record completes the report still open, if any. */
static void finish_kernel_log(struct session *s)
{
	uint64_t reports;

	read_kernel_log(s);
	reports = s->klog.reports;
	klog_finish(&s->klog);
	if (s->klog.reports != reports)
		record_held_kmsg(s);
}

static void fill_meta(struct session *s, const struct tracer_config *cfg, const char *command)
{
	struct trace_meta *m = &s->meta;

	snprintf(m->fragscope_version, sizeof(m->fragscope_version), "%s", FRAGSCOPE_VERSION);
	gethostname(m->hostname, sizeof(m->hostname) - 1);
	read_line("/proc/sys/kernel/random/boot_id", m->boot_id, sizeof(m->boot_id));
	snprintf(m->command, sizeof(m->command), "%s", command);
	m->min_order = cfg->min_order;
	m->stack_order = cfg->stack_order;
	m->start_mono_ns = s->tracer.start_ns;
	m->start_realtime_ns = clock_ns(CLOCK_REALTIME) - (clock_ns(CLOCK_MONOTONIC) - s->tracer.start_ns);
	m->attach_ns = s->tracer.attach_ns;
	for (int p = 0; p < FS_PROBES; p++) {
		m->probe_state[p] = s->tracer.probes[p].state;
		snprintf(m->probe_via[p], sizeof(m->probe_via[p]), "%s", s->tracer.probes[p].via);
	}
}

/*
 * The kernel's text symbols, read after the BPF programs are loaded (see
 * session_start), so fragscope's own programs are among them as [bpf]
 * symbols: like any tracing frame they are cut from the top of stacks.
 */
static void load_ksyms(struct session *s)
{
	int kerr = 0;

	s->ksyms = ksyms_load("/proc/kallsyms", &kerr);
	if (!s->ksyms)
		fprintf(stderr, "fragscope: warning: cannot read /proc/kallsyms (%s): stacks stay unsymbolised\n",
			strerror(kerr > 0 ? kerr : -kerr));
	else if (ksyms_addresses_hidden(s->ksyms))
		fprintf(stderr, "fragscope: warning: /proc/kallsyms hides addresses (kernel.kptr_restrict): "
				"stacks cannot be symbolised; run as root or set sysctl kernel.kptr_restrict=0\n");
}

/*
 * Peak RSS (docs/performance.md): the vmlinux BTF is parsed twice, by
 * kernel_info_load_btf() for names and the tracer's choice of programs, and
 * by libbpf to load them, each taking about 11 MiB for a moment (the file
 * and a copy of it).
 * Everything kept for the whole trace, the symbol table and the ring buffer
 * (mapped twice: 8 MiB of RSS for 4 MiB), comes after the last of them, so
 * the peaks do not stack.  A fixed mmap threshold has glibc map every large
 * buffer on its own and unmap it when freed; its default threshold rises to
 * the largest block freed (5 MiB after the first parse), after which the
 * next parses' blocks stay in the heap once freed.
 */
static int session_start(struct session *s, const struct tracer_config *cfg, const char *command, char *err,
			 size_t errlen)
{
	struct btf *btf = NULL;
	int rc;

	memset(s, 0, sizeof(*s));
	s->kmsg.fd = -1;
	snapshot_init(&s->snap);
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	rc = tracer_preflight(err, errlen);
	if (rc)
		return rc;
	err[0] = 0;
	/* One parse of the vmlinux BTF for the names and the tracer's choice of programs. */
	if (kernel_info_load_btf(&s->kinfo, "/", err, errlen, &btf)) {
		btf__free(btf);
		return FS_EXIT_UNSUPPORTED;
	}
	if (err[0])
		fprintf(stderr, "fragscope: note: %s\n", err);
	rc = tracer_start(&s->tracer, cfg, &s->kinfo, btf, on_ring_event, s, err, errlen);
	if (rc)
		return rc;
	/* Events wait in the ring buffer until session_run() polls: no stack is decoded before this. */
	load_ksyms(s);
	if (s->ksyms) {
		uint64_t range[4];

		ksyms_interrupt_text(s->ksyms, range);
		tracer_set_interrupt_text(&s->tracer, range);
	}
	s->report = (struct report){ .model = &s->model, .kinfo = &s->kinfo, .ksyms = s->ksyms, .meta = &s->meta,
				     .opts = { .sort = "count", .top = 10 } };
	fill_meta(s, cfg, command);
	model_init(&s->model, &s->kinfo, s->ksyms, NULL, s->tracer.start_ns);
	s->model.requests.syscall_ends_traced = s->tracer.probes[FS_PROBE_SYSCALL_EXIT].state == PROBE_ATTACHED;
	klog_init(&s->klog, on_log_report, s);
	kmsg_open(&s->kmsg); /* without it (no permission), requests just lack the kernel's line */
	return FS_EXIT_OK;
}

/* pagetypeinfo walks every free list under the zone lock: read it seldom. */
#define PAGETYPEINFO_EVERY_TICKS 10

/* The fragmentation state beside the trace; a /proc problem costs the sample, not the trace. */
static int sample_state(struct session *s)
{
	struct state_error err;
	int rc;

	if (!s->state && !(s->state = malloc(sizeof(*s->state))))
		return -ENOMEM;
	if (state_sample("/", s->ticks % PAGETYPEINFO_EVERY_TICKS == 0, s->state, &err) != STATE_OK)
		return 0;
	if (s->recorder) {
		rc = recorder_write_state(s->recorder, s->state);
		if (rc)
			return rc;
	}
	return model_add_state(&s->model, s->state);
}

static int take_snapshot(struct session *s)
{
	int err = tracer_snapshot(&s->tracer, &s->snap);

	if (err)
		return err;
	decode_snapshot(&s->snap, s->ksyms);
	for (size_t i = 0; i < s->snap.nr_procs; i++)
		learn_cgroup(s, s->snap.procs[i].key.cgroup_id);
	if (s->recorder) {
		err = recorder_write_snapshot(s->recorder, &s->snap);
		if (err)
			return err;
	}
	err = model_set_snapshot(&s->model, &s->snap);
	if (!err)
		err = sample_state(s);
	s->ticks++;
	return err;
}

int session_run(struct session *s, double duration_s, unsigned int snapshot_ms,
		void (*on_tick)(struct session *s, void *ctx), void *ctx)
{
	uint64_t end = duration_s > 0 ? s->tracer.start_ns + (uint64_t)(duration_s * 1e9) : 0;
	uint64_t next_snapshot = s->tracer.start_ns + snapshot_ms * 1000000ULL;
	int err = sample_state(s); /* the state at the start, before any failure */

	if (err)
		return err;
	/*
	 * Standard output that fails (SIGPIPE is ignored: its reader is gone,
	 * or the disk is full) ends the session as SIGINT does: `top | head`
	 * must not trace on for nobody.  main() reports the failed write.
	 */
	while (!session_stop_requested && !s->error && !ferror(stdout)) {
		uint64_t now = clock_ns(CLOCK_MONOTONIC);
		int64_t wait_ms = ((int64_t)next_snapshot - (int64_t)now) / 1000000;

		if (end && now >= end)
			break;
		if (end && (int64_t)(end - now) / 1000000 < wait_ms)
			wait_ms = (end - now) / 1000000;
		/* Short polls keep `trace` lines prompt; events wait at most 100 ms. */
		err = tracer_poll(&s->tracer, wait_ms > 100 ? 100 : (wait_ms < 0 ? 0 : (int)wait_ms));
		if (err < 0 && err != -EINTR)
			return err;
		read_kernel_log(s); /* after the events: the requests are there to join */
		if (clock_ns(CLOCK_MONOTONIC) >= next_snapshot) {
			err = take_snapshot(s);
			if (err)
				return err;
			if (s->recorder)
				recorder_flush(s->recorder);
			if (on_tick)
				on_tick(s, ctx);
			next_snapshot += snapshot_ms * 1000000ULL;
		}
	}
	return s->error;
}

int session_finish(struct session *s)
{
	int err = tracer_poll(&s->tracer, 0);

	finish_kernel_log(s);
	if (err >= 0)
		err = take_snapshot(s);
	model_finish(&s->model);
	if (s->decode_errors)
		fprintf(stderr, "fragscope: warning: %llu malformed ring-buffer records skipped\n",
			(unsigned long long)s->decode_errors);
	return err < 0 ? err : s->error;
}

static void session_free(struct session *s)
{
	kmsg_close(&s->kmsg);
	tracer_stop(&s->tracer);
	model_free(&s->model);
	snapshot_free(&s->snap);
	free(s->state);
	s->state = NULL;
	ksyms_free(s->ksyms);
	s->ksyms = NULL;
}

struct session *session_open(const struct tracer_config *cfg, const char *cmd, const char *command_line,
			     int *rc)
{
	struct session *s = calloc(1, sizeof(*s));
	char err[512];

	if (!s) {
		*rc = FS_EXIT_RUNTIME;
		return NULL;
	}
	*rc = session_start(s, cfg, command_line, err, sizeof(err));
	if (*rc) {
		fprintf(stderr, "fragscope %s: %s\n", cmd, err);
		session_close(s);
		return NULL;
	}
	return s;
}

void session_close(struct session *s)
{
	if (!s)
		return;
	session_free(s);
	free(s);
}

void join_args(int argc, char **argv, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = 0;
	for (int i = 0; i < argc && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? " " : "", argv[i]);
}
