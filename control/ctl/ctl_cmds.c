/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

#include <ctype.h>
#include <string.h>

#include "ctl_cmds.h"

#define CMD1(g, p0, n, path, o, h)              \
	{                                       \
		g, NULL, g, {p0}, n, path, o, h \
	}
#define CMD2(g, s, p0, p1, n, o, h)                     \
	{                                               \
		g, s, g "." s, {p0, p1}, n, false, o, h \
	}

/* The commands of issue 6 as jitsim-cp will register them. Options are
 * shown for guidance only: every --key value is passed on as it is. */
static const struct jitsim_ctl_cmd ctl_cmds[] = {
	CMD1("status", NULL, 0, false, NULL, "dataplane and control-plane health, rings, rates"),
	CMD2("sim", "show", "imsi", NULL, 1, NULL, "show one SIM"),
	CMD2("sim", "list", NULL, NULL, 0,
	     "[--state S] [--tenant N] [--region R] [--from IMSI] [--to IMSI] [--after IMSI] "
	     "[--limit N]",
	     "list SIMs in IMSI order, filtered, one page at a time (go on with --after NEXT)"),
	CMD2("sim", "block", "imsi", NULL, 1, NULL,
	     "block a SIM (any state but retired): its attaches are refused"),
	CMD2("sim", "unblock", "imsi", NULL, 1, "[--state S]",
	     "back to the state it was blocked in (--state only when the record does not "
	     "say)"),
	CMD2("sim", "lock", "imsi", NULL, 1, NULL,
	     "lock an inventory or sleeping SIM: no activation until unlocked"),
	CMD2("sim", "unlock", "imsi", NULL, 1, "[--state S]",
	     "back to the state it was locked in (--state only when the record does not "
	     "say)"),
	CMD2("sim", "retire", "imsi", NULL, 1, NULL,
	     "retire a SIM for good; its MSISDN goes to quarantine (not an active SIM)"),
	{"inventory",
	 "import",
	 "inventory.import",
	 {"file"},
	 1,
	 true,
	 "[--partial yes] [--format vendor|csv|auto] [--transport-key /ABS/FILE] "
	 "[--state inventory|locked] [--tenant N] [--region R] [--dry-run yes]",
	 "import a SIM vendor or CSV file (read by jitsim-cp, in the background: "
	 "answers an import id)"},
	/* "import", not "id": that key is the protocol's request id. */
	CMD2("inventory", "status", "import", NULL, 0, NULL,
	     "state and counts of an import (default: the latest)"),
	CMD2("pool", "add", "name", NULL, 1,
	     "--region R (--from MSISDN --to MSISDN | --ranges F-L,F-L) [--tenant N] [--pool-id N] "
	     "[--quarantine SECONDS|Nd|Nh|Nm] [--gold RE] [--platinum RE] [--vanity RE]",
	     "add a number pool (ranges of MSISDNs of one tenant and region)"),
	CMD2("pool", "list", NULL, NULL, 0, NULL, "list number pools with their usage"),
	CMD2("pool", "show", "name", NULL, 1, "[--by-class yes|no]",
	     "show one pool: ranges, rules, free numbers by class"),
	CMD2("pool", "reserve", "msisdn", "imsi", 2, NULL,
	     "reserve a free number for a SIM ahead of its first attach"),
	CMD2("pool", "release", "msisdn", NULL, 1, NULL,
	     "release a taken number into quarantine, or drop a reservation"),
	CMD2("number", "search", "pattern", NULL, 1, "[--pool NAME] [--class C] [--limit N]",
	     "find free numbers matching a regular expression"),
	CMD2("region", "add", "name", NULL, 1,
	     "--hlr NAME --pool NAME [--region-id N] "
	     "[--match gt:PREFIX,plmn:MCCMNC,host:ORIGIN-HOST|none]",
	     "add or replace a region (visited networks -> HLR/HSS and pool)"),
	CMD2("region", "list", NULL, NULL, 0, NULL, "list regions with their matches and pools"),
	CMD2("region", "remove", "name", NULL, 1, NULL,
	     "remove a region (name or id) and its matches"),
	CMD2("hlr", "add", "name", NULL, 1, "--hlr-id N --address ADDR [--kind outbox|osmo-hlr|http]",
	     "add or replace an HLR/HSS"),
	CMD2("hlr", "list", NULL, NULL, 0, NULL, "list HLR/HSS with the regions using them"),
	CMD2("hlr", "remove", "name", NULL, 1, NULL, "remove an HLR/HSS no region uses"),
	CMD2("rule", "add", "name", NULL, 1,
	     "--profile P --tariff T [--priority N] [--tac FROM-TO] [--rat LIST] "
	     "[--flow voice|data_only] [--data-pool NAME]",
	     "add or replace a device rule (IMEI TAC, RAT -> tariff and flow)"),
	CMD2("rule", "list", NULL, NULL, 0, NULL, "list device rules in priority order"),
	CMD2("rule", "remove", "name", NULL, 1, NULL, "remove a device rule"),
	CMD2("sleep", "sweep", NULL, NULL, 0, "[--dry-run yes] [--limit N]",
	     "put idle SIMs to sleep now, at the configured rate (--dry-run yes: list them, "
	     "change nothing)"),
	CMD2("sleep", "status", NULL, NULL, 0, NULL,
	     "sleep policy, last-activity writes, sweep progress"),
	CMD2("job", "list", NULL, NULL, 0,
	     "[--step allocated|done|failed] [--after ID] [--limit N]",
	     "list activation jobs in id order"),
	/* "job", not "id": that key is the protocol's request id. */
	CMD2("job", "show", "job", NULL, 1, NULL, "show one job and its steps"),
	CMD2("job", "retry", "job", NULL, 1, "[--region ID]",
	     "new attempt at a failed job (--region: another region, or one for a job that "
	     "had none)"),
	CMD1("stats", NULL, 0, false, NULL,
	     "counters of the control plane, control socket, number pools and dataplane"),
	CMD2("audit", "tail", NULL, NULL, 0, "[--limit N]",
	     "the latest audit lines, newest last (default 20, at most 1000)"),
	CMD1("help", "command", 0, false, NULL,
	     "the commands the server knows (COMMAND: its socket name, e.g. sim.show)"),
	CMD1("ping", NULL, 0, false, NULL, "check that the server answers"),
};

