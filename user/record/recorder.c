// SPDX-License-Identifier: GPL-2.0
#include "record/recorder.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fragscope.h"
#include "kernel/ksyms.h"
#include "model/snapshot.h"
#include "record/recfile.h"
#include "record/record_format.h"
#include "record/snapshot_codec.h"
#include "state/state.h"
#include "util/u64map.h"

struct recorder {
	struct recfile_writer *file;
	const struct ksyms *ksyms;
	struct u64map written; /* symbol start addresses already in the file */
};

struct recorder *recorder_create(const char *path, const struct trace_meta *meta,
				 const struct kernel_info *kinfo, const struct ksyms *ksyms, int *err)
{
	struct recorder *r = calloc(1, sizeof(*r));
	struct record_header *h = calloc(1, sizeof(*h));

	if (!r || !h) {
		*err = -ENOMEM;
		goto fail;
	}
	h->format_version = FS_RECORD_FORMAT_VERSION;
	h->meta_size = sizeof(h->meta);
	h->kinfo_size = sizeof(h->kinfo);
	h->event_fixed_size = FS_EVENT_FIXED_SIZE;
	h->page_size = kinfo->page_size;
	h->meta = *meta;
	h->kinfo = *kinfo;
	r->ksyms = ksyms;
	u64map_init(&r->written);
	r->file = recfile_create(path, h, sizeof(*h), err);
	if (!r->file)
		goto fail;
	free(h);
	return r;
fail:
	free(h);
	free(r);
	return NULL;
}

/* A NULL name (an end of kernel text) is written as an empty one. */
static int write_symbol(struct recorder *r, const struct ksym *sym)
{
	size_t name_len = (sym->name ? strlen(sym->name) : 0) + 1, mod_len = sym->module ? strlen(sym->module) + 1 : 1;
	char buf[sizeof(struct record_ksym) + 512];
	struct record_ksym head = { sym->addr };
	uint64_t *slot;
	bool inserted;

	slot = u64map_upsert(&r->written, sym->addr, &inserted);
	if (!slot)
		return -ENOMEM;
	if (!inserted || name_len + mod_len > sizeof(buf) - sizeof(head))
		return 0;
	memcpy(buf, &head, sizeof(head));
	memcpy(buf + sizeof(head), sym->name ? sym->name : "", name_len);
	memcpy(buf + sizeof(head) + name_len, sym->module ? sym->module : "", mod_len);
	return recfile_append(r->file, REC_KSYM, buf, sizeof(head) + name_len + mod_len);
}

/*
 * The symbol holding addr and the entry after it: a reader's table of only
 * the symbols written must still end each function where the kernel's does.
 * An address in no function is written as an end of text at itself.
 */
static int write_symbols_of(struct recorder *r, const uint64_t *addrs, size_t n)
{
	int err = 0;

	if (!r->ksyms)
		return 0;
	for (size_t i = 0; i < n && !err; i++) {
		const struct ksym *sym = ksyms_find(r->ksyms, addrs[i]);
		const struct ksym *next = sym ? ksyms_next(r->ksyms, sym) : NULL;

		/* An address in no function (a BPF program) must stay unknown in the file too. */
		err = write_symbol(r, sym ? sym : &(struct ksym){ .addr = addrs[i] });
		if (next && !err)
			err = write_symbol(r, next);
	}
	return err;
}

int recorder_write_event(struct recorder *r, const void *raw, size_t len)
{
	const struct fs_event *e = raw;
	int err = 0;

	if (len >= FS_EVENT_FIXED_SIZE && len >= fs_event_size(e->hdr.nr_frames))
		err = write_symbols_of(r, e->frames, e->hdr.nr_frames);
	if (!err && len >= FS_EVENT_FIXED_SIZE && (e->hdr.type == FS_EV_KMALLOC_FAIL || e->hdr.type == FS_EV_SLAB_FAIL))
		err = write_symbols_of(r, &e->kmalloc.call_site, 1);
	return err ? err : recfile_append(r->file, REC_EVENT, raw, len);
}

int recorder_write_snapshot(struct recorder *r, const struct snapshot *s)
{
	size_t len;
	void *buf;
	int err = 0;

	for (size_t i = 0; i < s->nr_callsites && !err; i++)
		err = write_symbols_of(r, &s->callsites[i].key.call_site, 1);
	for (size_t i = 0; i < s->nr_stacks && !err; i++)
		err = write_symbols_of(r, s->stacks[i].frames, s->stacks[i].nr_frames);
	if (err)
		return err;
	buf = snapshot_encode(s, &len);
	if (!buf)
		return -ENOMEM;
	err = recfile_append(r->file, REC_SNAPSHOT, buf, len);
	free(buf);
	return err;
}

int recorder_write_state(struct recorder *r, const struct state_sample *s)
{
	return recfile_append(r->file, REC_STATE, s, sizeof(*s));
}

int recorder_write_cgroup(struct recorder *r, uint64_t id, const char *path)
{
	char buf[sizeof(struct record_cgroup) + 4096];
	struct record_cgroup head = { id };
	size_t n = strnlen(path, sizeof(buf) - sizeof(head) - 1);

	memcpy(buf, &head, sizeof(head));
	memcpy(buf + sizeof(head), path, n);
	buf[sizeof(head) + n] = 0;
	return recfile_append(r->file, REC_CGROUP, buf, sizeof(head) + n + 1);
}

int recorder_write_klog(struct recorder *r, const char *record, size_t len)
{
	return recfile_append(r->file, REC_KLOG, record, len);
}

int recorder_flush(struct recorder *r)
{
	return recfile_flush(r->file);
}

int recorder_close(struct recorder *r, struct recfile_stats *stats)
{
	int err;

	if (!r)
		return 0;
	err = recfile_close(r->file, stats);
	u64map_free(&r->written);
	free(r);
	return err;
}
