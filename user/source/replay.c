// SPDX-License-Identifier: GPL-2.0
#include "source/replay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/event.h"
#include "decode/kernel_log.h"
#include "fragscope.h"
#include "kernel/ksyms.h"
#include "model/log_requests.h"
#include "record/recfile.h"
#include "record/record_format.h"
#include "record/snapshot_codec.h"
#include "source/tracer.h"
#include "state/state.h"
#include "util/exit_codes.h"

/* Formats 1 and 2 had room for 15 probes: the same probes, in the same order. */
static void meta_from_v2(struct trace_meta *m, const struct trace_meta_v2 *old)
{
	memset(m, 0, sizeof(*m));
	memcpy(m->fragscope_version, old->fragscope_version, sizeof(m->fragscope_version));
	memcpy(m->hostname, old->hostname, sizeof(m->hostname));
	memcpy(m->boot_id, old->boot_id, sizeof(m->boot_id));
	memcpy(m->command, old->command, sizeof(m->command));
	m->start_realtime_ns = old->start_realtime_ns;
	m->start_mono_ns = old->start_mono_ns;
	m->attach_ns = old->attach_ns;
	m->min_order = old->min_order;
	m->stack_order = old->stack_order;
	memcpy(m->probe_state, old->probe_state, sizeof(old->probe_state));
	memcpy(m->probe_via, old->probe_via, sizeof(old->probe_via));
	/* Probes added since were not there: not attached. */
	for (int p = TRACE_META_PROBES_V2; p < FS_PROBES; p++) {
		m->probe_state[p] = 1; /* PROBE_MISSING */
		memcpy(m->probe_via[p], "-", 2);
	}
}

static int add_cgroup(struct model *m, const void *payload, uint32_t len)
{
	struct record_cgroup head;
	const char *path = (const char *)payload + sizeof(head);

	if (len < sizeof(head) + 1 || path[len - sizeof(head) - 1])
		return -EINVAL;
	memcpy(&head, payload, sizeof(head));
	return model_set_cgroup_path(m, head.id, path);
}

/* A kernel log report of the recording joins its request as it did live. */
static void on_log_report(const struct klog_report *rep, void *ctx)
{
	model_add_log_report(ctx, rep);
}

static int read_header(struct recfile_reader *f, struct replay *r, char *err, size_t errlen)
{
	size_t len;
	const struct record_header *h = recfile_header(f, &len);

	if (!h || len < offsetof(struct record_header, meta)) {
		snprintf(err, errlen, "the file has no fragscope header");
		return FS_EXIT_BAD_INPUT;
	}
	if (h->format_version > FS_RECORD_FORMAT_VERSION) {
		snprintf(err, errlen, "the file was written by a newer fragscope (record format %u; this one reads up to %u)",
			 h->format_version, FS_RECORD_FORMAT_VERSION);
		return FS_EXIT_BAD_INPUT;
	}
	r->format_version = h->format_version;
	if (h->format_version <= 2 && len == sizeof(struct record_header_v2) &&
	    h->meta_size == sizeof(struct trace_meta_v2) && h->kinfo_size == sizeof(h->kinfo) &&
	    h->event_fixed_size == FS_EVENT_FIXED_SIZE) {
		meta_from_v2(&r->meta, &((const struct record_header_v2 *)h)->meta);
		r->kinfo = ((const struct record_header_v2 *)h)->kinfo;
	} else if (h->format_version >= 3 && len == sizeof(*h) && h->meta_size == sizeof(h->meta) &&
		   h->kinfo_size == sizeof(h->kinfo) && h->event_fixed_size == FS_EVENT_FIXED_SIZE) {
		r->meta = h->meta;
		r->kinfo = h->kinfo;
	} else {
		snprintf(err, errlen, "the file's record layout differs from this fragscope's (format %u, header %zu bytes)",
			 h->format_version, len);
		return FS_EXIT_BAD_INPUT;
	}
	r->meta.command[sizeof(r->meta.command) - 1] = 0;
	r->meta.hostname[sizeof(r->meta.hostname) - 1] = 0;
	r->kinfo.release[sizeof(r->kinfo.release) - 1] = 0;
	return FS_EXIT_OK;
}

static int add_symbol(struct replay *r, const void *payload, uint32_t len)
{
	struct record_ksym head;
	const char *name, *module;
	size_t name_len;

	if (len < sizeof(head) + 2)
		return -EINVAL;
	memcpy(&head, payload, sizeof(head));
	name = (const char *)payload + sizeof(head);
	name_len = strnlen(name, len - sizeof(head));
	if (name_len + 1 >= len - sizeof(head))
		return -EINVAL;
	module = name + name_len + 1;
	if (strnlen(module, len - sizeof(head) - name_len - 1) == len - sizeof(head) - name_len - 1)
		return -EINVAL;
	/* An empty name is an end of kernel text (see recorder.c). */
	return ksyms_add(r->ksyms, head.addr, *name ? name : NULL, *module ? module : NULL);
}

