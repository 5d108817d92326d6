// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of user/decode/: kernel symbols, gfp flags, enum names and
 * kernel_info on the fixtures in tests/fixtures/decode (run from the
 * repository root, as `make unit` does), plus checks against the running
 * kernel's BTF and tracefs that skip when those are not readable.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <cmocka.h>

#include "kernel/expr.h"
#include "kernel/gfp.h"
#include "kernel/kernel_info.h"
#include "kernel/kernel_names.h"
#include "kernel/ksyms.h"
#include "kernel/print_fmt.h"
#include "kernel/text_file.h"

#define FIXTURES "tests/fixtures/decode"
#define ROOT_6_18 FIXTURES "/root-6.18"
#define ROOT_6_1 FIXTURES "/root-6.1"
#define TRACEFS_6_18 ROOT_6_18 "/sys/kernel/tracing"
#define TRACEFS_6_1 ROOT_6_1 "/sys/kernel/tracing"
#define GFP_FORMAT "/events/kmem/mm_page_alloc/format"
#define LIVE_TRACEFS "/sys/kernel/tracing"
#define LIVE_BTF "/sys/kernel/btf/vmlinux"

/* Fixture addresses (see tests/fixtures/decode/kallsyms). */
#define ALLOC_FROZEN 0xffffffff81638c50ULL
#define TRACEITER 0xffffffff815dd390ULL
#define BPF_TRACE_RUN4 0xffffffff814ca4d0ULL
#define PERF_TRACE 0xffffffff815de070ULL
#define ALLOC_PAGES_MPOL 0xffffffff81673230ULL
#define ETEXT 0xffffffff82276508ULL
#define START_KERNEL 0xffffffff83780b10ULL
#define EINITTEXT 0xffffffff837f67d0ULL
#define XFS_BUF_ALLOC_PAGES 0xffffffffc0a03000ULL
#define XFS_FS_TYPE 0xffffffffc0a20000ULL
#define E1000_CLEAN 0xffffffffc0b00000ULL
#define BPF_PROG 0xffffffffc0025400ULL
/* In the module area but in no symbol: a BPF program loaded after kallsyms was read. */
#define UNLISTED_PROG 0xffffffffc0000100ULL

static char *read_fixture(const char *path)
{
	char *text = text_file_read(path, NULL);

	if (!text)
		fail_msg("cannot read %s: %s (run the tests from the repository root)", path,
			 strerror(errno));
	return text;
}

static struct ksyms *load_fixture_ksyms(void)
{
	int err;
	struct ksyms *ksyms = ksyms_load(FIXTURES "/kallsyms", &err);

	if (!ksyms)
		fail_msg("ksyms_load: %s (run the tests from the repository root)", strerror(-err));
	return ksyms;
}

static const char *frame(const struct ksyms *ksyms, uint64_t addr, char *buf, size_t len)
{
	ksym_format(ksyms_find(ksyms, addr), addr, buf, len);
	return buf;
}

/* ---- kernel symbols ---- */

static void test_ksyms_lookup(void **state)
{
	struct ksyms *ksyms = load_fixture_ksyms();
	char buf[128];

	(void)state;
	assert_false(ksyms_addresses_hidden(ksyms));
	assert_string_equal(frame(ksyms, ALLOC_FROZEN, buf, sizeof(buf)),
			    "__alloc_frozen_pages_noprof+0x0");
	assert_string_equal(frame(ksyms, ALLOC_FROZEN + 0x26b, buf, sizeof(buf)),
			    "__alloc_frozen_pages_noprof+0x26b");
	assert_string_equal(frame(ksyms, 0xffffffff812077c4ULL, buf, sizeof(buf)), "abort+0x4");
	/* Three aliases at _stext: the one without leading underscores names it. */
	assert_string_equal(frame(ksyms, 0xffffffff81000010ULL, buf, sizeof(buf)),
			    "srso_alias_untrain_ret+0x10");
	/* Before the first text symbol, and above a per-cpu symbol at 0. */
	assert_null(ksyms_find(ksyms, 0x10));
	assert_null(ksyms_find(ksyms, 0xffffffff80ffffffULL));
	/* _etext and _einittext end the kernel's code; data follows. */
	assert_string_equal(frame(ksyms, ETEXT - 1, buf, sizeof(buf)), "do_syscall_64+0x1c8b7");
	assert_null(ksyms_find(ksyms, ETEXT));
	assert_null(ksyms_find(ksyms, 0xffffffff82400010ULL));
	assert_string_equal(frame(ksyms, START_KERNEL + 0x10, buf, sizeof(buf)), "start_kernel+0x10");
	assert_null(ksyms_find(ksyms, EINITTEXT + 8));
	assert_string_equal(frame(ksyms, EINITTEXT + 8, buf, sizeof(buf)), "0xffffffff837f67d8");
	/* Module symbols, listed out of address order. */
	assert_string_equal(frame(ksyms, XFS_BUF_ALLOC_PAGES + 0x10, buf, sizeof(buf)),
			    "xfs_buf_alloc_pages+0x10 [xfs]");
	assert_string_equal(frame(ksyms, E1000_CLEAN + 0x100, buf, sizeof(buf)),
			    "e1000_clean+0x100 [e1000e]");
	assert_null(ksyms_find(ksyms, XFS_FS_TYPE + 0x10));
	/* Past the last symbol, which is module data. */
	assert_null(ksyms_find(ksyms, 0xffffffffff000000ULL));
	assert_null(ksyms_find(ksyms, UNLISTED_PROG));
	ksyms_free(ksyms);
}

static void test_ksym_format(void **state)
{
	struct ksym vmlinux = { .addr = 0xffffffff81000000ULL, .name = "start" };
	struct ksym module = { .addr = 0xffffffffc0000000ULL, .name = "fn", .module = "mod" };
	char buf[64], small[8];

	(void)state;
	assert_int_equal(ksym_format(&vmlinux, vmlinux.addr + 0x1a, buf, sizeof(buf)), 10);
	assert_string_equal(buf, "start+0x1a");
	ksym_format(&module, module.addr + 0x1a, buf, sizeof(buf));
	assert_string_equal(buf, "fn+0x1a [mod]");
	ksym_format(NULL, 0xffffffff81234567ULL, buf, sizeof(buf));
	assert_string_equal(buf, "0xffffffff81234567");
	/* Truncated like snprintf, with the full length returned. */
	assert_int_equal(ksym_format(&module, module.addr + 0x1a, small, sizeof(small)), 13);
	assert_string_equal(small, "fn+0x1a");
}

