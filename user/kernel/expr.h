/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small, bounded evaluator for the C constant expressions the kernel leaves
 * in tracepoint "print fmt" text after preprocessing: the gfp masks of
 * __print_flags tables and values such as pageblock_order.
 *
 * It knows integers (decimal, hex, octal, with u/l suffixes), casts to integer
 * types (including sparse's "( gfp_t)" left by an empty __force), parentheses,
 * unary ~ ! - +, the binary operators * / % + - << >> < <= > >= == != & ^ | && ||
 * and ?:.  Values are 64-bit unsigned, as the masks are; casts to narrower
 * types truncate.  Nothing is allocated, nesting is bounded and division by
 * zero or oversized shifts are errors, so hostile text cannot hurt it.
 */
#ifndef FS_KERNEL_EXPR_H
#define FS_KERNEL_EXPR_H

#include <stddef.h>
#include <stdint.h>

/*
 * Gives the value of an identifier that is not a type name (e.g. an enum
 * constant the kernel did not substitute); 0 if known, negative if not.
 */
typedef int (*expr_resolve_fn)(const char *name, size_t len, uint64_t *value, void *ctx);

/*
 * Evaluates text[0..len) as one expression.  resolve may be NULL: then any
 * identifier is an error.  0 on success, -EINVAL for anything else.
 */
int expr_eval(const char *text, size_t len, expr_resolve_fn resolve, void *ctx, uint64_t *value);

#endif