int replay_file(const char *path, struct replay *r, struct model *m, const struct model_filter *filter,
		void (*on_event)(void *ctx, const struct fs_event *e), void *ctx, char *err, size_t errlen)
{
	struct recfile_reader *f;
	struct fs_event *event = malloc(sizeof(*event));
	struct state_sample *state = malloc(sizeof(*state));
	struct klog_parser *klog = malloc(sizeof(*klog));
	struct snapshot snap;
	bool unsorted = false;
	int rc, ferr = 0;

	memset(r, 0, sizeof(*r));
	snapshot_init(&snap);
	f = recfile_open(path, &ferr);
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, ferr > -4096 ? strerror(-ferr) : recfile_strerror(ferr));
		free(event);
		free(state);
		free(klog);
		return ferr > -4096 ? FS_EXIT_RUNTIME : FS_EXIT_BAD_INPUT;
	}
	rc = read_header(f, r, err, errlen);
	r->ksyms = ksyms_new();
	if (!rc && (!event || !state || !klog || !r->ksyms)) {
		snprintf(err, errlen, "out of memory");
		rc = FS_EXIT_RUNTIME;
	}
	if (!rc) {
		model_init(m, &r->kinfo, r->ksyms, filter, r->meta.start_mono_ns);
		klog_init(klog, on_log_report, m);
		/* Formats 1 and 2 had no such probe. */
		m->requests.syscall_ends_traced = r->format_version >= 3 &&
						  r->meta.probe_state[FS_PROBE_SYSCALL_EXIT] == PROBE_ATTACHED;
	}
	while (!rc) {
		uint32_t type, len;
		const void *payload;
		int n = recfile_next(f, &type, &payload, &len);

		if (n == 0)
			break;
		if (n == RECFILE_ETRUNCATED) {
			r->truncated = true;
			snprintf(r->problem, sizeof(r->problem), "%s", recfile_reader_problem(f));
			break;
		}
		if (n < 0) {
			snprintf(err, errlen, "%s: %s%s%s", path, recfile_strerror(n),
				 recfile_reader_problem(f) ? ": " : "", recfile_reader_problem(f) ? recfile_reader_problem(f) : "");
			rc = n > -4096 ? FS_EXIT_RUNTIME : FS_EXIT_BAD_INPUT;
			break;
		}
		r->records++;
		if (type == REC_KSYM) {
			if (add_symbol(r, payload, len))
				goto corrupt;
			unsorted = true;
			continue;
		}
		if (unsorted) {
			ksyms_sort(r->ksyms);
			unsorted = false;
		}
		if (type == REC_EVENT) {
			if (decode_event(payload, len, r->ksyms, event))
				goto corrupt;
			/* Before format 3 these bytes were whatever the previous event left there. */
			if (r->format_version < 3 && event->hdr.type == FS_EV_PAGE_FAIL)
				event->page.vmalloc_bytes = 0;
			if (r->format_version < 5 && event->hdr.type == FS_EV_PAGE_FAIL)
				event->page.nodes_read = 0;
			if (model_add_event(m, event) == -ENOMEM)
				goto oom;
			if (on_event)
				on_event(ctx, event);
		} else if (type == REC_CGROUP) {
			int e = add_cgroup(m, payload, len);

			if (e == -ENOMEM)
				goto oom;
			if (e)
				goto corrupt;
		} else if (type == REC_STATE) {
			if (state_sample_load(payload, len, state))
				goto corrupt;
			if (model_add_state(m, state))
				goto oom;
		} else if (type == REC_SNAPSHOT) {
			if (snapshot_decode(payload, len, r->format_version, &snap))
				goto corrupt;
			decode_snapshot(&snap, r->ksyms);
			if (model_set_snapshot(m, &snap))
				goto oom;
		} else if (type == REC_KLOG) {
			klog_feed(klog, payload, len); /* the parser reads any text; nothing in it is malformed */
		}
		/* Unknown types are newer additions a reader may skip. */
		continue;
corrupt:
		snprintf(err, errlen, "%s: record %llu (type %u, %u bytes) is malformed", path,
			 (unsigned long long)r->records, type, len);
		rc = FS_EXIT_BAD_INPUT;
		break;
oom:
		snprintf(err, errlen, "out of memory");
		rc = FS_EXIT_RUNTIME;
	}
	if (unsorted)
		ksyms_sort(r->ksyms);
	if (!rc) {
		klog_finish(klog);
		model_finish(m);
	}
	recfile_close_reader(f);
	snapshot_free(&snap);
	free(event);
	free(state);
	free(klog);
	return rc;
}

void replay_free(struct replay *r)
{
	ksyms_free(r->ksyms);
	r->ksyms = NULL;
}
