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

void kmsg_read(struct kmsg_reader *k, struct klog_parser *p)
{
	/* One record per read; the kernel's records are under 1 KiB of text plus their dictionary. */
	char buf[8192];

	while (k->fd >= 0) {
		ssize_t n = read(k->fd, buf, sizeof(buf));

		if (n > 0) {
			klog_feed(p, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EPIPE) { /* overwritten before we read them: go on from the next */
			k->lost++;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return; /* EAGAIN: nothing more now */
	}
}

void kmsg_close(struct kmsg_reader *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}
