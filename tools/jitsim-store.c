/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-store: offline administration of a jitsim store (docs/jitsim-store.md):
 * create it, import SIM inventory, change SIM states in bulk, look at SIMs,
 * check every record.
 * jitsim-cp owns the store while it runs (RocksDB allows one primary);
 * read-only commands use a secondary instance and work beside it.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jitsim/proto/digits.h>
#include <jitsim/sim.h>

#include "inventory.h"
#include "store.h"

static const char usage_text[] =
	"Usage: jitsim-store COMMAND --store DIR [OPTIONS] [ARGS]\n"
	"\n"
	"Administer a jitsim store (RocksDB) offline.\n"
	"\n"
	"Commands:\n"
	"  init                 create a new store (with --new-kek: and its KEK file)\n"
	"  import FILE          import a SIM vendor output file or a CSV file\n"
	"  set FILE             change SIM states (and MSISDNs) from FILE ('-': stdin):\n"
	"                       lines 'IMSI STATE [MSISDN]' or a CSV file with the\n"
	"                       header imsi,iccid,state,msisdn (jitsim-pktgen's\n"
	"                       population.csv; the iccid column is ignored)\n"
	"  show IMSI            print one SIM (never its keys)\n"
	"  list                 print SIMs, one per line (--state, --limit)\n"
	"  stats                count SIMs per state and entries per column family\n"
	"  check                verify every record, its sealed keys and the indexes\n"
	"  audit                print the audit log (--limit: the last N lines)\n"
	"\n"
	"Options:\n"
	"  -s, --store DIR          store directory (required)\n"
	"  -k, --kek FILE           key-encryption key file, mode 0600 (init, import,\n"
	"                           set, check; show/list/stats/audit do not need it)\n"
	"      --new-kek            init: create FILE with a new random key\n"
	"  -t, --transport-key F    import: transport key file of a vendor file\n"
	"  -f, --format FMT         import: vendor, csv or auto (default auto)\n"
	"  -p, --partial            import: import the valid lines, reject the others\n"
	"  -r, --reject FILE        import: where rejected lines go (default FILE.rej)\n"
	"      --locked             import: SIMs start LOCKED (not yet distributed)\n"
	"      --tenant N           import: tenant id (default 0)\n"
	"      --region N           import: region id (default 0)\n"
	"  -n, --dry-run            import: validate only\n"
	"      --state STATE        list: only SIMs in STATE (inventory, active, ...)\n"
	"  -l, --limit N            list/audit: at most N lines\n"
	"  -h, --help               show this text\n"
	"\n"
	"set: every SIM must exist; STATE is a state name (inventory, activating,\n"
	"active, sleeping, reactivating, locked, blocked, retired); a MSISDN becomes\n"
	"the SIM's number (its old number is unmapped) unless another SIM holds it;\n"
	"an empty MSISDN keeps the current one. Blank lines and '#' comments are\n"
	"skipped. Changes are committed in batches of up to 1000 (synced), each one\n"
	"audited (who jitsim-store, what set). Errors name FILE:LINE: and the field;\n"
	"a bad line writes nothing, the others are applied, and the exit status is 1.\n"
	"\n"
	"Exit status: 0 success, 1 failure (message on stderr), 2 usage error,\n"
	"3 check found problems.\n";

struct opts {
	const char *store;
	const char *kek;
	bool new_kek;
	struct jitsim_inv_opts inv;
	int list_state;
	uint64_t limit;
};

static int
usage(const char *msg)
{
	if (msg)
		fprintf(stderr, "jitsim-store: %s\n", msg);
	fprintf(stderr, "%s", usage_text);
	return 2;
}

static int
open_store(const struct opts *o, bool write, bool create, struct jitsim_store **s)
{
	struct jitsim_store_opts so = {
		.path = o->store,
		.kek_path = o->kek,
		.create = create,
		/* Read-only work beside a running jitsim-cp needs a secondary
		 * unless the KEK (and so secret checks) was asked for. */
		.secondary = !write && o->kek == NULL,
	};
	char err[512];
	int rc = jitsim_store_open(&so, s, err, sizeof(err));

	if (rc != 0)
		fprintf(stderr, "jitsim-store: %s\n", err);
	return rc;
}

