/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The metrics endpoint of `fragscope serve`: libmicrohttpd's server in its
 * own thread (one poll() loop over the listening socket and the clients),
 * serving documents the tracing thread pre-renders and publishes.  A scrape
 * therefore never waits for tracing and tracing never waits for a client,
 * however slow or malformed: HTTP parsing, its limits and idle timeouts are
 * libmicrohttpd's; this file adds the documents, the listening socket and
 * a bound on how long any connection may live.
 */
#ifndef FS_LIVE_HTTP_SERVER_H
#define FS_LIVE_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_MAX_REQUEST 8192        /* bytes of request line and headers: more is 414 or 431 */
#define HTTP_IDLE_TIMEOUT_S 2        /* a connection silent this long is closed */
#define HTTP_CONNECTION_MAX_MS 7000  /* 2 s to send the request, 5 s to take the answer: then cut */
#define HTTP_MAX_CLIENTS 64          /* more wait in the listen backlog */

#define LISTEN_ADDR_MAX 256          /* bytes of "HOST:PORT", with its NUL */

struct http_server;

/* Whether listen_addr is "HOST:PORT" or "[V6]:PORT" with a PORT 0..65535 (the host is not resolved). */
bool http_listen_address_valid(const char *listen_addr);

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
/* Stops the threads, closes every socket and frees srv. */
void http_server_stop(struct http_server *srv);

#endif