static void test_ksyms_hidden(void **state)
{
	int err;
	struct ksyms *ksyms = ksyms_load(FIXTURES "/kallsyms-hidden", &err);

	(void)state;
	assert_non_null(ksyms);
	assert_true(ksyms_addresses_hidden(ksyms));
	assert_null(ksyms_find(ksyms, ALLOC_FROZEN));
	assert_null(ksyms_find(ksyms, 0));
	ksyms_free(ksyms);
}

static void test_ksyms_load_errors(void **state)
{
	int err = 0;

	(void)state;
	assert_null(ksyms_load(FIXTURES "/no-such-file", &err));
	assert_int_equal(err, -ENOENT);
	/* A tracepoint format is not kallsyms. */
	assert_null(ksyms_load(TRACEFS_6_18 GFP_FORMAT, &err));
	assert_int_equal(err, -EINVAL);
}

/* A table written out entry by entry and rebuilt in another order answers the same. */
static void test_ksyms_rebuilt(void **state)
{
	struct ksyms *loaded = load_fixture_ksyms(), *rebuilt = ksyms_new();
	size_t n = ksyms_count(loaded);
	const uint64_t probes[] = { 0x10, ALLOC_FROZEN + 0x26b, 0xffffffff81000010ULL, ETEXT,
				    ETEXT - 1, START_KERNEL, EINITTEXT + 8, XFS_BUF_ALLOC_PAGES + 1,
				    XFS_FS_TYPE + 1, E1000_CLEAN, BPF_PROG + 0x13e, ~0ULL };
	char a[128], b[128];

	(void)state;
	assert_non_null(rebuilt);
	for (size_t i = n; i-- > 0;) {
		const struct ksym *e = ksyms_entry(loaded, i);

		assert_int_equal(ksyms_add(rebuilt, e->addr, e->name, e->module), 0);
	}
	ksyms_sort(rebuilt);
	assert_int_equal(ksyms_count(rebuilt), n);
	assert_null(ksyms_entry(rebuilt, n));
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		assert_string_equal(frame(loaded, probes[i], a, sizeof(a)),
				    frame(rebuilt, probes[i], b, sizeof(b)));
	ksyms_free(rebuilt);
	ksyms_free(loaded);
}

static void test_ksyms_aliases_added(void **state)
{
	struct ksyms *ksyms = ksyms_new();
	char buf[64];

	(void)state;
	assert_int_equal(ksyms_add(ksyms, 0x2000, "__second", NULL), 0);
	assert_int_equal(ksyms_add(ksyms, 0x1000, "__alias_b", NULL), 0);
	assert_int_equal(ksyms_add(ksyms, 0x1000, "__alias_a", NULL), 0);
	assert_int_equal(ksyms_add(ksyms, 0x3000, NULL, NULL), 0);
	ksyms_sort(ksyms);
	assert_int_equal(ksyms_count(ksyms), 3);
	/* Equal underscores: the first by name wins, whatever the order added. */
	assert_string_equal(frame(ksyms, 0x1004, buf, sizeof(buf)), "__alias_a+0x4");
	assert_string_equal(frame(ksyms, 0x2fff, buf, sizeof(buf)), "__second+0xfff");
	assert_null(ksyms_find(ksyms, 0x3000));
	assert_null(ksyms_find(ksyms, 0xfff));
	ksyms_free(ksyms);
}