static int
cmd_init(const struct opts *o)
{
	struct jitsim_store *s;
	char err[512];

	if (o->kek == NULL)
		return usage("init needs --kek FILE");
	if (o->new_kek && jitsim_kek_create(o->kek, err, sizeof(err)) != 0) {
		fprintf(stderr, "jitsim-store: %s\n", err);
		return 1;
	}
	if (open_store(o, true, true, &s) != 0)
		return 1;
	jitsim_store_close(s);
	printf("store %s ready (schema %d)\n", o->store, JITSIM_STORE_SCHEMA);
	return 0;
}

static int
cmd_import(struct opts *o, const char *file)
{
	struct jitsim_inv_report rep = {0};
	struct jitsim_store *s;
	char err[1024];
	int rc;

	if (o->kek == NULL)
		return usage("import needs --kek FILE");
	if (open_store(o, true, false, &s) != 0)
		return 1;
	o->inv.path = file;
	if (o->inv.who == NULL)
		o->inv.who = "jitsim-store";
	rc = jitsim_inv_import(s, &o->inv, &rep, err, sizeof(err));
	jitsim_store_close(s);
	printf("%s: %" PRIu64 " lines, %" PRIu64 " imported, %" PRIu64 " unchanged, %" PRIu64
	       " rejected%s%s\n",
	       file, rep.lines, rep.imported, rep.unchanged, rep.rejected,
	       rep.staged ? " (bulk ingest, one pass)"
	       : rep.bulk ? " (bulk ingest)"
			  : "",
	       o->inv.dry_run ? " (dry run)" : "");
	if (rc != 0) {
		fprintf(stderr, "jitsim-store: %s\n", err);
		if (rc == -EINVAL && !o->inv.partial)
			fprintf(stderr, "jitsim-store: nothing was imported; fix the file, or use "
					"--partial to import the valid lines\n");
		return 1;
	}
	return 0;
}

static void
print_rec(const struct jitsim_rec *r)
{
	char line[512];

	jitsim_rec_dump(r, line, sizeof(line));
	puts(line);
}

static int
cmd_show(const struct opts *o, const char *imsi)
{
	uint64_t key = jitsim_digits_key_str(imsi);
	struct jitsim_store *s;
	struct jitsim_rec r;
	char err[512];
	int rc;

	if (key == 0 || strlen(imsi) > 15) {
		fprintf(stderr, "jitsim-store: '%s' is not an IMSI (up to 15 digits)\n", imsi);
		return 2;
	}
	if (open_store(o, false, false, &s) != 0)
		return 1;
	rc = jitsim_store_sim_get(s, key, &r, err, sizeof(err));
	jitsim_store_close(s);
	if (rc == -ENOENT) {
		fprintf(stderr, "jitsim-store: IMSI %s is not in the store\n", imsi);
		return 1;
	}
	if (rc != 0) {
		fprintf(stderr, "jitsim-store: %s\n", err);
		return 1;
	}
	print_rec(&r);
	return 0;
}

