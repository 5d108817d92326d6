// SPDX-License-Identifier: GPL-2.0
/* `fragscope doctor`: findings ranked by severity, as text or JSON. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands/commands.h"
#include "commands/state_cli.h"
#include "format/report_requests.h"
#include "model/findings.h"
#include "session/session.h"
#include "state/doctor.h"
#include "util/exit_codes.h"
#include "util/json.h"

#define MAX_WINDOW_SECONDS 86400
#define WRAP_COLUMNS 100

static void usage(FILE *out)
{
	fputs("usage: fragscope doctor [-d SECONDS] [--proc-root DIR] [-F text|json]\n"
	      "\n"
	      "Findings about memory fragmentation and allocation failures, most severe\n"
	      "first, each with the numbers behind it and what to consider doing.\n"
	      "\n"
	      "  -d, --duration SECONDS  watch for SECONDS: rates come from the vmstat\n"
	      "                          counters' change over the window instead of their\n"
	      "                          totals since boot, and, as root with BPF, the tracer\n"
	      "                          adds what it saw (failures, cgroup limits, stalls)\n"
	      "  -F, --format FMT        text (default) or json\n"
	      "      --proc-root DIR     read DIR/proc and DIR/sys instead of /proc and /sys\n"
	      "  -h, --help              this help\n", out);
}

static double monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sleeps until @deadline or SIGINT/SIGTERM, whichever comes first. */
static void sleep_until(double deadline)
{
	double left;

	while (!session_stop_requested && (left = deadline - monotonic_seconds()) > 0) {
		struct timespec ts;

		/* In steps, so a signal just before a sleep delays the stop by one step, not the window. */
		if (left > 0.2)
			left = 0.2;
		ts = (struct timespec){ 0, (long)(left * 1e9) };

		if (nanosleep(&ts, NULL) && errno != EINTR)
			return;
	}
}

/* A window's length as the whole seconds the findings count in (at least 1). */
static unsigned int window_whole_seconds(double seconds)
{
	return seconds < 1 ? 1 : (unsigned int)lround(seconds);
}

/*
 * The tracer's evidence for -d: a short live session, summarised into the
 * pointer-free numbers the doctor's rules read.  Traces for @seconds and
 * fills @out; returns 0, or nonzero when tracing was not possible (no root,
 * no BPF).
 */
static int trace_collect_evidence(unsigned int seconds, struct doctor_evidence *out, char **request_lines)
{
	struct tracer_config cfg;
	struct session *s;
	size_t len;
	FILE *lines;
	double start, traced;
	int rc;

	tracer_config_defaults(&cfg);
	s = session_open(&cfg, "doctor", "doctor", &rc);
	if (!s)
		return rc;
	fprintf(stderr, "fragscope doctor: tracing for %u s...\n", seconds);
	start = monotonic_seconds();
	rc = session_run(s, seconds, 1000, NULL, NULL);
	traced = monotonic_seconds() - start; /* shorter than asked if SIGINT/SIGTERM came */
	if (!rc)
		rc = session_finish(s);
	if (!rc)
		model_doctor_evidence(&s->model, window_whole_seconds(traced), out);
	/* The operator's lines of the requests that failed meanwhile: what the findings explain. */
	lines = !rc && s->model.requests.total ? open_memstream(request_lines, &len) : NULL;
	if (lines) {
		report_requests_text(&s->report, lines, "");
		fclose(lines);
	}
	session_close(s);
	return rc;
}

/*
 * Waits out the window, tracing through it when the state is this
 * machine's.  Returns NULL when @ev holds trace evidence, else why not.
 */
static const char *watch(const char *root, unsigned int seconds, struct doctor_evidence *ev, char **request_lines)
{
	double deadline = monotonic_seconds() + seconds;
	const char *why_not = NULL;

	memset(ev, 0, sizeof(*ev));
	session_install_signal_handlers(); /* SIGINT/SIGTERM end the window early: its findings are still given */
	if (strcmp(root, "/"))
		why_not = "trace evidence unavailable: --proc-root is not this machine's state";
	else if (trace_collect_evidence(seconds, ev, request_lines) || !ev->valid)
		why_not = "trace evidence unavailable: the tracer could not run (it needs root and BPF)";
	if (why_not)
		ev->valid = 0;
	/* A tracer that failed early leaves the rest of the window to wait. */
	sleep_until(deadline);
	return why_not;
}