/* A temporary file holding text; the caller unlinks it. */
static void write_temp(char *path, size_t len, const char *text)
{
	int fd;
	FILE *f;

	snprintf(path, len, "/tmp/fragscope-test-ksyms.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		fail_msg("mkstemp: %s", strerror(errno));
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void assert_same_tables(const struct ksyms *a, const struct ksyms *b)
{
	assert_int_equal(ksyms_count(a), ksyms_count(b));
	for (size_t i = 0; i < ksyms_count(a); i++) {
		const struct ksym *x = ksyms_entry(a, i), *y = ksyms_entry(b, i);

		assert_true(x->addr == y->addr);
		assert_true(!x->name == !y->name);
		if (x->name)
			assert_string_equal(x->name, y->name);
		assert_true(!x->module == !y->module);
		if (x->module)
			assert_string_equal(x->module, y->module);
	}
}

/* The file is read a buffer at a time: lines split anywhere across reads parse the same. */
static void test_ksyms_streamed(void **state)
{
	struct ksyms *whole = load_fixture_ksyms(), *k;
	struct ksyms_load_opts opts = {};
	char path[64];
	int err;

	(void)state;
	/* The longest fixture line is 65 characters and its newline. */
	for (size_t size = 66; size <= 200; size++) {
		opts.read_size = size;
		k = ksyms_load_with(FIXTURES "/kallsyms", &opts, &err);
		assert_non_null(k);
		assert_same_tables(whole, k);
		ksyms_free(k);
	}
	opts.read_size = 65;
	assert_null(ksyms_load_with(FIXTURES "/kallsyms", &opts, &err));
	assert_int_equal(err, -EINVAL);

	/* An unterminated last line counts, wherever the reads split it. */
	write_temp(path, sizeof(path), "ffffffff81000000 T first\nffffffff81000100 T last");
	for (size_t size = 20; size <= 64; size++) {
		char buf[64];

		opts.read_size = size;
		k = ksyms_load_with(path, &opts, &err);
		if (size < 25) {
			/* The first line does not fit with its newline. */
			assert_null(k);
			assert_int_equal(err, -EINVAL);
			continue;
		}
		assert_non_null(k);
		assert_int_equal(ksyms_count(k), 2);
		assert_string_equal(frame(k, 0xffffffff81000104ULL, buf, sizeof(buf)), "last+0x4");
		ksyms_free(k);
	}
	unlink(path);
	ksyms_free(whole);
}

/*
 * A BPF program's frames (fragscope's own among them: kallsyms is read after
 * they are loaded) resolve to their [bpf] symbols and, with the tracepoint
 * plumbing below them, are cut from the top of a stack.
 */
static void test_ksyms_bpf_program_frames(void **state)
{
	const uint64_t tp_btf[] = { BPF_PROG + 0x13e, BPF_TRACE_RUN4 + 0x10d, TRACEITER + 0x41,
				    ALLOC_FROZEN + 0x26b };
	struct ksyms *k = load_fixture_ksyms();
	const struct ksym *prog;
	char buf[128];

	(void)state;
	prog = ksyms_find(k, BPF_PROG + 0x13e);
	assert_non_null(prog);
	assert_string_equal(prog->module, "bpf");
	assert_string_equal(frame(k, ALLOC_FROZEN + 1, buf, sizeof(buf)), "__alloc_frozen_pages_noprof+0x1");
	assert_string_equal(frame(k, E1000_CLEAN, buf, sizeof(buf)), "e1000_clean+0x0 [e1000e]");
	assert_int_equal(stack_skip_tracing_frames(k, tp_btf, 4), 3);
	ksyms_free(k);
}

/* Names that end the previous one share its bytes, modules included. */
static void test_ksyms_shared_names(void **state)
{
	static const char *const expect[] = {
		"__pfx_alloc_pages+0x0", "alloc_pages+0x0", "__pfx_fn+0x0 [mod]", "fn+0x0 [mod]",
		"__pfx_other+0x0 [mod]", "other+0x0 [mod2]", "__pfx_x+0x0", "x+0x0 [mod]",
		"s+0x0 [mod]", "s+0x0", "longer_s+0x0 [mod]",
	};
	char path[64], buf[128];
	struct ksyms *k;
	int err;

	(void)state;
	write_temp(path, sizeof(path),
		   "ffffffff81000000 T __pfx_alloc_pages\n"
		   "ffffffff81000010 T alloc_pages\n"
		   "ffffffff81000100 t __pfx_fn\t[mod]\n"
		   "ffffffff81000110 t fn\t[mod]\n"
		   "ffffffff81000200 t __pfx_other\t[mod]\n"
		   "ffffffff81000210 t other\t[mod2]\n"
		   "ffffffff81000300 t __pfx_x\n"
		   "ffffffff81000310 t x\t[mod]\n"
		   "ffffffff81000400 t s\t[mod]\n"
		   "ffffffff81000410 t s\n"
		   "ffffffff81000420 t longer_s\t[mod]\n");
	k = ksyms_load(path, &err);
	unlink(path);
	assert_non_null(k);
	assert_int_equal(ksyms_count(k), sizeof(expect) / sizeof(expect[0]));
	for (size_t i = 0; i < ksyms_count(k); i++) {
		const struct ksym *e = ksyms_entry(k, i);

		ksym_format(e, e->addr, buf, sizeof(buf));
		assert_string_equal(buf, expect[i]);
	}
	ksyms_free(k);
}

/*
 * A loaded table keeps 32-bit addresses per run of equal high halves (the
 * fixture has two: a per-cpu symbol at 0, then the kernel's); adding to it
 * unpacks it.  ksyms_next() steps through either form.
 */
static void test_ksyms_packed_and_added(void **state)
{
	struct ksyms *k = load_fixture_ksyms();
	const struct ksym *sym, *next;
	char buf[128];

	(void)state;
	sym = ksyms_find(k, ETEXT - 1);
	assert_non_null(sym);
	next = ksyms_next(k, sym);
	assert_non_null(next);
	assert_true(next->addr == ETEXT);
	assert_null(next->name);
	sym = ksyms_find(k, E1000_CLEAN);
	next = ksyms_next(k, sym);
	assert_non_null(next);
	assert_null(ksyms_next(k, next)); /* e1000_debug, the last entry */
	assert_null(ksyms_find(k, 0x100000000ULL));
	assert_null(ksyms_find(k, 0xfffffffe00000000ULL));
	ksyms_sort(k); /* sorted already: changes nothing */
	assert_string_equal(frame(k, ALLOC_FROZEN, buf, sizeof(buf)), "__alloc_frozen_pages_noprof+0x0");

	assert_int_equal(ksyms_add(k, 0x100000010ULL, "in_a_new_run", "m"), 0);
	assert_int_equal(ksyms_add(k, 0x100000100ULL, NULL, NULL), 0);
	assert_int_equal(ksyms_add(k, 0xffffffff82300000ULL, "after_etext", NULL), 0);
	ksyms_sort(k);
	assert_string_equal(frame(k, 0x100000014ULL, buf, sizeof(buf)), "in_a_new_run+0x4 [m]");
	assert_null(ksyms_find(k, 0x100000100ULL));
	assert_null(ksyms_find(k, 0x10ULL));
	assert_string_equal(frame(k, 0xffffffff82300001ULL, buf, sizeof(buf)), "after_etext+0x1");
	assert_string_equal(frame(k, ALLOC_FROZEN + 0x26b, buf, sizeof(buf)),
			    "__alloc_frozen_pages_noprof+0x26b");
	assert_string_equal(frame(k, XFS_BUF_ALLOC_PAGES + 0x10, buf, sizeof(buf)),
			    "xfs_buf_alloc_pages+0x10 [xfs]");
	next = ksyms_next(k, ksyms_find(k, 0x100000010ULL));
	assert_true(next->addr == 0x100000100ULL);
	ksyms_free(k);
}

/* Names longer than a pool block (64 KiB) get blocks of their own. */
static void test_ksyms_long_names(void **state)
{
	struct ksyms *k = ksyms_new();
	size_t lens[] = { 70000, 3, 131072, 65535, 65536, 10 };
	char *names[6];

	(void)state;
	for (size_t i = 0; i < 6; i++) {
		names[i] = malloc(lens[i] + 1);
		assert_non_null(names[i]);
		memset(names[i], 'a' + i, lens[i]);
		names[i][lens[i]] = 0;
		assert_int_equal(ksyms_add(k, 0x1000 * (i + 1), names[i], i % 2 ? "mod" : NULL), 0);
	}
	ksyms_sort(k);
	for (size_t i = 0; i < 6; i++) {
		const struct ksym *e = ksyms_find(k, 0x1000 * (i + 1) + 1);

		assert_non_null(e);
		assert_string_equal(e->name, names[i]);
		if (i % 2)
			assert_string_equal(e->module, "mod");
		else
			assert_null(e->module);
		free(names[i]);
	}
	ksyms_free(k);
}

/* One name at one address in vmlinux and modules (no kernel lists that): vmlinux's, then by module. */
static void test_ksyms_same_name_modules(void **state)
{
	struct ksyms *k = ksyms_new();
	const struct ksym *e;

	(void)state;
	assert_int_equal(ksyms_add(k, 0x1000, "f", "zmod"), 0);
	assert_int_equal(ksyms_add(k, 0x1000, "f", "amod"), 0);
	ksyms_sort(k);
	e = ksyms_find(k, 0x1000);
	assert_string_equal(e->module, "amod");
	assert_int_equal(ksyms_add(k, 0x1000, "f", NULL), 0);
	ksyms_sort(k);
	e = ksyms_find(k, 0x1000);
	assert_null(e->module);
	assert_int_equal(ksyms_count(k), 1);
	/* A symbol and an end of text at one address, in either order: the symbol. */
	assert_int_equal(ksyms_add(k, 0x5000, NULL, NULL), 0);
	assert_int_equal(ksyms_add(k, 0x5000, "g", NULL), 0);
	assert_int_equal(ksyms_add(k, 0x6000, "h", NULL), 0);
	assert_int_equal(ksyms_add(k, 0x6000, NULL, NULL), 0);
	ksyms_sort(k);
	assert_string_equal(ksyms_find(k, 0x5001)->name, "g");
	assert_string_equal(ksyms_find(k, 0x6001)->name, "h");
	ksyms_free(k);
}

/* Lines not in kallsyms' form fail the whole file. */
static void test_ksyms_malformed(void **state)
{
	static const char *const bad[] = {
		"",						/* empty */
		"\n",						/* an empty line */
		"ffffffff81000000ff T too_many_digits\n",
		"ffffffff81000000 T\n",			/* no name */
		"ffffffff81000000 T \n",			/* empty name */
		"ffffffff81000000 T fn\tmod]\n",		/* module without [ */
		"ffffffff81000000 T fn\t[mod\n",		/* module without ] */
		"ffffffff81000000 T fn\t[]\n",		/* empty module */
		"ffffffff81000000  T fn\n",			/* two spaces */
		"ffffffff81000000 T fn\nnot kallsyms\n",
	};
	char path[64];
	int err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_temp(path, sizeof(path), bad[i]);
		err = 0;
		assert_null(ksyms_load(path, &err));
		assert_int_equal(err, -EINVAL);
		unlink(path);
	}
}

/* The stacks as taken on 6.18 (see ksyms.h), rebuilt on fixture addresses. */
static void test_stack_skip(void **state)
{
	struct ksyms *ksyms = load_fixture_ksyms();
	const uint64_t tp_btf[] = { BPF_PROG + 0x13e, BPF_TRACE_RUN4 + 0x10d, TRACEITER + 0x41,
				    ALLOC_FROZEN + 0x26b, ALLOC_PAGES_MPOL + 0x86 };
	const uint64_t tp_btf_unlisted[] = { UNLISTED_PROG, BPF_TRACE_RUN4 + 0x10d,
					     TRACEITER + 0x41, ALLOC_FROZEN + 0x26b };
	const uint64_t tracepoint[] = { TRACEITER + 0x41, ALLOC_FROZEN + 0x26b,
					ALLOC_PAGES_MPOL + 0x86 };
	const uint64_t perf[] = { PERF_TRACE + 0x20, TRACEITER + 0x41, ALLOC_FROZEN + 0x26b };
	const uint64_t unknown_then_allocator[] = { UNLISTED_PROG, ALLOC_FROZEN + 0x26b };
	const uint64_t allocator_only[] = { ALLOC_FROZEN + 0x26b, BPF_TRACE_RUN4 };
	const uint64_t machinery_only[] = { BPF_PROG + 1, BPF_TRACE_RUN4 + 1 };

	(void)state;
	assert_int_equal(stack_skip_tracing_frames(ksyms, tp_btf, 5), 3);
	assert_int_equal(stack_skip_tracing_frames(ksyms, tp_btf_unlisted, 4), 3);
	assert_int_equal(stack_skip_tracing_frames(ksyms, tracepoint, 3), 1);
	assert_int_equal(stack_skip_tracing_frames(ksyms, perf, 3), 2);
	assert_int_equal(stack_skip_tracing_frames(ksyms, unknown_then_allocator, 2), 0);
	assert_int_equal(stack_skip_tracing_frames(ksyms, allocator_only, 2), 0);
	assert_int_equal(stack_skip_tracing_frames(ksyms, machinery_only, 2), 2);
	assert_int_equal(stack_skip_tracing_frames(ksyms, tp_btf, 0), 0);
	ksyms_free(ksyms);
}

/* ---- expressions and print fmt ---- */

static int eval(const char *text, uint64_t *value)
{
	return expr_eval(text, strlen(text), NULL, NULL, value);
}

static void test_expr_values(void **state)
{
	const struct {
		const char *text;
		uint64_t value;
	} cases[] = {
		{ "0x400u|0x800u", 0xc00 },
		{ "(( gfp_t)((((1UL))) << (10)))", 0x400 },
		{ "017", 15 },
		{ "42ULL", 42 },
		{ "1 + 2 * 3", 7 },
		{ "1 << 2 | 1", 5 },
		{ "0xff & ~0x0f", 0xf0 },
		{ "(unsigned char)0x1ff", 0xff },
		{ "(int)-1", UINT64_MAX },
		{ "(unsigned int)-1", 0xffffffff },
		{ "(( gfp_t)0x100000000)", 0 },
		{ "(void *)0", 0 },
		{ "1 ? 2 : 3", 2 },
		{ "0 ? 2 : 1 ? 4 : 5", 4 },
		{ "3 < 2 || 2 <= 2 && !0", 1 },
		{ "(21 - 12) >= 9 == 1", 1 },
		{ "100 / 7 % 5", 4 },
		/* 6.18's pageblock_order: min_t(unsigned int, HPAGE_PMD_ORDER, MAX_PAGE_ORDER) */
		{ "(((unsigned int)((21 - 12))) < ((unsigned int)(10)) ? ((unsigned int)((21 - 12))) "
		  ": ((unsigned int)(10)))",
		  9 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t value = 0;

		if (eval(cases[i].text, &value) || value != cases[i].value)
			fail_msg("\"%s\" gave %llu, not %llu", cases[i].text, (unsigned long long)value,
				 (unsigned long long)cases[i].value);
	}
}

static void test_expr_rejects(void **state)
{
	const char *bad[] = { "", "1 +", "(1", "1)", "1 2", "1 / 0", "1 % 0", "1 << 64", "08",
			      "0x", "1x", "gfp_flags", "(gfp_t)", "REC->pfn", "1 ? 2", "\"s\"",
			      "99999999999999999999" };
	char deep[1024];
	uint64_t value;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!eval(bad[i], &value))
			fail_msg("\"%s\" evaluated to %llu", bad[i], (unsigned long long)value);
	/* Nesting is bounded, not a stack overflow. */
	for (i = 0; i < 400; i++)
		deep[i] = '(';
	deep[i++] = '1';
	memset(deep + i, ')', 400);
	assert_int_equal(expr_eval(deep, 801, NULL, NULL, &value), -EINVAL);
	memset(deep, '~', 400);
	deep[400] = '1';
	assert_int_equal(expr_eval(deep, 401, NULL, NULL, &value), -EINVAL);
}

static int resolve_answer(const char *name, size_t len, uint64_t *value, void *ctx)
{
	(void)ctx;
	if (len != 6 || memcmp(name, "ANSWER", 6))
		return -ENOENT;
	*value = 42;
	return 0;
}

static void test_expr_resolver(void **state)
{
	uint64_t value;

	(void)state;
	assert_int_equal(expr_eval("(1UL << (ANSWER - 40))", 22, resolve_answer, NULL, &value), 0);
	assert_int_equal(value, 4);
	assert_int_equal(expr_eval("ANSWERS", 7, resolve_answer, NULL, &value), -EINVAL);
}

struct collected {
	int n;
	char text[512];
};

static int collect_entry(const char *expr, size_t expr_len, const char *name, size_t name_len,
			 void *ctx)
{
	struct collected *c = ctx;
	size_t used = strlen(c->text);

	snprintf(c->text + used, sizeof(c->text) - used, "[%.*s=%.*s]", (int)expr_len, expr,
		 (int)name_len, name);
	return ++c->n == 99 ? -ECANCELED : 0;
}

static void test_print_fmt_table(void **state)
{
	const char *text = "name: x\nformat:\n\tfield:int a;\n\n"
			   "print fmt: \"a=%s b=%s\", __print_flags(REC->other, \"|\", {1, \"no\"}), "
			   "(REC->a) ? __print_flags(REC->a, \"|\", { (1 << 2), \"f(,}\" }, "
			   "{(2), \"two\"}, { 0, ((void *)0) } ) : \"none\", "
			   "__print_symbolic(REC->b, {0, \"zero\"})\n";
	struct collected c = { 0 };

	(void)state;
	assert_int_equal(print_fmt_table(text, "__print_flags", "a", collect_entry, &c), 0);
	assert_string_equal(c.text, "[(1 << 2)=f(,}][(2)=two]");
	memset(&c, 0, sizeof(c));
	assert_int_equal(print_fmt_table(text, "__print_symbolic", "b", collect_entry, &c), 0);
	assert_string_equal(c.text, "[0=zero]");
	assert_int_equal(print_fmt_table(text, "__print_symbolic", "a", collect_entry, &c), -ENOENT);
	assert_int_equal(print_fmt_table("print fmt: \"%s\", __print_flags(REC->a, \"|\", {1, \"x\"}",
					 "__print_flags", "a", collect_entry, &c),
			 -EINVAL);
	assert_int_equal(print_fmt_table("print fmt: \"%s\", __print_flags(REC->a, {1 \"x\"})",
					 "__print_flags", "a", collect_entry, &c),
			 -EINVAL);
	assert_int_equal(print_fmt_table("no print fmt", "__print_flags", "a", collect_entry, &c),
			 -ENOENT);
	c.n = 98;
	assert_int_equal(print_fmt_table(text, "__print_flags", "a", collect_entry, &c), -ECANCELED);
}

static void test_print_fmt_arg(void **state)
{
	const char *text = "print fmt: \"x=%%d %*d y=%lx pageblock_order=%d z=%s\", REC->w, "
			   "REC->x, f(REC->y, 2), (((unsigned int)((22 - 12))) < ((unsigned int)(10)) "
			   "? ((unsigned int)((22 - 12))) : ((unsigned int)(10))), \"s\"\n";
	const char *arg;
	size_t len;
	uint64_t value;

	(void)state;
	assert_int_equal(print_fmt_arg(text, "y=", &arg, &len), 0);
	assert_memory_equal(arg, "f(REC->y, 2)", len);
	assert_int_equal(print_fmt_arg(text, "pageblock_order=", &arg, &len), 0);
	assert_int_equal(expr_eval(arg, len, NULL, NULL, &value), 0);
	assert_int_equal(value, 10);
	assert_int_equal(print_fmt_arg(text, "z=", &arg, &len), 0);
	assert_memory_equal(arg, "\"s\"", len);
	assert_int_equal(print_fmt_arg(text, "missing=", &arg, &len), -ENOENT);
	assert_int_equal(print_fmt_arg("print fmt: \"a=%d b=%d\", REC->a", "b=", &arg, &len),
			 -ENOENT);
}

static void test_pageblock_from_fixture(void **state)
{
	char *text = read_fixture(TRACEFS_6_18 "/events/kmem/mm_page_alloc_extfrag/format");
	const char *arg;
	size_t len;
	uint64_t value;

	(void)state;
	assert_int_equal(print_fmt_arg(text, "pageblock_order=", &arg, &len), 0);
	assert_int_equal(expr_eval(arg, len, NULL, NULL, &value), 0);
	assert_int_equal(value, 9);
	free(text);
}

/* ---- gfp flags ---- */

/* GFP_KERNEL's bits, the same on 6.1 and 6.18. */
#define GFP_KERNEL_BITS 0xcc0ULL
#define NOWARN_BIT 0x2000ULL
#define NORETRY_BIT 0x10000ULL

static void load_gfp_fixture(const char *tracefs, struct gfp_names *names)
{
	char path[512];
	char *text;

	snprintf(path, sizeof(path), "%s%s", tracefs, GFP_FORMAT);
	text = read_fixture(path);
	assert_int_equal(gfp_names_from_format(text, NULL, names), 0);
	assert_int_equal(names->source, GFP_NAMES_FORMAT);
	free(text);
}

static const char *decode(const struct gfp_names *names, uint64_t gfp, char *buf, size_t len)
{
	gfp_format(names, gfp, buf, len);
	return buf;
}

struct gfp_expected_mask {
	const char *name;
	uint64_t mask;
};

struct gfp_expected_text {
	uint64_t gfp;
	const char *text;
};

/* What one kernel's table must give; lists end at a NULL name or text. */
struct gfp_fixture {
	const char *tracefs;
	uint32_t nr_flags;
	struct gfp_expected_mask masks[8];
	struct gfp_expected_text decoded[8];
};

static const struct gfp_fixture gfp_6_18 = {
	.tracefs = TRACEFS_6_18,
	.nr_flags = 38,
	.masks = { { "GFP_KERNEL", GFP_KERNEL_BITS }, { "GFP_TRANSHUGE", 0x1c24ca },
		   { "GFP_ATOMIC", 0x820 }, { "__GFP_NO_OBJ_EXT", 0x1000000 },
		   { "__GFP_ATOMIC", 0 }, { "__GFP_NOT_A_FLAG", 0 } },
	.decoded = {
		{ GFP_KERNEL_BITS, "GFP_KERNEL" },
		{ GFP_KERNEL_BITS | NOWARN_BIT | NORETRY_BIT, "GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY" },
		{ 0x1c24ca, "GFP_TRANSHUGE" },
		{ 0x152cca, "GFP_HIGHUSER_MOVABLE|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP" },
		{ GFP_KERNEL_BITS | 1ULL << 30, "GFP_KERNEL|0x40000000" },
		/* 6.1's GFP_ATOMIC carries __GFP_ATOMIC, a bit 6.18 no longer names. */
		{ 0xa20, "GFP_ATOMIC|0x200" },
		{ 0, "none" },
	},
};

static const struct gfp_fixture gfp_6_1 = {
	.tracefs = TRACEFS_6_1,
	.nr_flags = 36,
	.masks = { { "GFP_KERNEL", GFP_KERNEL_BITS }, { "GFP_TRANSHUGE", 0x1c24ca },
		   { "GFP_ATOMIC", 0xa20 }, { "__GFP_ATOMIC", 0x200 }, { "__GFP_NO_OBJ_EXT", 0 } },
	.decoded = {
		{ GFP_KERNEL_BITS, "GFP_KERNEL" },
		{ GFP_KERNEL_BITS | NOWARN_BIT | NORETRY_BIT, "GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY" },
		{ 0x1c24ca, "GFP_TRANSHUGE" },
		{ 0xa20, "GFP_ATOMIC" },
		/* 6.1 without KASAN has nothing at bit 24, 6.18's __GFP_NO_OBJ_EXT. */
		{ GFP_KERNEL_BITS | 0x1000000, "GFP_KERNEL|0x1000000" },
	},
};

static void check_gfp_fixture(const struct gfp_fixture *fixture)
{
	struct gfp_names names;
	char buf[256];

	load_gfp_fixture(fixture->tracefs, &names);
	assert_int_equal(names.n, fixture->nr_flags);
	/* Composites first, most bits first, as the kernel's table orders them. */
	assert_string_equal(names.flags[0].name, "GFP_TRANSHUGE");
	for (const struct gfp_expected_mask *m = fixture->masks; m->name; m++)
		assert_int_equal(gfp_mask(&names, m->name), m->mask);
	for (const struct gfp_expected_text *d = fixture->decoded; d->text; d++)
		assert_string_equal(decode(&names, d->gfp, buf, sizeof(buf)), d->text);
}

static void test_gfp_6_18(void **state)
{
	(void)state;
	check_gfp_fixture(&gfp_6_18);
}

static void test_gfp_6_1(void **state)
{
	(void)state;
	check_gfp_fixture(&gfp_6_1);
}

static void test_gfp_versions_compared(void **state)
{
	struct gfp_names v6_1, v6_18;
	const char *same[] = { "__GFP_DIRECT_RECLAIM", "__GFP_KSWAPD_RECLAIM", "__GFP_HIGH",
			       "__GFP_NORETRY", "__GFP_RETRY_MAYFAIL", "__GFP_COMP", "GFP_KERNEL" };
	const char *differ[] = { "GFP_ATOMIC", "GFP_NOWAIT", "__GFP_ATOMIC", "__GFP_NO_OBJ_EXT" };

	(void)state;
	load_gfp_fixture(TRACEFS_6_1, &v6_1);
	load_gfp_fixture(TRACEFS_6_18, &v6_18);
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		assert_true(gfp_mask(&v6_1, same[i]) != 0);
		assert_int_equal(gfp_mask(&v6_1, same[i]), gfp_mask(&v6_18, same[i]));
	}
	assert_int_equal(gfp_mask(&v6_18, "__GFP_DIRECT_RECLAIM"), 0x400);
	for (size_t i = 0; i < sizeof(differ) / sizeof(differ[0]); i++)
		assert_true(gfp_mask(&v6_1, differ[i]) != gfp_mask(&v6_18, differ[i]));
}