/* list, stats and check walk the `sim` column family. */
static int
cmd_walk(const struct opts *o, const char *cmd)
{
	uint64_t per_state[JITSIM_SIM_STATE_MAX + 1] = {0}, shown = 0, bad = 0, n;
	bool check = strcmp(cmd, "check") == 0, list = strcmp(cmd, "list") == 0;
	const struct jitsim_kek *kek;
	struct jitsim_store_iter *it;
	struct jitsim_store *s;
	const uint8_t *k, *v;
	size_t kl, vl;
	int rc;

	if (check && o->kek == NULL)
		return usage("check needs --kek FILE (to verify the sealed keys)");
	if (open_store(o, false, false, &s) != 0)
		return 1;
	kek = jitsim_store_kek(s);
	it = jitsim_store_iter_new(s, JITSIM_CF_SIM);
	while ((rc = jitsim_store_iter_next(it, &k, &kl, &v, &vl)) == 1) {
		uint64_t imsi = jitsim_rec_key_parse(k, kl), idx;
		struct jitsim_rec_secrets sec = {0};
		char err[512], name[JITSIM_DIGITS_MAX + 1] = "?";
		struct jitsim_rec r;

		if (imsi == 0 || jitsim_rec_decode(imsi, v, vl, &r, err, sizeof(err)) != 0) {
			if (imsi == 0)
				snprintf(err, sizeof(err), "key of %zu bytes is not an IMSI key",
					 kl);
			bad++;
			fprintf(stderr, "%s\n", err);
			continue;
		}
		per_state[r.state < JITSIM_SIM_STATE_MAX ? r.state : JITSIM_SIM_STATE_MAX]++;
		if (list && (o->list_state < 0 || r.state == o->list_state) &&
		    (o->limit == 0 || shown < o->limit)) {
			print_rec(&r);
			shown++;
		}
		if (!check)
			continue;
		jitsim_digits_key_format(imsi, name, sizeof(name));
		if (r.secret_mask && jitsim_rec_open(&r, kek, &sec) != 0) {
			bad++;
			fprintf(stderr, "IMSI %s: sealed keys do not open (damaged record)\n",
				name);
		}
		jitsim_rec_secrets_wipe(&sec);
		if (r.iccid[0] && (jitsim_store_iccid_get(s, r.iccid, &idx) != 0 || idx != imsi)) {
			bad++;
			fprintf(stderr, "IMSI %s: ICCID %s index does not point to it\n", name,
				r.iccid);
		}
		{
			uint8_t dk[8], dv[JITSIM_REC_DP_LEN + 1];
			struct jitsim_rec_dp dp;
			size_t dl = 0;

			jitsim_rec_key(imsi, dk);
			if (jitsim_store_get(s, JITSIM_CF_DP, dk, sizeof(dk), dv, sizeof(dv),
					     &dl) != 0 ||
			    jitsim_rec_dp_decode(imsi, dv, dl, &dp, err, sizeof(err)) != 0 ||
			    dp.state != r.state || dp.flags != r.flags || dp.tenant != r.tenant ||
			    dp.region != r.region || dp.msisdn != r.msisdn) {
				bad++;
				fprintf(stderr,
					"IMSI %s: dataplane entry missing or not the record's\n",
					name);
			}
		}
		if (r.msisdn && (jitsim_store_msisdn_get(s, r.msisdn, &idx) != 0 || idx != imsi)) {
			char m[JITSIM_DIGITS_MAX + 1];

			jitsim_digits_key_format(r.msisdn, m, sizeof(m));
			bad++;
			fprintf(stderr, "IMSI %s: MSISDN %s index does not point to it\n", name, m);
		}
	}
	jitsim_store_iter_free(it);
	if (rc < 0) {
		fprintf(stderr, "jitsim-store: read error while walking the store\n");
		jitsim_store_close(s);
		return 1;
	}
	if (!list) {
		for (unsigned int st = 1; st < JITSIM_SIM_STATE_MAX; st++)
			if (per_state[st])
				printf("%-13s %" PRIu64 "\n", jitsim_sim_state_name(st),
				       per_state[st]);
		for (unsigned int cf = 0; cf < JITSIM_CF_COUNT && !check; cf++)
			if (jitsim_store_count(s, cf, &n) == 0)
				printf("cf %-10s %" PRIu64 "\n", jitsim_store_cf_name(cf), n);
		if (bad || check)
			printf("damaged       %" PRIu64 "\n", bad);
	}
	jitsim_store_close(s);
	return bad ? (check ? 3 : 1) : 0;
}

static int
cmd_audit(const struct opts *o)
{
	struct jitsim_store_iter *it;
	struct jitsim_store *s;
	const uint8_t *k, *v;
	uint64_t total = 0, i = 0;
	size_t kl, vl;
	int rc;

	if (open_store(o, false, false, &s) != 0)
		return 1;
	if (o->limit && jitsim_store_count(s, JITSIM_CF_AUDIT, &total) != 0)
		total = 0;
	it = jitsim_store_iter_new(s, JITSIM_CF_AUDIT);
	while ((rc = jitsim_store_iter_next(it, &k, &kl, &v, &vl)) == 1)
		if (o->limit == 0 || i++ + o->limit >= total)
			printf("%.*s\n", (int)vl, (const char *)v);
	jitsim_store_iter_free(it);
	jitsim_store_close(s);
	return rc < 0 ? 1 : 0;
}

