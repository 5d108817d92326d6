// SPDX-License-Identifier: GPL-2.0
/*
 * fragscope top: a full-screen view refreshed every interval.  The screen
 * is rendered as text by live/top_render.c; this file only draws it (with
 * curses on a terminal, as plain blocks otherwise) and reads keys.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands/commands.h"
#include "commands/options.h"
#include "session/live_session.h"
#include "util/exit_codes.h"

/*
 * How often keys are read on a terminal: quick enough to feel immediate.
 * Keys are read between snapshots, so the maps and /proc are read this
 * often too; that stays cheap at four times a second.
 */
#define KEY_POLL_MS 250
/* Plain blocks are as wide as a classic terminal and as long as they need. */
#define PLAIN_WIDTH 80
#define PLAIN_HEIGHT 1000

static const char usage[] =
	"Usage: fragscope top [-i SECONDS] [options]\n"
	"A full-screen view of allocation rates, failures, stalls and free blocks,\n"
	"refreshed every interval.  Keys: q quit, p pause, s sort, h help.  When\n"
	"stdout is not a terminal, prints one plain text block per interval.\n\n"
	"  -i, --interval SECONDS   refresh interval (default 2)\n"
	TRACE_OPTIONS_HELP
	"  -h, --help               this help\n";

struct top {
	struct report *report;
	struct live_totals *before, *now; /* the interval on screen */
	struct top_view view;
	uint64_t interval_ns;
	uint64_t refreshed_ns; /* when now was taken */
	unsigned int tick_ms;
	bool tty;
};

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void draw(struct top *t)
{
	struct live_text text = {};
	const char *line;
	int y = 0;

	if (t->tty) {
		t->view.width = COLS;
		t->view.height = LINES;
	}
	top_render(t->report, t->before, t->now, &t->view, &text);
	if (!t->tty) {
		printf("%s\n", text.buf ? text.buf : "");
		fflush(stdout);
		live_text_free(&text);
		return;
	}
	erase();
	for (line = text.buf; line && *line; y++) {
		size_t n = strcspn(line, "\n");

		mvaddnstr(y, 0, line, (int)n);
		line += n + (line[n] == '\n');
	}
	refresh();
	live_text_free(&text);
}

/* Applies the keys typed since the last tick; true when the screen must be redrawn. */
static bool read_keys(struct top *t)
{
	bool redraw = false;
	int key;

	while ((key = getch()) != ERR) {
		switch (key) {
		case 'q':
		case 'Q':
			session_stop_requested = 1;
			return false;
		case 'p':
			t->view.paused = !t->view.paused;
			break;
		case 's':
			t->view.sort = (t->view.sort + 1) % TOP_SORTS;
			break;
		case 'h':
		case '?':
			t->view.help = !t->view.help;
			break;
		case KEY_RESIZE:
			break;
		default:
			continue;
		}
		redraw = true;
	}
	return redraw;
}

static void on_tick(struct session *s, void *ctx)
{
	struct top *t = ctx;
	bool redraw = t->tty && read_keys(t);
	uint64_t now = monotonic_ns();

	/* Ticks are tick_ms apart: refresh on the one nearest the interval's end. */
	if (!t->view.paused && now + t->tick_ms * 500000ULL >= t->refreshed_ns + t->interval_ns) {
		struct live_totals *older = t->before;

		t->before = t->now;
		t->now = older;
		live_totals_now(t->now, s);
		t->refreshed_ns = now;
		redraw = true;
	}
	if (redraw && !session_stop_requested)
		draw(t);
}

int cmd_top(int argc, char **argv)
{
	static const struct option longopts[] = {
		TRACE_OPTIONS, { "interval", required_argument, NULL, 'i' }, { "help", no_argument, NULL, 'h' }, {},
	};
	struct top t = { .view = { .width = PLAIN_WIDTH, .height = PLAIN_HEIGHT } };
	struct tracer_config cfg;
	double interval = 2;
	struct session *s;
	int opt, rc;

	tracer_config_defaults(&cfg);
	while ((opt = getopt_long(argc, argv, "i:p:h", longopts, NULL)) != -1) {
		int handled = parse_trace_option(opt, optarg, &cfg);

		if (handled < 0)
			return invalid_value("top", longopts, opt, optarg);
		if (handled)
			continue;
		switch (opt) {
		case 'i':
			interval = parse_seconds(optarg);
			if (interval < 0.1)
				return usage_error("top", "invalid interval '%s' (at least 0.1 s)", optarg);
			break;
		case 'h':
			fputs(usage, stdout);
			return FS_EXIT_OK;
		default:
			return usage_error("top", "unknown option");
		}
	}
	if (optind < argc)
		return usage_error("top", "unexpected argument '%s'", argv[optind]);
	t.before = calloc(1, sizeof(*t.before));
	t.now = calloc(1, sizeof(*t.now));
	if (!t.before || !t.now) {
		free(t.before);
		free(t.now);
		return FS_EXIT_RUNTIME;
	}
	s = live_session_open("top", argc, argv, &cfg, &rc);
	if (!s) {
		free(t.before);
		free(t.now);
		return rc;
	}
	t.report = &s->report;
	t.interval_ns = (uint64_t)(interval * 1e9);
	t.tty = isatty(STDOUT_FILENO);
	t.tick_ms = t.tty && interval * 1000 > KEY_POLL_MS ? KEY_POLL_MS : (unsigned int)(interval * 1000);
	live_totals_now(t.now, s);
	*t.before = *t.now;
	t.refreshed_ns = monotonic_ns();
	if (t.tty) {
		initscr();
		cbreak();
		noecho();
		nodelay(stdscr, TRUE);
		keypad(stdscr, TRUE);
		curs_set(0);
		draw(&t);
	}
	rc = session_run(s, 0, t.tick_ms, on_tick, &t);
	if (t.tty)
		endwin();
	rc = live_session_close(s, rc);
	free(t.before);
	free(t.now);
	return rc;
}