static void test_gfp_format_truncates(void **state)
{
	struct gfp_names names;
	char small[12];

	(void)state;
	load_gfp_fixture(TRACEFS_6_18, &names);
	assert_int_equal(gfp_format(&names, GFP_KERNEL_BITS | NOWARN_BIT, small, sizeof(small)),
			 strlen("GFP_KERNEL|__GFP_NOWARN"));
	assert_string_equal(small, "GFP_KERNEL|");
	assert_int_equal(gfp_format(&names, GFP_KERNEL_BITS, NULL, 0), strlen("GFP_KERNEL"));
}

static void test_gfp_format_errors(void **state)
{
	struct gfp_names names;

	(void)state;
	assert_int_equal(gfp_names_from_format("print fmt: \"%d\", REC->x", NULL, &names), -ENOENT);
	assert_int_equal(names.n, 0);
	assert_int_equal(gfp_names_from_format("print fmt: \"%s\", __print_flags(REC->gfp_flags, "
					       "\"|\", {BOGUS, \"GFP_X\"})",
					       NULL, &names),
			 -EINVAL);
	assert_int_equal(names.source, GFP_NAMES_NONE);
	assert_int_equal(gfp_names_load(FIXTURES "/no-such-tracefs", NULL, &names), -ENOENT);
}