/*
 * set: offline state changes, `IMSI STATE [MSISDN]` lines or population.csv
 * (imsi,iccid,state,msisdn). Up to SET_BATCH changes per WriteBatch; a
 * line is checked completely (record exists, number free) before anything
 * of it enters the batch, so a bad line writes nothing. A line that touches
 * an IMSI or MSISDN the pending batch already changes commits the batch
 * first: the checks then read what the earlier line wrote.
 */
#define SET_BATCH 1000
#define SET_LINE_MAX 1024
#define SET_CSV_HEADER "imsi,iccid,state,msisdn"

struct set_ctx {
	const char *file;
	char fname[128]; /* JSON-safe basename of @file for the audit */
	struct jitsim_store *s;
	struct jitsim_store_batch *b;
	uint64_t imsis[SET_BATCH];	 /* IMSIs changed by the pending batch */
	uint64_t msisdns[2 * SET_BATCH]; /* MSISDNs it maps or unmaps */
	unsigned int n_imsis, n_msisdns;
	uint64_t now;
	uint64_t lines, changed, unchanged, failed;
};

static bool
key_in(const uint64_t *keys, unsigned int n, uint64_t k)
{
	for (unsigned int i = 0; i < n; i++)
		if (keys[i] == k)
			return true;
	return false;
}

static int
set_flush(struct set_ctx *c)
{
	char err[512];
	int rc;

	if (c->n_imsis == 0)
		return 0;
	rc = jitsim_store_commit(c->b, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "jitsim-store: %s: commit of %u changes failed: %s\n", c->file,
			c->n_imsis, err);
	else
		c->changed += c->n_imsis;
	jitsim_store_batch_clear(c->b);
	c->n_imsis = c->n_msisdns = 0;
	return rc;
}

/* A digit string of 1..15 digits (IMSI, E.164 MSISDN) -> compact key, 0 if not. */
static uint64_t
set_digits(const char *s)
{
	size_t n = strspn(s, "0123456789");

	if (n == 0 || n > 15 || s[n] != '\0')
		return 0;
	return jitsim_digits_key_str(s);
}

static char *
set_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/* A field of a hostile line, fit for a message: printable ASCII, at most 20. */
static const char *
set_show(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s[i] && i + 4 < size && i < 20; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (s[i])
		buf[i++] = '~'; /* cut */
	buf[i] = '\0';
	return buf;
}

/* Split @s on @sep (',' for CSV, 0 for blanks) into at most @max fields. */
static unsigned int
set_split(char *s, char sep, char **f, unsigned int max)
{
	unsigned int n = 0;

	if (sep) {
		for (;;) {
			char *e = strchr(s, sep);

			if (n == max)
				return max + 1;
			if (e)
				*e = '\0';
			f[n++] = set_trim(s);
			if (e == NULL)
				return n;
			s = e + 1;
		}
	}
	for (char *t = strtok(s, " \t"); t; t = strtok(NULL, " \t")) {
		if (n == max)
			return max + 1;
		f[n++] = t;
	}
	return n;
}

