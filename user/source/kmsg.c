// SPDX-License-Identifier: GPL-2.0
#include "source/kmsg.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int kmsg_open(struct kmsg_reader *k)
{
	k->lost = 0;
	k->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->fd < 0)
		return -errno;
	/* Only what the kernel logs from now on: an earlier boot's or hour's reports are explain's. */
	if (lseek(k->fd, 0, SEEK_END) < 0) {
		int err = -errno;

		kmsg_close(k);
		return err;
	}
	return 0;
}

size_t kmsg_next(struct kmsg_reader *k, char *buf)
{
	while (k->fd >= 0) {
		ssize_t n = read(k->fd, buf, KMSG_RECORD_MAX);

		if (n > 0)
			return (size_t)n;
		if (n < 0 && errno == EPIPE) { /* overwritten before we read them: go on from the next */
			k->lost++;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return 0; /* EAGAIN: nothing more now */
	}
	return 0;
}

void kmsg_close(struct kmsg_reader *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}
