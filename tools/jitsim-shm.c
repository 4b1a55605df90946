/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-shm: look at, create and remove the shared-memory segment of a
 * jitsim instance, and stand in for jitsim-cp on it: consume events,
 * publish table updates (docs/jitsim-shm.md, docs/shm.md).
 *
 * `events` and `update` attach as the control plane: the rings are SPSC,
 * so they must not run beside a jitsim-cp (or each other) on one instance.
 * `status` maps the segment read-only and changes nothing.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <rte_ring.h>

#include <jitsim/proto/digits.h>
#include <jitsim/shm.h>
#include <jitsim/sim.h>

static const char usage_text[] =
	"Usage: jitsim-shm COMMAND --instance NAME [OPTIONS] [FILE]\n"
	"\n"
	"Inspect the shared-memory segment /jitsim.NAME between jitsim-dp and jitsim-cp,\n"
	"and stand in for jitsim-cp on it (tests, debugging).\n"
	"\n"
	"Commands:\n"
	"  status     print the header: generations, pids, heartbeat ages, dp_ready,\n"
	"             ring sizes and fill levels, update sequence numbers (read-only)\n"
	"  create     create the segment (--rings, --event-slots, --update-slots);\n"
	"             fails if it exists\n"
	"  unlink     remove the segment name (processes that map it keep it)\n"
	"  events     consume events as the control plane, one JSON object per line\n"
	"             on stdout; a summary (events per type, sequence gaps per ring)\n"
	"             on stderr at exit\n"
	"  update     publish table updates as the control plane, read from FILE\n"
	"             (default or '-': stdin), then wait until the dataplane applied\n"
	"             them when it is ready (dp_ready)\n"
	"\n"
	"Options:\n"
	"  -i, --instance NAME   instance name, [A-Za-z0-9_-]{1,31} (required)\n"
	"  -j, --json            status: one JSON object instead of text\n"
	"      --rings N         create: event rings, 1..64 (default 16)\n"
	"      --event-slots N   create: slots per event ring, a power of two\n"
	"                        (default 65536; capacity N-1)\n"
	"      --update-slots N  create: slots of the update ring, a power of two\n"
	"                        (default 65536)\n"
	"  -n, --count N         events: stop after N events\n"
	"  -t, --timeout SEC     events: stop after SEC seconds in all;\n"
	"                        update: give up waiting for ring space or for the\n"
	"                        dataplane after SEC seconds (default 10)\n"
	"      --idle SEC        events: stop after SEC seconds without an event\n"
	"      --stop-after N    events: after N events stop reading for --pause SEC\n"
	"      --pause SEC       (lets the rings fill, for tests), then go on\n"
	"  -h, --help            show this text\n"
	"SEC may have a fraction (0.5). events and update create the segment with\n"
	"the default geometry if it does not exist yet, as jitsim-cp would.\n"
	"\n"
	"events: rings are polled round robin in bursts of 64, 1 ms sleep when all\n"
	"are empty; the control-plane heartbeat is kept alive. It stops on --count,\n"
	"--timeout, --idle, SIGINT or SIGTERM (exit 0). A line:\n"
	"  {\"ring\":0,\"seq\":1,\"type\":\"first_attach\",\"proto\":\"map\",\"op\":56,\n"
	"   \"imsi\":\"001010000100078\",\"msisdn\":\"447700100001\",\"visited_kind\":\"vlr\",\n"
	"   \"visited\":\"447700100\",\"map_version\":3,\"prev_state\":\"inventory\",\n"
	"   \"sim_flags\":0,\"tenant\":0,\"region\":0,\"rat_type\":null,\"imei\":null,\n"
	"   \"origin_hash\":0,\"lease_until\":1795000000,\"ts\":1794999700,\"lcore\":1}\n"
	"Absent digit strings, visited_kind none and rat_type 0xffff are null.\n"
	"\n"
	"update: one update per line; blank lines and '#' comments are skipped:\n"
	"  put IMSI STATE [MSISDN] [tenant=N] [region=N] [flags=N] [time=N]\n"
	"  set IMSI STATE [time=N] [flags=N]\n"
	"  del IMSI\n"
	"  sync\n"
	"STATE: inventory, activating, active, sleeping, reactivating, locked,\n"
	"blocked, retired. IMSI and MSISDN: 1 to 15 digits. A bad line is reported\n"
	"as FILE:LINE: with the field, nothing is sent for it, the others are sent,\n"
	"and the exit status is 1. A full update ring is retried until --timeout.\n"
	"\n"
	"Do not run events or update beside a running jitsim-cp on the same instance:\n"
	"each ring has one producer and one consumer.\n"
	"\n"
	"Exit status: 0 success, 1 failure (message on stderr), 2 usage error.\n";

