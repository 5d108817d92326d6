// SPDX-License-Identifier: GPL-2.0
#include "live/http_server.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "live/live.h"

/* After the response, how long to discard what the client still sends, so closing does not reset the connection. */
#define HTTP_DRAIN_MS 1000

enum client_state { CLIENT_FREE, CLIENT_READING, CLIENT_WRITING, CLIENT_DRAINING };

struct client {
	enum client_state state;
	int fd;
	uint64_t deadline_ms;
	size_t req_len;
	char req[HTTP_MAX_REQUEST];
	char *resp;
	size_t resp_len, resp_sent;
};

enum { DOC_PROMETHEUS, DOC_OPENMETRICS, DOCS };

struct http_server {
	int listen_fd;
	int wake[2]; /* a byte on wake[1] ends the thread at once */
	pthread_t thread;
	pthread_mutex_t lock; /* guards doc and doc_len */
	char *doc[DOCS];
	size_t doc_len[DOCS];
	struct client clients[HTTP_MAX_CLIENTS];
	char address[96];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *header_end(const char *buf, size_t len, size_t *body)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (buf[i] == '\n' && buf[i + 1] == '\n') {
			*body = i + 2;
			return buf + i;
		}
		if (i + 3 < len && !memcmp(buf + i, "\r\n\r\n", 4)) {
			*body = i + 4;
			return buf + i;
		}
	}
	return NULL;
}

int http_parse_request(const char *buf, size_t len, struct http_request *req)
{
	char method[16], target[HTTP_MAX_REQUEST], version[16];
	const char *end, *line, *next;
	size_t body, path_len;

	memset(req, 0, sizeof(*req));
	end = header_end(buf, len, &body);
	if (!end)
		return len >= HTTP_MAX_REQUEST ? 413 : 0;
	if (memchr(buf, '\0', end - buf))
		return 400;
	/* The request line: METHOD SP TARGET SP HTTP/x.y */
	if (sscanf(buf, "%15[A-Z] %8191[^ \r\n] %15[^ \r\n]", method, target, version) != 3 || target[0] != '/')
		return 400;
	if (strncmp(version, "HTTP/", 5))
		return 400;
	if (strcmp(version, "HTTP/1.0") && strcmp(version, "HTTP/1.1"))
		return 505;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return 405;
	req->head = !strcmp(method, "HEAD");
	path_len = strcspn(target, "?");
	req->metrics = path_len == 8 && !strncmp(target, "/metrics", 8);
	req->root = path_len == 1;
	line = memchr(buf, '\n', end - buf + 1);
	for (; line && line < end; line = next) {
		const char *colon;
		size_t n;

		line++;
		next = memchr(line, '\n', end - line + 1);
		n = (next ? next : end) - line;
		if (n && line[n - 1] == '\r')
			n--;
		if (!n)
			continue;
		colon = memchr(line, ':', n);
		if (!colon || colon == line)
			return 400;
		if (colon - line == 6 && !strncasecmp(line, "Accept", 6) &&
		    memmem(colon, n - (colon - line), "application/openmetrics-text", 28))
			req->openmetrics = true;
	}
	return 200;
}

static const char *status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}

/* The whole response, owned by the client until it is sent. */
static void respond(struct http_server *srv, struct client *c, int status, const struct http_request *req)
{
	struct live_text t = {};
	const char *type = "text/plain; charset=utf-8";
	char body[128];
	size_t body_len;
	int doc = -1;

	if (status == 200 && req->metrics) {
		doc = req->openmetrics ? DOC_OPENMETRICS : DOC_PROMETHEUS;
		type = req->openmetrics ? METRICS_OPENMETRICS_TYPE : METRICS_PROMETHEUS_TYPE;
	} else if (status == 200 && req->root) {
		snprintf(body, sizeof(body), "fragscope %s: metrics at /metrics\n", FRAGSCOPE_VERSION);
	} else {
		if (status == 200)
			status = 404;
		snprintf(body, sizeof(body), "%d %s\n", status, status_text(status));
	}
	pthread_mutex_lock(&srv->lock);
	if (doc >= 0 && !srv->doc[doc]) {
		/* Tracing is still starting: no exposition rather than an empty one. */
		doc = -1;
		status = 503;
		type = "text/plain; charset=utf-8";
		snprintf(body, sizeof(body), "%d %s\n", status, status_text(status));
	}
	body_len = doc >= 0 ? srv->doc_len[doc] : strlen(body);
	live_text_printf(&t, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
			 status, status_text(status), type, body_len);
	if (!(req && req->head))
		live_text_printf(&t, "%.*s", (int)body_len, doc >= 0 ? srv->doc[doc] : body);
	pthread_mutex_unlock(&srv->lock);
	c->resp = t.buf;
	c->resp_len = t.oom ? 0 : t.len;
	c->resp_sent = 0;
	c->state = CLIENT_WRITING;
	c->deadline_ms = now_ms() + HTTP_RESPONSE_TIMEOUT_MS;
}