/* Prints @text after @label, wrapped and indented to line up under itself. */
static void print_wrapped(const char *label, const char *text)
{
	int indent = (int)strlen(label), column = indent;
	const char *word = text;

	fputs(label, stdout);
	while (*word) {
		int len = (int)strcspn(word, " ");

		if (column > indent && column + 1 + len > WRAP_COLUMNS) {
			printf("\n%*s", indent, "");
			column = indent;
		} else if (column > indent) {
			putchar(' ');
			column++;
		}
		printf("%.*s", len, word);
		column += len;
		word += len;
		word += strspn(word, " ");
	}
	putchar('\n');
}

static void print_text(const struct doctor_report *r, unsigned int seconds, bool traced, bool requests_failed)
{
	char window[64] = "since boot";

	if (seconds)
		snprintf(window, sizeof(window), "window %u s", seconds);
	if (!r->count && requests_failed)
		printf("fragscope doctor: the requests above failed for the causes they name; the memory state "
		       "itself shows no fragmentation, compaction or commit limit problem");
	else if (!r->count)
		printf("fragscope doctor: all clear: no fragmentation, compaction, commit limit or "
		       "allocation problem found");
	else
		printf("fragscope doctor: %u finding%s", r->count + r->dropped,
		       r->count + r->dropped == 1 ? "" : "s");
	printf(" (%s; trace evidence: %s)\n", window, traced ? "yes" : "none");
	for (unsigned int i = 0; i < r->count; i++) {
		const struct doctor_finding *f = &r->findings[i];
		char label[48];

		snprintf(label, sizeof(label), "%u. [%s] ", i + 1, doctor_severity_name(f->severity));
		for (char *p = label; *p; p++)
			*p = toupper((unsigned char)*p);
		putchar('\n');
		print_wrapped(label, f->title);
		print_wrapped("   evidence: ", f->evidence);
		print_wrapped("   consider: ", f->advice);
	}
	if (r->dropped)
		printf("\n(%u more findings not shown)\n", r->dropped);
	if (r->nr_notes)
		printf("\nnotes:\n");
	for (unsigned int i = 0; i < r->nr_notes; i++)
		print_wrapped("  - ", r->notes[i]);
}

static void json_evidence(struct json *j, const struct doctor_evidence *ev)
{
	static const char *const kinds[DOCTOR_FAIL_KINDS] = { "page", "kmalloc", "slab", "vmalloc" };

	json_key(j, "trace");
	json_object_begin(j);
	json_kv_u64(j, "window_seconds", ev->window_seconds);
	json_key(j, "failures");
	json_object_begin(j);
	for (int k = 0; k < DOCTOR_FAIL_KINDS; k++)
		json_kv_u64(j, kinds[k], ev->failures[k]);
	json_object_end(j);
	json_kv_u64(j, "failures_memcg_at_limit", ev->failures_memcg_at_limit);
	json_kv_u64(j, "failures_memcg_below_limit", ev->failures_memcg_below_limit);
	json_key(j, "page_failures_by_order");
	json_array_begin(j);
	for (int o = 0; o < FS_ORDERS; o++)
		json_u64(j, ev->page_failures_by_order[o]);
	json_array_end(j);
	json_kv_u64(j, "direct_reclaim_stalls", ev->direct_reclaim_stalls);
	json_kv_u64(j, "memcg_reclaim_stalls", ev->memcg_reclaim_stalls);
	json_kv_u64(j, "compact_stalls", ev->compact_stalls);
	json_kv_u64(j, "compact_stall_p99_ns", ev->compact_stall_p99_ns);
	json_kv_u64(j, "extfrag_steals", ev->extfrag_steals);
	json_kv_u64(j, "extfrag_change_ownership", ev->extfrag_change_ownership);
	json_kv_u64(j, "oom_kills", ev->oom_kills);
	json_object_end(j);
}

