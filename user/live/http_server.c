// SPDX-License-Identifier: GPL-2.0
#include "live/http_server.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "live/live.h"
#include "util/clock.h"

/* How often connections are checked against HTTP_CONNECTION_MAX_MS. */
#define REAP_PERIOD_MS 250

enum { DOC_PROMETHEUS, DOC_OPENMETRICS, DOCS };

/* A connection libmicrohttpd is serving, with the time it must be gone by. */
struct tracked {
	struct MHD_Connection *conn; /* NULL: a free slot */
	int fd;
	uint64_t deadline_ms;
	bool cut;
};

struct http_server {
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock; /* guards doc, doc_len, conns and stopping */
	char *doc[DOCS];
	size_t doc_len[DOCS];
	struct tracked conns[HTTP_MAX_CLIENTS];
	pthread_t reaper;
	pthread_cond_t wake_reaper;
	bool stopping;
	char address[96];
};

static uint64_t now_ms(void)
{
	return clock_ns(CLOCK_MONOTONIC) / 1000000;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status, const char *type, const void *body,
			     size_t len)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	/* One request per connection: a scraper's idle keep-alive holds no slot. */
	if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type) == MHD_NO ||
	    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close") == MHD_NO ||
	    (status == MHD_HTTP_METHOD_NOT_ALLOWED &&
	     MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD") == MHD_NO)) {
		MHD_destroy_response(resp);
		return MHD_NO;
	}
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* "404 Not Found" and the like, as the whole body. */
static enum MHD_Result reply_status(struct MHD_Connection *conn, unsigned int status)
{
	char body[128];

	snprintf(body, sizeof(body), "%u %s\n", status, MHD_get_reason_phrase_for(status));
	return reply(conn, status, "text/plain; charset=utf-8", body, strlen(body));
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			      const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	struct http_server *srv = cls;
	const char *accept;
	enum MHD_Result ret;
	char banner[128];
	int doc;

	(void)version, (void)upload_data, (void)req_cls;
	*upload_data_size = 0; /* a body is not read: the answer does not depend on it */
	/* libmicrohttpd answers HEAD with GET's headers and no body. */
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_status(conn, MHD_HTTP_METHOD_NOT_ALLOWED);
	if (!strcmp(url, "/")) {
		snprintf(banner, sizeof(banner), "fragscope %s: metrics at /metrics\n", FRAGSCOPE_VERSION);
		return reply(conn, MHD_HTTP_OK, "text/plain; charset=utf-8", banner, strlen(banner));
	}
	if (strcmp(url, "/metrics")) /* the query string is not part of url */
		return reply_status(conn, MHD_HTTP_NOT_FOUND);
	accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	doc = accept && strstr(accept, "application/openmetrics-text") ? DOC_OPENMETRICS : DOC_PROMETHEUS;
	pthread_mutex_lock(&srv->lock);
	if (!srv->doc[doc])
		ret = reply_status(conn, MHD_HTTP_SERVICE_UNAVAILABLE); /* tracing is still starting */
	else
		ret = reply(conn, MHD_HTTP_OK, doc == DOC_OPENMETRICS ? METRICS_OPENMETRICS_TYPE : METRICS_PROMETHEUS_TYPE,
			    srv->doc[doc], srv->doc_len[doc]);
	pthread_mutex_unlock(&srv->lock);
	return ret;
}

/* Keeps the table of live connections that the reaper bounds. */
static void track(void *cls, struct MHD_Connection *conn, void **socket_context,
		  enum MHD_ConnectionNotificationCode code)
{
	struct http_server *srv = cls;
	const union MHD_ConnectionInfo *info;

	(void)socket_context;
	pthread_mutex_lock(&srv->lock);
	for (int i = 0; i < HTTP_MAX_CLIENTS; i++) {
		struct tracked *t = &srv->conns[i];

		if (code == MHD_CONNECTION_NOTIFY_CLOSED && t->conn == conn) {
			memset(t, 0, sizeof(*t));
			break;
		}
		if (code == MHD_CONNECTION_NOTIFY_STARTED && !t->conn) {
			info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
			if (info)
				*t = (struct tracked){ conn, info->connect_fd, now_ms() + HTTP_CONNECTION_MAX_MS, false };
			break;
		}
	}
	pthread_mutex_unlock(&srv->lock);
}