struct opts {
	const char *instance;
	bool json;
	struct jitsim_shm_geometry geom;
	uint64_t count;	     /* 0: no limit */
	double timeout;	     /* < 0: unset */
	double idle;	     /* < 0: unset */
	uint64_t stop_after; /* 0: never */
	double pause;
};

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static int
usage(const char *msg)
{
	if (msg != NULL)
		fprintf(stderr, "jitsim-shm: %s\n", msg);
	fprintf(stderr, "Try 'jitsim-shm --help'.\n");
	return 2;
}

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
sleep_s(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

/* A whole decimal (or 0x hex) number in min..max, nothing else. */
static bool
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (s == NULL || *s == '\0' || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool
parse_sec(const char *s, double *out)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v < 0 || v > 1e7)
		return false;
	*out = v;
	return true;
}

/* The library checks it too; checked here so that a bad name is a usage error. */
static bool
instance_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 31 &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static bool
pow2(uint64_t v)
{
	return v >= 2 && (v & (v - 1)) == 0;
}

/* Digits of a compact key as a JSON string, or null. */
static void
json_digits(FILE *f, uint64_t key)
{
	char buf[24];

	if (key == 0 || jitsim_digits_key_format(key, buf, sizeof(buf)) < 0)
		fputs("null", f);
	else
		fprintf(f, "\"%s\"", buf);
}

static const char *
proto_name(unsigned int p)
{
	return p == JITSIM_EV_PROTO_MAP	       ? "map"
	       : p == JITSIM_EV_PROTO_DIAMETER ? "diameter"
					       : "invalid";
}

static const char *
visited_kind_name(unsigned int k)
{
	static const char *const names[] = {NULL, "vlr", "sgsn", "gt", "plmn"};

	return k < sizeof(names) / sizeof(names[0]) ? names[k] : "invalid";
}

static void
print_event(unsigned int ring, const struct jitsim_event *e)
{
	const char *vk = visited_kind_name(e->visited_kind);

	printf("{\"ring\":%u,\"seq\":%" PRIu32 ",\"type\":\"%s\",\"proto\":\"%s\",\"op\":%u,"
	       "\"imsi\":",
	       ring, e->seq, jitsim_event_type_name(e->type), proto_name(e->proto), e->op);
	json_digits(stdout, e->imsi);
	fputs(",\"msisdn\":", stdout);
	json_digits(stdout, e->msisdn);
	if (vk == NULL)
		fputs(",\"visited_kind\":null,\"visited\":null", stdout);
	else {
		printf(",\"visited_kind\":\"%s\",\"visited\":", vk);
		json_digits(stdout, e->visited);
	}
	printf(",\"map_version\":%u,\"prev_state\":\"%s\",\"sim_flags\":%u,\"tenant\":%u,"
	       "\"region\":%u,\"rat_type\":",
	       e->map_version, jitsim_sim_state_name(e->prev_state), e->sim_flags, e->tenant,
	       e->region);
	if (e->rat_type == 0xffff)
		fputs("null", stdout);
	else
		printf("%u", e->rat_type);
	fputs(",\"imei\":", stdout);
	json_digits(stdout, e->imei);
	printf(",\"origin_hash\":%" PRIu32 ",\"lease_until\":%" PRIu32 ",\"ts\":%" PRIu32
	       ",\"lcore\":%u}\n",
	       e->origin_hash, e->lease_until, e->ts_s, e->lcore);
}

static int
attach_as(struct jitsim_shm *s, const struct opts *o, enum jitsim_shm_role role)
{
	char err[256];
	int rc = jitsim_shm_open(s, o->instance, role, &o->geom, 1000, err, sizeof(err));

	if (rc < 0) {
		fprintf(stderr, "jitsim-shm: %s\n", err);
		return -1;
	}
	return 0;
}

/* ---- status ---- */

