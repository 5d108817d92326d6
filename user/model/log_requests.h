/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A struct request from a kernel log report: the figures the log gives
 * (comm, pid, order or bytes, gfp mode, caller, zones, memcg), judged by
 * the same request_classify() as the live tracer's requests.
 */
#ifndef FS_MODEL_LOG_REQUESTS_H
#define FS_MODEL_LOG_REQUESTS_H

#include <stdint.h>

#include "model/log_report.h"
#include "model/request.h"
#include "model/requests.h"

/* The page size the report's buddy lines show, else 4096. */
uint32_t log_report_page_size(const struct klog_report *rep);

/* Could a request of this gfp mode (its names, else its bits) reclaim and compact? */
bool log_gfp_can_reclaim(const char *gfp_text, uint64_t gfp);

/* Fills r from rep and classifies it. */
void log_report_request(const struct klog_report *rep, struct request *r);

/* A log report this far from a traced request's time is not its report (printk and BPF clocks agree closer). */
#define LOG_JOIN_NS (2 * 1000 * 1000 * 1000ULL)

/*
 * Joins a report read live from /dev/kmsg to the request the tracer saw:
 * the same task, within LOG_JOIN_NS, not joined yet, open or among the
 * latest closed.  The request gets the kernel's line (so the user can grep
 * the log for it) and, when it had none, the dump's zone figures.  False
 * if no request matched.
 */
bool requests_join_log(struct request_table *t, const struct klog_report *rep);

struct model;
/*
 * A report of the kernel log read beside the trace (live, or a record
 * file's REC_KLOG): joined to its request, else kept in
 * requests.log_unjoined with explain's verdict when the model's filter
 * keeps its task (a report that names none is kept).
 */
void model_add_log_report(struct model *m, const struct klog_report *rep);

#endif