static struct btf *live_btf(void)
{
	struct btf *btf = btf__parse(LIVE_BTF, NULL);

	if (!btf)
		skip();
	return btf;
}

/* Kernels 6.8 to 6.13 printed ___GFP_*_BIT unresolved: BTF gives their values. */
static void test_gfp_enum_names(void **state)
{
	char *text = read_fixture(FIXTURES "/mm_page_alloc-enum-names.format");
	struct gfp_names resolved, numbers;
	struct btf *btf;

	(void)state;
	assert_int_equal(gfp_names_from_format(text, NULL, &resolved), -EINVAL);
	btf = btf__parse(LIVE_BTF, NULL);
	if (!btf) {
		free(text);
		skip();
	}
	/* The fixture was made from this machine's 6.18 bits. */
	assert_int_equal(gfp_names_from_format(text, btf, &resolved), 0);
	load_gfp_fixture(TRACEFS_6_18, &numbers);
	assert_memory_equal(&resolved, &numbers, sizeof(numbers));
	btf__free(btf);
	free(text);
}

static void test_gfp_btf_agrees_with_format(void **state)
{
	struct gfp_names from_btf, from_format;
	struct btf *btf = live_btf();
	size_t singles = 0;

	(void)state;
	if (gfp_names_load(LIVE_TRACEFS, NULL, &from_format)) {
		btf__free(btf);
		skip();
	}
	assert_int_equal(gfp_names_from_btf(btf, &from_btf), 0);
	assert_int_equal(from_btf.source, GFP_NAMES_BTF);
	for (uint32_t i = 0; i < from_btf.n; i++) {
		assert_int_equal(__builtin_popcountll(from_btf.flags[i].mask), 1);
		assert_int_equal(gfp_mask(&from_format, from_btf.flags[i].name),
				 from_btf.flags[i].mask);
	}
	/* And every single flag the format names, BTF names too. */
	for (uint32_t i = 0; i < from_format.n; i++) {
		const struct gfp_name *f = &from_format.flags[i];

		if (strncmp(f->name, "__GFP_", 6) || __builtin_popcountll(f->mask) != 1)
			continue;
		assert_int_equal(gfp_mask(&from_btf, f->name), f->mask);
		singles++;
	}
	assert_int_equal(singles, from_btf.n);
	/* Without tracefs, BTF is the fallback. */
	assert_int_equal(gfp_names_load(FIXTURES "/no-such-tracefs", btf, &from_format), 0);
	assert_memory_equal(&from_format, &from_btf, sizeof(from_btf));
	btf__free(btf);
}