/*
 * libmicrohttpd's timeout counts idle time only: a client trickling a byte
 * a second would hold its slot for as long as its memory limit lasts.
 * Connections older than HTTP_CONNECTION_MAX_MS are shut down, which
 * libmicrohttpd sees as the client going away.  The fd stays libmicrohttpd's
 * to close: it notifies (track(), under the lock held here) before it does.
 */
static void *reap(void *arg)
{
	struct http_server *srv = arg;

	pthread_mutex_lock(&srv->lock);
	while (!srv->stopping) {
		uint64_t now = now_ms(), wake_ns = clock_ns(CLOCK_MONOTONIC) + REAP_PERIOD_MS * 1000000ULL;
		struct timespec until = { wake_ns / 1000000000ULL, wake_ns % 1000000000ULL };

		for (int i = 0; i < HTTP_MAX_CLIENTS; i++) {
			struct tracked *t = &srv->conns[i];

			if (t->conn && !t->cut && now >= t->deadline_ms) {
				shutdown(t->fd, SHUT_RDWR);
				t->cut = true;
			}
		}
		pthread_cond_timedwait(&srv->wake_reaper, &srv->lock, &until);
	}
	pthread_mutex_unlock(&srv->lock);
	return NULL;
}

/*
 * Splits "host:port" or "[v6]:port" in place.  The port must be a number
 * up to 65535: getaddrinfo() would take 99999 and bind port 34463.
 */
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
	if (strspn(*port, "0123456789") != strlen(*port) || strlen(*port) > 5 || atol(*port) > 65535)
		return -1;
	return 0;
}

bool http_listen_address_valid(const char *listen_addr)
{
	char copy[LISTEN_ADDR_MAX], *host, *port;

	if (strlen(listen_addr) >= sizeof(copy))
		return false;
	strcpy(copy, listen_addr);
	return !split_address(copy, &host, &port);
}

static int listen_on(const char *listen_addr, char *bound, size_t bound_len, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai;
	struct sockaddr_storage sa;
	socklen_t sa_len = sizeof(sa);
	char copy[LISTEN_ADDR_MAX], *host, *port, h[64], p[16];
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

static void server_free(struct http_server *srv)
{
	pthread_cond_destroy(&srv->wake_reaper);
	pthread_mutex_destroy(&srv->lock);
	for (int d = 0; d < DOCS; d++)
		free(srv->doc[d]);
	free(srv);
}

struct http_server *http_server_start(const char *listen_addr, char *err, size_t errlen)
{
	struct http_server *srv = calloc(1, sizeof(*srv));
	pthread_condattr_t monotonic;
	sigset_t block, old;
	int fd;

	if (!srv) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	fd = listen_on(listen_addr, srv->address, sizeof(srv->address), err, errlen);
	if (fd < 0) {
		free(srv);
		return NULL;
	}
	pthread_mutex_init(&srv->lock, NULL);
	pthread_condattr_init(&monotonic);
	pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
	pthread_cond_init(&srv->wake_reaper, &monotonic);
	pthread_condattr_destroy(&monotonic);
	/* SIGINT/SIGTERM belong to the tracing thread, whose loop ends on them: both threads start with them blocked. */
	sigfillset(&block);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	srv->daemon = MHD_start_daemon(MHD_USE_POLL_INTERNAL_THREAD, 0, NULL, NULL, answer, srv,
				       MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
				       MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_MAX_CLIENTS,
				       MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_IDLE_TIMEOUT_S,
				       MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(2 * HTTP_MAX_REQUEST),
				       MHD_OPTION_NOTIFY_CONNECTION, track, srv,
				       MHD_OPTION_END);
	if (srv->daemon && pthread_create(&srv->reaper, NULL, reap, srv)) {
		MHD_stop_daemon(srv->daemon);
		srv->daemon = NULL;
		fd = -1; /* closed by MHD_stop_daemon() */
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!srv->daemon) {
		snprintf(err, errlen, "cannot start the HTTP server on %s", srv->address);
		if (fd >= 0)
			close(fd);
		server_free(srv);
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
	pthread_mutex_lock(&srv->lock);
	srv->stopping = true;
	pthread_cond_signal(&srv->wake_reaper);
	pthread_mutex_unlock(&srv->lock);
	pthread_join(srv->reaper, NULL);
	/* Closes the listening socket and every connection. */
	MHD_stop_daemon(srv->daemon);
	server_free(srv);
}
