// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes as the text of the kmem/mm_page_alloc
 * tracepoint format, parsed by gfp_names_from_format() (the __print_flags
 * table, its mask expressions and, on kernels 6.8 to 6.13, ___GFP_*_BIT
 * names resolved through BTF).  The first byte chooses whether a BTF is
 * given; it is a tiny fake one (the three libbpf functions gfp.c calls are
 * defined here over a static enum), so the target needs no libbpf.  A table
 * that parses is then used to format every flag and some values.
 *
 * fuzz-sources: user/kernel/gfp.c user/kernel/expr.c user/kernel/print_fmt.c user/kernel/text_file.c
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "kernel/gfp.h"

/* A fake BTF: type 1 is an enum of a few ___GFP_*_BIT constants. */
static const char fake_strings[] = "\0___GFP_DMA_BIT\0___GFP_HIGHMEM_BIT\0___GFP_IO_BIT\0___GFP_FS_BIT\0"
				   "___GFP_NOWARN_BIT\0___GFP_LAST_BIT\0";
static struct {
	struct btf_type t;
	struct btf_enum e[6];
} fake_enum = {
	.t = { .name_off = 0, .info = (BTF_KIND_ENUM << 24) | 6, .size = 4 },
	.e = { { 1, 0 }, { 16, 1 }, { 35, 6 }, { 49, 7 }, { 63, 13 }, { 81, 27 } },
};
static const struct btf_type fake_void;

__u32 btf__type_cnt(const struct btf *btf)
{
	(void)btf;
	return 2;
}

const struct btf_type *btf__type_by_id(const struct btf *btf, __u32 id)
{
	(void)btf;
	if (id == 1)
		return &fake_enum.t;
	return id == 0 ? &fake_void : NULL;
}

const char *btf__name_by_offset(const struct btf *btf, __u32 offset)
{
	(void)btf;
	return offset < sizeof(fake_strings) ? fake_strings + offset : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct btf *btf = NULL;
	struct gfp_names names;
	char *text, buf[128];
	int err;

	if (size && (data[0] & 1))
		btf = (const struct btf *)&fake_enum; /* never dereferenced: only the stubs see it */
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	err = gfp_names_from_format(text, btf, &names);
	free(text);
	if (err) {
		if (err != -ENOENT && err != -EINVAL && err != -E2BIG && err != -ENOMEM)
			__builtin_trap();
		return 0;
	}
	if (names.n == 0 || names.n > GFP_NAMES_MAX)
		__builtin_trap();
	for (uint32_t i = 0; i < names.n; i++) {
		if (!memchr(names.flags[i].name, 0, GFP_NAME_LEN))
			__builtin_trap();
		(void)gfp_mask(&names, names.flags[i].name);
		size_t len = gfp_format(&names, names.flags[i].mask | (1ull << (i % 64)), buf, sizeof(buf));
		if (len < sizeof(buf) && strlen(buf) != len)
			__builtin_trap();
	}
	(void)gfp_format(&names, ~0ull, buf, sizeof(buf));
	(void)gfp_format(&names, 0, buf, 0);
	return 0;
}
