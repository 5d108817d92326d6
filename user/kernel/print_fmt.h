/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the "print fmt:" line of a tracefs event format file: the printf
 * string, its arguments, and the {value, "name"} tables of __print_flags and
 * __print_symbolic.  The kernel writes there, as C text, how it decodes its
 * own fields, so fragscope decodes the same way on whatever kernel it runs.
 */
#ifndef FS_KERNEL_PRINT_FMT_H
#define FS_KERNEL_PRINT_FMT_H

#include <stddef.h>

/* One entry of a table: expr is the value's C expression, name the string's contents. */
typedef int (*print_fmt_entry_fn)(const char *expr, size_t expr_len, const char *name,
				  size_t name_len, void *ctx);

/*
 * Calls fn for each {value, "name"} entry of the first helper(REC->field, ...)
 * call (helper: "__print_flags" or "__print_symbolic"), in the kernel's order;
 * entries whose name is not a string (the { 0, NULL } end marker) are
 * skipped.  Returns 0, -ENOENT if there is no such call, -EINVAL if the text
 * is malformed, or the first non-zero value fn returned.
 */
int print_fmt_table(const char *format_text, const char *helper, const char *field,
		    print_fmt_entry_fn fn, void *ctx);

/*
 * The argument printed by the first conversion after label in the printf
 * string (label "pageblock_order=" finds the expression printed by its %d).
 * 0 with *arg and *arg_len set (spaces trimmed), -ENOENT if the label or its
 * argument is missing, -EINVAL if the text is malformed.
 */
int print_fmt_arg(const char *format_text, const char *label, const char **arg, size_t *arg_len);

#endif
