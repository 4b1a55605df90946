/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The HTTP backend (http.h): synchronous libcurl requests on the adapter
 * runner's pool threads, with a pool of easy handles for keep-alive.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "http.h"

#define HTTP_BODY_MAX 640
#define HTTP_REPLY_MAX 2048
#define HTTP_TOKEN_MAX 4096
#define HTTP_HANDLES_MAX 256
#define HTTP_CONNECT_TIMEOUT_MS 3000

struct jitsim_http {
	char *url, *ca_file, *client_cert, *client_key;
	char *auth; /* "Authorization: Bearer ..." or NULL */
	bool insecure;
	long connect_timeout_ms;
	void (*log)(void *arg, const char *msg);
	void *log_arg;

	pthread_mutex_t lock; /* the handle pool */
	CURL *handles[HTTP_HANDLES_MAX];
	unsigned int n_handles;
};

struct http_reply {
	char buf[HTTP_REPLY_MAX + 1];
	size_t len;
};

static pthread_once_t http_once = PTHREAD_ONCE_INIT;
static CURLcode http_init_rc;

static void
http_global_init(void)
{
	http_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void __attribute__((format(printf, 2, 3)))
http_log(const struct jitsim_http *h, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (h->log != NULL)
		h->log(h->log_arg, buf);
	else
		fprintf(stderr, "http adapter: %s\n", buf);
}

static const char *
http_flow_name(uint8_t flow)
{
	return flow == JITSIM_PROV_FLOW_VOICE	    ? "\"voice\""
	       : flow == JITSIM_PROV_FLOW_DATA_ONLY ? "\"data-only\""
						    : "null";
}

int
jitsim_http_body(const struct jitsim_prov_order *o, enum jitsim_prov_op op, char *buf, size_t cap)
{
	char msisdn[JITSIM_PROV_MSISDN_MAX + 3] = "null", iccid[JITSIM_PROV_ICCID_MAX + 3] = "null";
	char tariff[JITSIM_PROV_NAME_MAX + 3] = "null";
	int n;

	/* Every string is digits or a checked name (jitsim_prov_order_check()):
	 * nothing to escape. */
	if (o->msisdn[0] != '\0')
		snprintf(msisdn, sizeof(msisdn), "\"%s\"", o->msisdn);
	if (o->iccid[0] != '\0')
		snprintf(iccid, sizeof(iccid), "\"%s\"", o->iccid);
	if (o->tariff[0] != '\0')
		snprintf(tariff, sizeof(tariff), "\"%s\"", o->tariff);
	n = snprintf(buf, cap,
		     "{\"job\":%" PRIu64 ",\"%s\":\"%s\",\"imsi\":\"%s\",\"msisdn\":%s,"
		     "\"iccid\":%s,\"region\":%u,\"hlr\":\"%s\",\"tariff\":%s,\"flow\":%s}",
		     o->job, o->event[0] != '\0' ? "event" : "op",
		     o->event[0] != '\0' ? o->event : jitsim_prov_op_name(op), o->imsi, msisdn,
		     iccid, o->region, o->hlr, tariff, http_flow_name(o->flow));
	return n < 0 || (size_t)n >= cap ? -ENOSPC : n;
}

static size_t
http_collect(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct http_reply *r = arg;
	size_t n = size * nmemb, room = HTTP_REPLY_MAX - r->len;

	memcpy(r->buf + r->len, ptr, n < room ? n : room);
	r->len += n < room ? n : room;
	r->buf[r->len] = '\0';
	return n; /* the rest is read and dropped: the connection stays usable */
}

/* --- the handle pool --- */

static CURL *
http_handle_get(struct jitsim_http *h)
{
	CURL *c = NULL;

	pthread_mutex_lock(&h->lock);
	if (h->n_handles > 0)
		c = h->handles[--h->n_handles];
	pthread_mutex_unlock(&h->lock);
	if (c != NULL)
		return c;
	c = curl_easy_init();
	if (c == NULL)
		return NULL;
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_URL, h->url);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, h->insecure ? 0L : 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, h->insecure ? 0L : 2L);
	if (h->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file);
	if (h->client_cert != NULL) {
		curl_easy_setopt(c, CURLOPT_SSLCERT, h->client_cert);
		curl_easy_setopt(c, CURLOPT_SSLKEY, h->client_key);
	}
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_collect);
	return c;
}

static void
http_handle_put(struct jitsim_http *h, CURL *c)
{
	pthread_mutex_lock(&h->lock);
	if (h->n_handles < HTTP_HANDLES_MAX) {
		h->handles[h->n_handles++] = c;
		c = NULL;
	}
	pthread_mutex_unlock(&h->lock);
	if (c != NULL)
		curl_easy_cleanup(c);
}

/* --- answers --- */

/* The server's reason: "error" or "message" of a JSON body, else the
 * body's first line; printable ASCII only, bounded. */