static void client_close(struct client *c)
{
	close(c->fd);
	free(c->resp);
	memset(c, 0, sizeof(*c));
}

static void client_read(struct http_server *srv, struct client *c)
{
	struct http_request req;
	ssize_t n;
	int status;

	if (c->state == CLIENT_DRAINING) {
		char discard[4096];

		n = recv(c->fd, discard, sizeof(discard), 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			client_close(c);
		return;
	}
	n = recv(c->fd, c->req + c->req_len, sizeof(c->req) - c->req_len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) { /* gone before asking anything complete */
		client_close(c);
		return;
	}
	c->req_len += n;
	status = http_parse_request(c->req, c->req_len, &req);
	if (status)
		respond(srv, c, status, &req);
}

static void client_write(struct client *c)
{
	ssize_t n = send(c->fd, c->resp + c->resp_sent, c->resp_len - c->resp_sent, MSG_NOSIGNAL);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		client_close(c);
		return;
	}
	c->resp_sent += n;
	if (c->resp_sent < c->resp_len)
		return;
	shutdown(c->fd, SHUT_WR);
	c->state = CLIENT_DRAINING;
	c->deadline_ms = now_ms() + HTTP_DRAIN_MS;
}

static void accept_clients(struct http_server *srv)
{
	for (int i = 0; i < HTTP_MAX_CLIENTS; i++) {
		struct client *c = &srv->clients[i];
		int fd;

		if (c->state != CLIENT_FREE)
			continue;
		fd = accept4(srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		c->fd = fd;
		c->state = CLIENT_READING;
		c->deadline_ms = now_ms() + HTTP_REQUEST_TIMEOUT_MS;
	}
}

static void expire_clients(struct http_server *srv, uint64_t now)
{
	for (int i = 0; i < HTTP_MAX_CLIENTS; i++) {
		struct client *c = &srv->clients[i];

		if (c->state == CLIENT_FREE || now < c->deadline_ms)
			continue;
		if (c->state == CLIENT_READING)
			respond(srv, c, 408, NULL);
		else
			client_close(c);
	}
}

static void *serve_loop(void *arg)
{
	struct http_server *srv = arg;
	struct pollfd fds[HTTP_MAX_CLIENTS + 2];
	int owner[HTTP_MAX_CLIENTS + 2];

	for (;;) {
		uint64_t now = now_ms(), next = now + 1000;
		int nfds = 0, busy = 0;

		fds[nfds++] = (struct pollfd){ .fd = srv->wake[0], .events = POLLIN };
		for (int i = 0; i < HTTP_MAX_CLIENTS; i++) {
			struct client *c = &srv->clients[i];

			if (c->state == CLIENT_FREE)
				continue;
			busy++;
			owner[nfds] = i;
			fds[nfds++] = (struct pollfd){ .fd = c->fd,
						       .events = c->state == CLIENT_WRITING ? POLLOUT : POLLIN };
			if (c->deadline_ms < next)
				next = c->deadline_ms;
		}
		/* When every slot is taken, newcomers wait in the backlog. */
		if (busy < HTTP_MAX_CLIENTS) {
			owner[nfds] = -1;
			fds[nfds++] = (struct pollfd){ .fd = srv->listen_fd, .events = POLLIN };
		}
		if (poll(fds, nfds, next > now ? (int)(next - now) : 0) < 0 && errno != EINTR)
			break;
		if (fds[0].revents)
			break;
		for (int i = 1; i < nfds; i++) {
			struct client *c;

			if (!fds[i].revents)
				continue;
			if (owner[i] < 0) {
				accept_clients(srv);
				continue;
			}
			c = &srv->clients[owner[i]];
			if (c->state == CLIENT_WRITING)
				client_write(c);
			else
				client_read(srv, c);
		}
		expire_clients(srv, now_ms());
	}
	return NULL;
}

/* Splits "host:port" or "[v6]:port" in place. */
static int split_address(char *addr, char **host, char **port)
{
	char *colon = strrchr(addr, ':');

	if (!colon || colon == addr || !colon[1])
		return -1;
	*colon = 0;
	*port = colon + 1;
	*host = addr;
	if (addr[0] == '[') {
		size_t n = strlen(addr);

		if (n < 3 || addr[n - 1] != ']')
			return -1;
		addr[n - 1] = 0;
		*host = addr + 1;
	}
	return 0;
}

static int listen_on(const char *listen_addr, char *bound, size_t bound_len, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai;
	struct sockaddr_storage sa;
	socklen_t sa_len = sizeof(sa);
	char copy[256], *host, *port, h[64], p[16];
	int fd, rc, one = 1;

	snprintf(copy, sizeof(copy), "%s", listen_addr);
	if (split_address(copy, &host, &port)) {
		snprintf(err, errlen, "invalid listen address '%s': expected HOST:PORT", listen_addr);
		return -1;
	}
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc) {
		snprintf(err, errlen, "cannot resolve '%s': %s", listen_addr, gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 128) ||
	    getsockname(fd, (struct sockaddr *)&sa, &sa_len)) {
		snprintf(err, errlen, "cannot listen on %s: %s", listen_addr, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	getnameinfo((struct sockaddr *)&sa, sa_len, h, sizeof(h), p, sizeof(p), NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(bound, bound_len, sa.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", h, p);
	return fd;
}

struct http_server *http_server_start(const char *listen_addr, char *err, size_t errlen)
{
	struct http_server *srv = calloc(1, sizeof(*srv));
	sigset_t block, old;
	bool started;

	if (!srv) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	srv->listen_fd = listen_on(listen_addr, srv->address, sizeof(srv->address), err, errlen);
	if (srv->listen_fd < 0) {
		free(srv);
		return NULL;
	}
	if (pipe2(srv->wake, O_CLOEXEC)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		close(srv->listen_fd);
		free(srv);
		return NULL;
	}
	pthread_mutex_init(&srv->lock, NULL);
	/* SIGINT/SIGTERM belong to the tracing thread, whose loop ends on them. */
	sigfillset(&block);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	started = !pthread_create(&srv->thread, NULL, serve_loop, srv);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!started) {
		snprintf(err, errlen, "cannot start the server thread");
		close(srv->wake[0]);
		close(srv->wake[1]);
		close(srv->listen_fd);
		pthread_mutex_destroy(&srv->lock);
		free(srv);
		return NULL;
	}
	return srv;
}

const char *http_server_address(const struct http_server *srv)
{
	return srv->address;
}

void http_server_publish(struct http_server *srv, char *prometheus, size_t prometheus_len, char *openmetrics,
			 size_t openmetrics_len)
{
	char *old[DOCS];

	pthread_mutex_lock(&srv->lock);
	old[DOC_PROMETHEUS] = srv->doc[DOC_PROMETHEUS];
	old[DOC_OPENMETRICS] = srv->doc[DOC_OPENMETRICS];
	srv->doc[DOC_PROMETHEUS] = prometheus;
	srv->doc_len[DOC_PROMETHEUS] = prometheus_len;
	srv->doc[DOC_OPENMETRICS] = openmetrics;
	srv->doc_len[DOC_OPENMETRICS] = openmetrics_len;
	pthread_mutex_unlock(&srv->lock);
	free(old[DOC_PROMETHEUS]);
	free(old[DOC_OPENMETRICS]);
}

void http_server_stop(struct http_server *srv)
{
	if (write(srv->wake[1], "x", 1) == 1)
		pthread_join(srv->thread, NULL);
	for (int i = 0; i < HTTP_MAX_CLIENTS; i++)
		if (srv->clients[i].state != CLIENT_FREE)
			client_close(&srv->clients[i]);
	close(srv->wake[0]);
	close(srv->wake[1]);
	close(srv->listen_fd);
	pthread_mutex_destroy(&srv->lock);
	for (int d = 0; d < DOCS; d++)
		free(srv->doc[d]);
	free(srv);
}