/* Apply one parsed line; 0, or -1 after an error naming file:line:field. */
static int
set_line(struct set_ctx *c, uint64_t ln, uint64_t imsi, unsigned int state, uint64_t msisdn)
{
	char name[JITSIM_DIGITS_MAX + 1], num[JITSIM_DIGITS_MAX + 1], err[512];
	char fields[384], extra[96] = "";
	unsigned int old_state;
	struct jitsim_rec r;
	uint64_t owner;
	int rc;

	jitsim_digits_key_format(imsi, name, sizeof(name));
	if (msisdn)
		jitsim_digits_key_format(msisdn, num, sizeof(num));
	if ((key_in(c->imsis, c->n_imsis, imsi) ||
	     (msisdn && key_in(c->msisdns, c->n_msisdns, msisdn))) &&
	    set_flush(c) != 0)
		return -2;
	rc = jitsim_store_sim_get(c->s, imsi, &r, err, sizeof(err));
	if (rc == -ENOENT) {
		fprintf(stderr, "%s:%" PRIu64 ": imsi: IMSI %s is not in the store\n", c->file, ln,
			name);
		return -1;
	}
	if (rc != 0) {
		fprintf(stderr, "%s:%" PRIu64 ": imsi: IMSI %s: %s\n", c->file, ln, name, err);
		return -1;
	}
	/* Its current number may be one the pending batch maps elsewhere. */
	if (r.msisdn && key_in(c->msisdns, c->n_msisdns, r.msisdn)) {
		if (set_flush(c) != 0)
			return -2;
		rc = jitsim_store_sim_get(c->s, imsi, &r, err, sizeof(err));
		if (rc != 0) {
			fprintf(stderr, "%s:%" PRIu64 ": imsi: IMSI %s: %s\n", c->file, ln, name,
				err);
			return -1;
		}
	}
	if (msisdn == r.msisdn)
		msisdn = 0; /* same number: nothing to remap */
	if (msisdn) {
		rc = jitsim_store_msisdn_get(c->s, msisdn, &owner);
		if (rc != 0 && rc != -ENOENT) {
			fprintf(stderr,
				"%s:%" PRIu64 ": msisdn: MSISDN %s: index read failed (%s)\n",
				c->file, ln, num, strerror(-rc));
			return -1;
		}
		if (rc == 0 && owner != imsi) {
			struct jitsim_rec o;
			char oname[JITSIM_DIGITS_MAX + 1];

			/* The record is the commit point: a mapping its owner's
			 * record does not name is stale and may be taken over. */
			if (jitsim_store_sim_get(c->s, owner, &o, err, sizeof(err)) == 0 &&
			    o.msisdn == msisdn) {
				jitsim_digits_key_format(owner, oname, sizeof(oname));
				fprintf(stderr,
					"%s:%" PRIu64 ": msisdn: MSISDN %s belongs to IMSI %s\n",
					c->file, ln, num, oname);
				return -1;
			}
		}
	}
	if (state == r.state && msisdn == 0) {
		c->unchanged++;
		return 0;
	}
	old_state = r.state;
	r.state = (uint8_t)state;
	/* Whatever it was locked or blocked in no longer holds: an unlock or
	 * unblock of a state set here asks the operator (jitsim-cp). */
	if (state != old_state)
		r.unlock_to = r.unblock_to = 0;
	r.updated = c->now;
	if (state == JITSIM_SIM_ACTIVE && r.activated == 0)
		r.activated = c->now;
	if (msisdn) {
		uint64_t old = r.msisdn;

		r.msisdn = msisdn;
		rc = jitsim_store_batch_put_sim(c->b, &r);
		if (rc == 0) {
			if (old && jitsim_store_msisdn_get(c->s, old, &owner) == 0 &&
			    owner == imsi) {
				jitsim_store_batch_del_msisdn(c->b, old);
				c->msisdns[c->n_msisdns++] = old;
			}
			jitsim_store_batch_put_msisdn(c->b, msisdn, imsi);
			c->msisdns[c->n_msisdns++] = msisdn;
			snprintf(extra, sizeof(extra), ",\"msisdn\":\"%s\"", num);
		}
	} else {
		rc = jitsim_store_batch_put_sim(c->b, &r);
	}
	if (rc != 0) {
		fprintf(stderr, "%s:%" PRIu64 ": imsi: IMSI %s: record does not encode (%s)\n",
			c->file, ln, name, strerror(-rc));
		return -1;
	}
	snprintf(
		fields, sizeof(fields),
		"\"imsi\":\"%s\",\"from\":\"%s\",\"to\":\"%s\"%s,\"file\":\"%s\",\"line\":%" PRIu64,
		name, jitsim_sim_state_name(old_state), jitsim_sim_state_name(state), extra,
		c->fname, ln);
	jitsim_store_batch_audit(c->b, "jitsim-store", "set", fields);
	c->imsis[c->n_imsis++] = imsi;
	if (c->n_imsis == SET_BATCH && set_flush(c) != 0)
		return -2;
	return 0;
}

