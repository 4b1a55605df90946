/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-store: offline administration of a jitsim store (docs/jitsim-store.md):
 * create it, import SIM inventory, look at SIMs, check every record.
 * jitsim-cp owns the store while it runs (RocksDB allows one primary);
 * read-only commands use a secondary instance and work beside it.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	"  show IMSI            print one SIM (never its keys)\n"
	"  list                 print SIMs, one per line (--state, --limit)\n"
	"  stats                count SIMs per state and entries per column family\n"
	"  check                verify every record, its sealed keys and the indexes\n"
	"  audit                print the audit log (--limit: the last N lines)\n"
	"\n"
	"Options:\n"
	"  -s, --store DIR          store directory (required)\n"
	"  -k, --kek FILE           key-encryption key file, mode 0600 (init, import,\n"
	"                           check; show/list/stats/audit do not need it)\n"
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
	       rep.bulk ? " (bulk ingest)" : "", o->inv.dry_run ? " (dry run)" : "");
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