#define CTL_NCMDS (sizeof(ctl_cmds) / sizeof(ctl_cmds[0]))

const struct jitsim_ctl_cmd *
jitsim_ctl_cmd_find(const char *group, const char *sub)
{
	for (size_t i = 0; i < CTL_NCMDS; i++) {
		const struct jitsim_ctl_cmd *c = &ctl_cmds[i];

		if (strcmp(c->group, group) != 0)
			continue;
		if (c->sub == NULL && sub == NULL)
			return c;
		if (c->sub != NULL && sub != NULL && strcmp(c->sub, sub) == 0)
			return c;
	}
	return NULL;
}

bool
jitsim_ctl_cmd_is_group(const char *word)
{
	for (size_t i = 0; i < CTL_NCMDS; i++)
		if (ctl_cmds[i].sub != NULL && strcmp(ctl_cmds[i].group, word) == 0)
			return true;
	return false;
}

void
jitsim_ctl_cmd_usage(FILE *f, const struct jitsim_ctl_cmd *c)
{
	fprintf(f, "  jitsimctl %s", c->group);
	if (c->sub != NULL)
		fprintf(f, " %s", c->sub);
	for (unsigned int i = 0; i < JITSIM_CTL_MAX_POS && c->pos[i] != NULL; i++) {
		fputs(i < c->nreq ? " " : " [", f);
		for (const char *p = c->pos[i]; *p != '\0'; p++)
			fputc(toupper((unsigned char)*p), f);
		if (i >= c->nreq)
			fputc(']', f);
	}
	if (c->opts != NULL)
		fprintf(f, " %s", c->opts);
	fprintf(f, "\n      %s\n", c->help);
}

void
jitsim_ctl_cmd_list(FILE *f, const char *group)
{
	for (size_t i = 0; i < CTL_NCMDS; i++)
		if (group == NULL || strcmp(ctl_cmds[i].group, group) == 0)
			jitsim_ctl_cmd_usage(f, &ctl_cmds[i]);
}
