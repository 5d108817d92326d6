/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A live tracing session: the pipeline of the live commands.
 *
 *   tracer (ring buffer, maps) -> decoder -> model -> formatters
 *                                    \-> record file, event lines
 *
 * record, trace and doctor -d run the same session with different sinks.
 */
#ifndef FS_SESSION_SESSION_H
#define FS_SESSION_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "format/format.h"
#include "kernel/kernel_info.h"
#include "model/meta.h"
#include "model/model.h"
#include "decode/kernel_log.h"
#include "source/kmsg.h"
#include "source/tracer.h"
#include "state/state.h"

struct ksyms;
struct recorder;

struct session {
	struct kernel_info kinfo;
	struct ksyms *ksyms;
	struct tracer tracer;
	struct model model;
	struct trace_meta meta;
	struct snapshot snap;
	struct state_sample *state;  /* the latest /proc sample */
	uint32_t ticks;
	struct fs_event scratch;     /* the decoded event being processed */
	struct recorder *recorder;   /* NULL: nothing written */
	FILE *event_lines;           /* NULL: no line per event (trace prints them) */
	bool failure_event_lines;    /* ... allocator failures too, not only their requests */
	struct report report;        /* what formatters read once the session ends */
	uint64_t decode_errors;
	int error;
	struct kmsg_reader kmsg;     /* the kernel log from the attach on */
	struct klog_parser klog;     /* its allocation-failure reports, joined to requests */
	/*
	 * The kmsg record the parser has not judged yet (it takes a line when
	 * the next one comes): recorded as REC_KLOG if it belongs to a report.
	 */
	char kmsg_held[KMSG_RECORD_MAX];
	size_t kmsg_held_len;
	bool kmsg_held_written;
	uint64_t klog_bytes_written;
};

/* Set by SIGINT/SIGTERM; the session loop ends and flushes what it read. */
extern volatile sig_atomic_t session_stop_requested;
void session_install_signal_handlers(void);

/*
 * Runs until duration_s passes (0: until a signal), reading the maps
 * every snapshot_ms.  on_tick, if set, runs after each snapshot.
 */
int session_run(struct session *s, double duration_s, unsigned int snapshot_ms,
		void (*on_tick)(struct session *s, void *ctx), void *ctx);
/* Drains the ring buffer, takes the final snapshot and closes the model. */
int session_finish(struct session *s);

/*
 * A new heap session: loads kernel facts and symbols and starts tracing;
 * its model keeps every event the tracer passes (no report filter).  On
 * failure prints "fragscope CMD: reason" and returns NULL with *rc set to
 * the exit code (enum fs_exit).
 */
struct session *session_open(const struct tracer_config *cfg, const char *cmd, const char *command_line,
			     int *rc);
/* Stops tracing and frees the session and all it holds. */
void session_close(struct session *s);

/* The command line as one string, for the record file's header. */
void join_args(int argc, char **argv, char *buf, size_t len);

#endif