/* Parse one line (already without comments/blank); 0, -1 bad line, -2 fatal. */
static int
set_parse(struct set_ctx *c, uint64_t ln, char *text, bool csv)
{
	char *f[5];
	unsigned int n = set_split(text, csv ? ',' : 0, f, 4);
	const char *imsi_s, *state_s, *msisdn_s;
	char shown[32];
	unsigned int state;
	uint64_t imsi, msisdn = 0;

	if (csv && n != 4) {
		fprintf(stderr, "%s:%" PRIu64 ": %u fields, want 4 (" SET_CSV_HEADER ")\n", c->file,
			ln, n > 4 ? 5 : n);
		return -1;
	}
	if (!csv && (n < 2 || n > 3)) {
		fprintf(stderr, "%s:%" PRIu64 ": %s fields, want IMSI STATE [MSISDN]\n", c->file,
			ln, n > 3 ? "more than 3" : "too few");
		return -1;
	}
	imsi_s = f[0];
	state_s = csv ? f[2] : f[1];
	msisdn_s = csv ? f[3] : n == 3 ? f[2] : "";
	imsi = set_digits(imsi_s);
	if (imsi == 0) {
		fprintf(stderr, "%s:%" PRIu64 ": imsi: '%s' is not an IMSI (1-15 digits)\n",
			c->file, ln, set_show(imsi_s, shown, sizeof(shown)));
		return -1;
	}
	state = jitsim_sim_state_parse(state_s);
	if (state == JITSIM_SIM_NONE) {
		fprintf(stderr,
			"%s:%" PRIu64 ": state: unknown state '%s' (inventory, activating, "
			"active, sleeping, reactivating, locked, blocked, retired)\n",
			c->file, ln, set_show(state_s, shown, sizeof(shown)));
		return -1;
	}
	if (*msisdn_s) {
		msisdn = set_digits(msisdn_s);
		if (msisdn == 0) {
			fprintf(stderr,
				"%s:%" PRIu64 ": msisdn: '%s' is not an MSISDN (1-15 digits)\n",
				c->file, ln, set_show(msisdn_s, shown, sizeof(shown)));
			return -1;
		}
	}
	return set_line(c, ln, imsi, state, msisdn);
}

static int
cmd_set(const struct opts *o, const char *file)
{
	struct set_ctx *c;
	const char *base;
	bool csv = false, first = true;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *in;
	int rc = 0, status;

	if (o->kek == NULL)
		return usage("set needs --kek FILE (it opens the store as its primary)");
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return 1;
	c->file = file;
	base = strrchr(file, '/');
	snprintf(c->fname, sizeof(c->fname), "%s", base ? base + 1 : file);
	for (char *p = c->fname; *p; p++)
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	in = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	if (in == NULL) {
		fprintf(stderr, "jitsim-store: %s: %s\n", file, strerror(errno));
		free(c);
		return 1;
	}
	if (open_store(o, true, false, &c->s) != 0) {
		if (in != stdin)
			fclose(in);
		free(c);
		return 1;
	}
	c->b = jitsim_store_batch_new(c->s);
	c->now = (uint64_t)time(NULL);
	while (c->b && rc != -2 && (len = getline(&line, &cap, in)) >= 0) {
		char *t;

		c->lines++;
		if ((size_t)len > SET_LINE_MAX || memchr(line, '\0', (size_t)len)) {
			fprintf(stderr, "%s:%" PRIu64 ": line longer than %d bytes or not text\n",
				file, c->lines, SET_LINE_MAX);
			c->failed++;
			continue;
		}
		t = set_trim(line);
		if (*t == '\0' || *t == '#')
			continue;
		if (first) {
			first = false;
			if (strcasecmp(t, SET_CSV_HEADER) == 0) {
				csv = true;
				continue;
			}
		}
		if (!csv && strchr(t, ',')) {
			fprintf(stderr,
				"%s:%" PRIu64 ": commas, but the file does not start with the "
				"header " SET_CSV_HEADER "\n",
				file, c->lines);
			c->failed++;
			continue;
		}
		rc = set_parse(c, c->lines, t, csv);
		if (rc == -1)
			c->failed++;
	}
	if (c->b == NULL)
		fprintf(stderr, "jitsim-store: out of memory\n");
	else if (ferror(in))
		fprintf(stderr, "jitsim-store: %s: read error\n", file);
	if (c->b && rc != -2 && set_flush(c) != 0)
		rc = -2;
	status = c->b == NULL || ferror(in) || rc == -2 || c->failed ? 1 : 0;
	printf("%s: %" PRIu64 " lines, %" PRIu64 " changed, %" PRIu64 " unchanged, %" PRIu64
	       " failed\n",
	       file, c->lines, c->changed, c->unchanged, c->failed);
	free(line);
	if (in != stdin)
		fclose(in);
	jitsim_store_batch_free(c->b);
	jitsim_store_close(c->s);
	free(c);
	return status;
}

