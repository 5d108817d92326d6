// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes as a record file.  The reader must end
 * every input with 0 or an error, never crash, overread or leak; reading
 * every payload byte lets AddressSanitizer check the bounds it reports.
 *
 * fuzz-sources: user/record/recfile_read.c
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "record/recfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct recfile_reader *r;
	const unsigned char *payload;
	size_t header_len;
	uint32_t type, len;
	volatile unsigned char sink = 0;
	int fd, err, rc;

	fd = memfd_create("fuzz_recfile", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0)
		__builtin_trap();
	r = recfile_open_fd(fd, &err);
	if (!r) {
		if (err >= 0 || !*recfile_strerror(err))
			__builtin_trap();
		return 0;
	}
	payload = recfile_header(r, &header_len);
	for (size_t i = 0; i < header_len; i++)
		sink ^= payload[i];
	while ((rc = recfile_next(r, &type, (const void **)&payload, &len)) == 1)
		for (uint32_t i = 0; i < len; i++)
			sink ^= payload[i];
	if (rc < 0 && !*recfile_reader_problem(r))
		__builtin_trap();
	recfile_close_reader(r);
	(void)sink; /* every byte was read: ASan sees any overread */
	return 0;
}
