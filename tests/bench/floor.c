// SPDX-License-Identifier: GPL-2.0
/*
 * Load floor.bpf.o, attach every program, print "attached N in M ms" and
 * wait for SIGINT or SIGTERM.  A program that does not attach (a missing
 * tracepoint) is reported and skipped, as fragscope does.
 *
 * usage: floor FLOOR_BPF_OBJECT
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct bpf_link *links[64] = { NULL };
	struct bpf_program *prog;
	struct bpf_object *obj;
	double t0 = now_ms();
	int n = 0, attached = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: floor FLOOR_BPF_OBJECT\n");
		return 2;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	libbpf_set_print(quiet);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "floor: cannot open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "floor: cannot load %s: %s\n", argv[1], strerror(errno));
		bpf_object__close(obj);
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		if (n >= (int)(sizeof(links) / sizeof(*links)))
			break;
		links[n] = bpf_program__attach(prog);
		if (links[n])
			attached++;
		else
			fprintf(stderr, "floor: %s not attached: %s\n", bpf_program__name(prog), strerror(errno));
		n++;
	}
	printf("attached %d of %d in %.0f ms\n", attached, n, now_ms() - t0);
	fflush(stdout);
	while (!stop)
		usleep(20000); /* pause() could miss a signal that lands before it */
	for (int i = 0; i < n; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	return 0;
}
