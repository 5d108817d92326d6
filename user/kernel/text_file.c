// SPDX-License-Identifier: GPL-2.0
#include "kernel/text_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

/* /proc/kallsyms is ~5 MB: start big enough that small files need one read. */
#define TEXT_FILE_FIRST_SIZE (64 * 1024)

char *text_file_read(const char *path, size_t *len)
{
	size_t size = TEXT_FILE_FIRST_SIZE, used = 0;
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int saved_errno;

	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t n;

		if (!buf || used + 1 >= size) {
			char *bigger;

			if (buf)
				size *= 2;
			bigger = realloc(buf, size);
			if (!bigger) {
				errno = ENOMEM;
				goto fail;
			}
			buf = bigger;
		}
		n = read(fd, buf + used, size - used - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		used += n;
	}
	close(fd);
	buf[used] = '\0';
	if (len)
		*len = used;
	return buf;
fail:
	saved_errno = errno;
	free(buf);
	close(fd);
	errno = saved_errno;
	return NULL;
}
