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
	     "list SIMs, filtered, one page at a time"),
	CMD2("sim", "block", "imsi", NULL, 1, NULL, "block a SIM (the network refuses it)"),
	CMD2("sim", "unblock", "imsi", NULL, 1, NULL, "undo sim block"),
	CMD2("sim", "lock", "imsi", NULL, 1, NULL, "lock a SIM: no activation until unlocked"),
	CMD2("sim", "unlock", "imsi", NULL, 1, NULL, "undo sim lock"),
	CMD2("sim", "retire", "imsi", NULL, 1, NULL, "retire a SIM for good"),
	{"inventory",
	 "import",
	 "inventory.import",
	 {"file"},
	 1,
	 true,
	 "[--partial yes] [--format vendor|csv|auto] [--transport-key FILE]",
	 "import a SIM vendor or CSV file (read by jitsim-cp)"},
	CMD2("pool", "add", "name", NULL, 1,
	     "--tenant N --region R --from MSISDN --to MSISDN [--quarantine DAYS]",
	     "add a number pool (a range of MSISDNs)"),
	CMD2("pool", "list", NULL, NULL, 0, NULL, "list number pools with their usage"),
	CMD2("pool", "show", "name", NULL, 1, NULL, "show one pool, by class"),
	CMD2("pool", "reserve", "msisdn", "imsi", 2, NULL,
	     "reserve a number for a SIM ahead of its attach"),
	CMD2("pool", "release", "msisdn", NULL, 1, NULL,
	     "release a number (it sits in quarantine before reuse)"),
	CMD2("number", "search", "pattern", NULL, 1, "[--pool NAME] [--class C] [--limit N]",
	     "find free numbers matching a regular expression"),
	CMD2("region", "add", "name", NULL, 1, "--hlr NAME --pool NAME [--match PREFIX]",
	     "add a region (visited networks -> HLR/HSS and pool)"),
	CMD2("region", "list", NULL, NULL, 0, NULL, "list regions"),
	CMD2("region", "remove", "name", NULL, 1, NULL, "remove a region"),
	CMD2("hlr", "add", "name", NULL, 1, "--adapter outbox|osmo-hlr [--address ADDR]",
	     "add an HLR/HSS and its adapter"),
	CMD2("hlr", "list", NULL, NULL, 0, NULL, "list HLR/HSS with their health"),
	CMD2("hlr", "remove", "name", NULL, 1, NULL, "remove an HLR/HSS"),
	CMD2("rule", "add", "name", NULL, 1, "--match EXPR [--tariff T] [--flow F]",
	     "add a device rule (IMEI TAC, RAT -> tariff and flow)"),
	CMD2("rule", "list", NULL, NULL, 0, NULL, "list device rules"),
	CMD2("rule", "remove", "name", NULL, 1, NULL, "remove a device rule"),
	CMD2("job", "list", NULL, NULL, 0, "[--state S] [--limit N]", "list activation jobs"),
	/* "job", not "id": that key is the protocol's request id. */
	CMD2("job", "show", "job", NULL, 1, NULL, "show one job and its steps"),
	CMD2("job", "retry", "job", NULL, 1, NULL, "retry a FAILED job"),
	CMD1("stats", NULL, 0, false, NULL, "counters of the dataplane and the control plane"),
	CMD2("audit", "tail", NULL, NULL, 0, "[--limit N]", "the latest audit lines"),
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