static void
http_reason(const struct http_reply *r, char *out, size_t cap)
{
	json_t *j = json_loadb(r->buf, r->len, 0, NULL);
	const char *s = NULL;
	size_t n;

	if (json_is_object(j)) {
		s = json_string_value(json_object_get(j, "error"));
		if (s == NULL)
			s = json_string_value(json_object_get(j, "message"));
	}
	snprintf(out, cap, "%.120s", s != NULL ? s : r->buf);
	json_decref(j);
	n = strcspn(out, "\r\n");
	out[n] = '\0';
	for (char *p = out; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e)
			*p = '_';
}

/* 409 on provision: does the server hold exactly this subscriber? */
static bool
http_conflict_matches(const struct http_reply *r, const struct jitsim_prov_order *o)
{
	json_t *j = json_loadb(r->buf, r->len, 0, NULL);
	const json_t *m;
	bool same = false;

	if (json_is_object(j)) {
		const char *imsi = json_string_value(json_object_get(j, "imsi"));

		m = json_object_get(j, "msisdn");
		same = imsi != NULL && strcmp(imsi, o->imsi) == 0 &&
		       ((o->msisdn[0] == '\0' && (m == NULL || json_is_null(m))) ||
			(json_is_string(m) && strcmp(json_string_value(m), o->msisdn) == 0));
	}
	json_decref(j);
	return same;
}

static int
http_transport_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_COULDNT_RESOLVE_HOST:
		return -EHOSTUNREACH;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		return -EACCES;
	default:
		return -EIO;
	}
}

static int
http_request(void *ctx, enum jitsim_prov_op op, const struct jitsim_prov_order *o,
	     struct jitsim_adapter_call *call)
{
	struct jitsim_http *h = ctx;
	struct http_reply *reply;
	struct curl_slist *hdr = NULL, *tmp;
	char body[HTTP_BODY_MAX], idem[64], msg[200], ebuf[CURL_ERROR_SIZE] = "";
	uint64_t deadline = jitsim_adapter_call_deadline_ns(call), now;
	struct timespec ts;
	long code = 0, left_ms;
	CURLcode rc;
	CURL *c;
	int status, n;

	n = jitsim_http_body(o, op, body, sizeof(body));
	if (n < 0)
		return n;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	left_ms = deadline > now ? (long)((deadline - now) / 1000000) : 0;
	if (left_ms <= 0)
		return -ETIMEDOUT;
	reply = calloc(1, sizeof(*reply));
	c = http_handle_get(h);
	snprintf(idem, sizeof(idem), "Idempotency-Key: jitsim-%" PRIu64 "-%s", o->job,
		 o->event[0] != '\0' ? o->event : jitsim_prov_op_name(op));
	hdr = curl_slist_append(NULL, "Content-Type: application/json");
	if (hdr != NULL && (tmp = curl_slist_append(hdr, idem)) != NULL)
		hdr = tmp;
	if (hdr != NULL && h->auth != NULL && (tmp = curl_slist_append(hdr, h->auth)) != NULL)
		hdr = tmp;
	if (reply == NULL || c == NULL || hdr == NULL) {
		free(reply);
		if (c != NULL)
			http_handle_put(h, c);
		curl_slist_free_all(hdr);
		return -ENOMEM;
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)n);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, left_ms);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, reply);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	/* The handle forgets this request's stack buffers before it goes back. */
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, NULL);
	http_handle_put(h, c);
	curl_slist_free_all(hdr);

	if (rc != CURLE_OK) {
		status = http_transport_error(rc);
		snprintf(msg, sizeof(msg), "POST %s: %.150s", jitsim_prov_op_name(op),
			 ebuf[0] != '\0' ? ebuf : curl_easy_strerror(rc));
	} else if (code >= 200 && code < 300) {
		status = 0;
		snprintf(msg, sizeof(msg), "HTTP %ld", code);
	} else {
		char why[128];

		http_reason(reply, why, sizeof(why));
		snprintf(msg, sizeof(msg), "HTTP %ld: %s", code, why);
		if (code == 409 && op == JITSIM_PROV_PROVISION)
			status = http_conflict_matches(reply, o) ? 0 : -EEXIST;
		else if (code >= 400 && code < 500)
			status = -EREMOTEIO;
		else
			status = -EAGAIN;
	}
	free(reply);
	jitsim_adapter_complete(call, status, msg);
	return 0;
}

static int
http_provision(void *ctx, const struct jitsim_prov_order *o, struct jitsim_adapter_call *c)
{
	return http_request(ctx, JITSIM_PROV_PROVISION, o, c);
}

static int
http_deprovision(void *ctx, const struct jitsim_prov_order *o, struct jitsim_adapter_call *c)
{
	return http_request(ctx, JITSIM_PROV_DEPROVISION, o, c);
}

static int
http_update(void *ctx, const struct jitsim_prov_order *o, struct jitsim_adapter_call *c)
{
	return http_request(ctx, JITSIM_PROV_UPDATE, o, c);
}