static void print_json(const char *root, const struct doctor_report *r, unsigned int seconds,
		       const struct doctor_evidence *ev, const char *request_lines)
{
	struct json j;

	json_init(&j, stdout, true);
	json_object_begin(&j);
	json_kv_string(&j, "root", root);
	json_kv_u64(&j, "window_seconds", seconds);
	json_kv_bool(&j, "trace_evidence", ev != NULL);
	json_kv_bool(&j, "all_clear", !r->count);
	json_key(&j, "requests");
	json_array_begin(&j);
	for (const char *p = request_lines; p && *p;) {
		size_t n = strcspn(p, "\n");
		char line[1024];

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		json_string(&j, line);
		p += n + (p[n] == '\n');
	}
	json_array_end(&j);
	json_key(&j, "findings");
	json_array_begin(&j);
	for (unsigned int i = 0; i < r->count; i++) {
		const struct doctor_finding *f = &r->findings[i];

		json_object_begin(&j);
		json_kv_string(&j, "severity", doctor_severity_name(f->severity));
		json_kv_string(&j, "id", f->id);
		json_kv_string(&j, "title", f->title);
		json_kv_string(&j, "evidence", f->evidence);
		json_kv_string(&j, "advice", f->advice);
		json_key(&j, "facts");
		json_object_begin(&j);
		for (unsigned int k = 0; k < f->nr_facts; k++)
			json_kv_double(&j, f->facts[k].key, f->facts[k].value);
		json_object_end(&j);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_kv_u64(&j, "dropped", r->dropped);
	json_key(&j, "notes");
	json_array_begin(&j);
	for (unsigned int i = 0; i < r->nr_notes; i++)
		json_string(&j, r->notes[i]);
	json_array_end(&j);
	if (ev)
		json_evidence(&j, ev);
	json_object_end(&j);
	json_finish(&j);
}

static int parse_seconds(const char *s, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v == 0 || v > MAX_WINDOW_SECONDS)
		return -1;
	*out = v;
	return 0;
}

struct doctor_run {
	const char *root;
	unsigned int seconds;
	struct state *before; /* with -d */
	struct state *now;
	struct doctor_evidence ev;
	struct doctor_report report;
	char *request_lines; /* the failed requests of the window, as text (NULL: none) */
};

static int run(struct doctor_run *d)
{
	const char *why_untraced = NULL;
	struct state_error err;
	double start = 0, window;

	if (d->seconds) {
		if (state_read(d->root, 0, d->before, &err))
			return state_fail_exit("doctor", &err);
		start = monotonic_seconds();
		why_untraced = watch(d->root, d->seconds, &d->ev, &d->request_lines);
	}
	if (state_read(d->root, STATE_WITH_SYSCTLS | STATE_TRY_PAGETYPEINFO, d->now, &err))
		return state_fail_exit("doctor", &err);
	window = d->seconds ? monotonic_seconds() - start : 0;
	doctor_findings(d->now, d->seconds ? d->before : NULL, window, &d->ev, &d->report);
	if (why_untraced)
		doctor_note(&d->report, why_untraced);
	if (d->seconds && session_stop_requested) {
		char note[160];

		snprintf(note, sizeof(note), "interrupted: the window is the %.1f s watched of the %u s asked", window,
			 d->seconds);
		doctor_note(&d->report, note);
		d->seconds = window_whole_seconds(window);
	}
	return FS_EXIT_OK;
}

int cmd_doctor(int argc, char **argv)
{
	static const struct option options[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'F' },
		{ "proc-root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum state_format format = STATE_FORMAT_TEXT;
	struct doctor_run *d = calloc(1, sizeof(*d));
	int opt, ret;

	if (!d) {
		perror("fragscope doctor");
		return FS_EXIT_RUNTIME;
	}
	d->root = "/";
	optind = 0; /* glibc: rescan from argv[1], whatever parsed argv before */
	while ((opt = getopt_long(argc, argv, "d:F:h", options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			if (parse_seconds(optarg, &d->seconds)) {
				fprintf(stderr, "fragscope doctor: -d takes 1..%d seconds, not '%s'\n",
					MAX_WINDOW_SECONDS, optarg);
				goto bad_usage;
			}
			break;
		case 'F':
			if (!state_parse_format(optarg, &format)) {
				fprintf(stderr, "fragscope doctor: unknown format '%s'\n", optarg);
				goto bad_usage;
			}
			break;
		case 'r':
			d->root = optarg;
			break;
		case 'h':
			usage(stdout);
			free(d);
			return FS_EXIT_OK;
		default:
			goto bad_usage;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "fragscope doctor: unexpected argument '%s'\n", argv[optind]);
		goto bad_usage;
	}

	d->before = malloc(sizeof(*d->before));
	d->now = malloc(sizeof(*d->now));
	if (!d->before || !d->now) {
		perror("fragscope doctor");
		ret = FS_EXIT_RUNTIME;
	} else {
		ret = run(d);
	}
	if (!ret && format == STATE_FORMAT_JSON)
		print_json(d->root, &d->report, d->seconds, d->ev.valid ? &d->ev : NULL, d->request_lines);
	else if (!ret) {
		if (d->request_lines)
			fputs(d->request_lines, stdout);
		print_text(&d->report, d->seconds, d->ev.valid, d->request_lines != NULL);
	}
	free(d->request_lines);
	free(d->before);
	free(d->now);
	free(d);
	return ret;

bad_usage:
	usage(stderr);
	free(d);
	return FS_EXIT_USAGE;
}
