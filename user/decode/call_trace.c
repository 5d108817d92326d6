// SPDX-License-Identifier: GPL-2.0
/*
 * The call trace of a kernel log report, frame by frame, in the styles of
 * the architectures and kernel versions (see klog_trace_line()).  "? "
 * frames are kept but marked unreliable: they are words found on the stack.
 */
#include <ctype.h>
#include <string.h>

#include "decode/kernel_log.h"
#include "decode/kernel_log_text.h"

static bool hex_digits_then(const char *s, char end, uint32_t *bits)
{
	size_t n = 0;

	while (isxdigit((unsigned char)s[n]))
		n++;
	if (!n || s[n] != end)
		return false;
	if (bits)
		*bits = n <= 8 ? 32 : 64;
	return true;
}

/* arm: ARM names each function twice, as callee and then as the next line's caller. */
static void add_frame(struct klog_report *r, const char *name, size_t n, bool reliable, bool arm)
{
	struct klog_frame *f;

	n = strcspn(name, ".+)") < n ? strcspn(name, ".+)") : n; /* "warn_alloc.cold" → "warn_alloc" */
	if (arm && r->nr_frames && !strncmp(r->frames[r->nr_frames - 1].name, name, n) &&
	    !r->frames[r->nr_frames - 1].name[n])
		return;
	if (r->nr_frames == KLOG_MAX_FRAMES)
		return;
	f = &r->frames[r->nr_frames++];
	copy_text(f->name, sizeof(f->name), name, n);
	f->reliable = reliable;
}

static size_t symbol_len(const char *s)
{
	return isdigit((unsigned char)s[0]) ? 0
					    : strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.$");
}

/* Skips "[<c020fe6c>] " and powerpc's "[c0000000...] " groups; NULL if a bracket is left open. */
static const char *skip_addresses(struct klog_report *r, const char *s)
{
	while (s && *s == '[') {
		if (s[1] == '<')
			hex_digits_then(s + 2, '>', &r->addr_bits);
		s = strchr(s, ']');
		if (s)
			s = skip_spaces(s + 1);
	}
	return s;
}

/*
 * A call trace frame, in the styles of the architectures and versions:
 * " dump_stack+0x63/0x82", " ? foo+0x1/0x2 [mod]", " [<ffffffff815f3246>] foo+0x46/0x58",
 * "[<c020fe6c>] (unwind_backtrace) from [<c020b338>] (show_stack+0x10/0x14)" (ARM; 3.x
 * writes "(unwind_backtrace+0x0/0xf0) from"), "[c0000000...] [c0000000...] foo+0x.../0x..." (powerpc).
 */
bool klog_trace_line(struct klog_report *r, const char *msg)
{
	const char *s = skip_addresses(r, skip_spaces(msg)), *from;
	bool reliable = true;
	size_t n;

	if (!s)
		return false;
	if (*s == '(') { /* ARM: "(callee) from [<addr>] (caller+off/size)" */
		n = symbol_len(s + 1);
		from = s + 1 + n;
		if (*from == '+')
			from = strchr(from, ')');
		if (!n || !from || *from != ')' || !starts(from, ") from "))
			return false;
		add_frame(r, s + 1, n, true, true);
		s = skip_addresses(r, skip_spaces(from + strlen(") from ")));
		if (s && *s == '(' && (n = symbol_len(s + 1)))
			add_frame(r, s + 1, n, true, true);
		return true;
	}
	if (s[0] == '?' && s[1] == ' ') {
		reliable = false;
		s += 2;
	}
	n = symbol_len(s);
	if (!n || !(s[n] == '+' && s[n + 1] == '0'))
		return false;
	add_frame(r, s, n, reliable, false);
	return true;
}

