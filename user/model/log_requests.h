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

/* The page size the report's buddy lines show, else 4096. */
uint32_t log_report_page_size(const struct klog_report *rep);

/* Could a request of this gfp mode (its names, else its bits) reclaim and compact? */
bool log_gfp_can_reclaim(const char *gfp_text, uint64_t gfp);

/* Fills r from rep and classifies it. */
void log_report_request(const struct klog_report *rep, struct request *r);

#endif
