// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel log line framing (klog_frame_line, kernel_log.h): which of the
 * styles a line comes in (dmesg with or without times, dmesg -T, syslog
 * and journal dates, /dev/kmsg records), its seconds since boot, and where
 * the kernel's own text begins.
 */
#include "decode/kernel_log.h"
#include "decode/kernel_log_text.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static size_t digits(const char *s)
{
	size_t n = 0;

	while (isdigit((unsigned char)s[n]))
		n++;
	return n;
}

static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", NULL };
static const char *const weekdays[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", NULL };

static bool word_in(const char *s, const char *const *words)
{
	for (const char *const *w = words; *w; w++)
		if (starts(s, *w) && s[3] == ' ')
			return true;
	return false;
}

/* Does the line begin with a syslog date: "Jan  9 01:21:31", "Sun Jun  6 ...", "2021-06-06T..."? */
static bool syslog_date(const char *s)
{
	if (word_in(s, months) || word_in(s, weekdays))
		return true;
	return digits(s) == 4 && s[4] == '-' && digits(s + 5) == 2 && s[7] == '-';
}

/* "[  123.456789]" → seconds; "[Mon Apr 20 15:08:07 2020]" → -1 with *dmesg_t set. */
static size_t bracket_time(const char *s, double *time_s, bool *dmesg_t)
{
	const char *p = skip_spaces(s + 1), *close;
	char *end;
	double t;

	if (s[0] != '[')
		return 0;
	close = strchr(s, ']');
	if (!close || close - s > 40)
		return 0;
	if (isdigit((unsigned char)*p)) {
		t = strtod(p, &end);
		if (end != close || !strchr(p, '.'))
			return 0;
		*time_s = t;
		*dmesg_t = false;
	} else if (word_in(p, weekdays)) {
		*time_s = -1;
		*dmesg_t = true;
	} else {
		return 0;
	}
	return (size_t)(close + 1 - s);
}

/* CONFIG_PRINTK_CALLER's "[T1234]" / "[ C1]" after the timestamp. */
static size_t caller_id(const char *s)
{
	const char *p = skip_spaces(s + 1);

	if (s[0] != '[' || (*p != 'T' && *p != 'C') || !digits(p + 1) || p[1 + digits(p + 1)] != ']')
		return 0;
	return (size_t)(p + 2 + digits(p + 1) - s);
}

/* /dev/kmsg "prio,seq,usec,flags[,more];text": offset of text, 0 if not one. */
static size_t kmsg_prefix(const char *s, double *time_s)
{
	const char *p = s;
	unsigned long long usec;

	for (int field = 0; field < 3; field++) {
		size_t n = digits(p);

		if (!n || p[n] != ',')
			return 0;
		if (field == 2)
			usec = strtoull(p, NULL, 10);
		p += n + 1;
	}
	p = strchr(p, ';');
	if (!p || p - s > 64)
		return 0;
	*time_s = usec / 1e6;
	return (size_t)(p + 1 - s);
}

void klog_frame_line(const char *line, struct klog_frame_info *info)
{
	const char *s = line, *kernel;
	size_t n;
	bool dmesg_t;

	*info = (struct klog_frame_info){ .style = KLOG_STYLE_BARE, .time_s = -1 };
	if ((n = kmsg_prefix(s, &info->time_s))) {
		info->style = KLOG_STYLE_KMSG;
		info->text = n;
		return;
	}
	if (s[0] == ' ' && isupper((unsigned char)s[1])) { /* kmsg's " SUBSYSTEM=pci" dictionary lines */
		const char *q = s + 1;

		while (isupper((unsigned char)*q) || isdigit((unsigned char)*q) || *q == '_')
			q++;
		if (*q == '=') {
			info->style = KLOG_STYLE_KMSG_DICT;
			info->text = strlen(s);
			return;
		}
	}
	if (s[0] == '<' && digits(s + 1) && s[1 + digits(s + 1)] == '>')
		s += 2 + digits(s + 1);
	if (syslog_date(s)) {
		kernel = strstr(s, " kernel: ");
		if (!kernel || kernel - s > 160) {
			/* "... kernel:" at the very end is an empty kernel line */
			kernel = strstr(s, " kernel:");
			if (!kernel || kernel - s > 160 || kernel[8]) {
				info->style = KLOG_STYLE_OTHER;
				info->text = strlen(line);
				return;
			}
			s = kernel + 8;
		} else {
			s = kernel + 9;
		}
		info->style = KLOG_STYLE_SYSLOG;
		info->syslog = true;
	}
	if ((n = bracket_time(s, &info->time_s, &dmesg_t))) {
		s += n;
		s += caller_id(s);
		if (*s == ' ')
			s++;
		if (!info->syslog)
			info->style = dmesg_t ? KLOG_STYLE_DMESG_T : KLOG_STYLE_DMESG;
		/* journalctl -o short-monotonic: "[21161.092614] [host ]kernel: text" */
		kernel = strstr(s, "kernel: ");
		if (kernel && (kernel == s || (kernel - s < 64 && kernel[-1] == ' ' && !memchr(s, ' ', (size_t)(kernel - 1 - s)))))
			s = kernel + 8;
	}
	info->text = (size_t)(s - line);
}