static int
http_health(void *ctx, char *msg, size_t msglen)
{
	struct jitsim_http *h = ctx;

	/* No probe request: the provisioning API may have no harmless one.
	 * Health is what the last orders said (the runner's counters). */
	snprintf(msg, msglen, "http %s", h->url);
	return 0;
}

static void
http_destroy(void *ctx)
{
	jitsim_http_close(ctx);
}

const struct jitsim_adapter_ops jitsim_http_ops = {
	.name = "http",
	.provision = http_provision,
	.deprovision = http_deprovision,
	.update = http_update,
	.health = http_health,
	.destroy = http_destroy,
};

/* --- life cycle --- */

/* A secret file: regular, not readable or writable by group or others. */
static int
http_check_secret(const char *what, const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		int rc = -errno;

		snprintf(err, errlen, "%s %s: %s", what, path, strerror(-rc));
		return rc;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s %s: mode %04o; must be a regular file of mode 0600", what,
			 path, (unsigned int)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

static int
http_load_token(struct jitsim_http *h, const char *path, char *err, size_t errlen)
{
	char tok[HTTP_TOKEN_MAX + 2];
	FILE *f;
	size_t n;
	int rc = http_check_secret("token file", path, err, errlen);

	if (rc != 0)
		return rc;
	f = fopen(path, "r");
	if (f == NULL) {
		rc = -errno;
		snprintf(err, errlen, "token file %s: %s", path, strerror(-rc));
		return rc;
	}
	if (fgets(tok, sizeof(tok), f) == NULL)
		tok[0] = '\0';
	fclose(f);
	n = strcspn(tok, "\r\n");
	tok[n] = '\0';
	rc = 0;
	if (n == 0 || n > HTTP_TOKEN_MAX)
		rc = -EINVAL;
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (tok[i] <= 0x20 || tok[i] > 0x7e)
			rc = -EINVAL;
	if (rc != 0) {
		snprintf(err, errlen,
			 "token file %s: the first line must be the token (1..%u printable "
			 "characters, no spaces)",
			 path, HTTP_TOKEN_MAX);
	} else if (asprintf(&h->auth, "Authorization: Bearer %s", tok) < 0) {
		h->auth = NULL;
		rc = -ENOMEM;
	}
	explicit_bzero(tok, sizeof(tok));
	return rc;
}

static char *
http_dup(const char *s, int *rc)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		*rc = -ENOMEM;
	return d;
}

/* The strings and @h itself; the bearer token wiped first (also when
 * jitsim_http_open() fails after reading it). */
static void
http_free(struct jitsim_http *h)
{
	if (h->auth != NULL)
		explicit_bzero(h->auth, strlen(h->auth));
	free(h->auth);
	free(h->url);
	free(h->ca_file);
	free(h->client_cert);
	free(h->client_key);
	free(h);
}

int
jitsim_http_open(const struct jitsim_http_opts *o, struct jitsim_http **out, char *err,
		 size_t errlen)
{
	struct jitsim_http *h;
	int rc = 0;

	*out = NULL;
	if (o == NULL || o->url == NULL ||
	    (strncmp(o->url, "http://", 7) != 0 && strncmp(o->url, "https://", 8) != 0)) {
		snprintf(err, errlen, "http: url: required, http://... or https://...");
		return -EINVAL;
	}
	if ((o->client_cert == NULL) != (o->client_key == NULL)) {
		snprintf(err, errlen, "http: client_cert and client_key go together");
		return -EINVAL;
	}
	if (o->client_key != NULL) {
		rc = http_check_secret("client key", o->client_key, err, errlen);
		if (rc != 0)
			return rc;
	}
	pthread_once(&http_once, http_global_init);
	if (http_init_rc != CURLE_OK) {
		snprintf(err, errlen, "http: libcurl: %s", curl_easy_strerror(http_init_rc));
		return -EIO;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return -ENOMEM;
	h->insecure = o->insecure;
	h->connect_timeout_ms =
		o->connect_timeout_ms != 0 ? (long)o->connect_timeout_ms : HTTP_CONNECT_TIMEOUT_MS;
	h->log = o->log;
	h->log_arg = o->log_arg;
	h->url = http_dup(o->url, &rc);
	h->ca_file = http_dup(o->ca_file, &rc);
	h->client_cert = http_dup(o->client_cert, &rc);
	h->client_key = http_dup(o->client_key, &rc);
	if (rc == 0 && o->token_file != NULL)
		rc = http_load_token(h, o->token_file, err, errlen);
	if (rc == 0 && pthread_mutex_init(&h->lock, NULL) != 0)
		rc = -ENOMEM;
	if (rc != 0) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "http: out of memory");
		http_free(h);
		return rc;
	}
	if (h->insecure)
		http_log(h, "%s: TLS verification is OFF (insecure = yes)", h->url);
	*out = h;
	return 0;
}

void
jitsim_http_close(struct jitsim_http *h)
{
	if (h == NULL)
		return;
	for (unsigned int i = 0; i < h->n_handles; i++)
		curl_easy_cleanup(h->handles[i]);
	pthread_mutex_destroy(&h->lock);
	http_free(h);
}
