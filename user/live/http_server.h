/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The metrics endpoint of `fragscope serve`: an HTTP/1.0-style server in
 * its own thread, one poll() loop over the listening socket and the
 * clients, serving documents the tracing thread pre-renders and publishes.
 * A scrape therefore never waits for tracing and tracing never waits for
 * a client, however slow or malformed.
 */
#ifndef FS_LIVE_HTTP_SERVER_H
#define FS_LIVE_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_MAX_REQUEST 8192       /* bytes of request line and headers: more is 413 */
#define HTTP_REQUEST_TIMEOUT_MS 2000 /* to send the request: slower is 408 */
#define HTTP_RESPONSE_TIMEOUT_MS 5000 /* to take the response: slower is dropped */
#define HTTP_MAX_CLIENTS 64          /* more wait in the listen backlog */

struct http_server;

/*
 * Listens on "HOST:PORT" ("[::1]:PORT" for IPv6; port 0 picks a free one)
 * and starts the serving thread.  NULL with err filled on failure.
 */
struct http_server *http_server_start(const char *listen_addr, char *err, size_t errlen);
/* "127.0.0.1:9464": the address bound, with the port actually chosen. */
const char *http_server_address(const struct http_server *srv);
/* Replaces the /metrics documents; the server takes both buffers (malloc'ed). */
void http_server_publish(struct http_server *srv, char *prometheus, size_t prometheus_len, char *openmetrics,
			 size_t openmetrics_len);
/* Stops the thread, closes every socket and frees srv. */
void http_server_stop(struct http_server *srv);

/* What a complete request asks for. */
struct http_request {
	bool head;        /* HEAD: the headers without the body */
	bool metrics;     /* the path is /metrics */
	bool root;        /* the path is / */
	bool openmetrics; /* Accept names application/openmetrics-text */
};

/*
 * Parses the request in buf[0..len): 0 while it is incomplete, 200 when
 * req is filled, or the status to answer with (400, 405, 413, 505).
 */
int http_parse_request(const char *buf, size_t len, struct http_request *req);

#endif