/* ---- enum names and kernel_info ---- */

static void test_name_table_get(void **state)
{
	struct name_table table = { .n = 3 };
	char buf[24];

	(void)state;
	strcpy(table.name[0], "zero");
	strcpy(table.name[2], "two");
	assert_string_equal(name_table_get(&table, 0, buf, sizeof(buf)), "zero");
	assert_string_equal(name_table_get(&table, 1, buf, sizeof(buf)), "1");
	assert_string_equal(name_table_get(&table, 2, buf, sizeof(buf)), "two");
	assert_string_equal(name_table_get(&table, 3, buf, sizeof(buf)), "3");
	assert_string_equal(name_table_get(&table, -1, buf, sizeof(buf)), "-1");
	/* A corrupt record's unterminated name is not read past its slot. */
	memset(table.name[2], 'x', NAME_TABLE_NAME_LEN);
	assert_string_equal(name_table_get(&table, 2, buf, sizeof(buf)), "2");
}

/* The symbolic names a tracepoint format prints for field, checked against table. */
struct symbolic_check {
	const struct name_table *table;
	int checked;
};

static int check_symbolic(const char *expr, size_t expr_len, const char *name, size_t name_len,
			  void *ctx)
{
	struct symbolic_check *check = ctx;
	char buf[32];
	uint64_t value;

	assert_int_equal(expr_eval(expr, expr_len, NULL, NULL, &value), 0);
	assert_int_equal(strlen(name_table_get(check->table, value, buf, sizeof(buf))), name_len);
	assert_memory_equal(name_table_get(check->table, value, buf, sizeof(buf)), name, name_len);
	check->checked++;
	return 0;
}