static int
parse_u16(const char *s, uint16_t *out, const char *what)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v > 65535) {
		fprintf(stderr, "jitsim-store: %s '%s' is not a number 0..65535\n", what, s);
		return -1;
	}
	*out = (uint16_t)v;
	return 0;
}

int
main(int argc, char **argv)
{
	enum { O_NEW_KEK = 256, O_LOCKED, O_TENANT, O_REGION, O_STATE };
	static const struct option longopts[] = {
		{"store", required_argument, NULL, 's'},
		{"kek", required_argument, NULL, 'k'},
		{"new-kek", no_argument, NULL, O_NEW_KEK},
		{"transport-key", required_argument, NULL, 't'},
		{"format", required_argument, NULL, 'f'},
		{"partial", no_argument, NULL, 'p'},
		{"reject", required_argument, NULL, 'r'},
		{"locked", no_argument, NULL, O_LOCKED},
		{"tenant", required_argument, NULL, O_TENANT},
		{"region", required_argument, NULL, O_REGION},
		{"dry-run", no_argument, NULL, 'n'},
		{"state", required_argument, NULL, O_STATE},
		{"limit", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct opts o = {.list_state = -1};
	const char *cmd;
	int c;

	while ((c = getopt_long(argc, argv, "s:k:t:f:pr:nl:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.store = optarg;
			break;
		case 'k':
			o.kek = optarg;
			break;
		case O_NEW_KEK:
			o.new_kek = true;
			break;
		case 't':
			o.inv.transport_key = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "vendor") == 0)
				o.inv.format = JITSIM_INV_VENDOR;
			else if (strcmp(optarg, "csv") == 0)
				o.inv.format = JITSIM_INV_CSV;
			else if (strcmp(optarg, "auto") == 0)
				o.inv.format = JITSIM_INV_AUTO;
			else
				return usage("--format must be vendor, csv or auto");
			break;
		case 'p':
			o.inv.partial = true;
			break;
		case 'r':
			o.inv.reject_path = optarg;
			break;
		case O_LOCKED:
			o.inv.state = JITSIM_SIM_LOCKED;
			break;
		case O_TENANT:
			if (parse_u16(optarg, &o.inv.tenant, "--tenant") != 0)
				return 2;
			break;
		case O_REGION:
			if (parse_u16(optarg, &o.inv.region, "--region") != 0)
				return 2;
			break;
		case 'n':
			o.inv.dry_run = true;
			break;
		case O_STATE:
			o.list_state = (int)jitsim_sim_state_parse(optarg);
			if (o.list_state == JITSIM_SIM_NONE)
				return usage("--state: unknown state name");
			break;
		case 'l': {
			char *end;

			errno = 0;
			o.limit = strtoull(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != '\0' || errno != 0 ||
			    o.limit == 0)
				return usage("--limit must be a number of lines, 1 or more");
			break;
		}
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
	if (o.store == NULL)
		return usage("--store DIR is required");
	if (strcmp(cmd, "init") == 0 && optind == argc)
		return cmd_init(&o);
	if (strcmp(cmd, "import") == 0 && optind + 1 == argc)
		return cmd_import(&o, argv[optind]);
	if (strcmp(cmd, "set") == 0 && optind + 1 == argc)
		return cmd_set(&o, argv[optind]);
	if (strcmp(cmd, "show") == 0 && optind + 1 == argc)
		return cmd_show(&o, argv[optind]);
	if ((strcmp(cmd, "list") == 0 || strcmp(cmd, "stats") == 0 || strcmp(cmd, "check") == 0) &&
	    optind == argc)
		return cmd_walk(&o, cmd);
	if (strcmp(cmd, "audit") == 0 && optind == argc)
		return cmd_audit(&o);
	fprintf(stderr, "jitsim-store: unknown command or wrong arguments: %s\n", cmd);
	return usage(NULL);
}