static bool
pid_alive(uint32_t pid)
{
	return pid != 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/* Milliseconds since a CLOCK_MONOTONIC heartbeat, -1 if never. */
static double
hb_age_ms(uint64_t hb_ns)
{
	struct timespec ts;
	uint64_t now;

	if (hb_ns == 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	return now > hb_ns ? (double)(now - hb_ns) / 1e6 : 0;
}

static int
cmd_status(const struct opts *o)
{
	const struct jitsim_shm_hdr *h;
	struct jitsim_shm s;
	char err[256];
	uint64_t cp_gen, cp_hb, dp_gen, dp_hb;
	uint32_t cp_pid, dp_pid, cp_seq, dp_seq, dp_ready, dp_workers, dp_failed, dp_failed_seq, i,
		n;
	double cp_age, dp_age;
	int rc;

	rc = jitsim_shm_open_ro(&s, o->instance, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "jitsim-shm: %s\n", err);
		return 1;
	}
	h = s.hdr;
	n = h->n_event_rings;
	cp_gen = __atomic_load_n(&h->cp_generation, __ATOMIC_RELAXED);
	cp_hb = __atomic_load_n(&h->cp_heartbeat_ns, __ATOMIC_RELAXED);
	cp_pid = __atomic_load_n(&h->cp_pid, __ATOMIC_RELAXED);
	cp_seq = __atomic_load_n(&h->cp_update_seq, __ATOMIC_RELAXED);
	dp_gen = __atomic_load_n(&h->dp_generation, __ATOMIC_RELAXED);
	dp_hb = __atomic_load_n(&h->dp_heartbeat_ns, __ATOMIC_RELAXED);
	dp_pid = __atomic_load_n(&h->dp_pid, __ATOMIC_RELAXED);
	dp_seq = __atomic_load_n(&h->dp_update_seq, __ATOMIC_RELAXED);
	dp_ready = __atomic_load_n(&h->dp_ready, __ATOMIC_RELAXED);
	dp_workers = __atomic_load_n(&h->dp_n_workers, __ATOMIC_RELAXED);
	dp_failed = __atomic_load_n(&h->dp_update_failed, __ATOMIC_RELAXED);
	dp_failed_seq = __atomic_load_n(&h->dp_update_failed_seq, __ATOMIC_RELAXED);
	cp_age = hb_age_ms(cp_hb);
	dp_age = hb_age_ms(dp_hb);

	if (o->json) {
		printf("{\"instance\":\"%s\",\"name\":\"%s\",\"size\":%zu,\"abi_version\":%u,"
		       "\"created_ns\":%" PRIu64 ",",
		       o->instance, s.name, s.size, h->abi_version, h->created_ns);
		printf("\"cp\":{\"generation\":%" PRIu64 ",\"pid\":%" PRIu32
		       ",\"alive\":%s,\"heartbeat_age_ms\":",
		       cp_gen, cp_pid, pid_alive(cp_pid) ? "true" : "false");
		if (cp_age < 0)
			fputs("null", stdout);
		else
			printf("%.3f", cp_age);
		printf(",\"update_seq\":%" PRIu32 "},", cp_seq);
		printf("\"dp\":{\"generation\":%" PRIu64 ",\"pid\":%" PRIu32
		       ",\"alive\":%s,\"heartbeat_age_ms\":",
		       dp_gen, dp_pid, pid_alive(dp_pid) ? "true" : "false");
		if (dp_age < 0)
			fputs("null", stdout);
		else
			printf("%.3f", dp_age);
		printf(",\"ready\":%" PRIu32 ",\"workers\":%" PRIu32 ",\"update_seq\":%" PRIu32
		       ",\"update_failed\":%" PRIu32 ",\"update_failed_seq\":%" PRIu32
		       "},\"event_rings\":[",
		       dp_ready, dp_workers, dp_seq, dp_failed, dp_failed_seq);
		for (i = 0; i < n; i++)
			printf("%s{\"ring\":%u,\"slots\":%u,\"count\":%u}", i ? "," : "", i,
			       h->event_ring[i].count, rte_ring_count(s.event[i]));
		printf("],\"update_ring\":{\"slots\":%u,\"count\":%u},"
		       "\"sig_up_ring\":{\"slots\":%u,\"count\":%u},"
		       "\"sig_down_ring\":{\"slots\":%u,\"count\":%u}}\n",
		       h->update_ring.count, rte_ring_count(s.update), h->sig_up.count,
		       rte_ring_count(s.sig_up), h->sig_down.count, rte_ring_count(s.sig_down));
	} else {
		time_t created = (time_t)(h->created_ns / 1000000000ull);
		struct tm tm;
		char when[32];

		gmtime_r(&created, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		printf("segment      %s, %zu bytes, ABI %u, created %s\n", s.name, s.size,
		       h->abi_version, when);
		printf("cp           generation %" PRIu64 ", pid %" PRIu32 "%s, heartbeat ", cp_gen,
		       cp_pid,
		       cp_pid == 0	   ? ""
		       : pid_alive(cp_pid) ? ""
					   : " (not running)");
		if (cp_age < 0)
			fputs("never", stdout);
		else
			printf("%.3f s ago", cp_age / 1e3);
		printf(", update seq %" PRIu32 "\n", cp_seq);
		printf("dp           generation %" PRIu64 ", pid %" PRIu32 "%s, heartbeat ", dp_gen,
		       dp_pid,
		       dp_pid == 0	   ? ""
		       : pid_alive(dp_pid) ? ""
					   : " (not running)");
		if (dp_age < 0)
			fputs("never", stdout);
		else
			printf("%.3f s ago", dp_age / 1e3);
		printf(", ready %" PRIu32 ", workers %" PRIu32 ", update seq %" PRIu32 " consumed",
		       dp_ready, dp_workers, dp_seq);
		if (dp_failed != 0)
			printf(", %" PRIu32 " failed (last seq %" PRIu32 ")", dp_failed,
			       dp_failed_seq);
		putchar('\n');
		printf("event rings  %u\n", n);
		for (i = 0; i < n; i++)
			printf("  ring %-6u %u/%u\n", i, rte_ring_count(s.event[i]),
			       h->event_ring[i].count - 1);
		printf("update ring  %u/%u\n", rte_ring_count(s.update), h->update_ring.count - 1);
		printf("sig_up ring  %u/%u (FTA: dataplane -> jitsim-cp)\n",
		       rte_ring_count(s.sig_up), h->sig_up.count - 1);
		printf("sig_down ring %u/%u (FTA: jitsim-cp -> dataplane)\n",
		       rte_ring_count(s.sig_down), h->sig_down.count - 1);
	}
	jitsim_shm_close(&s);
	return 0;
}

/* ---- create, unlink ---- */

static int
cmd_create(const struct opts *o)
{
	struct jitsim_shm s;
	char name[JITSIM_SHM_NAME_MAX];
	int fd;

	/* Attaching to an existing segment would reset the cp halves under a live jitsim-cp. */
	snprintf(name, sizeof(name), "/jitsim.%s", o->instance);
	fd = shm_open(name, O_RDONLY, 0);
	if (fd >= 0) {
		close(fd);
		fprintf(stderr, "jitsim-shm: %s already exists\n", name);
		return 1;
	}
	if (attach_as(&s, o, JITSIM_SHM_ROLE_CP) < 0)
		return 1;
	if (!s.created) {
		fprintf(stderr, "jitsim-shm: %s was created by someone else meanwhile\n", name);
		jitsim_shm_close(&s);
		return 1;
	}
	printf("created %s: %zu bytes, %u event rings of %u slots, update ring of %u slots\n",
	       s.name, s.size, s.hdr->n_event_rings, s.hdr->event_ring[0].count,
	       s.hdr->update_ring.count);
	jitsim_shm_close(&s);
	return 0;
}

static int
cmd_unlink(const struct opts *o)
{
	int rc = jitsim_shm_unlink(o->instance);

	if (rc < 0) {
		fprintf(stderr, "jitsim-shm: /jitsim.%s: %s\n", o->instance, strerror(-rc));
		return 1;
	}
	return 0;
}

/* ---- events ---- */

#define BURST 64

struct ring_stats {
	uint64_t events;
	uint64_t gaps;	   /* events missing between two seen ones */
	uint64_t restarts; /* seq went back: the dataplane restarted */
	uint32_t first, last;
};

static void
events_summary(const uint64_t *per_type, const struct ring_stats *rs, uint32_t n)
{
	uint64_t total = 0;
	unsigned int t;
	uint32_t i;

	for (t = 0; t <= JITSIM_EV_TYPE_MAX; t++)
		total += per_type[t];
	fprintf(stderr, "jitsim-shm events: %" PRIu64 " events", total);
	for (t = 0; t <= JITSIM_EV_TYPE_MAX; t++)
		if (per_type[t] != 0)
			fprintf(stderr, ", %s %" PRIu64, jitsim_event_type_name(t), per_type[t]);
	fputc('\n', stderr);
	for (i = 0; i < n; i++)
		if (rs[i].events != 0)
			fprintf(stderr,
				"  ring %u: %" PRIu64 " events, seq %" PRIu32 "..%" PRIu32
				", %" PRIu64 " missing in gaps, %" PRIu64 " seq restarts\n",
				i, rs[i].events, rs[i].first, rs[i].last, rs[i].gaps,
				rs[i].restarts);
}

static void
account(struct ring_stats *r, uint32_t seq)
{
	if (r->events == 0) {
		r->first = seq;
	} else if (seq > r->last) {
		r->gaps += seq - r->last - 1;
	} else {
		r->restarts++;
		r->gaps += seq > 1 ? seq - 1 : 0;
	}
	r->last = seq;
	r->events++;
}

static int
cmd_events(const struct opts *o)
{
	static struct ring_stats rs[JITSIM_SHM_MAX_RINGS];
	uint64_t per_type[JITSIM_EV_TYPE_MAX + 1] = {0};
	struct jitsim_event ev[BURST];
	struct jitsim_shm s;
	uint64_t seen = 0;
	double start, last_ev, last_hb, now;
	bool paused = false;
	uint32_t n_rings, ring = 0, empty = 0;

	if (attach_as(&s, o, JITSIM_SHM_ROLE_CP) < 0)
		return 1;
	/* Checked at attach; read once, and never past the handle's array. */
	n_rings = s.hdr->n_event_rings;
	if (n_rings > JITSIM_SHM_MAX_RINGS)
		n_rings = JITSIM_SHM_MAX_RINGS;
	start = last_ev = last_hb = now_mono();
	while (!quit) {
		unsigned int want = BURST, got, i;

		if (o->count != 0 && seen >= o->count)
			break;
		if (o->count != 0 && o->count - seen < want)
			want = (unsigned int)(o->count - seen);
		if (o->stop_after != 0 && !paused) {
			if (seen >= o->stop_after) {
				double until = now_mono() + o->pause;

				paused = true;
				fflush(stdout);
				while (!quit && now_mono() < until) {
					jitsim_shm_heartbeat(&s);
					sleep_s(0.01);
				}
				last_ev = now_mono(); /* the pause is not idleness */
				continue;
			}
			if (o->stop_after - seen < want)
				want = (unsigned int)(o->stop_after - seen);
		}
		got = jitsim_shm_event_get(&s, ring, ev, want);
		for (i = 0; i < got; i++) {
			print_event(ring, &ev[i]);
			per_type[ev[i].type < JITSIM_EV_TYPE_MAX ? ev[i].type
								 : JITSIM_EV_TYPE_MAX]++;
			account(&rs[ring], ev[i].seq);
		}
		seen += got;
		ring = ring + 1 < n_rings ? ring + 1 : 0;
		now = now_mono();
		if (got != 0) {
			last_ev = now;
			empty = 0;
		} else if (++empty >= n_rings) {
			/* A whole round found nothing: do not spin. */
			empty = 0;
			fflush(stdout);
			sleep_s(0.001);
			now = now_mono();
		}
		if (now - last_hb >= 0.05) {
			jitsim_shm_heartbeat(&s);
			last_hb = now;
		}
		if (o->timeout >= 0 && now - start >= o->timeout)
			break;
		if (o->idle >= 0 && now - last_ev >= o->idle)
			break;
	}
	fflush(stdout);
	events_summary(per_type, rs, n_rings);
	jitsim_shm_close(&s);
	return 0;
}

/* ---- update ---- */

static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static bool
parse_digits(const char *s, uint64_t *key)
{
	size_t n = strlen(s);

	if (n < 1 || n > 15 || strspn(s, "0123456789") != n)
		return false;
	*key = jitsim_digits_key_str(s);
	return *key != 0;
}

/* key=value fields allowed after put / set. */
struct kv_field {
	const char *name;
	uint64_t max;
	bool put_only;
};

static const struct kv_field kv_fields[] = {
	{"tenant", UINT16_MAX, true},
	{"region", UINT16_MAX, true},
	{"flags", UINT8_MAX, false},
	{"time", UINT32_MAX, false},
};

/*
 * One line into @u. 0 ok, 1 nothing on the line, -1 error (printed, with
 * @where and the field).
 */
static int
parse_line(char *line, const char *where, struct jitsim_update *u)
{
	char *tok[16], *save = NULL, *p;
	unsigned int n = 0, i, pos;
	enum jitsim_sim_state st;
	uint64_t v;

	p = strchr(line, '#');
	if (p != NULL)
		*p = '\0';
	for (p = strtok_r(line, " \t\r\n", &save); p != NULL;
	     p = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == sizeof(tok) / sizeof(tok[0])) {
			fprintf(stderr, "%s: too many fields (at most %u)\n", where, n);
			return -1;
		}
		tok[n++] = p;
	}
	if (n == 0)
		return 1;
	memset(u, 0, sizeof(*u));
	lower(tok[0]);
	if (strcmp(tok[0], "sync") == 0) {
		if (n != 1) {
			fprintf(stderr, "%s: sync takes no fields, found '%s'\n", where, tok[1]);
			return -1;
		}
		u->op = JITSIM_UPD_SYNC;
		return 0;
	}
	if (strcmp(tok[0], "put") == 0)
		u->op = JITSIM_UPD_PUT;
	else if (strcmp(tok[0], "set") == 0)
		u->op = JITSIM_UPD_SET_STATE;
	else if (strcmp(tok[0], "del") == 0)
		u->op = JITSIM_UPD_DEL;
	else {
		fprintf(stderr, "%s: field 1 (operation): '%s' is not put, set, del or sync\n",
			where, tok[0]);
		return -1;
	}
	if (n < 2 || !parse_digits(tok[1], &u->imsi)) {
		fprintf(stderr, "%s: field 2 (IMSI): %s\n", where,
			n < 2 ? "missing" : "not 1 to 15 digits");
		return -1;
	}
	if (u->op == JITSIM_UPD_DEL) {
		if (n != 2) {
			fprintf(stderr, "%s: field 3: del takes only the IMSI\n", where);
			return -1;
		}
		return 0;
	}
	if (n < 3) {
		fprintf(stderr, "%s: field 3 (state): missing\n", where);
		return -1;
	}
	lower(tok[2]);
	st = jitsim_sim_state_parse(tok[2]);
	if (st == JITSIM_SIM_NONE) {
		fprintf(stderr, "%s: field 3 (state): '%s' is not a state name\n", where, tok[2]);
		return -1;
	}
	u->state = (uint8_t)st;
	pos = 3;
	if (u->op == JITSIM_UPD_PUT && n > 3 && strchr(tok[3], '=') == NULL) {
		if (!parse_digits(tok[3], &u->msisdn)) {
			fprintf(stderr, "%s: field 4 (MSISDN): not 1 to 15 digits\n", where);
			return -1;
		}
		pos = 4;
	}
	for (; pos < n; pos++) {
		char *eq = strchr(tok[pos], '=');
		const struct kv_field *f = NULL;

		if (eq != NULL) {
			*eq = '\0';
			for (i = 0; i < sizeof(kv_fields) / sizeof(kv_fields[0]); i++)
				if (strcmp(tok[pos], kv_fields[i].name) == 0)
					f = &kv_fields[i];
		}
		if (f == NULL || (f->put_only && u->op != JITSIM_UPD_PUT)) {
			fprintf(stderr, "%s: field %u: '%s' is not one of %s\n", where, pos + 1,
				tok[pos],
				u->op == JITSIM_UPD_PUT ? "tenant=, region=, flags=, time="
							: "flags=, time=");
			return -1;
		}
		if (!parse_u64(eq + 1, 0, f->max, &v)) {
			fprintf(stderr,
				"%s: field %u (%s): '%s' is not a number in 0..%" PRIu64 "\n",
				where, pos + 1, f->name, eq + 1, f->max);
			return -1;
		}
		if (strcmp(f->name, "tenant") == 0)
			u->tenant = (uint16_t)v;
		else if (strcmp(f->name, "region") == 0)
			u->region = (uint16_t)v;
		else if (strcmp(f->name, "flags") == 0)
			u->flags = (uint8_t)v;
		else
			u->time = (uint32_t)v;
	}
	return 0;
}

/* Enqueue one update, waiting for room up to the timeout. */
static int
send_update(struct jitsim_shm *s, const struct jitsim_update *u, double timeout)
{
	double deadline = now_mono() + timeout;

	while (jitsim_shm_update_put(s, u, 1) != 1) {
		if (quit || now_mono() >= deadline) {
			fprintf(stderr,
				"jitsim-shm: update ring still full after %.1f s (dataplane %s); "
				"stopped at seq %" PRIu32 "\n",
				timeout,
				__atomic_load_n(&s->hdr->dp_ready, __ATOMIC_RELAXED) ? "ready"
										     : "not ready",
				u->seq);
			return -1;
		}
		jitsim_shm_heartbeat(s);
		sleep_s(0.001);
	}
	__atomic_store_n(&s->hdr->cp_update_seq, u->seq, __ATOMIC_RELEASE);
	return 0;
}

static int
cmd_update(const struct opts *o, const char *path)
{
	const char *fname = path == NULL || strcmp(path, "-") == 0 ? "<stdin>" : path;
	double timeout = o->timeout >= 0 ? o->timeout : 10;
	FILE *in = stdin;
	struct jitsim_shm s;
	char *line = NULL;
	size_t cap = 0;
	uint64_t lineno = 0, sent = 0, bad = 0;
	uint32_t seq, first;
	int rc = 0;

	if (path != NULL && strcmp(path, "-") != 0) {
		in = fopen(path, "r");
		if (in == NULL) {
			fprintf(stderr, "jitsim-shm: %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	/* Only the update ring's producer half: an events consumer may be
	 * reading the event rings right now. */
	if (attach_as(&s, o, JITSIM_SHM_ROLE_UPDATER) < 0) {
		if (in != stdin)
			fclose(in);
		return 1;
	}
	/* Sequence numbers go on from the last one any control plane sent. */
	seq = __atomic_load_n(&s.hdr->cp_update_seq, __ATOMIC_RELAXED);
	first = seq + 1;
	while (!quit && getline(&line, &cap, in) != -1) {
		struct jitsim_update u;
		char where[320];
		int r;

		lineno++;
		snprintf(where, sizeof(where), "%s:%" PRIu64, fname, lineno);
		r = parse_line(line, where, &u);
		if (r < 0) {
			bad++;
			continue;
		}
		if (r > 0)
			continue;
		u.seq = seq + 1;
		if (send_update(&s, &u, timeout) < 0) {
			rc = 1;
			break;
		}
		seq++;
		sent++;
	}
	if (quit) {
		fprintf(stderr, "jitsim-shm: interrupted after line %" PRIu64 "\n", lineno);
		rc = 1;
	} else if (ferror(in)) {
		fprintf(stderr, "jitsim-shm: %s: read error after line %" PRIu64 "\n", fname,
			lineno);
		rc = 1;
	}
	free(line);
	if (in != stdin)
		fclose(in);

	if (sent != 0 && __atomic_load_n(&s.hdr->dp_ready, __ATOMIC_ACQUIRE)) {
		double deadline = now_mono() + timeout;
		uint32_t applied;

		/* Serial-number comparison: seq wraps after 2^32 updates. */
		while ((int32_t)((applied = __atomic_load_n(&s.hdr->dp_update_seq,
							    __ATOMIC_ACQUIRE)) -
				 seq) < 0) {
			if (quit || now_mono() >= deadline ||
			    !__atomic_load_n(&s.hdr->dp_ready, __ATOMIC_RELAXED)) {
				fprintf(stderr,
					"jitsim-shm: the dataplane applied updates up to seq "
					"%" PRIu32 ", not %" PRIu32 " (gave up after %.1f s)\n",
					applied, seq, timeout);
				rc = 1;
				break;
			}
			jitsim_shm_heartbeat(&s);
			sleep_s(0.001);
		}
		if (rc == 0)
			fprintf(stderr,
				"jitsim-shm: %" PRIu64 " updates sent (seq %" PRIu32 "..%" PRIu32
				"), applied by the dataplane\n",
				sent, first, seq);
	} else if (sent != 0) {
		fprintf(stderr,
			"jitsim-shm: %" PRIu64 " updates sent (seq %" PRIu32 "..%" PRIu32
			"); dataplane not ready, not waiting\n",
			sent, first, seq);
	}
	if (bad != 0) {
		fprintf(stderr, "jitsim-shm: %" PRIu64 " bad lines not sent\n", bad);
		rc = 1;
	}
	jitsim_shm_close(&s);
	return rc;
}

int
main(int argc, char **argv)
{
	enum { O_RINGS = 256, O_EV_SLOTS, O_UPD_SLOTS, O_IDLE, O_STOP_AFTER, O_PAUSE };
	static const struct option longopts[] = {
		{"instance", required_argument, NULL, 'i'},
		{"json", no_argument, NULL, 'j'},
		{"rings", required_argument, NULL, O_RINGS},
		{"event-slots", required_argument, NULL, O_EV_SLOTS},
		{"update-slots", required_argument, NULL, O_UPD_SLOTS},
		{"count", required_argument, NULL, 'n'},
		{"timeout", required_argument, NULL, 't'},
		{"idle", required_argument, NULL, O_IDLE},
		{"stop-after", required_argument, NULL, O_STOP_AFTER},
		{"pause", required_argument, NULL, O_PAUSE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct opts o = {.timeout = -1, .idle = -1, .pause = -1};
	struct sigaction sa;
	const char *cmd;
	uint64_t v;
	int c;

	jitsim_shm_geometry_default(&o.geom);
	while ((c = getopt_long(argc, argv, "i:jn:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o.instance = optarg;
			break;
		case 'j':
			o.json = true;
			break;
		case O_RINGS:
			if (!parse_u64(optarg, 1, JITSIM_SHM_MAX_RINGS, &v))
				return usage("--rings must be a number in 1..64");
			o.geom.n_event_rings = (uint32_t)v;
			break;
		case O_EV_SLOTS:
		case O_UPD_SLOTS:
			if (!parse_u64(optarg, 2, 1u << 24, &v) || !pow2(v))
				return usage(c == O_EV_SLOTS
						     ? "--event-slots must be a power of two "
						       "in 2..16777216"
						     : "--update-slots must be a power of two "
						       "in 2..16777216");
			if (c == O_EV_SLOTS)
				o.geom.event_ring_count = (uint32_t)v;
			else
				o.geom.update_ring_count = (uint32_t)v;
			break;
		case 'n':
			if (!parse_u64(optarg, 1, UINT64_MAX, &o.count))
				return usage("--count must be a number of events, 1 or more");
			break;
		case 't':
			if (!parse_sec(optarg, &o.timeout))
				return usage("--timeout must be seconds (0 or more, may have a "
					     "fraction)");
			break;
		case O_IDLE:
			if (!parse_sec(optarg, &o.idle))
				return usage(
					"--idle must be seconds (0 or more, may have a fraction)");
			break;
		case O_STOP_AFTER:
			if (!parse_u64(optarg, 1, UINT64_MAX, &o.stop_after))
				return usage("--stop-after must be a number of events, 1 or more");
			break;
		case O_PAUSE:
			if (!parse_sec(optarg, &o.pause))
				return usage(
					"--pause must be seconds (0 or more, may have a fraction)");
			break;
		case 'h':
			printf("%s", usage_text);
			return 0;
		default:
			return usage(NULL);
		}
	}
	if (optind >= argc)
		return usage("no command given");
	cmd = argv[optind++];
	if (o.instance == NULL)
		return usage("--instance NAME is required");
	if (!instance_ok(o.instance))
		return usage("--instance: the name must be 1 to 31 of [A-Za-z0-9_-]");
	if ((o.stop_after != 0) != (o.pause >= 0))
		return usage("--stop-after and --pause go together");
	if (strcmp(cmd, "update") == 0 ? argc - optind > 1 : argc - optind > 0)
		return usage("too many arguments");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (strcmp(cmd, "status") == 0)
		return cmd_status(&o);
	if (strcmp(cmd, "create") == 0)
		return cmd_create(&o);
	if (strcmp(cmd, "unlink") == 0)
		return cmd_unlink(&o);
	if (strcmp(cmd, "events") == 0)
		return cmd_events(&o);
	if (strcmp(cmd, "update") == 0)
		return cmd_update(&o, optind < argc ? argv[optind] : NULL);
	return usage("unknown command (status, create, unlink, events, update)");
}
