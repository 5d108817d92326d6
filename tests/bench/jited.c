// SPDX-License-Identifier: GPL-2.0
/*
 * Write the JITed machine code of BPF program ID to FILE, for hosts whose
 * bpftool is built without libbfd (Debian's: `bpftool prog dump jited`
 * says "No libbfd support").  Disassemble with
 *   objdump -b binary -m i386:x86-64 -D FILE
 * usage: jited ID FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

int main(int argc, char **argv)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), size;
	unsigned char *buf;
	FILE *f;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: jited ID FILE\n");
		return 2;
	}
	fd = bpf_prog_get_fd_by_id(atoi(argv[1]));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		perror("jited: program");
		return 1;
	}
	/* The first call gives the size, the second the bytes. */
	size = info.jited_prog_len;
	buf = malloc(size ? size : 1);
	memset(&info, 0, sizeof(info));
	info.jited_prog_len = size;
	info.jited_prog_insns = (unsigned long)buf;
	len = sizeof(info);
	if (!buf || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		perror("jited: instructions");
		return 1;
	}
	f = fopen(argv[2], "w");
	if (!f || fwrite(buf, 1, info.jited_prog_len, f) != info.jited_prog_len || fclose(f)) {
		perror(argv[2]);
		return 1;
	}
	free(buf);
	return 0;
}