static void check_against_format(const char *format_text, const char *helper_field,
				 const struct name_table *table)
{
	struct symbolic_check check = { .table = table };

	assert_int_equal(print_fmt_table(format_text, "__print_symbolic", helper_field,
					 check_symbolic, &check),
			 0);
	assert_true(check.checked > 0);
}

/* A live tracefs file, or the test is skipped. */
static char *read_live(const char *path)
{
	char *text = text_file_read(path, NULL);

	if (!text)
		skip();
	return text;
}

static void test_btf_compaction_names(void **state)
{
	char *format = read_live(LIVE_TRACEFS "/events/compaction/mm_compaction_end/format");
	struct btf *btf = live_btf();
	struct name_table results;
	char buf[24];

	(void)state;
	assert_int_equal(enum_names_from_btf(btf, "compact_result", "COMPACT_", NAME_STYLE_LOWER,
					     &results),
			 0);
	assert_string_equal(name_table_get(&results, results.n - 1, buf, sizeof(buf)), "success");
	check_against_format(format, "status", &results);
	btf__free(btf);
	free(format);
}

static void test_btf_zone_names(void **state)
{
	char *format = read_live(LIVE_TRACEFS "/events/compaction/mm_compaction_suitable/format");
	struct btf *btf = live_btf();
	struct name_table zones;

	(void)state;
	assert_int_equal(enum_names_from_btf(btf, "zone_type", "ZONE_", NAME_STYLE_PROC, &zones), 0);
	check_against_format(format, "idx", &zones);
	assert_int_equal(enum_names_from_btf(btf, "no_such_enum", "X_", NAME_STYLE_PROC, &zones),
			 -ENOENT);
	btf__free(btf);
	free(format);
}

