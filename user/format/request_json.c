// SPDX-License-Identifier: GPL-2.0
#include "format/request_json.h"

#include <string.h>

#include "kernel/syscall_names.h"
#include "format/request_line.h"

static void write_zone(struct json *j, const struct zone_evidence *z)
{
	int top = zone_largest_free_order(z) + 1; /* the orders above it hold no block: not listed */

	json_object_begin(j);
	json_kv_string(j, "zone", z->name);
	json_kv_u64(j, "node", z->node);
	json_kv_u64(j, "free_pages", z->free_pages);
	json_kv_u64(j, "min_pages", z->min_pages);
	json_kv_u64(j, "low_pages", z->low_pages);
	json_kv_u64(j, "high_pages", z->high_pages);
	json_key(j, "free_blocks_by_order");
	json_array_begin(j);
	for (int o = 0; o < top; o++)
		json_u64(j, z->free_blocks[o]);
	json_array_end(j);
	json_object_end(j);
}

/* A node mask as the node numbers, nodes 0-63. */
static void write_node_list(struct json *j, const char *key, uint64_t mask)
{
	json_key(j, key);
	json_array_begin(j);
	for (uint32_t n = 0; n < 64; n++)
		if (mask >> n & 1)
			json_u64(j, n);
	json_array_end(j);
}

/* The nodes the task could use, as read at its failure; a part not read is left out. */
static void write_nodes(struct json *j, const struct cause_evidence *ev)
{
	uint64_t allowed = request_allowed_nodes(ev), seen = evidence_zone_nodes(ev);

	if (ev->nodes_read & FS_NODES_POLICY) {
		json_kv_string(j, "policy", policy_mode_name(ev->policy_mode));
		write_node_list(j, "policy_nodes", ev->policy_nodes);
	}
	if (ev->nodes_read & FS_NODES_CPUSET)
		write_node_list(j, "cpuset_nodes", ev->cpuset_nodes);
	/* Of the nodes whose zones are in the evidence: what the request could take from. */
	write_node_list(j, "allowed_nodes", seen ? allowed & seen : allowed);
}

static void write_evidence(struct json *j, const struct request *r)
{
	const struct cause_evidence *ev = &r->evidence;

	json_key(j, "evidence");
	json_object_begin(j);
	if (ev->have & EVIDENCE_MEMCG) {
		json_kv_u64(j, "memcg_usage_bytes", ev->memcg_usage_bytes);
		json_kv_u64(j, "memcg_limit_bytes", ev->memcg_limit_bytes);
	}
	if (ev->have & EVIDENCE_ZONES) {
		json_key(j, "zones");
		json_array_begin(j);
		for (uint32_t i = 0; i < ev->nr_zones; i++)
			write_zone(j, &ev->zones[i]);
		json_array_end(j);
	}
	if (ev->have & EVIDENCE_COMMIT) {
		json_kv_u64(j, "overcommit_memory", ev->overcommit_memory);
		json_kv_u64(j, "committed_as_kb", ev->committed_as_kb);
		json_kv_u64(j, "commit_limit_kb", ev->commit_limit_kb);
		json_kv_u64(j, "commit_reserve_kb", ev->commit_reserve_kb);
		if (ev->caps_read)
			json_kv_bool(j, "cap_sys_admin", ev->cap_sys_admin);
		json_kv_u64(j, "ram_swap_kb", ev->ram_swap_kb);
	}
	if (ev->have & EVIDENCE_RLIMIT) {
		json_kv_string(j, "rlimit", ev->rlimit == RLIMIT_KIND_DATA ? "RLIMIT_DATA"
					    : ev->rlimit == RLIMIT_KIND_AS ? "RLIMIT_AS" : "");
		json_kv_u64(j, "rlimit_bytes", ev->rlimit_bytes);
		json_kv_u64(j, "rlimit_used_bytes", ev->rlimit_used_bytes);
	}
	if (ev->have & EVIDENCE_MAP_COUNT) {
		json_kv_u64(j, "map_count", ev->map_count);
		json_kv_u64(j, "max_map_count", ev->max_map_count);
	}
	if (ev->have & EVIDENCE_HUGETLB) {
		json_kv_u64(j, "hugetlb_asked", ev->hugetlb_asked);
		json_kv_u64(j, "hugetlb_got", ev->hugetlb_got);
	}
	if (ev->have & EVIDENCE_VMAP)
		json_kv_u64(j, "vmap_bytes", ev->vmap_bytes);
	if (ev->have & EVIDENCE_NODES)
		write_nodes(j, ev);
	if (ev->missing[0])
		json_kv_string(j, "missing", ev->missing);
	json_object_end(j);
}

void request_write_json(struct json *j, const struct request *r, const struct request_json_extra *x)
{
	const char *sys = syscall_name(r->syscall);
	char text[512];

	json_object_begin(j);
	if (x->time_s >= 0)
		json_kv_double(j, "time_s", x->time_s);
	/* The same request again, from the same process, is one record: how many, until when. */
	json_kv_u64(j, "count", request_count(r));
	if (request_count(r) > 1 && x->last_s >= 0)
		json_kv_double(j, "last_s", x->last_s);
	json_kv_string(j, "comm", r->comm);
	json_kv_u64(j, "pid", r->pid);
	json_kv_u64(j, "tid", r->tid);
	json_kv_string(j, "cgroup", r->cgroup);
	json_kv_u64(j, "cgroup_id", r->cgroup_id);
	json_kv_string(j, "context", request_context_name(r->context));
	json_kv_string(j, "api", request_api_name(r->api));
	json_kv_u64(j, "bytes", r->bytes);
	json_kv_u64(j, "order", r->order);
	json_kv_string(j, "gfp", x->gfp_words ? x->gfp_words : r->gfp_text);
	json_kv_bool(j, "can_reclaim", r->can_reclaim);
	json_kv_string(j, "caller", r->caller);
	if (r->syscall >= 0) {
		json_kv_string(j, "syscall", sys ? sys : "");
		json_kv_i64(j, "syscall_nr", r->syscall);
	} else {
		json_key(j, "syscall");
		json_null(j);
	}
	json_kv_i64(j, "ret", r->ret);
	json_kv_string(j, "outcome", request_outcome_name(r->outcome));
	json_kv_string(j, "cause", request_cause_name(r->cause));
	request_cause_text(r, x->page_size, text, sizeof(text));
	json_kv_string(j, "why", text);
	write_evidence(j, r);
	json_key(j, "events");
	json_array_begin(j);
	for (uint32_t i = 0; i < r->nr_events; i++) {
		const struct request_event *e = &r->events[i];

		json_object_begin(j);
		json_kv_string(j, "kind", failure_kind_name(e->kind));
		json_kv_u64(j, "order", e->order);
		json_kv_u64(j, "bytes", e->bytes);
		json_kv_u64(j, "count", 1 + (uint64_t)e->repeats);
		json_object_end(j);
	}
	json_array_end(j);
	json_kv_u64(j, "events_not_listed", r->events_not_listed);
	json_key(j, "stack");
	json_array_begin(j);
	for (uint32_t i = 0; i < x->nr_frames; i++)
		json_string(j, x->frames[i]);
	json_array_end(j);
	if (r->kernel_log[0])
		json_kv_string(j, "kernel_log", r->kernel_log);
	if (x->advice)
		json_kv_string(j, "advice", x->advice);
	request_line(r, x->page_size, text, sizeof(text));
	json_kv_string(j, "line", text);
	json_object_end(j);
}