/* The header line "Number of blocks type  Unmovable  Movable ..." lists them in value order. */
static void test_btf_migratetype_names(void **state)
{
	struct btf *btf = live_btf();
	char *text = text_file_read("/proc/pagetypeinfo", NULL), *header, *word, *save;
	struct name_table migratetypes;
	char buf[24];
	int64_t value = 0;

	(void)state;
	assert_int_equal(enum_names_from_btf(btf, "migratetype", "MIGRATE_", NAME_STYLE_PROC,
					     &migratetypes),
			 0);
	btf__free(btf);
	if (!text)
		skip(); /* root only */
	header = strstr(text, "Number of blocks type");
	assert_non_null(header);
	header[strcspn(header, "\n")] = '\0';
	for (word = strtok_r(header + strlen("Number of blocks type"), " ", &save); word;
	     word = strtok_r(NULL, " ", &save))
		assert_string_equal(name_table_get(&migratetypes, value++, buf, sizeof(buf)), word);
	assert_int_equal(value, migratetypes.n);
	free(text);
}

static void test_kernel_info_fixture_6_18(void **state)
{
	struct kernel_info info;
	char err[1024];

	(void)state;
	/* No BTF in the fixture: names are missing and said to be, gfp comes from tracefs. */
	assert_int_equal(kernel_info_load(&info, ROOT_6_18, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "CONFIG_DEBUG_INFO_BTF"));
	assert_null(strstr(err, "tracefs"));
	assert_string_equal(info.release, "6.18.44-fc-v769");
	assert_int_equal(info.pmd_order, 9);
	assert_int_equal(info.pageblock_order, 9);
	assert_int_equal(info.gfp.source, GFP_NAMES_FORMAT);
	assert_int_equal(gfp_mask(&info.gfp, "GFP_ATOMIC"), 0x820);
	assert_int_equal(info.migratetypes.n, 0);
	assert_int_equal(info.max_map_count, 65530); /* proc/sys/vm/max_map_count */
}

static void test_kernel_info_fixture_6_1(void **state)
{
	struct kernel_info info;
	char err[1024];

	(void)state;
	assert_int_equal(kernel_info_load(&info, ROOT_6_1 "/", err, sizeof(err)), -ENOENT);
	assert_string_equal(info.release, "6.1.0-18-amd64");
	assert_int_equal(gfp_mask(&info.gfp, "GFP_ATOMIC"), 0xa20);
	/* No THP size or extfrag format: both orders follow from the page size. */
	assert_int_equal(info.pmd_order, __builtin_ctz(sysconf(_SC_PAGESIZE)) - 3);
	assert_int_equal(info.pageblock_order, info.pmd_order);
}

static void test_kernel_info_nothing(void **state)
{
	struct kernel_info info;
	char err[1024];

	(void)state;
	assert_true(kernel_info_load(&info, FIXTURES "/no-such-root", err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "CONFIG_DEBUG_INFO_BTF"));
	assert_non_null(strstr(err, "mount -t tracefs"));
	assert_non_null(strstr(err, "gfp flags cannot be decoded"));
	assert_int_equal(info.gfp.n, 0);
}

static void test_kernel_info_live(void **state)
{
	struct kernel_info info;
	char err[1024], buf[24];
	unsigned int pageblock_order;
	char *pagetypeinfo;

	(void)state;
	if (access(LIVE_BTF, R_OK) || access(LIVE_TRACEFS GFP_FORMAT, R_OK))
		skip();
	assert_int_equal(kernel_info_load(&info, "/", err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(info.page_size, sysconf(_SC_PAGESIZE));
	assert_int_equal(info.gfp.source, GFP_NAMES_FORMAT);
	assert_string_equal(name_table_get(&info.migratetypes, 0, buf, sizeof(buf)), "Unmovable");
	assert_string_equal(name_table_get(&info.zones, 2, buf, sizeof(buf)), "Normal");
	assert_string_equal(name_table_get(&info.compact_results, 1, buf, sizeof(buf)), "skipped");
	pagetypeinfo = text_file_read("/proc/pagetypeinfo", NULL);
	if (pagetypeinfo && sscanf(pagetypeinfo, "Page block order: %u", &pageblock_order) == 1)
		assert_int_equal(info.pageblock_order, pageblock_order);
	free(pagetypeinfo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ksyms_lookup),
		cmocka_unit_test(test_ksym_format),
		cmocka_unit_test(test_ksyms_hidden),
		cmocka_unit_test(test_ksyms_load_errors),
		cmocka_unit_test(test_ksyms_rebuilt),
		cmocka_unit_test(test_ksyms_aliases_added),
		cmocka_unit_test(test_ksyms_streamed),
		cmocka_unit_test(test_ksyms_bpf_program_frames),
		cmocka_unit_test(test_ksyms_shared_names),
		cmocka_unit_test(test_ksyms_packed_and_added),
		cmocka_unit_test(test_ksyms_long_names),
		cmocka_unit_test(test_ksyms_same_name_modules),
		cmocka_unit_test(test_ksyms_malformed),
		cmocka_unit_test(test_stack_skip),
		cmocka_unit_test(test_expr_values),
		cmocka_unit_test(test_expr_rejects),
		cmocka_unit_test(test_expr_resolver),
		cmocka_unit_test(test_print_fmt_table),
		cmocka_unit_test(test_print_fmt_arg),
		cmocka_unit_test(test_pageblock_from_fixture),
		cmocka_unit_test(test_gfp_6_18),
		cmocka_unit_test(test_gfp_6_1),
		cmocka_unit_test(test_gfp_versions_compared),
		cmocka_unit_test(test_gfp_format_truncates),
		cmocka_unit_test(test_gfp_format_errors),
		cmocka_unit_test(test_gfp_enum_names),
		cmocka_unit_test(test_gfp_btf_agrees_with_format),
		cmocka_unit_test(test_name_table_get),
		cmocka_unit_test(test_btf_compaction_names),
		cmocka_unit_test(test_btf_zone_names),
		cmocka_unit_test(test_btf_migratetype_names),
		cmocka_unit_test(test_kernel_info_fixture_6_18),
		cmocka_unit_test(test_kernel_info_fixture_6_1),
		cmocka_unit_test(test_kernel_info_nothing),
		cmocka_unit_test(test_kernel_info_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
